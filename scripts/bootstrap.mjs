// Entry point of `npm start`, `npm test` and `npm run db:migrate`. It runs before node_modules exists,
// so it uses Node's built-ins only: check Node, install dependencies when the lockfile changed,
// generate the Prisma client when the schema changed, then hand over to the TypeScript script.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const scripts = { start: "start.ts", test: "test.ts", "db:migrate": "migrate.ts", bench: "../gateway/bench/bench.ts" };
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const say = (line) => console.log(`[perimeter] ${line}`);
const fail = (line, code = 1) => {
  console.error(`perimeter: ${line}`);
  process.exit(code);
};

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  fail(`Node.js 20.19 or newer is required (this is ${process.version})`);
}

const command = process.argv[2];
if (!Object.hasOwn(scripts, command))
  fail(`usage: node scripts/bootstrap.mjs <${Object.keys(scripts).join("|")}> [args…]`, 64);

// npm sets npm_execpath when it runs us, so the install uses the same npm as `npm start` itself.
function runNpm(args) {
  const { npm_execpath: npmCli } = process.env;
  const [file, argv] = npmCli?.endsWith(".js") ? [process.execPath, [npmCli, ...args]] : ["npm", args];
  say(`installing dependencies: npm ${args.join(" ")}`);
  const result = spawnSync(file, argv, { cwd: root, stdio: "inherit" });
  if (result.status !== 0)
    fail(`npm ${args[0]} failed (exit code ${result.status ?? result.signal}); see the output above`);
}

function ensureDependencies() {
  const lockfile = path.join(root, "package-lock.json");
  const modules = path.join(root, "node_modules");
  const stampFile = path.join(modules, ".perimeter-install-stamp");
  const lockHash = () => createHash("sha256").update(readFileSync(lockfile)).digest("hex");
  if (!existsSync(lockfile)) {
    if (existsSync(modules)) return;
    runNpm(["install", "--no-audit", "--no-fund"]);
  } else {
    const stamp = existsSync(stampFile) ? readFileSync(stampFile, "utf8").trim() : undefined;
    if (stamp === lockHash()) return;
    // No stamp but a tree npm installed after the lockfile was last written (a plain `npm ci` in CI,
    // or by hand): trust it rather than reinstalling everything.
    const npmRecord = path.join(modules, ".package-lock.json");
    const trustedTree =
      stamp === undefined && existsSync(npmRecord) && statSync(npmRecord).mtimeMs >= statSync(lockfile).mtimeMs;
    if (!trustedTree) runNpm(["ci", "--no-audit", "--no-fund"]);
  }
  if (existsSync(lockfile)) writeFileSync(stampFile, `${lockHash()}\n`);
}

function ensurePrismaClient() {
  const schema = path.join(root, "prisma", "schema.prisma");
  const client = path.join(root, "prisma", "src", "generated", "prisma", "client.ts");
  if (existsSync(client) && statSync(client).mtimeMs >= statSync(schema).mtimeMs) return;
  say("generating the Prisma client (offline)");
  const result = spawnSync(process.execPath, [path.join(root, "scripts", "prisma-generate.mjs")], {
    cwd: path.join(root, "prisma"),
    stdio: "inherit",
  });
  if (result.status !== 0) fail("prisma generate failed; see the output above");
}

ensureDependencies();
ensurePrismaClient();

const child = spawn(
  process.execPath,
  ["--import", "tsx", path.join(root, "scripts", scripts[command]), ...process.argv.slice(3)],
  { cwd: root, stdio: "inherit" },
);
// Ctrl-C in a terminal reaches the child directly (same process group); forwarding covers signals
// sent to this process alone (`kill`, a CI timeout). The scripts treat a repeated signal as one.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
// `kill <npm pid>` ends npm and its `sh -c` without passing the signal on; being re-parented is the
// only sign of it, and the stack must not keep running with nobody left to stop it.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) child.kill("SIGTERM");
}, 1_000).unref();
child.on("exit", (code, signal) => {
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});

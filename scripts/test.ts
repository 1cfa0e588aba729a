// `npm test` (through bootstrap.mjs): every Vitest project against real Postgres and Redis, then the
// Playwright journeys against a whole stack started as `npm start` would, on free ports and a scratch
// database. The last line is always `N passed, N failed[, N skipped]`; the exit code is 1 on any failure.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createScratchDatabase } from "@perimeter/db/scratch-database";
import { errorMessage } from "@perimeter/runtime";
import {
  addCounts,
  countPlaywright,
  countVitest,
  ensurePostgres,
  ensureRedis,
  findFreePort,
  formatSummaryLine,
  generatePassword,
  noTests,
  type ProvisionedServer,
  parseStartConfig,
  settleRun,
  startStack,
  type TestCounts,
} from "@perimeter/stack";

const rootDir = path.resolve(import.meta.dirname, "..");
// As in start.ts: a reader of our output that went away (`npm test | head`) must not strand the servers.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
const bin = (name: string) => path.join(rootDir, "node_modules", ".bin", name);
const log = (line: string) => console.log(`[perimeter] ${line}`);
const vitestArgs = process.argv.slice(2);
const env = process.env;
const inCi = env.CI === "true" || env.CI === "1";
const dataDir = path.resolve(rootDir, env.PERIMETER_DATA_DIR || ".data", "test");

// Ctrl-C (or a CI timeout) stops the runner in progress; the steps after it are skipped and
// everything started is stopped, so the summary line still comes last.
const interrupt = new AbortController();
let currentRunner: ChildProcess | undefined;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (interrupt.signal.aborted) return;
    console.error(`perimeter: ${signal} received; stopping`);
    interrupt.abort(new Error(`stopped by ${signal}`));
    currentRunner?.kill(signal);
  });
}

function run(command: string, args: string[], cwd: string, childEnv: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: childEnv, stdio: "inherit" });
    currentRunner = child;
    child.once("error", (error) => {
      console.error(`perimeter: cannot run ${command}: ${error.message}`);
      resolve(null);
    });
    child.once("exit", (code) => {
      currentRunner = undefined;
      resolve(code);
    });
  });
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

function hasPlaywrightTests(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { withFileTypes: true, recursive: true }).some(
    (entry) =>
      entry.isFile() && /\.(spec|test)\.[cm]?[jt]sx?$/.test(entry.name) && !entry.parentPath.includes("node_modules"),
  );
}

function chromiumPath(): string | undefined {
  const candidates = [env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((candidate) => candidate && existsSync(candidate));
}

async function runVitest(reportDir: string, urls: { databaseUrl: string; redisUrl: string }): Promise<TestCounts> {
  const report = path.join(reportDir, "vitest.json");
  const code = await run(
    bin("vitest"),
    ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...vitestArgs],
    rootDir,
    { ...env, DATABASE_URL: urls.databaseUrl, REDIS_URL: urls.redisUrl },
  );
  const json = await readJson<Parameters<typeof countVitest>[0]>(report);
  if (!json) console.error("perimeter: Vitest wrote no JSON report; counting the run as failed");
  return settleRun(json ? countVitest(json) : undefined, code);
}

async function runE2e(reportDir: string, urls: { databaseUrl: string; redisUrl: string }): Promise<TestCounts> {
  const e2eDir = path.join(rootDir, "e2e");
  if (!hasPlaywrightTests(e2eDir)) {
    log("e2e: no Playwright tests in e2e/; nothing to run");
    return noTests;
  }
  const chromium = chromiumPath();
  if (!chromium) {
    const message = "e2e: Chromium not found at /usr/bin/chromium (Debian: apt-get install chromium)";
    if (inCi) {
      console.error(`perimeter: ${message}; failing because CI is set`);
      return { ...noTests, failed: 1 };
    }
    console.warn(`[perimeter] warning: ${message}; skipping the browser journeys`);
    return noTests;
  }

  const scratch = await createScratchDatabase(urls.databaseUrl, "perimeter_e2e");
  const adminPassword = generatePassword();
  const [webPort, gatewayPort, workerPort] = await Promise.all([findFreePort(), findFreePort(), findFreePort()]);
  const config = parseStartConfig(
    {
      ...env,
      PERIMETER_DATA_DIR: dataDir,
      DATABASE_URL: scratch.url,
      REDIS_URL: urls.redisUrl,
      PERIMETER_ADMIN_PASSWORD: adminPassword,
      WEB_PORT: String(webPort),
      GATEWAY_PORT: String(gatewayPort),
      WORKER_PORT: String(workerPort),
      VLLM_URL: "",
      GATEWAY_PUBLIC_URL: "",
    },
    rootDir,
  );
  // The services' logs would drown Playwright's output; they go to a file shown when something fails.
  const stackLog = path.join(dataDir, "e2e-stack.log");
  const logStream = createWriteStream(stackLog);
  const writeLine = (line: string) => logStream.write(`${line}\n`);
  log(`e2e: starting the stack (service logs in ${path.relative(rootDir, stackLog)})`);
  let code: number | null = null;
  try {
    const stack = await startStack(config, {
      log,
      output: { stdout: writeLine, stderr: writeLine },
      signal: interrupt.signal,
    });
    try {
      const report = path.join(reportDir, "playwright.json");
      code = await run(bin("playwright"), ["test", "--reporter=list,json"], e2eDir, {
        ...env,
        E2E_WEB_URL: stack.webUrl,
        E2E_GATEWAY_URL: stack.gatewayUrl,
        E2E_ADMIN_EMAIL: stack.seed.email,
        E2E_ADMIN_PASSWORD: adminPassword,
        E2E_STARTER_KEY: stack.seed.starterKey ?? "",
        E2E_DATABASE_URL: scratch.url,
        E2E_REDIS_URL: urls.redisUrl,
        CHROMIUM_PATH: chromium,
        PLAYWRIGHT_JSON_OUTPUT_NAME: report,
      });
      const json = await readJson<Parameters<typeof countPlaywright>[0]>(report);
      if (!json) console.error("perimeter: Playwright wrote no JSON report; counting the run as failed");
      return settleRun(json ? countPlaywright(json) : undefined, code);
    } finally {
      await stack.stop();
    }
  } catch (error) {
    console.error(`perimeter: e2e stack failed to start: ${errorMessage(error)}`);
    return { ...noTests, failed: 1 };
  } finally {
    logStream.end();
    if (code !== 0 && existsSync(stackLog)) {
      const tail = readFileSync(stackLog, "utf8").trimEnd().split("\n").slice(-40);
      if (tail.length > 1) console.error(`perimeter: last lines of ${stackLog}:\n${tail.join("\n")}`);
    }
    await scratch.drop().catch(() => {});
  }
}

async function main(): Promise<TestCounts> {
  await mkdir(dataDir, { recursive: true });
  const reportDir = await mkdtemp(path.join(os.tmpdir(), "perimeter-test-"));
  const provisioned: ProvisionedServer[] = [];
  try {
    const postgres = await ensurePostgres({ dataDir, log, env: { DATABASE_URL: env.DATABASE_URL } });
    provisioned.push(postgres);
    const redis = await ensureRedis({ dataDir, log, env: { PATH: env.PATH, REDIS_URL: env.REDIS_URL } });
    provisioned.push(redis);
    const urls = { databaseUrl: postgres.url, redisUrl: redis.url };

    let counts = noTests;
    if (env.PERIMETER_ONLY_E2E === "1") log("vitest: skipped (PERIMETER_ONLY_E2E=1)");
    else counts = await runVitest(reportDir, urls);
    if (interrupt.signal.aborted) return settleRun(counts, 1);
    if (env.PERIMETER_SKIP_E2E === "1") log("e2e: skipped (PERIMETER_SKIP_E2E=1)");
    else if (vitestArgs.length > 0) log("e2e: skipped (arguments select Vitest tests only)");
    else counts = addCounts(counts, await runE2e(reportDir, urls));
    return counts;
  } catch (error) {
    if (!interrupt.signal.aborted) console.error(`perimeter: ${errorMessage(error)}`);
    return { ...noTests, failed: 1 };
  } finally {
    for (const server of provisioned.reverse()) await server.stop();
    await rm(reportDir, { recursive: true, force: true });
  }
}

const counts = await main();
console.log(formatSummaryLine(counts));
process.exit(counts.failed > 0 ? 1 : 0);

import { readFile } from "node:fs/promises";

/** The last `count` non-empty lines of a log file, or none if it cannot be read. */
export async function lastLogLines(file: string, count: number): Promise<string[]> {
  try {
    const lines = (await readFile(file, "utf8")).split("\n").filter((line) => line.trim() !== "");
    return lines.slice(-count);
  } catch {
    return [];
  }
}

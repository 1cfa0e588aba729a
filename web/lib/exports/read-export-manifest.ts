import { readFile } from "node:fs/promises";
import type { ExportManifest } from "@perimeter/core";

/** The largest manifest read into memory; the worker writes a few kilobytes. */
const maxManifestBytes = 1024 * 1024;

/**
 * The manifest at `filePath` (written by the worker beside an export), or null when it is missing,
 * unreadable or not JSON: the page then says so instead of failing.
 */
export async function readExportManifest(filePath: string): Promise<ExportManifest | null> {
  try {
    const text = await readFile(filePath, "utf8");
    if (text.length > maxManifestBytes) return null;
    return JSON.parse(text) as ExportManifest;
  } catch {
    return null;
  }
}

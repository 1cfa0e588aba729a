export interface ProvisionOptions {
  /** Where embedded servers keep their data and generated secrets (PERIMETER_DATA_DIR). */
  dataDir: string;
  /** Receives one short progress line at a time. */
  log: (line: string) => void;
  /** The environment to read DATABASE_URL / REDIS_URL from; callers pass their parsed config's source. */
  env: Record<string, string | undefined>;
}

/** A database server ready for use; `stop()` only stops what we started (a no-op for external URLs). */
export interface ProvisionedServer {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

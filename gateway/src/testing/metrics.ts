/**
 * The value of a Prometheus sample on `origin`'s `/metrics`: the first line of the series `name` whose
 * labels include every one of `labels` (0 when there is none, as for a series nothing has counted yet).
 * A metric the exporter does not declare at all is an error, so a misspelt name cannot pass for a zero.
 */
export async function metricValue(origin: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const rows = (await (await fetch(`${origin}/metrics`)).text()).split("\n");
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  const samples = rows.filter((row) => row.startsWith(`${name}{`) || row.startsWith(`${name} `));
  if (samples.length === 0 && !rows.some((row) => row.startsWith(`# TYPE ${name} `))) {
    throw new Error(`${origin}/metrics declares no metric ${name}`);
  }
  const line = samples.find((row) => wanted.every((pair) => row.includes(pair)));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

/**
 * The value of a Prometheus sample on `origin`'s `/metrics`: the first line of the series `name` whose
 * labels include every one of `labels` (0 when there is none, as for a series nothing has counted yet).
 */
export async function metricValue(origin: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  const line = text
    .split("\n")
    .find(
      (row) => (row.startsWith(`${name}{`) || row.startsWith(`${name} `)) && wanted.every((pair) => row.includes(pair)),
    );
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

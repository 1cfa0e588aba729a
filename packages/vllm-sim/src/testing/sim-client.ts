// Test support for this package's own tests: small HTTP helpers around a running simulator.

export interface SimResponse {
  status: number;
  headers: Headers;
  text: string;
  json: () => unknown;
}

export async function post(
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<SimResponse> {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

/** The JSON payloads of an SSE body, `[DONE]` kept as the string. */
export function sseEvents(text: string): unknown[] {
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice("data: ".length))
    .map((data) => (data === "[DONE]" ? data : JSON.parse(data)));
}

export const readTool = {
  type: "function",
  function: {
    name: "Read",
    description: "Read a file from the repository",
    parameters: { type: "object", properties: { file_path: { type: "string" } }, required: ["file_path"] },
  },
};

export const bashTool = {
  type: "function",
  function: {
    name: "Bash",
    description: "Run a shell command",
    parameters: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
  },
};

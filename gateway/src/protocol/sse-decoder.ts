/**
 * Splits a server-sent event stream (as vLLM writes it: `data: {…}\n\n`) into the `data` payloads of its
 * events, fed in arbitrary pieces. Follows the WHATWG event-stream rules the gateway needs: LF, CRLF or CR
 * line ends, several `data:` lines joined with `\n`, one optional space after the colon, comments and
 * other fields (`event:`, `id:`, `retry:`) ignored, events without data skipped.
 */
export class SseDecoder {
  private buffer = "";
  private data: string[] = [];

  /** The payloads of the events this piece completes. */
  push(text: string): string[] {
    this.buffer += text;
    const payloads: string[] = [];
    let start = 0;
    // vLLM never sends CR; finding that out once per piece keeps the scan linear.
    let cr = this.buffer.indexOf("\r");
    for (;;) {
      const lf = this.buffer.indexOf("\n", start);
      if (cr !== -1 && cr < start) cr = this.buffer.indexOf("\r", start);
      const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      // A CR at the very end may be the first half of a CRLF: wait for the next piece.
      if (end === -1 || (end === cr && end === this.buffer.length - 1 && lf === -1)) break;
      const line = this.buffer.slice(start, end);
      start = end + (this.buffer[end] === "\r" && this.buffer[end + 1] === "\n" ? 2 : 1);
      this.line(line, payloads);
    }
    this.buffer = this.buffer.slice(start);
    return payloads;
  }

  /** The payload of a last event the stream ended without its blank line, if any. */
  flush(): string[] {
    const payloads: string[] = [];
    if (this.buffer) this.line(this.buffer, payloads);
    this.buffer = "";
    this.line("", payloads);
    return payloads;
  }

  private line(line: string, payloads: string[]): void {
    if (line === "") {
      if (this.data.length > 0) payloads.push(this.data.join("\n"));
      this.data = [];
      return;
    }
    if (!line.startsWith("data:")) return;
    this.data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
  }
}

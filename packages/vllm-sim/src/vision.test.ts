import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeImage, imageTokens, readImagePart } from "./image-input.ts";
import { type RunningVllmSim, startVllmSim } from "./start-vllm-sim.ts";
import { post } from "./testing/sim-client.ts";

/** A PNG signature and IHDR of `width` × `height` (the simulator reads no further). */
function png(width: number, height: number): Buffer {
  const header = Buffer.alloc(24);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write("IHDR", 12, "latin1");
  header.writeUInt32BE(width, 16);
  header.writeUInt32BE(height, 20);
  return header;
}
const part = (url: string) => ({ type: "image_url", image_url: { url } });
const dataUrl = (bytes: Buffer, mediaType = "image/png") => `data:${mediaType};base64,${bytes.toString("base64")}`;

describe("readImagePart", () => {
  it("reads a PNG data URL: format, size, dimensions and hash of the bytes", () => {
    const bytes = png(280, 56);
    const read = readImagePart(part(dataUrl(bytes)), "messages[0].content[0]");
    expect(read).toEqual({
      ok: true,
      image: {
        mediaType: "image/png",
        format: "png",
        byteLength: 24,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        width: 280,
        height: 56,
      },
    });
    if (!read.ok) return;
    expect(imageTokens(read.image)).toBe(10 * 2 + 2);
    expect(describeImage(read.image)).toContain("280x56 PNG image of 24 bytes");
  });

  it("refuses what vLLM refuses, with its 400 envelope", () => {
    const message = (url: string) => {
      const read = readImagePart(part(url), "m");
      if (read.ok) throw new Error("expected a refusal");
      expect(read.error.status).toBe(400);
      expect(read.error.body.error.type).toBe("BadRequestError");
      return read.error.body.error.message;
    };
    expect(message("data:image/png,abc")).toContain("Only base64 data URLs are supported");
    expect(message("data:image/png;base64,@@@@")).toContain("Invalid base64");
    expect(message("data:image/png;base64,abc")).toContain("Invalid base64");
    expect(message("data:image/tiff;base64,AAAA")).toContain("unsupported image media type 'image/tiff'");
    expect(message(dataUrl(Buffer.from("not an image at all")))).toContain("cannot identify image file");
    expect(message("https://example.com/a.png")).toContain("does not fetch");
    expect(message("ftp://x")).toContain("must be either a HTTP, data or file URL");
  });
});

describe("vllm-sim as a vision model", () => {
  let vision: RunningVllmSim;
  let text: RunningVllmSim;

  beforeAll(async () => {
    [vision, text] = await Promise.all([
      startVllmSim({ model: "sim-vl", vision: true }),
      startVllmSim({ model: "umans-coder" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([vision.close(), text.close()]);
  });

  const body = (model: string, url: string) => ({
    model,
    messages: [{ role: "user", content: [{ type: "text", text: "Describe this." }, part(url)] }],
    max_tokens: 200,
  });

  it("answers with a description derived from the image bytes, and counts the image's tokens", async () => {
    const small = png(28, 28);
    const large = png(560, 280);
    const [a, b] = await Promise.all([
      post(vision.url, "/v1/chat/completions", body("sim-vl", dataUrl(small))),
      post(vision.url, "/v1/chat/completions", body("sim-vl", dataUrl(large))),
    ]);
    expect(a.status).toBe(200);
    const answerA = a.json() as { choices: { message: { content: string } }[]; usage: { prompt_tokens: number } };
    const answerB = b.json() as typeof answerA;
    const hash = createHash("sha256").update(small).digest("hex").slice(0, 16);
    expect(answerA.choices[0]?.message.content).toBe(
      `Image 1: A 28x28 PNG image of 24 bytes (sha256 ${hash}), described by the vLLM simulator.`,
    );
    // Same text, a larger image: the difference is the image tokens (3 vs 20 × 10 + 2).
    expect(answerB.usage.prompt_tokens - answerA.usage.prompt_tokens).toBe(202 - 3);
    const tokenized = await post(vision.url, "/tokenize", {
      model: "sim-vl",
      messages: body("sim-vl", dataUrl(large)).messages,
    });
    expect((tokenized.json() as { count: number }).count).toBe(answerB.usage.prompt_tokens);
  });

  it("refuses a bad data URL with vLLM's error shape", async () => {
    const res = await post(vision.url, "/v1/chat/completions", body("sim-vl", "data:image/png;base64,!!"));
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({
      error: { type: "BadRequestError", code: 400, message: expect.stringContaining("messages[0].content[1]") },
    });
  });

  it("keeps the text-only default: image_url parts are refused", async () => {
    const res = await post(text.url, "/v1/chat/completions", body("umans-coder", dataUrl(png(1, 1))));
    expect(res.status).toBe(400);
    expect((res.json() as { error: { message: string } }).error.message).toContain("text-only model");
  });
});

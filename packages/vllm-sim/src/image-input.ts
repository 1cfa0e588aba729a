import { createHash } from "node:crypto";
import { badRequest, type VllmError } from "./vllm-error.ts";

// Images as a vision model served by vLLM reads them from `image_url` content parts. vLLM's
// `MediaConnector` (`vllm/multimodal/utils.py`) splits a data URL into `<media type>;base64` and the
// payload, refuses any encoding but base64, and `ImageMediaIO.load_base64` (`vllm/multimodal/image.py`)
// decodes it strictly and hands the bytes to PIL, which refuses what it cannot identify. The simulator
// reads no pixels: it recognises the four formats Anthropic accepts by their signatures and reads their
// dimensions from the headers.

/** An image a request carried, as the simulator understood it. */
export interface SimImage {
  mediaType: string;
  format: "png" | "jpeg" | "gif" | "webp";
  byteLength: number;
  /** Hex SHA-256 of the decoded bytes. */
  sha256: string;
  width: number | null;
  height: number | null;
}

export type ImageResult = { ok: true; image: SimImage } | { ok: false; error: VllmError };

const mediaTypes: Record<string, SimImage["format"]> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

function sniff(bytes: Buffer): SimImage["format"] | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.subarray(0, 6).toString("latin1"))) return "gif";
  if (
    bytes.length >= 12 &&
    bytes.subarray(0, 4).toString("latin1") === "RIFF" &&
    bytes.subarray(8, 12).toString("latin1") === "WEBP"
  )
    return "webp";
  return null;
}

/** Width and height from the format's header, when the bytes hold them. */
function dimensions(format: SimImage["format"], bytes: Buffer): { width: number | null; height: number | null } {
  const none = { width: null, height: null };
  if (format === "png" && bytes.length >= 24) return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (format === "gif" && bytes.length >= 10) return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  if (format === "jpeg") {
    // Walk the marker segments to the first start-of-frame (SOF0…SOF15 but DHT, JPG and DAC).
    let at = 2;
    while (at + 9 < bytes.length && bytes[at] === 0xff) {
      const marker = bytes[at + 1] as number;
      const length = bytes.readUInt16BE(at + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
        return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
      at += 2 + length;
    }
  }
  return none;
}

/**
 * Reads one `image_url` part (`{"type": "image_url", "image_url": {"url": "data:…"}}`) at `where`, or
 * the 400 vLLM answers for it. Only data URLs are read: the simulator fetches nothing.
 */
export function readImagePart(part: Record<string, unknown>, where: string): ImageResult {
  const fail = (message: string): ImageResult => ({ ok: false, error: badRequest(message, where) });
  const spec = part.image_url;
  const url = typeof spec === "object" && spec !== null ? (spec as Record<string, unknown>).url : undefined;
  if (typeof url !== "string") return fail(`${where}.image_url.url: Field required`);
  if (!url.startsWith("data:")) {
    if (/^https?:\/\//.test(url)) return fail(`${where}: the simulator does not fetch images; send a data URL`);
    return fail(`${where}: The URL must be either a HTTP, data or file URL.`);
  }
  const comma = url.indexOf(",");
  if (comma < 0) return fail(`${where}: invalid data URL: no ',' separates the media type from the data`);
  const [mediaType, encoding] = url.slice(5, comma).split(";", 2);
  if (encoding !== "base64") return fail(`${where}: Only base64 data URLs are supported for now.`);
  const format = mediaTypes[(mediaType ?? "").toLowerCase()];
  if (!format) return fail(`${where}: unsupported image media type '${mediaType}'`);
  const data = url.slice(comma + 1);
  // `pybase64.b64decode(data, validate=True)`: anything outside the alphabet, or bad padding, is refused.
  if (data.length % 4 !== 0 || !base64Pattern.test(data))
    return fail(`${where}: Invalid base64-encoded string: the data of the image URL is not valid base64`);
  const bytes = Buffer.from(data, "base64");
  const sniffed = sniff(bytes);
  if (!sniffed) return fail(`${where}: cannot identify image file (${bytes.length} bytes)`);
  return {
    ok: true,
    image: {
      mediaType: mediaType as string,
      format: sniffed,
      byteLength: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      ...dimensions(sniffed, bytes),
    },
  };
}

/**
 * Prompt tokens an image takes: one per 28 × 28 pixel tile, as Qwen2-VL-style vision encoders merge
 * 14-pixel patches two by two, plus the two markers around it; 256 when the header gave no size.
 */
export function imageTokens(image: SimImage): number {
  if (image.width === null || image.height === null) return 256;
  const tiles = Math.ceil(Math.max(1, image.width) / 28) * Math.ceil(Math.max(1, image.height) / 28);
  return Math.min(tiles, 16_384) + 2;
}

/** The simulator's deterministic "description" of an image: what it is, how big, and its hash. */
export function describeImage(image: SimImage): string {
  const size = image.width !== null && image.height !== null ? `${image.width}x${image.height} ` : "";
  return (
    `A ${size}${image.format.toUpperCase()} image of ${image.byteLength} bytes ` +
    `(sha256 ${image.sha256.slice(0, 16)}), described by the vLLM simulator.`
  );
}

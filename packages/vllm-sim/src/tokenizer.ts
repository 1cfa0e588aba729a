/**
 * The simulator's tokenizer: deterministic, dependency-free and close enough to DeepSeek V3.2's BPE on
 * English and code (about 3.5–4 characters per token) that token budgets, context overflows and
 * prefix-cache hits behave at realistic scales. It is not the real vocabulary: ids are stable hashes.
 *
 * Rules, applied left to right:
 * - the chat template's special tokens (`<｜begin▁of▁sentence｜>`, `<｜User｜>`, `<think>`, `｜DSML｜`, …)
 *   are one token each;
 * - a run of letters, with the single space before it, is cut into pieces of at most 4 characters;
 * - digits go in groups of at most 3;
 * - a run of punctuation is cut into pieces of at most 2 characters;
 * - a run of newlines is one token; a run of spaces or tabs is cut into pieces of at most 4;
 * - any other character (CJK, emoji, …) is one token per code point.
 */

/** Special tokens of DeepSeek V3.2's chat template, each counted as one token with a fixed id. */
export const specialTokens = {
  bos: "<｜begin▁of▁sentence｜>",
  eos: "<｜end▁of▁sentence｜>",
  user: "<｜User｜>",
  assistant: "<｜Assistant｜>",
  thinkStart: "<think>",
  thinkEnd: "</think>",
  dsml: "｜DSML｜",
} as const;

const specialIds = new Map<string, number>([
  [specialTokens.bos, 0],
  [specialTokens.eos, 1],
  [specialTokens.user, 128_803],
  [specialTokens.assistant, 128_804],
  [specialTokens.thinkStart, 128_798],
  [specialTokens.thinkEnd, 128_799],
  [specialTokens.dsml, 128_815],
]);

/** Size of the id space ordinary pieces hash into (DeepSeek V3's vocabulary is 129280 ids). */
const ordinaryVocabSize = 128_000;
const firstOrdinaryId = 2;

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// One alternation, tried in order at each position. Special tokens come first so their letters are
// never split into ordinary pieces.
const pieceRegex = new RegExp(
  [
    ...[...specialIds.keys()].map(escapeRegex),
    " ?[A-Za-z]+",
    "[0-9]+",
    "\\n+[ \\t]*",
    "[ \\t]+(?![!-/:-@[-`{-~])",
    " ?[!-/:-@[-`{-~]+",
    "[^]",
  ].join("|"),
  "gu",
);

function cut(text: string, size: number, out: string[]): void {
  for (let start = 0; start < text.length; start += size) out.push(text.slice(start, start + size));
}

/** A run of one repeated character (`----`, `====`) is one piece of up to 16; mixed runs go by 4. */
function cutPunctuation(run: string, out: string[]): void {
  let start = 0;
  while (start < run.length) {
    let end = start + 1;
    while (end < run.length && end - start < 16 && run[end] === run[start] && run[start] !== " ") end += 1;
    if (end - start < 3) end = Math.min(run.length, start + 4);
    out.push(run.slice(start, end));
    start = end;
  }
}

/** The token strings of `text`, in order; joining them gives `text` back. */
export function tokenPieces(text: string): string[] {
  const pieces: string[] = [];
  for (const match of text.matchAll(pieceRegex)) {
    const piece = match[0];
    const first = piece.charCodeAt(0);
    if (specialIds.has(piece)) pieces.push(piece);
    else if (/^ ?[A-Za-z]/.test(piece)) cut(piece, 7, pieces);
    else if (first >= 48 && first <= 57) cut(piece, 3, pieces);
    else if (first === 10 || first === 32 || first === 9) cut(piece, 16, pieces);
    else if (/^ ?[!-/:-@[-`{-~]/.test(piece)) cutPunctuation(piece, pieces);
    else pieces.push(piece);
  }
  return pieces;
}

/** FNV-1a over the UTF-16 code units: a stable id for an ordinary piece. */
function pieceId(piece: string): number {
  const special = specialIds.get(piece);
  if (special !== undefined) return special;
  let hash = 0x811c9dc5;
  for (let i = 0; i < piece.length; i += 1) {
    hash ^= piece.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return firstOrdinaryId + (hash % ordinaryVocabSize);
}

export interface Tokenized {
  ids: number[];
  pieces: string[];
}

/** Tokenizes `text` into ids and the pieces they stand for (same length, same order). */
export function tokenize(text: string): Tokenized {
  const pieces = tokenPieces(text);
  return { ids: pieces.map(pieceId), pieces };
}

/** The number of tokens of `text`; equal to `tokenize(text).ids.length`. */
export function countTokens(text: string): number {
  return tokenPieces(text).length;
}

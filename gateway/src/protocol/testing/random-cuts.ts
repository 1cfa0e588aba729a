/**
 * Test-only: `rounds` ways of cutting `text` into pieces of 1–40 characters, from a fixed linear
 * congruential sequence seeded with `seed`, so a failure replays the same cuts.
 */
export function randomCuts(text: string, seed: number, rounds: number): string[][] {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const cuts: string[][] = [];
  for (let round = 0; round < rounds; round++) {
    const pieces: string[] = [];
    for (let at = 0; at < text.length; ) {
      const size = 1 + Math.floor(random() * 40);
      pieces.push(text.slice(at, at + size));
      at += size;
    }
    cuts.push(pieces);
  }
  return cuts;
}

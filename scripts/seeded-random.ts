/**
 * Mulberry32: a tiny seeded generator of numbers in [0, 1), so generated corpora and fuzz inputs are the same on
 * every run. Shared by the PHP fixture corpus and the reliability tests; not cryptographic.
 */
export type Random = () => number

export function seeded(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

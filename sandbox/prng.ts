/**
 * Small deterministic PRNG helpers. Everything random in the sandbox goes through here so the
 * same seed always yields the same bytes (no Math.random, no Date.now in content).
 */

/** 32-bit FNV-1a over the joined parts, finished with a murmur3 mix for better avalanche. */
export function hash32(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  const s = parts.join('\u0001');
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform float in [0,1) derived from a hash of the parts (stateless). */
export function hashUnit(...parts: Array<string | number>): number {
  return hash32(...parts) / 4294967296;
}

/** mulberry32: tiny, fast, good enough for synthetic data. */
export class Rng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  next(): number {
    let t = (this.a = (this.a + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(arr: readonly T[]): T {
    return arr[Math.floor(this.next() * arr.length)];
  }
  /** Pick by weights (parallel array). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i];
      if (r < 0) return items[i];
    }
    return items[items.length - 1];
  }
  /** n random decimal digits as a string (leading zeros kept). */
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(this.next() * 16).toString(16);
    return s;
  }
}

/** A GUID-shaped string derived from the parts (stable across runs). */
const UUID_MEMO = new Map<string, string>();

export function uuidFrom(...parts: Array<string | number>): string {
  // Memoized: the generator asks for the same few hundred ids millions of times.
  const key = parts.join('\u0002');
  const hit = UUID_MEMO.get(key);
  if (hit !== undefined) return hit;
  const h = (k: number) => hash32(k, ...parts).toString(16).padStart(8, '0');
  const s = h(1) + h(2) + h(3) + h(4);
  const u = `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-a${s.slice(17, 20)}-${s.slice(20, 32)}`;
  if (UUID_MEMO.size < 100_000) UUID_MEMO.set(key, u);
  return u;
}

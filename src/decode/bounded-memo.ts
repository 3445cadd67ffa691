import {detached} from './detached';

/**
 * A memo of results by string key for the per-row hot path (dates, resource ids, tags, VM
 * attribution, node resource groups, tracking conditions, row normalizers): billing data repeats
 * a few hundred to a few thousand distinct values millions of times.
 * - Bounded: when `limit` keys are held, the next insert forgets them all first. Cheaper than
 *   LRU bookkeeping, and the working sets fit the limits chosen by the callers.
 * - Keys are stored {@link detached}: a key sliced from a CSV chunk would otherwise pin the whole
 *   chunk for as long as the memo holds it.
 * Values may be undefined (a remembered "unparseable"): {@link has} tells them from misses.
 */
export class BoundedMemo<V> {
  private map = new Map<string, V>();

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new Error(`a memo needs a limit of at least 1, got ${limit}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** True when the next {@link set} of a new key forgets everything first. */
  get full(): boolean {
    return this.map.size >= this.limit;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Remembers `value` under a detached copy of `key` (forgetting everything first when full). */
  set(key: string, value: V): void {
    if (this.map.size >= this.limit) this.map = new Map();
    this.map.set(detached(key), value);
  }

  /**
   * The value for `key`, computed on a miss from the detached key (so slices the result keeps of
   * its key pin no chunk either) and remembered.
   */
  getOrCompute(key: string, compute: (key: string) => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined || this.map.has(key)) return hit as V;
    const own = detached(key);
    const value = compute(own);
    if (this.map.size >= this.limit) this.map = new Map();
    this.map.set(own, value);
    return value;
  }

  clear(): void {
    this.map = new Map();
  }
}

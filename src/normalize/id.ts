import {createHash} from 'crypto';
import * as crypto from 'crypto';
import {identityString} from './generated/record';
import {UsageRecord} from './usage-record';

/**
 * Record ids (docs/design.md §5): this module is the only place that knows the rule.
 *
 * `hash` = first 32 hex chars of SHA-256 over every identifying field of the record, in the
 * field table's order (fields.ts, ID_FIELDS), values joined by U+001F (null and '' are
 * distinct; id-encoding.ts; the generated identityString writes the fields out). Identifying
 * = every field except the measures (quantity, effective_price, unit_price, payg_price, cost)
 * and the derived ones (id, vm_*, aks_*, tracking, tracking_rules, parse_errors). `metric`
 * and `source_api` are included. Identifying fields added after v1 (the MCA ones, `appended` in
 * fields.ts) follow as `name=value` only when not null, so v1 records (every EA one) keep their
 * ids; `agreement`, `invoice_id` and the MCA amounts are not identifying. tags/additional_info enter as JSON.stringify of the parsed
 * object (source key order, so stable across re-reads of the same file content).
 *
 * The first occurrence of a hash in a slice gets `hash`; later rows identical in all
 * identifying fields get `hash-1`, `hash-2`, ... so re-reading a day yields the same
 * multiset of ids. SHA-256 rather than a JS non-crypto hash: it is native (one call per
 * record through crypto.hash) and is FIPS-safe, unlike MD5.
 *
 * Two steps, for speed: {@link hashId} (on any thread, per record: the hash becomes the
 * record's provisional id) and {@link IdAssigner} (in slice order, on the main thread: counts
 * occurrences and appends the `-n` suffixes, into the already serialized RECORD bytes).
 * {@link IdAssigner.assign} does both at once.
 */
type OneShotHash = (algorithm: string, data: string, outputEncoding: 'hex') => string;
const oneShot: OneShotHash | undefined = (crypto as unknown as {hash?: OneShotHash}).hash;

/** 32 lower-case hex chars: the first 128 bits of SHA-256 of the identity string. */
export function recordHash(r: UsageRecord): string {
  return identityHash(identityString(r));
}

/**
 * The hash of an identity string (fields already encoded by id-encoding.ts): the one hash of
 * every record id, usage records and the export dataset records alike (docs/design.md §5).
 */
export function identityHash(s: string): string {
  const hex = oneShot !== undefined ? oneShot('sha256', s, 'hex') : createHash('sha256').update(s).digest('hex');
  return hex.slice(0, 32);
}

/** The occurrence-counting key of a hash: its first 13 hex digits (52 bits) as a number. */
export function hashKey(hash: string): number {
  return parseInt(hash.slice(0, 13), 16);
}

/**
 * Step one: sets the record's provisional id (its hash, {@link HASH_CHARS} ASCII characters)
 * and returns the hash's occurrence key for step two ({@link IdAssigner.occurrence}).
 */
export function hashId(record: UsageRecord): number {
  const hash = recordHash(record);
  record.id = hash;
  return hashKey(hash);
}

/** Length of a provisional id (the hash), in characters and UTF-8 bytes. */
export const HASH_CHARS = 32;

/**
 * Where a provisional id ends in a serialized record (JSON.stringify of a UsageRecord, whose
 * first field is `id`: fields.ts), counted from the record's first byte: the suffix goes there.
 */
export const ID_END_IN_RECORD_JSON = '{"id":"'.length + HASH_CHARS;

/** The final id of a record whose hash `n` earlier rows of its slice had. */
export function finalId(hash: string, n: number): string {
  return n === 0 ? hash : hash + '-' + n;
}

/** Step two's output for a run of records: their bytes with the suffixes in, and which got one. */
export interface FinishedIds {
  /** The bytes to write in order: views of the input with the `-n` suffixes between them. */
  pieces: Uint8Array[];
  /** Record index → occurrence n, for the records that got a suffix; null when none did. */
  repeats: Map<number, number> | null;
}

/**
 * Compact set of 52-bit integers (the first 13 hex digits of a hash) — open addressing
 * with linear probing in a Float64Array that doubles at 50% load: 8 bytes per slot,
 * 16–32 bytes per stored row (vs ~50–70 for a Set of strings or heap numbers).
 * 0 is reserved as the empty marker (a key of 0 is stored as 2^52, outside the 52-bit range).
 */
export class Hash52Set {
  private table: Float64Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.table = new Float64Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.table.byteLength;
  }

  /** Adds `key` (0 <= key < 2^52); returns false when it was already present. */
  add(key: number): boolean {
    const k = key === 0 ? 4503599627370496 : key;
    const t = this.table;
    // low 32 bits spread the slots well: the key is already a uniform hash
    let i = (k % 4294967296) & this.mask;
    for (;;) {
      const v = t[i];
      if (v === 0) break;
      if (v === k) return false;
      i = (i + 1) & this.mask;
    }
    t[i] = k;
    this.count++;
    if (this.count * 2 > t.length) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.table;
    const t = new Float64Array(old.length * 2);
    const mask = t.length - 1;
    for (let j = 0; j < old.length; j++) {
      const k = old[j];
      if (k === 0) continue;
      let i = (k % 4294967296) & mask;
      while (t[i] !== 0) i = (i + 1) & mask;
      t[i] = k;
    }
    this.table = t;
    this.mask = mask;
  }
}

/**
 * Assigns `record.id`. One instance per slice (slices never split a day, so occurrence
 * counting per slice is occurrence counting per day).
 *
 * Memory: one 52-bit key per distinct hash in a {@link Hash52Set} (16–32 bytes per row,
 * about 17 MB for a 500k-row slice at worst) plus a Map entry only for hashes that repeat.
 * A 52-bit prefix collision between two distinct hashes (probability ~n²/2⁵³, ≈3·10⁻⁵ for
 * 500k rows) only gives one of them a `-1` suffix: ids stay unique, since the suffix is
 * appended to each row's own full hash.
 */
export class IdAssigner {
  private readonly seen = new Hash52Set(4096);
  private repeats: Map<number, number> | null = null;

  /** Both steps for one record: its final id. */
  assign(record: UsageRecord): void {
    const n = this.occurrence(hashId(record));
    if (n !== 0) record.id = finalId(record.id, n);
  }

  /**
   * Step two for the records of one unit, in slice order: `keys[i]` is record i's occurrence key
   * ({@link hashId}); `idEnds[i]` is where its provisional id ends in `bytes` (empty when the
   * records were not serialized: only counted). Nothing is copied, so a unit with repeats costs
   * no more to write than one without.
   */
  finishIds(keys: Float64Array, idEnds: Uint32Array, bytes: Uint8Array): FinishedIds {
    const emitting = idEnds.length > 0;
    let repeats: Map<number, number> | null = null;
    let pieces: Uint8Array[] | null = null;
    let copied = 0;
    for (let i = 0; i < keys.length; i++) {
      const n = this.occurrence(keys[i]);
      if (n === 0) continue;
      (repeats ??= new Map()).set(i, n);
      if (emitting) {
        pieces ??= [];
        pieces.push(bytes.subarray(copied, idEnds[i]), Buffer.from('-' + n));
        copied = idEnds[i];
      }
    }
    if (!pieces) return {pieces: [bytes], repeats};
    pieces.push(bytes.subarray(copied));
    return {pieces, repeats};
  }

  /**
   * How many earlier rows of the slice had this key (the first 52 bits of the hash, see
   * {@link hashKey}): 0 for the first, which keeps the bare hash as id; n gives `hash-n`.
   */
  occurrence(key: number): number {
    if (this.seen.add(key)) return 0;
    const repeats = this.repeats ?? (this.repeats = new Map());
    const n = (repeats.get(key) ?? 0) + 1;
    repeats.set(key, n);
    return n;
  }

  /** Distinct hashes seen so far. */
  get distinct(): number {
    return this.seen.size;
  }

  /** Approximate bytes held (table + repeat map at ~80 bytes per entry). */
  get approximateBytes(): number {
    return this.seen.bytes + (this.repeats ? this.repeats.size * 80 : 0);
  }
}

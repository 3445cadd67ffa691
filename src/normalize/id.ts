import {createHash} from 'crypto';
import * as crypto from 'crypto';
import {UsageRecord} from './usage-record';

/**
 * Record ids (docs/design.md §5).
 *
 * `hash` = first 32 hex chars of SHA-256 over every identifying field of the record, in a
 * fixed order, each as `name=value` joined by U+001F (null and '' are distinct). Identifying
 * = every field except the measures (quantity, effective_price, unit_price, payg_price, cost)
 * and the derived ones (id, vm_*, aks_*, tracking, tracking_rules, parse_errors). `metric`
 * and `source_api` are included. tags/additional_info enter as JSON.stringify of the parsed
 * object (source key order, so stable across re-reads of the same file content).
 *
 * The first occurrence of a hash in a slice gets `hash`; later rows identical in all
 * identifying fields get `hash-1`, `hash-2`, ... so re-reading a day yields the same
 * multiset of ids. SHA-256 rather than a JS non-crypto hash: it is native (one call per
 * record through crypto.hash) and is FIPS-safe, unlike MD5.
 */
export const ID_FIELDS = [
  'usage_date',
  'billing_period_start',
  'billing_period_end',
  'billing_account_id',
  'billing_account_name',
  'billing_profile_id',
  'billing_profile_name',
  'metric',
  'source_api',
  'department_id',
  'department_name',
  'account_id',
  'account_name',
  'account_owner',
  'cost_center',
  'subscription_id',
  'subscription_name',
  'resource_id',
  'resource_name',
  'resource_group',
  'resource_type',
  'resource_location',
  'consumed_service',
  'meter_id',
  'meter_name',
  'meter_category',
  'meter_subcategory',
  'meter_region',
  'service_family',
  'product_name',
  'part_number',
  'unit_of_measure',
  'billing_currency',
  'charge_type',
  'frequency',
  'pricing_model',
  'publisher_type',
  'publisher_name',
  'plan_name',
  'offer_id',
  'is_azure_credit_eligible',
  'reservation_id',
  'reservation_name',
  'benefit_id',
  'benefit_name',
  'product_order_id',
  'product_order_name',
  'term',
  'cost_allocation_rule_name',
  'service_info1',
  'service_info2',
  'availability_zone',
  'tags',
  'additional_info',
] as const satisfies readonly (keyof UsageRecord)[];

const SEP = '\u001f';
const NULL = '\u0000';

function enc(v: string | null): string {
  return v === null ? NULL : v;
}

/** JSON texts of frozen objects: decoded tags / additional info are frozen and shared by rows. */
const jsonOfFrozen = new WeakMap<object, string>();

function encJson(v: object | null): string {
  if (v === null) return NULL;
  if (!Object.isFrozen(v)) return JSON.stringify(v); // may change later: nothing to remember
  let json = jsonOfFrozen.get(v);
  if (json === undefined) {
    json = JSON.stringify(v);
    jsonOfFrozen.set(v, json);
  }
  return json;
}

/** The exact string that is hashed for a record (exported for tests and debugging). */
export function identityString(r: UsageRecord): string {
  // One array joined natively: a flat string at once, where 110 `+` would build a tree of
  // cons strings (~3.5 KB of garbage per record) only to flatten it for the hash. Written out
  // (not a loop over ID_FIELDS) so V8 sees monomorphic property loads.
  return [
    enc(r.usage_date), enc(r.billing_period_start), enc(r.billing_period_end),
    enc(r.billing_account_id), enc(r.billing_account_name), enc(r.billing_profile_id),
    enc(r.billing_profile_name), r.metric, r.source_api,
    enc(r.department_id), enc(r.department_name), enc(r.account_id),
    enc(r.account_name), enc(r.account_owner), enc(r.cost_center),
    enc(r.subscription_id), enc(r.subscription_name),
    enc(r.resource_id), enc(r.resource_name), enc(r.resource_group),
    enc(r.resource_type), enc(r.resource_location), enc(r.consumed_service),
    enc(r.meter_id), enc(r.meter_name), enc(r.meter_category),
    enc(r.meter_subcategory), enc(r.meter_region), enc(r.service_family),
    enc(r.product_name), enc(r.part_number), enc(r.unit_of_measure),
    enc(r.billing_currency), enc(r.charge_type), enc(r.frequency),
    enc(r.pricing_model), enc(r.publisher_type), enc(r.publisher_name),
    enc(r.plan_name), enc(r.offer_id),
    r.is_azure_credit_eligible === null ? NULL : r.is_azure_credit_eligible ? 'T' : 'F',
    enc(r.reservation_id), enc(r.reservation_name), enc(r.benefit_id),
    enc(r.benefit_name), enc(r.product_order_id), enc(r.product_order_name),
    enc(r.term), enc(r.cost_allocation_rule_name), enc(r.service_info1),
    enc(r.service_info2), enc(r.availability_zone),
    encJson(r.tags), encJson(r.additional_info),
  ].join(SEP);
}

type OneShotHash = (algorithm: string, data: string, outputEncoding: 'hex') => string;
const oneShot: OneShotHash | undefined = (crypto as unknown as {hash?: OneShotHash}).hash;

/** 32 lower-case hex chars: the first 128 bits of SHA-256 of the identity string. */
export function recordHash(r: UsageRecord): string {
  const s = identityString(r);
  const hex = oneShot !== undefined ? oneShot('sha256', s, 'hex') : createHash('sha256').update(s).digest('hex');
  return hex.slice(0, 32);
}

/** The occurrence-counting key of a hash: its first 13 hex digits (52 bits) as a number. */
export function hashKey(hash: string): number {
  return parseInt(hash.slice(0, 13), 16);
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

  assign(record: UsageRecord): void {
    const hash = recordHash(record);
    const n = this.occurrence(hashKey(hash));
    record.id = n === 0 ? hash : hash + '-' + n;
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

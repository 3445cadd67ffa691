/**
 * The part of a synthetic cost row that does not depend on the agreement: slot and duplicate
 * logic, messy overlays, meters, reservations, the metric transform. It writes columns by
 * agreement-neutral names; a ColumnLayout maps them to one agreement's headers (EA PascalCase,
 * MCA camelCase), so a new column layout is a new mapping, not a new generator.
 * Every random draw happens in the order the EA and MCA generators always made them: the data
 * of a seed must not change.
 */
import {REGIONS, VM_SIZES} from './catalog';
import {monthEnd} from './dates';
import {hash32, hashUnit, Rng, uuidFrom} from './prng';

export type Metric = 'actual' | 'amortized';

export interface MessRates {
  /** Rows whose Date is empty or `13/45/YYYY` (connector must drop them). */
  badDate: number;
  /** Rows whose Tags text is not valid JSON (connector emits them with a parse error). */
  malformedTags: number;
  /** Rows with a comma, doubled quotes and a newline in a text column (the layout's) and a tag value. */
  specialChars: number;
  /** Fraction of odd slots that repeat the previous slot with another quantity/cost. */
  duplicate: number;
}

export const DEFAULT_MESS: MessRates = {badDate: 0.003, malformedTags: 0.004, specialChars: 0.006, duplicate: 0.02};

/** Columns the shared logic writes, by neutral name. */
export const NEUTRAL_COLUMNS = [
  'billingAccountId', 'billingAccountName', 'billingProfileId', 'billingProfileName',
  'invoiceSectionId', 'invoiceSectionName', 'costCenter', 'subscriptionId', 'subscriptionName',
  'billingCurrency', 'isAzureCreditEligible', 'chargeType', 'frequency', 'pricingModel',
  'publisherType', 'publisherName', 'serviceFamily', 'meterCategory', 'meterSubCategory',
  'meterName', 'meterRegion', 'unitOfMeasure', 'productName', 'meterId', 'partId', 'unitPrice',
  'paygPrice', 'resourceLocation', 'locationNormalized', 'consumedService', 'additionalInfo',
  'reservationId', 'reservationName', 'productOrderId', 'productOrderName', 'term',
  'benefitId', 'benefitName', 'quantity', 'effectivePrice',
] as const;

export type NeutralColumn = (typeof NEUTRAL_COLUMNS)[number];

/**
 * A layout's column of each neutral name: a naming rule plus the columns that break it, checked
 * against the layout's blank row so a misspelt name fails at load, not as an empty column.
 */
export function columnNames<C extends object>(
  blank: C, rule: (n: NeutralColumn) => string, except: Partial<Record<NeutralColumn, keyof C>>,
): Record<NeutralColumn, keyof C> {
  const out = {} as Record<NeutralColumn, keyof C>;
  for (const n of NEUTRAL_COLUMNS) {
    const name = except[n] ?? rule(n);
    if (!(name in blank)) throw new Error(`column layout: no column ${String(name)} for ${n}`);
    out[n] = name as keyof C;
  }
  return out;
}

/** One agreement's column layout, as seen by the shared logic. */
export interface ColumnLayout<C> {
  /** Neutral name -> the agreement's column. */
  col: Record<NeutralColumn, keyof C>;
  /** A fresh row with every column empty. */
  blank(): C;
  /** The meter's second id (EA part number, MCA product id) from its key; memoized per layout. */
  partId(key: string): string;
  /** Image names written in a VM's AdditionalInfo. */
  images: {windows: string; linux: string[]};
  /** The special-characters overlay (which column carries the odd text differs). */
  specialChars(c: C): void;
  /** Malformed Tags texts to pick from. */
  malformedTags: string[];
}

export interface CoreRow<C> {
  /** The day this row's usage belongs to (its origin day, even if its Date text is unusable). */
  day: string;
  slot: number;
  /** When set, the raw unusable Date text ('' or '13/45/YYYY'). */
  badDate?: string;
  /** Tags as key/value pairs (order kept). */
  tags: Array<[string, string]>;
  /** When set, the malformed Tags text written verbatim instead of `tags`. */
  tagsRaw?: string;
  /** How Tags is written in CSV: inside of an object without braces, or a full object. */
  tagsStyle: 'inner' | 'full';
  /** Row is a repeat of slot-1 except for quantity/cost. */
  dupOf?: number;
  /** Which generator made it (for debugging and tests). */
  kind: string;
  /** All columns; dates and tags are filled by the renderers. */
  c: C;
}

/** A slot before the metric is applied. */
export interface DraftRow<C> extends CoreRow<C> {
  qty: string;
  /** Effective price for ActualCost. */
  price: string;
  /** Pay-as-you-go price (MCA writes its cost). */
  payg: string;
  negative: boolean;
  /** Pad cost to 28 decimals with trailing zeros (seen in real files). */
  padCost: boolean;
  /** Present only in ActualCost (reservation purchases and their refunds). */
  actualOnly: boolean;
  /** Present only in AmortizedCost (a reservation's unused hours); unset on every other row. */
  amortizedOnly?: true;
  /** Reservation-covered usage: amortized rate and benefit. */
  amort?: {rate: string; benefitId: string; benefitName: string};
}

/** Who a row belongs to, by neutral name. */
export interface Owner {
  billingAccountId: string;
  billingAccountName: string;
  billingProfileId: string;
  billingProfileName: string;
  invoiceSectionId: string;
  invoiceSectionName: string;
  costCenter: string;
  subscriptionId: string;
  subscriptionName: string;
  billingCurrency: string;
  publisherType: string;
}

/** What the shared logic reads of a reservation (EA and MCA catalogs both have these). */
export interface ReservationLike {
  id: string;

  orderId: string;
  name: string;
  size: string;
  region: string;
  termMonths: number;
  amortizedRate: string;
}

const METER_IDS = new WeakMap<object, Map<string, [string, string]>>();

/** Chance that a reservation has unused hours on a day with usage. */
export const UNUSED_RATE = 0.25;

/** Generator of one agreement's rows: the kinds of row are the agreement's, the rest is shared. */
export abstract class RowGenerator<C, K extends string, B extends DraftRow<C>> {
  constructor(
    protected readonly seed: number,
    protected readonly mess: MessRates,
    protected readonly layout: ColumnLayout<C>,
    private readonly kinds: K[],
    private readonly kindWeights: number[],
  ) {}

  /** The row of a kind (draws from rng after the kind). */
  protected abstract base(day: string, i: number, kind: K, rng: Rng): B;

  slot(day: string, i: number): B {
    if (i % 2 === 1 && hashUnit(this.seed, 'dup', day, i) < this.mess.duplicate) {
      // Same identifying fields as slot i-1, other measures: exercises id occurrence counters.
      const b = this.full(day, i - 1);
      const rng = new Rng(hash32(this.seed, 'dupq', day, i));
      let q = b.qty;
      while (q === b.qty) q = `${rng.int(0, 23)}.${rng.digits(3)}`;
      b.qty = q;
      b.slot = i;
      b.dupOf = i - 1;
      return b;
    }
    return this.full(day, i);
  }

  private full(day: string, i: number): B {
    const rng = new Rng(hash32(this.seed, day, i));
    const kind = rng.weighted(this.kinds, this.kindWeights);
    const b = this.base(day, i, kind, rng);
    // Messy overlays, each with its own stream so rates stay independent of content.
    const m = new Rng(hash32(this.seed, 'mess', day, i));
    if (m.chance(this.mess.badDate)) b.badDate = m.chance(0.5) ? '' : `13/45/${day.slice(0, 4)}`;
    if (m.chance(this.mess.malformedTags)) {
      if (b.tags.length === 0) b.tags = [['env', 'prod']];
      b.tagsRaw = m.pick(this.layout.malformedTags);
    }
    if (m.chance(this.mess.specialChars)) {
      this.layout.specialChars(b.c);
      b.tags = [...b.tags, ['description', 'Payments API, "v2" edition']];
    }
    b.tagsStyle = m.chance(0.1) ? 'full' : 'inner';
    if (m.chance(0.15)) b.padCost = true;
    return b;
  }

  protected set(b: DraftRow<C>, col: NeutralColumn, v: string): void {
    (b.c as Record<keyof C, string>)[this.layout.col[col]] = v;
  }

  /** A usage row of a subscription at on-demand prices, every measure still zero. */
  protected draft(day: string, i: number, kind: string, owner: Owner): DraftRow<C> {
    const b: DraftRow<C> = {day, slot: i, kind, tags: [], tagsStyle: 'inner', c: this.layout.blank(), qty: '0', price: '0', payg: '0', negative: false, padCost: false, actualOnly: false};
    for (const k of Object.keys(owner) as Array<keyof Owner>) this.set(b, k, owner[k]);
    this.set(b, 'publisherName', 'Microsoft');
    this.set(b, 'chargeType', 'Usage');
    this.set(b, 'frequency', 'UsageBased');
    this.set(b, 'pricingModel', 'OnDemand');
    this.set(b, 'isAzureCreditEligible', 'True');
    return b;
  }

  protected meter(b: DraftRow<C>, region: string, family: string, category: string, subcat: string, name: string, unit: string, price: string, product: string, rng: Rng): void {
    const r = REGIONS[region];
    this.set(b, 'serviceFamily', family);
    this.set(b, 'meterCategory', category);
    this.set(b, 'meterSubCategory', subcat);
    this.set(b, 'meterName', name);
    this.set(b, 'meterRegion', r ? r.meterRegion : '');
    this.set(b, 'unitOfMeasure', unit);
    this.set(b, 'productName', product);
    const key = `${category}|${subcat}|${name}|${region}`;
    let cache = METER_IDS.get(this.layout);
    if (!cache) METER_IDS.set(this.layout, (cache = new Map()));
    let ids = cache.get(key);
    if (!ids) {
      ids = [uuidFrom('meter', category, subcat, name, region), this.layout.partId(key)];
      cache.set(key, ids);
    }
    this.set(b, 'meterId', ids[0]);
    this.set(b, 'partId', ids[1]);
    this.set(b, 'unitPrice', price);
    this.set(b, 'paygPrice', price);
    b.price = price;
    b.payg = price;
    if (r) {
      this.set(b, 'resourceLocation', rng.pick([r.name, r.display, r.name]));
      this.set(b, 'locationNormalized', r.name);
    }
  }

  /** The compute meter of a VM size (Windows has its own subcategory and price); price overrides it. */
  protected vmMeter(b: DraftRow<C>, region: string, sizeKey: string, os: 'Windows' | 'Linux', rng: Rng, price?: string): void {
    const size = VM_SIZES[sizeKey];
    const subcat = os === 'Windows' ? `${size.family} Windows` : size.family;
    const p = price ?? (os === 'Windows' ? size.winPrice : size.price);
    this.meter(b, region, 'Compute', 'Virtual Machines', subcat, size.meter, '1 Hour', p, `Virtual Machines ${subcat} - ${size.meter} - ${REGIONS[region].meterRegion}`, rng);
  }

  /**
   * A storage meter and its quantity: 0 hot blob data (tiny GB-month fractions, so costs with up
   * to 28 decimals, as in real files), 1 blob write operations, 2 hot file data.
   */
  protected storageMeter(b: DraftRow<C>, region: string, v: number, rng: Rng): void {
    const where = REGIONS[region].meterRegion;
    if (v === 0) {
      this.meter(b, region, 'Storage', 'Storage', 'Tiered Block Blob', 'Hot LRS Data Stored', '1 GB/Month', '0.0184', `Tiered Block Blob - Hot LRS - Data Stored - ${where}`, rng);
      b.qty = `0.${'0'.repeat(rng.int(2, 8))}${rng.digits(14)}`;
    } else if (v === 1) {
      this.meter(b, region, 'Storage', 'Storage', 'General Block Blob v2', 'LRS Write Operations', '10K', '0.055', `General Block Blob v2 - LRS - Write Operations - ${where}`, rng);
      b.qty = `${rng.int(0, 40)}.${rng.digits(4)}`;
    } else {
      this.meter(b, region, 'Storage', 'Storage', 'Files v2', 'Hot LRS Data Stored', '1 GB/Month', '0.0255', `Files v2 - Hot LRS - Data Stored - ${where}`, rng);
      b.qty = `${rng.int(0, 9)}.${rng.digits(16)}`;
    }
  }

  private reservationCols(b: DraftRow<C>, res: ReservationLike, reservationId: string): void {
    this.set(b, 'pricingModel', 'Reservation');
    this.set(b, 'reservationId', reservationId);
    this.set(b, 'reservationName', res.name);
    this.set(b, 'productOrderId', res.orderId);
    this.set(b, 'productOrderName', reservationProduct(res));
    this.set(b, 'term', String(res.termMonths));
  }

  /** Usage covered by a reservation: free in ActualCost, its share of the reservation in AmortizedCost. */
  protected cover(b: DraftRow<C>, res: ReservationLike): void {
    this.reservationCols(b, res, res.id);
    b.price = '0';
    b.amort = {rate: res.amortizedRate, benefitId: benefitId(res), benefitName: res.name};
  }

  /** A reservation purchase (or its refund): quantity 1, ActualCost only. */
  protected reservationCharge(b: DraftRow<C>, res: ReservationLike, reservationId: string, refund: boolean, oneTime: boolean): void {
    this.reservationCols(b, res, reservationId);
    b.payg = '0';
    this.set(b, 'paygPrice', '0');
    this.set(b, 'consumedService', 'Microsoft.Capacity');
    this.set(b, 'chargeType', refund ? 'Refund' : 'Purchase');
    this.set(b, 'frequency', refund || oneTime ? 'OneTime' : 'Recurring');
    this.set(b, 'benefitId', benefitId(res));
    this.set(b, 'benefitName', res.name);
    b.qty = '1';
    b.negative = refund;
    // Purchases are not part of AmortizedCost; their cost is spread over covered usage.
    b.actualOnly = true;
  }

  /**
   * The reservations (indexes into an agreement's catalog of `count`) with unused hours on a day,
   * about one in four each. A stream of its own: no draw of any usage slot moves.
   */
  unusedReservations(day: string, count: number): number[] {
    const out: number[] = [];
    for (let k = 0; k < count; k++) if (hashUnit(this.seed, 'unused', day, k) < UNUSED_RATE) out.push(k);
    return out;
  }

  /** The row of reservation `k`'s unused hours on a day, at `slot` (after the day's usage slots). */
  unusedSlot(day: string, k: number, slot: number): B {
    return this.unusedBase(day, slot, k, new Rng(hash32(this.seed, 'unused-row', day, k)));
  }

  /** The agreement's unused-reservation row: its owner columns, then unusedReservation(). */
  protected abstract unusedBase(day: string, slot: number, k: number, rng: Rng): B;

  /**
   * A reservation's unused hours of a day (ChargeType UnusedReservation, AmortizedCost only, as
   * Microsoft's "Get reservation costs and usage" describes them): the reservation, order and
   * benefit columns that cover() and reservationCharge() write, the reservation's VM meter, the
   * unused hours as quantity at the amortized hourly rate, and no resource. Its list price is 0:
   * no usage ran, so an unused hour saves nothing against pay-as-you-go.
   */
  protected unusedReservation(b: DraftRow<C>, res: ReservationLike, rng: Rng): void {
    this.vmMeter(b, res.region, res.size, 'Linux', rng, res.amortizedRate);
    this.reservationCols(b, res, res.id);
    this.set(b, 'chargeType', 'UnusedReservation');
    this.set(b, 'consumedService', 'Microsoft.Capacity');
    this.set(b, 'benefitId', benefitId(res));
    this.set(b, 'benefitName', res.name);
    this.set(b, 'paygPrice', '0');
    b.payg = '0';
    b.qty = unusedHours(rng);
    b.amortizedOnly = true;
  }

  /** Marketplace charge columns; a refund is one negative one-time charge. */
  protected marketplaceCols(b: DraftRow<C>, region: string, publisher: string, refund: boolean, rng: Rng): void {
    this.set(b, 'resourceLocation', region);
    this.set(b, 'locationNormalized', region);
    this.set(b, 'publisherType', 'Marketplace');
    this.set(b, 'publisherName', publisher);
    this.set(b, 'isAzureCreditEligible', 'False');
    b.qty = hours(rng);
    if (refund) {
      this.set(b, 'chargeType', 'Refund');
      this.set(b, 'frequency', 'OneTime');
      b.qty = String(rng.int(24, 240));
      b.negative = true;
    }
  }

  protected vmInfo(b: DraftRow<C>, sizeKey: string, os: 'Windows' | 'Linux', vmName: string, rng: Rng, aks: boolean): void {
    const size = VM_SIZES[sizeKey];
    const info: Record<string, unknown> = {};
    if (aks) info.UsageType = 'ComputeHR';
    info.ImageType = os === 'Windows' ? this.layout.images.windows : rng.pick(this.layout.images.linux);
    info.ServiceType = size.arm;
    info[rng.chance(0.3) ? 'VmName' : 'VMName'] = vmName;
    if (aks) info.VMProperties = 'Microsoft.AKS.Compute.AKS.Linux.Billing';
    info.VCPUs = size.vcpus;
    if (!aks) info.UsageType = 'ComputeHR';
    this.set(b, 'additionalInfo', JSON.stringify(info));
    if (size.priority === 'spot') this.set(b, 'pricingModel', 'Spot');
  }

  protected nodeRg(cl: {nodeRg: string}, rng: Rng): string {
    // Azure reports node resource groups in the case it chooses: as created, upper or lower.
    const v = rng.next();
    return v < 0.5 ? cl.nodeRg : v < 0.85 ? cl.nodeRg.toUpperCase() : cl.nodeRg.toLowerCase();
  }

  /**
   * The metric's effective price (quantity and price columns written), or null when the slot has
   * no row in that metric.
   */
  protected metricPrice(b: DraftRow<C>, metric: Metric): string | null {
    let price = b.price;
    if (metric === 'actual' && b.amortizedOnly) return null;
    if (metric === 'amortized') {
      if (b.actualOnly) return null;
      if (b.amort) {
        price = b.amort.rate;
        this.set(b, 'benefitId', b.amort.benefitId);
        this.set(b, 'benefitName', b.amort.benefitName);
      }
    }
    this.set(b, 'quantity', b.qty);
    this.set(b, 'effectivePrice', price);
    return price;
  }
}

export function reservationProduct(res: ReservationLike): string {
  const size = VM_SIZES[res.size];
  const years = res.termMonths / 12;
  return `Reserved VM Instance, ${size.arm}, ${REGIONS[res.region].meterRegion}, ${years} Year${years > 1 ? 's' : ''}`;
}

export function benefitId(res: ReservationLike): string {
  return `/providers/Microsoft.Capacity/reservationOrders/${res.orderId}/reservations/${res.id}`;
}

/** A storage account name from a subscription name, stable per resource group. */
export function storageAccountName(prefix: string, maxLen: number, sub: {name: string; guid: string}, rg: string): string {
  return `${prefix}${sub.name.toLowerCase().replace(/[^a-z]/g, '').slice(0, maxLen)}${(hash32('st', sub.guid, rg) % 90) + 10}`;
}

export function hours(rng: Rng): string {
  const v = rng.next();
  if (v < 0.65) return '24';
  if (v < 0.85) return String(rng.int(1, 23));
  return `${rng.int(0, 23)}.${rng.digits(rng.int(1, 6))}`;
}

/**
 * A day's slots in a metric, as the enrollment and the MCA account number them: the usage slots,
 * then in AmortizedCost one per reservation with unused hours that day, so ActualCost keeps its
 * slots. `draft` is the slot's row before the metric is applied (null outside the day's slots).
 */
export function slotsWithUnused<C, K extends string, B extends DraftRow<C>>(
  gen: RowGenerator<C, K, B>, usageSlots: (day: string) => number, reservations: number,
): {slotCount(day: string, metric: Metric): number; draft(day: string, slot: number, metric: Metric): B | null} {
  // every slot lookup asks for the day's unused reservations: memoized (few distinct days)
  const memo = new Map<string, number[]>();
  const unused = (day: string): number[] => {
    let v = memo.get(day);
    if (v === undefined) {
      v = usageSlots(day) === 0 ? [] : gen.unusedReservations(day, reservations);
      if (memo.size < 50_000) memo.set(day, v);
    }
    return v;
  };
  const slotCount = (day: string, metric: Metric) => usageSlots(day) + (metric === 'amortized' ? unused(day).length : 0);
  return {
    slotCount,
    draft(day, slot, metric) {
      if (slot < 0 || slot >= slotCount(day, metric)) return null;
      const n = usageSlots(day);
      return slot < n ? gen.slot(day, slot) : gen.unusedSlot(day, unused(day)[slot - n], slot);
    },
  };
}

/** Unused hours of a reservation's day: whole hours mostly, some with decimals; never 0. */
export function unusedHours(rng: Rng): string {
  if (rng.chance(0.7)) return String(rng.int(1, 24));
  return `${rng.int(1, 23)}.${rng.digits(rng.int(1, 4))}`;
}

const DAYS_IN_MONTH = new Map<string, number>();

/** One day's share of a monthly meter: 1/daysInMonth, truncated like real files. */
export function monthFraction(day: string, rng: Rng): string {
  let days = DAYS_IN_MONTH.get(day);
  if (days === undefined) DAYS_IN_MONTH.set(day, (days = +monthEnd(day).slice(8, 10)));
  const digits = rng.pick([6, 10, 15]);
  const scaled = (10n ** BigInt(digits)) / BigInt(days);
  return '0.' + scaled.toString().padStart(digits, '0');
}

/** Exact zero of any scale as '0'. */
export function zeroed(s: string): string {
  return /^-?0(\.0*)?$/.test(s) ? '0' : s;
}

/** A cost with the row's sign (zero stays unsigned). */
export function signed(b: DraftRow<unknown>, s: string): string {
  return b.negative && s !== '0' ? '-' + s : s;
}

export function padTo28(s: string): string {
  const dot = s.indexOf('.');
  if (dot < 0) return s + '.' + '0'.repeat(28);
  return s + '0'.repeat(28 - (s.length - dot - 1));
}

/**
 * Deterministic synthetic EA enrollment. Each (day, slot) row is generated from its own seeded
 * PRNG, so any day (or any row) can be produced independently, in any order, without holding a
 * month in memory. Actual and amortized views are two transforms of the same underlying slot.
 */
import {
  ACCOUNTS, AKS_CLUSTERS, AksCluster, DEPARTMENTS, MARKETPLACE, REGIONS, RESERVATIONS, Reservation,
  SUBSCRIPTIONS, Subscription, VMS, VM_SIZES,
} from './catalog';
import {blankCols, Cols} from './columns';
import {formatDec, mulDec, parseDec, toCents} from './decimal';
import {isDay, monthEnd} from './dates';
import {hash32, hashUnit, Rng, uuidFrom} from './prng';

export type Metric = 'actual' | 'amortized';

export interface MessRates {
  /** Rows whose Date is empty or `13/45/YYYY` (connector must drop them). */
  badDate: number;
  /** Rows whose Tags text is not valid JSON (connector emits them with a parse error). */
  malformedTags: number;
  /** Rows with a comma, doubled quotes and a newline in ResourceName and a tag value. */
  specialChars: number;
  /** Fraction of odd slots that repeat the previous slot with another quantity/cost. */
  duplicate: number;
}

export const DEFAULT_MESS: MessRates = {badDate: 0.003, malformedTags: 0.004, specialChars: 0.006, duplicate: 0.02};

export interface EnrollmentOptions {
  seed: number;
  enrollmentNumber: string;
  startDate: string;
  /** Inclusive YYYY-MM-DD. */
  endDate: string;
  rowsPerDay: number;
  /** Days with no usage at all. */
  emptyDays?: string[];
  /** Override the rates of messy rows; all zero gives a clean data set. */
  messRates?: Partial<MessRates>;
}

export interface UsageRow {
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
  /** All columns; Date, Tags and BillingPeriod* are filled by the renderers. */
  c: Cols;
}

/** A slot before the metric is applied. */
interface BaseRow extends UsageRow {
  qty: string;
  /** Effective price for ActualCost. */
  price: string;
  negative: boolean;
  /** Pad cost to 28 decimals with trailing zeros (seen in real files). */
  padCost: boolean;
  /** Present only in ActualCost (reservation purchases and their refunds). */
  actualOnly: boolean;
  /** Reservation-covered usage: amortized rate and benefit. */
  amort?: {rate: string; benefitId: string; benefitName: string};
}

export interface Enrollment {
  readonly opts: Required<Omit<EnrollmentOptions, 'messRates'>> & {messRates: MessRates};
  /** Number of row slots of a day (0 outside the enrollment range or on an empty day). */
  slotCount(day: string): number;
  /** The row of a slot for a metric, or null if the slot has no row in that metric. */
  row(day: string, slot: number, metric: Metric): UsageRow | null;
  /** All rows of a day in slot order. */
  dayRows(day: string, metric: Metric): Generator<UsageRow>;
}

const ENROLLMENT_CACHE = new WeakMap<EnrollmentOptions, Enrollment>();

export function makeEnrollment(input: EnrollmentOptions): Enrollment {
  const cached = ENROLLMENT_CACHE.get(input);
  if (cached) return cached;
  for (const k of ['startDate', 'endDate'] as const) {
    if (!isDay(input[k])) throw new Error(`enrollment ${k} must be YYYY-MM-DD, got ${input[k]}`);
  }
  if (!/^\d+$/.test(input.enrollmentNumber)) throw new Error('enrollmentNumber must be digits');
  const opts = {
    seed: input.seed >>> 0,
    enrollmentNumber: input.enrollmentNumber,
    startDate: input.startDate,
    endDate: input.endDate,
    rowsPerDay: Math.max(0, Math.floor(input.rowsPerDay)),
    emptyDays: [...(input.emptyDays ?? [])],
    messRates: {...DEFAULT_MESS, ...(input.messRates ?? {})},
  };
  const empty = new Set(opts.emptyDays);
  const slotCount = (day: string) =>
    day < opts.startDate || day > opts.endDate || empty.has(day) ? 0 : opts.rowsPerDay;
  const gen = new Generator_(opts.seed, opts.enrollmentNumber, opts.messRates);
  const row = (day: string, slot: number, metric: Metric): UsageRow | null => {
    if (slot < 0 || slot >= slotCount(day)) return null;
    return applyMetric(gen.slot(day, slot), metric);
  };
  const e: Enrollment = {
    opts,
    slotCount,
    row,
    *dayRows(day, metric) {
      const n = slotCount(day);
      for (let i = 0; i < n; i++) {
        const r = row(day, i, metric);
        if (r) yield r;
      }
    },
  };
  ENROLLMENT_CACHE.set(input, e);
  return e;
}

function applyMetric(b: BaseRow, metric: Metric): UsageRow | null {
  let price = b.price;
  if (metric === 'amortized') {
    if (b.actualOnly) return null;
    if (b.amort) {
      price = b.amort.rate;
      b.c.benefitId = b.amort.benefitId;
      b.c.benefitName = b.amort.benefitName;
    }
  }
  b.c.Quantity = b.qty;
  b.c.EffectivePrice = price;
  let cost = mulDec(b.qty, price);
  if (/^-?0(\.0*)?$/.test(cost)) cost = '0';
  else if (b.padCost) cost = padTo28(cost);
  b.c.CostInBillingCurrency = b.negative && cost !== '0' ? '-' + cost : cost;
  return b;
}

function padTo28(s: string): string {
  const dot = s.indexOf('.');
  if (dot < 0) return s + '.' + '0'.repeat(28);
  return s + '0'.repeat(28 - (s.length - dot - 1));
}

// ---------------------------------------------------------------------------------------------

const SUB_TAGS: Array<Array<[string, string]>> = [
  [['env', 'prod'], ['team', 'payments']],
  [['env', 'staging'], ['team', 'payments']],
  [['env', 'prod'], ['team', 'data'], ['org', '']],
  [['env', 'dev'], ['team', 'data-science']],
  [['env', 'prod'], ['team', 'platform'], ['cost/owner', 'platform']],
  [['env', 'prod'], ['team', 'platform'], ['hidden-title', 'Observability']],
  [['env', 'prod'], ['team', 'corp-it']],
  [['env', 'prod'], ['team', 'marketing'], ['app:tier', 'frontend']],
];

const MALFORMED_TAGS = [
  '"env": "prod","team": "pay',
  '"env": prod,"team": "payments"',
  '{"env": "prod", "team": "payments"',
  '"env": "prod",,"team": "payments"',
  '"env" "prod"',
];

type Kind = 'vm' | 'aks' | 'disk' | 'network' | 'storage' | 'logs' | 'sql' | 'marketplace' | 'purchase' | 'refund';
const KINDS: Kind[] = ['vm', 'aks', 'disk', 'network', 'storage', 'logs', 'sql', 'marketplace', 'purchase', 'refund'];
const KIND_WEIGHTS = [20, 20, 12, 8, 14, 6, 8, 4, 0.6, 0.4];

/** Meter id and part number per meter (constant, so memoized). */
const METER_IDS = new Map<string, [string, string]>();
const DAYS_IN_MONTH = new Map<string, number>();

class Generator_ {
  constructor(
    private readonly seed: number,
    private readonly enrollment: string,
    private readonly mess: MessRates,
  ) {}

  slot(day: string, i: number): BaseRow {
    if (i % 2 === 1 && hashUnit(this.seed, 'dup', day, i) < this.mess.duplicate) {
      // Same identifying fields as slot i-1, other measures: exercises id occurrence counters.
      const b = this.full(day, i - 1);
      const rng = new Rng(hash32(this.seed, 'dupq', day, i));
      b.qty = otherQty(b.qty, rng);
      b.slot = i;
      b.dupOf = i - 1;
      return b;
    }
    return this.full(day, i);
  }

  private full(day: string, i: number): BaseRow {
    const rng = new Rng(hash32(this.seed, day, i));
    const kind = rng.weighted(KINDS, KIND_WEIGHTS);
    const b = this.base(day, i, kind, rng);
    // Messy overlays, each with its own stream so rates stay independent of content.
    const m = new Rng(hash32(this.seed, 'mess', day, i));
    if (m.chance(this.mess.badDate)) b.badDate = m.chance(0.5) ? '' : `13/45/${day.slice(0, 4)}`;
    if (m.chance(this.mess.malformedTags)) {
      if (b.tags.length === 0) b.tags = [['env', 'prod']];
      b.tagsRaw = m.pick(MALFORMED_TAGS);
    }
    if (m.chance(this.mess.specialChars)) {
      b.c.ResourceName = `${b.c.ResourceName || 'legacy-app'}, "classic"\n(migrated)`;
      b.tags = [...b.tags, ['description', 'Payments API, "v2" edition']];
    }
    b.tagsStyle = m.chance(0.1) ? 'full' : 'inner';
    if (m.chance(0.15)) b.padCost = true;
    return b;
  }

  private common(day: string, i: number, kind: string, sub: Subscription): BaseRow {
    const c = blankCols();
    const acct = ACCOUNTS[sub.account];
    const dept = DEPARTMENTS[acct.dept];
    c.InvoiceSectionName = dept.name;
    c.InvoiceSectionId = dept.id;
    c.AccountName = acct.name;
    c.AccountId = acct.id;
    c.AccountOwnerId = acct.owner;
    c.SubscriptionId = sub.guid;
    c.SubscriptionName = sub.name;
    c.CostCenter = sub.costCenter;
    c.OfferId = sub.offer;
    c.BillingAccountId = this.enrollment;
    c.BillingAccountName = 'Contoso Sandbox Enrollment (synthetic)';
    c.BillingProfileId = this.enrollment;
    c.BillingProfileName = 'Contoso Sandbox Enrollment (synthetic)';
    c.BillingCurrencyCode = 'USD';
    c.IsAzureCreditEligible = 'True';
    c.ChargeType = 'Usage';
    c.Frequency = 'UsageBased';
    c.PricingModel = 'OnDemand';
    c.PublisherType = 'Azure';
    c.PublisherName = 'Microsoft';
    return {day, slot: i, kind, tags: [], tagsStyle: 'inner', c, qty: '0', price: '0', negative: false, padCost: false, actualOnly: false};
  }

  private meter(b: BaseRow, region: string, family: string, category: string, sub: string, name: string, unit: string, price: string, product: string, rng: Rng): void {
    const r = REGIONS[region];
    const c = b.c;
    c.ServiceFamily = family;
    c.MeterCategory = category;
    c.MeterSubCategory = sub;
    c.MeterName = name;
    c.MeterRegion = r ? r.meterRegion : '';
    c.UnitOfMeasure = unit;
    c.ProductName = product;
    const key = `${category}|${sub}|${name}|${region}`;
    let ids = METER_IDS.get(key);
    if (!ids) {
      const h = hash32('part', key);
      const part = `A${String.fromCharCode(65 + (h % 8))}${String.fromCharCode(65 + ((h >>> 3) % 26))}-${String((h >>> 8) % 100000).padStart(5, '0')}`;
      ids = [uuidFrom('meter', category, sub, name, region), part];
      METER_IDS.set(key, ids);
    }
    c.MeterId = ids[0];
    c.PartNumber = ids[1];
    c.UnitPrice = price;
    c.PayGPrice = price;
    b.price = price;
    if (r) {
      c.ResourceLocation = rng.pick([r.name, r.display, r.name]);
      c.ResourceLocationNormalized = r.name;
    }
  }

  private base(day: string, i: number, kind: Kind, rng: Rng): BaseRow {
    switch (kind) {
      case 'vm': return this.vm(day, i, rng);
      case 'aks': return this.aks(day, i, rng);
      case 'disk': return this.disk(day, i, rng);
      case 'network': return this.network(day, i, rng);
      case 'storage': return this.storage(day, i, rng);
      case 'logs': return this.logs(day, i, rng);
      case 'sql': return this.sql(day, i, rng);
      case 'marketplace': return this.marketplace(day, i, rng, false);
      case 'purchase': return this.purchase(day, i, rng, false);
      case 'refund': return rng.chance(0.5) ? this.purchase(day, i, rng, true) : this.marketplace(day, i, rng, true);
    }
  }

  private cover(b: BaseRow, res: Reservation): void {
    // ActualCost: usage covered by a reservation is free; AmortizedCost carries its share.
    b.c.PricingModel = 'Reservation';
    b.c.ReservationId = res.id;
    b.c.ReservationName = res.name;
    b.c.ProductOrderId = res.orderId;
    b.c.ProductOrderName = reservationProduct(res);
    b.c.Term = String(res.termMonths);
    b.price = '0';
    b.amort = {rate: res.amortizedRate, benefitId: benefitId(res), benefitName: res.name};
  }

  private vmInfo(b: BaseRow, sizeKey: string, os: 'Windows' | 'Linux', vmName: string, rng: Rng, aks: boolean): void {
    const size = VM_SIZES[sizeKey];
    const info: Record<string, unknown> = {};
    if (aks) info.UsageType = 'ComputeHR';
    info.ImageType = os === 'Windows' ? 'Windows Server 2019 Datacenter' : rng.pick(['Canonical', 'AKSUbuntu-2204gen2containerd-202401.09.0', 'UbuntuServer 20.04-LTS']);
    info.ServiceType = size.arm;
    info[rng.chance(0.3) ? 'VmName' : 'VMName'] = vmName;
    if (aks) info.VMProperties = 'Microsoft.AKS.Compute.AKS.Linux.Billing';
    info.VCPUs = size.vcpus;
    if (!aks) info.UsageType = 'ComputeHR';
    b.c.AdditionalInfo = JSON.stringify(info);
    if (size.priority === 'spot') b.c.PricingModel = 'Spot';
  }

  private vm(day: string, i: number, rng: Rng): BaseRow {
    const vm = rng.pick(VMS);
    const sub = SUBSCRIPTIONS[vm.sub];
    const size = VM_SIZES[vm.size];
    const b = this.common(day, i, 'vm', sub);
    const region = sub.region;
    const subcat = vm.os === 'Windows' ? `${size.family} Windows` : size.family;
    const price = vm.os === 'Windows' ? size.winPrice : size.price;
    this.meter(b, region, 'Compute', 'Virtual Machines', subcat, size.meter, '1 Hour', price, `Virtual Machines ${subcat} - ${size.meter} - ${REGIONS[region].meterRegion}`, rng);
    b.c.ConsumedService = 'Microsoft.Compute';
    b.c.ResourceGroup = vm.rg;
    b.c.ResourceName = vm.name;
    b.c.ResourceId = `/subscriptions/${sub.guid}/resourceGroups/${vm.rg}/providers/Microsoft.Compute/virtualMachines/${vm.name}`;
    if (rng.chance(0.05)) b.c.ResourceId = b.c.ResourceId.toUpperCase();
    b.c.AvailabilityZone = vm.zone;
    if (vm.os === 'Windows') b.c.ServiceInfo2 = rng.pick(['', 'Windows Server BYOL']);
    this.vmInfo(b, vm.size, vm.os, vm.name, rng, false);
    b.tags = [...vm.tags];
    b.qty = hours(rng);
    if (vm.reservation !== undefined && rng.chance(0.7)) this.cover(b, RESERVATIONS[vm.reservation]);
    return b;
  }

  private nodeRg(cl: AksCluster, rng: Rng): string {
    // Azure reports node resource groups in the case it chooses: as created, upper or lower.
    const v = rng.next();
    return v < 0.5 ? cl.nodeRg : v < 0.85 ? cl.nodeRg.toUpperCase() : cl.nodeRg.toLowerCase();
  }

  private aksTags(cl: AksCluster, pool: string, digits: string, rng: Rng): Array<[string, string]> {
    const tags: Array<[string, string]> = [];
    if (cl.managedTags && rng.chance(0.8)) {
      tags.push(['aks-managed-cluster-name', cl.name], ['aks-managed-cluster-rg', cl.rg], ['aks-managed-poolName', pool],
        ['aks-managed-createOperationID', ''], ['aks-managed-creationSource', `vmssclient-aks-${pool}-${digits}-vmss`],
        ['aks-managed-orchestrator', 'Kubernetes:1.29.2'], ['aks-managed-resourceNameSuffix', digits]);
    } else if (!cl.managedTags) {
      tags.push(['orchestrator', 'Kubernetes:1.20.9'], ['poolName', pool]);
    }
    tags.push(['env', cl.env], ['team', cl.team]);
    return tags;
  }

  private aks(day: string, i: number, rng: Rng): BaseRow {
    const cl = rng.pick(AKS_CLUSTERS);
    const pool = rng.pick(cl.pools);
    const sub = SUBSCRIPTIONS[cl.sub];
    const size = VM_SIZES[pool.size];
    const b = this.common(day, i, 'aks', sub);
    this.meter(b, cl.region, 'Compute', 'Virtual Machines', size.family, size.meter, '1 Hour', size.price, `Virtual Machines ${size.family} - ${size.meter} - ${REGIONS[cl.region].meterRegion}`, rng);
    const rg = this.nodeRg(cl, rng);
    const vmss = `aks-${pool.name}-${pool.digits}-vmss`;
    b.c.ConsumedService = 'Microsoft.Compute';
    b.c.ResourceGroup = rg;
    b.c.ResourceName = vmss;
    b.c.ResourceId = `/subscriptions/${sub.guid}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/${vmss}`;
    b.c.ServiceInfo2 = 'Canonical';
    this.vmInfo(b, pool.size, 'Linux', `${vmss}_${rng.int(0, 5)}`, rng, true);
    b.tags = this.aksTags(cl, pool.name, pool.digits, rng);
    b.qty = hours(rng);
    if (pool.reservation !== undefined && rng.chance(0.7)) this.cover(b, RESERVATIONS[pool.reservation]);
    return b;
  }

  private disk(day: string, i: number, rng: Rng): BaseRow {
    const perMonth = monthFraction(day, rng);
    const [tier, meter, price] = rng.pick([
      ['Premium SSD Managed Disks', 'P10 LRS Disk', '19.71'],
      ['Premium SSD Managed Disks', 'P4 LRS Disk', '6.38'],
      ['Standard SSD Managed Disks', 'E10 LRS Disk', '7.68'],
    ] as const);
    if (rng.chance(0.55)) {
      // Persistent volume of an AKS cluster, in the node resource group.
      const cl = rng.pick(AKS_CLUSTERS);
      const sub = SUBSCRIPTIONS[cl.sub];
      const b = this.common(day, i, 'disk', sub);
      this.meter(b, cl.region, 'Storage', 'Storage', tier, meter, '1/Month', price, `${tier} - ${meter.replace(' Disk', '')} - ${REGIONS[cl.region].meterRegion}`, rng);
      const rg = this.nodeRg(cl, rng);
      const pv = `pvc-${uuidFrom('pv', cl.name, rng.int(0, 11))}`;
      const ns = rng.pick(['payments', 'data', 'monitoring', 'default']);
      b.c.ConsumedService = 'Microsoft.Compute';
      b.c.ResourceGroup = rg;
      b.c.ResourceName = pv;
      b.c.ResourceId = `/subscriptions/${sub.guid}/resourceGroups/${rg}/providers/Microsoft.Compute/disks/${pv}`;
      b.tags = [['k8s-azure-created-by', 'kubernetes-azure-dd'], ['kubernetes.io-created-for-pv-name', pv],
        ['kubernetes.io-created-for-pvc-name', `data-${ns}-0`], ['kubernetes.io-created-for-pvc-namespace', ns]];
      if (cl.managedTags && rng.chance(0.5)) b.tags.push(['aks-managed-cluster-name', cl.name], ['aks-managed-cluster-rg', cl.rg]);
      b.qty = perMonth;
      return b;
    }
    const vm = rng.pick(VMS);
    const sub = SUBSCRIPTIONS[vm.sub];
    const b = this.common(day, i, 'disk', sub);
    this.meter(b, sub.region, 'Storage', 'Storage', tier, meter, '1/Month', price, `${tier} - ${meter.replace(' Disk', '')} - ${REGIONS[sub.region].meterRegion}`, rng);
    const disk = `${vm.name}_OsDisk_1_${uuidFrom('disk', vm.name).replace(/-/g, '')}`;
    b.c.ConsumedService = 'Microsoft.Compute';
    b.c.ResourceGroup = vm.rg;
    b.c.ResourceName = disk;
    b.c.ResourceId = `/subscriptions/${sub.guid}/resourceGroups/${vm.rg}/providers/Microsoft.Compute/disks/${disk}`;
    b.tags = [...vm.tags];
    b.qty = perMonth;
    return b;
  }

  private network(day: string, i: number, rng: Rng): BaseRow {
    const cl = rng.pick(AKS_CLUSTERS);
    const sub = SUBSCRIPTIONS[cl.sub];
    const b = this.common(day, i, 'network', sub);
    const rg = this.nodeRg(cl, rng);
    const region = REGIONS[cl.region];
    const pick = rng.int(0, 3);
    b.c.ResourceGroup = rg;
    const base = `/subscriptions/${sub.guid}/resourceGroups/${rg}/providers/Microsoft.Network`;
    if (pick === 0) {
      const ip = `kubernetes-a${uuidFrom('ip', cl.name).replace(/-/g, '').slice(0, 31)}`;
      this.meter(b, cl.region, 'Networking', 'Virtual Network', 'IP Addresses', 'Standard IPv4 Static Public IP', '1 Hour', '0.005', 'IP Addresses - Standard IPv4 Static Public IP', rng);
      b.c.ResourceName = ip;
      b.c.ResourceId = `${base}/publicIPAddresses/${ip}`;
      b.qty = hours(rng);
    } else if (pick === 1) {
      this.meter(b, cl.region, 'Networking', 'Load Balancer', 'Standard', 'Standard Data Processed', '1 GB', '0.005', `Load Balancer - Standard Data Processed - ${region.meterRegion}`, rng);
      b.c.ResourceName = 'kubernetes';
      b.c.ResourceId = `${base}/loadBalancers/kubernetes`;
      b.qty = `${rng.int(0, 300)}.${rng.digits(9)}`;
    } else if (pick === 2) {
      const nic = `aks-${cl.pools[0].name}-${cl.pools[0].digits}-vmss-nic`;
      this.meter(b, cl.region, 'Networking', 'Bandwidth', 'Inter-Region', 'Intra Continent Data Transfer Out', '1 GB', '0.02', 'Rtn Preference: MGN - Intra Continent Data Transfer Out', rng);
      b.c.ResourceName = nic;
      b.c.ResourceId = `${base}/networkInterfaces/${nic}`;
      b.qty = `${rng.int(0, 50)}.${rng.digits(10)}`;
    } else {
      const vnet = `aks-vnet-${cl.pools[0].digits}`;
      this.meter(b, cl.region, 'Networking', 'Virtual Network', 'Peering', 'Intra-Region Ingress', '1 GB', '0.01', `Virtual Network Peering - Intra-Region Ingress`, rng);
      b.c.ResourceName = vnet;
      b.c.ResourceId = `${base}/virtualNetworks/${vnet}`;
      b.qty = `${rng.int(0, 80)}.${rng.digits(8)}`;
    }
    b.c.ConsumedService = 'Microsoft.Network';
    b.tags = this.aksTags(cl, cl.pools[0].name, cl.pools[0].digits, rng).filter(([k]) => !k.startsWith('aks-managed-creation'));
    return b;
  }

  private storage(day: string, i: number, rng: Rng): BaseRow {
    const subIdx = rng.int(0, SUBSCRIPTIONS.length - 1);
    const sub = SUBSCRIPTIONS[subIdx];
    const b = this.common(day, i, 'storage', sub);
    const rg = rng.pick(sub.rgs);
    const acct = `st${sub.name.toLowerCase().replace(/[^a-z]/g, '').slice(0, 12)}${(hash32('st', sub.guid, rg) % 90) + 10}`;
    const v = rng.int(0, 2);
    if (v === 0) {
      // Tiny GB-month fractions: costs with up to 28 decimals, as in real files.
      this.meter(b, sub.region, 'Storage', 'Storage', 'Tiered Block Blob', 'Hot LRS Data Stored', '1 GB/Month', '0.0184', `Tiered Block Blob - Hot LRS - Data Stored - ${REGIONS[sub.region].meterRegion}`, rng);
      b.qty = `0.${'0'.repeat(rng.int(2, 8))}${rng.digits(14)}`;
    } else if (v === 1) {
      this.meter(b, sub.region, 'Storage', 'Storage', 'General Block Blob v2', 'LRS Write Operations', '10K', '0.055', `General Block Blob v2 - LRS - Write Operations - ${REGIONS[sub.region].meterRegion}`, rng);
      b.qty = `${rng.int(0, 40)}.${rng.digits(4)}`;
    } else {
      this.meter(b, sub.region, 'Storage', 'Storage', 'Files v2', 'Hot LRS Data Stored', '1 GB/Month', '0.0255', `Files v2 - Hot LRS - Data Stored - ${REGIONS[sub.region].meterRegion}`, rng);
      b.qty = `${rng.int(0, 9)}.${rng.digits(16)}`;
    }
    b.c.ConsumedService = 'Microsoft.Storage';
    b.c.ResourceGroup = rg;
    b.c.ResourceName = acct;
    b.c.ResourceId = `/subscriptions/${sub.guid}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${acct}`;
    b.tags = rng.chance(0.85) ? [...SUB_TAGS[subIdx]] : [];
    return b;
  }

  private logs(day: string, i: number, rng: Rng): BaseRow {
    const sub = SUBSCRIPTIONS[5];
    const b = this.common(day, i, 'logs', sub);
    const ws = rng.pick(['law-shared-neu', 'law-security-neu']);
    this.meter(b, sub.region, 'Management and Governance', 'Log Analytics', '', 'Analytics Logs Data Ingestion', '1 GB', '2.3', 'Log Analytics - Analytics Logs - Data Ingestion', rng);
    b.c.ConsumedService = 'Microsoft.OperationalInsights';
    b.c.ResourceGroup = 'rg-logs';
    b.c.ResourceName = ws;
    b.c.ResourceId = `/subscriptions/${sub.guid}/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/${ws}`;
    b.tags = [...SUB_TAGS[5]];
    b.qty = `${rng.int(0, 40)}.${rng.digits(9)}`;
    return b;
  }

  private sql(day: string, i: number, rng: Rng): BaseRow {
    const subIdx = rng.pick([2, 6, 0]);
    const sub = SUBSCRIPTIONS[subIdx];
    const b = this.common(day, i, 'sql', sub);
    const rg = subIdx === 6 ? 'rg-sql-legacy' : sub.rgs[0];
    const server = `sql-${sub.name.toLowerCase().replace(/[^a-z]+/g, '-')}`;
    const vcores = rng.pick([2, 4, 8]);
    b.c.ConsumedService = 'Microsoft.Sql';
    b.c.ResourceGroup = rg;
    b.c.ResourceName = server;
    if (rng.chance(0.8)) {
      this.meter(b, sub.region, 'Databases', 'SQL Database', 'General Purpose - Compute Gen5', 'vCore', '1 Hour', '0.2522', 'SQL Database Single/Elastic Pool General Purpose - Compute Gen5 - vCore', rng);
      b.c.ResourceId = `/subscriptions/${sub.guid}/resourceGroups/${rg}/providers/Microsoft.Sql/servers/${server}/databases/app`;
      b.c.AdditionalInfo = JSON.stringify({vCores: vcores});
      b.qty = String(24 * vcores);
    } else {
      // Azure Hybrid Benefit: a zero-cost license row, as in real files.
      this.meter(b, sub.region, 'Databases', 'SQL Managed Instance', 'Managed Instance General Purpose - SQL License', 'vCore', '1 Hour', '0', 'SQL Managed Instance General Purpose - SQL License - Azure Hybrid Benefit', rng);
      b.c.ResourceId = `/subscriptions/${sub.guid.toUpperCase()}/resourceGroups/${rg}/providers/Microsoft.Sql/managedInstances/${server}-mi`;
      b.c.AdditionalInfo = JSON.stringify({AHB: 'True', vCores: vcores});
      b.qty = String(vcores);
    }
    b.tags = [...SUB_TAGS[subIdx]];
    return b;
  }

  private marketplace(day: string, i: number, rng: Rng, refund: boolean): BaseRow {
    const mp = rng.pick(MARKETPLACE);
    const sub = SUBSCRIPTIONS[mp.sub];
    const b = this.common(day, i, refund ? 'marketplace-refund' : 'marketplace', sub);
    this.meter(b, '', 'Management and Governance', mp.meterCategory, '', mp.meter, '1 Hour', mp.price, mp.product, rng);
    b.c.ResourceLocation = sub.region;
    b.c.ResourceLocationNormalized = sub.region;
    b.c.PartNumber = '';
    b.c.PublisherType = 'Marketplace';
    b.c.PublisherName = mp.publisher;
    b.c.PlanName = mp.plan;
    b.c.IsAzureCreditEligible = 'False';
    b.c.ConsumedService = mp.meterCategory === 'SaaS' ? 'Microsoft.SaaS' : 'Microsoft.Compute';
    b.c.ResourceGroup = mp.rg;
    b.c.ResourceName = mp.resource;
    b.c.ResourceId = mp.meterCategory === 'SaaS'
      ? `/subscriptions/${sub.guid}/resourceGroups/${mp.rg}/providers/Microsoft.SaaS/resources/${mp.resource}`
      : `/subscriptions/${sub.guid}/resourceGroups/${mp.rg}/providers/Microsoft.Compute/virtualMachines/${mp.resource}`;
    b.tags = [...SUB_TAGS[mp.sub]];
    b.qty = hours(rng);
    if (refund) {
      b.c.ChargeType = 'Refund';
      b.c.Frequency = 'OneTime';
      b.qty = String(rng.int(24, 240));
      b.negative = true;
    }
    return b;
  }

  private purchase(day: string, i: number, rng: Rng, refund: boolean): BaseRow {
    const res = rng.pick(RESERVATIONS);
    const sub = SUBSCRIPTIONS[res.sub];
    const size = VM_SIZES[res.size];
    const b = this.common(day, i, refund ? 'reservation-refund' : 'purchase', sub);
    const oneTime = rng.chance(0.4);
    const price = oneTime ? res.upfront : res.monthly;
    this.meter(b, res.region, 'Compute', 'Virtual Machines', size.family, size.meter, '1 Hour', price, `Virtual Machines ${size.family} - ${size.meter} - ${REGIONS[res.region].meterRegion}`, rng);
    b.c.PayGPrice = '0';
    b.c.ConsumedService = 'Microsoft.Capacity';
    b.c.ResourceId = `/providers/Microsoft.Capacity/reservationOrders/${res.orderId}/reservations/`;
    b.c.ResourceLocation = res.region;
    b.c.ReservationId = res.orderId;
    b.c.ReservationName = res.name;
    b.c.ProductOrderId = res.orderId;
    b.c.ProductOrderName = reservationProduct(res);
    b.c.Term = String(res.termMonths);
    b.c.ChargeType = refund ? 'Refund' : 'Purchase';
    b.c.Frequency = refund || oneTime ? 'OneTime' : 'Recurring';
    b.c.PricingModel = 'Reservation';
    b.c.benefitId = benefitId(res);
    b.c.benefitName = res.name;
    b.qty = '1';
    b.negative = refund;
    // Purchases are not part of AmortizedCost; their cost is spread over covered usage.
    b.actualOnly = true;
    return b;
  }
}

function reservationProduct(res: Reservation): string {
  const size = VM_SIZES[res.size];
  const years = res.termMonths / 12;
  return `Reserved VM Instance, ${size.arm}, ${REGIONS[res.region].meterRegion}, ${years} Year${years > 1 ? 's' : ''}`;
}

function benefitId(res: Reservation): string {
  return `/providers/Microsoft.Capacity/reservationOrders/${res.orderId}/reservations/${res.id}`;
}

function hours(rng: Rng): string {
  const v = rng.next();
  if (v < 0.65) return '24';
  if (v < 0.85) return String(rng.int(1, 23));
  return `${rng.int(0, 23)}.${rng.digits(rng.int(1, 6))}`;
}

/** One day's share of a monthly meter: 1/daysInMonth, truncated like real files. */
function monthFraction(day: string, rng: Rng): string {
  let days = DAYS_IN_MONTH.get(day);
  if (days === undefined) DAYS_IN_MONTH.set(day, (days = +monthEnd(day).slice(8, 10)));
  const digits = rng.pick([6, 10, 15]);
  const scaled = (10n ** BigInt(digits)) / BigInt(days);
  return '0.' + scaled.toString().padStart(digits, '0');
}

function otherQty(q: string, rng: Rng): string {
  let n = q;
  while (n === q) n = `${rng.int(0, 23)}.${rng.digits(3)}`;
  return n;
}

// ------------------------------------------------------------------------ ground truth ------

export interface DayTruth {
  /** Rows the connector must emit for this day (usable date). */
  rows: number;
  /** Rows generated for this day whose Date text is unusable (in the file, but belong to no day). */
  unusableDateRows: number;
  /** Emittable rows whose Tags text is malformed JSON. */
  malformedTagsRows: number;
  /** Emittable rows that repeat another row of the day except for quantity/cost. */
  duplicateRows: number;
  /** Exact sum of CostInBillingCurrency of the emittable rows. */
  cost: string;
  /** The same, rounded half away from zero to integer cents. */
  costCents: string;
}

export interface Truth {
  metric: Metric;
  start: string;
  end: string;
  days: Record<string, DayTruth>;
  rows: number;
  unusableDateRows: number;
  /** Exact cost of rows with an unusable date (not part of any day). */
  unusableDateCost: string;
  cost: string;
  costCents: string;
}

const DAY_TRUTH_CACHE = new WeakMap<Enrollment, Map<string, DayTruth & {costUnits: bigint; badUnits: bigint}>>();

function dayTruth(e: Enrollment, metric: Metric, day: string): DayTruth & {costUnits: bigint; badUnits: bigint} {
  let cache = DAY_TRUTH_CACHE.get(e);
  if (!cache) DAY_TRUTH_CACHE.set(e, (cache = new Map()));
  const key = metric + day;
  const hit = cache.get(key);
  if (hit) return hit;
  let rows = 0, bad = 0, malformed = 0, dups = 0, sum = 0n, badSum = 0n;
  for (const r of e.dayRows(day, metric)) {
    const v = parseDec(r.c.CostInBillingCurrency);
    if (r.badDate !== undefined) {
      bad++;
      badSum += v;
      continue;
    }
    rows++;
    sum += v;
    if (r.tagsRaw !== undefined) malformed++;
    if (r.dupOf !== undefined) dups++;
  }
  const t = {rows, unusableDateRows: bad, malformedTagsRows: malformed, duplicateRows: dups, cost: formatDec(sum), costCents: toCents(sum).toString(), costUnits: sum, badUnits: badSum};
  cache.set(key, t);
  return t;
}

/** Exact ground truth of what a correct connector emits for [start, end] (inclusive). */
export function computeTruth(opts: EnrollmentOptions | Enrollment, metric: Metric, start: string, end: string): Truth {
  const e = 'row' in opts ? opts : makeEnrollment(opts);
  const days: Record<string, DayTruth> = {};
  let rows = 0, bad = 0, sum = 0n, badSum = 0n;
  for (let d = start; d <= end; d = nextDay(d)) {
    const t = dayTruth(e, metric, d);
    const {costUnits, badUnits, ...pub} = t;
    days[d] = pub;
    rows += t.rows;
    bad += t.unusableDateRows;
    sum += costUnits;
    badSum += badUnits;
  }
  return {metric, start, end, days, rows, unusableDateRows: bad, unusableDateCost: formatDec(badSum), cost: formatDec(sum), costCents: toCents(sum).toString()};
}

function nextDay(d: string): string {
  return new Date(Date.parse(d + 'T00:00:00Z') + 86_400_000).toISOString().slice(0, 10);
}

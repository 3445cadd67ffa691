/**
 * Deterministic synthetic EA enrollment. Each (day, slot) row is generated from its own seeded
 * PRNG, so any day (or any row) can be produced independently, in any order, without holding a
 * month in memory. Actual and amortized views are two transforms of the same underlying slot.
 * The agreement-neutral part of a row is in row-core.ts; here are the EA estate and columns.
 */
import {
  ACCOUNTS, AKS_CLUSTERS, AksCluster, DEPARTMENTS, MARKETPLACE, REGIONS, RESERVATIONS,
  SUBSCRIPTIONS, Subscription, VMS,
} from './catalog';
import {blankCols, Cols} from './columns';
import {formatDec, mulDec, parseDec, toCents} from './decimal';
import {isDay} from './dates';
import {hash32, Rng, uuidFrom} from './prng';
import {
  ColumnLayout, columnNames, CoreRow, DEFAULT_MESS, DraftRow, hours, Metric, MessRates, monthFraction, padTo28, RowGenerator, signed, slotsWithUnused, storageAccountName, zeroed,
} from './row-core';

export {DEFAULT_MESS} from './row-core';
export type {Metric, MessRates} from './row-core';

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

export type UsageRow = CoreRow<Cols>;

type BaseRow = DraftRow<Cols>;

export interface Enrollment {
  readonly opts: Required<Omit<EnrollmentOptions, 'messRates'>> & {messRates: MessRates};
  /**
   * Number of row slots of a day in a metric: rowsPerDay usage slots (0 outside the enrollment
   * range or on an empty day), and in AmortizedCost after them one slot per reservation with
   * unused hours that day (row-core.ts unusedReservation), so ActualCost keeps its slots.
   */
  slotCount(day: string, metric: Metric): number;
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
  const usageSlots = (day: string) =>
    day < opts.startDate || day > opts.endDate || empty.has(day) ? 0 : opts.rowsPerDay;
  const gen = new EaGenerator(opts.seed, opts.enrollmentNumber, opts.messRates);
  const {slotCount, draft} = slotsWithUnused(gen, usageSlots, RESERVATIONS.length);
  const row = (day: string, slot: number, metric: Metric): UsageRow | null => {
    const b = draft(day, slot, metric);
    return b && gen.applyMetric(b, metric);
  };
  const e: Enrollment = {
    opts,
    slotCount,
    row,
    *dayRows(day, metric) {
      const n = slotCount(day, metric);
      for (let i = 0; i < n; i++) {
        const r = row(day, i, metric);
        if (r) yield r;
      }
    },
  };
  ENROLLMENT_CACHE.set(input, e);
  return e;
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

/** EA column names of the neutral columns (docs/design.md §1). */
const EA_LAYOUT: ColumnLayout<Cols> = {
  // PascalCase of the neutral name, but for these
  col: columnNames(blankCols(), (n) => n[0].toUpperCase() + n.slice(1), {
    billingCurrency: 'BillingCurrencyCode', partId: 'PartNumber', paygPrice: 'PayGPrice',
    locationNormalized: 'ResourceLocationNormalized', benefitId: 'benefitId', benefitName: 'benefitName',
  }),
  blank: blankCols,
  partId(key) {
    const h = hash32('part', key);
    return `A${String.fromCharCode(65 + (h % 8))}${String.fromCharCode(65 + ((h >>> 3) % 26))}-${String((h >>> 8) % 100000).padStart(5, '0')}`;
  },
  images: {windows: 'Windows Server 2019 Datacenter', linux: ['Canonical', 'AKSUbuntu-2204gen2containerd-202401.09.0', 'UbuntuServer 20.04-LTS']},
  specialChars(c) {
    c.ResourceName = `${c.ResourceName || 'legacy-app'}, "classic"\n(migrated)`;
  },
  malformedTags: MALFORMED_TAGS,
};

class EaGenerator extends RowGenerator<Cols, Kind, BaseRow> {
  constructor(seed: number, private readonly enrollment: string, mess: MessRates) {
    super(seed, mess, EA_LAYOUT, KINDS, KIND_WEIGHTS);
  }

  applyMetric(b: BaseRow, metric: Metric): UsageRow | null {
    const price = this.metricPrice(b, metric);
    if (price === null) return null;
    let cost = zeroed(mulDec(b.qty, price));
    if (cost !== '0' && b.padCost) cost = padTo28(cost);
    b.c.CostInBillingCurrency = signed(b, cost);
    return b;
  }

  private common(day: string, i: number, kind: string, sub: Subscription): BaseRow {
    const acct = ACCOUNTS[sub.account];
    const dept = DEPARTMENTS[acct.dept];
    const b = this.draft(day, i, kind, {
      billingAccountId: this.enrollment, billingAccountName: 'Contoso Sandbox Enrollment (synthetic)',
      billingProfileId: this.enrollment, billingProfileName: 'Contoso Sandbox Enrollment (synthetic)',
      invoiceSectionId: dept.id, invoiceSectionName: dept.name, costCenter: sub.costCenter,
      subscriptionId: sub.guid, subscriptionName: sub.name, billingCurrency: 'USD', publisherType: 'Azure',
    });
    b.c.AccountName = acct.name;
    b.c.AccountId = acct.id;
    b.c.AccountOwnerId = acct.owner;
    b.c.OfferId = sub.offer;
    return b;
  }

  protected base(day: string, i: number, kind: Kind, rng: Rng): BaseRow {
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

  private vm(day: string, i: number, rng: Rng): BaseRow {
    const vm = rng.pick(VMS);
    const sub = SUBSCRIPTIONS[vm.sub];
    const b = this.common(day, i, 'vm', sub);
    this.vmMeter(b, sub.region, vm.size, vm.os, rng);
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
    const b = this.common(day, i, 'aks', sub);
    this.vmMeter(b, cl.region, pool.size, 'Linux', rng);
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
    const acct = storageAccountName('st', 12, sub, rg);
    this.storageMeter(b, sub.region, rng.int(0, 2), rng);
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
    b.c.PartNumber = '';
    b.c.PlanName = mp.plan;
    b.c.ConsumedService = mp.meterCategory === 'SaaS' ? 'Microsoft.SaaS' : 'Microsoft.Compute';
    b.c.ResourceGroup = mp.rg;
    b.c.ResourceName = mp.resource;
    b.c.ResourceId = mp.meterCategory === 'SaaS'
      ? `/subscriptions/${sub.guid}/resourceGroups/${mp.rg}/providers/Microsoft.SaaS/resources/${mp.resource}`
      : `/subscriptions/${sub.guid}/resourceGroups/${mp.rg}/providers/Microsoft.Compute/virtualMachines/${mp.resource}`;
    b.tags = [...SUB_TAGS[mp.sub]];
    this.marketplaceCols(b, sub.region, mp.publisher, refund, rng);
    return b;
  }

  protected unusedBase(day: string, slot: number, k: number, rng: Rng): BaseRow {
    const res = RESERVATIONS[k];
    const b = this.common(day, slot, 'unused-reservation', SUBSCRIPTIONS[res.sub]);
    this.unusedReservation(b, res, rng);
    return b;
  }

  private purchase(day: string, i: number, rng: Rng, refund: boolean): BaseRow {
    const res = rng.pick(RESERVATIONS);
    const sub = SUBSCRIPTIONS[res.sub];
    const b = this.common(day, i, refund ? 'reservation-refund' : 'purchase', sub);
    const oneTime = rng.chance(0.4);
    const price = oneTime ? res.upfront : res.monthly;
    this.vmMeter(b, res.region, res.size, 'Linux', rng, price);
    // EA writes the order id as ReservationId of a purchase, and no reservation in ResourceId.
    this.reservationCharge(b, res, res.orderId, refund, oneTime);
    b.c.ResourceId = `/providers/Microsoft.Capacity/reservationOrders/${res.orderId}/reservations/`;
    b.c.ResourceLocation = res.region;
    return b;
  }
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

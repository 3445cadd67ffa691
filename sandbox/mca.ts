/**
 * Deterministic synthetic MCA billing account, beside the EA enrollment. Rows come from their own
 * seeded stream (hash32(seed, 'mca', ...)), so adding MCA never changes a byte of the EA data.
 * Like the enrollment, each (day, slot) row is generated independently; actual and amortized are
 * two transforms of one slot. Amounts: prices are in the pricing currency (USD); a profile billed
 * in EUR converts with a monthly exchange rate, so costInBillingCurrency = costInPricingCurrency x
 * exchangeRatePricingToBilling exactly (truncated to 28 decimals), costInUsd = costInPricingCurrency.
 * The agreement-neutral part of a row is in row-core.ts; here are the MCA estate and columns.
 */
import {REGIONS} from './catalog';
import {isDay} from './dates';
import {mulDec} from './decimal';
import {blankMcaCols, McaCols} from './mca-columns';
import {
  DEFAULT_MCA_ACCOUNT_ID, MCA_ACCOUNT_RE, MCA_AKS_CLUSTERS, MCA_MARKETPLACE, MCA_PROFILES, MCA_RESERVATIONS, MCA_SECTIONS,
  MCA_SUBSCRIPTIONS, MCA_VMS, McaAksCluster, McaSubscription,
} from './mca-catalog';
import {hash32, Rng, uuidFrom} from './prng';
import {
  ColumnLayout, columnNames, CoreRow, DEFAULT_MESS, DraftRow, hours, Metric, MessRates, monthFraction, padTo28, RowGenerator, signed, slotsWithUnused, storageAccountName, zeroed,
} from './row-core';

export interface McaAccountOptions {
  /** The sandbox seed; MCA rows use a stream derived from it. */
  seed: number;
  billingAccountId?: string;
  startDate: string;
  /** Inclusive. */
  endDate: string;
  rowsPerDay: number;
  emptyDays?: string[];
  /** Months before today's month have an invoice id; today's month is open (invoiceId empty). */
  today: string;
  messRates?: Partial<MessRates>;
}

/** Columns: date, tags, billing/service periods and exchangeRateDate are filled by the renderer. */
export interface McaRow extends CoreRow<McaCols> {
  /** Index into MCA_SUBSCRIPTIONS. */
  sub: number;
}

interface BaseRow extends McaRow, DraftRow<McaCols> {}

export interface McaAccount {
  readonly agreement: 'MCA';
  readonly opts: Required<Omit<McaAccountOptions, 'messRates'>> & {messRates: MessRates};
  /** The seed of the MCA stream (also used for CSV styles, chunking and BOMs). */
  readonly streamSeed: number;
  /** Usage slots of a day, and in AmortizedCost one more per reservation with unused hours (as the enrollment's). */
  slotCount(day: string, metric: Metric): number;
  row(day: string, slot: number, metric: Metric): McaRow | null;
  /** Exchange rate pricing (USD) -> billing currency of a profile in a month. */
  exchangeRate(profile: number, month: string): string;
}

export function makeMcaAccount(input: McaAccountOptions): McaAccount {
  for (const k of ['startDate', 'endDate', 'today'] as const) {
    if (!isDay(input[k])) throw new Error(`MCA ${k} must be YYYY-MM-DD, got ${input[k]}`);
  }
  const id = input.billingAccountId ?? DEFAULT_MCA_ACCOUNT_ID;
  if (!MCA_ACCOUNT_RE.test(id)) throw new Error(`MCA billing account id must look like {guid}:{guid}_{yyyy-MM-dd}, got ${id}`);
  const opts = {
    seed: input.seed >>> 0,
    billingAccountId: id,
    startDate: input.startDate,
    endDate: input.endDate,
    rowsPerDay: Math.max(0, Math.floor(input.rowsPerDay)),
    emptyDays: [...(input.emptyDays ?? [])],
    today: input.today,
    messRates: {...DEFAULT_MESS, ...(input.messRates ?? {})},
  };
  const streamSeed = hash32(opts.seed, 'mca');
  const empty = new Set(opts.emptyDays);
  const usageSlots = (day: string) =>
    day < opts.startDate || day > opts.endDate || empty.has(day) ? 0 : opts.rowsPerDay;
  const rates = new Map<string, string>();
  const exchangeRate = (profile: number, month: string): string => {
    if (MCA_PROFILES[profile].currency === 'USD') return '1';
    let r = rates.get(month);
    if (!r) {
      // EUR per USD between 0.88 and 0.95, six decimals, one rate per month
      r = `0.${String(880000 + (hash32(streamSeed, 'fx', month) % 70000)).padStart(6, '0')}`;
      rates.set(month, r);
    }
    return r;
  };
  const gen = new McaGenerator(streamSeed, id, opts.today, opts.messRates, exchangeRate);
  const {slotCount, draft} = slotsWithUnused(gen, usageSlots, MCA_RESERVATIONS.length);
  return {
    agreement: 'MCA',
    opts,
    streamSeed,
    slotCount,
    exchangeRate,
    row(day, slot, metric) {
      const b = draft(day, slot, metric);
      return b && gen.applyMetric(b, metric);
    },
  };
}

const MALFORMED_TAGS = ['"env": "prod","team": "pay', '"env": prod,"team": "payments"', '{"env": "prod", "team": "data"', '"env" "dev"'];

type Kind = 'vm' | 'aks' | 'disk' | 'storage' | 'network' | 'sql' | 'marketplace' | 'purchase' | 'refund';
const KINDS: Kind[] = ['vm', 'aks', 'disk', 'storage', 'network', 'sql', 'marketplace', 'purchase', 'refund'];
const KIND_WEIGHTS = [22, 22, 12, 14, 10, 10, 5, 0.6, 0.4];

const PRODUCT_ID_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

/** MCA column names of the neutral columns (dataset 2023-12-01-preview). */
const MCA_LAYOUT: ColumnLayout<McaCols> = {
  // the neutral name itself, but for these
  col: columnNames(blankMcaCols(), (n) => n, {
    subscriptionId: 'SubscriptionId', productName: 'ProductName', partId: 'ProductId', paygPrice: 'PayGPrice',
    locationNormalized: 'location',
  }),
  blank: blankMcaCols,
  partId(key) {
    const h = new Rng(hash32('mca-product', key));
    let pid = 'DZH3';
    for (let k = 0; k < 8; k++) pid += PRODUCT_ID_CHARS[h.int(0, PRODUCT_ID_CHARS.length - 1)];
    return pid;
  },
  images: {windows: 'Windows Server 2022 Datacenter', linux: ['Canonical', 'AKSUbuntu-2204gen2containerd-202405.03.0', 'UbuntuServer 22.04-LTS']},
  specialChars(c) {
    c.serviceInfo1 = `legacy-app, "classic"\n(migrated)`;
  },
  malformedTags: MALFORMED_TAGS,
};

class McaGenerator extends RowGenerator<McaCols, Kind, BaseRow> {
  constructor(
    seed: number,
    private readonly accountId: string,
    private readonly today: string,
    mess: MessRates,
    private readonly rate: (profile: number, month: string) => string,
  ) {
    super(seed, mess, MCA_LAYOUT, KINDS, KIND_WEIGHTS);
  }

  applyMetric(b: BaseRow, metric: Metric): McaRow | null {
    const price = this.metricPrice(b, metric);
    if (price === null) return null;
    const c = b.c;
    const profile = MCA_SECTIONS[MCA_SUBSCRIPTIONS[b.sub].section].profile;
    const rate = this.rate(profile, b.day.slice(0, 7));
    c.exchangeRatePricingToBilling = rate;
    const sign = (s: string) => signed(b, s);
    const usd = zeroed(mulDec(b.qty, price));
    const billing = zeroed(trunc28(mulDec(usd, rate)));
    const paygUsd = zeroed(mulDec(b.qty, b.payg));
    c.costInPricingCurrency = sign(usd);
    c.costInUsd = sign(usd);
    c.costInBillingCurrency = sign(b.padCost && billing !== '0' ? padTo28(billing) : billing);
    c.paygCostInUsd = sign(paygUsd);
    c.paygCostInBillingCurrency = sign(zeroed(trunc28(mulDec(paygUsd, rate))));
    return b;
  }

  private invoiceOf(profile: number, month: string): string {
    if (month >= this.today.slice(0, 7)) return '';
    return `G0${String(hash32('invoice', MCA_PROFILES[profile].id, month) % 100_000_000).padStart(8, '0')}`;
  }

  private common(day: string, i: number, kind: string, subIdx: number): BaseRow {
    const sub = MCA_SUBSCRIPTIONS[subIdx];
    const section = MCA_SECTIONS[sub.section];
    const profile = MCA_PROFILES[section.profile];
    const b = this.draft(day, i, kind, {
      billingAccountId: this.accountId, billingAccountName: 'Contoso Sandbox MCA (synthetic)',
      billingProfileId: profile.id, billingProfileName: profile.name, invoiceSectionId: section.id,
      invoiceSectionName: section.name, costCenter: sub.costCenter, subscriptionId: sub.guid,
      subscriptionName: sub.name, billingCurrency: profile.currency, publisherType: 'Microsoft',
    }) as BaseRow;
    b.sub = subIdx;
    const c = b.c;
    c.invoiceId = this.invoiceOf(section.profile, day.slice(0, 7));
    c.productOrderId = profile.azurePlanId;
    c.productOrderName = 'Azure plan';
    c.pricingCurrency = 'USD';
    c.provider = 'Azure';
    return b;
  }

  protected base(day: string, i: number, kind: Kind, rng: Rng): BaseRow {
    switch (kind) {
      case 'vm': return this.vm(day, i, rng);
      case 'aks': return this.aks(day, i, rng);
      case 'disk': return this.disk(day, i, rng);
      case 'storage': return this.storage(day, i, rng);
      case 'network': return this.network(day, i, rng);
      case 'sql': return this.sql(day, i, rng);
      case 'marketplace': return this.marketplace(day, i, rng, false);
      case 'purchase': return this.purchase(day, i, rng, false);
      case 'refund': return rng.chance(0.5) ? this.purchase(day, i, rng, true) : this.marketplace(day, i, rng, true);
    }
  }

  private resource(b: BaseRow, sub: McaSubscription, rg: string, provider: string, name: string, rng: Rng): void {
    b.c.resourceGroupName = rg;
    b.c.ResourceId = `/subscriptions/${sub.guid}/resourceGroups/${rg}/providers/${provider}/${name}`;
    if (rng.chance(0.05)) b.c.ResourceId = b.c.ResourceId.toUpperCase();
  }

  private vm(day: string, i: number, rng: Rng): BaseRow {
    const vm = rng.pick(MCA_VMS);
    const sub = MCA_SUBSCRIPTIONS[vm.sub];
    const b = this.common(day, i, 'vm', vm.sub);
    this.vmMeter(b, sub.region, vm.size, vm.os, rng);
    b.c.consumedService = 'Microsoft.Compute';
    this.resource(b, sub, vm.rg, 'Microsoft.Compute/virtualMachines', vm.name, rng);
    if (vm.os === 'Windows') b.c.serviceInfo2 = rng.pick(['', 'Windows Server BYOL']);
    this.vmInfo(b, vm.size, vm.os, vm.name, rng, false);
    b.tags = [...vm.tags];
    b.qty = hours(rng);
    if (vm.reservation !== undefined && rng.chance(0.7)) this.cover(b, MCA_RESERVATIONS[vm.reservation]);
    return b;
  }

  private aksTags(cl: McaAksCluster, pool: string, digits: string): Array<[string, string]> {
    return [['aks-managed-cluster-name', cl.name], ['aks-managed-cluster-rg', cl.rg], ['aks-managed-poolName', pool],
      ['aks-managed-createOperationID', ''], ['aks-managed-orchestrator', 'Kubernetes:1.30.3'],
      ['aks-managed-resourceNameSuffix', digits], ['env', cl.env], ['team', cl.team]];
  }

  private aks(day: string, i: number, rng: Rng): BaseRow {
    const cl = rng.pick(MCA_AKS_CLUSTERS);
    const pool = rng.pick(cl.pools);
    const sub = MCA_SUBSCRIPTIONS[cl.sub];
    const b = this.common(day, i, 'aks', cl.sub);
    this.vmMeter(b, cl.region, pool.size, 'Linux', rng);
    const vmss = `aks-${pool.name}-${pool.digits}-vmss`;
    b.c.consumedService = 'Microsoft.Compute';
    this.resource(b, sub, this.nodeRg(cl, rng), 'Microsoft.Compute/virtualMachineScaleSets', vmss, rng);
    b.c.serviceInfo2 = 'Canonical';
    this.vmInfo(b, pool.size, 'Linux', `${vmss}_${rng.int(0, 5)}`, rng, true);
    b.tags = this.aksTags(cl, pool.name, pool.digits);
    b.qty = hours(rng);
    return b;
  }

  private disk(day: string, i: number, rng: Rng): BaseRow {
    const [tier, meter, price] = rng.pick([
      ['Premium SSD Managed Disks', 'P10 LRS Disk', '19.71'],
      ['Standard SSD Managed Disks', 'E10 LRS Disk', '7.68'],
    ] as const);
    const perMonth = monthFraction(day, rng);
    const cl = rng.pick(MCA_AKS_CLUSTERS);
    const sub = MCA_SUBSCRIPTIONS[cl.sub];
    const b = this.common(day, i, 'disk', cl.sub);
    this.meter(b, cl.region, 'Storage', 'Storage', tier, meter, '1/Month', price, `${tier} - ${meter.replace(' Disk', '')} - ${REGIONS[cl.region].meterRegion}`, rng);
    const pv = `pvc-${uuidFrom('mca-pv', cl.name, rng.int(0, 7))}`;
    b.c.consumedService = 'Microsoft.Compute';
    this.resource(b, sub, this.nodeRg(cl, rng), 'Microsoft.Compute/disks', pv, rng);
    b.tags = [['k8s-azure-created-by', 'kubernetes-azure-dd'], ['kubernetes.io-created-for-pv-name', pv], ['aks-managed-cluster-name', cl.name], ['aks-managed-cluster-rg', cl.rg]];
    b.qty = perMonth;
    return b;
  }

  private storage(day: string, i: number, rng: Rng): BaseRow {
    const subIdx = rng.int(0, MCA_SUBSCRIPTIONS.length - 1);
    const sub = MCA_SUBSCRIPTIONS[subIdx];
    const b = this.common(day, i, 'storage', subIdx);
    const rg = rng.pick(sub.rgs);
    const acct = storageAccountName('stmca', 10, sub, rg);
    // MCA has no file shares: hot blob data or write operations
    this.storageMeter(b, sub.region, rng.chance(0.5) ? 0 : 1, rng);
    b.c.consumedService = 'Microsoft.Storage';
    this.resource(b, sub, rg, 'Microsoft.Storage/storageAccounts', acct, rng);
    b.tags = rng.chance(0.8) ? [['env', sub.costCenter ? 'prod' : 'shared'], ['team', sub.name.split(' ')[0].toLowerCase()]] : [];
    return b;
  }

  private network(day: string, i: number, rng: Rng): BaseRow {
    const subIdx = rng.pick([0, 3, 3, 4]);
    const sub = MCA_SUBSCRIPTIONS[subIdx];
    const b = this.common(day, i, 'network', subIdx);
    const rg = sub.rgs[0];
    if (rng.chance(0.5)) {
      this.meter(b, sub.region, 'Networking', 'Virtual Network', 'IP Addresses', 'Standard IPv4 Static Public IP', '1 Hour', '0.005', 'IP Addresses - Standard IPv4 Static Public IP', rng);
      this.resource(b, sub, rg, 'Microsoft.Network/publicIPAddresses', `pip-${sub.name.split(' ')[0].toLowerCase()}-01`, rng);
      b.qty = hours(rng);
    } else {
      this.meter(b, sub.region, 'Networking', 'Bandwidth', 'Inter-Region', 'Intra Continent Data Transfer Out', '1 GB', '0.02', 'Rtn Preference: MGN - Intra Continent Data Transfer Out', rng);
      this.resource(b, sub, rg, 'Microsoft.Network/virtualNetworkGateways', 'vgw-hub', rng);
      b.qty = `${rng.int(0, 50)}.${rng.digits(10)}`;
    }
    b.c.consumedService = 'Microsoft.Network';
    b.tags = [['env', 'prod'], ['team', 'platform']];
    return b;
  }

  private sql(day: string, i: number, rng: Rng): BaseRow {
    const subIdx = rng.pick([2, 4]);
    const sub = MCA_SUBSCRIPTIONS[subIdx];
    const b = this.common(day, i, 'sql', subIdx);
    const rg = sub.rgs[0];
    const server = `sql-${sub.name.toLowerCase().replace(/[^a-z]+/g, '-').replace(/-+$/, '')}`;
    const vcores = rng.pick([2, 4, 8]);
    this.meter(b, sub.region, 'Databases', 'SQL Database', 'General Purpose - Compute Gen5', 'vCore', '1 Hour', '0.2522', 'SQL Database Single/Elastic Pool General Purpose - Compute Gen5 - vCore', rng);
    b.c.consumedService = 'Microsoft.Sql';
    this.resource(b, sub, rg, 'Microsoft.Sql/servers', `${server}/databases/app`, rng);
    b.c.additionalInfo = JSON.stringify(rng.chance(0.5) ? {vCores: vcores} : {VCores: vcores});
    b.tags = [['env', 'prod'], ['team', subIdx === 2 ? 'data' : 'corp-it']];
    b.qty = String(24 * vcores);
    return b;
  }

  private marketplace(day: string, i: number, rng: Rng, refund: boolean): BaseRow {
    const mp = rng.pick(MCA_MARKETPLACE);
    const sub = MCA_SUBSCRIPTIONS[mp.sub];
    const b = this.common(day, i, refund ? 'marketplace-refund' : 'marketplace', mp.sub);
    this.meter(b, '', 'Management and Governance', 'SaaS', '', mp.meter, '1 Hour', mp.price, mp.product, rng);
    b.c.publisherId = mp.publisherId;
    b.c.productOrderName = mp.product;
    b.c.productOrderId = uuidFrom('mca-mp-order', mp.publisherId);
    b.c.consumedService = 'Microsoft.SaaS';
    this.resource(b, sub, mp.rg, 'Microsoft.SaaS/resources', mp.resource, rng);
    b.tags = [['env', 'prod'], ['team', 'platform']];
    this.marketplaceCols(b, sub.region, mp.publisher, refund, rng);
    if (refund) b.c.previousInvoiceId = this.invoiceOf(MCA_SECTIONS[sub.section].profile, prevMonth(day.slice(0, 7)));
    return b;
  }

  protected unusedBase(day: string, slot: number, k: number, rng: Rng): BaseRow {
    const res = MCA_RESERVATIONS[k];
    const b = this.common(day, slot, 'unused-reservation', res.sub);
    this.unusedReservation(b, res, rng);
    return b;
  }

  private purchase(day: string, i: number, rng: Rng, refund: boolean): BaseRow {
    const res = rng.pick(MCA_RESERVATIONS);
    const b = this.common(day, i, refund ? 'reservation-refund' : 'purchase', res.sub);
    this.vmMeter(b, res.region, res.size, 'Linux', rng, res.monthly);
    // MCA reservations are billed monthly: no one-time purchase.
    this.reservationCharge(b, res, res.id, refund, false);
    b.c.ResourceId = `/providers/Microsoft.Capacity/reservationOrders/${res.orderId}/reservations/${res.id}`;
    if (refund) b.c.previousInvoiceId = this.invoiceOf(MCA_SECTIONS[MCA_SUBSCRIPTIONS[res.sub].section].profile, prevMonth(day.slice(0, 7)));
    return b;
  }
}

function prevMonth(month: string): string {
  return new Date(Date.UTC(+month.slice(0, 4), +month.slice(5, 7) - 2, 1)).toISOString().slice(0, 7);
}

/** Keep at most 28 decimals (the precision of real files), truncating. */
function trunc28(s: string): string {
  const dot = s.indexOf('.');
  return dot >= 0 && s.length - dot - 1 > 28 ? s.slice(0, dot + 29) : s;
}

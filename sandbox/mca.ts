/**
 * Deterministic synthetic MCA billing account, beside the EA enrollment. Rows come from their own
 * seeded stream (hash32(seed, 'mca', ...)), so adding MCA never changes a byte of the EA data.
 * Like the enrollment, each (day, slot) row is generated independently; actual and amortized are
 * two transforms of one slot. Amounts: prices are in the pricing currency (USD); a profile billed
 * in EUR converts with a monthly exchange rate, so costInBillingCurrency = costInPricingCurrency x
 * exchangeRatePricingToBilling exactly (truncated to 28 decimals), costInUsd = costInPricingCurrency.
 */
import {REGIONS, VM_SIZES} from './catalog';
import {isDay} from './dates';
import {mulDec} from './decimal';
import {DEFAULT_MESS, MessRates, Metric} from './enrollment';
import {blankMcaCols, McaCols} from './mca-columns';
import {
  DEFAULT_MCA_ACCOUNT_ID, MCA_ACCOUNT_RE, MCA_AKS_CLUSTERS, MCA_MARKETPLACE, MCA_PROFILES, MCA_RESERVATIONS, MCA_SECTIONS,
  MCA_SUBSCRIPTIONS, MCA_VMS, McaAksCluster, McaReservation, McaSubscription,
} from './mca-catalog';
import {hash32, hashUnit, Rng, uuidFrom} from './prng';

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

export interface McaRow {
  day: string;
  slot: number;
  badDate?: string;
  tags: Array<[string, string]>;
  tagsRaw?: string;
  tagsStyle: 'inner' | 'full';
  dupOf?: number;
  kind: string;
  /** Index into MCA_SUBSCRIPTIONS. */
  sub: number;
  /** All columns; date, tags, billing/service periods and exchangeRateDate are filled by the renderer. */
  c: McaCols;
}

interface BaseRow extends McaRow {
  qty: string;
  price: string;
  payg: string;
  negative: boolean;
  padCost: boolean;
  actualOnly: boolean;
  amort?: {rate: string; benefitId: string; benefitName: string};
}

export interface McaAccount {
  readonly agreement: 'MCA';
  readonly opts: Required<Omit<McaAccountOptions, 'messRates'>> & {messRates: MessRates};
  /** The seed of the MCA stream (also used for CSV styles, chunking and BOMs). */
  readonly streamSeed: number;
  slotCount(day: string): number;
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
  const slotCount = (day: string) =>
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
  return {
    agreement: 'MCA',
    opts,
    streamSeed,
    slotCount,
    exchangeRate,
    row(day, slot, metric) {
      if (slot < 0 || slot >= slotCount(day)) return null;
      return gen.applyMetric(gen.slot(day, slot), metric);
    },
  };
}

const MALFORMED_TAGS = ['"env": "prod","team": "pay', '"env": prod,"team": "payments"', '{"env": "prod", "team": "data"', '"env" "dev"'];

type Kind = 'vm' | 'aks' | 'disk' | 'storage' | 'network' | 'sql' | 'marketplace' | 'purchase' | 'refund';
const KINDS: Kind[] = ['vm', 'aks', 'disk', 'storage', 'network', 'sql', 'marketplace', 'purchase', 'refund'];
const KIND_WEIGHTS = [22, 22, 12, 14, 10, 10, 5, 0.6, 0.4];

const PRODUCT_IDS = new Map<string, [string, string]>();

class McaGenerator {
  constructor(
    private readonly seed: number,
    private readonly accountId: string,
    private readonly today: string,
    private readonly mess: MessRates,
    private readonly rate: (profile: number, month: string) => string,
  ) {}

  slot(day: string, i: number): BaseRow {
    if (i % 2 === 1 && hashUnit(this.seed, 'dup', day, i) < this.mess.duplicate) {
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

  applyMetric(b: BaseRow, metric: Metric): McaRow | null {
    let price = b.price;
    if (metric === 'amortized') {
      if (b.actualOnly) return null;
      if (b.amort) {
        price = b.amort.rate;
        b.c.benefitId = b.amort.benefitId;
        b.c.benefitName = b.amort.benefitName;
      }
    }
    const c = b.c;
    const profile = MCA_SECTIONS[MCA_SUBSCRIPTIONS[b.sub].section].profile;
    const rate = this.rate(profile, b.day.slice(0, 7));
    c.quantity = b.qty;
    c.effectivePrice = price;
    c.exchangeRatePricingToBilling = rate;
    const sign = (s: string) => (b.negative && s !== '0' ? '-' + s : s);
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

  private full(day: string, i: number): BaseRow {
    const rng = new Rng(hash32(this.seed, day, i));
    const kind = rng.weighted(KINDS, KIND_WEIGHTS);
    const b = this.base(day, i, kind, rng);
    const m = new Rng(hash32(this.seed, 'mess', day, i));
    if (m.chance(this.mess.badDate)) b.badDate = m.chance(0.5) ? '' : `13/45/${day.slice(0, 4)}`;
    if (m.chance(this.mess.malformedTags)) {
      if (b.tags.length === 0) b.tags = [['env', 'prod']];
      b.tagsRaw = m.pick(MALFORMED_TAGS);
    }
    if (m.chance(this.mess.specialChars)) {
      b.c.serviceInfo1 = `legacy-app, "classic"\n(migrated)`;
      b.tags = [...b.tags, ['description', 'Payments API, "v2" edition']];
    }
    b.tagsStyle = m.chance(0.1) ? 'full' : 'inner';
    if (m.chance(0.15)) b.padCost = true;
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
    const c = blankMcaCols();
    c.invoiceId = this.invoiceOf(section.profile, day.slice(0, 7));
    c.billingAccountId = this.accountId;
    c.billingAccountName = 'Contoso Sandbox MCA (synthetic)';
    c.billingProfileId = profile.id;
    c.billingProfileName = profile.name;
    c.invoiceSectionId = section.id;
    c.invoiceSectionName = section.name;
    c.costCenter = sub.costCenter;
    c.productOrderId = profile.azurePlanId;
    c.productOrderName = 'Azure plan';
    c.SubscriptionId = sub.guid;
    c.subscriptionName = sub.name;
    c.publisherType = 'Microsoft';
    c.publisherName = 'Microsoft';
    c.chargeType = 'Usage';
    c.frequency = 'UsageBased';
    c.pricingModel = 'OnDemand';
    c.billingCurrency = profile.currency;
    c.pricingCurrency = 'USD';
    c.isAzureCreditEligible = 'True';
    c.provider = 'Azure';
    return {day, slot: i, kind, sub: subIdx, tags: [], tagsStyle: 'inner', c, qty: '0', price: '0', payg: '0', negative: false, padCost: false, actualOnly: false};
  }

  private meter(b: BaseRow, region: string, family: string, category: string, subcat: string, name: string, unit: string, price: string, product: string, rng: Rng): void {
    const r = REGIONS[region];
    const c = b.c;
    c.serviceFamily = family;
    c.meterCategory = category;
    c.meterSubCategory = subcat;
    c.meterName = name;
    c.meterRegion = r ? r.meterRegion : '';
    c.unitOfMeasure = unit;
    c.ProductName = product;
    const key = `${category}|${subcat}|${name}|${region}`;
    let ids = PRODUCT_IDS.get(key);
    if (!ids) {
      const h = new Rng(hash32('mca-product', key));
      const alnum = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
      let pid = 'DZH3';
      for (let k = 0; k < 8; k++) pid += alnum[h.int(0, alnum.length - 1)];
      ids = [uuidFrom('meter', category, subcat, name, region), pid];
      PRODUCT_IDS.set(key, ids);
    }
    c.meterId = ids[0];
    c.ProductId = ids[1];
    c.unitPrice = price;
    c.PayGPrice = price;
    b.price = price;
    b.payg = price;
    if (r) {
      c.resourceLocation = rng.pick([r.name, r.display, r.name]);
      c.location = r.name;
    }
  }

  private base(day: string, i: number, kind: Kind, rng: Rng): BaseRow {
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

  private vmInfo(b: BaseRow, sizeKey: string, os: 'Windows' | 'Linux', vmName: string, rng: Rng, aks: boolean): void {
    const size = VM_SIZES[sizeKey];
    const info: Record<string, unknown> = {};
    if (aks) info.UsageType = 'ComputeHR';
    info.ImageType = os === 'Windows' ? 'Windows Server 2022 Datacenter' : rng.pick(['Canonical', 'AKSUbuntu-2204gen2containerd-202405.03.0', 'UbuntuServer 22.04-LTS']);
    info.ServiceType = size.arm;
    info[rng.chance(0.3) ? 'VmName' : 'VMName'] = vmName;
    if (aks) info.VMProperties = 'Microsoft.AKS.Compute.AKS.Linux.Billing';
    info.VCPUs = size.vcpus;
    if (!aks) info.UsageType = 'ComputeHR';
    b.c.additionalInfo = JSON.stringify(info);
    if (size.priority === 'spot') b.c.pricingModel = 'Spot';
  }

  private cover(b: BaseRow, res: McaReservation): void {
    b.c.pricingModel = 'Reservation';
    b.c.reservationId = res.id;
    b.c.reservationName = res.name;
    b.c.productOrderId = res.orderId;
    b.c.productOrderName = reservationProduct(res);
    b.c.term = String(res.termMonths);
    b.price = '0';
    b.amort = {rate: res.amortizedRate, benefitId: benefitId(res), benefitName: res.name};
  }

  private vm(day: string, i: number, rng: Rng): BaseRow {
    const vm = rng.pick(MCA_VMS);
    const sub = MCA_SUBSCRIPTIONS[vm.sub];
    const size = VM_SIZES[vm.size];
    const b = this.common(day, i, 'vm', vm.sub);
    const subcat = vm.os === 'Windows' ? `${size.family} Windows` : size.family;
    const price = vm.os === 'Windows' ? size.winPrice : size.price;
    this.meter(b, sub.region, 'Compute', 'Virtual Machines', subcat, size.meter, '1 Hour', price, `Virtual Machines ${subcat} - ${size.meter} - ${REGIONS[sub.region].meterRegion}`, rng);
    b.c.consumedService = 'Microsoft.Compute';
    this.resource(b, sub, vm.rg, 'Microsoft.Compute/virtualMachines', vm.name, rng);
    if (vm.os === 'Windows') b.c.serviceInfo2 = rng.pick(['', 'Windows Server BYOL']);
    this.vmInfo(b, vm.size, vm.os, vm.name, rng, false);
    b.tags = [...vm.tags];
    b.qty = hours(rng);
    if (vm.reservation !== undefined && rng.chance(0.7)) this.cover(b, MCA_RESERVATIONS[vm.reservation]);
    return b;
  }

  private nodeRg(cl: McaAksCluster, rng: Rng): string {
    const v = rng.next();
    return v < 0.5 ? cl.nodeRg : v < 0.85 ? cl.nodeRg.toUpperCase() : cl.nodeRg.toLowerCase();
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
    const size = VM_SIZES[pool.size];
    const b = this.common(day, i, 'aks', cl.sub);
    this.meter(b, cl.region, 'Compute', 'Virtual Machines', size.family, size.meter, '1 Hour', size.price, `Virtual Machines ${size.family} - ${size.meter} - ${REGIONS[cl.region].meterRegion}`, rng);
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
    const days = new Date(Date.UTC(+day.slice(0, 4), +day.slice(5, 7), 0)).getUTCDate();
    const digits = rng.pick([6, 10, 15]);
    const perMonth = '0.' + ((10n ** BigInt(digits)) / BigInt(days)).toString().padStart(digits, '0');
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
    const acct = `stmca${sub.name.toLowerCase().replace(/[^a-z]/g, '').slice(0, 10)}${(hash32('st', sub.guid, rg) % 90) + 10}`;
    if (rng.chance(0.5)) {
      // tiny GB-month fractions: long decimals, as in real files
      this.meter(b, sub.region, 'Storage', 'Storage', 'Tiered Block Blob', 'Hot LRS Data Stored', '1 GB/Month', '0.0184', `Tiered Block Blob - Hot LRS - Data Stored - ${REGIONS[sub.region].meterRegion}`, rng);
      b.qty = `0.${'0'.repeat(rng.int(2, 8))}${rng.digits(14)}`;
    } else {
      this.meter(b, sub.region, 'Storage', 'Storage', 'General Block Blob v2', 'LRS Write Operations', '10K', '0.055', `General Block Blob v2 - LRS - Write Operations - ${REGIONS[sub.region].meterRegion}`, rng);
      b.qty = `${rng.int(0, 40)}.${rng.digits(4)}`;
    }
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
    b.c.resourceLocation = sub.region;
    b.c.location = sub.region;
    b.c.publisherType = 'Marketplace';
    b.c.publisherName = mp.publisher;
    b.c.publisherId = mp.publisherId;
    b.c.productOrderName = mp.product;
    b.c.productOrderId = uuidFrom('mca-mp-order', mp.publisherId);
    b.c.isAzureCreditEligible = 'False';
    b.c.consumedService = 'Microsoft.SaaS';
    this.resource(b, sub, mp.rg, 'Microsoft.SaaS/resources', mp.resource, rng);
    b.tags = [['env', 'prod'], ['team', 'platform']];
    b.qty = hours(rng);
    if (refund) {
      b.c.chargeType = 'Refund';
      b.c.frequency = 'OneTime';
      b.qty = String(rng.int(24, 240));
      b.negative = true;
      b.c.previousInvoiceId = this.invoiceOf(MCA_SECTIONS[sub.section].profile, prevMonth(day.slice(0, 7)));
    }
    return b;
  }

  private purchase(day: string, i: number, rng: Rng, refund: boolean): BaseRow {
    const res = rng.pick(MCA_RESERVATIONS);
    const size = VM_SIZES[res.size];
    const b = this.common(day, i, refund ? 'reservation-refund' : 'purchase', res.sub);
    this.meter(b, res.region, 'Compute', 'Virtual Machines', size.family, size.meter, '1 Hour', res.monthly, `Virtual Machines ${size.family} - ${size.meter} - ${REGIONS[res.region].meterRegion}`, rng);
    b.payg = '0';
    b.c.PayGPrice = '0';
    b.c.consumedService = 'Microsoft.Capacity';
    b.c.ResourceId = `/providers/Microsoft.Capacity/reservationOrders/${res.orderId}/reservations/${res.id}`;
    b.c.reservationId = res.id;
    b.c.reservationName = res.name;
    b.c.productOrderId = res.orderId;
    b.c.productOrderName = reservationProduct(res);
    b.c.term = String(res.termMonths);
    b.c.chargeType = refund ? 'Refund' : 'Purchase';
    b.c.frequency = refund ? 'OneTime' : 'Recurring';
    b.c.pricingModel = 'Reservation';
    b.c.benefitId = benefitId(res);
    b.c.benefitName = res.name;
    b.qty = '1';
    b.negative = refund;
    if (refund) b.c.previousInvoiceId = this.invoiceOf(MCA_SECTIONS[MCA_SUBSCRIPTIONS[res.sub].section].profile, prevMonth(day.slice(0, 7)));
    b.actualOnly = true;
    return b;
  }
}

function reservationProduct(res: McaReservation): string {
  const size = VM_SIZES[res.size];
  const years = res.termMonths / 12;
  return `Reserved VM Instance, ${size.arm}, ${REGIONS[res.region].meterRegion}, ${years} Year${years > 1 ? 's' : ''}`;
}

function benefitId(res: McaReservation): string {
  return `/providers/Microsoft.Capacity/reservationOrders/${res.orderId}/reservations/${res.id}`;
}

function hours(rng: Rng): string {
  const v = rng.next();
  if (v < 0.65) return '24';
  if (v < 0.85) return String(rng.int(1, 23));
  return `${rng.int(0, 23)}.${rng.digits(rng.int(1, 6))}`;
}

function prevMonth(month: string): string {
  return new Date(Date.UTC(+month.slice(0, 4), +month.slice(5, 7) - 2, 1)).toISOString().slice(0, 7);
}

/** Exact zero of any scale as '0'. */
function zeroed(s: string): string {
  return /^-?0(\.0*)?$/.test(s) ? '0' : s;
}

/** Keep at most 28 decimals (the precision of real files), truncating. */
function trunc28(s: string): string {
  const dot = s.indexOf('.');
  return dot >= 0 && s.length - dot - 1 > 28 ? s.slice(0, dot + 29) : s;
}

function padTo28(s: string): string {
  const dot = s.indexOf('.');
  if (dot < 0) return s + '.' + '0'.repeat(28);
  return s + '0'.repeat(28 - (s.length - dot - 1));
}

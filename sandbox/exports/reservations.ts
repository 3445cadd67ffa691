/**
 * The price sheet and reservation datasets of an export, in the column sets of Microsoft's
 * dataset schema pages (price sheet 2023-05-01, reservation details 2023-03-01, reservation
 * transactions and recommendations 2023-05-01; EA and MCA). They come from the sandbox's own
 * estate and rows: the meters of the month's cost rows, the reservations that cover usage, the
 * purchases and refunds in ActualCost. MCA reservation recommendations carry JSON objects in
 * their cost cells (`{"value": …, "currency": …}`) and every recommendation a JSON array of SKU
 * properties.
 */
import {REGIONS, RESERVATIONS, VM_SIZES, VMS, SUBSCRIPTIONS} from '../catalog';
import {addDays, monthEnd} from '../dates';
import {formatDec, parseDec, SCALE} from '../decimal';
import {MCA_RESERVATIONS, MCA_SUBSCRIPTIONS, MCA_VMS} from '../mca-catalog';
import {hash32, uuidFrom} from '../prng';
import {ReservationLike} from '../row-core';
import {CostView} from './cost-view';
import {ColType, DECIMAL_SCALE, Table, TableRow} from './table';

const DEC: ColType = {decimal: DECIMAL_SCALE};
const UNIT = 10n ** BigInt(SCALE);

function mul(a: string, b: string): string {
  return formatDec((parseDec(a) * parseDec(b)) / UNIT);
}

function typed(header: readonly string[], decimals: readonly string[]): ColType[] {
  const d = new Set(decimals);
  return header.map((h) => (d.has(h) ? DEC : 'string'));
}

function table(header: readonly string[], decimals: readonly string[], sumNames: readonly string[], rows: () => Iterable<TableRow>): Table {
  return {header, types: typed(header, decimals), sumNames, rows};
}

function row(header: readonly string[], x: Record<string, string>, day: string | null, sums: bigint[] = []): TableRow {
  return {cells: header.map((h) => x[h] ?? ''), day, sums};
}

/** Views of the scope's rows of a day (slot order) or a range. */
export interface ScopeRows {
  agreement: 'EA' | 'MCA';
  /** Cost rows of one day in slot order. */
  day(day: string, metric: 'actual' | 'amortized'): Iterable<CostView>;
  /** Days of [start, end] that have rows. */
  daysWithData(start: string, end: string): string[];
}

// ---------------------------------------------------------------------------- price sheet ----

export const PRICE_SHEET_EA_COLUMNS = [
  'BasePrice', 'CurrencyCode', 'EffectiveEndDate', 'EffectiveStartDate', 'IncludedQuantity', 'MarketPrice', 'MeterId', 'MeterCategory', 'MeterName',
  'MeterSubCategory', 'MeterRegion', 'MeterType', 'PartNumber', 'priceType', 'Product', 'ProductID', 'ServiceFamily', 'SkuID', 'Term', 'UnitOfMeasure',
  'UnitPrice',
] as const;

export const PRICE_SHEET_MCA_COLUMNS = [
  'basePrice', 'billingAccountId', 'billingAccountName', 'billingCurrency', 'billingProfileId', 'billingProfileName', 'currency', 'discount',
  'effectiveEndDate', 'effectiveStartDate', 'includedQuantity', 'marketPrice', 'meterId', 'meterCategory', 'meterName', 'meterSubCategory', 'meterType',
  'meterRegion', 'priceType', 'Product', 'productId', 'serviceFamily', 'SkuID', 'Term', 'tierMinimumUnits', 'unitOfMeasure', 'unitPrice',
] as const;

const PS_CHARS = 'BCDFGHJKLMNPQRSTVWXZ0123456789';

function productId(meterId: string): string {
  let h = hash32('product', meterId);
  let s = 'DZH3';
  for (let i = 0; i < 8; i++) {
    s += PS_CHARS[h % PS_CHARS.length];
    h = Math.floor(h / PS_CHARS.length) || hash32('product', meterId, i);
  }
  return s;
}

/** Commitment prices of an hourly on-demand price (our own simple discounts). */
const COMMITMENTS: Array<[string, string, string]> = [
  // priceType, term, factor applied to the hourly price (reservations: the whole term's price)
  ['ReservedInstance', 'P1Y', '5256'], // 8760 h x 0.6
  ['ReservedInstance', 'P3Y', '10512'], // 26280 h x 0.4
  ['SavingsPlan', 'P1Y', '0.8'],
  ['SavingsPlan', 'P3Y', '0.65'],
];

/** The month's price sheet: every meter billed on the first days with data, with its commitment prices for VMs. */
export function priceSheetTable(src: ScopeRows, month: string, end: string): Table {
  const mca = src.agreement === 'MCA';
  const header = mca ? PRICE_SHEET_MCA_COLUMNS : PRICE_SHEET_EA_COLUMNS;
  const first = `${month}-01`;
  return table(header, mca ? ['basePrice', 'discount', 'includedQuantity', 'marketPrice', 'tierMinimumUnits', 'unitPrice'] : ['BasePrice', 'IncludedQuantity', 'MarketPrice', 'UnitPrice'], [], function* () {
    const meters = new Map<string, CostView>();
    for (const d of src.daysWithData(first, end).slice(0, 3)) {
      for (const v of src.day(d, 'actual')) {
        if (v.chargeType !== 'Usage' || !v.meterId || v.publisherType === 'Marketplace') continue;
        const key = `${v.meterId}|${v.partNumber}`;
        if (!meters.has(key)) meters.set(key, v);
      }
    }
    const lastDay = monthEnd(first);
    for (const key of [...meters.keys()].sort()) {
      const v = meters.get(key)!;
      const pid = productId(v.meterId);
      const prices: Array<[string, string, string, string]> = [['Consumption', '', v.unitPrice || v.paygPrice, v.paygPrice]];
      if (v.meterCategory === 'Virtual Machines' && v.pricingModel !== 'Spot') {
        for (const [type, term, factor] of COMMITMENTS) prices.push([type, term, mul(v.paygPrice, factor), mul(v.paygPrice, factor)]);
      }
      for (const [priceType, term, unit, market] of prices) {
        const x: Record<string, string> = mca
          ? {
            basePrice: market, billingAccountId: v.billingAccountId, billingAccountName: v.billingAccountName, billingCurrency: v.billingCurrency,
            billingProfileId: v.billingProfileId, billingProfileName: v.billingProfileName, currency: v.pricingCurrency, discount: '',
            effectiveEndDate: lastDay, effectiveStartDate: first, includedQuantity: '', marketPrice: market, meterId: v.meterId,
            meterCategory: v.meterCategory, meterName: v.meterName, meterSubCategory: v.meterSubCategory, meterType: 'Consumption',
            meterRegion: v.meterRegion, priceType, Product: v.productName, productId: pid, serviceFamily: v.serviceFamily,
            SkuID: `${pid}/${String(hash32('sku', v.meterId) % 1000).padStart(4, '0')}`, Term: term, tierMinimumUnits: '0', unitOfMeasure: v.unitOfMeasure,
            unitPrice: unit,
          }
          : {
            BasePrice: market, CurrencyCode: v.billingCurrency, EffectiveEndDate: lastDay, EffectiveStartDate: first, IncludedQuantity: '0',
            MarketPrice: market, MeterId: v.meterId, MeterCategory: v.meterCategory, MeterName: v.meterName, MeterSubCategory: v.meterSubCategory,
            MeterRegion: v.meterRegion, MeterType: 'Consumption', PartNumber: v.partNumber, priceType, Product: v.productName, ProductID: pid,
            ServiceFamily: v.serviceFamily, SkuID: `${pid}/${String(hash32('sku', v.meterId) % 1000).padStart(4, '0')}`, Term: term,
            UnitOfMeasure: v.unitOfMeasure, UnitPrice: unit,
          };
        yield row(header, x, first);
      }
    }
  });
}

// ----------------------------------------------------------------------- reservation details ----

export const RESERVATION_DETAILS_COLUMNS = [
  'InstanceFlexibilityGroup', 'InstanceFlexibilityRatio', 'InstanceId', 'Kind', 'ReservationOrderId', 'ReservationId', 'ReservedHours', 'RIUsedHours',
  'SkuName', 'TotalReservedQuantity', 'UsageDate', 'UsedHours',
] as const;

/** Instances a reservation holds (ours: two of its size). */
const RESERVED_QUANTITY = 2;

function scopeReservations(agreement: 'EA' | 'MCA', keep: ((sub: string) => boolean) | null): ReservationLike[] {
  if (agreement === 'EA') return RESERVATIONS;
  return MCA_RESERVATIONS.filter((r) => !keep || keep(MCA_SUBSCRIPTIONS[r.sub].guid));
}

/** Per day with data and reservation: its covered instances (hours from the day's covered usage), or one unused row. */
export function reservationDetailsTable(src: ScopeRows, start: string, end: string, keep: ((sub: string) => boolean) | null): Table {
  const header = RESERVATION_DETAILS_COLUMNS;
  const reservations = scopeReservations(src.agreement, keep);
  return table(header, ['InstanceFlexibilityRatio', 'ReservedHours', 'RIUsedHours', 'TotalReservedQuantity', 'UsedHours'], ['usedHours'], function* () {
    for (const d of src.daysWithData(start, end)) {
      const used = new Map<string, Map<string, bigint>>();
      for (const v of src.day(d, 'actual')) {
        if (v.chargeType !== 'Usage' || v.pricingModel !== 'Reservation' || !v.reservationId) continue;
        const id = v.reservationId.toLowerCase();
        let m = used.get(id);
        if (!m) used.set(id, (m = new Map()));
        const inst = v.resourceId.toLowerCase();
        m.set(inst, (m.get(inst) ?? 0n) + parseDec(v.quantity));
      }
      for (const r of reservations) {
        const size = VM_SIZES[r.size];
        const instances = used.get(r.id.toLowerCase()) ?? new Map<string, bigint>([['', 0n]]);
        for (const inst of [...instances.keys()].sort()) {
          const hours = formatDec(instances.get(inst)!);
          yield row(header, {
            InstanceFlexibilityGroup: size.family, InstanceFlexibilityRatio: '1', InstanceId: inst, Kind: 'Reservation',
            ReservationOrderId: r.orderId, ReservationId: r.id, ReservedHours: String(24 * RESERVED_QUANTITY), RIUsedHours: hours, SkuName: size.arm,
            TotalReservedQuantity: String(RESERVED_QUANTITY), UsageDate: d, UsedHours: hours,
          }, d, [instances.get(inst)!]);
        }
      }
    }
  });
}

// ------------------------------------------------------------------ reservation transactions ----

export const RESERVATION_TRANSACTIONS_EA_COLUMNS = [
  'AccountName', 'AccountOwnerEmail', 'Amount', 'ArmSkuName', 'BillingFrequency', 'BillingMonth', 'CostCenter', 'Currency', 'CurrentEnrollmentId',
  'DepartmentName', 'Description', 'EventDate', 'EventType', 'MonetaryCommitment', 'Overage', 'PurchasingSubscriptionGuid', 'PurchasingSubscriptionName',
  'PurchasingEnrollment', 'Quantity', 'Region', 'ReservationOrderId', 'ReservationOrderName', 'Term',
] as const;

export const RESERVATION_TRANSACTIONS_MCA_COLUMNS = [
  'Amount', 'ArmSkuName', 'BillingFrequency', 'BillingProfileId', 'BillingProfileName', 'Currency', 'Description', 'EventDate', 'EventType', 'Invoice',
  'InvoiceId', 'InvoiceSectionId', 'InvoiceSectionName', 'PurchasingSubscriptionGuid', 'PurchasingSubscriptionName', 'Quantity', 'Region',
  'ReservationOrderId', 'ReservationOrderName', 'Term',
] as const;

/** One transaction per reservation purchase or refund in the ActualCost rows of [start, end]. */
export function reservationTransactionsTable(src: ScopeRows, start: string, end: string, enrollment: string): Table {
  const mca = src.agreement === 'MCA';
  const header = mca ? RESERVATION_TRANSACTIONS_MCA_COLUMNS : RESERVATION_TRANSACTIONS_EA_COLUMNS;
  const all = [...RESERVATIONS, ...MCA_RESERVATIONS];
  return table(header, mca ? ['Amount', 'Quantity'] : ['Amount', 'MonetaryCommitment', 'Overage', 'Quantity'], ['amount'], function* () {
    for (const d of src.daysWithData(start, end)) {
      for (const v of src.day(d, 'actual')) {
        if ((v.chargeType !== 'Purchase' && v.chargeType !== 'Refund') || v.pricingModel !== 'Reservation') continue;
        const res = all.find((r) => r.orderId === v.productOrderId);
        const arm = res ? VM_SIZES[res.size].arm : '';
        const region = res ? res.region : v.location;
        const term = v.term === '36' ? 'P3Y' : 'P1Y';
        const freq = v.frequency === 'Recurring' ? 'Recurring' : 'OneTime';
        const x: Record<string, string> = {
          AccountName: v.accountName, AccountOwnerEmail: v.accountOwnerId, Amount: v.cost, ArmSkuName: arm, BillingFrequency: freq,
          BillingMonth: `${d.slice(0, 4)}${d.slice(5, 7)}01`, CostCenter: v.costCenter, Currency: v.billingCurrency, CurrentEnrollmentId: enrollment,
          DepartmentName: v.invoiceSectionName, Description: `${v.productOrderName}${v.chargeType === 'Refund' ? ' (refund)' : ''}`, EventDate: d,
          EventType: v.chargeType, MonetaryCommitment: '0', Overage: v.cost, PurchasingSubscriptionGuid: v.subscriptionId,
          PurchasingSubscriptionName: v.subscriptionName, PurchasingEnrollment: enrollment, Quantity: v.quantity, Region: region,
          ReservationOrderId: v.productOrderId, ReservationOrderName: v.reservationName, Term: term,
          BillingProfileId: v.billingProfileId, BillingProfileName: v.billingProfileName, Invoice: v.invoiceId, InvoiceId: v.invoiceId,
          InvoiceSectionId: v.invoiceSectionId, InvoiceSectionName: v.invoiceSectionName,
        };
        yield row(header, x, d, [parseDec(v.cost)]);
      }
    }
  });
}

// --------------------------------------------------------------- reservation recommendations ----

export const RECOMMENDATIONS_EA_COLUMNS = [
  'SKU', 'Location', 'CostWithNoReservedInstances', 'FirstUsageDate', 'InstanceFlexibilityRatio', 'InstanceFlexibilityGroup', 'LookBackPeriod',
  'MeterId', 'NetSavings', 'NormalizedSize', 'RecommendedQuantity', 'RecommendedQuantityNormalized', 'ResourceType', 'Scope', 'SubscriptionId',
  'SkuProperties', 'Term', 'TotalCostWithReservedInstances',
] as const;

/** As Microsoft's MCA page writes them (with its spaces). */
export const RECOMMENDATIONS_MCA_COLUMNS = [
  'Cost With No ReservedInstances', 'First UsageDate', 'Instance Flexibility Ratio', 'Instance Flexibility Group', 'Location', 'LookBackPeriod', 'MeterID',
  'Net Savings', 'Normalized Size', 'Recommended Quantity', 'Recommended Quantity Normalized', 'ResourceType', 'scope', 'SkuName', 'Sku Properties',
  'SubscriptionId', 'Term', 'Total Cost With ReservedInstances',
] as const;

/** A snapshot: per VM size and region of the scope's unreserved VMs, shared P1Y/P3Y, and single P3Y per subscription. */
export function recommendationsTable(agreement: 'EA' | 'MCA', keep: ((sub: string) => boolean) | null, month: string, currency: string): Table {
  const mca = agreement === 'MCA';
  const header = mca ? RECOMMENDATIONS_MCA_COLUMNS : RECOMMENDATIONS_EA_COLUMNS;
  const first = `${month}-01`;
  return table(header, mca ? [] : ['CostWithNoReservedInstances', 'InstanceFlexibilityRatio', 'NetSavings', 'RecommendedQuantity', 'RecommendedQuantityNormalized', 'TotalCostWithReservedInstances'], [], function* () {
    const vms = mca
      ? MCA_VMS.filter((v) => !keep || keep(MCA_SUBSCRIPTIONS[v.sub].guid)).map((v) => ({...v, guid: MCA_SUBSCRIPTIONS[v.sub].guid, region: MCA_SUBSCRIPTIONS[v.sub].region}))
      : VMS.map((v) => ({...v, guid: SUBSCRIPTIONS[v.sub].guid, region: SUBSCRIPTIONS[v.sub].region}));
    const cands = vms.filter((v) => v.reservation === undefined && VM_SIZES[v.size].priority === 'regular');
    const recs: Array<{scope: 'Shared' | 'Single'; sub: string; size: string; region: string; term: 'P1Y' | 'P3Y'}> = [];
    const seen = new Set<string>();
    for (const v of cands) {
      const k = `${v.size}|${v.region}`;
      if (!seen.has(k)) {
        seen.add(k);
        recs.push({scope: 'Shared', sub: '', size: v.size, region: v.region, term: 'P1Y'}, {scope: 'Shared', sub: '', size: v.size, region: v.region, term: 'P3Y'});
      }
      recs.push({scope: 'Single', sub: v.guid, size: v.size, region: v.region, term: 'P3Y'});
    }
    for (const r of recs) {
      const size = VM_SIZES[r.size];
      const qty = String(1 + (hash32('rec', r.scope, r.sub, r.size, r.region, month) % 3));
      const onDemand = mul(mul(size.price, '720'), qty);
      const withRi = mul(onDemand, r.term === 'P1Y' ? '0.6' : '0.4');
      const net = formatDec(parseDec(onDemand) - parseDec(withRi));
      const meterId = uuidFrom('meter', 'Virtual Machines', size.family, size.meter, r.region);
      const props = JSON.stringify([{name: 'Cores', value: String(size.vcpus)}, {name: 'Location', value: r.region}, {name: 'Region', value: REGIONS[r.region].meterRegion}]);
      const amount = (value: string) => (mca ? `{"value":${value},"currency":"${currency}"}` : value);
      const x: Record<string, string> = mca
        ? {
          'Cost With No ReservedInstances': amount(onDemand), 'First UsageDate': addDays(first, -30), 'Instance Flexibility Ratio': '1',
          'Instance Flexibility Group': size.family, Location: r.region, LookBackPeriod: 'Last30Days', MeterID: meterId, 'Net Savings': amount(net),
          'Normalized Size': size.arm, 'Recommended Quantity': qty, 'Recommended Quantity Normalized': qty, ResourceType: 'virtualmachines',
          scope: r.scope, SkuName: size.arm, 'Sku Properties': props, SubscriptionId: r.sub, Term: r.term, 'Total Cost With ReservedInstances': amount(withRi),
        }
        : {
          SKU: size.arm, Location: r.region, CostWithNoReservedInstances: onDemand, FirstUsageDate: addDays(first, -30), InstanceFlexibilityRatio: '1',
          InstanceFlexibilityGroup: size.family, LookBackPeriod: 'Last30Days', MeterId: meterId, NetSavings: net, NormalizedSize: size.arm,
          RecommendedQuantity: qty, RecommendedQuantityNormalized: qty, ResourceType: 'virtualmachines', Scope: r.scope, SubscriptionId: r.sub,
          SkuProperties: props, Term: r.term, TotalCostWithReservedInstances: withRi,
        };
      yield row(header, x, first);
    }
  });
}


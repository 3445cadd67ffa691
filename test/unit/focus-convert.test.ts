/**
 * Cost Details rows to FOCUS records (src/focus/convert.ts, docs/focus.md): which rows are kept,
 * each column's rule, the lookups, and the cost invariants on a day that has a reservation's
 * purchase, its covered usage and its unused hours. Every record made passes the conformance check.
 */
import {enrichRecord} from '../../src/enrich';
import {assertFocusConformance} from '../../src/focus/conformance';
import {focusFromUsage, keepForFocus, termMonths} from '../../src/focus/convert';
import {lookupPricingUnit, lookupService} from '../../src/focus/lookups';
import {FocusRecord} from '../../src/focus/record';
import {costDetailsRowNormalizer, recordHash} from '../../src/normalize';
import {Metric, UsageRecord} from '../../src/normalize/usage-record';
import {RecordPipeline} from '../../src/sync/pipeline';
import {compileTrackingRules} from '../../src/track';
import {processCsvRows, UnitJob} from '../../src/work/unit';

const RES = '/providers/Microsoft.Capacity/reservationOrders/1111/reservations/2222';
const SP = '/providers/Microsoft.BillingBenefits/savingsPlanOrders/3333/savingsPlans/4444';
const VM = '/subscriptions/0a7d3e91-6c2b-4f4a-8d5e-1f2a3b4c5d06/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-1';

const HEADER = [
  'Date', 'BillingAccountId', 'BillingAccountName', 'BillingPeriodStartDate', 'BillingPeriodEndDate', 'SubscriptionId', 'SubscriptionName',
  'ResourceId', 'ResourceLocation', 'ConsumedService', 'MeterCategory', 'MeterName', 'ProductName', 'UnitOfMeasure', 'Quantity', 'UnitPrice',
  'PayGPrice', 'EffectivePrice', 'CostInBillingCurrency', 'BillingCurrencyCode', 'ChargeType', 'Frequency', 'PricingModel', 'BenefitId',
  'BenefitName', 'Term', 'Tags', 'AdditionalInfo',
];

type Row = Partial<Record<(typeof HEADER)[number], string>>;

const BASE: Row = {
  Date: '10/05/2026', BillingAccountId: '87654321', BillingAccountName: 'Contoso', BillingPeriodStartDate: '10/01/2026', BillingPeriodEndDate: '10/31/2026',
  SubscriptionId: '0a7d3e91-6c2b-4f4a-8d5e-1f2a3b4c5d06', SubscriptionName: 'Prod', ResourceId: VM, ResourceLocation: 'West Europe',
  ConsumedService: 'Microsoft.Compute', MeterCategory: 'Virtual Machines', MeterName: 'D2s v5', ProductName: 'Virtual Machines Dsv5 Series - D2s v5 - EU West',
  UnitOfMeasure: '1 Hour', Quantity: '24', UnitPrice: '0.1', PayGPrice: '0.12', EffectivePrice: '0.1', CostInBillingCurrency: '2.4',
  BillingCurrencyCode: 'EUR', ChargeType: 'Usage', Frequency: 'UsageBased', PricingModel: 'OnDemand', Tags: '"env": "prod"',
  AdditionalInfo: '{"ServiceType":"Standard_D2s_v5","VCPUs":2,"ImageType":"Canonical"}',
};

function usage(metric: Metric, row: Row): UsageRecord {
  const normalize = costDetailsRowNormalizer(HEADER, {metric, sourceApi: 'cost_details'});
  const out = normalize(HEADER.map((h) => ({...BASE, ...row})[h] ?? ''));
  if (!out.record) throw new Error(`rejected: ${out.rejected}`);
  out.record.id = recordHash(out.record);
  enrichRecord(out.record);
  return out.record;
}

function focus(metric: Metric, row: Row): FocusRecord {
  const r = usage(metric, row);
  expect(keepForFocus(r)).toBe(true);
  const f = focusFromUsage(r, 'cost_details ActualCost+AmortizedCost');
  assertFocusConformance([f]);
  return f;
}

describe('keeping rows', () => {
  it('every amortized row; of the actual rows only commitment purchases and refunds', () => {
    expect(keepForFocus(usage('amortized', {}))).toBe(true);
    expect(keepForFocus(usage('amortized', {ChargeType: 'UnusedReservation', PricingModel: 'Reservation'}))).toBe(true);
    expect(keepForFocus(usage('actual', {}))).toBe(false);
    expect(keepForFocus(usage('actual', {ChargeType: 'Usage', PricingModel: 'Reservation'}))).toBe(false);
    expect(keepForFocus(usage('actual', {ChargeType: 'Purchase', PricingModel: 'OnDemand'}))).toBe(false); // marketplace: its amortized copy is kept
    expect(keepForFocus(usage('actual', {ChargeType: 'Purchase', PricingModel: 'Reservation'}))).toBe(true);
    expect(keepForFocus(usage('actual', {ChargeType: 'Refund', PricingModel: 'SavingsPlan'}))).toBe(true);
  });
});

describe('columns', () => {
  it('on-demand usage: billed and effective are the cost; list and contracted from the prices; identity, dates, service, units', () => {
    const f = focus('amortized', {});
    expect(f).toMatchObject({
      BilledCost: 2.4, EffectiveCost: 2.4, ContractedCost: 2.4, ContractedUnitPrice: 0.1, ListUnitPrice: 0.12, ListCost: 2.88,
      ChargeCategory: 'Usage', ChargeClass: null, ChargeFrequency: 'Usage-Based', PricingCategory: 'Standard',
      ChargePeriodStart: '2026-10-05T00:00:00Z', ChargePeriodEnd: '2026-10-06T00:00:00Z',
      BillingPeriodStart: '2026-10-01T00:00:00Z', BillingPeriodEnd: '2026-11-01T00:00:00Z',
      BillingAccountId: '87654321', BillingAccountType: 'Billing Account', BillingCurrency: 'EUR', PricingCurrency: 'EUR',
      ServiceName: 'Virtual Machines', ServiceCategory: 'Compute', ServiceSubcategory: 'Virtual Machines',
      PricingUnit: 'Hours', PricingQuantity: 24, ConsumedQuantity: 24, ConsumedUnit: 'Hours', x_PricingBlockSize: 1, x_PricingUnitDescription: '1 Hour',
      RegionName: 'West Europe', RegionId: 'westeurope', ResourceName: 'vm-1', ResourceType: 'microsoft.compute/virtualmachines',
      SubAccountId: '0a7d3e91-6c2b-4f4a-8d5e-1f2a3b4c5d06', SubAccountType: 'Subscription', ProviderName: 'Microsoft', InvoiceIssuerName: 'Microsoft',
      CommitmentDiscountId: null, CommitmentDiscountStatus: null, Tags: {env: 'prod'}, x_ResourceGroupName: 'rg-app',
      x_VmSku: 'Standard_D2s_v5', x_VmVcpus: 2, x_SourceDataset: 'cost_details ActualCost+AmortizedCost',
    });
    expect(f.SkuPriceDetails).toEqual({x_ServiceType: 'Standard_D2s_v5', x_VCPUs: 2, x_ImageType: 'Canonical'});
    expect(Object.keys(f)[0]).toBe('x_RecordId');
    expect(f.x_RecordId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('usage a reservation covers: bills 0, its amortized share is effective, status Used', () => {
    const f = focus('amortized', {PricingModel: 'Reservation', BenefitId: RES, BenefitName: 'vm-ri', CostInBillingCurrency: '1.5', UnitPrice: '0.1'});
    expect(f).toMatchObject({
      BilledCost: 0, EffectiveCost: 1.5, ChargeCategory: 'Usage', PricingCategory: 'Committed', CommitmentDiscountId: RES, CommitmentDiscountName: 'vm-ri',
      CommitmentDiscountCategory: 'Usage', CommitmentDiscountType: 'Reservation', CommitmentDiscountStatus: 'Used', CommitmentDiscountQuantity: 24,
      CommitmentDiscountUnit: 'Hours', x_AmortizationClass: 'Amortized Charge',
    });
  });

  it('unused reservation hours: Usage, status Unused, bill 0 (the purchase bills them), no consumed quantity', () => {
    const f = focus('amortized', {ChargeType: 'UnusedReservation', PricingModel: 'Reservation', BenefitId: RES, CostInBillingCurrency: '0.7', ResourceId: '', ConsumedService: 'Microsoft.Capacity'});
    expect(f).toMatchObject({BilledCost: 0, EffectiveCost: 0.7, ChargeCategory: 'Usage', CommitmentDiscountStatus: 'Unused', ConsumedQuantity: null, ConsumedUnit: null});
  });

  it('savings plan usage: Spend category, type Savings Plan, quantity in the pricing currency', () => {
    const f = focus('amortized', {PricingModel: 'SavingsPlan', BenefitId: SP, CostInBillingCurrency: '2'});
    expect(f).toMatchObject({CommitmentDiscountCategory: 'Spend', CommitmentDiscountType: 'Savings Plan', CommitmentDiscountQuantity: 2, CommitmentDiscountUnit: 'EUR', BilledCost: 0, EffectiveCost: 2});
  });

  it('a reservation purchase bills and has EffectiveCost 0; a refund is a Purchase with ChargeClass Correction', () => {
    const purchase = focus('actual', {ChargeType: 'Purchase', PricingModel: 'Reservation', Frequency: 'Recurring', BenefitId: RES, CostInBillingCurrency: '30', Quantity: '1', UnitPrice: '30', PayGPrice: '0', ConsumedService: 'Microsoft.Capacity', ResourceId: '', Term: 'P1Y'});
    expect(purchase).toMatchObject({BilledCost: 30, EffectiveCost: 0, ChargeCategory: 'Purchase', ChargeClass: null, ChargeFrequency: 'Recurring', CommitmentDiscountStatus: null, x_AmortizationClass: 'Principal', x_SkuTerm: 12, ConsumedQuantity: null});
    expect(purchase.ServiceName).toBe('Azure Reservations');
    const refund = focus('actual', {ChargeType: 'Refund', PricingModel: 'Reservation', Frequency: 'OneTime', BenefitId: RES, CostInBillingCurrency: '-30', Quantity: '1', UnitPrice: '30', ResourceId: ''});
    expect(refund).toMatchObject({BilledCost: -30, EffectiveCost: 0, ChargeCategory: 'Purchase', ChargeClass: 'Correction', ChargeFrequency: 'One-Time', ContractedCost: -30});
  });

  it.each([
    ['Usage', 'Usage'], ['Purchase', 'Purchase'], ['Credit', 'Credit'], ['Tax', 'Tax'], ['UnusedSavingsPlan', 'Usage'], ['Refund', 'Purchase'],
    ['RoundingAdjustment', 'Adjustment'], ['', 'Adjustment'],
  ])('ChargeType %s → ChargeCategory %s', (type, category) => {
    expect(focus('amortized', {ChargeType: type}).ChargeCategory).toBe(category);
  });

  it.each([
    ['OneTime', 'Usage', 'One-Time'], ['Recurring', 'Usage', 'Recurring'], ['UsageBased', 'Usage', 'Usage-Based'],
    ['', 'Usage', 'Usage-Based'], ['', 'Purchase', 'One-Time'], ['Monthly', 'Credit', 'One-Time'],
  ])('Frequency "%s" on a %s charge → ChargeFrequency %s', (frequency, type, expected) => {
    expect(focus('amortized', {Frequency: frequency, ChargeType: type}).ChargeFrequency).toBe(expected);
  });

  it.each([['OnDemand', 'Standard'], ['Spot', 'Dynamic'], ['Reservation', 'Committed'], ['SavingsPlan', 'Committed'], ['', null]])(
    'PricingModel "%s" → PricingCategory %s',
    (model, category) => {
      expect(focus('amortized', {PricingModel: model}).PricingCategory).toBe(category);
    },
  );

  it('block-priced units: PricingQuantity is the quantity over the block size, prices per block', () => {
    const f = focus('amortized', {UnitOfMeasure: '10K', Quantity: '25000', UnitPrice: '0.05', EffectivePrice: '0.05', PayGPrice: '0.06', CostInBillingCurrency: '0.125', MeterCategory: 'Storage', ConsumedService: 'Microsoft.Storage', ResourceId: ''});
    expect(f).toMatchObject({PricingUnit: 'Units', x_PricingBlockSize: 10000, PricingQuantity: 2.5, ContractedCost: 0.125, ListCost: 0.15, ConsumedQuantity: 25000, ConsumedUnit: 'Units'});
  });

  it('block-priced units with the quantity already in blocks (cost = price × quantity): not divided again', () => {
    const row = {UnitOfMeasure: '10K', Quantity: '2.5', UnitPrice: '0.05', EffectivePrice: '0.05', PayGPrice: '0.06', CostInBillingCurrency: '0.125', MeterCategory: 'Storage', ConsumedService: 'Microsoft.Storage', ResourceId: ''};
    const f = focus('amortized', row);
    expect(f).toMatchObject({x_PricingBlockSize: 10000, PricingQuantity: 2.5, ContractedCost: 0.125, ListCost: 0.15, ConsumedQuantity: 25000, ConsumedUnit: 'Units'});
    // without a price to tell, Microsoft's rule (divide) stands
    const unpriced = focus('amortized', {...row, UnitPrice: '', EffectivePrice: '', PayGPrice: ''});
    expect(unpriced).toMatchObject({PricingQuantity: 0.00025, ContractedCost: 0.125, ConsumedQuantity: 2.5});
  });

  it('a service the lookup does not know: the meter category names it, category Other, subcategory Other (Other)', () => {
    const f = focus('amortized', {ConsumedService: 'Contoso.Unknown', ResourceId: '', MeterCategory: 'Contoso Widgets'});
    expect(f).toMatchObject({ServiceName: 'Contoso Widgets', ServiceCategory: 'Other', ServiceSubcategory: 'Other (Other)'});
  });

  it('no billing period in the row: the usage day’s calendar month; no tags: an empty object', () => {
    const f = focus('amortized', {BillingPeriodStartDate: '', BillingPeriodEndDate: '', Tags: ''});
    expect(f).toMatchObject({BillingPeriodStart: '2026-10-01T00:00:00Z', BillingPeriodEnd: '2026-11-01T00:00:00Z', Tags: {}});
  });
});

describe('cost invariants on one day', () => {
  it('Σ EffectiveCost = Σ amortized cost and Σ BilledCost = Σ actual cost, unused hours counted once', () => {
    // actual: on-demand usage bills, covered usage is free, the purchase bills
    const actual = [
      usage('actual', {CostInBillingCurrency: '2.4'}),
      usage('actual', {PricingModel: 'Reservation', BenefitId: RES, CostInBillingCurrency: '0', ResourceId: VM.replace('vm-1', 'vm-2')}),
      usage('actual', {ChargeType: 'Purchase', PricingModel: 'Reservation', Frequency: 'Recurring', BenefitId: RES, CostInBillingCurrency: '3', ResourceId: ''}),
    ];
    // amortized: on-demand usage as is, the purchase spread over covered and unused hours
    const amortized = [
      usage('amortized', {CostInBillingCurrency: '2.4'}),
      usage('amortized', {PricingModel: 'Reservation', BenefitId: RES, CostInBillingCurrency: '2.25', ResourceId: VM.replace('vm-1', 'vm-2')}),
      usage('amortized', {ChargeType: 'UnusedReservation', PricingModel: 'Reservation', BenefitId: RES, CostInBillingCurrency: '0.75', ResourceId: ''}),
    ];
    const records = [...amortized, ...actual].filter(keepForFocus).map((r) => focusFromUsage(r, 'x'));
    assertFocusConformance(records);
    const sum = (xs: number[]): number => Math.round(xs.reduce((a, b) => a + b, 0) * 100) / 100;
    expect(records).toHaveLength(4);
    expect(sum(records.map((r) => r.EffectiveCost as number))).toBe(sum(amortized.map((r) => r.cost)));
    expect(sum(records.map((r) => r.BilledCost as number))).toBe(sum(actual.map((r) => r.cost)));
  });
});

describe('lookups', () => {
  it('services by (ConsumedService, ResourceType) in any case, then by resource type, then by consumed service', () => {
    expect(lookupService('Microsoft.Compute', 'Microsoft.Compute/virtualMachines')?.serviceName).toBe('Virtual Machines');
    expect(lookupService(null, 'microsoft.storage/storageaccounts')?.serviceCategory).toBe('Storage');
    expect(lookupService('MICROSOFT.CAPACITY', null)?.serviceName).toBe('Azure Reservations');
    expect(lookupService('nobody.knows', 'nobody/knows')).toBeNull();
  });

  it('pricing units by UnitOfMeasure, also with stray spaces', () => {
    expect(lookupPricingUnit('1 Hour')).toEqual({unit: 'Hours', blockSize: 1});
    expect(lookupPricingUnit('100 Hours')).toEqual({unit: 'Hours', blockSize: 100});
    expect(lookupPricingUnit('10K ')).toEqual({unit: 'Units', blockSize: 10000});
    expect(lookupPricingUnit('furlongs per fortnight')).toBeNull();
    expect(lookupPricingUnit(null)).toBeNull();
  });

  it('terms in months from numbers and ISO durations', () => {
    expect([termMonths('12'), termMonths('P1Y'), termMonths('P3Y'), termMonths('P1M'), termMonths('forever'), termMonths(null)]).toEqual([12, 12, 36, 1, null, null]);
  });
});

describe('the worker path (work/unit.ts) with job.focus from cost_details', () => {
  it('drops the actual rows the conversion does not keep, writes x_RecordId first, and finishes repeated ids in place', () => {
    const job: UnitJob = {stream: 'focus_costs', emitRecords: true, auditConflicts: false, metric: 'actual', sourceApi: 'cost_details', emittedAt: 3, focus: {from: 'cost_details', dataset: 'cost_details ActualCost+AmortizedCost'}};
    const row = (r: Row): string[] => HEADER.map((h) => ({...BASE, ...r})[h] ?? '');
    const purchase: Row = {ChargeType: 'Purchase', PricingModel: 'Reservation', Frequency: 'Recurring', BenefitId: RES, CostInBillingCurrency: '30', ResourceId: ''};
    const out = processCsvRows([row({}), row(purchase), row({ChargeType: 'Usage', PricingModel: 'Reservation', CostInBillingCurrency: '0'}), row(purchase)], HEADER, job, compileTrackingRules([]));
    expect(out.records).toBe(2);
    expect(out.rejected).toEqual([]);
    const lines = Buffer.from(new RecordPipeline('focus_costs', undefined).finish(out)).toString().trim().split('\n');
    expect(lines).toHaveLength(2);
    const data = lines.map((l) => JSON.parse(l).record.data);
    expect(lines[0]).toMatch(/"data":\{"x_RecordId":"[0-9a-f]{32}",/);
    expect(data[1].x_RecordId).toBe(`${data[0].x_RecordId}-1`);
    expect(data[0]).toMatchObject({ChargeCategory: 'Purchase', BilledCost: 30, EffectiveCost: 0});
    assertFocusConformance(data);
  });
});

import * as fs from 'fs';
import * as path from 'path';
import {decodeCsv} from '../../src/decode/csv';
import {costDetailsRowNormalizer, NormalizeContext, parseResourceId} from '../../src/normalize';
import {UsageRecord} from '../../src/normalize/usage-record';
import schema from '../../resources/schemas/usage_details.json';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const ACTUAL: NormalizeContext = {metric: 'actual', sourceApi: 'cost_details'};
const SCHEMA_FIELDS = Object.keys(schema.properties).sort();

async function normalizeFixture(name: string, ctx: NormalizeContext) {
  const records: UsageRecord[] = [];
  const rejected: string[] = [];
  for await (const batch of decodeCsv(fs.createReadStream(path.join(FIXTURES, name)), 7)) {
    const norm = costDetailsRowNormalizer(batch.header, ctx);
    for (const row of batch.rows) {
      const n = norm(row);
      if (n.record) records.push(n.record);
      else rejected.push(n.rejected);
    }
  }
  return {records, rejected};
}

/** Exact decimal sum of decimal strings (BigInt, 30 fractional digits). */
function exactSum(values: string[]): number {
  const SCALE = 30;
  let total = 0n;
  for (const v of values) {
    const neg = v.startsWith('-');
    const [i, f = ''] = (neg ? v.slice(1) : v).split('.');
    const n = BigInt(i + f.padEnd(SCALE, '0').slice(0, SCALE));
    total += neg ? -n : n;
  }
  const s = total.toString().padStart(SCALE + 1, '0');
  return Number(s.slice(0, -SCALE) + '.' + s.slice(-SCALE));
}

describe('cost details fixtures', () => {
  test('EA_ActualCost_Small.csv: every row normalizes, every schema field present', async () => {
    const {records, rejected} = await normalizeFixture('EA_ActualCost_Small.csv', ACTUAL);
    expect(rejected).toEqual([]);
    expect(records).toHaveLength(11);
    for (const r of records) {
      expect(Object.keys(r).sort()).toEqual(SCHEMA_FIELDS);
      expect(r.parse_errors).toEqual([]);
      expect(r.metric).toBe('actual');
      expect(r.source_api).toBe('cost_details');
      expect(r.usage_date).toMatch(/^2023-09-\d\d$/);
      expect(r.billing_period_start).toBe('2023-09-01');
      expect(r.billing_period_end).toBe('2023-09-30');
      expect(r.tracking).toEqual({});
      expect(r.tracking_rules).toEqual([]);
      expect(r.vm_sku).toBeNull();
      expect(r.aks_cluster).toBeNull();
    }
    // first row: a reservation purchase (MM/DD/YYYY date, quoted comma in product order name)
    const p = records[0];
    expect(p).toMatchObject({
      usage_date: '2023-09-21',
      billing_account_id: '8611537',
      billing_account_name: 'Trey Research Demo (DO NOT USE)',
      account_owner: 'acm@testea.onmicrosoft.com',
      account_name: 'ACM Team',
      subscription_id: '1caaa5a3-2b66-438e-8ab4-bce37d518c5d',
      product_name: 'Virtual Machines BS Series - B1s - UK South',
      meter_category: 'Virtual Machines',
      meter_subcategory: 'BS Series',
      quantity: 1,
      effective_price: 3.25,
      cost: 3.25,
      unit_price: 3.25,
      payg_price: 0,
      billing_currency: 'USD',
      resource_location: 'uksouth',
      consumed_service: 'Microsoft.Capacity',
      resource_type: 'microsoft.capacity/reservationorders/reservations',
      department_name: 'ACM',
      cost_center: 'acm9000',
      product_order_name: 'Reserved VM Instance, Standard_B1s, UK South, 3 Years',
      is_azure_credit_eligible: true,
      term: '36',
      charge_type: 'Purchase',
      frequency: 'Recurring',
      pricing_model: 'Reservation',
      benefit_name: 'VM_RI_06-21-2023_18-56',
      tags: null,
      additional_info: null,
    });
    // upper-case GUIDs in resource ids are normalized: the resource id is lower-cased
    for (const r of records) {
      if (r.resource_id) expect(r.resource_id).toBe(r.resource_id.toLowerCase());
    }
    const upper = records.find((r) => r.resource_id?.includes('ftk-micflan-darkslate2'));
    expect(upper?.resource_group).toBe('FTK-MICFLAN-DARKSLATE2');
    // capacity reservation: nested type, name from the column
    const cr = records.find((r) => r.resource_type === 'microsoft.compute/capacityreservationgroups/capacityreservations');
    expect(cr?.resource_name).toBe('OnDemadCapRes_Test_USSouthCentralZonal');
    expect(cr?.additional_info).toEqual({
      ServiceType: 'Standard_D2s_v3',
      UsageType: 'ComputeCR',
      VMCapacityReservationId: 'f8b42087-c198-4ad8-8515-fce989cc5fff',
    });
    // tags without braces, with a key holding a resource id (colons, slashes)
    const st = records.find((r) => r.resource_name === 'finopshubggecwj5veqe5s');
    expect(st?.tags).toEqual({
      CostCenter: '1234',
      'cm-resource-parent':
        '/subscriptions/ed570627-0265-4620-bb42-bae06bcfa914/resourceGroups/ftk-micflan-TemplateDeployment/providers/Microsoft.Cloud/hubs/finopshub',
      env: 'prod',
      org: 'trey',
    });
    expect(st?.resource_type).toBe('microsoft.storage/storageaccounts');
    expect(st?.cost).toBe(0.000011139);
  });

  test('EA_AmortizedCost_Small.csv: AKS tags, 28-decimal costs, exact sums', async () => {
    const {records, rejected} = await normalizeFixture('EA_AmortizedCost_Small.csv', {
      metric: 'amortized',
      sourceApi: 'cost_details',
    });
    expect(rejected).toEqual([]);
    expect(records).toHaveLength(28);
    for (const r of records) {
      expect(r.metric).toBe('amortized');
      expect(r.parse_errors).toEqual([]);
      expect(typeof r.cost).toBe('number');
    }
    const aks = records[0];
    expect(aks.tags).toMatchObject({
      'aks-managed-createOperationID': '',
      'aks-managed-poolName': 'agentpool',
      'aks-managed-orchestrator': 'Kubernetes:1.23.8',
      env: 'prod',
    });
    expect(aks.additional_info).toMatchObject({
      ServiceType: 'Standard_DS2_v2',
      VMProperties: 'Microsoft.AKS.Compute.AKS.Linux.Billing',
      VCPUs: 2,
    });
    expect(aks.resource_type).toBe('microsoft.compute/virtualmachinescalesets');
    expect(aks.resource_group).toBe('MC_ANALYTICSENGINE_ANALYTICSENGINE_EASTUS');
    expect(aks.pricing_model).toBe('Reservation');
    expect(aks.reservation_id).toBe('f39d1c73-af74-4308-9083-fbf5efab37d1');

    const tiny = records.find((r) => r.meter_id === '9995d93a-7d35-4d3f-9c69-7a7fea447ef4');
    expect(tiny?.cost).toBe(Number('0.0000000072922557592391990000'));

    // per-day sums match the exact decimal sums of the source to the cent (and far beyond)
    const raw = fs.readFileSync(path.join(FIXTURES, 'EA_AmortizedCost_Small.csv'), 'utf8');
    const lines: string[][] = [];
    for await (const b of decodeCsv(fs.createReadStream(path.join(FIXTURES, 'EA_AmortizedCost_Small.csv')), 100)) {
      const iDate = b.header.indexOf('Date');
      const iCost = b.header.indexOf('Cost');
      for (const row of b.rows) lines.push([row[iDate], row[iCost]]);
    }
    expect(raw.length).toBeGreaterThan(0);
    const byDayExact = new Map<string, string[]>();
    for (const [d, c] of lines) byDayExact.set(d, [...(byDayExact.get(d) ?? []), c]);
    const byDay = new Map<string, number>();
    for (const r of records) byDay.set(r.usage_date, (byDay.get(r.usage_date) ?? 0) + r.cost);
    for (const [d, costs] of byDayExact) {
      const [m, dd, y] = d.split('/');
      const got = byDay.get(`${y}-${m}-${dd}`)!;
      expect(Math.abs(got - exactSum(costs))).toBeLessThan(1e-9);
      expect(Math.round(got * 100)).toBe(Math.round(exactSum(costs) * 100));
    }
  });
});

/** The 2024-08-01 EA cost details schema, 57 columns in Microsoft's order. */
const SCHEMA_2024 = [
  'InvoiceSectionName', 'AccountName', 'AccountOwnerId', 'SubscriptionId', 'SubscriptionName', 'ResourceGroup',
  'ResourceLocation', 'Date', 'ProductName', 'MeterCategory', 'MeterSubCategory', 'MeterId', 'MeterName',
  'MeterRegion', 'UnitOfMeasure', 'Quantity', 'EffectivePrice', 'CostInBillingCurrency', 'CostCenter',
  'ConsumedService', 'ResourceId', 'Tags', 'OfferId', 'AdditionalInfo', 'ServiceInfo1', 'ServiceInfo2',
  'ResourceName', 'ReservationId', 'ReservationName', 'UnitPrice', 'ProductOrderId', 'ProductOrderName', 'Term',
  'PublisherType', 'PublisherName', 'ChargeType', 'Frequency', 'PricingModel', 'AvailabilityZone',
  'BillingAccountId', 'BillingAccountName', 'BillingCurrencyCode', 'BillingPeriodStartDate',
  'BillingPeriodEndDate', 'BillingProfileId', 'BillingProfileName', 'InvoiceSectionId', 'IsAzureCreditEligible',
  'PartNumber', 'PayGPrice', 'PlanName', 'ServiceFamily', 'CostAllocationRuleName', 'benefitId', 'benefitName',
  'AccountId', 'ResourceLocationNormalized',
];

const SAMPLE_2024: Record<string, string> = {
  InvoiceSectionName: 'Dept A', AccountName: 'Acct', AccountOwnerId: 'owner@x.com',
  SubscriptionId: 'ED570627-0265-4620-BB42-BAE06BCFA914', SubscriptionName: 'Sub', ResourceGroup: 'rg-pay-1',
  ResourceLocation: 'EastUS', Date: '2024-09-03', ProductName: 'Prod', MeterCategory: 'Virtual Machines',
  MeterSubCategory: 'Dv3 Series', MeterId: 'EC8C7B49-9790-4261-B46F-293DABB53FD9', MeterName: 'D2 v3',
  MeterRegion: 'US East', UnitOfMeasure: '1 Hour', Quantity: '24', EffectivePrice: '0.11',
  CostInBillingCurrency: '2.64', CostCenter: 'CC1', ConsumedService: 'Microsoft.Compute',
  ResourceId: '/subscriptions/ed570627-0265-4620-bb42-bae06bcfa914/resourceGroups/rg-pay-1/providers/Microsoft.Compute/virtualMachines/vm1',
  Tags: '{"env":"prod"}', OfferId: 'MS-AZR-0017P', AdditionalInfo: '{"ServiceType":"Standard_D2s_v3"}',
  ServiceInfo1: 'si1', ServiceInfo2: 'si2', ResourceName: 'vm1', ReservationId: '', ReservationName: '',
  UnitPrice: '0.12', ProductOrderId: '', ProductOrderName: '', Term: '', PublisherType: 'Azure',
  PublisherName: 'Microsoft', ChargeType: 'Usage', Frequency: 'UsageBased', PricingModel: 'OnDemand',
  AvailabilityZone: '1', BillingAccountId: '8611537', BillingAccountName: 'Trey', BillingCurrencyCode: 'EUR',
  BillingPeriodStartDate: '2024-09-01', BillingPeriodEndDate: '2024-09-30', BillingProfileId: '8611537',
  BillingProfileName: 'Trey', InvoiceSectionId: '1234', IsAzureCreditEligible: 'False', PartNumber: 'AAA-1',
  PayGPrice: '0.13', PlanName: 'plan', ServiceFamily: 'Compute', CostAllocationRuleName: 'rule',
  benefitId: 'b-id', benefitName: 'b-name', AccountId: '42', ResourceLocationNormalized: 'eastus',
};

const EXPECTED_2024: Partial<UsageRecord> = {
  usage_date: '2024-09-03', billing_period_start: '2024-09-01', billing_period_end: '2024-09-30',
  billing_account_id: '8611537', billing_account_name: 'Trey', billing_profile_id: '8611537',
  billing_profile_name: 'Trey', department_id: '1234', department_name: 'Dept A', account_id: '42',
  account_name: 'Acct', account_owner: 'owner@x.com', cost_center: 'CC1',
  subscription_id: 'ed570627-0265-4620-bb42-bae06bcfa914', subscription_name: 'Sub',
  resource_id: '/subscriptions/ed570627-0265-4620-bb42-bae06bcfa914/resourcegroups/rg-pay-1/providers/microsoft.compute/virtualmachines/vm1',
  resource_name: 'vm1', resource_group: 'rg-pay-1', resource_type: 'microsoft.compute/virtualmachines',
  resource_location: 'EastUS', consumed_service: 'Microsoft.Compute',
  meter_id: 'ec8c7b49-9790-4261-b46f-293dabb53fd9', meter_name: 'D2 v3', meter_category: 'Virtual Machines',
  meter_subcategory: 'Dv3 Series', meter_region: 'US East', service_family: 'Compute', product_name: 'Prod',
  part_number: 'AAA-1', unit_of_measure: '1 Hour', quantity: 24, effective_price: 0.11, unit_price: 0.12,
  payg_price: 0.13, cost: 2.64, billing_currency: 'EUR', charge_type: 'Usage', frequency: 'UsageBased',
  pricing_model: 'OnDemand', publisher_type: 'Azure', publisher_name: 'Microsoft', plan_name: 'plan',
  offer_id: 'MS-AZR-0017P', is_azure_credit_eligible: false, reservation_id: null, reservation_name: null,
  benefit_id: 'b-id', benefit_name: 'b-name', product_order_id: null, product_order_name: null, term: null,
  cost_allocation_rule_name: 'rule', service_info1: 'si1', service_info2: 'si2', availability_zone: '1',
  tags: {env: 'prod'}, additional_info: {ServiceType: 'Standard_D2s_v3'}, parse_errors: [],
};

function rowFor(header: string[], values: Record<string, string>): string[] {
  return header.map((h) => values[h] ?? '');
}

describe('header mapping by name', () => {
  test('all 57 columns of the 2024-08-01 schema map to their fields', () => {
    const n = costDetailsRowNormalizer(SCHEMA_2024, ACTUAL)(rowFor(SCHEMA_2024, SAMPLE_2024));
    expect(n.record).toMatchObject(EXPECTED_2024);
  });

  test('any column order, unknown extra columns and header case/punctuation do not matter', () => {
    const shuffled = [...SCHEMA_2024].reverse();
    const header = [...shuffled.slice(0, 20), 'SomethingNew', ...shuffled.slice(20), 'x_Extra'];
    const values = {...SAMPLE_2024, SomethingNew: 'zzz', x_Extra: 'yyy'};
    const n = costDetailsRowNormalizer(header, ACTUAL)(rowFor(header, values));
    expect(n.record).toMatchObject(EXPECTED_2024);
    const spaced = SCHEMA_2024.map((h) => h.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase());
    const n2 = costDetailsRowNormalizer(spaced, ACTUAL)(SCHEMA_2024.map((h) => SAMPLE_2024[h]));
    expect(n2.record).toMatchObject(EXPECTED_2024);
  });

  test('missing columns give null', () => {
    const header = ['Date', 'CostInBillingCurrency', 'SubscriptionId'];
    const n = costDetailsRowNormalizer(header, ACTUAL)(['2024-09-03', '1.5', 'abc']);
    const r = n.record!;
    expect(r.cost).toBe(1.5);
    expect(r.subscription_id).toBe('abc');
    expect(r.meter_id).toBeNull();
    expect(r.tags).toBeNull();
    expect(r.quantity).toBeNull();
    expect(r.is_azure_credit_eligible).toBeNull();
    expect(r.parse_errors).toEqual([]);
  });

  test('older names: Cost, BillingCurrency, InvoiceSection, Product, AccountOwnerEmail, ...', () => {
    const header = [
      'UsageDate', 'Cost', 'BillingCurrency', 'InvoiceSection', 'Product', 'AccountOwnerEmail', 'SubscriptionGuid',
      'InstanceId', 'ConsumedQuantity', 'ResourceRate', 'MeterSubcategory', 'ResourceLocationNormalized',
    ];
    const row = [
      '09/03/2024', '2.5', 'USD', 'Dept', 'Prod', 'o@x.com', '1CAAA5A3-2B66-438E-8AB4-BCE37D518C5D',
      '/subscriptions/1CAAA5A3-2B66-438E-8AB4-BCE37D518C5D/resourceGroups/RG/providers/Microsoft.Sql/servers/s1/databases/d1',
      '3', '0.5', 'Sub', 'westeurope',
    ];
    const r = costDetailsRowNormalizer(header, ACTUAL)(row).record!;
    expect(r).toMatchObject({
      usage_date: '2024-09-03', cost: 2.5, billing_currency: 'USD', department_name: 'Dept', product_name: 'Prod',
      account_owner: 'o@x.com', subscription_id: '1caaa5a3-2b66-438e-8ab4-bce37d518c5d', quantity: 3,
      effective_price: 0.5, meter_subcategory: 'Sub', resource_location: 'westeurope',
      resource_type: 'microsoft.sql/servers/databases', resource_name: 'd1', resource_group: 'RG',
    });
  });

  test('the FinOps hubs ActualCost column set (c360-2025-04, 50 columns): every column lands in its field', () => {
    const mapping = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'billing-datasets', 'ftk_actualcost_c360-2025-04.json'), 'utf8'));
    const header: string[] = mapping.translator.mappings.map((m: {source: {name: string}}) => m.source.name);
    expect(header).toHaveLength(50);
    const rid = '/subscriptions/1caaa5a3-2b66-438e-8ab4-bce37d518c5d/resourceGroups/rg-pay/providers/Microsoft.Compute/virtualMachines/vm-1';
    const cells: Record<string, string> = {
      BillingAccountId: '8608480', BillingAccountName: 'Contoso', BillingPeriodStartDate: '09/01/2024', BillingPeriodEndDate: '09/30/2024',
      BillingProfileId: '8608480', BillingProfileName: 'Contoso', AccountOwnerId: 'owner@contoso.example', AccountName: 'Platform',
      SubscriptionId: '1CAAA5A3-2B66-438E-8AB4-BCE37D518C5D', SubscriptionName: 'Prod', Date: '09/03/2024', Product: 'Virtual Machines DSv3 Series - D2s v3 - EU West',
      PartNumber: 'AAD-12345', MeterId: '11111111-2222-3333-4444-555555555555', ServiceFamily: 'Compute', MeterCategory: 'Virtual Machines',
      MeterSubCategory: 'DSv3 Series', MeterRegion: 'EU West', MeterName: 'D2s v3', Quantity: '24', EffectivePrice: '0.1', Cost: '2.4',
      UnitPrice: '0.12', BillingCurrency: 'EUR', ResourceLocation: 'westeurope', AvailabilityZone: '2', ConsumedService: 'Microsoft.Compute',
      ResourceId: rid, ResourceName: 'vm-1', ServiceInfo1: 'si1', ServiceInfo2: 'si2',
      AdditionalInfo: '{"ServiceType":"Standard_D2s_v3","VCPUs":2}', Tags: '"team": "payments"', InvoiceSectionId: 'dept-7', InvoiceSection: 'Payments',
      CostCenter: 'CC-42', UnitOfMeasure: '1 Hour', ResourceGroup: 'rg-pay', ReservationId: 'res-1', ReservationName: 'RI one',
      ProductOrderId: 'order-1', ProductOrderName: 'Reserved VM Instance', OfferId: 'MS-AZR-0017P', IsAzureCreditEligible: 'True', Term: '12',
      PublisherName: 'Microsoft', PlanName: 'plan-a', ChargeType: 'Usage', Frequency: 'UsageBased', PublisherType: 'Azure',
    };
    expect(header.filter((h) => !(h in cells))).toEqual([]);
    const r = costDetailsRowNormalizer(header, ACTUAL)(header.map((h) => cells[h])).record!;
    expect(r).toMatchObject({
      billing_account_id: '8608480', billing_account_name: 'Contoso', billing_period_start: '2024-09-01', billing_period_end: '2024-09-30',
      billing_profile_id: '8608480', billing_profile_name: 'Contoso', account_owner: 'owner@contoso.example', account_name: 'Platform',
      subscription_id: '1caaa5a3-2b66-438e-8ab4-bce37d518c5d', subscription_name: 'Prod', usage_date: '2024-09-03',
      product_name: 'Virtual Machines DSv3 Series - D2s v3 - EU West', part_number: 'AAD-12345', meter_id: '11111111-2222-3333-4444-555555555555',
      service_family: 'Compute', meter_category: 'Virtual Machines', meter_subcategory: 'DSv3 Series', meter_region: 'EU West', meter_name: 'D2s v3',
      quantity: 24, effective_price: 0.1, cost: 2.4, unit_price: 0.12, billing_currency: 'EUR', resource_location: 'westeurope',
      availability_zone: '2', consumed_service: 'Microsoft.Compute', resource_id: rid.toLowerCase(), resource_name: 'vm-1', service_info1: 'si1', service_info2: 'si2',
      additional_info: {ServiceType: 'Standard_D2s_v3', VCPUs: 2}, tags: {team: 'payments'},
      // an EA column set (AccountOwnerId): its invoice section columns are the department's
      department_id: 'dept-7', department_name: 'Payments', invoice_section_id: null, invoice_section_name: null, agreement: 'EA',
      cost_center: 'CC-42', unit_of_measure: '1 Hour', resource_group: 'rg-pay', reservation_id: 'res-1', reservation_name: 'RI one',
      product_order_id: 'order-1', product_order_name: 'Reserved VM Instance', offer_id: 'MS-AZR-0017P', is_azure_credit_eligible: true, term: '12',
      publisher_name: 'Microsoft', plan_name: 'plan-a', charge_type: 'Usage', frequency: 'UsageBased', publisher_type: 'Azure',
    });
    expect(r.parse_errors).toEqual([]);
  });

  test('legacy EA usage CSV: SubscriptionGuid beats numeric SubscriptionId, ExtendedCost, ServiceName/Tier, Day/Month/Year, ChargesBilledSeparately', () => {
    const header = [
      'AccountOwnerEmail', 'Account Name', 'Subscription Id', 'Subscription Guid', 'Day', 'Month', 'Year',
      'Extended Cost', 'Consumed Quantity', 'Resource Rate', 'Department Name', 'Department Id', 'Service Name',
      'Service Tier', 'Instance ID', 'Resource Location', 'Resource Guid', 'Charges Billed Separately', 'Tags',
    ];
    const row = [
      'a@b.c', 'acct', '123', '00000000-0000-0000-0000-00000000000A', '3', '9', '2024', '1,234.5', '2', '0.1', 'D', '77',
      'Storage', 'Premium', 'mystorageaccount', 'uswest', '11111111-1111-1111-1111-11111111111B', 'true', '',
    ];
    const r = costDetailsRowNormalizer(header, ACTUAL)(row).record!;
    expect(r).toMatchObject({
      usage_date: '2024-09-03', cost: 1234.5, quantity: 2, effective_price: 0.1, department_name: 'D',
      department_id: '77', subscription_id: '00000000-0000-0000-0000-00000000000a', meter_category: 'Storage',
      meter_subcategory: 'Premium', resource_id: 'mystorageaccount', resource_name: 'mystorageaccount',
      resource_type: null, resource_location: 'uswest', meter_id: '11111111-1111-1111-1111-11111111111b',
      is_azure_credit_eligible: false, account_name: 'acct', account_owner: 'a@b.c',
    });
  });

  test('CostInBillingCurrency wins over Cost when both exist; ResourceLocation over the normalized form; fallback on empty', () => {
    const header = ['Date', 'Cost', 'CostInBillingCurrency', 'ResourceLocationNormalized', 'ResourceLocation'];
    const norm = costDetailsRowNormalizer(header, ACTUAL);
    expect(norm(['2024-01-01', '9', '1', 'eastus', 'EastUS']).record).toMatchObject({cost: 1, resource_location: 'EastUS'});
    expect(norm(['2024-01-01', '9', '', 'eastus', '']).record).toMatchObject({cost: 9, resource_location: 'eastus'});
  });
});

describe('rejections and parse errors', () => {
  const header = ['Date', 'Cost', 'Quantity', 'Tags', 'AdditionalInfo', 'BillingPeriodStartDate', 'IsAzureCreditEligible', 'UnitPrice'];
  const norm = costDetailsRowNormalizer(header, ACTUAL);
  const good = ['09/21/2023', '1.25', '2', '"a": "b"', '{"X":1}', '09/01/2023', 'True', '0.5'];

  test('a good row', () => {
    expect(norm(good).record).toMatchObject({cost: 1.25, quantity: 2, tags: {a: 'b'}, additional_info: {X: 1}, parse_errors: []});
  });
  test('wrong number of fields → rejected', () => {
    expect(norm(good.slice(0, 7)).rejected).toBe('wrong number of fields');
    expect(norm([...good, 'extra']).rejected).toBe('wrong number of fields');
  });
  test('unusable or missing date → rejected', () => {
    expect(norm(['13/45/2026', ...good.slice(1)]).rejected).toBe('unusable date');
    expect(norm(['', ...good.slice(1)]).rejected).toBe('unusable date');
  });
  test('missing or unparseable cost → rejected', () => {
    expect(norm([good[0], '', ...good.slice(2)]).rejected).toBe('missing cost');
    expect(norm([good[0], 'NaN', ...good.slice(2)]).rejected).toBe('unparseable cost');
    expect(norm([good[0], 'abc', ...good.slice(2)]).rejected).toBe('unparseable cost');
  });
  test('header without a date or cost column → every row rejected', () => {
    expect(costDetailsRowNormalizer(['Cost'], ACTUAL)(['1']).rejected).toBe('unusable date');
    expect(costDetailsRowNormalizer(['Date'], ACTUAL)(['2024-01-01']).rejected).toBe('missing cost');
  });
  test('other unparseable values → null + parse_errors, record still emitted', () => {
    const r = norm(['09/21/2023', '1.25', 'lots', 'env=prod', 'string', '31/31/2023', 'perhaps', 'Infinity']).record!;
    expect(r).toMatchObject({
      quantity: null, tags: null, additional_info: null, billing_period_start: null,
      is_azure_credit_eligible: null, unit_price: null, cost: 1.25,
    });
    expect(r.parse_errors).toEqual(['billing_period_start', 'quantity', 'unit_price', 'is_azure_credit_eligible', 'tags', 'additional_info']);
  });
  test('empty optional values are null without parse errors', () => {
    const r = norm(['09/21/2023', '0', '', '', '', '', '', '']).record!;
    expect(r.parse_errors).toEqual([]);
    expect(r.cost).toBe(0);
  });
  test('negative and exponent costs', () => {
    expect(norm(['09/21/2023', '-3.5', ...good.slice(2)]).record!.cost).toBe(-3.5);
    expect(norm(['09/21/2023', '1.5E-05', ...good.slice(2)]).record!.cost).toBe(0.000015);
  });
});

describe('resource ids', () => {
  test.each([
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1', 'microsoft.compute/virtualmachines', 'vm1', 'rg'],
    ['/subscriptions/x/resourceGroups/rg/providers/Microsoft.Sql/servers/s/databases/d', 'microsoft.sql/servers/databases', 'd', 'rg'],
    ['/providers/Microsoft.Capacity/reservationOrders/o1/reservations/r1', 'microsoft.capacity/reservationorders/reservations', 'r1', null],
    ['/providers/Microsoft.Capacity/reservationOrders/o1/reservations/', 'microsoft.capacity/reservationorders/reservations', null, null],
    ['/providers/Microsoft.Capacity/reservationOrders/o1', 'microsoft.capacity/reservationorders', 'o1', null],
    ['/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG2/PROVIDERS/MICROSOFT.WEB/SITES/App', 'microsoft.web/sites', 'App', 'RG2'],
    [
      '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/providers/Microsoft.Insights/diagnosticSettings/ds',
      'microsoft.insights/diagnosticsettings', 'ds', 'rg',
    ],
    ['/subscriptions/x/resourceGroups/rg', null, 'rg', 'rg'],
    ['mystorageaccount', null, 'mystorageaccount', null],
    ['/subscriptions/x/resourceGroups/rg/providers/', null, 'providers', 'rg'],
  ])('%s', (id, type, name, group) => {
    const p = parseResourceId(id);
    expect(p.type).toBe(type);
    expect(p.name).toBe(name);
    expect(p.group).toBe(group);
    expect(p.lower).toBe(id.toLowerCase());
  });
  test('empty → nulls', () => {
    expect(parseResourceId(null)).toEqual({lower: null, type: null, name: null, group: null});
    expect(parseResourceId('')).toEqual({lower: null, type: null, name: null, group: null});
  });
});

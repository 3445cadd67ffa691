import Ajv, {ValidateFunction} from 'ajv';
import addFormats from 'ajv-formats';
import {parse} from 'csv-parse/sync';
import fc from 'fast-check';
import fs from 'fs';
import path from 'path';
import {
  DATASET_STREAMS,
  DatasetRow,
  datasetJsonSchema,
  datasetRowNormalizer,
  ExportDataset,
} from '../../src/normalize/datasets';

/**
 * The export dataset streams' records (docs/design.md §13), from CSV text shaped as Microsoft's
 * dataset schema pages document the files (EA and MCA headers).
 */

const SCHEMAS = path.resolve(__dirname, '..', '..', 'resources', 'schemas');
const ajv = new Ajv({allErrors: true, strict: false});
addFormats(ajv);
const validators = new Map<string, ValidateFunction>();
function validatorFor(dataset: ExportDataset): ValidateFunction {
  const def = DATASET_STREAMS.find((d) => d.dataset === dataset)!;
  let v = validators.get(def.schemaName);
  if (!v) {
    v = ajv.compile(JSON.parse(fs.readFileSync(path.join(SCHEMAS, `${def.schemaName}.json`), 'utf8')));
    validators.set(def.schemaName, v);
  }
  return v;
}

/** Every row of a CSV text through the dataset's normalizer; every record is checked against the stream's schema. */
function run(dataset: ExportDataset, csv: string, context?: {billingPeriod?: string}): DatasetRow[] {
  const [header, ...rows] = parse(csv, {relax_column_count: true}) as string[][];
  const normalize = datasetRowNormalizer(dataset, header, context);
  const out = rows.map((r) => normalize(r));
  const validate = validatorFor(dataset);
  for (const r of out) {
    if ('record' in r) {
      // a round trip through JSON, as the record is emitted
      const emitted = JSON.parse(JSON.stringify(r.record));
      expect(validate(emitted) ? null : validate.errors).toBeNull();
    }
  }
  return out;
}

function rec(r: DatasetRow): Record<string, unknown> {
  if (!('record' in r)) throw new Error(`rejected: ${r.rejected}`);
  return r.record;
}

const EA_PRICE_HEADER =
  'BasePrice,CurrencyCode,EffectiveEndDate,EffectiveStartDate,EnrollmentNumber,IncludedQuantity,MarketPrice,MeterId,MeterCategory,MeterName,MeterSubCategory,MeterRegion,MeterType,OfferId,PartNumber,PriceType,Product,ProductId,ServiceFamily,SkuId,Term,TierMinimumUnits,UnitOfMeasure,UnitPrice';
const EA_PRICE_ROWS = [
  '0.0208,USD,2026-10-31T00:00:00.0000000Z,2026-10-01T00:00:00.0000000Z,8608480,0,0.0208,BA1AB2D1-6A55-4C28-9D4A-7A8F0A6E52B1,Virtual Machines,B1s,BS Series,US East,1 Hour,MS-AZR-0017P,AAD-18166,Consumption,Virtual Machines BS Series - B1s - US East,DZH318Z0BQ4B,Compute,DZH318Z0BQ4B/00Q4,,0,1 Hour,0.0187',
  '0.0208,USD,2026-10-31T00:00:00.0000000Z,2026-10-01T00:00:00.0000000Z,8608480,0,0.0208,ba1ab2d1-6a55-4c28-9d4a-7a8f0a6e52b1,Virtual Machines,B1s,BS Series,US East,1 Hour,MS-AZR-0017P,AAD-18166,Consumption,Virtual Machines BS Series - B1s - US East,DZH318Z0BQ4B,Compute,DZH318Z0BQ4B/00Q4,,100,1 Hour,0.0150',
  '"1,234.5678",USD,2026-10-31,2026-10-01,8608480,0,1234.5678,0c2f2c33-7a0d-4c8e-b6a5-2d7a3e2f1c10,Virtual Machines,D2s v5,DSv5 Series,US East,1 Hour,MS-AZR-0017P,AAD-77001,ReservedInstance,Virtual Machines DSv5 Series - D2s v5 - US East,DZH318Z0BQPS,Compute,DZH318Z0BQPS/0029,P1Y,0,1 Hour,1003.12345678901',
];

const MCA_PRICE_HEADER =
  'basePrice,billingAccountId,billingAccountName,billingCurrency,billingProfileId,billingProfileName,currency,effectiveEndDate,effectiveStartDate,marketPrice,meterCategory,meterId,meterName,meterRegion,meterSubCategory,meterType,priceType,product,productId,productOrderName,serviceFamily,skuId,term,tierMinimumUnits,unitOfMeasure,unitPrice';
const MCA_PRICE_ROW =
  '0.096,7c9e1a5b-0000-0000-0000-000000000000:11111111-2222-3333-4444-555555555555_2019-05-31,Contoso,EUR,ABCD-EFGH-IJK-LMN,Contoso Billing,USD,2026-10-31,2026-10-01,0.096,Virtual Machines,7a1c4a2b-1f43-4a8c-9d31-6d2b0f5c9e11,D2 v3,EU West,Dv3 Series,1 Hour,Consumption,Virtual Machines Dv3 Series - D2 v3 - EU West,DZH318Z0BPS6,Azure plan,Compute,DZH318Z0BPS6/003K,,0,1 Hour,0.0912';

describe('price_sheet', () => {
  test('EA rows: typed snake_case fields, ISO dates, numbers as numbers, billing period from the run', () => {
    const out = run('PriceSheet', [EA_PRICE_HEADER, ...EA_PRICE_ROWS].join('\n'), {billingPeriod: '2026-10-15'});
    const [a, b, c] = out.map(rec);
    expect(a).toMatchObject({
      billing_period: '2026-10-01',
      enrollment_number: '8608480',
      meter_id: 'ba1ab2d1-6a55-4c28-9d4a-7a8f0a6e52b1', // GUIDs lower-cased
      meter_name: 'B1s',
      meter_sub_category: 'BS Series',
      part_number: 'AAD-18166',
      offer_id: 'MS-AZR-0017P',
      price_type: 'Consumption',
      term: null,
      tier_minimum_units: 0,
      unit_price: 0.0187,
      base_price: 0.0208,
      included_quantity: 0,
      effective_start_date: '2026-10-01',
      effective_end_date: '2026-10-31',
      billing_currency: 'USD',
      currency: null, // EA has no pricing currency column: missing columns are null
      billing_account_id: null,
      parse_errors: [],
      additional_columns: null,
    });
    expect(out[0]).toMatchObject({day: '2026-10-01'});
    // the second tier of the same meter is another price: another id; same identity otherwise
    expect(b.tier_minimum_units).toBe(100);
    expect(b.id).not.toBe(a.id);
    expect(c).toMatchObject({base_price: 1234.5678, unit_price: 1003.12345678901, term: 'P1Y', price_type: 'ReservedInstance'});
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect(a.id).toMatch(/^[0-9a-f]{32}$/);
  });

  test('MCA row: billing account/profile, pricing and billing currency', () => {
    const [r] = run('PriceSheet', [MCA_PRICE_HEADER, MCA_PRICE_ROW].join('\n'));
    expect(rec(r)).toMatchObject({
      billing_period: '2026-10-01', // no run month given: the effective start's month
      billing_profile_id: 'ABCD-EFGH-IJK-LMN',
      billing_account_name: 'Contoso',
      currency: 'USD',
      billing_currency: 'EUR',
      product_order_name: 'Azure plan',
      unit_price: 0.0912,
      part_number: null,
    });
  });

  test('ids are stable: column order, header case and measures do not change them; the period does', () => {
    const id = (header: string, row: string, period?: string) =>
      rec(run('PriceSheet', `${header}\n${row}`, period ? {billingPeriod: period} : undefined)[0]).id;
    const base = id(EA_PRICE_HEADER, EA_PRICE_ROWS[0]);
    expect(id(EA_PRICE_HEADER, EA_PRICE_ROWS[0])).toBe(base);
    // reversed columns, lower-case header
    const h = EA_PRICE_HEADER.split(',');
    const cells = parse(EA_PRICE_ROWS[0])[0] as string[];
    const quote = (v: string) => (v.includes(',') ? `"${v}"` : v);
    expect(id(h.reverse().join(',').toLowerCase(), cells.reverse().map(quote).join(','))).toBe(base);
    // a changed price (a measure) keeps the id: the destination updates the price
    expect(id(EA_PRICE_HEADER, EA_PRICE_ROWS[0].replace(/0\.0187$/, '0.0199'))).toBe(base);
    // the same price restated in another billing period is another record
    expect(id(EA_PRICE_HEADER, EA_PRICE_ROWS[0], '2026-11-03')).not.toBe(base);
    // the explicit run month equals the effective-start fallback here
    expect(id(EA_PRICE_HEADER, EA_PRICE_ROWS[0], '2026-10-31')).toBe(base);
  });

  test('a billing period column wins over the run month', () => {
    const [r] = run('PriceSheet', `BillingPeriod,${EA_PRICE_HEADER}\n2026-09-01,${EA_PRICE_ROWS[0]}`, {billingPeriod: '2026-10-01'});
    expect(rec(r)).toMatchObject({billing_period: '2026-09-01'});
    expect(r).toMatchObject({day: '2026-09-01'});
  });

  test('bad values: null plus parse_errors; rows that cannot be records are rejected with a reason', () => {
    const bad = EA_PRICE_ROWS[0].replace(/,0\.0187$/, ',abc').replace('2026-10-31T00:00:00.0000000Z', '13/45/2026');
    const rows = [
      bad,
      EA_PRICE_ROWS[0] + ',extra', // one cell too many
      ',,,,,,,,,,,,,,,,,,,,,,,', // nothing in it
      EA_PRICE_ROWS[0].replace(/2026-10-01T00:00:00.0000000Z/, 'not a date'), // no period at all
    ];
    const out = run('PriceSheet', [EA_PRICE_HEADER, ...rows].join('\n'));
    expect(rec(out[0])).toMatchObject({unit_price: null, effective_end_date: null});
    expect(rec(out[0]).parse_errors).toEqual(['effective_end_date', 'unit_price']);
    expect(out[1]).toEqual({rejected: 'wrong number of fields'});
    expect(out[2]).toEqual({rejected: 'empty row'});
    expect(out[3]).toEqual({rejected: 'missing billing_period'});
  });

  test('unknown columns are kept as text, by their header name', () => {
    const [r] = run('PriceSheet', `${EA_PRICE_HEADER},SavingsPlanTier\n${EA_PRICE_ROWS[0]},Gold`);
    expect(rec(r).additional_columns).toEqual({SavingsPlanTier: 'Gold'});
  });
});

const RES_DETAILS_HEADER =
  'InstanceFlexibilityGroup,InstanceFlexibilityRatio,InstanceId,Kind,ReservationOrderId,ReservationId,ReservedHours,RIUsedHours,SkuName,TotalReservedQuantity,UsageDate,UsedHours';
const RES_DETAILS_ROWS = [
  'BS Series High Memory,4,/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1,Reservation,6D8F4A2E-1111-4222-8333-944455556666,0A1B2C3D-1111-4222-8333-944455556666,24,18.5,Standard_B2ms,1,2026-10-05T00:00:00.0000000Z,18.5',
  'BS Series High Memory,4,/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm2,Reservation,6d8f4a2e-1111-4222-8333-944455556666,0a1b2c3d-1111-4222-8333-944455556666,24,5.5,Standard_B2ms,1,10/05/2026,5.5',
  'BS Series High Memory,4,/subscriptions/x/vm1,Reservation,6d8f4a2e-1111-4222-8333-944455556666,0a1b2c3d-1111-4222-8333-944455556666,24,1,Standard_B2ms,1,,1',
  'BS Series High Memory,4,/subscriptions/x/vm1,Reservation,6d8f4a2e-1111-4222-8333-944455556666,,24,1,Standard_B2ms,1,2026-10-05,1',
  'BS Series High Memory,four,/subscriptions/x/vm1,Reservation,6d8f4a2e-1111-4222-8333-944455556666,0a1b2c3d-1111-4222-8333-944455556666,24,1,Standard_B2ms,1,2026-02-30,1',
];

describe('reservation_details', () => {
  test('daily use per reservation and instance; usage_date is the cursor day', () => {
    const out = run('ReservationDetails', [RES_DETAILS_HEADER, ...RES_DETAILS_ROWS].join('\n'));
    const [a, b] = [rec(out[0]), rec(out[1])];
    expect(a).toMatchObject({
      usage_date: '2026-10-05',
      reservation_order_id: '6d8f4a2e-1111-4222-8333-944455556666',
      reservation_id: '0a1b2c3d-1111-4222-8333-944455556666',
      sku_name: 'Standard_B2ms',
      kind: 'Reservation',
      instance_flexibility_ratio: 4,
      reserved_hours: 24,
      used_hours: 18.5,
      ri_used_hours: 18.5,
      total_reserved_quantity: 1,
    });
    expect(out[0]).toMatchObject({day: '2026-10-05'});
    expect(b.usage_date).toBe('2026-10-05'); // US date order as Azure writes it
    expect(b.id).not.toBe(a.id); // another instance
    expect(out[2]).toEqual({rejected: 'missing usage_date'});
    expect(out[3]).toEqual({rejected: 'missing reservation_id'});
    expect(out[4]).toEqual({rejected: 'unusable usage_date'}); // February 30th
  });

  test('the id: reservation + day + SKU + instance, GUID case does not matter, hours do not count', () => {
    const again = RES_DETAILS_ROWS[0].replace('6D8F4A2E', '6d8f4a2e').replace('0A1B2C3D', '0a1b2c3d').replace(/18\.5/g, '20');
    const [a, b] = run('ReservationDetails', [RES_DETAILS_HEADER, RES_DETAILS_ROWS[0], again].join('\n')).map(rec);
    expect(b.id).toBe(a.id);
    const nextDay = RES_DETAILS_ROWS[0].replace('2026-10-05', '2026-10-06');
    expect(rec(run('ReservationDetails', `${RES_DETAILS_HEADER}\n${nextDay}`)[0]).id).not.toBe(a.id);
  });

  test('a missing column is null, not a failure', () => {
    const header = RES_DETAILS_HEADER.replace(',RIUsedHours', '');
    const row = RES_DETAILS_ROWS[0].replace(',18.5,Standard', ',Standard');
    expect(rec(run('ReservationDetails', `${header}\n${row}`)[0])).toMatchObject({ri_used_hours: null, used_hours: 18.5});
  });
});

const EA_TX_HEADER =
  'AccountName,AccountOwnerEmail,Amount,ArmSkuName,BillingFrequency,BillingMonth,CostCenter,Currency,CurrentEnrollment,DepartmentName,Description,EventDate,EventType,MonetaryCommitment,Overage,PurchasingEnrollment,PurchasingSubscriptionGuid,PurchasingSubscriptionName,Quantity,Region,ReservationOrderId,ReservationOrderName,Term';
const EA_TX_ROWS = [
  'Contoso IT,ops@contoso.example,-612.00,Standard_D2s_v5,Recurring,20261001,CC-42,USD,8608480,Platform,Standard_D2s_v5 eastus 1 Year,2026-10-03T00:00:00.0000000Z,Purchase,0,0,8608480,9C1D2E3F-AAAA-4BBB-8CCC-DDDDEEEEFFFF,Prod,1,eastus,6D8F4A2E-1111-4222-8333-944455556666,VM_RI_10-03-2026,P1Y',
  'Contoso IT,ops@contoso.example,-612.00,Standard_D2s_v5,Recurring,20261101,CC-42,USD,8608480,Platform,Standard_D2s_v5 eastus 1 Year,2026-11-03T00:00:00.0000000Z,Purchase,0,0,8608480,9c1d2e3f-aaaa-4bbb-8ccc-ddddeeeeffff,Prod,1,eastus,6d8f4a2e-1111-4222-8333-944455556666,VM_RI_10-03-2026,P1Y',
  'Contoso IT,ops@contoso.example,300.5,Standard_D2s_v5,OneTime,20261101,CC-42,USD,8608480,Platform,Exchange refund,2026-11-10,Refund,n/a,0,8608480,9c1d2e3f-aaaa-4bbb-8ccc-ddddeeeeffff,Prod,1,eastus,6d8f4a2e-1111-4222-8333-944455556666,VM_RI_10-03-2026,P1Y',
  'Contoso IT,ops@contoso.example,300.5,Standard_D2s_v5,OneTime,20261101,CC-42,USD,8608480,Platform,Exchange refund,someday,Refund,0,0,8608480,9c1d2e3f-aaaa-4bbb-8ccc-ddddeeeeffff,Prod,1,eastus,6d8f4a2e-1111-4222-8333-944455556666,VM_RI_10-03-2026,P1Y',
];
const MCA_TX_HEADER =
  'Amount,ArmSkuName,BillingFrequency,BillingProfileId,BillingProfileName,Currency,Description,EventDate,EventType,Invoice,InvoiceId,InvoiceSectionId,InvoiceSectionName,PurchasingSubscriptionGuid,PurchasingSubscriptionName,Quantity,Region,ReservationOrderId,ReservationOrderName,Term';
const MCA_TX_ROW =
  '1450.25,Standard_E4s_v5,OneTime,ABCD-EFGH-IJK-LMN,Contoso Billing,EUR,Standard_E4s_v5 westeurope 3 Years,2026-10-12,Purchase,G012345678,G012345678,WXYZ-1234-PJA-TGB,Engineering,11111111-2222-3333-4444-555555555555,Dev,2,westeurope,7e7e7e7e-1111-4222-8333-944455556666,VM_RI_E4,P3Y';

describe('reservation_transactions', () => {
  test('current_enrollment from CurrentEnrollmentId (the export column) or CurrentEnrollment (older files)', () => {
    const withId = EA_TX_HEADER.replace('CurrentEnrollment,', 'CurrentEnrollmentId,');
    expect(rec(run('ReservationTransactions', `${withId}\n${EA_TX_ROWS[0]}`)[0])).toMatchObject({current_enrollment: '8608480', purchasing_enrollment: '8608480'});
    expect(rec(run('ReservationTransactions', `${EA_TX_HEADER}\n${EA_TX_ROWS[0]}`)[0])).toMatchObject({current_enrollment: '8608480'});
  });

  test('EA (legacy columns) and MCA rows; event_date is the cursor day', () => {
    const ea = run('ReservationTransactions', [EA_TX_HEADER, ...EA_TX_ROWS].join('\n'));
    expect(rec(ea[0])).toMatchObject({
      event_date: '2026-10-03',
      event_type: 'Purchase',
      amount: -612,
      billing_month: '2026-10-01', // yyyyMMdd
      billing_frequency: 'Recurring',
      purchasing_subscription_guid: '9c1d2e3f-aaaa-4bbb-8ccc-ddddeeeeffff',
      reservation_order_id: '6d8f4a2e-1111-4222-8333-944455556666',
      department_name: 'Platform',
      invoice: null,
    });
    expect(ea[0]).toMatchObject({day: '2026-10-03'});
    // a monthly payment of the same order is one record per month
    expect(rec(ea[1]).id).not.toBe(rec(ea[0]).id);
    expect(rec(ea[2])).toMatchObject({monetary_commitment: null, parse_errors: ['monetary_commitment'], amount: 300.5});
    expect(ea[3]).toEqual({rejected: 'unusable event_date'});

    const [m] = run('ReservationTransactions', `${MCA_TX_HEADER}\n${MCA_TX_ROW}`);
    expect(rec(m)).toMatchObject({
      amount: 1450.25,
      currency: 'EUR',
      invoice_id: 'G012345678',
      invoice_section_name: 'Engineering',
      billing_profile_id: 'ABCD-EFGH-IJK-LMN',
      quantity: 2,
      term: 'P3Y',
      account_name: null,
    });
  });
});

const EA_RECO_HEADER =
  'SKU,Location,CostWithNoReservedInstances,FirstUsageDate,InstanceFlexibilityRatio,InstanceFlexibilityGroup,LookBackPeriod,MeterId,NetSavings,NormalizedSize,RecommendedQuantity,RecommendedQuantityNormalized,ResourceType,Scope,SubscriptionId,SkuProperties,Term,TotalCostWithReservedInstances';
const EA_RECO_ROW =
  'Standard_D2s_v5,eastus,1234.56,2026-09-01T00:00:00Z,1,DSv5 Series,Last30Days,0c2f2c33-7a0d-4c8e-b6a5-2d7a3e2f1c10,345.67,Standard_D2s_v5,3,3,virtualMachines,Shared,,"[{""name"":""Cores"",""value"":""2""},{""name"":""MemoryGB"",""value"":""8""}]",P1Y,888.89';
const MCA_RECO_HEADER =
  'Cost With No ReservedInstances,First UsageDate,Instance Flexibility Ratio,Instance Flexibility Group,Location,LookBackPeriod,MeterID,Net Savings,Normalized Size,Recommended Quantity,Recommended Quantity Normalized,ResourceType,scope,SkuName,Sku Properties,SubscriptionId,Term,Total Cost With ReservedInstances';
const MCA_RECO_ROWS = [
  '"{""value"":1234.56,""currency"":""EUR""}",2026-09-01,2,Esv5 Series,westeurope,Last7Days,7A1C4A2B-1F43-4A8C-9D31-6D2B0F5C9E11,"{""value"":345.67,""currency"":""EUR""}",Standard_E2s_v5,4,8,virtualMachines,Single,Standard_E4s_v5,"{""Cores"":""4"",""MemoryGB"":""32""}",11111111-2222-3333-4444-555555555555,P3Y,"{""value"":888.89,""currency"":""EUR""}"',
  '"{""value"":12,""currency""",2026-09-01,2,Esv5 Series,westeurope,Last7Days,7a1c4a2b-1f43-4a8c-9d31-6d2b0f5c9e11,"{""Value"":""5.5""}",Standard_E2s_v5,4,8,virtualMachines,Single,Standard_E4s_v5,[not json,11111111-2222-3333-4444-555555555555,P1Y,7',
];

describe('reservation_recommendations', () => {
  test('EA: plain numbers, SkuProperties parsed; no cursor day', () => {
    const [r] = run('ReservationRecommendations', `${EA_RECO_HEADER}\n${EA_RECO_ROW}`);
    expect(r).toMatchObject({day: null});
    expect(rec(r)).toMatchObject({
      sku_name: 'Standard_D2s_v5',
      scope: 'Shared',
      subscription_id: null,
      cost_with_no_reserved_instances: 1234.56,
      net_savings: 345.67,
      total_cost_with_reserved_instances: 888.89,
      first_usage_date: '2026-09-01',
      look_back_period: 'Last30Days',
      recommended_quantity: 3,
      sku_properties: [
        {name: 'Cores', value: '2'},
        {name: 'MemoryGB', value: '8'},
      ],
      currency: null,
      parse_errors: [],
    });
  });

  test('MCA: JSON objects inside CSV cells become numbers and a currency; broken JSON is a parse error', () => {
    const out = run('ReservationRecommendations', [MCA_RECO_HEADER, ...MCA_RECO_ROWS].join('\n'));
    expect(rec(out[0])).toMatchObject({
      cost_with_no_reserved_instances: 1234.56,
      net_savings: 345.67,
      total_cost_with_reserved_instances: 888.89,
      currency: 'EUR',
      sku_properties: {Cores: '4', MemoryGB: '32'},
      meter_id: '7a1c4a2b-1f43-4a8c-9d31-6d2b0f5c9e11',
      scope: 'Single',
      instance_flexibility_ratio: 2,
      recommended_quantity_normalized: 8,
      parse_errors: [],
    });
    const broken = rec(out[1]);
    expect(broken).toMatchObject({cost_with_no_reserved_instances: null, net_savings: 5.5, total_cost_with_reserved_instances: 7, sku_properties: null});
    expect(broken.parse_errors).toEqual(['cost_with_no_reserved_instances', 'sku_properties']);
    // another term is another recommendation
    expect(broken.id).not.toBe(rec(out[0]).id);
  });

  test('the id ignores the values a refreshed snapshot changes', () => {
    const refreshed = MCA_RECO_ROWS[0].replace('345.67', '400').replace(',4,8,', ',5,10,').replace('2026-09-01', '2026-09-08');
    const [a, b] = run('ReservationRecommendations', [MCA_RECO_HEADER, MCA_RECO_ROWS[0], refreshed].join('\n')).map(rec);
    expect(b.recommended_quantity).toBe(5);
    expect(b.id).toBe(a.id);
  });
});

describe('streams and schemas', () => {
  test('the four streams, their datasets, schemas and cursors', () => {
    expect(DATASET_STREAMS.map((d) => [d.stream, d.dataset, d.schemaName, d.cursorField])).toEqual([
      ['price_sheet', 'PriceSheet', 'price_sheet', 'billing_period'],
      ['reservation_details', 'ReservationDetails', 'reservation_details', 'usage_date'],
      ['reservation_transactions', 'ReservationTransactions', 'reservation_transactions', 'event_date'],
      ['reservation_recommendations', 'ReservationRecommendations', 'reservation_recommendations', null],
    ]);
  });

  test.each(DATASET_STREAMS.map((d) => [d.schemaName, d.dataset] as const))(
    'resources/schemas/%s.json is the field table written out',
    (schemaName, dataset) => {
      const file = JSON.parse(fs.readFileSync(path.join(SCHEMAS, `${schemaName}.json`), 'utf8'));
      expect(file).toEqual(datasetJsonSchema(dataset));
    },
  );

  test('the same row in two datasets never gets the same id', () => {
    const header = 'ReservationId,UsageDate,EventDate';
    const row = ['0a1b2c3d-1111-4222-8333-944455556666', '2026-10-05', '2026-10-05'];
    const a = rec(datasetRowNormalizer('ReservationDetails', header.split(','))(row));
    const b = rec(datasetRowNormalizer('ReservationTransactions', header.split(','))(row));
    expect(a.id).not.toBe(b.id);
  });

  test('an unknown dataset name is a programming error', () => {
    expect(() => datasetRowNormalizer('FocusCost' as ExportDataset, ['a'])).toThrow(/not an export dataset stream/);
  });
});

describe('never a crash', () => {
  test.each(DATASET_STREAMS.map((d) => [d.dataset] as const))('%s: any cells give a valid record or a rejection', (dataset) => {
    const headers: Record<ExportDataset, string> = {
      PriceSheet: EA_PRICE_HEADER,
      ReservationDetails: RES_DETAILS_HEADER,
      ReservationTransactions: MCA_TX_HEADER,
      ReservationRecommendations: MCA_RECO_HEADER,
    };
    const header = headers[dataset].split(',');
    const normalize = datasetRowNormalizer(dataset, header, {billingPeriod: '2026-10-01'});
    const validate = validatorFor(dataset);
    const cellArb = fc.oneof(
      fc.string(),
      fc.constantFrom('', ' ', '{', '{"value":"x"}', '[1,2', 'null', '2026-10-05', '1e400', 'NaN', '0x10', '{"currency":5}'),
      fc.double().map(String),
    );
    fc.assert(
      fc.property(fc.array(cellArb, {minLength: header.length - 1, maxLength: header.length + 1}), (row) => {
        const out = normalize(row);
        if ('rejected' in out) return typeof out.rejected === 'string';
        return validate(JSON.parse(JSON.stringify(out.record))) === true;
      }),
      {numRuns: 300},
    );
  });
});

describe('docs', () => {
  const root = path.resolve(__dirname, '..', '..');
  test('the user page names every field of the four streams; the exports page every data_source key', () => {
    const page = fs.readFileSync(path.join(root, 'docs', 'azure-billing.md'), 'utf8');
    const fields = DATASET_STREAMS.flatMap((d) => [d.stream, ...Object.keys(datasetJsonSchema(d.dataset).properties as object)]);
    expect(fields.filter((f) => !page.includes(`\`${f}\``))).toEqual([]);
    const exportsPage = fs.readFileSync(path.join(root, 'docs', 'exports.md'), 'utf8');
    const keys = ['type', 'storage_account_url', 'container', 'root_folder_path', 'export_names', 'sas_token'];
    expect(keys.filter((k) => !exportsPage.includes(`\`${k}\``))).toEqual([]);
  });
});

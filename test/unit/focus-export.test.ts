/**
 * FocusCost export rows (src/focus/export-row.ts): rows built from Microsoft's column lists of
 * each dataset version (test/fixtures/focus/) are read by name into records that pass the
 * conformance check, keep their costs (Σ BilledCost and Σ EffectiveCost as written), and map the
 * renames between versions; an unknown version's extra columns pass through; the date-time forms
 * of 1.0 and 1.0r2 both read. The worker path (work/unit.ts) writes them with x_RecordId first and
 * the id's second step suffixes repeats in place.
 */
import fs from 'fs';
import path from 'path';

import {COLUMN_TYPES} from '../../src/focus/columns';
import {assertFocusConformance} from '../../src/focus/conformance';
import {focusDateTime, focusExportDataset, focusExportRowNormalizer, FocusExportNormalized, isKnownFocusVersion, unknownFocusVersionWarning} from '../../src/focus/export-row';
import {RecordPipeline} from '../../src/sync/pipeline';
import {compileTrackingRules} from '../../src/track';
import {processCsvRows, UnitJob} from '../../src/work/unit';

const FIXTURES = path.resolve(__dirname, '../fixtures/focus');

function columnList(file: string): string[] {
  const doc = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
  if (Array.isArray(doc.Columns)) return doc.Columns.map((c: {ColumnName: string}) => c.ColumnName);
  return doc.translator.mappings.map((m: {source: {name: string}}) => m.source.name);
}

const RES = '/subscriptions/0a7d3e91-6c2b-4f4a-8d5e-1f2a3b4c5d06/providers/Microsoft.Capacity/reservationOrders/1111/reservations/2222';
const VM = '/subscriptions/0a7d3e91-6c2b-4f4a-8d5e-1f2a3b4c5d06/resourceGroups/mc_rg-aks_aks-prod_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-12345678-vmss';

/** Three charges of one day, as a FocusCost export holds them (FOCUS values, 1.2 names). */
const CHARGES: Array<Record<string, string | number | object | null>> = [
  {
    BilledCost: 2.4, EffectiveCost: 2.4, ContractedCost: 2.4, ListCost: 2.88, ChargeCategory: 'Usage', ChargeFrequency: 'Usage-Based', PricingCategory: 'Standard',
    ServiceName: 'Virtual Machine Scale Sets', ServiceCategory: 'Compute', ServiceSubcategory: 'Virtual Machines', ResourceId: VM, x_ResourceGroupName: 'mc_rg-aks_aks-prod_westeurope',
    x_ResourceType: 'microsoft.compute/virtualmachinescalesets', x_SkuMeterCategory: 'Virtual Machines', x_SkuMeterName: 'D4s v5', x_SkuMeterSubcategory: 'Dsv5 Series',
    x_SkuDetails: {ServiceType: 'Standard_D4s_v5', VCPUs: 4}, Tags: {'aks-managed-poolName': 'nodepool1'}, ConsumedQuantity: 24, PricingQuantity: 24, PricingUnit: 'Hours',
    x_PricingUnitDescription: '1 Hour', x_SkuTerm: null, InvoiceId: 'E0100ABCDE',
  },
  {
    BilledCost: 0, EffectiveCost: 1.5, ContractedCost: 2.4, ListCost: 2.88, ChargeCategory: 'Usage', ChargeFrequency: 'Usage-Based', PricingCategory: 'Committed',
    CommitmentDiscountId: RES, CommitmentDiscountCategory: 'Usage', CommitmentDiscountType: 'Reservation', CommitmentDiscountStatus: 'Used',
    ServiceName: 'Virtual Machines', ServiceCategory: 'Compute', ServiceSubcategory: 'Virtual Machines', ResourceId: VM.replace('aks-nodepool1-12345678-vmss', 'vm-2'),
    Tags: {env: 'prod'}, ConsumedQuantity: 24, PricingQuantity: 24, PricingUnit: 'Hours', x_SkuTerm: 12, InvoiceId: 'E0100ABCDE',
  },
  {
    BilledCost: 30, EffectiveCost: 0, ContractedCost: 30, ListCost: 30, ChargeCategory: 'Purchase', ChargeFrequency: 'Recurring', PricingCategory: 'Committed',
    CommitmentDiscountId: RES, CommitmentDiscountCategory: 'Usage', CommitmentDiscountType: 'Reservation', ServiceName: 'Azure Reservations',
    ServiceCategory: 'Management and Governance', ServiceSubcategory: 'Cost Management', ResourceId: null, Tags: null, PricingQuantity: 1, PricingUnit: 'Units',
    x_SkuTerm: 12, InvoiceId: 'E0100ABCDE',
  },
];

const COMMON = {
  BillingAccountId: '87654321', BillingAccountName: 'Contoso', BillingAccountType: 'Billing Account', BillingCurrency: 'EUR', InvoiceIssuerName: 'Microsoft',
  ProviderName: 'Microsoft', PublisherName: 'Microsoft', SubAccountId: '0a7d3e91-6c2b-4f4a-8d5e-1f2a3b4c5d06', SubAccountName: 'Prod', SubAccountType: 'Subscription',
  x_PricingCurrency: 'EUR', PricingCurrency: 'EUR', x_BillingProfileId: null,
};

/** A cell as the export writes it: date-times in the version's form, JSON as text, numbers as decimals. */
function cell(name: string, value: unknown, withSeconds: boolean): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  if (COLUMN_TYPES.get(name) === 'DateTime') return withSeconds ? String(value) : String(value).replace(/:00Z$/, 'Z');
  return String(value);
}

/** The charges as rows of a FocusCost export with `columns`; 1.0 writes date-times without seconds. */
function exportRows(columns: string[], withSeconds: boolean, renames: Record<string, string> = {}): string[][] {
  return CHARGES.map((charge) => {
    const full: Record<string, unknown> = {
      ...COMMON, ...charge, x_InvoiceId: charge.InvoiceId, x_SkuMeterName: charge.x_SkuMeterName ?? null,
      BillingPeriodStart: '2026-10-01T00:00:00Z', BillingPeriodEnd: '2026-11-01T00:00:00Z', ChargePeriodStart: '2026-10-05T00:00:00Z', ChargePeriodEnd: '2026-10-06T00:00:00Z',
    };
    // 1.1 and later: SkuPriceDetails, AdditionalInfo with its keys prefixed x_
    if (charge.x_SkuDetails) full.SkuPriceDetails = Object.fromEntries(Object.entries(charge.x_SkuDetails).map(([k, v]) => [`x_${k}`, v]));
    for (const [from, to] of Object.entries(renames)) full[from] = full[to];
    return columns.map((c) => cell(c, full[c], withSeconds));
  });
}

function normalizeAll(header: string[], rows: string[][]): Array<Record<string, unknown>> {
  const normalize = focusExportRowNormalizer(header, 'cost_details');
  return rows.map((row) => {
    const out: FocusExportNormalized = normalize(row);
    if (!out.focus) throw new Error(`rejected: ${out.rejected}`);
    return out.focus;
  });
}

const sum = (recs: Array<Record<string, unknown>>, c: string): number => Math.round(recs.reduce((a, r) => a + (r[c] as number), 0) * 100) / 100;

describe.each([
  ['1.0', 'ftk_FocusCost_1.0.json', false],
  ['1.0r2', 'ftk_focuscost_1.0r2.json', true],
  ['1.2-preview', 'ftk_FocusCost_1.2-preview.json', true],
  ['1.2', 'ftk_focuscost_1.2.json', true],
])('FocusCost %s rows', (version, list, withSeconds) => {
  const header = columnList(list);
  const records = normalizeAll(header, exportRows(header, withSeconds));

  it('become records that pass the conformance check, with the costs as written', () => {
    expect(isKnownFocusVersion(version)).toBe(true);
    expect(assertFocusConformance(records)).toBe(3);
    expect(sum(records, 'BilledCost')).toBe(32.4);
    expect(sum(records, 'EffectiveCost')).toBe(3.9);
    const purchase = records[2];
    expect(purchase).toMatchObject({ChargeCategory: 'Purchase', EffectiveCost: 0, BilledCost: 30, CommitmentDiscountType: 'Reservation'});
  });

  it('date-times with seconds and Z whatever the version wrote; Tags an object; 1.0’s x_ names filled into 1.2’s', () => {
    for (const r of records) {
      expect(r.ChargePeriodStart).toBe('2026-10-05T00:00:00Z');
      expect(r.ChargePeriodEnd).toBe('2026-10-06T00:00:00Z');
      expect(r.BillingPeriodEnd).toBe('2026-11-01T00:00:00Z');
      expect(typeof r.Tags).toBe('object');
      expect(r.InvoiceId).toBe('E0100ABCDE');
      expect(r.x_InvoiceId).toBe('E0100ABCDE');
      expect(r.PricingCurrency).toBe('EUR');
      expect(r.x_ParseErrors).toEqual([]);
      expect(r.x_RecordId).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(records[1].x_SkuTerm).toBe(12);
  });

  it('the usage view gets the VM and AKS attribution and tracking rules, as the other streams do', () => {
    const job: UnitJob = {stream: 'focus_costs', emitRecords: true, auditConflicts: false, metric: 'amortized', sourceApi: 'cost_details', emittedAt: 1, focus: {from: 'export', dataset: focusExportDataset(version)}};
    const rules = compileTrackingRules([{name: 'env', priority: 1, match: {'tags.env': '*'}, set: {env: '${tags.env}'}}]);
    const rows = exportRows(header, withSeconds);
    const out = processCsvRows([...rows, rows[0]], header, job, rules);
    expect(out.records).toBe(4);
    const text = Buffer.from(new RecordPipeline('focus_costs', undefined).finish(out)).toString();
    const lines = text.trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^\{"type":"RECORD","record":\{"stream":"focus_costs","emitted_at":1,"data":\{"x_RecordId":"[0-9a-f]{32}(-1)?","AvailabilityZone":/);
    const data = lines.map((l) => JSON.parse(l).record.data);
    // the repeated row: same hash, suffixed in place by the id's second step
    expect(data[3].x_RecordId).toBe(`${data[0].x_RecordId}-1`);
    expect(data[0]).toMatchObject({x_SourceDataset: `FocusCost ${version} export`, x_VmSku: 'Standard_D4s_v5', x_VmVcpus: 4, x_AksCluster: 'aks-prod', x_AksNodePool: 'nodepool1'});
    expect(data[1]).toMatchObject({x_Tracking: {env: 'prod'}, x_TrackingRules: ['env']});
    assertFocusConformance(data);
  });
});

describe('FocusCost versions and forms', () => {
  it('1.0-preview(v1): ChargeSubcategory, UsageQuantity and the old PricingCategory values read as 1.2’s columns', () => {
    const header = ['BilledCost', 'AmortizedCost', 'BillingAccountId', 'BillingCurrency', 'BillingPeriodStart', 'BillingPeriodEnd', 'ChargePeriodStart', 'ChargePeriodEnd',
      'ChargeCategory', 'ChargeSubcategory', 'ChargeFrequency', 'PricingCategory', 'UsageQuantity', 'UsageUnit', 'CommitmentDiscountId', 'ProviderName', 'PublisherName',
      'InvoiceIssuerName', 'ServiceName', 'ServiceCategory', 'ListCost', 'ContractedCost', 'Region', 'x_ResourceType', 'ChargeDescription', 'PricingQuantity', 'PricingUnit', 'BillingAccountName', 'ChargeClass'];
    const row = ['0', '1.5', '87654321', 'EUR', '2026-10-01T00:00Z', '2026-11-01T00:00Z', '2026-10-05T00:00Z', '2026-10-06T00:00Z', 'Usage', 'Used Commitment', 'Usage-Based',
      'Commitment-Based', '24', 'Hours', RES, 'Microsoft', 'Microsoft', 'Microsoft', 'Virtual Machines', 'Compute', '2.88', '2.4', 'westeurope', 'microsoft.compute/virtualmachines', 'x', '24', 'Hours', 'Contoso', ''];
    const [r] = normalizeAll(header, [row]);
    expect(r).toMatchObject({EffectiveCost: 1.5, PricingCategory: 'Committed', CommitmentDiscountStatus: 'Used', ConsumedQuantity: 24, ConsumedUnit: 'Hours', RegionName: 'westeurope', ServiceSubcategory: 'Virtual Machines'});
    expect(assertFocusConformance([r])).toBe(1);
    const refund = normalizeAll(header, [row.map((v, i) => (header[i] === 'ChargeSubcategory' ? 'Refund' : header[i] === 'ChargeCategory' ? 'Purchase' : v))])[0];
    expect(refund.ChargeClass).toBe('Correction');
  });

  it('a version never seen before: known columns by name, unknown ones passed through as text, a WARN to log', () => {
    const header = [...columnList('ftk_focuscost_1.2.json'), 'x_SomethingNew', 'FutureColumn'];
    const rows = exportRows(header, true).map((r) => {
      r[r.length - 2] = 'new';
      return r;
    });
    const records = normalizeAll(header, rows);
    assertFocusConformance(records);
    expect(records[0].x_SomethingNew).toBe('new');
    expect(records[0].FutureColumn).toBeNull();
    expect(isKnownFocusVersion('1.3')).toBe(false);
    expect(unknownFocusVersionWarning('1.3', 'focus-daily')).toContain('read by name');
    // an invoice id filled in at the month's close does not change the id
    const invoiced = normalizeAll(header, [rows[0].map((v, i) => (header[i] === 'InvoiceId' ? 'E0200XYZ' : v))]);
    expect(invoiced[0].x_RecordId).toBe(records[0].x_RecordId);
    // the unknown column enters the id: two rows differing there only are two charges
    const other = normalizeAll(header, [rows[0].map((v, i) => (i === header.length - 2 ? 'other' : v))]);
    expect(other[0].x_RecordId).not.toBe(records[0].x_RecordId);
  });

  it('columns in any order and any case; a header with a BOM', () => {
    const header = columnList('ftk_focuscost_1.0r2.json');
    const rows = exportRows(header, true);
    const order = header.map((_h, i) => i).reverse();
    const shuffled = normalizeAll(order.map((i) => (i === order[order.length - 1] ? '\uFEFF' : '') + header[i].toLowerCase()), rows.map((r) => order.map((i) => r[i])));
    const straight = normalizeAll(header, rows);
    expect(shuffled.map((r) => r.x_RecordId)).toEqual(straight.map((r) => r.x_RecordId));
    expect(shuffled[0]).toEqual(straight[0]);
  });

  it('rows without a usable ChargePeriodStart or cost are rejected; unreadable values are parse errors', () => {
    const header = columnList('ftk_focuscost_1.2.json');
    const normalize = focusExportRowNormalizer(header, 'cost_details');
    const row = exportRows(header, true)[0];
    const at = (name: string): number => header.indexOf(name);
    const noDate = [...row];
    noDate[at('ChargePeriodStart')] = 'yesterday';
    expect(normalize(noDate).rejected).toBe('unusable ChargePeriodStart');
    const noCost = [...row];
    noCost[at('EffectiveCost')] = '';
    expect(normalize(noCost).rejected).toBe('missing or unparseable BilledCost/EffectiveCost');
    expect(normalize(row.slice(1)).rejected).toBe('wrong number of fields');
    const bad = [...row];
    bad[at('ListUnitPrice')] = 'n/a';
    bad[at('x_SkuIsCreditEligible')] = 'maybe';
    const out = normalize(bad);
    expect(out.focus!.x_ParseErrors).toEqual(['ListUnitPrice', 'x_SkuIsCreditEligible']);
    expect(out.focus!.ListUnitPrice).toBeNull();
  });

  it.each([
    ['2026-10-05T00:00:00Z', '2026-10-05T00:00:00Z'],
    ['2026-10-05T00:00Z', '2026-10-05T00:00:00Z'],
    ['2026-10-05T13:45:10.1234567Z', '2026-10-05T13:45:10Z'],
    ['2026-10-05 00:00:00', '2026-10-05T00:00:00Z'],
    ['2026-10-05T02:00:00+02:00', '2026-10-05T00:00:00Z'],
    ['2026-10-05', '2026-10-05T00:00:00Z'],
    ['10/05/2026', '2026-10-05T00:00:00Z'],
    ['', null],
    ['2026-10-05T25:00:00Z', undefined],
    ['soon', undefined],
  ])('date-time %s → %s', (raw, expected) => {
    expect(focusDateTime(raw)).toBe(expected);
  });
});

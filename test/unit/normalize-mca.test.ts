import * as fs from 'fs';
import * as path from 'path';
import {enrichRecord} from '../../src/enrich';
import {costDetailsRowNormalizer, NormalizeContext} from '../../src/normalize';
import {agreementOfHeader, APPENDED_ID_FIELDS, FIELDS, ID_FIELDS} from '../../src/normalize/fields';
import {identityString} from '../../src/normalize/generated/record';
import {headerKey} from '../../src/normalize/aliases';
import {IdAssigner} from '../../src/normalize/id';
import {ID_SEPARATOR} from '../../src/normalize/id-encoding';
import {UsageRecord} from '../../src/normalize/usage-record';
import {TrackingRuleConfig} from '../../src/config/types';
import {applyTracking, compileTrackingRules} from '../../src/track';
import {SCALAR_FIELDS} from '../../src/track/fields';

// Microsoft's documented column lists (docs/design.md §7), copied from the shared header files
const DATASETS = path.join(__dirname, '..', 'fixtures', 'billing-datasets');
const header = (file: string): string[] => fs.readFileSync(path.join(DATASETS, file), 'utf8').trim().split(',');
const MCA_HEADER = header('mca_cost_details_2023-12-01-preview_header_from_docs.csv');
const EA_HEADER = header('ea_cost_details_2024-08-01_header_from_docs.csv');
const ACTUAL: NormalizeContext = {metric: 'actual', sourceApi: 'cost_details'};

const MCA_ACCOUNT = '0a1b2c3d-0000-4000-8000-000000000001:0a1b2c3d-0000-4000-8000-000000000002_2019-05-31';
const VM_ID = '/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/RG-Web/providers/Microsoft.Compute/virtualMachines/web-01';

/** One MCA row by column name (any case); unnamed columns are empty. */
const MCA_ROW: Record<string, string> = {
  invoiceId: 'G012345678', previousInvoiceId: '', billingAccountId: MCA_ACCOUNT, billingAccountName: 'Contoso',
  billingProfileId: 'AB12-CD34-EF5-GH6', billingProfileName: 'Contoso EU', invoiceSectionId: 'QRST-UVW-XYZ-123',
  invoiceSectionName: 'Platform', resellerName: 'Fabrikam', resellerMpnId: '1234567', costCenter: 'CC-7',
  billingPeriodStartDate: '2026-08-01', billingPeriodEndDate: '2026-08-31', servicePeriodStartDate: '2026-08-01',
  servicePeriodEndDate: '2026-08-31', date: '08/14/2026', serviceFamily: 'Compute', consumedService: 'Microsoft.Compute',
  meterId: 'A1B2C3D4-0000-4000-8000-00000000000A', meterName: 'D4s v5', meterCategory: 'Virtual Machines',
  meterSubCategory: 'Dsv5 Series', meterRegion: 'EU West', ProductId: 'DZH318Z0BQ4L', ProductName: 'Virtual Machines Dsv5 Series - D4s v5 - EU West',
  SubscriptionId: '11111111-2222-4333-8444-555555555555', subscriptionName: 'Web-Prod', publisherType: 'Azure',
  publisherId: '', publisherName: 'Microsoft', resourceGroupName: 'RG-Web', ResourceId: VM_ID, resourceLocation: 'West Europe',
  location: 'westeurope', effectivePrice: '0.192', quantity: '24', unitOfMeasure: '1 Hour', chargeType: 'Usage',
  billingCurrency: 'EUR', pricingCurrency: 'USD', costInBillingCurrency: '4.608', costInPricingCurrency: '4.9536',
  costInUsd: '4.9536', paygCostInBillingCurrency: '4.608', paygCostInUsd: '4.9536', exchangeRatePricingToBilling: '0.930232558',
  exchangeRateDate: '2026-08-01', isAzureCreditEligible: 'True', tags: '{"team":"web"}',
  additionalInfo: '{"ServiceType":"Standard_D4s_v5","VCPUs":4}', PayGPrice: '0.192', frequency: 'UsageBased',
  pricingModel: 'OnDemand', unitPrice: '0.192', provider: 'Azure',
};

function rowFor(hdr: readonly string[], values: Record<string, string>): string[] {
  const byKey = new Map(Object.entries(values).map(([k, v]) => [headerKey(k), v]));
  return hdr.map((h) => byKey.get(headerKey(h)) ?? '');
}

function normalize(hdr: string[], values: Record<string, string>, ctx = ACTUAL): UsageRecord {
  const n = costDetailsRowNormalizer(hdr, ctx)(rowFor(hdr, values));
  if (!n.record) throw new Error(`rejected: ${n.rejected}`);
  return n.record;
}

function withIds(records: UsageRecord[]): UsageRecord[] {
  const ids = new IdAssigner();
  for (const r of records) ids.assign(r);
  return records;
}

const mca = (over: Record<string, string> = {}): UsageRecord => normalize(MCA_HEADER, {...MCA_ROW, ...over});

/** The same charge as an EA 2024-08-01 row (EA column names). */
const EA_ROW: Record<string, string> = {
  InvoiceSectionName: 'Engineering', InvoiceSectionId: '4711', AccountName: 'Acct', AccountOwnerId: 'owner@contoso.com', AccountId: '99',
  SubscriptionId: MCA_ROW.SubscriptionId, SubscriptionName: 'Web-Prod', ResourceGroup: 'RG-Web', ResourceLocation: 'West Europe',
  Date: '08/14/2026', ProductName: MCA_ROW.ProductName, MeterCategory: 'Virtual Machines', MeterSubCategory: 'Dsv5 Series',
  MeterId: MCA_ROW.meterId, MeterName: 'D4s v5', MeterRegion: 'EU West', UnitOfMeasure: '1 Hour', Quantity: '24', EffectivePrice: '0.192',
  CostInBillingCurrency: '4.608', ConsumedService: 'Microsoft.Compute', ResourceId: VM_ID, Tags: '{"team":"web"}',
  AdditionalInfo: MCA_ROW.additionalInfo, ChargeType: 'Usage', Frequency: 'UsageBased', PricingModel: 'OnDemand',
  BillingAccountId: '12345678', BillingAccountName: 'Contoso EA', BillingCurrencyCode: 'EUR', BillingPeriodStartDate: '2026-08-01',
  BillingPeriodEndDate: '2026-08-31', BillingProfileId: '12345678', BillingProfileName: 'Contoso EA', IsAzureCreditEligible: 'True',
  PartNumber: 'AAH-12345', PayGPrice: '0.192', ResourceName: 'web-01', OfferId: 'MS-AZR-0017P',
};

describe('MCA cost details rows (docs/design.md §7)', () => {
  test('the header decides the agreement: MCA-only columns, matched case-insensitively', () => {
    expect(agreementOfHeader(MCA_HEADER.map(headerKey))).toBe('MCA');
    expect(agreementOfHeader(MCA_HEADER.map((h) => headerKey(h.toUpperCase())))).toBe('MCA');
    expect(agreementOfHeader(EA_HEADER.map(headerKey))).toBe('EA');
  });

  test('an MCA row fills the shared record: EA names from MCA columns, the added fields, no department/account', () => {
    const r = mca();
    expect(r).toMatchObject({
      agreement: 'MCA',
      usage_date: '2026-08-14',
      billing_account_id: MCA_ACCOUNT,
      billing_profile_id: 'AB12-CD34-EF5-GH6',
      resource_group: 'RG-Web',
      resource_location: 'West Europe',
      resource_name: 'web-01', // MCA has no ResourceName: the last segment of the resource id
      billing_currency: 'EUR',
      is_azure_credit_eligible: true,
      subscription_id: '11111111-2222-4333-8444-555555555555',
      cost: 4.608,
      cost_center: 'CC-7',
      // invoice sections are not written into department fields
      department_id: null,
      department_name: null,
      account_id: null,
      account_name: null,
      account_owner: null,
      offer_id: null,
      part_number: null,
      invoice_id: 'G012345678',
      previous_invoice_id: null,
      invoice_section_id: 'QRST-UVW-XYZ-123',
      invoice_section_name: 'Platform',
      reseller_name: 'Fabrikam',
      reseller_mpn_id: '1234567',
      service_period_start: '2026-08-01',
      service_period_end: '2026-08-31',
      product_id: 'DZH318Z0BQ4L',
      publisher_id: null,
      pricing_currency: 'USD',
      cost_in_pricing_currency: 4.9536,
      cost_in_usd: 4.9536,
      payg_cost: 4.608,
      payg_cost_in_usd: 4.9536,
      exchange_rate_pricing_to_billing: 0.930232558,
      exchange_rate_date: '2026-08-01',
      provider: 'Azure',
      parse_errors: [],
    });
  });

  test('column names match in any case: the same record from an upper- or lower-cased header', () => {
    const r = mca();
    for (const f of [(h: string) => h.toUpperCase(), (h: string) => h.toLowerCase()]) {
      const hdr = MCA_HEADER.map(f);
      const row = rowFor(MCA_HEADER, MCA_ROW);
      expect(costDetailsRowNormalizer(hdr, ACTUAL)(row).record).toEqual(r);
    }
  });

  test('isAzureCreditEligible False and an unparseable costInUsd (null, named in parse_errors)', () => {
    const r = mca({isAzureCreditEligible: 'False', costInUsd: 'n/a'});
    expect(r.is_azure_credit_eligible).toBe(false);
    expect(r.cost_in_usd).toBeNull();
    expect(r.parse_errors).toEqual(['cost_in_usd']);
  });

  test('EA rows: agreement EA, the added fields null, InvoiceSection* still the department', () => {
    const r = normalize(EA_HEADER, EA_ROW);
    expect(r.agreement).toBe('EA');
    expect(r).toMatchObject({department_id: '4711', department_name: 'Engineering', account_id: '99', resource_name: 'web-01', offer_id: 'MS-AZR-0017P'});
    for (const f of FIELDS.filter((x) => x.only === 'MCA')) expect([f.name, r[f.name as keyof UsageRecord]]).toEqual([f.name, null]);
  });

  test('VM and AKS enrichment work on MCA rows', () => {
    const vm = mca();
    enrichRecord(vm);
    expect(vm).toMatchObject({vm_sku: 'Standard_D4s_v5', vm_vcpus: 4});
    const aksId = '/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/MC_rg-k8s_prod-aks_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets/aks-userpool-12345678-vmss';
    const aks = mca({ResourceId: aksId, resourceGroupName: 'MC_rg-k8s_prod-aks_westeurope'});
    enrichRecord(aks);
    expect(aks).toMatchObject({aks_cluster: 'prod-aks', aks_cluster_resource_group: 'rg-k8s', aks_node_pool: 'userpool'});
  });

  test('tracking rules match and reference the added fields', () => {
    for (const f of ['invoice_section_name', 'invoice_id', 'agreement', 'cost_in_usd', 'reseller_name']) expect(SCALAR_FIELDS.has(f)).toBe(true);
    const rules = compileTrackingRules([
      {name: 'platform', match: {invoice_section_name: 'platform', agreement: 'MCA'}, set: {owner: '${invoice_section_name}@${billing_profile_id}'}},
    ] as TrackingRuleConfig[]);
    const r = mca();
    applyTracking(rules, r);
    expect(r.tracking).toEqual({owner: 'Platform@AB12-CD34-EF5-GH6'});
    const other = mca({invoiceSectionName: 'Data'});
    applyTracking(rules, other);
    expect(other.tracking).toEqual({});
  });
});

describe('ids with the added fields (docs/design.md §5)', () => {
  test('added fields enter the identity string as name=value only when present', () => {
    expect(APPENDED_ID_FIELDS).toEqual(['invoice_section_id', 'invoice_section_name', 'reseller_name', 'reseller_mpn_id', 'service_period_start', 'service_period_end', 'product_id', 'publisher_id', 'pricing_currency', 'provider']);
    for (const f of APPENDED_ID_FIELDS) expect(ID_FIELDS).toContain(f);
    // not identifying: the agreement (the billing account says it), measures, and what changes when a month is invoiced
    for (const f of ['agreement', 'invoice_id', 'previous_invoice_id', 'exchange_rate_date', 'cost_in_usd', 'payg_cost']) expect(ID_FIELDS).not.toContain(f);
    const ea = normalize(EA_HEADER, EA_ROW);
    expect(identityString(ea)).not.toContain('=');
    expect(identityString(ea).split(ID_SEPARATOR)).toHaveLength(ID_FIELDS.length - APPENDED_ID_FIELDS.length);
    const m = identityString(mca());
    expect(m).toContain(`${ID_SEPARATOR}invoice_section_id=QRST-UVW-XYZ-123${ID_SEPARATOR}invoice_section_name=Platform${ID_SEPARATOR}`);
    expect(m).not.toContain('publisher_id='); // empty column: absent
  });

  test('an EA row keeps its v1 id: the added fields are null and the agreement is not identifying', () => {
    const ea = normalize(EA_HEADER, EA_ROW);
    const v1 = ID_FIELDS.filter((f) => !APPENDED_ID_FIELDS.includes(f));
    expect(identityString(ea)).toBe(identityString({...ea, agreement: 'MCA'}));
    expect(identityString(ea).split(ID_SEPARATOR)).toHaveLength(v1.length);
  });

  test('MCA ids never collide with EA ids, nor across billing accounts', () => {
    const [ea, m, otherAccount] = withIds([normalize(EA_HEADER, EA_ROW), mca(), mca({billingAccountId: MCA_ACCOUNT.replace('0001:', '0009:')})]);
    expect(new Set([ea.id, m.id, otherAccount.id]).size).toBe(3);
  });

  test('distinct MCA charges get distinct ids: rows differing only in an added field', () => {
    const rows = withIds([mca(), mca({invoiceSectionId: 'OTHER-SEC', invoiceSectionName: 'Data'}), mca({resellerName: 'Other'}), mca({ProductId: 'OTHER'}), mca({servicePeriodStartDate: '2026-08-02'})]);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    for (const r of rows) expect(r.id).toMatch(/^[0-9a-f]{32}$/);
  });

  test('the same MCA charge keeps its id across scopes and across the month being invoiced', () => {
    const profileScope = mca({invoiceId: ''}); // open month, read at the billing profile
    // read at the invoice section after the invoice: other column order, other header casing, invoice ids filled
    const reordered = [...MCA_HEADER].reverse().map((h) => h.toLowerCase());
    const sectionScope = normalize(reordered, {...MCA_ROW, invoiceId: 'G099', previousInvoiceId: 'G098', exchangeRateDate: '2026-09-01', costInUsd: '5'});
    withIds([profileScope]);
    withIds([sectionScope]);
    expect(sectionScope.id).toBe(profileScope.id);
  });
});

import fs from 'fs';
import path from 'path';

import {GEN_SCRIPT, generateRecordModule, generateUsageSchema, RECORD_MODULE_PATH, USAGE_SCHEMA_PATH} from '../../scripts/gen-record';
import {costDetailsRowNormalizer, CSV_ALIASES, FIELD_NAMES, FIELDS, ID_FIELDS, identityString, normalizeEaRow} from '../../src/normalize';
import {headerKey} from '../../src/normalize/aliases';

/**
 * The record's fields are defined once, in src/normalize/fields.ts; the type, the identity
 * string, both normalizers and the stream schema are generated from it and committed.
 */
describe('generated from the field table', () => {
  it.each([
    ['src/normalize/generated/record.ts', RECORD_MODULE_PATH, generateRecordModule],
    ['resources/schemas/usage_details.json', USAGE_SCHEMA_PATH, generateUsageSchema],
  ])('%s is up to date with the table', (name, file, generate) => {
    const committed = fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
    if (committed !== generate()) throw new Error(`${name} is out of date with src/normalize/fields.ts: run \`npm run ${GEN_SCRIPT}\` and commit the result`);
    expect(path.isAbsolute(file)).toBe(true);
  });

  it('gives the schema every field, in table order', () => {
    const schema = JSON.parse(generateUsageSchema()) as {properties: Record<string, unknown>; required: string[]};
    expect(Object.keys(schema.properties)).toEqual(FIELD_NAMES);
    expect(schema.required).toEqual(['id', 'usage_date', 'cost']);
  });

  it('keeps measures and derived fields out of the id, and every other field in it', () => {
    for (const name of ['id', 'quantity', 'effective_price', 'unit_price', 'payg_price', 'cost', 'vm_sku', 'aks_cluster', 'tracking', 'tracking_rules', 'parse_errors']) expect(ID_FIELDS).not.toContain(name);
    for (const name of ['usage_date', 'metric', 'source_api', 'resource_id', 'is_azure_credit_eligible', 'tags', 'additional_info', 'availability_zone']) expect(ID_FIELDS).toContain(name);
    expect(new Set(FIELDS.map((f) => f.name)).size).toBe(FIELDS.length);
  });

  it('writes CSV aliases as header keys', () => {
    for (const [name, keys] of Object.entries(CSV_ALIASES)) for (const k of keys) expect([name, headerKey(k)]).toEqual([name, k]);
    expect(CSV_ALIASES.charges_billed_separately).toEqual(['chargesbilledseparately']);
  });

  it('changes the identity string with each identifying field, and not with the others', () => {
    const ctx = {metric: 'actual', sourceApi: 'ea_reporting'} as const;
    const base = normalizeEaRow({date: '2026-01-02', cost: 1, tags: {a: 'b'}, additionalInfo: {x: 1}, isAzureCreditEligible: true}, ctx).record!;
    const before = identityString(base);
    for (const f of FIELDS) {
      const changed = {...base, [f.name]: typeof (base as unknown as Record<string, unknown>)[f.name] === 'boolean' ? false : f.kind === 'tags' || f.kind === 'additional_info' ? {other: 'x'} : typeof (base as unknown as Record<string, unknown>)[f.name] === 'number' ? 99 : 'changed'};
      expect([f.name, identityString(changed) !== before]).toEqual([f.name, f.identifying]);
    }
  });

  it('normalizes a CSV row and the same EA row to one record, fields in table order', () => {
    const header = ['Date', 'CostInBillingCurrency', 'SubscriptionGuid', 'ResourceId', 'Tags', 'ChargesBilledSeparately', 'MeterSubCategory'];
    const csv = costDetailsRowNormalizer(header, {metric: 'actual', sourceApi: 'cost_details'})(['2026-01-02', '1.5', 'AB', '/subscriptions/s/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/vm1', '"a":"b"', 'false', 'sub']).record!;
    const ea = normalizeEaRow({date: '2026-01-02', cost: 1.5, subscriptionGuid: 'AB', instanceId: '/subscriptions/s/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/vm1', tags: {a: 'b'}, chargesBilledSeparately: false, meterSubcategory: 'sub'}, {metric: 'actual', sourceApi: 'cost_details'}).record!;
    expect(Object.keys(csv)).toEqual(FIELD_NAMES);
    expect(ea).toEqual(csv);
    expect(csv).toMatchObject({resource_group: 'RG', resource_name: 'vm1', is_azure_credit_eligible: true, meter_subcategory: 'sub', tags: {a: 'b'}});
  });
});

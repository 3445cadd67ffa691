import * as fs from 'fs';
import * as path from 'path';
import {normalizeEaRow, NormalizeContext} from '../../src/normalize';
import schema from '../../resources/schemas/usage_details.json';

const CTX: NormalizeContext = {metric: 'actual', sourceApi: 'ea_reporting'};
const sample = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'ea-reporting-v3-usagedetails-sample.json'), 'utf8'),
) as {data: Record<string, unknown>[]};

describe('normalizeEaRow', () => {
  test('the documented v3 sample row, per Microsoft migration mapping', () => {
    const n = normalizeEaRow(sample.data[0], CTX);
    const r = n.record!;
    expect(Object.keys(r).sort()).toEqual(Object.keys(schema.properties).sort());
    expect(r).toMatchObject({
      id: '',
      usage_date: '2018-08-01',
      metric: 'actual',
      source_api: 'ea_reporting',
      department_id: '3456',
      department_name: 'Department Name',
      account_id: '123456',
      account_name: 'Account Name',
      account_owner: 'account@live.com',
      cost_center: '1234',
      subscription_id: '00000000-0000-0000-0000-000000000000',
      subscription_name: 'Subscription Name',
      resource_id: 'id',
      resource_name: 'Id',
      resource_group: 'ResourceGroup',
      resource_type: null,
      resource_location: 'uswest',
      consumed_service: 'Microsoft.Compute',
      meter_id: '00000000-0000-0000-0000-000000000000',
      meter_name: 'Premium Storage - Page Blob/P10 (Units)',
      meter_category: 'Storage',
      meter_subcategory: 'Locally Redundant',
      meter_region: 'California',
      product_name: 'Locally Redundant Storage Premium Storage - Page Blob/P10 - US West',
      part_number: 'ABC-12345',
      unit_of_measure: 'Units',
      quantity: 1,
      effective_price: 1,
      cost: 1,
      offer_id: 'MS-AZR-0003P',
      // chargesBilledSeparately: false → eligible for Azure credit
      is_azure_credit_eligible: true,
      service_info1: 'string',
      service_info2: 'string',
      billing_account_id: null,
      billing_currency: null,
      unit_price: null,
      tags: null,
      additional_info: null,
      tracking: {},
      tracking_rules: [],
    });
    // the doc sample has the literal word "string" in tags and additionalInfo
    expect(r.parse_errors).toEqual(['tags', 'additional_info']);
  });

  test('realistic row: JSON strings, numbers as strings, serviceName/serviceTier fallbacks', () => {
    const r = normalizeEaRow(
      {
        date: '2018-08-02T00:00:00',
        cost: '0.123456789012345678901234567',
        consumedQuantity: '1,024',
        resourceRate: 1.5e-5,
        serviceName: 'Virtual Machines',
        serviceTier: 'Dv3 Series',
        subscriptionGuid: 'ED570627-0265-4620-BB42-BAE06BCFA914',
        subscriptionId: 12345,
        instanceId: '/subscriptions/ED570627-0265-4620-BB42-BAE06BCFA914/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/VM1',
        resourceGuid: 'AAAAAAAA-0000-0000-0000-000000000000',
        location: 'US West',
        tags: '{"env":"prod","kubernetes.io-created-for-pv-name":"pvc"}',
        additionalInfo: '{"ServiceType":"Standard_D2s_v3","VCPUs":2}',
        chargesBilledSeparately: true,
      },
      {metric: 'actual', sourceApi: 'ea_reporting'},
    ).record!;
    expect(r).toMatchObject({
      usage_date: '2018-08-02',
      cost: 0.123456789012345678901234567,
      quantity: 1024,
      effective_price: 0.000015,
      meter_category: 'Virtual Machines',
      meter_subcategory: 'Dv3 Series',
      subscription_id: 'ed570627-0265-4620-bb42-bae06bcfa914',
      resource_type: 'microsoft.compute/virtualmachines',
      resource_name: 'VM1',
      resource_group: 'RG',
      meter_id: 'aaaaaaaa-0000-0000-0000-000000000000',
      resource_location: 'US West',
      tags: {env: 'prod', 'kubernetes.io-created-for-pv-name': 'pvc'},
      additional_info: {ServiceType: 'Standard_D2s_v3', VCPUs: 2},
      is_azure_credit_eligible: false,
      parse_errors: [],
    });
  });

  test('tags as an object (already decoded) are accepted', () => {
    const r = normalizeEaRow({date: '2018-08-01', cost: 1, tags: {a: 'b', n: 1}}, CTX).record!;
    expect(r.tags).toEqual({a: 'b', n: '1'});
  });

  test('rejections', () => {
    expect(normalizeEaRow({cost: 1}, CTX).rejected).toBe('unusable date');
    expect(normalizeEaRow({date: '2018-02-30T00:00:00', cost: 1}, CTX).rejected).toBe('unusable date');
    expect(normalizeEaRow({date: '2018-08-01T00:00:00'}, CTX).rejected).toBe('missing cost');
    expect(normalizeEaRow({date: '2018-08-01T00:00:00', cost: 'NaN'}, CTX).rejected).toBe('unparseable cost');
    expect(normalizeEaRow({date: '2018-08-01T00:00:00', cost: null}, CTX).rejected).toBe('missing cost');
  });

  test('bad optional values → parse_errors', () => {
    const r = normalizeEaRow({date: '2018-08-01', cost: 2, consumedQuantity: 'x', chargesBilledSeparately: 'maybe'}, CTX).record!;
    expect(r.quantity).toBeNull();
    expect(r.parse_errors).toEqual(['quantity', 'is_azure_credit_eligible']);
  });
});

import * as fs from 'fs';
import * as path from 'path';
import {
  armSizeName,
  deriveVm,
  enrichRecord,
  isVmUsage,
  parseArmSize,
  parseMeterSize,
  parseVmMeterName,
  readInfoHints,
  vcpusOfSize,
  VmInput,
} from '../../src/enrich';
import {UsageRecord} from '../../src/normalize/usage-record';

interface MeterCase {
  meter_category: string | null;
  meter_subcategory: string | null;
  meter_name: string | null;
  consumed_service: string | null;
  charge_type: string | null;
  product_name: string | null;
  additional_info: Record<string, unknown> | null;
  expected: {vm_sku: string | null; vm_vcpus: number | null; vm_os: string | null; vm_priority: string | null};
  note: string;
}

const table = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../fixtures/meters/vm-meters.json'), 'utf8'),
) as {source: string; cases: MeterCase[]};

function input(c: Partial<VmInput>): VmInput {
  return {
    meter_category: 'Virtual Machines',
    meter_subcategory: null,
    meter_name: null,
    consumed_service: 'Microsoft.Compute',
    product_name: null,
    charge_type: 'Usage',
    ...c,
  };
}

describe('VM meter table (test/fixtures/meters/vm-meters.json)', () => {
  it('has at least 40 cases, each with a distinct input', () => {
    expect(table.cases.length).toBeGreaterThanOrEqual(40);
    const keys = new Set(table.cases.map((c) => JSON.stringify({...c, expected: undefined, note: undefined})));
    expect(keys.size).toBe(table.cases.length);
  });

  it.each(table.cases.map((c) => [`${c.meter_name} | ${c.meter_subcategory} | ${c.note}`, c] as const))(
    '%s',
    (_label, c) => {
      const hints = readInfoHints(c.additional_info);
      expect(deriveVm(c, hints)).toEqual(c.expected);
    },
  );
});

describe('size names', () => {
  it.each([
    ['Standard_D2s_v3', 'Standard_D2s_v3', 2],
    ['standard_d2s_v3', 'Standard_D2s_v3', 2],
    ['Standard_E4-2ds_v4', 'Standard_E4-2ds_v4', 2],
    ['Standard_NC24ads_A100_v4', 'Standard_NC24ads_A100_v4', 24],
    ['Standard_HB120rs_v3', 'Standard_HB120rs_v3', 120],
    ['Standard_DC2s_v2', 'Standard_DC2s_v2', 2],
    ['Standard_M416ms_v2', 'Standard_M416ms_v2', 416],
    ['Standard_DS14-8_v2', 'Standard_DS14-8_v2', 8],
    ['Standard_D5_v2', 'Standard_D5_v2', 16],
    ['Standard_A0', 'Standard_A0', 1],
    ['Basic_A3', 'Basic_A3', 4],
    ['Standard_G3', 'Standard_G3', 8],
    ['Standard_D2_v2_Promo', 'Standard_D2_v2_Promo', 2],
    ['Standard_B1ls', 'Standard_B1ls', 1],
  ])('ARM %s → %s, %i vCPUs', (name, arm, vcpus) => {
    const s = parseArmSize(name);
    expect(s).not.toBeNull();
    expect(armSizeName(s!)).toBe(arm);
    expect(vcpusOfSize(s!)).toBe(vcpus);
  });

  it.each(['', 'Standard_', 'Premium_LRS', 'Compute Hours', 'DSv3 Type 1', 'D2s v3 Extra'])(
    'meter size %p is not a size',
    (text) => {
      expect(parseMeterSize(text)).toBeNull();
    },
  );

  it('does not read a series name as a size (meter names keep Microsoft casing)', () => {
    expect(parseMeterSize('DSv3')).toBeNull();
    expect(parseMeterSize('Dv3/DSv3')).toBeNull();
  });

  it('parses meter suffixes in any order and case', () => {
    const m = parseVmMeterName('D2 v3/D2s v3 low priority');
    expect(m?.priority).toBe('low_priority');
    expect(m?.sizes.map(armSizeName)).toEqual(['Standard_D2_v3', 'Standard_D2s_v3']);
    expect(parseVmMeterName('D2 v2 Promo Spot')?.priority).toBe('spot');
    expect(parseVmMeterName('D2 v2 Promo Spot')?.promo).toBe(true);
  });

  it('multi-size meters whose sizes have different vCPU counts get no vCPUs', () => {
    expect(deriveVm(input({meter_name: 'D2 v3/D4s v3', meter_subcategory: 'Dv3/DSv3 Series'}))).toEqual({
      vm_sku: null,
      vm_vcpus: null,
      vm_os: 'Linux',
      vm_priority: 'regular',
    });
  });
});

describe('VM row classification', () => {
  it('is case-insensitive on category, charge type and consumed service', () => {
    expect(isVmUsage(input({meter_category: 'virtual machines', charge_type: 'usage'}))).toBe(true);
    expect(isVmUsage(input({meter_category: null, consumed_service: 'microsoft.compute', meter_subcategory: 'BS Series'}))).toBe(true);
    expect(isVmUsage(input({meter_category: null, consumed_service: 'Microsoft.Storage', meter_subcategory: 'BS Series'}))).toBe(false);
    expect(isVmUsage(input({charge_type: null}))).toBe(true);
    expect(isVmUsage(input({charge_type: 'Refund'}))).toBe(false);
    expect(isVmUsage(input({meter_category: 'Storage'}))).toBe(false);
  });

  it('a VM row with neither a size meter nor ServiceType gets nulls', () => {
    expect(deriveVm(input({meter_name: 'Compute Hours'}))).toEqual({vm_sku: null, vm_vcpus: null, vm_os: null, vm_priority: null});
    expect(deriveVm(input({meter_name: null}))).toEqual({vm_sku: null, vm_vcpus: null, vm_os: null, vm_priority: null});
  });

  it('ServiceType alone is enough; priority is then unknown without a meter name', () => {
    const hints = readInfoHints({ServiceType: 'Standard_D2s_v3'});
    expect(deriveVm(input({meter_name: null}), hints)).toEqual({
      vm_sku: 'Standard_D2s_v3',
      vm_vcpus: 2,
      vm_os: 'Linux',
      vm_priority: null,
    });
  });

  it('an unparseable ServiceType is kept as is; VCPUs from AdditionalInfo wins', () => {
    const hints = readInfoHints({serviceType: 'Standard_Weird_Size', VCPUs: '12'});
    expect(deriveVm(input({meter_name: 'D2s v3'}), hints)).toMatchObject({vm_sku: 'Standard_Weird_Size', vm_vcpus: 12});
  });

  it('ignores blank and non-numeric AdditionalInfo values', () => {
    const hints = readInfoHints({ServiceType: '  ', VCPUs: 'many', ImageType: ''});
    expect(hints.serviceType).toBeNull();
    expect(hints.vcpus).toBeNull();
    expect(deriveVm(input({meter_name: 'D4s v3'}), hints)).toMatchObject({vm_sku: 'Standard_D4s_v3', vm_vcpus: 4});
  });

  it('Windows from the product name when the sub-category is missing', () => {
    expect(
      deriveVm(input({meter_name: 'D2s v3', product_name: 'Virtual Machines DSv3 Series Windows - D2s v3 - EU West'})).vm_os,
    ).toBe('Windows');
  });
});

describe('enrichRecord', () => {
  function record(over: Partial<UsageRecord>): UsageRecord {
    return {
      meter_category: null, meter_subcategory: null, meter_name: null, consumed_service: null,
      product_name: null, charge_type: null, additional_info: null, tags: null,
      resource_group: null, resource_id: null, resource_name: null,
      vm_sku: 'stale', vm_vcpus: 99, vm_os: 'Windows', vm_priority: 'spot',
      aks_cluster: 'stale', aks_cluster_resource_group: 'stale', aks_node_pool: 'stale',
      ...over,
    } as UsageRecord;
  }

  it('overwrites stale values with nulls on non-VM, non-AKS rows', () => {
    const r = record({meter_category: 'Storage', meter_name: 'P10 LRS Disk', resource_group: 'rg-app'});
    enrichRecord(r);
    expect(r).toMatchObject({
      vm_sku: null, vm_vcpus: null, vm_os: null, vm_priority: null,
      aks_cluster: null, aks_cluster_resource_group: null, aks_node_pool: null,
    });
  });

  it('fills VM and AKS fields of an AKS node row (finops-toolkit sample)', () => {
    const r = record({
      meter_category: 'Virtual Machines',
      meter_subcategory: 'Dv2/DSv2 Series',
      meter_name: 'D2 v2/DS2 v2',
      consumed_service: 'Microsoft.Compute',
      charge_type: 'Usage',
      resource_group: 'MC_ANALYTICSENGINE_ANALYTICSENGINE_EASTUS',
      resource_id:
        '/subscriptions/x/resourceGroups/MC_ANALYTICSENGINE_ANALYTICSENGINE_EASTUS/providers/Microsoft.Compute/virtualMachineScaleSets/aks-agentpool-42850074-vmss',
      resource_name: 'aks-agentpool-42850074-vmss',
      additional_info: {
        UsageType: 'ComputeHR',
        ImageType: 'Canonical',
        ServiceType: 'Standard_DS2_v2',
        VMName: 'aks-agentpool-42850074-vmss_1',
        VMProperties: 'Microsoft.AKS.Compute.AKS.Linux.Billing',
      },
    });
    enrichRecord(r);
    expect(r).toMatchObject({
      vm_sku: 'Standard_DS2_v2', vm_vcpus: 2, vm_os: 'Linux', vm_priority: 'regular',
      aks_cluster: 'analyticsengine', aks_cluster_resource_group: 'analyticsengine', aks_node_pool: 'agentpool',
    });
  });
});

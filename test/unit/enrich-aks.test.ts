import {deriveAks, parseNodeResourceGroup, poolFromName, readInfoHints, resourceGroupOf} from '../../src/enrich';
import type {AksInput} from '../../src/enrich';

const NONE = {aks_cluster: null, aks_cluster_resource_group: null, aks_node_pool: null};

function aks(over: Partial<AksInput>, info: Record<string, unknown> | null = null) {
  return deriveAks({tags: null, resource_group: null, resource_id: null, resource_name: null, ...over}, readInfoHints(info));
}

describe('parseNodeResourceGroup', () => {
  it.each([
    ['MC_myrg_mycluster_eastus', 'myrg', 'mycluster', 'eastus'],
    ['mc_myrg_mycluster_eastus', 'myrg', 'mycluster', 'eastus'],
    ['MC_ANALYTICSENGINE_ANALYTICSENGINE_EASTUS', 'analyticsengine', 'analyticsengine', 'eastus'],
    ['mc_aksccmextensibilitypoc_test-cluster-2_eastus', 'aksccmextensibilitypoc', 'test-cluster-2', 'eastus'],
    ['MC_rg-pay.prod_aks-pay-01_westeurope', 'rg-pay.prod', 'aks-pay-01', 'westeurope'],
    ['MC_rg_cluster_australiacentral2', 'rg', 'cluster', 'australiacentral2'],
    ['MC_rg_cluster_usgovvirginia', 'rg', 'cluster', 'usgovvirginia'],
  ])('%s → rg %s, cluster %s, region %s', (name, rg, cluster, region) => {
    expect(parseNodeResourceGroup(name)).toMatchObject({resourceGroup: rg, cluster, region});
  });

  it.each([
    'mc_records', // starts with mc_ but nothing else
    'mc_finance_reports', // no region suffix
    'MC_rg_cluster_notaregion',
    'MC_rg_cluster_', // empty region
    'MC__eastus', // nothing between
    'MC_cluster_eastus', // no rg/cluster split
    'rg-MC_rg_cluster_eastus', // MC_ not at the start
    'MCrg_cluster_eastus',
  ])('%s is not a node resource group', (name) => {
    expect(parseNodeResourceGroup(name)).toBeNull();
  });

  it('an underscore in rg or cluster makes the split ambiguous: both null, candidates listed', () => {
    const p = parseNodeResourceGroup('MC_rg_prod_aks_eastus');
    expect(p).toMatchObject({resourceGroup: null, cluster: null, region: 'eastus'});
    expect(p?.candidates).toEqual([
      ['rg', 'prod_aks'],
      ['rg_prod', 'aks'],
    ]);
  });

  it('a known cluster or resource group settles an ambiguous split', () => {
    expect(parseNodeResourceGroup('MC_rg_prod_aks_eastus', {cluster: 'AKS'})).toMatchObject({resourceGroup: 'rg_prod', cluster: 'aks'});
    expect(parseNodeResourceGroup('MC_rg_prod_aks_eastus', {resourceGroup: 'rg'})).toMatchObject({resourceGroup: 'rg', cluster: 'prod_aks'});
    expect(parseNodeResourceGroup('MC_rg_prod_aks_eastus', {cluster: 'other'})).toMatchObject({resourceGroup: null, cluster: null});
  });

  it('anchors on the region at the end even when the cluster name contains a region name', () => {
    expect(parseNodeResourceGroup('MC_rg_eastus_westeurope')).toMatchObject({resourceGroup: 'rg', cluster: 'eastus', region: 'westeurope'});
  });
});

describe('poolFromName', () => {
  it.each([
    ['aks-agentpool-12345678-vmss', 'agentpool'],
    ['AKS-AGENTPOOL-12345678-VMSS', 'agentpool'],
    ['aks-agentpool-12345678-vmss_0_OsDisk_1_0f1e2d3c4b5a69788796a5b4c3d2e1f0', 'agentpool'],
    ['aks-userpool2-37660393-vmss_4', 'userpool2'],
    [
      '/subscriptions/s/resourceGroups/MC_rg_c_eastus/providers/Microsoft.Compute/virtualMachineScaleSets/aks-np1-12345678-vmss/virtualMachines/3/networkInterfaces/aks-np1-12345678-vmss',
      'np1',
    ],
    ['aks-nodepool1-12345678-0', 'nodepool1'],
    ['aks-nodepool1-12345678-0_OsDisk_1_abc', 'nodepool1'],
    ['aks-nodepool1-12345678-nic-0', 'nodepool1'],
  ])('%s → %s', (name, pool) => {
    expect(poolFromName(name)).toBe(pool);
  });

  it.each([null, '', 'kubernetes', 'pvc-ce11a08b-fe88-42df-8b88-5151819181d9', 'aks-agentpool-vmss', 'my-aks-agentpool-12345678-vmss', 'aks-agentpool-12345678-vmssx'])(
    '%p names no pool',
    (name) => {
      expect(poolFromName(name)).toBeNull();
    },
  );
});

describe('resourceGroupOf', () => {
  it('prefers the resource group field, else reads it from the resource id', () => {
    expect(resourceGroupOf({resource_group: 'RG', resource_id: '/subscriptions/s/resourceGroups/other/x'})).toBe('RG');
    expect(resourceGroupOf({resource_group: null, resource_id: '/subscriptions/s/resourcegroups/MC_a_b_eastus/providers/x'})).toBe('MC_a_b_eastus');
    expect(resourceGroupOf({resource_group: null, resource_id: null})).toBeNull();
  });
});

describe('deriveAks', () => {
  const vmssId =
    '/subscriptions/s/resourceGroups/MC_ANALYTICSENGINE_ANALYTICSENGINE_EASTUS/providers/Microsoft.Compute/virtualMachineScaleSets/aks-agentpool-42850074-vmss';

  it('node VM from the resource group and scale-set name', () => {
    expect(aks({resource_group: 'MC_ANALYTICSENGINE_ANALYTICSENGINE_EASTUS', resource_id: vmssId, resource_name: 'aks-agentpool-42850074-vmss'})).toEqual({
      aks_cluster: 'analyticsengine',
      aks_cluster_resource_group: 'analyticsengine',
      aks_node_pool: 'agentpool',
    });
  });

  it('OS disk of a node', () => {
    expect(
      aks({
        resource_group: 'mc_myrg_mycluster_westeurope',
        resource_name: 'aks-agentpool-12345678-vmss_0_OsDisk_1_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
      }),
    ).toEqual({aks_cluster: 'mycluster', aks_cluster_resource_group: 'myrg', aks_node_pool: 'agentpool'});
  });

  it('persistent-volume disk, load balancer and public IP: cluster without pool', () => {
    for (const name of ['pvc-ce11a08b-fe88-42df-8b88-5151819181d9', 'kubernetes', 'kubernetes-a1b2c3']) {
      expect(aks({resource_group: 'mc_aksccmextensibilitypoc_test-cluster-1_eastus', resource_name: name})).toEqual({
        aks_cluster: 'test-cluster-1',
        aks_cluster_resource_group: 'aksccmextensibilitypoc',
        aks_node_pool: null,
      });
    }
  });

  it('bandwidth of a node: pool from AdditionalInfo VmName, resource group from the resource id', () => {
    expect(
      aks(
        {resource_id: '/subscriptions/s/resourcegroups/mc_aksccmextensibilitypoc_test-cluster-2_eastus/providers/microsoft.compute/virtualmachinescalesets/x'},
        {VmName: 'aks-agentpool-37660393-vmss_4'},
      ),
    ).toEqual({aks_cluster: 'test-cluster-2', aks_cluster_resource_group: 'aksccmextensibilitypoc', aks_node_pool: 'agentpool'});
  });

  it('aks-managed tags win over the resource group name, with keys in any case', () => {
    expect(
      aks({
        resource_group: 'MC_rg_prod_aks_eastus',
        resource_name: 'aks-agentpool-12345678-vmss',
        tags: {'AKS-Managed-Cluster-Name': 'Payments-AKS', 'aks-managed-cluster-rg': 'RG-Payments', 'aks-managed-poolName': 'Gpu'},
      }),
    ).toEqual({aks_cluster: 'payments-aks', aks_cluster_resource_group: 'rg-payments', aks_node_pool: 'gpu'});
  });

  it('one tag settles an ambiguous resource-group split', () => {
    expect(aks({resource_group: 'MC_rg_prod_aks_eastus', tags: {'aks-managed-cluster-name': 'aks'}})).toEqual({
      aks_cluster: 'aks',
      aks_cluster_resource_group: 'rg_prod',
      aks_node_pool: null,
    });
  });

  it('ambiguous split and no tags: AKS row, but cluster and resource group stay null', () => {
    expect(aks({resource_group: 'MC_rg_prod_aks_eastus', resource_name: 'aks-system-12345678-vmss'})).toEqual({
      aks_cluster: null,
      aks_cluster_resource_group: null,
      aks_node_pool: 'system',
    });
  });

  it('custom node resource group: tags and VMProperties still identify the row', () => {
    expect(aks({resource_group: 'rg-aks-nodes', tags: {'aks-managed-cluster-name': 'prod'}})).toEqual({
      aks_cluster: 'prod',
      aks_cluster_resource_group: null,
      aks_node_pool: null,
    });
    expect(
      aks({resource_group: 'rg-aks-nodes', resource_name: 'aks-pool1-12345678-vmss'}, {VMProperties: 'Microsoft.AKS.Compute.AKS.Linux.Billing'}),
    ).toEqual({aks_cluster: null, aks_cluster_resource_group: null, aks_node_pool: 'pool1'});
  });

  it('non-AKS rows get nulls, even with AKS-looking names', () => {
    expect(aks({resource_group: 'mc_finance_reports', resource_name: 'aks-agentpool-12345678-vmss'})).toEqual(NONE);
    expect(aks({resource_group: 'rg-app', resource_name: 'aks-web-12345678-vmss'})).toEqual(NONE);
    expect(aks({resource_group: 'mc_records'})).toEqual(NONE);
    expect(aks({})).toEqual(NONE);
    expect(aks({resource_group: 'rg', tags: {env: 'prod'}}, {VMProperties: 'Something.Else'})).toEqual(NONE);
  });

  it('ignores empty tag values', () => {
    expect(aks({resource_group: 'MC_a_b_eastus', tags: {'aks-managed-cluster-name': ' ', 'aks-managed-poolName': ''}})).toEqual({
      aks_cluster: 'b',
      aks_cluster_resource_group: 'a',
      aks_node_pool: null,
    });
  });
});

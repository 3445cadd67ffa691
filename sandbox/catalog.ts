/**
 * The fixed shape of the synthetic enrollment: departments, accounts, subscriptions, resource
 * groups, AKS clusters, VM sizes, reservations. Only usage amounts vary per day; the structure is
 * constant so tracking rules and AKS detection have stable things to match.
 */

export interface Department {
  id: string;
  name: string;
}

export interface Account {
  id: string;
  name: string;
  owner: string;
  dept: number;
}

export interface Subscription {
  guid: string;
  name: string;
  account: number;
  costCenter: string;
  offer: string;
  region: string;
  rgs: string[];
  /** Numeric id the old EA API used. */
  legacyId: number;
}

export interface Region {
  name: string; // normalized ARM name
  display: string; // as seen in ResourceLocation of some files
  meterRegion: string; // "EU West"
}

export const REGIONS: Record<string, Region> = {
  westeurope: {name: 'westeurope', display: 'WestEurope', meterRegion: 'EU West'},
  northeurope: {name: 'northeurope', display: 'NorthEurope', meterRegion: 'EU North'},
  eastus: {name: 'eastus', display: 'EastUS', meterRegion: 'US East'},
  uksouth: {name: 'uksouth', display: 'UKSouth', meterRegion: 'UK South'},
};

export const DEPARTMENTS: Department[] = [
  {id: '184211', name: 'Payments'},
  {id: '184212', name: 'Data Platform'},
  {id: '184213', name: 'Shared IT'},
];

export const ACCOUNTS: Account[] = [
  {id: '301001', name: 'Payments Engineering', owner: 'pay-owner@contoso-sandbox.example', dept: 0},
  {id: '301002', name: 'Payments QA', owner: 'pay-qa@contoso-sandbox.example', dept: 0},
  {id: '301003', name: 'Data Engineering', owner: 'data-eng@contoso-sandbox.example', dept: 1},
  {id: '301004', name: 'Data Science', owner: 'ds-lead@contoso-sandbox.example', dept: 1},
  {id: '301005', name: 'Cloud Platform', owner: 'platform@contoso-sandbox.example', dept: 2},
  {id: '301006', name: 'Corporate IT', owner: 'corp-it@contoso-sandbox.example', dept: 2},
];

export const SUBSCRIPTIONS: Subscription[] = [
  {guid: '5f1c2a7e-3b4d-4e8f-9a01-b2c3d4e5f601', name: 'Payments Production', account: 0, costCenter: 'CC-100', offer: 'MS-AZR-0017P', region: 'westeurope', rgs: ['rg-pay-prod', 'rg-pay-shared', 'rg_pay_prod'], legacyId: 41001},
  {guid: '5f1c2a7e-3b4d-4e8f-9a01-b2c3d4e5f602', name: 'Payments Staging', account: 1, costCenter: 'CC-100', offer: 'MS-AZR-0148P', region: 'westeurope', rgs: ['rg-pay-stg'], legacyId: 41002},
  {guid: '9ec51cfd-5ca7-4d76-8101-dd0a4abc5603', name: 'Data Platform Prod', account: 2, costCenter: 'CC-200', offer: 'MS-AZR-0017P', region: 'eastus', rgs: ['rg-data-lake', 'rg-data-ingest', 'AnalyticsEngine'], legacyId: 41003},
  {guid: '9ec51cfd-5ca7-4d76-8101-dd0a4abc5604', name: 'Data Science Sandbox', account: 3, costCenter: 'CC-210', offer: 'MS-AZR-0148P', region: 'westeurope', rgs: ['rg-ml-experiments'], legacyId: 41004},
  {guid: '0a7d3e91-6c2b-4f4a-8d5e-1f2a3b4c5d05', name: 'Shared Networking', account: 4, costCenter: 'CC-900', offer: 'MS-AZR-0017P', region: 'westeurope', rgs: ['rg-hub-network', 'rg-dns'], legacyId: 41005},
  {guid: '0a7d3e91-6c2b-4f4a-8d5e-1f2a3b4c5d06', name: 'Shared Observability', account: 4, costCenter: '', offer: 'MS-AZR-0017P', region: 'northeurope', rgs: ['rg-monitoring', 'rg-logs'], legacyId: 41006},
  {guid: '64e355d7-997c-491d-b0c1-8414dccfcf07', name: 'Corporate IT', account: 5, costCenter: 'CC-910', offer: 'MS-AZR-0017P', region: 'uksouth', rgs: ['rg-corp-apps', 'rg-sql-legacy', 'rg-vdi'], legacyId: 41007},
  {guid: '64e355d7-997c-491d-b0c1-8414dccfcf08', name: 'Marketing Web', account: 3, costCenter: 'CC-310', offer: 'MS-AZR-0017P', region: 'northeurope', rgs: ['rg-web', 'rg-web-aks-nodes'], legacyId: 41008},
];

export interface VmSize {
  arm: string; // exact ARM size, AdditionalInfo.ServiceType
  meter: string; // MeterName as billed
  family: string; // MeterSubCategory (Linux); Windows adds " Windows"
  vcpus: number;
  price: string; // hourly, Linux
  winPrice: string; // hourly, Windows
  priority: 'regular' | 'spot' | 'low_priority';
}

export const VM_SIZES: Record<string, VmSize> = {
  D2s_v3: {arm: 'Standard_D2s_v3', meter: 'D2s v3', family: 'Dsv3 Series', vcpus: 2, price: '0.096', winPrice: '0.188', priority: 'regular'},
  D4s_v3: {arm: 'Standard_D4s_v3', meter: 'D4s v3', family: 'Dsv3 Series', vcpus: 4, price: '0.192', winPrice: '0.376', priority: 'regular'},
  D4s_v3_spot: {arm: 'Standard_D4s_v3', meter: 'D4s v3 Spot', family: 'Dsv3 Series', vcpus: 4, price: '0.03847', winPrice: '0.07519', priority: 'spot'},
  D2s_v3_low: {arm: 'Standard_D2s_v3', meter: 'D2 v3/D2s v3 Low Priority', family: 'Dv3/DSv3 Series', vcpus: 2, price: '0.0192', winPrice: '0.0376', priority: 'low_priority'},
  E4_2ds_v4: {arm: 'Standard_E4-2ds_v4', meter: 'E4-2ds v4', family: 'Edsv4 Series', vcpus: 2, price: '0.296', winPrice: '0.48', priority: 'regular'},
  B1s: {arm: 'Standard_B1s', meter: 'B1s', family: 'BS Series', vcpus: 1, price: '0.0104', winPrice: '0.0146', priority: 'regular'},
  F8s_v2: {arm: 'Standard_F8s_v2', meter: 'F8s v2', family: 'FSv2 Series', vcpus: 8, price: '0.338', winPrice: '0.706', priority: 'regular'},
  NC6s_v3: {arm: 'Standard_NC6s_v3', meter: 'NC6s v3', family: 'NCSv3 Series', vcpus: 6, price: '3.06', winPrice: '3.336', priority: 'regular'},
  DS2_v2: {arm: 'Standard_DS2_v2', meter: 'D2 v2/DS2 v2', family: 'Dv2/DSv2 Series', vcpus: 2, price: '0.146', winPrice: '0.238', priority: 'regular'},
};

export interface Reservation {
  id: string;
  orderId: string;
  name: string;
  size: string; // key of VM_SIZES
  region: string;
  termMonths: number;
  amortizedRate: string; // hourly effective price when amortized
  monthly: string; // recurring monthly payment
  upfront: string; // one-time purchase price
  sub: number;
}

export const RESERVATIONS: Reservation[] = [
  {id: 'f39d1c73-af74-4308-9083-fbf5efab3701', orderId: 'a965d46f-aedf-4176-8ff1-2617943b8901', name: 'VM_RI_PAY_D2S_WEU', size: 'D2s_v3', region: 'westeurope', termMonths: 12, amortizedRate: '0.0612', monthly: '44.676', upfront: '536.112', sub: 0},
  {id: 'f39d1c73-af74-4308-9083-fbf5efab3702', orderId: 'a965d46f-aedf-4176-8ff1-2617943b8902', name: 'ProdDS2VMReservation', size: 'DS2_v2', region: 'eastus', termMonths: 36, amortizedRate: '0.061644', monthly: '44.99964', upfront: '1619.98704', sub: 2},
  {id: 'f39d1c73-af74-4308-9083-fbf5efab3703', orderId: 'a965d46f-aedf-4176-8ff1-2617943b8903', name: 'VM_RI_CORP_B1S_UKS', size: 'B1s', region: 'uksouth', termMonths: 36, amortizedRate: '0.0039', monthly: '2.847', upfront: '102.492', sub: 6},
];

export interface NodePool {
  name: string;
  digits: string;
  size: string; // key of VM_SIZES
  reservation?: number;
}

export interface AksCluster {
  sub: number;
  rg: string;
  name: string;
  region: string;
  /** Node resource group; default MC_<rg>_<cluster>_<region>, or an override. */
  nodeRg: string;
  /** Whether nodes carry aks-managed-* tags (old clusters do not). */
  managedTags: boolean;
  pools: NodePool[];
  team: string;
  env: string;
}

export const AKS_CLUSTERS: AksCluster[] = [
  {sub: 0, rg: 'rg_pay_prod', name: 'aks_pay_01', region: 'westeurope', nodeRg: 'MC_rg_pay_prod_aks_pay_01_westeurope', managedTags: true, team: 'payments', env: 'prod',
    pools: [{name: 'system', digits: '31415926', size: 'D2s_v3', reservation: 0}, {name: 'payapi', digits: '27182818', size: 'D4s_v3'}, {name: 'spot', digits: '16180339', size: 'D4s_v3_spot'}]},
  {sub: 2, rg: 'AnalyticsEngine', name: 'AnalyticsEngine', region: 'eastus', nodeRg: 'MC_AnalyticsEngine_AnalyticsEngine_eastus', managedTags: false, team: 'data', env: 'prod',
    pools: [{name: 'agentpool', digits: '42850074', size: 'DS2_v2', reservation: 1}]},
  {sub: 3, rg: 'rg-ml-experiments', name: 'aks-ml', region: 'westeurope', nodeRg: 'MC_rg-ml-experiments_aks-ml_westeurope', managedTags: true, team: 'data-science', env: 'dev',
    pools: [{name: 'gpu', digits: '58209749', size: 'NC6s_v3'}, {name: 'lowpri', digits: '44592307', size: 'D2s_v3_low'}]},
  {sub: 7, rg: 'rg-web', name: 'aks-web-prod', region: 'northeurope', nodeRg: 'rg-web-aks-nodes', managedTags: true, team: 'marketing', env: 'prod',
    pools: [{name: 'web', digits: '81640628', size: 'F8s_v2'}]},
];

export interface StandaloneVm {
  sub: number;
  rg: string;
  name: string;
  size: string;
  os: 'Windows' | 'Linux';
  zone: string;
  reservation?: number;
  tags: Array<[string, string]>;
}

export const VMS: StandaloneVm[] = [
  {sub: 0, rg: 'rg-pay-prod', name: 'vm-pay-api-01', size: 'D2s_v3', os: 'Windows', zone: '1', reservation: 0, tags: [['env', 'prod'], ['team', 'payments'], ['app', 'pay-api']]},
  {sub: 0, rg: 'rg-pay-prod', name: 'vm-pay-batch-02', size: 'E4_2ds_v4', os: 'Linux', zone: '2', tags: [['env', 'prod'], ['team', 'payments'], ['owner:email', 'ops@contoso-sandbox.example']]},
  {sub: 1, rg: 'rg-pay-stg', name: 'vm-pay-stg-01', size: 'D2s_v3', os: 'Linux', zone: '', tags: [['env', 'staging'], ['team', 'payments']]},
  {sub: 2, rg: 'rg-data-ingest', name: 'ingest-worker-07', size: 'F8s_v2', os: 'Linux', zone: '', tags: [['env', 'prod'], ['team', 'data'], ['cost/owner', 'data-eng']]},
  {sub: 3, rg: 'rg-ml-experiments', name: 'gpu-notebook-01', size: 'NC6s_v3', os: 'Linux', zone: '', tags: [['env', 'dev'], ['team', 'data-science'], ['expires', '']]},
  {sub: 4, rg: 'rg-hub-network', name: 'jumpbox', size: 'B1s', os: 'Linux', zone: '', tags: [['env', 'prod'], ['team', 'platform']]},
  {sub: 6, rg: 'rg-corp-apps', name: 'corp-dc01', size: 'B1s', os: 'Windows', zone: '', reservation: 2, tags: [['env', 'prod'], ['team', 'corp-it']]},
  {sub: 6, rg: 'rg-vdi', name: 'vdi-host-03', size: 'E4_2ds_v4', os: 'Windows', zone: '3', tags: [['env', 'prod'], ['team', 'corp-it'], ['ms-resource-usage', 'azure-cloud-shell']]},
  {sub: 6, rg: 'rg-sql-legacy', name: 'sql-legacy-01', size: 'D4s_v3', os: 'Windows', zone: '', tags: []},
];

export interface Marketplace {
  publisher: string;
  product: string;
  plan: string;
  meterCategory: string;
  meter: string;
  sub: number;
  rg: string;
  resource: string;
  price: string;
}

export const MARKETPLACE: Marketplace[] = [
  {publisher: 'Datadog, Inc.', product: 'Datadog - Pro - Monthly', plan: 'Pro Plan', meterCategory: 'SaaS', meter: 'Pro Host', sub: 5, rg: 'rg-monitoring', resource: 'datadog-org-contoso', price: '0.75'},
  {publisher: 'Canonical', product: 'Ubuntu Pro 22.04 LTS', plan: 'pro-22_04-lts', meterCategory: 'Virtual Machine Licenses', meter: '1 vCPU VM License', sub: 2, rg: 'rg-data-ingest', resource: 'ingest-worker-07', price: '0.0075'},
  {publisher: 'Elastic', product: 'Elastic Cloud (Elasticsearch) - Standard', plan: 'ec-azure-standard', meterCategory: 'SaaS', meter: 'ECU', sub: 5, rg: 'rg-logs', resource: 'elastic-logs', price: '0.2585'},
];

/**
 * The fixed shape of the synthetic MCA billing account: two billing profiles (one billed in USD,
 * one in EUR), two invoice sections each, subscriptions under the sections, VMs, AKS clusters,
 * reservations and Marketplace offers. Subscription ids are disjoint from the EA enrollment's, so
 * every row belongs to exactly one agreement, profile, section and subscription.
 */
import type {ReservationLike} from './row-core';

/** Default MCA billing account id: `{guid}:{guid}_{yyyy-MM-dd}` (the colon is part of the id). */
export const DEFAULT_MCA_ACCOUNT_ID = '6f3b2c1d-8e9a-4b7c-9d0e-1a2b3c4d5e6f:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d_2019-05-31';

export const MCA_ACCOUNT_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}_\d{4}-\d{2}-\d{2}$/i;

export interface McaProfile {
  id: string;
  name: string;
  currency: 'USD' | 'EUR';
  /** The profile's Azure plan (productOrderId of its usage rows). */
  azurePlanId: string;
}

export interface McaSection {
  id: string;
  name: string;
  profile: number;
}

export interface McaSubscription {
  guid: string;
  name: string;
  section: number;
  costCenter: string;
  region: string;
  rgs: string[];
}

export const MCA_PROFILES: McaProfile[] = [
  {id: 'AB12-CD34-EF5-GH6', name: 'Contoso Engineering', currency: 'USD', azurePlanId: '2b6c7d8e-1f0a-4b3c-9d2e-5f6a7b8c9d01'},
  {id: 'JK78-LM90-NP1-QR2', name: 'Contoso Europe GmbH', currency: 'EUR', azurePlanId: '2b6c7d8e-1f0a-4b3c-9d2e-5f6a7b8c9d02'},
];

export const MCA_SECTIONS: McaSection[] = [
  {id: 'ST34-UV56-WX7-YZ8', name: 'Payments', profile: 0},
  {id: 'BC45-DE67-FG8-HJ9', name: 'Data Platform', profile: 0},
  {id: 'KL56-MN78-PQ9-RS0', name: 'Shared IT', profile: 1},
  // a name with a comma and quotes: CSV quoting in a column connectors group by
  {id: 'TU67-VW89-XY0-ZA1', name: 'R&D, "Labs"', profile: 1},
];

export const MCA_SUBSCRIPTIONS: McaSubscription[] = [
  {guid: 'b7e1c2d3-4a5b-4c6d-8e7f-90a1b2c3d401', name: 'Payments Prod (MCA)', section: 0, costCenter: 'CC-100', region: 'westeurope', rgs: ['rg-pay-prod', 'rg_pay_aks']},
  {guid: 'b7e1c2d3-4a5b-4c6d-8e7f-90a1b2c3d402', name: 'Payments Dev (MCA)', section: 0, costCenter: 'CC-100', region: 'westeurope', rgs: ['rg-pay-dev']},
  {guid: 'c8f2d3e4-5b6c-4d7e-9f80-a1b2c3d4e503', name: 'Data Lake (MCA)', section: 1, costCenter: 'CC-200', region: 'eastus', rgs: ['rg-lake', 'rg-ingest']},
  {guid: 'd9a3e4f5-6c7d-4e8f-a091-b2c3d4e5f604', name: 'Hub Network (MCA)', section: 2, costCenter: '', region: 'northeurope', rgs: ['rg-hub', 'rg-dns']},
  {guid: 'd9a3e4f5-6c7d-4e8f-a091-b2c3d4e5f605', name: 'Corporate Apps (MCA)', section: 2, costCenter: 'CC-910', region: 'uksouth', rgs: ['rg-corp-apps', 'rg-vdi']},
  {guid: 'e0b4f5a6-7d8e-4f90-b1a2-c3d4e5f6a706', name: 'ML Lab (MCA)', section: 3, costCenter: 'CC-310', region: 'westeurope', rgs: ['rg-ml', 'rg-ml-aks']},
];

export interface McaVm {
  sub: number;
  rg: string;
  name: string;
  /** key of VM_SIZES (catalog.ts) */
  size: string;
  os: 'Windows' | 'Linux';
  reservation?: number;
  tags: Array<[string, string]>;
}

export const MCA_VMS: McaVm[] = [
  {sub: 0, rg: 'rg-pay-prod', name: 'vm-pay-gw-01', size: 'D2s_v3', os: 'Windows', reservation: 0, tags: [['env', 'prod'], ['team', 'payments'], ['app', 'pay-gateway']]},
  {sub: 1, rg: 'rg-pay-dev', name: 'vm-pay-dev-01', size: 'B1s', os: 'Linux', tags: [['env', 'dev'], ['team', 'payments']]},
  {sub: 2, rg: 'rg-ingest', name: 'ingest-mca-01', size: 'F8s_v2', os: 'Linux', tags: [['env', 'prod'], ['team', 'data'], ['cost/owner', 'data-eng']]},
  {sub: 3, rg: 'rg-hub', name: 'nva-fw-01', size: 'D4s_v3', os: 'Linux', tags: [['env', 'prod'], ['team', 'platform']]},
  {sub: 4, rg: 'rg-vdi', name: 'vdi-mca-02', size: 'E4_2ds_v4', os: 'Windows', reservation: 1, tags: [['env', 'prod'], ['team', 'corp-it'], ['owner:email', 'it@contoso-sandbox.example']]},
  {sub: 5, rg: 'rg-ml', name: 'gpu-lab-01', size: 'NC6s_v3', os: 'Linux', tags: [['env', 'dev'], ['team', 'research'], ['expires', '']]},
];

export interface McaAksCluster {
  sub: number;
  rg: string;
  name: string;
  region: string;
  nodeRg: string;
  pools: Array<{name: string; digits: string; size: string}>;
  team: string;
  env: string;
}

export const MCA_AKS_CLUSTERS: McaAksCluster[] = [
  {sub: 0, rg: 'rg_pay_aks', name: 'aks_pay_mca', region: 'westeurope', nodeRg: 'MC_rg_pay_aks_aks_pay_mca_westeurope', team: 'payments', env: 'prod',
    pools: [{name: 'system', digits: '10293847', size: 'D2s_v3'}, {name: 'payapi', digits: '56473829', size: 'D4s_v3'}]},
  // node resource group overridden at creation: only the aks-managed tags name the cluster
  {sub: 5, rg: 'rg-ml-aks', name: 'aks-ml-lab', region: 'westeurope', nodeRg: 'rg-ml-aks-nodes', team: 'research', env: 'dev',
    pools: [{name: 'gpu', digits: '91827364', size: 'NC6s_v3'}, {name: 'spot', digits: '73645546', size: 'D4s_v3_spot'}]},
];

export interface McaReservation extends ReservationLike {
  monthly: string;
  sub: number;
}

export const MCA_RESERVATIONS: McaReservation[] = [
  {id: '5c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e01', orderId: '9e8d7c6b-5a49-4382-a716-0f1e2d3c4b01', name: 'RI_MCA_PAY_D2S_WEU', size: 'D2s_v3', region: 'westeurope', termMonths: 12, amortizedRate: '0.0598', monthly: '43.654', sub: 0},
  {id: '5c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e02', orderId: '9e8d7c6b-5a49-4382-a716-0f1e2d3c4b02', name: 'RI_MCA_VDI_E4_UKS', size: 'E4_2ds_v4', region: 'uksouth', termMonths: 36, amortizedRate: '0.1221', monthly: '89.133', sub: 4},
];

export interface McaMarketplace {
  publisher: string;
  publisherId: string;
  product: string;
  meter: string;
  sub: number;
  rg: string;
  resource: string;
  price: string;
}

export const MCA_MARKETPLACE: McaMarketplace[] = [
  {publisher: 'Datadog, Inc.', publisherId: 'datadog1591740804488', product: 'Datadog - Pro - Monthly', meter: 'Pro Host', sub: 3, rg: 'rg-hub', resource: 'datadog-mca', price: '0.75'},
  {publisher: 'Elastic', publisherId: 'elastic', product: 'Elastic Cloud (Elasticsearch) - Standard', meter: 'ECU', sub: 2, rg: 'rg-lake', resource: 'elastic-lake', price: '0.2585'},
];

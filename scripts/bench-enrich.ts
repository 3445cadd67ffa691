/**
 * Micro-benchmark: cost of enrichment (VM + AKS attribution) and 50 tracking rules relative to
 * serialising each record as emission does.
 *
 *   npx tsc -p tsconfig.json && node lib/scripts/bench-enrich.js [records] [rounds]
 *
 * Prints the time per loop and the overhead ratio (enrich + track + stringify) / stringify - 1.
 * The baseline is only JSON.stringify, not the whole read path (download, CSV parse, normalise),
 * so the ratio overstates the share of read throughput that enrichment costs.
 */
import {TrackingRuleConfig} from '../src/config/types';
import {enrichRecord} from '../src/enrich';
import {normalizeEaRow} from '../src/normalize';
import {UsageRecord} from '../src/normalize/usage-record';
import {applyTracking, compileTrackingRules} from '../src/track';

const N = Number(process.argv[2] ?? 200_000);
const ROUNDS = Number(process.argv[3] ?? 7);

// Deterministic pseudo-random numbers (mulberry32).
let seed = 0x2f6b1d;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function pick<T>(xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}

const TEAMS = ['payments', 'search', 'platform', 'data', 'identity', 'mobile', 'web', 'ml', 'sre', 'billing'];
const ENVS = ['prod', 'staging', 'dev', 'test'];
const SUBS = ['Payments-Prod', 'Payments-Dev', 'Search-Prod', 'Platform-Shared', 'Data-Lake', 'Sandbox-01', 'ML-Research'];
const REGIONS = ['eastus', 'westeurope', 'uksouth', 'southeastasia'];
const VM_METERS: Array<[string, string, string]> = [
  ['D2s v3', 'DSv3 Series', 'Standard_D2s_v3'],
  ['D4s v3 Spot', 'DSv3 Series', 'Standard_D4s_v3'],
  ['D2 v3/D2s v3', 'Dv3/DSv3 Series', 'Standard_D2s_v3'],
  ['D2 v2/DS2 v2', 'Dv2/DSv2 Series Windows', 'Standard_DS2_v2'],
  ['E4ds v4', 'Edsv4 Series', 'Standard_E4-2ds_v4'],
  ['B2s', 'BS Series', 'Standard_B2s'],
  ['NC6s v3', 'NCSv3 Series', 'Standard_NC6s_v3'],
];

/** A record with every field null (made by a normalizer: no field list to keep in step), then the bench's values. */
function blank(): UsageRecord {
  return {
    ...normalizeEaRow({date: '2024-05-01', cost: 2.304}, {metric: 'actual', sourceApi: 'cost_details'}).record!,
    billing_period_start: '2024-05-01', billing_period_end: '2024-05-31',
    billing_account_id: '12345678', billing_account_name: 'Contoso EA', billing_profile_id: '12345678',
    billing_profile_name: 'Contoso EA', department_id: '1234',
    department_name: 'Engineering', account_id: '5678', account_name: 'Eng Account', account_owner: 'owner@contoso.com',
    cost_center: '1000', meter_id: 'a1b2c3d4-0000-0000-0000-000000000000',
    meter_region: 'US East', service_family: 'Compute',
    part_number: 'AAA-12345', unit_of_measure: '1 Hour', quantity: 24, effective_price: 0.096,
    unit_price: 0.096, payg_price: 0.096, billing_currency: 'USD', charge_type: 'Usage', frequency: 'UsageBased',
    pricing_model: 'OnDemand', publisher_type: 'Azure', publisher_name: 'Microsoft', offer_id: 'MS-AZR-0017P',
    is_azure_credit_eligible: true,
  };
}

function makeRecord(i: number): UsageRecord {
  const r = blank();
  const team = pick(TEAMS);
  const env = pick(ENVS);
  const region = pick(REGIONS);
  const sub = pick(SUBS);
  r.id = `rec-${i}`;
  r.subscription_name = sub;
  r.subscription_id = `0000000${SUBS.indexOf(sub)}-0000-0000-0000-000000000000`;
  r.resource_location = region;
  const tagged = rand() < 0.7;
  if (tagged) r.tags = {team, env, CostCenter: `CC-${100 + TEAMS.indexOf(team)}`, 'kubernetes.io-created-for-pv-name': 'pvc-1'};
  const kind = rand();
  if (kind < 0.35) {
    // VM
    const [meter, subcat, sku] = pick(VM_METERS);
    r.meter_category = 'Virtual Machines';
    r.meter_subcategory = subcat;
    r.meter_name = meter;
    r.consumed_service = 'Microsoft.Compute';
    r.resource_group = `rg-${team}-${env}`;
    r.resource_name = `vm-${team}-${i % 50}`;
    r.resource_type = 'microsoft.compute/virtualmachines';
    r.resource_id = `/subscriptions/${r.subscription_id}/resourceGroups/${r.resource_group}/providers/Microsoft.Compute/virtualMachines/${r.resource_name}`;
    r.additional_info = {UsageType: 'ComputeHR', ImageType: rand() < 0.3 ? 'Windows Server BYOL' : 'Canonical', ServiceType: sku, VMName: r.resource_name};
  } else if (kind < 0.55) {
    // AKS node VMSS, disk or load balancer
    const pool = pick(['agentpool', 'system', 'gpu', 'user1']);
    r.resource_group = `MC_rg-${team}_aks-${team}-${env}_${region}`;
    r.consumed_service = 'Microsoft.Compute';
    const vmss = `aks-${pool}-${10000000 + (i % 7)}-vmss`;
    const sub2 = rand();
    if (sub2 < 0.6) {
      r.meter_category = 'Virtual Machines';
      r.meter_subcategory = 'Dv3/DSv3 Series';
      r.meter_name = 'D4s v3';
      r.resource_name = vmss;
      r.additional_info = {UsageType: 'ComputeHR', ImageType: 'Canonical', ServiceType: 'Standard_D4s_v3', VMName: `${vmss}_${i % 5}`, VMProperties: 'Microsoft.AKS.Compute.AKS.Linux.Billing'};
      if (tagged && rand() < 0.5) Object.assign(r.tags!, {'aks-managed-poolName': pool, 'aks-managed-cluster-name': `aks-${team}-${env}`, 'aks-managed-cluster-rg': `rg-${team}`});
    } else if (sub2 < 0.9) {
      r.meter_category = 'Storage';
      r.meter_subcategory = 'Premium SSD Managed Disks';
      r.meter_name = 'P10 LRS Disk';
      r.resource_name = `${vmss}_${i % 5}_OsDisk_1_0123456789abcdef0123456789abcdef`;
    } else {
      r.meter_category = 'Load Balancer';
      r.meter_name = 'Standard Data Processed';
      r.consumed_service = 'Microsoft.Network';
      r.resource_name = 'kubernetes';
    }
    r.resource_id = `/subscriptions/${r.subscription_id}/resourceGroups/${r.resource_group}/providers/Microsoft.Compute/virtualMachineScaleSets/${vmss}`;
  } else {
    // Storage, network, databases
    const [cat, subcat, meter, svc] = pick([
      ['Storage', 'Tiered Block Blob', 'Hot LRS Data Stored', 'Microsoft.Storage'],
      ['Bandwidth', 'Inter-Region', 'Intra Continent Data Transfer Out', 'Microsoft.Network'],
      ['SQL Database', 'General Purpose - Compute Gen5', 'vCore', 'Microsoft.Sql'],
      ['Azure App Service', 'Premium v3 Plan', 'P1 v3 App', 'Microsoft.Web'],
    ] as const);
    r.meter_category = cat;
    r.meter_subcategory = subcat;
    r.meter_name = meter;
    r.consumed_service = svc;
    r.resource_group = `rg-${team}-${env}`;
    r.resource_name = `${team}${env}${i % 20}`;
    r.resource_id = `/subscriptions/${r.subscription_id}/resourceGroups/${r.resource_group}/providers/${svc}/things/${r.resource_name}`;
  }
  return r;
}

/** 50 rules of the kinds users write: tag copies with fallbacks, globs, regexes, templates. */
function makeRules(): TrackingRuleConfig[] {
  const rules: TrackingRuleConfig[] = [
    {name: 'team-from-tag', priority: 100, match: {'tags.team': '*'}, set: {team: '${tags.team}'}},
    {name: 'env-from-tag', priority: 100, match: {'tags.env': '*'}, set: {env: '${tags.env}'}},
    {name: 'cc-from-tag', priority: 100, match: {'tags.costcenter': '/^CC-\\d+$/'}, set: {cost_center: '${tags.CostCenter}'}},
    {name: 'aks-cluster', priority: 50, match: {aks_cluster: '*'}, set: {platform: 'kubernetes', cluster: '${aks_cluster}'}},
    {name: 'vm-size', match: {vm_sku: 'Standard_*'}, set: {compute: '${vm_sku}/${vm_vcpus}'}},
    {name: 'spot', match: {vm_priority: 'spot'}, set: {pricing: 'spot'}},
  ];
  for (const t of TEAMS) {
    rules.push({name: `team-${t}-by-rg`, match: {resource_group: `rg-${t}-*`}, set: {team: t}});
    rules.push({name: `team-${t}-by-aks`, match: {resource_group: `/^mc_rg-${t}_/i`}, set: {team: t}});
  }
  for (const s of SUBS) {
    rules.push({name: `cc-${s}`, priority: 10, match: {subscription_name: `${s.split('-')[0]}-*`}, set: {cost_center: `CC-${s.length}`}});
  }
  let n = 0;
  while (rules.length < 50) {
    const e = ENVS[n % ENVS.length];
    rules.push({
      name: `misc-${n}`,
      priority: n % 3,
      match: {meter_category: n % 2 ? 'Storage' : '/^(Bandwidth|Load Balancer)$/', 'tags.env': e},
      set: {[`bucket${n % 4}`]: `${e}-\${meter_category}`},
    });
    n++;
  }
  return rules.slice(0, 50);
}

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main(): void {
  const records = Array.from({length: N}, (_, i) => makeRecord(i));
  const rules = compileTrackingRules(makeRules());
  let sink = 0;
  let conflicts = 0;

  const baseline = () => {
    for (const r of records) sink += JSON.stringify(r).length;
  };
  const enriched = () => {
    for (const r of records) {
      enrichRecord(r);
      conflicts += applyTracking(rules, r).length;
      sink += JSON.stringify(r).length;
    }
  };
  const enrichOnly = () => {
    for (const r of records) {
      enrichRecord(r);
      conflicts += applyTracking(rules, r).length;
    }
  };
  const attributionOnly = () => {
    for (const r of records) enrichRecord(r);
  };
  const trackingOnly = () => {
    for (const r of records) conflicts += applyTracking(rules, r).length;
  };

  // Warm up and bring records to their emitted shape, so both loops serialise the same objects.
  enriched();
  baseline();
  const base: number[] = [];
  const full: number[] = [];
  const only: number[] = [];
  const attr: number[] = [];
  const track: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    base.push(time(baseline));
    full.push(time(enriched));
    only.push(time(enrichOnly));
    attr.push(time(attributionOnly));
    track.push(time(trackingOnly));
  }
  const b = median(base);
  const f = median(full);
  const o = median(only);
  const tracked = records.filter((r) => Object.keys(r.tracking).length > 0).length;
  const vm = records.filter((r) => r.vm_sku !== null || r.vm_vcpus !== null).length;
  const aks = records.filter((r) => r.aks_cluster !== null || r.aks_node_pool !== null).length;
  console.log(`records: ${N}, rules: ${rules.rules.length}, rounds: ${ROUNDS} (median)`);
  console.log(`  with VM fields: ${vm}, with AKS fields: ${aks}, with tracking: ${tracked}, conflicts/round: ${conflicts / (3 * ROUNDS + 1)}`);
  console.log(`baseline  JSON.stringify:                 ${b.toFixed(1)} ms  (${Math.round(N / (b / 1000)).toLocaleString('en-US')} records/s)`);
  console.log(`enrich + track (no stringify):            ${o.toFixed(1)} ms  (${Math.round(N / (o / 1000)).toLocaleString('en-US')} records/s)`);
  console.log(`  of which VM/AKS attribution:           ${median(attr).toFixed(1)} ms`);
  console.log(`  of which 50 tracking rules:             ${median(track).toFixed(1)} ms`);
  console.log(`enrich + 50 rules + JSON.stringify:       ${f.toFixed(1)} ms`);
  console.log(`overhead vs stringify baseline: ${((f / b - 1) * 100).toFixed(1)}%  (enrich+track alone = ${((o / b) * 100).toFixed(1)}% of stringify time)`);
  if (sink === 0) console.log('');
}

main();

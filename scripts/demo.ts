/**
 * `npm run demo`: the connector's main job on the bundled sandbox, with no Azure account.
 * Starts the sandbox on loopback, runs a real `read` through the CLI, writes every protocol
 * message to .demo/messages.jsonl, shows progress while it runs and prints a summary.
 * `npm run demo -- --mca` reads an MCA billing profile of the same sandbox instead of the EA
 * enrollment (`billing_scope`, docs/design.md §7) and adds cost per day, per invoice section and
 * in USD to the summary.
 * Every mode reads `focus_costs` too (docs/design.md §15) and prints a short FOCUS summary:
 * EffectiveCost against BilledCost per ServiceCategory for a month, commitment utilization and
 * savings against list prices.
 * `npm run demo -- --exports` reads the EA enrollment's Cost Management exports from the
 * sandbox's storage account instead of the Cost Details API (`data_source`, docs/design.md §14):
 * CSV, gzip CSV and snappy Parquet; the runs read per month, the storage requests, and per-day
 * sums against the exports' truth.
 */
import {spawn} from 'child_process';
import fs from 'fs';
import path from 'path';
import readline from 'readline';

import {startSandbox} from '../sandbox';
import {mintSas} from '../sandbox/testing';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, '.demo');
const CLI = path.join(ROOT, 'bin', 'source-azure-billing');
const ARGS = process.argv.slice(2);
const MCA = ARGS.includes('--mca');
const EXPORTS = ARGS.includes('--exports');
/**
 * The sandbox's EA exports the --exports demo reads: actual cost from a legacy Usage export (its
 * first month, `_manifest.json`) and then an ActualCost export as plain CSV (its newest run is
 * incomplete), amortized cost from an AmortizedCost export as gzip CSV, FOCUS from a FocusCost
 * 1.0r2 export as snappy Parquet.
 */
const EXPORT_NAMES = {actual: ['ea-usage-legacy', 'ea-actual-daily'], amortized: ['ea-amortized-daily'], focus: ['ea-focus']};
/** The MCA billing profile the --mca demo reads: the one billed in EUR, so cost in USD differs from cost. */
const MCA_PROFILE_NAME = 'Contoso Europe GmbH';

const TRACKING_RULES = [
  // 1. team from a tag, with a fallback by resource group for untagged resources
  {name: 'team-from-tag', priority: 100, match: {'tags.team': '*'}, set: {team: '${tags.team}'}},
  {name: 'team-payments-by-rg', priority: 10, match: {resource_group: 'rg-pay-*'}, set: {team: 'payments'}},
  {name: 'team-platform-by-subscription', priority: 10, match: {subscription_name: 'Shared *'}, set: {team: 'platform'}},
  // 2. cost center by subscription name pattern
  {name: 'cost-center-production', priority: 50, match: {subscription_name: '/\\b(prod|production)\\b/i'}, set: {cost_center: 'CC-PROD-${subscription_name}'}},
  {name: 'cost-center-default', priority: 0, match: {subscription_name: '*'}, set: {cost_center: 'CC-UNALLOCATED'}},
  // 3. a deliberate conflict: two rules of the same priority disagree on AKS production nodes
  {name: 'environment-from-tag', priority: 20, match: {'tags.env': 'prod'}, set: {environment: 'production'}},
  {name: 'environment-aks-nodes', priority: 20, match: {resource_group: '/^mc_/i'}, set: {environment: 'kubernetes'}},
];

type Sums = Map<string, number>;
const add = (m: Sums, key: string | null | undefined, v: number): void => void m.set(key || '(none)', (m.get(key || '(none)') ?? 0) + v);
const money = (v: number): string => v.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2});

function table(title: string, sums: Sums, limit = 8, format: (v: number) => string = money): void {
  console.log(`\n${title}`);
  const rows = [...sums.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit);
  const width = Math.max(...rows.map(([k]) => k.length), 10);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${format(v).padStart(14)}`);
  if (sums.size > limit) console.log(`  … and ${sums.size - limit} more`);
}

/** Sums of focus_costs records (docs/design.md §15). */
class FocusSums {
  records = 0;
  readonly effectiveByDay: Sums = new Map();
  readonly billedByDay: Sums = new Map();
  /** month -> ServiceCategory -> [EffectiveCost, BilledCost] */
  readonly byCategory = new Map<string, Map<string, [number, number]>>();
  /** CommitmentDiscountName (or id) -> [used, unused] EffectiveCost */
  readonly commitments = new Map<string, [number, number]>();
  list = 0;
  listEffective = 0;

  add(d: Record<string, any>): void {
    this.records++;
    const day = String(d.ChargePeriodStart).slice(0, 10);
    add(this.effectiveByDay, day, d.EffectiveCost);
    add(this.billedByDay, day, d.BilledCost);
    const month = day.slice(0, 7);
    if (!this.byCategory.has(month)) this.byCategory.set(month, new Map());
    const cat = this.byCategory.get(month)!;
    const c = cat.get(d.ServiceCategory ?? '(none)') ?? [0, 0];
    cat.set(d.ServiceCategory ?? '(none)', [c[0] + d.EffectiveCost, c[1] + d.BilledCost]);
    if (d.CommitmentDiscountId && (d.CommitmentDiscountStatus === 'Used' || d.CommitmentDiscountStatus === 'Unused')) {
      const key = d.CommitmentDiscountName ?? d.CommitmentDiscountId;
      const u = this.commitments.get(key) ?? [0, 0];
      this.commitments.set(key, d.CommitmentDiscountStatus === 'Used' ? [u[0] + d.EffectiveCost, u[1]] : [u[0], u[1] + d.EffectiveCost]);
    }
    if (d.ListCost) {
      this.list += d.ListCost;
      this.listEffective += d.EffectiveCost;
    }
  }

  /** The month with the most days of data (the later one on a tie): the month the summary shows. */
  month(): string | undefined {
    const days = new Map<string, number>();
    for (const day of this.effectiveByDay.keys()) days.set(day.slice(0, 7), (days.get(day.slice(0, 7)) ?? 0) + 1);
    return [...days].sort((a, b) => b[1] - a[1] || b[0].localeCompare(a[0]))[0]?.[0];
  }
}

/** Per day, rows and cost over the runs a correct reader reads of several exports of one metric. */
function exportDays(truths: Array<{days: Record<string, {rows: number}>}>): Record<string, {rows: number; cost: number}> {
  const out: Record<string, {rows: number; cost: number}> = {};
  for (const t of truths) {
    for (const [day, d] of Object.entries(t.days)) {
      const o = (out[day] ??= {rows: 0, cost: 0});
      o.rows += d.rows;
      o.cost += Number((d as {cost?: unknown}).cost ?? 0);
    }
  }
  return out;
}

/** Days whose sum matches the truth to the cent, of the days the truth has rows. */
function matchingDays(sums: Sums, truthDays: Record<string, {rows: number}>): [number, number] {
  let matching = 0;
  let days = 0;
  for (const [day, t] of Object.entries(truthDays)) {
    if (t.rows === 0) continue;
    days++;
    if (Math.abs((sums.get(day) ?? 0) - Number((t as {cost?: unknown}).cost)) < 0.005) matching++;
  }
  return [matching, days];
}

async function main(): Promise<void> {
  if (MCA && EXPORTS) throw new Error('--mca and --exports: choose one (the --exports demo reads the EA enrollment\'s exports)');
  fs.mkdirSync(OUT, {recursive: true});
  const sb = await startSandbox({reportLatencyMs: 300, rowsPerDay: 150});
  // exports are written on first use: before the clock starts
  const exportTruth = EXPORTS
    ? {
        actual: await Promise.all(EXPORT_NAMES.actual.map((n) => sb.exportTruth(n))),
        amortized: await Promise.all(EXPORT_NAMES.amortized.map((n) => sb.exportTruth(n))),
        focus: await Promise.all(EXPORT_NAMES.focus.map((n) => sb.exportTruth(n))),
      }
    : undefined;
  const o = sb.options;
  const mcaScope = MCA ? sb.scopes.find((s) => s.type === 'mca_billing_profile' && s.name === MCA_PROFILE_NAME) : undefined;
  if (MCA && !mcaScope) throw new Error(`the sandbox serves no MCA billing profile ${MCA_PROFILE_NAME}`);
  const [startDate, endDate] = mcaScope ? [o.mcaStartDate, o.mcaEndDate] : [o.startDate, o.endDate];
  const config = {
    // the EA enrollment, or with --mca an MCA billing profile (billing_scope replaces enrollment_number)
    ...(mcaScope ? {billing_scope: mcaScope.config} : {enrollment_number: o.enrollmentNumber}),
    credentials: {auth_type: 'service_principal', tenant_id: o.tenantId, client_id: o.clientId, client_secret: o.clientSecret},
    start_date: startDate,
    end_date: endDate,
    slice_days: 7,
    max_concurrency: 4,
    month_close_days: 0,
    tracking_rules: TRACKING_RULES,
    api_base_url: sb.baseUrl,
    login_base_url: sb.baseUrl,
    // --exports: the storage account's exports instead of the Cost Details API, read with a container SAS
    ...(EXPORTS
      ? {data_source: {type: 'exports', storage_account_url: sb.storage.accountUrl, container: sb.storage.container, root_folder_path: sb.storage.rootFolderPath, export_names: Object.values(EXPORT_NAMES).flat(), sas_token: mintSas(sb, {expiresInSeconds: 3600})}}
      : {}),
  };
  const streams = ['usage_details', 'usage_details_amortized', 'tracking_conflicts', 'focus_costs'];
  const focusStream = (name: string) => name === 'focus_costs';
  const catalog = {
    streams: streams.map((name) => ({
      stream: {name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental']},
      sync_mode: 'incremental',
      destination_sync_mode: 'append_dedup',
      cursor_field: [focusStream(name) ? 'ChargePeriodStart' : 'usage_date'],
      primary_key: [[focusStream(name) ? 'x_RecordId' : 'id']],
    })),
  };
  fs.writeFileSync(path.join(OUT, 'config.json'), JSON.stringify(config, null, 2));
  // the SAS is a secret: the config written to disk names it, the console never shows it
  fs.writeFileSync(path.join(OUT, 'catalog.json'), JSON.stringify(catalog, null, 2));
  if (exportTruth) {
    console.log(`Sandbox (a fake Azure enrollment ${o.enrollmentNumber}) on ${sb.baseUrl}; reading its Cost Management exports ${o.startDate}..${o.endDate}`);
    console.log(`from the storage account ${sb.storage.accountUrl}, container ${sb.storage.container}, folder ${sb.storage.rootFolderPath}: ${Object.values(EXPORT_NAMES).flat().join(', ')} (SAS in .demo/config.json).`);
  } else if (mcaScope) {
    console.log(`Sandbox (a fake Azure MCA billing account) on ${sb.baseUrl}; reading billing profile "${mcaScope.name}" ${startDate}..${endDate}.`);
    console.log(`Scope: ${mcaScope.path}`);
  } else {
    console.log(`Sandbox (a fake Azure enrollment ${o.enrollmentNumber}) on ${sb.baseUrl}; reading ${o.startDate}..${o.endDate}.`);
  }
  console.log(`Running: bin/source-azure-billing read --config .demo/config.json --catalog .demo/catalog.json\n`);

  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'read', '--config', path.join(OUT, 'config.json'), '--catalog', path.join(OUT, 'catalog.json')], {stdio: ['ignore', 'pipe', 'inherit']});
  const file = fs.createWriteStream(path.join(OUT, 'messages.jsonl'));
  const counts = new Map<string, number>();
  const days = new Map<string, Set<string>>();
  const bySubscription: Sums = new Map();
  const byService: Sums = new Map();
  const byTeam: Sums = new Map();
  const byCostCenter: Sums = new Map();
  const dailyActual: Sums = new Map();
  const dailyUsd: Sums = new Map();
  const bySection: Sums = new Map();
  const bySectionUsd: Sums = new Map();
  const currencies = new Set<string>();
  const agreements = new Set<string>();
  const warnings: string[] = [];
  const conflictKeys: Sums = new Map();
  const dailyAmortized: Sums = new Map();
  const focus = new FocusSums();
  let storageLine: string | undefined;
  let totalActual = 0;
  let withParseErrors = 0;
  let vmRows = 0;
  let aksRows = 0;
  let lastState = new Map<string, string>();
  let error: string | undefined;

  for await (const line of readline.createInterface({input: child.stdout})) {
    file.write(line + '\n');
    const m = JSON.parse(line);
    if (m.type === 'RECORD') {
      const {stream, data} = m.record;
      counts.set(stream, (counts.get(stream) ?? 0) + 1);
      if (!days.has(stream)) days.set(stream, new Set());
      days.get(stream)!.add(focusStream(stream) ? String(data.ChargePeriodStart).slice(0, 10) : data.usage_date);
      if (stream === 'usage_details') {
        totalActual += data.cost;
        add(dailyActual, data.usage_date, data.cost);
        add(bySubscription, data.subscription_name, data.cost);
        add(byService, data.meter_category, data.cost);
        add(byTeam, data.tracking.team, data.cost);
        add(byCostCenter, data.tracking.cost_center, data.cost);
        if (data.parse_errors.length) withParseErrors++;
        if (data.vm_sku) vmRows++;
        if (data.aks_cluster) aksRows++;
        currencies.add(data.billing_currency ?? '(none)');
        agreements.add(data.agreement ?? '(none)');
        if (MCA) {
          add(dailyUsd, data.usage_date, data.cost_in_usd ?? 0);
          add(bySection, data.invoice_section_name, data.cost);
          add(bySectionUsd, data.invoice_section_name, data.cost_in_usd ?? 0);
        }
      } else if (stream === 'usage_details_amortized') {
        add(dailyAmortized, data.usage_date, data.cost);
      } else if (focusStream(stream)) {
        focus.add(data);
      } else if (stream === 'tracking_conflicts') {
        add(conflictKeys, `${data.tracking_key}: ${data.chosen_rule} over ${data.rejected_rules.join(', ')}`, 1);
      }
    } else if (m.type === 'LOG') {
      const {level, message} = m.log;
      if (level === 'WARN' || level === 'ERROR') warnings.push(message);
      if (message.startsWith('Storage: ')) storageLine = message;
      // progress while it runs; warnings are grouped in the summary
      if (/ done; /.test(message) || level === 'ERROR') console.log(`  ${level === 'INFO' ? '' : level + ' '}${message}`);
    } else if (m.type === 'STATE') {
      lastState.set(m.state.stream.stream_descriptor.name, m.state.stream.stream_state.usage_date);
    } else if (m.type === 'TRACE' && m.trace.type === 'ERROR') {
      error = m.trace.error.message;
    }
  }
  const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  file.end();
  const seconds = (Date.now() - started) / 1000;

  // Check the result against what the sandbox served, to the cent: the API's truth, or with
  // --exports the truth of the runs a correct reader reads.
  const scopeTruth = (metric: 'actual' | 'amortized') => (mcaScope ? sb.truth(metric, startDate, endDate, mcaScope.path) : sb.truth(metric, startDate, endDate));
  const truth = scopeTruth('actual');
  const actualDays: Record<string, {rows: number}> = exportTruth ? exportDays(exportTruth.actual) : truth.days;
  const amortizedDays: Record<string, {rows: number}> = exportTruth ? exportDays(exportTruth.amortized) : scopeTruth('amortized').days;
  const [matching, truthDays] = matchingDays(dailyActual, actualDays);
  const [amortizedMatching, amortizedDaysN] = matchingDays(dailyAmortized, amortizedDays);
  const [effectiveMatching] = matchingDays(focus.effectiveByDay, amortizedDays);
  const [billedMatching] = matchingDays(focus.billedByDay, actualDays);
  let usdMatching = 0;
  for (const [day, t] of Object.entries(truth.days)) {
    const usd = (t as {costInUsd?: string}).costInUsd;
    if (t.rows > 0 && usd !== undefined && Math.abs((dailyUsd.get(day) ?? 0) - Number(usd)) < 0.005) usdMatching++;
  }
  const focusOk = !streams.some(focusStream) || (effectiveMatching === amortizedDaysN && billedMatching === truthDays);
  const currency = currencies.size === 1 ? [...currencies][0] : [...currencies].join('/');
  await sb.close();

  console.log(`\n=== Summary (${seconds.toFixed(1)} s, exit code ${code}) ===`);
  for (const s of streams) console.log(`  ${s.padEnd(24)} ${String(counts.get(s) ?? 0).padStart(7)} records over ${days.get(s)?.size ?? 0} days, state ${lastState.get(s) ?? '-'}`);
  console.log(`  actual cost total          ${money(totalActual)} ${currency}; per-day sums match the sandbox${EXPORTS ? '\'s exports' : ''} to the cent on ${matching}/${truthDays} days`);
  console.log(`  amortized cost total       ${money([...dailyAmortized.values()].reduce((a, b) => a + b, 0))} ${currency}; per-day sums match on ${amortizedMatching}/${amortizedDaysN} days`);
  if (exportTruth) {
    if (storageLine) console.log(`  ${storageLine}`);
    for (const t of Object.values(exportTruth).flat()) {
      const read = Object.entries(t.months).map(([m, run]) => `${m} ${run === null ? 'none complete' : `run ${run.slice(0, 8)}`}`).join(', ');
      const skipped = t.runs.filter((r) => !r.read).map((r) => r.status);
      const kinds = [...new Set(skipped)].map((k) => `${skipped.filter((x) => x === k).length} ${k}`).join(', ');
      console.log(`  export ${t.name} (${t.dataset}, ${t.format}): ${t.runs.length} runs; read per month ${read}; not read: ${kinds || 'none'}`);
    }
  }
  if (MCA) {
    const totalUsd = [...dailyUsd.values()].reduce((a, b) => a + b, 0);
    console.log(`  actual cost in USD         ${money(totalUsd)} USD (cost_in_usd); per-day sums match the sandbox to the cent on ${usdMatching}/${truthDays} days`);
    console.log(`  agreement: ${[...agreements].join(', ')}; billing currency: ${currency}`);
  }
  console.log(`  VM rows with a size: ${vmRows}; AKS rows attributed to a cluster: ${aksRows}; records with parse_errors: ${withParseErrors}`);
  if (MCA) {
    const days = [...dailyActual.keys()].sort();
    console.log(`\nActual cost per day, latest 14 of ${days.length} days`);
    console.log(`  ${'day'.padEnd(10)}  ${currency.padStart(14)}  ${'USD'.padStart(14)}`);
    for (const d of days.slice(-14)) console.log(`  ${d}  ${money(dailyActual.get(d)!).padStart(14)}  ${money(dailyUsd.get(d) ?? 0).padStart(14)}`);
    console.log(`\nActual cost by invoice section`);
    const width = Math.max(...[...bySection.keys()].map((k) => k.length), 10);
    console.log(`  ${'section'.padEnd(width)}  ${currency.padStart(14)}  ${'USD'.padStart(14)}`);
    for (const [k, v] of [...bySection.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(width)}  ${money(v).padStart(14)}  ${money(bySectionUsd.get(k) ?? 0).padStart(14)}`);
  }
  const month = focus.month();
  if (month) {
    console.log(`\n=== FOCUS (focus_costs: ${focus.records} records) ===`);
    console.log(`  Σ EffectiveCost per day = amortized cost on ${effectiveMatching}/${amortizedDaysN} days; Σ BilledCost per day = actual cost on ${billedMatching}/${truthDays} days (to the cent)`);
    console.log(`\nEffectiveCost and BilledCost by ServiceCategory, ${month} (${currency})`);
    const cats = [...focus.byCategory.get(month)!].sort((a, b) => b[1][0] - a[1][0]);
    const width = Math.max(...cats.map(([k]) => k.length), 'ServiceCategory'.length);
    console.log(`  ${'ServiceCategory'.padEnd(width)}  ${'EffectiveCost'.padStart(14)}  ${'BilledCost'.padStart(14)}`);
    for (const [k, [e, b]] of cats) console.log(`  ${k.padEnd(width)}  ${money(e).padStart(14)}  ${money(b).padStart(14)}`);
    const total = cats.reduce((a, [, [e, b]]) => [a[0] + e, a[1] + b], [0, 0]);
    console.log(`  ${'total'.padEnd(width)}  ${money(total[0]).padStart(14)}  ${money(total[1]).padStart(14)}   (billed includes commitment purchases; effective spreads them over usage)`);
    console.log(`\nCommitment utilization (used / (used + unused) EffectiveCost, all days)`);
    for (const [k, [used, unused]] of [...focus.commitments].sort()) {
      console.log(`  ${k.padEnd(28)}  used ${money(used).padStart(12)}  unused ${money(unused).padStart(10)}  ${((100 * used) / (used + unused || 1)).toFixed(1).padStart(5)}%`);
    }
    if (focus.commitments.size === 0) console.log('  (no commitment discounts)');
    const savings = focus.list - focus.listEffective;
    console.log(`\nSavings against list prices: ListCost ${money(focus.list)} − EffectiveCost ${money(focus.listEffective)} = ${money(savings)} ${currency} (${((100 * savings) / (focus.list || 1)).toFixed(1)}%)`);
  }
  table('Actual cost by subscription', bySubscription);
  table('Actual cost by service (meter category)', byService);
  table('Actual cost by tracking team', byTeam);
  table('Actual cost by tracking cost center', byCostCenter, 6);
  table('Tracking conflicts by key and rules (audited in tracking_conflicts, never resolved at random)', conflictKeys, 8, (v) => `${v} records`);
  if (conflictKeys.size === 0) console.log('  (none: no two rules of the same priority disagreed)');
  const grouped = new Map<string, number>();
  const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
  for (const w of warnings) add(grouped, w.replace(/\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}/, '<slice>').replace(GUID, '<id>').replace(/\d+/g, 'N'), 1);
  console.log(`\nWarnings: ${warnings.length}`);
  for (const [w, n] of grouped) console.log(`  ${n} × ${w}`);
  if (error) console.log(`\nError: ${error}`);
  console.log(`\nAll messages: .demo/messages.jsonl; config and catalog: .demo/`);
  process.exitCode = code === 0 && matching === truthDays && amortizedMatching === amortizedDaysN && focusOk && (!MCA || usdMatching === truthDays) ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

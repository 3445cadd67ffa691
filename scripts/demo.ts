/**
 * `npm run demo`: the connector's main job on the bundled sandbox, with no Azure account.
 * Starts the sandbox on loopback, runs a real `read` through the CLI, writes every protocol
 * message to .demo/messages.jsonl, shows progress while it runs and prints a summary.
 * `npm run demo -- --mca` reads an MCA billing profile of the same sandbox instead of the EA
 * enrollment (`billing_scope`, docs/design.md §7) and adds cost per day, per invoice section and
 * in USD to the summary.
 * `npm run demo -- --exports` reads the Cost Management exports of the sandbox's storage account
 * instead of the API (`data_source` exports, docs/design.md §14): every export in the container,
 * EA and MCA, CSV, gzip and Parquet, checked against the sandbox's truth of the runs to read.
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
const MCA = process.argv.slice(2).includes('--mca');
const EXPORTS = process.argv.slice(2).includes('--exports');
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

async function main(): Promise<void> {
  fs.mkdirSync(OUT, {recursive: true});
  const sb = await startSandbox({reportLatencyMs: 300, rowsPerDay: 150});
  const o = sb.options;
  const mcaScope = MCA ? sb.scopes.find((s) => s.type === 'mca_billing_profile' && s.name === MCA_PROFILE_NAME) : undefined;
  if (MCA && !mcaScope) throw new Error(`the sandbox serves no MCA billing profile ${MCA_PROFILE_NAME}`);
  const [startDate, endDate] = mcaScope ? [o.mcaStartDate, o.mcaEndDate] : [o.startDate, o.endDate];
  // with --exports: every export of the storage account, whatever its scope (no scope filter)
  const exportsSource = EXPORTS
    ? {type: 'exports', storage_account_url: sb.storage.accountUrl, container: sb.storage.container, root_folder_path: sb.storage.rootFolderPath, sas_token: mintSas(sb, {expiresInSeconds: 3600})}
    : undefined;
  const config = {
    // the EA enrollment, or with --mca an MCA billing profile (billing_scope replaces enrollment_number)
    ...(exportsSource ? {data_source: exportsSource} : mcaScope ? {billing_scope: mcaScope.config} : {enrollment_number: o.enrollmentNumber}),
    credentials: {auth_type: 'service_principal', tenant_id: o.tenantId, client_id: o.clientId, client_secret: o.clientSecret},
    start_date: startDate,
    end_date: endDate,
    slice_days: 7,
    max_concurrency: 4,
    month_close_days: 0,
    tracking_rules: TRACKING_RULES,
    api_base_url: sb.baseUrl,
    login_base_url: sb.baseUrl,
  };
  const streams = ['usage_details', 'usage_details_amortized', 'tracking_conflicts'];
  const catalog = {
    streams: streams.map((name) => ({stream: {name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental']}, sync_mode: 'incremental', destination_sync_mode: 'append_dedup', cursor_field: ['usage_date'], primary_key: [['id']]})),
  };
  fs.writeFileSync(path.join(OUT, 'config.json'), JSON.stringify(config, null, 2));
  fs.writeFileSync(path.join(OUT, 'catalog.json'), JSON.stringify(catalog, null, 2));
  if (mcaScope) {
    console.log(`Sandbox (a fake Azure MCA billing account) on ${sb.baseUrl}; reading billing profile "${mcaScope.name}" ${startDate}..${endDate}.`);
    console.log(`Scope: ${mcaScope.path}`);
  } else if (exportsSource) {
    const truth = await sb.exportTruth();
    console.log(`Sandbox storage account ${sb.storage.account} on ${sb.storage.accountUrl}; reading the ${truth.exports.length} exports under ${sb.storage.container}/${sb.storage.rootFolderPath}/ for ${o.startDate}..${o.endDate}.`);
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
      days.get(stream)!.add(data.usage_date);
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
      } else if (stream === 'tracking_conflicts') {
        add(conflictKeys, `${data.tracking_key}: ${data.chosen_rule} over ${data.rejected_rules.join(', ')}`, 1);
      }
    } else if (m.type === 'LOG') {
      const {level, message} = m.log;
      if (level === 'WARN' || level === 'ERROR') warnings.push(message);
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

  // Check the result against what the sandbox served, to the cent.
  const truth = exportsSource
    ? {days: (await sb.exportTruth()).datasets.ActualCost.days}
    : mcaScope
      ? sb.truth('actual', startDate, endDate, mcaScope.path)
      : sb.truth('actual', startDate, endDate);
  let matching = 0;
  let truthDays = 0;
  let usdMatching = 0;
  for (const [day, t] of Object.entries(truth.days)) {
    if (t.rows === 0) continue;
    truthDays++;
    if (Math.abs((dailyActual.get(day) ?? 0) - Number(t.cost)) < 0.005) matching++;
    const usd = (t as {costInUsd?: string}).costInUsd;
    if (usd !== undefined && Math.abs((dailyUsd.get(day) ?? 0) - Number(usd)) < 0.005) usdMatching++;
  }
  const currency = currencies.size === 1 ? [...currencies][0] : [...currencies].join('/');
  await sb.close();

  console.log(`\n=== Summary (${seconds.toFixed(1)} s, exit code ${code}) ===`);
  for (const s of streams) console.log(`  ${s.padEnd(24)} ${String(counts.get(s) ?? 0).padStart(7)} records over ${days.get(s)?.size ?? 0} days, state ${lastState.get(s) ?? '-'}`);
  console.log(`  actual cost total          ${money(totalActual)} ${currency}; per-day sums match the sandbox to the cent on ${matching}/${truthDays} days`);
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
  table('Actual cost by subscription', bySubscription);
  table('Actual cost by service (meter category)', byService);
  table('Actual cost by tracking team', byTeam);
  table('Actual cost by tracking cost center', byCostCenter, 6);
  table('Tracking conflicts by key and rules (audited in tracking_conflicts, never resolved at random)', conflictKeys, 8, (v) => `${v} records`);
  if (conflictKeys.size === 0) console.log('  (none: no two rules of the same priority disagreed)');
  const grouped = new Map<string, number>();
  for (const w of warnings) add(grouped, w.replace(/\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}/, '<slice>').replace(/\d+/g, 'N'), 1);
  console.log(`\nWarnings: ${warnings.length}`);
  for (const [w, n] of grouped) console.log(`  ${n} × ${w}`);
  if (error) console.log(`\nError: ${error}`);
  console.log(`\nAll messages: .demo/messages.jsonl; config and catalog: .demo/`);
  process.exitCode = code === 0 && matching === truthDays && (!MCA || usdMatching === truthDays) ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

/**
 * `npm run test:clickhouse`: what lands in ClickHouse. Needs clickhouse-server on
 * 127.0.0.1:8123 (scripts/ci/clickhouse-start.sh installs and starts it; CLICKHOUSE_URL overrides).
 *
 * Creates the tables as Airbyte's ClickHouse destination types them (test/clickhouse/ddl.ts),
 * loads the records of a full sync and of an incremental re-sync over the look-back window via
 * HTTP `INSERT ... FORMAT JSONEachRow`, and checks after `OPTIMIZE TABLE ... FINAL` that
 * count() = uniqExact(id) and that per-day rows and cost sums equal the sandbox's ground truth
 * to the cent. Runs the example queries of examples/clickhouse/ on the loaded data.
 *
 * EA and MCA side by side (docs/design.md §7): a second connection, an MCA billing profile of the
 * same sandbox, is loaded the same way into a second database with the same tables; the union
 * example (ea_mca_union.sql) must give each day's rows, cost and cost in USD of each scope's
 * truth, and the two connections' ids never clash (loaded into one table, nothing merges).
 *
 * FOCUS (docs/design.md §15): focus_costs of both connections loaded into the focus_costs.sql
 * table; the five FinOps examples (focus_*.sql) checked against the sandbox's truth; focus_costs
 * from the enrollment's FocusCost export checked per day against the export's truth.
 */
import fs from 'fs';
import path from 'path';

import {Sandbox} from '../../sandbox';
import {addDays} from '../../src/dates';
import {formatDec, MCA_PROFILES, Scope, toCents} from '../../sandbox';
import {latestStateInput, mcaProfileScopes, SANDBOX_TRACKING_RULES, sandboxConfig, sandboxMcaConfig, startTestSandbox} from '../acceptance/harness';
import {CliRun, FROZEN_TODAY, Json, ofType, readJson, recordEnvelopes, REPO, runCli, states, tempDir, writeJson} from '../support/cli';
import {createTableSql, JsonSchema, toRow} from './ddl';
import {FocusTruth, focusTruth} from './focus-truth';
import {mintSas} from '../../sandbox/testing';

const CH_URL = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123/';
const DB = `airbyte_azure_billing_test_${process.pid}`;
/** The MCA connection's database (the EA connection's is DB); both hold the same tables. */
const MCA_DB = `${DB}_mca`;
/** One table fed by both connections. */
const BOTH_DB = `${DB}_both`;
/** focus_costs of the EA enrollment read from its FocusCost export instead of the API. */
const EXPORTS_DB = `${DB}_exports`;
/** The MCA billing profile loaded: the one billed in EUR, so that cost and cost in USD differ. */
const MCA_PROFILE = 1;
const EXAMPLES = path.join(REPO, 'examples', 'clickhouse');
const USAGE = {usage_details: 'actual', usage_details_amortized: 'amortized'} as const;
const STREAMS = [...Object.keys(USAGE), 'tracking_conflicts'];

const TODAY = FROZEN_TODAY;
// About 40 days, across a month boundary; the sandbox has usage up to yesterday.
const WINDOW = {start: addDays(TODAY, -40), end: addDays(TODAY, -1)};

/** One statement over HTTP; tables are qualified with DB except in the example queries (database). */
async function ch(query: string, body?: string, database?: string): Promise<string> {
  const url = new URL(CH_URL);
  url.searchParams.set('query', query);
  if (database) url.searchParams.set('database', database);
  const res = await fetch(url, {method: 'POST', body: body ?? ''});
  const text = await res.text();
  if (!res.ok) throw new Error(`ClickHouse ${res.status} on ${query.slice(0, 120)}: ${text.slice(0, 500)}`);
  return text;
}

async function chRows(query: string, database?: string): Promise<Json[]> {
  const text = await ch(`${query} FORMAT JSONEachRow`, undefined, database);
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function schemaOf(stream: string): JsonSchema {
  return readJson(path.join(REPO, 'resources', 'schemas', `${stream === 'usage_details_amortized' ? 'usage_details' : stream}.json`));
}

/** A sum as text ("123.4500000001", "-5.1", "1e-7") -> integer cents, half away from zero. */
function decimalToCents(input: string): bigint {
  const text = /e/i.test(input) ? Number(input).toFixed(20) : input;
  const neg = text.startsWith('-');
  const [int, frac = ''] = text.replace('-', '').split('.');
  const units = BigInt(int + frac.padEnd(18, '0').slice(0, 18)); // 1e-18
  const cents = (units + 5n * 10n ** 15n) / 10n ** 16n;
  return neg ? -cents : cents;
}

/** Inserts a sync's records of one stream as the destination would. Returns the rows inserted. */
async function loadStream(run: CliRun, stream: string, db = DB): Promise<number> {
  const schema = schemaOf(stream);
  const rows = recordEnvelopes(run, stream).map((r) => toRow(schema, r.data, r.emitted_at));
  for (let i = 0; i < rows.length; i += 5000) {
    await ch(`INSERT INTO ${db}.${stream} FORMAT JSONEachRow`, rows.slice(i, i + 5000).join('\n') + '\n');
  }
  return rows.length;
}

/** Inserts a sync's records, stream by stream, as the destination would. Returns rows per stream. */
async function load(run: CliRun, db = DB): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const stream of STREAMS) counts[stream] = await loadStream(run, stream, db);
  return counts;
}

async function createTable(db: string, stream: string): Promise<void> {
  await ch(createTableSql(`${db}.${stream}`, schemaOf(stream)).replace(/^--.*\n/gm, '').replace(/;\s*$/, ''));
}

async function createTables(db: string): Promise<void> {
  await ch(`DROP DATABASE IF EXISTS ${db}`);
  await ch(`CREATE DATABASE ${db}`);
  for (const stream of STREAMS) await createTable(db, stream);
}

async function read(config: Json, catalog: Json, state?: Json): Promise<CliRun> {
  const dir = tempDir('ch-read-');
  try {
    const args = ['read', '--config', writeJson(path.join(dir, 'config.json'), config), '--catalog', writeJson(path.join(dir, 'catalog.json'), catalog)];
    if (state) args.push('--state', writeJson(path.join(dir, 'state.json'), state));
    const run = await runCli(args);
    if (run.code !== 0) throw new Error(`read failed (${run.code}): ${JSON.stringify(ofType(run, 'TRACE').slice(-2))}\n${run.stderr.slice(-2000)}`);
    return run;
  } finally {
    fs.rmSync(dir, {recursive: true, force: true});
  }
}

let sb: Sandbox;
let full: CliRun;
let resync: CliRun;
const loaded: Array<Record<string, number>> = [];
let mcaScope: Scope;
let mcaFull: CliRun;
let mcaResync: CliRun;
const mcaLoaded: Array<Record<string, number>> = [];
const figures: string[] = [];

beforeAll(async () => {
  try {
    const version = (await ch('SELECT version()')).trim();
    figures.push(`ClickHouse ${version} at ${CH_URL}`);
  } catch (err) {
    throw new Error(`No ClickHouse at ${CH_URL} (start one with scripts/ci/clickhouse-start.sh): ${(err as Error).message}`);
  }
  for (const db of [DB, MCA_DB, BOTH_DB]) await createTables(db);

  sb = await startTestSandbox({rowsPerDay: 150});
  const config = sandboxConfig(sb, WINDOW, {slice_days: 7, month_close_days: 5});
  const catalog = {
    streams: STREAMS.map((name) => ({
      stream: {name, json_schema: schemaOf(name), supported_sync_modes: ['full_refresh', 'incremental'], source_defined_cursor: true, default_cursor_field: ['usage_date'], source_defined_primary_key: [['id']]},
      sync_mode: 'incremental',
      cursor_field: ['usage_date'],
      destination_sync_mode: 'append_dedup',
      primary_key: [['id']],
    })),
  };
  full = await read(config, catalog);
  loaded.push(await load(full));
  resync = await read(config, catalog, latestStateInput(full));
  loaded.push(await load(resync));

  mcaScope = mcaProfileScopes(sb)[MCA_PROFILE];
  // the EUR profile's subscriptions are outside the payments rules: one more rule of the tag
  // rule's priority gives it same-priority conflicts, so tracking_conflicts has MCA rows too
  const mcaRules = [...SANDBOX_TRACKING_RULES, {name: 'ml-lab-subscription', priority: 10, match: {subscription_name: 'ML Lab*'}, set: {team: 'ml-lab'}}];
  const mcaConfig = sandboxMcaConfig(sb, WINDOW, {slice_days: 7, month_close_days: 5, tracking_rules: mcaRules}, MCA_PROFILE);
  mcaFull = await read(mcaConfig, catalog);
  mcaLoaded.push(await load(mcaFull, MCA_DB));
  mcaResync = await read(mcaConfig, catalog, latestStateInput(mcaFull));
  mcaLoaded.push(await load(mcaResync, MCA_DB));
}, 900_000);

afterAll(async () => {
  await sb?.close();
  if (process.env.KEEP_CLICKHOUSE_DB !== '1') for (const db of [DB, MCA_DB, BOTH_DB, EXPORTS_DB]) await ch(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
  if (figures.length) process.stdout.write(`\n${figures.join('\n')}\n`);
});

describe('DDL', () => {
  it.each(['usage_details', 'tracking_conflicts', 'focus_costs'])('examples/clickhouse/%s.sql is the DDL generated from its JSON schema in resources/schemas', (stream) => {
    const file = path.join(EXAMPLES, `${stream}.sql`);
    const expected = createTableSql(stream, schemaOf(stream), `resources/schemas/${stream}.json`);
    if (process.env.UPDATE_CLICKHOUSE_DDL === '1') fs.writeFileSync(file, expected);
    expect(fs.readFileSync(file, 'utf8')).toBe(expected);
  });

  it('maps the JSON schema types like the Airbyte destination', async () => {
    const cols = await chRows(`SELECT name, type FROM system.columns WHERE database = '${DB}' AND table = 'usage_details'`);
    const type = Object.fromEntries(cols.map((c) => [c.name, c.type]));
    expect(type).toMatchObject({
      id: 'String',
      usage_date: 'Date',
      billing_period_start: 'Nullable(Date)',
      cost: 'Float64',
      quantity: 'Nullable(Float64)',
      vm_vcpus: 'Nullable(Int64)',
      is_azure_credit_eligible: 'Nullable(UInt8)',
      tags: 'Nullable(String)',
      tracking_rules: 'Nullable(String)',
      subscription_name: 'Nullable(String)',
      _airbyte_emitted_at: 'UInt64',
    });
    const engine = await chRows(`SELECT engine, sorting_key FROM system.tables WHERE database = '${DB}' AND name = 'usage_details'`).catch(
      async () => chRows(`SELECT engine FROM system.tables WHERE database = '${DB}' AND name = 'usage_details'`),
    );
    expect(engine[0].engine).toBe('ReplacingMergeTree');
  });
});

describe('full sync + incremental re-sync, de-duplicated by ReplacingMergeTree', () => {
  it('the re-sync re-read the look-back window (rows that are duplicates until merged)', () => {
    expect(loaded[0].usage_details).toBeGreaterThan(1000);
    expect(loaded[1].usage_details).toBeGreaterThan(0);
    expect(loaded[1].usage_details).toBeLessThan(loaded[0].usage_details);
    const lastState = states(resync, 'usage_details').pop()?.stream.stream_state.usage_date;
    expect(lastState).toBe(WINDOW.end);
    figures.push(`loaded: full sync ${JSON.stringify(loaded[0])}, re-sync ${JSON.stringify(loaded[1])}`);
  });

  it.each(STREAMS)('%s: after OPTIMIZE FINAL, count() = uniqExact(id) = distinct ids emitted', async (stream) => {
    const before = (await chRows(`SELECT count() AS n, uniqExact(id) AS ids FROM ${DB}.${stream}`))[0];
    expect(Number(before.n)).toBe(loaded[0][stream] + loaded[1][stream]);
    await ch(`OPTIMIZE TABLE ${DB}.${stream} FINAL`);
    const after = (await chRows(`SELECT count() AS n, uniqExact(id) AS ids FROM ${DB}.${stream}`))[0];
    const emitted = new Set([...recordEnvelopes(full, stream), ...recordEnvelopes(resync, stream)].map((r) => r.data.id)).size;
    expect({rows: Number(after.n), ids: Number(after.ids)}).toEqual({rows: emitted, ids: emitted});
    if (stream !== 'tracking_conflicts') expect(Number(before.n)).toBeGreaterThan(Number(after.n));
    figures.push(`${stream}: ${before.n} rows loaded, ${after.n} rows after OPTIMIZE FINAL = ${after.ids} distinct ids`);
  });

  it.each(Object.entries(USAGE))('%s: per-day rows and cost sums equal the sandbox truth (%s) to the cent', async (stream, metric) => {
    await ch(`OPTIMIZE TABLE ${DB}.${stream} FINAL`);
    const days = await chRows(`SELECT toString(usage_date) AS day, count() AS n, toString(sum(cost)) AS cost FROM ${DB}.${stream} GROUP BY usage_date ORDER BY usage_date`);
    const truth = sb.truth(metric, WINDOW.start, WINDOW.end);
    const expected = Object.entries(truth.days).filter(([, t]) => t.rows > 0);
    const mismatches: string[] = [];
    let maxDiff = 0;
    for (const [day, t] of expected) {
      const got = days.find((d) => d.day === day);
      if (!got) {
        mismatches.push(`${day}: missing`);
        continue;
      }
      if (Number(got.n) !== t.rows) mismatches.push(`${day}: ${got.n} rows, truth ${t.rows}`);
      if (decimalToCents(got.cost) !== BigInt(t.costCents)) mismatches.push(`${day}: ${got.cost} vs truth ${t.cost}`);
      maxDiff = Math.max(maxDiff, Math.abs(Number(got.cost) - Number(t.cost)));
    }
    for (const d of days) if (!truth.days[d.day]) mismatches.push(`${d.day}: not in the truth`);
    expect(mismatches).toEqual([]);
    expect(days.length).toBe(expected.length);
    const total = (await chRows(`SELECT toString(sum(cost)) AS cost, count() AS n FROM ${DB}.${stream}`))[0];
    expect(decimalToCents(total.cost)).toBe(BigInt(truth.costCents));
    figures.push(
      `${stream}: ${days.length} days ${WINDOW.start}..${WINDOW.end}, ${total.n} rows, total ${total.cost} (truth ${truth.cost}); ` +
        `every day's rows and cents equal the truth; largest per-day difference ${maxDiff.toExponential(2)}`,
    );
  });
});

describe('EA and MCA connections side by side', () => {
  /** Per-day rows, cost and cost in USD of a table, after de-duplication. */
  async function perDay(db: string, stream: string): Promise<Map<string, Json>> {
    await ch(`OPTIMIZE TABLE ${db}.${stream} FINAL`);
    const rows = await chRows(`SELECT toString(usage_date) AS day, count() AS n, toString(sum(cost)) AS cost, toString(sum(cost_in_usd)) AS usd FROM ${db}.${stream} GROUP BY usage_date ORDER BY usage_date`);
    return new Map(rows.map((r) => [r.day, r]));
  }

  it('the MCA connection synced its billing profile and re-read the look-back window', () => {
    expect(mcaScope.type).toBe('mca_billing_profile');
    expect(mcaLoaded[0].usage_details).toBeGreaterThan(1000);
    expect(mcaLoaded[1].usage_details).toBeGreaterThan(0);
    expect(mcaLoaded[1].usage_details).toBeLessThan(mcaLoaded[0].usage_details);
    expect(states(mcaResync, 'usage_details').pop()?.stream.stream_state.usage_date).toBe(WINDOW.end);
    const agreements = new Set(recordEnvelopes(mcaFull, 'usage_details').map((r) => r.data.agreement));
    expect([...agreements]).toEqual(['MCA']);
    figures.push(`MCA ${mcaScope.path}: loaded full sync ${JSON.stringify(mcaLoaded[0])}, re-sync ${JSON.stringify(mcaLoaded[1])}`);
  });

  it.each(Object.entries(USAGE))('%s of the MCA profile: per-day rows, cost and cost in USD equal its truth (%s) to the cent', async (stream, metric) => {
    const days = await perDay(MCA_DB, stream);
    const truth = sb.truth(metric, WINDOW.start, WINDOW.end, mcaScope.path);
    const mismatches: string[] = [];
    for (const [day, t] of Object.entries(truth.days)) {
      if (t.rows === 0) continue;
      const got = days.get(day);
      if (!got) mismatches.push(`${day}: missing`);
      else {
        if (Number(got.n) !== t.rows) mismatches.push(`${day}: ${got.n} rows, truth ${t.rows}`);
        if (decimalToCents(got.cost) !== BigInt(t.costCents)) mismatches.push(`${day}: cost ${got.cost} vs truth ${t.cost}`);
        if (t.costInUsd !== undefined && decimalToCents(got.usd) !== decimalToCents(t.costInUsd)) mismatches.push(`${day}: USD ${got.usd} vs truth ${t.costInUsd}`);
      }
    }
    for (const day of days.keys()) if (!truth.days[day]?.rows) mismatches.push(`${day}: not in the truth`);
    expect(mismatches).toEqual([]);
    expect(truth.costInUsd).toBeDefined();
    figures.push(`${stream} (MCA): ${days.size} days, truth ${truth.cost} ${'EUR'} = ${truth.costInUsd} USD; every day's rows and cents equal`);
  });

  it.each(STREAMS)('%s: EA and MCA ids never clash; loaded into one table, nothing merges', async (stream) => {
    const clash = await chRows(`SELECT count() AS n FROM ${DB}.${stream} WHERE id IN (SELECT id FROM ${MCA_DB}.${stream})`);
    expect(Number(clash[0].n)).toBe(0);
    for (const src of [DB, MCA_DB]) await ch(`INSERT INTO ${BOTH_DB}.${stream} SELECT * FROM ${src}.${stream}`);
    await ch(`OPTIMIZE TABLE ${BOTH_DB}.${stream} FINAL`);
    const both = (await chRows(`SELECT count() AS n, uniqExact(id) AS ids FROM ${BOTH_DB}.${stream}`))[0];
    const ea = new Set([...recordEnvelopes(full, stream), ...recordEnvelopes(resync, stream)].map((r) => r.data.id));
    const mca = new Set([...recordEnvelopes(mcaFull, stream), ...recordEnvelopes(mcaResync, stream)].map((r) => r.data.id));
    expect(mca.size).toBeGreaterThan(0);
    expect({rows: Number(both.n), ids: Number(both.ids)}).toEqual({rows: ea.size + mca.size, ids: ea.size + mca.size});
    figures.push(`${stream}: one table fed by both connections holds ${both.n} rows = ${ea.size} EA + ${mca.size} MCA ids`);
  });
});

/** An example query's text as ClickHouse runs it (comments and the final `;` removed). */
async function exampleSql(file: string): Promise<string> {
  let sql = fs.readFileSync(path.join(EXAMPLES, file), 'utf8').replace(/--.*$/gm, '').trim().replace(/;$/, '');
  // the union example names the two connections' databases `ea` and `mca`
  sql = sql.replace(/\bea\.usage_details\b/g, `${DB}.usage_details`).replace(/\bmca\.usage_details\b/g, `${MCA_DB}.usage_details`);
  // ClickHouse before 19.x (Debian's 18.16) has visitParamExtractString, not JSONExtractString
  const [major] = (await ch('SELECT version()')).trim().split('.').map(Number);
  if (major < 19) sql = sql.replace(/JSONExtractString\(/g, 'visitParamExtractString(');
  return sql;
}

/** Runs an example query on a connection's database (the EA one unless told). */
async function runExample(file: string, database = DB): Promise<Json[]> {
  return chRows(await exampleSql(file), database);
}

describe('example queries (examples/clickhouse)', () => {

  it('cost by tracking team per month', async () => {
    const rows = await runExample('cost_by_team_month.sql');
    expect(rows.length).toBeGreaterThan(2);
    const teams = new Set(rows.map((r) => r.team));
    expect(teams.has('payments-core') || teams.has('payments')).toBe(true);
    const months = new Set(rows.map((r) => r.month));
    expect(months.size).toBeGreaterThanOrEqual(2);
    const sum = rows.reduce((a, r) => a + Number(r.cost), 0);
    const truth = Number(sb.truth('actual', WINDOW.start, WINDOW.end).cost);
    expect(Math.abs(sum - truth)).toBeLessThan(0.01 * rows.length); // rounded per row to cents
    figures.push(`cost_by_team_month.sql: ${rows.length} rows, teams ${[...teams].join(', ')}`);
  });

  it('EA and MCA union: per day and agreement, rows, cost and cost in USD equal each scope\'s truth', async () => {
    const rows = await runExample('ea_mca_union.sql');
    const ea = sb.truth('actual', WINDOW.start, WINDOW.end);
    const mca = sb.truth('actual', WINDOW.start, WINDOW.end, mcaScope.path);
    const mismatches: string[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      const key = `${r.usage_date} ${r.agreement}`;
      if (seen.has(key)) mismatches.push(`${key}: more than one billing currency`);
      seen.add(key);
      const t = (r.agreement === 'EA' ? ea : mca).days[r.usage_date];
      if (!t || t.rows === 0) {
        mismatches.push(`${key}: not in the truth`);
        continue;
      }
      if (Number(r.charges) !== t.rows) mismatches.push(`${key}: ${r.charges} rows, truth ${t.rows}`);
      if (decimalToCents(String(r.cost)) !== BigInt(t.costCents)) mismatches.push(`${key}: cost ${r.cost} vs ${t.cost}`);
      const usd = r.agreement === 'EA' ? (r.billing_currency === 'USD' ? t.cost : null) : (t as Json).costInUsd;
      if (usd === null ? r.cost_usd !== null : decimalToCents(String(r.cost_usd)) !== decimalToCents(usd)) mismatches.push(`${key}: USD ${r.cost_usd} vs ${usd}`);
    }
    for (const [name, truth] of [['EA', ea], ['MCA', mca]] as const) {
      for (const [day, t] of Object.entries(truth.days)) if (t.rows > 0 && !seen.has(`${day} ${name}`)) mismatches.push(`${day} ${name}: missing`);
    }
    expect(mismatches).toEqual([]);
    const currencies = [...new Set(rows.map((r) => `${r.agreement} ${r.billing_currency}`))].sort();
    expect(currencies).toEqual(['EA USD', `MCA ${MCA_PROFILES[MCA_PROFILE].currency}`]);
    figures.push(`ea_mca_union.sql: ${rows.length} rows (day × agreement), ${currencies.join(', ')}; every day's rows, cost and USD equal each scope's truth`);
  });

  it('top AKS clusters by cost', async () => {
    const rows = await runExample('top_aks_clusters.sql');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < rows.length; i++) expect(Number(rows[i - 1].cluster_cost)).toBeGreaterThanOrEqual(Number(rows[i].cluster_cost));
    figures.push(`top_aks_clusters.sql: ${rows.map((r) => `${r.aks_cluster} ${r.cluster_cost} (spot ${r.spot_cost}, pools ${r.node_pools.join('/')})`).join('; ')}`);
  });
});

describe('FOCUS truth (test/clickhouse/focus-truth.ts)', () => {
  it('the row-level truth agrees with the sandbox truth: per day, rows and amortized cost, EA and MCA', () => {
    for (const [name, scope, t] of [['EA', null, sb.truth('amortized', WINDOW.start, WINDOW.end)], ['MCA', mcaScope, sb.truth('amortized', WINDOW.start, WINDOW.end, mcaScope.path)]] as const) {
      const mine = focusTruth(sb, scope, WINDOW.start, WINDOW.end);
      const mismatches: string[] = [];
      for (const [day, d] of Object.entries(t.days)) {
        const m = mine.days.get(day) ?? {cost: 0n, rows: 0};
        if (m.rows !== d.rows || toCents(m.cost).toString() !== d.costCents) mismatches.push(`${name} ${day}: ${m.rows} rows ${formatDec(m.cost)} vs ${d.rows} ${d.cost}`);
      }
      expect(mismatches).toEqual([]);
      // what the FOCUS queries are checked on: commitments, list costs and untagged rows exist in this sandbox
      expect(mine.commitments.size).toBeGreaterThanOrEqual(name === 'EA' ? 2 : 1);
      // the sandbox's unused reservation rows: some commitment is not fully used
      expect([...mine.commitments.values()].some((c) => c.unused > 0n)).toBe(true);
      expect(mine.list.size).toBeGreaterThanOrEqual(2);
      expect([...mine.untagged.values()].every((u) => u.untaggedRows > 0 && u.untaggedRows < u.rows)).toBe(true);
      figures.push(`focus truth (${name}): ${mine.commitments.size} commitments (unused ${[...mine.commitments.values()].filter((c) => c.unused !== 0n).length}), ` +
        `list cost by pricing model ${[...mine.list].map(([k, v]) => `${k || '(empty)'} ${v.rows} rows`).join(', ')}, ${mine.subscriptions.size} subscriptions`);
    }
  });
});

/**
 * FOCUS (docs/design.md §15): the focus_costs stream of the EA enrollment (full sync and re-sync)
 * and of the MCA billing profile (full sync), each read alone, loaded into the focus_costs.sql
 * table; the five FinOps examples are checked against the sandbox's truth (test/clickhouse/
 * focus-truth.ts: from the rows the sandbox generates, never from the connector's output).
 */
describe('FOCUS: focus_costs and the FinOps example queries', () => {
  const FOCUS = 'focus_costs';
  /** FOCUS's allowed ServiceCategory values (FOCUS 1.2). */
  const SERVICE_CATEGORIES = [
    'AI and Machine Learning', 'Analytics', 'Business Applications', 'Compute', 'Databases', 'Developer Tools', 'Multicloud', 'Identity',
    'Integration', 'Internet of Things', 'Management and Governance', 'Media', 'Migration', 'Mobile', 'Networking', 'Security', 'Storage', 'Web', 'Other',
  ];
  const catalog = {
    streams: [{
      stream: {name: FOCUS, json_schema: schemaOf(FOCUS), supported_sync_modes: ['full_refresh', 'incremental'], source_defined_cursor: true, default_cursor_field: ['ChargePeriodStart'], source_defined_primary_key: [['x_RecordId']]},
      sync_mode: 'incremental',
      cursor_field: ['ChargePeriodStart'],
      destination_sync_mode: 'append_dedup',
      primary_key: [['x_RecordId']],
    }],
  };
  let eaFull: CliRun;
  let eaResync: CliRun;
  let mcaRun: CliRun;
  const rowsLoaded: number[] = [];
  /** Per connection: its database, its scope's path for sb.truth (undefined: the enrollment) and the row-level truth. */
  const conn: Record<'EA' | 'MCA', {db: string; scope: string | undefined; truth: FocusTruth}> = {} as never;

  /** sb.truth of a connection's scope. */
  const scopeTruthOf = (name: 'EA' | 'MCA', metric: 'actual' | 'amortized') =>
    name === 'EA' ? sb.truth(metric, WINDOW.start, WINDOW.end) : sb.truth(metric, WINDOW.start, WINDOW.end, mcaScope.path);
  const cents = (v: unknown) => decimalToCents(String(v));
  /** The subscription GUID in a SubAccountId (`/subscriptions/{guid}` or the bare GUID), lower case. */
  const guidOf = (v: unknown) => (/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(String(v))?.[0] ?? String(v)).toLowerCase();

  beforeAll(async () => {
    conn.EA = {db: DB, scope: undefined, truth: focusTruth(sb, null, WINDOW.start, WINDOW.end)};
    conn.MCA = {db: MCA_DB, scope: mcaScope.path, truth: focusTruth(sb, mcaScope, WINDOW.start, WINDOW.end)};
    for (const db of [DB, MCA_DB]) await createTable(db, FOCUS);
    const options = {slice_days: 7, month_close_days: 5};
    eaFull = await read(sandboxConfig(sb, WINDOW, options), catalog);
    rowsLoaded.push(await loadStream(eaFull, FOCUS));
    eaResync = await read(sandboxConfig(sb, WINDOW, options), catalog, latestStateInput(eaFull));
    rowsLoaded.push(await loadStream(eaResync, FOCUS));
    mcaRun = await read(sandboxMcaConfig(sb, WINDOW, options, MCA_PROFILE), catalog);
    await loadStream(mcaRun, FOCUS, MCA_DB);
  }, 900_000);

  it('the table maps FOCUS types: date-times DateTime(UTC), decimals Float64, Tags JSON text; ReplacingMergeTree', async () => {
    const cols = await chRows(`SELECT name, type FROM system.columns WHERE database = '${DB}' AND table = '${FOCUS}'`);
    const type = Object.fromEntries(cols.map((c) => [c.name, c.type]));
    expect(type).toMatchObject({
      x_RecordId: 'String',
      ChargePeriodStart: "DateTime('UTC')",
      BillingPeriodEnd: "Nullable(DateTime('UTC'))",
      BilledCost: 'Float64',
      EffectiveCost: 'Float64',
      ListCost: 'Nullable(Float64)',
      Tags: 'Nullable(String)',
      x_VmVcpus: 'Nullable(Int64)',
      x_SkuIsCreditEligible: 'Nullable(UInt8)',
    });
    const engine = await chRows(`SELECT engine FROM system.tables WHERE database = '${DB}' AND name = '${FOCUS}'`);
    expect(engine[0].engine).toBe('ReplacingMergeTree');
    // a date-time lands as the instant the record states
    const first = recordEnvelopes(eaFull, FOCUS)[0].data;
    const got = await chRows(`SELECT toString(ChargePeriodStart) AS s, toString(ChargePeriodEnd) AS e FROM ${DB}.${FOCUS} WHERE x_RecordId = '${String(first.x_RecordId).replace(/'/g, "\\'")}' LIMIT 1`);
    expect(`${got[0].s.replace(' ', 'T')}Z`).toBe(new Date(String(first.ChargePeriodStart)).toISOString().replace('.000Z', 'Z'));
    expect(`${got[0].e.replace(' ', 'T')}Z`).toBe(new Date(String(first.ChargePeriodEnd)).toISOString().replace('.000Z', 'Z'));
  });

  it('full sync + re-sync: after OPTIMIZE FINAL, count() = uniqExact(x_RecordId) = distinct ids emitted', async () => {
    expect(rowsLoaded[0]).toBeGreaterThan(1000);
    expect(rowsLoaded[1]).toBeGreaterThan(0);
    expect(rowsLoaded[1]).toBeLessThan(rowsLoaded[0]);
    expect(states(eaResync, FOCUS).pop()?.stream.stream_state.usage_date).toBe(WINDOW.end);
    const before = (await chRows(`SELECT count() AS n FROM ${DB}.${FOCUS}`))[0];
    expect(Number(before.n)).toBe(rowsLoaded[0] + rowsLoaded[1]);
    for (const db of [DB, MCA_DB]) await ch(`OPTIMIZE TABLE ${db}.${FOCUS} FINAL`);
    const after = (await chRows(`SELECT count() AS n, uniqExact(x_RecordId) AS ids FROM ${DB}.${FOCUS}`))[0];
    const emitted = new Set([...recordEnvelopes(eaFull, FOCUS), ...recordEnvelopes(eaResync, FOCUS)].map((r) => r.data.x_RecordId)).size;
    expect({rows: Number(after.n), ids: Number(after.ids)}).toEqual({rows: emitted, ids: emitted});
    const mca = (await chRows(`SELECT count() AS n, uniqExact(x_RecordId) AS ids FROM ${MCA_DB}.${FOCUS}`))[0];
    expect(Number(mca.n)).toBe(recordEnvelopes(mcaRun, FOCUS).length);
    expect(Number(mca.ids)).toBe(Number(mca.n));
    figures.push(`${FOCUS}: EA full sync ${rowsLoaded[0]} rows, re-sync ${rowsLoaded[1]}, ${after.n} after OPTIMIZE FINAL = ${after.ids} distinct ids; MCA ${mca.n} rows`);
  });

  it.each(['EA', 'MCA'] as const)('%s: cost by ServiceCategory per day: each day\'s EffectiveCost = amortized truth, BilledCost = actual truth, to the cent', async (name) => {
    const {db} = conn[name];
    const rows = await runExample('focus_cost_by_service_category_day.sql', db);
    const perDay = await chRows(
      `SELECT toString(day) AS day, toString(sum(effective_cost)) AS effective, toString(sum(billed_cost)) AS billed, sum(charges) AS n FROM (${await exampleSql('focus_cost_by_service_category_day.sql')}) GROUP BY day ORDER BY day`,
      db,
    );
    const amortized = scopeTruthOf(name, 'amortized');
    const actual = scopeTruthOf(name, 'actual');
    const mismatches: string[] = [];
    const got = new Map(perDay.map((d) => [d.day, d]));
    for (const day of new Set([...Object.keys(amortized.days), ...Object.keys(actual.days)])) {
      const a = amortized.days[day];
      const b = actual.days[day];
      const d = got.get(day);
      if (a.rows + b.rows === 0) {
        if (d) mismatches.push(`${day}: not in the truth`);
        continue;
      }
      if (!d) {
        mismatches.push(`${day}: missing`);
        continue;
      }
      if (cents(d.effective) !== BigInt(a.costCents)) mismatches.push(`${day}: EffectiveCost ${d.effective} vs amortized ${a.cost}`);
      if (cents(d.billed) !== BigInt(b.costCents)) mismatches.push(`${day}: BilledCost ${d.billed} vs actual ${b.cost}`);
    }
    expect(mismatches).toEqual([]);
    const categories = [...new Set(rows.map((r) => r.service_category))].sort();
    expect(categories.filter((c) => !SERVICE_CATEGORIES.includes(c))).toEqual([]);
    expect(categories).toEqual(expect.arrayContaining(['Compute', 'Databases', 'Networking', 'Storage']));
    figures.push(`focus_cost_by_service_category_day.sql (${name}): ${rows.length} rows over ${perDay.length} days; categories ${categories.join(', ')}; every day's EffectiveCost and BilledCost equal the amortized and actual truth to the cent`);
  });

  it('EA from its FocusCost export (1.0r2, snappy Parquet): each day\'s EffectiveCost and BilledCost equal the export\'s truth to the cent', async () => {
    await ch(`DROP DATABASE IF EXISTS ${EXPORTS_DB}`);
    await ch(`CREATE DATABASE ${EXPORTS_DB}`);
    await createTable(EXPORTS_DB, FOCUS);
    const truth = await sb.exportTruth('ea-focus');
    const s = sb.storage;
    const dataSource = {type: 'exports', storage_account_url: s.accountUrl, container: s.container, root_folder_path: s.rootFolderPath, export_names: ['ea-focus'], sas_token: mintSas(sb, {expiresInSeconds: 3600})};
    const run = await read(sandboxConfig(sb, WINDOW, {slice_days: 7, month_close_days: 5, data_source: dataSource}), catalog);
    const n = await loadStream(run, FOCUS, EXPORTS_DB);
    await ch(`OPTIMIZE TABLE ${EXPORTS_DB}.${FOCUS} FINAL`);
    const perDay = await chRows(
      `SELECT toString(day) AS day, toString(sum(effective_cost)) AS effective, toString(sum(billed_cost)) AS billed FROM (${await exampleSql('focus_cost_by_service_category_day.sql')}) GROUP BY day ORDER BY day`,
      EXPORTS_DB,
    );
    const got = new Map(perDay.map((d) => [d.day, d]));
    const mismatches: string[] = [];
    let days = 0;
    for (const [day, t] of Object.entries(truth.days)) {
      if (day < WINDOW.start || day > WINDOW.end || t.rows === 0) continue;
      days++;
      const d = got.get(day);
      if (!d) mismatches.push(`${day}: missing`);
      else {
        if (cents(d.effective) !== cents(t.effectiveCost)) mismatches.push(`${day}: EffectiveCost ${d.effective} vs ${t.effectiveCost}`);
        if (cents(d.billed) !== cents(t.billedCost)) mismatches.push(`${day}: BilledCost ${d.billed} vs ${t.billedCost}`);
      }
    }
    for (const day of got.keys()) if (!truth.days[day]?.rows) mismatches.push(`${day}: not in the truth`);
    expect(mismatches).toEqual([]);
    expect(days).toBe(got.size);
    expect(new Set(recordEnvelopes(run, FOCUS).map((r) => r.data.x_SourceDataset)).size).toBe(1);
    figures.push(`focus_costs from the FocusCost export: ${n} records (${recordEnvelopes(run, FOCUS)[0]?.data.x_SourceDataset}), ${days} days; every day's EffectiveCost and BilledCost equal the export's truth`);
  });

  it('EA: commitment utilization by CommitmentDiscountId: used and unused EffectiveCost equal the truth per commitment', async () => {
    const rows = await runExample('focus_commitment_utilization.sql', DB);
    const truth = conn.EA.truth.commitments;
    const mismatches: string[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      const id = String(r.commitment_discount_id).toLowerCase();
      seen.add(id);
      const t = truth.get(id);
      if (!t) {
        mismatches.push(`${id}: not in the truth`);
        continue;
      }
      if (cents(r.used_cost) !== toCents(t.used)) mismatches.push(`${id}: used ${r.used_cost} vs ${formatDec(t.used)}`);
      if (cents(r.unused_cost) !== toCents(t.unused)) mismatches.push(`${id}: unused ${r.unused_cost} vs ${formatDec(t.unused)}`);
      const expected = Number(formatDec(t.used)) / (Number(formatDec(t.used)) + Number(formatDec(t.unused)));
      if (Math.abs(Number(r.utilization) - expected) > 1e-9) mismatches.push(`${id}: utilization ${r.utilization} vs ${expected}`);
    }
    for (const [id, t] of truth) if (t.used + t.unused !== 0n && !seen.has(id)) mismatches.push(`${id}: missing`);
    expect(mismatches).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    // unused hours exist (the sandbox's UnusedReservation rows): some commitment is below 100 %
    expect(rows.some((r) => Number(r.utilization) < 1)).toBe(true);
    for (let i = 1; i < rows.length; i++) expect(Number(rows[i - 1].utilization)).toBeLessThanOrEqual(Number(rows[i].utilization));
    figures.push(`focus_commitment_utilization.sql: ${rows.map((r) => `${r.commitment_discount_name ?? r.commitment_discount_id} used ${Number(r.used_cost).toFixed(2)} unused ${Number(r.unused_cost).toFixed(2)} → ${(100 * Number(r.utilization)).toFixed(1)}%`).join('; ')}`);
  });

  /** The savings query's rows and the truth's list cost by pricing model, summed. */
  async function savings(name: 'EA' | 'MCA') {
    const rows = await runExample('focus_savings_vs_list.sql', conn[name].db);
    const total = {list: 0n, cost: 0n, rows: 0};
    const committed = {list: 0n, cost: 0n};
    for (const [model, t] of conn[name].truth.list) {
      total.list += t.list;
      total.cost += t.cost;
      total.rows += t.rows;
      if (model === 'Reservation' || model === 'SavingsPlan') {
        committed.list += t.list;
        committed.cost += t.cost;
      }
    }
    const sum = (k: string) => decimalToCents(rows.reduce((a, r) => a + Number(r[k]), 0).toFixed(6));
    return {rows, total, committed, sum};
  }

  it.each(['EA', 'MCA'] as const)('%s: savings against ListCost where available: the charges with a ListCost, their EffectiveCost and the Committed savings equal the truth to the cent', async (name) => {
    const {rows, total, committed, sum} = await savings(name);
    // the charges with a ListCost are the truth's rows with a non-zero list cost, and none other
    expect(rows.reduce((a, r) => a + Number(r.charges), 0)).toBe(total.rows);
    expect(sum('effective_cost')).toBe(toCents(total.cost));
    const c = rows.filter((r) => r.pricing_category === 'Committed');
    expect(c.length).toBe(1);
    expect(cents(c[0].list_cost)).toBe(toCents(committed.list));
    expect(cents(c[0].savings)).toBe(toCents(committed.list - committed.cost));
    expect(Number(c[0].savings)).toBeGreaterThan(0);
    figures.push(`focus_savings_vs_list.sql (${name}): ${rows.map((r) => `${r.pricing_category} list ${Number(r.list_cost).toFixed(2)} − effective ${Number(r.effective_cost).toFixed(2)} = ${Number(r.savings).toFixed(2)} ${r.currency} (${(100 * Number(r.savings_rate)).toFixed(1)}%)`).join('; ')}; truth: list ${Number(formatDec(total.list)).toFixed(2)}, savings ${Number(formatDec(total.list - total.cost)).toFixed(2)}`);
  });

  /** Total ListCost and savings equal the truth, and no pricing category saves less than nothing. */
  async function expectListTotals(name: 'EA' | 'MCA'): Promise<void> {
    const {rows, total, sum} = await savings(name);
    expect(sum('list_cost')).toBe(toCents(total.list));
    expect(sum('savings')).toBe(toCents(total.list - total.cost));
    for (const r of rows) expect(Number(r.savings)).toBeGreaterThanOrEqual(-0.005);
  }

  it('MCA: savings against ListCost: total ListCost and savings equal the truth to the cent; no category saves less than nothing', async () => {
    await expectListTotals('MCA');
  });

  // EA's block-priced meter ('LRS Write Operations', unit '10K') carries its quantity in blocks
  // (cost = quantity × price): the conversion must not divide it by the block size again.
  it('EA: savings against ListCost: total ListCost and savings equal the truth to the cent; no category saves less than nothing', async () => {
    await expectListTotals('EA');
  });

  it.each(['EA', 'MCA'] as const)('%s: top SubAccounts by EffectiveCost: the truth\'s top subscriptions, in order, to the cent', async (name) => {
    const rows = await runExample('focus_top_subaccounts.sql', conn[name].db);
    const expected = [...conn[name].truth.subscriptions].sort((a, b) => (a[1].cost > b[1].cost ? -1 : a[1].cost < b[1].cost ? 1 : 0)).slice(0, 10);
    expect(rows.map((r) => guidOf(r.sub_account_id))).toEqual(expected.map(([sub]) => sub));
    const mismatches = rows.flatMap((r, i) => (cents(r.effective_cost) === toCents(expected[i][1].cost) ? [] : [`${r.sub_account_id}: ${r.effective_cost} vs ${formatDec(expected[i][1].cost)}`]));
    expect(mismatches).toEqual([]);
    figures.push(`focus_top_subaccounts.sql (${name}): ${rows.slice(0, 3).map((r) => `${r.sub_account_name} ${Number(r.effective_cost).toFixed(2)}`).join(', ')}, … (${rows.length})`);
  });

  it.each(['EA', 'MCA'] as const)('%s: the share of untagged cost per month equals the truth', async (name) => {
    const rows = await runExample('focus_untagged_share.sql', conn[name].db);
    const truth = conn[name].truth.untagged;
    const mismatches: string[] = [];
    for (const r of rows) {
      const t = truth.get(String(r.month).slice(0, 7));
      if (!t) {
        mismatches.push(`${r.month}: not in the truth`);
        continue;
      }
      if (cents(r.untagged_cost) !== toCents(t.untagged)) mismatches.push(`${r.month}: untagged ${r.untagged_cost} vs ${formatDec(t.untagged)}`);
      if (cents(r.effective_cost) !== toCents(t.total)) mismatches.push(`${r.month}: total ${r.effective_cost} vs ${formatDec(t.total)}`);
      const share = Number(formatDec(t.untagged)) / Number(formatDec(t.total));
      if (Math.abs(Number(r.untagged_share) - share) > 1e-9) mismatches.push(`${r.month}: share ${r.untagged_share} vs ${share}`);
    }
    expect(mismatches).toEqual([]);
    expect(rows.map((r) => String(r.month).slice(0, 7))).toEqual([...truth.keys()].sort());
    for (const r of rows) expect(Number(r.untagged_share)).toBeGreaterThan(0);
    figures.push(`focus_untagged_share.sql (${name}): ${rows.map((r) => `${String(r.month).slice(0, 7)} ${(100 * Number(r.untagged_share)).toFixed(2)}% (${Number(r.untagged_cost).toFixed(2)} of ${Number(r.effective_cost).toFixed(2)} ${r.currency})`).join('; ')}`);
  });
});

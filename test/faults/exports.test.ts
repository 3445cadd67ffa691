/**
 * Issue 15, reliability of the exports reader (docs/design.md §14): storage 503s and 500s,
 * connections reset in the middle of a blob (resumed with Range), a SAS that expires mid-sync
 * (a config_error naming data_source.sas_token, the last STATE standing), and `check` saying
 * precisely what is wrong. No SAS token or signature in any output (the suite scans every run).
 */
import {Sandbox} from '../../sandbox';
import {ExportSpec} from '../../sandbox/exports/spec';
import {mintExpiredSas, mintReadOnlySas, mintSas} from '../../sandbox/testing';
import {catalog, CliRun, Json, logs, records, stateFileFrom, states, traces} from '../support/cli';
import {day, sandboxConfig, Suite} from './harness';

const suite = new Suite();
afterAll(() => suite.close('exports'));

const EXPORTS: ExportSpec[] = [
  {name: 'actual', dataset: 'ActualCost', format: 'csv-gzip', rowsPerPart: 300},
  {name: 'amortized', dataset: 'AmortizedCost', format: 'csv', rowsPerPart: 300, history: false},
];
const START = day(-50);
const END = day(-1);

/** A SAS the suite scans every output for, whole and by its signature. */
function sasOf(sb: Sandbox, mint: (sb: Sandbox) => string = (s) => mintSas(s, {expiresInSeconds: 3 * 3600})): string {
  const sas = mint(sb);
  suite.addSecret(sas);
  suite.addSecret(new URLSearchParams(sas).get('sig')!);
  return sas;
}

function config(sb: Sandbox, dataSource: Record<string, unknown> = {}): Record<string, unknown> {
  return sandboxConfig(sb, 'service_principal', {
    start_date: START,
    end_date: END,
    request_timeout_seconds: 2,
    max_retries: 8,
    data_source: {type: 'exports', storage_account_url: sb.storage.accountUrl, container: sb.storage.container, root_folder_path: sb.storage.rootFolderPath, sas_token: sasOf(sb), ...dataSource},
  });
}

async function read(sb: Sandbox, cfg: Record<string, unknown>, streams: string[], state?: unknown): Promise<CliRun> {
  const args = ['read', '--config', suite.file(cfg), '--catalog', suite.file(catalog(streams, 'incremental'))];
  if (state !== undefined) args.push('--state', suite.file(state));
  return suite.cli(args);
}

type Rec = {id: string; usage_date: string; cost: number};

function byDay(recs: Rec[]): Record<string, {rows: number; cents: number}> {
  const unique = new Map(recs.map((r) => [r.id, r]));
  const out: Record<string, {rows: number; cents: number}> = {};
  for (const r of unique.values()) {
    const d = (out[r.usage_date] ??= {rows: 0, cents: 0});
    d.rows++;
    d.cents += r.cost;
  }
  for (const d of Object.values(out)) d.cents = Math.round(d.cents * 100);
  return out;
}

function truth(days: Record<string, Json>): Record<string, {rows: number; cents: number}> {
  const out: Record<string, {rows: number; cents: number}> = {};
  for (const [d, t] of Object.entries(days)) if (t.rows > 0) out[d] = {rows: t.rows, cents: Math.round(Number(t.cost) * 100)};
  return out;
}

describe('exports under storage faults', () => {
  it('503 ServerBusy, 500 OperationTimedOut and resets mid-blob: the same records as the truth, resumed with Range', async () => {
    const sb = await suite.sandbox({seed: 31, startDate: START, endDate: END, exports: EXPORTS, faults: {seed: 7, endpoints: ['storage'], rate5xx: 0.15, rateReset: 0.1, rateTruncate: 0.1}});
    const run = await read(sb, config(sb), ['usage_details', 'usage_details_amortized']);
    expect(run.code).toBe(0);
    expect(byDay(records(run, 'usage_details'))).toEqual(truth((await sb.exportTruth('actual')).days));
    expect(byDay(records(run, 'usage_details_amortized'))).toEqual(truth((await sb.exportTruth('amortized')).days));
    const f = sb.stats.faults;
    expect(f['5xx']).toBeGreaterThan(0);
    expect(f.reset + f.truncate).toBeGreaterThan(0);
    expect(logs(run).some((l) => /Resuming at byte [1-9]/.test(l))).toBe(true);
    expect(logs(run).some((l) => /ServerBusy|OperationTimedOut/.test(l))).toBe(true);
    suite.figures['storage faults'] = {faults: {...f}, records: records(run).length, retries: logs(run).filter((l) => /^(Retrying|Resuming)/.test(l)).length};
  });

  it('a SAS that expires mid-sync: a config_error naming data_source.sas_token; the last STATE stands and the next sync with a new SAS completes', async () => {
    const sb = await suite.sandbox({seed: 32, startDate: START, endDate: END, exports: [EXPORTS[0]], faults: {sasExpireAfterRequests: 12}});
    const cfg = config(sb);
    const run = await read(sb, cfg, ['usage_details']);
    expect(run.code).toBe(1);
    const errors = traces(run, 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].error.failure_type).toBe('config_error');
    expect(errors[0].error.message).toMatch(/data_source\.sas_token was refused: it has expired/);
    expect(sb.stats.faults.sasExpired).toBeGreaterThan(0);
    const saved = stateFileFrom(run);
    expect(states(run, 'usage_details').length).toBeGreaterThan(0);
    // a new SAS on a storage account whose old one expired: resumes from the last state, nothing lost
    const fresh = await suite.sandbox({seed: 32, startDate: START, endDate: END, exports: [EXPORTS[0]]});
    const again = await read(fresh, config(fresh), ['usage_details'], saved);
    expect(again.code).toBe(0);
    expect(byDay([...records(run), ...records(again)])).toEqual(truth((await fresh.exportTruth('actual')).days));
  });
});

describe('check with exports says what is wrong', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await suite.sandbox({seed: 33, startDate: day(-20), endDate: END, exports: [EXPORTS[0]]});
  });

  async function check(cfg: Record<string, unknown>): Promise<{status: Json; errors: Json[]}> {
    const run = await suite.cli(['check', '--config', suite.file(cfg)]);
    expect(run.code).toBe(0);
    const status = run.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus;
    return {status, errors: traces(run, 'ERROR')};
  }

  it('succeeds with a SAS, and with the service principal (Storage Blob Data Reader) and no SAS', async () => {
    expect((await check(config(sb))).status.status).toBe('SUCCEEDED');
    expect((await check(config(sb, {sas_token: undefined}))).status.status).toBe('SUCCEEDED');
  });

  it.each([
    // with the service principal: a container SAS signed for another container is only a bad signature
    ['no such container', {container: 'nothere', sas_token: undefined}, /no container "nothere".*data_source\.container/],
    ['a container SAS used on another container', {container: 'nothere'}, /data_source\.sas_token was refused.*another storage account or container.*"nothere"/],
    ['a SAS without the list permission', {sas_token: 'read-only'}, /data_source\.sas_token lacks the list \(l\) permission/],
    ['an expired SAS', {sas_token: 'expired'}, /data_source\.sas_token was refused: it has expired/],
    ['a SAS signed with another key', {sas_token: 'wrong-key'}, /data_source\.sas_token was refused/],
    ['no manifest under the prefix', {root_folder_path: 'nothing/here'}, /No export manifest .* under exports\/nothing\/here\/.*data_source\.root_folder_path/],
    ['an export name that does not exist', {export_names: ['nope']}, /No export manifest .*data_source\.export_names/],
  ])('%s', async (_what, change, words) => {
    const mints: Record<string, (s: Sandbox) => string> = {'read-only': mintReadOnlySas, expired: mintExpiredSas, 'wrong-key': (s) => mintSas(s, {key: Buffer.from('another key of 32 bytes, not it!').toString('base64')})};
    const ds: Record<string, unknown> = {...change};
    if (typeof ds.sas_token === 'string') ds.sas_token = sasOf(sb, mints[ds.sas_token]);
    const {status, errors} = await check(config(sb, ds));
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(words);
    expect(errors[0]?.error.failure_type).toBe('config_error');
  });

  it('a service principal without the role is told which role and how to grant it', async () => {
    const noRole = await suite.sandbox({seed: 33, startDate: day(-20), endDate: END, exports: [EXPORTS[0]], storageBlobDataReader: false});
    const {status} = await check(config(noRole, {sas_token: undefined}));
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/lacks the Storage Blob Data Reader role/);
    expect(status.message).toMatch(/az role assignment create --role "Storage Blob Data Reader" --assignee /);
  });
});

describe('secrets', () => {
  it('no run printed a secret (SAS tokens and signatures included)', () => {
    const scan = suite.scanAll();
    expect(scan.hits).toEqual([]);
    expect(scan.runs).toBeGreaterThan(8);
    suite.figures['secret scan'] = {runs: scan.runs, secrets: scan.secrets, messages: scan.messages};
  });
});

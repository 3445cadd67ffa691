/**
 * The connector at every billing scope (docs/design.md §7), through the real CLI against the
 * sandbox: per-day rows and exact cost (BigInt decimals) equal the sandbox's truth of the scope,
 * for both streams; MCA rows carry the MCA fields; the same charge keeps its id across scopes;
 * MCA and EA ids never meet; `check` at a refused scope names the missing role.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fs from 'fs';
import path from 'path';

import {Sandbox, startSandbox} from '../../sandbox';
import {parseDec, toCents} from '../../sandbox/decimal';
import {Scope} from '../../sandbox/scopes';
import {catalog, CliRun, expectProtocolOnly, FROZEN_TODAY, records, runCli, tempDir, traces, writeJson} from '../support/cli';
import {decOf} from '../support/decimal';
import {sandboxConfig} from './sandbox-config';

const START = '2026-10-01';
const END = '2026-10-16';
const STREAMS = {actual: 'usage_details', amortized: 'usage_details_amortized'} as const;
type Metric = keyof typeof STREAMS;

let dir: string;
let sb: Sandbox;
const sandboxes: Sandbox[] = [];
let n = 0;
const file = (value: unknown): string => writeJson(path.join(dir, `f${n++}.json`), value);

async function sandbox(options: Parameters<typeof startSandbox>[0] = {}): Promise<Sandbox> {
  const s = await startSandbox({seed: 11, rowsPerDay: 30, startDate: START, endDate: END, today: FROZEN_TODAY, ...options});
  sandboxes.push(s);
  return s;
}

/** A config reading `scope` (its billing_scope) instead of the enrollment. */
function scopeConfig(s: Sandbox, scope: Record<string, string>, auth: 'service_principal' | 'api_key' = 'service_principal'): Record<string, unknown> {
  return sandboxConfig(s, auth, {enrollment_number: undefined, billing_scope: scope});
}

async function cli(args: string[]): Promise<CliRun> {
  const run = await runCli(args);
  expectProtocolOnly(run);
  return run;
}

const read = (s: Sandbox, config: Record<string, unknown>, streams: string[]) =>
  cli(['read', '--config', file(config), '--catalog', file(catalog(streams, 'full_refresh'))]);

/**
 * Rows and cents per day of the emitted records: their costs summed exactly (BigInt decimals),
 * then rounded to cents like the truth. A cost is a JSON number, the double nearest the CSV's
 * decimal (which may carry more digits than a double holds), so the exact sum agrees with the
 * truth's to about 1e-15: cents, not the last of 28 decimals.
 */
function byDay(recs: {usage_date: string; cost: number}[]): Record<string, {rows: number; cents: string}> {
  const out: Record<string, {rows: number; cost: bigint}> = {};
  for (const r of recs) {
    const d = (out[r.usage_date] ??= {rows: 0, cost: 0n});
    d.rows++;
    d.cost += parseDec(decOf(r.cost));
  }
  return Object.fromEntries(Object.entries(out).map(([day, d]) => [day, {rows: d.rows, cents: toCents(d.cost).toString()}]));
}

/** The scope's truth per day (days with rows only), in the same form. */
function truthByDay(s: Sandbox, metric: Metric, scope: Scope): Record<string, {rows: number; cents: string}> {
  const truth = s.truth(metric, START, END, scope.path);
  const out: Record<string, {rows: number; cents: string}> = {};
  for (const [day, d] of Object.entries(truth.days)) if (d.rows > 0) out[day] = {rows: d.rows, cents: d.costCents};
  return out;
}

const ajv = new Ajv({allErrors: true, strict: false});
addFormats(ajv);
const validateRecord = ajv.compile(JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../resources/schemas/usage_details.json'), 'utf8')));

const scopeOf = (type: Scope['type'], agreement: 'EA' | 'MCA' = 'MCA'): Scope => {
  const found = sb.scopes.find((s) => s.type === type && s.agreement === agreement);
  if (!found) throw new Error(`the sandbox serves no ${agreement} ${type}`);
  return found;
};

/** Records of one read per scope path, kept for the cross-scope id checks. */
const readAt = new Map<string, Record<Metric, Array<Record<string, unknown> & {id: string; usage_date: string; cost: number}>>>();

beforeAll(async () => {
  dir = tempDir();
  sb = await sandbox();
});

afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
  fs.rmSync(dir, {recursive: true, force: true});
});

describe.each([
  ['MCA billing profile', 'mca_billing_profile', 'MCA'],
  ['MCA invoice section', 'mca_invoice_section', 'MCA'],
  ['MCA billing account', 'mca_billing_account', 'MCA'],
  ['MCA subscription', 'subscription', 'MCA'],
  ['EA department', 'ea_department', 'EA'],
  ['EA subscription', 'subscription', 'EA'],
] as const)('%s', (_label, type, agreement) => {
  it('both streams: per-day rows and cents (exact decimal sums) equal the sandbox truth of the scope', async () => {
    const scope = scopeOf(type, agreement);
    const run = await read(sb, scopeConfig(sb, scope.config), [STREAMS.actual, STREAMS.amortized]);
    expect(run.code).toBe(0);
    expect(traces(run, 'ERROR')).toEqual([]);
    const got = {} as Record<Metric, ReturnType<typeof records>>;
    for (const metric of ['actual', 'amortized'] as const) {
      const recs = records(run, STREAMS[metric]);
      got[metric] = recs;
      expect(recs.length).toBeGreaterThan(0);
      expect(byDay(recs)).toEqual(truthByDay(sb, metric, scope));
      expect(new Set(recs.map((r) => r.id)).size).toBe(recs.length);
      expect(new Set(recs.map((r) => r.agreement))).toEqual(new Set([agreement]));
      // every record fits the stream schema (the first failure's errors shown)
      const schemaErrors = recs.map((r) => (validateRecord(r) ? null : validateRecord.errors)).find((e) => e !== null) ?? null;
      expect(schemaErrors).toBeNull();
    }
    readAt.set(scope.path, got);
    const sample = got.actual;
    if (agreement === 'MCA') {
      for (const r of sample) {
        expect(r.billing_account_id).toBe(sb.mca!.opts.billingAccountId);
        expect(r.department_id).toBeNull(); // invoice sections are not departments
        expect(r.account_id).toBeNull();
      }
      expect(sample.some((r) => r.invoice_section_id !== null && r.invoice_section_name !== null)).toBe(true);
      expect(sample.some((r) => r.cost_in_usd !== null && r.pricing_currency !== null)).toBe(true);
      expect(sample.some((r) => r.resource_name !== null && r.resource_group !== null)).toBe(true);
      if (type === 'mca_invoice_section') {
        const sectionId = (scope.config.invoice_section_id as string).toLowerCase();
        for (const r of sample) expect(String(r.invoice_section_id).toLowerCase()).toBe(sectionId);
      }
    } else {
      for (const r of sample) {
        expect(r.invoice_section_id).toBeNull();
        expect(r.cost_in_usd).toBeNull();
      }
    }
  });
});

describe('ids across scopes', () => {
  it('a charge read at its invoice section, billing profile and billing account keeps its id; MCA and EA ids never meet', () => {
    const sectionScope = scopeOf('mca_invoice_section');
    const profileScope = scopeOf('mca_billing_profile');
    // the first section listed lies in the first profile
    expect(sectionScope.config.billing_profile_id).toBe(profileScope.config.billing_profile_id);
    const section = readAt.get(sectionScope.path);
    const profile = readAt.get(profileScope.path);
    const account = readAt.get(scopeOf('mca_billing_account').path);
    const ea = readAt.get(scopeOf('ea_department', 'EA').path);
    expect(section && profile && account && ea).toBeTruthy();
    for (const metric of ['actual', 'amortized'] as const) {
      const accountIds = new Set(account![metric].map((r) => r.id));
      const profileIds = new Set(profile![metric].map((r) => r.id));
      expect(section![metric].length).toBeGreaterThan(0);
      for (const r of section![metric]) {
        expect(profileIds.has(r.id)).toBe(true);
        expect(accountIds.has(r.id)).toBe(true);
      }
      for (const r of profile![metric]) expect(accountIds.has(r.id)).toBe(true);
      for (const r of ea![metric]) expect(accountIds.has(r.id)).toBe(false);
    }
  });
});

describe('check at a billing scope', () => {
  it('succeeds at an MCA billing profile', async () => {
    const run = await cli(['check', '--config', file(scopeConfig(sb, scopeOf('mca_billing_profile').config))]);
    expect(run.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus.status).toBe('SUCCEEDED');
  });

  it('a refused MCA scope: FAILED naming the scope, the missing role and how to grant it', async () => {
    const profile = scopeOf('mca_billing_profile');
    const s = await sandbox({forbiddenScopes: [profile.path]});
    const run = await cli(['check', '--config', file(scopeConfig(s, profile.config))]);
    expect(run.code).toBe(0);
    const status = run.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus;
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/HTTP 403/);
    expect(status.message).toContain(`Billing profile reader role on MCA billing profile ${profile.config.billing_profile_id}`);
    expect(status.message).toMatch(/createBillingRoleAssignment/);
    // a refused subscription needs Cost Management Reader
    const sub = scopeOf('subscription');
    const s2 = await sandbox({forbiddenScopes: [sub.path]});
    const subRun = await cli(['check', '--config', file(scopeConfig(s2, sub.config))]);
    expect(subRun.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus.message).toMatch(/Cost Management Reader role on subscription .*az role assignment create/);
  });

  it('an MCA profile the account does not have: FAILED naming billing_scope and the scope', async () => {
    const profile = scopeOf('mca_billing_profile');
    const config = {...profile.config, billing_profile_id: 'ZZ99-ZZ99-ZZ9-ZZ9'};
    const run = await cli(['check', '--config', file(scopeConfig(sb, config))]);
    const status = run.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus;
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/HTTP 404.*Check billing_scope \(MCA billing profile ZZ99-ZZ99-ZZ9-ZZ9\)/);
  });

  it('wrong-agreement ids and an API key at an MCA scope: config_error naming the field', async () => {
    // an EA enrollment number as an MCA billing account
    const wrong = await cli(['check', '--config', file(scopeConfig(sb, {scope_type: 'mca_billing_profile', billing_account_id: sb.options.enrollmentNumber, billing_profile_id: 'AB12-CD34-EF5-GH6'}))]);
    expect(traces(wrong, 'ERROR')[0].error).toMatchObject({failure_type: 'config_error', message: expect.stringMatching(/billing_account_id must be an MCA billing account ID/)});
    expect(wrong.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus.status).toBe('FAILED');
    const key = await cli(['check', '--config', file(scopeConfig(sb, scopeOf('mca_billing_profile').config, 'api_key'))]);
    expect(traces(key, 'ERROR')[0].error).toMatchObject({failure_type: 'config_error', message: expect.stringMatching(/billing_scope/)});
  });
});

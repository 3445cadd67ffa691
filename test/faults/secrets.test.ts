/**
 * Issue 5, secrets: credentials only go where the config sends them.
 * - A nextLink, a Location (from the report request or a poll) or a redirect pointing to another
 *   host, another port or outside the configured path prefix is refused with a clear error, and
 *   the other host (a second local server recording every request) receives nothing.
 * - A blobLink on another host is fetched without any Authorization header.
 * - The sign-in host never sees the bearer token, the API host never sees the client secret.
 * - The config echoed in the log is redacted; nothing printed holds a secret (every run of every
 *   file of this suite is scanned for the client secrets, API keys and every token issued).
 */
import fs from 'fs';
import path from 'path';

import {addDays} from '../../src/dates';
import {VALID_CONFIG} from '../bad-configs';
import {catalog, FROZEN_TODAY, logs, records, traces} from '../support/cli';
import {Answer, FakeAzure, Received} from './fake-azure';
import {outline, secret, Suite} from './harness';

const suite = new Suite();
const fakes: FakeAzure[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  await suite.close('secrets');
});

const EA_SAMPLE = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/ea-reporting-v3-usagedetails-sample.json'), 'utf8'));
const CSV = fs.readFileSync(path.resolve(__dirname, '../fixtures/EA_ActualCost_Small.csv'));
const DAY = addDays(FROZEN_TODAY, -2);
const OP = '/providers/Microsoft.Billing/billingAccounts/12345678/providers/Microsoft.CostManagement/costDetailsOperationResults/op-1?api-version=2023-11-01';

async function fake(routes: ConstructorParameters<typeof FakeAzure>[0] = {}): Promise<FakeAzure> {
  const f = await FakeAzure.start(routes);
  fakes.push(f);
  return f;
}

interface Creds {
  clientSecret: string;
  apiKey: string;
}

function creds(): Creds {
  const c = {clientSecret: secret('cs'), apiKey: secret('ak')};
  suite.addSecret(c.clientSecret);
  suite.addSecret(c.apiKey);
  return c;
}

function config(auth: 'service_principal' | 'api_key', c: Creds, urls: {api?: string; login?: string; ea?: string}): Record<string, unknown> {
  return {
    ...VALID_CONFIG,
    credentials: auth === 'service_principal' ? {auth_type: 'service_principal', tenant_id: 'tenant', client_id: 'client', client_secret: c.clientSecret} : {auth_type: 'api_key', api_key: c.apiKey},
    start_date: DAY,
    end_date: DAY,
    api_base_url: urls.api ?? 'http://127.0.0.1:9',
    login_base_url: urls.login ?? urls.api ?? 'http://127.0.0.1:9',
    ea_base_url: urls.ea ?? 'http://127.0.0.1:9',
    max_retries: 1,
    request_timeout_seconds: 5,
  };
}

async function read(cfg: Record<string, unknown>) {
  return suite.cli(['read', '--config', suite.file(cfg), '--catalog', suite.file(catalog(['usage_details']))]);
}

/** Every secret-bearing thing a request carries: headers (any) and body. */
function carried(req: Received): string {
  return `${req.url}\n${JSON.stringify(req.headers)}\n${req.body}`;
}

function expectNothingSent(elsewhere: FakeAzure, c: Creds, tokens: string[]): void {
  expect(elsewhere.received).toEqual([]);
  for (const req of elsewhere.received) for (const s of [c.clientSecret, c.apiKey, ...tokens]) expect(carried(req)).not.toContain(s);
}

const refusals: Record<string, string> = {};

describe('links to another host are not sent credentials', () => {
  it.concurrent.each([
    ['another port', (elsewhere: FakeAzure) => `${elsewhere.baseUrl}/ea/v3/enrollments/12345678/usagedetailsbycustomdate?startTime=${DAY}&endTime=${DAY}&$skiptoken=2`],
    ['outside the path prefix of ea_base_url', (_e: FakeAzure, api: FakeAzure) => `${api.baseUrl}/other/v3/enrollments/12345678/usagedetailsbycustomdate?startTime=${DAY}&endTime=${DAY}&$skiptoken=2`],
    ['a user-info look-alike of the EA host', (elsewhere: FakeAzure, api: FakeAzure) => `${api.baseUrl.replace('http://', 'http://')}@${elsewhere.baseUrl.slice('http://'.length)}/ea/v3/enrollments/12345678/usagedetailsbycustomdate?$skiptoken=2`],
  ])('EA nextLink to %s: refused with a clear error, the API key never sent', async (_what, link) => {
    const c = creds();
    const elsewhere = await fake({ea: () => ({status: 200, body: {id: 'x', data: EA_SAMPLE.data, nextLink: null}})});
    let api: FakeAzure;
    api = await fake({ea: (req) => ({status: 200, body: {id: 'x', data: /skiptoken/.test(req.url) ? [] : EA_SAMPLE.data, nextLink: /skiptoken/.test(req.url) ? null : link(elsewhere, api)}})});
    const run = await read(config('api_key', c, {ea: `${api.baseUrl}/ea`}));
    expect(run.code).not.toBe(0);
    const error = traces(run, 'ERROR')[0].error;
    expect(error.failure_type).toBe('system_error');
    expect(error.message).toMatch(/^Refusing to send credentials to http:\/\/127\.0\.0\.1:\d+\/(ea|other)\/v3\/enrollments\/12345678\/usagedetailsbycustomdate while reading page 2 of EA usage for .*: it is not under the configured base URL\.$/);
    expect(outline(run).slice(-2)).toEqual(['STATUS usage_details INCOMPLETE', 'ERROR system_error']);
    // the first page was read with the key, nothing else was asked of anyone
    expect(api.received.map((r) => new URL(r.url, 'http://x').pathname)).toEqual(['/ea/v3/enrollments/12345678/usagedetailsbycustomdate']);
    expect(api.received[0].headers.authorization).toBe(`bearer ${c.apiKey}`);
    expectNothingSent(elsewhere, c, []);
    refusals[`EA nextLink to ${_what}`] = error.message;
  });

  it.concurrent.each([
    ['Location of the report request', 'generate'],
    ['Location of a still-running poll', 'poll'],
    ['redirect (302) of a poll', 'redirect'],
  ])('Cost Details %s pointing to another host: refused, the bearer token never sent', async (what, where) => {
    const c = creds();
    const elsewhere = await fake({poll: () => ({status: 200, body: {status: 'Completed', manifest: {blobs: []}}})});
    const away = `${elsewhere.baseUrl}${OP}`;
    const api = await fake({
      generate: (): Answer => ({status: 202, headers: {Location: where === 'generate' ? away : `${api.baseUrl}${OP}`, 'Retry-After': 0}}),
      poll: (): Answer => (where === 'poll' ? {status: 202, headers: {Location: away, 'Retry-After': 0}} : {status: 302, headers: {Location: away}}),
    });
    const run = await read(config('service_principal', c, {api: api.baseUrl}));
    expect(run.code).not.toBe(0);
    const error = traces(run, 'ERROR')[0].error;
    expect(error.failure_type).toBe('system_error');
    if (where === 'redirect') expect(error.message).toMatch(/^Azure answered HTTP 302 while waiting for the ActualCost report for .*: a redirect to http:\/\/127\.0\.0\.1:\d+, which the connector does not follow \(credentials only go to the configured base URLs\)\.$/);
    else expect(error.message).toMatch(/^Refusing to send credentials to http:\/\/127\.0\.0\.1:\d+\/providers\/Microsoft\.Billing\/.* while waiting for the ActualCost report for .*: it is not under the configured base URL\.$/);
    expectNothingSent(elsewhere, c, api.tokens);
    for (const t of api.tokens) suite.addSecret(t);
    refusals[what] = error.message;
  });

  it('a blobLink on another host is fetched without Authorization (a SAS link needs none), and read', async () => {
    const c = creds();
    const storage = await fake({blob: () => ({status: 200, headers: {'Content-Type': 'text/csv'}, body: CSV})});
    const link = `${storage.baseUrl}/armreports/op-1/0.csv?sv=2020-05-31&sr=b&sp=r&sig=c2lnbmF0dXJl`;
    const api = await fake({
      generate: (): Answer => ({status: 202, headers: {Location: `${api.baseUrl}${OP}`, 'Retry-After': 0}}),
      poll: (): Answer => ({status: 200, body: {status: 'Completed', manifest: {blobCount: 1, byteCount: CSV.length, blobs: [{blobLink: link, byteCount: CSV.length}]}}}),
    });
    const run = await read(config('service_principal', c, {api: api.baseUrl}));
    for (const t of api.tokens) suite.addSecret(t);
    expect(traces(run, 'ERROR')).toEqual([]);
    expect(run.code).toBe(0);
    expect(records(run).length).toBe(CSV.toString('utf8').trim().split('\n').length - 1);
    expect(storage.received).toHaveLength(1);
    expect(storage.received[0].headers.authorization).toBeUndefined();
    for (const s of [c.clientSecret, ...api.tokens]) expect(carried(storage.received[0])).not.toContain(s);
    // the API host itself was sent the token on every call
    expect(api.requests('generate').every((r) => r.headers.authorization === `Bearer ${api.tokens[0]}`)).toBe(true);
  });

  it('a relative Location of a poll is resolved against the API host, and keeps working', async () => {
    const c = creds();
    let polls = 0;
    const api = await fake({
      generate: (): Answer => ({status: 202, headers: {Location: `${api.baseUrl}${OP}`, 'Retry-After': 0}}),
      poll: (): Answer => (++polls === 1 ? {status: 202, headers: {Location: OP.replace('op-1', 'op-2'), 'Retry-After': 0}} : {status: 200, body: {status: 'NoDataFound'}}),
    });
    const run = await read(config('service_principal', c, {api: api.baseUrl}));
    for (const t of api.tokens) suite.addSecret(t);
    expect(traces(run, 'ERROR')).toEqual([]);
    expect(run.code).toBe(0);
    expect(api.requests('poll').map((r) => new URL(r.url, 'http://x').pathname.split('/').pop())).toEqual(['op-1', 'op-2']);
    expect(api.requests('poll').every((r) => r.headers.authorization === `Bearer ${api.tokens[0]}`)).toBe(true);
  });

  it('the sign-in host never sees the bearer token; the API host never sees the client secret', async () => {
    const c = creds();
    const login = await fake();
    const api = await fake({generate: () => ({status: 204})});
    const run = await read(config('service_principal', c, {api: api.baseUrl, login: login.baseUrl}));
    expect(run.code).toBe(0);
    expect(login.tokens).toHaveLength(1);
    suite.addSecret(login.tokens[0]);
    expect(login.received).toHaveLength(1);
    expect(login.received[0].headers.authorization).toBeUndefined();
    expect(new URLSearchParams(login.received[0].body).get('client_secret')).toBe(c.clientSecret);
    expect(api.received.length).toBeGreaterThan(0);
    for (const r of api.received) {
      expect(r.headers.authorization).toBe(`Bearer ${login.tokens[0]}`);
      expect(carried(r)).not.toContain(c.clientSecret);
    }
  });

  afterAll(() => {
    suite.figures.refusals = refusals;
  });
});

describe('what the connector prints', () => {
  it('the config echoed in the log is redacted, for both kinds of credentials', async () => {
    const c = creds();
    const api = await fake({generate: () => ({status: 204}), ea: () => ({status: 200, body: {id: 'x', data: [], nextLink: null}})});
    for (const auth of ['service_principal', 'api_key'] as const) {
      const run = await read(config(auth, c, {api: api.baseUrl, ea: api.baseUrl}));
      expect(run.code).toBe(0);
      const echoed = logs(run, 'INFO').filter((l) => l.startsWith('Config: '));
      expect(echoed).toHaveLength(1);
      const shown = JSON.parse(echoed[0].slice('Config: '.length));
      expect(shown.enrollment_number).toBe('12345678');
      expect(shown.credentials.auth_type).toBe(auth);
      const secretField = auth === 'service_principal' ? 'client_secret' : 'api_key';
      expect(shown.credentials[secretField]).toBe('REDACTED');
      expect(echoed[0]).not.toContain(secretField === 'api_key' ? c.apiKey : c.clientSecret);
      if (auth === 'service_principal') expect(shown.credentials.client_id).toBe('client');
    }
    for (const t of api.tokens) suite.addSecret(t);
  });
});

it('no secret in any output of this file (stdout and stderr of every run)', () => {
  for (const f of fakes) for (const t of f.tokens) suite.addSecret(t);
  const scan = suite.scanAll();
  expect(scan.hits).toEqual([]);
  expect(scan.runs).toBeGreaterThanOrEqual(9);
  suite.figures.secretScan = scan;
});

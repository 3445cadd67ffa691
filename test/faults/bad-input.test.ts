/**
 * Issue 5, bad input through the CLI:
 * - every bad config of test/bad-configs.ts (shared with the unit test of the validation) sent
 *   through `check`: a config_error naming the field, no stack trace, check FAILED, no secret;
 * - broken config files (not JSON, a secret left unquoted): the error says where, never quotes
 *   the text around it;
 * - Azure error bodies of every encoding (ARM, AAD error_description, HTML from a proxy, empty,
 *   Azure Storage XML, EA) become one readable sentence in the CLI's answer.
 * The decoders' property-based tests (random and mutated rows, tags, additional info, dates and
 * numbers) live in test/unit/property-decoders.test.ts and run with `npm test`.
 */
import fs from 'fs';
import path from 'path';

import {addDays} from '../../src/dates';
import {BAD_CONFIGS, CONFIG_SECRET, VALID_CONFIG} from '../bad-configs';
import {catalog, CliRun, FROZEN_TODAY, records, traces} from '../support/cli';
import {Answer, FakeAzure} from './fake-azure';
import {outline, secret, Suite} from './harness';

const suite = new Suite();
suite.addSecret(CONFIG_SECRET);
const fakes: FakeAzure[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  await suite.close('bad-input');
});

/** Nothing listens there: should a bad config ever pass validation, check fails fast. */
const DEAD = 'http://127.0.0.1:9';

function checkAnswer(run: CliRun): {status: string; message: string} {
  const statuses = run.messages.filter((m) => m.type === 'CONNECTION_STATUS');
  expect(statuses).toHaveLength(1);
  return statuses[0].connectionStatus;
}

/** One readable sentence: one line, no markup, no JSON, no stack, not endless. */
function expectOneSentence(message: string): void {
  expect(message).not.toMatch(/[\r\n]/);
  expect(message).not.toMatch(/<\/?[a-z!?][^>]*>/i);
  expect(message).not.toMatch(/[{[]"/);
  expect(message).not.toMatch(/\bat .+\(.+:\d+:\d+\)/);
  expect(message.length).toBeLessThan(700);
  expect(message).toMatch(/[.)]$/);
}

async function pool<T, R>(items: T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({length: width}, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

describe('bad configs through `check`', () => {
  it(`each of the ${BAD_CONFIGS.length} bad configs: config_error naming the field, no stack trace, check FAILED`, async () => {
    expect(BAD_CONFIGS.length).toBeGreaterThanOrEqual(20);
    const failures: string[] = [];
    await pool(BAD_CONFIGS, 4, async ([what, config, field, words], i) => {
      let value = config;
      if (config && typeof config === 'object' && !Array.isArray(config)) {
        value = {...config};
        for (const [key, dead] of [['api_base_url', DEAD], ['login_base_url', DEAD], ['ea_base_url', DEAD], ['max_retries', 0]] as const) {
          if (!(key in (config as object))) (value as Record<string, unknown>)[key] = dead;
        }
      }
      const run = await suite.cli(['check', '--config', suite.file(value, `bad-${i}.json`)]);
      try {
        expect(run.code).toBe(0);
        expect(run.stderr).toBe('');
        const status = checkAnswer(run);
        expect(status.status).toBe('FAILED');
        const errors = traces(run, 'ERROR');
        expect(errors).toHaveLength(1);
        const error = errors[0].error;
        expect(error.failure_type).toBe('config_error');
        expect(error.message).toBe(status.message);
        if (field) expect(error.message).toContain(field.split('.').pop() as string);
        expect(error.message).toMatch(words);
        expect(error.message).not.toMatch(/\n\s+at |Error:|\.ts:\d+|\.js:\d+/);
        expect(error.internal_message).toBeUndefined();
        expect(error.message).not.toContain(CONFIG_SECRET);
      } catch (err) {
        failures.push(`${what}: ${(err as Error).message.split('\n').slice(0, 6).join(' ')}`);
      }
    });
    expect(failures).toEqual([]);
    suite.figures.badConfigs = {tried: BAD_CONFIGS.length, configErrors: BAD_CONFIGS.length};
  });

  it('a config file that is not JSON says where, and never quotes the text (a secret left unquoted)', async () => {
    const unquoted = `{"enrollment_number": "12345678", "credentials": {"auth_type": "service_principal", "tenant_id": "t", "client_id": "c",\n "client_secret": ${CONFIG_SECRET}}, "start_date": "2026-01-01"}`;
    const file = path.join(suite.dir, 'unquoted.json');
    fs.writeFileSync(file, unquoted);
    const missingComma = path.join(suite.dir, 'comma.json');
    fs.writeFileSync(missingComma, `{"enrollment_number": "12345678"\n "start_date": "2026-01-01"}`);
    for (const [config, where] of [
      [file, /not valid JSON \(unexpected character\)/],
      [missingComma, /not valid JSON \(Expected ',' or '}' after property value at line 2, column 2\)/],
      [path.join(suite.dir, 'no-such-file.json'), /Cannot read the config file/],
    ] as const) {
      const run = await suite.cli(['check', '--config', config]);
      const status = checkAnswer(run);
      expect(status.status).toBe('FAILED');
      expect(status.message).toMatch(where);
      expect(traces(run, 'ERROR')[0].error.failure_type).toBe('config_error');
      // not even a piece of the secret
      for (let i = 0; i + 6 <= CONFIG_SECRET.length; i++) expect(run.stdout).not.toContain(CONFIG_SECRET.slice(i, i + 6));
      const read = await suite.cli(['read', '--config', config, '--catalog', suite.file(catalog(['usage_details']))]);
      expect(read.code).not.toBe(0);
      expect(outline(read)).toEqual(['ERROR config_error']);
    }
  });

  it('a catalog or state file that is not JSON is a config_error too; a state with garbage cursors starts over', async () => {
    const fake = await FakeAzure.start({ea: () => ({status: 200, body: {id: 'x', data: [], nextLink: null}})});
    fakes.push(fake);
    const apiKey = secret('ak');
    suite.addSecret(apiKey);
    const config = suite.file({...VALID_CONFIG, credentials: {auth_type: 'api_key', api_key: apiKey}, ea_base_url: fake.baseUrl, start_date: addDays(FROZEN_TODAY, -3), max_retries: 0});
    const broken = path.join(suite.dir, 'broken.json');
    fs.writeFileSync(broken, '{"streams": [');
    const badCatalog = await suite.cli(['read', '--config', config, '--catalog', broken]);
    expect(badCatalog.code).not.toBe(0);
    expect(traces(badCatalog, 'ERROR')[0].error).toMatchObject({failure_type: 'config_error', message: expect.stringMatching(/catalog file .* is not valid JSON/)});
    const badState = await suite.cli(['read', '--config', config, '--catalog', suite.file(catalog(['usage_details'])), '--state', broken]);
    expect(badState.code).not.toBe(0);
    expect(traces(badState, 'ERROR')[0].error).toMatchObject({failure_type: 'config_error', message: expect.stringMatching(/state file .* is not valid JSON/)});
    const garbage = [{type: 'STREAM', stream: {stream_descriptor: {name: 'usage_details'}, stream_state: {usage_date: 'yesterday'}}}];
    const fresh = await suite.cli(['read', '--config', config, '--catalog', suite.file(catalog(['usage_details'])), '--state', suite.file(garbage)]);
    expect(fresh.code).toBe(0);
    expect(outline(fresh).pop()).toBe('STATUS usage_details COMPLETE');
  });
});

describe('Azure error bodies become one readable sentence, through the CLI', () => {
  const AAD_BODY = {
    error: 'invalid_client',
    error_description:
      "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\r\nTrace ID: 0d1e\r\nCorrelation ID: 77aa\r\nTimestamp: 2026-11-25 10:00:00Z",
    error_codes: [7000215],
  };
  const ARM_BODY = {
    error: {
      code: 'AuthorizationFailed',
      message: "The client '1111' with object id '2222' does not have authorization to perform action\n'Microsoft.CostManagement/generateCostDetailsReport/action' over scope '/providers/Microsoft.Billing/billingAccounts/12345678'.",
    },
  };
  const HTML_404 = '<!DOCTYPE html>\n<html><head><title>404 - File or directory not found.</title></head><body><div id="header"><h1>Server Error</h1></div></body></html>';
  const HTML_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Microsoft-Azure-Application-Gateway/v2</center>\r\n</body>\r\n</html>\r\n';
  const STORAGE_XML =
    '\ufeff<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.\nRequestId:9f1c\nTime:2026-11-25T10:00:00.0000000Z</Message><AuthenticationErrorDetail>Signed expiry time [Mon, 23 Nov 2026 10:00:00 GMT] must be after signed start time [Tue, 24 Nov 2026 10:00:00 GMT]</AuthenticationErrorDetail></Error>';

  interface Case {
    name: string;
    auth: 'service_principal' | 'api_key';
    command: 'check' | 'read';
    routes: (fake: FakeAzure) => Partial<Record<'token' | 'generate' | 'poll' | 'blob' | 'ea', () => Answer>>;
    failure: 'config_error' | 'system_error';
    says: RegExp;
    never?: RegExp;
  }

  const CASES: Case[] = [
    {
      name: 'AAD error_description (sign-in refused)',
      auth: 'service_principal',
      command: 'check',
      routes: () => ({token: () => ({status: 401, body: AAD_BODY})}),
      failure: 'config_error',
      says: /HTTP 401 while signing in with the service principal: invalid_client: AADSTS7000215: Invalid client secret provided\. .* Check tenant_id, client_id and client_secret/,
      never: /Trace ID|Correlation|Timestamp/,
    },
    {
      name: 'ARM {"error":{"code","message"}} (role missing)',
      auth: 'service_principal',
      command: 'check',
      routes: () => ({generate: () => ({status: 403, body: ARM_BODY})}),
      failure: 'config_error',
      says: /HTTP 403 while requesting the ActualCost report for .*: AuthorizationFailed: The client '1111' .* does not have authorization to perform action 'Microsoft\.CostManagement.*EnrollmentReader/,
    },
    {
      name: 'HTML page from a proxy (404)',
      auth: 'service_principal',
      command: 'check',
      routes: () => ({generate: () => ({status: 404, headers: {'Content-Type': 'text/html'}, body: HTML_404})}),
      failure: 'config_error',
      says: /HTTP 404 while requesting the ActualCost report for .*: HTTP 404: an HTML error page "404 - File or directory not found\." \(from a proxy or gateway, not the API\)\. Check enrollment_number/,
    },
    {
      name: 'empty body (403)',
      auth: 'service_principal',
      command: 'check',
      routes: () => ({generate: () => ({status: 403})}),
      failure: 'config_error',
      says: /HTTP 403 while requesting the ActualCost report for .*: HTTP 403 with an empty body\. The service principal needs the EnrollmentReader role on EA enrollment/,
    },
    {
      name: 'HTML 502 from a gateway, retries exhausted',
      auth: 'service_principal',
      command: 'read',
      routes: () => ({generate: () => ({status: 502, headers: {'Content-Type': 'text/html', 'Retry-After': 0}, body: HTML_502})}),
      failure: 'system_error',
      says: /Azure kept failing while requesting the ActualCost report for .*: HTTP 502: an HTML error page "502 Bad Gateway" \(from a proxy or gateway, not the API\), after 2 attempts\./,
    },
    {
      name: 'Azure Storage XML (expired SAS link)',
      auth: 'service_principal',
      command: 'read',
      routes: (fake) => ({
        generate: () => ({status: 202, headers: {Location: `${fake.baseUrl}/providers/Microsoft.Billing/billingAccounts/12345678/providers/Microsoft.CostManagement/costDetailsOperationResults/op1?api-version=2023-11-01`, 'Retry-After': 0}}),
        poll: () => ({status: 200, body: {status: 'Completed', manifest: {blobCount: 1, byteCount: 100, blobs: [{blobLink: `${fake.baseUrl}/armreports/op1/0.csv?sv=2020-05-31&sig=abc`, byteCount: 100}]}}}),
        blob: () => ({status: 403, headers: {'Content-Type': 'application/xml'}, body: STORAGE_XML}),
      }),
      failure: 'system_error',
      says: /Azure refused downloading blob 1\/1 of the ActualCost report for .*: AuthenticationFailed: Server failed to authenticate the request\. .*signature\. The report link may have expired/,
      never: /RequestId|AuthenticationErrorDetail/,
    },
    {
      name: 'EA {"error":{...}} (API key refused)',
      auth: 'api_key',
      command: 'check',
      routes: () => ({ea: () => ({status: 401, body: {error: {code: 'Unauthorized', message: 'Authorization has been denied for this request.'}}})}),
      failure: 'config_error',
      says: /HTTP 401 while reading page 1 of EA usage for .*: Unauthorized: Authorization has been denied for this request\. Check api_key/,
    },
    {
      name: 'EA {"Message": ...} (enrollment not found)',
      auth: 'api_key',
      command: 'check',
      routes: () => ({ea: () => ({status: 404, body: {Message: 'No HTTP resource was found that matches the request URI.'}})}),
      failure: 'config_error',
      says: /HTTP 404 while reading page 1 of EA usage for .*: No HTTP resource was found that matches the request URI\. Check enrollment_number/,
    },
  ];

  it.concurrent.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const fake = await FakeAzure.start();
    fakes.push(fake);
    Object.assign((fake as unknown as {routes: object}).routes, c.routes(fake));
    const clientSecret = secret('cs');
    const apiKey = secret('ak');
    suite.addSecret(clientSecret);
    suite.addSecret(apiKey);
    const config = {
      ...VALID_CONFIG,
      credentials: c.auth === 'service_principal' ? {auth_type: 'service_principal', tenant_id: 'tenant', client_id: 'client', client_secret: clientSecret} : {auth_type: 'api_key', api_key: apiKey},
      start_date: addDays(FROZEN_TODAY, -3),
      end_date: addDays(FROZEN_TODAY, -2),
      api_base_url: fake.baseUrl,
      login_base_url: fake.baseUrl,
      ea_base_url: fake.baseUrl,
      max_retries: 1,
      request_timeout_seconds: 5,
    };
    const args = c.command === 'check' ? ['check', '--config', suite.file(config)] : ['read', '--config', suite.file(config), '--catalog', suite.file(catalog(['usage_details']))];
    const run = await suite.cli(args);
    for (const t of fake.tokens) suite.addSecret(t);
    const errors = traces(run, 'ERROR');
    expect(errors).toHaveLength(1);
    const {message, failure_type} = errors[0].error;
    expect(failure_type).toBe(c.failure);
    expect(message).toMatch(c.says);
    if (c.never) expect(message).not.toMatch(c.never);
    expectOneSentence(message);
    if (c.command === 'check') {
      expect(checkAnswer(run)).toEqual({status: 'FAILED', message});
    } else {
      expect(run.code).not.toBe(0);
      expect(records(run)).toEqual([]);
      expect(outline(run).slice(-2)).toEqual(['STATUS usage_details INCOMPLETE', `ERROR ${c.failure}`]);
    }
    (suite.figures.errorBodies ??= {})[c.name] = message;
  });
});

it('no secret in any output of this file', () => {
  for (const f of fakes) for (const t of f.tokens) suite.addSecret(t);
  const scan = suite.scanAll();
  expect(scan.hits).toEqual([]);
  suite.figures.secretScan = scan;
});

/**
 * Issue 17: keys the spec does not know, at the top level and nested (in `credentials`, in a
 * tracking rule), holding secret-shaped values (a SAS query, JWTs, a GUID-like and an Azure-style
 * client secret), through the real CLI's `check`, `discover` and `read` against the sandbox:
 * - the `Config:` INFO line of `read` shows the known keys only and names the unknown ones;
 * - no value of theirs appears anywhere in stdout or stderr (every run is scanned by the
 *   harness, whole, URL-encoded and in 12-character pieces), nor in config errors or `check`
 *   failures.
 */
import {randomBytes, randomUUID} from 'crypto';

import {Sandbox} from '../../sandbox';
import {loadSpec} from '../../src/config/spec';
import {catalog, CliRun, logs, records, traces} from '../support/cli';
import {day, sandboxConfig, secret, Suite} from './harness';

const suite = new Suite();
afterAll(() => suite.close('unknown-keys'));

/** Fresh secret-shaped values, registered with the suite's scan. */
function shapes(): {sas: string; jwt: string; jwt2: string; guid: string; azure: string} {
  const jwt = (): string => ['eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9', randomBytes(60).toString('base64url'), randomBytes(64).toString('base64url')].join('.');
  const values = {
    sas: `sv=2022-11-02&ss=b&srt=co&sp=rl&se=2027-01-01T00:00:00Z&sig=${randomBytes(32).toString('base64').replace(/=+$/, '')}%3D`,
    jwt: jwt(),
    jwt2: jwt(),
    guid: randomUUID(),
    azure: `Q8x~${randomBytes(30).toString('base64url')}`,
  };
  for (const v of Object.values(values)) suite.addSecret(v);
  return values;
}

/** A working sandbox config plus unknown keys: two in `credentials`, three at the top level. */
function withUnknownKeys(sb: Sandbox, auth: 'service_principal' | 'api_key'): {config: Record<string, unknown>; unknown: string[]} {
  const s = shapes();
  const base = sandboxConfig(sb, auth, {start_date: day(-4), end_date: day(-3)});
  const credentials = {...(base.credentials as Record<string, unknown>), federated_token: s.jwt, ...(auth === 'api_key' ? {client_secret: s.azure} : {previous_secret: s.azure})};
  const config = {
    ...base,
    credentials,
    // an unknown object (data_source is the spec's since issue 15, so this one is named otherwise)
    legacy_storage: {sas_token: s.sas, account: {key: s.guid, token: s.jwt2}},
    legacy_client_secret: s.guid,
    id_token: s.jwt2,
  };
  const unknown = ['credentials.federated_token', auth === 'api_key' ? 'credentials.client_secret' : 'credentials.previous_secret', 'legacy_storage', 'legacy_client_secret', 'id_token'];
  return {config, unknown};
}

function status(run: CliRun): {status: string; message?: string} {
  const statuses = run.messages.filter((m) => m.type === 'CONNECTION_STATUS');
  expect(statuses).toHaveLength(1);
  return statuses[0].connectionStatus;
}

const echoed: Record<string, string> = {};

describe.each(['service_principal', 'api_key'] as const)('unknown keys with %s credentials', (auth) => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await suite.sandbox({startDate: day(-6), endDate: day(-1), rowsPerDay: 20});
  });

  it('check succeeds and prints none of their values', async () => {
    const {config} = withUnknownKeys(sb, auth);
    const run = await suite.cli(['check', '--config', suite.file(config)]);
    expect(status(run)).toEqual({status: 'SUCCEEDED'});
    expect(run.code).toBe(0);
  });

  it('discover lists the streams and prints none of their values', async () => {
    const {config} = withUnknownKeys(sb, auth);
    const run = await suite.cli(['discover', '--config', suite.file(config)]);
    expect(run.code).toBe(0);
    const catalogs = run.messages.filter((m) => m.type === 'CATALOG');
    expect(catalogs).toHaveLength(1);
    expect(catalogs[0].catalog.streams.map((s: {name: string}) => s.name)).toEqual(
      auth === 'service_principal' ? ['usage_details', 'usage_details_amortized', 'tracking_conflicts', 'focus_costs'] : ['usage_details', 'tracking_conflicts'],
    );
  });

  it('read syncs; its Config line shows the known keys and names the unknown ones, never their values', async () => {
    const {config, unknown} = withUnknownKeys(sb, auth);
    const run = await suite.cli(['read', '--config', suite.file(config), '--catalog', suite.file(catalog(['usage_details']))]);
    expect(traces(run, 'ERROR')).toEqual([]);
    expect(run.code).toBe(0);
    expect(records(run, 'usage_details').length).toBeGreaterThan(0);
    const lines = logs(run, 'INFO').filter((l) => l.startsWith('Config: '));
    expect(lines).toHaveLength(1);
    const [shown, names] = lines[0].slice('Config: '.length).split('; ignored unknown keys: ');
    expect(names).toBe(unknown.join(', '));
    const cfg = JSON.parse(shown);
    // every key the spec defines is shown (defaults included), and no other
    const known = Object.keys(loadSpec().connectionSpecification.properties ?? {});
    expect(Object.keys(cfg).filter((k) => !known.includes(k))).toEqual([]);
    expect(Object.keys(config).filter((k) => known.includes(k) && !(k in cfg))).toEqual([]);
    expect(cfg.tracking_rules).toEqual([]);
    expect(cfg.credentials).toEqual(
      auth === 'service_principal'
        ? {auth_type: 'service_principal', tenant_id: 'REDACTED', client_id: sb.options.clientId, client_secret: 'REDACTED'}
        : {auth_type: 'api_key', api_key: 'REDACTED'},
    );
    echoed[auth] = lines[0];
  });
});

describe('failures with unknown keys in the config', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await suite.sandbox({startDate: day(-6), endDate: day(-1), rowsPerDay: 5});
  });

  it('check with a wrong client secret: FAILED, with no value of an unknown key (nor the wrong secret)', async () => {
    const {config} = withUnknownKeys(sb, 'service_principal');
    const wrong = secret('wrong');
    suite.addSecret(wrong);
    const run = await suite.cli(['check', '--config', suite.file({...config, credentials: {...(config.credentials as object), client_secret: wrong}})]);
    const answer = status(run);
    expect(answer.status).toBe('FAILED');
    expect(answer.message).toMatch(/HTTP 401 while signing in with the service principal/);
  });

  it('check with a bad known value: a config_error naming the field only', async () => {
    const {config} = withUnknownKeys(sb, 'service_principal');
    const run = await suite.cli(['check', '--config', suite.file({...config, lookback_days: 99})]);
    expect(status(run)).toEqual({status: 'FAILED', message: expect.stringMatching(/^lookback_days \(Look-back days\) must be between 0 and 31\.$/)});
    expect(traces(run, 'ERROR').map((t) => t.error.failure_type)).toEqual(['config_error']);
  });

  it.each(['check', 'discover', 'read'] as const)('%s with an unknown key in a tracking rule and an object as a match value: config errors that name them, not their values', async (command) => {
    const s = shapes();
    const {config} = withUnknownKeys(sb, 'service_principal');
    for (const [rule, says] of [
      [{name: 'r', match: {id: '*'}, set: {team: 'x'}, bar: {sig: s.sas}}, /^tracking_rules\[0\] \("r"\): unknown property "bar" \(expected name, priority, match, set\)$/],
      [{name: 'r', match: {'tags.env': {token: s.jwt}}, set: {team: 'x'}}, /^tracking_rules\[0\] \("r"\): match\["tags\.env"\]: value must be a string, got an object$/],
    ] as const) {
      const file = suite.file({...config, tracking_rules: [rule]});
      const args = command === 'read' ? ['read', '--config', file, '--catalog', suite.file(catalog(['usage_details']))] : [command, '--config', file];
      const run = await suite.cli(args);
      const errors = traces(run, 'ERROR').map((t) => t.error);
      expect(errors).toHaveLength(1);
      expect(errors[0].failure_type).toBe('config_error');
      expect(errors[0].message).toMatch(says);
      if (command === 'check') expect(status(run)).toEqual({status: 'FAILED', message: errors[0].message});
      else expect(run.code).not.toBe(0);
    }
  });
});

it('no value of an unknown key in any output of this file (stdout and stderr of every run)', () => {
  const scan = suite.scanAll();
  expect(scan.hits).toEqual([]);
  expect(scan.runs).toBeGreaterThanOrEqual(14);
  suite.figures.secretScan = scan;
  suite.figures.configLines = echoed;
});

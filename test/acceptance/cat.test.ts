/**
 * `npm run test:acceptance`: Airbyte's Connector Acceptance Tests (CAT), reproduced locally.
 *
 * Reads acceptance-test-config.yml (the same file CAT reads), runs every test entry of each
 * section against the built CLI, with the sandbox standing in for Azure: the sandbox config is
 * written as `secrets/config.json` in a temporary directory (never the repo's secrets/), and
 * config files from the repo (the invalid config) are pointed at the sandbox's URLs.
 * Every entry that reads `secrets/config.json` (an EA enrollment) also runs with
 * `secrets/config_mca.json`, an MCA billing profile (docs/design.md §7): the YAML lists that
 * entry as a comment, since a real CAT run needs the file to exist.
 * The checks follow CAT's tests of the same names (test_core.py, test_full_refresh.py,
 * test_incremental.py), plus the connector's own look-back contract and focus_costs' cost
 * invariants. Each stream's primary key and cursor are the ones discover declares: focus_costs
 * keeps FOCUS's names (`x_RecordId`, `ChargePeriodStart`; docs/design.md §15).
 */
import fs from 'fs';
import path from 'path';
import isEqual from 'lodash/isEqual';
import YAML from 'yaml';

import {Sandbox} from '../../sandbox';
import {addDays, maxDay} from '../../src/dates';
import {
  CliRun,
  FROZEN_TODAY,
  Json,
  ofType,
  readJson,
  recordEnvelopes,
  REPO,
  runCli,
  states,
  tempDir,
  writeJson,
} from '../support/cli';
import {
  configuredCatalogFromFile,
  cursorSequence,
  daysFrom,
  latestStateInput,
  loadAcceptanceConfig,
  makeAjv,
  redirectToSandbox,
  sandboxConfig,
  sandboxMcaConfig,
  scopeOfSandboxConfig,
  secretValues,
  startTestSandbox,
  stateInput,
  withSyncMode,
} from './harness';

const CAT = loadAcceptanceConfig();
const TESTS = CAT.acceptance_tests;
const EA_CONFIG = 'secrets/config.json';
/** The MCA billing profile config; every EA_CONFIG entry runs with it too. */
const MCA_CONFIG = 'secrets/config_mca.json';
const USAGE_STREAMS = ['usage_details', 'usage_details_amortized'];
/** Streams with records on every day of the window: focus_costs keeps every amortized row (docs/focus.md). */
const DAILY_STREAMS = [...USAGE_STREAMS, 'focus_costs'];
/** Every stream of the configured catalog, all offered to a service principal. */
const ALL_STREAMS = [...DAILY_STREAMS, 'tracking_conflicts'];

// The names CAT's test_secret_is_properly_marked treats as secrets.
const CAT_SECRET_NAMES = new Set([
  'client_token', 'access_token', 'api_token', 'token', 'secret', 'client_secret', 'password', 'key', 'service_account_info',
  'service_account', 'tenant_id', 'certificate', 'jwt', 'credentials', 'app_id', 'appid', 'refresh_token',
]);
const STACK_FRAME = /\n\s+at .+[(:]\d+|\bat (Object|Module|async|new) .+:\d+:\d+/;

const TODAY = FROZEN_TODAY;
const WINDOW = {start: addDays(TODAY, -13), end: addDays(TODAY, -2)};

let sb: Sandbox;
let tmp: string;
let config: Json;
const runs: CliRun[] = [];

/**
 * The file CAT would use for a config_path of the YAML: secrets/ lives in the temp dir; a config
 * from the repo (the invalid one) keeps its content but talks to the sandbox instead of Azure.
 */
function resolveInput(rel: string): string {
  if (rel.startsWith('secrets/')) return path.join(tmp, rel);
  return writeJson(path.join(tmp, 'redirected', rel), redirectToSandbox(readJson(path.join(REPO, rel)), sb));
}

async function cli(args: string[]): Promise<CliRun> {
  const run = await runCli(args);
  runs.push(run);
  expect(run.badLines).toEqual([]); // stdout carries protocol messages only
  return run;
}

async function discover(configPath: string): Promise<Json[]> {
  const run = await cli(['discover', '--config', configPath]);
  expect(run.code).toBe(0);
  return ofType(run, 'CATALOG')[0].catalog.streams;
}

async function read(configPath: string, catalog: Json, state?: Json): Promise<CliRun> {
  const dir = tempDir('cat-read-');
  const args = ['read', '--config', configPath, '--catalog', writeJson(path.join(dir, 'catalog.json'), catalog)];
  if (state !== undefined) args.push('--state', writeJson(path.join(dir, 'state.json'), state));
  return cli(args);
}

function yamlEntries(section: string): Json[] {
  const s = TESTS[section];
  if (!s) throw new Error(`acceptance-test-config.yml has no ${section} section`);
  return s.tests ?? [];
}

/** The section's entries, each one on the EA config followed by the same on the MCA config. */
function entries(section: string): Json[] {
  return yamlEntries(section).flatMap((t) => (t.config_path === EA_CONFIG ? [t, {...t, config_path: MCA_CONFIG}] : [t]));
}

/** Walks a JSON schema, calling fn(node, path) for every object node. */
function walk(node: Json, fn: (n: Json, p: string[]) => void, p: string[] = []): void {
  if (Array.isArray(node)) node.forEach((v, i) => walk(v, fn, [...p, String(i)]));
  else if (node && typeof node === 'object') {
    fn(node, p);
    for (const [k, v] of Object.entries(node)) walk(v, fn, [...p, k]);
  }
}

/** Every value of `key` anywhere in the schema (not counting properties named `key`). */
function keywordValues(schema: Json, key: string): Array<{path: string; value: Json}> {
  const found: Array<{path: string; value: Json}> = [];
  walk(schema, (n, p) => {
    if (p[p.length - 1] === 'properties') return; // n is a properties map: its keys are names
    if (key in n) found.push({path: [...p, key].join('/'), value: n[key]});
  });
  return found;
}

/** A stream's primary key and cursor as discover declares them (the catalog's `stream` is the discovered one). */
interface StreamFields {
  key: string;
  cursor: string;
}

function fieldsOf(catalog: Json, stream: string): StreamFields {
  const cs = catalog.streams.find((s: Json) => s.stream.name === stream);
  if (!cs) throw new Error(`${stream} is not in the catalog`);
  const pk: string[][] = cs.stream.source_defined_primary_key;
  const cursor: string[] = cs.stream.default_cursor_field;
  // every stream has a one-field key and a top-level cursor; a composite one would need other checks
  if (pk.length !== 1 || pk[0].length !== 1 || cursor.length !== 1) throw new Error(`${stream}: key ${JSON.stringify(pk)}, cursor ${JSON.stringify(cursor)}`);
  return {key: pk[0][0], cursor: cursor[0]};
}

/** The day of a record's cursor: `usage_date` is a day, `ChargePeriodStart` a UTC date-time. */
function recordDay(f: StreamFields, data: Json): string {
  return String(data[f.cursor]).slice(0, 10);
}

function recordDays(run: CliRun, catalog: Json, stream: string): string[] {
  const f = fieldsOf(catalog, stream);
  return [...new Set(recordEnvelopes(run, stream).map((r) => recordDay(f, r.data)))].sort();
}

/** A stream's records by primary key, optionally only those from day `from` on. */
function byKey(run: CliRun, catalog: Json, stream: string, from = ''): Map<string, Json> {
  const f = fieldsOf(catalog, stream);
  return new Map(recordEnvelopes(run, stream).filter((r) => recordDay(f, r.data) >= from).map((r) => [r.data[f.key], r.data]));
}

/** Σ per cursor day of a numeric field, or of what `value` makes of each record. */
function sumPerDay(run: CliRun, catalog: Json, stream: string, value: string | ((data: Json) => number)): Map<string, number> {
  const f = fieldsOf(catalog, stream);
  const of = typeof value === 'string' ? (data: Json) => data[value] as number : value;
  const out = new Map<string, number>();
  for (const r of recordEnvelopes(run, stream)) out.set(recordDay(f, r.data), (out.get(recordDay(f, r.data)) ?? 0) + of(r.data));
  return out;
}

beforeAll(async () => {
  sb = await startTestSandbox();
  tmp = tempDir('cat-');
  config = sandboxConfig(sb, WINDOW);
  writeJson(path.join(tmp, EA_CONFIG), config);
  writeJson(path.join(tmp, MCA_CONFIG), sandboxMcaConfig(sb, WINDOW));
}, 60_000);

afterAll(async () => {
  await sb?.close();
  if (tmp) fs.rmSync(tmp, {recursive: true, force: true});
});

describe('acceptance-test-config.yml', () => {
  it('is in the current CAT format and names existing files', () => {
    expect(CAT.connector_image).toBe('airbyte/source-azure-billing:dev');
    expect(Object.keys(TESTS).sort()).toEqual(['basic_read', 'connection', 'discovery', 'full_refresh', 'incremental', 'spec']);
    for (const [section, body] of Object.entries(TESTS)) {
      expect(body.tests?.length).toBeGreaterThan(0);
      for (const t of body.tests ?? []) {
        for (const key of ['spec_path', 'configured_catalog_path']) if (t[key]) expect(fs.existsSync(path.join(REPO, t[key]))).toBe(true);
        if (t.config_path && !t.config_path.startsWith('secrets/')) expect(fs.existsSync(path.join(REPO, t.config_path))).toBe(true);
        if (t.config_path) expect([section, t.config_path]).toEqual([section, expect.stringMatching(/^(secrets|integration_tests)\//)]);
      }
    }
    const fut = yamlEntries('incremental')[0].future_state.future_state_path;
    const state = readJson(path.join(REPO, fut));
    expect(state.map((s: Json) => s.stream.stream_descriptor.name).sort()).toEqual([...ALL_STREAMS].sort());
    for (const s of state) expect(s.type).toBe('STREAM');
  });

  it('lists the MCA config as a commented entry in every section that reads secrets/config.json', () => {
    const text = fs.readFileSync(path.join(REPO, 'acceptance-test-config.yml'), 'utf8');
    const commented = text.split('\n').filter((l) => /^\s*#.*config_path:\s*"?secrets\/config_mca\.json"?/.test(l));
    const sections = Object.keys(TESTS).filter((sec) => yamlEntries(sec).some((t) => t.config_path === EA_CONFIG));
    expect(commented.length).toBeGreaterThanOrEqual(sections.length);
    expect(entries('basic_read').map((t) => t.config_path)).toEqual([EA_CONFIG, MCA_CONFIG]);
  });

  it('keeps secrets/ out of git', () => {
    const ignore = fs.readFileSync(path.join(REPO, '.gitignore'), 'utf8');
    expect(ignore).toMatch(/^\/?secrets\/?$/m);
  });
});

describe.each(entries('spec'))('spec ($spec_path, $config_path)', (t: Json) => {
  let spec: Json;
  let cs: Json;

  beforeAll(async () => {
    const run = await cli(['spec']);
    expect(run.code).toBe(0);
    const specs = ofType(run, 'SPEC');
    expect(specs).toHaveLength(1);
    spec = specs[0].spec;
    cs = spec.connectionSpecification;
  });

  it('test_match_expected: spec output equals spec_path', () => {
    expect(spec).toEqual(readJson(path.join(REPO, t.spec_path)));
  });

  it('connectionSpecification is a valid draft-07 JSON schema; documentationUrl set', () => {
    const ajv = makeAjv();
    expect(ajv.validateSchema(cs)).toBe(true);
    expect(() => ajv.compile(cs)).not.toThrow();
    expect(cs.$schema).toMatch(/draft-07/);
    expect(spec.documentationUrl).toMatch(/^https:\/\//);
  });

  it('test_config_match_spec: the config validates against the spec', () => {
    const validate = makeAjv().compile(cs);
    const cfg = readJson(resolveInput(t.config_path ?? 'secrets/config.json'));
    const ok = validate(Object.fromEntries(Object.entries(cfg).filter(([k]) => !k.startsWith('_'))));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it.each(['sample_config.json', 'sample_config_mca.json'])('%s validates against the spec', (file) => {
    const validate = makeAjv().compile(cs);
    validate(readJson(path.join(REPO, 'integration_tests', file)));
    expect(validate.errors ?? []).toEqual([]);
  });

  it('test_secret_is_properly_marked: every secret field is airbyte_secret, and only those', () => {
    const exposed: string[] = [];
    const hidden: string[] = [];
    walk(cs.properties, (n, p) => {
      if (!('type' in n) || typeof n.type === 'object' && !Array.isArray(n.type)) return;
      const name = [...p].reverse().find((part) => !/^\d+$/.test(part) && !['anyOf', 'oneOf', 'allOf', 'not', 'properties', 'items', 'type', 'prefixItems'].includes(part));
      const secretName = name !== undefined && CAT_SECRET_NAMES.has(name.toLowerCase());
      const types = Array.isArray(n.type) ? n.type : [n.type];
      const canHold = types.some((x: string) => ['string', 'integer', 'number'].includes(x)) && !n.const;
      if (n.airbyte_secret && !canHold) hidden.push(p.join('/'));
      if (secretName && canHold && !n.airbyte_secret) exposed.push(p.join('/'));
    });
    expect({exposed, hidden}).toEqual({exposed: [], hidden: []});
    expect(keywordValues(cs, 'airbyte_secret').length).toBeGreaterThan(0); // test_has_secret
  });

  it('test_oneof_usage: one common const discriminator, required in every branch', () => {
    const problems: string[] = [];
    walk(cs, (n, p) => {
      for (const kw of ['oneOf', 'anyOf']) {
        if (!Array.isArray(n[kw]) || p[p.length - 1] === 'properties') continue;
        const where = [...p, kw].join('/');
        if (n.type !== 'object') problems.push(`${where}: parent type is not object`);
        const variants = n[kw] as Json[];
        if (!variants.every((v) => v.properties)) {
          problems.push(`${where}: a variant has no properties`);
          continue;
        }
        const common = variants.map((v) => new Set(Object.keys(v.properties))).reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
        const consts = [...common].filter((c) => variants.every((v) => 'const' in v.properties[c]));
        if (consts.length !== 1) {
          problems.push(`${where}: ${consts.length} common const properties`);
          continue;
        }
        const d = consts[0];
        const values = variants.map((v) => v.properties[d].const);
        if (new Set(values).size !== values.length) problems.push(`${where}: discriminator values repeat`);
        variants.forEach((v, i) => {
          const prop = v.properties[d];
          if (!(v.required ?? []).includes(d)) problems.push(`${where}/${i}: ${d} not required`);
          if ('default' in prop && prop.default !== prop.const) problems.push(`${where}/${i}: default differs from const`);
          if ('enum' in prop && !(prop.enum.length === 1 && prop.enum[0] === prop.const)) problems.push(`${where}/${i}: enum differs from const`);
        });
      }
    });
    expect(problems).toEqual([]);
    expect(keywordValues(cs, 'oneOf').length).toBeGreaterThan(0);
  });

  it('test_duplicate_order: orders are unique per object level (and group)', () => {
    const dups: string[] = [];
    walk(cs, (n, p) => {
      if (n.type !== 'object' || !n.properties || p[p.length - 1] === 'properties') return;
      const used = new Map<string, Set<number>>();
      for (const prop of Object.values(n.properties) as Json[]) {
        if (!prop || typeof prop !== 'object' || !('order' in prop)) continue;
        const group = prop.group ?? '';
        const set = used.get(group) ?? new Set<number>();
        if (set.has(prop.order)) dups.push(`${p.join('/')}: order ${prop.order}`);
        set.add(prop.order);
        used.set(group, set);
      }
    });
    expect(dups).toEqual([]);
  });

  it('test_defined_refs_exist_in_json_spec_file: no $ref', () => {
    expect(keywordValues(spec, '$ref')).toEqual([]);
  });

  it('test_additional_properties_is_true: additionalProperties, when set, is true', () => {
    expect(keywordValues(cs, 'additionalProperties').filter((x) => x.value !== true)).toEqual([]);
  });

  it('test_object_not_empty: every object field has properties (or a oneOf)', () => {
    const empty: string[] = [];
    walk(cs, (n, p) => {
      if (p.length === 0 || p[p.length - 1] === 'properties') return;
      if (n.type === 'object' && !n.oneOf && (!n.properties || Object.keys(n.properties).length === 0)) empty.push(p.join('/'));
    });
    expect(empty).toEqual([]);
  });

  it('test_property_type_is_not_array, test_array_type, test_enum_usage, test_forbidden_complex_types', () => {
    const errors: string[] = [];
    walk(cs, (n, p) => {
      if (p[p.length - 1] === 'properties') return;
      if (Array.isArray(n.type) && p[p.length - 2] === 'properties' && !(n.type.length === 1 || (n.type.length === 2 && n.type[1] === 'null'))) {
        errors.push(`${p.join('/')}: type ${JSON.stringify(n.type)}`);
      }
      if (n.type === 'array' && n.items !== undefined) {
        if (Array.isArray(n.items)) errors.push(`${p.join('/')}: tuple items`);
        else if (!['object', 'string', 'number', 'integer'].includes(n.items.type) && !n.items.enum) errors.push(`${p.join('/')}: items type`);
      }
      if (Array.isArray(n.enum) && new Set(n.enum).size !== n.enum.length) errors.push(`${p.join('/')}: duplicate enum values`);
    });
    for (const kw of ['not', 'anyOf', 'patternProperties', 'prefixItems', 'allOf', 'if', 'then', 'else', 'dependentSchemas', 'dependentRequired']) {
      for (const hit of keywordValues(cs, kw)) errors.push(`forbidden ${hit.path}`);
    }
    expect(errors).toEqual([]);
  });

  it('test_date_format / test_date_pattern: date fields carry format date and a YYYY-MM-DD pattern', () => {
    for (const key of ['start_date', 'end_date']) {
      expect(cs.properties[key].format).toBe('date');
      expect(new RegExp(cs.properties[key].pattern).test('2026-01-31')).toBe(true);
    }
  });
});

describe.each(entries('connection'))('connection ($config_path → $status)', (t: Json) => {
  it('test_check', async () => {
    const run = await cli(['check', '--config', resolveInput(t.config_path)]);
    expect(run.code).toBe(0); // CAT treats a failed container as an error even for status failed
    const statuses = ofType(run, 'CONNECTION_STATUS');
    expect(statuses).toHaveLength(1);
    const status = statuses[0].connectionStatus;
    if (t.status === 'succeed') {
      expect(status).toEqual({status: 'SUCCEEDED'});
    } else if (t.status === 'failed') {
      expect(status.status).toBe('FAILED');
      expect(status.message).toEqual(expect.any(String));
      expect(status.message.length).toBeGreaterThan(10);
      expect(run.stdout).not.toMatch(STACK_FRAME);
    } else {
      const errors = ofType(run, 'TRACE').filter((m) => m.trace.type === 'ERROR');
      expect(errors).toHaveLength(1);
    }
  });
});

describe('connection (configs the spec rejects)', () => {
  it.each([
    ['no credentials', (c: Json) => ({...c, credentials: undefined}), /credentials/],
    ['start_date not a date', (c: Json) => ({...c, start_date: '01/02/2026'}), /start_date/],
    ['unknown auth_type', (c: Json) => ({...c, credentials: {auth_type: 'password'}}), /credentials|auth_type/],
    ['billing_scope and enrollment_number both given', (c: Json) => ({...c, billing_scope: {scope_type: 'ea_enrollment', enrollment_number: c.enrollment_number}}), /billing_scope|enrollment_number/],
    ['MCA billing profile without its profile id', (c: Json) => ({...c, enrollment_number: undefined, billing_scope: {scope_type: 'mca_billing_profile', billing_account_id: sb.scopes.find((x) => x.type === 'mca_billing_profile')!.config.billing_account_id}}), /billing_profile_id/],
    ['unknown scope_type', (c: Json) => ({...c, enrollment_number: undefined, billing_scope: {scope_type: 'tenant'}}), /billing_scope|scope_type/],
  ])('%s: FAILED with a message naming the field, no stack trace', async (_name, mutate, field) => {
    const file = writeJson(path.join(tmp, 'bad', `${_name.replace(/\W+/g, '_')}.json`), mutate(config));
    const run = await cli(['check', '--config', file]);
    expect(run.code).toBe(0);
    const statuses = ofType(run, 'CONNECTION_STATUS');
    expect(statuses).toHaveLength(1);
    expect(statuses[0].connectionStatus.status).toBe('FAILED');
    expect(statuses[0].connectionStatus.message).toMatch(field);
    expect(run.stdout).not.toMatch(STACK_FRAME);
  });
});

describe.each(entries('discovery'))('discovery ($config_path)', (t: Json) => {
  let streams: Json[];

  beforeAll(async () => {
    const run = await cli(['discover', '--config', resolveInput(t.config_path)]);
    expect(run.code).toBe(0);
    const catalogs = ofType(run, 'CATALOG');
    expect(catalogs).toHaveLength(1); // test_discover
    streams = catalogs[0].catalog.streams;
  });

  it('test_discover: streams, uniquely named; the service principal offers all four', () => {
    const names = streams.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...ALL_STREAMS].sort());
  });

  it('test_streams_have_valid_json_schemas (draft-07)', () => {
    const ajv = makeAjv();
    for (const s of streams) {
      expect([s.name, ajv.validateSchema(s.json_schema), ajv.errors ?? null]).toEqual([s.name, true, null]);
      expect(() => ajv.compile(s.json_schema)).not.toThrow();
    }
  });

  it('test_defined_cursors_exist_in_schema, test_primary_keys_exist_in_schema, test_primary_keys_data_type', () => {
    for (const s of streams) {
      // focus_costs keeps FOCUS's names (docs/design.md §9)
      const [cursor, key] = s.name === 'focus_costs' ? ['ChargePeriodStart', 'x_RecordId'] : ['usage_date', 'id'];
      expect(s.source_defined_cursor).toBe(true);
      expect(s.default_cursor_field).toEqual([cursor]);
      expect(s.json_schema.properties[cursor]).toBeDefined();
      expect(s.source_defined_primary_key).toEqual([[key]]);
      for (const pk of s.source_defined_primary_key) {
        const def = s.json_schema.properties[pk[0]];
        expect(def).toBeDefined();
        const types = Array.isArray(def.type) ? def.type : [def.type];
        expect(types.filter((x: string) => x === 'object' || x === 'array')).toEqual([]);
      }
    }
  });

  it('test_streams_has_sync_modes', () => {
    for (const s of streams) expect([...s.supported_sync_modes].sort()).toEqual(['full_refresh', 'incremental']);
  });

  it('test_defined_refs_exist_in_schema, test_defined_keyword_exist_in_schema (allOf, not)', () => {
    for (const s of streams) {
      expect(keywordValues(s.json_schema, '$ref')).toEqual([]);
      expect(keywordValues(s.json_schema, 'allOf')).toEqual([]);
      expect(keywordValues(s.json_schema, 'not')).toEqual([]);
    }
  });

  it('test_additional_properties_is_true', () => {
    for (const s of streams) {
      expect([s.name, keywordValues(s.json_schema, 'additionalProperties').filter((x) => x.value !== true)]).toEqual([s.name, []]);
    }
  });

  it('the discovered schemas are resources/schemas/*.json', () => {
    for (const s of streams) {
      const file = path.join(REPO, 'resources', 'schemas', `${s.name === 'usage_details_amortized' ? 'usage_details' : s.name}.json`);
      expect(s.json_schema).toEqual(readJson(file));
    }
  });
});

describe.each(entries('basic_read'))('basic_read ($config_path)', (t: Json) => {
  let discovered: Json[];
  let catalog: Json;
  let run: CliRun;

  beforeAll(async () => {
    const configPath = resolveInput(t.config_path);
    discovered = await discover(configPath);
    catalog = configuredCatalogFromFile(path.join(REPO, t.configured_catalog_path), discovered);
    run = await read(configPath, catalog);
  });

  it('the configured catalog file syncs every stream incrementally (append_dedup) on the cursor and key discover declares', () => {
    const file = readJson(path.join(REPO, t.configured_catalog_path));
    expect(file.streams.map((s: Json) => s.stream.name).sort()).toEqual([...ALL_STREAMS].sort());
    for (const s of file.streams) {
      const d = discovered.find((x) => x.name === s.stream.name);
      expect({
        name: s.stream.name,
        sync_mode: s.sync_mode,
        destination_sync_mode: s.destination_sync_mode,
        cursor_field: s.cursor_field,
        primary_key: s.primary_key,
        default_cursor_field: s.stream.default_cursor_field,
        source_defined_primary_key: s.stream.source_defined_primary_key,
      }).toEqual({
        name: d.name,
        sync_mode: 'incremental',
        destination_sync_mode: 'append_dedup',
        cursor_field: d.default_cursor_field,
        primary_key: d.source_defined_primary_key,
        default_cursor_field: d.default_cursor_field,
        source_defined_primary_key: d.source_defined_primary_key,
      });
    }
  });

  it('exits 0 and reads records for every configured stream (the sandbox rules produce conflicts)', () => {
    expect(run.code).toBe(0);
    expect(catalog.streams.map((s: Json) => s.stream.name).sort()).toEqual([...ALL_STREAMS].sort());
    for (const name of ALL_STREAMS) expect([name, recordEnvelopes(run, name).length > 0]).toEqual([name, true]);
    for (const r of recordEnvelopes(run)) expect(ALL_STREAMS).toContain(r.stream);
  });

  it('covers every day of the window in both usage streams and focus_costs', () => {
    for (const name of DAILY_STREAMS) expect([name, recordDays(run, catalog, name)]).toEqual([name, daysFrom(WINDOW.start, WINDOW.end)]);
  });

  it('focus_costs, per day: Σ EffectiveCost = Σ cost of usage_details_amortized, Σ BilledCost = Σ cost of usage_details (docs/focus.md)', () => {
    const wrong: string[] = [];
    for (const [column, stream] of [['EffectiveCost', 'usage_details_amortized'], ['BilledCost', 'usage_details']] as const) {
      const focus = sumPerDay(run, catalog, 'focus_costs', column);
      const usage = sumPerDay(run, catalog, stream, 'cost');
      for (const day of daysFrom(WINDOW.start, WINDOW.end)) {
        const [have, want] = [focus.get(day) ?? 0, usage.get(day) ?? 0];
        if (Math.abs(have - want) >= 0.005) wrong.push(`${day} Σ ${column} ${have.toFixed(4)} vs Σ ${stream}.cost ${want.toFixed(4)}`);
      }
      expect([column, [...focus.keys()].filter((d) => d < WINDOW.start || d > WINDOW.end)]).toEqual([column, []]);
    }
    expect(wrong).toEqual([]);
    // not one check twice: commitments make the billed and the effective totals differ on some day
    const [billed, effective] = [sumPerDay(run, catalog, 'focus_costs', 'BilledCost'), sumPerDay(run, catalog, 'focus_costs', 'EffectiveCost')];
    expect(daysFrom(WINDOW.start, WINDOW.end).filter((d) => Math.abs((billed.get(d) ?? 0) - (effective.get(d) ?? 0)) >= 0.005).length).toBeGreaterThan(0);
  });

  it('focus_costs keeps every amortized row and the actual rows of commitment purchases and refunds, per day (docs/focus.md)', () => {
    // docs/focus.md, "Which rows": a commitment's purchase or refund is ActualCost only
    const commitment = (r: Json) => ['purchase', 'refund'].includes(String(r.charge_type).toLowerCase()) && ['reservation', 'savingsplan'].includes(String(r.pricing_model).toLowerCase());
    const count = (stream: string, keep: (r: Json) => boolean) => sumPerDay(run, catalog, stream, (r) => (keep(r) ? 1 : 0));
    const focus = count('focus_costs', () => true);
    const amortized = count('usage_details_amortized', () => true);
    const purchases = count('usage_details', commitment);
    const wrong = daysFrom(WINDOW.start, WINDOW.end)
      .map((d) => [d, focus.get(d) ?? 0, (amortized.get(d) ?? 0) + (purchases.get(d) ?? 0)] as const)
      .filter(([, have, want]) => have !== want);
    expect(wrong).toEqual([]);
    expect([...purchases.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0); // the sandbox window has commitment purchases
    const source = new Set(recordEnvelopes(run, 'focus_costs').map((r) => r.data.x_SourceDataset));
    expect([...source]).toEqual(['cost_details ActualCost+AmortizedCost']);
  });

  it('per-day rows and cents equal the sandbox truth of the config\'s scope; records name their agreement', () => {
    const scope = scopeOfSandboxConfig(sb, readJson(resolveInput(t.config_path)));
    for (const [name, metric] of [['usage_details', 'actual'], ['usage_details_amortized', 'amortized']] as const) {
      const truth = sb.truth(metric, WINDOW.start, WINDOW.end, scope.path);
      const got = new Map<string, {rows: number; cost: number}>();
      for (const r of recordEnvelopes(run, name)) {
        const d = got.get(r.data.usage_date) ?? {rows: 0, cost: 0};
        got.set(r.data.usage_date, {rows: d.rows + 1, cost: d.cost + r.data.cost});
      }
      const wrong: string[] = [];
      for (const [day, want] of Object.entries(truth.days)) {
        const have = got.get(day) ?? {rows: 0, cost: 0};
        if (have.rows !== want.rows || Math.abs(have.cost - Number(want.cost)) >= 0.005) wrong.push(`${day}: ${have.rows} rows ${have.cost} vs ${want.rows} rows ${want.cost}`);
      }
      expect([name, scope.type, wrong]).toEqual([name, scope.type, []]);
      expect([name, [...new Set(recordEnvelopes(run, name).map((r) => r.data.agreement))]]).toEqual([name, [scope.agreement]]);
    }
  });

  // CAT's defaults: validate_schema, fail_on_extra_columns, validate_state_messages and
  // expect_trace_message_on_failure true; validate_stream_statuses only when set (or certified).
  const flag = (name: string, dflt: boolean): boolean => (t[name] === undefined || t[name] === null ? dflt : t[name] === true);
  const itIf = (cond: boolean) => (cond ? it : it.skip);

  itIf(flag('validate_schema', true))('validate_schema + fail_on_extra_columns: every record conforms to its stream schema', () => {
    const failOnExtra = flag('fail_on_extra_columns', true);
    const ajv = makeAjv();
    for (const cs of catalog.streams) {
      const validate = ajv.compile(cs.stream.json_schema);
      const declared = new Set(Object.keys(cs.stream.json_schema.properties));
      const invalid: Json[] = [];
      const extra = new Set<string>();
      for (const r of recordEnvelopes(run, cs.stream.name)) {
        if (!validate(r.data)) invalid.push({key: r.data[fieldsOf(catalog, cs.stream.name).key], errors: validate.errors});
        if (failOnExtra) for (const k of Object.keys(r.data)) if (!declared.has(k)) extra.add(k);
        expect(Number.isInteger(r.emitted_at)).toBe(true);
      }
      expect([cs.stream.name, invalid.slice(0, 3), [...extra]]).toEqual([cs.stream.name, [], []]);
    }
  });

  it('validate_primary_keys_data_type: each stream\'s primary key present, a string, unique', () => {
    for (const name of ALL_STREAMS) {
      const {key} = fieldsOf(catalog, name);
      const ids = recordEnvelopes(run, name).map((r) => r.data[key]);
      expect([name, key, ids.every((id) => typeof id === 'string' && id.length > 0)]).toEqual([name, key, true]);
      expect([name, key, new Set(ids).size]).toEqual([name, key, ids.length]);
    }
  });

  itIf(flag('validate_stream_statuses', false))('validate_stream_statuses: STARTED, RUNNING..., COMPLETE for every configured stream', () => {
    const byStream = new Map<string, string[]>();
    for (const m of ofType(run, 'TRACE')) {
      if (m.trace.type !== 'STREAM_STATUS') continue;
      const name = m.trace.stream_status.stream_descriptor.name;
      byStream.set(name, [...(byStream.get(name) ?? []), m.trace.stream_status.status]);
    }
    expect([...byStream.keys()].sort()).toEqual([...ALL_STREAMS].sort());
    for (const [name, list] of byStream) {
      expect([name, list[0], list[list.length - 1], list.length >= 3]).toEqual([name, 'STARTED', 'COMPLETE', true]);
      expect([name, list.slice(1, -1).every((s) => s === 'RUNNING')]).toEqual([name, true]);
    }
  });

  itIf(flag('validate_state_messages', true))('validate_state_messages: STREAM states for every stream, each with sourceStats', () => {
    const stateMessages = states(run);
    expect(stateMessages.length).toBeGreaterThanOrEqual(catalog.streams.length);
    for (const s of stateMessages) {
      expect(s.type).toBe('STREAM');
      expect(s.stream.stream_state).toEqual({usage_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)});
    }
    for (const name of ALL_STREAMS) expect([name, states(run, name).length > 0]).toEqual([name, true]);
    const withoutStats = stateMessages.filter((s) => typeof s.sourceStats?.recordCount !== 'number');
    expect({statesWithoutSourceStats: withoutStats.length, of: stateMessages.length}).toEqual({statesWithoutSourceStats: 0, of: stateMessages.length});
  });

  it('sourceStats.recordCount, where present, counts the stream\'s records since its previous STATE', () => {
    const since = new Map<string, number>();
    const wrong: string[] = [];
    for (const m of run.messages) {
      if (m.type === 'RECORD') since.set(m.record.stream, (since.get(m.record.stream) ?? 0) + 1);
      if (m.type !== 'STATE') continue;
      const name = m.state.stream.stream_descriptor.name;
      const count = m.state.sourceStats?.recordCount;
      if (typeof count === 'number' && count !== (since.get(name) ?? 0)) wrong.push(`${name}@${m.state.stream.stream_state.usage_date}: ${count} != ${since.get(name) ?? 0}`);
      since.set(name, 0);
    }
    expect(wrong).toEqual([]);
  });

  it('state per stream never goes backwards; the last state is the end date', () => {
    for (const name of ALL_STREAMS) {
      const seq = cursorSequence(run, name);
      expect([name, seq]).toEqual([name, [...seq].sort()]);
      expect([name, seq[seq.length - 1]]).toEqual([name, WINDOW.end]);
    }
  });

  itIf(flag('expect_trace_message_on_failure', true))('test_airbyte_trace_message_on_failure: an unknown stream in the catalog gives an ERROR trace', async () => {
    const bad = {
      streams: [
        {
          stream: {name: '__AIRBYTE__stream_that_does_not_exist', json_schema: {type: 'object', properties: {f1: {type: 'string'}}}, supported_sync_modes: ['full_refresh']},
          sync_mode: 'INVALID',
          destination_sync_mode: 'INVALID',
        },
      ],
    };
    const failed = await read(resolveInput(t.config_path), bad);
    const errors = ofType(failed, 'TRACE').filter((m) => m.trace.type === 'ERROR');
    expect(errors.length).toBeGreaterThanOrEqual(1);
  });
});

describe.each(entries('full_refresh'))('full_refresh ($config_path)', (t: Json) => {
  it('test_sequential_reads: two reads give the same primary keys and data in every stream; emitted_at increases', async () => {
    const configPath = resolveInput(t.config_path);
    const catalog = withSyncMode(configuredCatalogFromFile(path.join(REPO, t.configured_catalog_path), await discover(configPath)), 'full_refresh');
    const first = await read(configPath, catalog);
    await new Promise((r) => setTimeout(r, 20));
    const second = await read(configPath, catalog);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(catalog.streams.map((s: Json) => s.stream.name).sort()).toEqual([...ALL_STREAMS].sort());
    for (const name of ALL_STREAMS) {
      const a = byKey(first, catalog, name);
      const b = byKey(second, catalog, name);
      expect([name, a.size > 0, a.size]).toEqual([name, true, recordEnvelopes(first, name).length]); // keys unique
      expect([name, [...a.keys()].sort()]).toEqual([name, [...b.keys()].sort()]);
      const differing = [...a.keys()].filter((id) => !isEqual(a.get(id), b.get(id)));
      expect([name, differing.slice(0, 3)]).toEqual([name, []]);
    }
    const maxFirst = Math.max(...recordEnvelopes(first).map((r) => r.emitted_at));
    const minSecond = Math.min(...recordEnvelopes(second).map((r) => r.emitted_at));
    expect(minSecond).toBeGreaterThan(maxFirst);
  });
});

describe.each(entries('incremental'))('incremental ($config_path)', (t: Json) => {
  let configPath: string;
  let catalog: Json;
  let first: CliRun;
  const lookback = () => config.lookback_days as number;

  beforeAll(async () => {
    configPath = resolveInput(t.config_path);
    catalog = withSyncMode(configuredCatalogFromFile(path.join(REPO, t.configured_catalog_path), await discover(configPath)), 'incremental');
    first = await read(configPath, catalog);
    expect(first.code).toBe(0);
  });

  it('test_two_sequential_reads: from the first state, only days from cursor − look-back + 1 on; records differ; ids are stable', async () => {
    const state = latestStateInput(first);
    expect(state.map((s) => s.stream.stream_descriptor.name).sort()).toEqual([...ALL_STREAMS].sort());
    const second = await read(configPath, catalog, state);
    expect(second.code).toBe(0);
    expect(recordEnvelopes(second).length).toBeGreaterThan(0);
    expect(recordEnvelopes(second).length).toBeLessThan(recordEnvelopes(first).length); // "records should change between reads"
    for (const name of DAILY_STREAMS) {
      const cursor = state.find((s) => s.stream.stream_descriptor.name === name).stream.stream_state.usage_date;
      const from = maxDay(WINDOW.start, addDays(cursor, -lookback() + 1));
      expect([name, recordDays(second, catalog, name)]).toEqual([name, daysFrom(from, WINDOW.end)]);
      // re-read days yield the same keys and data as the first sync
      const before = byKey(first, catalog, name, from);
      const after = byKey(second, catalog, name);
      expect([name, [...after.keys()].sort()]).toEqual([name, [...before.keys()].sort()]);
      expect([name, [...after.keys()].filter((id) => !isEqual(after.get(id), before.get(id))).length]).toEqual([name, 0]);
    }
    const conflictsCursor = state.find((s) => s.stream.stream_descriptor.name === 'tracking_conflicts').stream.stream_state.usage_date;
    expect(recordDays(second, catalog, 'tracking_conflicts').filter((d) => d < addDays(conflictsCursor, -lookback() + 1))).toEqual([]);
    // the state never goes back: not within the sync, not below the state it started from
    for (const name of ALL_STREAMS) {
      const input = state.find((s) => s.stream.stream_descriptor.name === name).stream.stream_state.usage_date;
      const seq = cursorSequence(second, name);
      expect([name, seq]).toEqual([name, [...seq].sort()]);
      expect([name, seq.filter((d) => d < input)]).toEqual([name, []]);
    }
  });

  it('state per stream never goes backwards in the first sync', () => {
    for (const name of ALL_STREAMS) {
      const seq = cursorSequence(first, name);
      expect(seq.length).toBeGreaterThan(1);
      expect([name, seq]).toEqual([name, [...seq].sort()]);
    }
  });

  it('test_read_sequential_slices: resuming from an intermediate state re-reads from its cursor − look-back + 1', async () => {
    for (const name of ALL_STREAMS) {
      const single = withSyncMode(catalog, 'incremental', [name]);
      const full = await read(configPath, single);
      const seq = [...new Set(cursorSequence(full, name))];
      expect(seq.length).toBeGreaterThanOrEqual(3);
      const mid = seq[Math.floor(seq.length / 2) - 1];
      const resumed = await read(configPath, single, stateInput({[name]: mid}));
      expect(resumed.code).toBe(0);
      const from = maxDay(WINDOW.start, addDays(mid, -lookback() + 1));
      const f = fieldsOf(catalog, name);
      const expectedAfter = recordEnvelopes(full, name).filter((r) => recordDay(f, r.data) > mid).length;
      const got = recordEnvelopes(resumed, name);
      expect([name, got.length >= expectedAfter]).toEqual([name, true]);
      expect([name, got.filter((r) => recordDay(f, r.data) < from).length]).toEqual([name, 0]);
      if (DAILY_STREAMS.includes(name)) expect([name, recordDays(resumed, catalog, name)]).toEqual([name, daysFrom(from, WINDOW.end)]);
      expect(cursorSequence(resumed, name).filter((d) => d < mid)).toEqual([]);
    }
  });

  it('test_state_with_abnormally_large_values: the future state emits no records, and a STATE', async () => {
    const future = readJson(path.join(REPO, t.future_state.future_state_path));
    expect(future.map((s: Json) => s.stream.stream_descriptor.name).sort()).toEqual([...ALL_STREAMS].sort());
    const run = await read(configPath, catalog, future);
    expect(run.code).toBe(0);
    expect(recordEnvelopes(run)).toEqual([]);
    for (const name of ALL_STREAMS) expect([name, states(run, name).length > 0]).toEqual([name, true]);
  });
});

describe('API key config (EA Reporting API, deprecated): the same checks on its two streams', () => {
  let file: string;
  beforeAll(() => {
    file = writeJson(path.join(tmp, 'secrets', 'config_api_key.json'), {...config, credentials: {auth_type: 'api_key', api_key: sb.options.apiKey}});
  });

  it('check succeeds; discover offers usage_details and tracking_conflicts; a read is valid and complete', async () => {
    const check = await cli(['check', '--config', file]);
    expect(ofType(check, 'CONNECTION_STATUS').map((m) => m.connectionStatus.status)).toEqual(['SUCCEEDED']);
    const streams = await discover(file);
    expect(streams.map((s) => s.name).sort()).toEqual(['tracking_conflicts', 'usage_details']);
    const catalog = withSyncMode(configuredCatalogFromFile(path.join(REPO, 'integration_tests', 'configured_catalog.json'), streams), 'incremental');
    const run = await read(file, catalog);
    expect(run.code).toBe(0);
    expect(recordDays(run, catalog, 'usage_details')).toEqual(daysFrom(WINDOW.start, WINDOW.end));
    const ajv = makeAjv();
    for (const cs of catalog.streams) {
      const validate = ajv.compile(cs.stream.json_schema);
      const bad = recordEnvelopes(run, cs.stream.name).filter((r) => !validate(r.data));
      expect([cs.stream.name, bad.length]).toEqual([cs.stream.name, 0]);
    }
    expect(new Set(recordEnvelopes(run, 'usage_details').map((r) => r.data.source_api))).toEqual(new Set(['ea_reporting']));
  });
});

describe('metadata.yaml, Dockerfile and docs', () => {
  const meta = YAML.parse(fs.readFileSync(path.join(REPO, 'metadata.yaml'), 'utf8')).data;
  const pkg = readJson(path.join(REPO, 'package.json'));
  const spec = readJson(path.join(REPO, 'resources', 'spec.json'));
  const docs = fs.readFileSync(path.join(REPO, 'docs', 'azure-billing.md'), 'utf8');

  it('test_image_labels, statically: repository and tag agree with the CAT image, package.json and the Dockerfile', () => {
    expect(meta).toMatchObject({
      connectorType: 'source',
      connectorSubtype: 'api',
      dockerRepository: CAT.connector_image.split(':')[0],
      dockerImageTag: pkg.version,
      license: 'Apache-2.0',
      releaseStage: 'alpha',
      supportLevel: 'community',
      documentationUrl: spec.documentationUrl,
    });
    expect(meta.definitionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(meta.tags).toContain('language:typescript');
    const dockerfile = fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`ARG CONNECTOR_VERSION=${pkg.version}`);
    expect(dockerfile).toContain(`io.airbyte.name="${meta.dockerRepository}"`);
    expect(dockerfile).toMatch(/^ENV AIRBYTE_ENTRYPOINT="\/app\/bin\/source-azure-billing"$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/app\/bin\/source-azure-billing"\]$/m);
  });

  it('the user page documents every setting, every stream and every field', () => {
    const settings = Object.keys(spec.connectionSpecification.properties);
    const branches = ['credentials', 'billing_scope'].flatMap((k) => spec.connectionSpecification.properties[k].oneOf.flatMap((b: Json) => Object.keys(b.properties)));
    const scopeTypes = spec.connectionSpecification.properties.billing_scope.oneOf.map((b: Json) => b.properties.scope_type.const);
    // focus_costs' columns are FOCUS 1.2's and Microsoft's x_ columns, documented as such in docs/focus.md
    const fields = ALL_STREAMS.filter((s) => s !== 'focus_costs').flatMap((s) =>
      Object.keys(readJson(path.join(REPO, 'resources', 'schemas', `${s === 'usage_details_amortized' ? 'usage_details' : s}.json`)).properties),
    );
    const missing = [...new Set([...settings, ...branches, ...scopeTypes, ...ALL_STREAMS, ...fields])].filter((name) => !docs.includes(`\`${name}\``));
    expect(missing).toEqual([]);
    expect(docs).toContain('24f8edb6-1668-4659-b5e2-40bb5f3a7d7e'); // EnrollmentReader
    expect(docs.indexOf('## Changelog')).toBeGreaterThan(0);
    expect(docs.slice(docs.indexOf('## Changelog'))).toContain(`| ${pkg.version} |`);
  });
});

describe('secrets', () => {
  it('test_secret_never_in_the_output: no secret in the stdout or stderr of any command run above', () => {
    expect(runs.length).toBeGreaterThan(10);
    const leaks: string[] = [];
    for (const run of runs) {
      for (const secret of secretValues(sb)) {
        if (run.stdout.includes(secret) || run.stderr.includes(secret)) leaks.push(`${run.args[0]}: ${secret.slice(0, 6)}…`);
      }
    }
    expect(leaks).toEqual([]);
  });
});

import fs from 'fs';
import path from 'path';

import Ajv, {ValidateFunction} from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';

import {GEN_SCRIPT, GENERATED_PATH, generateConfigValidatorSource} from '../../scripts/gen-config-validator';
import {validateConnectionSpec} from '../../src/config/generated/spec-validator';
import {loadSpec} from '../../src/config/spec';
import {BAD_CONFIGS, SCOPE_IDS, VALID_CONFIG, withScope} from '../bad-configs';

/**
 * src/config/generated/spec-validator.ts is ajv's standalone code for resources/spec.json, so
 * the connector does not compile the schema at every start. It must stay in step with the spec
 * and behave exactly like the run-time compile it replaced (same options), errors included.
 */
const spec = loadSpec().connectionSpecification;

/** The run-time compile validate.ts used to do, written out here rather than shared with the generator. */
function freshValidator(): ValidateFunction {
  const ajv = new Ajv({allErrors: true, strict: false});
  addFormats(ajv);
  return ajv.compile(spec);
}

const fresh = freshValidator();

/** [valid?, errors] of one validator on one input, for a side-by-side comparison. */
function outcome(validate: {(data: unknown): boolean; errors?: unknown}, data: unknown): [boolean, unknown] {
  const ok = validate(data);
  return [ok, validate.errors ?? null];
}

/** Where two texts first differ, with a little context: the generated lines can be long. */
function firstDifference(committed: string, expected: string): string {
  let i = 0;
  while (i < committed.length && committed[i] === expected[i]) i++;
  const line = committed.slice(0, i).split('\n').length;
  const around = (text: string) => JSON.stringify(text.slice(Math.max(0, i - 30), i + 30));
  return `first difference on line ${line}: committed ${around(committed)}, expected ${around(expected)}`;
}

describe('generated config validator', () => {
  it('is up to date with resources/spec.json and the installed ajv', () => {
    const committed = fs.readFileSync(GENERATED_PATH, 'utf8').replace(/\r\n/g, '\n');
    const expected = generateConfigValidatorSource(spec);
    if (committed !== expected) {
      throw new Error(
        `${path.relative(process.cwd(), GENERATED_PATH)} is out of date with resources/spec.json (or the installed ajv): ` +
          `run \`npm run ${GEN_SCRIPT}\` and commit the result (${firstDifference(committed, expected)}).`,
      );
    }
  });

  const valid = VALID_CONFIG;
  const rule = {name: 'r', match: {resource_group: 'rg-*'}, set: {team: 'a'}};
  const cases: [string, unknown][] = [
    ['the valid config', valid],
    ['an API key config', {...valid, credentials: {auth_type: 'api_key', api_key: 'k'}}],
    ['every field set', {...valid, end_date: '2026-02-01', lookback_days: 31, month_close_days: 0, slice_days: 1, max_concurrency: 8, page_size: 100000, worker_threads: 16, tracking_rules: [{...rule, priority: -5, description: 'd'}], api_base_url: 'http://x', login_base_url: 'https://y', ea_base_url: 'https://z', request_timeout_seconds: 3600, max_retries: 0}],
    ['unknown extra keys', {...valid, extra: {deep: [1, 2]}, tracking_rules: [{...rule, other: true, match: {'tags.env': 'x'}, set: {owner: 'y'}}]}],
    ['null', null],
    ['an array', [valid]],
    ['a string', 'config'],
    ['an empty object', {}],
    ['missing required fields', {enrollment_number: '1'}],
    ['wrong types everywhere', {enrollment_number: 1, credentials: 'x', start_date: 2026, end_date: false, lookback_days: '3', slice_days: 2.5, page_size: null, tracking_rules: {}, api_base_url: 1}],
    ['bad patterns', {...valid, enrollment_number: 'E-1', start_date: '2026/01/01', end_date: '26-1-1', api_base_url: 'ftp://x', login_base_url: '', ea_base_url: 'javascript:1'}],
    ['out-of-range numbers', {...valid, lookback_days: -1, month_close_days: 16, slice_days: 0, max_concurrency: 9, page_size: 100001, worker_threads: 17, request_timeout_seconds: 0, max_retries: 21}],
    ['a date that matches the pattern but is not a date', {...valid, start_date: '2026-02-30', end_date: '2025-13-01'}],
    ['a leap day', {...valid, start_date: '2024-02-29', end_date: '2023-02-29'}],
    ['credentials matching no branch', {...valid, credentials: {auth_type: 'password'}}],
    ['credentials matching both branches', {...valid, credentials: {auth_type: 'api_key', api_key: 'k', tenant_id: 't', client_id: 'c', client_secret: 's'}}],
    ['credentials with wrong types', {...valid, credentials: {auth_type: 'service_principal', tenant_id: 5, client_id: null, client_secret: []}}],
    ['tracking rules items of the wrong type', {...valid, tracking_rules: ['x', 1, null, []]}],
    ['tracking rules missing fields', {...valid, tracking_rules: [{}, {name: 'a'}, {name: 'b', match: {}}]}],
    ['an MCA invoice section scope', withScope({scope_type: 'mca_invoice_section', billing_account_id: SCOPE_IDS.billingAccount, billing_profile_id: SCOPE_IDS.billingProfile, invoice_section_id: SCOPE_IDS.invoiceSection})],
    ['a subscription scope', withScope({scope_type: 'subscription', subscription_id: SCOPE_IDS.subscription})],
    ['an EA department scope', withScope({scope_type: 'ea_department', enrollment_number: SCOPE_IDS.enrollment, department_id: SCOPE_IDS.department})],
    ['a billing scope matching no branch', withScope({scope_type: 'nope', subscription_id: SCOPE_IDS.subscription})],
    ['a billing scope with bad ids', withScope({scope_type: 'mca_invoice_section', billing_account_id: 'a:b', billing_profile_id: 7, invoice_section_id: null})],
    ['a billing scope of the wrong type', withScope([{scope_type: 'subscription'}])],
    ['tracking rules with bad fields', {...valid, tracking_rules: [{name: '', priority: 1.5, match: [], set: 'team'}, {name: 3, priority: '1', match: {resource_group: 1, subscription_name: null, meter_category: {}}, set: {team: 1, cost_center: [], project: false}, description: 7}]}],
  ];

  it.each(cases)('agrees with a fresh ajv compile on %s', (_what, config) => {
    expect(outcome(validateConnectionSpec, config)).toEqual(outcome(fresh, config));
  });

  it('agrees with a fresh ajv compile on every bad config of the validation table', () => {
    for (const [what, config] of BAD_CONFIGS) {
      expect([what, outcome(validateConnectionSpec, config)]).toEqual([what, outcome(fresh, config)]);
    }
  });

  it('agrees with a fresh ajv compile on random configs', () => {
    const keys = Object.keys(spec.properties ?? {});
    const value = fc.oneof(
      fc.jsonValue({maxDepth: 2}),
      fc.constantFrom('12345678', '2026-01-01', '2026-02-30', 'https://x', '', 0, -1, 7, 1e9, 2.5),
      fc.array(fc.record({name: fc.string(), priority: fc.jsonValue({maxDepth: 1}), match: fc.jsonValue({maxDepth: 2}), set: fc.jsonValue({maxDepth: 2})}, {requiredKeys: []}), {maxLength: 3}),
    );
    const config = fc.dictionary(fc.constantFrom(...keys, 'extra'), value, {maxKeys: keys.length});
    fc.assert(
      fc.property(config, (c) => {
        expect(outcome(validateConnectionSpec, c)).toEqual(outcome(fresh, c));
      }),
      {numRuns: 300},
    );
  });

  it('keeps ajv itself off the validation path (only its small runtime pieces load)', () => {
    const loaded = (name: string) => () => {
      throw new Error(`${name} was loaded by src/config/validate`);
    };
    try {
      jest.isolateModules(() => {
        for (const name of ['ajv', 'ajv/dist/ajv', 'ajv/dist/core', 'ajv-formats']) jest.doMock(name, loaded(name));
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const {validateConfig} = require('../../src/config/validate') as typeof import('../../src/config/validate');
        expect(validateConfig(VALID_CONFIG).config.enrollment_number).toBe('12345678');
      });
    } finally {
      for (const name of ['ajv', 'ajv/dist/ajv', 'ajv/dist/core', 'ajv-formats']) jest.dontMock(name);
    }
  });
});

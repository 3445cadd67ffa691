/**
 * Bad configs, each with the field its error must name and words it must contain. Shared by the
 * unit test of the validation (test/unit/config.test.ts) and the fault suite, which sends every
 * one through the CLI's `check` (test/faults/bad-input.test.ts).
 */

/** A secret value in every config of the table: no error message may echo it. */
export const CONFIG_SECRET = 'sp-secret-value-123456';

/** A config that passes validation; each bad config changes one thing in it. */
export const VALID_CONFIG = {
  enrollment_number: '12345678',
  credentials: {auth_type: 'service_principal', tenant_id: 'tenant', client_id: 'client', client_secret: CONFIG_SECRET},
  start_date: '2026-01-01',
};

const valid = VALID_CONFIG;

/** [what is wrong, config, field named in the message, words the message must contain] */
export type BadConfig = [string, unknown, string, RegExp];

export const BAD_CONFIGS: BadConfig[] = [
  ['not an object', [], '', /JSON object/],
  ['missing enrollment', {...valid, enrollment_number: undefined}, 'enrollment_number', /is required/],
  ['non-digit enrollment', {...valid, enrollment_number: 'E-1234'}, 'enrollment_number', /digits only/],
  ['numeric enrollment', {...valid, enrollment_number: 12345678}, 'enrollment_number', /must be a string/],
  ['missing credentials', {...valid, credentials: undefined}, 'credentials', /credentials is required/],
  ['credentials not an object', {...valid, credentials: 'key'}, 'credentials', /must be an object/],
  ['missing auth_type', {...valid, credentials: {api_key: 'x'}}, 'credentials.auth_type', /auth_type is required/],
  ['unknown auth_type', {...valid, credentials: {auth_type: 'password'}}, 'credentials.auth_type', /"password" is not supported/],
  ['missing client secret', {...valid, credentials: {auth_type: 'service_principal', tenant_id: 't', client_id: 'c'}}, 'credentials.client_secret', /required when auth_type is "service_principal"/],
  ['empty tenant', {...valid, credentials: {...valid.credentials, tenant_id: ''}}, 'credentials.tenant_id', /required/],
  ['missing api key', {...valid, credentials: {auth_type: 'api_key'}}, 'credentials.api_key', /required when auth_type is "api_key"/],
  ['secret not a string', {...valid, credentials: {...valid.credentials, client_secret: 42}}, 'credentials.client_secret', /must be a string/],
  ['missing start date', {...valid, start_date: undefined}, 'start_date', /is required/],
  ['badly written start date', {...valid, start_date: '01/02/2026'}, 'start_date', /YYYY-MM-DD/],
  ['impossible start date', {...valid, start_date: '2026-02-30'}, 'start_date', /(real calendar date|valid date)/],
  ['start date in the future', {...valid, start_date: '2999-01-01'}, 'start_date', /in the future/],
  ['end before start', {...valid, start_date: '2026-03-01', end_date: '2026-02-01'}, 'end_date', /after end_date/],
  ['bad end date', {...valid, end_date: '2026-13-01'}, 'end_date', /(YYYY-MM-DD|real calendar date|valid date)/],
  ['negative look-back', {...valid, lookback_days: -1}, 'lookback_days', /between 0 and 31/],
  ['look-back as text', {...valid, lookback_days: '3'}, 'lookback_days', /must be an integer/],
  ['fractional slice', {...valid, slice_days: 2.5}, 'slice_days', /must be an integer/],
  ['too many slice days', {...valid, slice_days: 60}, 'slice_days', /between 1 and 31/],
  ['zero concurrency', {...valid, max_concurrency: 0}, 'max_concurrency', /between 1 and 8/],
  ['month close too long', {...valid, month_close_days: 40}, 'month_close_days', /between 0 and 15/],
  ['ftp base URL', {...valid, api_base_url: 'ftp://example.com'}, 'api_base_url', /http/],
  ['not a URL', {...valid, login_base_url: 'http://'}, 'login_base_url', /URL/],
  ['URL with credentials', {...valid, ea_base_url: 'https://user:pw@example.com'}, 'ea_base_url', /credentials/],
  ['rules not a list', {...valid, tracking_rules: {name: 'x'}}, 'tracking_rules', /array/],
  ['rule without match', {...valid, tracking_rules: [{name: 'a', match: {}, set: {team: 'x'}}]}, 'tracking_rules', /"a"/],
  ['rule with a bad regex', {...valid, tracking_rules: [{name: 'bad-re', match: {resource_group: '/[/'}, set: {team: 'x'}}]}, 'tracking_rules', /bad-re/],
  ['duplicate rule names', {...valid, tracking_rules: [{name: 'a', match: {resource_group: 'x'}, set: {team: 'x'}}, {name: 'A', match: {resource_group: 'y'}, set: {team: 'y'}}]}, 'tracking_rules', /duplicate/i],
  ['timeout of zero', {...valid, request_timeout_seconds: 0}, 'request_timeout_seconds', /between 1 and 3600/],
      ['empty enrollment', {...valid, enrollment_number: ''}, 'enrollment_number', /digits only/],
  ['null config', null, '', /JSON object/],
  ['credentials as a list', {...valid, credentials: []}, 'credentials', /must be an object/],
  ['empty API key', {...valid, credentials: {auth_type: 'api_key', api_key: ''}}, 'credentials.api_key', /required/],
  ['tenant as a number', {...valid, credentials: {...valid.credentials, tenant_id: 5}}, 'credentials.tenant_id', /must be a string/],
  ['start date as a number', {...valid, start_date: 20260101}, 'start_date', /must be a string/],
  ['end date in words', {...valid, end_date: 'yesterday'}, 'end_date', /YYYY-MM-DD/],
  ['page size of zero', {...valid, page_size: 0}, 'page_size', /between 1 and/],
  ['negative max_retries', {...valid, max_retries: -1}, 'max_retries', /between 0 and/],
  ['too much concurrency', {...valid, max_concurrency: 9}, 'max_concurrency', /between 1 and 8/],
  ['javascript: base URL', {...valid, api_base_url: 'javascript:alert(1)'}, 'api_base_url', /http/],
  ['base URL with a query string', {...valid, api_base_url: 'https://management.azure.com/?api-version=1'}, 'api_base_url', /query string/],
  ['unparsable URL with a password in it', {...valid, login_base_url: `http://user:${CONFIG_SECRET}@`}, 'login_base_url', /not a valid URL/],
  ['rule on an unknown field', {...valid, tracking_rules: [{name: 'a', match: {no_such_field: 'x'}, set: {team: 'x'}}]}, 'tracking_rules', /unknown field "no_such_field"/],
  ['rule without a name', {...valid, tracking_rules: [{match: {resource_group: 'x'}, set: {team: 'x'}}]}, 'tracking_rules[0].name', /required/],
  ['rule priority as text', {...valid, tracking_rules: [{name: 'a', priority: 'high', match: {resource_group: 'x'}, set: {team: 'x'}}]}, 'tracking_rules[0].priority', /integer/],
  ['rule that sets nothing', {...valid, tracking_rules: [{name: 'a', match: {resource_group: 'x'}, set: {}}]}, 'tracking_rules', /no keys/],
  ['rule referencing an unknown field', {...valid, tracking_rules: [{name: 'a', match: {resource_group: 'x'}, set: {team: '${nope}'}}]}, 'tracking_rules', /unknown field "nope"/],
];

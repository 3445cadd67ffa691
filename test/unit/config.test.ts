import {validateConfig} from '../../src/config/validate';
import {ConfigError} from '../../src/errors';

const SECRET = 'sp-secret-value-123456';
const valid = {
  enrollment_number: '12345678',
  credentials: {auth_type: 'service_principal', tenant_id: 'tenant', client_id: 'client', client_secret: SECRET},
  start_date: '2026-01-01',
};

function errorOf(config: unknown): ConfigError {
  try {
    validateConfig(config);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('validateConfig', () => {
  it('accepts a valid config and fills the defaults of the spec', () => {
    const {config} = validateConfig(valid);
    expect(config).toMatchObject({
      lookback_days: 3,
      month_close_days: 5,
      slice_days: 7,
      max_concurrency: 2,
      page_size: 1000,
      tracking_rules: [],
      api_base_url: 'https://management.azure.com',
      login_base_url: 'https://login.microsoftonline.com',
      ea_base_url: 'https://consumption.azure.com',
    });
    expect(config.end_date).toBeUndefined();
  });

  it('accepts an API key config and base URLs with a path prefix', () => {
    const {config} = validateConfig({...valid, credentials: {auth_type: 'api_key', api_key: 'k-123456789'}, ea_base_url: 'http://127.0.0.1:9000/ea'});
    expect(config.credentials.auth_type).toBe('api_key');
  });

  it('treats an empty end_date as today', () => {
    expect(validateConfig({...valid, end_date: ''}).config.end_date).toBeUndefined();
  });

  // [what is wrong, config, field named in the message, words the message must contain]
  const bad: [string, unknown, string, RegExp][] = [
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
  ];

  it.each(bad)('rejects %s with a config_error naming the field', (_what, config, field, words) => {
    const error = errorOf(config);
    expect(error.failureType).toBe('config_error');
    if (field) expect(error.message).toContain(field.split('.').pop() as string);
    expect(error.message).toMatch(words);
    expect(error.message).not.toMatch(/\n\s+at /);
    expect(error.message).not.toContain(SECRET);
  });

  it('has at least 20 bad configs in the table', () => {
    expect(bad.length).toBeGreaterThanOrEqual(20);
  });
});

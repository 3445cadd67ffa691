import {validateConfig} from '../../src/config/validate';
import {ConfigError} from '../../src/errors';
import {BAD_CONFIGS, CONFIG_SECRET, VALID_CONFIG} from '../bad-configs';

const SECRET = CONFIG_SECRET;
const valid = VALID_CONFIG;

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

  const bad = BAD_CONFIGS;

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

describe('redactSecretFields', () => {
  it('replaces every airbyte_secret field of the spec, inside the credentials oneOf too', () => {
    const {redactSecretFields} = require('../../src/config/redact-secrets');
    const {loadSpec} = require('../../src/config/spec');
    const spec = loadSpec().connectionSpecification;
    const sp = {enrollment_number: '123', credentials: {auth_type: 'service_principal', tenant_id: 't-1', client_id: 'c-1', client_secret: 's3cret'}, tracking_rules: [{name: 'x'}]};
    expect(redactSecretFields(sp, spec)).toEqual({enrollment_number: '123', credentials: {auth_type: 'service_principal', tenant_id: 'REDACTED', client_id: 'c-1', client_secret: 'REDACTED'}, tracking_rules: [{name: 'x'}]});
    const key = {enrollment_number: '123', credentials: {auth_type: 'api_key', api_key: 'k3y'}};
    expect(JSON.stringify(redactSecretFields(key, spec))).not.toContain('k3y');
    expect(sp.credentials.client_secret).toBe('s3cret'); // the config itself is untouched
  });
});

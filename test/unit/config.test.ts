import {validateConfig} from '../../src/config/validate';
import {ConfigError} from '../../src/errors';
import {BAD_CONFIGS, CONFIG_SECRET, SCOPE_IDS, VALID_CONFIG, withScope} from '../bad-configs';

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

describe('validateConfig: billing scopes', () => {
  const ids = SCOPE_IDS;
  const cases: [string, Record<string, unknown>, unknown][] = [
    ['ea_enrollment', {scope_type: 'ea_enrollment', enrollment_number: ids.enrollment}, {type: 'ea_enrollment', enrollmentNumber: ids.enrollment}],
    ['ea_department', {scope_type: 'ea_department', enrollment_number: ids.enrollment, department_id: ids.department}, {type: 'ea_department', enrollmentNumber: ids.enrollment, departmentId: ids.department}],
    ['mca_billing_account', {scope_type: 'mca_billing_account', billing_account_id: ids.billingAccount}, {type: 'mca_billing_account', billingAccountId: ids.billingAccount}],
    [
      'mca_billing_profile',
      {scope_type: 'mca_billing_profile', billing_account_id: ids.billingAccount, billing_profile_id: ids.billingProfile},
      {type: 'mca_billing_profile', billingAccountId: ids.billingAccount, billingProfileId: ids.billingProfile},
    ],
    [
      'mca_invoice_section',
      {scope_type: 'mca_invoice_section', billing_account_id: ids.billingAccount, billing_profile_id: ids.billingProfile, invoice_section_id: ids.invoiceSection},
      {type: 'mca_invoice_section', billingAccountId: ids.billingAccount, billingProfileId: ids.billingProfile, invoiceSectionId: ids.invoiceSection},
    ],
    ['subscription', {scope_type: 'subscription', subscription_id: ids.subscription}, {type: 'subscription', subscriptionId: ids.subscription}],
  ];

  it.each(cases)('accepts billing_scope %s and resolves it to one scope', (_type, scope, resolved) => {
    const validated = validateConfig(withScope(scope));
    expect(validated.scope).toEqual(resolved);
    expect(validated.config.billing_scope).toEqual(scope);
    expect(validated.config.enrollment_number).toBeUndefined();
  });

  it('keeps a config with only enrollment_number as it was: an EA enrollment, no billing_scope added', () => {
    const validated = validateConfig(valid);
    expect(validated.scope).toEqual({type: 'ea_enrollment', enrollmentNumber: '12345678'});
    expect(validated.config.enrollment_number).toBe('12345678');
    expect('billing_scope' in validated.config).toBe(false);
    const withKey = validateConfig({...valid, credentials: {auth_type: 'api_key', api_key: 'k-1'}});
    expect(withKey.scope).toEqual({type: 'ea_enrollment', enrollmentNumber: '12345678'});
  });

  it('accepts mixed-case ids as Azure does (ids are case-insensitive) and keeps them as given', () => {
    const scope = {scope_type: 'mca_invoice_section', billing_account_id: ids.billingAccount.toUpperCase(), billing_profile_id: 'ab12-cd34-ef5-gh6', invoice_section_id: ids.invoiceSection};
    expect(validateConfig(withScope(scope)).scope).toMatchObject({billingAccountId: ids.billingAccount.toUpperCase(), billingProfileId: 'ab12-cd34-ef5-gh6'});
  });

  it('accepts an API key with an EA enrollment billing scope', () => {
    const validated = validateConfig(withScope({scope_type: 'ea_enrollment', enrollment_number: ids.enrollment}, {auth_type: 'api_key', api_key: 'k-1'}));
    expect(validated.scope).toEqual({type: 'ea_enrollment', enrollmentNumber: ids.enrollment});
  });

  it('reads a null billing_scope, or an empty enrollment_number beside a billing_scope, as not given (a form left them empty)', () => {
    expect(validateConfig({...valid, billing_scope: null}).scope).toEqual({type: 'ea_enrollment', enrollmentNumber: '12345678'});
    const scope = {scope_type: 'subscription', subscription_id: ids.subscription};
    expect(validateConfig({...valid, enrollment_number: '', billing_scope: scope}).scope).toEqual({type: 'subscription', subscriptionId: ids.subscription});
  });

  it('ignores an id of another scope type left empty by a form', () => {
    const scope = {scope_type: 'mca_billing_profile', billing_account_id: ids.billingAccount, billing_profile_id: ids.billingProfile, invoice_section_id: ''};
    expect(validateConfig(withScope(scope)).scope.type).toBe('mca_billing_profile');
  });

  it('rejects every id of every scope type when malformed (empty, spaced, a path or query tacked on) with a config_error naming billing_scope.<field>', () => {
    for (const [, scope] of cases) {
      for (const field of Object.keys(scope).filter((k) => k !== 'scope_type')) {
        for (const bad of ['', '#', '12 34', `${scope[field]}/..`, `${scope[field]}?api-version=1`]) {
          const error = errorOf(withScope({...scope, [field]: bad}));
          expect([bad, error.message]).toEqual([bad, expect.stringContaining(`billing_scope.${field}`)]);
          expect(error.field).toBe(`billing_scope.${field}`);
        }
      }
    }
  });

  it('never quotes a malformed id back (whatever was pasted there)', () => {
    const error = errorOf(withScope({scope_type: 'subscription', subscription_id: CONFIG_SECRET}));
    expect(error.message).toContain('billing_scope.subscription_id');
    expect(error.message).not.toContain(CONFIG_SECRET);
    const odd = errorOf(withScope({scope_type: CONFIG_SECRET}));
    expect(odd.message).toMatch(/scope_type \(value not shown\) is not supported/);
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

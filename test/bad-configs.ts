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

/** Ids shaped like real ones, for the billing_scope configs (docs/design.md §7). */
export const SCOPE_IDS = {
  enrollment: '12345678',
  department: '164821',
  billingAccount: '6e1c2b8a-4c1d-4a8e-9f5e-2b7d3c4e5f60:0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0_2019-05-31',
  billingProfile: 'AB12-CD34-EF5-GH6',
  invoiceSection: 'WX34-YZ56-PJA-PGB',
  subscription: '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
};

/** VALID_CONFIG with a billing_scope instead of enrollment_number. */
export function withScope(scope: unknown, credentials: unknown = valid.credentials): Record<string, unknown> {
  return {...valid, enrollment_number: undefined, billing_scope: scope, credentials};
}

const ids = SCOPE_IDS;
const apiKey = {auth_type: 'api_key', api_key: CONFIG_SECRET};
const profileScope = {scope_type: 'mca_billing_profile', billing_account_id: ids.billingAccount, billing_profile_id: ids.billingProfile};

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
  // billing scopes (issue 14)
  ['both enrollment_number and billing_scope', {...valid, billing_scope: {scope_type: 'ea_enrollment', enrollment_number: ids.enrollment}}, 'billing_scope', /both set: give exactly one/],
  ['neither enrollment_number nor billing_scope', {...valid, enrollment_number: null}, 'billing_scope', /enrollment_number or billing_scope is required: give exactly one/],
  ['API key with an MCA billing profile', withScope(profileScope, apiKey), 'billing_scope', /EA enrollments only/],
  ['API key with a subscription', withScope({scope_type: 'subscription', subscription_id: ids.subscription}, apiKey), 'billing_scope', /EA enrollments only/],
  ['API key with an EA department', withScope({scope_type: 'ea_department', enrollment_number: ids.enrollment, department_id: ids.department}, apiKey), 'billing_scope', /needs a service principal/],
  ['billing scope not an object', withScope('mca_billing_profile'), 'billing_scope', /must be an object with a scope_type/],
  ['billing scope without scope_type', withScope({billing_account_id: ids.billingAccount, billing_profile_id: ids.billingProfile}), 'billing_scope.scope_type', /scope_type is required: one of "ea_enrollment"/],
  ['unknown scope_type', withScope({scope_type: 'mca_customer', billing_account_id: ids.billingAccount}), 'billing_scope.scope_type', /"mca_customer" is not supported/],
  ['billing profile scope without the profile', withScope({scope_type: 'mca_billing_profile', billing_account_id: ids.billingAccount}), 'billing_scope.billing_profile_id', /required when scope_type is "mca_billing_profile"/],
  ['invoice section scope without the account', withScope({scope_type: 'mca_invoice_section', billing_profile_id: ids.billingProfile, invoice_section_id: ids.invoiceSection}), 'billing_scope.billing_account_id', /required when scope_type is "mca_invoice_section"/],
  ['MCA billing account id URL-encoded', withScope({...profileScope, billing_account_id: ids.billingAccount.replace(':', '%3A')}), 'billing_scope.billing_account_id', /not %3A/],
  ['MCA billing account id without its date', withScope({...profileScope, billing_account_id: ids.billingAccount.replace(/_.*$/, '')}), 'billing_scope.billing_account_id', /\{GUID\}:\{GUID\}_\{yyyy-MM-dd\}/],
  ['an enrollment number as the MCA billing account', withScope({scope_type: 'mca_billing_account', billing_account_id: ids.enrollment}), 'billing_scope.billing_account_id', /scope_type "ea_enrollment"/],
  ['a billing profile name instead of its id', withScope({...profileScope, billing_profile_id: 'Contoso main profile'}), 'billing_scope.billing_profile_id', /like AB12-CD34-EF5-GH6/],
  ['a bad invoice section id', withScope({...profileScope, scope_type: 'mca_invoice_section', invoice_section_id: 'WX34YZ56PJAPGB'}), 'billing_scope.invoice_section_id', /invoice section ID like/],
  ['a subscription path instead of its id', withScope({scope_type: 'subscription', subscription_id: `/subscriptions/${ids.subscription}`}), 'billing_scope.subscription_id', /GUID only/],
  ['a subscription id as a number', withScope({scope_type: 'subscription', subscription_id: 42}), 'billing_scope.subscription_id', /must be a string/],
  ['a department id with spaces around it', withScope({scope_type: 'ea_department', enrollment_number: ids.enrollment, department_id: ` ${ids.department} `}), 'billing_scope.department_id', /remove the spaces/],
  ['a non-digit enrollment in the billing scope', withScope({scope_type: 'ea_enrollment', enrollment_number: 'E-1234'}), 'billing_scope.enrollment_number', /digits only/],
  ['a department id left beside an EA enrollment scope', withScope({scope_type: 'ea_enrollment', enrollment_number: ids.enrollment, department_id: ids.department}), 'billing_scope.department_id', /not used with scope_type "ea_enrollment".*"ea_department"/],
  // exports (issue 15)
  ['exports with an API key and no SAS token', {...valid, credentials: apiKey, data_source: exportsSource({sas_token: undefined})}, 'data_source.sas_token', /required with an API key/],
  ['exports with a storage URL that is not a URL', {...valid, data_source: exportsSource({storage_account_url: 'contosobilling'})}, 'data_source.storage_account_url', /not a valid URL/],
  ['exports with a SAS pasted into the storage URL', {...valid, data_source: exportsSource({storage_account_url: `https://contoso.blob.core.windows.net/?sv=2022-11-02&sig=${CONFIG_SECRET}`})}, 'data_source.storage_account_url', /query string/],
  ['exports with an ftp storage URL', {...valid, data_source: exportsSource({storage_account_url: 'ftp://contoso.blob.core.windows.net'})}, 'data_source.storage_account_url', /http/],
  ['exports without a container', {...valid, data_source: exportsSource({container: undefined})}, 'data_source.container', /required/],
  ['exports with folders in the container', {...valid, data_source: exportsSource({container: 'costs/daily'})}, 'data_source.container', /root_folder_path/],
  ['exports with a SAS token without a signature', {...valid, data_source: exportsSource({sas_token: 'sv=2022-11-02&sp=rl'})}, 'data_source.sas_token', /no signature/],
  ['exports with export_names not a list', {...valid, data_source: exportsSource({export_names: 'daily'})}, 'data_source.export_names', /list/],
  ['exports settings without a data_source type', {...valid, data_source: exportsSource({type: undefined})}, 'data_source.type', /type is required/],
  ['an unknown data_source type', {...valid, data_source: {type: 'warehouse'}}, 'data_source.type', /"warehouse" is not supported/],
  ['an API range wholly before the 13 months', {...valid, start_date: '2024-01-01', end_date: '2024-06-30'}, 'end_date', /data_source type "exports"/],
];

/** An exports data_source (docs/design.md §14), with `changes` applied (undefined removes a key). */
export function exportsSource(changes: Record<string, unknown> = {}): Record<string, unknown> {
  const source: Record<string, unknown> = {
    type: 'exports',
    storage_account_url: 'https://contosobilling.blob.core.windows.net',
    container: 'costexports',
    root_folder_path: 'billing',
    sas_token: `sv=2022-11-02&sp=rl&se=2027-01-01T00:00:00Z&sig=${CONFIG_SECRET}`,
    ...changes,
  };
  for (const [k, v] of Object.entries(source)) if (v === undefined) delete source[k];
  return source;
}


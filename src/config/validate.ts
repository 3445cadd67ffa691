import type {ErrorObject} from 'ajv';

import {ConfigError} from '../errors';
import {compileTrackingRules, TrackingRuleError} from '../track/compile';
import {CompiledRules} from '../track/compile';
import {connectorToday, isValidIsoDate} from '../sync/dates';
import {BillingScope, isScopeType, SCOPE_ID_FIELDS, SCOPE_TYPES, ScopeIdField, scopeOfConfig} from './billing-scope';
import {validateConnectionSpec} from './generated/spec-validator';
import {JsonSchema, loadSpec} from './spec';
import {SourceConfig} from './types';

export interface ValidatedConfig {
  config: SourceConfig;
  rules: CompiledRules;
  /** The one scope the sync reads: `billing_scope`, or the EA enrollment of `enrollment_number` (docs/design.md §7). */
  scope: BillingScope;
}

const AUTH_TYPES = ['service_principal', 'api_key'];

/**
 * Validates a raw config against resources/spec.json, then the rules JSON schema cannot express
 * (real calendar dates, start before end, tracking rules). Throws a ConfigError whose message
 * names the field and what is wrong; it never echoes a secret value.
 */
export function validateConfig(raw: unknown): ValidatedConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('The config must be a JSON object.');
  }
  const spec = loadSpec().connectionSpecification;
  const config = withDefaults(raw as Record<string, unknown>, spec);
  checkCredentials(config.credentials, spec);
  checkScopeChoice(config);
  if (config.billing_scope !== undefined) checkBillingScope(config.billing_scope, spec);
  checkScopeFitsCredentials(config);
  checkSchema(config, spec);
  const typed = config as unknown as SourceConfig;
  checkDates(typed);
  for (const key of ['api_base_url', 'login_base_url', 'ea_base_url'] as const) checkUrl(key, typed[key]);
  let rules: CompiledRules;
  try {
    rules = compileTrackingRules(typed.tracking_rules);
  } catch (err) {
    if (err instanceof TrackingRuleError) throw new ConfigError(err.message, 'tracking_rules');
    throw err;
  }
  return {config: typed, rules, scope: scopeOfConfig(typed)};
}

/** Fills top-level defaults from the spec; a copy, the input is left alone. */
function withDefaults(raw: Record<string, unknown>, spec: JsonSchema): Record<string, unknown> {
  const config: Record<string, unknown> = {...raw};
  for (const [key, prop] of Object.entries(spec.properties ?? {})) {
    if ((config[key] === undefined || config[key] === null) && prop.default !== undefined) {
      config[key] = structuredClone(prop.default);
    }
  }
  // An empty end date in the UI means "today".
  if (config.end_date === '' || config.end_date === null) delete config.end_date;
  // A form leaves a field it cleared empty or null: not given.
  if (config.billing_scope === null) delete config.billing_scope;
  if (config.enrollment_number === null || (config.enrollment_number === '' && config.billing_scope !== undefined)) delete config.enrollment_number;
  return config;
}

/** The oneOf is checked by hand: ajv's oneOf errors list every branch and help nobody. */
function checkCredentials(credentials: unknown, spec: JsonSchema): void {
  if (credentials === undefined || credentials === null) {
    throw new ConfigError(
      `credentials is required: an object with auth_type "service_principal" (tenant_id, client_id, client_secret) or "api_key" (api_key).`,
      'credentials',
    );
  }
  if (typeof credentials !== 'object' || Array.isArray(credentials)) {
    throw new ConfigError('credentials must be an object with an auth_type.', 'credentials');
  }
  const authType = (credentials as Record<string, unknown>).auth_type;
  if (authType === undefined) {
    throw new ConfigError(`credentials.auth_type is required: one of ${AUTH_TYPES.map((t) => `"${t}"`).join(', ')}.`, 'credentials.auth_type');
  }
  const branch = spec.properties?.credentials?.oneOf?.find((b) => b.properties?.auth_type?.const === authType);
  if (!branch) {
    // shown only if it reads like a name: a user may paste anything here, a secret too
    const named = typeof authType === 'string' && /^[A-Za-z][A-Za-z_ -]{0,39}$/.test(authType);
    const shown = named ? `"${authType}"` : typeof authType === 'string' ? '(value not shown)' : `a ${typeof authType}`;
    throw new ConfigError(
      `credentials.auth_type ${shown} is not supported: use one of ${AUTH_TYPES.map((t) => `"${t}"`).join(', ')}.`,
      'credentials.auth_type',
    );
  }
  for (const field of branch.required ?? []) {
    const value = (credentials as Record<string, unknown>)[field];
    if (value === undefined || value === null || value === '') {
      throw new ConfigError(`credentials.${field} is required when auth_type is "${authType}".`, `credentials.${field}`);
    }
    if (typeof value !== 'string') {
      throw new ConfigError(`credentials.${field} must be a string.`, `credentials.${field}`);
    }
  }
}

/** Exactly one of enrollment_number (the original EA setting) and billing_scope names the scope. */
function checkScopeChoice(config: Record<string, unknown>): void {
  const hasEnrollment = config.enrollment_number !== undefined;
  const hasScope = config.billing_scope !== undefined;
  if (hasEnrollment && hasScope) {
    throw new ConfigError(
      'enrollment_number and billing_scope are both set: give exactly one (billing_scope with scope_type "ea_enrollment" is the same as enrollment_number), and remove the other.',
      'billing_scope',
    );
  }
  if (!hasEnrollment && !hasScope) {
    throw new ConfigError(
      'enrollment_number or billing_scope is required: give exactly one, billing_scope for any scope (EA enrollment or department, MCA billing account, billing profile or invoice section, subscription) or enrollment_number for an EA enrollment.',
      'enrollment_number',
    );
  }
}

const SCOPE_TYPE_LIST = SCOPE_TYPES.map((t) => `"${t}"`).join(', ');

/** What each id looks like and where the portal shows it, for the error of a malformed one. */
const ID_FORMATS: Record<ScopeIdField, string> = {
  enrollment_number: 'must contain digits only (the EA enrollment number, e.g. 12345678)',
  department_id: 'must be the EA department ID, letters, digits, - and _ only (e.g. 164821; the ID, not the name, under the enrollment > Departments)',
  billing_account_id:
    'must be an MCA billing account ID, {GUID}:{GUID}_{yyyy-MM-dd} (Cost Management + Billing > the billing account > Properties: "Billing account ID")',
  billing_profile_id: 'must be a billing profile ID like AB12-CD34-EF5-GH6 (the ID, not the name: the billing account > Billing profiles > Properties)',
  invoice_section_id: 'must be an invoice section ID like WX34-YZ56-PJA-PGB (the ID, not the name: the billing profile > Invoice sections > Properties)',
  subscription_id: 'must be a subscription ID, a GUID like 00000000-0000-0000-0000-000000000000 (Subscriptions > the subscription > Overview: "Subscription ID")',
};

/**
 * The billing_scope oneOf is checked by hand, like credentials: ajv's oneOf errors list every
 * branch. Ids of another scope type are refused rather than ignored: a department_id left beside
 * scope_type "ea_enrollment" would otherwise read the whole enrollment without a word.
 */
function checkBillingScope(scope: unknown, spec: JsonSchema): void {
  if (typeof scope !== 'object' || scope === null || Array.isArray(scope)) {
    throw new ConfigError(`billing_scope must be an object with a scope_type (one of ${SCOPE_TYPE_LIST}) and its ids.`, 'billing_scope');
  }
  const given = scope as Record<string, unknown>;
  const type = given.scope_type;
  if (type === undefined || type === null || type === '') {
    throw new ConfigError(`billing_scope.scope_type is required: one of ${SCOPE_TYPE_LIST}.`, 'billing_scope.scope_type');
  }
  if (!isScopeType(type)) {
    // shown only if it reads like a name, as auth_type
    const named = typeof type === 'string' && /^[A-Za-z][A-Za-z_ -]{0,39}$/.test(type);
    const shown = named ? `"${type}"` : typeof type === 'string' ? '(value not shown)' : `a ${typeof type}`;
    throw new ConfigError(`billing_scope.scope_type ${shown} is not supported: use one of ${SCOPE_TYPE_LIST}.`, 'billing_scope.scope_type');
  }
  const branch = spec.properties?.billing_scope?.oneOf?.find((b) => b.properties?.scope_type?.const === type);
  const fields = SCOPE_ID_FIELDS[type];
  for (const field of fields) {
    const value = given[field];
    const name = `billing_scope.${field}`;
    if (value === undefined || value === null || value === '') {
      throw new ConfigError(`${name} is required when scope_type is "${type}".`, name);
    }
    if (typeof value !== 'string') throw new ConfigError(`${name} must be a string.`, name);
    const pattern = branch?.properties?.[field]?.pattern;
    if (typeof pattern === 'string' && !new RegExp(pattern).test(value)) throw new ConfigError(badIdMessage(name, field, value), name);
  }
  const foreign = Object.values(SCOPE_ID_FIELDS)
    .flat()
    .filter((f, i, all) => all.indexOf(f) === i && !fields.includes(f) && given[f] !== undefined && given[f] !== null && given[f] !== '');
  if (foreign.length > 0) {
    const owner = SCOPE_TYPES.find((t) => foreign.every((f) => SCOPE_ID_FIELDS[t].includes(f)) && fields.every((f) => SCOPE_ID_FIELDS[t].includes(f)));
    throw new ConfigError(
      `billing_scope.${foreign[0]} is not used with scope_type "${type}": remove it${owner ? `, or choose scope_type "${owner}" to read that narrower scope` : ''}.`,
      `billing_scope.${foreign[0]}`,
    );
  }
}

/** Never quotes the id (whatever was pasted there is not shown), but recognizes the usual mix-ups. */
function badIdMessage(name: string, field: ScopeIdField, value: string): string {
  let hint = '';
  if (value !== value.trim()) hint = ': remove the spaces around it';
  else if (field === 'billing_account_id' && /%3a/i.test(value)) hint = ': write the colon as ":", not %3A (the connector encodes it)';
  else if (field === 'billing_account_id' && /^[0-9]+$/.test(value)) hint = ': digits only is an EA enrollment number, for scope_type "ea_enrollment"';
  else if (field === 'subscription_id' && /^\/?subscriptions\//i.test(value)) hint = ': give the GUID only, without /subscriptions/';
  return `${name} ${ID_FORMATS[field]}${hint}.`;
}

/** The EA Reporting API (an API key) knows EA enrollments only (docs/design.md §7). */
function checkScopeFitsCredentials(config: Record<string, unknown>): void {
  const authType = (config.credentials as Record<string, unknown>).auth_type;
  const scopeType = (config.billing_scope as Record<string, unknown> | undefined)?.scope_type;
  if (authType === 'api_key' && scopeType !== undefined && scopeType !== 'ea_enrollment') {
    throw new ConfigError(
      `billing_scope with scope_type "${String(scopeType)}" needs a service principal: an API key (the EA Reporting API) serves EA enrollments only. Use credentials with auth_type "service_principal", or scope_type "ea_enrollment".`,
      'billing_scope',
    );
  }
}

/**
 * The spec is checked by a validator precompiled from resources/spec.json (npm run
 * gen:config-validator): compiling it with ajv here cost about 0.1 s of every start.
 */
function checkSchema(config: Record<string, unknown>, spec: JsonSchema): void {
  if (validateConnectionSpec(config)) return;
  const errors = (validateConnectionSpec.errors ?? []).filter((e) => e.keyword !== 'oneOf' || !/^\/(credentials|billing_scope)(\/|$)/.test(e.instancePath));
  const first = errors.find((e) => e.keyword !== 'oneOf' && e.keyword !== 'if') ?? errors[0];
  if (!first) throw new ConfigError('The config does not match the connector specification.');
  throw new ConfigError(describeAjvError(first, spec), fieldOf(first));
}

function fieldOf(error: ErrorObject): string {
  const base = error.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  if (error.keyword === 'required') {
    const missing = (error.params as {missingProperty: string}).missingProperty;
    return base ? `${base}.${missing}` : missing;
  }
  return base || '(root)';
}

/**
 * Built from the field's path, the keyword and the schema, never from the value (ajv's own
 * messages quote the schema only, and `error.data` is never read): the value may be a secret,
 * or sit under a key the spec does not know.
 */
function describeAjvError(error: ErrorObject, spec: JsonSchema): string {
  const field = fieldOf(error);
  const title = spec.properties?.[field]?.title;
  const named = title ? `${field} (${title})` : field;
  switch (error.keyword) {
    case 'required':
      return `${named} is required.`;
    case 'type':
      return `${named} must be ${article((error.params as {type: string}).type)}.`;
    case 'pattern':
      if (field === 'enrollment_number') return `${named} must contain digits only (the EA enrollment number, e.g. 12345678).`;
      if (field.endsWith('_date')) return `${named} must be a date written YYYY-MM-DD.`;
      if (field.endsWith('_url')) return `${named} must be an http:// or https:// URL.`;
      return `${named} has an invalid format.`;
    case 'format':
      return `${named} must be a valid ${(error.params as {format: string}).format} (YYYY-MM-DD).`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const prop = spec.properties?.[field];
      const range = prop && typeof prop.minimum === 'number' && typeof prop.maximum === 'number' ? ` between ${prop.minimum} and ${prop.maximum}` : ` ${error.message}`;
      return `${named} must be${range}.`;
    }
    case 'minLength':
      return `${named} must not be empty.`;
    case 'additionalProperties': {
      const key = String((error.params as {additionalProperty?: unknown}).additionalProperty ?? '');
      return `${named} has a key the connector does not know${/^[\w$@.-]{1,64}$/.test(key) ? ` (${key})` : ''}: remove it.`;
    }
    case 'enum':
      return `${named} must be one of ${((error.params as {allowedValues?: unknown[]}).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}.`;
    default:
      return `${named} ${error.message ?? 'is invalid'}.`;
  }
}

function article(type: string): string {
  if (type === 'integer' || type === 'object' || type === 'array') return `an ${type}`;
  return `a ${type}`;
}

function checkDates(config: SourceConfig): void {
  if (!isValidIsoDate(config.start_date)) {
    throw new ConfigError(`start_date "${config.start_date}" is not a real calendar date (YYYY-MM-DD).`, 'start_date');
  }
  if (config.end_date !== undefined) {
    if (!isValidIsoDate(config.end_date)) {
      throw new ConfigError(`end_date "${config.end_date}" is not a real calendar date (YYYY-MM-DD).`, 'end_date');
    }
    if (config.end_date < config.start_date) {
      throw new ConfigError(`start_date ${config.start_date} is after end_date ${config.end_date}: the end date must be on or after the start date.`, 'end_date');
    }
  }
  if (config.start_date > connectorToday()) {
    throw new ConfigError(`start_date ${config.start_date} is in the future: choose a date on or before today (UTC).`, 'start_date');
  }
}

function checkUrl(field: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // never echo what may be user:password@ or a SAS query in a URL that does not even parse
    throw new ConfigError(`${field} "${value.replace(/\/\/[^/]*@/, '//***@').replace(/[?#].*$/s, '?***').slice(0, 200)}" is not a valid URL.`, field);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${field} must be an http:// or https:// URL.`, field);
  }
  if (url.username || url.password) {
    throw new ConfigError(`${field} must not carry credentials in the URL.`, field);
  }
  if (url.search || url.hash) {
    // API paths are appended to the base URL: a query or fragment would end up in the middle.
    throw new ConfigError(`${field} must not have a query string or fragment: give the base URL only (${url.origin}${url.pathname}).`, field);
  }
}

import type {ErrorObject} from 'ajv';

import {addMonths, connectorToday, isValidIsoDate, monthStart} from '../dates';
import {ConfigError} from '../errors';
import {CompiledRules, compileTrackingRules, TrackingRuleError} from '../track/compile';
import {BillingScope, scopeOfConfig} from './billing-scope';
import {checkDataSource} from './data-source';
import {validateConnectionSpec} from './generated/spec-validator';
import {JsonSchema, loadSpec} from './spec';
import {SourceConfig} from './types';
import {checkScope} from './validate-scope';

export interface ValidatedConfig {
  config: SourceConfig;
  rules: CompiledRules;
  /**
   * The one scope the sync reads: `billing_scope`, or the EA enrollment of `enrollment_number`
   * (docs/design.md §7). With exports it is an optional filter: undefined reads every export.
   */
  scope: BillingScope | undefined;
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
  checkDataSource(config);
  checkScope(config, spec);
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
  checkHistory(typed);
  const optionalScope = typed.data_source.type === 'exports' && typed.enrollment_number === undefined && typed.billing_scope === undefined;
  return {config: typed, rules, scope: optionalScope ? undefined : scopeOfConfig(typed)};
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

/**
 * The spec is checked by a validator precompiled from resources/spec.json (npm run
 * gen:config-validator): compiling it with ajv here cost about 0.1 s of every start.
 */
function checkSchema(config: Record<string, unknown>, spec: JsonSchema): void {
  if (validateConnectionSpec(config)) return;
  const errors = (validateConnectionSpec.errors ?? []).filter((e) => e.keyword !== 'oneOf' || !/^\/(credentials|billing_scope|data_source)(\/|$)/.test(e.instancePath));
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

/**
 * The Cost Details API keeps 13 months (docs/design.md §8): a range that ends before them would
 * read nothing, silently. Exports keep what the storage account keeps: no limit there.
 */
function checkHistory(config: SourceConfig): void {
  if (config.data_source.type === 'exports' || config.credentials.auth_type !== 'service_principal' || config.end_date === undefined) return;
  const oldest = monthStart(addMonths(connectorToday(), -12));
  if (config.end_date < oldest) {
    throw new ConfigError(
      `start_date..end_date (${config.start_date}..${config.end_date}) lies wholly before ${oldest}, the oldest day the Cost Details API keeps (13 months): it would read nothing. ` +
        'For older history, read Cost Management exports from your storage account (data_source type "exports"), or move the dates into the last 13 months.',
      'end_date',
    );
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

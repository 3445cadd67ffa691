import {ConfigError} from '../errors';
import {isScopeType, SCOPE_ID_FIELDS, SCOPE_TYPES, ScopeIdField} from './billing-scope';
import {JsonSchema} from './spec';

/**
 * The rules of the billing scope (docs/design.md §7), checked before the schema so that each
 * mistake gets its own message naming the field: exactly one of enrollment_number and
 * billing_scope; the billing_scope branch and its ids; an API key with an EA enrollment only.
 * `config` has its defaults filled and its credentials checked (validate.ts).
 */
export function checkScope(config: Record<string, unknown>, spec: JsonSchema): void {
  checkScopeChoice(config);
  if (config.billing_scope !== undefined) checkBillingScope(config.billing_scope, spec);
  checkScopeFitsCredentials(config);
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
  // With exports the scope only filters which exports are read (docs/design.md §14): optional.
  if (!hasEnrollment && !hasScope && (config.data_source as {type?: string} | undefined)?.type !== 'exports') {
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

/**
 * The billing scope a sync reads (docs/design.md §7): an EA enrollment or department, an MCA
 * billing account, billing profile or invoice section, or one subscription. Pure functions only:
 * the ARM path of the scope, its agreement, a label for messages, the role a service principal
 * needs there, and a stable key for state and ids.
 */
import type {Agreement} from '../normalize/fields';
import type {BillingScopeConfig} from './types';

export const SCOPE_TYPES = ['ea_enrollment', 'ea_department', 'mca_billing_account', 'mca_billing_profile', 'mca_invoice_section', 'subscription'] as const;

export type ScopeType = (typeof SCOPE_TYPES)[number];

/** The config fields of `billing_scope` that hold ids. */
export type ScopeIdField = 'enrollment_number' | 'department_id' | 'billing_account_id' | 'billing_profile_id' | 'invoice_section_id' | 'subscription_id';

/** The ids each scope type takes in the config, outermost first (resources/spec.json). */
export const SCOPE_ID_FIELDS: Record<ScopeType, readonly ScopeIdField[]> = {
  ea_enrollment: ['enrollment_number'],
  ea_department: ['enrollment_number', 'department_id'],
  mca_billing_account: ['billing_account_id'],
  mca_billing_profile: ['billing_account_id', 'billing_profile_id'],
  mca_invoice_section: ['billing_account_id', 'billing_profile_id', 'invoice_section_id'],
  subscription: ['subscription_id'],
};

export type BillingScope =
  | {type: 'ea_enrollment'; enrollmentNumber: string}
  | {type: 'ea_department'; enrollmentNumber: string; departmentId: string}
  | {type: 'mca_billing_account'; billingAccountId: string}
  | {type: 'mca_billing_profile'; billingAccountId: string; billingProfileId: string}
  | {type: 'mca_invoice_section'; billingAccountId: string; billingProfileId: string; invoiceSectionId: string}
  | {type: 'subscription'; subscriptionId: string};

// The agreement is the record's (the field table's), so the two can never disagree.
export type {Agreement};

/** The role a service principal needs to read costs at a scope, and how it gets it. */
export interface ScopeRole {
  /** The role's name as Azure shows it. */
  role: string;
  /** The billing role definition id (a GUID), for billing roles granted through the Billing API; RBAC roles have none here. */
  roleDefinitionId?: string;
  /** Where a billing role is PUT (Billing API), `{new GUID}` to be replaced; RBAC roles have none here. */
  assignmentPath?: string;
  /** Who grants the role, where, and how: the end of a sentence, starting in lower case. */
  howToGrant: string;
}

export function isScopeType(value: unknown): value is ScopeType {
  return typeof value === 'string' && (SCOPE_TYPES as readonly string[]).includes(value);
}

/** The scope of a validated config: `billing_scope` if given, else the EA enrollment of `enrollment_number`. */
export function scopeOfConfig(config: {enrollment_number?: string; billing_scope?: BillingScopeConfig}): BillingScope {
  const b = config.billing_scope;
  if (!b) {
    if (config.enrollment_number === undefined) throw new Error('a config without billing_scope needs enrollment_number');
    return {type: 'ea_enrollment', enrollmentNumber: config.enrollment_number};
  }
  switch (b.scope_type) {
    case 'ea_enrollment':
      return {type: 'ea_enrollment', enrollmentNumber: b.enrollment_number};
    case 'ea_department':
      return {type: 'ea_department', enrollmentNumber: b.enrollment_number, departmentId: b.department_id};
    case 'mca_billing_account':
      return {type: 'mca_billing_account', billingAccountId: b.billing_account_id};
    case 'mca_billing_profile':
      return {type: 'mca_billing_profile', billingAccountId: b.billing_account_id, billingProfileId: b.billing_profile_id};
    case 'mca_invoice_section':
      return {type: 'mca_invoice_section', billingAccountId: b.billing_account_id, billingProfileId: b.billing_profile_id, invoiceSectionId: b.invoice_section_id};
    case 'subscription':
      return {type: 'subscription', subscriptionId: b.subscription_id};
  }
}

const BILLING = '/providers/Microsoft.Billing/billingAccounts';

/**
 * The ARM scope path, starting with `/`, every id URL-encoded: an MCA billing account id holds a
 * `:` (written `%3A`). The Cost Details report endpoint is this path followed by
 * `/providers/Microsoft.CostManagement/generateCostDetailsReport`.
 */
export function scopePath(scope: BillingScope): string {
  const e = encodeURIComponent;
  switch (scope.type) {
    case 'ea_enrollment':
      return `${BILLING}/${e(scope.enrollmentNumber)}`;
    case 'ea_department':
      return `${BILLING}/${e(scope.enrollmentNumber)}/departments/${e(scope.departmentId)}`;
    case 'mca_billing_account':
      return `${BILLING}/${e(scope.billingAccountId)}`;
    case 'mca_billing_profile':
      return `${BILLING}/${e(scope.billingAccountId)}/billingProfiles/${e(scope.billingProfileId)}`;
    case 'mca_invoice_section':
      return `${BILLING}/${e(scope.billingAccountId)}/billingProfiles/${e(scope.billingProfileId)}/invoiceSections/${e(scope.invoiceSectionId)}`;
    case 'subscription':
      return `/subscriptions/${e(scope.subscriptionId)}`;
  }
}

/** The agreement of the scope; a subscription may belong to either, so its rows must say. */
export function agreementOf(scope: BillingScope): Agreement | undefined {
  switch (scope.type) {
    case 'ea_enrollment':
    case 'ea_department':
      return 'EA';
    case 'mca_billing_account':
    case 'mca_billing_profile':
    case 'mca_invoice_section':
      return 'MCA';
    case 'subscription':
      return undefined;
  }
}

/** The billing account the scope lies in (an EA enrollment number is its billing account id); unknown for a subscription. */
export function billingAccountOf(scope: BillingScope): string | undefined {
  switch (scope.type) {
    case 'ea_enrollment':
    case 'ea_department':
      return scope.enrollmentNumber;
    case 'mca_billing_account':
    case 'mca_billing_profile':
    case 'mca_invoice_section':
      return scope.billingAccountId;
    case 'subscription':
      return undefined;
  }
}

/** A short label for messages, e.g. "MCA billing profile AB12-CD34-EF5-GH6". */
export function scopeLabel(scope: BillingScope): string {
  switch (scope.type) {
    case 'ea_enrollment':
      return `EA enrollment ${scope.enrollmentNumber}`;
    case 'ea_department':
      return `EA department ${scope.departmentId} of enrollment ${scope.enrollmentNumber}`;
    case 'mca_billing_account':
      return `MCA billing account ${scope.billingAccountId}`;
    case 'mca_billing_profile':
      return `MCA billing profile ${scope.billingProfileId}`;
    case 'mca_invoice_section':
      return `MCA invoice section ${scope.invoiceSectionId}`;
    case 'subscription':
      return `subscription ${scope.subscriptionId}`;
  }
}

/**
 * The reader billing role of each billing scope. Role definition ids from Microsoft's "assign EA
 * roles to service principals" and MCA billing role pages; an assignment names one as
 * `{scope}/billingRoleDefinitions/{id}`. EA roles reach a service principal through the API only.
 */
const BILLING_ROLES: Record<Exclude<ScopeType, 'subscription'>, {role: string; id: string; grantor: string; portalPlace?: string}> = {
  ea_enrollment: {role: 'EnrollmentReader', id: '24f8edb6-1668-4659-b5e2-40bb5f3a7d7e', grantor: 'an enterprise administrator'},
  ea_department: {role: 'DepartmentReader', id: 'db609904-a47f-4794-9be8-9bd86fbffd8a', grantor: 'an enterprise or department administrator'},
  mca_billing_account: {role: 'Billing account reader', id: '50000000-aaaa-bbbb-cccc-100000000002', grantor: 'a billing account owner', portalPlace: 'the billing account'},
  mca_billing_profile: {role: 'Billing profile reader', id: '40000000-aaaa-bbbb-cccc-100000000002', grantor: 'an owner of the profile or its account', portalPlace: 'the billing profile'},
  mca_invoice_section: {role: 'Invoice section reader', id: '30000000-aaaa-bbbb-cccc-100000000002', grantor: 'an owner of the section, its profile or account', portalPlace: 'the invoice section'},
};

/** The least-privilege role a service principal needs to read costs at the scope, and how to grant it. */
export function requiredRole(scope: BillingScope): ScopeRole {
  if (scope.type === 'subscription') {
    return {
      role: 'Cost Management Reader',
      howToGrant:
        `an owner of the subscription grants it with Azure RBAC (Subscriptions > the subscription > Access control (IAM) > Add role assignment, role "Cost Management Reader") ` +
        `or az role assignment create --role "Cost Management Reader" --assignee {client id} --scope /subscriptions/${scope.subscriptionId}.`,
    };
  }
  const {role, id, grantor, portalPlace} = BILLING_ROLES[scope.type];
  // EA assigns with a PUT of a new assignment; MCA with a POST to createBillingRoleAssignment
  // (Billing API 2024-04-01), which also wants the principal's tenant.
  const assignmentPath = portalPlace ? `${scopePath(scope)}/createBillingRoleAssignment` : `${scopePath(scope)}/billingRoleAssignments/{new GUID}`;
  const body = portalPlace
    ? `with the service principal's object id as principalId, its tenant as principalTenantId and roleDefinitionId .../billingRoleDefinitions/${id}`
    : `with the service principal's object id as principalId and roleDefinitionId .../billingRoleDefinitions/${id}`;
  // MCA: the portal first; the API's long path stays in assignmentPath, so the hint fits one message
  const howToGrant = portalPlace
    ? `${grantor} grants it in the Azure portal (Cost Management + Billing > Billing scopes > ${portalPlace} > Access control (IAM)) ` +
      `or with the Billing API (POST .../createBillingRoleAssignment on that scope ${body}).`
    : `${grantor} grants it with the Billing API: PUT ${assignmentPath} ${body}.`;
  return {role, roleDefinitionId: id, assignmentPath, howToGrant};
}

/** One sentence for `check` when Azure refuses the scope (401/403): the role it needs and how to grant it. */
export function missingRoleHint(scope: BillingScope): string {
  const {role, howToGrant} = requiredRole(scope);
  return `The service principal needs the ${role} role on ${scopeLabel(scope)}: ${howToGrant}`;
}

/**
 * A stable key of the scope for state and id namespacing, e.g. `mca:{account}/profile:{id}`.
 * Azure ids are case-insensitive, so the key is lower case; the billing account is always part
 * of it, so EA and MCA scopes (and two billing accounts) never share a key.
 */
export function scopeKey(scope: BillingScope): string {
  const key = ((): string => {
    switch (scope.type) {
      case 'ea_enrollment':
        return `ea:${scope.enrollmentNumber}`;
      case 'ea_department':
        return `ea:${scope.enrollmentNumber}/department:${scope.departmentId}`;
      case 'mca_billing_account':
        return `mca:${scope.billingAccountId}`;
      case 'mca_billing_profile':
        return `mca:${scope.billingAccountId}/profile:${scope.billingProfileId}`;
      case 'mca_invoice_section':
        return `mca:${scope.billingAccountId}/profile:${scope.billingProfileId}/section:${scope.invoiceSectionId}`;
      case 'subscription':
        return `subscription:${scope.subscriptionId}`;
    }
  })();
  return key.toLowerCase();
}

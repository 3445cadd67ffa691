/**
 * Billing scopes of the Cost Details API (docs/design.md §7): which paths exist, which agreement
 * serves them, which subscriptions' rows each holds, and Azure's answers for paths that do not
 * fit (404 for unknown ids, 400 for a scope type the agreement does not have).
 *
 *   EA enrollment        /providers/Microsoft.Billing/billingAccounts/{enrollment}
 *   EA department        .../billingAccounts/{enrollment}/departments/{departmentId}
 *   MCA billing account  .../billingAccounts/{guid}:{guid}_{yyyy-MM-dd}   (':' raw or %3A)
 *   MCA billing profile  .../billingAccounts/{id}/billingProfiles/{profileId}
 *   MCA invoice section  .../billingProfiles/{profileId}/invoiceSections/{sectionId}
 *   subscription         /subscriptions/{subscriptionId}                 (EA or MCA)
 */
import {ACCOUNTS, DEPARTMENTS, SUBSCRIPTIONS} from './catalog';
import {MCA_PROFILES, MCA_SECTIONS, MCA_SUBSCRIPTIONS} from './mca-catalog';

export type ScopeType = 'ea_enrollment' | 'ea_department' | 'mca_billing_account' | 'mca_billing_profile' | 'mca_invoice_section' | 'subscription';
export type Agreement = 'EA' | 'MCA';

export interface Scope {
  type: ScopeType;
  agreement: Agreement;
  /** ARM form of the scope, ids as they are (an MCA billing account's ':' not encoded). */
  path: string;
  /** Display name (department, profile, section or subscription name). */
  name: string;
  /** Subscriptions (lower-case ids) whose rows the scope holds; null = the whole billing account. */
  subs: ReadonlySet<string> | null;
  /** The connector's `billing_scope` config for this scope (design §7): scope_type and its ids. */
  config: Record<string, string>;
}

export type ScopeAnswer = {ok: true; scope: Scope} | {ok: false; status: number; code: string; message: string};

export interface ScopeWorld {
  enrollmentNumber: string;
  /** null when the sandbox serves no MCA account. */
  mcaAccountId: string | null;
}

const BILLING = '/providers/Microsoft.Billing/billingAccounts';
const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function eaEnrollmentPath(enrollment: string): string {
  return `${BILLING}/${enrollment}`;
}
export function eaDepartmentPath(enrollment: string, dept: string): string {
  return `${BILLING}/${enrollment}/departments/${dept}`;
}
export function mcaAccountPath(account: string): string {
  return `${BILLING}/${account}`;
}
export function mcaProfilePath(account: string, profile: string): string {
  return `${BILLING}/${account}/billingProfiles/${profile}`;
}
export function mcaSectionPath(account: string, profile: string, section: string): string {
  return `${BILLING}/${account}/billingProfiles/${profile}/invoiceSections/${section}`;
}
export function subscriptionPath(sub: string): string {
  return `/subscriptions/${sub}`;
}

const set = (ids: string[]) => new Set(ids.map((s) => s.toLowerCase()));

/** Every scope the sandbox serves, EA first. */
export function listScopes(w: ScopeWorld): Scope[] {
  const e = w.enrollmentNumber;
  const sub = (guid: string) => ({scope_type: 'subscription', subscription_id: guid});
  const out: Scope[] = [{type: 'ea_enrollment', agreement: 'EA', path: eaEnrollmentPath(e), name: 'Contoso Sandbox Enrollment (synthetic)', subs: null,
    config: {scope_type: 'ea_enrollment', enrollment_number: e}}];
  DEPARTMENTS.forEach((d, di) => out.push({
    type: 'ea_department', agreement: 'EA', path: eaDepartmentPath(e, d.id), name: d.name,
    subs: set(SUBSCRIPTIONS.filter((s) => ACCOUNTS[s.account].dept === di).map((s) => s.guid)),
    config: {scope_type: 'ea_department', enrollment_number: e, department_id: d.id},
  }));
  for (const s of SUBSCRIPTIONS) out.push({type: 'subscription', agreement: 'EA', path: subscriptionPath(s.guid), name: s.name, subs: set([s.guid]), config: sub(s.guid)});
  const a = w.mcaAccountId;
  if (a === null) return out;
  out.push({type: 'mca_billing_account', agreement: 'MCA', path: mcaAccountPath(a), name: 'Contoso Sandbox MCA (synthetic)', subs: null,
    config: {scope_type: 'mca_billing_account', billing_account_id: a}});
  MCA_PROFILES.forEach((p, pi) => {
    const sections = MCA_SECTIONS.map((s, si) => ({s, si})).filter(({s}) => s.profile === pi);
    const subsOf = (si: number[]) => set(MCA_SUBSCRIPTIONS.filter((x) => si.includes(x.section)).map((x) => x.guid));
    out.push({type: 'mca_billing_profile', agreement: 'MCA', path: mcaProfilePath(a, p.id), name: p.name, subs: subsOf(sections.map((x) => x.si)),
      config: {scope_type: 'mca_billing_profile', billing_account_id: a, billing_profile_id: p.id}});
    for (const {s, si} of sections) {
      out.push({type: 'mca_invoice_section', agreement: 'MCA', path: mcaSectionPath(a, p.id, s.id), name: s.name, subs: subsOf([si]),
        config: {scope_type: 'mca_invoice_section', billing_account_id: a, billing_profile_id: p.id, invoice_section_id: s.id}});
    }
  });
  for (const s of MCA_SUBSCRIPTIONS) out.push({type: 'subscription', agreement: 'MCA', path: subscriptionPath(s.guid), name: s.name, subs: set([s.guid]), config: sub(s.guid)});
  return out;
}

function decode(seg: string): string | null {
  try {
    return decodeURIComponent(seg);
  } catch {
    return null;
  }
}

/** Lower-case, decoded, no trailing slash: the form scopes are compared in. */
export function normalizeScopePath(p: string): string {
  const segs = p.replace(/\/+$/, '').split('/').map((s) => decode(s) ?? s);
  return segs.join('/').toLowerCase();
}

const bad = (status: number, code: string, message: string): ScopeAnswer => ({ok: false, status, code, message});

function unsupported(agreement: Agreement, scopeKind: string): ScopeAnswer {
  const name = agreement === 'EA' ? 'EnterpriseAgreement' : 'MicrosoftCustomerAgreement';
  return bad(400, 'BadRequest', `Agreement type '${name}' does not support the '${scopeKind}' scope. Use a scope that exists for this billing account's agreement.`);
}

/**
 * Resolve the scope part of a request path (before /providers/Microsoft.CostManagement/...).
 * Returns null when the path is no scope shape at all (the caller answers "no route").
 */
export function resolveScope(rawScope: string, w: ScopeWorld): ScopeAnswer | null {
  const raw = rawScope.split('/');
  if (raw[0] !== '') return null;
  const segs: string[] = [];
  for (const r of raw.slice(1)) {
    const d = decode(r);
    if (d === null || d === '') return null;
    segs.push(d);
  }
  const lit = segs.map((s) => s.toLowerCase());
  const all = listScopes(w);
  const find = (type: ScopeType, path: string) => all.find((s) => s.type === type && s.path.toLowerCase() === path.toLowerCase());

  if (lit[0] === 'subscriptions' && segs.length === 2) {
    const id = segs[1];
    if (!GUID_RE.test(id)) return bad(400, 'InvalidSubscriptionId', `The provided subscription identifier '${id}' is malformed or invalid.`);
    const s = find('subscription', subscriptionPath(id));
    return s ? {ok: true, scope: s} : bad(404, 'SubscriptionNotFound', `The subscription '${id}' could not be found.`);
  }
  if (lit[0] !== 'providers' || lit[1] !== 'microsoft.billing' || lit[2] !== 'billingaccounts' || segs.length < 4) return null;
  const account = segs[3];
  const ea = account === w.enrollmentNumber;
  const mca = w.mcaAccountId !== null && account.toLowerCase() === w.mcaAccountId.toLowerCase();
  const rest = lit.slice(4);
  const shape = rest.length === 0 ? 'account'
    : rest.length === 2 && rest[0] === 'departments' ? 'department'
      : rest.length === 2 && rest[0] === 'billingprofiles' ? 'profile'
        : rest.length === 4 && rest[0] === 'billingprofiles' && rest[2] === 'invoicesections' ? 'section'
          : rest.length === 2 && rest[0] === 'invoicesections' ? 'bare-section'
            : null;
  if (shape === null) return null;
  if (!ea && !mca) return bad(404, 'BillingAccountNotFound', `Billing account '${account}' was not found or the caller has no access to it.`);
  if (shape === 'account') return {ok: true, scope: ea ? all[0] : find('mca_billing_account', mcaAccountPath(w.mcaAccountId!))!};
  if (ea) {
    if (shape !== 'department') return unsupported('EA', shape === 'profile' ? 'BillingProfile' : 'InvoiceSection');
    const s = find('ea_department', eaDepartmentPath(account, segs[5]));
    return s ? {ok: true, scope: s} : bad(404, 'NotFound', `Department '${segs[5]}' was not found in billing account '${account}'.`);
  }
  if (shape === 'department') return unsupported('MCA', 'Department');
  if (shape === 'bare-section') return bad(400, 'BadRequest', `Invoice section '${segs[5]}' must be addressed under its billing profile: ${BILLING}/${w.mcaAccountId}/billingProfiles/{billingProfileId}/invoiceSections/${segs[5]}.`);
  const a = w.mcaAccountId!;
  const profile = find('mca_billing_profile', mcaProfilePath(a, segs[5]));
  if (!profile) return bad(404, 'NotFound', `Billing profile '${segs[5]}' was not found in billing account '${a}'.`);
  if (shape === 'profile') return {ok: true, scope: profile};
  const section = find('mca_invoice_section', mcaSectionPath(a, segs[5], segs[7]));
  return section ? {ok: true, scope: section} : bad(404, 'NotFound', `Invoice section '${segs[7]}' was not found in billing profile '${segs[5]}'.`);
}

/** Whether `scope` equals or lies under one of the (normalized) forbidden scopes. */
export function isForbidden(scope: Scope, forbidden: readonly string[]): boolean {
  const p = normalizeScopePath(scope.path);
  return forbidden.some((f) => {
    const n = normalizeScopePath(f);
    return n !== '' && (p === n || p.startsWith(n + '/'));
  });
}

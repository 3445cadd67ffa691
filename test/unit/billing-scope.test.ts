import {
  agreementOf,
  billingAccountOf,
  BillingScope,
  missingRoleHint,
  requiredRole,
  SCOPE_ID_FIELDS,
  SCOPE_TYPES,
  scopeKey,
  scopeLabel,
  scopeOfConfig,
  scopePath,
} from '../../src/config/billing-scope';
import {JsonSchema, loadSpec} from '../../src/config/spec';
import {SCOPE_IDS} from '../bad-configs';

const ids = SCOPE_IDS;
const ENCODED_ACCOUNT = '6e1c2b8a-4c1d-4a8e-9f5e-2b7d3c4e5f60%3A0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0_2019-05-31';
const BILLING = '/providers/Microsoft.Billing/billingAccounts';

const scopes: Record<BillingScope['type'], BillingScope> = {
  ea_enrollment: {type: 'ea_enrollment', enrollmentNumber: ids.enrollment},
  ea_department: {type: 'ea_department', enrollmentNumber: ids.enrollment, departmentId: ids.department},
  mca_billing_account: {type: 'mca_billing_account', billingAccountId: ids.billingAccount},
  mca_billing_profile: {type: 'mca_billing_profile', billingAccountId: ids.billingAccount, billingProfileId: ids.billingProfile},
  mca_invoice_section: {type: 'mca_invoice_section', billingAccountId: ids.billingAccount, billingProfileId: ids.billingProfile, invoiceSectionId: ids.invoiceSection},
  subscription: {type: 'subscription', subscriptionId: ids.subscription},
};
const all = Object.values(scopes);

describe('scopePath', () => {
  it.each([
    ['ea_enrollment', `${BILLING}/12345678`],
    ['ea_department', `${BILLING}/12345678/departments/164821`],
    ['mca_billing_account', `${BILLING}/${ENCODED_ACCOUNT}`],
    ['mca_billing_profile', `${BILLING}/${ENCODED_ACCOUNT}/billingProfiles/AB12-CD34-EF5-GH6`],
    ['mca_invoice_section', `${BILLING}/${ENCODED_ACCOUNT}/billingProfiles/AB12-CD34-EF5-GH6/invoiceSections/WX34-YZ56-PJA-PGB`],
    ['subscription', `/subscriptions/${ids.subscription}`],
  ] as const)('%s: %s', (type, path) => {
    expect(scopePath(scopes[type])).toBe(path);
  });

  it('encodes the colon of an MCA billing account id as %3A, the same way under every MCA scope', () => {
    for (const scope of all.filter((s) => agreementOf(s) === 'MCA')) {
      const path = scopePath(scope);
      expect(path).not.toContain(':');
      expect(path.split('/')[4]).toBe(ENCODED_ACCOUNT);
      expect(decodeURIComponent(path.split('/')[4])).toBe(ids.billingAccount);
    }
  });

  it('encodes every id, so no id can add a path segment, a query or a fragment', () => {
    const odd = 'a/b?c#d e%';
    const paths = [
      scopePath({type: 'ea_department', enrollmentNumber: odd, departmentId: odd}),
      scopePath({type: 'mca_invoice_section', billingAccountId: odd, billingProfileId: odd, invoiceSectionId: odd}),
      scopePath({type: 'subscription', subscriptionId: odd}),
    ];
    for (const path of paths) {
      expect(path).not.toMatch(/[?# ]/);
      expect(path).toContain(encodeURIComponent(odd));
    }
    expect(paths[1].split('/')).toHaveLength(9);
  });

  it('gives each scope its own path', () => {
    expect(new Set(all.map(scopePath)).size).toBe(all.length);
  });
});

describe('agreementOf and billingAccountOf', () => {
  it('EA scopes are EA, MCA scopes MCA, a subscription unknown until its rows say', () => {
    expect(all.map((s) => [s.type, agreementOf(s)])).toEqual([
      ['ea_enrollment', 'EA'],
      ['ea_department', 'EA'],
      ['mca_billing_account', 'MCA'],
      ['mca_billing_profile', 'MCA'],
      ['mca_invoice_section', 'MCA'],
      ['subscription', undefined],
    ]);
  });

  it('the billing account: the enrollment number for EA, the billing account id for MCA, unknown for a subscription', () => {
    expect(all.map(billingAccountOf)).toEqual([ids.enrollment, ids.enrollment, ids.billingAccount, ids.billingAccount, ids.billingAccount, undefined]);
  });
});

describe('scopeLabel', () => {
  it('names the scope briefly for messages', () => {
    expect(all.map(scopeLabel)).toEqual([
      'EA enrollment 12345678',
      'EA department 164821 of enrollment 12345678',
      `MCA billing account ${ids.billingAccount}`,
      'MCA billing profile AB12-CD34-EF5-GH6',
      'MCA invoice section WX34-YZ56-PJA-PGB',
      `subscription ${ids.subscription}`,
    ]);
  });
});

describe('requiredRole and missingRoleHint', () => {
  it('names the least-privilege role of each scope', () => {
    expect(all.map((s) => requiredRole(s).role)).toEqual([
      'EnrollmentReader',
      'DepartmentReader',
      'Billing account reader',
      'Billing profile reader',
      'Invoice section reader',
      'Cost Management Reader',
    ]);
  });

  it('EA roles are granted through billingRoleAssignments on the scope, with their role definition id', () => {
    const enrollment = requiredRole(scopes.ea_enrollment);
    expect(enrollment.roleDefinitionId).toBe('24f8edb6-1668-4659-b5e2-40bb5f3a7d7e');
    expect(enrollment.howToGrant).toContain(`PUT ${BILLING}/12345678/billingRoleAssignments/{new GUID} with the service principal's object id as principalId`);
    expect(enrollment.assignmentPath).toBe(`${BILLING}/12345678/billingRoleAssignments/{new GUID}`);
    expect(enrollment.howToGrant).toContain('roleDefinitionId .../billingRoleDefinitions/24f8edb6-1668-4659-b5e2-40bb5f3a7d7e');
    const department = requiredRole(scopes.ea_department);
    expect(department.roleDefinitionId).toBe('db609904-a47f-4794-9be8-9bd86fbffd8a');
    expect(department.howToGrant).toContain(`PUT ${BILLING}/12345678/departments/164821/billingRoleAssignments/`);
    // EA billing roles cannot be given to a service principal in the portal
    expect(enrollment.howToGrant).not.toContain('Access control (IAM)');
  });

  it('MCA roles are granted with createBillingRoleAssignment or the portal\'s Access control (IAM) on that scope', () => {
    for (const type of ['mca_billing_account', 'mca_billing_profile', 'mca_invoice_section'] as const) {
      const {roleDefinitionId, assignmentPath, howToGrant} = requiredRole(scopes[type]);
      expect(roleDefinitionId).toMatch(/^[345]0000000-aaaa-bbbb-cccc-100000000002$/);
      expect(assignmentPath).toBe(`${scopePath(scopes[type])}/createBillingRoleAssignment`);
      expect(howToGrant).toContain('the Billing API (POST .../createBillingRoleAssignment on that scope');
      expect(howToGrant).toContain('principalTenantId');
      expect(howToGrant).toContain(`.../billingRoleDefinitions/${roleDefinitionId}`);
      expect(howToGrant).toContain(`Billing scopes > the ${type.replace('mca_', '').replace(/_/g, ' ')} > Access control (IAM)`);
    }
  });

  it('a subscription needs Cost Management Reader through Azure RBAC, not a billing role', () => {
    const {roleDefinitionId, assignmentPath, howToGrant} = requiredRole(scopes.subscription);
    expect(roleDefinitionId).toBeUndefined();
    expect(assignmentPath).toBeUndefined();
    expect(howToGrant).toMatch(/Azure RBAC/);
    expect(howToGrant).toContain(`--scope /subscriptions/${ids.subscription}`);
    expect(howToGrant).not.toContain('billingRoleAssignments');
  });

  it('the hint for `check` is one line naming the role and the scope', () => {
    for (const scope of all) {
      const hint = missingRoleHint(scope);
      expect(hint).toContain(`the ${requiredRole(scope).role} role on ${scopeLabel(scope)}: `);
      expect(hint).not.toMatch(/[\r\n]/);
      // short enough to follow an HTTP error in one check message
      expect(hint.length).toBeLessThan(600);
      expect(hint).toMatch(/\.$/);
    }
  });
});

describe('scopeKey', () => {
  it('is distinct for every scope, and always holds the billing account when the scope has one', () => {
    const keys = all.map(scopeKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual([
      'ea:12345678',
      'ea:12345678/department:164821',
      `mca:${ids.billingAccount}`,
      `mca:${ids.billingAccount}/profile:ab12-cd34-ef5-gh6`,
      `mca:${ids.billingAccount}/profile:ab12-cd34-ef5-gh6/section:wx34-yz56-pja-pgb`,
      `subscription:${ids.subscription}`,
    ]);
  });

  it('never collides across agreements or billing accounts', () => {
    const other = ids.billingAccount.replace(/^6/, '7');
    const a = scopeKey({type: 'mca_billing_profile', billingAccountId: ids.billingAccount, billingProfileId: ids.billingProfile});
    const b = scopeKey({type: 'mca_billing_profile', billingAccountId: other, billingProfileId: ids.billingProfile});
    expect(a).not.toBe(b);
    // an EA enrollment and an MCA billing account never share a key, whatever their ids
    expect(scopeKey({type: 'ea_enrollment', enrollmentNumber: '1'})).not.toBe(scopeKey({type: 'mca_billing_account', billingAccountId: '1'}));
  });

  it('is stable: the same for the same scope written in another case (Azure ids are case-insensitive)', () => {
    const upper: BillingScope = {type: 'mca_invoice_section', billingAccountId: ids.billingAccount.toUpperCase(), billingProfileId: 'ab12-cd34-ef5-gh6', invoiceSectionId: 'wx34-yz56-pja-pgb'};
    expect(scopeKey(upper)).toBe(scopeKey(scopes.mca_invoice_section));
    expect(scopeKey(scopes.ea_enrollment)).toBe(scopeKey({...scopes.ea_enrollment}));
  });
});

describe('scopeOfConfig', () => {
  it('an enrollment_number alone is an EA enrollment', () => {
    expect(scopeOfConfig({enrollment_number: '12345678'})).toEqual(scopes.ea_enrollment);
  });

  it('maps every billing_scope branch to its scope', () => {
    expect(scopeOfConfig({billing_scope: {scope_type: 'ea_department', enrollment_number: ids.enrollment, department_id: ids.department}})).toEqual(scopes.ea_department);
    expect(scopeOfConfig({billing_scope: {scope_type: 'mca_billing_account', billing_account_id: ids.billingAccount}})).toEqual(scopes.mca_billing_account);
    expect(
      scopeOfConfig({billing_scope: {scope_type: 'mca_invoice_section', billing_account_id: ids.billingAccount, billing_profile_id: ids.billingProfile, invoice_section_id: ids.invoiceSection}}),
    ).toEqual(scopes.mca_invoice_section);
    expect(scopeOfConfig({billing_scope: {scope_type: 'subscription', subscription_id: ids.subscription}})).toEqual(scopes.subscription);
  });

  it('refuses a config naming no scope (validation lets none through)', () => {
    expect(() => scopeOfConfig({})).toThrow(/enrollment_number/);
  });
});

describe('resources/spec.json billing_scope', () => {
  const scope = loadSpec().connectionSpecification.properties?.billing_scope as JsonSchema;
  const branches = scope.oneOf ?? [];

  it('is optional beside enrollment_number, which is no longer required', () => {
    const required = loadSpec().connectionSpecification.required ?? [];
    expect(required).not.toContain('billing_scope');
    expect(required).not.toContain('enrollment_number');
    expect(scope.type).toBe('object');
  });

  it('has one branch per scope type, in the module\'s order, each requiring exactly the ids the module reads', () => {
    expect(branches.map((b) => b.properties?.scope_type?.const)).toEqual([...SCOPE_TYPES]);
    for (const b of branches) {
      const type = b.properties?.scope_type?.const as BillingScope['type'];
      expect([type, b.required]).toEqual([type, ['scope_type', ...SCOPE_ID_FIELDS[type]]]);
      expect(Object.keys(b.properties ?? {})).toEqual(['scope_type', ...SCOPE_ID_FIELDS[type]]);
    }
  });

  it('reads naturally in a form: a title per branch, the scope type first, then its ids, each with a title and where the portal shows it', () => {
    expect(branches.find((b) => b.properties?.scope_type?.const === 'mca_billing_profile')?.title).toBe('MCA billing profile (recommended for MCA)');
    for (const b of branches) {
      expect(b.title).toEqual(expect.any(String));
      const props = Object.entries(b.properties ?? {});
      expect(props.map(([, p]) => p.order)).toEqual(props.map((_, i) => i));
      for (const [name, p] of props.slice(1)) {
        expect([name, typeof p.title, typeof p.description]).toEqual([name, 'string', 'string']);
        expect([name, p.description]).toEqual([name, expect.stringMatching(/Azure portal: /)]);
      }
    }
  });

  const pattern = (field: string) => {
    const found = branches.map((b) => b.properties?.[field]?.pattern).find((p) => typeof p === 'string');
    return new RegExp(found as string);
  };

  it.each([
    ['enrollment_number', ['12345678', '100'], ['E-1234', '', '1234 ']],
    ['department_id', ['164821', 'Dept_1-a'], ['', 'a/b', 'a b']],
    [
      'billing_account_id',
      [ids.billingAccount, ids.billingAccount.toUpperCase()],
      [ids.billingAccount.replace(':', '%3A'), ids.billingAccount.replace(/_.*/, ''), '12345678', ids.subscription, `${ids.billingAccount}/x`],
    ],
    ['billing_profile_id', ['AB12-CD34-EF5-GH6', 'ab12-cd34-ef5-gh6', 'XX1X-XXAA-XXX-ZZZ'], ['AB12CD34EF5GH6', 'AB12-CD34-EF55-GH6', 'Contoso profile']],
    ['invoice_section_id', ['WX34-YZ56-PJA-PGB'], ['WX34-YZ56-PJA', '']],
    ['subscription_id', [ids.subscription, ids.subscription.toUpperCase()], [`/subscriptions/${ids.subscription}`, ids.subscription.slice(1), 'my-subscription']],
  ])('the %s pattern accepts real ids and rejects look-alikes', (field, good, bad) => {
    const re = pattern(field);
    for (const id of good) expect([id, re.test(id)]).toEqual([id, true]);
    for (const id of bad) expect([id, re.test(id)]).toEqual([id, false]);
  });

  it('every branch that takes the same id checks it the same way', () => {
    for (const field of new Set(Object.values(SCOPE_ID_FIELDS).flat())) {
      const all = branches.map((b) => b.properties?.[field]).filter(Boolean);
      expect(new Set(all.map((p) => JSON.stringify(p && {...p, order: 0}))).size).toBe(1);
    }
  });
});

/**
 * The sandbox's billing scopes (docs/design.md §7), over HTTP: an MCA billing account with its
 * billing profiles and invoice sections, EA departments and subscriptions beside the enrollment.
 * Every scope's report must hold exactly its rows (checked per day, cents exact, against the
 * sandbox's truth), in its agreement's column layout, with Azure's answers for wrong paths.
 */
import {parseArgs} from '../../sandbox/cli';
import {formatDec, parseDec} from '../../sandbox/decimal';
import {MCA_COLUMNS} from '../../sandbox/mca-columns';
import {DEFAULT_MCA_ACCOUNT_ID, MCA_PROFILES, MCA_SECTIONS, MCA_SUBSCRIPTIONS} from '../../sandbox/mca-catalog';
import {
  eaDepartmentPath, eaEnrollmentPath, mcaAccountPath, mcaProfilePath, mcaSectionPath, subscriptionPath,
} from '../../sandbox/scopes';
import {ScopeTruth} from '../../sandbox/scope-data';
import {Sandbox, SandboxOptions, startSandbox} from '../../sandbox/server';
import {
  dayFromCsv, downloadBlob, getToken, parseCostCsv, requestReport, sandboxHttp as http, scopeGenerateUrl, tallyCsv, Tally,
} from '../../sandbox/testing';

const BASE: SandboxOptions = {
  seed: 7,
  today: '2026-03-15',
  startDate: '2026-01-20',
  endDate: '2026-03-10',
  rowsPerDay: 60,
  emptyDays: ['2026-02-10'],
  maxRowsPerBlob: 300,
};

const ACCOUNT = DEFAULT_MCA_ACCOUNT_ID;
const ENCODED_ACCOUNT = encodeURIComponent(ACCOUNT);
const P = MCA_PROFILES.map((p) => p.id);
const sectionsOf = (pi: number) => MCA_SECTIONS.filter((s) => s.profile === pi).map((s) => s.id);
const EA_SUB = '9ec51cfd-5ca7-4d76-8101-dd0a4abc5603';
const MCA_SUB = MCA_SUBSCRIPTIONS[0].guid;

type CostMetric = 'ActualCost' | 'AmortizedCost';

async function fetchScope(sb: Sandbox, token: string, scope: string, metric: CostMetric, start: string, end: string) {
  const r = await requestReport(sb, token, metric, start, end, scope);
  expect(r.status).toBe(200);
  const bufs: Buffer[] = [];
  for (const b of r.manifest!.blobs) {
    const buf = await downloadBlob(b.blobLink);
    expect(buf.length).toBe(b.byteCount);
    bufs.push(buf);
  }
  const records = bufs.flatMap((b) => parseCostCsv(b));
  const tally: Tally = {days: {}, unusableDateRows: 0, rows: 0};
  tallyCsv(records, tally);
  const headers = new Set(bufs.map((b) => b.toString('utf8').replace(/^\ufeff/, '').split('\n')[0]));
  return {bufs, records, tally, headers};
}

function expectTallyIsTruth(t: Tally, truth: ScopeTruth): void {
  expect(t.rows).toBe(truth.rows);
  expect(t.unusableDateRows).toBe(truth.unusableDateRows);
  for (const [day, d] of Object.entries(truth.days)) {
    if (d.rows === 0) expect(t.days[day]).toBeUndefined();
    else expect(t.days[day]).toEqual({rows: d.rows, cost: d.cost});
  }
}

/** Per-day sums of several truths (rows and exact cost). */
function sumTruths(truths: ScopeTruth[]): Record<string, {rows: number; cost: string}> {
  const out: Record<string, {rows: number; cost: string}> = {};
  for (const t of truths) {
    for (const [day, d] of Object.entries(t.days)) {
      const cur = out[day] ?? {rows: 0, cost: '0'};
      out[day] = {rows: cur.rows + d.rows, cost: formatDec(parseDec(cur.cost) + parseDec(d.cost))};
    }
  }
  return out;
}

const perDay = (t: ScopeTruth) => Object.fromEntries(Object.entries(t.days).map(([d, x]) => [d, {rows: x.rows, cost: x.cost}]));

describe('sandbox MCA and scoped reports', () => {
  let sb: Sandbox;
  let token: string;
  let auth: {headers: {Authorization: string}};
  beforeAll(async () => {
    sb = await startSandbox(BASE);
    token = await getToken(sb);
    auth = {headers: {Authorization: `Bearer ${token}`}};
  });
  afterAll(async () => sb.close());

  test('the scopes endpoint lists the MCA account, two profiles with two invoice sections each, and subscriptions beside the EA enrollment', async () => {
    const r = await http.get(`${sb.baseUrl}/_sandbox/scopes`);
    expect(r.status).toBe(200);
    expect(r.data.mcaBillingAccountId).toBe(ACCOUNT);
    expect(ACCOUNT).toMatch(/^[0-9a-f-]{36}:[0-9a-f-]{36}_\d{4}-\d{2}-\d{2}$/);
    const byType = (t: string) => (r.data.scopes as Array<{type: string; path: string}>).filter((s) => s.type === t).map((s) => s.path);
    expect(byType('ea_enrollment')).toEqual([eaEnrollmentPath('87654321')]);
    expect(byType('ea_department')).toHaveLength(3);
    expect(byType('mca_billing_account')).toEqual([mcaAccountPath(ACCOUNT)]);
    expect(byType('mca_billing_profile')).toEqual(P.map((p) => mcaProfilePath(ACCOUNT, p)));
    expect(byType('mca_invoice_section')).toEqual([0, 1].flatMap((pi) => sectionsOf(pi).map((s) => mcaSectionPath(ACCOUNT, P[pi], s))));
    expect(P.every((p) => /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{3}-[A-Z0-9]{3}$/.test(p))).toBe(true);
    expect(byType('subscription')).toContain(subscriptionPath(MCA_SUB));
    expect(byType('subscription')).toContain(subscriptionPath(EA_SUB));
    // each scope carries the connector's billing_scope config for it
    const section = (r.data.scopes as Array<{type: string; billing_scope: Record<string, string>}>).find((x) => x.type === 'mca_invoice_section')!;
    expect(section.billing_scope).toEqual({scope_type: 'mca_invoice_section', billing_account_id: ACCOUNT, billing_profile_id: P[0], invoice_section_id: sectionsOf(0)[0]});
    expect(sb.scopes.find((x) => x.type === 'ea_department')!.config).toEqual({scope_type: 'ea_department', enrollment_number: '87654321', department_id: '184211'});
    expect(sb.scopes.filter((x) => x.type === 'subscription').every((x) => x.config.subscription_id === x.path.split('/')[2])).toBe(true);
  });

  test('MCA reports use the 65-column MCA layout; account = profiles = sections, per day, cents exact (both metrics)', async () => {
    const start = '2026-02-01', end = '2026-02-28';
    for (const metric of ['ActualCost', 'AmortizedCost'] as const) {
      const m = metric === 'ActualCost' ? 'actual' : 'amortized';
      const account = await fetchScope(sb, token, mcaAccountPath(ENCODED_ACCOUNT), metric, start, end);
      expect([...account.headers]).toEqual([MCA_COLUMNS.join(',')]);
      expect(MCA_COLUMNS).toHaveLength(65);
      const accountTruth = sb.truth(m, start, end, mcaAccountPath(ACCOUNT));
      expectTallyIsTruth(account.tally, accountTruth);
      expect(accountTruth.rows).toBeGreaterThan(1000);

      const profileTruths: ScopeTruth[] = [];
      const sectionTruths: ScopeTruth[] = [];
      for (let pi = 0; pi < P.length; pi++) {
        const path = mcaProfilePath(ACCOUNT, P[pi]);
        const rep = await fetchScope(sb, token, path, metric, start, end);
        const truth = sb.truth(m, start, end, path);
        expectTallyIsTruth(rep.tally, truth);
        expect(new Set(rep.records.map((x) => x.billingProfileId))).toEqual(new Set([P[pi]]));
        profileTruths.push(truth);
        const mine: ScopeTruth[] = [];
        for (const s of sectionsOf(pi)) {
          const sp = mcaSectionPath(ACCOUNT, P[pi], s);
          const srep = await fetchScope(sb, token, sp, metric, start, end);
          const st = sb.truth(m, start, end, sp);
          expectTallyIsTruth(srep.tally, st);
          expect(new Set(srep.records.map((x) => x.invoiceSectionId))).toEqual(new Set([s]));
          expect(st.rows).toBeGreaterThan(0);
          mine.push(st);
        }
        expect(sumTruths(mine)).toEqual(perDay(truth));
        sectionTruths.push(...mine);
      }
      expect(sumTruths(profileTruths)).toEqual(perDay(accountTruth));
      expect(sumTruths(sectionTruths)).toEqual(perDay(accountTruth));
      expect(formatDec(profileTruths.reduce((a, t) => a + parseDec(t.cost), 0n))).toBe(accountTruth.cost);
    }
  });

  test('subscription scopes: MCA in the MCA layout, EA in the EA layout; EA departments add up to the enrollment', async () => {
    const start = '2026-03-01', end = '2026-03-10';
    const mcaSub = await fetchScope(sb, token, subscriptionPath(MCA_SUB), 'ActualCost', start, end);
    expect([...mcaSub.headers]).toEqual([MCA_COLUMNS.join(',')]);
    expect(new Set(mcaSub.records.map((r) => r.SubscriptionId))).toEqual(new Set([MCA_SUB]));
    expectTallyIsTruth(mcaSub.tally, sb.truth('actual', start, end, subscriptionPath(MCA_SUB)));

    const eaSub = await fetchScope(sb, token, subscriptionPath(EA_SUB.toUpperCase()), 'AmortizedCost', start, end);
    expect([...eaSub.headers][0]).toMatch(/AccountName/);
    expect(new Set(eaSub.records.map((r) => r.SubscriptionId))).toEqual(new Set([EA_SUB]));
    expectTallyIsTruth(eaSub.tally, sb.truth('amortized', start, end, subscriptionPath(EA_SUB)));

    const depts = ['184211', '184212', '184213'];
    const deptTruths: ScopeTruth[] = [];
    for (const d of depts) {
      const path = eaDepartmentPath('87654321', d);
      const rep = await fetchScope(sb, token, path, 'ActualCost', start, end);
      const truth = sb.truth('actual', start, end, path);
      expectTallyIsTruth(rep.tally, truth);
      expect(new Set(rep.records.map((r) => r.InvoiceSectionId))).toEqual(new Set([d]));
      deptTruths.push(truth);
    }
    const enrollment = sb.truth('actual', start, end, eaEnrollmentPath('87654321'));
    expect(enrollment).toMatchObject(sb.truth('actual', start, end));
    expect(sumTruths(deptTruths)).toEqual(perDay(enrollment));
  });

  test('MCA CSV is as messy as the EA data and its amounts are consistent', async () => {
    const feb = await fetchScope(sb, token, mcaAccountPath(ACCOUNT), 'ActualCost', '2026-02-01', '2026-02-28');
    const mar = await fetchScope(sb, token, mcaAccountPath(ACCOUNT), 'ActualCost', '2026-03-01', '2026-03-10');
    const recs = [...feb.records, ...mar.records];
    const text = [...feb.bufs, ...mar.bufs].map((b) => b.toString('utf8')).join('');
    expect([...feb.bufs, ...mar.bufs].some((b) => b[0] === 0xef)).toBe(true);
    for (const gone of ['AccountName', 'ResourceName', 'OfferId', 'PartNumber', 'AccountId', 'ResourceGroup']) expect(recs[0]).not.toHaveProperty(gone);
    // invoices: February is closed (one invoice per profile), March is the open month
    const febInvoices = new Set(feb.records.map((r) => `${r.billingProfileId}:${r.invoiceId}`));
    expect(febInvoices.size).toBe(2);
    for (const i of febInvoices) expect(i).toMatch(/:G0\d{8}$/);
    expect(mar.records.every((r) => r.invoiceId === '')).toBe(true);
    expect(recs.some((r) => r.chargeType === 'Refund' && /^G0\d{8}$/.test(r.previousInvoiceId))).toBe(true);
    // currencies and amounts
    expect(new Set(recs.map((r) => `${r.billingProfileId}:${r.billingCurrency}`))).toEqual(new Set([`${P[0]}:USD`, `${P[1]}:EUR`]));
    for (const r of recs) {
      expect(r.pricingCurrency).toBe('USD');
      expect(r.costInUsd).toBe(r.costInPricingCurrency);
      const rate = r.exchangeRatePricingToBilling;
      if (r.billingCurrency === 'USD') expect(rate).toBe('1');
      else expect(Number(rate)).toBeGreaterThan(0.8);
      // billing = pricing x rate, truncated to 28 decimals at most
      const want = parseDec(r.costInPricingCurrency) * parseDec(rate) / 10n ** 28n;
      expect(Math.abs(Number(parseDec(r.costInBillingCurrency) - want))).toBeLessThanOrEqual(1);
      const payg = parseDec(r.paygCostInUsd) * parseDec(rate) / 10n ** 28n;
      expect(Math.abs(Number(parseDec(r.paygCostInBillingCurrency) - payg))).toBeLessThanOrEqual(1);
    }
    expect(recs.some((r) => r.billingCurrency === 'EUR' && r.costInBillingCurrency !== r.costInUsd && r.costInUsd !== '0')).toBe(true);
    expect(recs.some((r) => /\.\d{20,28}$/.test(r.costInBillingCurrency))).toBe(true);
    expect(recs.some((r) => r.costInBillingCurrency.startsWith('-'))).toBe(true);
    expect(new Set(recs.map((r) => r.chargeType))).toEqual(new Set(['Usage', 'Purchase', 'Refund']));
    expect(recs.some((r) => r.publisherType === 'Marketplace' && r.isAzureCreditEligible === 'False' && r.publisherId !== '')).toBe(true);
    expect(recs.some((r) => r.pricingModel === 'Reservation' && r.chargeType === 'Usage' && r.costInBillingCurrency === '0')).toBe(true);
    // names and fields with commas, quotes and newlines
    expect(text).toContain('"R&D, ""Labs"""');
    expect(recs.some((r) => r.serviceInfo1.includes('\n') && r.serviceInfo1.includes('"'))).toBe(true);
    expect(recs.some((r) => dayFromCsv(r.date) === null)).toBe(true);
    // VM and AKS rows enrichment can read
    expect(text).toContain('""VmName""');
    expect(text).toContain('""VMName""');
    const vm = recs.find((r) => r.ResourceId.endsWith('/virtualMachines/vm-pay-gw-01'));
    expect(JSON.parse(vm!.additionalInfo)).toMatchObject({ServiceType: 'Standard_D2s_v3'});
    const aks = recs.filter((r) => /\/virtualMachineScaleSets\/aks-[a-z]+-\d+-vmss$/i.test(r.ResourceId));
    expect(aks.length).toBeGreaterThan(10);
    expect(aks.some((r) => JSON.parse(r.additionalInfo).VMProperties === 'Microsoft.AKS.Compute.AKS.Linux.Billing')).toBe(true);
    expect(aks.some((r) => r.resourceGroupName === 'MC_RG_PAY_AKS_AKS_PAY_MCA_WESTEUROPE')).toBe(true);
    expect(aks.some((r) => r.resourceGroupName === 'rg-ml-aks-nodes' && r.tags.includes('"aks-managed-cluster-name": "aks-ml-lab"'))).toBe(true);
    expect(recs.every((r) => r.location === '' || /^[a-z]+$/.test(r.location))).toBe(true);
    expect(recs.some((r) => r.resourceLocation !== r.location)).toBe(true);
    // tags: mostly the inside of an object, some full objects, some malformed
    let inner = 0, full = 0, bad = 0;
    for (const r of recs) {
      if (!r.tags) continue;
      try {
        JSON.parse(r.tags.startsWith('{') ? r.tags : `{${r.tags}}`);
        if (r.tags.startsWith('{')) full++;
        else inner++;
      } catch {
        bad++;
      }
    }
    expect(inner).toBeGreaterThan(full);
    expect(full).toBeGreaterThan(0);
    expect(bad).toBeGreaterThan(0);
    // dates: a month's style is one of US, ISO date, ISO date-time (seed 7: February date-times, March MM/DD/YYYY)
    expect(feb.records.some((r) => /^\d{4}-\d{2}-\d{2}T00:00:00\.0000000Z$/.test(r.date))).toBe(true);
    expect(mar.records.some((r) => /^\d{2}\/\d{2}\/\d{4}$/.test(r.date) && /^\d{2}\/01\/\d{4}$/.test(r.billingPeriodStartDate))).toBe(true);
    expect(recs.filter((r) => dayFromCsv(r.date) !== null).every((r) => /^\d{2}\/\d{2}\/\d{4}$|^\d{4}-\d{2}-\d{2}(T00:00:00\.0000000Z)?$/.test(r.date))).toBe(true);
  });

  test('the billing account id works with its colon raw or URL-encoded; the poll URL keeps the form sent', async () => {
    const body = {metric: 'ActualCost', timePeriod: {start: '2026-03-02', end: '2026-03-03'}};
    const raw = await http.post(scopeGenerateUrl(sb, mcaProfilePath(ACCOUNT, P[1])), body, auth);
    expect(raw.status).toBe(202);
    expect(raw.headers.location).toContain(`/billingAccounts/${ACCOUNT}/billingProfiles/${P[1]}/providers/Microsoft.CostManagement/costDetailsOperationResults/`);
    const enc = await http.post(scopeGenerateUrl(sb, mcaProfilePath(ENCODED_ACCOUNT, P[1])), body, auth);
    expect(enc.status).toBe(202);
    expect(enc.headers.location).toContain(`/billingAccounts/${ENCODED_ACCOUNT}/billingProfiles/`);
    const lower = await http.post(scopeGenerateUrl(sb, mcaProfilePath(ENCODED_ACCOUNT.toLowerCase(), P[1].toLowerCase())), body, auth);
    expect(lower.status).toBe(202);
    for (const loc of [raw.headers.location, enc.headers.location, lower.headers.location] as string[]) {
      let p = await http.get(loc, auth);
      while (p.status === 202) {
        await new Promise((r) => setTimeout(r, 20));
        p = await http.get(loc, auth);
      }
      expect(p.status).toBe(200);
      expect(p.data.status).toBe('Completed');
    }
    // the same operation read under the raw form, and a poll under another scope does not find it
    const opId = (raw.headers.location as string).split('/').pop()!.split('?')[0];
    const asEncoded = `${sb.baseUrl}${mcaProfilePath(ENCODED_ACCOUNT, P[1])}/providers/Microsoft.CostManagement/costDetailsOperationResults/${opId}?api-version=2023-11-01`;
    expect((await http.get(asEncoded, auth)).status).toBe(200);
    const elsewhere = `${sb.baseUrl}${mcaProfilePath(ACCOUNT, P[0])}/providers/Microsoft.CostManagement/costDetailsOperationResults/${opId}?api-version=2023-11-01`;
    expect((await http.get(elsewhere, auth)).status).toBe(404);
  });

  test('wrong ids answer 404, wrong-agreement scopes 400, with ARM error bodies', async () => {
    const body = {metric: 'ActualCost', timePeriod: {start: '2026-03-02', end: '2026-03-03'}};
    const post = (scope: string) => http.post(scopeGenerateUrl(sb, scope), body, auth);
    const cases: Array<[string, number, string]> = [
      [mcaAccountPath('00000000-0000-0000-0000-000000000000:00000000-0000-0000-0000-000000000000_2020-01-01'), 404, 'BillingAccountNotFound'],
      [mcaProfilePath(ACCOUNT, 'ZZ99-ZZ99-ZZ9-ZZ9'), 404, 'NotFound'],
      [mcaSectionPath(ACCOUNT, P[0], sectionsOf(1)[0]), 404, 'NotFound'],
      [subscriptionPath('00000000-1111-2222-3333-444444444444'), 404, 'SubscriptionNotFound'],
      [subscriptionPath('not-a-guid'), 400, 'InvalidSubscriptionId'],
      [eaDepartmentPath('87654321', '999999'), 404, 'NotFound'],
      [eaDepartmentPath(ENCODED_ACCOUNT, '184211'), 400, 'BadRequest'],
      [mcaSectionPath('87654321', P[0], sectionsOf(0)[0]), 400, 'BadRequest'],
      [mcaProfilePath('87654321', P[0]), 400, 'BadRequest'],
      [`${eaEnrollmentPath('87654321')}/invoiceSections/${sectionsOf(0)[0]}`, 400, 'BadRequest'],
    ];
    for (const [scope, status, code] of cases) {
      const r = await post(scope);
      expect({scope, status: r.status, code: r.data?.error?.code}).toEqual({scope, status, code});
      expect(typeof r.data.error.message).toBe('string');
    }
    expect((await post(eaDepartmentPath(ENCODED_ACCOUNT, '184211'))).data.error.message).toMatch(/MicrosoftCustomerAgreement.*Department/);
    expect((await post(mcaSectionPath('87654321', P[0], sectionsOf(0)[0]))).data.error.message).toMatch(/EnterpriseAgreement.*InvoiceSection/);
    // no scope shape at all: no route
    const rg = await post(`${subscriptionPath(MCA_SUB)}/resourceGroups/rg-pay-prod`);
    expect(rg.status).toBe(404);
    expect(rg.data.error.message).toMatch(/No HTTP resource/);
    // authentication comes first
    expect((await http.post(scopeGenerateUrl(sb, mcaAccountPath(ACCOUNT)), body)).status).toBe(401);
    // a range without MCA usage
    expect((await post(mcaAccountPath(ACCOUNT))).status).toBe(202);
    expect((await http.post(scopeGenerateUrl(sb, mcaAccountPath(ACCOUNT)), {metric: 'ActualCost', timePeriod: {start: '2026-01-01', end: '2026-01-19'}}, auth)).status).toBe(204);
  });

  test('the truth endpoint answers per scope (scope URL-encoded), equal to sb.truth', async () => {
    const scope = mcaSectionPath(ENCODED_ACCOUNT, P[1], sectionsOf(1)[1]);
    const r = await http.get(`${sb.baseUrl}/_sandbox/truth?metric=amortized&start=2026-02-01&end=2026-02-28&scope=${encodeURIComponent(scope)}`);
    expect(r.status).toBe(200);
    const truth = sb.truth('amortized', '2026-02-01', '2026-02-28', mcaSectionPath(ACCOUNT, P[1], sectionsOf(1)[1]));
    expect(r.data).toEqual(truth);
    expect(truth).toMatchObject({agreement: 'MCA', scopeType: 'mca_invoice_section', scope: mcaSectionPath(ACCOUNT, P[1], sectionsOf(1)[1])});
    expect(truth.days['2026-02-10']).toMatchObject({rows: 0, cost: '0'});
    const day = truth.days['2026-02-11'];
    expect(day.costCents).toBe(String(Math.round(Number(day.cost) * 100)));
    expect(day.costInUsd).toBeDefined();
    expect(Number(day.costInUsd)).not.toBe(Number(day.cost)); // the EUR profile
    const nf = await http.get(`${sb.baseUrl}/_sandbox/truth?scope=${encodeURIComponent(subscriptionPath('00000000-1111-2222-3333-444444444444'))}`);
    expect(nf.status).toBe(404);
    // without a scope: the enrollment's truth, exactly as before
    const plain = await http.get(`${sb.baseUrl}/_sandbox/truth?metric=actual&start=2026-02-01&end=2026-02-05`);
    expect(plain.data).toEqual(sb.truth('actual', '2026-02-01', '2026-02-05'));
  });
});

describe('sandbox scope options', () => {
  test('forbiddenScopes: 403 AuthorizationFailed naming the scope, on it and below it only', async () => {
    const sb = await startSandbox({...BASE, forbiddenScopes: [mcaProfilePath(ENCODED_ACCOUNT, P[0]), subscriptionPath(EA_SUB)]});
    try {
      const token = await getToken(sb);
      const body = {metric: 'ActualCost', timePeriod: {start: '2026-03-02', end: '2026-03-03'}};
      const post = (scope: string) => http.post(scopeGenerateUrl(sb, scope), body, {headers: {Authorization: `Bearer ${token}`}});
      for (const scope of [mcaProfilePath(ACCOUNT, P[0]), mcaSectionPath(ACCOUNT, P[0], sectionsOf(0)[1]), subscriptionPath(EA_SUB)]) {
        const r = await post(scope);
        expect(r.status).toBe(403);
        expect(r.data.error.code).toBe('AuthorizationFailed');
        expect(r.data.error.message).toContain(`over scope '${scope}'`);
      }
      for (const scope of [mcaProfilePath(ACCOUNT, P[1]), mcaAccountPath(ACCOUNT), eaEnrollmentPath('87654321'), eaDepartmentPath('87654321', '184212')]) {
        expect((await post(scope)).status).toBe(202);
      }
    } finally {
      await sb.close();
    }
  });

  test('mca: false serves the enrollment only; MCA dates and account id are configurable', async () => {
    const off = await startSandbox({...BASE, mca: false});
    try {
      const token = await getToken(off);
      const r = await http.post(scopeGenerateUrl(off, mcaAccountPath(ACCOUNT)), {metric: 'ActualCost', timePeriod: {start: '2026-03-02', end: '2026-03-03'}}, {headers: {Authorization: `Bearer ${token}`}});
      expect(r.status).toBe(404);
      expect(off.mca).toBeNull();
      expect(off.scopes.every((s) => s.agreement === 'EA')).toBe(true);
    } finally {
      await off.close();
    }
    const id = '11111111-2222-4333-8444-555555555555:66666666-7777-4888-8999-000000000000_2025-01-01';
    const migrated = await startSandbox({...BASE, endDate: '2026-02-14', mcaBillingAccountId: id, mcaStartDate: '2026-02-15', mcaEndDate: '2026-03-10', mcaRowsPerDay: 20});
    try {
      const token = await getToken(migrated);
      const truth = migrated.truth('actual', '2026-02-01', '2026-02-28', mcaAccountPath(id));
      expect(truth.days['2026-02-14'].rows).toBe(0);
      expect(truth.days['2026-02-15'].rows + truth.days['2026-02-15'].unusableDateRows).toBe(20);
      const rep = await requestReport(migrated, token, 'ActualCost', '2026-02-01', '2026-02-28', mcaAccountPath(encodeURIComponent(id)));
      expect(rep.status).toBe(200);
      const recs = parseCostCsv(await downloadBlob(rep.manifest!.blobs[0].blobLink));
      expect(recs[0].billingAccountId).toBe(id);
      await expect(startSandbox({...BASE, mcaBillingAccountId: 'not-an-mca-id'})).rejects.toThrow(/guid/);
    } finally {
      await migrated.close();
    }
  });

  test('CLI flags', () => {
    const o = parseArgs(['--forbidden-scopes', `/subscriptions/${EA_SUB},${mcaProfilePath(ACCOUNT, P[0])}`, '--mca=false', '--mca-billing-account', ACCOUNT,
      '--mca-start', '2026-02-01', '--mca-end', '2026-02-20', '--mca-rows-per-day', '30', '--mca-empty-days', '2026-02-03']);
    expect(o).toMatchObject({
      forbiddenScopes: [`/subscriptions/${EA_SUB}`, mcaProfilePath(ACCOUNT, P[0])], mca: false, mcaBillingAccountId: ACCOUNT,
      mcaStartDate: '2026-02-01', mcaEndDate: '2026-02-20', mcaRowsPerDay: 30, mcaEmptyDays: ['2026-02-03'],
    });
  });
});

test('dayFromCsv and tallyCsv read MCA rows', () => {
  const t = tallyCsv([{date: '02/03/2026', costInBillingCurrency: '1.5'}, {date: '2026-02-03', costInBillingCurrency: '0.25'}, {date: '', costInBillingCurrency: '9'}]);
  expect(t).toEqual({days: {'2026-02-03': {rows: 2, cost: '1.75'}}, unusableDateRows: 1, rows: 2});
});

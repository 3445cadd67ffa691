import {createHash} from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {CURRENT_COLUMNS, LEGACY_COLUMNS} from '../../sandbox/columns';
import {computeTruth} from '../../sandbox/enrollment';
import {formatDec, parseDec} from '../../sandbox/decimal';
import {Sandbox, SandboxOptions, startSandbox} from '../../sandbox/server';
import {
  dayFromCsv, downloadBlob, generateUrl, getToken, parseCostCsv, requestReport, sandboxHttp as http, tallyCsv, Tally,
} from '../../sandbox/testing';
import {parseArgs} from '../../sandbox/cli';

const BASE: SandboxOptions = {
  seed: 7,
  today: '2026-03-15',
  startDate: '2026-01-20',
  endDate: '2026-03-10',
  rowsPerDay: 60,
  emptyDays: ['2026-02-10'],
  maxRowsPerBlob: 400,
  eaPageSize: 100,
};

const costOf = (r: Record<string, string>) => r.Cost ?? r.CostInBillingCurrency;

function tallyEqualsTruth(t: Tally, metric: 'actual' | 'amortized', start: string, end: string, sb: Sandbox): void {
  const truth = computeTruth(sb.enrollment, metric, start, end);
  expect(t.unusableDateRows).toBe(truth.unusableDateRows);
  expect(t.rows).toBe(truth.rows);
  for (const [day, d] of Object.entries(truth.days)) {
    if (d.rows === 0) {
      expect(t.days[day]).toBeUndefined();
      continue;
    }
    expect(t.days[day]).toEqual({rows: d.rows, cost: d.cost});
  }
}

async function fetchReport(sb: Sandbox, token: string, metric: 'ActualCost' | 'AmortizedCost', start: string, end: string) {
  const r = await requestReport(sb, token, metric, start, end);
  expect(r.status).toBe(200);
  const m = r.manifest!;
  const bufs: Buffer[] = [];
  for (const b of m.blobs) {
    const buf = await downloadBlob(b.blobLink);
    expect(buf.length).toBe(b.byteCount);
    bufs.push(buf);
  }
  expect(m.byteCount).toBe(bufs.reduce((a, b) => a + b.length, 0));
  expect(m.blobCount).toBe(bufs.length);
  return {manifest: m, bufs};
}

describe('sandbox server', () => {
  let sb: Sandbox;
  let token: string;
  beforeAll(async () => {
    sb = await startSandbox({...BASE, reportLatencyMs: 150, retryAfterSeconds: 0});
    token = await getToken(sb);
  });
  afterAll(async () => sb.close());

  test('token flow and AAD errors', async () => {
    expect(token).toMatch(/\S{40,}/);
    expect(sb.issuedTokens).toContain(token);
    const url = `${sb.baseUrl}/${sb.options.tenantId}/oauth2/v2.0/token`;
    const form = (over: Record<string, string>) => new URLSearchParams({
      grant_type: 'client_credentials', client_id: sb.options.clientId, client_secret: sb.options.clientSecret,
      scope: 'https://management.azure.com/.default', ...over,
    }).toString();
    const ok = await http.post(url, form({}));
    expect(ok.status).toBe(200);
    expect(ok.data).toMatchObject({token_type: 'Bearer', expires_in: 3599});
    const bad = await http.post(url, form({client_secret: 'wrong'}));
    expect(bad.status).toBe(401);
    expect(bad.data.error).toBe('invalid_client');
    expect(bad.data.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided/);
    expect(bad.data.error_codes).toEqual([7000215]);
    expect(JSON.stringify(bad.data)).not.toContain(sb.options.clientSecret);
    expect((await http.post(url, form({client_id: 'nobody'}))).status).toBe(400);
    expect((await http.post(`${sb.baseUrl}/other-tenant/oauth2/v2.0/token`, form({}))).status).toBe(400);
    expect((await http.post(url, form({scope: 'https://graph.microsoft.com/.default'}))).data.error).toBe('invalid_scope');
  });

  test('202 -> poll -> manifest -> blobs; rows and exact costs match the truth (both metrics, both schemas)', async () => {
    const headers = new Set<string>();
    for (const [start, end] of [['2026-02-01', '2026-02-28'], ['2026-03-01', '2026-03-10'], ['2026-01-20', '2026-01-31']]) {
      for (const metric of ['ActualCost', 'AmortizedCost'] as const) {
        const g = await http.post(generateUrl(sb), {metric, timePeriod: {start, end}}, {headers: {Authorization: `Bearer ${token}`}});
        expect(g.status).toBe(202);
        expect(g.headers.location).toContain(`${sb.baseUrl}/providers/Microsoft.Billing/billingAccounts/87654321/providers/Microsoft.CostManagement/costDetailsOperationResults/`);
        expect(g.headers['retry-after']).toBe('0');
        const {bufs} = await fetchReport(sb, token, metric, start, end);
        const t: Tally = {days: {}, unusableDateRows: 0, rows: 0};
        for (const buf of bufs) {
          const firstLine = buf.toString('utf8').replace(/^\ufeff/, '').split('\n')[0];
          headers.add(firstLine);
          tallyCsv(parseCostCsv(buf), t);
        }
        tallyEqualsTruth(t, metric === 'ActualCost' ? 'actual' : 'amortized', start, end, sb);
      }
    }
    expect(headers).toEqual(new Set([CURRENT_COLUMNS.join(','), LEGACY_COLUMNS.join(',')]));
    expect(sb.stats.blobRequestsWithAuthorization).toBe(0);
  });

  test('CSV content is realistic and messy', async () => {
    const {bufs} = await fetchReport(sb, token, 'ActualCost', '2026-02-01', '2026-02-28');
    const text = bufs.map((b) => b.toString('utf8')).join('');
    const recs = bufs.flatMap((b) => parseCostCsv(b));
    expect(bufs.some((b) => b[0] === 0xef)).toBe(true);
    expect(text).toContain('MC_rg_pay_prod_aks_pay_01_westeurope');
    expect(text.toLowerCase()).toContain('mc_rg_pay_prod_aks_pay_01_westeurope');
    expect(text).toContain('MC_RG_PAY_PROD_AKS_PAY_01_WESTEUROPE');
    expect(text).toMatch(/aks-[a-z]+-\d+-vmss/);
    expect(text).toContain('kubernetes.io-created-for-pv-name');
    expect(text).toContain('""VmName""');
    expect(text).toContain('""VMName""');
    const charge = new Set(recs.map((r) => r.ChargeType));
    expect(charge).toEqual(new Set(['Usage', 'Purchase', 'Refund']));
    expect(recs.some((r) => r.PublisherType === 'Marketplace')).toBe(true);
    expect(recs.some((r) => r.PricingModel === 'Reservation' && costOf(r) === '0' && r.ChargeType === 'Usage')).toBe(true);
    expect(recs.some((r) => costOf(r).startsWith('-'))).toBe(true);
    expect(recs.some((r) => /\.\d{20,28}$/.test(costOf(r)))).toBe(true);
    expect(recs.some((r) => r.ResourceName.includes('\n') && r.ResourceName.includes('"'))).toBe(true);
    expect(recs.some((r) => dayFromCsv(r.Date) === null)).toBe(true);
    // Tags: mostly the inside of an object; some full objects, some malformed.
    let inner = 0, full = 0, bad = 0;
    for (const r of recs) {
      if (!r.Tags) continue;
      const s = r.Tags.trim().startsWith('{') ? r.Tags : `{${r.Tags}}`;
      try {
        JSON.parse(s);
        if (r.Tags.startsWith('{')) full++;
        else inner++;
      } catch {
        bad++;
      }
    }
    expect(inner).toBeGreaterThan(full);
    expect(full).toBeGreaterThan(0);
    expect(bad).toBe(Object.values(computeTruth(sb.enrollment, 'actual', '2026-02-01', '2026-02-28').days).reduce((a, d) => a + d.malformedTagsRows, 0) +
      recs.filter((r) => dayFromCsv(r.Date) === null && r.Tags && (() => { try { JSON.parse(r.Tags.startsWith('{') ? r.Tags : `{${r.Tags}}`); return false; } catch { return true; } })()).length);
    // Days are interleaved, not sorted.
    const dates = recs.map((r) => dayFromCsv(r.Date)).filter((d): d is string => d !== null);
    expect(dates.some((d, i) => i > 0 && d < dates[i - 1])).toBe(true);
  });

  test('204 for a range without data, 400s for bad ranges', async () => {
    const h = {headers: {Authorization: `Bearer ${token}`}};
    const post = (body: unknown) => http.post(generateUrl(sb), body, h);
    expect((await post({metric: 'ActualCost', timePeriod: {start: '2026-01-01', end: '2026-01-19'}})).status).toBe(204);
    expect((await post({metric: 'ActualCost', timePeriod: {start: '2026-02-10', end: '2026-02-10'}})).status).toBe(204);
    const cross = await post({metric: 'ActualCost', timePeriod: {start: '2026-01-25', end: '2026-02-05'}});
    expect(cross.status).toBe(400);
    expect(cross.data.error.message).toMatch(/month/);
    expect((await post({metric: 'ActualCost', timePeriod: {start: '2026-02-05', end: '2026-02-01'}})).status).toBe(400);
    const old = await post({metric: 'ActualCost', timePeriod: {start: '2025-01-01', end: '2025-01-31'}});
    expect(old.status).toBe(400);
    expect(old.data.error.message).toMatch(/13 months/);
    expect((await post({metric: 'Bogus', timePeriod: {start: '2026-02-01', end: '2026-02-02'}})).status).toBe(400);
  });

  test('401 / 404 ARM errors', async () => {
    const body = {metric: 'ActualCost', timePeriod: {start: '2026-02-01', end: '2026-02-02'}};
    const none = await http.post(generateUrl(sb), body);
    expect(none.status).toBe(401);
    expect(none.data.error.code).toBe('AuthenticationFailed');
    const unknown = await http.post(generateUrl(sb), body, {headers: {Authorization: 'Bearer nope'}});
    expect(unknown.status).toBe(401);
    expect(unknown.data.error.code).toBe('InvalidAuthenticationToken');
    const nf = await http.post(generateUrl(sb, '11112222'), body, {headers: {Authorization: `Bearer ${token}`}});
    expect(nf.status).toBe(404);
    expect(nf.data.error.code).toBeDefined();
    const op = await http.get(`${sb.baseUrl}/providers/Microsoft.Billing/billingAccounts/87654321/providers/Microsoft.CostManagement/costDetailsOperationResults/abc?api-version=2023-11-01`, {headers: {Authorization: `Bearer ${token}`}});
    expect(op.status).toBe(404);
  });

  test('blob links need their signature and live on the storage host', async () => {
    const r = await requestReport(sb, token, 'ActualCost', '2026-03-01', '2026-03-02');
    const link = r.manifest!.blobs[0].blobLink;
    expect(link.startsWith(sb.storageUrl + '/armreports/')).toBe(true);
    expect(new URL(link).port).not.toBe(new URL(sb.baseUrl).port);
    expect((await http.get(link.replace(/sig=[^&]+/, 'sig=forged'))).status).toBe(403);
    const before = sb.stats.blobRequestsWithAuthorization;
    await http.get(link, {headers: {Authorization: `Bearer ${token}`}});
    expect(sb.stats.blobRequestsWithAuthorization).toBe(before + 1);
    const part = await http.get(link, {headers: {Range: 'bytes=10-19'}, responseType: 'arraybuffer'});
    expect(part.status).toBe(206);
    expect(Buffer.from(part.data).length).toBe(10);
  });

  test('EA Reporting API pages follow nextLink to the end and match the truth', async () => {
    const auth = {headers: {Authorization: `bearer ${sb.options.apiKey}`}};
    const start = '2026-02-05', end = '2026-02-20';
    let url: string | null = `${sb.baseUrl}/v3/enrollments/87654321/usagedetailsbycustomdate?startTime=${start}&endTime=${end}`;
    const t: Tally = {days: {}, unusableDateRows: 0, rows: 0};
    let pages = 0, emptyPages = 0;
    while (url) {
      const r = await http.get(url, {...auth, responseType: 'text', transformResponse: (x: unknown) => x});
      expect(r.status).toBe(200);
      const text = r.data as string;
      const body = JSON.parse(text) as {data: Array<Record<string, unknown>>; nextLink: string | null};
      pages++;
      if (body.data.length === 0) emptyPages++;
      for (const row of body.data) {
        expect(typeof row.tags === 'string' || row.tags === null).toBe(true);
        const m = /^(\d{4}-\d{2}-\d{2})T00:00:00$/.exec(String(row.date));
        if (!m) {
          t.unusableDateRows++;
          continue;
        }
        const cur = t.days[m[1]] ?? {rows: 0, cost: '0'};
        t.days[m[1]] = {rows: cur.rows + 1, cost: cur.cost};
        t.rows++;
      }
      // Exact costs: sum the raw number literals from the text.
      for (const mm of text.matchAll(/"cost":(-?[0-9.]+),[^]*?"date":"([^"]*)"/g)) {
        const day = /^\d{4}-\d{2}-\d{2}T/.test(mm[2]) ? mm[2].slice(0, 10) : null;
        if (day) t.days[day].cost = formatDec(parseDec(t.days[day].cost) + parseDec(mm[1]));
      }
      url = body.nextLink;
      if (url) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v3\/enrollments\/87654321\/usagedetailsbycustomdate\?.*skiptoken=/);
    }
    expect(pages).toBeGreaterThan(5);
    expect(emptyPages).toBe(1); // 2026-02-10 has no data
    tallyEqualsTruth(t, 'actual', start, end, sb);
    const wrong = await http.get(`${sb.baseUrl}/v3/enrollments/87654321/usagedetailsbycustomdate?startTime=${start}&endTime=${end}`, {headers: {Authorization: 'bearer wrong'}});
    expect(wrong.status).toBe(401);
    const long = await http.get(`${sb.baseUrl}/v3/enrollments/87654321/usagedetailsbycustomdate?startTime=2026-01-01&endTime=2026-03-01`, auth);
    expect(long.status).toBe(400);
  });

  test('truth endpoint matches computeTruth and sums exactly', async () => {
    const r = await http.get(`${sb.baseUrl}/_sandbox/truth?metric=amortized&start=2026-02-01&end=2026-02-28`);
    const truth = computeTruth(sb.enrollment, 'amortized', '2026-02-01', '2026-02-28');
    expect(r.data).toEqual(truth);
    const sum = Object.values(truth.days).reduce((a, d) => a + parseDec(d.cost), 0n);
    expect(formatDec(sum)).toBe(truth.cost);
    expect(truth.days['2026-02-10']).toMatchObject({rows: 0, cost: '0'});
    const s = await http.get(`${sb.baseUrl}/_sandbox/stats`);
    expect(s.data.requests.generateCostDetailsReport).toBeGreaterThan(0);
  });
});

describe('sandbox options', () => {
  test('403 when the principal lacks the billing role', async () => {
    const sb = await startSandbox({...BASE, forbidden: true});
    try {
      const token = await getToken(sb);
      const r = await http.post(generateUrl(sb), {metric: 'ActualCost', timePeriod: {start: '2026-02-01', end: '2026-02-02'}}, {headers: {Authorization: `Bearer ${token}`}});
      expect(r.status).toBe(403);
      expect(r.data.error.code).toBe('AuthorizationFailed');
      expect(r.data.error.message).toContain("does not have authorization to perform action 'Microsoft.CostManagement/generateCostDetailsReport/action'");
    } finally {
      await sb.close();
    }
  });

  test('path prefix', async () => {
    const sb = await startSandbox({...BASE, pathPrefix: '/azure'});
    try {
      expect(sb.baseUrl).toMatch(/\/azure$/);
      const token = await getToken(sb);
      const r = await requestReport(sb, token, 'ActualCost', '2026-03-01', '2026-03-03');
      expect(r.status).toBe(200);
      const unprefixed = sb.baseUrl.replace(/\/azure$/, '');
      expect((await http.post(`${unprefixed}/${sb.options.tenantId}/oauth2/v2.0/token`, 'x=1')).status).toBe(404);
      const ea = await http.get(`${sb.baseUrl}/v3/enrollments/87654321/usagedetailsbycustomdate?startTime=2026-03-01&endTime=2026-03-01`, {headers: {Authorization: `bearer ${sb.options.apiKey}`}});
      expect(ea.status).toBe(200);
      if (ea.data.nextLink) expect(ea.data.nextLink).toContain('/azure/v3/');
    } finally {
      await sb.close();
    }
  });

  test('tokens expire server-side', async () => {
    const sb = await startSandbox({...BASE, tokenLifetimeSeconds: 1});
    try {
      const token = await getToken(sb);
      await new Promise((r) => setTimeout(r, 1100));
      const r = await http.post(generateUrl(sb), {metric: 'ActualCost', timePeriod: {start: '2026-02-01', end: '2026-02-02'}}, {headers: {Authorization: `Bearer ${token}`}});
      expect(r.status).toBe(401);
      expect(r.data.error.code).toBe('ExpiredAuthenticationToken');
    } finally {
      await sb.close();
    }
  });

  test('same seed gives identical bytes; cacheDir reuses rendered blobs', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-cache-test-'));
    const digest = async (opts: SandboxOptions) => {
      const sb = await startSandbox(opts);
      try {
        const token = await getToken(sb);
        const {bufs} = await fetchReport(sb, token, 'AmortizedCost', '2026-02-01', '2026-02-15');
        const ea = await http.get(`${sb.baseUrl}/v3/enrollments/87654321/usagedetailsbycustomdate?startTime=2026-02-01&endTime=2026-02-03`, {headers: {Authorization: `bearer ${sb.options.apiKey}`}, responseType: 'text'});
        const h = createHash('sha256');
        bufs.forEach((b) => h.update(b));
        h.update(String(ea.data).replace(/http:\/\/127\.0\.0\.1:\d+/g, ''));
        return h.digest('hex');
      } finally {
        await sb.close();
      }
    };
    try {
      const a = await digest(BASE);
      const b = await digest({...BASE, cacheDir});
      const files = fs.readdirSync(cacheDir).filter((f) => !f.startsWith('.'));
      expect(files.length).toBe(1);
      const mtime = fs.statSync(path.join(cacheDir, files[0], '0.csv')).mtimeMs;
      const c = await digest({...BASE, cacheDir});
      expect(fs.statSync(path.join(cacheDir, files[0], '0.csv')).mtimeMs).toBe(mtime);
      expect(b).toBe(a);
      expect(c).toBe(a);
      expect(await digest({...BASE, seed: 8})).not.toBe(a);
    } finally {
      fs.rmSync(cacheDir, {recursive: true, force: true});
    }
  });

  test('CLI flag parsing', () => {
    const o = parseArgs(['--port', '0', '--rows-per-day=10', '--seed', '3', '--start', '2026-01-01', '--empty-days', '2026-01-02,2026-01-03', '--rate-5xx', '0.1', '--forbidden']);
    expect(o).toMatchObject({port: 0, rowsPerDay: 10, seed: 3, startDate: '2026-01-01', emptyDays: ['2026-01-02', '2026-01-03'], forbidden: true, faults: {rate5xx: 0.1}});
    expect(() => parseArgs(['--nope'])).toThrow(/unknown flag/);
  });
});

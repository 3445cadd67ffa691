import {computeTruth} from '../../sandbox/enrollment';
import {FaultOptions} from '../../sandbox/faults';
import {Sandbox, SandboxOptions, startSandbox} from '../../sandbox/server';
import {generateUrl, getToken, parseCostCsv, requestReport, sandboxHttp as http, tallyCsv, Tally} from '../../sandbox/testing';

const BASE: SandboxOptions = {
  seed: 11,
  today: '2026-03-15',
  startDate: '2026-01-20',
  endDate: '2026-03-10',
  rowsPerDay: 40,
  emptyDays: ['2026-02-04'],
  maxRowsPerBlob: 150,
  eaPageSize: 60,
  retryAfterSeconds: 0,
};

const FAULTS: FaultOptions = {
  seed: 99, rate429: 0.1, rate5xx: 0.1, rateReset: 0.08, rateTruncate: 0.12, rateSlow: 0.05, slowMs: 20,
  tokenExpiryEvery: 9, retryAfterSeconds: 0,
};

type Outcome = {ok: true; data: string} | {ok: false; why: string};

/** One attempt, classified the way a careful client would. */
async function attempt(method: 'get' | 'post', url: string, opts: {token?: string; body?: unknown; expectBytes?: number; json?: boolean; form?: string}): Promise<Outcome> {
  try {
    const headers: Record<string, string> = {};
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    if (opts.form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const r = await http.request({method, url, headers, data: opts.form ?? opts.body, responseType: 'arraybuffer', timeout: 5000});
    const buf = Buffer.from(r.data as ArrayBuffer);
    if (r.status !== 200 && r.status !== 202) return {ok: false, why: String(r.status)};
    if (opts.expectBytes !== undefined && buf.length !== opts.expectBytes) return {ok: false, why: 'short'};
    const text = buf.toString('utf8');
    if (opts.json && r.status === 200) {
      try {
        JSON.parse(text);
      } catch {
        return {ok: false, why: 'badjson'};
      }
    }
    return {ok: true, data: r.status === 202 ? `202|${r.headers.location}` : text};
  } catch (e) {
    return {ok: false, why: 'neterr'};
  }
}

/** A fixed scenario run with a retrying client; returns the log of every attempt. */
async function probe(sb: Sandbox): Promise<{log: string[]; tally: Tally; eaRows: number; maxTries: number}> {
  const log: string[] = [];
  let maxTries = 0;
  let token = '';
  const o = sb.options;
  const form = new URLSearchParams({grant_type: 'client_credentials', client_id: o.clientId, client_secret: o.clientSecret, scope: 'https://management.azure.com/.default'}).toString();
  const refresh = async () => {
    const t = await retry('token', () => attempt('post', `${sb.baseUrl}/${o.tenantId}/oauth2/v2.0/token`, {form, json: true}));
    token = (JSON.parse(t) as {access_token: string}).access_token;
  };
  async function retry(step: string, fn: () => Promise<Outcome>): Promise<string> {
    for (let i = 1; i <= 10; i++) {
      const r = await fn();
      // "Still running" polls depend on timing; everything else must repeat exactly.
      if (!(r.ok && step === 'poll' && r.data.startsWith('202|'))) log.push(`${step}:${r.ok ? 'ok' : r.why}`);
      if (r.ok) {
        maxTries = Math.max(maxTries, i);
        return r.data;
      }
      if (r.why === '401') await refresh();
    }
    throw new Error(`${step} did not get through: ${log.slice(-10).join(' ')}`);
  }
  await refresh();
  const gen = await retry('generate', () => attempt('post', generateUrl(sb), {token, body: {metric: 'ActualCost', timePeriod: {start: '2026-02-01', end: '2026-02-14'}}}));
  let loc = gen.slice(4);
  let manifest: {blobs: Array<{blobLink: string; byteCount: number}>};
  for (;;) {
    const p = await retry('poll', () => attempt('get', loc, {token, json: true}));
    if (p.startsWith('202|')) {
      loc = p.slice(4);
      continue;
    }
    manifest = (JSON.parse(p) as {manifest: typeof manifest}).manifest;
    break;
  }
  const tally: Tally = {days: {}, unusableDateRows: 0, rows: 0};
  for (const [i, b] of manifest.blobs.entries()) {
    const csv = await retry(`blob${i}`, () => attempt('get', b.blobLink, {expectBytes: b.byteCount}));
    tallyCsv(parseCostCsv(Buffer.from(csv, 'utf8')), tally);
  }
  let url: string | null = `${sb.baseUrl}/v3/enrollments/${o.enrollmentNumber}/usagedetailsbycustomdate?startTime=2026-02-01&endTime=2026-02-07`;
  let eaRows = 0;
  while (url) {
    const u: string = url;
    const page = JSON.parse(await retry('ea', () => attempt('get', u, {json: true, token: o.apiKey}))) as {data: unknown[]; nextLink: string | null};
    eaRows += page.data.length;
    url = page.nextLink;
  }
  return {log, tally, eaRows, maxTries};
}

describe('sandbox faults', () => {
  test('same fault seed -> same faults for the same requests; a retrying client gets through with correct data', async () => {
    const a = await startSandbox({...BASE, faults: FAULTS});
    const b = await startSandbox({...BASE, faults: FAULTS});
    try {
      const ra = await probe(a);
      const rb = await probe(b);
      expect(ra.log).toEqual(rb.log);
      const failures = ra.log.filter((l) => !l.endsWith(':ok'));
      expect(failures.length).toBeGreaterThan(3);
      expect(ra.maxTries).toBeLessThanOrEqual(6);
      const truth = computeTruth(a.enrollment, 'actual', '2026-02-01', '2026-02-14');
      expect(ra.tally.rows).toBe(truth.rows);
      expect(ra.tally.unusableDateRows).toBe(truth.unusableDateRows);
      for (const [day, d] of Object.entries(truth.days)) if (d.rows) expect(ra.tally.days[day]).toEqual({rows: d.rows, cost: d.cost});
      expect(ra.eaRows).toBe(computeTruth(a.enrollment, 'actual', '2026-02-01', '2026-02-07').rows + computeTruth(a.enrollment, 'actual', '2026-02-01', '2026-02-07').unusableDateRows);
      const injected = Object.values(a.stats.faults).reduce((x, y) => x + y, 0);
      expect(injected).toBeGreaterThan(3);
      expect(a.stats.faults).toEqual(b.stats.faults);
      // A different fault seed gives a different pattern.
      const c = await startSandbox({...BASE, faults: {...FAULTS, seed: 100}});
      try {
        expect((await probe(c)).log).not.toEqual(ra.log);
      } finally {
        await c.close();
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('faults are bounded per request key unless alwaysFail', async () => {
    const sb = await startSandbox({...BASE, faults: {seed: 1, rate5xx: 1}});
    const sbAlways = await startSandbox({...BASE, faults: {seed: 1, rate5xx: 1, alwaysFail: true}});
    try {
      const statuses = async (s: Sandbox) => {
        const out: number[] = [];
        for (let i = 0; i < 4; i++) {
          const r = await http.get(`${s.baseUrl}/v3/enrollments/87654321/usagedetailsbycustomdate?startTime=2026-02-01&endTime=2026-02-01`, {headers: {Authorization: `bearer ${s.options.apiKey}`}});
          out.push(r.status);
          if (r.status === 502) expect(String(r.data)).toContain('<html>');
        }
        return out;
      };
      const s1 = await statuses(sb);
      expect(s1[2]).toBe(200);
      expect(s1[0]).toBeGreaterThanOrEqual(500);
      expect(s1[1]).toBeGreaterThanOrEqual(500);
      expect((await statuses(sbAlways)).every((s) => s >= 500)).toBe(true);
    } finally {
      await Promise.all([sb.close(), sbAlways.close()]);
    }
  });

  test('truncated and reset blobs', async () => {
    for (const kind of ['rateTruncate', 'rateReset'] as const) {
      const sb = await startSandbox({...BASE, faults: {seed: 5, [kind]: 1, endpoints: ['blob']}});
      try {
        const token = await getToken(sb);
        const r = await requestReport(sb, token, 'ActualCost', '2026-02-01', '2026-02-02');
        const blob = r.manifest!.blobs[0];
        const results: string[] = [];
        for (let i = 0; i < 3; i++) {
          try {
            const g = await http.get(blob.blobLink, {responseType: 'arraybuffer'});
            const len = Buffer.from(g.data as ArrayBuffer).length;
            results.push(len === blob.byteCount ? 'full' : len < blob.byteCount ? `short:${g.headers['content-length'] ? 'cl' : 'chunked'}` : 'long');
          } catch {
            results.push('error');
          }
        }
        expect(results[2]).toBe('full');
        if (kind === 'rateReset') expect(results.slice(0, 2)).toEqual(['error', 'error']);
        else expect(results.slice(0, 2).every((x) => x.startsWith('short'))).toBe(true);
        expect(sb.stats.faults[kind === 'rateReset' ? 'reset' : 'truncate']).toBe(2);
      } finally {
        await sb.close();
      }
    }
  });

  test('rate limit: 429 beyond maxConcurrentReports', async () => {
    const sb = await startSandbox({...BASE, maxConcurrentReports: 2, reportLatencyMs: 400});
    try {
      const token = await getToken(sb);
      const days = ['2026-02-01', '2026-02-02', '2026-02-03', '2026-02-05', '2026-02-06'];
      const rs = await Promise.all(days.map((d) => http.post(generateUrl(sb), {metric: 'ActualCost', timePeriod: {start: d, end: d}}, {headers: {Authorization: `Bearer ${token}`}})));
      const codes = rs.map((r) => r.status).sort();
      expect(codes).toEqual([202, 202, 429, 429, 429]);
      for (const r of rs.filter((x) => x.status === 429)) {
        expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(r.headers['x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after']).toBeDefined();
      }
      expect(sb.stats.rateLimited).toBe(3);
      expect(sb.stats.concurrentReportsPeak).toBe(2);
      await new Promise((r) => setTimeout(r, 450));
      const again = await http.post(generateUrl(sb), {metric: 'ActualCost', timePeriod: {start: '2026-02-07', end: '2026-02-07'}}, {headers: {Authorization: `Bearer ${token}`}});
      expect(again.status).toBe(202);
    } finally {
      await sb.close();
    }
  });

  test('failed and no-data reports, then success on a new request', async () => {
    const sb = await startSandbox({...BASE, faults: {failedReports: [
      {start: '2026-02-01', end: '2026-02-28', metric: 'ActualCost'},
      {start: '2026-02-01', end: '2026-02-28', metric: 'AmortizedCost', status: 'NoDataFound'},
    ]}});
    try {
      const token = await getToken(sb);
      const f = await requestReport(sb, token, 'ActualCost', '2026-02-02', '2026-02-03');
      expect(f.body).toMatchObject({status: 'Failed'});
      const n = await requestReport(sb, token, 'AmortizedCost', '2026-02-02', '2026-02-03');
      expect(n.body).toMatchObject({status: 'NoDataFound'});
      const ok = await requestReport(sb, token, 'ActualCost', '2026-02-02', '2026-02-03');
      expect(ok.body).toMatchObject({status: 'Completed'});
      expect(sb.stats.faults.failedReport).toBe(1);
      expect(sb.stats.faults.noDataFound).toBe(1);
    } finally {
      await sb.close();
    }
  });

  test('tokenExpiryEvery: every N-th authorized request gets 401 and the token stops working', async () => {
    const sb = await startSandbox({...BASE, faults: {tokenExpiryEvery: 3}});
    try {
      const token = await getToken(sb);
      const body = {metric: 'ActualCost', timePeriod: {start: '2026-03-01', end: '2026-03-01'}};
      const post = () => http.post(generateUrl(sb), body, {headers: {Authorization: `Bearer ${token}`}});
      expect((await post()).status).toBe(202);
      expect((await post()).status).toBe(202);
      const third = await post();
      expect(third.status).toBe(401);
      expect(third.data.error.code).toBe('ExpiredAuthenticationToken');
      expect((await post()).status).toBe(401);
      const fresh = await getToken(sb);
      expect((await http.post(generateUrl(sb), body, {headers: {Authorization: `Bearer ${fresh}`}})).status).toBe(202);
      expect(sb.stats.faults.tokenExpiry).toBe(1);
    } finally {
      await sb.close();
    }
  });
});

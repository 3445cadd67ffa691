/**
 * The sandbox's storage account (docs/design.md §14): Blob REST as Azure speaks it (listing with
 * NextMarker paging, Range, x-ms-version, SAS and bearer auth, XML errors, faults) and the
 * Cost Management exports it holds (layout, manifests, runs, formats, truth).
 */
import {gunzipSync} from 'zlib';
import {parse} from 'csv-parse/sync';
import {formatDec, parseDec} from '../../sandbox/decimal';
import {mcaProfilePath} from '../../sandbox/scopes';
import {MCA_PROFILES} from '../../sandbox/mca-catalog';
import {Sandbox, SandboxOptions, startSandbox} from '../../sandbox/server';
import {ExportSpec} from '../../sandbox/exports/spec';
import {
  blobUrl, fetchBlob, getScopedToken, listAllBlobs, mintExpiredSas, mintReadOnlySas, mintSas, readParquet, requestReport, getToken,
  sandboxHttp as http, STORAGE_VERSION, downloadBlob,
} from '../../sandbox/testing';

const BASE: SandboxOptions = {
  seed: 11,
  today: '2026-03-12',
  startDate: '2026-01-25',
  endDate: '2026-03-10',
  rowsPerDay: 40,
  emptyDays: ['2026-02-14'],
};

const EXPORTS: ExportSpec[] = [
  {name: 'ea-actual', dataset: 'ActualCost', format: 'csv', incompleteNewest: true, messyManifest: true, rowsPerPart: 500},
  {name: 'ea-amortized', dataset: 'AmortizedCost', format: 'csv-gzip', timeFolder: false, rowsPerPart: 700},
  {name: 'ea-usage-legacy', dataset: 'Usage', format: 'csv', legacyManifest: true, history: false, timeFolder: false},
  {name: 'mca-actual-pq', dataset: 'ActualCost', scope: 'mca', mcaProfile: 1, format: 'parquet-snappy', history: false, rowsPerPart: 300},
  {name: 'mca-actual-csv', dataset: 'ActualCost', scope: 'mca', mcaProfile: 1, format: 'csv', history: false, rowsPerPart: 300},
  {name: 'ea-amortized-pq', dataset: 'AmortizedCost', format: 'parquet', history: false, months: ['2026-02']},
];

const V = {'x-ms-version': STORAGE_VERSION};

interface Manifest {
  manifestVersion: string;
  byteCount?: number;
  blobCount?: number;
  dataRowCount?: number;
  exportConfig: {exportName: string; resourceId: string; type: string; dataVersion: string};
  deliveryConfig: {fileFormat: string; compressionMode: string; rootFolderPath: string};
  runInfo: {runId: string; startDate: string; endDate: string; submittedTime: string};
  blobs: Array<{blobName: string; byteCount: number; dataRowCount?: number}>;
}

/** Rows of a part: CSV (plain or gzip) or Parquet, as text cells with a header. */
async function partRows(name: string, bytes: Buffer): Promise<{header: string[]; rows: Array<Array<string | null>>}> {
  if (name.endsWith('.parquet')) {
    const p = await readParquet(bytes);
    return {header: p.header, rows: p.rows};
  }
  const text = name.endsWith('.gz') ? gunzipSync(bytes) : bytes;
  const all = parse(text, {bom: true, relax_column_count: false}) as string[][];
  return {header: all[0], rows: all.slice(1)};
}

describe('sandbox storage account: Blob REST', () => {
  let sb: Sandbox;
  let sas: string;
  beforeAll(async () => {
    sb = await startSandbox({...BASE, exports: EXPORTS});
    sas = mintSas(sb);
    await sb.exportTruth();
  });
  afterAll(() => sb.close());

  const listUrl = (q: Record<string, string>, auth = sas) =>
    `${sb.storage.accountUrl}/${sb.storage.container}?${new URLSearchParams({restype: 'container', comp: 'list', ...q}).toString()}${auth ? '&' + auth : ''}`;

  test('lists the container in pages joined by NextMarker, in name order, filtered by prefix', async () => {
    const all = await listAllBlobs(sb, {sas});
    expect(all.pages).toBe(1); // default maxresults 5000
    const names = all.blobs.map((b) => b.name);
    expect(names).toEqual([...names].sort());
    const paged = await listAllBlobs(sb, {sas}, '', 7);
    expect(paged.pages).toBe(Math.ceil(names.length / 7));
    expect(paged.blobs).toEqual(all.blobs);
    const pre = `${sb.storage.rootFolderPath}/ea-amortized/`;
    const some = await listAllBlobs(sb, {sas}, pre, 3);
    expect(some.blobs.length).toBeGreaterThan(3);
    expect(some.blobs.map((b) => b.name)).toEqual(names.filter((n) => n.startsWith(pre)));
    // the XML echoes the request and ends with an empty NextMarker
    const r = await http.get(listUrl({prefix: pre, maxresults: '2'}), {headers: V, responseType: 'text'});
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/xml');
    const xml = r.data as string;
    expect(xml).toContain(`<EnumerationResults ServiceEndpoint="${sb.storage.accountUrl}/" ContainerName="${sb.storage.container}">`);
    expect(xml).toContain(`<Prefix>${pre}</Prefix><MaxResults>2</MaxResults>`);
    expect(xml).toMatch(/<NextMarker>[^<]+<\/NextMarker><\/EnumerationResults>$/);
    const last = await http.get(listUrl({prefix: `${pre}zzz`}), {headers: V, responseType: 'text'});
    expect(last.data).toContain('<Blobs></Blobs><NextMarker /></EnumerationResults>');
    // delimiter: the export folders as BlobPrefix entries
    const d = await http.get(listUrl({prefix: `${sb.storage.rootFolderPath}/`, delimiter: '/'}), {headers: V, responseType: 'text'});
    const prefixes = [...(d.data as string).matchAll(/<BlobPrefix><Name>([^<]+)<\/Name><\/BlobPrefix>/g)].map((m) => m[1]);
    expect(prefixes).toEqual(EXPORTS.map((e) => `${sb.storage.rootFolderPath}/${e.name}/`).sort());
    const bad = await http.get(listUrl({maxresults: '5001'}), {headers: V, responseType: 'text'});
    expect(bad.status).toBe(400);
    expect(bad.headers['x-ms-error-code']).toBe('OutOfRangeQueryParameterValue');
  });

  test('Get Blob: whole, Range 206 with Content-Range, suffix range, 416 past the end', async () => {
    const {blobs} = await listAllBlobs(sb, {sas}, `${sb.storage.rootFolderPath}/ea-actual/`);
    const part = blobs.find((b) => b.name.endsWith('.csv'))!;
    const whole = await fetchBlob(sb, part.name, sas);
    expect(whole.length).toBe(part.size);
    const full = await http.get(blobUrl(sb, part.name, sas), {headers: V, responseType: 'arraybuffer'});
    expect(full.status).toBe(200);
    expect(Number(full.headers['content-length'])).toBe(part.size);
    expect(full.headers['x-ms-blob-type']).toBe('BlockBlob');
    expect(full.headers['accept-ranges']).toBe('bytes');
    const r = await http.get(blobUrl(sb, part.name, sas), {headers: {...V, Range: 'bytes=100-1099'}, responseType: 'arraybuffer'});
    expect(r.status).toBe(206);
    expect(r.headers['content-range']).toBe(`bytes 100-1099/${part.size}`);
    expect(Number(r.headers['content-length'])).toBe(1000);
    expect(Buffer.from(r.data as ArrayBuffer).equals(whole.subarray(100, 1100))).toBe(true);
    const open = await http.get(blobUrl(sb, part.name, sas), {headers: {...V, Range: `bytes=${part.size - 10}-`}, responseType: 'arraybuffer'});
    expect(open.status).toBe(206);
    expect(Buffer.from(open.data as ArrayBuffer).equals(whole.subarray(part.size - 10))).toBe(true);
    const x = await http.get(blobUrl(sb, part.name, sas), {headers: {...V, 'x-ms-range': 'bytes=0-9'}, responseType: 'arraybuffer'});
    expect(x.status).toBe(206);
    expect(Buffer.from(x.data as ArrayBuffer).equals(whole.subarray(0, 10))).toBe(true);
    const past = await http.get(blobUrl(sb, part.name, sas), {headers: {...V, Range: `bytes=${part.size}-`}, responseType: 'text'});
    expect(past.status).toBe(416);
    expect(past.headers['x-ms-error-code']).toBe('InvalidRange');
    const head = await http.head(blobUrl(sb, part.name, sas), {headers: V});
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(part.size);
  });

  test('x-ms-version is required, and 2021-08-06 or later', async () => {
    const noVersion = await http.get(listUrl({}), {responseType: 'text'});
    expect(noVersion.status).toBe(400);
    expect(noVersion.headers['x-ms-error-code']).toBe('MissingRequiredHeader');
    const old = await http.get(listUrl({}), {headers: {'x-ms-version': '2019-12-12'}, responseType: 'text'});
    expect(old.status).toBe(400);
    expect(old.headers['x-ms-error-code']).toBe('InvalidHeaderValue');
  });

  test('SAS: a wrong signature or an expired SAS is 403 AuthenticationFailed; listing without l is AuthorizationPermissionMismatch', async () => {
    const wrong = mintSas(sb, {key: Buffer.from('not the account key').toString('base64')});
    const r1 = await http.get(listUrl({}, wrong), {headers: V, responseType: 'text'});
    expect(r1.status).toBe(403);
    expect(r1.headers['x-ms-error-code']).toBe('AuthenticationFailed');
    expect(r1.data).toMatch(/^\ufeff?<\?xml version="1.0" encoding="utf-8"\?><Error><Code>AuthenticationFailed<\/Code><Message>Server failed to authenticate the request/);
    expect(r1.data).toContain('<AuthenticationErrorDetail>Signature did not match.');
    // a signature altered by one character
    const tampered = sas.replace(/sig=([^&]+)/, (_, s: string) => `sig=${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`);
    expect((await http.get(listUrl({}, tampered), {headers: V})).status).toBe(403);
    const expired = await http.get(listUrl({}, mintExpiredSas(sb)), {headers: V, responseType: 'text'});
    expect(expired.status).toBe(403);
    expect(expired.headers['x-ms-error-code']).toBe('AuthenticationFailed');
    expect(expired.data).toMatch(/Signature not valid in the specified time frame: Start \[\] - Expiry \[[^\]]+\] - Current \[/);
    const readOnly = mintReadOnlySas(sb);
    const list = await http.get(listUrl({}, readOnly), {headers: V, responseType: 'text'});
    expect(list.status).toBe(403);
    expect(list.headers['x-ms-error-code']).toBe('AuthorizationPermissionMismatch');
    const {blobs} = await listAllBlobs(sb, {sas});
    const get = await http.get(blobUrl(sb, blobs[0].name, readOnly), {headers: V});
    expect(get.status).toBe(200);
    const listOnly = await http.get(blobUrl(sb, blobs[0].name, mintSas(sb, {permissions: 'l'})), {headers: V});
    expect(listOnly.status).toBe(403);
    expect(listOnly.headers['x-ms-error-code']).toBe('AuthorizationPermissionMismatch');
    // an older signed version (string-to-sign without the encryption scope line) still works
    expect((await http.get(listUrl({maxresults: '1'}, mintSas(sb, {version: '2020-08-04'})), {headers: V})).status).toBe(200);
    // no credentials at all: the account does not allow anonymous reads
    expect((await http.get(listUrl({}, ''), {headers: V})).status).toBe(404);
  });

  test('bearer: a storage token reads; a management token is refused with 403; a storage token does not work on ARM', async () => {
    const token = await getScopedToken(sb);
    const {blobs} = await listAllBlobs(sb, {token});
    expect(blobs.length).toBeGreaterThan(10);
    const get = await http.get(blobUrl(sb, blobs[1].name), {headers: {...V, Authorization: `Bearer ${token}`}});
    expect(get.status).toBe(200);
    const arm = await getToken(sb);
    const r = await http.get(listUrl({}, ''), {headers: {...V, Authorization: `Bearer ${arm}`}, responseType: 'text'});
    expect(r.status).toBe(403);
    expect(r.headers['x-ms-error-code']).toBe('AuthenticationFailed');
    expect(r.data).toContain('Audience validation failed');
    const unknown = await http.get(listUrl({}, ''), {headers: {...V, Authorization: 'Bearer not-a-token'}});
    expect(unknown.status).toBe(401);
    expect(unknown.headers['x-ms-error-code']).toBe('InvalidAuthenticationInfo');
    const onArm = await requestReport(sb, token, 'ActualCost', '2026-02-01', '2026-02-02');
    expect(onArm.status).toBe(401);
  });

  test('unknown container: 404 ContainerNotFound; unknown blob: 404 BlobNotFound', async () => {
    const token = await getScopedToken(sb);
    const c = await http.get(`${sb.storage.accountUrl}/nosuchcontainer?restype=container&comp=list`, {headers: {...V, Authorization: `Bearer ${token}`}, responseType: 'text'});
    expect(c.status).toBe(404);
    expect(c.headers['x-ms-error-code']).toBe('ContainerNotFound');
    expect(c.data).toContain('<Code>ContainerNotFound</Code><Message>The specified container does not exist.');
    const b = await http.get(blobUrl(sb, 'costmanagement/nope.csv', sas), {headers: V, responseType: 'text'});
    expect(b.status).toBe(404);
    expect(b.headers['x-ms-error-code']).toBe('BlobNotFound');
  });
});

describe('sandbox storage account: the principal without Storage Blob Data Reader', () => {
  test('bearer requests are 403 AuthorizationPermissionMismatch; SAS still works', async () => {
    const sb = await startSandbox({...BASE, storageBlobDataReader: false, exports: [EXPORTS[2]]});
    try {
      const token = await getScopedToken(sb);
      const r = await http.get(`${sb.storage.accountUrl}/${sb.storage.container}?restype=container&comp=list`, {headers: {...V, Authorization: `Bearer ${token}`}});
      expect(r.status).toBe(403);
      expect(r.headers['x-ms-error-code']).toBe('AuthorizationPermissionMismatch');
      expect((await listAllBlobs(sb, {sas: mintSas(sb)})).blobs.length).toBeGreaterThan(0);
    } finally {
      await sb.close();
    }
  });
});

describe('sandbox storage account: faults', () => {
  const small: ExportSpec[] = [{name: 'ea-usage-legacy', dataset: 'Usage', format: 'csv', history: false, months: ['2026-02']}];

  test('503 ServerBusy and 500 OperationTimedOut, then the retry succeeds', async () => {
    const sb = await startSandbox({...BASE, exports: small, faults: {seed: 3, rate5xx: 1, endpoints: ['storage'], maxConsecutive: 2}});
    try {
      const sas = mintSas(sb);
      const url = `${sb.storage.accountUrl}/${sb.storage.container}?restype=container&comp=list&${sas}`;
      const codes: string[] = [];
      let r;
      for (;;) {
        r = await http.get(url, {headers: V, responseType: 'text'});
        if (r.status === 200) break;
        codes.push(`${r.status} ${String(r.headers['x-ms-error-code'])}`);
      }
      expect(codes.length).toBe(2);
      for (const c of codes) expect(['503 ServerBusy', '500 OperationTimedOut']).toContain(c);
      expect(sb.stats.faults['5xx']).toBe(2);
    } finally {
      await sb.close();
    }
  });

  test('a reset in the middle of a blob body; the rest comes with Range', async () => {
    const sb = await startSandbox({...BASE, exports: small, faults: {seed: 5, rateReset: 1, endpoints: ['storage'], maxConsecutive: 1}});
    try {
      const sas = mintSas(sb);
      const t = await sb.exportTruth('ea-usage-legacy');
      const blob = t.runs[0].blobs[0];
      const got: Buffer[] = [];
      let have = 0;
      let resets = 0;
      while (have < blob.byteCount) {
        const chunks: Buffer[] = [];
        const ok = await new Promise<boolean>((resolve) => {
          http.get(blobUrl(sb, blob.blobName, sas), {headers: {...V, ...(have ? {Range: `bytes=${have}-`} : {})}, responseType: 'stream', validateStatus: () => true}).then((res) => {
            const s = res.data as NodeJS.ReadableStream;
            s.on('data', (c: Buffer) => chunks.push(c));
            s.on('end', () => resolve(true));
            s.on('error', () => resolve(false));
            s.on('aborted', () => resolve(false));
          }, () => resolve(false));
        });
        const n = chunks.reduce((a, c) => a + c.length, 0);
        if (!ok || have + n < blob.byteCount) resets++;
        got.push(...chunks);
        have += n;
      }
      expect(resets).toBeGreaterThan(0);
      expect(sb.stats.faults.reset).toBeGreaterThan(0);
      const whole = Buffer.concat(got);
      expect(whole.length).toBe(blob.byteCount);
      expect(parse(whole, {bom: true}).length - 1).toBe(blob.dataRowCount);
    } finally {
      await sb.close();
    }
  });

  test('a SAS that expires after N requests (mid-sync), and on demand', async () => {
    const sb = await startSandbox({...BASE, exports: small, faults: {sasExpireAfterRequests: 2}});
    try {
      const sas = mintSas(sb);
      const url = `${sb.storage.accountUrl}/${sb.storage.container}?restype=container&comp=list&${sas}`;
      expect((await http.get(url, {headers: V})).status).toBe(200);
      expect((await http.get(url, {headers: V})).status).toBe(200);
      const r = await http.get(url, {headers: V, responseType: 'text'});
      expect(r.status).toBe(403);
      expect(r.headers['x-ms-error-code']).toBe('AuthenticationFailed');
      expect(r.data).toContain('Signature not valid in the specified time frame');
      expect(sb.stats.faults.sasExpired).toBe(1);
    } finally {
      await sb.close();
    }
    // a SAS that counts as expired from a given time on
    const sb3 = await startSandbox({...BASE, exports: small, faults: {sasExpiresAt: new Date(Date.now() - 1000).toISOString()}});
    try {
      const r = await http.get(`${sb3.storage.accountUrl}/${sb3.storage.container}?restype=container&comp=list&${mintSas(sb3)}`, {headers: V});
      expect(r.status).toBe(403);
      expect(r.headers['x-ms-error-code']).toBe('AuthenticationFailed');
      // a storage token is not a SAS: it still reads
      const token = await getScopedToken(sb3);
      expect((await http.get(`${sb3.storage.accountUrl}/${sb3.storage.container}?restype=container&comp=list`, {headers: {...V, Authorization: `Bearer ${token}`}})).status).toBe(200);
    } finally {
      await sb3.close();
    }
    const sb2 = await startSandbox({...BASE, exports: small});
    try {
      const sas = mintSas(sb2);
      const url = `${sb2.storage.accountUrl}/${sb2.storage.container}?restype=container&comp=list&${sas}`;
      expect((await http.get(url, {headers: V})).status).toBe(200);
      sb2.expireStorageSas();
      expect((await http.get(url, {headers: V})).status).toBe(403);
    } finally {
      await sb2.close();
    }
  });
});

describe('sandbox exports: layout, manifests, runs, truth', () => {
  let sb: Sandbox;
  let sas: string;
  beforeAll(async () => {
    sb = await startSandbox({...BASE, exports: EXPORTS});
    sas = mintSas(sb);
  });
  afterAll(() => sb.close());

  test('every manifest names blobs that exist with its counts, except the incomplete run; folders as §8 lays them out', async () => {
    const truth = await sb.exportTruth();
    const {blobs} = await listAllBlobs(sb, {sas});
    const sizes = new Map(blobs.map((b) => [b.name, b.size]));
    const manifests = blobs.filter((b) => /(^|\/)_?manifest\.json$/.test(b.name));
    const runCount = truth.exports.reduce((a, e) => a + e.runs.length, 0);
    expect(manifests.length).toBe(runCount);
    let missing = 0;
    for (const m of manifests) {
      const man = JSON.parse((await fetchBlob(sb, m.name, sas)).toString('utf8')) as Manifest;
      const exp = truth.exports.find((e) => e.name === man.exportConfig.exportName)!;
      const run = exp.runs.find((r) => r.runId === man.runInfo.runId)!;
      expect(run.manifest).toBe(m.name);
      const folder = m.name.slice(0, m.name.lastIndexOf('/'));
      const segs = folder.split('/');
      expect(segs[0]).toBe(sb.storage.rootFolderPath);
      expect(segs[1]).toBe(exp.name);
      expect(segs[2]).toMatch(/^\d{8}-\d{8}$/);
      expect(segs[segs.length - 1]).toBe(man.runInfo.runId);
      expect(segs.length).toBe(EXPORTS.find((e) => e.name === exp.name)!.timeFolder === false ? 4 : 5);
      if (segs.length === 5) expect(segs[3]).toMatch(/^\d{12}$/);
      expect(man.exportConfig.resourceId).toBe(exp.resourceId);
      expect(man.exportConfig.type).toBe(exp.dataset);
      if (exp.manifestFile === '_manifest.json') {
        expect(m.name.endsWith('/_manifest.json')).toBe(true);
        expect(man.dataRowCount).toBeUndefined();
        expect(man.byteCount).toBeUndefined();
      } else {
        expect(man.manifestVersion).toBe('2024-04-01');
        expect(man.blobCount).toBe(man.blobs.length);
        expect(man.byteCount).toBe(man.blobs.reduce((a, b) => a + b.byteCount, 0));
        expect(man.dataRowCount).toBe(man.blobs.reduce((a, b) => a + (b.dataRowCount ?? 0), 0));
        expect(man.dataRowCount).toBe(run.dataRowCount);
      }
      for (const b of man.blobs) {
        const name = b.blobName.trim();
        expect(name.startsWith(folder + '/')).toBe(true);
        if (!sizes.has(name)) {
          expect(run.status).toBe('incomplete');
          missing++;
          continue;
        }
        expect(sizes.get(name)).toBe(b.byteCount);
        if (b.dataRowCount !== undefined) {
          const {rows} = await partRows(name, await fetchBlob(sb, name, sas));
          expect(rows.length).toBe(b.dataRowCount);
        }
      }
      if (run.status === 'empty') {
        expect(man.blobs).toEqual([]);
        expect(man.dataRowCount).toBe(0);
      }
    }
    expect(missing).toBe(1);
    // the messy manifest: blob names with stray spaces, start dates without Z
    const messy = truth.exports.find((e) => e.name === 'ea-actual')!;
    const mm = JSON.parse((await fetchBlob(sb, messy.runs.find((r) => r.status === 'complete' && r.month === '2026-02')!.manifest, sas)).toString()) as Manifest;
    expect(mm.blobs.some((b) => b.blobName !== b.blobName.trim())).toBe(true);
    expect(mm.runInfo.startDate).toMatch(/T00:00:00$/);
    expect(mm.runInfo.endDate).toMatch(/T00:00:00Z$/);
    expect(mm.blobs.length).toBeGreaterThan(1);
  });

  test('runs: per month a zero-row run, a superseded run, the complete run read; the newest month also an incomplete run', async () => {
    const t = await sb.exportTruth('ea-actual');
    expect(Object.keys(t.months)).toEqual(['2026-01', '2026-02', '2026-03']);
    for (const [month, runId] of Object.entries(t.months)) {
      const runs = t.runs.filter((r) => r.month === month);
      const kinds = runs.map((r) => r.status);
      expect(kinds).toEqual(month === '2026-03' ? ['empty', 'superseded', 'complete', 'incomplete'] : ['empty', 'superseded', 'complete']);
      const read = runs.filter((r) => r.read);
      expect(read.map((r) => r.runId)).toEqual([runId]);
      expect(read[0].status).toBe('complete');
      // the incomplete run is the newest of its month
      const newest = [...runs].sort((a, b) => a.submittedTime.localeCompare(b.submittedTime)).pop()!;
      if (month === '2026-03') expect(newest.status).toBe('incomplete');
      else expect(newest.read).toBe(true);
    }
  });

  test('the truth of the runs read equals the Cost Details truth, EA and the MCA profile', async () => {
    for (const [name, metric] of [['ea-actual', 'actual'], ['ea-amortized', 'amortized'], ['ea-usage-legacy', 'actual']] as const) {
      const t = await sb.exportTruth(name);
      const api = sb.truth(metric, BASE.startDate, BASE.endDate);
      const apiDays = Object.fromEntries(Object.entries(api.days).filter(([, d]) => d.rows > 0).map(([d, x]) => [d, {rows: x.rows, cost: x.cost, costCents: x.costCents}]));
      expect(t.days).toEqual(apiDays);
      expect(t.rows).toBe(api.rows);
    }
    const profile = mcaProfilePath(sb.mca!.opts.billingAccountId, MCA_PROFILES[1].id);
    for (const name of ['mca-actual-pq', 'mca-actual-csv']) {
      const t = await sb.exportTruth(name);
      expect(t.scope).toBe(profile);
      const api = sb.truth('actual', BASE.startDate, BASE.endDate, profile);
      const apiDays = Object.fromEntries(Object.entries(api.days).filter(([, d]) => d.rows > 0).map(([d, x]) => [d, {rows: x.rows, cost: x.cost, costCents: x.costCents}]));
      expect(t.days).toEqual(apiDays);
    }
  });

  test('an export holds the rows of the Cost Details report of the same range, with the same texts', async () => {
    const t = await sb.exportTruth('ea-actual');
    const run = t.runs.find((r) => r.month === '2026-02' && r.read)!;
    const exportRows: string[] = [];
    let header: string[] = [];
    for (const b of run.blobs) {
      const p = await partRows(b.blobName, await fetchBlob(sb, b.blobName, sas));
      header = p.header;
      for (const r of p.rows) exportRows.push(JSON.stringify(r));
    }
    const token = await getToken(sb);
    const rep = await requestReport(sb, token, 'ActualCost', '2026-02-01', '2026-02-28');
    expect(rep.status).toBe(200);
    const apiRows: string[] = [];
    for (const b of rep.manifest!.blobs) {
      const all = parse(await downloadBlob(b.blobLink), {bom: true}) as string[][];
      expect(all[0]).toEqual(header);
      for (const r of all.slice(1)) apiRows.push(JSON.stringify(r));
    }
    expect(exportRows).toEqual(apiRows);
  });

  test('Parquet and CSV exports of the same rows decode to the same values; cost columns are DECIMAL(38, 28)', async () => {
    const read = async (name: string) => {
      const t = await sb.exportTruth(name);
      const out: {header: string[]; rows: Array<Array<string | null>>} = {header: [], rows: []};
      for (const r of t.runs.filter((x) => x.read)) {
        for (const b of r.blobs) {
          const p = await partRows(b.blobName, await fetchBlob(sb, b.blobName, sas));
          out.header = p.header;
          out.rows.push(...p.rows);
        }
      }
      return out;
    };
    const csv = await read('mca-actual-csv');
    const pq = await read('mca-actual-pq');
    expect(pq.header).toEqual(csv.header);
    expect(pq.rows.length).toBe(csv.rows.length);
    expect(pq.rows.length).toBeGreaterThan(100);
    const t = await sb.exportTruth('mca-actual-pq');
    const b = t.runs.find((r) => r.read && r.blobs.length)!.blobs[0];
    const meta = await readParquet(await fetchBlob(sb, b.blobName, sas));
    expect(meta.codecs).toEqual(['SNAPPY']);
    const decimals = new Set(meta.decimals.map((d) => d.name));
    expect(decimals).toEqual(new Set(['effectivePrice', 'quantity', 'costInBillingCurrency', 'costInPricingCurrency', 'costInUsd', 'paygCostInBillingCurrency', 'paygCostInUsd', 'exchangeRatePricingToBilling', 'PayGPrice', 'unitPrice']));
    expect(meta.decimals.every((d) => d.scale === 28)).toBe(true);
    const norm = (v: string | null, dec: boolean) => (dec ? (v === null || v === '' ? null : formatDec(parseDec(v))) : v ?? '');
    for (let i = 0; i < csv.rows.length; i++) {
      const a = csv.rows[i].map((v, k) => norm(v, decimals.has(csv.header[k])));
      const z = pq.rows[i].map((v, k) => norm(v, decimals.has(csv.header[k])));
      expect(z).toEqual(a);
    }
    // an uncompressed Parquet export
    const plain = await sb.exportTruth('ea-amortized-pq');
    const pb = plain.runs[0].blobs[0];
    expect(pb.blobName.endsWith('/part_0_0001.parquet')).toBe(true);
    expect((await readParquet(await fetchBlob(sb, pb.blobName, sas))).codecs).toEqual(['UNCOMPRESSED']);
  });

  test('/_sandbox/exports serves the same truth', async () => {
    const r = await http.get(`${sb.baseUrl}/_sandbox/exports?name=ea-amortized`);
    expect(r.status).toBe(200);
    expect(r.data).toEqual(JSON.parse(JSON.stringify(await sb.exportTruth('ea-amortized'))));
    expect((await http.get(`${sb.baseUrl}/_sandbox/exports?name=nope`)).status).toBe(404);
  });
});

describe('sandbox exports: the default set (every dataset, format and layout)', () => {
  let sb: Sandbox;
  let sas: string;
  beforeAll(async () => {
    sb = await startSandbox({...BASE, rowsPerDay: 20});
    sas = mintSas(sb);
  });
  afterAll(() => sb.close());

  test('every dataset is exported; every manifest and part agree; the runs read hold the truth', async () => {
    const truth = await sb.exportTruth();
    expect(new Set(truth.exports.map((e) => e.dataset))).toEqual(new Set(['ActualCost', 'AmortizedCost', 'Usage', 'FocusCost', 'PriceSheet', 'ReservationDetails', 'ReservationTransactions', 'ReservationRecommendations']));
    expect(new Set(truth.exports.map((e) => e.format))).toEqual(new Set(['csv', 'csv-gzip', 'parquet', 'parquet-snappy']));
    const {blobs} = await listAllBlobs(sb, {sas}, '', 50);
    const sizes = new Map(blobs.map((b) => [b.name, b.size]));
    for (const e of truth.exports) {
      for (const run of e.runs) {
        const man = JSON.parse((await fetchBlob(sb, run.manifest, sas)).toString()) as Manifest;
        expect(man.exportConfig.type).toBe(e.dataset);
        expect(man.exportConfig.dataVersion).toBe(e.dataVersion);
        expect(man.deliveryConfig.fileFormat).toBe(e.format.startsWith('csv') ? 'Csv' : 'Parquet');
        expect(man.deliveryConfig.compressionMode).toBe({csv: 'None', 'csv-gzip': 'Gzip', parquet: 'None', 'parquet-snappy': 'Snappy'}[e.format]);
        const perDay = new Map<string, number>();
        for (const b of run.blobs) {
          expect(sizes.get(b.blobName)).toBe(b.present ? b.byteCount : undefined);
          if (!b.present) continue;
          const {header, rows} = await partRows(b.blobName, await fetchBlob(sb, b.blobName, sas));
          expect(rows.length).toBe(b.dataRowCount);
          const dayCol = ['UsageDate', 'EventDate', 'ChargePeriodStart'].map((c) => header.indexOf(c)).find((i) => i >= 0);
          if (dayCol !== undefined) for (const r of rows) perDay.set(String(r[dayCol]).slice(0, 10), (perDay.get(String(r[dayCol]).slice(0, 10)) ?? 0) + 1);
        }
        if (perDay.size && run.status !== 'incomplete') {
          expect(Object.fromEntries(perDay)).toEqual(Object.fromEntries(Object.entries(run.days).map(([d, t]) => [d, t.rows])));
        }
      }
    }
  });

  test('FocusCost: per day Σ BilledCost = actual cost and Σ EffectiveCost = amortized cost, read back from Parquet and gzip CSV', async () => {
    const profile = mcaProfilePath(sb.mca!.opts.billingAccountId, MCA_PROFILES[0].id);
    for (const [name, scope] of [['ea-focus', undefined], ['mca-focus', profile]] as const) {
      const t = await sb.exportTruth(name);
      const billed = new Map<string, bigint>();
      const effective = new Map<string, bigint>();
      for (const run of t.runs.filter((r) => r.read)) {
        for (const b of run.blobs) {
          const {header, rows} = await partRows(b.blobName, await fetchBlob(sb, b.blobName, sas));
          const [s, bc, ec] = ['ChargePeriodStart', 'BilledCost', 'EffectiveCost'].map((c) => header.indexOf(c));
          for (const r of rows) {
            const d = String(r[s]).slice(0, 10);
            billed.set(d, (billed.get(d) ?? 0n) + parseDec(r[bc] ?? '0'));
            effective.set(d, (effective.get(d) ?? 0n) + parseDec(r[ec] ?? '0'));
          }
        }
      }
      const actual = scope ? sb.truth('actual', BASE.startDate, BASE.endDate, scope) : sb.truth('actual', BASE.startDate, BASE.endDate);
      const amortized = scope ? sb.truth('amortized', BASE.startDate, BASE.endDate, scope) : sb.truth('amortized', BASE.startDate, BASE.endDate);
      const days = Object.keys(actual.days).filter((d) => actual.days[d].rows > 0);
      expect([...billed.keys()].sort()).toEqual(days);
      for (const d of days) {
        expect(formatDec(billed.get(d)!)).toBe(actual.days[d].cost);
        expect(formatDec(effective.get(d)!)).toBe(amortized.days[d].cost);
        expect(t.days[d].billedCost).toBe(actual.days[d].cost);
        expect(t.days[d].effectiveCostCents).toBe(amortized.days[d].costCents);
      }
    }
  });

  test('the price sheet in Parquet decodes with exact decimals; MCA recommendations carry JSON cells', async () => {
    const ps = await sb.exportTruth('ea-pricesheet');
    const run = ps.runs.find((r) => r.read && r.blobs.length)!;
    const p = await readParquet(await fetchBlob(sb, run.blobs[0].blobName, sas));
    expect(p.header).toEqual(['BasePrice', 'CurrencyCode', 'EffectiveEndDate', 'EffectiveStartDate', 'IncludedQuantity', 'MarketPrice', 'MeterId', 'MeterCategory', 'MeterName',
      'MeterSubCategory', 'MeterRegion', 'MeterType', 'PartNumber', 'priceType', 'Product', 'ProductID', 'ServiceFamily', 'SkuID', 'Term', 'UnitOfMeasure', 'UnitPrice']);
    expect(p.codecs).toEqual(['UNCOMPRESSED']);
    expect(p.decimals.map((d) => d.name).sort()).toEqual(['BasePrice', 'IncludedQuantity', 'MarketPrice', 'UnitPrice']);
    const types = new Set(p.rows.map((r) => r[p.header.indexOf('priceType')]));
    expect(types).toEqual(new Set(['Consumption', 'ReservedInstance', 'SavingsPlan']));
    const rec = await sb.exportTruth('mca-reservation-recommendations');
    const rb = rec.runs.find((r) => r.read)!.blobs[0];
    const {header, rows} = await partRows(rb.blobName, await fetchBlob(sb, rb.blobName, sas));
    for (const r of rows) {
      expect(JSON.parse(r[header.indexOf('Net Savings')]!)).toEqual({value: expect.any(Number), currency: 'USD'});
      expect(JSON.parse(r[header.indexOf('Sku Properties')]!)).toEqual(expect.arrayContaining([{name: 'Location', value: expect.any(String)}]));
    }
  });

  test('by dataset: ActualCost (with the legacy Usage export for the first month) is the EA enrollment plus the MCA profile, day by day', async () => {
    const truth = await sb.exportTruth();
    const ds = truth.datasets.ActualCost;
    expect(new Set(ds.runs.map((r) => r.export))).toEqual(new Set(['ea-usage-legacy', 'ea-actual-daily', 'mca-actual-daily']));
    expect(ds.runs.filter((r) => r.export === 'ea-usage-legacy').map((r) => r.month)).toEqual(['2026-01']);
    const ea = sb.truth('actual', BASE.startDate, BASE.endDate);
    const mca = sb.truth('actual', BASE.startDate, BASE.endDate, mcaProfilePath(sb.mca!.opts.billingAccountId, MCA_PROFILES[0].id));
    for (const d of Object.keys(ea.days)) {
      const rows = ea.days[d].rows + mca.days[d].rows;
      if (rows === 0) {
        expect(ds.days[d]).toBeUndefined();
        continue;
      }
      expect(ds.days[d].rows).toBe(rows);
      expect(ds.days[d].cost).toBe(formatDec(parseDec(ea.days[d].cost) + parseDec(mca.days[d].cost)));
    }
    expect(truth.datasets.Usage).toBeUndefined();
    expect(truth.datasets.FocusCost.runs.length).toBe(truth.exports.filter((e) => e.dataset === 'FocusCost').reduce((a, e) => a + Object.keys(e.months).length, 0));
  });

  test('the legacy export has only _manifest.json files and part0-style names', async () => {
    const t = await sb.exportTruth('ea-usage-legacy');
    expect(t.manifestFile).toBe('_manifest.json');
    for (const r of t.runs) {
      expect(r.manifest.endsWith('/_manifest.json')).toBe(true);
      for (const b of r.blobs) expect(b.blobName).toMatch(/\/part\d+\.csv$/);
    }
  });
});

describe('sandbox CLI', () => {
  test('--exports picks the default set or named exports of it', async () => {
    const {parseArgs} = await import('../../sandbox/cli');
    expect(parseArgs(['--exports']).exports!.length).toBeGreaterThan(8);
    expect(parseArgs(['--exports=ea-focus,mca-focus', '--exports-root', 'x']).exports!.map((e) => e.name)).toEqual(['ea-focus', 'mca-focus']);
    expect(parseArgs(['--exports-root', 'x', '--storage-blob-data-reader=false'])).toEqual({exportsRootFolder: 'x', storageBlobDataReader: false});
    expect(() => parseArgs(['--exports=nope'])).toThrow(/no default export named nope/);
    expect(parseArgs(['--sas-expire-after-requests', '5']).faults).toEqual({sasExpireAfterRequests: 5});
  });
});

import fs from 'fs';
import path from 'path';
import {Readable} from 'stream';
import zlib from 'zlib';

import {validateConfig} from '../../src/config/validate';
import {parseInputState} from '../../src/protocol/state';
import {BlobItem, parseListing} from '../../src/readers/blob-storage';
import {chooseRuns, ExportRun, isManifest, monthsOf, parseManifest, scopeOfResourceId, underScope} from '../../src/readers/export-runs';
import {storageHint} from '../../src/streams/exports-check';
import {gunzipWhenGzip} from '../../src/streams/exports-source';
import {exportsSource, VALID_CONFIG} from '../bad-configs';

const EA = '/providers/Microsoft.Billing/billingAccounts/1234567';

/** A manifest as Cost Management writes it (manifestVersion 2024-04-01), with `over` changes. */
function manifest(over: {runId?: string; submitted?: string; start?: string; end?: string; type?: string; blobs?: string[]; rows?: number; legacy?: boolean; name?: string; resourceId?: string}): string {
  const name = over.name ?? 'daily';
  const blobs = (over.blobs ?? []).map((b) => ({blobName: b, byteCount: 100, dataRowCount: 10}));
  const body: Record<string, unknown> = {
    exportConfig: {
      exportName: name,
      resourceId: over.resourceId ?? `${EA}/providers/Microsoft.CostManagement/exports/${name}`,
      dataVersion: '2021-10-01',
      apiVersion: '2023-07-01-preview',
      type: over.type ?? 'ActualCost',
      timeFrame: 'MonthToDate',
      granularity: 'Daily',
    },
    deliveryConfig: {partitionData: true, dataOverwriteBehavior: 'CreateNewReport', fileFormat: 'Csv', compressionMode: 'Gzip', containerUri: '/subscriptions/x', rootFolderPath: 'root'},
    runInfo: {executionType: 'Scheduled', submittedTime: over.submitted ?? '2026-11-20T03:00:00.123Z', runId: over.runId ?? 'run-1', startDate: over.start ?? '2026-11-01T00:00:00', endDate: over.end ?? '2026-11-19T00:00:00Z'},
    blobs,
  };
  if (!over.legacy) Object.assign(body, {manifestVersion: '2024-04-01', byteCount: 100 * blobs.length, blobCount: blobs.length, dataRowCount: over.rows ?? 10 * blobs.length});
  return JSON.stringify(body);
}

function listing(names: string[]): Map<string, BlobItem> {
  return new Map(names.map((n) => [n, {name: n, size: 100}]));
}

function run(text: string, listed: Map<string, BlobItem>, at = 'root/daily/20261101-20261130/run/manifest.json'): ExportRun {
  const parsed = parseManifest(at, text, listed);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed;
}

describe('export manifests (docs/design.md §14)', () => {
  it('reads the fixture manifest: its dataset, run and blob, with the stray spaces of blob names tidied', () => {
    const text = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'exports', 'manifest-example.json'), 'utf8');
    const blob = 'folder/sample/00000000-0000-0000-0000-000000000000/part0.csv';
    const r = run(text, listing([blob]), 'folder/sample/x/manifest.json');
    expect(r).toMatchObject({type: 'ReservationRecommendations', runId: 'bbac73f1-9a05-4de6-84ab-c72b568a03b4', startDay: '2025-03-01', endDay: '2025-03-21', fileFormat: 'Csv', compression: 'None', missing: []});
    expect(r.blobs.map((b) => b.name)).toEqual([blob]);
    expect(r.scope).toBe('/providers/microsoft.billing/billingaccounts/1234567');
  });

  it('takes manifest.json and the legacy _manifest.json, nothing else', () => {
    expect(isManifest('a/b/manifest.json')).toBe(true);
    expect(isManifest('a/b/_manifest.json')).toBe(true);
    expect(isManifest('a/b/part_0_0001.csv')).toBe(false);
    expect(isManifest('a/b/manifest.json.bak')).toBe(false);
    const legacy = run(manifest({legacy: true, blobs: ['root/daily/p/part0.csv']}), listing(['root/daily/p/part0.csv']), 'root/daily/p/_manifest.json');
    expect(legacy.rows).toBeUndefined();
    expect(legacy.blobs).toHaveLength(1);
  });

  it('counts a blob the manifest names but the container lacks as missing', () => {
    const r = run(manifest({blobs: ['root/a.csv.gz', 'root/b.csv.gz']}), listing(['root/a.csv.gz']));
    expect(r.missing).toEqual(['root/b.csv.gz']);
  });

  it('reads the legacy Usage type as actual cost, and refuses datasets it does not know', () => {
    expect(run(manifest({type: 'Usage'}), listing([])).dataset).toBe('ActualCost');
    expect(parseManifest('m/manifest.json', manifest({type: 'Budget'}), listing([]))).toMatchObject({problem: expect.stringContaining('Budget')});
    expect(parseManifest('m/manifest.json', '{not json', listing([]))).toMatchObject({problem: 'not valid JSON'});
  });

  it('covers the months of its days; an end at midnight of the 1st closes the month before', () => {
    expect(monthsOf(run(manifest({start: '2026-10-01T00:00:00Z', end: '2026-11-01T00:00:00Z'}), listing([])))).toEqual(['2026-10']);
    expect(monthsOf({startDay: '2026-10-15', endDay: '2026-12-02'})).toEqual(['2026-10', '2026-11', '2026-12']);
  });

  it('filters by billing scope on the resource id', () => {
    const r = run(manifest({}), listing([]));
    expect(underScope(r, EA)).toBe(true);
    expect(underScope(r, '/providers/Microsoft.Billing/billingAccounts/7654321')).toBe(false);
    expect(scopeOfResourceId('/providers/Microsoft.Billing/billingAccounts/a%3Ab_2019-05-31/providers/Microsoft.CostManagement/exports/x')).toBe('/providers/microsoft.billing/billingaccounts/a:b_2019-05-31');
  });
});

describe('choosing runs: the latest complete run per scope, dataset and month', () => {
  const files = ['r/old.csv', 'r/new.csv', 'r/newest.csv'];
  const listed = listing(files);
  const older = run(manifest({runId: 'old', submitted: '2026-11-10T03:00:00Z', blobs: ['r/old.csv']}), listed);
  const newer = run(manifest({runId: 'new', submitted: '2026-11-20T03:00:00Z', blobs: ['r/new.csv']}), listed);
  const incomplete = run(manifest({runId: 'newest', submitted: '2026-11-21T03:00:00Z', blobs: ['r/newest.csv', 'r/not-yet.csv']}), listed);

  it('the newest run supersedes older ones, whatever the listing order', () => {
    for (const order of [[older, newer], [newer, older]]) {
      const {chosen} = chooseRuns(order);
      expect(chosen).toHaveLength(1);
      expect(chosen[0]).toMatchObject({month: '2026-11', dataset: 'ActualCost', superseded: 1});
      expect(chosen[0].run.runId).toBe('new');
    }
  });

  it('an incomplete newest run is passed over for the previous complete one', () => {
    const {chosen} = chooseRuns([older, incomplete, newer]);
    expect(chosen[0].run.runId).toBe('new');
    expect(chosen[0].incomplete.map((r) => r.runId)).toEqual(['newest']);
  });

  it('a month with only incomplete runs has no choice and is reported', () => {
    const {chosen, unusable} = chooseRuns([incomplete]);
    expect(chosen).toEqual([]);
    expect(unusable.map((r) => r.runId)).toEqual(['newest']);
  });

  it('a zero-row run is complete and carries no data: when it is the newest, the month is empty', () => {
    const empty = run(manifest({runId: 'empty', submitted: '2026-11-22T03:00:00Z', blobs: ['r/gone.csv'], rows: 0}), listed);
    expect(empty).toMatchObject({blobs: [], missing: []});
    expect(chooseRuns([newer, empty]).chosen[0].run.runId).toBe('empty');
  });

  it('keeps scopes, datasets and months apart; the silent re-export of last month wins that month only', () => {
    const amortized = run(manifest({runId: 'am', type: 'AmortizedCost'}), listed);
    const otherScope = run(manifest({runId: 'other', resourceId: '/subscriptions/s1/providers/Microsoft.CostManagement/exports/x'}), listed);
    const october = run(manifest({runId: 'oct', start: '2026-10-01T00:00:00', end: '2026-10-31T00:00:00', submitted: '2026-11-03T00:00:00Z'}), listed);
    const reexport = run(manifest({runId: 'oct-again', start: '2026-10-01T00:00:00', end: '2026-10-31T00:00:00', submitted: '2026-11-04T00:00:00Z'}), listed);
    const {chosen} = chooseRuns([newer, amortized, otherScope, october, reexport]);
    expect(chosen.map((c) => `${c.month} ${c.dataset} ${c.run.runId}`).sort()).toEqual([
      '2026-10 ActualCost oct-again',
      '2026-11 ActualCost new',
      '2026-11 ActualCost other',
      '2026-11 AmortizedCost am',
    ]);
  });
});

describe('nested scopes', () => {
  it('an export of a department under an exported enrollment is left out (its rows would count twice)', () => {
    const listed = listing([]);
    const enrollment = run(manifest({runId: 'enr'}), listed);
    const department = run(manifest({runId: 'dep', name: 'dep', resourceId: `${EA}/departments/42/providers/Microsoft.CostManagement/exports/dep`}), listed);
    const other = run(manifest({runId: 'other', name: 'o', resourceId: '/providers/Microsoft.Billing/billingAccounts/7654321/providers/Microsoft.CostManagement/exports/o'}), listed);
    const {chosen, nested} = chooseRuns([department, enrollment, other]);
    expect(chosen.map((c) => c.run.runId).sort()).toEqual(['enr', 'other']);
    expect(nested.map((c) => c.run.runId)).toEqual(['dep']);
    // alone, the department is read
    expect(chooseRuns([department]).chosen.map((c) => c.run.runId)).toEqual(['dep']);
  });
});

describe('List Blobs XML', () => {
  it('reads names (entities decoded, spaces kept), sizes and the next marker', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://a.blob.core.windows.net/" ContainerName="c"><Prefix>root/</Prefix><MaxResults>2</MaxResults>
      <Blobs><Blob><Name>root/a &amp; b/part 0.csv</Name><Properties><Content-Length>1234</Content-Length></Properties></Blob>
      <Blob><Name>root/manifest.json</Name><Properties><Content-Length>99</Content-Length></Properties></Blob></Blobs><NextMarker>2!80!abc</NextMarker></EnumerationResults>`;
    expect(parseListing(xml)).toEqual({blobs: [{name: 'root/a & b/part 0.csv', size: 1234}, {name: 'root/manifest.json', size: 99}], nextMarker: '2!80!abc'});
  });

  it('an empty container: no blobs, no next page', () => {
    expect(parseListing('<EnumerationResults><Blobs /><NextMarker /></EnumerationResults>')).toEqual({blobs: [], nextMarker: ''});
  });
});

describe('exports config', () => {
  it('takes exports without a billing scope (the scope only filters), a SAS with its "?", a URL with a trailing slash', () => {
    const validated = validateConfig({
      ...VALID_CONFIG,
      enrollment_number: undefined,
      data_source: exportsSource({sas_token: '?sv=2022-11-02&sp=rl&sig=abc%2Fdef%3D', storage_account_url: 'https://contosobilling.blob.core.windows.net/', root_folder_path: '/billing/daily/'}),
    });
    expect(validated.scope).toBeUndefined();
    expect(validated.config.data_source).toEqual({
      type: 'exports',
      storage_account_url: 'https://contosobilling.blob.core.windows.net',
      container: 'costexports',
      root_folder_path: 'billing/daily',
      export_names: [],
      sas_token: 'sv=2022-11-02&sp=rl&sig=abc%2Fdef%3D',
    });
  });

  it('defaults to the Cost Details API; exports have no 13-month limit', () => {
    expect(validateConfig(VALID_CONFIG).config.data_source).toEqual({type: 'cost_details_api'});
    expect(validateConfig({...VALID_CONFIG, start_date: '2019-01-01', end_date: '2019-12-31', data_source: exportsSource()}).config.end_date).toBe('2019-12-31');
  });

  it('still needs a scope for the API', () => {
    expect(() => validateConfig({...VALID_CONFIG, enrollment_number: undefined})).toThrow(/enrollment_number or billing_scope is required/);
  });
});

describe('the state of an export stream', () => {
  it('keeps the runs map beside the cursor; malformed entries are dropped', () => {
    const state = parseInputState([
      {type: 'STREAM', stream: {stream_descriptor: {name: 'usage_details'}, stream_state: {usage_date: '2026-11-19', runs: {'2026-10': 'a', '2026-11': 'b,c', nope: 'x', '2026-12': 5}}}},
      {type: 'STREAM', stream: {stream_descriptor: {name: 'usage_details_amortized'}, stream_state: {usage_date: '2026-11-19'}}},
    ]);
    expect(state.usage_details).toEqual({usage_date: '2026-11-19', runs: {'2026-10': 'a', '2026-11': 'b,c'}});
    expect(state.usage_details_amortized).toEqual({usage_date: '2026-11-19'});
  });
});

describe('storage refusals name the key to fix and never show the SAS', () => {
  const sas = 'sv=2022-11-02&sp=r&sig=SECRETSIGNATURE123';
  const ds = {type: 'exports' as const, storage_account_url: 'https://acct.blob.core.windows.net', container: 'costs', root_folder_path: '', export_names: [], sas_token: sas};
  it.each([
    [404, 'ContainerNotFound', 'list', undefined, /no container "costs".*data_source\.container/],
    [403, 'AuthorizationPermissionMismatch', 'list', undefined, /data_source\.sas_token lacks the list \(l\) permission/],
    [403, 'AuthenticationFailed', 'read', undefined, /data_source\.sas_token was refused: it has expired/],
  ] as const)('%s %s', (status, code, what, _x, words) => {
    const hint = storageHint(ds, status, code, what)!;
    expect(hint).toMatch(words);
    expect(hint).not.toContain('SECRETSIGNATURE123');
  });

  it('a service principal without the role is told which role and how to grant it', () => {
    const hint = storageHint({...ds, sas_token: undefined}, 403, 'AuthorizationPermissionMismatch', 'list', 'app-id-1')!;
    expect(hint).toMatch(/Storage Blob Data Reader/);
    expect(hint).toMatch(/az role assignment create --role "Storage Blob Data Reader" --assignee app-id-1/);
  });
});

describe('gzip blobs', () => {
  const text = 'Date,CostInBillingCurrency\n2026-11-01,1.5\n'.repeat(2000);
  const collect = async (r: Readable): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const c of r) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const chunked = (buf: Buffer, size: number): Readable => Readable.from((function* () {
    for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
  })());

  it('inflates a gzip blob told by its bytes, in any chunking', async () => {
    expect(await collect(gunzipWhenGzip(chunked(zlib.gzipSync(text), 7)))).toBe(text);
  });

  it('passes a plain blob through', async () => {
    expect(await collect(gunzipWhenGzip(chunked(Buffer.from(text), 1000)))).toBe(text);
  });

  it('a corrupt gzip blob fails rather than passing for a complete one', async () => {
    const gz = zlib.gzipSync(text);
    await expect(collect(gunzipWhenGzip(chunked(gz.subarray(0, gz.length - 40), 64)))).rejects.toThrow();
  });
});

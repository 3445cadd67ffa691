/**
 * The exports of the sandbox's storage account: written lazily (on the first storage request or
 * truth query) from the sandbox's own rows into a temp dir, part by part, then registered as blobs
 * with their manifests. Also the truth a connector test compares with: per export, the runs and
 * their status, and per day the rows and sums of the runs a correct reader reads (the latest
 * complete run of each month).
 */
import {createHash, randomBytes} from 'crypto';
import {promises as fsp} from 'fs';
import * as os from 'os';
import * as path from 'path';
import {formatDec, parseDec, toCents} from '../decimal';
import {Enrollment} from '../enrollment';
import {McaAccount} from '../mca';
import {MCA_PROFILES, MCA_SECTIONS, MCA_SUBSCRIPTIONS} from '../mca-catalog';
import {uuidFrom} from '../prng';
import {eaEnrollmentPath, mcaProfilePath} from '../scopes';
import {StorageAccount} from '../storage/account';
import {datasetTable} from './datasets';
import {monthsBetween, planRuns, RunKind, RunPlan} from './runs';
import {DEFAULT_DATA_VERSION, ExportSpec, StorageOptions} from './spec';
import {Table, TableRow} from './table';
import {ParquetWorker, writeParts} from './write';

export interface ExportsContext {
  seed: number;
  today: string;
  enrollment: Enrollment;
  mca: McaAccount | null;
  csvSchema: 'auto' | 'current' | 'legacy';
  storage: StorageOptions;
  /** Where part files are written (a temp dir under it, removed by dispose()). */
  tmpBase?: string;
  /** Write exports here once and reuse them across runs (for benchmarks: generating rows is slow). */
  cacheDir?: string;
}

/** Bump when the bytes of an export would change for the same options (2: unused reservation rows in AmortizedCost and FocusCost). */
const FORMAT_VERSION = 2;

/** A blob to register: a part file (path relative to the export's dir) or a manifest's bytes. */
interface BlobPut {
  name: string;
  size: number;
  file?: string;
  data?: string;
  contentType: string;
  lastModified: number;
}

/** One day's truth: rows, and per sum its exact value and integer cents (`cost`, `costCents`, ...). */
export type DayTotals = {rows: number} & Record<string, number | string>;

export interface RunTruth {
  runId: string;
  month: string;
  /** empty: zero rows; superseded: complete but not the newest; complete: the one to read; incomplete: names a missing blob. */
  status: RunKind;
  /** The connector reads this run (the latest complete run of its month). */
  read: boolean;
  submittedTime: string;
  startDate: string;
  endDate: string;
  manifest: string;
  blobs: Array<{blobName: string; byteCount: number; dataRowCount: number; present: boolean}>;
  dataRowCount: number;
  byteCount: number;
  /** Rows whose date text is unusable (in the files, in no day). */
  unusableDateRows: number;
  days: Record<string, DayTotals>;
}

export interface ExportTruth {
  name: string;
  dataset: string;
  dataVersion: string;
  scope: string;
  resourceId: string;
  format: string;
  /** 'manifest.json' or '_manifest.json'. */
  manifestFile: string;
  sumNames: readonly string[];
  runs: RunTruth[];
  /** month -> runId the connector reads (null: no complete run). */
  months: Record<string, string | null>;
  /** Per day, over the runs read. */
  days: Record<string, DayTotals>;
  rows: number;
}

/** What a reader of every export reads of one dataset (`Usage` counts as `ActualCost`). */
export interface DatasetTruth {
  dataset: string;
  /** Per (scope, month) the run read, across exports: the latest complete one. */
  runs: Array<{scope: string; month: string; export: string; runId: string}>;
  /** Per day, summed over scopes. */
  days: Record<string, DayTotals>;
  rows: number;
}

export interface ExportsTruth {
  account: string;
  container: string;
  rootFolderPath: string;
  exports: ExportTruth[];
  /** By dataset, over all exports and scopes: e.g. `datasets.ActualCost` is what `usage_details` reads. */
  datasets: Record<string, DatasetTruth>;
}

const FILE_FORMAT = {csv: 'Csv', 'csv-gzip': 'Csv', parquet: 'Parquet', 'parquet-snappy': 'Parquet'} as const;
const COMPRESSION = {csv: 'None', 'csv-gzip': 'Gzip', parquet: 'None', 'parquet-snappy': 'Snappy'} as const;
const CONTENT_TYPE = {csv: 'text/csv', 'csv-gzip': 'application/gzip', parquet: 'application/octet-stream', 'parquet-snappy': 'application/octet-stream'} as const;

function isoSeconds7(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1' + '4447Z');
}

export class ExportsWorld {
  private done: Promise<ExportsTruth> | null = null;
  private tmp: string | null = null;
  private disposed = false;

  constructor(private readonly ctx: ExportsContext, readonly account: StorageAccount) {
    // the container exists from the start, empty until the exports are written
    account.container(ctx.storage.container, true);
  }

  /** Writes every export once; resolves to the truth. */
  ready(): Promise<ExportsTruth> {
    this.done ??= this.build();
    return this.done;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.done?.catch(() => undefined);
    if (this.tmp) await fsp.rm(this.tmp, {recursive: true, force: true});
    this.tmp = null;
  }

  private scopeOf(spec: ExportSpec): {path: string; keep: ((sub: string) => boolean) | null; first: string} {
    if ((spec.scope ?? 'ea') === 'ea') {
      const e = this.ctx.enrollment;
      return {path: eaEnrollmentPath(e.opts.enrollmentNumber), keep: null, first: e.opts.startDate};
    }
    const m = this.ctx.mca;
    if (!m) throw new Error(`export ${spec.name}: the sandbox serves no MCA billing account`);
    const idx = spec.mcaProfile ?? 0;
    const profile = MCA_PROFILES[idx];
    if (!profile) throw new Error(`export ${spec.name}: no MCA billing profile ${idx}`);
    const subs = new Set(MCA_SUBSCRIPTIONS.filter((s) => MCA_SECTIONS[s.section].profile === idx).map((s) => s.guid.toLowerCase()));
    return {path: mcaProfilePath(m.opts.billingAccountId, profile.id), keep: (sub) => subs.has(sub.toLowerCase()), first: m.opts.startDate};
  }

  private async build(): Promise<ExportsTruth> {
    const o = this.ctx.storage;
    this.tmp = await fsp.mkdtemp(path.join(this.ctx.tmpBase ?? os.tmpdir(), 'azure-billing-exports-'));
    let worker: ParquetWorker | null = null;
    const parquet = () => (worker ??= new ParquetWorker());
    const out: ExportTruth[] = [];
    try {
      for (const spec of o.exports) {
        if (this.disposed) throw new Error('the sandbox is closed');
        out.push(await this.writeExport(spec, parquet));
      }
    } finally {
      if (worker) await (worker as ParquetWorker).close();
    }
    return {account: o.account, container: o.container, rootFolderPath: o.rootFolderPath, exports: out, datasets: datasetTruths(out)};
  }

  private cacheKey(spec: ExportSpec): string {
    const c = this.ctx;
    const parts = {v: FORMAT_VERSION, spec, seed: c.seed, today: c.today, e: c.enrollment.opts, m: c.mca?.opts ?? null, csv: c.csvSchema, root: c.storage.rootFolderPath};
    return createHash('sha1').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
  }

  /** One export: from the cache when it holds it, else written (into the cache when there is one). */
  private async writeExport(spec: ExportSpec, parquet: () => ParquetWorker): Promise<ExportTruth> {
    const container = this.account.container(this.ctx.storage.container, true)!;
    const register = (dir: string, puts: BlobPut[]) => {
      for (const p of puts) {
        container.put({name: p.name, size: p.size, contentType: p.contentType, lastModified: p.lastModified,
          ...(p.file !== undefined ? {file: path.join(dir, p.file)} : {data: Buffer.from(p.data!, 'base64')})});
      }
    };
    const cacheDir = this.ctx.cacheDir;
    if (!cacheDir) {
      const dir = path.join(this.tmp!, spec.name);
      const puts: BlobPut[] = [];
      const truth = await this.buildExport(spec, parquet, dir, puts);
      register(dir, puts);
      return truth;
    }
    const final = path.join(cacheDir, 'exports', `${spec.name.replace(/[^A-Za-z0-9._-]/g, '_')}-${this.cacheKey(spec)}`);
    const hit = await readCached(final);
    if (hit) {
      register(final, hit.puts);
      return hit.truth;
    }
    const tmp = `${final}.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      const puts: BlobPut[] = [];
      const truth = await this.buildExport(spec, parquet, tmp, puts);
      await fsp.mkdir(tmp, {recursive: true});
      await fsp.writeFile(path.join(tmp, 'index.json'), JSON.stringify({truth, puts}));
      try {
        await fsp.rename(tmp, final);
      } catch {
        // another process wrote it first, or a stale half: use a good one, else replace it
        const other = await readCached(final);
        if (other) {
          register(final, other.puts);
          return other.truth;
        }
        await fsp.rm(final, {recursive: true, force: true});
        await fsp.rename(tmp, final);
      }
      register(final, puts);
      return truth;
    } finally {
      await fsp.rm(tmp, {recursive: true, force: true});
    }
  }

  private async buildExport(spec: ExportSpec, parquet: () => ParquetWorker, root: string, puts: BlobPut[]): Promise<ExportTruth> {
    const o = this.ctx.storage;
    const format = spec.format ?? 'csv';
    if (spec.dataset.startsWith('Reservation') && format !== 'csv' && format !== 'csv-gzip') {
      throw new Error(`export ${spec.name}: ${spec.dataset} exports are CSV only (docs/design.md §14)`);
    }
    const scope = this.scopeOf(spec);
    const dataVersion = spec.dataVersion ?? DEFAULT_DATA_VERSION[spec.dataset];
    const resourceId = `${scope.path}/providers/Microsoft.CostManagement/exports/${spec.name}`;
    const legacy = spec.legacyManifest === true;
    const manifestFile = legacy ? '_manifest.json' : 'manifest.json';
    const all = spec.months ?? monthsBetween(scope.first, this.ctx.today < scope.first ? scope.first : this.ctx.today);
    const months = spec.monthSpan === 'first' ? all.slice(0, 1) : spec.monthSpan === 'after-first' && all.length > 1 ? all.slice(1) : all;
    const runs: RunTruth[] = [];
    let sumNames: readonly string[] = [];
    for (let mi = 0; mi < months.length; mi++) {
      for (const plan of planRuns(spec, this.ctx.seed, o.rootFolderPath, months[mi], this.ctx.today, mi === months.length - 1)) {
        const table = plan.kind === 'empty' ? null : datasetTable(spec, plan, this.ctx, scope.keep, dataVersion);
        if (table) sumNames = table.sumNames;
        runs.push(await this.writeRun(spec, plan, table, format, resourceId, dataVersion, manifestFile, parquet, root, puts));
      }
    }
    // per month, the latest complete run is read; no other
    const monthsRead: Record<string, string | null> = {};
    for (const m of months) {
      const complete = runs.filter((r) => r.month === m && r.status !== 'incomplete').sort((a, b) => a.submittedTime.localeCompare(b.submittedTime));
      const win = complete[complete.length - 1] ?? null;
      monthsRead[m] = win ? win.runId : null;
      if (win) win.read = true;
    }
    const days: Record<string, DayTotals> = {};
    let rows = 0;
    for (const r of runs) {
      if (!r.read) continue;
      for (const [d, t] of Object.entries(r.days)) {
        days[d] = t;
        rows += t.rows;
      }
    }
    return {
      name: spec.name, dataset: spec.dataset, dataVersion, scope: scope.path, resourceId, format, manifestFile, sumNames, runs, months: monthsRead,
      days: Object.fromEntries(Object.entries(days).sort(([a], [b]) => a.localeCompare(b))), rows,
    };
  }

  private async writeRun(spec: ExportSpec, plan: RunPlan, table: Table | null, format: NonNullable<ExportSpec['format']>, resourceId: string,
    dataVersion: string, manifestFile: string, parquet: () => ParquetWorker, root: string, puts: BlobPut[]): Promise<RunTruth> {
    const o = this.ctx.storage;
    const legacy = spec.legacyManifest === true;
    const messy = spec.messyManifest === true;
    const sums = new Map<string, {rows: number; sums: bigint[]}>();
    let unusable = 0;
    const tally = (r: TableRow) => {
      if (r.day === null) {
        unusable++;
        return;
      }
      let t = sums.get(r.day);
      if (!t) sums.set(r.day, (t = {rows: 0, sums: r.sums.map(() => 0n)}));
      t.rows++;
      for (let i = 0; i < r.sums.length; i++) t.sums[i] += r.sums[i];
    };
    const rel = path.join(plan.month, plan.runId);
    const dir = path.join(root, rel);
    const parts = table ? await writeParts(table, dir, format, spec.rowsPerPart ?? 1000, legacy, parquet, tally) : [];
    const lastModified = plan.submitted + 7 * 60_000;
    const blobs = parts.map((p, i) => {
      const name = `${plan.folder}/${path.basename(p.file)}`;
      // an incomplete run's manifest names its last part, which never arrived
      const present = !(plan.kind === 'incomplete' && i === parts.length - 1);
      if (present) puts.push({name, size: p.byteCount, file: path.join(rel, path.basename(p.file)), contentType: CONTENT_TYPE[format], lastModified: lastModified + i * 1000});
      return {blobName: name, byteCount: p.byteCount, dataRowCount: p.rows, present};
    });
    const dataRowCount = parts.reduce((a, p) => a + p.rows, 0);
    const byteCount = parts.reduce((a, p) => a + p.byteCount, 0);
    const startDate = `${plan.month}-01T00:00:00${messy ? '' : 'Z'}`;
    const endDate = `${plan.end < plan.start ? plan.start : plan.end}T00:00:00Z`;
    const exportConfig = {
      exportName: spec.name, resourceId, dataVersion, apiVersion: legacy ? '2021-10-01' : '2023-07-01-preview', type: spec.dataset,
      timeFrame: 'MonthToDate', granularity: ['ActualCost', 'AmortizedCost', 'Usage', 'FocusCost'].includes(spec.dataset) ? 'Daily' : null,
    };
    const deliveryConfig = {
      partitionData: true, dataOverwriteBehavior: spec.history === false ? 'OverwritePreviousReport' : 'CreateNewReport',
      fileFormat: FILE_FORMAT[format], compressionMode: COMPRESSION[format],
      containerUri: `/subscriptions/${uuidFrom('billing-sub', this.ctx.seed)}/resourceGroups/rg-billing-exports/providers/Microsoft.Storage/storageAccounts/${o.account}`,
      rootFolderPath: o.rootFolderPath,
    };
    const runInfo = {executionType: 'Scheduled', submittedTime: isoSeconds7(plan.submitted), runId: plan.runId, startDate, endDate};
    const blobName = (n: string, i: number) => (messy && i % 2 === 0 ? ` ${n}` : n);
    const manifest = legacy
      ? {manifestVersion: '2022-01-01', exportConfig, deliveryConfig, runInfo, blobs: blobs.map((b, i) => ({blobName: blobName(b.blobName, i), byteCount: b.byteCount}))}
      : {
        manifestVersion: '2024-04-01', byteCount, blobCount: blobs.length, dataRowCount, exportConfig, deliveryConfig, runInfo,
        blobs: blobs.map((b, i) => ({blobName: blobName(b.blobName, i), byteCount: b.byteCount, dataRowCount: b.dataRowCount})),
      };
    const mName = `${plan.folder}/${manifestFile}`;
    const data = Buffer.from(JSON.stringify(manifest, null, 2), 'utf8');
    puts.push({name: mName, size: data.length, data: data.toString('base64'), contentType: 'application/json', lastModified: lastModified + parts.length * 1000 + 1000});
    const days: Record<string, DayTotals> = {};
    const names = table?.sumNames ?? [];
    for (const d of [...sums.keys()].sort()) {
      const t = sums.get(d)!;
      const dt: DayTotals = {rows: t.rows};
      names.forEach((n, i) => {
        dt[n] = formatDec(t.sums[i]);
        dt[`${n}Cents`] = toCents(t.sums[i]).toString();
      });
      days[d] = dt;
    }
    return {
      runId: plan.runId, month: plan.month, status: plan.kind, read: false, submittedTime: runInfo.submittedTime, startDate, endDate, manifest: mName,
      blobs, dataRowCount, byteCount, unusableDateRows: unusable, days,
    };
  }
}

/** A cached export, if complete (every part file there with its size). */
async function readCached(dir: string): Promise<{truth: ExportTruth; puts: BlobPut[]} | null> {
  try {
    const x = JSON.parse(await fsp.readFile(path.join(dir, 'index.json'), 'utf8')) as {truth: ExportTruth; puts: BlobPut[]};
    for (const p of x.puts) {
      if (p.file !== undefined && (await fsp.stat(path.join(dir, p.file))).size !== p.size) return null;
    }
    return x;
  } catch {
    return null;
  }
}

/** Per (scope, dataset, month) across exports the latest complete run wins; days summed over scopes. */
function datasetTruths(exports: ExportTruth[]): Record<string, DatasetTruth> {
  const canonical = (d: string) => (d === 'Usage' ? 'ActualCost' : d);
  const wins = new Map<string, {e: ExportTruth; r: RunTruth}>();
  for (const e of exports) {
    for (const r of e.runs) {
      if (r.status === 'incomplete') continue;
      const key = `${canonical(e.dataset)}|${e.scope.toLowerCase()}|${r.month}`;
      const cur = wins.get(key);
      // later submission wins; on a tie the export listed first keeps it
      if (!cur || r.submittedTime > cur.r.submittedTime) wins.set(key, {e, r});
    }
  }
  const out: Record<string, DatasetTruth> = {};
  const units = new Map<string, Map<string, Map<string, bigint>>>();
  for (const [key, {e, r}] of [...wins].sort(([a], [b]) => a.localeCompare(b))) {
    const ds = key.split('|')[0];
    const t = (out[ds] ??= {dataset: ds, runs: [], days: {}, rows: 0});
    t.runs.push({scope: e.scope, month: r.month, export: e.name, runId: r.runId});
    let byDay = units.get(ds);
    if (!byDay) units.set(ds, (byDay = new Map()));
    for (const [d, x] of Object.entries(r.days)) {
      let acc = byDay.get(d);
      if (!acc) byDay.set(d, (acc = new Map()));
      acc.set('rows', (acc.get('rows') ?? 0n) + BigInt(x.rows));
      for (const n of e.sumNames) acc.set(n, (acc.get(n) ?? 0n) + parseDec(String(x[n])));
    }
  }
  for (const [ds, byDay] of units) {
    const t = out[ds];
    for (const d of [...byDay.keys()].sort()) {
      const acc = byDay.get(d)!;
      const dt: DayTotals = {rows: Number(acc.get('rows'))};
      for (const [n, v] of acc) {
        if (n === 'rows') continue;
        dt[n] = formatDec(v);
        dt[`${n}Cents`] = toCents(v).toString();
      }
      t.days[d] = dt;
      t.rows += dt.rows;
    }
  }
  return out;
}

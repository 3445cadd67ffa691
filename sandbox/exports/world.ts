/**
 * The exports of the sandbox's storage account: written lazily (on the first storage request or
 * truth query) from the sandbox's own rows into a temp dir, part by part, then registered as blobs
 * with their manifests. Also the truth a connector test compares with: per export, the runs and
 * their status, and per day the rows and sums of the runs a correct reader reads (the latest
 * complete run of each month).
 */
import {promises as fsp} from 'fs';
import * as os from 'os';
import * as path from 'path';
import {formatDec, toCents} from '../decimal';
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

export interface ExportsTruth {
  account: string;
  container: string;
  rootFolderPath: string;
  exports: ExportTruth[];
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
    return {account: o.account, container: o.container, rootFolderPath: o.rootFolderPath, exports: out};
  }

  private async writeExport(spec: ExportSpec, parquet: () => ParquetWorker): Promise<ExportTruth> {
    const o = this.ctx.storage;
    const container = this.account.container(o.container, true)!;
    const format = spec.format ?? 'csv';
    const scope = this.scopeOf(spec);
    const dataVersion = spec.dataVersion ?? DEFAULT_DATA_VERSION[spec.dataset];
    const resourceId = `${scope.path}/providers/Microsoft.CostManagement/exports/${spec.name}`;
    const legacy = spec.legacyManifest === true;
    const manifestFile = legacy ? '_manifest.json' : 'manifest.json';
    const months = spec.months ?? monthsBetween(scope.first, this.ctx.today < scope.first ? scope.first : this.ctx.today);
    const runs: RunTruth[] = [];
    let sumNames: readonly string[] = [];
    for (let mi = 0; mi < months.length; mi++) {
      for (const plan of planRuns(spec, this.ctx.seed, o.rootFolderPath, months[mi], this.ctx.today, mi === months.length - 1)) {
        const table = plan.kind === 'empty' ? null : datasetTable(spec, plan, this.ctx, scope.keep, dataVersion);
        if (table) sumNames = table.sumNames;
        runs.push(await this.writeRun(spec, plan, table, format, resourceId, dataVersion, manifestFile, parquet, container));
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
    dataVersion: string, manifestFile: string, parquet: () => ParquetWorker, container: NonNullable<ReturnType<StorageAccount['container']>>): Promise<RunTruth> {
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
    const dir = path.join(this.tmp!, spec.name, plan.month, plan.runId);
    const parts = table ? await writeParts(table, dir, format, spec.rowsPerPart ?? 1000, legacy, parquet, tally) : [];
    const lastModified = plan.submitted + 7 * 60_000;
    const blobs = parts.map((p, i) => {
      const name = `${plan.folder}/${path.basename(p.file)}`;
      // an incomplete run's manifest names its last part, which never arrived
      const present = !(plan.kind === 'incomplete' && i === parts.length - 1);
      if (present) container.put({name, size: p.byteCount, file: p.file, contentType: CONTENT_TYPE[format], lastModified: lastModified + i * 1000});
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
    container.put({name: mName, size: data.length, data, contentType: 'application/json', lastModified: lastModified + parts.length * 1000 + 1000});
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

/**
 * Cost Details reports rendered to disk as blobs. Rendering streams rows (never a whole report
 * in memory); the files give exact byteCounts for the manifest and are served with
 * createReadStream. With a cacheDir, a report is rendered once and reused across runs.
 */
import {createHash, randomBytes} from 'crypto';
import {promises as fsp} from 'fs';
import * as path from 'path';
import {CsvSchema, csvLine, headerLine, monthStyle} from './csv';
import {Enrollment, Metric, UsageRow} from './enrollment';
import {listDays} from './dates';
import {hash32} from './prng';

export interface RenderOptions {
  maxRowsPerBlob: number;
  /** 'auto' alternates the legacy and current column sets by month. */
  csvSchema: 'auto' | CsvSchema;
  /** 'auto': legacy blobs and about half of the current ones start with a UTF-8 BOM. */
  bom: 'auto' | 'always' | 'never';
}

export interface RenderedBlob {
  file: string;
  byteCount: number;
  rows: number;
  bom: boolean;
}

export interface RenderedReport {
  dir: string;
  /** 'current' | 'legacy' (EA) or 'mca'. */
  schema: CsvSchema | 'mca';
  rows: number;
  byteCount: number;
  blobs: RenderedBlob[];
}

/** Bump when a report's bytes change for the same options (2: AmortizedCost has unused reservation rows). */
const FORMAT_VERSION = 2;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** What the interleaving needs of a data set: slots per day and the row of a slot. */
export interface SlotRows<R> {
  slotCount(day: string, metric: Metric): number;
  row(day: string, slot: number, metric: Metric): R | null;
}

/**
 * Rows of a report, days interleaved in chunks (real files are not sorted), while rows of one
 * day keep their slot order, so occurrence counters see the same order in any slicing. `keep`
 * narrows the rows to a scope without changing the order of those it keeps.
 */
export function* interleavedRows<R>(src: SlotRows<R>, seed: number, metric: Metric, start: string, end: string, keep?: (r: R) => boolean): Generator<R> {
  const days = listDays(start, end).filter((d) => src.slotCount(d, metric) > 0);
  const cursor = days.map(() => 0);
  let live = days.length;
  let round = 0;
  while (live > 0) {
    for (let k = 0; k < days.length; k++) {
      const di = (k + round) % days.length;
      const day = days[di];
      const n = src.slotCount(day, metric);
      if (cursor[di] >= n) continue;
      const chunk = 1 + (hash32(seed, 'chunk', day, round) % 64);
      const stop = Math.min(n, cursor[di] + chunk);
      for (let s = cursor[di]; s < stop; s++) {
        const r = src.row(day, s, metric);
        if (r && (!keep || keep(r))) yield r;
      }
      cursor[di] = stop;
      if (stop >= n) live--;
    }
    round++;
  }
}

/** Rows of an enrollment's report (the EA enrollment scope). */
export function reportRows(e: Enrollment, metric: Metric, start: string, end: string): Generator<UsageRow> {
  return interleavedRows(e, e.opts.seed, metric, start, end);
}

export function reportKey(e: Enrollment, metric: Metric, start: string, end: string, o: RenderOptions): string {
  const h = createHash('sha1');
  h.update(JSON.stringify({v: FORMAT_VERSION, e: e.opts, metric, start, end, o}));
  return `${e.opts.enrollmentNumber}-${metric}-${start}-${end}-${h.digest('hex').slice(0, 16)}`;
}

/** A report ready to render: its header, its lines in file order, and which blobs start with a BOM. */
export interface ReportPlan {
  schema: CsvSchema | 'mca';
  header: string;
  lines: Iterable<string>;
  bom(blobIndex: number): boolean;
}

/**
 * Something the store can render: the enrollment (as before), or a scope's rows in its
 * agreement's layout. `key` names the cache dir and must change whenever the bytes would.
 */
export interface ReportSource {
  key(metric: Metric, start: string, end: string, o: RenderOptions): string;
  plan(metric: Metric, start: string, end: string, o: RenderOptions): ReportPlan;
}

/** The EA plan: the month's column set and date style, rows narrowed by `keep` when a scope is below the enrollment. */
export function eaPlan(e: Enrollment, metric: Metric, start: string, end: string, o: RenderOptions, keep?: (r: UsageRow) => boolean): ReportPlan {
  const style = monthStyle(e.opts.seed, start.slice(0, 7), o.csvSchema);
  return {
    schema: style.schema,
    header: headerLine(style.schema),
    lines: (function* () {
      for (const r of interleavedRows(e, e.opts.seed, metric, start, end, keep)) yield csvLine(r, style);
    })(),
    bom: (idx) => o.bom === 'always' || (o.bom === 'auto' && (style.schema === 'legacy' || hash32(e.opts.seed, 'bom', metric, start, end, idx) % 2 === 0)),
  };
}

/** Render a report's blobs into `dir` (which must exist and be empty). */
export async function renderReportTo(dir: string, e: Enrollment, metric: Metric, start: string, end: string, o: RenderOptions): Promise<RenderedReport> {
  return renderPlanTo(dir, eaPlan(e, metric, start, end, o), o);
}

/** Render a plan's blobs into `dir` (which must exist and be empty), at most maxRowsPerBlob rows each. */
export async function renderPlanTo(dir: string, plan: ReportPlan, o: RenderOptions): Promise<RenderedReport> {
  const header = plan.header;
  const maxRows = Math.max(1, Math.floor(o.maxRowsPerBlob));
  const blobs: RenderedBlob[] = [];
  let fh: fsp.FileHandle | null = null;
  let cur: RenderedBlob | null = null;
  let buf = '';
  const flush = async () => {
    if (buf && fh && cur) {
      const b = Buffer.from(buf, 'utf8');
      await fh.write(b);
      cur.byteCount += b.length;
    }
    buf = '';
  };
  const open = async () => {
    const idx = blobs.length;
    const bom = o.bom !== 'never' && plan.bom(idx);
    cur = {file: path.join(dir, `${idx}.csv`), byteCount: 0, rows: 0, bom};
    blobs.push(cur);
    fh = await fsp.open(cur.file, 'w');
    if (bom) {
      await fh.write(BOM);
      cur.byteCount += BOM.length;
    }
    buf = header;
  };
  const close = async () => {
    await flush();
    if (fh) await fh.close();
    fh = null;
  };
  let rows = 0;
  try {
    await open();
    for (const line of plan.lines) {
      if (cur!.rows >= maxRows) {
        await close();
        await open();
      }
      buf += line;
      cur!.rows++;
      rows++;
      if (buf.length > 1 << 18) await flush();
    }
    await close();
  } finally {
    if (fh) await (fh as fsp.FileHandle).close().catch(() => undefined);
  }
  return {dir, schema: plan.schema, rows, byteCount: blobs.reduce((a, b) => a + b.byteCount, 0), blobs};
}

/** The enrollment as a ReportSource (cache keys as before scopes existed). */
export function enrollmentSource(e: Enrollment): ReportSource {
  return {
    key: (metric, start, end, o) => reportKey(e, metric, start, end, o),
    plan: (metric, start, end, o) => eaPlan(e, metric, start, end, o),
  };
}

/**
 * Renders each distinct report once (per process, and per cacheDir across processes) and
 * hands out the files. Without a cacheDir, files live in a temp dir removed by dispose().
 */
export class ReportStore {
  private readonly inflight = new Map<string, Promise<RenderedReport>>();
  /** The temp dir, made once: renders that start together must not each make their own. */
  private tmpRoot: Promise<string> | null = null;
  private disposed = false;

  constructor(private readonly cacheDir: string | undefined, private readonly tmpBase: string) {}

  get(e: Enrollment | ReportSource, metric: Metric, start: string, end: string, o: RenderOptions): Promise<RenderedReport> {
    const src = 'plan' in e ? e : enrollmentSource(e);
    const key = src.key(metric, start, end, o);
    let p = this.inflight.get(key);
    if (!p) {
      p = this.load(key, src, metric, start, end, o);
      this.inflight.set(key, p);
      p.catch(() => this.inflight.delete(key));
    }
    return p;
  }

  private async root(): Promise<string> {
    // a render still running when the sandbox closed must not create the temp dir again
    if (this.disposed) throw new Error('the sandbox is closed');
    if (this.cacheDir) {
      await fsp.mkdir(this.cacheDir, {recursive: true});
      return this.cacheDir;
    }
    this.tmpRoot ??= fsp.mkdtemp(path.join(this.tmpBase, 'azure-billing-sandbox-'));
    return this.tmpRoot;
  }

  private async load(key: string, src: ReportSource, metric: Metric, start: string, end: string, o: RenderOptions): Promise<RenderedReport> {
    const root = await this.root();
    const final = path.join(root, key);
    const manifestFile = path.join(final, 'manifest.json');
    const existing = await readManifest(manifestFile);
    if (existing) return existing;
    // Render into a private dir and rename: concurrent processes sharing a cacheDir never see halves.
    const tmp = path.join(root, `.${key}.${process.pid}.${randomBytes(4).toString('hex')}`);
    await fsp.mkdir(tmp, {recursive: true});
    try {
      const r = await renderPlanTo(tmp, src.plan(metric, start, end, o), o);
      const rel = {...r, dir: final, blobs: r.blobs.map((b) => ({...b, file: path.join(final, path.basename(b.file))}))};
      await fsp.writeFile(path.join(tmp, 'manifest.json'), JSON.stringify(rel));
      try {
        await fsp.rename(tmp, final);
      } catch {
        const other = await readManifest(manifestFile);
        if (other) return other;
        // A stale or partial dir from an interrupted run: replace it.
        await fsp.rm(final, {recursive: true, force: true});
        await fsp.rename(tmp, final);
      }
      return rel;
    } finally {
      await fsp.rm(tmp, {recursive: true, force: true});
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    // renders in flight write under the temp dir: let them end before it is removed
    await Promise.allSettled(this.inflight.values());
    const made = this.tmpRoot;
    this.tmpRoot = null;
    const dir = made ? await made.catch(() => null) : null;
    if (dir) await fsp.rm(dir, {recursive: true, force: true});
  }
}

async function readManifest(file: string): Promise<RenderedReport | null> {
  try {
    const r = JSON.parse(await fsp.readFile(file, 'utf8')) as RenderedReport;
    for (const b of r.blobs) {
      const st = await fsp.stat(b.file);
      if (st.size !== b.byteCount) return null;
    }
    return r;
  } catch {
    return null;
  }
}

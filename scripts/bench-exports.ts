/**
 * The exports part of `npm run bench` (also alone: `npm run bench:exports -- [options]`): a month
 * of ActualCost exports as gzip CSV and as snappy Parquet, read by the real connector from the
 * sandbox's storage account, against a floor measured in the same run on the same files.
 *
 *   npm run bench:exports                                   # 100k, 1M, 2M rows; both formats
 *   npm run bench:exports -- --sizes 100k,1m --formats parquet-snappy --repeat 3
 *   npm run bench:exports -- --no-connector                 # floors and the decode path only
 *
 * Per size N (one 30-day month, N/30 rows a day, the sandbox's usual mess) the sandbox, in a
 * child process, writes the exports (parts of --rows-per-part rows; Parquet in row groups of
 * 20,000 rows, DECIMAL(38, 28) costs) before anything is timed; the bench then downloads every
 * part once to a local folder for the floor. Measured, interleaved, best of --repeat:
 * - the connector: `bin/source-azure-billing read` with `data_source.type = exports` (a SAS),
 *   stdout to /dev/null, with the passive probe (scripts/bench-probe.ts): wall time from spawn
 *   to exit, peak RSS, time to first RECORD;
 * - the decode path (`pieces`): the connector's own units over the local files, without HTTP
 *   (csvBlobUnits over a gunzip stream; parquetBlobUnits over a file), the default threads and
 *   the record pipeline, to /dev/null: what the readers add is the difference to the connector;
 * - the floor: a bare Node loop over the local files: gunzip, split the lines (a bare CSV
 *   splitter) and one JSON.stringify per row (an object keyed by the header); for Parquet two
 *   floors, the rows of hyparquet's own row reader (parquetRead, one row group at a time, rows
 *   as objects) and the string cells of the connector's page walk (parquetRowBatches), each
 *   with one JSON.stringify per row. Lines are written in 256 KB chunks to /dev/null.
 * The ratio is floor wall time / connector wall time, against the fastest floor (1 would be as
 * fast as the floor); the CPU ratio (floor CPU / connector CPU) is less exposed to other load.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import {StringDecoder} from 'string_decoder';
import zlib from 'zlib';

import {AsyncBuffer, parquetMetadata, parquetRead} from 'hyparquet';

import {parquetRowBatches} from '../src/decode/parquet';
import {RecordPipeline} from '../src/sync/pipeline';
import {compileTrackingRules} from '../src/track';
import {csvBlobUnits} from '../src/work/csv-blob';
import {UnitExecutor} from '../src/work/executor';
import {parquetBlobUnits, RangeSource} from '../src/work/parquet-blob';
import {createExecutor, defaultThreads} from '../src/work/pool';
import {UnitJob, UnitOutput} from '../src/work/unit';
import type {SandboxOptions} from '../sandbox';
import type {ExportFormat} from '../sandbox/exports/spec';
import {signSas} from '../sandbox/storage/sas';
import {bareCsv, benchMonth, best, ChildResult, CLI, imageMallocEnv, k, mb, msList, parseSize, PROBE, runChild, SandboxHandle, Sink, startBenchSandbox} from './bench';

const ROOT = path.resolve(__dirname, '..', '..');
const SELF = __filename;
const STORAGE_VERSION = '2021-08-06';

type Format = Extract<ExportFormat, 'csv-gzip' | 'parquet-snappy'>;
const FORMATS: Format[] = ['csv-gzip', 'parquet-snappy'];

export interface ExportsArgs {
  sizes: number[];
  formats: Format[];
  /** Runs of each measurement (best is quoted); 0 = 3 up to 100k rows, else 1. */
  repeat: number;
  rowsPerPart: number;
  connector: boolean;
  pieces: boolean;
  workerThreads?: number;
  imageEnv: boolean;
  out: string;
}

export function parseExportsArgs(argv: string[]): ExportsArgs {
  const a: ExportsArgs = {
    sizes: [100_000, 1_000_000, 2_000_000],
    formats: FORMATS,
    repeat: 0,
    rowsPerPart: 250_000,
    connector: true,
    pieces: true,
    imageEnv: true,
    out: path.join(ROOT, 'bench-results', 'exports-latest.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${key} needs a value`);
      return x;
    };
    if (key === '--sizes') a.sizes = v().split(',').map(parseSize);
    else if (key === '--formats') a.formats = v().split(',') as Format[];
    else if (key === '--repeat') a.repeat = Number(v());
    else if (key === '--rows-per-part') a.rowsPerPart = parseSize(v());
    else if (key === '--no-connector') a.connector = false;
    else if (key === '--no-pieces') a.pieces = false;
    else if (key === '--worker-threads') a.workerThreads = Number(v());
    else if (key === '--no-image-env') a.imageEnv = false;
    else if (key === '--out') a.out = v();
    else if (key === '--help' || key === '-h') {
      console.log('npm run bench:exports -- [--sizes 100k,1m,2m] [--formats csv-gzip,parquet-snappy] [--repeat N] [--rows-per-part N] [--no-connector] [--no-pieces] [--worker-threads N] [--no-image-env] [--out F]; see scripts/bench-exports.ts');
      process.exit(0);
    } else throw new Error(`unknown option ${key}`);
  }
  for (const f of a.formats) if (!FORMATS.includes(f)) throw new Error(`unknown format ${f} (${FORMATS.join(', ')})`);
  return a;
}

// ------------------------------------------------------------------------------------------
// the floors and the decode path, in child processes

/** The rows of a gzip CSV part, by a bare splitter. */
async function floorCsvGzip(file: string, sink: Sink): Promise<void> {
  const dec = new StringDecoder('utf8');
  let header: string[] | null = null;
  const onRow = (row: string[]): void => {
    if (!header) {
      header = row;
      return;
    }
    const o: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) o[header[i]] = row[i];
    sink.record(o);
  };
  let carry = '';
  let first = true;
  for await (const chunk of fs.createReadStream(file, {highWaterMark: 1 << 20}).pipe(zlib.createGunzip()) as AsyncIterable<Buffer>) {
    let s = carry + dec.write(chunk);
    if (first && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    first = false;
    carry = s.slice(bareCsv(s, 0, false, onRow));
  }
  const s = carry + dec.end();
  bareCsv(s, 0, true, onRow);
}

/** The rows of a Parquet part, by hyparquet's row reader, one row group at a time. */
async function floorParquet(file: string, sink: Sink): Promise<void> {
  const source = fileRangeSource(file);
  const buffer: AsyncBuffer = {
    byteLength: source.byteLength,
    slice: async (start, end) => {
      const b = await source.read(start, end ?? source.byteLength);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    },
  };
  const tail = await buffer.slice(Math.max(0, buffer.byteLength - (1 << 20)));
  const metadata = parquetMetadata(tail);
  let start = 0;
  for (const g of metadata.row_groups) {
    const rows = Number(g.num_rows);
    await parquetRead({file: buffer, metadata, rowStart: start, rowEnd: start + rows, rowFormat: 'object', onComplete: (data) => {
      for (const row of data) sink.record(row);
    }});
    start += rows;
  }
  await source.close();
}

/** The rows of a Parquet part as the connector's own page walk gives them (string cells), one row group at a time. */
async function floorParquetPages(file: string, sink: Sink): Promise<void> {
  const source = fileRangeSource(file);
  for await (const batch of parquetRowBatches(source, {batchSize: 100})) {
    const header = batch.header;
    for (const row of batch.rows) {
      const o: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) o[header[i]] = row[i];
      sink.record(o);
    }
  }
  await source.close();
}

type FloorKind = 'csv-gzip' | 'parquet-hyparquet' | 'parquet-pages';
const FLOORS: Record<Format, FloorKind[]> = {'csv-gzip': ['csv-gzip'], 'parquet-snappy': ['parquet-pages', 'parquet-hyparquet']};

async function floorRole(kind: FloorKind, listFile: string): Promise<void> {
  const files = JSON.parse(fs.readFileSync(listFile, 'utf8')) as string[];
  const sink = new Sink();
  for (const f of files) {
    if (kind === 'csv-gzip') await floorCsvGzip(f, sink);
    else if (kind === 'parquet-pages') await floorParquetPages(f, sink);
    else await floorParquet(f, sink);
  }
  sink.flush();
  const usage = process.resourceUsage();
  fs.writeSync(2, `BENCH_FLOOR ${JSON.stringify({rows: sink.rows, maxRssKb: usage.maxRSS, heapUsedBytes: process.memoryUsage().heapUsed, userCpuMs: usage.userCPUTime / 1000, systemCpuMs: usage.systemCPUTime / 1000})}\n`);
}

/** A local file read by range, as the exports reader reads a blob. */
export function fileRangeSource(file: string): RangeSource & {close(): Promise<void>} {
  const fd = fs.openSync(file, 'r');
  return {
    byteLength: fs.fstatSync(fd).size,
    read: (start, end) =>
      new Promise((resolve, reject) => {
        const out = Buffer.allocUnsafe(end - start);
        fs.read(fd, out, 0, out.length, start, (err, n) => (err ? reject(err) : n !== out.length ? reject(new Error('short read')) : resolve(out)));
      }),
    close: async () => fs.closeSync(fd),
  };
}

/** The connector's decode path over local files: units, the default threads, the record pipeline, stdout. */
async function piecesRole(format: Format, listFile: string): Promise<void> {
  const files = JSON.parse(fs.readFileSync(listFile, 'utf8')) as string[];
  const threads = process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : defaultThreads();
  const rules = compileTrackingRules([]);
  const executor: UnitExecutor = createExecutor(threads, rules, [], 'csv');
  executor.warm();
  const job: UnitJob = {stream: 'usage_details', emitRecords: true, auditConflicts: false, metric: 'actual', sourceApi: 'cost_details', emittedAt: Date.now()};
  const pipeline = new RecordPipeline('usage_details', undefined);
  let rows = 0;
  const write = (unit: UnitOutput): void => {
    rows += unit.records;
    process.stdout.write(pipeline.finish(unit));
    executor.release(unit.bytes);
  };
  try {
    for (const f of files) {
      if (format === 'csv-gzip') {
        for await (const unit of csvBlobUnits(fs.createReadStream(f, {highWaterMark: 1 << 20}).pipe(zlib.createGunzip()), job, executor, rules)) write(unit);
      } else {
        const source = fileRangeSource(f);
        try {
          for await (const unit of parquetBlobUnits(source, job, executor, rules, {unitRows: process.env.BENCH_UNIT_ROWS ? Number(process.env.BENCH_UNIT_ROWS) : undefined})) write(unit);
        } finally {
          await source.close();
        }
      }
    }
  } finally {
    await executor.close();
  }
  fs.writeSync(2, `BENCH_PIECES ${JSON.stringify({rows})}\n`);
}

// ------------------------------------------------------------------------------------------
// the benchmark

interface Measured {
  wallS: number;
  rowsPerS: number;
  peakRssMb: number;
  cpuS: number;
  rows: number | null;
  firstRecordMs: number | null;
}

function measured(r: ChildResult, rows: number): Measured {
  return {wallS: r.wallMs / 1000, rowsPerS: rows / (r.wallMs / 1000), peakRssMb: r.peakRssMb, cpuS: r.cpuMs / 1000, rows: r.rows, firstRecordMs: r.firstRecordMs};
}

interface Downloaded {
  files: string[];
  bytes: number;
  rows: number;
}

/** Every part of the run the connector reads, downloaded once (SAS), for the floor. */
async function download(accountUrl: string, container: string, sas: string, blobs: Array<{blobName: string; dataRowCount: number}>, dir: string): Promise<Downloaded> {
  fs.mkdirSync(dir, {recursive: true});
  const files: string[] = [];
  let bytes = 0;
  let rows = 0;
  for (const b of blobs) {
    const url = `${accountUrl}/${container}/${b.blobName.split('/').map(encodeURIComponent).join('/')}?${sas}`;
    const r = await fetch(url, {headers: {'x-ms-version': STORAGE_VERSION}});
    if (r.status !== 200) throw new Error(`download ${b.blobName}: ${r.status}`);
    const data = Buffer.from(await r.arrayBuffer());
    const file = path.join(dir, path.basename(b.blobName));
    fs.writeFileSync(file, data);
    files.push(file);
    bytes += data.length;
    rows += b.dataRowCount;
  }
  return {files, bytes, rows};
}

interface ExportTruthLite {
  name: string;
  rows: number;
  runs: Array<{read: boolean; blobs: Array<{blobName: string; dataRowCount: number; present: boolean}>}>;
}

export async function runExportsBench(args: ExportsArgs): Promise<Record<string, unknown>> {
  const env = {...process.env, ...(args.imageEnv ? imageMallocEnv() : {})};
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-billing-bench-exports-'));
  const results: Record<string, unknown> = {
    command: `npm run bench:exports -- ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: new Date().toISOString(),
    machine: {cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, loadAverageAtStart: os.loadavg()},
    settings: {rowsPerPart: args.rowsPerPart, parquetRowGroupRows: 20_000, workerThreads: args.workerThreads ?? 'default'},
  };
  const entries: Array<Record<string, any>> = [];
  results.sizes = entries;
  console.log(`\nExports: ActualCost months as ${args.formats.join(' and ')}, parts of ${k(args.rowsPerPart)} rows`);
  let seq = 0;
  const listFile = (files: string[]): string => {
    const f = path.join(work, `files-${++seq}.json`);
    fs.writeFileSync(f, JSON.stringify(files));
    return f;
  };
  try {
    for (const rows of args.sizes) {
      const m = benchMonth();
      const o: SandboxOptions = {
        startDate: m.start, endDate: m.end, today: m.today, rowsPerDay: Math.round(rows / 30), csvSchema: 'current', retryAfterSeconds: 0,
        exports: args.formats.map((format) => ({name: `bench-${format}`, dataset: 'ActualCost' as const, format, history: false, months: [m.start.slice(0, 7)], rowsPerPart: args.rowsPerPart})),
      };
      const t0 = Date.now();
      const sb = await startBenchSandbox(o, 'child');
      try {
        const truth = (await (await fetch(`${sb.baseUrl}/_sandbox/exports`)).json()) as {exports: ExportTruthLite[]};
        const accountUrl = `${sb.baseUrl}/storage/${sb.options.storageAccount}`;
        const container = sb.options.exportsContainer;
        const expiry = new Date(Date.now() + 6 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        const sas = signSas(sb.options.storageAccountKey, sb.options.storageAccount, container, {version: '2022-11-02', permissions: 'rl', expiry, resource: 'c'});
        const repeat = args.repeat > 0 ? args.repeat : rows <= 100_000 ? 3 : 1;
        for (const format of args.formats) {
          const t = truth.exports.find((x) => x.name === `bench-${format}`)!;
          const blobs = t.runs.filter((r) => r.read).flatMap((r) => r.blobs.filter((b) => b.present));
          const local = await download(accountUrl, container, sas, blobs, path.join(work, `${rows}`, format));
          const expected = t.rows;
          console.log(`  ${k(rows)} rows, ${format}: ${local.files.length} parts, ${(local.bytes / 1048576).toFixed(1)} MB, ready in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${expected} rows in the days`);
          const floors: Partial<Record<FloorKind, ChildResult[]>> = {};
          const pieces: ChildResult[] = [];
          const conns: ChildResult[] = [];
          let connectorError: string | undefined;
          const list = listFile(local.files);
          for (let i = 0; i < repeat; i++) {
            // interleaved, so a burst of load elsewhere hits every side
            if (args.connector && !connectorError) {
              const r = await runConnectorOnExports(work, sb, accountUrl, sas, `bench-${format}`, args.workerThreads, env);
              if (r.code === 0) conns.push(r);
              else connectorError = (r.stderr || r.lastInfo || `exit code ${r.code}`).split('\n').slice(-3).join(' ').slice(0, 400);
            }
            if (args.pieces) {
              const threadsEnv = args.workerThreads !== undefined ? {BENCH_THREADS: String(args.workerThreads)} : {};
              pieces.push(await runChild(['--require', PROBE, SELF, '--role', 'pieces', format, list], {...env, ...threadsEnv}));
            }
            for (const kind of FLOORS[format]) (floors[kind] ??= []).push(await runChild([SELF, '--role', 'floor', kind, list]));
          }
          for (const r of [...Object.values(floors).flat(), ...pieces]) if (r.code !== 0) throw new Error(`bench child exited with ${r.code}: ${r.stderr}`);
          // the ratio is quoted against the fastest (strictest) floor
          const floorsMeasured = Object.fromEntries(Object.entries(floors).map(([kind, rs]) => [kind, measured(best(rs), local.rows)])) as Record<string, Measured>;
          const [floorKind, floor] = Object.entries(floorsMeasured).reduce((a, b) => (b[1].wallS < a[1].wallS ? b : a));
          const entry: Record<string, any> = {rows, format, parts: local.files.length, megabytes: local.bytes / 1048576, rowsInFiles: local.rows, repeat, floor, floorKind, floors: floorsMeasured};
          let line = `    floor (${floorKind}) ${Math.round(floor.rowsPerS)} rows/s in ${floor.wallS.toFixed(2)} s, RSS ${mb(floor.peakRssMb)} MB` +
            Object.entries(floorsMeasured).filter(([kind]) => kind !== floorKind).map(([kind, f]) => `; ${kind} ${Math.round(f.rowsPerS)} rows/s, RSS ${mb(f.peakRssMb)} MB`).join('');
          if (pieces.length) {
            const p = measured(best(pieces), local.rows);
            entry.pieces = {...p, ratio: floor.wallS / p.wallS, firstRecordMsRuns: pieces.map((r) => r.firstRecordMs)};
            line += ` | decode path ${Math.round(p.rowsPerS)} rows/s in ${p.wallS.toFixed(2)} s, peak RSS ${mb(p.peakRssMb)} MB, first RECORD ${msList(pieces.map((r) => r.firstRecordMs))}, floor/decode ${(floor.wallS / p.wallS).toFixed(2)}×`;
          }
          if (conns.length) {
            const c = measured(best(conns), local.rows);
            if (c.rows !== null && c.rows !== expected) console.log(`    WARNING: the connector emitted ${c.rows} rows, the days hold ${expected}`);
            entry.connector = {...c, ratio: floor.wallS / c.wallS, cpuRatio: floor.cpuS / c.cpuS, firstRecordMsRuns: conns.map((r) => r.firstRecordMs)};
            line += ` | connector ${Math.round(c.rowsPerS)} rows/s in ${c.wallS.toFixed(2)} s, peak RSS ${mb(c.peakRssMb)} MB, first RECORD ${msList(conns.map((r) => r.firstRecordMs))}, floor/connector ${(floor.wallS / c.wallS).toFixed(2)}× (CPU ${(floor.cpuS / c.cpuS).toFixed(2)}×)`;
          } else if (connectorError) {
            entry.connectorError = connectorError;
            line += ` | connector failed: ${connectorError}`;
          }
          console.log(line);
          entries.push(entry);
          fs.rmSync(path.join(work, `${rows}`, format), {recursive: true, force: true});
        }
      } finally {
        await sb.close();
      }
      fs.mkdirSync(path.dirname(args.out), {recursive: true});
      fs.writeFileSync(args.out, JSON.stringify(results, null, 2));
    }
    results.finishedAt = new Date().toISOString();
    fs.writeFileSync(args.out, JSON.stringify(results, null, 2));
    printExportsSummary(entries);
    return results;
  } finally {
    fs.rmSync(work, {recursive: true, force: true});
  }
}

async function runConnectorOnExports(work: string, sb: SandboxHandle, accountUrl: string, sas: string, exportName: string, workerThreads: number | undefined, env: NodeJS.ProcessEnv): Promise<ChildResult> {
  const o = sb.options;
  const config = {
    enrollment_number: o.enrollmentNumber,
    credentials: {auth_type: 'service_principal', tenant_id: o.tenantId, client_id: o.clientId, client_secret: o.clientSecret},
    start_date: o.startDate,
    end_date: o.endDate,
    month_close_days: 0,
    ...(workerThreads !== undefined ? {worker_threads: workerThreads} : {}),
    data_source: {type: 'exports', storage_account_url: accountUrl, container: o.exportsContainer, root_folder_path: o.exportsRootFolder, export_names: [exportName], sas_token: sas},
    api_base_url: sb.baseUrl,
    login_base_url: sb.baseUrl,
  };
  const catalog = {streams: [{stream: {name: 'usage_details', json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental']}, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite'}]};
  const id = `${exportName}-${Date.now()}`;
  const cf = path.join(work, `config-${id}.json`);
  const cat = path.join(work, `catalog-${id}.json`);
  fs.writeFileSync(cf, JSON.stringify(config));
  fs.writeFileSync(cat, JSON.stringify(catalog));
  return runChild(['--require', PROBE, CLI, 'read', '--config', cf, '--catalog', cat], env);
}

function printExportsSummary(entries: Array<Record<string, any>>): void {
  console.log('\n| format | rows | MB | floor rows/s | connector rows/s | floor/connector | CPU floor/connector | peak RSS MB | first RECORD ms | decode path rows/s | floor/decode | decode peak RSS MB |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const e of entries) {
    const c = e.connector;
    const p = e.pieces;
    const first = c?.firstRecordMs ?? null;
    console.log(
      `| ${e.format} | ${k(e.rows)} | ${e.megabytes.toFixed(0)} | ${Math.round(e.floor.rowsPerS)} (${e.floorKind}) | ${c ? Math.round(c.rowsPerS) : '-'} | ${c ? c.ratio.toFixed(2) : '-'} | ${c ? c.cpuRatio.toFixed(2) : '-'} | ${c ? mb(c.peakRssMb) : '-'} | ${first === null ? '-' : Math.round(first)} | ` +
        `${p ? Math.round(p.rowsPerS) : '-'} | ${p ? p.ratio.toFixed(2) : '-'} | ${p ? mb(p.peakRssMb) : '-'} |`,
    );
  }
}

// ------------------------------------------------------------------------------------------

const roleAt = process.argv.indexOf('--role');
const role = roleAt >= 0 ? process.argv[roleAt + 1] : undefined;
if (require.main === module) {
  const done = (p: Promise<unknown>): void => {
    p.catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
  };
  if (role === 'floor') done(floorRole(process.argv[roleAt + 2] as FloorKind, process.argv[roleAt + 3]));
  else if (role === 'pieces') done(piecesRole(process.argv[roleAt + 2] as Format, process.argv[roleAt + 3]));
  else done(runExportsBench(parseExportsArgs(process.argv.slice(2))));
}

import {addDays, monthEnd} from '../dates';
import {BlobItem} from './blob-storage';

/**
 * From a container's listing and its manifests to the runs to read (docs/design.md §14). Runs
 * are known from their manifests only (`manifest.json`, legacy `_manifest.json`), never from
 * folder depths or file names; per (scope, dataset, month) the latest complete run wins.
 */

/** The dataset types of Cost Management exports (the manifest's exportConfig.type). */
export type ExportType =
  | 'ActualCost'
  | 'AmortizedCost'
  | 'FocusCost'
  | 'Usage'
  | 'PriceSheet'
  | 'ReservationDetails'
  | 'ReservationTransactions'
  | 'ReservationRecommendations';

const TYPES: readonly ExportType[] = [
  'ActualCost',
  'AmortizedCost',
  'FocusCost',
  'Usage',
  'PriceSheet',
  'ReservationDetails',
  'ReservationTransactions',
  'ReservationRecommendations',
];

/** The dataset a run is read as: the legacy `Usage` type is actual cost (the same rows). */
export type Dataset = Exclude<ExportType, 'Usage'>;

export interface ExportRun {
  /** Where its manifest is (the blob name), for messages. */
  manifest: string;
  exportName: string;
  /** exportConfig.resourceId without its `/providers/Microsoft.CostManagement/exports/{name}`, lower case. */
  scope: string;
  /** exportConfig.resourceId as written, for the scope filter. */
  resourceId: string;
  type: ExportType;
  dataset: Dataset;
  dataVersion: string;
  fileFormat: 'Csv' | 'Parquet';
  compression: 'None' | 'Gzip' | 'Snappy';
  runId: string;
  /** runInfo.submittedTime as ms since the epoch (NaN sorts as oldest). */
  submitted: number;
  submittedTime: string;
  /** First and last usage day the run covers (inclusive). */
  startDay: string;
  endDay: string;
  /** Data blobs as listed (names resolved against the listing); empty for a zero-row run. */
  blobs: BlobItem[];
  /** Manifest blobs not in the listing: the run is not complete. */
  missing: string[];
  rows?: number;
}

/** What went wrong with one manifest, for a WARN line. */
export interface ManifestProblem {
  manifest: string;
  problem: string;
}

const MANIFEST_NAMES = new Set(['manifest.json', '_manifest.json']);

export function isManifest(name: string): boolean {
  return MANIFEST_NAMES.has(name.slice(name.lastIndexOf('/') + 1).toLowerCase());
}

/** A manifest's copy of a blob name, tidied: Azure has written stray spaces around path segments. */
function tidyName(name: string): string {
  return name
    .split('/')
    .map((s) => s.trim())
    .filter((s, i) => s !== '' || i > 0)
    .join('/');
}

function day(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(value.trim());
  return m?.[1];
}

/**
 * One manifest (its JSON text) as a run, resolved against the container's listing. Returns a
 * problem instead when the manifest cannot be used (it is then skipped with a WARN).
 */
export function parseManifest(manifestName: string, text: string, listed: Map<string, BlobItem>): ExportRun | ManifestProblem {
  const bad = (problem: string): ManifestProblem => ({manifest: manifestName, problem});
  let m: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    m = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch {
    return bad('not valid JSON');
  }
  if (!m || typeof m !== 'object') return bad('not a JSON object');
  const config = m.exportConfig ?? {};
  const delivery = m.deliveryConfig ?? {};
  const run = m.runInfo ?? {};
  const type = TYPES.find((t) => t.toLowerCase() === String(config.type ?? '').trim().toLowerCase());
  if (!type) return bad(`exportConfig.type "${String(config.type ?? '').slice(0, 40)}" is not a dataset the connector reads`);
  const runId = typeof run.runId === 'string' ? run.runId.trim() : '';
  if (!runId) return bad('no runInfo.runId');
  const startDay = day(run.startDate);
  let endDay = day(run.endDate);
  if (!startDay || !endDay) return bad('runInfo.startDate or endDate is missing or not a date');
  // an end written as midnight of the next month's first day closes the month before it
  if (endDay > startDay && endDay.endsWith('-01') && /T00:00(:00(\.0+)?)?Z?$/.test(String(run.endDate).trim())) endDay = addDays(endDay, -1);
  // a run before any data of its month has been seen written with an end before its start
  if (endDay < startDay) endDay = startDay;
  const resourceId = typeof config.resourceId === 'string' ? config.resourceId.trim() : '';
  const exportName = typeof config.exportName === 'string' && config.exportName.trim() ? config.exportName.trim() : (resourceId.split('/').pop() ?? '');
  const format = String(delivery.fileFormat ?? 'Csv').toLowerCase() === 'parquet' ? 'Parquet' : 'Csv';
  const compressionText = String(delivery.compressionMode ?? 'None').toLowerCase();
  const compression = compressionText === 'gzip' ? 'Gzip' : compressionText === 'snappy' ? 'Snappy' : 'None';
  const dir = manifestName.slice(0, manifestName.lastIndexOf('/') + 1);
  const blobs: BlobItem[] = [];
  const missing: string[] = [];
  const entries = Array.isArray(m.blobs) ? m.blobs : [];
  for (const entry of entries) {
    const raw = typeof entry?.blobName === 'string' ? entry.blobName : '';
    if (!raw.trim()) continue;
    const name = tidyName(raw);
    // the full path in the container; a name relative to the run folder is taken too
    const found = listed.get(name) ?? listed.get(raw) ?? listed.get(dir + name);
    if (found) blobs.push(found);
    else missing.push(name);
  }
  const rows = typeof m.dataRowCount === 'number' ? m.dataRowCount : undefined;
  const submittedTime = typeof run.submittedTime === 'string' ? run.submittedTime.trim() : '';
  return {
    manifest: manifestName,
    exportName,
    scope: scopeOfResourceId(resourceId),
    resourceId,
    type,
    dataset: type === 'Usage' ? 'ActualCost' : type,
    dataVersion: typeof config.dataVersion === 'string' ? config.dataVersion.trim() : '',
    fileFormat: format,
    compression,
    runId,
    submitted: Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(submittedTime) ? submittedTime : `${submittedTime}Z`),
    submittedTime,
    startDay,
    endDay,
    // a run with no rows carries no data, whatever blobs it lists (docs/design.md §14)
    blobs: rows === 0 ? [] : blobs,
    missing: rows === 0 ? [] : missing,
    rows,
  };
}

/** The scope an export belongs to: its resource id without the export's own part, lower case. */
export function scopeOfResourceId(resourceId: string): string {
  return resourceId
    .replace(/\/providers\/Microsoft\.CostManagement\/exports\/[^/]*\/?$/i, '')
    .replace(/%3a/gi, ':')
    .replace(/\/+$/, '')
    .toLowerCase();
}

/** True when the export's resource id lies under `scopePath` (an ARM scope path). */
export function underScope(run: ExportRun, scopePath: string): boolean {
  const want = scopePath.replace(/%3a/gi, ':').replace(/\/+$/, '').toLowerCase();
  return run.scope === want || run.scope.startsWith(`${want}/`);
}

/** The months ('YYYY-MM') a run's days fall in. */
export function monthsOf(run: Pick<ExportRun, 'startDay' | 'endDay'>): string[] {
  const months: string[] = [];
  for (let d = `${run.startDay.slice(0, 7)}-01`; d <= run.endDay; d = addDays(monthEnd(d), 1)) months.push(d.slice(0, 7));
  return months;
}

/** The run that wins a month of one (scope, dataset), and what it overrode. */
export interface MonthChoice {
  month: string;
  scope: string;
  dataset: Dataset;
  run: ExportRun;
  /** Newer runs passed over because they are not complete. */
  incomplete: ExportRun[];
  /** Older complete runs replaced by the winner (not read). */
  superseded: number;
}

/**
 * Per (scope, dataset, month): the latest complete run by runInfo.submittedTime (runId breaks a
 * tie, so the choice never depends on listing order); newer incomplete runs are passed over.
 * A (scope, dataset, month) whose every run is incomplete has no choice (and is reported); one
 * whose scope lies inside another chosen scope of the same dataset and month is left out (`nested`).
 */
export function chooseRuns(runs: ExportRun[]): {chosen: MonthChoice[]; unusable: ExportRun[]; nested: MonthChoice[]} {
  const groups = new Map<string, ExportRun[]>();
  for (const run of runs) {
    for (const month of monthsOf(run)) {
      const key = `${run.scope}\u0000${run.dataset}\u0000${month}`;
      let list = groups.get(key);
      if (!list) groups.set(key, (list = []));
      list.push(run);
    }
  }
  const chosen: MonthChoice[] = [];
  const unusable: ExportRun[] = [];
  for (const [key, list] of groups) {
    const [scope, dataset, month] = key.split('\u0000') as [string, Dataset, string];
    list.sort(newestFirst);
    const winner = list.findIndex((r) => r.missing.length === 0);
    if (winner < 0) {
      for (const r of list) if (!unusable.includes(r)) unusable.push(r);
      continue;
    }
    chosen.push({month, scope, dataset, run: list[winner], incomplete: list.slice(0, winner), superseded: list.length - winner - 1});
  }
  chosen.sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0));
  // an export of a scope inside another exported scope (a department under its enrollment, a
  // billing profile under its account) holds rows the broader one holds too: reading both would
  // count them twice
  const nested = chosen.filter((c) => chosen.some((o) => o !== c && o.month === c.month && o.dataset === c.dataset && c.scope.startsWith(`${o.scope}/`)));
  return {chosen: chosen.filter((c) => !nested.includes(c)), unusable, nested};
}

function newestFirst(a: ExportRun, b: ExportRun): number {
  const ta = Number.isNaN(a.submitted) ? -Infinity : a.submitted;
  const tb = Number.isNaN(b.submitted) ? -Infinity : b.submitted;
  if (ta !== tb) return tb - ta;
  return a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;
}

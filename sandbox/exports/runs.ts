/**
 * The runs of a daily month-to-date export (docs/design.md §14): per month, with history, a
 * zero-row run from the month's first day, an older run superseded by the newest, the newest
 * complete run, and optionally a newer run whose manifest names a blob that never arrived.
 */
import {addDays, monthEnd} from '../dates';
import {uuidFrom} from '../prng';
import {ExportSpec} from './spec';

export type RunKind = 'empty' | 'superseded' | 'complete' | 'incomplete';

export interface RunPlan {
  month: string;
  runId: string;
  kind: RunKind;
  /** Days the run holds (start > end for a zero-row run). */
  start: string;
  end: string;
  submitted: number;
  /** Folder of the run in the container (no leading or trailing slash). */
  folder: string;
}

const HOUR = 3_600_000;

function compact(day: string): string {
  return day.replace(/-/g, '');
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace(/[-:T]/g, '');
}

/** Months (YYYY-MM) from `from`'s month to `to`'s month. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let y = +from.slice(0, 4);
  let m = +from.slice(5, 7);
  const end = to.slice(0, 7);
  for (;;) {
    const s = `${y}-${String(m).padStart(2, '0')}`;
    if (s > end) break;
    out.push(s);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/** The runs of one month of an export, oldest first. `newest`: the export's last month. */
export function planRuns(spec: ExportSpec, seed: number, root: string, month: string, today: string, newest: boolean): RunPlan[] {
  const first = `${month}-01`;
  const yesterday = addDays(today, -1);
  const last = monthEnd(first) < yesterday ? monthEnd(first) : yesterday;
  const base = `${root ? root + '/' : ''}${spec.name}/${compact(first)}-${compact(monthEnd(first))}`;
  const runs: RunPlan[] = [];
  const add = (kind: RunKind, start: string, end: string, submitted: number) => {
    const runId = uuidFrom('export-run', seed, spec.name, month, runs.length);
    const folder = `${base}${spec.timeFolder === false ? '' : '/' + stamp(submitted)}/${runId}`;
    runs.push({month, runId, kind, start, end, submitted, folder});
  };
  // the daily run at 03:00-ish UTC the day after the last day it holds
  const at = (day: string, hour: number) => Date.parse(`${addDays(day, 1)}T00:00:00Z`) + hour * HOUR + (seed % 50) * 60_000;
  const history = spec.history !== false;
  if (history && last > first) {
    // the month's first run, before any of its days had data
    add('empty', first, addDays(first, -1), Date.parse(`${first}T02:00:00Z`) + (seed % 50) * 60_000);
    const older = addDays(last, -3) < first ? first : addDays(last, -3);
    if (older < last) add('superseded', first, older, at(older, 3));
  }
  if (last >= first) add('complete', first, last, at(last, 3));
  else add('empty', first, addDays(first, -1), Date.parse(`${first}T02:00:00Z`));
  if (newest && spec.incompleteNewest && last >= first) add('incomplete', first, last, at(last, 9));
  return runs;
}

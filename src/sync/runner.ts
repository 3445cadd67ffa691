import {SourceConfig} from '../config/types';
import {addDays, daysBetween, maxDay, minDay} from '../dates';
import {Logger} from '../protocol/logger';
import {estimateTrace, streamState, streamStatusTrace} from '../protocol/messages';
import {ProtocolOutput} from '../protocol/output';
import {ConnectorState} from '../protocol/state';
import {ConflictRecord, RecordPipeline} from './pipeline';
import {SliceSource, SliceTarget} from './slice-source';
import {DateSlice, planSlices, syncWindow} from './slices';

export type SyncMode = 'full_refresh' | 'incremental';

export interface SelectedStream {
  name: string;
  syncMode: SyncMode;
}

export interface RunContext {
  config: SourceConfig;
  output: ProtocolOutput;
  logger: Logger;
  today: string;
  endDate: string;
  /** Oldest day the API serves, if it is limited (Cost Details: 13 months). */
  oldestAvailable?: string;
  /** Set by SIGTERM: stop after the current batch, keeping the last complete state. */
  stop: {requested: boolean};
  /** Where a unit's output bytes go once written, for reuse (the executor's `release`). */
  release?: (bytes: Uint8Array) => void;
}

/**
 * What the runner needs of a usage stream (streams/streams.ts UsageStream implements it): declared
 * here so that sync/ does not depend on streams/, which is built on sync/'s slices and pipeline.
 */
export interface UsageStream {
  readonly name: string;
  readonly source: SliceSource<unknown>;
  pipeline(onConflict?: (conflict: ConflictRecord) => void): RecordPipeline;
}

/** What the runner needs of the tracking_conflicts stream: its name and the usage it audits. */
export interface TrackingConflictsStream {
  readonly name: string;
  readonly usage: UsageStream;
}

export class StopRequested extends Error {
  constructor() {
    super('Stopped on request; the last STATE covers every complete slice.');
  }
}

/** One pass over a usage stream: its records may be emitted, its conflicts may be audited. */
interface Pass {
  stream: UsageStream;
  emitRecords: boolean;
  syncMode: SyncMode;
  inputCursor?: string;
  cursor?: string;
  running?: boolean;
  /** Export streams: runs emitted completely by month, written into every STATE (docs/design.md §14). */
  runs?: Record<string, string>;
  /** The input state's runs, which an incremental pass does not download again. */
  inputRuns?: Record<string, string>;
  /** False for streams outside the tracking audit. */
  audited?: boolean;
}

/**
 * Reads the selected streams slice by slice in date order. Up to max_concurrency slices are
 * prepared ahead (reports generating at Azure), but records and STATE leave in slice order, and
 * a STATE only ever claims days whose every row has been written before it.
 */
export class SyncRunner {
  private readonly emittedAt = Date.now();
  private conflictsSelected: SelectedStream | undefined;
  /** Waits racing a stop; all rejected once a stop is requested (polled: a signal handler sets the flag). */
  private readonly stopWaiters = new Set<() => void>();
  private stopPoll?: NodeJS.Timeout;
  private conflictsCursor?: string;
  /** Conflict records written since the last tracking_conflicts STATE (its sourceStats). */
  private conflictsSinceState = 0;
  private conflictsRunning = false;
  private passes: Pass[] = [];

  constructor(
    private readonly ctx: RunContext,
    private readonly usageStreams: UsageStream[],
    private readonly conflicts: TrackingConflictsStream,
    /** Streams read like the usage streams but outside the tracking audit (focus_costs, export datasets: docs/design.md §13, §15). */
    private readonly otherStreams: UsageStream[] = [],
  ) {}

  async run(selected: SelectedStream[], state: ConnectorState): Promise<void> {
    const byName = new Map(selected.map((s) => [s.name, s]));
    this.conflictsSelected = byName.get(this.conflicts.name);
    for (const stream of this.usageStreams) {
      const sel = byName.get(stream.name);
      if (sel) this.passes.push({stream, emitRecords: true, syncMode: sel.syncMode, inputCursor: state[stream.name]?.usage_date, inputRuns: state[stream.name]?.runs});
    }
    const usagePasses = this.passes.length;
    for (const stream of this.otherStreams) {
      const sel = byName.get(stream.name);
      if (sel) this.passes.push({stream, emitRecords: true, syncMode: sel.syncMode, inputCursor: state[stream.name]?.usage_date, inputRuns: state[stream.name]?.runs, audited: false});
    }
    if (this.conflictsSelected && usagePasses === 0) {
      // The audit alone still needs the usage rows: read them without emitting them.
      this.passes.push({stream: this.conflicts.usage, emitRecords: false, syncMode: this.conflictsSelected.syncMode, inputCursor: state[this.conflicts.name]?.usage_date});
    }
    for (const pass of this.passes) {
      const incremental = pass.syncMode === 'incremental';
      pass.cursor = incremental ? pass.inputCursor : undefined;
      if (pass.stream.source.runOf) pass.runs = incremental ? {...pass.inputRuns} : {};
      if (!incremental) pass.inputRuns = undefined;
    }
    if (this.conflictsSelected?.syncMode === 'incremental') this.conflictsCursor = state[this.conflicts.name]?.usage_date;
    if (this.conflictsSelected) this.ctx.output.message(streamStatusTrace(this.conflicts.name, 'STARTED'));
    let current: Pass | undefined;
    try {
      for (const pass of this.passes) {
        current = pass;
        await this.runPass(pass);
      }
      if (this.conflictsSelected) this.ctx.output.message(streamStatusTrace(this.conflicts.name, 'COMPLETE'));
    } catch (err) {
      if (current?.emitRecords) this.ctx.output.message(streamStatusTrace(current.stream.name, 'INCOMPLETE'));
      if (this.conflictsSelected) this.ctx.output.message(streamStatusTrace(this.conflicts.name, 'INCOMPLETE'));
      throw err;
    } finally {
      this.ctx.output.flush();
    }
  }

  private async runPass(pass: Pass): Promise<void> {
    const {config, logger, output} = this.ctx;
    const name = pass.stream.name;
    if (pass.emitRecords) output.message(streamStatusTrace(name, 'STARTED'));
    const window = syncWindow({
      startDate: config.start_date,
      endDate: this.ctx.endDate,
      cursor: pass.inputCursor,
      incremental: pass.syncMode === 'incremental',
      lookbackDays: config.lookback_days,
      monthCloseDays: config.month_close_days,
      today: this.ctx.today,
      oldestAvailable: this.ctx.oldestAvailable,
    });
    if (window.cursorBeyondEnd) {
      logger.warn(`${name}: the saved cursor ${pass.inputCursor} is after the end date ${window.end}; nothing to read. Reset the stream if the state is wrong.`);
    }
    if (window.clampedFrom) {
      logger.warn(`${name}: ${window.clampedFrom} is older than the 13 months of history the Cost Details API keeps; starting at ${window.start}, the first date it can read.`);
    }
    const source = pass.stream.source;
    const slices = window.start <= window.end ? (source.planSlices ? source.planSlices(window.start, window.end) : planSlices(window.start, window.end, config.slice_days)) : [];
    const totalDays = slices.length ? daysBetween(window.start, window.end) + 1 : 0;
    logger.info(
      `${name}: ${pass.syncMode} sync of ${window.start}..${window.end} (${totalDays} days, ${slices.length} slices, up to ${config.max_concurrency} at once)` +
        (window.reasons.length ? `; start from ${window.reasons.join(' and ')}` : ''),
    );
    const progress = {days: 0, rows: 0, estimatedRows: 0, estimatedDays: 0, started: Date.now()};
    const prepared: Record<number, Promise<unknown>> = {};
    const prepare = (i: number): void => {
      if (i >= slices.length || i in prepared) return;
      const p = pass.stream.source.prepare(slices[i], this.target(pass));
      p.catch(() => undefined); // awaited in turn below; this only avoids an unhandled rejection
      prepared[i] = p.then((result) => {
        this.estimate(pass, result, slices[i], totalDays, progress);
        return result;
      });
      prepared[i].catch(() => undefined);
    };
    for (let i = 0; i < slices.length; i++) {
      if (this.ctx.stop.requested) throw new StopRequested();
      for (let ahead = i; ahead < i + config.max_concurrency; ahead++) prepare(ahead);
      const slice = slices[i];
      const result = await this.unlessStopped(prepared[i]);
      const sliceRows = await this.readSlice(pass, slice, result);
      delete prepared[i];
      progress.days += daysBetween(slice.start, slice.end) + 1;
      progress.rows += sliceRows;
      // A source that cannot estimate ahead (the EA API has no row counts): estimate from the
      // rows per day read so far, after every slice.
      if (pass.emitRecords && progress.estimatedDays === 0) output.message(estimateTrace(name, (progress.rows / progress.days) * totalDays));
      const covered = source.coveredUntil ? minDay(source.coveredUntil(result, slice), slice.end) : slice.end;
      if (covered >= slice.start) pass.cursor = pass.cursor ? maxDay(pass.cursor, covered) : covered;
      const run = pass.runs ? source.runOf?.(result, slice) : undefined;
      if (run && pass.runs) pass.runs[run.month] = run.key;
      this.checkpoint(pass, sliceRows);
      const seconds = Math.max(0.001, (Date.now() - progress.started) / 1000);
      logger.info(
        `${name}: ${slice.start}..${slice.end} done; ${progress.days}/${totalDays} days, ${sliceRows} rows in slice, ${progress.rows} rows, ` +
          `${Math.round(progress.rows / seconds)} rows/s, heap ${Math.round(process.memoryUsage().heapUsed / 1048576)} MB`,
      );
    }
    // Nothing to read (e.g. a saved cursor after the end date): the state is given back as it came.
    if (slices.length === 0 && pass.cursor) this.checkpoint(pass, 0);
    if (pass.emitRecords) output.message(streamStatusTrace(name, 'COMPLETE'));
  }

  /**
   * Waits for Azure (a report that may take minutes to generate, a blob download backing off or
   * stalled until the timeout), but gives up as soon as a stop is requested: the last STATE
   * stands, and what was emitted after it is re-read by the next sync.
   */
  private unlessStopped<T>(work: Promise<T>): Promise<T> {
    if (this.ctx.stop.requested) throw new StopRequested();
    if (!this.stopPoll) {
      this.stopPoll = setInterval(() => {
        if (!this.ctx.stop.requested) return;
        clearInterval(this.stopPoll);
        for (const reject of this.stopWaiters) reject();
        this.stopWaiters.clear();
      }, 100);
      this.stopPoll.unref();
    }
    // Not Promise.race with one long-lived pending promise: every race would add a reaction to
    // it that holds the race's result (a batch of records) until the sync ends, a leak of every
    // record read (peak RSS ~300 MB at 100k EA rows). Each wait removes its own stop hook.
    return new Promise<T>((resolve, reject) => {
      const onStop = (): void => reject(new StopRequested());
      this.stopWaiters.add(onStop);
      work.then(
        (value) => {
          this.stopWaiters.delete(onStop);
          resolve(value);
        },
        (err: unknown) => {
          this.stopWaiters.delete(onStop);
          reject(err);
        },
      );
    });
  }

  /** Emits one slice's records; returns how many. */
  private async readSlice(pass: Pass, slice: DateSlice, prepared: unknown): Promise<number> {
    const {output, logger} = this.ctx;
    const name = pass.stream.name;
    const conflictsName = this.conflicts.name;
    const emittedAt = this.emittedAt;
    const onConflict = this.conflictsSelected && pass.audited !== false
      ? (c: ConflictRecord): void => {
          if (!this.conflictsRunning) {
            output.message(streamStatusTrace(conflictsName, 'RUNNING'));
            this.conflictsRunning = true;
          }
          this.conflictsSinceState++;
          output.record(conflictsName, c, emittedAt);
        }
      : undefined;
    const pipeline = pass.stream.pipeline(onConflict);
    const batches = pass.stream.source.units(prepared, slice, this.target(pass));
    let finished = false;
    try {
      for (;;) {
        const next = await this.unlessStopped(batches.next());
        if (next.done) break;
        const unit = next.value;
        if (unit.records > 0 && !pass.running && pass.emitRecords) {
          output.message(streamStatusTrace(name, 'RUNNING'));
          pass.running = true;
        }
        const pieces = pipeline.finishPieces(unit);
        let held = false;
        if (pass.emitRecords) for (const piece of pieces) if (output.bytes(piece)) held = true;
        if (!held) this.ctx.release?.(unit.bytes);
        const wait = output.ready();
        if (wait) await wait;
        if (this.ctx.stop.requested) throw new StopRequested();
      }
      finished = true;
    } finally {
      // as `for await` would: close the download behind the batches (not awaited: it may be stalled)
      if (!finished) batches.return(undefined).catch(() => undefined);
    }
    const tally = pipeline.tally;
    if (tally.rejectedTotal > 0) {
      logger.warn(`${name} ${slice.start}..${slice.end}: ${tally.rejectedTotal} row(s) not emitted (${tally.describeRejected()}).`);
    }
    if (tally.parseErrors > 0) {
      logger.warn(`${name} ${slice.start}..${slice.end}: ${tally.parseErrors} record(s) emitted with parse_errors (fields Azure sent that could not be parsed).`);
    }
    if (tally.conflicts > 0) {
      logger.warn(`${name} ${slice.start}..${slice.end}: ${tally.conflicts} tracking conflict(s) between same-priority rules; ${this.whereConflictsAre(pass)}`);
    }
    return tally.records;
  }

  /** Where a pass's conflicts can be seen: the audit when selected, else how to get it (docs/design.md §6). */
  private whereConflictsAre(pass: Pass): string {
    if (!this.conflictsSelected) return 'select the tracking_conflicts stream to audit them.';
    // focus_costs' rows are the usage rows again: the audit records them once, from the usage rows.
    if (pass.audited === false) return 'tracking_conflicts audits them from the usage rows these records repeat.';
    return 'see the tracking_conflicts stream.';
  }

  private target(pass: Pass): SliceTarget {
    return {stream: pass.stream.name, emitRecords: pass.emitRecords, auditConflicts: this.conflictsSelected !== undefined && pass.audited !== false, emittedAt: this.emittedAt, runs: pass.inputRuns};
  }

  /**
   * STATE after a complete slice (or a pass with nothing to read), with the count of records it
   * covers; a cursor never moves back, so look-back re-reads stay covered.
   */
  private checkpoint(pass: Pass, recordCount: number): void {
    if (pass.emitRecords) this.ctx.output.state(streamState(pass.stream.name, pass.runs ? {usage_date: pass.cursor, runs: {...pass.runs}} : {usage_date: pass.cursor}, recordCount));
    if (!this.conflictsSelected) return;
    // The audit is complete up to the least advanced of the usage streams read.
    let audited: string | undefined;
    for (const p of this.passes) {
      if (p.audited === false) continue;
      if (!p.cursor) {
        audited = undefined;
        break;
      }
      audited = audited ? minDay(audited, p.cursor) : p.cursor;
    }
    if (audited && (!this.conflictsCursor || audited > this.conflictsCursor)) this.conflictsCursor = audited;
    // A conflicts STATE after every slice, even when its cursor stays: a destination keeps only the
    // records a STATE of their stream follows, and the pass that found these conflicts resumes
    // from its own cursor, so it would never find them again.
    // Before any pass has a cursor, the audit is (vacuously) complete up to the day before start_date.
    if (!this.conflictsRunning) {
      this.ctx.output.message(streamStatusTrace(this.conflicts.name, 'RUNNING'));
      this.conflictsRunning = true;
    }
    const cursor = this.conflictsCursor ?? addDays(this.ctx.config.start_date, -1);
    this.ctx.output.state(streamState(this.conflicts.name, {usage_date: cursor}, this.conflictsSinceState));
    this.conflictsSinceState = 0;
  }

  private estimate(pass: Pass, prepared: unknown, slice: DateSlice, totalDays: number, progress: {estimatedRows: number; estimatedDays: number}): void {
    const rows = pass.stream.source.estimateRows(prepared);
    if (rows === undefined || !pass.emitRecords) return;
    progress.estimatedRows += rows;
    progress.estimatedDays += daysBetween(slice.start, slice.end) + 1;
    const perDay = progress.estimatedRows / progress.estimatedDays;
    this.ctx.output.message(estimateTrace(pass.stream.name, perDay * totalDays));
  }
}

import type {AirbyteStream} from 'faros-airbyte-cdk/lib/protocol';
import {SyncMode} from 'faros-airbyte-cdk/lib/protocol';
import type {AirbyteStreamBase} from 'faros-airbyte-cdk/lib/sources/streams/stream-base';

import {JsonSchema, loadStreamSchema} from '../config/spec';
import {DatasetStreamDef} from '../normalize/datasets';
import {Metric} from '../normalize/usage-record';
import {ConflictRecord, RecordPipeline} from '../sync/pipeline';
import {SliceSource} from '../sync/slice-source';
import {DateSlice} from '../sync/slices';

type Slice = DateSlice & Record<string, unknown>;

/**
 * The part of the Faros CDK's stream contract (AirbyteStreamBase) that describes a stream. Its
 * reading part (streamSlices, readRecords, getUpdatedState) is not how a sync runs here: the sync
 * runner plans the date slices, overlaps them and writes records as bytes decoded off the main
 * thread (README.md, "Built on").
 */
type StreamContract = Pick<AirbyteStreamBase, 'name' | 'primaryKey' | 'cursorField' | 'sourceDefinedCursor' | 'supportsIncremental' | 'getJsonSchema' | 'asAirbyteStream'>;

/**
 * Properties every stream of this source shares: incremental by usage date, keyed by id. It
 * implements the CDK's contract without extending AirbyteStreamBase: that module loads
 * faros-js-client (0.3 s and 38 MB of every sync, for code a read never runs), and its
 * asAirbyteStream adds the Faros-only __faros_data and __faros_heartbeat columns to the schema,
 * which a standard Airbyte platform and CAT reject.
 */
abstract class DatedStream implements StreamContract {
  private schema?: JsonSchema;

  constructor(
    private readonly streamName: string,
    private readonly schemaName: string,
  ) {}

  /** Sync modes discover offers and the catalog may ask for. */
  get syncModes(): SyncMode[] {
    return this.supportsIncremental ? [SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL] : [SyncMode.FULL_REFRESH];
  }

  get name(): string {
    return this.streamName;
  }
  get primaryKey(): string {
    return 'id';
  }
  get cursorField(): string {
    return 'usage_date';
  }
  get sourceDefinedCursor(): boolean {
    return true;
  }
  get supportsIncremental(): boolean {
    return true;
  }
  getJsonSchema(): Record<string, any> {
    this.schema ??= loadStreamSchema(this.schemaName);
    return this.schema;
  }

  /** The stream as discover lists it. */
  asAirbyteStream(): AirbyteStream {
    return {
      name: this.name,
      json_schema: this.getJsonSchema(),
      supported_sync_modes: this.syncModes,
      source_defined_cursor: this.supportsIncremental ? this.sourceDefinedCursor : false,
      ...(this.supportsIncremental ? {default_cursor_field: [this.cursorField]} : {}),
      source_defined_primary_key: [[this.primaryKey]],
    };
  }
}

/**
 * Cost rows of one metric: `usage_details` (actual cost) or `usage_details_amortized`. It says
 * what to read (its slice source) and how rows become records (the pipeline); the sync runner
 * decides when, in which order, and how many slices overlap.
 */
export class UsageStream extends DatedStream {
  constructor(
    name: string,
    readonly metric: Metric,
    readonly source: SliceSource<unknown>,
  ) {
    super(name, 'usage_details');
  }

  pipeline(onConflict?: (conflict: ConflictRecord) => void): RecordPipeline {
    return new RecordPipeline(this.name, onConflict);
  }
}

/**
 * An export dataset stream (docs/design.md §13): price sheet, reservation details, transactions
 * or recommendations, with its own schema and cursor; a dataset without a cursor is a snapshot,
 * full refresh only. Read like the usage streams (the runner's slices and STATE), without
 * tracking rules.
 */
export class DatasetStream extends DatedStream {
  constructor(
    readonly def: DatasetStreamDef,
    readonly source: SliceSource<unknown>,
  ) {
    super(def.stream, def.schemaName);
  }

  override get cursorField(): string {
    return this.def.cursorField ?? 'id';
  }

  override get supportsIncremental(): boolean {
    return this.def.cursorField !== null;
  }

  pipeline(): RecordPipeline {
    return new RecordPipeline(this.name, undefined);
  }
}

/**
 * FOCUS records (docs/design.md §15): keyed by x_RecordId, cursor ChargePeriodStart; the state
 * stays `{"usage_date"}` as for every dated stream (the runner writes it).
 */
export class FocusStream extends DatedStream {
  constructor(readonly source: SliceSource<unknown>) {
    super('focus_costs', 'focus_costs');
  }

  override get primaryKey(): string {
    return 'x_RecordId';
  }
  override get cursorField(): string {
    return 'ChargePeriodStart';
  }

  pipeline(onConflict?: (conflict: ConflictRecord) => void): RecordPipeline {
    return new RecordPipeline(this.name, onConflict);
  }
}

/** The audit trail of same-priority tracking rule disagreements, found while reading `usage`. */
export class TrackingConflictsStream extends DatedStream {
  constructor(readonly usage: UsageStream) {
    super('tracking_conflicts', 'tracking_conflicts');
  }

  async *readRecords(_syncMode: unknown, _cursorField?: string[], slice?: Slice): AsyncGenerator<ConflictRecord> {
    if (!slice) throw new Error(`${this.name} reads one date slice at a time`);
    const found: ConflictRecord[] = [];
    const pipeline = this.usage.pipeline((c) => found.push(c));
    const target = {stream: this.usage.name, emitRecords: false, auditConflicts: true, emittedAt: Date.now()};
    const prepared = await this.usage.source.prepare(slice, target);
    for await (const unit of this.usage.source.units(prepared, slice, target)) {
      pipeline.finish(unit);
      yield* found.splice(0);
    }
  }
}

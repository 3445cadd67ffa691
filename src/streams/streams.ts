import type {StreamKey} from 'faros-airbyte-cdk/lib/sources/streams/stream-base';

import {JsonSchema, loadStreamSchema} from '../config/spec';
import {Metric} from '../normalize/usage-record';
import {ConflictRecord, RecordPipeline} from '../sync/pipeline';
import {SliceSource} from '../sync/slice-source';
import {DateSlice} from '../sync/slices';

type Slice = DateSlice & Record<string, unknown>;

/**
 * Properties every stream of this source shares: incremental by usage date, keyed by id. The
 * members are those of the Faros CDK's AirbyteStreamBase (name, primaryKey, cursorField,
 * getJsonSchema, readRecords), without extending it: its module loads faros-js-client, which
 * cost every sync 0.3 s and 38 MB of memory for code a read never runs.
 */
abstract class DatedStream {
  private schema?: JsonSchema;

  constructor(
    private readonly streamName: string,
    private readonly schemaName: string,
  ) {}

  get name(): string {
    return this.streamName;
  }
  get primaryKey(): StreamKey {
    return 'id';
  }
  get cursorField(): string {
    return 'usage_date';
  }
  getJsonSchema(): Record<string, any> {
    this.schema ??= loadStreamSchema(this.schemaName);
    return this.schema;
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

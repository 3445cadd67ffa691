import {AirbyteLogger, AirbyteStreamBase, StreamKey} from 'faros-airbyte-cdk';

import {JsonSchema, loadStreamSchema} from '../config/spec';
import {Metric, UsageRecord} from '../normalize/usage-record';
import {CompiledRules} from '../track';
import {ConflictRecord, RecordPipeline} from '../sync/pipeline';
import {SliceSource} from '../sync/slice-source';
import {DateSlice} from '../sync/slices';

type Slice = DateSlice & Record<string, unknown>;

/** Properties every stream of this source shares: incremental by usage date, keyed by id. */
abstract class DatedStream extends AirbyteStreamBase {
  private schema?: JsonSchema;

  constructor(
    logger: AirbyteLogger,
    private readonly streamName: string,
    private readonly schemaName: string,
  ) {
    super(logger);
  }

  override get name(): string {
    return this.streamName;
  }
  get primaryKey(): StreamKey {
    return 'id';
  }
  override get cursorField(): string {
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
    logger: AirbyteLogger,
    name: string,
    readonly metric: Metric,
    readonly source: SliceSource<unknown>,
    private readonly rules: CompiledRules,
  ) {
    super(logger, name, 'usage_details');
  }

  pipeline(onConflict?: (conflict: ConflictRecord) => void): RecordPipeline {
    return new RecordPipeline(this.name, this.rules, onConflict);
  }

  /** The records of a prepared slice, batch by batch. */
  async *recordBatches(prepared: unknown, slice: DateSlice, pipeline: RecordPipeline): AsyncGenerator<UsageRecord[]> {
    for await (const batch of this.source.batches(prepared, slice)) {
      const records = pipeline.process(batch);
      if (records.length > 0) yield records;
    }
  }

  /** The CDK's per-record interface, for one slice: prepare and read it at once. */
  async *readRecords(_syncMode: unknown, _cursorField?: string[], slice?: Slice): AsyncGenerator<UsageRecord> {
    if (!slice) throw new Error(`${this.name} reads one date slice at a time`);
    const prepared = await this.source.prepare(slice);
    for await (const batch of this.recordBatches(prepared, slice, this.pipeline())) yield* batch;
  }
}

/** The audit trail of same-priority tracking rule disagreements, found while reading `usage`. */
export class TrackingConflictsStream extends DatedStream {
  constructor(
    logger: AirbyteLogger,
    readonly usage: UsageStream,
  ) {
    super(logger, 'tracking_conflicts', 'tracking_conflicts');
  }

  async *readRecords(_syncMode: unknown, _cursorField?: string[], slice?: Slice): AsyncGenerator<ConflictRecord> {
    if (!slice) throw new Error(`${this.name} reads one date slice at a time`);
    const found: ConflictRecord[] = [];
    const pipeline = this.usage.pipeline((c) => found.push(c));
    const prepared = await this.usage.source.prepare(slice);
    for await (const _batch of this.usage.recordBatches(prepared, slice, pipeline)) {
      yield* found.splice(0);
    }
  }
}

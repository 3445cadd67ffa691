/**
 * The one normalized record every reader produces (docs/design.md §4). Its fields are
 * defined once, in the field table (fields.ts); the type is generated from it.
 */
export type {Agreement, Metric, SourceApi} from './fields';
export type {UsageRecord} from './generated/record';
import type {UsageRecord} from './generated/record';

/** Record fields a tracking rule may match or reference (besides tags.<key>). */
export type UsageRecordField = keyof UsageRecord;

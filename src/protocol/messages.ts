/**
 * Builders for the standard Airbyte protocol messages this connector emits, and nothing else:
 * SPEC, CONNECTION_STATUS, CATALOG, RECORD, STATE (per stream), LOG, TRACE (ERROR, ESTIMATE,
 * STREAM_STATUS). They are the Faros CDK's protocol classes and types where the CDK has the
 * message; where it lacks a standard shape (see below) the message is typed as closely as the
 * CDK allows. Never the CDK's Faros-platform messages (README.md, "Built on").
 */
import {
  AirbyteCatalog,
  AirbyteCatalogMessage,
  AirbyteConnectionStatus,
  AirbyteConnectionStatusMessage,
  AirbyteLog,
  AirbyteLogLevel,
  AirbyteMessage,
  AirbyteMessageType,
  AirbyteRecord,
  AirbyteSpec,
  AirbyteStreamStateInput,
  AirbyteTrace,
  AirbyteTraceFailureType,
  Spec,
  StreamDescriptor,
} from 'faros-airbyte-cdk/lib/protocol';

export type {AirbyteMessage};
export type LogLevel = `${AirbyteLogLevel}`;
export type FailureType = `${AirbyteTraceFailureType}`;
export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';

const LOG_LEVELS: Record<LogLevel, AirbyteLogLevel> = {
  FATAL: AirbyteLogLevel.FATAL,
  ERROR: AirbyteLogLevel.ERROR,
  WARN: AirbyteLogLevel.WARN,
  INFO: AirbyteLogLevel.INFO,
  DEBUG: AirbyteLogLevel.DEBUG,
  TRACE: AirbyteLogLevel.TRACE,
};

const FAILURE_TYPES: Record<FailureType, AirbyteTraceFailureType> = {
  config_error: AirbyteTraceFailureType.CONFIG_ERROR,
  system_error: AirbyteTraceFailureType.SYSTEM_ERROR,
};

/** The standard STREAM_STATUS trace: the CDK's AirbyteTrace types only ERROR traces. */
export interface AirbyteStreamStatusTrace extends AirbyteMessage {
  readonly trace: {type: 'STREAM_STATUS'; emitted_at: number; stream_status: {stream_descriptor: StreamDescriptor; status: StreamStatus}};
}

/** The standard ESTIMATE trace: the CDK's AirbyteTrace types only ERROR traces. */
export interface AirbyteEstimateTrace extends AirbyteMessage {
  readonly trace: {type: 'ESTIMATE'; emitted_at: number; estimate: {name: string; type: 'STREAM'; row_estimate: number; byte_estimate?: number}};
}

/**
 * The standard per-stream STATE. The CDK's AirbyteStateMessage types its state as the Faros
 * compressed blob; its input state type is the standard uncompressed one, which this is, plus
 * the protocol's sourceStats.
 */
export interface AirbyteStreamStateMessage extends AirbyteMessage {
  readonly state: AirbyteStreamStateInput & {sourceStats?: {recordCount: number}};
}

export function logMessage(level: LogLevel, message: string, stackTrace?: string): AirbyteLog {
  // Not AirbyteLog.make: it rewrites newlines, and the message is kept as it was written.
  return new AirbyteLog(stackTrace ? {level: LOG_LEVELS[level], message, stack_trace: stackTrace} : {level: LOG_LEVELS[level], message});
}

export function errorTrace(message: string, failureType: FailureType, internalMessage?: string): AirbyteTrace {
  // Not AirbyteTrace.make: it spreads the error's own (Faros API) fields into the trace.
  const error: AirbyteTrace['trace']['error'] = {message, failure_type: FAILURE_TYPES[failureType]};
  if (internalMessage) error.internal_message = internalMessage;
  return new AirbyteTrace({type: 'ERROR', emitted_at: Date.now(), error});
}

export function streamStatusTrace(stream: string, status: StreamStatus): AirbyteStreamStatusTrace {
  return {
    type: AirbyteMessageType.TRACE,
    trace: {type: 'STREAM_STATUS', emitted_at: Date.now(), stream_status: {stream_descriptor: {name: stream}, status}},
  };
}

export function estimateTrace(stream: string, rowEstimate: number, byteEstimate?: number): AirbyteEstimateTrace {
  const estimate: AirbyteEstimateTrace['trace']['estimate'] = {name: stream, type: 'STREAM', row_estimate: Math.round(rowEstimate)};
  if (byteEstimate !== undefined) estimate.byte_estimate = Math.round(byteEstimate);
  return {type: AirbyteMessageType.TRACE, trace: {type: 'ESTIMATE', emitted_at: Date.now(), estimate}};
}

export function streamState(stream: string, state: Record<string, unknown>, recordCount?: number): AirbyteStreamStateMessage {
  const message: AirbyteStreamStateMessage['state'] = {type: 'STREAM', stream: {stream_descriptor: {name: stream}, stream_state: state}};
  if (recordCount !== undefined) message.sourceStats = {recordCount};
  return {type: AirbyteMessageType.STATE, state: message};
}

export function connectionStatus(ok: boolean, message?: string): AirbyteConnectionStatusMessage {
  const status: AirbyteConnectionStatusMessage['connectionStatus'] = {status: ok ? AirbyteConnectionStatus.SUCCEEDED : AirbyteConnectionStatus.FAILED};
  if (message) status.message = message;
  return new AirbyteConnectionStatusMessage(status);
}

export function specMessage(spec: Spec): AirbyteSpec {
  return new AirbyteSpec(spec);
}

export function catalogMessage(catalog: AirbyteCatalog): AirbyteCatalogMessage {
  return new AirbyteCatalogMessage(catalog);
}

type RecordBody = AirbyteRecord['record'];

// The envelope's keys, checked by the compiler against the CDK's AirbyteRecord.
const RECORD: `${AirbyteMessageType.RECORD}` = 'RECORD';
const STREAM_KEY: keyof RecordBody = 'stream';
const EMITTED_AT_KEY: keyof RecordBody = 'emitted_at';
const DATA_KEY: keyof RecordBody = 'data';
const OPEN = `{"type":"${RECORD}","record":{"${STREAM_KEY}":`;
const EMITTED_AT = `,"${EMITTED_AT_KEY}":`;
const DATA = `,"${DATA_KEY}":`;

/**
 * Serializes a RECORD without building the envelope object (an AirbyteRecord): this runs once
 * per row. `data` is any JSON value the stream's schema describes.
 */
export function recordLine(stream: RecordBody['stream'], data: unknown, emittedAt: RecordBody['emitted_at']): string {
  return `${OPEN}${JSON.stringify(stream)}${EMITTED_AT}${emittedAt}${DATA}${JSON.stringify(data)}}}\n`;
}

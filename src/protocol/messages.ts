/**
 * Builders for the standard Airbyte protocol messages this connector emits, and nothing else:
 * SPEC, CONNECTION_STATUS, CATALOG, RECORD, STATE (per stream), LOG, TRACE (ERROR, ESTIMATE,
 * STREAM_STATUS).
 */
export type LogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';
export type FailureType = 'config_error' | 'system_error' | 'transient_error';
export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';

export interface AirbyteMessageOut {
  type: string;
  [key: string]: unknown;
}

export function logMessage(level: LogLevel, message: string, stackTrace?: string): AirbyteMessageOut {
  const log: Record<string, unknown> = {level, message};
  if (stackTrace) log.stack_trace = stackTrace;
  return {type: 'LOG', log};
}

export function errorTrace(message: string, failureType: FailureType, internalMessage?: string): AirbyteMessageOut {
  const error: Record<string, unknown> = {message, failure_type: failureType};
  if (internalMessage) error.internal_message = internalMessage;
  return {type: 'TRACE', trace: {type: 'ERROR', emitted_at: Date.now(), error}};
}

export function streamStatusTrace(stream: string, status: StreamStatus): AirbyteMessageOut {
  return {
    type: 'TRACE',
    trace: {
      type: 'STREAM_STATUS',
      emitted_at: Date.now(),
      stream_status: {stream_descriptor: {name: stream}, status},
    },
  };
}

export function estimateTrace(stream: string, rowEstimate: number, byteEstimate?: number): AirbyteMessageOut {
  const estimate: Record<string, unknown> = {name: stream, type: 'STREAM', row_estimate: Math.round(rowEstimate)};
  if (byteEstimate !== undefined) estimate.byte_estimate = Math.round(byteEstimate);
  return {type: 'TRACE', trace: {type: 'ESTIMATE', emitted_at: Date.now(), estimate}};
}

export function streamState(stream: string, state: Record<string, unknown>, recordCount?: number): AirbyteMessageOut {
  const message: Record<string, unknown> = {
    type: 'STREAM',
    stream: {stream_descriptor: {name: stream}, stream_state: state},
  };
  if (recordCount !== undefined) message.sourceStats = {recordCount};
  return {type: 'STATE', state: message};
}

export function connectionStatus(ok: boolean, message?: string): AirbyteMessageOut {
  const status: Record<string, unknown> = {status: ok ? 'SUCCEEDED' : 'FAILED'};
  if (message) status.message = message;
  return {type: 'CONNECTION_STATUS', connectionStatus: status};
}

/** Serializes a RECORD without building the envelope object: this runs once per row. */
export function recordLine(stream: string, data: unknown, emittedAt: number): string {
  return `{"type":"RECORD","record":{"stream":${JSON.stringify(stream)},"emitted_at":${emittedAt},"data":${JSON.stringify(data)}}}\n`;
}

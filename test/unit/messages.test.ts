import {AirbyteRecord, SyncMode} from 'faros-airbyte-cdk/lib/protocol';
import {Writable} from 'stream';

import {
  AirbyteMessage,
  catalogMessage,
  connectionStatus,
  errorTrace,
  estimateTrace,
  logMessage,
  recordLine,
  specMessage,
  streamState,
  streamStatusTrace,
} from '../../src/protocol/messages';
import {ProtocolOutput} from '../../src/protocol/output';

/** The line the protocol output writes for one message. */
function lineOf(msg: AirbyteMessage): string {
  let written = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      written += String(chunk);
      done();
    },
  });
  new ProtocolOutput(sink).message(msg);
  return written;
}

describe('protocol messages (built with the CDK protocol module)', () => {
  beforeAll(() => jest.useFakeTimers({now: 1_700_000_000_000}));
  afterAll(() => jest.useRealTimers());

  it('writes the standard Airbyte shapes, one JSON object per line, type first', () => {
    expect(lineOf(logMessage('WARN', 'careful'))).toBe('{"type":"LOG","log":{"level":"WARN","message":"careful"}}\n');
    expect(lineOf(logMessage('ERROR', 'a\nb', 'Error: x\n  at y'))).toBe('{"type":"LOG","log":{"level":"ERROR","message":"a\\nb","stack_trace":"Error: x\\n  at y"}}\n');
    expect(lineOf(errorTrace('Bad key', 'config_error'))).toBe(
      '{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1700000000000,"error":{"message":"Bad key","failure_type":"config_error"}}}\n',
    );
    expect(lineOf(errorTrace('Oops', 'system_error', 'stack'))).toBe(
      '{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1700000000000,"error":{"message":"Oops","failure_type":"system_error","internal_message":"stack"}}}\n',
    );
    expect(lineOf(streamStatusTrace('usage_details', 'RUNNING'))).toBe(
      '{"type":"TRACE","trace":{"type":"STREAM_STATUS","emitted_at":1700000000000,"stream_status":{"stream_descriptor":{"name":"usage_details"},"status":"RUNNING"}}}\n',
    );
    expect(lineOf(estimateTrace('usage_details', 99.6, 1000.2))).toBe(
      '{"type":"TRACE","trace":{"type":"ESTIMATE","emitted_at":1700000000000,"estimate":{"name":"usage_details","type":"STREAM","row_estimate":100,"byte_estimate":1000}}}\n',
    );
    expect(lineOf(streamState('usage_details', {usage_date: '2026-03-07'}, 12))).toBe(
      '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"usage_details"},"stream_state":{"usage_date":"2026-03-07"}},"sourceStats":{"recordCount":12}}}\n',
    );
    expect(lineOf(streamState('tracking_conflicts', {}))).toBe('{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"tracking_conflicts"},"stream_state":{}}}}\n');
    expect(lineOf(connectionStatus(true))).toBe('{"type":"CONNECTION_STATUS","connectionStatus":{"status":"SUCCEEDED"}}\n');
    expect(lineOf(connectionStatus(false, 'No access'))).toBe('{"type":"CONNECTION_STATUS","connectionStatus":{"status":"FAILED","message":"No access"}}\n');
    expect(lineOf(specMessage({documentationUrl: 'https://x', connectionSpecification: {type: 'object'}}))).toBe(
      '{"type":"SPEC","spec":{"documentationUrl":"https://x","connectionSpecification":{"type":"object"}}}\n',
    );
    const stream = {name: 's', json_schema: {}, supported_sync_modes: [SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL]};
    expect(lineOf(catalogMessage({streams: [stream]}))).toBe('{"type":"CATALOG","catalog":{"streams":[{"name":"s","json_schema":{},"supported_sync_modes":["full_refresh","incremental"]}]}}\n');
  });

  it('serializes a RECORD line as the CDK AirbyteRecord with the same fields, type first', () => {
    const data = {id: 'a"b', cost: 1.5, tags: {k: 'v'}};
    const line = recordLine('usage_details', data, 1234);
    expect(line).toBe('{"type":"RECORD","record":{"stream":"usage_details","emitted_at":1234,"data":{"id":"a\\"b","cost":1.5,"tags":{"k":"v"}}}}\n');
    const record = new AirbyteRecord({stream: 'usage_details', emitted_at: 1234, data});
    expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify(record)));
  });
});

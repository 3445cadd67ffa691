import {Data} from 'faros-airbyte-cdk/lib/utils';

import {parseInputState} from '../../src/protocol/state';

describe('parseInputState', () => {
  it('reads per-stream STREAM state (the current protocol)', () => {
    const state = [
      {type: 'STREAM', stream: {stream_descriptor: {name: 'usage_details'}, stream_state: {usage_date: '2026-03-07'}}},
      {type: 'STREAM', stream: {stream_descriptor: {name: 'tracking_conflicts'}, stream_state: {usage_date: '2026-03-01'}}},
    ];
    expect(parseInputState(state)).toEqual({usage_details: {usage_date: '2026-03-07'}, tracking_conflicts: {usage_date: '2026-03-01'}});
  });

  it('reads legacy state: a plain object keyed by stream, wrapped or not', () => {
    expect(parseInputState({usage_details: {usage_date: '2026-03-07'}})).toEqual({usage_details: {usage_date: '2026-03-07'}});
    expect(parseInputState([{usage_details: {usage_date: '2026-03-07'}}])).toEqual({usage_details: {usage_date: '2026-03-07'}});
    expect(parseInputState({type: 'LEGACY', data: {usage_details: {usage_date: '2026-03-07'}}})).toEqual({usage_details: {usage_date: '2026-03-07'}});
  });

  it('reads STATE-message-wrapped entries and the Faros compressed blob', () => {
    const wrapped = [{type: 'STATE', state: {type: 'STREAM', stream: {stream_descriptor: {name: 'usage_details'}, stream_state: {usage_date: '2026-03-07'}}}}];
    expect(parseInputState(wrapped)).toEqual({usage_details: {usage_date: '2026-03-07'}});
    const compressed = Data.compress({usage_details: {usage_date: '2026-02-01'}});
    expect(parseInputState(compressed)).toEqual({usage_details: {usage_date: '2026-02-01'}});
  });

  it('treats missing, empty and malformed cursors as a new stream', () => {
    expect(parseInputState(undefined)).toEqual({});
    expect(parseInputState({})).toEqual({});
    expect(parseInputState({usage_details: {usage_date: 'yesterday'}})).toEqual({usage_details: {}});
    expect(parseInputState({usage_details: {usage_date: '2026-03-07T00:00:00Z'}})).toEqual({usage_details: {usage_date: '2026-03-07'}});
  });
});

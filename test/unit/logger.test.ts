import {Writable} from 'stream';

import {Logger, renderMessage} from '../../src/protocol/logger';
import {ProtocolOutput} from '../../src/protocol/output';

/** A protocol output whose sink keeps each write, as it arrives (synchronously). */
function capture(): {output: ProtocolOutput; lines: () => string[]; messages: () => any[]} {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const output = new ProtocolOutput(sink);
  const lines = (): string[] => chunks.join('').split('\n').filter(Boolean);
  return {output, lines, messages: () => lines().map((l) => JSON.parse(l))};
}

describe('Logger (pino to Airbyte LOG messages)', () => {
  it('maps every pino level to the Airbyte level of the same name', () => {
    const {output, messages} = capture();
    const logger = new Logger(output, 'trace');
    logger.trace('t');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    logger.fatal('f');
    expect(messages()).toEqual([
      {type: 'LOG', log: {level: 'TRACE', message: 't'}},
      {type: 'LOG', log: {level: 'DEBUG', message: 'd'}},
      {type: 'LOG', log: {level: 'INFO', message: 'i'}},
      {type: 'LOG', log: {level: 'WARN', message: 'w'}},
      {type: 'LOG', log: {level: 'ERROR', message: 'e'}},
      {type: 'LOG', log: {level: 'FATAL', message: 'f'}},
    ]);
  });

  it('writes each LOG line at once, type first, on the protocol output only', () => {
    const {output, lines} = capture();
    const stdout = jest.spyOn(process.stdout, 'write');
    try {
      new Logger(output, 'info').info('hello');
      // no flush, no await: pino wrote synchronously to the destination, which flushed the line
      expect(lines()).toEqual(['{"type":"LOG","log":{"level":"INFO","message":"hello"}}']);
      expect(stdout).not.toHaveBeenCalled();
    } finally {
      stdout.mockRestore();
    }
  });

  it.each([
    ['warn', ['WARN', 'ERROR']],
    ['WARN', ['WARN', 'ERROR']],
    ['Debug', ['DEBUG', 'INFO', 'WARN', 'ERROR']],
    ['ERROR', ['ERROR']],
    ['nonsense', ['INFO', 'WARN', 'ERROR']],
  ])('honours the level %s, case-insensitively (unknown means INFO)', (level, expected) => {
    const {output, messages} = capture();
    const logger = new Logger(output, level);
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(messages().map((m) => m.log.level)).toEqual(expected);
  });

  it('reads LOG_LEVEL from the environment by default', () => {
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'error';
    try {
      const {output, messages} = capture();
      const logger = new Logger(output);
      logger.warn('w');
      logger.error('e');
      expect(messages().map((m) => m.log.message)).toEqual(['e']);
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
  });

  it('renders the context into the message text', () => {
    const {output, messages} = capture();
    new Logger(output, 'info').info('Slice 2026-03-01..2026-03-07 done', {stream: 'usage_details', rows: 1234, rows_per_s: 5678, skipped: undefined});
    expect(messages()[0].log.message).toBe('Slice 2026-03-01..2026-03-07 done (stream=usage_details rows=1234 rows_per_s=5678)');
  });

  it('quotes context values with spaces and writes structures as JSON', () => {
    expect(renderMessage('Retrying', {purpose: 'polling the report', status: 429, ok: false, at: null, ids: [1, 2], by: {api: 'ea'}})).toBe(
      'Retrying (purpose="polling the report" status=429 ok=false at=null ids=[1,2] by={"api":"ea"})',
    );
    expect(renderMessage('plain')).toBe('plain');
    expect(renderMessage('plain', {})).toBe('plain');
  });

  it('redacts secret keys in the context (pino redact) and registered secrets anywhere (SecretRedactor)', () => {
    const {output, lines} = capture();
    const registered = 'registered-secret-value-123';
    const unregistered = 'never-registered-secret-456';
    output.redactor.add(registered);
    const logger = new Logger(output, 'info');
    logger.info(`token request for ${registered}`, {credentials: {client_secret: unregistered, client_id: 'abc-id'}, api_key: unregistered});
    logger.info('nested', {request: {headers: {Authorization: `Bearer ${unregistered}`}}});
    const text = lines().join('\n');
    expect(text).not.toContain(registered);
    expect(text).not.toContain(unregistered);
    const messages = lines().map((l) => JSON.parse(l).log.message);
    expect(messages[0]).toBe('token request for *** (credentials={"client_secret":"***","client_id":"abc-id"} api_key=***)');
    expect(messages[1]).toBe('nested (request={"headers":{"Authorization":"***"}})');
  });

  it('redacts registered secrets in the stack trace of an error in the context', () => {
    const {output, messages} = capture();
    const secret = 'secret-in-an-error-789';
    output.redactor.add(secret);
    const err = new Error(`failed with ${secret}`);
    new Logger(output, 'info').error('Request failed', {err, attempt: 2});
    const [log] = messages().map((m) => m.log);
    expect(log.level).toBe('ERROR');
    expect(log.message).toBe('Request failed (err="failed with ***" attempt=2)');
    expect(log.stack_trace).toContain('Error: failed with ***');
    expect(JSON.stringify(log)).not.toContain(secret);
  });

  it('keeps context keys apart from pino fields of the same name', () => {
    const {output, messages} = capture();
    new Logger(output, 'info').info('x', {level: 'high', msg: 'm', time: 1});
    expect(messages()).toEqual([{type: 'LOG', log: {level: 'INFO', message: 'x (level=high msg=m time=1)'}}]);
  });
});

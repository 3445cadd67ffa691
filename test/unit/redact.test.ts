import {logMessage} from '../../src/protocol/messages';
import {ProtocolOutput} from '../../src/protocol/output';
import {SecretRedactor} from '../../src/protocol/redact';
import {PassThrough} from 'stream';

describe('SecretRedactor', () => {
  it('redacts a secret as is, URL-encoded and JSON-escaped, in every LOG a ProtocolOutput writes', () => {
    const sink = new PassThrough();
    let written = '';
    sink.on('data', (d) => (written += String(d)));
    const output = new ProtocolOutput(sink);
    const secret = 'p@ss"wo\\rd/+=~secret';
    output.redactor.add(secret);
    output.message(logMessage('INFO', `raw ${secret}`));
    output.message(logMessage('INFO', `form client_secret=${encodeURIComponent(secret)}&scope=x`));
    output.flush();
    expect(written).not.toContain(secret);
    expect(written).not.toContain(encodeURIComponent(secret));
    expect(written).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(written.split('\n').filter(Boolean).map((l) => JSON.parse(l).log.message)).toEqual(['raw ***', 'form client_secret=***&scope=x']);
  });

  it('leaves short values alone (they would redact ordinary words)', () => {
    const r = new SecretRedactor();
    r.add('abc');
    r.add('');
    r.add(undefined);
    expect(r.redact('abc def')).toBe('abc def');
  });
});

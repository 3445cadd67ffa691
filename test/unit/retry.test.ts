import {describeErrorBody} from '../../src/http/azure-errors';
import {isUnderBase} from '../../src/http/auth';
import {backoffMs, isRetryable, retryAfterMs} from '../../src/http/retry';

describe('retry classification', () => {
  it('retries throttling, server errors, timeouts and network errors, not client errors', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) expect(isRetryable({kind: 'status', status, headers: {}})).toBe(true);
    for (const status of [400, 401, 403, 404, 409]) expect(isRetryable({kind: 'status', status, headers: {}})).toBe(false);
    expect(isRetryable({kind: 'timeout'})).toBe(true);
    expect(isRetryable({kind: 'network', code: 'ECONNRESET'})).toBe(true);
  });

  it('reads Retry-After as seconds, as an HTTP date, and from Cost Management headers', () => {
    expect(retryAfterMs({'retry-after': '7'})).toBe(7000);
    const now = Date.parse('2026-03-01T00:00:00Z');
    expect(retryAfterMs({'retry-after': 'Sun, 01 Mar 2026 00:00:30 GMT'}, now)).toBe(30000);
    expect(retryAfterMs({'x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after': '12'})).toBe(12000);
    expect(retryAfterMs({'retry-after': '2', 'x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after': '5'})).toBe(5000);
    expect(retryAfterMs({})).toBeUndefined();
    expect(retryAfterMs({'retry-after': 'soon'})).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped, and lets the server decide when it asks', () => {
    const opts = {baseMs: 1000, maxMs: 60000};
    expect(backoffMs(0, {...opts, random: () => 0})).toBe(500);
    expect(backoffMs(0, {...opts, random: () => 1})).toBe(1000);
    expect(backoffMs(3, {...opts, random: () => 1})).toBe(8000);
    expect(backoffMs(20, {...opts, random: () => 1})).toBe(60000);
    expect(backoffMs(0, opts, 30000)).toBe(30000);
    const samples = new Set(Array.from({length: 20}, () => backoffMs(4, opts)));
    expect(samples.size).toBeGreaterThan(1);
  });
});

describe('credentials only go to their own base URL', () => {
  it('matches origin and path prefix', () => {
    expect(isUnderBase('https://management.azure.com/providers/x', 'https://management.azure.com')).toBe(true);
    expect(isUnderBase('https://evil.example.com/providers/x', 'https://management.azure.com')).toBe(false);
    expect(isUnderBase('http://127.0.0.1:8080/azure/providers/x', 'http://127.0.0.1:8080/azure')).toBe(true);
    expect(isUnderBase('http://127.0.0.1:8080/other/providers/x', 'http://127.0.0.1:8080/azure')).toBe(false);
    expect(isUnderBase('http://127.0.0.1:8081/azure/x', 'http://127.0.0.1:8080/azure')).toBe(false);
    expect(isUnderBase('https://management.azure.com.evil.io/x', 'https://management.azure.com')).toBe(false);
  });
});

describe('Azure error bodies become one sentence', () => {
  it('ARM errors', () => {
    expect(describeErrorBody(403, {error: {code: 'AuthorizationFailed', message: 'The client does not have authorization.'}})).toBe(
      'AuthorizationFailed: The client does not have authorization.',
    );
    expect(describeErrorBody(400, '{"error":{"code":"BadRequest","message":"Invalid time period"}}')).toBe('BadRequest: Invalid time period');
  });
  it('AAD errors keep the first line of the description', () => {
    const body = {error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.\r\nTrace ID: abc\r\nTimestamp: 2026'};
    expect(describeErrorBody(401, body)).toBe('invalid_client: AADSTS7000215: Invalid client secret provided.');
  });
  it('HTML pages from a proxy, plain text and empty bodies', () => {
    expect(describeErrorBody(502, '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>')).toBe(
      'HTTP 502: an HTML error page "502 Bad Gateway" (from a proxy or gateway, not the API)',
    );
    expect(describeErrorBody(503, 'Service Unavailable\n')).toBe('HTTP 503: Service Unavailable');
    expect(describeErrorBody(500, '')).toBe('HTTP 500 with an empty body');
    expect(describeErrorBody(500, undefined)).toBe('HTTP 500 with an empty body');
    expect(describeErrorBody(400, {Message: 'Bad date'})).toBe('Bad date');
  });
  it('Azure Storage XML errors (report blobs), with a byte-order mark and the request id lines', () => {
    const xml =
      '\ufeff<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.\nRequestId:5e4f\nTime:2026-11-25T10:00:00.0000000Z</Message><AuthenticationErrorDetail>Signed expiry time [Tue, 24 Nov 2026] must be after signed start time</AuthenticationErrorDetail></Error>';
    expect(describeErrorBody(403, xml)).toBe(
      'AuthenticationFailed: Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
    );
    expect(describeErrorBody(404, '<?xml version="1.0"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>')).toBe(
      'BlobNotFound: The specified blob does not exist.',
    );
    expect(describeErrorBody(409, '<Error><Code>LeaseIdMissing</Code></Error>')).toBe('LeaseIdMissing: no message');
    expect(describeErrorBody(400, '<Error><Code>X</Code><Message>a &amp; b &lt;c&gt; &quot;d&quot;</Message></Error>')).toBe('X: a & b <c> "d"');
  });
  it('OData errors and multi-line messages stay on one line', () => {
    expect(describeErrorBody(400, {'odata.error': {code: 'Request_BadRequest', message: {lang: 'en', value: 'Invalid value.'}}})).toBe('Request_BadRequest: Invalid value.');
    expect(describeErrorBody(500, {error: {code: 'InternalError', message: 'First line.\r\n  Second line.'}})).toBe('InternalError: First line. Second line.');
    expect(describeErrorBody(502, '<html><head><title>\n 502 Bad\n Gateway </title></head></html>')).toBe('HTTP 502: an HTML error page "502 Bad Gateway" (from a proxy or gateway, not the API)');
    expect(describeErrorBody(503, '\ufeff')).toBe('HTTP 503 with an empty body');
  });
  it('every kind of body gives one line, never markup or JSON', () => {
    const bodies: unknown[] = [
      {error: {code: 'A', message: 'b\nc'}},
      {error: 'invalid_client', error_description: 'AADSTS1: x\r\nTrace ID: y'},
      '<html><body><h1>Forbidden</h1></body></html>',
      '<Error><Code>C</Code><Message>m\nRequestId:1</Message></Error>',
      '',
      'plain\ntext',
      {unexpected: true},
      '{"cut": ',
    ];
    for (const body of bodies) {
      const line = describeErrorBody(500, body);
      expect(line).not.toMatch(/[\r\n]/);
      expect(line).not.toMatch(/<\/?[a-z]+>/i);
      expect(line.length).toBeLessThanOrEqual(320);
    }
  });
});

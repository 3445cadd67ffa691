import http from 'http';
import zlib from 'zlib';
import {AddressInfo} from 'net';

import {ConfigError, SystemError} from '../../src/errors';
import {ServicePrincipalAuth} from '../../src/http/auth';
import {HttpClient} from '../../src/http/client';
import {Logger} from '../../src/protocol/logger';
import {ProtocolOutput} from '../../src/protocol/output';
import {SecretRedactor} from '../../src/protocol/redact';
import {ApiKeyAuth} from '../../src/http/auth';
import {EaPageDecoder, EaReportingReader} from '../../src/readers/ea-reporting';
import {resumableDownload} from '../../src/readers/resumable-download';
import {PassThrough} from 'stream';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

async function serve(handler: Handler): Promise<{url: string; close: () => Promise<void>; seen: http.IncomingHttpHeaders[]}> {
  let n = 0;
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => handler(req, res, n++));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const {port} = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function client(sleeps: number[] = [], maxRetries = 4, timeoutMs = 2000): {http: HttpClient; logs: string[]} {
  const sink = new PassThrough();
  const logs: string[] = [];
  sink.on('data', (d) => logs.push(String(d)));
  const logger = new Logger(new ProtocolOutput(sink), 'DEBUG');
  return {
    http: new HttpClient({timeoutMs, maxRetries, logger, sleep: async (ms) => void sleeps.push(ms)}),
    logs,
  };
}

describe('HttpClient', () => {
  it('retries 429 and 5xx, honouring Retry-After, until the answer comes', async () => {
    const server = await serve((_req, res, n) => {
      if (n === 0) {
        res.writeHead(429, {'Retry-After': '7'});
        return res.end();
      }
      if (n === 1) {
        res.writeHead(503, {'content-type': 'text/html'});
        return res.end('<html><title>Service Unavailable</title></html>');
      }
      res.writeHead(200, {'content-type': 'application/json'});
      res.end('{"ok":true}');
    });
    const sleeps: number[] = [];
    const {http: c, logs} = client(sleeps);
    const res = await c.send({method: 'GET', url: `${server.url}/x`, purpose: 'testing'});
    expect(res.body).toEqual({ok: true});
    expect(sleeps[0]).toBe(7000);
    expect(sleeps).toHaveLength(2);
    expect(c.stats).toMatchObject({retries: 2, throttled: 1});
    expect(logs.join('')).toContain('HTML error page');
    await server.close();
  });

  it('gives up after max_retries with a system error that says what it was doing', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    const {http: c} = client([], 2);
    await expect(c.send({method: 'GET', url: `${server.url}/x`, purpose: 'reading page 3'})).rejects.toThrow(SystemError);
    await expect(c.send({method: 'GET', url: `${server.url}/x`, purpose: 'reading page 3'})).rejects.toThrow(/reading page 3.*HTTP 500.*after 3 attempts/);
    await server.close();
  });

  it('turns 400/401/403/404 into config errors with the hint', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(403, {'content-type': 'application/json'});
      res.end(JSON.stringify({error: {code: 'AuthorizationFailed', message: 'No access.'}}));
    });
    const {http: c} = client();
    const err = await c.send({method: 'GET', url: `${server.url}/x`, purpose: 'requesting', hint: () => 'Grant EnrollmentReader.'}).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe('Azure answered HTTP 403 while requesting: AuthorizationFailed: No access. Grant EnrollmentReader.');
    await server.close();
  });

  it('never takes a truncated JSON body for a complete one', async () => {
    const server = await serve((_req, res, n) => {
      res.writeHead(200, {'content-type': 'application/json'});
      res.end(n === 0 ? '{"data":[{"a":1},' : '{"data":[]}');
    });
    const {http: c} = client();
    const res = await c.send({method: 'GET', url: `${server.url}/x`, purpose: 'paging'});
    expect(res.body).toEqual({data: []});
    expect(c.stats.retries).toBe(1);
    await server.close();
  });

  it('takes a small compressed body for what it is (its Content-Length counts compressed bytes), and retries a cut one', async () => {
    const small = zlib.gzipSync('{"status":"Running"}');
    const big = zlib.gzipSync(JSON.stringify({data: Array.from({length: 500}, (_, i) => ({i, v: `row ${i}`}))}));
    const server = await serve((req, res, n) => {
      const gz = req.url === '/small' ? small : big;
      res.writeHead(200, {'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(gz.length)});
      // the first answer for /big is cut in the middle of the compressed stream
      if (req.url === '/big' && n === 1) {
        res.write(gz.subarray(0, gz.length >> 1));
        setTimeout(() => res.destroy(), 20);
        return;
      }
      res.end(gz);
    });
    const {http: c} = client();
    expect(small.length).toBeGreaterThan('{"status":"Running"}'.length);
    await expect(c.send({method: 'GET', url: `${server.url}/small`, purpose: 'polling'})).resolves.toMatchObject({body: {status: 'Running'}});
    const page = await c.send({method: 'GET', url: `${server.url}/big`, purpose: 'reading a page'});
    expect((page.body as {data: unknown[]}).data).toHaveLength(500);
    expect(c.stats.retries).toBe(1);
    await server.close();
  });

  it('hands back raw bytes untouched, and never a body cut short of its Content-Length', async () => {
    const page = Buffer.from(JSON.stringify({data: Array.from({length: 300}, (_, i) => ({i}))}));
    const server = await serve((_req, res, n) => {
      res.writeHead(200, {'content-type': 'application/json', 'content-length': String(page.length)});
      if (n === 0) {
        res.write(page.subarray(0, page.length >> 1));
        setTimeout(() => res.destroy(), 20);
        return;
      }
      res.end(page);
    });
    const {http: c} = client();
    const res = await c.sendRaw({method: 'GET', url: `${server.url}/page`, purpose: 'reading a page'});
    expect(Buffer.isBuffer(res.body)).toBe(true);
    expect(res.body.equals(page)).toBe(true);
    expect(c.stats).toMatchObject({requests: 2, retries: 1});
    await server.close();
  });

  it('retries a request that gets no answer within the timeout', async () => {
    const server = await serve((_req, res, n) => {
      if (n === 0) return; // never answers
      res.writeHead(200, {'content-type': 'application/json'});
      res.end('{}');
    });
    const {http: c} = client([], 2, 300);
    await expect(c.send({method: 'GET', url: `${server.url}/x`, purpose: 'waiting'})).resolves.toMatchObject({status: 200});
    await server.close();
  });

  it('fetches a new token after a 401 and sends the bearer only to its own base URL', async () => {
    let tokens = 0;
    const server = await serve((req, res) => {
      if (req.headers.authorization === `Bearer t${tokens}`) {
        if (tokens === 1) {
          res.writeHead(401);
          return res.end('{"error":{"code":"ExpiredAuthenticationToken","message":"expired"}}');
        }
        res.writeHead(200, {'content-type': 'application/json'});
        return res.end('{"ok":1}');
      }
      res.writeHead(401);
      res.end();
    });
    const redactor = new SecretRedactor();
    const auth = new ServicePrincipalAuth(server.url, async () => ({accessToken: `t${++tokens}`, expiresInSeconds: 3600}), redactor);
    const {http: c} = client();
    await expect(c.send({method: 'GET', url: `${server.url}/x`, auth, purpose: 'p'})).resolves.toMatchObject({body: {ok: 1}});
    expect(tokens).toBe(2);
    expect(redactor.redact('token t2 here')).toBe('token t2 here'); // too short to be a secret
    await expect(c.send({method: 'GET', url: 'http://127.0.0.2:1/x', auth, purpose: 'following a link'})).rejects.toThrow(/Refusing to send credentials/);
    await server.close();
  });

  it('never follows a redirect (the credential would travel with it) and says where it pointed', async () => {
    let elsewhere = 0;
    const other = await serve((_req, res) => {
      elsewhere++;
      res.end('{}');
    });
    const server = await serve((_req, res) => {
      res.writeHead(307, {Location: `${other.url}/steal?code=abc`});
      res.end();
    });
    const auth = new ServicePrincipalAuth(server.url, async () => ({accessToken: 'token-123456', expiresInSeconds: 3600}), new SecretRedactor());
    const {http: c} = client();
    const err = await c.send({method: 'GET', url: `${server.url}/x`, auth, purpose: 'polling'}).catch((e: Error) => e);
    expect(err).toBeInstanceOf(SystemError);
    expect((err as Error).message).toBe(
      `Azure answered HTTP 307 while polling: a redirect to ${other.url}, which the connector does not follow (credentials only go to the configured base URLs).`,
    );
    expect(elsewhere).toBe(0);
    // a link outside the base URL is refused naming its path, never its query
    const refused = await c.send({method: 'GET', url: `${other.url}/v3/page?sig=SECRETSIG`, auth, purpose: 'following a link'}).catch((e: Error) => e);
    expect((refused as Error).message).toBe(`Refusing to send credentials to ${other.url}/v3/page while following a link: it is not under the configured base URL.`);
    expect(elsewhere).toBe(0);
    await Promise.all([server.close(), other.close()]);
  });

  it('renews a token before it expires', async () => {
    let now = 0;
    let fetched = 0;
    const auth = new ServicePrincipalAuth('http://h', async () => ({accessToken: `token-${++fetched}`, expiresInSeconds: 3600}), new SecretRedactor(), () => now);
    await auth.headerFor('http://h/a');
    now = 3600_000 - 6 * 60_000;
    await auth.headerFor('http://h/a');
    expect(fetched).toBe(1);
    now = 3600_000 - 4 * 60_000;
    await expect(auth.headerFor('http://h/a')).resolves.toBe('Bearer token-2');
  });
});

describe('resumableDownload', () => {
  const body = Buffer.from('h1,h2\n' + Array.from({length: 2000}, (_, i) => `${i},"v ${i}"`).join('\n') + '\n');

  async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  it('resumes a reset body with a Range request and never sends Authorization', async () => {
    const server = await serve((req, res, n) => {
      const range = /bytes=(\d+)-/.exec(String(req.headers.range ?? ''));
      const start = range ? Number(range[1]) : 0;
      const part = body.subarray(start);
      res.writeHead(range ? 206 : 200, {'content-length': String(part.length)});
      if (n === 0) {
        res.write(part.subarray(0, 5000));
        setTimeout(() => res.destroy(), 20);
        return;
      }
      res.end(part);
    });
    const {http: c} = client();
    const out = await collect(resumableDownload(c, {url: `${server.url}/blob?sig=x`, byteCount: body.length, label: 'blob 1/1'}, 2000));
    expect(out.equals(body)).toBe(true);
    expect(server.seen[1].range).toBe('bytes=5000-');
    expect(server.seen.every((h) => h.authorization === undefined)).toBe(true);
    await server.close();
  });

  it('detects a body that ends short of the manifest byte count, also when the server ignores Range', async () => {
    const server = await serve((_req, res, n) => {
      // no Content-Length, clean end: only the manifest can tell it is short
      res.writeHead(200);
      res.end(n === 0 ? body.subarray(0, 7777) : body);
    });
    const {http: c} = client();
    const out = await collect(resumableDownload(c, {url: `${server.url}/blob`, byteCount: body.length, label: 'blob'}, 2000));
    expect(out.equals(body)).toBe(true);
    await server.close();
  });

  it('a connection that breaks after the last byte of the blob is a complete blob (no Range past the end)', async () => {
    const server = await serve((req, res) => {
      if (req.headers.range) {
        res.writeHead(416, {'content-range': `bytes */${body.length}`});
        return res.end();
      }
      // chunked, every byte sent, then the socket dies before the final chunk
      res.writeHead(200, {'content-type': 'text/csv'});
      res.write(body, () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const {http: c} = client();
    const out = await collect(resumableDownload(c, {url: `${server.url}/blob`, byteCount: body.length, label: 'blob'}, 2000));
    expect(out.equals(body)).toBe(true);
    expect(server.seen.filter((h) => h.range)).toEqual([]);
    await server.close();
  });

  it('fails with a system error once retries are exhausted', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200);
      res.end(body.subarray(0, 10));
    });
    const {http: c} = client([], 2);
    await expect(collect(resumableDownload(c, {url: `${server.url}/blob`, byteCount: body.length, label: 'blob 2/3'}, 2000))).rejects.toThrow(
      /blob 2\/3.*ended after/,
    );
    await server.close();
  });
});

describe('EaReportingReader', () => {
  /** A decoder as the stream wires one: JSON.parse on the raw bytes, rows counted. */
  const decoder: EaPageDecoder<number> = {
    decode(raw) {
      let page: {data?: unknown[]; nextLink?: string};
      try {
        page = JSON.parse(raw.toString('utf8'));
      } catch {
        return {meta: Promise.resolve({problem: 'bad-json'}), output: Promise.resolve(0)};
      }
      if (!Array.isArray(page.data)) return {meta: Promise.resolve({problem: 'no-data'}), output: Promise.resolve(0)};
      return {meta: Promise.resolve({nextLink: page.nextLink ?? null}), output: Promise.resolve(page.data.length)};
    },
    none: 0,
  };

  it('hands raw pages to the decoder, requests a page it finds cut again, and resolves nextLink', async () => {
    const server = await serve((req, res, n) => {
      res.writeHead(200, {'content-type': 'application/json'});
      // the first answer is cut inside the JSON (with a matching length: only the decoder can tell)
      res.end(n === 0 ? '{"data":[{"a":1},{"a"' : JSON.stringify({data: [{a: 1}, {a: 2}], nextLink: '/v3/next?skiptoken=2'}));
    });
    const sleeps: number[] = [];
    const {http: c, logs} = client(sleeps, 3);
    const reader = new EaReportingReader(c, new ApiKeyAuth(server.url, {auth_type: 'api_key', api_key: 'key-1234567890'}), {eaBaseUrl: server.url, enrollmentNumber: '123'});
    const page = await reader.page(reader.firstPageUrl({start: '2026-03-01', end: '2026-03-07'}), {start: '2026-03-01', end: '2026-03-07'}, 1, decoder);
    expect(page.nextLink).toBe(`${server.url}/v3/next?skiptoken=2`);
    await expect(page.output).resolves.toBe(2);
    expect(server.seen).toHaveLength(2);
    expect(server.seen.every((h) => h.authorization === 'bearer key-1234567890')).toBe(true);
    expect(c.stats.retries).toBe(1);
    expect(sleeps).toHaveLength(1);
    expect(logs.join('')).toContain('Retrying (1/3) while reading page 1 of EA usage for 2026-03-01..2026-03-07: incomplete or invalid JSON body');
    await server.close();
  });

  it('gives up on a page that stays cut after max_retries', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, {'content-type': 'application/json'});
      res.end('{"data":[');
    });
    const {http: c} = client([], 2);
    const reader = new EaReportingReader(c, new ApiKeyAuth(server.url, {auth_type: 'api_key', api_key: 'key-1234567890'}), {eaBaseUrl: server.url, enrollmentNumber: '123'});
    await expect(reader.page(`${server.url}/v3/x`, {start: '2026-03-01', end: '2026-03-07'}, 4, decoder)).rejects.toThrow(/reading page 4 .*incomplete or invalid JSON body, after 3 attempts/);
    expect(server.seen).toHaveLength(3);
    await server.close();
  });
});

import {spawn} from 'child_process';
import fs from 'fs';
import http from 'http';
import https from 'https';
import net, {AddressInfo} from 'net';
import path from 'path';
import {PassThrough} from 'stream';

import {HttpClient} from '../../src/http/client';
import {proxyFor, proxySettingsFromEnv} from '../../src/http/proxy';
import {Logger} from '../../src/protocol/logger';
import {ProtocolOutput} from '../../src/protocol/output';

// A self-signed certificate for 127.0.0.1, for tests only.
const TLS = path.join(__dirname, '..', 'fixtures', 'tls');
const cert = fs.readFileSync(path.join(TLS, 'cert.pem'));
const key = fs.readFileSync(path.join(TLS, 'key.pem'));

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

/** A forward proxy: absolute-form requests are relayed, CONNECT opens a tunnel. It records both. */
async function startProxy(): Promise<{url: string; seen: Array<{method: string; target: string; auth?: string}>; server: http.Server}> {
  const seen: Array<{method: string; target: string; auth?: string}> = [];
  const server = http.createServer((req, res) => {
    seen.push({method: req.method ?? '', target: req.url ?? '', auth: req.headers['proxy-authorization']});
    const headers = {...req.headers};
    delete headers['proxy-authorization'];
    const upstream = http.request(req.url ?? '', {method: req.method, headers}, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
    seen.push({method: 'CONNECT', target: req.url ?? '', auth: req.headers['proxy-authorization']});
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const port = await listen(server);
  return {url: `http://user:p%40ss@127.0.0.1:${port}`, seen, server};
}

const LIB = path.join(__dirname, '..', '..', 'lib', 'src');

/** GETs `url` `times` times with the built client in a child process with `env`; the bodies it got. */
async function inChild(url: string, times: number, env: Record<string, string>): Promise<unknown[]> {
  const script = `
    const {PassThrough} = require('stream');
    const {HttpClient} = require(${JSON.stringify(path.join(LIB, 'http', 'client'))});
    const {Logger} = require(${JSON.stringify(path.join(LIB, 'protocol', 'logger'))});
    const {ProtocolOutput} = require(${JSON.stringify(path.join(LIB, 'protocol', 'output'))});
    (async () => {
      const client = new HttpClient({timeoutMs: 5000, maxRetries: 0, logger: new Logger(new ProtocolOutput(new PassThrough()), 'DEBUG')});
      const bodies = [];
      for (let i = 0; i < ${times}; i++) {
        bodies.push((await client.send({method: 'GET', url: ${JSON.stringify(url)}, headers: {Authorization: 'Bearer only-for-the-target'}, purpose: 'testing'})).body);
      }
      process.stdout.write(JSON.stringify(bodies));
      process.exit(0);
    })().catch((err) => { process.stderr.write(err.message); process.exit(1); });`;
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(https?|no)_proxy$/i.test(k)));
  const child = spawn(process.execPath, ['-e', script], {env: {...clean, ...env}});
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  if (code !== 0) throw new Error(`child failed: ${err}`);
  return JSON.parse(out);
}

function logger(): Logger {
  return new Logger(new ProtocolOutput(new PassThrough()), 'DEBUG');
}

describe('proxy settings', () => {
  it('reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY, upper or lower case', () => {
    const s = proxySettingsFromEnv({https_proxy: 'proxy.corp:3128', HTTP_PROXY: 'http://plain:8080', NO_PROXY: 'localhost, .internal.example ,10.0.0.5:8443'});
    expect(proxyFor(new URL('https://management.azure.com/x'), s)?.href).toBe('http://proxy.corp:3128/');
    expect(proxyFor(new URL('http://example.org/'), s)?.href).toBe('http://plain:8080/');
    expect(proxyFor(new URL('http://localhost:9000/'), s)).toBeUndefined();
    expect(proxyFor(new URL('https://api.internal.example/'), s)).toBeUndefined();
    expect(proxyFor(new URL('https://internal.example/'), s)).toBeUndefined();
    expect(proxyFor(new URL('https://notinternal.example/'), s)).toBeDefined();
    expect(proxyFor(new URL('https://10.0.0.5:8443/'), s)).toBeUndefined();
    expect(proxyFor(new URL('https://10.0.0.5/'), s)).toBeDefined();
    expect(proxyFor(new URL('https://anything/'), proxySettingsFromEnv({HTTPS_PROXY: 'http://p:1', NO_PROXY: '*'}))).toBeUndefined();
    // IPv6: bracketed with a port, or bare (no port possible)
    const v6 = proxySettingsFromEnv({HTTP_PROXY: 'http://p:1', NO_PROXY: '[::1]:8080,fd00::5'});
    expect(proxyFor(new URL('http://[::1]:8080/'), v6)).toBeUndefined();
    expect(proxyFor(new URL('http://[::1]:9090/'), v6)).toBeDefined();
    expect(proxyFor(new URL('http://[fd00::5]:1234/'), v6)).toBeUndefined();
    expect(proxyFor(new URL('https://anything/'), proxySettingsFromEnv({}))).toBeUndefined();
  });
});

describe('requests through a proxy', () => {
  it('sends plain-http requests to the proxy in absolute form, with its credentials only to the proxy', async () => {
    const seenByTarget: http.IncomingHttpHeaders[] = [];
    const target = http.createServer((req, res) => {
      seenByTarget.push(req.headers);
      res.writeHead(200, {'content-type': 'application/json'});
      res.end('{"ok":true}');
    });
    const targetPort = await listen(target);
    const proxy = await startProxy();
    const client = new HttpClient({timeoutMs: 2000, maxRetries: 0, logger: logger(), proxies: {httpProxy: proxy.url, noProxy: []}});
    const res = await client.send({method: 'GET', url: `http://127.0.0.1:${targetPort}/page?x=1`, purpose: 'testing'});
    expect(res.body).toEqual({ok: true});
    expect(proxy.seen).toEqual([{method: 'GET', target: `http://127.0.0.1:${targetPort}/page?x=1`, auth: `Basic ${Buffer.from('user:p@ss').toString('base64')}`}]);
    expect(seenByTarget[0]['proxy-authorization']).toBeUndefined();
    await close(proxy.server);
    await close(target);
  });

  it('goes direct for a host in NO_PROXY', async () => {
    const target = http.createServer((_req, res) => res.end('direct'));
    const targetPort = await listen(target);
    const proxy = await startProxy();
    const client = new HttpClient({timeoutMs: 2000, maxRetries: 0, logger: logger(), proxies: {httpProxy: proxy.url, noProxy: ['127.0.0.1']}});
    const res = await client.send({method: 'GET', url: `http://127.0.0.1:${targetPort}/`, purpose: 'testing'});
    expect(res.body).toBe('direct');
    expect(proxy.seen).toEqual([]);
    await close(proxy.server);
    await close(target);
  });

  it('tunnels https through CONNECT from HTTPS_PROXY, with TLS to the target end to end, one tunnel reused', async () => {
    const target = https.createServer({cert, key}, (req, res) => {
      res.writeHead(200, {'content-type': 'application/json'});
      res.end(JSON.stringify({path: req.url, proxyAuth: req.headers['proxy-authorization'] ?? null, auth: req.headers.authorization ?? null}));
    });
    const targetPort = await listen(target);
    const proxy = await startProxy();
    // In a process of its own: the proxy comes from its environment, and its trust in the test
    // certificate from NODE_EXTRA_CA_CERTS, as a corporate CA would (npm test builds lib/ first).
    const bodies = await inChild(`https://127.0.0.1:${targetPort}/secure?sig=x`, 2, {HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: path.join(TLS, 'cert.pem')});
    expect(bodies).toEqual([0, 1].map(() => ({path: '/secure?sig=x', proxyAuth: null, auth: 'Bearer only-for-the-target'})));
    // one tunnel, reused by keep-alive; the proxy got its credentials on CONNECT and saw neither the path nor the request's headers
    expect(proxy.seen).toEqual([{method: 'CONNECT', target: `127.0.0.1:${targetPort}`, auth: `Basic ${Buffer.from('user:p@ss').toString('base64')}`}]);
    await close(proxy.server);
    await close(target as unknown as http.Server);
  });

  it('goes direct for an https host in NO_PROXY (lower case too)', async () => {
    const target = https.createServer({cert, key}, (_req, res) => {
      res.writeHead(200, {'content-type': 'application/json'});
      res.end('{"direct":true}');
    });
    const targetPort = await listen(target);
    const proxy = await startProxy();
    const bodies = await inChild(`https://127.0.0.1:${targetPort}/`, 1, {https_proxy: proxy.url, no_proxy: `localhost,127.0.0.1:${targetPort}`, NODE_EXTRA_CA_CERTS: path.join(TLS, 'cert.pem')});
    expect(bodies).toEqual([{direct: true}]);
    expect(proxy.seen).toEqual([]);
    await close(proxy.server);
    await close(target as unknown as http.Server);
  });

  it('reports a tunnel the proxy refuses (407) as the proxy refusing, without retrying', async () => {
    let connects = 0;
    const refusing = http.createServer();
    refusing.on('connect', (_req: http.IncomingMessage, socket: net.Socket) => {
      connects++;
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n');
    });
    const port = await listen(refusing);
    const client = new HttpClient({timeoutMs: 2000, maxRetries: 1, logger: logger(), sleep: async () => undefined, proxies: {httpsProxy: `http://127.0.0.1:${port}`, noProxy: []}});
    await expect(client.send({method: 'GET', url: 'https://management.azure.example/x', purpose: 'testing the proxy'})).rejects.toThrow(
      /The outbound proxy refused the request while testing the proxy \(HTTP 407 Proxy Authentication Required\)/,
    );
    expect(connects).toBe(1);
    await close(refusing);
  });

  it('reports a proxy that cannot be reached as a network failure, retried and then named', async () => {
    const unused = net.createServer();
    const port = await listen(unused);
    await new Promise<void>((r) => unused.close(() => r()));
    const client = new HttpClient({timeoutMs: 2000, maxRetries: 1, logger: logger(), sleep: async () => undefined, proxies: {httpsProxy: `http://127.0.0.1:${port}`, noProxy: []}});
    await expect(client.send({method: 'GET', url: 'https://management.azure.example/x', purpose: 'testing the proxy'})).rejects.toThrow(
      /while testing the proxy: network error ECONNREFUSED, after 2 attempts/,
    );
  });
});

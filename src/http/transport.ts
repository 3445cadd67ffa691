import http from 'http';
import https from 'https';
import {pipeline, Readable} from 'stream';
import zlib from 'zlib';

import {bareHost, proxyAuthorization, proxyFor, ProxySettings, TunnelingAgent} from './proxy';

/**
 * One HTTP exchange on Node's own http/https modules: keep-alive agents, an inactivity timeout,
 * compressed bodies inflated, environment proxies honoured, redirects never followed. No
 * retries and no judgement of statuses here: that is the client's job (client.ts).
 */
export interface TransportRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface TransportResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  /** The body as it is meant to be read: inflated when it came compressed. */
  body: Readable;
  /** Whether the body came compressed (its Content-Length then counts compressed bytes). */
  compressed: boolean;
}

const USER_AGENT = 'source-azure-billing';
const ACCEPT_ENCODING = 'gzip, deflate, br';

export class Transport {
  private readonly agents = new Map<string, http.Agent>();

  constructor(
    private readonly timeoutMs: number,
    private readonly proxies: ProxySettings,
  ) {}

  /**
   * Sends the request and resolves with the response once its headers are in; the body is left
   * to the caller. A network error or `timeoutMs` without any traffic rejects (code ETIMEDOUT),
   * and also breaks a body still being read.
   */
  open(req: TransportRequest): Promise<TransportResponse> {
    const url = new URL(req.url);
    const proxy = proxyFor(url, this.proxies);
    const headers: Record<string, string> = {'User-Agent': USER_AGENT, 'Accept-Encoding': ACCEPT_ENCODING, ...req.headers};
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    let options: http.RequestOptions;
    let module: typeof http | typeof https = url.protocol === 'https:' ? https : http;
    if (proxy && url.protocol === 'http:') {
      // a plain-http target goes to the proxy in absolute form
      const auth = proxyAuthorization(proxy);
      if (auth) headers['Proxy-Authorization'] = auth;
      headers.Host = url.host;
      module = proxy.protocol === 'https:' ? https : http;
      options = {host: bareHost(proxy.hostname), port: proxy.port || undefined, path: url.href, agent: this.agent(`proxy ${proxy.href}`, module === https)};
    } else {
      options = {host: bareHost(url.hostname), port: url.port || undefined, path: `${url.pathname}${url.search}`, agent: this.agent(url.protocol, url.protocol === 'https:', proxy)};
    }
    return new Promise((resolve, reject) => {
      const request = module.request({...options, method: req.method, headers});
      request.setTimeout(this.timeoutMs, () => {
        request.destroy(Object.assign(new Error(`no traffic for ${this.timeoutMs} ms`), {code: 'ETIMEDOUT'}));
      });
      request.once('error', reject);
      request.once('response', (res) => {
        const encoding = String(res.headers['content-encoding'] ?? '')
          .trim()
          .toLowerCase();
        const inflate = inflater(encoding);
        // a request error after this point (timeout, reset) surfaces through the body
        request.removeListener('error', reject);
        request.on('error', (err) => res.destroy(err));
        if (!inflate) {
          resolve({status: res.statusCode ?? 0, headers: res.headers, body: res, compressed: false});
          return;
        }
        const body = pipeline(res, inflate, () => undefined);
        resolve({status: res.statusCode ?? 0, headers: res.headers, body, compressed: true});
      });
      request.end(req.body);
    });
  }

  private agent(key: string, secure: boolean, tunnelThrough?: URL): http.Agent {
    const id = tunnelThrough ? `${key} via ${tunnelThrough.href}` : key;
    let agent = this.agents.get(id);
    if (!agent) {
      const options = {keepAlive: true, maxSockets: 32};
      agent = tunnelThrough ? new TunnelingAgent(tunnelThrough, options) : secure ? new https.Agent(options) : new http.Agent(options);
      this.agents.set(id, agent);
    }
    return agent;
  }
}

/** The inflater for a Content-Encoding; a compressed stream cut short fails, it never passes for whole. */
function inflater(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.createGunzip();
  if (encoding === 'deflate') return zlib.createInflate();
  if (encoding === 'br') return zlib.createBrotliDecompress();
  return undefined;
}

/**
 * The whole body as one Buffer. When the server says how long it is (and it is not
 * compressed), the bytes go straight into one buffer of that size: no list of chunks to join.
 */
export async function readBody(res: TransportResponse): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  const exact = !res.compressed && Number.isSafeInteger(declared) && declared > 0 && declared <= 256 * 1024 * 1024;
  if (exact) {
    const out = Buffer.allocUnsafe(declared);
    let used = 0;
    const spill: Buffer[] = [];
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (used + chunk.length <= declared) {
        chunk.copy(out, used);
        used += chunk.length;
      } else spill.push(chunk);
    }
    // longer than declared (a misbehaving proxy): keep every byte, the caller judges
    return spill.length === 0 ? out.subarray(0, used) : Buffer.concat([out.subarray(0, used), ...spill]);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of res.body as AsyncIterable<Buffer>) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

import axios, {AxiosInstance} from 'axios';
import http from 'http';
import https from 'https';
import {HttpProxyAgent} from 'http-proxy-agent';
import {HttpsProxyAgent} from 'https-proxy-agent';
import {Readable} from 'stream';

import {proxyFor, ProxySettings} from './proxy';

/**
 * One HTTP exchange, with axios: keep-alive agents, an inactivity timeout, compressed bodies
 * inflated, redirects never followed, and every status handed back as it is. Proxies come from
 * the environment (proxy.ts) through the proxy-agent packages: axios' own `proxy` option is off
 * because it does not tunnel https through an HTTP proxy correctly. No retries and no judgement
 * of statuses here: that is the client's job (client.ts).
 */
export interface TransportRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface TransportResponse<Body> {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, unknown>;
  /** The body as it is meant to be read: inflated when it came compressed. */
  body: Body;
}

const USER_AGENT = 'source-azure-billing';
const AGENT_OPTIONS = {keepAlive: true, maxSockets: 32};

export class Transport {
  private readonly axios: AxiosInstance;
  /** One keep-alive pool per scheme and proxy. */
  private readonly agents = new Map<string, http.Agent>();

  constructor(
    timeoutMs: number,
    private readonly proxies: ProxySettings,
  ) {
    this.axios = axios.create({
      // axios applies it to the socket until the whole answer is in (a stream: until its headers)
      timeout: timeoutMs,
      maxRedirects: 0,
      decompress: true,
      proxy: false,
      validateStatus: () => true,
      // bodies are bytes; the client decides what they are
      transformResponse: [(data: unknown) => data],
      // no size limits (axios' default, -1): any other value wraps every streamed body in a counting generator
      maxContentLength: -1,
      maxBodyLength: -1,
      headers: {'User-Agent': USER_AGENT},
    });
  }

  /** The whole answer, its body in one Buffer; a network error or a stall past the timeout rejects. */
  async whole(req: TransportRequest): Promise<TransportResponse<Buffer>> {
    return this.exchange<Buffer>(req, 'arraybuffer');
  }

  /** The answer once its headers are in; the body is a stream left to the caller. */
  async open(req: TransportRequest): Promise<TransportResponse<Readable>> {
    return this.exchange<Readable>(req, 'stream');
  }

  private async exchange<Body>(req: TransportRequest, responseType: 'arraybuffer' | 'stream'): Promise<TransportResponse<Body>> {
    const response = await this.axios.request<Body>({
      method: req.method,
      url: req.url,
      headers: req.headers,
      data: req.body,
      responseType,
      ...this.agentsFor(new URL(req.url)),
    });
    return {status: response.status, headers: {...(response.headers as Record<string, unknown>)}, body: response.data};
  }

  private agentsFor(url: URL): {httpAgent: http.Agent} | {httpsAgent: http.Agent} {
    const secure = url.protocol === 'https:';
    const proxy = proxyFor(url, this.proxies);
    const key = `${url.protocol}${proxy ? ` via ${proxy.href}` : ''}`;
    let agent = this.agents.get(key);
    if (!agent) {
      if (!proxy) agent = secure ? new https.Agent(AGENT_OPTIONS) : new http.Agent(AGENT_OPTIONS);
      // https: a CONNECT tunnel with TLS end to end; http: the request in absolute form
      else agent = secure ? new HttpsProxyAgent(proxy, AGENT_OPTIONS) : new HttpProxyAgent(proxy, AGENT_OPTIONS);
      this.agents.set(key, agent);
    }
    return secure ? {httpsAgent: agent} : {httpAgent: agent};
  }
}

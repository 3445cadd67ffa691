import http from 'http';
import https from 'https';
import {Duplex} from 'stream';
import tls from 'tls';

/**
 * The outbound proxy settings of the environment, as curl and most HTTP tools read them:
 * HTTPS_PROXY for https:// URLs, HTTP_PROXY for http:// URLs (upper or lower case), and
 * NO_PROXY, a comma-separated list of hosts (with their subdomains) or `*`, that go direct.
 */
export interface ProxySettings {
  httpsProxy?: string;
  httpProxy?: string;
  noProxy: string[];
}

export function proxySettingsFromEnv(env: NodeJS.ProcessEnv): ProxySettings {
  const pick = (...names: string[]): string | undefined => {
    for (const name of names) {
      const v = env[name]?.trim();
      if (v) return v;
    }
    return undefined;
  };
  return {
    httpsProxy: pick('HTTPS_PROXY', 'https_proxy'),
    httpProxy: pick('HTTP_PROXY', 'http_proxy'),
    noProxy: (pick('NO_PROXY', 'no_proxy') ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  };
}

/** The proxy a request to `target` goes through, or undefined to go direct. */
export function proxyFor(target: URL, settings: ProxySettings): URL | undefined {
  const raw = target.protocol === 'https:' ? settings.httpsProxy : settings.httpProxy;
  if (!raw || bypasses(target, settings.noProxy)) return undefined;
  try {
    // "proxy:3128" without a scheme is common in the wild: it means http://
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    return undefined;
  }
}

/** A URL's host name as the http module and NO_PROXY entries want it: [::1] → ::1. */
export function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '');
}

/** A URL's port, or its scheme's default when it has none. */
function portOf(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** A NO_PROXY entry as host and optional port: `host`, `host:port`, `[v6]:port` or a bare v6 address. */
function noProxyEntry(entry: string): {name: string; port?: string} {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return {name: bracketed[1], port: bracketed[2]};
  // more than one colon and no brackets: an IPv6 address, which cannot carry a port
  if (entry.indexOf(':') !== entry.lastIndexOf(':')) return {name: entry};
  const [name, port] = entry.split(':');
  return {name: name.replace(/^\*?\./, ''), port};
}

function bypasses(target: URL, noProxy: string[]): boolean {
  const host = bareHost(target.hostname.toLowerCase());
  const port = portOf(target);
  for (const entry of noProxy) {
    if (entry === '*') return true;
    const {name, port: only} = noProxyEntry(entry);
    if (only !== undefined && only !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** `Proxy-Authorization` for a proxy URL that carries user:password, else undefined. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const user = decodeURIComponent(proxy.username);
  const password = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/**
 * An https agent whose connections are tunnels through an HTTP proxy (CONNECT host:port), with
 * TLS end to end: the proxy sees only the host name. Keep-alive pools the tunnels per host.
 */
export class TunnelingAgent extends https.Agent {
  constructor(
    private readonly proxy: URL,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: http.ClientRequestArgs, done?: (err: Error | null, socket: Duplex) => void): Duplex | undefined {
    const host = options.host ?? 'localhost';
    const port = Number(options.port ?? 443);
    const fail = (err: Error): void => done?.(err, undefined as unknown as Duplex);
    const headers: Record<string, string> = {Host: `${host}:${port}`};
    const auth = proxyAuthorization(this.proxy);
    if (auth) headers['Proxy-Authorization'] = auth;
    const connect = (this.proxy.protocol === 'https:' ? https : http).request({
      host: bareHost(this.proxy.hostname),
      port: portOf(this.proxy),
      method: 'CONNECT',
      path: `${host}:${port}`,
      headers,
      agent: false,
    });
    connect.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        fail(Object.assign(new Error(`the proxy refused the tunnel to ${host}:${port} with HTTP ${res.statusCode}`), {code: 'EPROXY'}));
        return;
      }
      const tlsOptions = options as tls.ConnectionOptions;
      done?.(null, tls.connect({...tlsOptions, socket, servername: tlsOptions.servername ?? host}));
    });
    connect.once('error', fail);
    connect.end();
    return undefined;
  }
}

/**
 * Which outbound proxy a request uses, from the environment as curl reads it: HTTPS_PROXY for
 * https:// URLs, HTTP_PROXY for http:// URLs (upper or lower case), and NO_PROXY, a
 * comma-separated list of hosts (with their subdomains, with or without a leading dot),
 * `host:port`, IPv6 addresses or `*`, that go direct. The tunnelling itself is the proxy-agent
 * packages' job (transport.ts).
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

/** A URL's host name as NO_PROXY entries write it: [::1] → ::1. */
function bareHost(hostname: string): string {
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

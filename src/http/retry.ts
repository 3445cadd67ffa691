/** When to retry a request and how long to wait: pure functions, unit-tested. */

export type Outcome =
  | {kind: 'status'; status: number; headers: Record<string, unknown>}
  | {kind: 'network'; code?: string}
  | {kind: 'timeout'};

export function isRetryable(outcome: Outcome): boolean {
  if (outcome.kind !== 'status') return true;
  const s = outcome.status;
  return s === 408 || s === 429 || s >= 500;
}

const RETRY_AFTER_HEADERS = [
  'retry-after',
  'x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after',
  'x-ms-ratelimit-microsoft.costmanagement-entity-retry-after',
  'x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after',
  'x-ms-ratelimit-microsoft.costmanagement-client-retry-after',
];

/** Delay asked for by the server in ms: Retry-After as seconds or an HTTP date, or Azure's own headers. */
export function retryAfterMs(headers: Record<string, unknown>, now: number = Date.now()): number | undefined {
  let best: number | undefined;
  for (const name of RETRY_AFTER_HEADERS) {
    const raw = headers[name];
    if (raw === undefined || raw === null || raw === '') continue;
    const value = String(Array.isArray(raw) ? raw[0] : raw).trim();
    let ms: number | undefined;
    if (/^\d+(\.\d+)?$/.test(value)) ms = Number(value) * 1000;
    else {
      const at = Date.parse(value);
      if (!Number.isNaN(at)) ms = Math.max(0, at - now);
    }
    if (ms !== undefined && (best === undefined || ms > best)) best = ms;
  }
  return best;
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  random?: () => number;
}

/** Exponential back-off with full jitter; a server's Retry-After wins when it asks for longer. */
export function backoffMs(attempt: number, opts: BackoffOptions, serverMs?: number): number {
  const random = opts.random ?? Math.random;
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** attempt);
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  if (serverMs !== undefined) return Math.min(Math.max(serverMs, 0), 15 * 60_000);
  return Math.round(jittered);
}

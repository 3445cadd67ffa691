import {Readable} from 'stream';

import {ConfigError, ConnectorError, SystemError} from '../errors';
import {Logger} from '../protocol/logger';
import {describeErrorBody} from './azure-errors';
import {Authenticator} from './auth';
import {ProxySettings, proxySettingsFromEnv} from './proxy';
import {backoffMs, isRetryable, Outcome, retryAfterMs} from './retry';
import {readBody, Transport, TransportResponse} from './transport';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  /** JSON body, or a string sent as-is (form bodies). */
  data?: unknown;
  headers?: Record<string, string>;
  /** Send the credential (only ever to URLs under the configured base). */
  auth?: Authenticator;
  /** Statuses that are an answer, not a failure. Default: 200. */
  accept?: number[];
  /** What this request is for, in words, for errors: "requesting the cost report for 2026-03". */
  purpose: string;
  /** Advice for a final 4xx: what the user should fix. */
  hint?: (status: number) => string | undefined;
  /** Told about every 429, so callers can slow down beyond this one request. */
  onThrottled?: () => void;
  /**
   * Takes the raw body of an accepted answer instead of it being parsed here (e.g. handed to a
   * worker thread); its result is the response's body. Throwing {@link InvalidBody} makes the
   * request count as failed and be retried, as a cut JSON body is.
   */
  decode?: (raw: Buffer) => Promise<unknown>;
}

/** Thrown by a request's `decode` for a body that cannot be complete (e.g. invalid JSON). */
export class InvalidBody extends Error {}

export interface HttpResponse {
  status: number;
  headers: Record<string, unknown>;
  /** Parsed JSON when the body is JSON, else the text; undefined when empty. */
  body: unknown;
}

export interface HttpClientOptions {
  timeoutMs: number;
  maxRetries: number;
  logger: Logger;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Outbound proxies; default: HTTPS_PROXY / HTTP_PROXY / NO_PROXY of the environment. */
  proxies?: ProxySettings;
}

/** An answer read whole: its status, headers and raw body bytes. */
interface RawAnswer {
  status: number;
  headers: Record<string, unknown>;
  raw: Buffer;
  compressed: boolean;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A request that failed and may be tried again; what it says is safe to log. */
class RetryableFailure extends Error {
  constructor(
    message: string,
    readonly outcome: Outcome,
  ) {
    super(message);
  }
}

/**
 * The one HTTP layer: timeouts, retries with exponential back-off and jitter on 429, 5xx,
 * timeouts and network errors, Retry-After honoured, a fresh token after a 401, and Azure's
 * errors turned into ConnectorErrors. Never logs requests or their headers (they carry credentials).
 */
export class HttpClient {
  private readonly transport: Transport;
  private readonly sleep: (ms: number) => Promise<void>;
  readonly stats = {requests: 0, retries: 0, throttled: 0};

  constructor(private readonly opts: HttpClientOptions) {
    this.sleep = opts.sleep ?? sleep;
    this.transport = new Transport(opts.timeoutMs, opts.proxies ?? proxySettingsFromEnv(process.env));
  }

  get maxRetries(): number {
    return this.opts.maxRetries;
  }

  /** Waits before retry `attempt` (0-based), honouring what the server asked for. */
  async backoff(attempt: number, headers?: Record<string, unknown>): Promise<void> {
    const serverMs = headers ? retryAfterMs(headers) : undefined;
    await this.sleep(backoffMs(attempt, {baseMs: this.opts.baseDelayMs ?? 1000, maxMs: this.opts.maxDelayMs ?? 60_000}, serverMs));
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const accept = req.accept ?? [200];
    let refreshedAfter401 = false;
    let lastProblem = '';
    for (let attempt = 0; ; attempt++) {
      let outcome: Outcome;
      try {
        const response = await this.once(req);
        const status = response.status;
        if (status === 401 && req.auth?.refreshable && !refreshedAfter401) {
          // The token expired early or was revoked: one fresh token, then judge again.
          req.auth.invalidate();
          refreshedAfter401 = true;
          attempt--;
          continue;
        }
        if (accept.includes(status)) return req.decode ? await this.decodeRaw(response, req, req.decode) : this.parse(response, req);
        refreshedAfter401 = false;
        const text = response.raw.toString('utf8');
        outcome = {kind: 'status', status, headers: response.headers};
        if (!isRetryable(outcome)) throw this.finalError(req, status, text, response.headers);
        if (status === 429) {
          this.stats.throttled++;
          req.onThrottled?.();
        }
        const described = describeErrorBody(status, text);
        lastProblem = described.startsWith(`HTTP ${status}`) ? described : `HTTP ${status} (${described})`;
      } catch (err) {
        if (err instanceof ConnectorError) throw err;
        if (err instanceof RetryableFailure) {
          outcome = err.outcome;
          lastProblem = err.message;
        } else {
          outcome = networkOutcome(err);
          lastProblem = outcome.kind === 'timeout' ? `no answer within ${this.opts.timeoutMs / 1000}s` : `network error ${outcome.code ?? ''}`.trim();
        }
      }
      if (attempt >= this.opts.maxRetries) {
        throw new SystemError(`Azure kept failing while ${req.purpose}: ${lastProblem}, after ${attempt + 1} attempts. The next sync resumes from the last saved state.`);
      }
      this.stats.retries++;
      this.opts.logger.info(`Retrying (${attempt + 1}/${this.opts.maxRetries}) while ${req.purpose}: ${lastProblem}`);
      await this.backoff(attempt, outcome.kind === 'status' ? outcome.headers : undefined);
    }
  }

  /** Opens a streamed GET (blob downloads); the caller owns resuming a broken body. */
  async openStream(url: string, headers: Record<string, string>, purpose: string): Promise<{status: number; headers: Record<string, unknown>; stream: Readable}> {
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      let retryHeaders: Record<string, unknown> | undefined;
      try {
        this.stats.requests++;
        const response = await this.transport.open({method: 'GET', url, headers});
        if (response.status === 200 || response.status === 206) {
          return {status: response.status, headers: response.headers, stream: response.body};
        }
        const body = await readSmall(response.body);
        const outcome: Outcome = {kind: 'status', status: response.status, headers: response.headers};
        if (!isRetryable(outcome)) {
          throw new SystemError(`Azure refused ${purpose}: ${sentence(describeErrorBody(response.status, body))} The report link may have expired; the next sync requests a new report.`);
        }
        problem = `HTTP ${response.status}`;
        retryHeaders = outcome.headers;
      } catch (err) {
        if (err instanceof ConnectorError) throw err;
        const outcome = networkOutcome(err);
        problem = outcome.kind === 'timeout' ? 'timeout' : `network error ${outcome.code ?? ''}`.trim();
      }
      if (attempt >= this.opts.maxRetries) {
        throw new SystemError(`Azure kept failing while ${purpose}: ${problem}, after ${attempt + 1} attempts. The next sync resumes from the last saved state.`);
      }
      this.stats.retries++;
      this.opts.logger.info(`Retrying (${attempt + 1}/${this.opts.maxRetries}) while ${purpose}: ${problem}`);
      await this.backoff(attempt, retryHeaders);
    }
  }

  private async once(req: HttpRequest): Promise<RawAnswer> {
    const headers: Record<string, string> = {Accept: 'application/json', ...req.headers};
    if (req.auth) {
      const authorization = await req.auth.headerFor(req.url);
      if (!authorization) {
        throw new SystemError(`Refusing to send credentials to ${safeLocation(req.url)} while ${req.purpose}: it is not under the configured base URL.`);
      }
      headers.Authorization = authorization;
    }
    let data = req.data;
    if (data !== undefined && typeof data !== 'string') {
      data = JSON.stringify(data);
      headers['Content-Type'] ??= 'application/json';
    }
    this.stats.requests++;
    const response: TransportResponse = await this.transport.open({method: req.method, url: req.url, headers, body: data as string | undefined});
    return {status: response.status, headers: response.headers, raw: await readBody(response), compressed: response.compressed};
  }

  /** A body shorter than its Content-Length was cut on the way (a compressed one fails to inflate instead). */
  private checkLength(response: RawAnswer): void {
    const expectedLength = Number(response.headers['content-length']);
    if (!response.compressed && Number.isFinite(expectedLength) && expectedLength > 0 && response.raw.length < expectedLength) {
      throw new RetryableFailure(`truncated body (${response.raw.length} of ${expectedLength} bytes)`, {kind: 'network', code: 'TRUNCATED'});
    }
  }

  private async decodeRaw(response: RawAnswer, req: HttpRequest, decode: (raw: Buffer) => Promise<unknown>): Promise<HttpResponse> {
    const {raw, headers} = response;
    this.checkLength(response);
    if (raw.length === 0) return {status: response.status, headers, body: undefined};
    try {
      return {status: response.status, headers, body: await decode(raw)};
    } catch (err) {
      if (err instanceof InvalidBody) throw new RetryableFailure(`incomplete or invalid JSON body while ${req.purpose}`, {kind: 'network', code: 'BAD_JSON'});
      throw err;
    }
  }

  private parse(response: RawAnswer, req: HttpRequest): HttpResponse {
    this.checkLength(response);
    const text = response.raw.toString('utf8');
    const headers = response.headers;
    const type = String(headers['content-type'] ?? '');
    let body: unknown = text === '' ? undefined : text;
    if (text !== '' && (type.includes('json') || /^\s*[[{]/.test(text))) {
      try {
        body = JSON.parse(text);
      } catch {
        // A cut JSON page must never pass for a complete one.
        throw new RetryableFailure(`incomplete or invalid JSON body while ${req.purpose}`, {kind: 'network', code: 'BAD_JSON'});
      }
    }
    return {status: response.status, headers, body};
  }

  private finalError(req: HttpRequest, status: number, body: unknown, headers: Record<string, unknown> = {}): ConnectorError {
    // Redirects are never followed: the credential of this request would travel with them.
    const detail =
      status >= 300 && status < 400
        ? `a redirect to ${typeof headers.location === 'string' ? safeOrigin(new URL(headers.location, req.url).toString()) : 'another location'}, which the connector does not follow (credentials only go to the configured base URLs)`
        : describeErrorBody(status, body);
    const hint = req.hint?.(status);
    const message = `Azure answered HTTP ${status} while ${req.purpose}: ${sentence(detail)}${hint ? ` ${hint}` : ''}`;
    if (status === 400 || status === 401 || status === 403 || status === 404) return new ConfigError(message);
    return new SystemError(message);
  }
}

/** Ends a description with a full stop unless it has one already. */
function sentence(text: string): string {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

function networkOutcome(err: unknown): {kind: 'timeout'} | {kind: 'network'; code?: string} {
  const code = (err as {code?: string})?.code;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(String((err as Error)?.message))) return {kind: 'timeout'};
  return {kind: 'network', code};
}

/** Where a URL points, without its query (SAS signatures, tokens) or user info. */
function safeLocation(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname.length > 80 ? `${u.pathname.slice(0, 79)}…` : u.pathname;
    return `${u.origin}${path === '/' ? '' : path}`;
  } catch {
    return 'an invalid URL';
  }
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}

async function readSmall(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += buf.length;
      if (size <= 64 * 1024) chunks.push(buf);
    }
  } catch {
    // The error body is only for the message.
  }
  return Buffer.concat(chunks).toString('utf8');
}

import {Readable} from 'stream';

import {ConfigError, ConnectorError, SystemError} from '../errors';
import {Logger} from '../protocol/logger';
import {describeErrorBody} from './azure-errors';
import {Authenticator} from './auth';
import {ProxySettings, proxySettingsFromEnv} from './proxy';
import {backoffMs, isRetryable, Outcome, retryAfterMs} from './retry';
import {Transport, TransportRequest, TransportResponse} from './transport';

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
  /** Advice for a final 4xx: what the user should fix (Azure Storage names its error in `x-ms-error-code`). */
  hint?: (status: number, headers: Record<string, unknown>) => string | undefined;
  /** Told about every 429, so callers can slow down beyond this one request. */
  onThrottled?: () => void;
}

export interface HttpResponse<Body = unknown> {
  status: number;
  headers: Record<string, unknown>;
  body: Body;
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

/** A failed attempt, as the retry policy needs it: what went wrong (safe to log) and what the server asked for. */
export interface Failure {
  purpose: string;
  problem: string;
  /** The answer's headers, for Retry-After. */
  headers?: Record<string, unknown>;
  /** What the next attempt does, for the log. Default: "Retrying". */
  action?: string;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A request that failed and may be tried again; what it says is safe to log. */
class RetryableFailure extends Error {}

/** How an accepted answer is read: its body whole in one Buffer, or as a stream. */
type Reading = 'whole' | 'stream';

/**
 * The one HTTP layer: timeouts, retries with exponential back-off and jitter on 429, 5xx,
 * timeouts and network errors, Retry-After honoured, a fresh token after a 401, and Azure's
 * errors turned into ConnectorErrors. It hands back bytes (or JSON for small control answers)
 * and knows nothing of what pages hold. Never logs requests or their headers (they carry credentials).
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

  /**
   * The retry policy, after failed attempt `attempt` (0-based): a SystemError once max_retries
   * are spent, else a log line and the back-off. Every retry of a sync goes through here: the
   * requests of this client, resumed downloads and pages whose body cannot be read.
   */
  async retryOrGiveUp(attempt: number, failure: Failure): Promise<void> {
    if (attempt >= this.opts.maxRetries) {
      throw new SystemError(`Azure kept failing while ${failure.purpose}: ${failure.problem}, after ${attempt + 1} attempts. The next sync resumes from the last saved state.`);
    }
    this.stats.retries++;
    this.opts.logger.info(`${failure.action ?? 'Retrying'} (${attempt + 1}/${this.opts.maxRetries}) while ${failure.purpose}: ${failure.problem}`);
    await this.backoff(attempt, failure.headers);
  }

  /** An accepted answer with its body parsed: JSON when it is JSON, else the text; undefined when empty. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    return this.request<Buffer, HttpResponse>(req, 'whole', (answer) => this.parse(answer));
  }

  /** An accepted answer with its body as the bytes that came (inflated when compressed). */
  async sendRaw(req: HttpRequest): Promise<HttpResponse<Buffer>> {
    return this.request<Buffer, HttpResponse<Buffer>>(req, 'whole', (answer) => answer);
  }

  /** Opens a streamed GET without credentials (SAS blob links); the caller owns resuming a broken body. */
  async openStream(url: string, headers: Record<string, string>, purpose: string): Promise<HttpResponse<Readable>> {
    const req: HttpRequest = {method: 'GET', url, headers, purpose, accept: [200, 206]};
    return this.request<Readable, HttpResponse<Readable>>(req, 'stream', (answer) => answer, (status, text) =>
      // a blob link that stops working has expired or was revoked: a new report brings new links
      new SystemError(`Azure refused ${purpose}: ${sentence(describeErrorBody(status, text))} The report link may have expired; the next sync requests a new report.`),
    );
  }

  /**
   * Opens a streamed answer of `req` (a blob of the customer's storage, with its credential and
   * advice); the caller owns resuming a broken body. Refusals are judged as for `send`.
   */
  async stream(req: HttpRequest): Promise<HttpResponse<Readable>> {
    return this.request<Readable, HttpResponse<Readable>>(req, 'stream', (answer) => answer);
  }

  /**
   * The one retry loop: sends `req` until an accepted status comes and `take` accepts its body,
   * retrying what may pass (429, 5xx, timeouts, network errors, bodies `take` finds cut) and
   * turning the rest into ConnectorErrors.
   */
  private async request<Body, T>(
    req: HttpRequest,
    reading: Reading,
    take: (answer: TransportResponse<Body>) => T,
    refused: (status: number, text: string, headers: Record<string, unknown>) => ConnectorError = (status, text, headers) => this.finalError(req, status, text, headers),
  ): Promise<T> {
    const accept = req.accept ?? [200];
    let refreshedAfter401 = false;
    for (let attempt = 0; ; attempt++) {
      let failure: Failure;
      try {
        const answer = await this.once<Body>(req, reading);
        const status = answer.status;
        if (status === 401 && req.auth?.refreshable && !refreshedAfter401) {
          // The token expired early or was revoked: one fresh token, then judge again.
          discard(answer.body);
          req.auth.invalidate();
          refreshedAfter401 = true;
          attempt--;
          continue;
        }
        if (accept.includes(status)) return take(answer);
        refreshedAfter401 = false;
        const text = await errorText(answer.body);
        const outcome: Outcome = {kind: 'status', status, headers: answer.headers};
        if (!isRetryable(outcome)) throw refused(status, text, answer.headers);
        if (status === 429) {
          this.stats.throttled++;
          req.onThrottled?.();
        }
        const described = describeErrorBody(status, text);
        failure = {purpose: req.purpose, problem: described.startsWith(`HTTP ${status}`) ? described : `HTTP ${status} (${described})`, headers: answer.headers};
      } catch (err) {
        if (err instanceof ConnectorError) throw err;
        failure = {purpose: req.purpose, problem: err instanceof RetryableFailure ? err.message : this.networkProblem(err)};
      }
      await this.retryOrGiveUp(attempt, failure);
    }
  }

  private async once<Body>(req: HttpRequest, reading: Reading): Promise<TransportResponse<Body>> {
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
    const sent: TransportRequest = {method: req.method, url: req.url, headers, body: data as string | undefined};
    this.stats.requests++;
    // A body cut short of its Content-Length never arrives as whole: the HTTP parser fails it.
    return (reading === 'stream' ? this.transport.open(sent) : this.transport.whole(sent)) as Promise<TransportResponse<Body>>;
  }

  private parse(answer: TransportResponse<Buffer>): HttpResponse {
    const text = answer.body.toString('utf8');
    const type = String(answer.headers['content-type'] ?? '');
    let body: unknown = text === '' ? undefined : text;
    if (text !== '' && (type.includes('json') || /^\s*[[{]/.test(text))) {
      try {
        body = JSON.parse(text);
      } catch {
        // A cut JSON answer must never pass for a complete one.
        throw new RetryableFailure('incomplete or invalid JSON body');
      }
    }
    return {status: answer.status, headers: answer.headers, body};
  }

  private networkProblem(err: unknown): string {
    const code = (err as {code?: string})?.code;
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(String((err as Error)?.message))) return `no answer within ${this.opts.timeoutMs / 1000}s`;
    return `network error ${code ?? ''}`.trim();
  }

  private finalError(req: HttpRequest, status: number, body: string, headers: Record<string, unknown>): ConnectorError {
    // the proxy's own answer to a refused CONNECT (the agent hands it on as the response)
    if (status === 407) {
      return new SystemError(`The outbound proxy refused the request while ${req.purpose} (HTTP 407 Proxy Authentication Required): check the user and password in HTTPS_PROXY / HTTP_PROXY.`);
    }
    // Redirects are never followed: the credential of this request would travel with them.
    const detail =
      status >= 300 && status < 400
        ? `a redirect to ${typeof headers.location === 'string' ? safeOrigin(new URL(headers.location, req.url).toString()) : 'another location'}, which the connector does not follow (credentials only go to the configured base URLs)`
        : describeErrorBody(status, body);
    const hint = req.hint?.(status, headers);
    const message = `Azure answered HTTP ${status} while ${req.purpose}: ${sentence(detail)}${hint ? ` ${hint}` : ''}`;
    if (status === 400 || status === 401 || status === 403 || status === 404) return new ConfigError(message);
    return new SystemError(message);
  }
}

/** Ends a description with a full stop unless it has one already. */
function sentence(text: string): string {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
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

/** The text of an error answer, for the message only: at most 64 KB of a streamed one. */
async function errorText(body: unknown): Promise<string> {
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (!(body instanceof Readable)) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += buf.length;
      if (size <= 64 * 1024) chunks.push(buf);
    }
  } catch {
    // The error body is only for the message.
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Lets go of an answer not read (a streamed 401 before the token is renewed). */
function discard(body: unknown): void {
  if (body instanceof Readable) body.destroy();
}

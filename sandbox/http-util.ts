/** Response helpers shared by the sandbox routes, including the fault-shaped responses. */
import {randomUUID} from 'crypto';
import {createReadStream} from 'fs';
import {IncomingMessage, ServerResponse} from 'http';
import {FaultDecision} from './faults';

export type Headers = Record<string, string | number>;

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

export async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    const b = c as Buffer;
    n += b.length;
    if (n > limit) throw new Error('request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function baseHeaders(): Headers {
  const id = randomUUID();
  return {'x-ms-request-id': id, 'x-ms-correlation-request-id': id};
}

/** Where a reset/truncate fault cuts a body of `len` bytes (between 10% and 90%). */
export function cutPoint(len: number, variant: number): number {
  if (len <= 1) return 0;
  return Math.max(1, Math.min(len - 1, Math.floor(len * (0.1 + ((variant >>> 4) % 80) / 100))));
}

/**
 * Send a body, or a broken version of it when the fault is reset/truncate:
 * reset = full Content-Length announced, part of the body, then the socket is destroyed;
 * truncate = part of the body, ended cleanly, with a matching Content-Length or chunked.
 */
export function send(res: ServerResponse, status: number, headers: Headers, body: string | Buffer = '', fault?: FaultDecision | null): void {
  if (res.destroyed || res.headersSent) return;
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const h: Headers = {...baseHeaders(), ...headers};
  if (fault && (fault.kind === 'reset' || fault.kind === 'truncate')) {
    const cut = cutPoint(buf.length, fault.variant);
    if (fault.kind === 'reset') {
      res.writeHead(status, {...h, 'Content-Length': buf.length});
      res.write(buf.subarray(0, cut), () => res.socket?.destroy());
      return;
    }
    if (fault.variant % 2 === 0) h['Content-Length'] = cut;
    res.writeHead(status, h);
    res.end(buf.subarray(0, cut));
    return;
  }
  h['Content-Length'] = buf.length;
  res.writeHead(status, h);
  res.end(status === 204 || status === 304 ? undefined : buf);
}

export function sendJson(res: ServerResponse, status: number, obj: unknown, headers: Headers = {}, fault?: FaultDecision | null): void {
  // a string or Buffer is JSON text already
  const body = typeof obj === 'string' || Buffer.isBuffer(obj) ? obj : JSON.stringify(obj);
  send(res, status, {'Content-Type': 'application/json; charset=utf-8', ...headers}, body, fault);
}

export function armError(res: ServerResponse, status: number, code: string, message: string, headers: Headers = {}): void {
  sendJson(res, status, {error: {code, message}}, headers);
}

export function storageError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `\ufeff<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${randomUUID()}\nTime:${new Date().toISOString()}</Message></Error>`;
  send(res, status, {'Content-Type': 'application/xml', 'x-ms-error-code': code}, body);
}

const PROXY_502 = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>
`;

/** An injected 429: with Retry-After and the Cost Management header, or only the latter. */
export function fault429(res: ServerResponse, variant: number, retryAfter: number): void {
  const h: Headers = {'x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after': retryAfter};
  if (variant % 2 === 0) h['Retry-After'] = retryAfter;
  armError(res, 429, '429', `Too many requests. Please retry after ${retryAfter} seconds.`, h);
}

/** An injected 5xx: ARM JSON 500, an HTML page from a proxy (502), or 503 with Retry-After. */
export function fault5xx(res: ServerResponse, variant: number, retryAfter: number, storage = false): void {
  switch (variant % 3) {
    case 0:
      if (storage) storageError(res, 500, 'InternalError', 'Server encountered an internal error. Please try again after some time.');
      else armError(res, 500, 'InternalServerError', 'Encountered internal server error. Diagnostic information: timestamp \'' + new Date().toISOString() + '\'.');
      return;
    case 1:
      send(res, 502, {'Content-Type': 'text/html'}, PROXY_502);
      return;
    default:
      if (storage) storageError(res, 503, 'ServerBusy', 'The server is currently unable to receive requests. Please retry your request.');
      else armError(res, 503, 'ServiceUnavailable', 'The service is temporarily unavailable. Please retry.', {'Retry-After': retryAfter});
  }
}

/**
 * Stream a file (or a byte range of it). Faults: reset destroys the socket after part of the
 * body; truncate ends cleanly after part of it, with a matching Content-Length or chunked.
 */
export function sendFile(res: ServerResponse, status: number, headers: Headers, file: string, start: number, end: number, head: boolean, fault?: FaultDecision | null): void {
  if (res.destroyed) return;
  const len = end - start + 1;
  const h: Headers = {...baseHeaders(), ...headers};
  let last = end;
  let destroyAfter = false;
  if (fault && (fault.kind === 'reset' || fault.kind === 'truncate') && len > 1) {
    const cut = cutPoint(len, fault.variant);
    last = start + cut - 1;
    if (fault.kind === 'reset') {
      h['Content-Length'] = len;
      destroyAfter = true;
    } else if (fault.variant % 2 === 0) {
      h['Content-Length'] = cut;
    }
  } else {
    h['Content-Length'] = len;
  }
  res.writeHead(status, h);
  if (head || len <= 0) {
    res.end();
    return;
  }
  const rs = createReadStream(file, {start, end: last});
  rs.on('error', () => res.destroy());
  if (destroyAfter) {
    // destroySoon flushes what was written, then closes: the client sees a premature end.
    rs.on('end', () => res.socket?.destroySoon());
    rs.pipe(res, {end: false});
  } else {
    rs.pipe(res);
  }
  res.on('close', () => rs.destroy());
}

import {Readable} from 'stream';

import {ConnectorError, SystemError} from '../errors';
import {HttpClient, HttpRequest} from '../http/client';

export interface DownloadTarget {
  url: string;
  /** Size promised by the report manifest, when it gives one. */
  byteCount?: number;
  /** For logs and errors: "blob 2/3 of the 2026-03-01..2026-03-07 report". */
  label: string;
  /**
   * How to ask for it when it is a blob of the customer's storage (exports): the headers Azure
   * Storage needs, the credential (none with a SAS in the URL) and advice on a refusal. A
   * report's SAS links need none of it.
   */
  request?: Pick<HttpRequest, 'headers' | 'auth' | 'hint'>;
}

class IncompleteBody extends Error {}

/**
 * Streams a report blob and survives a broken body: a reset, a stall past the timeout or a body
 * that ends short of the manifest's byte count resumes where it stopped with an HTTP Range
 * request (or skips what it already has when the server ignores Range). The parser downstream
 * never sees a truncated blob as complete. Report blobs are SAS links: no Authorization header;
 * export blobs may carry one (`request`).
 */
export function resumableDownload(http: HttpClient, target: DownloadTarget, idleTimeoutMs: number): Readable {
  return Readable.from(download(http, target, idleTimeoutMs), {objectMode: false});
}

async function* download(http: HttpClient, target: DownloadTarget, idleTimeoutMs: number): AsyncGenerator<Buffer> {
  let offset = 0;
  let failures = 0;
  const purpose = `downloading ${target.label}`;
  for (;;) {
    const headers: Record<string, string> = offset > 0 ? {Range: `bytes=${offset}-`} : {};
    const response = target.request
      ? await http.stream({...target.request, method: 'GET', url: target.url, headers: {...target.request.headers, ...headers}, accept: [200, 206], purpose})
      : await http.openStream(target.url, headers, purpose);
    let skip = offset > 0 && response.status === 200 ? offset : 0;
    const contentLength = Number(response.headers['content-length']);
    const bodyEnd = Number.isFinite(contentLength) && response.headers['content-length'] !== undefined ? offset - skip + contentLength : undefined;
    const expected = target.byteCount ?? bodyEnd;
    try {
      for await (const chunk of withIdleTimeout(response.body, idleTimeoutMs)) {
        let buf = chunk as Buffer;
        if (skip > 0) {
          if (buf.length <= skip) {
            skip -= buf.length;
            continue;
          }
          buf = buf.subarray(skip);
          skip = 0;
        }
        offset += buf.length;
        failures = 0;
        yield buf;
      }
      if (expected !== undefined && offset < expected) throw new IncompleteBody(`ended after ${offset} of ${expected} bytes`);
      if (target.byteCount !== undefined && offset > target.byteCount) {
        throw new SystemError(`${target.label} is longer than its manifest says (${offset} > ${target.byteCount} bytes); refusing a blob that may be corrupt.`);
      }
      return;
    } catch (err) {
      response.body.destroy();
      if (err instanceof ConnectorError) throw err;
      // Every byte arrived and only the end of the response was lost (a chunked body cut before
      // its last, empty chunk): the blob is complete; a Range past its end would only get a 416.
      if (expected !== undefined && offset === expected && !(err instanceof IncompleteBody)) return;
      const problem = err instanceof IncompleteBody ? err.message : `connection broke (${(err as {code?: string}).code ?? (err as Error).message})`;
      await http.retryOrGiveUp(failures++, {purpose, problem, action: `Resuming at byte ${offset}`});
    }
  }
}

/** Ends the iteration with an error when the body stalls for longer than the timeout. */
async function* withIdleTimeout(stream: Readable, timeoutMs: number): AsyncGenerator<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => stream.destroy(Object.assign(new Error('stalled'), {code: 'ETIMEDOUT'})), timeoutMs);
  };
  arm();
  try {
    for await (const chunk of stream) {
      arm();
      yield chunk;
    }
  } finally {
    clearTimeout(timer);
  }
}

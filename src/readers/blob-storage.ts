import {XMLParser} from 'fast-xml-parser';
import {Readable} from 'stream';

import {SystemError} from '../errors';
import {Authenticator} from '../http/auth';
import {HttpClient, HttpRequest} from '../http/client';
import {resumableDownload} from './resumable-download';

/**
 * Azure Storage's Blob REST API, the two calls exports need (docs/design.md §14): List Blobs (XML,
 * paged by NextMarker) and Get Blob (streamed, resumed with Range). Over the project's HttpClient,
 * not @azure/storage-blob: one retry policy for the whole sync, our redaction and proxies, and
 * 1.9 MB / ~10 ms of XML parser instead of 29 packages, ~36 MB and ~0.2 s of start (measured).
 */

/** The oldest service version that has what is read here; Azure refuses requests without one. */
export const STORAGE_VERSION = '2021-08-06';

export interface BlobStorageOptions {
  /** The blob endpoint, without a trailing slash (an opaque base URL: tests serve it under a path). */
  accountUrl: string;
  container: string;
  /** SAS query (no '?'), appended to every URL; else `auth` signs the requests. */
  sas?: string;
  auth?: Authenticator;
  /** Advice on a refusal, by status and Azure's error code (the caller knows the config keys). */
  hint: (status: number, errorCode: string | undefined, what: 'list' | 'read') => string | undefined;
  /** Blobs per listing page (Azure's maximum, 5,000, unless a test wants pages). */
  pageSize?: number;
}

export interface BlobItem {
  name: string;
  size: number;
}

/** A piece of a blob by byte offsets (end exclusive): what a Parquet reader asks for. */
export interface BlobRange {
  readonly byteLength: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

/** Requests made, by kind: what a sync cost (and what tests count). */
export interface StorageStats {
  lists: number;
  manifests: number;
  dataBlobs: number;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  // blob names are taken as written: only the manifest's copies of them are tidied
  trimValues: false,
  isArray: (_name, jpath) => jpath === 'EnumerationResults.Blobs.Blob',
});

export class BlobStorage {
  readonly stats: StorageStats = {lists: 0, manifests: 0, dataBlobs: 0};

  constructor(
    private readonly http: HttpClient,
    private readonly opts: BlobStorageOptions,
  ) {}

  get container(): string {
    return this.opts.container;
  }

  /** Every blob whose name starts with `prefix`, in Azure's (name) order. */
  async listAll(prefix: string): Promise<BlobItem[]> {
    const items: BlobItem[] = [];
    for await (const page of this.listPages(prefix)) items.push(...page);
    return items;
  }

  /** The blobs whose name starts with `prefix`, a page (up to 5,000) at a time, following NextMarker. */
  async *listPages(prefix: string): AsyncGenerator<BlobItem[]> {
    let marker = '';
    for (let page = 1; ; page++) {
      const query = new URLSearchParams({restype: 'container', comp: 'list', prefix, maxresults: String(this.opts.pageSize ?? 5000)});
      if (marker) query.set('marker', marker);
      this.stats.lists++;
      const response = await this.http.sendRaw({
        method: 'GET',
        url: this.withSas(`${this.containerUrl()}?${query.toString()}`),
        headers: this.headers(),
        auth: this.opts.auth,
        purpose: `listing the blobs under "${prefix || '/'}" in container ${this.opts.container}${page > 1 ? ` (page ${page})` : ''}`,
        hint: (status, headers) => this.opts.hint(status, errorCode(headers), 'list'),
      });
      const parsed = parseListing(response.body.toString('utf8'));
      yield parsed.blobs;
      if (!parsed.nextMarker) return;
      marker = parsed.nextMarker;
    }
  }

  /** A small blob (a manifest) whole, as text. */
  async readText(name: string): Promise<string> {
    this.stats.manifests++;
    const response = await this.http.sendRaw({
      method: 'GET',
      url: this.blobUrl(name),
      headers: this.headers(),
      auth: this.opts.auth,
      purpose: `reading ${name} in container ${this.opts.container}`,
      hint: (status, headers) => this.opts.hint(status, errorCode(headers), 'read'),
    });
    return response.body.toString('utf8');
  }

  /** A data blob as a stream; a broken body resumes with Range where it stopped. */
  download(blob: BlobItem, label: string, idleTimeoutMs: number): Readable {
    this.stats.dataBlobs++;
    return resumableDownload(this.http, {url: this.blobUrl(blob.name), byteCount: blob.size, label, request: this.blobRequest()}, idleTimeoutMs);
  }

  /** A data blob read by byte ranges (Parquet: footer first, then row groups). */
  range(blob: BlobItem, label: string): BlobRange {
    this.stats.dataBlobs++;
    const url = this.blobUrl(blob.name);
    const request = this.blobRequest();
    const http = this.http;
    return {
      byteLength: blob.size,
      async read(start: number, end: number): Promise<Uint8Array> {
        if (end <= start) return new Uint8Array(0);
        const response = await http.sendRaw({
          ...request,
          method: 'GET',
          url,
          headers: {...request.headers, Range: `bytes=${start}-${end - 1}`},
          accept: [200, 206],
          purpose: `reading bytes ${start}-${end - 1} of ${label}`,
        });
        // a server that ignores Range sends the whole blob
        const body = response.status === 200 ? response.body.subarray(start, end) : response.body;
        if (body.length !== end - start) throw new SystemError(`Azure Storage sent ${body.length} bytes for ${end - start} asked of ${label}.`);
        return body;
      },
    };
  }

  /** Where the container is, with no query (for messages). */
  containerUrl(): string {
    return `${this.opts.accountUrl}/${encodeURIComponent(this.opts.container)}`;
  }

  private blobUrl(name: string): string {
    return this.withSas(`${this.containerUrl()}/${name.split('/').map(encodeURIComponent).join('/')}`);
  }

  private blobRequest(): Pick<HttpRequest, 'headers' | 'auth' | 'hint'> {
    return {headers: this.headers(), auth: this.opts.auth, hint: (status, headers) => this.opts.hint(status, errorCode(headers), 'read')};
  }

  private withSas(url: string): string {
    if (!this.opts.sas) return url;
    return `${url}${url.includes('?') ? '&' : '?'}${this.opts.sas}`;
  }

  private headers(): Record<string, string> {
    return {'x-ms-version': STORAGE_VERSION, Accept: 'application/xml, */*'};
  }
}

/** Azure Storage names its error in a header (the body says it too, less reliably through proxies). */
function errorCode(headers: Record<string, unknown>): string | undefined {
  const code = headers['x-ms-error-code'];
  return typeof code === 'string' && code ? code : undefined;
}

/** One page of List Blobs: the blobs and the marker of the next page ('' when it was the last). */
export function parseListing(xml: string): {blobs: BlobItem[]; nextMarker: string} {
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch {
    throw new SystemError('Azure Storage answered the blob listing with XML that could not be read.');
  }
  const results = (doc as {EnumerationResults?: {Blobs?: {Blob?: unknown[]} | string; NextMarker?: unknown}}).EnumerationResults;
  if (!results || typeof results !== 'object') throw new SystemError('Azure Storage answered the blob listing without an EnumerationResults document.');
  const list = typeof results.Blobs === 'object' && results.Blobs ? (results.Blobs.Blob ?? []) : [];
  const blobs: BlobItem[] = [];
  for (const entry of list) {
    const blob = entry as {Name?: unknown; Properties?: {'Content-Length'?: unknown}};
    if (typeof blob.Name !== 'string') continue;
    const size = Number(blob.Properties?.['Content-Length']);
    blobs.push({name: blob.Name, size: Number.isFinite(size) ? size : 0});
  }
  const next = results.NextMarker;
  return {blobs, nextMarker: typeof next === 'string' ? next.trim() : ''};
}

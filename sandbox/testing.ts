/**
 * Minimal clients for the sandbox, for tests and scripts that need to check the sandbox itself
 * (the connector has its own client). Includes a CSV tally that mirrors what a correct connector
 * must compute: rows per usable day and exact cost sums.
 */
import axios, {AxiosResponse} from 'axios';
import {parse} from 'csv-parse/sync';
import {Worker} from 'worker_threads';
import {isDay} from './dates';
import {formatDec, parseDec} from './decimal';
import {Sandbox} from './server';
import {signSas} from './storage/sas';

const http = axios.create({validateStatus: () => true, maxRedirects: 0, timeout: 30_000, transitional: {clarifyTimeoutError: true}});

export async function getToken(sb: Sandbox): Promise<string> {
  const o = sb.options;
  const form = new URLSearchParams({grant_type: 'client_credentials', client_id: o.clientId, client_secret: o.clientSecret, scope: 'https://management.azure.com/.default'});
  const r = await http.post(`${sb.baseUrl}/${o.tenantId}/oauth2/v2.0/token`, form.toString(), {headers: {'Content-Type': 'application/x-www-form-urlencoded'}});
  if (r.status !== 200) throw new Error(`token: ${r.status} ${JSON.stringify(r.data)}`);
  return (r.data as {access_token: string}).access_token;
}

export function generateUrl(sb: Sandbox, enrollment = sb.options.enrollmentNumber): string {
  return `${sb.baseUrl}/providers/Microsoft.Billing/billingAccounts/${enrollment}/providers/Microsoft.CostManagement/generateCostDetailsReport?api-version=2023-11-01`;
}

/** generateCostDetailsReport under any scope path (e.g. `/subscriptions/{id}`; ids as given, encode them yourself or not). */
export function scopeGenerateUrl(sb: Sandbox, scope: string): string {
  return `${sb.baseUrl}${scope}/providers/Microsoft.CostManagement/generateCostDetailsReport?api-version=2023-11-01`;
}

export interface Manifest {
  blobCount: number;
  byteCount: number;
  blobs: Array<{blobLink: string; byteCount: number}>;
}

/** generate -> poll -> manifest (no fault handling; for fault-free sandboxes). */
export async function requestReport(sb: Sandbox, token: string, metric: 'ActualCost' | 'AmortizedCost', start: string, end: string, scope?: string): Promise<{status: number; manifest?: Manifest; body?: unknown}> {
  const auth = {Authorization: `Bearer ${token}`};
  const g = await http.post(scope === undefined ? generateUrl(sb) : scopeGenerateUrl(sb, scope), {metric, timePeriod: {start, end}}, {headers: auth});
  if (g.status !== 202) return {status: g.status, body: g.data};
  let loc = g.headers.location as string;
  for (;;) {
    const p: AxiosResponse = await http.get(loc, {headers: auth});
    if (p.status === 202) {
      loc = (p.headers.location as string) ?? loc;
      await new Promise((r) => setTimeout(r, Math.min(1000, Number(p.headers['retry-after'] ?? 0) * 1000) || 20));
      continue;
    }
    const body = p.data as {status: string; manifest?: Manifest};
    return {status: p.status, manifest: body.manifest, body};
  }
}

export async function downloadBlob(link: string): Promise<Buffer> {
  const r = await http.get(link, {responseType: 'arraybuffer'});
  if (r.status !== 200) throw new Error(`blob ${r.status}`);
  return Buffer.from(r.data as ArrayBuffer);
}

export interface Tally {
  days: Record<string, {rows: number; cost: string}>;
  unusableDateRows: number;
  rows: number;
}

/** 'MM/DD/YYYY' | 'YYYY-MM-DD' | 'YYYY-MM-DDThh:mm:ss...' -> day, else null. */
export function dayFromCsv(s: string): string | null {
  let d: string | null = null;
  const us = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s);
  if (us) d = `${us[3]}-${us[1]}-${us[2]}`;
  else if (/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(s)) d = s.slice(0, 10);
  return d && isDay(d) ? d : null;
}

export function parseCostCsv(buf: Buffer): Array<Record<string, string>> {
  return parse(buf, {bom: true, columns: true}) as Array<Record<string, string>>;
}

/** Add CSV records to a tally, by usable day, with exact cost sums (EA or MCA columns). */
export function tallyCsv(records: Array<Record<string, string>>, into?: Tally): Tally {
  const t: Tally = into ?? {days: {}, unusableDateRows: 0, rows: 0};
  for (const r of records) {
    const day = dayFromCsv(r.Date ?? r.date ?? '');
    if (!day) {
      t.unusableDateRows++;
      continue;
    }
    const cost = r.CostInBillingCurrency ?? r.Cost ?? r.costInBillingCurrency ?? '0';
    const cur = t.days[day] ?? {rows: 0, cost: '0'};
    t.days[day] = {rows: cur.rows + 1, cost: formatDec(parseDec(cur.cost) + parseDec(cost || '0'))};
    t.rows++;
  }
  return t;
}

export {http as sandboxHttp};

// ------------------------------------------------------------------ storage account (exports) ----

/** x-ms-version the helpers send (the oldest the sandbox accepts). */
export const STORAGE_VERSION = '2021-08-06';

export interface SasOptions {
  /** Signed permissions (default 'rl'). */
  permissions?: string;
  /** Seconds from now to expiry; negative for an already expired SAS (default 3600). */
  expiresInSeconds?: number;
  /** Signed version (default 2022-11-02). */
  version?: string;
  /** Sign with another key (a SAS whose signature does not match). */
  key?: string;
}

/** A container SAS query string (no '?') for the sandbox's exports container. */
export function mintSas(sb: Sandbox, o: SasOptions = {}): string {
  const s = sb.storage;
  const expiry = new Date(Date.now() + (o.expiresInSeconds ?? 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return signSas(o.key ?? s.key, s.account, s.container, {version: o.version ?? '2022-11-02', permissions: o.permissions ?? 'rl', expiry, resource: 'c'});
}

/** An expired container SAS. */
export function mintExpiredSas(sb: Sandbox): string {
  return mintSas(sb, {expiresInSeconds: -3600});
}

/** A read-only container SAS (no list permission). */
export function mintReadOnlySas(sb: Sandbox): string {
  return mintSas(sb, {permissions: 'r'});
}

/** An Entra token for a scope (default the storage scope). */
export async function getScopedToken(sb: Sandbox, scope = 'https://storage.azure.com/.default'): Promise<string> {
  const o = sb.options;
  const form = new URLSearchParams({grant_type: 'client_credentials', client_id: o.clientId, client_secret: o.clientSecret, scope});
  const r = await http.post(`${sb.baseUrl}/${o.tenantId}/oauth2/v2.0/token`, form.toString(), {headers: {'Content-Type': 'application/x-www-form-urlencoded'}});
  if (r.status !== 200) throw new Error(`token: ${r.status} ${JSON.stringify(r.data)}`);
  return (r.data as {access_token: string}).access_token;
}

/** Blob path segments URL-encoded, as clients send them. */
export function blobUrl(sb: Sandbox, name: string, sas?: string): string {
  return `${sb.storage.accountUrl}/${sb.storage.container}/${name.split('/').map(encodeURIComponent).join('/')}${sas ? '?' + sas : ''}`;
}

export interface ListedBlob {
  name: string;
  size: number;
}

/** Every blob under a prefix, following NextMarker (SAS or bearer auth). */
export async function listAllBlobs(sb: Sandbox, auth: {sas?: string; token?: string}, prefix = '', maxresults?: number): Promise<{blobs: ListedBlob[]; pages: number}> {
  const blobs: ListedBlob[] = [];
  let marker = '';
  let pages = 0;
  for (;;) {
    const q = new URLSearchParams({restype: 'container', comp: 'list', prefix, marker});
    if (maxresults) q.set('maxresults', String(maxresults));
    const url = `${sb.storage.accountUrl}/${sb.storage.container}?${q.toString()}${auth.sas ? '&' + auth.sas : ''}`;
    const r = await http.get(url, {responseType: 'text', headers: {'x-ms-version': STORAGE_VERSION, ...(auth.token ? {Authorization: `Bearer ${auth.token}`} : {})}});
    if (r.status !== 200) throw new Error(`list: ${r.status} ${String(r.headers['x-ms-error-code'])}`);
    pages++;
    const xml = r.data as string;
    for (const m of xml.matchAll(/<Blob><Name>([^<]*)<\/Name>.*?<Content-Length>(\d+)<\/Content-Length>/g)) blobs.push({name: unescapeXml(m[1]), size: +m[2]});
    marker = /<NextMarker>([^<]*)<\/NextMarker>/.exec(xml)?.[1] ?? '';
    if (!marker) return {blobs, pages};
  }
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|apos|quot);/g, (_, e: string) => ({lt: '<', gt: '>', amp: '&', apos: "'", quot: '"'})[e]!);
}

/** A whole blob's bytes (SAS auth). */
export async function fetchBlob(sb: Sandbox, name: string, sas: string): Promise<Buffer> {
  const r = await http.get(blobUrl(sb, name, sas), {responseType: 'arraybuffer', headers: {'x-ms-version': STORAGE_VERSION}});
  if (r.status !== 200) throw new Error(`get ${name}: ${r.status} ${String(r.headers['x-ms-error-code'])}`);
  return Buffer.from(r.data as ArrayBuffer);
}

const PARQUET_READER = `
const {parentPort, workerData} = require('worker_threads');
const hp = require(workerData.readerPath);
(async () => {
  try {
    const u8 = workerData.bytes;
    const buf = u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength);
    const metadata = hp.parquetMetadata(buf);
    const scales = {};
    // DECIMAL columns come back as raw bytes (hyparquet would make floats): decoded exactly below
    for (const el of metadata.schema) {
      if (el.converted_type === 'DECIMAL' || (el.logical_type && el.logical_type.type === 'DECIMAL')) {
        scales[el.name] = el.scale || 0;
        delete el.converted_type;
        delete el.logical_type;
      }
    }
    const header = metadata.schema.slice(1).map((e) => e.name);
    const rows = [];
    await hp.parquetRead({file: buf, metadata, rowFormat: 'array', onComplete: (data) => { for (const r of data) rows.push(r); }});
    const out = rows.map((r) => r.map((v, i) => {
      if (v === null || v === undefined) return null;
      const scale = scales[header[i]];
      if (scale === undefined) return typeof v === 'string' ? v : String(v);
      let n = 0n;
      for (const b of v) n = (n << 8n) | BigInt(b);
      if (v.length && v[0] & 0x80) n -= 1n << BigInt(8 * v.length);
      const neg = n < 0n;
      let s = (neg ? -n : n).toString().padStart(scale + 1, '0');
      if (scale) s = s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale);
      return (neg ? '-' : '') + s;
    }));
    const codecs = [...new Set(metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data.codec)))];
    const decimals = Object.entries(scales).map(([name, scale]) => ({name, scale}));
    parentPort.postMessage({ok: true, header, rows: out, rowGroups: metadata.row_groups.length, codecs, decimals});
  } catch (e) {
    parentPort.postMessage({ok: false, error: String((e && e.stack) || e)});
  }
})();
`;

export interface ParquetContent {
  header: string[];
  /** Cells as text; DECIMAL columns as exact decimal text at their scale; null for nulls. */
  rows: Array<Array<string | null>>;
  rowGroups: number;
  codecs: string[];
  decimals: Array<{name: string; scale: number}>;
}

/** Read a whole Parquet file with hyparquet (on a worker thread: hyparquet is an ES module). */
export function readParquet(bytes: Uint8Array): Promise<ParquetContent> {
  return new Promise((resolve, reject) => {
    const w = new Worker(PARQUET_READER, {eval: true, workerData: {readerPath: require.resolve('hyparquet'), bytes}});
    w.once('message', (m: {ok: boolean; error?: string} & ParquetContent) => {
      void w.terminate();
      if (m.ok) resolve(m);
      else reject(new Error(m.error));
    });
    w.once('error', reject);
  });
}

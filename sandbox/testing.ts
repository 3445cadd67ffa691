/**
 * Minimal clients for the sandbox, for tests and scripts that need to check the sandbox itself
 * (the connector has its own client). Includes a CSV tally that mirrors what a correct connector
 * must compute: rows per usable day and exact cost sums.
 */
import axios, {AxiosResponse} from 'axios';
import {parse} from 'csv-parse/sync';
import {isDay} from './dates';
import {formatDec, parseDec} from './decimal';
import {Sandbox} from './server';

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

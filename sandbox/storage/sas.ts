/**
 * Service SAS tokens of Azure Blob Storage: signing (for tests and the demo) and checking (for
 * the sandbox's storage account). The string-to-sign is Azure's for a service SAS of version
 * 2020-12-06 and later (with the encryption-scope line) or 2018-11-09 to 2020-10-02 (without it);
 * the signature is an HMAC-SHA256 keyed with the base64-decoded account key.
 */
import {createHmac, timingSafeEqual} from 'crypto';

export interface SasFields {
  /** Signed version (sv). */
  version: string;
  /** Signed permissions (sp), e.g. 'rl'. */
  permissions: string;
  /** Signed expiry (se), ISO 8601 UTC. */
  expiry: string;
  /** Signed start (st), optional. */
  start?: string;
  /** 'c' (container) or 'b' (one blob). */
  resource: 'c' | 'b';
  /** Signed protocol (spr), optional. */
  protocol?: string;
}

const V_SES = '2020-12-06';
const V_MIN = '2018-11-09';

function canonical(account: string, container: string, blob: string | null): string {
  return `/blob/${account}/${container}${blob !== null ? '/' + blob : ''}`;
}

function stringToSign(p: URLSearchParams | Map<string, string>, resource: string): string {
  const g = (k: string) => p.get(k) ?? '';
  const lines = [g('sp'), g('st'), g('se'), resource, g('si'), g('sip'), g('spr'), g('sv'), g('sr'), g('sst') /* snapshot time */];
  if (g('sv') >= V_SES) lines.push(g('ses'));
  lines.push(g('rscc'), g('rscd'), g('rsce'), g('rscl'), g('rsct'));
  return lines.join('\n');
}

function hmac(key: string, text: string): string {
  return createHmac('sha256', Buffer.from(key, 'base64')).update(text, 'utf8').digest('base64');
}

/** A SAS query string (without '?') for a container or one blob of it. */
export function signSas(accountKey: string, account: string, container: string, f: SasFields, blob: string | null = null): string {
  const q = new Map<string, string>([['sv', f.version], ['sp', f.permissions], ['se', f.expiry], ['sr', f.resource]]);
  if (f.start) q.set('st', f.start);
  if (f.protocol) q.set('spr', f.protocol);
  const sig = hmac(accountKey, stringToSign(q, canonical(account, container, f.resource === 'b' ? blob : null)));
  q.set('sig', sig);
  const order = ['sv', 'st', 'se', 'sr', 'sp', 'spr', 'sig'];
  return order.filter((k) => q.has(k)).map((k) => `${k}=${encodeURIComponent(q.get(k)!)}`).join('&');
}

export type SasCheck =
  | {ok: true; permissions: string}
  | {ok: false; status: number; code: 'AuthenticationFailed' | 'AuthorizationPermissionMismatch' | 'AuthorizationResourceTypeMismatch'; detail: string};

const fail = (detail: string): SasCheck => ({ok: false, status: 403, code: 'AuthenticationFailed', detail});

function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/**
 * Check a request's SAS for an operation needing `perm` ('r' read, 'l' list) on a container or
 * blob. `now` is the sandbox's clock; `expiredAt` forces expiry (an injected fault).
 */
export function checkSas(q: URLSearchParams, accountKey: string, account: string, container: string, blob: string | null, perm: 'r' | 'l', now: number, forceExpired = false): SasCheck {
  const sv = q.get('sv') ?? '';
  const sig = q.get('sig') ?? '';
  const se = q.get('se');
  const sr = q.get('sr') ?? '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(sv) || sv < V_MIN) return fail(`The signed version '${sv}' is not supported for this request.`);
  if (sr !== 'c' && sr !== 'b') return fail(`Signed resource '${sr}' is not valid for this request.`);
  if (!se) return fail('Signed expiry time must be specified.');
  const exp = Date.parse(se);
  const st = q.get('st');
  const start = st ? Date.parse(st) : NaN;
  if (Number.isNaN(exp) || (st && Number.isNaN(start))) return fail(`Signed expiry time [${se}] or start time [${st ?? ''}] is not a valid date.`);
  const resource = canonical(account, container, sr === 'b' ? blob : null);
  if (sr === 'b' && blob === null) return fail('Signature did not match. A blob SAS cannot list a container.');
  const expected = hmac(accountKey, stringToSign(q, resource));
  const a = Buffer.from(expected);
  const b = Buffer.from(sig);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return fail(`Signature did not match. String to sign used was ${q.get('sp') ?? ''}\n${st ?? ''}\n${se}\n${resource}`);
  }
  if (!Number.isNaN(start) && start > now) {
    return fail(`Signature not valid in the specified time frame: Start [${httpDate(start)}] - Expiry [${httpDate(exp)}] - Current [${httpDate(now)}]`);
  }
  if (exp <= now || forceExpired) {
    return fail(`Signature not valid in the specified time frame: Start [${Number.isNaN(start) ? '' : httpDate(start)}] - Expiry [${httpDate(forceExpired ? Math.min(exp, now - 1000) : exp)}] - Current [${httpDate(now)}]`);
  }
  const sp = q.get('sp') ?? '';
  if (q.get('spr') && !q.get('spr')!.split(',').includes('http')) {
    return {ok: false, status: 403, code: 'AuthorizationPermissionMismatch', detail: 'This request is not authorized to perform this operation using this protocol.'};
  }
  if (!sp.includes(perm)) {
    return {ok: false, status: 403, code: 'AuthorizationPermissionMismatch', detail: 'This request is not authorized to perform this operation using this permission.'};
  }
  return {ok: true, permissions: sp};
}

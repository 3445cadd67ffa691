/**
 * Blob REST of the sandbox's storage account, served at `{sandboxUrl}/storage/{account}/{container}`
 * (in Azure the account is the host): List Blobs (XML, prefix/marker/maxresults/delimiter,
 * NextMarker paging), Get Blob / Get Blob Properties (Range, 206, Content-Range), the
 * `x-ms-version` header, service SAS or bearer auth, and Azure's XML errors with
 * `x-ms-error-code`. Faults come from the sandbox's fault injector (endpoint 'storage').
 */
import {randomUUID} from 'crypto';
import {createReadStream} from 'fs';
import {IncomingMessage, ServerResponse} from 'http';
import {TokenStore} from '../auth';
import {FaultDecision, FaultInjector, FaultKind} from '../faults';
import {cutPoint, Headers, sleep} from '../http-util';
import {BlobContainer, StorageAccount, StoredBlob} from './account';
import {checkSas} from './sas';

/** Oldest x-ms-version the sandbox accepts (docs/design.md §14). */
export const MIN_STORAGE_VERSION = '2021-08-06';
const SERVED_VERSION = '2021-08-06';

export interface BlobRestDeps {
  account: StorageAccount;
  /** Resolves once every blob exists (exports are written lazily, on first use). */
  ready(): Promise<void>;
  tokens: TokenStore;
  faults: FaultInjector;
  /** Counts an injected fault by kind (sandbox stats). */
  countFault(kind: string): void;
  /** The principal holds Storage Blob Data Reader on the account. */
  blobDataReader: boolean;
  tenantId: string;
  latencyMs: number;
  /** Whether a SAS should now be treated as expired (an injected fault). */
  sasExpired(): boolean;
  now(): number;
}

const LIST_FAULTS: FaultKind[] = ['5xx', 'slow'];
const GET_FAULTS: FaultKind[] = ['5xx', 'reset', 'slow'];

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({'<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;'})[c]!);
}

function baseHeaders(): Headers {
  return {'x-ms-request-id': randomUUID(), 'x-ms-version': SERVED_VERSION, Date: new Date().toUTCString(), Server: 'Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0'};
}

/** Azure Storage's error answer: XML body and the code in `x-ms-error-code`. */
export function blobError(res: ServerResponse, status: number, code: string, message: string, extra: {detail?: string; headers?: Headers; head?: boolean} = {}): void {
  if (res.headersSent || res.destroyed) return;
  const detail = extra.detail ? `<AuthenticationErrorDetail>${xmlEscape(extra.detail)}</AuthenticationErrorDetail>` : '';
  const body = Buffer.from(`\ufeff<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${xmlEscape(message)}\nRequestId:${randomUUID()}\nTime:${new Date().toISOString().replace('Z', '0000Z')}</Message>${detail}</Error>`);
  res.writeHead(status, {...baseHeaders(), 'Content-Type': 'application/xml', 'Content-Length': body.length, 'x-ms-error-code': code, ...extra.headers});
  res.end(extra.head ? undefined : body);
}

const AUTH_FAILED = 'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.';
const PERMISSION = 'This request is not authorized to perform this operation using this permission.';

type Op = {kind: 'list'; container: string} | {kind: 'props'; container: string} | {kind: 'get'; container: string; blob: string};

/** Authorize an operation; answers the error itself and returns false when refused. */
function authorize(req: IncomingMessage, res: ServerResponse, q: URLSearchParams, d: BlobRestDeps, op: Op, head: boolean): boolean {
  const auth = req.headers.authorization;
  const hasSas = q.has('sig');
  if (auth && hasSas) {
    blobError(res, 400, 'InvalidQueryParameterValue', 'Value for one of the query parameters specified in the request URI is invalid. Authorization header and SAS token cannot be combined.', {head});
    return false;
  }
  if (hasSas) {
    const perm = op.kind === 'list' ? 'l' : 'r';
    const r = checkSas(q, d.account.key, d.account.name, op.container, op.kind === 'get' ? op.blob : null, perm, d.now(), d.sasExpired());
    if (!r.ok) {
      blobError(res, r.status, r.code, r.code === 'AuthenticationFailed' ? AUTH_FAILED : PERMISSION, {detail: r.detail, head});
      return false;
    }
    return true;
  }
  if (auth) {
    const challenge = {'WWW-Authenticate': `Bearer authorization_uri=https://login.microsoftonline.com/${d.tenantId}/oauth2/authorize resource_id=https://storage.azure.com`};
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    const t = m ? d.tokens.lookup(m[1]) : null;
    if (!t) {
      blobError(res, 401, 'InvalidAuthenticationInfo', 'Server failed to authenticate the request. Please refer to the information in the www-authenticate header.', {headers: challenge, head});
      return false;
    }
    if (t.expired) {
      blobError(res, 401, 'InvalidAuthenticationInfo', 'Server failed to authenticate the request. Please refer to the information in the www-authenticate header.', {detail: 'Lifetime validation failed. The token is expired.', headers: challenge, head});
      return false;
    }
    if (t.audience !== 'storage') {
      blobError(res, 403, 'AuthenticationFailed', AUTH_FAILED, {detail: `Audience validation failed. Audience did not match. The token was issued for '${t.resource}', not 'https://storage.azure.com'.`, head});
      return false;
    }
    if (!d.blobDataReader) {
      blobError(res, 403, 'AuthorizationPermissionMismatch', PERMISSION, {head});
      return false;
    }
    return true;
  }
  // anonymous access is off on the account
  blobError(res, 404, op.kind === 'get' ? 'ResourceNotFound' : 'ResourceNotFound', 'The specified resource does not exist.', {head});
  return false;
}

/** An injected fault before the answer: 503 ServerBusy, 500 OperationTimedOut, or a slow answer. */
async function preFault(d: BlobRestDeps, key: string, allowed: FaultKind[], res: ServerResponse, head: boolean): Promise<FaultDecision | null | undefined> {
  const f = d.faults.decide('storage', `storage:${key}`, allowed);
  if (!f) return null;
  d.countFault(f.kind);
  if (f.kind === '5xx') {
    if (f.variant % 2 === 0) blobError(res, 503, 'ServerBusy', 'The server is busy.', {head});
    else blobError(res, 500, 'OperationTimedOut', 'Operation could not be completed within the specified time.', {head});
    return undefined;
  }
  if (f.kind === 'slow') {
    await sleep(d.faults.o.slowMs ?? 5000);
    return null;
  }
  return f;
}

const MARKER_PREFIX = '2!';

function encodeMarker(name: string): string {
  const b = Buffer.from(name, 'utf8').toString('base64');
  return `${MARKER_PREFIX}${b.length}!${b}`;
}

function decodeMarker(m: string): string | null {
  const x = /^2!(\d+)!([A-Za-z0-9+/=]+)$/.exec(m);
  if (!x || +x[1] !== x[2].length) return null;
  return Buffer.from(x[2], 'base64').toString('utf8');
}

function blobXml(b: StoredBlob): string {
  const lm = new Date(b.lastModified).toUTCString();
  return `<Blob><Name>${xmlEscape(b.name)}</Name><Properties><Creation-Time>${lm}</Creation-Time><Last-Modified>${lm}</Last-Modified><Etag>${b.etag}</Etag>` +
    `<Content-Length>${b.size}</Content-Length><Content-Type>${b.contentType}</Content-Type><Content-Encoding>${b.contentEncoding ?? ''}</Content-Encoding>` +
    '<Content-Language /><Content-CRC64 /><Content-MD5 /><Cache-Control /><Content-Disposition /><BlobType>BlockBlob</BlobType>' +
    '<AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState>' +
    '<ServerEncrypted>true</ServerEncrypted></Properties><OrMetadata /></Blob>';
}

function list(res: ServerResponse, q: URLSearchParams, c: BlobContainer, serviceEndpoint: string): void {
  const prefix = q.get('prefix') ?? '';
  const marker = q.get('marker') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const mr = q.get('maxresults');
  let max = 5000;
  if (mr !== null) {
    if (!/^\d+$/.test(mr) || +mr < 1 || +mr > 5000) {
      blobError(res, 400, 'OutOfRangeQueryParameterValue', `One of the query parameters specified in the request URI is outside the permissible range.`, {detail: `QueryParameterName:maxresults QueryParameterValue:${mr} MinimumAllowed:1 MaximumAllowed:5000`});
      return;
    }
    max = +mr;
  }
  let after: string | null = null;
  if (marker) {
    after = decodeMarker(marker);
    if (after === null) {
      blobError(res, 400, 'InvalidQueryParameterValue', 'Value for one of the query parameters specified in the request URI is invalid.', {detail: `QueryParameterName:marker QueryParameterValue:${marker}`});
      return;
    }
  }
  const names = c.names();
  // first name >= the marker's (the marker names the next entry to return)
  let lo = 0;
  if (after !== null) {
    let hi = names.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (Buffer.compare(Buffer.from(names[mid]), Buffer.from(after)) < 0) lo = mid + 1;
      else hi = mid;
    }
  }
  let out = '';
  let n = 0;
  let next = '';
  const seenPrefixes = new Set<string>();
  for (let i = lo; i < names.length; i++) {
    const name = names[i];
    if (!name.startsWith(prefix)) {
      if (name > prefix) break;
      continue;
    }
    let entry: string;
    let bp: string | null = null;
    if (delimiter) {
      const k = name.indexOf(delimiter, prefix.length);
      if (k >= 0) bp = name.slice(0, k + delimiter.length);
    }
    if (bp !== null && seenPrefixes.has(bp)) continue;
    if (n === max) {
      next = encodeMarker(name);
      break;
    }
    if (bp !== null) {
      seenPrefixes.add(bp);
      entry = `<BlobPrefix><Name>${xmlEscape(bp)}</Name></BlobPrefix>`;
    } else {
      entry = blobXml(c.get(name)!);
    }
    out += entry;
    n++;
  }
  let xml = `\ufeff<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="${xmlEscape(serviceEndpoint)}" ContainerName="${xmlEscape(c.name)}">`;
  if (q.has('prefix')) xml += `<Prefix>${xmlEscape(prefix)}</Prefix>`;
  if (q.has('marker')) xml += `<Marker>${xmlEscape(marker)}</Marker>`;
  if (mr !== null) xml += `<MaxResults>${max}</MaxResults>`;
  if (delimiter) xml += `<Delimiter>${xmlEscape(delimiter)}</Delimiter>`;
  xml += `<Blobs>${out}</Blobs>${next ? `<NextMarker>${next}</NextMarker>` : '<NextMarker />'}</EnumerationResults>`;
  const body = Buffer.from(xml, 'utf8');
  res.writeHead(200, {...baseHeaders(), 'Content-Type': 'application/xml', 'Content-Length': body.length});
  res.end(body);
}

/** Parse `bytes=a-b` / `bytes=a-` / `bytes=-n`; null when absent, 'bad' when unsatisfiable. */
function parseRange(h: string | undefined, size: number): [number, number] | null | 'bad' {
  if (!h) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(h.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null; // Azure ignores a malformed Range
  let a: number;
  let b: number;
  if (m[1] === '') {
    a = Math.max(0, size - +m[2]);
    b = size - 1;
  } else {
    a = +m[1];
    b = m[2] === '' ? size - 1 : Math.min(+m[2], size - 1);
    if (m[2] !== '' && +m[2] < a) return null;
  }
  if (a >= size) return 'bad';
  return [a, b];
}

function sendBlob(res: ServerResponse, b: StoredBlob, range: [number, number] | null, head: boolean, fault: FaultDecision | null): void {
  const [a, z] = range ?? [0, b.size - 1];
  const len = b.size === 0 ? 0 : z - a + 1;
  const h: Headers = {
    ...baseHeaders(),
    'Content-Type': b.contentType,
    'Content-Length': len,
    'Accept-Ranges': 'bytes',
    ETag: b.etag,
    'Last-Modified': new Date(b.lastModified).toUTCString(),
    'x-ms-creation-time': new Date(b.lastModified).toUTCString(),
    'x-ms-blob-type': 'BlockBlob',
    'x-ms-lease-status': 'unlocked',
    'x-ms-lease-state': 'available',
    'x-ms-server-encrypted': 'true',
  };
  if (b.contentEncoding) h['Content-Encoding'] = b.contentEncoding;
  if (range) h['Content-Range'] = `bytes ${a}-${z}/${b.size}`;
  res.writeHead(range ? 206 : 200, h);
  if (head || len === 0) {
    res.end();
    return;
  }
  // a reset: part of the body, then the connection drops (the client resumes with Range)
  const last = fault?.kind === 'reset' && len > 1 ? a + cutPoint(len, fault.variant) - 1 : z;
  const drop = last < z;
  if (b.data) {
    const chunk = b.data.subarray(a, last + 1);
    if (drop) res.write(chunk, () => res.socket?.destroySoon());
    else res.end(chunk);
    return;
  }
  const rs = createReadStream(b.file!, {start: a, end: last});
  rs.on('error', () => res.destroy());
  res.on('close', () => rs.destroy());
  if (drop) {
    rs.on('end', () => res.socket?.destroySoon());
    rs.pipe(res, {end: false});
  } else {
    rs.pipe(res);
  }
}

/**
 * Handle `/{account}/{container}[/{blob}]` (path after `/storage`, still URL-encoded).
 * `endpoint` is the account's base URL (the ServiceEndpoint of listings).
 */
export async function handleBlobRequest(req: IncomingMessage, res: ServerResponse, url: URL, rest: string, endpoint: string, d: BlobRestDeps): Promise<void> {
  const method = req.method ?? 'GET';
  const head = method === 'HEAD';
  const segs = rest.replace(/^\/+/, '').split('/');
  let account: string;
  let containerName: string;
  let blobName: string | null;
  try {
    account = decodeURIComponent(segs[0] ?? '');
    containerName = decodeURIComponent(segs[1] ?? '');
    blobName = segs.length > 2 ? segs.slice(2).map(decodeURIComponent).join('/') : null;
  } catch {
    blobError(res, 400, 'InvalidUri', 'The requested URI does not represent any resource on the server.', {head});
    return;
  }
  if (blobName === '') blobName = null;
  if (account !== d.account.name) {
    // another host in Azure: nothing answers for it here
    blobError(res, 400, 'InvalidUri', `The requested URI does not represent any resource on the server. No storage account '${account}'.`, {head});
    return;
  }
  const q = url.searchParams;
  if (method !== 'GET' && method !== 'HEAD') {
    blobError(res, 403, 'AuthorizationPermissionMismatch', PERMISSION);
    return;
  }
  if (!containerName) {
    blobError(res, 400, 'InvalidQueryParameterValue', 'Value for one of the query parameters specified in the request URI is invalid.', {head});
    return;
  }
  const version = req.headers['x-ms-version'];
  if (typeof version !== 'string' || !version) {
    blobError(res, 400, 'MissingRequiredHeader', 'An HTTP header that\'s mandatory for this request is not specified.', {detail: undefined, head, headers: {}});
    return;
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(version) || version < MIN_STORAGE_VERSION) {
    blobError(res, 400, 'InvalidHeaderValue', `The value for one of the HTTP headers is not in the correct format. x-ms-version '${version}' is not supported by this sandbox (use ${MIN_STORAGE_VERSION} or later).`, {head});
    return;
  }
  let op: Op;
  if (blobName === null) {
    if (q.get('restype') !== 'container') {
      blobError(res, 400, 'InvalidQueryParameterValue', 'Value for one of the query parameters specified in the request URI is invalid.', {detail: 'QueryParameterName:restype', head});
      return;
    }
    op = q.get('comp') === 'list' ? {kind: 'list', container: containerName} : {kind: 'props', container: containerName};
  } else {
    op = {kind: 'get', container: containerName, blob: blobName};
  }
  const faultKey = op.kind === 'get' ? `get:${containerName}/${op.blob}:${req.headers.range ?? req.headers['x-ms-range'] ?? ''}` : `${op.kind}:${containerName}:${q.get('prefix') ?? ''}:${q.get('marker') ?? ''}`;
  const f = await preFault(d, faultKey, op.kind === 'get' ? GET_FAULTS : LIST_FAULTS, res, head);
  if (f === undefined) return;
  if (!authorize(req, res, q, d, op, head)) return;
  await d.ready();
  const c = d.account.container(containerName);
  if (!c) {
    blobError(res, 404, 'ContainerNotFound', 'The specified container does not exist.', {head});
    return;
  }
  await sleep(d.latencyMs);
  if (op.kind === 'list') {
    list(res, q, c, endpoint + '/');
    return;
  }
  if (op.kind === 'props') {
    res.writeHead(200, {...baseHeaders(), 'Content-Length': 0, ETag: '"0x8DC0000000000"', 'Last-Modified': new Date(0).toUTCString(), 'x-ms-lease-status': 'unlocked', 'x-ms-lease-state': 'available', 'x-ms-has-immutability-policy': 'false', 'x-ms-has-legal-hold': 'false'});
    res.end();
    return;
  }
  const b = c.get(op.blob);
  if (!b) {
    blobError(res, 404, 'BlobNotFound', 'The specified blob does not exist.', {head});
    return;
  }
  const range = parseRange((req.headers['x-ms-range'] as string | undefined) ?? req.headers.range, b.size);
  if (range === 'bad') {
    blobError(res, 416, 'InvalidRange', 'The range specified is invalid for the current size of the resource.', {headers: {'Content-Range': `bytes */${b.size}`}, head});
    return;
  }
  sendBlob(res, b, range, head, f);
}

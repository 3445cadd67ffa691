/**
 * Start the sandbox from the command line:
 *   node lib/sandbox/cli.js [--port N] [--storage-port N] [--config file.json] [--seed N] ...
 * Prints one JSON line with the URLs and credentials once listening; stops on SIGTERM/SIGINT.
 */
import {readFileSync} from 'fs';
import {DEFAULT_EXPORTS} from './exports/spec';
import {Sandbox, SandboxOptions, startSandbox} from './server';
import {mintSas} from './testing';

const USAGE = `usage: sandbox [options]
  --config FILE              JSON file of SandboxOptions (flags override it)
  --port N, --storage-port N listen ports (default 0 = random)
  --host H                   default 127.0.0.1
  --path-prefix P            mount routes under P (e.g. /azure)
  --seed N                   data seed (default 42)
  --enrollment N             enrollment number (default 87654321)
  --start YYYY-MM-DD         first day with usage (default today-45)
  --end YYYY-MM-DD           last day with usage (default today-1)
  --today YYYY-MM-DD         the sandbox's "today" (default: real UTC date)
  --rows-per-day N           default 150
  --empty-days D1,D2         days without usage
  --report-latency-ms N      time before a report completes (default 0)
  --retry-after-seconds N    Retry-After on 202s (default ceil(latency))
  --page-latency-ms N        delay before each EA page / blob
  --max-concurrent-reports N 429 beyond this (default 4)
  --max-rows-per-blob N      default 2500
  --ea-page-size N           default 1000
  --cache-dir DIR            keep rendered reports on disk and reuse them
  --csv-schema auto|current|legacy, --bom auto|always|never
  --token-lifetime-seconds N default 3599
  --forbidden                the principal lacks EnrollmentReader (403)
  --forbidden-scopes P1,P2   403 on these scope paths and everything below them, e.g.
                             /providers/Microsoft.Billing/billingAccounts/{id}/billingProfiles/{profileId}
                             or /subscriptions/{subscriptionId}
  --mca=false                serve no MCA billing account (default: served beside the enrollment)
  --mca-billing-account ID   MCA billing account id, {guid}:{guid}_{yyyy-MM-dd} (default: a fixed id)
  --mca-start YYYY-MM-DD, --mca-end YYYY-MM-DD
                             MCA usage range (default --start/--end)
  --mca-rows-per-day N       MCA rows per day (default --rows-per-day)
  --mca-empty-days D1,D2     MCA days without usage (default --empty-days)
  --exports[=NAME,NAME]      write the storage account's exports at start (all of the default set, or
                             these of it) and print the account URL, container and a read+list SAS
                             (docs/design.md §14); without it they are written on first use
  --storage-account NAME     default sandboxbilling (served at {baseUrl}/storage/{account})
  --exports-container C      default exports
  --exports-root P           root folder path of the exports (default costmanagement)
  --storage-blob-data-reader=false
                             the principal lacks Storage Blob Data Reader (bearer reads: 403)
  --faults JSON              FaultOptions as JSON
  --fault-seed N, --rate-429 X, --rate-5xx X, --rate-reset X, --rate-truncate X, --rate-slow X,
  --slow-ms N, --token-expiry-every N, --sas-expire-after-requests N, --sas-expires-at ISO`;

type Kind = 'int' | 'num' | 'str' | 'list' | 'bool' | 'json' | 'exports';
const FLAGS: Record<string, [string, Kind]> = {
  port: ['port', 'int'], 'storage-port': ['storagePort', 'int'], host: ['host', 'str'], 'path-prefix': ['pathPrefix', 'str'],
  seed: ['seed', 'int'], enrollment: ['enrollmentNumber', 'str'], start: ['startDate', 'str'], end: ['endDate', 'str'],
  today: ['today', 'str'], 'rows-per-day': ['rowsPerDay', 'int'], 'empty-days': ['emptyDays', 'list'],
  'report-latency-ms': ['reportLatencyMs', 'int'], 'retry-after-seconds': ['retryAfterSeconds', 'int'],
  'page-latency-ms': ['pageLatencyMs', 'int'], 'max-concurrent-reports': ['maxConcurrentReports', 'int'],
  'max-rows-per-blob': ['maxRowsPerBlob', 'int'], 'ea-page-size': ['eaPageSize', 'int'], 'cache-dir': ['cacheDir', 'str'],
  'csv-schema': ['csvSchema', 'str'], bom: ['bom', 'str'], 'token-lifetime-seconds': ['tokenLifetimeSeconds', 'int'],
  forbidden: ['forbidden', 'bool'], faults: ['faults', 'json'], 'forbidden-scopes': ['forbiddenScopes', 'list'],
  mca: ['mca', 'bool'], 'mca-billing-account': ['mcaBillingAccountId', 'str'], 'mca-start': ['mcaStartDate', 'str'],
  'mca-end': ['mcaEndDate', 'str'], 'mca-rows-per-day': ['mcaRowsPerDay', 'int'], 'mca-empty-days': ['mcaEmptyDays', 'list'],
  exports: ['exports', 'exports'], 'storage-account': ['storageAccount', 'str'], 'exports-container': ['exportsContainer', 'str'],
  'exports-root': ['exportsRootFolder', 'str'], 'storage-blob-data-reader': ['storageBlobDataReader', 'bool'],
  'tenant-id': ['tenantId', 'str'], 'client-id': ['clientId', 'str'], 'client-secret': ['clientSecret', 'str'], 'api-key': ['apiKey', 'str'],
};
const FAULT_FLAGS: Record<string, [string, Kind]> = {
  'fault-seed': ['seed', 'int'], 'rate-429': ['rate429', 'num'], 'rate-5xx': ['rate5xx', 'num'], 'rate-reset': ['rateReset', 'num'],
  'rate-truncate': ['rateTruncate', 'num'], 'rate-slow': ['rateSlow', 'num'], 'slow-ms': ['slowMs', 'int'],
  'token-expiry-every': ['tokenExpiryEvery', 'int'], 'sas-expire-after-requests': ['sasExpireAfterRequests', 'int'],
  'sas-expires-at': ['sasExpiresAt', 'str'],
};

function convert(flag: string, kind: Kind, v: string | undefined): unknown {
  if (kind === 'bool') return v === undefined ? true : v !== 'false';
  if (kind === 'exports') {
    // the default set, or the named exports of it
    if (v === undefined || v === 'true') return [...DEFAULT_EXPORTS];
    const names = v.split(',').map((x) => x.trim()).filter(Boolean);
    const unknown = names.filter((n) => !DEFAULT_EXPORTS.some((e) => e.name === n));
    if (unknown.length) throw new Error(`--exports: no default export named ${unknown.join(', ')} (known: ${DEFAULT_EXPORTS.map((e) => e.name).join(', ')})`);
    return DEFAULT_EXPORTS.filter((e) => names.includes(e.name));
  }
  if (v === undefined) throw new Error(`--${flag} needs a value`);
  switch (kind) {
    case 'int':
    case 'num': {
      const n = Number(v);
      if (!Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) throw new Error(`--${flag}: not a number: ${v}`);
      return n;
    }
    case 'list': return v.split(',').map((s) => s.trim()).filter(Boolean);
    case 'json': return JSON.parse(v);
    default: return v;
  }
}

export function parseArgs(argv: string[]): SandboxOptions {
  let opts: Record<string, unknown> = {};
  const flags: Record<string, unknown> = {};
  const faultFlags: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    }
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument ${a}\n${USAGE}`);
    const name = m[1];
    const spec = name === 'config' ? null : FLAGS[name] ?? FAULT_FLAGS[name];
    if (name !== 'config' && !spec) throw new Error(`unknown flag --${name}\n${USAGE}`);
    let v = m[2];
    if (v === undefined && !(spec && (spec[1] === 'bool' || spec[1] === 'exports'))) v = argv[++i];
    if (name === 'config') {
      if (!v) throw new Error('--config needs a file');
      opts = {...opts, ...(JSON.parse(readFileSync(v, 'utf8')) as Record<string, unknown>)};
    } else if (FLAGS[name]) {
      flags[spec![0]] = convert(name, spec![1], v);
    } else {
      faultFlags[spec![0]] = convert(name, spec![1], v);
    }
  }
  const merged: Record<string, unknown> = {...opts, ...flags};
  if (Object.keys(faultFlags).length) merged.faults = {...((merged.faults as object) ?? {}), ...faultFlags};
  return merged as SandboxOptions;
}

/** The ids a user needs to write a `billing_scope` config for each scope type. */
export function scopeIds(sb: Sandbox): Record<string, unknown> {
  const ids = (type: string) => sb.scopes.filter((x) => x.type === type);
  const last = (p: string) => p.split('/').pop()!;
  const out: Record<string, unknown> = {
    eaDepartments: ids('ea_department').map((x) => ({id: last(x.path), name: x.name})),
    eaSubscriptions: sb.scopes.filter((x) => x.type === 'subscription' && x.agreement === 'EA').map((x) => ({id: last(x.path), name: x.name})),
  };
  if (!sb.mca) return out;
  const o = sb.options;
  out.mca = {
    billingAccountId: sb.mca.opts.billingAccountId,
    startDate: o.mcaStartDate,
    endDate: o.mcaEndDate,
    billingProfiles: ids('mca_billing_profile').map((p) => ({
      id: last(p.path), name: p.name,
      invoiceSections: ids('mca_invoice_section').filter((s) => s.path.startsWith(p.path + '/')).map((s) => ({id: last(s.path), name: s.name})),
    })),
    subscriptions: sb.scopes.filter((x) => x.type === 'subscription' && x.agreement === 'MCA').map((x) => ({id: last(x.path), name: x.name})),
  };
  return out;
}

async function main(): Promise<void> {
  let options: SandboxOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const sb = await startSandbox(options);
  const o = sb.options;
  const exportsFlag = process.argv.slice(2).some((a) => a === '--exports' || a.startsWith('--exports='));
  let storage: Record<string, unknown> = {storageAccountUrl: sb.storage.accountUrl, exportsContainer: sb.storage.container, exportsRootFolder: sb.storage.rootFolderPath};
  if (exportsFlag) {
    const truth = await sb.exportTruth();
    // a week-long read+list SAS for the demo (the sandbox's own throwaway account key)
    storage = {...storage, sasToken: mintSas(sb, {expiresInSeconds: 7 * 86_400}), exports: truth.exports.map((e) => ({name: e.name, dataset: e.dataset, format: e.format, scope: e.scope, rows: e.rows}))};
  }
  process.stdout.write(JSON.stringify({
    baseUrl: sb.baseUrl, storageUrl: sb.storageUrl, tenantId: o.tenantId, clientId: o.clientId,
    clientSecret: o.clientSecret, apiKey: o.apiKey, enrollmentNumber: o.enrollmentNumber,
    startDate: o.startDate, endDate: o.endDate, today: o.today, rowsPerDay: o.rowsPerDay, seed: o.seed,
    ...scopeIds(sb),
    ...storage,
  }) + '\n');
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`sandbox: ${sig}, stopping\n`);
    sb.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`sandbox failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}

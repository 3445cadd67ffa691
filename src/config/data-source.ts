import {ConfigError} from '../errors';

/**
 * `data_source` of the config (docs/design.md §2, §13): the Cost Details API (or the EA Reporting
 * API with an API key), or the Cost Management exports in a storage account.
 */
export type DataSourceConfig =
  | {type: 'cost_details_api'}
  | {
      type: 'exports';
      /** The blob endpoint, without a trailing slash; an opaque base URL (a path prefix is kept). */
      storage_account_url: string;
      container: string;
      /** Folder prefix inside the container, without leading or trailing slashes; '' = all. */
      root_folder_path: string;
      /** Only these exports; empty = all. */
      export_names: string[];
      /** The SAS query without its leading '?'; absent = the service principal signs in. */
      sas_token?: string;
    };

export type ExportsConfig = Extract<DataSourceConfig, {type: 'exports'}>;

const TYPES = ['cost_details_api', 'exports'];

/**
 * Checks `data_source` by hand (like credentials: ajv's oneOf errors list every branch) and
 * normalizes it in place: defaults, a SAS token without its '?', a URL without a trailing '/'.
 * Each message names the key; none echoes a value that may hold a secret.
 */
export function checkDataSource(config: Record<string, unknown>): void {
  const raw = config.data_source;
  if (raw === undefined || raw === null) {
    config.data_source = {type: 'cost_details_api'};
    return;
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`data_source must be an object with a type (${TYPES.map((t) => `"${t}"`).join(' or ')}).`, 'data_source');
  }
  const given = raw as Record<string, unknown>;
  if (given.type === undefined && (given.storage_account_url !== undefined || given.container !== undefined)) {
    throw new ConfigError('data_source.type is required: "exports" to read Cost Management exports from a storage account, or "cost_details_api".', 'data_source.type');
  }
  const type = given.type ?? 'cost_details_api';
  if (type === 'cost_details_api') {
    config.data_source = {type};
    return;
  }
  if (type !== 'exports') {
    const named = typeof type === 'string' && /^[A-Za-z][A-Za-z_ -]{0,39}$/.test(type);
    throw new ConfigError(`data_source.type ${named ? `"${type}"` : '(value not shown)'} is not supported: use "cost_details_api" or "exports".`, 'data_source.type');
  }
  const url = requiredString(given, 'storage_account_url');
  const storageUrl = checkStorageUrl(url);
  const container = requiredString(given, 'container').trim();
  if (!/^[A-Za-z0-9$][A-Za-z0-9-]{0,62}$/.test(container)) {
    throw new ConfigError('data_source.container must be a container name (letters, digits and hyphens, e.g. "costexports"), without slashes: put the folders in root_folder_path.', 'data_source.container');
  }
  const root = optionalString(given, 'root_folder_path') ?? '';
  const names = given.export_names ?? [];
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || n.trim() === '')) {
    throw new ConfigError('data_source.export_names must be a list of export names (non-empty strings).', 'data_source.export_names');
  }
  const sas = optionalString(given, 'sas_token');
  const exportsConfig: ExportsConfig = {
    type: 'exports',
    storage_account_url: storageUrl,
    container,
    root_folder_path: root.trim().replace(/^\/+|\/+$/g, ''),
    export_names: (names as string[]).map((n) => n.trim()),
  };
  if (sas !== undefined && sas.trim() !== '') exportsConfig.sas_token = checkSas(sas.trim());
  const credentials = config.credentials as {auth_type?: unknown} | undefined;
  if (exportsConfig.sas_token === undefined && credentials?.auth_type === 'api_key') {
    throw new ConfigError(
      'data_source.sas_token is required with an API key: an enrollment API key cannot sign in to storage. Give a container SAS token with read and list permissions (sp=rl), or use a service principal with the Storage Blob Data Reader role.',
      'data_source.sas_token',
    );
  }
  config.data_source = exportsConfig;
}

function requiredString(given: Record<string, unknown>, key: string): string {
  const value = given[key];
  if (value === undefined || value === null || value === '') throw new ConfigError(`data_source.${key} is required when type is "exports".`, `data_source.${key}`);
  if (typeof value !== 'string') throw new ConfigError(`data_source.${key} must be a string.`, `data_source.${key}`);
  return value;
}

function optionalString(given: Record<string, unknown>, key: string): string | undefined {
  const value = given[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ConfigError(`data_source.${key} must be a string.`, `data_source.${key}`);
  return value;
}

const URL_FIELD = 'data_source.storage_account_url';

/** The blob endpoint as a base URL; a SAS pasted into it is refused without being echoed. */
function checkStorageUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigError(`${URL_FIELD} is not a valid URL: give the blob endpoint, e.g. https://contosobilling.blob.core.windows.net.`, URL_FIELD);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${URL_FIELD} must be an http:// or https:// URL.`, URL_FIELD);
  if (url.username || url.password) throw new ConfigError(`${URL_FIELD} must not carry credentials in the URL.`, URL_FIELD);
  if (url.search || url.hash) {
    throw new ConfigError(`${URL_FIELD} must not have a query string: give the blob endpoint only (${url.origin}${url.pathname}) and a SAS token in data_source.sas_token.`, URL_FIELD);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** A SAS token is a query string with a signature; taken with or without its leading '?'. */
function checkSas(value: string): string {
  const query = value.replace(/^\?/, '');
  if (/^https?:\/\//i.test(query)) {
    throw new ConfigError('data_source.sas_token must be the SAS token only (sv=...&sp=...&sig=...), not a URL: put the account in storage_account_url.', 'data_source.sas_token');
  }
  const params = new URLSearchParams(query);
  if (!params.get('sig')) {
    throw new ConfigError('data_source.sas_token is not a SAS token: it has no signature (sig=). Copy the whole "SAS token" the portal shows (sv=...&sp=rl&...&sig=...).', 'data_source.sas_token');
  }
  return query;
}

import {ExportsConfig} from '../config/types';
import {ConfigError} from '../errors';
import {BlobItem} from '../readers/blob-storage';
import {isManifest, parseManifest} from '../readers/export-runs';
import {ExportsReader} from '../readers/exports';

/**
 * What to do when Azure Storage refuses a request of an exports sync, by status and Azure's error
 * code (docs/design.md §14): each names the config key to fix. The SAS token itself is never shown.
 */
export function storageHint(ds: ExportsConfig, status: number, code: string | undefined, what: 'list' | 'read', clientId?: string): string | undefined {
  const sas = ds.sas_token !== undefined;
  const where = `container "${ds.container}" of ${safeUrl(ds.storage_account_url)}`;
  if (status === 404) {
    if (code === 'ContainerNotFound') return `There is no ${where}: check data_source.container (Storage account > Data storage > Containers) and data_source.storage_account_url.`;
    if (code === 'BlobNotFound') return 'The blob is gone: a newer run of the export may have replaced it during the sync; the next sync reads the newest run.';
    return `Check data_source.storage_account_url (the blob endpoint, https://{account}.blob.core.windows.net) and data_source.container.`;
  }
  if (status === 403 || status === 401) {
    if (sas) {
      if (code === 'AuthorizationPermissionMismatch') {
        return `data_source.sas_token lacks the ${what === 'list' ? 'list (l)' : 'read (r)'} permission: create a container SAS with read and list permissions (sp=rl) and put it in data_source.sas_token.`;
      }
      if (code === 'AuthorizationResourceTypeMismatch') return 'data_source.sas_token is not a container SAS: create one for the container (signed resource "container", sr=c) with read and list permissions (sp=rl).';
      if (code === 'AuthorizationFailure' || code === 'AuthorizationSourceIPMismatch') {
        return `The ${where} refuses this connection (its firewall, or the IP range of data_source.sas_token): allow the connector's network, or create a SAS without an IP restriction.`;
      }
      return `data_source.sas_token was refused: it has expired (its end time, se=, has passed), or it is signed for another storage account or container than data_source.storage_account_url and data_source.container ("${ds.container}"). Create a new container SAS with read and list permissions (sp=rl) and a later expiry, and update data_source.sas_token.`;
    }
    if (code === 'AuthorizationPermissionMismatch' || code === 'AuthorizationFailure' || status === 403) {
      return (
        `The service principal${clientId ? ` (client id ${clientId})` : ''} lacks the Storage Blob Data Reader role on the ${where}: grant it in the portal (the storage account > Access control (IAM) > Add role assignment > "Storage Blob Data Reader" > the service principal) ` +
        `or with az role assignment create --role "Storage Blob Data Reader" --assignee ${clientId ?? '{client id}'} --scope /subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Storage/storageAccounts/{account}/blobServices/default/containers/${ds.container}; ` +
        'role assignments take a few minutes to apply. Or give a SAS token in data_source.sas_token.'
      );
    }
    return `Azure Storage refused the service principal's token: check credentials (tenant_id, client_id, client_secret), or give a SAS token in data_source.sas_token.`;
  }
  if (status === 400) return `Check data_source.storage_account_url: it must be the storage account's blob endpoint (https://{account}.blob.core.windows.net).`;
  return undefined;
}

/**
 * `check` with exports (docs/design.md §14): lists the container under the prefix until a manifest
 * shows up and reads it. Refusals come as the storage hints say; an empty prefix is a config_error
 * naming the key that chose it.
 */
export async function checkExports(reader: ExportsReader): Promise<void> {
  const storage = reader.storage;
  let found: string | undefined;
  let listed = new Map<string, BlobItem>();
  for (const prefix of reader.prefixes()) {
    for await (const page of storage.listPages(prefix)) {
      listed = new Map(page.map((b) => [b.name, b]));
      found = page.find((b) => isManifest(b.name))?.name;
      if (found) break;
    }
    if (found) break;
  }
  const field = reader.named ? 'data_source.export_names' : 'data_source.root_folder_path';
  if (!found) {
    throw new ConfigError(
      `No export manifest (manifest.json or _manifest.json) under ${reader.location}${reader.named ? ' for the exports named in data_source.export_names' : ''}: ` +
        `check ${field} (the export's storage directory) and that the export has run at least once (Cost Management > Exports > the export > Run now).`,
      field,
    );
  }
  const parsed = parseManifest(found, await storage.readText(found), listed);
  if ('problem' in parsed) throw new ConfigError(`The export manifest ${found} cannot be read (${parsed.problem}): is ${reader.location} a Cost Management exports folder? Check ${field}.`, field);
}

/** A URL for messages: origin and path, no query. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'the storage account';
  }
}

import {InfoHints, NO_HINTS} from './additional-info';
import {AZURE_REGIONS} from './regions';

/**
 * AKS attribution: cluster, cluster resource group and node pool of usage in an AKS node
 * resource group. Pure functions; see docs/tracking-rules.md ("VM and AKS attribution").
 * Values are lower case (Azure names are case-insensitive and billing rows of one cluster spell
 * them in different cases, e.g. MC_RG_CLUSTER_EASTUS and mc_rg_cluster_eastus).
 */

export interface AksAttributes {
  aks_cluster: string | null;
  aks_cluster_resource_group: string | null;
  aks_node_pool: string | null;
}

export interface AksInput {
  tags: Record<string, string> | null;
  resource_group: string | null;
  resource_id: string | null;
  resource_name: string | null;
}

export const NULL_AKS: Readonly<AksAttributes> = Object.freeze({
  aks_cluster: null,
  aks_cluster_resource_group: null,
  aks_node_pool: null,
});

export interface NodeResourceGroup {
  region: string;
  /** Null when the split between resource group and cluster is ambiguous. */
  resourceGroup: string | null;
  cluster: string | null;
  /** Every possible (resourceGroup, cluster) split, in order. */
  candidates: Array<[string, string]>;
}

/**
 * Parses a default AKS node resource group `MC_<rg>_<cluster>_<region>` (any case), anchored on
 * a known region at the end. Resource group and cluster names may both contain underscores; when
 * the middle has more than one underscore the split is ambiguous and `resourceGroup`/`cluster`
 * are null, unless `hint` (a known cluster name or resource group) settles it.
 */
export function parseNodeResourceGroup(
  name: string,
  hint: {cluster?: string | null; resourceGroup?: string | null} = {},
): NodeResourceGroup | null {
  const lower = name.trim().toLowerCase();
  if (!lower.startsWith('mc_')) return null;
  const last = lower.lastIndexOf('_');
  if (last <= 3) return null;
  const region = lower.slice(last + 1);
  if (!AZURE_REGIONS.has(region)) return null;
  const middle = lower.slice(3, last);
  const candidates: Array<[string, string]> = [];
  for (let i = middle.indexOf('_'); i >= 0; i = middle.indexOf('_', i + 1)) {
    const rg = middle.slice(0, i);
    const cluster = middle.slice(i + 1);
    if (rg !== '' && cluster !== '') candidates.push([rg, cluster]);
  }
  if (candidates.length === 0) return null;
  let chosen: [string, string] | null = candidates.length === 1 ? candidates[0] : null;
  if (chosen === null) {
    const hc = hint.cluster?.toLowerCase();
    const hr = hint.resourceGroup?.toLowerCase();
    const fit = candidates.filter(([rg, c]) => (hc ? c === hc : true) && (hr ? rg === hr : true));
    if ((hc || hr) && fit.length === 1) chosen = fit[0];
  }
  return {
    region,
    resourceGroup: chosen ? chosen[0] : null,
    cluster: chosen ? chosen[1] : null,
    candidates,
  };
}

// aks-<pool>-<digits>-vmss (scale set; its instances, disks `..._0_OsDisk_1_...` and NICs),
// aks-<pool>-<digits>-<n> (availability-set nodes) and aks-<pool>-<digits>-nic-<n>.
const POOL_IN_NAME = /(?:^|\/)aks-([a-z0-9]{1,12})-\d{4,}-(?:vmss|\d+|nic-\d+)(?=$|[_/])/i;

/** The node pool named by a scale-set, VM, disk or NIC name or resource id; null if none. */
export function poolFromName(name: string | null): string | null {
  if (!name) return null;
  const m = POOL_IN_NAME.exec(name);
  return m ? m[1].toLowerCase() : null;
}

const RG_IN_ID = /\/resourcegroups\/([^/]+)/i;

export function resourceGroupOf(input: Pick<AksInput, 'resource_group' | 'resource_id'>): string | null {
  if (input.resource_group) return input.resource_group;
  if (!input.resource_id) return null;
  const m = RG_IN_ID.exec(input.resource_id);
  return m ? m[1] : null;
}

function tagValue(tags: Record<string, string> | null, lowerKey: string): string | null {
  if (!tags) return null;
  const direct = tags[lowerKey];
  if (typeof direct === 'string') return direct.trim() === '' ? null : direct.trim();
  for (const k in tags) {
    if (k.length === lowerKey.length && k.toLowerCase() === lowerKey) {
      const v = tags[k];
      return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
    }
  }
  return null;
}

function hasAksTag(tags: Record<string, string> | null): boolean {
  if (!tags) return false;
  for (const k in tags) if (k.length > 12 && k.slice(0, 12).toLowerCase() === 'aks-managed-') return true;
  return false;
}

/**
 * Derives aks_cluster, aks_cluster_resource_group and aks_node_pool. A row is AKS when it has an
 * `aks-managed-*` tag, AdditionalInfo.VMProperties names AKS, or its resource group is a default
 * node resource group `MC_<rg>_<cluster>_<region>`. Tags win over the group name; the pool comes
 * from the `aks-managed-poolName` tag, else the scale-set/VM name. Other rows get nulls.
 */
export function deriveAks(input: AksInput, hints: InfoHints = NO_HINTS): AksAttributes {
  const tags = input.tags;
  const tagCluster = tagValue(tags, 'aks-managed-cluster-name');
  const tagRg = tagValue(tags, 'aks-managed-cluster-rg');
  const tagPool = tagValue(tags, 'aks-managed-poolname');
  const vmPropsAks = hints.vmProperties !== null && /\baks\b/i.test(hints.vmProperties);

  const rgName = resourceGroupOf(input);
  const node = rgName ? parseNodeResourceGroup(rgName, {cluster: tagCluster, resourceGroup: tagRg}) : null;

  if (node === null && !vmPropsAks && tagCluster === null && tagRg === null && tagPool === null && !hasAksTag(tags)) {
    return {...NULL_AKS};
  }

  const pool =
    tagPool ?? poolFromName(input.resource_name) ?? poolFromName(input.resource_id) ?? poolFromName(hints.vmName);
  return {
    aks_cluster: (tagCluster ?? node?.cluster ?? null)?.toLowerCase() ?? null,
    aks_cluster_resource_group: (tagRg ?? node?.resourceGroup ?? null)?.toLowerCase() ?? null,
    aks_node_pool: pool?.toLowerCase() ?? null,
  };
}

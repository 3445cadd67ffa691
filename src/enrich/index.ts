import {UsageRecord} from '../normalize/usage-record';
import {InfoHints, NO_HINTS, readInfoHints} from './additional-info';
import {deriveAks, parseNodeResourceGroup} from './aks';
import {deriveVm, NULL_VM, VmAttributes} from './vm';

export {deriveVm, isVmUsage, parseArmSize, parseMeterSize, parseVmMeterName, vcpusOfSize, armSizeName, priorityOf} from './vm';
export type {VmAttributes, VmInput, VmSize, ParsedVmMeter} from './vm';
export {deriveAks, parseNodeResourceGroup, poolFromName, resourceGroupOf} from './aks';
export type {AksAttributes, AksInput, NodeResourceGroup} from './aks';
import {BoundedMemo} from '../decode/bounded-memo';
export {readInfoHints} from './additional-info';
export type {InfoHints} from './additional-info';

// Billing data repeats a few hundred meter/size combinations millions of times: VM attribution
// is memoised on its inputs. Bounded; cleared when full.
const vmCache = new BoundedMemo<Readonly<VmAttributes>>(8192);

function mayBeVm(category: string | null): boolean {
  if (category === null || category === '' || category === 'Virtual Machines') return true;
  return category.length === 16 && category.toLowerCase() === 'virtual machines';
}

function vmFor(record: UsageRecord, hints: InfoHints): Readonly<VmAttributes> {
  if (!mayBeVm(record.meter_category)) return NULL_VM;
  const key =
    `${record.charge_type}\u0001${record.meter_category}\u0001${record.meter_subcategory}\u0001${record.meter_name}` +
    `\u0001${record.consumed_service}\u0001${record.product_name}\u0001${hints.serviceType}\u0001${hints.vcpus}` +
    `\u0001${hints.imageType}\u0001${hints.vmProperties}`;
  let vm = vmCache.get(key);
  if (vm === undefined) {
    vm = Object.freeze(deriveVm(record, hints));
    vmCache.set(key, vm);
  }
  return vm;
}

const nodeGroupCache = new BoundedMemo<boolean>(8192);

/** Starts with `mc_`, any case, without allocating. */
function startsWithMc(s: string): boolean {
  return s.length > 3 && (s.charCodeAt(0) | 32) === 109 && (s.charCodeAt(1) | 32) === 99 && s.charCodeAt(2) === 95;
}

function isNodeGroup(rg: string): boolean {
  if (!startsWithMc(rg)) return false;
  let yes = nodeGroupCache.get(rg);
  if (yes === undefined) {
    yes = parseNodeResourceGroup(rg) !== null;
    nodeGroupCache.set(rg, yes);
  }
  return yes;
}

const AKS_PREFIX = 'aks-managed-';

function hasAksManagedTag(tags: Record<string, string> | null): boolean {
  if (!tags) return false;
  outer: for (const k in tags) {
    if (k.length <= AKS_PREFIX.length) continue;
    for (let i = 0; i < AKS_PREFIX.length; i++) {
      const c = k.charCodeAt(i);
      const lc = c >= 65 && c <= 90 ? c | 32 : c;
      if (lc !== AKS_PREFIX.charCodeAt(i)) continue outer;
    }
    return true;
  }
  return false;
}

const RG_IN_ID = /\/resourcegroups\/([^/]+)/i;

/** Cheap test that a row may be AKS; deriveAks does the real work only for those rows. */
function mayBeAks(record: UsageRecord, hints: InfoHints): boolean {
  let rg = record.resource_group;
  if (!rg && record.resource_id) rg = RG_IN_ID.exec(record.resource_id)?.[1] ?? null;
  if (rg && isNodeGroup(rg)) return true;
  if (hasAksManagedTag(record.tags)) return true;
  return hints.vmProperties !== null && /\baks\b/i.test(hints.vmProperties);
}

/**
 * Fills vm_sku, vm_vcpus, vm_os, vm_priority, aks_cluster, aks_cluster_resource_group and
 * aks_node_pool in place. Non-matching rows get nulls, never guesses.
 */
export function enrichRecord(record: UsageRecord): void {
  const hints = record.additional_info ? readInfoHints(record.additional_info) : NO_HINTS;
  const vm = vmFor(record, hints);
  record.vm_sku = vm.vm_sku;
  record.vm_vcpus = vm.vm_vcpus;
  record.vm_os = vm.vm_os;
  record.vm_priority = vm.vm_priority;
  if (mayBeAks(record, hints)) {
    const aks = deriveAks(record, hints);
    record.aks_cluster = aks.aks_cluster;
    record.aks_cluster_resource_group = aks.aks_cluster_resource_group;
    record.aks_node_pool = aks.aks_node_pool;
  } else {
    record.aks_cluster = null;
    record.aks_cluster_resource_group = null;
    record.aks_node_pool = null;
  }
}

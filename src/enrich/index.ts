import {UsageRecord} from '../normalize/usage-record';
import {readInfoHints} from './additional-info';
import {deriveAks} from './aks';
import {deriveVm} from './vm';

export {deriveVm, isVmUsage, parseArmSize, parseMeterSize, parseVmMeterName, vcpusOfSize, armSizeName, priorityOf} from './vm';
export type {VmAttributes, VmInput, VmSize, ParsedVmMeter} from './vm';
export {deriveAks, parseNodeResourceGroup, poolFromName, resourceGroupOf} from './aks';
export type {AksAttributes, AksInput, NodeResourceGroup} from './aks';
export {readInfoHints} from './additional-info';
export type {InfoHints} from './additional-info';

/**
 * Fills vm_sku, vm_vcpus, vm_os, vm_priority, aks_cluster, aks_cluster_resource_group and
 * aks_node_pool in place. Non-matching rows get nulls, never guesses.
 */
export function enrichRecord(record: UsageRecord): void {
  const hints = readInfoHints(record.additional_info);
  const vm = deriveVm(record, hints);
  record.vm_sku = vm.vm_sku;
  record.vm_vcpus = vm.vm_vcpus;
  record.vm_os = vm.vm_os;
  record.vm_priority = vm.vm_priority;
  const aks = deriveAks(record, hints);
  record.aks_cluster = aks.aks_cluster;
  record.aks_cluster_resource_group = aks.aks_cluster_resource_group;
  record.aks_node_pool = aks.aks_node_pool;
}

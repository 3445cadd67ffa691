/** The few AdditionalInfo entries enrichment reads, looked up case-insensitively in one pass. */
export interface InfoHints {
  /** `ServiceType`: the exact ARM VM size, e.g. Standard_DS2_v2. */
  serviceType: string | null;
  /** `VCPUs`: vCPU count, when present. */
  vcpus: number | null;
  /** `ImageType`: e.g. Canonical, Windows Server BYOL. */
  imageType: string | null;
  /** `VMProperties`: e.g. Microsoft.AKS.Compute.AKS.Linux.Billing. */
  vmProperties: string | null;
  /** `VMName` / `VmName`: e.g. aks-agentpool-42850074-vmss_1. */
  vmName: string | null;
}

export const NO_HINTS: InfoHints = Object.freeze({
  serviceType: null,
  vcpus: null,
  imageType: null,
  vmProperties: null,
  vmName: null,
});

function str(v: unknown): string | null {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? null : t;
  }
  return null;
}

function int(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 ? v : null;
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) {
    const n = Number(v);
    return n > 0 ? n : null;
  }
  return null;
}

export function readInfoHints(info: Record<string, unknown> | null | undefined): InfoHints {
  if (!info || typeof info !== 'object') return NO_HINTS;
  let serviceType: string | null = null;
  let vcpus: number | null = null;
  let imageType: string | null = null;
  let vmProperties: string | null = null;
  let vmName: string | null = null;
  for (const key in info) {
    // Cheap pre-filter on length before lower-casing: the keys we want are 6–12 characters.
    const len = key.length;
    if (len !== 5 && len !== 6 && len !== 9 && len !== 11 && len !== 12) continue;
    switch (key.toLowerCase()) {
      case 'servicetype':
        serviceType ??= str(info[key]);
        break;
      case 'vcpus':
        vcpus ??= int(info[key]);
        break;
      case 'imagetype':
        imageType ??= str(info[key]);
        break;
      case 'vmproperties':
        vmProperties ??= str(info[key]);
        break;
      case 'vmname':
        vmName ??= str(info[key]);
        break;
    }
  }
  if (serviceType === null && vcpus === null && imageType === null && vmProperties === null && vmName === null) {
    return NO_HINTS;
  }
  return {serviceType, vcpus, imageType, vmProperties, vmName};
}

import {InfoHints, NO_HINTS} from './additional-info';

/**
 * VM attribution: size, vCPUs, OS and priority of Virtual Machines usage rows.
 * Pure functions; see docs/tracking-rules.md ("VM and AKS attribution") for the decisions.
 */

export type VmOs = 'Windows' | 'Linux';
export type VmPriority = 'regular' | 'spot' | 'low_priority';

export interface VmAttributes {
  vm_sku: string | null;
  vm_vcpus: number | null;
  vm_os: VmOs | null;
  vm_priority: VmPriority | null;
}

/** The record fields VM attribution reads. */
export interface VmInput {
  meter_category: string | null;
  meter_subcategory: string | null;
  meter_name: string | null;
  consumed_service: string | null;
  product_name: string | null;
  charge_type: string | null;
}

export interface VmSize {
  tier: 'Standard' | 'Basic';
  /** Family and sub-family letters, e.g. D, DS, NC, HB, DC, M. */
  family: string;
  /** The number in the name, e.g. 4 in E4-2ds_v4. */
  number: number;
  /** Active vCPUs of a constrained size (the number after the dash), e.g. 2 in E4-2ds_v4. */
  constrained: number | null;
  /** Additive feature letters, e.g. ds, ads, ms, rs. */
  features: string;
  /** Accelerator, e.g. A100, T4. */
  accelerator: string | null;
  /** Version, e.g. v3. */
  version: string | null;
  promo: boolean;
}

export const NULL_VM: Readonly<VmAttributes> = Object.freeze({
  vm_sku: null,
  vm_vcpus: null,
  vm_os: null,
  vm_priority: null,
});

// ---------------------------------------------------------------------------------------------
// Size names

const METER_CORE = /^([A-Z]+)(\d+)(?:-(\d+))?([a-z]*)$/; // meter names keep Microsoft's casing
const ARM_CORE = /^([A-Za-z]+?)(\d+)(?:-(\d+))?([A-Za-z]*)$/;
const ACCELERATOR = /^[A-Za-z]+\d+[A-Za-z]*$/;
const VERSION = /^[vV]\d+$/;

/**
 * vCPUs of the sizes whose number is not a vCPU count: the first-generation A, D/DS, D/DS v2 and
 * G/GS sizes (Microsoft's size tables). Keyed by family (S folded: DS → D, GS → G), number and
 * version. Every other size follows the naming convention: the number is the vCPU count.
 */
const LEGACY_VCPUS: Record<string, number> = {
  A0: 1, A1: 1, A2: 2, A3: 4, A4: 8, A5: 2, A6: 4, A7: 8, A8: 8, A9: 16, A10: 8, A11: 16,
  D1: 1, D2: 2, D3: 4, D4: 8, D11: 2, D12: 4, D13: 8, D14: 16,
  D1v2: 1, D2v2: 2, D3v2: 4, D4v2: 8, D5v2: 16, D11v2: 2, D12v2: 4, D13v2: 8, D14v2: 16, D15v2: 20,
  G1: 2, G2: 4, G3: 8, G4: 16, G5: 32,
};

function legacyKey(size: VmSize): string | null {
  const f = size.family;
  if (size.accelerator !== null) return null;
  if (f === 'A' && size.version === null) return `A${size.number}`;
  if ((f === 'D' || f === 'DS') && (size.version === null || size.version === 'v2')) {
    return `D${size.number}${size.version ?? ''}`;
  }
  if ((f === 'G' || f === 'GS') && size.version === null) return `G${size.number}`;
  return null;
}

/** vCPUs of a size: the active vCPUs of a constrained size, else from the name. */
export function vcpusOfSize(size: VmSize): number | null {
  if (size.constrained !== null) return size.constrained;
  const key = legacyKey(size);
  if (key !== null) return LEGACY_VCPUS[key] ?? null;
  return size.number > 0 ? size.number : null;
}

/** The ARM size name, e.g. Standard_D2s_v3, Standard_E4-2ds_v4, Basic_A1, Standard_D2_v2_Promo. */
export function armSizeName(size: VmSize): string {
  let s = `${size.tier}_${size.family}${size.number}`;
  if (size.constrained !== null) s += `-${size.constrained}`;
  s += size.features;
  if (size.accelerator !== null) s += `_${size.accelerator}`;
  if (size.version !== null) s += `_${size.version}`;
  if (size.promo) s += '_Promo';
  return s;
}

function parseRest(size: VmSize, rest: string[]): VmSize | null {
  for (const t of rest) {
    if (VERSION.test(t) && size.version === null) size.version = t.toLowerCase();
    else if (/^promo$/i.test(t) && !size.promo) size.promo = true;
    else if (ACCELERATOR.test(t) && size.accelerator === null && size.version === null) size.accelerator = t.toUpperCase();
    else return null;
  }
  return size;
}

/**
 * Parses an ARM size name as found in AdditionalInfo.ServiceType (`Standard_D2s_v3`,
 * `Basic_A1`, `Standard_NC24ads_A100_v4`, `Standard_E4-2ds_v4`), tolerant of case.
 */
export function parseArmSize(name: string): VmSize | null {
  let s = name.trim();
  let tier: 'Standard' | 'Basic' = 'Standard';
  const prefix = /^(standard|basic)[_.]/i.exec(s);
  if (prefix) {
    if (prefix[1].toLowerCase() === 'basic') tier = 'Basic';
    s = s.slice(prefix[0].length);
  }
  const [core, ...rest] = s.split('_');
  const m = ARM_CORE.exec(core);
  if (!m) return null;
  const size: VmSize = {
    tier,
    family: m[1].toUpperCase(),
    number: Number(m[2]),
    constrained: m[3] === undefined ? null : Number(m[3]),
    features: m[4].toLowerCase(),
    accelerator: null,
    version: null,
    promo: false,
  };
  return parseRest(size, rest);
}

/** Parses one size as written in a meter name: `D2s v3`, `NC24ads A100 v4`, `E4-2ds v4`, `Basic.A1`. */
export function parseMeterSize(text: string, basic = false): VmSize | null {
  let s = text.trim();
  let tier: 'Standard' | 'Basic' = basic ? 'Basic' : 'Standard';
  const prefix = /^(standard|basic)[_.\s]/i.exec(s);
  if (prefix) {
    if (prefix[1].toLowerCase() === 'basic') tier = 'Basic';
    s = s.slice(prefix[0].length);
  }
  const [core, ...rest] = s.split(/\s+/);
  const m = METER_CORE.exec(core);
  if (!m) return null;
  const size: VmSize = {
    tier,
    family: m[1],
    number: Number(m[2]),
    constrained: m[3] === undefined ? null : Number(m[3]),
    features: m[4],
    accelerator: null,
    version: null,
    promo: false,
  };
  return parseRest(size, rest);
}

export interface ParsedVmMeter {
  /** Every size the meter names (more than one for `D2 v3/D2s v3`). */
  sizes: VmSize[];
  priority: VmPriority;
  promo: boolean;
  windows: boolean;
}

/**
 * Parses a VM meter name: sizes separated by `/`, then optional suffixes ` Spot`,
 * ` Low Priority`, ` Promo`, ` Windows`. Null when it is not a VM size meter.
 */
export function parseVmMeterName(meterName: string, basic = false): ParsedVmMeter | null {
  let s = meterName.trim();
  let priority: VmPriority = 'regular';
  let promo = false;
  let windows = false;
  for (;;) {
    const m = /\s+(spot|low priority|promo|windows)$/i.exec(s);
    if (!m) break;
    const suffix = m[1].toLowerCase();
    if (suffix === 'spot') priority = 'spot';
    else if (suffix === 'low priority') priority = 'low_priority';
    else if (suffix === 'promo') promo = true;
    else windows = true;
    s = s.slice(0, m.index);
  }
  const sizes: VmSize[] = [];
  for (const part of s.split('/')) {
    const size = parseMeterSize(part, basic);
    if (size === null) return null;
    // `D2 v2 Promo` prices the Promo size; a suffix after the last alternative applies to all.
    if (promo) size.promo = true;
    sizes.push(size);
  }
  if (sizes.length === 0) return null;
  return {sizes, priority, promo, windows};
}

// ---------------------------------------------------------------------------------------------
// Row classification

const WINDOWS = /\bwindows\b/i;
const BASIC_SUBCATEGORY = /\bbasic\b/i;

function eqi(a: string | null, b: string): boolean {
  return a !== null && a.length === b.length && a.toLowerCase() === b;
}

/**
 * Whether the row is virtual-machine compute usage: meter category `Virtual Machines` (not
 * disks, bandwidth, IPs, `Virtual Machines Licenses`), or, when the category is missing,
 * a Microsoft.Compute row whose sub-category names a VM series. Purchases, refunds and unused
 * reservation/savings-plan rows are not VM usage.
 */
export function isVmUsage(input: VmInput): boolean {
  const ct = input.charge_type;
  if (ct !== null && ct !== '' && !eqi(ct, 'usage')) return false;
  if (eqi(input.meter_category, 'virtual machines')) return true;
  if (input.meter_category === null || input.meter_category === '') {
    const cs = input.consumed_service;
    return (
      (eqi(cs, 'microsoft.compute') || eqi(cs, 'microsoft.classiccompute')) &&
      input.meter_subcategory !== null &&
      /\bseries\b/i.test(input.meter_subcategory)
    );
  }
  return false;
}

function osOf(input: VmInput, hints: InfoHints, meterWindows: boolean): VmOs {
  if (hints.imageType !== null && WINDOWS.test(hints.imageType)) return 'Windows';
  if (meterWindows) return 'Windows';
  if (input.meter_subcategory !== null && WINDOWS.test(input.meter_subcategory)) return 'Windows';
  if (input.product_name !== null && WINDOWS.test(input.product_name)) return 'Windows';
  if (hints.vmProperties !== null && /\.windows\./i.test(hints.vmProperties)) return 'Windows';
  // The base compute meter is the Linux price (Windows under Azure Hybrid Benefit is billed on it
  // too, and then ImageType says "Windows Server BYOL").
  return 'Linux';
}

/** Priority from the meter name suffix (or a sub-category saying so); null without a meter name. */
export function priorityOf(input: Pick<VmInput, 'meter_name' | 'meter_subcategory'>): VmPriority | null {
  const name = input.meter_name;
  const sub = input.meter_subcategory ?? '';
  if (name === null || name.trim() === '') return null;
  if (/\bspot\b/i.test(name) || /\bspot\b/i.test(sub)) return 'spot';
  if (/\blow priority\b/i.test(name) || /\blow priority\b/i.test(sub)) return 'low_priority';
  return 'regular';
}

/**
 * Derives vm_sku, vm_vcpus, vm_os and vm_priority. Non-VM rows, and VM rows whose size cannot be
 * identified from AdditionalInfo or the meter name, get nulls.
 */
export function deriveVm(input: VmInput, hints: InfoHints = NO_HINTS): VmAttributes {
  if (!isVmUsage(input)) return {...NULL_VM};
  const basic = input.meter_subcategory !== null && BASIC_SUBCATEGORY.test(input.meter_subcategory);
  const meter = input.meter_name ? parseVmMeterName(input.meter_name, basic) : null;

  let sku: string | null = null;
  let vcpus: number | null = null;
  if (hints.serviceType !== null) {
    const size = parseArmSize(hints.serviceType);
    sku = size ? armSizeName(size) : hints.serviceType;
    vcpus = size ? vcpusOfSize(size) : null;
  } else if (meter !== null) {
    const names = new Set(meter.sizes.map(armSizeName));
    // A multi-size meter (`D2 v3/D2s v3`) does not say which size ran: no sku unless all agree.
    sku = names.size === 1 ? armSizeName(meter.sizes[0]) : null;
    const counts = new Set(meter.sizes.map(vcpusOfSize));
    vcpus = counts.size === 1 ? vcpusOfSize(meter.sizes[0]) : null;
  } else {
    return {...NULL_VM};
  }
  if (hints.vcpus !== null) vcpus = hints.vcpus;

  return {
    vm_sku: sku,
    vm_vcpus: vcpus,
    vm_os: osOf(input, hints, meter?.windows ?? false),
    vm_priority: priorityOf(input),
  };
}

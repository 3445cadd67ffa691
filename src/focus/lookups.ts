/**
 * The FinOps toolkit's lookup tables (resources/lookups/, MIT, source named there): services by
 * (ConsumedService, ResourceType) and pricing units by UnitOfMeasure (docs/design.md §15).
 * Loaded once per thread, on first use.
 */
import {parse} from 'csv-parse/sync';
import fs from 'fs';
import path from 'path';

export interface ServiceInfo {
  serviceName: string;
  serviceCategory: string;
  serviceSubcategory: string;
  serviceModel: string | null;
}

export interface PricingUnitInfo {
  /** FOCUS PricingUnit (the toolkit's DistinctUnits). */
  unit: string;
  blockSize: number;
}

/** resources/ sits at the package root: above src/focus (tests) or lib/src/focus (built). */
function lookupsDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'resources', 'lookups');
    if (fs.existsSync(path.join(candidate, 'Services.csv'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`resources/lookups/Services.csv not found above ${__dirname}`);
  }
}

function readCsv(file: string): Array<Record<string, string>> {
  return parse(fs.readFileSync(path.join(lookupsDir(), file)), {bom: true, columns: true, skip_empty_lines: true}) as Array<Record<string, string>>;
}

interface ServiceTables {
  /** `consumedservice\u0000resourcetype`, lower case. */
  exact: Map<string, ServiceInfo>;
  /** Resource type alone: the first row naming it. */
  byType: Map<string, ServiceInfo>;
  /** Consumed service alone: its row without a resource type, else its first row. */
  byService: Map<string, ServiceInfo>;
}

let services: ServiceTables | undefined;
let pricingUnits: Map<string, PricingUnitInfo> | undefined;

function serviceTables(): ServiceTables {
  if (services) return services;
  const t: ServiceTables = {exact: new Map(), byType: new Map(), byService: new Map()};
  for (const row of readCsv('Services.csv')) {
    const info: ServiceInfo = {
      serviceName: row.ServiceName,
      serviceCategory: row.ServiceCategory,
      serviceSubcategory: row.ServiceSubcategory,
      serviceModel: row.ServiceModel || null,
    };
    const cs = row.ConsumedService.trim().toLowerCase();
    const rt = row.ResourceType.trim().toLowerCase();
    const key = cs + '\u0000' + rt;
    if (!t.exact.has(key)) t.exact.set(key, info);
    if (rt && !t.byType.has(rt)) t.byType.set(rt, info);
    if (cs && (!rt || !t.byService.has(cs))) t.byService.set(cs, info);
  }
  services = t;
  return t;
}

/**
 * The service of a charge: the exact (ConsumedService, ResourceType) row, else the resource
 * type's, else the consumed service's; null when the table knows neither (docs/focus.md says
 * what the record uses then).
 */
export function lookupService(consumedService: string | null, resourceType: string | null): ServiceInfo | null {
  const t = serviceTables();
  const cs = (consumedService ?? '').trim().toLowerCase();
  const rt = (resourceType ?? '').trim().toLowerCase();
  return t.exact.get(cs + '\u0000' + rt) ?? (rt ? t.byType.get(rt) : undefined) ?? (cs ? t.byService.get(cs) : undefined) ?? null;
}

/** The pricing unit and block size of a UnitOfMeasure (exact, then trimmed); null when unknown. */
export function lookupPricingUnit(unitOfMeasure: string | null): PricingUnitInfo | null {
  if (unitOfMeasure === null || unitOfMeasure === '') return null;
  if (!pricingUnits) {
    pricingUnits = new Map();
    for (const row of readCsv('PricingUnits.csv')) {
      const info = {unit: row.DistinctUnits, blockSize: Number(row.PricingBlockSize) || 1};
      if (!pricingUnits.has(row.UnitOfMeasure)) pricingUnits.set(row.UnitOfMeasure, info);
      const trimmed = row.UnitOfMeasure.trim();
      if (!pricingUnits.has(trimmed)) pricingUnits.set(trimmed, info);
    }
  }
  return pricingUnits.get(unitOfMeasure) ?? pricingUnits.get(unitOfMeasure.trim()) ?? null;
}

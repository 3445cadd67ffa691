/** The table of each export dataset for the days of one run (docs/design.md §8). */
import type {RunPlan} from './runs';
import type {ExportSpec} from './spec';
import {eaCostTable, mcaCostTable, Table} from './table';
import type {ExportsContext} from './world';

/** Datasets this sandbox writes (the default export set keeps to them). */
export const SERVED_DATASETS: ReadonlySet<string> = new Set(['ActualCost', 'AmortizedCost', 'Usage']);

export function datasetTable(spec: ExportSpec, plan: RunPlan, ctx: ExportsContext, keep: ((sub: string) => boolean) | null, dataVersion: string): Table {
  void dataVersion;
  switch (spec.dataset) {
    case 'ActualCost':
    case 'Usage':
    case 'AmortizedCost': {
      const metric = spec.dataset === 'AmortizedCost' ? 'amortized' : 'actual';
      if (keep === null) return eaCostTable(ctx.enrollment, metric, plan.start, plan.end, ctx.csvSchema);
      return mcaCostTable(ctx.mca!, metric, plan.start, plan.end, keep);
    }
    default:
      throw new Error(`export ${spec.name}: dataset ${spec.dataset} is not served by this sandbox yet`);
  }
}

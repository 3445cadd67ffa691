/**
 * Facts derived from an Azure resource id, e.g.
 * `/subscriptions/x/resourceGroups/rg/providers/Microsoft.Sql/servers/s/databases/d`
 *   → type `microsoft.sql/servers/databases`, name `d`, group `rg`.
 * The type comes from the last `/providers/` segment (extension resources), lower case;
 * nested types are joined with `/`. A type whose name is missing (a trailing `/`, as in
 * `/providers/Microsoft.Capacity/reservationOrders/o/reservations/`) still counts.
 * Matching of `providers` and `resourceGroups` is case-insensitive.
 */
import {BoundedMemo} from '../decode/bounded-memo';
export interface ResourceIdParts {
  /** the whole id in lower case (Azure resource ids are case-insensitive and mixed in files) */
  lower: string | null;
  /** provider/type[/subtype...], lower case; null when the id has no provider part */
  type: string | null;
  /** name of the innermost resource; for a value without `/`, the value itself */
  name: string | null;
  /** resource group as written in the id */
  group: string | null;
}

const NONE: ResourceIdParts = Object.freeze({lower: null, type: null, name: null, group: null});
const memo = new BoundedMemo<ResourceIdParts>(4096);

/** Parses a resource id (memoized: rows of one resource come in runs, and repeat per day). */
export function parseResourceId(id: string | null): ResourceIdParts {
  if (id === null || id.length === 0) return NONE;
  return memo.getOrCompute(id, parseUncached);
}

function parseUncached(id: string): ResourceIdParts {
  const lower = id.toLowerCase();
  if (id.indexOf('/') < 0) return {lower, type: null, name: id, group: null};
  let group: string | null = null;
  const rg = lower.indexOf('/resourcegroups/');
  if (rg >= 0) {
    const start = rg + 16;
    let end = id.indexOf('/', start);
    if (end < 0) end = id.length;
    if (end > start) group = id.slice(start, end);
  }
  const p = lower.lastIndexOf('/providers/');
  if (p < 0) {
    return {lower, type: null, name: lastSegment(id), group};
  }
  const segs = id.slice(p + 11).split('/');
  // segs: namespace, type1, name1, type2, name2, ...
  const ns = segs[0];
  if (ns === undefined || ns.length === 0) return {lower, type: null, name: lastSegment(id), group};
  let type = ns.toLowerCase();
  let name: string | null = null;
  let haveType = false;
  for (let i = 1; i < segs.length; i += 2) {
    const t = segs[i];
    if (t === undefined || t.length === 0) break;
    type += '/' + t.toLowerCase();
    haveType = true;
    const n = segs[i + 1];
    name = n !== undefined && n.length > 0 ? n : null;
  }
  return {lower, type: haveType ? type : null, name, group};
}

function lastSegment(id: string): string | null {
  let end = id.length;
  while (end > 0 && id.charCodeAt(end - 1) === 47) end--;
  const start = id.lastIndexOf('/', end - 1) + 1;
  return end > start ? id.slice(start, end) : null;
}

/**
 * Cost details CSV header → record field, by NAME (never by position). The aliases of each field
 * are in the field table (fields.ts, `csv`).
 *
 * Header names are compared after {@link headerKey}: lower case with everything except
 * letters and digits removed, so `MeterSubCategory`, `meterSubcategory`, `Meter Sub-Category`
 * and `meter_sub_category` are one name. For each field the aliases are tried in order and
 * the first column present in the header is the primary source; the remaining present
 * columns are per-row fallbacks used when the primary cell is empty.
 *
 * Sources: the EA cost details schema 2024-08-01 (57 columns, docs/design.md §1), the older EA
 * cost details / exports column sets (`Cost`, `BillingCurrency`, `InvoiceSection`,
 * `Product`, ...), the legacy EA usage CSV (`SubscriptionGuid`, `InstanceId`,
 * `ConsumedQuantity`, `ResourceRate`, `ExtendedCost`, `DepartmentName`, `ServiceName`,
 * `ServiceTier`, `AccountOwnerEmail`, `ResourceGuid`, `Location`, ...), following
 * Microsoft's "Migrate from EA Usage Details APIs" field mapping.
 */
export function headerKey(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) out += String.fromCharCode(c + 32);
    else if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) out += name[i];
  }
  return out;
}

/** Column indices (present ones only, in priority order) for each alias list. */
export function resolveColumns(header: readonly string[], aliases: readonly string[]): number[] {
  const out: number[] = [];
  for (const a of aliases) {
    for (let i = 0; i < header.length; i++) {
      if (headerKey(header[i] ?? '') === a) {
        out.push(i);
        break; // a duplicated header name: the first column wins
      }
    }
  }
  return out;
}

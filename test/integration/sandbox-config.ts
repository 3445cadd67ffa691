import {computeTruth, Sandbox} from '../../sandbox';

/** A connector config pointing at a running sandbox. */
export function sandboxConfig(sb: Sandbox, auth: 'service_principal' | 'api_key' = 'service_principal', extra: Record<string, unknown> = {}): Record<string, unknown> {
  const o = sb.options;
  return {
    enrollment_number: o.enrollmentNumber,
    credentials:
      auth === 'service_principal'
        ? {auth_type: 'service_principal', tenant_id: o.tenantId, client_id: o.clientId, client_secret: o.clientSecret}
        : {auth_type: 'api_key', api_key: o.apiKey},
    start_date: o.startDate,
    end_date: o.endDate,
    api_base_url: sb.baseUrl,
    login_base_url: sb.baseUrl,
    ea_base_url: sb.baseUrl,
    month_close_days: 0,
    max_retries: 8,
    request_timeout_seconds: 10,
    ...extra,
  };
}

/** Exact per-day cost sums and row counts the sandbox served. */
export function truthByDay(sb: Sandbox, metric: 'actual' | 'amortized', start = sb.options.startDate, end = sb.options.endDate): Map<string, {rows: number; cost: number}> {
  const truth = computeTruth(sb.enrollment, metric, start, end);
  const out = new Map<string, {rows: number; cost: number}>();
  for (const [day, t] of Object.entries(truth.days)) if (t.rows > 0) out.set(day, {rows: t.rows, cost: Number(t.cost)});
  return out;
}

/** Per-day sums of records de-duplicated by id, compared to the truth to the cent. */
export function compareToTruth(recs: {id: string; usage_date: string; cost: number}[], truth: Map<string, {rows: number; cost: number}>): {mismatches: string[]; rows: number} {
  const byId = new Map<string, {usage_date: string; cost: number}>();
  for (const r of recs) byId.set(r.id, r);
  const sums = new Map<string, {rows: number; cost: number}>();
  for (const r of byId.values()) {
    const s = sums.get(r.usage_date) ?? {rows: 0, cost: 0};
    s.rows++;
    s.cost += r.cost;
    sums.set(r.usage_date, s);
  }
  const mismatches: string[] = [];
  for (const day of new Set([...truth.keys(), ...sums.keys()])) {
    const want = truth.get(day) ?? {rows: 0, cost: 0};
    const got = sums.get(day) ?? {rows: 0, cost: 0};
    if (want.rows !== got.rows || Math.abs(want.cost - got.cost) >= 0.005) mismatches.push(`${day}: rows ${got.rows}/${want.rows}, cost ${got.cost.toFixed(4)}/${want.cost.toFixed(4)}`);
  }
  return {mismatches, rows: byId.size};
}

import {JsonSchema} from './spec';

const REDACTED = 'REDACTED';

/**
 * A copy of `value` with every property its schema marks `airbyte_secret` replaced by
 * REDACTED, following `properties`, `oneOf`/`anyOf` branches and array `items` (a credentials
 * oneOf has its secrets in the branches).
 */
export function redactSecretFields(value: unknown, schema: JsonSchema | undefined): unknown {
  if (!schema || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactSecretFields(v, schema.items as JsonSchema | undefined));
  const secret = new Set<string>();
  const nested = new Map<string, JsonSchema[]>();
  const collect = (s: JsonSchema | undefined): void => {
    if (!s) return;
    for (const [k, p] of Object.entries((s.properties ?? {}) as Record<string, JsonSchema>)) {
      if (p.airbyte_secret === true) secret.add(k);
      else nested.set(k, [...(nested.get(k) ?? []), p]);
    }
    for (const branch of [...((s.oneOf ?? []) as JsonSchema[]), ...((s.anyOf ?? []) as JsonSchema[])]) collect(branch);
  };
  collect(schema);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (secret.has(k) && v !== undefined && v !== null && v !== '') out[k] = REDACTED;
    else out[k] = (nested.get(k) ?? []).reduce((acc, s) => redactSecretFields(acc, s), v);
  }
  return out;
}

import {JsonSchema} from './spec';

const REDACTED = 'REDACTED';
/** Unknown keys named in the log line; a config with more says how many it left out. */
const MAX_LISTED = 50;
/** Values handed to the SecretRedactor, which scans every LOG and TRACE line for each one. */
const MAX_HIDDEN = 256;

/** What of a config may be printed, and what must never be. */
export interface ConfigView {
  /**
   * The keys the spec defines, with every airbyte_secret field REDACTED; keys it does not define
   * are left out, and so is a value of a free-form entry that is not a plain string, number or
   * boolean (it is REDACTED too).
   */
  config: unknown;
  /** Where the config has a key the spec does not define: `data_source`, `credentials.foo`, `tracking_rules[0].bar`. */
  unknownKeys: string[];
  /**
   * Strings never shown and worth masking should any error echo them (for the SecretRedactor):
   * everything under an unknown key or a REDACTED value, and key names too odd to show.
   */
  hidden: string[];
}

interface Acc {
  unknownKeys: string[];
  hidden: Set<string>;
}

/**
 * Splits `config` by `spec` (the connectionSpecification): keys are known through `properties`
 * (of the schema, its allOf, and the oneOf/anyOf branches whose `const` fields the object
 * matches, e.g. credentials' auth_type), `patternProperties`, or `additionalProperties` below
 * the root. `additionalProperties: true` below the root declares a free-form map (a tracking
 * rule's `match` and `set`: record fields or tags to patterns, tracking keys to values), whose
 * plain values are shown: they are rules the user wrote and end up in the records anyway. At the
 * root, Airbyte requires `additionalProperties: true`, which says nothing about the keys.
 */
export function viewConfig(config: unknown, spec: JsonSchema): ConfigView {
  const acc: Acc = {unknownKeys: [], hidden: new Set()};
  const shown = walk(config, [spec], '', true, acc);
  return {config: shown, unknownKeys: acc.unknownKeys, hidden: [...acc.hidden].slice(0, MAX_HIDDEN)};
}

/** The config for the log: known keys only, secrets REDACTED (see viewConfig). */
export function redactSecretFields(value: unknown, schema: JsonSchema | undefined): unknown {
  return schema ? viewConfig(value, schema).config : value;
}

/** The `Config: {...}` log line: the shown config, then the unknown keys by name only. */
export function configLogLine(view: Pick<ConfigView, 'config' | 'unknownKeys'>): string {
  const keys = view.unknownKeys;
  let line = `Config: ${JSON.stringify(view.config)}`;
  if (keys.length > 0) {
    const more = keys.length > MAX_LISTED ? ` and ${keys.length - MAX_LISTED} more` : '';
    line += `; ignored unknown keys: ${keys.slice(0, MAX_LISTED).join(', ')}${more}`;
  }
  return line;
}

/** `schemas` empty: nothing describes the value (a free-form entry), only plain values are shown. */
function walk(value: unknown, schemas: JsonSchema[], path: string, root: boolean, acc: Acc): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (schemas.length === 0) {
    hide(value, acc);
    return REDACTED;
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => walk(item, itemSchemas(schemas, i), `${path}[${i}]`, false, acc));
  }
  const object = value as Record<string, unknown>;
  const all = expand(schemas, object);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(object)) {
    const at = path ? `${path}.${label(key)}` : label(key);
    // `true` (anything goes) is a schema too: it makes the key known and the value free-form
    let found: unknown[] = all.map((s) => s.properties?.[key] as unknown).filter((p) => p === true || isSchema(p));
    if (found.some((p) => isSchema(p) && p.airbyte_secret === true)) {
      hide(v, acc);
      out[key] = v === undefined || v === null || v === '' ? v : REDACTED;
      continue;
    }
    if (found.length === 0) found = patternSchemas(all, key);
    if (found.length === 0 && !root) found = all.map((s) => s.additionalProperties).filter((a) => a === true || isSchema(a));
    if (found.length > 0) {
      out[key] = walk(v, found.filter(isSchema), at, false, acc);
    } else {
      acc.unknownKeys.push(at);
      if (label(key) !== key) addHidden(key, acc);
      hide(v, acc);
    }
  }
  return out;
}

/** The schemas, their allOf, and the oneOf/anyOf branches that fit the object (all if none does). */
function expand(schemas: JsonSchema[], object: Record<string, unknown>): JsonSchema[] {
  const out: JsonSchema[] = [];
  const add = (s: JsonSchema): void => {
    out.push(s);
    for (const part of asSchemas(s.allOf)) add(part);
    const branches = [...asSchemas(s.oneOf), ...asSchemas(s.anyOf)];
    const fitting = branches.filter((b) => Object.entries(b.properties ?? {}).every(([k, p]) => !isSchema(p) || p.const === undefined || p.const === object[k]));
    for (const b of fitting.length > 0 ? fitting : branches) add(b);
  };
  for (const s of schemas) add(s);
  return out;
}

function itemSchemas(schemas: JsonSchema[], index: number): JsonSchema[] {
  return schemas.flatMap((s) => (Array.isArray(s.items) ? [s.items[index]] : [s.items])).filter(isSchema);
}

function patternSchemas(schemas: JsonSchema[], key: string): unknown[] {
  const out: unknown[] = [];
  for (const s of schemas) {
    for (const [pattern, p] of Object.entries((s.patternProperties ?? {}) as Record<string, unknown>)) {
      if ((p === true || isSchema(p)) && new RegExp(pattern, 'u').test(key)) out.push(p);
    }
  }
  return out;
}

function asSchemas(value: unknown): JsonSchema[] {
  return Array.isArray(value) ? value.filter(isSchema) : [];
}

function isSchema(value: unknown): value is JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A key as named in the log: as written if it reads like a name, else only its length. */
function label(key: string): string {
  if (/^[\w$@.-]{1,64}$/.test(key)) return key;
  return `(a key of ${key.length} characters)`;
}

/** Every string in `value` (keys too) goes to the redactor's list. */
function hide(value: unknown, acc: Acc): void {
  if (typeof value === 'string') addHidden(value, acc);
  else if (Array.isArray(value)) for (const v of value) hide(v, acc);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      addHidden(k, acc);
      hide(v, acc);
    }
  }
}

/**
 * The redactor masks in whole serialized messages: a plain word (`message`, `status`) or a
 * number would corrupt the JSON around the text. Only strings with a letter and something else
 * (secrets, tokens, URLs, GUIDs) are masked, or long plain words.
 */
function addHidden(value: string, acc: Acc): void {
  if (value.length < 6) return;
  const worth = /[^A-Za-z_]/.test(value) ? /[A-Za-z]/.test(value) : value.length >= 24;
  if (worth) acc.hidden.add(value);
}

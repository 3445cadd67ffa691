/**
 * `npm run gen:record`: writes what follows from the field table (src/normalize/fields.ts):
 * - src/normalize/generated/record.ts: the `UsageRecord` type, the id's identity string and the
 *   two row normalizers (Cost Details CSV rows, EA Reporting JSON rows), written out field by
 *   field as plain code: a normalizer runs once per row, and object literals with fixed keys
 *   keep V8's property access monomorphic (a loop over the table would not);
 * - resources/schemas/usage_details.json: the stream's JSON schema.
 * test/unit/record-generated.test.ts fails when the committed files are out of date.
 */
import fs from 'fs';
import path from 'path';

import {RESOURCES_DIR} from '../src/config/spec';
import {AGREEMENTS, EaKey, FieldDef, FIELDS, METRICS, SOURCE_APIS} from '../src/normalize/fields';

export const GEN_SCRIPT = 'gen:record';
const REPO = path.dirname(RESOURCES_DIR);
export const RECORD_MODULE_PATH = path.join(REPO, 'src', 'normalize', 'generated', 'record.ts');
export const USAGE_SCHEMA_PATH = path.join(REPO, 'resources', 'schemas', 'usage_details.json');

// ------------------------------------------------------------------------------------------
// per kind: type, schema, identity encoding

function tsType(f: FieldDef): string {
  switch (f.kind) {
    case 'id':
    case 'usage_date':
      return 'string';
    case 'cost':
      return 'number';
    case 'number?':
      return 'number | null';
    case 'metric':
      return 'Metric';
    case 'source_api':
      return 'SourceApi';
    case 'agreement':
      return 'Agreement';
    case 'credit':
      return 'boolean | null';
    case 'tags':
      return 'Record<string, string> | null';
    case 'additional_info':
      return 'Record<string, unknown> | null';
    case 'derived':
      return f.derived!.ts;
    default:
      return 'string | null';
  }
}

function fieldSchema(f: FieldDef): Record<string, unknown> {
  const nullable = (type: string) => ({type: [type, 'null']});
  switch (f.kind) {
    case 'id':
      return {type: 'string'};
    case 'usage_date':
      return {type: 'string', format: 'date'};
    case 'date?':
      return {...nullable('string'), format: 'date'};
    case 'cost':
      return {type: 'number'};
    case 'number?':
      return nullable('number');
    case 'metric':
      return {...nullable('string'), enum: [...METRICS]};
    case 'source_api':
      return {...nullable('string'), enum: [...SOURCE_APIS]};
    case 'agreement':
      return {...nullable('string'), enum: [...AGREEMENTS]};
    case 'credit':
      return nullable('boolean');
    case 'tags':
      return {...nullable('object'), additionalProperties: true};
    case 'additional_info':
      return nullable('object');
    case 'derived':
      return f.derived!.schema;
    default:
      return nullable('string');
  }
}

/** The identity string's piece for one identifying field (id-encoding.ts). */
function identityPiece(f: FieldDef): string {
  switch (f.kind) {
    case 'credit':
      return `encBoolean(r.${f.name})`;
    case 'tags':
    case 'additional_info':
      return `encJson(r.${f.name})`;
    case 'source_api':
      return `encSourceApi(r.${f.name})`;
    case 'number?':
    case 'cost':
    case 'id':
    case 'derived':
    case 'agreement':
      throw new Error(`${f.name}: a ${f.kind} field cannot be identifying`);
    default:
      return `enc(r.${f.name})`;
  }
}

// ------------------------------------------------------------------------------------------
// the stream schema

export function generateUsageSchema(): string {
  const properties: Record<string, unknown> = {};
  for (const f of FIELDS) properties[f.name] = fieldSchema(f);
  const required = FIELDS.filter((f) => typeof fieldSchema(f).type === 'string').map((f) => f.name);
  const schema = {$schema: 'http://json-schema.org/draft-07/schema#', type: 'object', additionalProperties: true, required, properties};
  return JSON.stringify(schema, null, 2) + '\n';
}

// ------------------------------------------------------------------------------------------
// the record module

const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const colVar = (name: string): string => `c${camel('_' + name)}`;
const idxVar = (name: string): string => `i${camel('_' + name)}`;
const valVar = (name: string): string => camel(name);

function only(kind: FieldDef['kind']): FieldDef {
  const found = FIELDS.filter((f) => f.kind === kind);
  if (found.length !== 1) throw new Error(`the field table needs exactly one ${kind} field, has ${found.length}`);
  return found[0];
}

function needs<T>(f: FieldDef, what: string, v: T | undefined): T {
  if (v === undefined || (Array.isArray(v) && v.length === 0)) throw new Error(`${f.name}: ${what} missing`);
  return v;
}

/** `row.a ?? row.b` for one EA source. */
function eaChain(key: EaKey): string {
  const prop = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `row.${k}` : `row[${JSON.stringify(k)}]`);
  return typeof key === 'string' ? prop(key) : key.map(prop).join(' ?? ');
}

/** The single EA source of a date, number or boolean. */
function eaSingle(f: FieldDef): string {
  const ea = needs(f, 'EA keys', f.ea);
  if (ea.length !== 1) throw new Error(`${f.name}: a ${f.kind} field has one EA source (keys joined by ?? go in one list)`);
  return eaChain(ea[0]);
}

/** First non-empty text among the EA sources: jtext takes two, more are chained with ??. */
function eaText(f: FieldDef): string {
  const ea = needs(f, 'EA keys', f.ea).map(eaChain);
  const calls: string[] = [];
  for (let i = 0; i < ea.length; i += 2) calls.push(`jtext(${ea.slice(i, i + 2).join(', ')})`);
  return calls.join(' ?? ');
}

function interfaceSource(): string {
  const lines = ['export interface UsageRecord {'];
  let group = '';
  for (const f of FIELDS) {
    if (f.group !== group) lines.push(`  // ${(group = f.group)}`);
    lines.push(`  ${f.name}: ${tsType(f)};`);
  }
  lines.push('}');
  return lines.join('\n');
}

function identitySource(): string {
  const pieces = FIELDS.filter((f) => f.identifying && !f.appended).map(identityPiece);
  const appended = FIELDS.filter((f) => f.identifying && f.appended);
  return [
    '/**',
    ' * The exact string the id hashes (id.ts): the v1 identifying fields in table order, then each',
    ' * field added after v1 as `name=value`, only when it is not null (docs/design.md §5).',
    ' */',
    'export function identityString(r: UsageRecord): string {',
    '  // one array joined natively: a flat string at once, not a tree of cons strings',
    `  ${appended.length ? 'let s =' : 'return'} [`,
    ...pieces.map((p) => `    ${p},`),
    '  ].join(ID_SEPARATOR);',
    ...appended.flatMap((f) => [`  if (r.${f.name} !== null) s += ID_SEPARATOR + '${f.name}=' + ${identityPiece(f)};`]),
    ...(appended.length ? ['  return s;'] : []),
    '}',
  ].join('\n');
}

/** `field: value,` lines of a record literal; `value` gives each field's expression. */
function literal(value: (f: FieldDef) => string, indent: string): string[] {
  return [`${indent}const record: UsageRecord = {`, ...FIELDS.map((f) => `${indent}  ${f.name}: ${value(f)},`), `${indent}};`, `${indent}return {record};`];
}

/** A field's value expression where both normalizers compute it alike (the local names they share). */
function sharedValue(f: FieldDef): string {
  switch (f.kind) {
    case 'id':
      return "''";
    case 'usage_date':
      return 'usageDate';
    case 'cost':
      return 'cost';
    case 'resource_id':
      return 'rid.lower';
    case 'resource_type':
      return 'rid.type';
    case 'tags':
    case 'additional_info':
      return `${valVar(f.name)}.value`;
    case 'derived':
      return derivedValue(f);
    default:
      return valVar(f.name);
  }
}

/** A derived field's value before enrich/track: a literal, or the row's parse errors. */
function derivedValue(f: FieldDef): string {
  return f.derived!.initial;
}

function csvSource(): string {
  const date = only('usage_date');
  const cost = only('cost');
  only('resource_id');
  const setup: string[] = ['  const agreement = agreementOfHeader(header.map(headerKey));'];
  for (const f of FIELDS) {
    if (!f.csv) continue;
    if (f.kind === 'credit' || f.kind === 'tags' || f.kind === 'additional_info') {
      if (f.only) throw new Error(`${f.name}: only text, date? and number? fields can be read from one agreement`);
      setup.push(`  const ${idxVar(f.name)} = cols(header, CSV_ALIASES.${f.name}).a;`);
    } else if (f.only) setup.push(`  const ${colVar(f.name)} = agreement === '${f.only}' ? cols(header, CSV_ALIASES.${f.name}) : NO_COLS;`);
    else setup.push(`  const ${colVar(f.name)} = cols(header, CSV_ALIASES.${f.name});`);
    if (f.dateParts) for (const p of ['day', 'month', 'year']) setup.push(`  const ${idxVar(p)} = cols(header, CSV_ALIASES.${p}).a;`);
    if (f.inverse) setup.push(`  const ${idxVar(f.inverse.name)} = cols(header, CSV_ALIASES.${f.inverse.name}).a;`);
  }
  const steps: string[] = [];
  for (const f of FIELDS) {
    const v = valVar(f.name);
    switch (f.kind) {
      case 'date?':
        steps.push(`    const ${v} = orError(parseDate(pick(row, ${colVar(f.name)})), '${f.name}', errors);`);
        break;
      case 'number?':
        steps.push(`    const ${v} = orError(parseNumber(pick(row, ${colVar(f.name)})), '${f.name}', errors);`);
        break;
      case 'credit': {
        steps.push(`    let ${v} = parseBoolean(cell(row, ${idxVar(f.name)}));`);
        if (f.inverse) {
          const inv = idxVar(f.inverse.name);
          steps.push(
            `    if (${v} === null && ${inv} >= 0) {`,
            `      const opposite = parseBoolean(cell(row, ${inv}));`,
            `      ${v} = opposite === null || opposite === undefined ? opposite : !opposite;`,
            '    }',
          );
        }
        steps.push(`    if (${v} === undefined) {`, `      errors.push('${f.name}');`, `      ${v} = null;`, '    }');
        break;
      }
      case 'tags':
      case 'additional_info': {
        const parse = f.kind === 'tags' ? 'parseTags' : 'parseAdditionalInfo';
        const i = idxVar(f.name);
        steps.push(`    const ${v} = ${parse}(${i} < 0 ? null : row[${i}]);`, `    if (${v}.error) errors.push('${f.name}');`);
        break;
      }
      case 'resource_id':
        steps.push(`    const rid = parseResourceId(pick(row, ${colVar(f.name)}));`);
        break;
    }
  }
  const value = (f: FieldDef): string => {
    switch (f.kind) {
      case 'metric':
        return 'metric';
      case 'source_api':
        return 'sourceApi';
      case 'agreement':
        return 'agreement';
      case 'guid':
        return `normalizeGuid(pick(row, ${colVar(f.name)}))`;
      case 'text':
        return `pick(row, ${colVar(f.name)})` + (f.orResourceId ? ` ?? rid.${f.orResourceId}` : '');
      default:
        return sharedValue(f);
    }
  };
  return [
    '/**',
    ' * The row normalizer of one Cost Details CSV blob: its header is mapped to fields once, here',
    ' * (by name, with aliases: fields.ts, aliases.ts); unknown columns are ignored, missing ones give',
    ' * null. Per row: wrong field count, no usable date, or no parseable cost → rejected; any other',
    ' * unparseable value → null plus its field name in `parse_errors`.',
    ' */',
    'export function costDetailsRowNormalizer(header: string[], ctx: NormalizeContext): (row: string[]) => Normalized {',
    '  const width = header.length;',
    '  const metric = ctx.metric;',
    '  const sourceApi = ctx.sourceApi;',
    ...setup,
    '',
    '  return (row: string[]): Normalized => {',
    '    if (row.length !== width) return REJECT_FIELD_COUNT;',
    `    let usageDate = parseDate(pick(row, ${colVar(date.name)}));`,
    `    if (usageDate === null) usageDate = dateFromParts(row, ${idxVar('day')}, ${idxVar('month')}, ${idxVar('year')});`,
    '    if (usageDate === null || usageDate === undefined) return REJECT_DATE;',
    `    const costText = pick(row, ${colVar(cost.name)});`,
    '    if (costText === null) return REJECT_NO_COST;',
    '    const cost = parseNumber(costText);',
    '    if (cost === null || cost === undefined) return REJECT_BAD_COST;',
    '    const errors: string[] = [];',
    ...steps,
    ...literal(value, '    '),
    '  };',
    '}',
  ].join('\n');
}

function eaSource(): string {
  const date = only('usage_date');
  const cost = only('cost');
  const steps: string[] = [];
  // EA Reporting rows are EA rows: fields read only from MCA rows are null there
  const mcaOnly = (f: FieldDef): boolean => f.only === 'MCA';
  for (const f of FIELDS) {
    const v = valVar(f.name);
    if (mcaOnly(f)) continue;
    switch (f.kind) {
      case 'date?':
        steps.push(`  const ${v} = orError(parseDate(${eaSingle(f)}), '${f.name}', errors);`);
        break;
      case 'number?':
        steps.push(`  const ${v} = orError(parseNumber(${eaSingle(f)}), '${f.name}', errors);`);
        break;
      case 'credit':
        steps.push(`  let ${v} = parseBoolean(${eaSingle(f)});`);
        if (f.inverse) {
          steps.push(
            `  if (${v} === null) {`,
            `    const opposite = parseBoolean(${eaChain(f.inverse.ea)});`,
            `    ${v} = opposite === null || opposite === undefined ? opposite : !opposite;`,
            '  }',
          );
        }
        steps.push(`  if (${v} === undefined) {`, `    errors.push('${f.name}');`, `    ${v} = null;`, '  }');
        break;
      case 'tags':
      case 'additional_info':
        steps.push(`  const ${v} = ${f.kind === 'tags' ? 'parseTags' : 'parseAdditionalInfo'}(${eaSingle(f)});`, `  if (${v}.error) errors.push('${f.name}');`);
        break;
      case 'resource_id':
        steps.push(`  const rid = parseResourceId(${eaText(f)});`);
        break;
    }
  }
  const value = (f: FieldDef): string => {
    if (mcaOnly(f)) return 'null';
    switch (f.kind) {
      case 'agreement':
        return "'EA'";
      case 'metric':
        return 'ctx.metric';
      case 'source_api':
        return 'ctx.sourceApi';
      case 'guid':
        return `normalizeGuid(${eaText(f)})`;
      case 'text':
        return eaText(f) + (f.orResourceId ? ` ?? rid.${f.orResourceId}` : '');
      default:
        return sharedValue(f);
    }
  };
  return [
    '/** One EA Reporting API v3 usage-details row (camelCase JSON) → record; same rules as the CSV rows. */',
    'export function normalizeEaRow(row: Record<string, unknown>, ctx: NormalizeContext): Normalized {',
    "  if (row === null || typeof row !== 'object') return REJECT_FIELD_COUNT;",
    `  const usageDate = parseDate(${eaSingle(date)});`,
    '  if (usageDate === null || usageDate === undefined) return REJECT_DATE;',
    `  const cost = parseNumber(${eaSingle(cost)});`,
    '  if (cost === null) return REJECT_NO_COST;',
    '  if (cost === undefined) return REJECT_BAD_COST;',
    '  const errors: string[] = [];',
    ...steps,
    ...literal(value, '  '),
    '}',
  ].join('\n');
}

const HEADER = `// Generated by scripts/gen-record.ts from the field table, src/normalize/fields.ts: do not edit.
// After changing the table, run \`npm run ${GEN_SCRIPT}\`.
import {parseAdditionalInfo, parseTags} from '../../decode/json-strings';
import {normalizeGuid, parseBoolean, parseDate, parseNumber} from '../../decode/values';
import {headerKey} from '../aliases';
import {Agreement, agreementOfHeader, CSV_ALIASES, Metric, SourceApi} from '../fields';
import {enc, encBoolean, encJson, encSourceApi, ID_SEPARATOR} from '../id-encoding';
import {parseResourceId} from '../resource-id';
import {cell, cols, dateFromParts, jtext, NO_COLS, Normalized, NormalizeContext, orError, pick, REJECT_BAD_COST, REJECT_DATE, REJECT_FIELD_COUNT, REJECT_NO_COST} from '../rows';
`;

export function generateRecordModule(): string {
  return [HEADER, '/** The one normalized record every reader produces, in field order. */', interfaceSource(), '', identitySource(), '', csvSource(), '', eaSource(), ''].join('\n');
}

function main(): void {
  const outputs: [string, string][] = [
    [RECORD_MODULE_PATH, generateRecordModule()],
    [USAGE_SCHEMA_PATH, generateUsageSchema()],
  ];
  for (const [file, text] of outputs) {
    fs.mkdirSync(path.dirname(file), {recursive: true});
    fs.writeFileSync(file, text);
    console.log(`wrote ${path.relative(process.cwd(), file)} (${text.length} chars)`);
  }
}

if (require.main === module) main();

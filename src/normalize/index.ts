/**
 * Rows to records: the field table (fields.ts) and what is generated from it (generated/record.ts:
 * the record type, the id's identity string, the CSV and EA row normalizers), and the id (id.ts).
 */
export {costDetailsRowNormalizer, identityString, normalizeEaRow} from './generated/record';
export type {UsageRecord} from './generated/record';
export {IdAssigner, recordHash, Hash52Set, hashKey} from './id';
export {CSV_ALIASES, FIELDS, FIELD_NAMES, ID_FIELDS} from './fields';
export type {FieldDef, Metric, SourceApi} from './fields';
export {parseResourceId} from './resource-id';
export type {ResourceIdParts} from './resource-id';
export {headerKey} from './aliases';
export {REJECT_BAD_COST, REJECT_DATE, REJECT_FIELD_COUNT, REJECT_NO_COST} from './rows';
export type {NormalizeContext, Normalized} from './rows';

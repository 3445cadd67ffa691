/**
 * A copy of `s` that shares no memory with any other string.
 *
 * Field values cut from a CSV chunk are V8 "sliced strings" (13 characters or more): they point
 * into the chunk (64 KB and up) instead of copying the value. That is what makes the tokenizer
 * fast, and harmless for values that die with their record, but a value kept as a key of a
 * long-lived memo (resource ids, resource groups, dates, meters) would pin its whole chunk: a
 * few thousand keys from different chunks held ~100 MB. Memos therefore store detached keys.
 * Costs one copy per cache miss.
 */
export function detached(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

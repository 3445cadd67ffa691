// hyparquet's page-level decoders (its package exports them as src/*.js, with types under
// types/): the connector walks a column chunk page by page itself, to keep memory bounded.
// The version is pinned in package.json for that reason.
declare module 'hyparquet/src/column.js' {
  export * from 'hyparquet/types/column';
}
declare module 'hyparquet/src/datapage.js' {
  export * from 'hyparquet/types/datapage';
}
declare module 'hyparquet/src/plain.js' {
  export * from 'hyparquet/types/plain';
}
declare module 'hyparquet/src/encoding.js' {
  export * from 'hyparquet/types/encoding';
}

/**
 * The SQLite store of a data dir as a file: the composition-level face of store/sqlite-backup.ts,
 * for `sesame backup` and `sesame restore` (commands never reach a store implementation directly).
 * PostgreSQL stores are backed up with PostgreSQL's own tools (docs/deploy.md).
 */
export {
  copyStoreFile,
  inspectStoreFile,
  knownMigrations,
  replaceStoreFile,
  type StoreFileVerdict,
} from './store/sqlite-backup.js';

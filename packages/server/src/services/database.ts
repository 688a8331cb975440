/**
 * Opening and migrating the database, for the shells that start Rollcall (`rollcall start`,
 * `serve`, `migrate`, `import`): they come through here rather than import db/ themselves.
 */
export {
  migrateToLatest,
  openDatabase,
  pendingMigrations,
  type Db,
  type Dialect,
  type OpenDatabase,
} from '../db/connect.js';

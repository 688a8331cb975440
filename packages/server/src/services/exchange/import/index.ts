/** `rollcall import`: a school's calendar, pupils, marks, contacts and groups into the database. */
export {
  importSchoolData,
  IMPORT_INVALID,
  IMPORT_USER_NAME,
  PHASES,
  type ImportDeps,
  type ImportInput,
} from './import-school-data.js';
export type { ImportFile, ImportProblem } from './files.js';
export {
  ENTITIES,
  formatReportTable,
  problemLine,
  totalChanges,
  type Entity,
  type EntityCounts,
  type ImportReport,
} from './report.js';

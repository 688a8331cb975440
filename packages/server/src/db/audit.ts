/** Writing the audit trail (services/audit.ts decides what an entry says). */
import type { DbOrTrx } from './connect.js';
import type { AuditLogTable } from './schema.js';

/** Appends one row to the audit log. */
export async function insertAuditRow(db: DbOrTrx, row: AuditLogTable): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

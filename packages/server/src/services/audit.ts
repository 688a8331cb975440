/** The audit trail: every read of a pupil's record and every change, with who, when and what. */
import { insertAuditRow } from '../db/audit.js';
import type { DbOrTrx } from '../db/connect.js';
import type { AuditLogTable } from '../db/schema.js';
import { newId } from '../platform/ids.js';
import type { Actor } from './authz.js';

export interface AuditEntry {
  readonly action: string;
  readonly entityType: string;
  readonly entityId?: string | null;
  readonly pupilId?: string | null;
  readonly schoolId?: string | null;
  /** Extra facts (never secrets, never whole records). */
  readonly details?: Record<string, unknown>;
}

export async function audit(db: DbOrTrx, actor: Actor, at: string, entry: AuditEntry): Promise<void> {
  await insertAuditRow(db, auditRow(actor, at, entry));
}

/** The row an audit entry is stored as (for writers that insert it themselves, in their own transaction). */
export function auditRow(actor: Actor, at: string, entry: AuditEntry): AuditLogTable {
  return {
    id: newId(),
    at,
    user_id: actor.userId,
    user_role: actor.role,
    action: entry.action,
    entity_type: entry.entityType,
    entity_id: entry.entityId ?? null,
    pupil_id: entry.pupilId ?? null,
    school_id: entry.schoolId ?? null,
    details: entry.details ? JSON.stringify(entry.details) : null,
  };
}

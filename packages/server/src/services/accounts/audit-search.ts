/**
 * Searching the audit log (who viewed and changed what): administrators only, filtered by user,
 * pupil, action and dates, newest first, a page at a time. See docs/privacy.md.
 */
import { auditActionsOfSchool, searchAuditLog } from '../../db/accounts/audit-search.js';
import { getSchool } from '../school/schools.js';
import { authorise, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';

export interface AuditQuery {
  readonly schoolId: string;
  /** A user id, or part of a user's name or email. */
  readonly user?: string | undefined;
  /** A pupil id, UPN, or part of a pupil's name. */
  readonly pupil?: string | undefined;
  /** An action (exact, e.g. `pupil.view`) or its start (`mark.`). */
  readonly action?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly page?: number | undefined;
}

export interface AuditRow {
  readonly id: string;
  readonly at: string;
  readonly userId: string | null;
  readonly userName: string | null;
  readonly userRole: string | null;
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string | null;
  readonly pupilId: string | null;
  readonly pupilName: string | null;
  readonly details: string | null;
}

export interface AuditPage {
  readonly rows: readonly AuditRow[];
  readonly page: number;
  readonly more: boolean;
  readonly actions: readonly string[];
}

export const AUDIT_PAGE_SIZE = 50;

const isDate = (s: string | undefined): s is string => s !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(s);

export async function searchAudit(deps: Pick<Deps, 'db'>, actor: Actor, q: AuditQuery): Promise<AuditPage> {
  const school = await getSchool(deps.db, q.schoolId);
  authorise(actor, 'audit.view', { kind: 'school', ...school });
  const fields: { field: string; message: string }[] = [];
  if (q.from && !isDate(q.from)) fields.push({ field: 'from', message: 'Enter the first date as YYYY-MM-DD' });
  if (q.to && !isDate(q.to)) fields.push({ field: 'to', message: 'Enter the last date as YYYY-MM-DD' });
  if (fields.length > 0) throw new AppError('VALIDATION', 'Check the filters.', { fields });
  const page = Math.max(1, Math.floor(q.page ?? 1));
  const rows = await searchAuditLog(deps.db, {
    schoolId: school.id,
    user: q.user?.trim(),
    pupil: q.pupil?.trim(),
    action: q.action?.trim(),
    from: isDate(q.from) ? q.from : undefined,
    to: isDate(q.to) ? q.to : undefined,
    limit: AUDIT_PAGE_SIZE + 1,
    offset: (page - 1) * AUDIT_PAGE_SIZE,
  });
  const actions = await auditActionsOfSchool(deps.db, school.id);
  return {
    page,
    more: rows.length > AUDIT_PAGE_SIZE,
    actions,
    rows: rows.slice(0, AUDIT_PAGE_SIZE).map((r) => ({
      id: r.id,
      at: r.at,
      userId: r.user_id,
      userName: r.user_name,
      userRole: r.user_role,
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      pupilId: r.pupil_id,
      pupilName: r.legal_surname === null ? null : `${r.legal_forename ?? ''} ${r.legal_surname}`.trim(),
      details: r.details,
    })),
  };
}

/**
 * Searching the audit log (who viewed and changed what): administrators only, filtered by user,
 * pupil, action and dates, newest first, a page at a time. See docs/privacy.md.
 */
import { containsPattern, likeRaw, lowerLike, prefixPattern } from '../../db/like.js';
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
  let query = deps.db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.user_id')
    .leftJoin('pupils', 'pupils.id', 'audit_log.pupil_id')
    .select([
      'audit_log.id',
      'audit_log.at',
      'audit_log.user_id',
      'users.display_name as user_name',
      'audit_log.user_role',
      'audit_log.action',
      'audit_log.entity_type',
      'audit_log.entity_id',
      'audit_log.pupil_id',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'audit_log.details',
    ])
    .where('audit_log.school_id', '=', school.id);
  const user = q.user?.trim();
  if (user) {
    // `%` and `_` are matched as typed (escaped), not as wildcards.
    const like = containsPattern(user.toLowerCase());
    query = query.where((eb) =>
      eb.or([
        eb('audit_log.user_id', '=', user),
        lowerLike('users.display_name', like),
        lowerLike('users.email', like),
      ]),
    );
  }
  const pupil = q.pupil?.trim();
  if (pupil) {
    const like = containsPattern(pupil.toLowerCase());
    query = query.where((eb) =>
      eb.or([
        eb('audit_log.pupil_id', '=', pupil),
        eb(eb.fn('upper', ['pupils.upn']), '=', pupil.toUpperCase()),
        lowerLike('pupils.legal_surname', like),
        lowerLike('pupils.legal_forename', like),
      ]),
    );
  }
  const action = q.action?.trim();
  if (action) {
    query = action.endsWith('.')
      ? query.where(likeRaw('audit_log.action', prefixPattern(action)))
      : query.where('audit_log.action', '=', action);
  }
  // Instants are ISO text in UTC: a day's rows start with the date.
  if (isDate(q.from)) query = query.where('audit_log.at', '>=', q.from);
  if (isDate(q.to)) query = query.where('audit_log.at', '<', `${q.to}T99`);
  const rows = await query
    .orderBy('audit_log.at', 'desc')
    .orderBy('audit_log.id', 'desc')
    .limit(AUDIT_PAGE_SIZE + 1)
    .offset((page - 1) * AUDIT_PAGE_SIZE)
    .execute();
  const actions = await deps.db
    .selectFrom('audit_log')
    .select('action')
    .distinct()
    .where('school_id', '=', school.id)
    .orderBy('action')
    .execute();
  return {
    page,
    more: rows.length > AUDIT_PAGE_SIZE,
    actions: actions.map((a) => a.action),
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

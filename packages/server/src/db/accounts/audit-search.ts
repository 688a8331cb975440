/** Queries of the audit-log search (services/accounts/audit-search.ts authorises and validates). */
import type { DbOrTrx } from '../connect.js';
import { containsPattern, likeRaw, lowerLike, prefixPattern } from '../like.js';

export interface AuditLogFilter {
  readonly schoolId: string;
  /** A user id, or part of a user's name or email (matched as typed: `%` and `_` are not wildcards). */
  readonly user?: string | undefined;
  /** A pupil id, UPN, or part of a pupil's legal name. */
  readonly pupil?: string | undefined;
  /** An exact action, or the start of one when it ends with `.`. */
  readonly action?: string | undefined;
  /** The first and last day (YYYY-MM-DD), inclusive. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** A school's audit rows matching the filter, newest first, with the user's and pupil's names. */
export async function searchAuditLog(db: DbOrTrx, f: AuditLogFilter) {
  let query = db
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
    .where('audit_log.school_id', '=', f.schoolId);
  const user = f.user;
  if (user) {
    const like = containsPattern(user.toLowerCase());
    query = query.where((eb) =>
      eb.or([
        eb('audit_log.user_id', '=', user),
        lowerLike('users.display_name', like),
        lowerLike('users.email', like),
      ]),
    );
  }
  const pupil = f.pupil;
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
  const action = f.action;
  if (action) {
    query = action.endsWith('.')
      ? query.where(likeRaw('audit_log.action', prefixPattern(action)))
      : query.where('audit_log.action', '=', action);
  }
  // Instants are ISO text in UTC: a day's rows start with the date.
  if (f.from !== undefined) query = query.where('audit_log.at', '>=', f.from);
  if (f.to !== undefined) query = query.where('audit_log.at', '<', `${f.to}T99`);
  return query
    .orderBy('audit_log.at', 'desc')
    .orderBy('audit_log.id', 'desc')
    .limit(f.limit)
    .offset(f.offset)
    .execute();
}

/** Every action a school's audit log holds, in order (for the filter's list). */
export async function auditActionsOfSchool(db: DbOrTrx, schoolId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('audit_log')
    .select('action')
    .distinct()
    .where('school_id', '=', schoolId)
    .orderBy('action')
    .execute();
  return rows.map((r) => r.action);
}

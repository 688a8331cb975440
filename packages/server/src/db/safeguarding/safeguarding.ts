/**
 * Queries of trust and safety (issue 16): the designated safeguarding lead's alerts, the local
 * authority's reasons to read a pupil's record, and contacts restricted from the child.
 */
import type { DbOrTrx } from '../connect.js';

export type DslAlertKind = 'home_visit_concern' | 'call_concern' | 'cme_enquiry' | 'vulnerable_absence';

export interface DslAlertRow {
  readonly id: string;
  readonly schoolId: string;
  readonly pupilId: string;
  readonly pupilName: string;
  readonly kind: DslAlertKind;
  readonly summary: string;
  readonly raisedByName: string;
  readonly raisedAt: string;
  readonly acknowledgedByName: string | null;
  readonly acknowledgedAt: string | null;
  readonly acknowledgement: string | null;
}

export interface NewDslAlert {
  readonly id: string;
  readonly schoolId: string;
  readonly pupilId: string;
  readonly kind: DslAlertKind;
  readonly sourceId: string;
  readonly summary: string;
  readonly raisedByName: string;
  readonly raisedAt: string;
}

/** Inserts an alert once per (kind, source); true when it is new. */
export async function insertDslAlert(db: DbOrTrx, a: NewDslAlert): Promise<boolean> {
  const r = await db
    .insertInto('dsl_alerts')
    .values({
      id: a.id,
      school_id: a.schoolId,
      pupil_id: a.pupilId,
      kind: a.kind,
      source_id: a.sourceId,
      summary: a.summary,
      raised_by_name: a.raisedByName,
      raised_at: a.raisedAt,
      acknowledged_by: null,
      acknowledged_by_name: null,
      acknowledged_at: null,
      acknowledgement: null,
    })
    .onConflict((oc) => oc.columns(['kind', 'source_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

function toAlert(r: {
  id: string;
  school_id: string;
  pupil_id: string;
  kind: string;
  summary: string;
  raised_by_name: string;
  raised_at: string;
  acknowledged_by_name: string | null;
  acknowledged_at: string | null;
  acknowledgement: string | null;
  legal_forename: string;
  legal_surname: string;
  preferred_forename: string | null;
  preferred_surname: string | null;
}): DslAlertRow {
  return {
    id: r.id,
    schoolId: r.school_id,
    pupilId: r.pupil_id,
    pupilName: `${r.preferred_forename ?? r.legal_forename} ${r.preferred_surname ?? r.legal_surname}`,
    kind: r.kind as DslAlertKind,
    summary: r.summary,
    raisedByName: r.raised_by_name,
    raisedAt: r.raised_at,
    acknowledgedByName: r.acknowledged_by_name,
    acknowledgedAt: r.acknowledged_at,
    acknowledgement: r.acknowledgement,
  };
}

function alertsQuery(db: DbOrTrx) {
  return db
    .selectFrom('dsl_alerts')
    .innerJoin('pupils', 'pupils.id', 'dsl_alerts.pupil_id')
    .select([
      'dsl_alerts.id',
      'dsl_alerts.school_id',
      'dsl_alerts.pupil_id',
      'dsl_alerts.kind',
      'dsl_alerts.summary',
      'dsl_alerts.raised_by_name',
      'dsl_alerts.raised_at',
      'dsl_alerts.acknowledged_by_name',
      'dsl_alerts.acknowledged_at',
      'dsl_alerts.acknowledgement',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'pupils.preferred_forename',
      'pupils.preferred_surname',
    ]);
}

/** A school's alerts, newest first (at most `limit`). */
export async function schoolDslAlerts(db: DbOrTrx, schoolId: string, limit = 200): Promise<DslAlertRow[]> {
  const rows = await alertsQuery(db)
    .where('dsl_alerts.school_id', '=', schoolId)
    .orderBy('dsl_alerts.raised_at', 'desc')
    .orderBy('dsl_alerts.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toAlert);
}

/** How many of a school's alerts are not yet acknowledged (the DSL's home page). */
export async function openDslAlertCount(db: DbOrTrx, schoolId: string): Promise<number> {
  const row = await db
    .selectFrom('dsl_alerts')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('school_id', '=', schoolId)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A pupil's alerts (for the chronology). */
export async function pupilDslAlerts(db: DbOrTrx, pupilId: string): Promise<DslAlertRow[]> {
  const rows = await alertsQuery(db).where('dsl_alerts.pupil_id', '=', pupilId).execute();
  return rows.map(toAlert);
}

export async function findDslAlert(db: DbOrTrx, id: string): Promise<DslAlertRow | undefined> {
  const r = await alertsQuery(db).where('dsl_alerts.id', '=', id).executeTakeFirst();
  return r ? toAlert(r) : undefined;
}

/** Acknowledges an open alert; false when it was already acknowledged. */
export async function acknowledgeDslAlertRow(
  db: DbOrTrx,
  id: string,
  by: { userId: string; name: string; at: string; note: string | null },
): Promise<boolean> {
  const r = await db
    .updateTable('dsl_alerts')
    .set({
      acknowledged_by: by.userId,
      acknowledged_by_name: by.name,
      acknowledged_at: by.at,
      acknowledgement: by.note,
    })
    .where('id', '=', id)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The email addresses of a school's designated safeguarding lead and deputies (enabled accounts). */
export async function dslEmails(db: DbOrTrx, schoolId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('email')
    .where('school_id', '=', schoolId)
    .where('role', 'in', ['dsl', 'deputy_dsl'])
    .where('disabled', '=', 0)
    .orderBy('email')
    .execute();
  return rows.map((r) => r.email);
}

// ---------------------------------------------------------------------------------------------
// The local authority's reasons to read a pupil's record
// ---------------------------------------------------------------------------------------------

/** Referral statuses that are finished (any other status is open). */
const CLOSED_REFERRALS = ['declined', 'closed'];

/**
 * Why the local authority may read a pupil's record, or null: an open referral, the pupil on a
 * return, a CME or EHE case or a joint enquiry with the LA, a support meeting held or planned,
 * or a reason an officer recorded that has not expired.
 */
export async function laReasonFor(db: DbOrTrx, pupilId: string, userId: string, today: string): Promise<string | null> {
  const [referral, item, contact, meeting, recorded] = await Promise.all([
    db
      .selectFrom('case_referrals')
      .select('agency')
      .where('pupil_id', '=', pupilId)
      .where('status', 'not in', CLOSED_REFERRALS)
      .executeTakeFirst(),
    db.selectFrom('la_return_items').select('kind').where('pupil_id', '=', pupilId).executeTakeFirst(),
    db
      .selectFrom('la_contacts')
      .select('kind')
      .where('pupil_id', '=', pupilId)
      .where('kind', 'in', ['cme_referral', 'ehe_notification', 'joint_enquiry'])
      .executeTakeFirst(),
    db
      .selectFrom('case_meetings')
      .select('kind')
      .where('pupil_id', '=', pupilId)
      .where('status', '!=', 'cancelled')
      .executeTakeFirst(),
    db
      .selectFrom('la_access_reasons')
      .select('reason')
      .where('pupil_id', '=', pupilId)
      .where('user_id', '=', userId)
      .where('expires_on', '>=', today)
      .orderBy('recorded_at', 'desc')
      .executeTakeFirst(),
  ]);
  if (referral) return `open referral (${referral.agency})`;
  if (contact) return contact.kind === 'ehe_notification' ? 'elective home education' : 'children missing education';
  if (item) return `on a return to the local authority (${item.kind})`;
  if (meeting) return 'support meeting';
  if (recorded) return `reason recorded: ${recorded.reason}`;
  return null;
}

/**
 * The agencies each of these pupils has a live referral to (made or accepted), by pupil: one of
 * the targeting-support-meeting list's reasons (services/analysis/tsm.ts).
 */
export async function liveReferralAgencies(db: DbOrTrx, pupilIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < pupilIds.length; i += 500) {
    const rows = await db
      .selectFrom('case_referrals')
      .select(['pupil_id', 'agency'])
      .where('pupil_id', 'in', pupilIds.slice(i, i + 500))
      .where('status', 'in', ['made', 'accepted'])
      .execute();
    for (const r of rows) out.set(r.pupil_id, [...(out.get(r.pupil_id) ?? []), r.agency]);
  }
  return out;
}

export interface LaReasonPupilRow {
  readonly pupilId: string;
  readonly schoolId: string;
  readonly upn: string;
  readonly name: string;
  readonly yearGroup: string | null;
  readonly reason: string;
}

/**
 * Every pupil of these schools the local authority has a reason to see (as {@link laReasonFor}
 * reads it; the officer's own recorded reasons only), one row per pupil and reason, on roll or not.
 */
export async function laReasonPupils(
  db: DbOrTrx,
  schoolIds: readonly string[],
  userId: string,
  today: string,
): Promise<LaReasonPupilRow[]> {
  if (schoolIds.length === 0) return [];
  const pupilCols = [
    'pupils.id as pupil_id',
    'pupils.school_id',
    'pupils.upn',
    'pupils.legal_forename',
    'pupils.legal_surname',
    'pupils.preferred_forename',
    'pupils.preferred_surname',
    'pupils.year_group',
  ] as const;
  const [referrals, items, contacts, meetings, recorded] = await Promise.all([
    db
      .selectFrom('case_referrals')
      .innerJoin('pupils', 'pupils.id', 'case_referrals.pupil_id')
      .select([...pupilCols, 'case_referrals.agency as detail'])
      .where('pupils.school_id', 'in', schoolIds)
      .where('case_referrals.status', 'not in', CLOSED_REFERRALS)
      .execute(),
    db
      .selectFrom('la_return_items')
      .innerJoin('pupils', 'pupils.id', 'la_return_items.pupil_id')
      .select([...pupilCols, 'la_return_items.kind as detail'])
      .where('pupils.school_id', 'in', schoolIds)
      .execute(),
    db
      .selectFrom('la_contacts')
      .innerJoin('pupils', 'pupils.id', 'la_contacts.pupil_id')
      .select([...pupilCols, 'la_contacts.kind as detail'])
      .where('pupils.school_id', 'in', schoolIds)
      .where('la_contacts.kind', 'in', ['cme_referral', 'ehe_notification', 'joint_enquiry'])
      .execute(),
    db
      .selectFrom('case_meetings')
      .innerJoin('pupils', 'pupils.id', 'case_meetings.pupil_id')
      .select([...pupilCols, 'case_meetings.kind as detail'])
      .where('pupils.school_id', 'in', schoolIds)
      .where('case_meetings.status', '!=', 'cancelled')
      .execute(),
    db
      .selectFrom('la_access_reasons')
      .innerJoin('pupils', 'pupils.id', 'la_access_reasons.pupil_id')
      .select([...pupilCols, 'la_access_reasons.reason as detail'])
      .where('pupils.school_id', 'in', schoolIds)
      .where('la_access_reasons.user_id', '=', userId)
      .where('la_access_reasons.expires_on', '>=', today)
      .execute(),
  ]);
  type Row = (typeof referrals)[number];
  const out: LaReasonPupilRow[] = [];
  const add = (rows: readonly Row[], reason: (detail: string) => string) => {
    for (const r of rows)
      out.push({
        pupilId: r.pupil_id,
        schoolId: r.school_id,
        upn: r.upn,
        name: `${r.preferred_forename ?? r.legal_forename} ${r.preferred_surname ?? r.legal_surname}`,
        yearGroup: r.year_group,
        reason: reason(r.detail),
      });
  };
  add(referrals, (agency) => `open referral (${agency})`);
  add(contacts, (kind) => (kind === 'ehe_notification' ? 'elective home education' : 'children missing education'));
  add(items, (kind) => `on a return to the local authority (${kind})`);
  add(meetings, () => 'support meeting');
  add(recorded, (reason) => `reason recorded: ${reason}`);
  return out;
}

export interface LaAccessReasonRow {
  readonly id: string;
  readonly userName: string;
  readonly reason: string;
  readonly recordedAt: string;
  readonly expiresOn: string;
}

export async function insertLaAccessReason(
  db: DbOrTrx,
  r: {
    id: string;
    schoolId: string;
    pupilId: string;
    userId: string;
    userName: string;
    reason: string;
    recordedAt: string;
    expiresOn: string;
  },
): Promise<void> {
  await db
    .insertInto('la_access_reasons')
    .values({
      id: r.id,
      school_id: r.schoolId,
      pupil_id: r.pupilId,
      user_id: r.userId,
      user_name: r.userName,
      reason: r.reason,
      recorded_at: r.recordedAt,
      expires_on: r.expiresOn,
    })
    .execute();
}

/** Every reason recorded to read a pupil's record, newest first (shown to the school). */
export async function laAccessReasonsOf(db: DbOrTrx, pupilId: string): Promise<LaAccessReasonRow[]> {
  const rows = await db
    .selectFrom('la_access_reasons')
    .select(['id', 'user_name', 'reason', 'recorded_at', 'expires_on'])
    .where('pupil_id', '=', pupilId)
    .orderBy('recorded_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    userName: r.user_name,
    reason: r.reason,
    recordedAt: r.recorded_at,
    expiresOn: r.expires_on,
  }));
}

// ---------------------------------------------------------------------------------------------
// Contacts restricted from the child
// ---------------------------------------------------------------------------------------------

/** Sets (or clears, with null) a contact's restriction; the contact's pupil, or undefined when there is no such contact. */
export async function setContactRestrictionRow(
  db: DbOrTrx,
  contactId: string,
  restriction: string | null,
): Promise<{ pupilId: string; name: string } | undefined> {
  const c = await db.selectFrom('contacts').select(['pupil_id', 'name']).where('id', '=', contactId).executeTakeFirst();
  if (!c) return undefined;
  await db.updateTable('contacts').set({ restriction }).where('id', '=', contactId).execute();
  return { pupilId: c.pupil_id, name: c.name };
}

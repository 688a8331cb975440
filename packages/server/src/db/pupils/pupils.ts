/** Pupils, their groups and their marks. */
import { sql, type Expression } from 'kysely';
import { lowerLike, prefixPattern } from '../like.js';
import type { PlainDate, Session } from '@rollcall/domain';
import { postgresPoolOf, type DbOrTrx } from '../connect.js';
import { gathered, prepared } from '../prepared.js';
import { toGroup, type Group } from '../registers/registers.js';
import type { SchoolRow } from '../school/schools.js';

export interface PupilSummary {
  readonly id: string;
  readonly schoolId: string;
  readonly upn: string;
  /** The name to show: preferred names when given, else legal names. */
  readonly forename: string;
  readonly surname: string;
  readonly yearGroup: string | null;
  readonly regGroupId: string | null;
  readonly admissionDate: PlainDate;
  readonly leavingDate: PlainDate | null;
}

export interface PupilDetails extends PupilSummary {
  readonly legalForename: string;
  readonly legalSurname: string;
  readonly dateOfBirth: PlainDate | null;
  readonly gender: string | null;
  readonly senStatus: 'N' | 'K' | 'E';
  readonly ehcp: boolean;
  readonly fsm: boolean;
  readonly pupilPremium: boolean;
  readonly eal: boolean;
  readonly youngCarer: boolean;
  readonly ethnicity: string | null;
  /** Safeguarding: shown only to roles allowed `pupil.viewSafeguarding`. */
  readonly safeguarding: {
    readonly cin: boolean;
    readonly cp: boolean;
    readonly lac: boolean;
    readonly previouslyLac: boolean;
    readonly socialWorker: string | null;
  };
}

export interface MarkRow {
  readonly pupilId: string;
  readonly date: PlainDate;
  readonly session: Session;
  readonly code: string;
  readonly minutesLate: number | null;
  readonly updatedAt: string;
  readonly updatedBy: string | null;
}

export interface HistoryRow {
  readonly id: string;
  readonly date: PlainDate;
  readonly session: string;
  readonly lessonId: string | null;
  readonly previousCode: string | null;
  readonly newCode: string;
  readonly previousMinutesLate: number | null;
  readonly newMinutesLate: number | null;
  readonly reason: string | null;
  readonly userName: string;
  readonly userRole: string;
  readonly at: string;
  readonly source: string;
}

const SUMMARY = [
  'id',
  'school_id',
  'upn',
  'legal_forename',
  'legal_surname',
  'preferred_forename',
  'preferred_surname',
  'year_group',
  'reg_group_id',
  'admission_date',
  'leaving_date',
] as const;

type SummaryRow = {
  id: string;
  school_id: string;
  upn: string;
  legal_forename: string;
  legal_surname: string;
  preferred_forename: string | null;
  preferred_surname: string | null;
  year_group: string | null;
  reg_group_id: string | null;
  admission_date: string;
  leaving_date: string | null;
};

function toSummary(r: SummaryRow): PupilSummary {
  return {
    id: r.id,
    schoolId: r.school_id,
    upn: r.upn,
    forename: r.preferred_forename ?? r.legal_forename,
    surname: r.preferred_surname ?? r.legal_surname,
    yearGroup: r.year_group,
    regGroupId: r.reg_group_id,
    admissionDate: r.admission_date as PlainDate,
    leavingDate: r.leaving_date as PlainDate | null,
  };
}

export async function findPupil(db: DbOrTrx, id: string): Promise<PupilDetails | undefined> {
  const r = await db
    .selectFrom('pupils')
    .select([
      ...SUMMARY,
      'date_of_birth',
      'gender',
      'sen_status',
      'ehcp',
      'fsm',
      'pupil_premium',
      'eal',
      'young_carer',
      'ethnicity',
      'cin',
      'cp',
      'lac',
      'previously_lac',
      'social_worker',
    ])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    ...toSummary(r),
    legalForename: r.legal_forename,
    legalSurname: r.legal_surname,
    dateOfBirth: r.date_of_birth as PlainDate | null,
    gender: r.gender,
    senStatus: r.sen_status === 'K' || r.sen_status === 'E' ? r.sen_status : 'N',
    ehcp: r.ehcp === 1,
    fsm: r.fsm === 1,
    pupilPremium: r.pupil_premium === 1,
    eal: r.eal === 1,
    youngCarer: r.young_carer === 1,
    ethnicity: r.ethnicity,
    safeguarding: {
      cin: r.cin === 1,
      cp: r.cp === 1,
      lac: r.lac === 1,
      previouslyLac: r.previously_lac === 1,
      socialWorker: r.social_worker,
    },
  };
}

/** The groups a pupil belongs to (registration group included). */
export async function pupilGroupIds(db: DbOrTrx, pupilId: string): Promise<string[]> {
  const rows = await db.selectFrom('group_members').select('group_id').where('pupil_id', '=', pupilId).execute();
  return rows.map((r) => r.group_id);
}

/** A group with its school, for the groups chosen after it. */
function groupsAndSchools(db: DbOrTrx) {
  return db
    .selectFrom('groups as g')
    .innerJoin('schools as s', 's.id', 'g.school_id')
    .select([
      'g.id as g_id',
      'g.school_id as g_school_id',
      'g.kind as g_kind',
      'g.name as g_name',
      'g.year_group as g_year_group',
      'g.subject as g_subject',
      's.id as s_id',
      's.urn as s_urn',
      's.name as s_name',
      's.phase as s_phase',
      's.la_code as s_la_code',
      's.la_name as s_la_name',
      's.trust_id as s_trust_id',
      's.time_zone as s_time_zone',
      's.policy_json as s_policy_json',
    ]);
}

/**
 * Every register save and view runs these two: built once per database (db/prepared.ts), and on
 * PostgreSQL the requests of one turn share one statement each (`gathered`: at 8:50 two hundred
 * saves arrive together).
 */
const groupAndSchoolOfOne = prepared((db, args: { groupId: string }) =>
  groupsAndSchools(db).where('g.id', '=', args.groupId),
);
const groupsAndSchoolsOfMany = prepared((db, args: { groupId: readonly string[] }) =>
  groupsAndSchools(db).where('g.id', '=', sql<string>`any(${args.groupId}::text[])`),
);
const groupAndSchoolQuery = gathered({
  one: groupAndSchoolOfOne,
  many: groupsAndSchoolsOfMany,
  keyOf: (p) => p.groupId,
  rowKey: (r) => r.g_id,
});

/**
 * A group's members on roll on a date, before the columns are chosen. The group and the date are
 * values, or columns of an enclosing query (the one-statement roll below).
 */
function onRollOfOne(db: DbOrTrx, args: { groupId: string | Expression<string>; date: string | Expression<string> }) {
  return db
    .selectFrom('group_members')
    .innerJoin('pupils', 'pupils.id', 'group_members.pupil_id')
    .where('group_members.group_id', '=', args.groupId)
    .where('pupils.admission_date', '<=', args.date)
    .where((eb) => eb.or([eb('pupils.leaving_date', 'is', null), eb('pupils.leaving_date', '>=', args.date)]));
}

/** The (group, date) pairs asked, each once, as the table `k` (PostgreSQL only). */
function groupDatePairs(args: { groupId: readonly string[]; date: readonly string[] }) {
  return sql<{
    group_id: string;
    on_date: string;
  }>`(select distinct * from unnest(${args.groupId}::text[], ${args.date}::text[]) as u(group_id, on_date))`.as('k');
}

/** The same for each (group, date) asked (PostgreSQL only): each row carries its pair as `k`. */
function onRollOfMany(db: DbOrTrx, args: { groupId: readonly string[]; date: readonly string[] }) {
  return db
    .selectFrom(groupDatePairs(args))
    .innerJoin('group_members', 'group_members.group_id', 'k.group_id')
    .innerJoin('pupils', 'pupils.id', 'group_members.pupil_id')
    .whereRef('pupils.admission_date', '<=', 'k.on_date')
    .where((eb) =>
      eb.or([eb('pupils.leaving_date', 'is', null), eb('pupils.leaving_date', '>=', eb.ref('k.on_date'))]),
    );
}

/** Members of a group on roll on a date (unordered). */
const memberOnRollQuery = prepared((db, args: { groupId: string; date: string }) =>
  onRollOfOne(db, args).select(SUMMARY.map((c) => `pupils.${c}` as const)),
);
/** The same for each (group, date) asked, each row named by its pair. */
const membersOnRollOfMany = prepared((db, args: { groupId: readonly string[]; date: readonly string[] }) =>
  onRollOfMany(db, args).select([
    ...SUMMARY.map((c) => `pupils.${c}` as const),
    'k.group_id as k_group_id',
    'k.on_date as k_on_date',
  ]),
);
const membersOnRollQuery = gathered({
  one: memberOnRollQuery,
  many: membersOnRollOfMany,
  keyOf: (p) => `${p.groupId}\u0000${p.date}`,
  rowKey: (r) => `${r.k_group_id}\u0000${r.k_on_date}`,
});

/**
 * A group, its school and its pupils on roll on a date: what every register save and every
 * register view needs first (two statements built once; the school's policy document is read
 * once, not with every pupil). Undefined when there is no such group.
 */
export async function groupWithMembersOnRoll(
  db: DbOrTrx,
  groupId: string,
  date: PlainDate,
): Promise<{ group: Group; schoolRow: SchoolRow; members: PupilSummary[] } | undefined> {
  const [rows, memberRows] = await Promise.all([
    groupAndSchoolQuery(db, { groupId }),
    membersOnRollQuery(db, { groupId, date }),
  ]);
  const first = rows[0];
  if (!first) return undefined;
  const members = memberRows.map(toSummary);
  members.sort(byPupilName);
  return { ...groupAndSchoolOf(first), members };
}

function groupAndSchoolOf(first: {
  g_id: string;
  g_school_id: string;
  g_kind: string;
  g_name: string;
  g_year_group: string | null;
  g_subject: string | null;
  s_id: string;
  s_urn: string;
  s_name: string;
  s_phase: string;
  s_la_code: string;
  s_la_name: string;
  s_trust_id: string | null;
  s_time_zone: string;
  s_policy_json: string;
}): { group: Group; schoolRow: SchoolRow } {
  const group = toGroup({
    id: first.g_id,
    school_id: first.g_school_id,
    kind: first.g_kind,
    name: first.g_name,
    year_group: first.g_year_group,
    subject: first.g_subject,
  });
  const schoolRow: SchoolRow = {
    id: first.s_id,
    urn: first.s_urn,
    name: first.s_name,
    phase: first.s_phase,
    la_code: first.s_la_code,
    la_name: first.s_la_name,
    trust_id: first.s_trust_id,
    time_zone: first.s_time_zone,
    policy_json: first.s_policy_json,
  };
  return { group, schoolRow };
}

/** Only the ids of a group's members on roll on a date. */
const memberIdOnRollQuery = prepared((db, args: { groupId: string; date: string }) =>
  onRollOfOne(db, args).select('pupils.id'),
);
const memberIdsOnRollOfMany = prepared((db, args: { groupId: readonly string[]; date: readonly string[] }) =>
  onRollOfMany(db, args).select(['pupils.id', 'k.group_id as k_group_id', 'k.on_date as k_on_date']),
);
const memberIdsOnRollQuery = gathered({
  one: memberIdOnRollQuery,
  many: memberIdsOnRollOfMany,
  keyOf: (p) => `${p.groupId}\u0000${p.date}`,
  rowKey: (r) => `${r.k_group_id}\u0000${r.k_on_date}`,
});

/**
 * On PostgreSQL (outside a transaction) the group, its school and its pupils' ids in one
 * statement, the ids as an array in the group's row: a register saved on its own then waits for
 * one round trip here, not two. Each round trip cost the server about 0.3 ms in the socket's
 * write alone, and PostgreSQL a statement's overhead, in bench c's saves spread over a second.
 */
const MEMBER_IDS_ON = (db: DbOrTrx, groupId: Expression<string>, date: string | Expression<string>) =>
  sql<string[]>`array(${onRollOfOne(db, { groupId, date }).select('pupils.id')})`;
const groupWithIdsOfOne = prepared((db, args: { groupId: string; date: string }) =>
  groupsAndSchools(db)
    .select(MEMBER_IDS_ON(db, sql.ref<string>('g.id'), args.date).as('member_ids'))
    .where('g.id', '=', args.groupId),
);
const groupsWithIdsOfMany = prepared((db, args: { groupId: readonly string[]; date: readonly string[] }) =>
  groupsAndSchools(db)
    .innerJoin(groupDatePairs(args), 'k.group_id', 'g.id')
    .select([
      MEMBER_IDS_ON(db, sql.ref<string>('g.id'), sql.ref<string>('k.on_date')).as('member_ids'),
      'k.group_id as k_group_id',
      'k.on_date as k_on_date',
    ]),
);
const groupWithIdsQuery = gathered({
  one: groupWithIdsOfOne,
  many: groupsWithIdsOfMany,
  keyOf: (p) => `${p.groupId}\u0000${p.date}`,
  rowKey: (r) => `${r.k_group_id}\u0000${r.k_on_date}`,
});

/**
 * A group, its school and only the ids of its pupils on roll on a date: what a register save
 * needs (which pupils it may mark). Reading each pupil's eleven summary columns as well cost
 * SQLite and better-sqlite3 about four times as much as the ids (about 150 against 40 µs for 30
 * pupils, most of it making the strings), on every save of the 8:50 rush; only a conflict's
 * message needs the names, and it reads them then. Undefined when there is no such group.
 */
export async function groupWithMemberIdsOnRoll(
  db: DbOrTrx,
  groupId: string,
  date: PlainDate,
): Promise<{ group: Group; schoolRow: SchoolRow; memberIds: string[] } | undefined> {
  if (postgresPoolOf(db)) {
    const first = (await groupWithIdsQuery(db, { groupId, date }))[0];
    return first && { ...groupAndSchoolOf(first), memberIds: first.member_ids };
  }
  const [rows, idRows] = await Promise.all([
    groupAndSchoolQuery(db, { groupId }),
    memberIdsOnRollQuery(db, { groupId, date }),
  ]);
  const first = rows[0];
  if (!first) return undefined;
  return { ...groupAndSchoolOf(first), memberIds: idRows.map((r) => r.id) };
}

export async function groupMembersOnRoll(db: DbOrTrx, groupId: string, date: PlainDate): Promise<PupilSummary[]> {
  return (await membersOnRollQuery(db, { groupId, date })).map(toSummary).sort(byPupilName);
}

function byPupilName(a: PupilSummary, b: PupilSummary): number {
  return a.surname.localeCompare(b.surname) || a.forename.localeCompare(b.forename);
}

/** Searches pupils of a school by name or UPN (case-insensitive prefix of any name part). */
export async function searchPupils(db: DbOrTrx, schoolId: string, query: string, limit = 50): Promise<PupilSummary[]> {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  // `%` and `_` are matched as typed (escaped), not as wildcards.
  const like = prefixPattern(q);
  const rows = await db
    .selectFrom('pupils')
    .select(SUMMARY)
    .where('school_id', '=', schoolId)
    .where((eb) =>
      eb.or([
        lowerLike('legal_surname', like),
        lowerLike('legal_forename', like),
        lowerLike('preferred_surname', like),
        lowerLike('preferred_forename', like),
        lowerLike('upn', like),
      ]),
    )
    .orderBy('legal_surname')
    .orderBy('legal_forename')
    .limit(limit)
    .execute();
  return rows.map(toSummary);
}

/** Session marks of some pupils on one date and session. */
export async function sessionMarksFor(
  db: DbOrTrx,
  pupilIds: readonly string[],
  date: PlainDate,
  session: Session,
): Promise<Map<string, MarkRow>> {
  const out = new Map<string, MarkRow>();
  if (pupilIds.length === 0) return out;
  for (let i = 0; i < pupilIds.length; i += 500) {
    const rows = await db
      .selectFrom('session_marks')
      .select(['pupil_id', 'date', 'session', 'code', 'minutes_late', 'updated_at', 'updated_by'])
      .where('pupil_id', 'in', pupilIds.slice(i, i + 500))
      .where('date', '=', date)
      .where('session', '=', session)
      .execute();
    for (const r of rows) out.set(r.pupil_id, toMark(r));
  }
  return out;
}

function toMark(r: {
  pupil_id: string;
  date: string;
  session: string;
  code: string;
  minutes_late: number | null;
  updated_at: string;
  updated_by: string | null;
}): MarkRow {
  return {
    pupilId: r.pupil_id,
    date: r.date as PlainDate,
    session: r.session as Session,
    code: r.code,
    minutesLate: r.minutes_late,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

/** Every session mark of a pupil, oldest first. */
export async function pupilMarks(db: DbOrTrx, pupilId: string): Promise<MarkRow[]> {
  const rows = await db
    .selectFrom('session_marks')
    .select(['pupil_id', 'date', 'session', 'code', 'minutes_late', 'updated_at', 'updated_by'])
    .where('pupil_id', '=', pupilId)
    .orderBy('date')
    .orderBy('session')
    .execute();
  return rows.map(toMark);
}

/** A pupil's mark history, newest first. */
export async function pupilHistory(db: DbOrTrx, pupilId: string, limit = 500): Promise<HistoryRow[]> {
  const rows = await db
    .selectFrom('mark_history')
    .select([
      'id',
      'date',
      'session',
      'lesson_id',
      'previous_code',
      'new_code',
      'previous_minutes_late',
      'new_minutes_late',
      'reason',
      'user_name',
      'user_role',
      'at',
      'source',
    ])
    .where('pupil_id', '=', pupilId)
    .orderBy('at', 'desc')
    // Rows written in the same instant (one save) keep a stable order.
    .orderBy('date', 'desc')
    .orderBy('session', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    date: r.date as PlainDate,
    session: r.session,
    lessonId: r.lesson_id,
    previousCode: r.previous_code,
    newCode: r.new_code,
    previousMinutesLate: r.previous_minutes_late,
    newMinutesLate: r.new_minutes_late,
    reason: r.reason,
    userName: r.user_name,
    userRole: r.user_role,
    at: r.at,
    source: r.source,
  }));
}

/** A pupil's session marks between two dates, inclusive (unordered). */
export async function pupilMarksBetween(
  db: DbOrTrx,
  pupilId: string,
  from: PlainDate,
  to: PlainDate,
): Promise<{ date: string; session: string; code: string; minutes_late: number | null }[]> {
  return db
    .selectFrom('session_marks')
    .select(['date', 'session', 'code', 'minutes_late'])
    .where('pupil_id', '=', pupilId)
    .where('date', '>=', from)
    .where('date', '<=', to)
    .execute();
}

/**
 * A pupil's contacts as their record shows them, by priority. Given `onlyLinkedTo` (a parent's
 * user id), only the contacts linked to that parent: in separated families a parent sees their
 * own contact details, never another adult's.
 */
export async function contactsOfPupil(db: DbOrTrx, pupilId: string, onlyLinkedTo?: string) {
  return db
    .selectFrom('contacts')
    .select([
      'id',
      'restriction',
      'name',
      'relationship',
      'parental_responsibility',
      'lives_with_pupil',
      'priority',
      'mobile_phone',
      'home_phone',
      'work_phone',
      'email',
    ])
    .where('pupil_id', '=', pupilId)
    .$if(onlyLinkedTo !== undefined, (q) =>
      q.where('id', 'in', (eb) =>
        eb
          .selectFrom('parent_links')
          .select('contact_id')
          .where('user_id', '=', onlyLinkedTo!)
          .where('pupil_id', '=', pupilId)
          .where('contact_id', 'is not', null)
          .$narrowType<{ contact_id: string }>(),
      ),
    )
    .orderBy('priority')
    .execute();
}

/** The email and mobile of the contacts a parent's account is linked to for a pupil. */
export async function linkedContactChannels(
  db: DbOrTrx,
  userId: string,
  pupilId: string,
): Promise<{ email: string | null; mobile_phone: string | null }[]> {
  return db
    .selectFrom('parent_links')
    .innerJoin('contacts', 'contacts.id', 'parent_links.contact_id')
    .select(['contacts.email', 'contacts.mobile_phone'])
    .where('parent_links.user_id', '=', userId)
    .where('parent_links.pupil_id', '=', pupilId)
    .execute();
}

/** The ids of a school's pupils with these UPNs (those found), with the UPN as stored. */
export async function pupilIdsWithUpns(
  db: DbOrTrx,
  schoolId: string,
  upns: readonly string[],
): Promise<{ id: string; upn: string }[]> {
  if (upns.length === 0) return [];
  return db
    .selectFrom('pupils')
    .select(['id', 'upn'])
    .where('school_id', '=', schoolId)
    .where('upn', 'in', [...upns])
    .execute();
}

/**
 * Long on purpose: it is every query of the import in one module (issue 19: queries
 * live in one place per feature), and the batched writers share the chunking that keeps SQLite
 * under its bound-value limit.
 *
 * What `rollcall import` reads from and writes to the database, in batches.
 *
 * Multi-row statements are sized so the number of bound values stays under SQLite's limit of
 * 32,766 (PostgreSQL allows 65,535, so one size serves both). A full year of a secondary
 * school's marks (about 570,000) is written in a few hundred statements.
 */
import type { PupilRow } from '../schema.js';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { postgresClientOf, sqliteHandleOf, type Db, type DbOrTrx, type Dialect } from '../connect.js';
import {
  copyHistory,
  copyMarks,
  dropMarkPupilForeignKeysForBulk,
  insertHistoryUnnest,
  restoreMarkPupilForeignKeys,
  insertMarksUnnest,
  sqliteInsertHistory,
  sqliteInsertMarks,
} from './mark-bulk.js';

/** SQLite's default SQLITE_MAX_VARIABLE_NUMBER (since 3.32); PostgreSQL's limit is 65,535. */
export const MAX_BOUND_VALUES = 32_766;

/** Splits rows into chunks whose values stay under the bound-value limit. */
export function chunked<T>(rows: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_BOUND_VALUES / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Values for `where x in (...)` lists, kept well under the limit. */
function inChunks<T>(values: readonly T[]): T[][] {
  return chunked(values, 4);
}

// ---------------------------------------------------------------------------------------------
// Schools and calendars
// ---------------------------------------------------------------------------------------------

export interface SchoolRow {
  id: string;
  urn: string;
  name: string;
  phase: string;
  la_code: string;
  la_name: string;
  estab: string | null;
  trust_id: string | null;
  time_zone: string;
  policy_json: string;
}

export async function insertSchool(db: DbOrTrx, row: Omit<SchoolRow, 'time_zone' | 'trust_id'>): Promise<void> {
  await db
    .insertInto('schools')
    .values({ ...row, trust_id: null })
    .execute();
}

export async function updateSchool(
  db: DbOrTrx,
  id: string,
  set: { name: string; phase: string; la_code: string; la_name: string; estab: string | null },
): Promise<void> {
  await db.updateTable('schools').set(set).where('id', '=', id).execute();
}

export interface TermRow {
  id: string;
  name: string;
  start_date: string;
  end_date: string;
}

export interface ClosureRow {
  id: string;
  date: string;
  session: string;
  reason: string;
}

export async function loadTerms(db: DbOrTrx, schoolId: string): Promise<TermRow[]> {
  return db
    .selectFrom('terms')
    .select(['id', 'name', 'start_date', 'end_date'])
    .where('school_id', '=', schoolId)
    .orderBy('start_date')
    .execute();
}

export async function loadClosures(db: DbOrTrx, schoolId: string): Promise<ClosureRow[]> {
  return db
    .selectFrom('closures')
    .select(['id', 'date', 'session', 'reason'])
    .where('school_id', '=', schoolId)
    .orderBy('date')
    .execute();
}

/** How the stored terms and closures become the calendar file's. */
export interface CalendarChange {
  removeTerms: string[];
  addTerms: TermRow[];
  updateTerms: TermRow[];
  removeClosures: string[];
  addClosures: ClosureRow[];
  updateClosures: ClosureRow[];
}

export async function writeCalendar(db: DbOrTrx, schoolId: string, change: CalendarChange): Promise<void> {
  for (const ids of inChunks(change.removeTerms)) await db.deleteFrom('terms').where('id', 'in', ids).execute();
  for (const ids of inChunks(change.removeClosures)) await db.deleteFrom('closures').where('id', 'in', ids).execute();
  for (const t of change.updateTerms) {
    await db
      .updateTable('terms')
      .set({ name: t.name, start_date: t.start_date, end_date: t.end_date })
      .where('id', '=', t.id)
      .execute();
  }
  for (const c of change.updateClosures) {
    await db
      .updateTable('closures')
      .set({ date: c.date, session: c.session, reason: c.reason })
      .where('id', '=', c.id)
      .execute();
  }
  for (const chunk of chunked(change.addTerms, 5)) {
    await db
      .insertInto('terms')
      .values(chunk.map((t) => ({ ...t, school_id: schoolId })))
      .execute();
  }
  for (const chunk of chunked(change.addClosures, 5)) {
    await db
      .insertInto('closures')
      .values(chunk.map((c) => ({ ...c, school_id: schoolId })))
      .execute();
  }
}

/** Each (date, session, code) the school's stored marks use, with how many marks. */
export async function markSessionsOfSchool(
  db: DbOrTrx,
  schoolId: string,
): Promise<{ date: string; session: string; code: string; marks: number }[]> {
  const rows = await db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select((eb) => [
      'session_marks.date',
      'session_marks.session',
      'session_marks.code',
      eb.fn.countAll<number | string>().as('marks'),
    ])
    .where('pupils.school_id', '=', schoolId)
    .groupBy(['session_marks.date', 'session_marks.session', 'session_marks.code'])
    .execute();
  return rows.map((r) => ({ date: r.date, session: r.session, code: r.code, marks: Number(r.marks) }));
}

/** The first and last date of each pupil's stored marks. */
export async function markSpans(db: DbOrTrx, schoolId: string): Promise<Map<string, { first: string; last: string }>> {
  const rows = await db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select((eb) => [
      'session_marks.pupil_id',
      eb.fn.min('session_marks.date').as('first'),
      eb.fn.max('session_marks.date').as('last'),
    ])
    .where('pupils.school_id', '=', schoolId)
    .groupBy('session_marks.pupil_id')
    .execute();
  return new Map(rows.map((r) => [r.pupil_id, { first: r.first, last: r.last }]));
}

// ---------------------------------------------------------------------------------------------
// Pupils
// ---------------------------------------------------------------------------------------------

/** A pupils row as stored (flags 0/1). */
export type PupilRecord = PupilRow;

export const PUPIL_COLUMNS = [
  'id',
  'school_id',
  'upn',
  'legal_surname',
  'legal_forename',
  'preferred_surname',
  'preferred_forename',
  'date_of_birth',
  'gender',
  'year_group',
  'reg_group_id',
  'admission_date',
  'leaving_date',
  'sen_status',
  'ehcp',
  'fsm',
  'pupil_premium',
  'eal',
  'cin',
  'cp',
  'lac',
  'previously_lac',
  'young_carer',
  'social_worker',
  'ethnicity',
  'address',
  'postcode',
] as const satisfies readonly (keyof PupilRecord)[];

export async function loadPupils(db: DbOrTrx, schoolId: string): Promise<PupilRecord[]> {
  const rows = await db.selectFrom('pupils').select(PUPIL_COLUMNS).where('school_id', '=', schoolId).execute();
  // Flags are integers; some drivers hand back strings or booleans, so normalise.
  return rows.map((r) => ({
    ...r,
    ehcp: Number(r.ehcp),
    fsm: Number(r.fsm),
    pupil_premium: Number(r.pupil_premium),
    eal: Number(r.eal),
    cin: Number(r.cin),
    cp: Number(r.cp),
    lac: Number(r.lac),
    previously_lac: Number(r.previously_lac),
    young_carer: Number(r.young_carer),
  }));
}

/** Inserts new pupils and rewrites changed ones (matched by id), in batches. */
export async function writePupils(
  db: DbOrTrx,
  created: readonly PupilRecord[],
  updated: readonly PupilRecord[],
): Promise<void> {
  for (const chunk of chunked(created, PUPIL_COLUMNS.length)) await db.insertInto('pupils').values(chunk).execute();
  for (const chunk of chunked(updated, PUPIL_COLUMNS.length)) {
    await db
      .insertInto('pupils')
      .values(chunk)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          legal_surname: eb.ref('excluded.legal_surname'),
          legal_forename: eb.ref('excluded.legal_forename'),
          preferred_surname: eb.ref('excluded.preferred_surname'),
          preferred_forename: eb.ref('excluded.preferred_forename'),
          date_of_birth: eb.ref('excluded.date_of_birth'),
          gender: eb.ref('excluded.gender'),
          year_group: eb.ref('excluded.year_group'),
          reg_group_id: eb.ref('excluded.reg_group_id'),
          admission_date: eb.ref('excluded.admission_date'),
          leaving_date: eb.ref('excluded.leaving_date'),
          sen_status: eb.ref('excluded.sen_status'),
          ehcp: eb.ref('excluded.ehcp'),
          fsm: eb.ref('excluded.fsm'),
          pupil_premium: eb.ref('excluded.pupil_premium'),
          eal: eb.ref('excluded.eal'),
          cin: eb.ref('excluded.cin'),
          cp: eb.ref('excluded.cp'),
          lac: eb.ref('excluded.lac'),
          previously_lac: eb.ref('excluded.previously_lac'),
          young_carer: eb.ref('excluded.young_carer'),
          social_worker: eb.ref('excluded.social_worker'),
          ethnicity: eb.ref('excluded.ethnicity'),
          address: eb.ref('excluded.address'),
          postcode: eb.ref('excluded.postcode'),
        })),
      )
      .execute();
  }
}

// ---------------------------------------------------------------------------------------------
// Groups, members and staff
// ---------------------------------------------------------------------------------------------

export interface GroupRow {
  id: string;
  kind: string;
  name: string;
  year_group: string | null;
  subject: string | null;
}

export async function loadGroups(db: DbOrTrx, schoolId: string): Promise<GroupRow[]> {
  return db
    .selectFrom('groups')
    .select(['id', 'kind', 'name', 'year_group', 'subject'])
    .where('school_id', '=', schoolId)
    .execute();
}

export async function loadMembers(db: DbOrTrx, schoolId: string): Promise<{ group_id: string; pupil_id: string }[]> {
  return db
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['group_members.group_id', 'group_members.pupil_id'])
    .where('groups.school_id', '=', schoolId)
    .execute();
}

export async function loadGroupStaff(db: DbOrTrx, schoolId: string): Promise<{ group_id: string; user_id: string }[]> {
  return db
    .selectFrom('group_staff')
    .innerJoin('groups', 'groups.id', 'group_staff.group_id')
    .select(['group_staff.group_id', 'group_staff.user_id'])
    .where('groups.school_id', '=', schoolId)
    .execute();
}

/** Users by email (lower case), for linking staff to groups. */
export async function usersByEmail(
  db: DbOrTrx,
  emails: readonly string[],
): Promise<Map<string, { id: string; schoolId: string | null }>> {
  const out = new Map<string, { id: string; schoolId: string | null }>();
  for (const chunk of inChunks(emails)) {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'email', 'school_id'])
      .where((eb) => eb(eb.fn('lower', ['email']), 'in', chunk))
      .execute();
    for (const r of rows) out.set(r.email.toLowerCase(), { id: r.id, schoolId: r.school_id });
  }
  return out;
}

export async function writeGroups(
  db: DbOrTrx,
  schoolId: string,
  created: readonly GroupRow[],
  updated: readonly GroupRow[],
): Promise<void> {
  for (const chunk of chunked(created, 6)) {
    await db
      .insertInto('groups')
      .values(chunk.map((g) => ({ ...g, school_id: schoolId })))
      .execute();
  }
  for (const g of updated) {
    await db
      .updateTable('groups')
      .set({ year_group: g.year_group, subject: g.subject })
      .where('id', '=', g.id)
      .execute();
  }
}

export interface Pair {
  group_id: string;
  pupil_id: string;
}

export async function writeMembers(db: DbOrTrx, added: readonly Pair[], removed: readonly Pair[]): Promise<void> {
  await deletePairs(
    db,
    'group_members',
    removed.map((p) => ({ group_id: p.group_id, other: p.pupil_id })),
  );
  for (const chunk of chunked(added, 2)) await db.insertInto('group_members').values(chunk).execute();
}

export async function writeStaff(
  db: DbOrTrx,
  added: readonly { group_id: string; user_id: string }[],
  removed: readonly { group_id: string; user_id: string }[],
): Promise<void> {
  await deletePairs(
    db,
    'group_staff',
    removed.map((p) => ({ group_id: p.group_id, other: p.user_id })),
  );
  for (const chunk of chunked(added, 2)) await db.insertInto('group_staff').values(chunk).execute();
}

/** Deletes (group, x) pairs: one statement per group. */
async function deletePairs(
  db: DbOrTrx,
  table: 'group_members' | 'group_staff',
  pairs: readonly { group_id: string; other: string }[],
): Promise<void> {
  const byGroup = new Map<string, string[]>();
  for (const p of pairs) {
    const list = byGroup.get(p.group_id) ?? [];
    list.push(p.other);
    byGroup.set(p.group_id, list);
  }
  for (const [groupId, others] of byGroup) {
    for (const ids of inChunks(others)) {
      if (table === 'group_members') {
        await db.deleteFrom('group_members').where('group_id', '=', groupId).where('pupil_id', 'in', ids).execute();
      } else {
        await db.deleteFrom('group_staff').where('group_id', '=', groupId).where('user_id', 'in', ids).execute();
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Contacts
// ---------------------------------------------------------------------------------------------

export interface ContactRecord {
  id: string;
  pupil_id: string;
  name: string;
  relationship: string;
  parental_responsibility: number;
  lives_with_pupil: number;
  priority: number;
  mobile_phone: string | null;
  home_phone: string | null;
  work_phone: string | null;
  email: string | null;
  address: string | null;
  postcode: string | null;
  /** A language code such as `pl`; null is English (migration letters-fit-to-post). */
  preferred_language: string | null;
  /** 'no_contact' or 'court_order': never reaches the child (migration trust-and-safety). */
  restriction: string | null;
}

const CONTACT_COLUMNS = [
  'contacts.id',
  'contacts.pupil_id',
  'contacts.name',
  'contacts.relationship',
  'contacts.parental_responsibility',
  'contacts.lives_with_pupil',
  'contacts.priority',
  'contacts.mobile_phone',
  'contacts.home_phone',
  'contacts.work_phone',
  'contacts.email',
  'contacts.address',
  'contacts.postcode',
  'contacts.preferred_language',
  'contacts.restriction',
] as const;

export async function loadContacts(db: DbOrTrx, schoolId: string): Promise<ContactRecord[]> {
  const rows = await db
    .selectFrom('contacts')
    .innerJoin('pupils', 'pupils.id', 'contacts.pupil_id')
    .select(CONTACT_COLUMNS)
    .where('pupils.school_id', '=', schoolId)
    .execute();
  return rows.map((r) => ({
    ...r,
    parental_responsibility: Number(r.parental_responsibility),
    lives_with_pupil: Number(r.lives_with_pupil),
    priority: Number(r.priority),
  }));
}

/** Contacts removed that a parent account is linked through. */
export async function linkedContacts(db: DbOrTrx, contactIds: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const ids of inChunks(contactIds)) {
    const rows = await db.selectFrom('parent_links').select('contact_id').where('contact_id', 'in', ids).execute();
    for (const r of rows) if (r.contact_id !== null) out.add(r.contact_id);
  }
  return out;
}

export async function writeContacts(
  db: DbOrTrx,
  created: readonly ContactRecord[],
  updated: readonly ContactRecord[],
  removed: readonly string[],
): Promise<void> {
  for (const ids of inChunks(removed)) {
    // A parent account stays linked to the pupil; only its link to this contact goes.
    await db.updateTable('parent_links').set({ contact_id: null }).where('contact_id', 'in', ids).execute();
    await db.deleteFrom('contacts').where('id', 'in', ids).execute();
  }
  for (const chunk of chunked(created, CONTACT_COLUMNS.length)) await db.insertInto('contacts').values(chunk).execute();
  for (const chunk of chunked(updated, CONTACT_COLUMNS.length)) {
    await db
      .insertInto('contacts')
      .values(chunk)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          relationship: eb.ref('excluded.relationship'),
          parental_responsibility: eb.ref('excluded.parental_responsibility'),
          lives_with_pupil: eb.ref('excluded.lives_with_pupil'),
          priority: eb.ref('excluded.priority'),
          mobile_phone: eb.ref('excluded.mobile_phone'),
          home_phone: eb.ref('excluded.home_phone'),
          work_phone: eb.ref('excluded.work_phone'),
          email: eb.ref('excluded.email'),
          address: eb.ref('excluded.address'),
          postcode: eb.ref('excluded.postcode'),
          preferred_language: eb.ref('excluded.preferred_language'),
          restriction: eb.ref('excluded.restriction'),
        })),
      )
      .execute();
  }
}

// ---------------------------------------------------------------------------------------------
// Marks
// ---------------------------------------------------------------------------------------------

export interface StoredMark {
  code: string;
  minutesLate: number | null;
}

/** Stored marks by pupil id, then by `date session` (e.g. `2025-09-03 AM`). */
export type StoredMarks = Map<string, Map<string, StoredMark>>;

/** The school's stored session marks dated from `from` to `to` (inclusive). */
export async function loadMarks(db: DbOrTrx, schoolId: string, from: string, to: string): Promise<StoredMarks> {
  const rows = await db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select([
      'session_marks.pupil_id',
      'session_marks.date',
      'session_marks.session',
      'session_marks.code',
      'session_marks.minutes_late',
    ])
    .where('pupils.school_id', '=', schoolId)
    .where('session_marks.date', '>=', from)
    .where('session_marks.date', '<=', to)
    .execute();
  const out: StoredMarks = new Map();
  for (const r of rows) {
    let marks = out.get(r.pupil_id);
    if (!marks) {
      marks = new Map();
      out.set(r.pupil_id, marks);
    }
    marks.set(`${r.date} ${r.session}`, {
      code: r.code,
      minutesLate: r.minutes_late === null ? null : Number(r.minutes_late),
    });
  }
  return out;
}

export interface MarkChange {
  readonly pupilId: string;
  readonly date: string;
  readonly session: string;
  readonly code: string;
  readonly minutesLate: number | null;
  /** undefined for a new mark. */
  readonly previous: StoredMark | undefined;
}

export interface MarkAuthor {
  readonly userId: string | null;
  readonly userName: string;
  readonly userRole: string;
  readonly at: string;
  readonly reason: string;
  /** The history's source: 'import' (the default) or 'CTF'. */
  readonly source?: string | undefined;
  /** Makes the id of each history row. */
  readonly newId: () => string;
}

/**
 * How rows are sent (see {@link bulkModeOf}). `values`: multi-row VALUES, portable, sized by
 * {@link MAX_BOUND_VALUES}. `sqlite`: new marks and history through one prepared statement on
 * the driver's handle (db/exchange/mark-bulk.ts), else as one JSON parameter per statement
 * unpacked by json_each. `postgres`: new marks and history streamed with COPY on the
 * transaction's client, else one array per column unpacked by unnest. See docs/cli/import.md,
 * "Speed".
 */
export type BulkMode =
  | { readonly kind: 'values' }
  | { readonly kind: 'sqlite'; readonly handle: SQLite.Database | undefined }
  | { readonly kind: 'postgres'; readonly db: Db };

/** The fastest way to send an import's rows to `db` (opened by db/connect.ts) of `dialect`. */
export function bulkModeOf(db: Db, dialect: Dialect | undefined): BulkMode {
  if (dialect === 'sqlite') return { kind: 'sqlite', handle: sqliteHandleOf(db) };
  if (dialect === 'postgres') return { kind: 'postgres', db };
  return { kind: 'values' };
}

/** Rows per statement when they travel as JSON (a few megabytes). */
const JSON_ROWS = 20_000;

function slices<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

interface MarkRowOut {
  pupil_id: string;
  date: string;
  session: string;
  code: string;
  minutes_late: number | null;
}

interface HistoryRowOut {
  id: string;
  pupil_id: string;
  date: string;
  session: string;
  previous_code: string | null;
  new_code: string;
  previous_minutes_late: number | null;
  new_minutes_late: number | null;
}

function markRowOut(m: MarkChange): MarkRowOut {
  return { pupil_id: m.pupilId, date: m.date, session: m.session, code: m.code, minutes_late: m.minutesLate };
}

/** History rows as objects, for the portable ways (VALUES, json_each); ids in the lists' order. */
function historyRowsOut(lists: readonly (readonly MarkChange[])[], newId: () => string): HistoryRowOut[] {
  const out: HistoryRowOut[] = [];
  for (const list of lists) {
    for (const m of list) {
      out.push({
        id: newId(),
        pupil_id: m.pupilId,
        date: m.date,
        session: m.session,
        previous_code: m.previous?.code ?? null,
        new_code: m.code,
        previous_minutes_late: m.previous?.minutesLate ?? null,
        new_minutes_late: m.minutesLate,
      });
    }
  }
  return out;
}

async function insertNewMarks(
  db: DbOrTrx,
  mode: BulkMode,
  client: pg.PoolClient | undefined,
  marks: readonly MarkChange[],
  author: MarkAuthor,
): Promise<void> {
  const columns = ['pupil_id', 'date', 'session', 'code', 'minutes_late', 'updated_at', 'updated_by'] as const;
  if (mode.kind === 'values') {
    for (const chunk of chunked(marks, columns.length)) {
      await db
        .insertInto('session_marks')
        .values(chunk.map((m) => ({ ...markRowOut(m), updated_at: author.at, updated_by: author.userId })))
        .execute();
    }
    return;
  }
  if (mode.kind === 'postgres') {
    if (client) await copyMarks(client, marks, author.at, author.userId);
    else for (const chunk of slices(marks, JSON_ROWS)) await insertMarksUnnest(db, chunk, author.at, author.userId);
    return;
  }
  if (mode.handle) {
    await sqliteInsertMarks(mode.handle, marks, author.at, author.userId);
    return;
  }
  for (const chunk of slices(marks, JSON_ROWS)) {
    const json = JSON.stringify(chunk.map(markRowOut));
    await db
      .insertInto('session_marks')
      .columns(columns)
      .expression((eb) =>
        eb
          .selectFrom(eb.fn<{ value: string }>('json_each', [eb.val(json)]).as('j'))
          .select((s) => [
            s.fn<string>('json_extract', ['j.value', s.val('$.pupil_id')]).as('pupil_id'),
            s.fn<string>('json_extract', ['j.value', s.val('$.date')]).as('date'),
            s.fn<string>('json_extract', ['j.value', s.val('$.session')]).as('session'),
            s.fn<string>('json_extract', ['j.value', s.val('$.code')]).as('code'),
            s.fn<number | null>('json_extract', ['j.value', s.val('$.minutes_late')]).as('minutes_late'),
            s.val(author.at).as('updated_at'),
            s.val(author.userId).as('updated_by'),
          ]),
      )
      .execute();
  }
}

/** The history of the lists' marks, in the lists' order (so their ids are too). */
async function insertHistory(
  db: DbOrTrx,
  mode: BulkMode,
  client: pg.PoolClient | undefined,
  lists: readonly (readonly MarkChange[])[],
  author: MarkAuthor,
): Promise<void> {
  const constant = {
    reason: author.reason,
    user_id: author.userId,
    user_name: author.userName,
    user_role: author.userRole,
    at: author.at,
    source: author.source ?? 'import',
  };
  if (mode.kind === 'values') {
    for (const chunk of chunked(historyRowsOut(lists, author.newId), 8 + Object.keys(constant).length)) {
      await db
        .insertInto('mark_history')
        .values(chunk.map((r) => ({ ...r, ...constant })))
        .execute();
    }
    return;
  }
  const columns = [
    'id',
    'pupil_id',
    'date',
    'session',
    'previous_code',
    'new_code',
    'previous_minutes_late',
    'new_minutes_late',
    'reason',
    'user_id',
    'user_name',
    'user_role',
    'at',
    'source',
  ] as const;
  if (mode.kind === 'postgres') {
    if (client) await copyHistory(client, lists, constant, author.newId);
    else {
      for (const chunk of slices(lists.flat(), JSON_ROWS)) {
        await insertHistoryUnnest(
          db,
          chunk,
          chunk.map(() => author.newId()),
          constant,
        );
      }
    }
    return;
  }
  if (mode.handle) {
    await sqliteInsertHistory(mode.handle, lists, constant, author.newId);
    return;
  }
  for (const chunk of slices(historyRowsOut(lists, author.newId), JSON_ROWS)) {
    const json = JSON.stringify(chunk);
    await db
      .insertInto('mark_history')
      .columns(columns)
      .expression((eb) =>
        eb
          .selectFrom(eb.fn<{ value: string }>('json_each', [eb.val(json)]).as('j'))
          .select((s) => [
            s.fn<string>('json_extract', ['j.value', s.val('$.id')]).as('id'),
            s.fn<string>('json_extract', ['j.value', s.val('$.pupil_id')]).as('pupil_id'),
            s.fn<string>('json_extract', ['j.value', s.val('$.date')]).as('date'),
            s.fn<string>('json_extract', ['j.value', s.val('$.session')]).as('session'),
            s.fn<string | null>('json_extract', ['j.value', s.val('$.previous_code')]).as('previous_code'),
            s.fn<string>('json_extract', ['j.value', s.val('$.new_code')]).as('new_code'),
            s
              .fn<number | null>('json_extract', ['j.value', s.val('$.previous_minutes_late')])
              .as('previous_minutes_late'),
            s.fn<number | null>('json_extract', ['j.value', s.val('$.new_minutes_late')]).as('new_minutes_late'),
            s.val(constant.reason).as('reason'),
            s.val(constant.user_id).as('user_id'),
            s.val(constant.user_name).as('user_name'),
            s.val(constant.user_role).as('user_role'),
            s.val(constant.at).as('at'),
            s.val(constant.source).as('source'),
          ]),
      )
      .execute();
  }
}

/**
 * Writes new and changed session marks, each with its history row (previous code, new code,
 * source 'import', the reason, who and when). New marks are plain inserts, so a mark written by
 * someone else since the import read the marks makes the database refuse the whole import.
 */
export async function writeMarks(
  db: DbOrTrx,
  mode: BulkMode,
  created: readonly MarkChange[],
  updated: readonly MarkChange[],
  author: MarkAuthor,
): Promise<void> {
  // PostgreSQL: the client the transaction runs on, for COPY (none found: arrays and unnest).
  const client =
    mode.kind === 'postgres' && created.length + updated.length > 0 ? await postgresClientOf(mode.db, db) : undefined;
  // A year for a new installation: the keys to pupils checked once, in bulk, before commit.
  const keysDropped = client ? await dropMarkPupilForeignKeysForBulk(db, created.length + updated.length) : false;
  await insertNewMarks(db, mode, client, created, author);
  for (const chunk of chunked(updated, 7)) {
    await db
      .insertInto('session_marks')
      .values(chunk.map((m) => ({ ...markRowOut(m), updated_at: author.at, updated_by: author.userId })))
      .onConflict((oc) =>
        oc.columns(['pupil_id', 'date', 'session']).doUpdateSet((eb) => ({
          code: eb.ref('excluded.code'),
          minutes_late: eb.ref('excluded.minutes_late'),
          updated_at: eb.ref('excluded.updated_at'),
          updated_by: eb.ref('excluded.updated_by'),
        })),
      )
      .execute();
  }
  // Each mark's history row, made as it is sent (COPY, SQLite) rather than as a copy of the year.
  await insertHistory(db, mode, client, [created, updated], author);
  if (keysDropped) await restoreMarkPupilForeignKeys(db);
}

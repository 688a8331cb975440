/**
 * Saving registers together (group commit). At 8:50 every form tutor saves at once; one
 * transaction per save spends most of its time beginning, committing and, on PostgreSQL, waiting
 * for round trips. Saves that arrive while the database is busy (or in the same turn of the event
 * loop) are written in one transaction:
 *
 * - each save still checks its own register's version (optimistic concurrency), reads the marks
 *   stored now and is decided on them alone (`decide`, from services/registers/registers.ts); a conflict or
 *   a refusal affects that save only;
 * - SQLite runs prepared statements directly on the better-sqlite3 handle (while holding Kysely's
 *   connection, so no Kysely transaction is open beside it), the batch in one transaction; if a
 *   save's statements fail, the batch is rolled back and its saves written again one by one, so
 *   that save fails alone;
 * - PostgreSQL reads every register and mark of the batch in one statement and writes everything
 *   in one more (arrays through `unnest`, data-modifying CTEs: atomic by itself), whatever the
 *   batch's size, on the writer's own connections (not queued behind every request's reads; two
 *   batches may be in flight at once, never sharing a register or a mark: IN_FLIGHT). The write
 *   moves each register on only if it still has the version its save was decided on, and writes
 *   marks, history and audit only for those registers: a register another server saved since the
 *   read is a conflict for that save alone. If the statement fails, the batch's saves are written
 *   again one by one, so one bad save fails alone.
 *
 * Every mark written appends its history row, as every other writer does (the analysis cache
 * follows `mark_history`), and each save writes its audit row with its marks, atomically.
 */
import type { PlainDate, Session } from '@rollcall/domain';
import { CompiledQuery } from 'kysely';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { newId } from '../../platform/ids.js';
import {
  postgresWriterOf,
  postgresWriterPoolOf,
  sqliteHandleOf,
  type Db,
  type DbOrTrx,
  type Dialect,
} from '../connect.js';
import type { AuditLogTable } from '../schema.js';
import type { Author, MarkWrite } from './registers.js';

/** A mark as stored when a save is decided. */
export interface StoredMark {
  readonly code: string;
  readonly minutesLate: number | null;
  readonly updatedBy: string | null;
}

/**
 * What a save writes (only marks that change something), why it is refused, or that it conflicts
 * with a mark someone else wrote since the user loaded the register (the register's version does
 * not move for a single mark written by the office or a parent's report).
 */
export type SaveDecision<E> =
  | { readonly ok: true; readonly writes: readonly MarkWrite[]; readonly audit: AuditLogTable }
  | { readonly ok: false; readonly refusal: E }
  | { readonly ok: 'conflict' };

export interface RegisterSave<E> {
  readonly schoolId: string;
  readonly groupId: string;
  readonly date: PlainDate;
  /** The session the marks belong to (a lesson's session for lesson registers). */
  readonly session: Session;
  /** `AM`, `PM` or `lesson:<id>`: the register's key with the group and date. */
  readonly sessionKey: string;
  readonly lessonId: string | null;
  /** The version the user loaded; 0 for a register never saved. */
  readonly expectedVersion: number;
  /** Whose stored marks `decide` needs (session registers; lesson registers read the lesson's). */
  readonly pupilIds: readonly string[];
  readonly author: Author;
  /** Decides the save on the marks stored now (pupil id → mark). Runs inside the transaction. */
  decide(current: ReadonlyMap<string, StoredMark>): SaveDecision<E>;
}

export type SaveOutcome<E> =
  | {
      readonly kind: 'saved';
      readonly version: number;
      readonly changed: number;
      /**
       * Whether the school had a webhook subscription switched on when the save was written
       * (PostgreSQL reads it in the write's own statement); undefined when not asked (SQLite,
       * where reading the subscriptions afterwards costs no round trip).
       */
      readonly webhooks?: boolean;
    }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'refused'; readonly refusal: E };

/** At most this many saves go into one transaction (the rest wait for the next). */
const MAX_BATCH = 256;
/**
 * On SQLite (where writing blocks the event loop anyway) a batch is written as soon as this many
 * saves wait, without waiting for the rest of the turn: when 200 requests arrive together, the
 * first teachers are answered while the others are still being read, instead of everyone waiting
 * for the last. On PostgreSQL saves gather while a batch is in flight, and smaller batches would
 * only mean more round trips.
 *
 * It was 16. Each commit writes every page its batch changed to the WAL, and the saves of one
 * round share pages (the marks' and the history index's pages hold several pupils each, and every
 * B-tree's upper pages), so small batches write the same pages several times: in bench c the
 * server's system time fell from 0.31–0.37 ms a save at 16 to 0.17–0.21 at 64 (0.12–0.16 with
 * one batch a turn), its whole CPU a save by about a fifth.
 */
const WRITE_AT = 64;

interface Pending {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a queue holds saves of any refusal type
  readonly save: RegisterSave<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  readonly resolve: (outcome: SaveOutcome<any>) => void;
  readonly reject: (error: unknown) => void;
}

interface Queue {
  readonly pending: Pending[];
  /** Batches being written now (saves arriving meanwhile wait for the next). */
  inFlight: number;
  /** A write is already set for when the event loop is next free. */
  scheduled: boolean;
  /**
   * What the batches in flight write, each key counted once per save holding it: a register (its
   * group, date and session) and its marks (a session register's pupils, a lesson's marks). A
   * save touching any of them waits for the next batch, decided on what those batches wrote.
   */
  readonly busy: Map<string, number>;
}

/**
 * How many batches may be written at once. SQLite writes synchronously: one. PostgreSQL: two, on
 * the writer's two connections (db/connect.ts). A save written on its own spends most of its time
 * waiting for its two round trips (the read, then the write and its commit), so when saves arrive
 * one by one (tutors saving over the minutes before the register closes) a single writer became
 * the queue: in bench c, 200 saves spread over a second waited 28–34 ms at the median and
 * 100–126 ms at p99 with one. Two batches in flight never share a register or a mark (`busy`);
 * each still checks its registers' versions in its own write, as a batch on another server would.
 */
const IN_FLIGHT: Record<Dialect, number> = { sqlite: 1, postgres: 2 };

const queues = new WeakMap<Db, Queue>();

/**
 * Saves a register with whatever other saves are waiting: resolves with this save's outcome once
 * its transaction has committed. Rejects only when the database fails (not for a conflict or a
 * refusal, which are outcomes).
 */
export function saveRegisterInBatch<E>(db: Db, dialect: Dialect, save: RegisterSave<E>): Promise<SaveOutcome<E>> {
  let queue = queues.get(db);
  if (!queue) {
    queue = { pending: [], inFlight: 0, scheduled: false, busy: new Map() };
    queues.set(db, queue);
  }
  const q = queue;
  return new Promise<SaveOutcome<E>>((resolve, reject) => {
    q.pending.push({ save, resolve, reject });
    // While every writer is busy, saves gather for the next batch. Otherwise a save waits for the
    // rest of this turn's requests to reach here, or for WRITE_AT saves, if sooner.
    if (q.inFlight >= IN_FLIGHT[dialect]) return;
    if (dialect === 'sqlite' && q.pending.length >= WRITE_AT) void drain(db, dialect, q);
    else if (!q.scheduled) {
      q.scheduled = true;
      setImmediate(() => {
        q.scheduled = false;
        if (q.inFlight < IN_FLIGHT[dialect]) void drain(db, dialect, q);
      });
    }
  });
}

/** The keys a save writes or decides on (see Queue.busy). */
function keysOf(s: RegisterSave<unknown>): string[] {
  if (s.lessonId) return [registerKey(s), `${s.lessonId}${KEY}${s.date}`];
  return [registerKey(s), ...s.pupilIds.map((id) => markKey(s, id))];
}

/**
 * The next batch: up to MAX_BATCH waiting saves, in order, that touch nothing a batch in flight
 * writes (those stay waiting, in order, for a later batch). Marks the batch's keys busy.
 */
function takeBatch(q: Queue, dialect: Dialect): { batch: Pending[]; keys: string[] } {
  if (q.busy.size === 0) {
    const batch = q.pending.splice(0, MAX_BATCH);
    // With one writer no other batch can be in flight beside this one: nothing to hold.
    if (IN_FLIGHT[dialect] === 1 || batch.length === 0) return { batch, keys: [] };
    const keys = batch.flatMap((p) => keysOf(p.save));
    for (const k of keys) q.busy.set(k, (q.busy.get(k) ?? 0) + 1);
    return { batch, keys };
  }
  const batch: Pending[] = [];
  const keys: string[] = [];
  const waiting: Pending[] = [];
  // The keys of the saves left waiting hold back later saves too, so that of two saves of one
  // register (whose marks may differ) the later never overtakes the earlier.
  const held = new Set<string>();
  for (const p of q.pending) {
    const own = keysOf(p.save);
    if (batch.length < MAX_BATCH && !own.some((k) => q.busy.has(k) || held.has(k))) {
      batch.push(p);
      keys.push(...own);
    } else {
      waiting.push(p);
      for (const k of own) held.add(k);
    }
  }
  q.pending.splice(0, q.pending.length, ...waiting);
  for (const k of keys) q.busy.set(k, (q.busy.get(k) ?? 0) + 1);
  return { batch, keys };
}

function release(q: Queue, keys: readonly string[]): void {
  for (const k of keys) {
    const n = (q.busy.get(k) ?? 1) - 1;
    if (n <= 0) q.busy.delete(k);
    else q.busy.set(k, n);
  }
}

async function drain(db: Db, dialect: Dialect, q: Queue): Promise<void> {
  q.inFlight++;
  try {
    for (;;) {
      const { batch, keys } = takeBatch(q, dialect);
      if (batch.length === 0) break;
      let deferred: Pending[] = [];
      try {
        deferred = await writeBatch(db, dialect, batch);
      } catch (error) {
        // Not expected (each path answers its saves itself), but no save may wait for ever.
        for (const p of batch) p.reject(error);
      } finally {
        release(q, keys);
      }
      // Saves that overlapped an earlier save of the same batch go first in the next.
      if (deferred.length > 0) q.pending.unshift(...deferred);
    }
  } finally {
    q.inFlight--;
  }
}

/** Writes one batch; returns the saves deferred to the next batch. */
async function writeBatch(db: Db, dialect: Dialect, batch: Pending[]): Promise<Pending[]> {
  const raw = dialect === 'sqlite' ? sqliteHandleOf(db) : undefined;
  if (raw) {
    await writeSqliteBatch(db, raw, batch);
    return [];
  }
  try {
    // Two statements, the second atomic by itself: no transaction needed around them.
    const { decided, deferred } = await writePostgresBatch(postgresWriterOf(db) ?? db, batch, postgresWriterPoolOf(db));
    // Only now, after the commit, is anyone told their save is done.
    for (const d of decided) d.pending.resolve(d.outcome);
    return deferred;
  } catch (error) {
    if (batch.length === 1) {
      batch[0]?.reject(error);
      return [];
    }
    // One save's statements failed: write each save alone, so only that one is told.
    for (const p of batch) await writeBatch(db, dialect, [p]);
    return [];
  }
}

/** Joins the parts of a key (no id, date or session contains it). */
const KEY = '\u0000';

function registerKey(s: RegisterSave<unknown>): string {
  return `${s.groupId}${KEY}${s.date}${KEY}${s.sessionKey}`;
}

function markKey(s: RegisterSave<unknown>, pupilId: string): string {
  return s.lessonId ? `${s.lessonId}${KEY}${pupilId}${KEY}${s.date}` : `${pupilId}${KEY}${s.date}${KEY}${s.session}`;
}

// ---------------------------------------------------------------------------------------------
// SQLite: prepared statements on the better-sqlite3 handle

interface SqliteStatements {
  readonly version: SQLite.Statement;
  readonly sessionMarks: SQLite.Statement;
  readonly lessonMarks: SQLite.Statement;
  readonly insertRegister: SQLite.Statement;
  readonly bumpRegister: SQLite.Statement;
  readonly upsertSessionMark: SQLite.Statement;
  readonly upsertLessonMark: SQLite.Statement;
  readonly history: SQLite.Statement;
  readonly audit: SQLite.Statement;
}

const sqliteStatements = new WeakMap<SQLite.Database, SqliteStatements>();

function statementsFor(raw: SQLite.Database): SqliteStatements {
  let s = sqliteStatements.get(raw);
  if (!s) {
    s = {
      version: raw.prepare('select version from registers where group_id = ? and date = ? and session = ?').pluck(),
      sessionMarks: raw.prepare(
        'select pupil_id, code, minutes_late, updated_by from session_marks ' +
          'where date = ? and session = ? and pupil_id in (select value from json_each(?))',
      ),
      lessonMarks: raw.prepare(
        'select pupil_id, code, minutes_late, updated_by from lesson_marks where lesson_id = ? and date = ?',
      ),
      insertRegister: raw.prepare(
        'insert into registers (id, school_id, group_id, date, session, lesson_id, version, taken_at, taken_by, ' +
          'updated_at, updated_by) values (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)',
      ),
      bumpRegister: raw.prepare(
        'update registers set version = version + 1, updated_at = ?, updated_by = ? ' +
          'where group_id = ? and date = ? and session = ? and version = ?',
      ),
      upsertSessionMark: raw.prepare(
        'insert into session_marks (pupil_id, date, session, code, minutes_late, updated_at, updated_by) ' +
          'values (?, ?, ?, ?, ?, ?, ?) on conflict (pupil_id, date, session) do update set ' +
          'code = excluded.code, minutes_late = excluded.minutes_late, updated_at = excluded.updated_at, ' +
          'updated_by = excluded.updated_by',
      ),
      upsertLessonMark: raw.prepare(
        'insert into lesson_marks (lesson_id, pupil_id, date, code, minutes_late, updated_at, updated_by) ' +
          'values (?, ?, ?, ?, ?, ?, ?) on conflict (lesson_id, pupil_id, date) do update set ' +
          'code = excluded.code, minutes_late = excluded.minutes_late, updated_at = excluded.updated_at, ' +
          'updated_by = excluded.updated_by',
      ),
      history: raw.prepare(
        'insert into mark_history (id, pupil_id, date, session, lesson_id, previous_code, new_code, ' +
          'previous_minutes_late, new_minutes_late, reason, user_id, user_name, user_role, at, source) ' +
          'values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      audit: raw.prepare(
        'insert into audit_log (id, at, user_id, user_role, action, entity_type, entity_id, pupil_id, school_id, ' +
          'details) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    };
    sqliteStatements.set(raw, s);
  }
  return s;
}

interface MarkRow {
  pupil_id: string;
  code: string;
  minutes_late: number | null;
  updated_by: string | null;
}

function toStored(rows: readonly MarkRow[]): Map<string, StoredMark> {
  return new Map(rows.map((r) => [r.pupil_id, { code: r.code, minutesLate: r.minutes_late, updatedBy: r.updated_by }]));
}

/** One save inside the batch's transaction; throws if a statement fails (the batch is then rolled back). */
function writeSqliteSave<E>(st: SqliteStatements, save: RegisterSave<E>): SaveOutcome<E> {
  const stored = (st.version.get(save.groupId, save.date, save.sessionKey) as number | undefined) ?? 0;
  if (stored !== save.expectedVersion) return { kind: 'conflict' };
  const current = toStored(
    (save.lessonId
      ? st.lessonMarks.all(save.lessonId, save.date)
      : st.sessionMarks.all(save.date, save.session, JSON.stringify(save.pupilIds))) as MarkRow[],
  );
  const decision = save.decide(current);
  if (decision.ok === 'conflict') return { kind: 'conflict' };
  if (!decision.ok) return { kind: 'refused', refusal: decision.refusal };
  const a = save.author;
  if (save.expectedVersion === 0) {
    st.insertRegister.run(
      newId(),
      save.schoolId,
      save.groupId,
      save.date,
      save.sessionKey,
      save.lessonId,
      a.at,
      a.userId,
      a.at,
      a.userId,
    );
  } else if (
    st.bumpRegister.run(a.at, a.userId, save.groupId, save.date, save.sessionKey, save.expectedVersion).changes !== 1
  ) {
    return { kind: 'conflict' };
  }
  for (const m of decision.writes) {
    if (save.lessonId) {
      st.upsertLessonMark.run(save.lessonId, m.pupilId, m.date, m.code, m.minutesLate, a.at, a.userId);
    } else {
      st.upsertSessionMark.run(m.pupilId, m.date, m.session, m.code, m.minutesLate, a.at, a.userId);
    }
    st.history.run(
      newId(),
      m.pupilId,
      m.date,
      m.session,
      save.lessonId,
      m.previousCode,
      m.code,
      m.previousMinutesLate,
      m.minutesLate,
      m.reason,
      a.userId,
      a.userName,
      a.userRole,
      a.at,
      a.source,
    );
  }
  const r = decision.audit;
  st.audit.run(
    r.id,
    r.at,
    r.user_id,
    r.user_role,
    r.action,
    r.entity_type,
    r.entity_id,
    r.pupil_id,
    r.school_id,
    r.details,
  );
  return { kind: 'saved', version: save.expectedVersion + 1, changed: decision.writes.length };
}

type SqliteOutcome = SaveOutcome<unknown> | { readonly kind: 'error'; readonly error: unknown };

function writeSqliteBatch(db: Db, raw: SQLite.Database, batch: Pending[]): Promise<void> {
  const st = statementsFor(raw);
  let outcomes: SqliteOutcome[] = [];
  // Holding Kysely's only connection: no Kysely transaction can be open beside this one.
  return db
    .connection()
    .execute(() => {
      outcomes = sqliteOutcomes(raw, st, batch);
      return Promise.resolve();
    })
    .then(
      () =>
        outcomes.forEach((o, i) => {
          const p = batch[i];
          if (o.kind === 'error') p?.reject(o.error);
          else p?.resolve(o);
        }),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
}

/**
 * Every save of the batch in one transaction, with no savepoint around each save: a savepoint
 * makes SQLite copy every page a save changes into its sub-journal first (about sixty 4 KB pages
 * a first save of 30 marks, spilled to a temporary file past 64 KB), for a failure that almost
 * never happens. When a save's statements do fail, the whole batch is rolled back and its saves
 * are written again one at a time, each in a transaction of its own, so that only that save is
 * told (as on PostgreSQL). A transaction that could not begin (the database locked) fails its
 * saves at once, without trying each.
 */
function sqliteOutcomes(raw: SQLite.Database, st: SqliteStatements, batch: readonly Pending[]): SqliteOutcome[] {
  let begun = false;
  try {
    return raw
      .transaction(() => {
        begun = true;
        return batch.map((p): SqliteOutcome => writeSqliteSave(st, p.save));
      })
      .immediate();
  } catch (error) {
    if (!begun || batch.length === 1) return batch.map(() => ({ kind: 'error', error }));
    return batch.flatMap((p) => sqliteOutcomes(raw, st, [p]));
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: the whole batch in two statements

/** A statement on the writer: named (prepared once per connection) when a name and the writer's pool are given. */
async function query(db: DbOrTrx, text: string, params: readonly unknown[], pool?: pg.Pool, name?: string) {
  if (pool && name) return pool.query<Record<string, unknown>>({ name, text, values: [...params] });
  return db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, [...params]));
}

/**
 * The registers' versions and the marks stored now, for every save of the batch, in one statement:
 * the registers, then the session registers' marks ($4–$6) and the lesson registers' marks (the
 * next two), each part only when the batch has such saves. PostgreSQL plans this statement each
 * time (see WRITE_BATCH on why it is not named), so a part the batch does not need would only add
 * planning: for the usual batch of session registers alone, the statement is two parts, not three.
 */
function readStatement(sessions: boolean, lessons: boolean): string {
  let text =
    "select 'r' as kind, group_id as k1, date as k2, session as k3, version, null::text as code, " +
    'null::int as minutes_late, null::text as updated_by from registers ' +
    'where (group_id, date, session) in (select * from unnest($1::text[], $2::text[], $3::text[]))';
  let n = 4;
  if (sessions) {
    text +=
      " union all select 's', pupil_id, date, session, null, code, minutes_late, updated_by from session_marks " +
      `where (pupil_id, date, session) in (select * from unnest($${n}::text[], $${n + 1}::text[], $${n + 2}::text[]))`;
    n += 3;
  }
  if (lessons) {
    text +=
      " union all select 'l', lesson_id, pupil_id, date, null, code, minutes_late, updated_by from lesson_marks " +
      `where (lesson_id, date) in (select * from unnest($${n}::text[], $${n + 1}::text[]))`;
  }
  return text;
}

const READ_SESSIONS = readStatement(true, false);
const READ_LESSONS = readStatement(false, true);
const READ_BOTH = readStatement(true, true);

/**
 * The same read when every save of the batch is a session register of one date and session (the
 * 8:50 rush, and a register saved on its own): the registers by group and the marks by pupil,
 * each one index scan with the date and session given once, where the general read joins each
 * list of keys to its table. PostgreSQL plans it in a fraction of the time (it is planned for
 * each batch, like the general read).
 */
const READ_ONE_SESSION =
  "select 'r' as kind, group_id as k1, date as k2, session as k3, version, null::text as code, " +
  'null::int as minutes_late, null::text as updated_by from registers ' +
  'where group_id = any($1::text[]) and date = $2 and session = $3 ' +
  "union all select 's', pupil_id, date, session, null, code, minutes_late, updated_by from session_marks " +
  'where pupil_id = any($4::text[]) and date = $2 and session = $3';

/**
 * Everything the batch writes, in one statement (so atomic without a transaction): the registers
 * first, each moved on a version only if it still has the version the save was decided on; then
 * the marks, their history and the audit rows of exactly the saves whose register was written
 * (a register another server saved since the read writes nothing and is returned missing).
 *
 * It is a named statement on the writer's connections (`WRITE_NAME`): parsed once per connection
 * and, after five runs, run on a generic plan, which for this statement reads no table (inserts
 * by their keys, and joins of the arrays among themselves), so it does not depend on how many
 * rows the tables held when it was planned. A save written on its own spent about 1.2 ms of
 * PostgreSQL's time parsing and planning it (bench c's spread saves, `log_min_duration_statement`).
 * The read above is not named: its generic plan, made while the marks table was small (a new
 * installation's first morning, and every bench run), kept scanning the whole table as it grew
 * (1,595 registers and 47,850 marks hashed to read 60: 15 ms instead of 0.3). Written as a
 * lookup per key (`lateral`), its generic plan on a new installation's empty tables still chose
 * the registers' index by school and date, reading every register of the day to find one; so it
 * is planned for each batch as before. The write's one read of a table, the school's webhook
 * subscriptions (below), goes by its index whatever the table held when the plan was made: the
 * writer's connections refuse sequential scans (db/connect.ts).
 */
const WRITE_NAME = 'rollcall_register_write_batch';
export const WRITE_BATCH =
  'with r as (insert into registers (id, school_id, group_id, date, session, lesson_id, version, taken_at, ' +
  'taken_by, updated_at, updated_by) select u.id, u.school_id, u.group_id, u.date, u.session, u.lesson_id, ' +
  'u.version, u.at, u.user_id, u.at, u.user_id from unnest($1::text[], $2::text[], $3::text[], $4::text[], ' +
  '$5::text[], $6::text[], $7::int[], $8::text[], $9::text[]) as u(id, school_id, group_id, date, session, ' +
  'lesson_id, version, at, user_id) on conflict (group_id, date, session) do update set ' +
  'version = registers.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by ' +
  'where registers.version = excluded.version - 1 returning group_id, date, session, school_id), ' +
  // Marks (session or lesson) with the register they belong to: $10–$19; each mark's history row's
  // own columns (its id, previous code and minutes, reason): $26–$29. Unpacked once, for the marks
  // and their history alike.
  'm as (select * from unnest($10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], ' +
  '$16::text[], $17::text[], $18::int[], $19::text[], $26::text[], $27::text[], $28::int[], $29::text[]) ' +
  'as u(rg, rd, rk, lesson_id, pupil_id, date, session, code, minutes_late, n, history_id, previous_code, ' +
  'previous_minutes_late, reason) where (rg, rd, rk) in (select group_id, date, session from r)), ' +
  // Who and when, per save: $20–$25 (n indexes them).
  'w as (select * from unnest($20::text[], $21::text[], $22::text[], $23::text[], $24::text[], $25::text[]' +
  ') as u(n, at, user_id, user_name, user_role, source)), ' +
  'sm as (insert into session_marks (pupil_id, date, session, code, minutes_late, updated_at, updated_by) ' +
  'select m.pupil_id, m.date, m.session, m.code, m.minutes_late, w.at, w.user_id from m join w on w.n = m.n ' +
  'where m.lesson_id is null on conflict (pupil_id, date, session) do update set code = excluded.code, ' +
  'minutes_late = excluded.minutes_late, updated_at = excluded.updated_at, updated_by = excluded.updated_by), ' +
  'lm as (insert into lesson_marks (lesson_id, pupil_id, date, code, minutes_late, updated_at, updated_by) ' +
  'select m.lesson_id, m.pupil_id, m.date, m.code, m.minutes_late, w.at, w.user_id from m join w on w.n = m.n ' +
  'where m.lesson_id is not null on conflict (lesson_id, pupil_id, date) do update set code = excluded.code, ' +
  'minutes_late = excluded.minutes_late, updated_at = excluded.updated_at, updated_by = excluded.updated_by), ' +
  // History, one row per mark written.
  'h as (insert into mark_history (id, pupil_id, date, session, lesson_id, previous_code, new_code, ' +
  'previous_minutes_late, new_minutes_late, reason, user_id, user_name, user_role, at, source) ' +
  'select m.history_id, m.pupil_id, m.date, m.session, m.lesson_id, m.previous_code, m.code, ' +
  'm.previous_minutes_late, m.minutes_late, m.reason, w.user_id, w.user_name, w.user_role, w.at, w.source ' +
  'from m join w on w.n = m.n), ' +
  // The audit rows, one per save: $30–$39 with the save's register $40–$42.
  'a as (insert into audit_log (id, at, user_id, user_role, action, entity_type, entity_id, pupil_id, ' +
  'school_id, details) select y.id, y.at, y.user_id, y.user_role, y.action, y.entity_type, y.entity_id, ' +
  'y.pupil_id, y.school_id, y.details from unnest($30::text[], $31::text[], $32::text[], $33::text[], ' +
  '$34::text[], $35::text[], $36::text[], $37::text[], $38::text[], $39::text[], $40::text[], $41::text[], ' +
  '$42::text[]) as y(id, at, user_id, user_role, action, entity_type, entity_id, pupil_id, school_id, ' +
  'details, rg, rd, rk) where (y.rg, y.rd, y.rk) in (select group_id, date, session from r)) ' +
  // And whether each register's school has a webhook subscription on: a save at a school with
  // none (most schools) then reads nothing more for its events (services/registers/registers.ts).
  // The subscriptions are read once, by the index on their school, for the batch's schools ($43).
  'select group_id, date, session, school_id in (select ws.school_id from webhook_subscriptions ws ' +
  'where ws.school_id = any($43::text[]) and ws.disabled_at is null) as webhooks from r';

async function writePostgresBatch(
  db: DbOrTrx,
  batch: readonly Pending[],
  pool?: pg.Pool,
): Promise<{ decided: { pending: Pending; outcome: SaveOutcome<unknown> }[]; deferred: Pending[] }> {
  const saves = batch.map((p) => p.save);
  const sessionSaves = saves.filter((s) => !s.lessonId);
  const lessonSaves = saves.filter((s) => s.lessonId);
  const pupils: string[] = [];
  const dates: string[] = [];
  const sessions: string[] = [];
  for (const s of sessionSaves)
    for (const id of s.pupilIds) {
      pupils.push(id);
      dates.push(s.date);
      sessions.push(s.session);
    }
  // 1. What is stored now: the registers' versions and the marks of every save.
  const registers = [saves.map((s) => s.groupId), saves.map((s) => s.date), saves.map((s) => s.sessionKey)];
  const sessionParams = [pupils, dates, sessions];
  const lessonParams = [lessonSaves.map((s) => s.lessonId), lessonSaves.map((s) => s.date)];
  const first = saves[0]!;
  const oneSession =
    lessonSaves.length === 0 &&
    saves.every((s) => s.date === first.date && s.session === first.session && s.sessionKey === first.session);
  const read = oneSession
    ? await query(db, READ_ONE_SESSION, [saves.map((s) => s.groupId), first.date, first.session, pupils])
    : lessonSaves.length === 0
      ? await query(db, READ_SESSIONS, [...registers, ...sessionParams])
      : sessionSaves.length === 0
        ? await query(db, READ_LESSONS, [...registers, ...lessonParams])
        : await query(db, READ_BOTH, [...registers, ...sessionParams, ...lessonParams]);
  const versions = new Map<string, number>();
  const stored = new Map<string, StoredMark>();
  const storedByLesson = new Map<string, Map<string, StoredMark>>();
  for (const r of read.rows) {
    const [k1, k2, k3] = [String(r.k1), String(r.k2), String(r.k3)];
    if (r.kind === 'r') versions.set(`${k1}${KEY}${k2}${KEY}${k3}`, Number(r.version));
    else if (r.kind === 's') stored.set(`${k1}${KEY}${k2}${KEY}${k3}`, storedOf(r));
    else {
      const lessonKey = `${k1}${KEY}${k3}`;
      let marks = storedByLesson.get(lessonKey);
      if (!marks) storedByLesson.set(lessonKey, (marks = new Map<string, StoredMark>()));
      marks.set(k2, storedOf(r));
    }
  }

  // 2. Each save decided in order; a later save of a register saved earlier in the batch sees
  // the new version (and so conflicts), and one that writes a mark written earlier in the batch
  // waits for the next batch (it must be decided on that mark).
  const decided: { pending: Pending; outcome: SaveOutcome<unknown> }[] = [];
  const deferred: Pending[] = [];
  const accepted: { pending: Pending; writes: readonly MarkWrite[]; audit: AuditLogTable }[] = [];
  const written = new Set<string>();
  for (const p of batch) {
    const s = p.save;
    const key = registerKey(s);
    if ((versions.get(key) ?? 0) !== s.expectedVersion) {
      decided.push({ pending: p, outcome: { kind: 'conflict' } });
      continue;
    }
    if (!s.lessonId && s.pupilIds.some((id) => written.has(markKey(s, id)))) {
      deferred.push(p);
      continue;
    }
    let current: ReadonlyMap<string, StoredMark>;
    if (s.lessonId) {
      current = storedByLesson.get(`${s.lessonId}${KEY}${s.date}`) ?? new Map<string, StoredMark>();
    } else {
      const marks = new Map<string, StoredMark>();
      for (const id of s.pupilIds) {
        const m = stored.get(markKey(s, id));
        if (m) marks.set(id, m);
      }
      current = marks;
    }
    const decision = s.decide(current);
    if (decision.ok === 'conflict') {
      decided.push({ pending: p, outcome: { kind: 'conflict' } });
      continue;
    }
    if (!decision.ok) {
      decided.push({ pending: p, outcome: { kind: 'refused', refusal: decision.refusal } });
      continue;
    }
    if (decision.writes.some((w) => written.has(markKey(s, w.pupilId)))) {
      deferred.push(p);
      continue;
    }
    for (const w of decision.writes) written.add(markKey(s, w.pupilId));
    versions.set(key, s.expectedVersion + 1);
    accepted.push({ pending: p, writes: decision.writes, audit: decision.audit });
  }
  if (accepted.length === 0) return { decided, deferred };

  // 3. Everything written in one statement; the registers it returns are the saves that are done.
  const regs = accepted.map((a) => a.pending.save);
  const marks = accepted.flatMap((a, n) => a.writes.map((w) => ({ w, s: a.pending.save, n: String(n) })));
  const returned = await query(
    db,
    WRITE_BATCH,
    [
      regs.map(() => newId()),
      regs.map((s) => s.schoolId),
      regs.map((s) => s.groupId),
      regs.map((s) => s.date),
      regs.map((s) => s.sessionKey),
      regs.map((s) => s.lessonId),
      regs.map((s) => s.expectedVersion + 1),
      regs.map((s) => s.author.at),
      regs.map((s) => s.author.userId),
      // $10–$19: the marks
      marks.map((m) => m.s.groupId),
      marks.map((m) => m.s.date),
      marks.map((m) => m.s.sessionKey),
      marks.map((m) => m.s.lessonId),
      marks.map((m) => m.w.pupilId),
      marks.map((m) => m.w.date),
      marks.map((m) => m.w.session),
      marks.map((m) => m.w.code),
      marks.map((m) => m.w.minutesLate),
      marks.map((m) => m.n),
      // $20–$25: who and when, per save
      regs.map((_, n) => String(n)),
      regs.map((s) => s.author.at),
      regs.map((s) => s.author.userId),
      regs.map((s) => s.author.userName),
      regs.map((s) => s.author.userRole),
      regs.map((s) => s.author.source),
      // $26–$29: the history's own columns
      marks.map(() => newId()),
      marks.map((m) => m.w.previousCode),
      marks.map((m) => m.w.previousMinutesLate),
      marks.map((m) => m.w.reason),
      // $30–$42: the audit rows and their registers
      accepted.map((a) => a.audit.id),
      accepted.map((a) => a.audit.at),
      accepted.map((a) => a.audit.user_id),
      accepted.map((a) => a.audit.user_role),
      accepted.map((a) => a.audit.action),
      accepted.map((a) => a.audit.entity_type),
      accepted.map((a) => a.audit.entity_id),
      accepted.map((a) => a.audit.pupil_id),
      accepted.map((a) => a.audit.school_id),
      accepted.map((a) => a.audit.details),
      regs.map((s) => s.groupId),
      regs.map((s) => s.date),
      regs.map((s) => s.sessionKey),
      // $43: the batch's schools, for their webhook subscriptions
      [...new Set(regs.map((s) => s.schoolId))],
    ],
    pool,
    WRITE_NAME,
  );
  const done = new Map(
    returned.rows.map((r) => [`${String(r.group_id)}${KEY}${String(r.date)}${KEY}${String(r.session)}`, r.webhooks]),
  );
  for (const a of accepted) {
    const s = a.pending.save;
    decided.push({
      pending: a.pending,
      outcome: done.has(registerKey(s))
        ? {
            kind: 'saved',
            version: s.expectedVersion + 1,
            changed: a.writes.length,
            webhooks: done.get(registerKey(s)) !== false,
          }
        : // Saved by another server since it was read: nothing of this save was written.
          { kind: 'conflict' },
    });
  }
  return { decided, deferred };
}

function storedOf(r: Record<string, unknown>): StoredMark {
  return {
    code: String(r.code),
    minutesLate: typeof r.minutes_late === 'number' ? r.minutes_late : null,
    updatedBy: typeof r.updated_by === 'string' ? r.updated_by : null,
  };
}

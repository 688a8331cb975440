/**
 * Saving registers together (group commit). At 8:50 every form tutor saves at once; one
 * transaction per save spends most of its time beginning, committing and, on PostgreSQL, waiting
 * for round trips. Saves that arrive while the database is busy (or in the same turn of the event
 * loop) are written in one transaction:
 *
 * - each save still checks its own register's version (optimistic concurrency), reads the marks
 *   stored now and is decided on them alone (`decide`, from services/registers.ts); a conflict or
 *   a refusal affects that save only;
 * - SQLite runs prepared statements directly on the better-sqlite3 handle (while holding Kysely's
 *   connection, so no Kysely transaction is open beside it), each save inside a savepoint so that
 *   a save whose statements fail is undone alone;
 * - PostgreSQL reads every register and mark of the batch in three statements and writes them in
 *   four (arrays through `unnest`), whatever the batch's size, on a connection of its own (not
 *   queued behind every request's reads); if any statement fails the batch is rolled back and
 *   its saves are written again one by one, so one bad save fails alone.
 *
 * Every mark written appends its history row, as every other writer does (the analysis cache
 * follows `mark_history`), and each save writes its audit row in the same transaction.
 */
import type { PlainDate, Session } from '@rollcall/domain';
import { CompiledQuery } from 'kysely';
import type SQLite from 'better-sqlite3';
import { newId } from '../../platform/ids.js';
import { postgresWriterOf, sqliteHandleOf, type Db, type Dialect, type Trx } from '../connect.js';
import type { AuditLogTable } from '../schema.js';
import type { Author, MarkWrite } from './registers.js';

/** A mark as stored when a save is decided. */
export interface StoredMark {
  readonly code: string;
  readonly minutesLate: number | null;
  readonly updatedBy: string | null;
}

/** What a save writes (only marks that change something), or why it is refused. */
export type SaveDecision<E> =
  | { readonly ok: true; readonly writes: readonly MarkWrite[]; readonly audit: AuditLogTable }
  | { readonly ok: false; readonly refusal: E };

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
  | { readonly kind: 'saved'; readonly version: number; readonly changed: number }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'refused'; readonly refusal: E };

/** At most this many saves go into one transaction (the rest wait for the next). */
const MAX_BATCH = 256;

interface Pending {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a queue holds saves of any refusal type
  readonly save: RegisterSave<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  readonly resolve: (outcome: SaveOutcome<any>) => void;
  readonly reject: (error: unknown) => void;
}

interface Queue {
  readonly pending: Pending[];
  busy: boolean;
}

const queues = new WeakMap<Db, Queue>();

/**
 * Saves a register with whatever other saves are waiting: resolves with this save's outcome once
 * its transaction has committed. Rejects only when the database fails (not for a conflict or a
 * refusal, which are outcomes).
 */
export function saveRegisterInBatch<E>(db: Db, dialect: Dialect, save: RegisterSave<E>): Promise<SaveOutcome<E>> {
  let queue = queues.get(db);
  if (!queue) {
    queue = { pending: [], busy: false };
    queues.set(db, queue);
  }
  const q = queue;
  return new Promise<SaveOutcome<E>>((resolve, reject) => {
    q.pending.push({ save, resolve, reject });
    // The first save waits for the rest of this turn's requests to reach here; while a batch is
    // being written, saves gather for the next one.
    if (!q.busy) {
      q.busy = true;
      setImmediate(() => void drain(db, dialect, q));
    }
  });
}

async function drain(db: Db, dialect: Dialect, q: Queue): Promise<void> {
  try {
    while (q.pending.length > 0) {
      const batch = q.pending.splice(0, MAX_BATCH);
      const deferred = await writeBatch(db, dialect, batch);
      // Saves that overlapped an earlier save of the same batch go first in the next.
      if (deferred.length > 0) q.pending.unshift(...deferred);
    }
  } finally {
    q.busy = false;
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
    const writer = postgresWriterOf(db) ?? db;
    const { decided, deferred } = await writer.transaction().execute((trx) => writePostgresBatch(trx, batch));
    // Only now, after the commit, is anyone told their save is done.
    for (const d of decided) d.pending.resolve(d.outcome);
    return deferred;
  } catch (error) {
    if (batch.length === 1) {
      batch[0]?.reject(error);
      return [];
    }
    // One save's statements failed (or another server took a register meanwhile): write each
    // save alone, so only that one is told.
    for (const p of batch) await writeBatch(db, dialect, [p]);
    return [];
  }
}

function registerKey(s: RegisterSave<unknown>): string {
  return `${s.groupId}\u0000${s.date}\u0000${s.sessionKey}`;
}

function markKey(s: RegisterSave<unknown>, pupilId: string): string {
  return s.lessonId ? `${s.lessonId}\u0000${pupilId}\u0000${s.date}` : `${pupilId}\u0000${s.date}\u0000${s.session}`;
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

/** One save inside the batch's transaction; throws (undoing its savepoint) if a statement fails. */
function writeSqliteSave<E>(st: SqliteStatements, save: RegisterSave<E>): SaveOutcome<E> {
  const stored = (st.version.get(save.groupId, save.date, save.sessionKey) as number | undefined) ?? 0;
  if (stored !== save.expectedVersion) return { kind: 'conflict' };
  const current = toStored(
    (save.lessonId
      ? st.lessonMarks.all(save.lessonId, save.date)
      : st.sessionMarks.all(save.date, save.session, JSON.stringify(save.pupilIds))) as MarkRow[],
  );
  const decision = save.decide(current);
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

function writeSqliteBatch(db: Db, raw: SQLite.Database, batch: Pending[]): Promise<void> {
  const st = statementsFor(raw);
  const outcomes: (SaveOutcome<unknown> | { kind: 'error'; error: unknown })[] = [];
  // Inside the outer transaction better-sqlite3 runs each save's function in a savepoint.
  const one = raw.transaction((save: RegisterSave<unknown>) => writeSqliteSave(st, save));
  const all = raw.transaction(() => {
    outcomes.length = 0;
    for (const p of batch) {
      try {
        outcomes.push(one(p.save));
      } catch (error) {
        outcomes.push({ kind: 'error', error });
      }
    }
  });
  // Holding Kysely's only connection: no Kysely transaction can be open beside this one.
  return db
    .connection()
    .execute(() => {
      all.immediate();
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

// ---------------------------------------------------------------------------------------------
// PostgreSQL: the whole batch in seven statements

function query(trx: Trx, text: string, params: readonly unknown[]) {
  return trx.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, [...params]));
}

async function writePostgresBatch(
  trx: Trx,
  batch: readonly Pending[],
): Promise<{ decided: { pending: Pending; outcome: SaveOutcome<unknown> }[]; deferred: Pending[] }> {
  const saves = batch.map((p) => p.save);
  // 1. The registers' versions, locked until commit.
  const versions = new Map<string, number>();
  const regRows = await query(
    trx,
    'select group_id, date, session, version from registers where (group_id, date, session) in ' +
      '(select * from unnest($1::text[], $2::text[], $3::text[])) for update',
    [saves.map((s) => s.groupId), saves.map((s) => s.date), saves.map((s) => s.sessionKey)],
  );
  for (const r of regRows.rows)
    versions.set(`${String(r.group_id)}\u0000${String(r.date)}\u0000${String(r.session)}`, Number(r.version));

  // 2. The marks stored now, for every save's pupils (session) or lesson.
  const stored = new Map<string, StoredMark>();
  const storedByLesson = new Map<string, Map<string, StoredMark>>();
  const sessionSaves = saves.filter((s) => !s.lessonId);
  const lessonSaves = saves.filter((s) => s.lessonId);
  if (sessionSaves.length > 0) {
    const pupils: string[] = [];
    const dates: string[] = [];
    const sessions: string[] = [];
    for (const s of sessionSaves)
      for (const id of s.pupilIds) {
        pupils.push(id);
        dates.push(s.date);
        sessions.push(s.session);
      }
    const rows = await query(
      trx,
      'select pupil_id, date, session, code, minutes_late, updated_by from session_marks where ' +
        '(pupil_id, date, session) in (select * from unnest($1::text[], $2::text[], $3::text[]))',
      [pupils, dates, sessions],
    );
    for (const r of rows.rows)
      stored.set(`${String(r.pupil_id)}\u0000${String(r.date)}\u0000${String(r.session)}`, storedOf(r));
  }
  if (lessonSaves.length > 0) {
    const rows = await query(
      trx,
      'select lesson_id, pupil_id, date, code, minutes_late, updated_by from lesson_marks where ' +
        '(lesson_id, date) in (select * from unnest($1::text[], $2::text[]))',
      [lessonSaves.map((s) => s.lessonId), lessonSaves.map((s) => s.date)],
    );
    for (const r of rows.rows) {
      const lessonKey = `${String(r.lesson_id)}\u0000${String(r.date)}`;
      let marks = storedByLesson.get(lessonKey);
      if (!marks) storedByLesson.set(lessonKey, (marks = new Map<string, StoredMark>()));
      marks.set(String(r.pupil_id), storedOf(r));
    }
  }

  // 3. Each save decided in order; a later save of a register saved earlier in the batch sees
  // the new version (and so conflicts), and one that writes a mark written earlier in the batch
  // waits for the next batch (it must be decided on that mark).
  const decided: { pending: Pending; outcome: SaveOutcome<unknown> }[] = [];
  const deferred: Pending[] = [];
  const accepted: { save: RegisterSave<unknown>; writes: readonly MarkWrite[]; audit: AuditLogTable }[] = [];
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
      current = storedByLesson.get(`${s.lessonId}\u0000${s.date}`) ?? new Map<string, StoredMark>();
    } else {
      const marks = new Map<string, StoredMark>();
      for (const id of s.pupilIds) {
        const m = stored.get(markKey(s, id));
        if (m) marks.set(id, m);
      }
      current = marks;
    }
    const decision = s.decide(current);
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
    accepted.push({ save: s, writes: decision.writes, audit: decision.audit });
    decided.push({
      pending: p,
      outcome: { kind: 'saved', version: s.expectedVersion + 1, changed: decision.writes.length },
    });
  }

  if (accepted.length > 0) {
    // 4. The registers: new ones inserted, saved ones moved on a version (checked again: a
    // register first saved by another server since step 1 is not returned, and the batch is
    // written again save by save).
    const regs = accepted.map((a) => a.save);
    const returned = await query(
      trx,
      'insert into registers (id, school_id, group_id, date, session, lesson_id, version, taken_at, taken_by, ' +
        'updated_at, updated_by) select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], ' +
        '$6::text[], $7::int[], $8::text[], $9::text[], $10::text[], $11::text[]) ' +
        'on conflict (group_id, date, session) do update set version = registers.version + 1, ' +
        'updated_at = excluded.updated_at, updated_by = excluded.updated_by ' +
        'where registers.version = excluded.version - 1 returning id',
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
        regs.map((s) => s.author.at),
        regs.map((s) => s.author.userId),
      ],
    );
    if (returned.rows.length !== regs.length) throw new Error('a register was saved by another server meanwhile');

    // 5. The marks, 6. their history, 7. the audit rows.
    const marks = accepted.flatMap((a) => a.writes.map((w) => ({ w, s: a.save })));
    const sessionMarks = marks.filter((m) => !m.s.lessonId);
    const lessonMarks = marks.filter((m) => m.s.lessonId);
    if (sessionMarks.length > 0) {
      await query(
        trx,
        'insert into session_marks (pupil_id, date, session, code, minutes_late, updated_at, updated_by) ' +
          'select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[]) ' +
          'on conflict (pupil_id, date, session) do update set code = excluded.code, ' +
          'minutes_late = excluded.minutes_late, updated_at = excluded.updated_at, updated_by = excluded.updated_by',
        [
          sessionMarks.map((m) => m.w.pupilId),
          sessionMarks.map((m) => m.w.date),
          sessionMarks.map((m) => m.w.session),
          sessionMarks.map((m) => m.w.code),
          sessionMarks.map((m) => m.w.minutesLate),
          sessionMarks.map((m) => m.s.author.at),
          sessionMarks.map((m) => m.s.author.userId),
        ],
      );
    }
    if (lessonMarks.length > 0) {
      await query(
        trx,
        'insert into lesson_marks (lesson_id, pupil_id, date, code, minutes_late, updated_at, updated_by) ' +
          'select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[]) ' +
          'on conflict (lesson_id, pupil_id, date) do update set code = excluded.code, ' +
          'minutes_late = excluded.minutes_late, updated_at = excluded.updated_at, updated_by = excluded.updated_by',
        [
          lessonMarks.map((m) => m.s.lessonId),
          lessonMarks.map((m) => m.w.pupilId),
          lessonMarks.map((m) => m.w.date),
          lessonMarks.map((m) => m.w.code),
          lessonMarks.map((m) => m.w.minutesLate),
          lessonMarks.map((m) => m.s.author.at),
          lessonMarks.map((m) => m.s.author.userId),
        ],
      );
    }
    if (marks.length > 0) {
      await query(
        trx,
        'insert into mark_history (id, pupil_id, date, session, lesson_id, previous_code, new_code, ' +
          'previous_minutes_late, new_minutes_late, reason, user_id, user_name, user_role, at, source) ' +
          'select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], ' +
          '$7::text[], $8::int[], $9::int[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], ' +
          '$15::text[])',
        [
          marks.map(() => newId()),
          marks.map((m) => m.w.pupilId),
          marks.map((m) => m.w.date),
          marks.map((m) => m.w.session),
          marks.map((m) => m.s.lessonId),
          marks.map((m) => m.w.previousCode),
          marks.map((m) => m.w.code),
          marks.map((m) => m.w.previousMinutesLate),
          marks.map((m) => m.w.minutesLate),
          marks.map((m) => m.w.reason),
          marks.map((m) => m.s.author.userId),
          marks.map((m) => m.s.author.userName),
          marks.map((m) => m.s.author.userRole),
          marks.map((m) => m.s.author.at),
          marks.map((m) => m.s.author.source),
        ],
      );
    }
    const audits = accepted.map((a) => a.audit);
    await query(
      trx,
      'insert into audit_log (id, at, user_id, user_role, action, entity_type, entity_id, pupil_id, school_id, ' +
        'details) select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], ' +
        '$7::text[], $8::text[], $9::text[], $10::text[])',
      [
        audits.map((r) => r.id),
        audits.map((r) => r.at),
        audits.map((r) => r.user_id),
        audits.map((r) => r.user_role),
        audits.map((r) => r.action),
        audits.map((r) => r.entity_type),
        audits.map((r) => r.entity_id),
        audits.map((r) => r.pupil_id),
        audits.map((r) => r.school_id),
        audits.map((r) => r.details),
      ],
    );
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

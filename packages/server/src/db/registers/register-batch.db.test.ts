import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { PlainDate } from '@rollcall/domain';
import { describeEachDialect, freshDatabase } from '../../../test/databases.js';
import { d, rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { newId } from '../../platform/ids.js';
import { migrateToLatest, openDatabase, postgresWriterPoolOf } from '../connect.js';
import { getRegister, saveRegister } from '../../services/registers/registers.js';
import { AppError } from '../../services/errors.js';
import { WRITE_BATCH, saveRegisterInBatch, type RegisterSave } from './register-batch.js';

// Tuesday 9 and Wednesday 10 September 2025 (London UTC+1): 08:00Z is 09:00 local, inside the AM
// register (08:50–09:20); 08:30Z is 09:30, after its close.
const open = (day: string) => `2025-09-${day}T08:00:00Z`;
const closed = (day: string) => `2025-09-${day}T08:30:00Z`;

describeEachDialect('register saves written together', (ctx) => {
  let school: SmallSchool;
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
  });
  const deps = (iso: string) => testDeps(ctx.db, ctx.dialect, iso);
  /** A save written (PostgreSQL also says the school has no webhook subscription on). */
  const saved = (version: number, changed: number) => ({
    kind: 'saved',
    version,
    changed,
    ...(ctx.dialect === 'postgres' ? { webhooks: false } : {}),
  });
  const author = (at: string) =>
    ({ userId: null, userName: 'Test system', userRole: 'admin', at, source: 'register' }) as const;
  /** A save of the AM register of `groupId` marking `pupilIds`; `seen` gets what each decision read. */
  const saveOf = (
    day: PlainDate,
    groupId: string,
    pupilIds: readonly string[],
    expectedVersion: number,
    code: string,
    seen: { code: string; stored: (string | undefined)[] }[] = [],
  ): RegisterSave<never> => {
    const at = `${day}T08:00:00.000Z`;
    return {
      schoolId: school.schoolId,
      groupId,
      date: day,
      session: 'AM',
      sessionKey: 'AM',
      lessonId: null,
      expectedVersion,
      pupilIds,
      author: author(at),
      decide: (current) => {
        seen.push({ code, stored: pupilIds.map((id) => current.get(id)?.code) });
        return {
          ok: true,
          writes: pupilIds.map((pupilId) => ({
            pupilId,
            date: day,
            session: 'AM' as const,
            code,
            minutesLate: null,
            previousCode: current.get(pupilId)?.code ?? null,
            previousMinutesLate: null,
            reason: null,
          })),
          audit: {
            id: newId(),
            at,
            user_id: null,
            user_role: 'admin',
            action: 'register.save',
            entity_type: 'register',
            entity_id: `${groupId}/${day}/AM`,
            pupil_id: null,
            school_id: school.schoolId,
            details: null,
          },
        };
      },
    };
  };
  const count = async (table: 'mark_history' | 'audit_log' | 'registers', where: { date?: string } = {}) => {
    let q = ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n'));
    if (where.date && table !== 'audit_log') q = q.where('date', '=', where.date);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };

  it('saves concurrent registers together; of two first saves of one register, one wins and the other is told', async () => {
    const day = d('2025-09-09');
    const [a, b, c] = school.pupilsA as [string, string, string];
    const [e, f] = school.pupilsB as [string, string];
    const auditBefore = await count('audit_log');
    const settled = await Promise.allSettled([
      saveRegister(deps(open('09')), school.actors.teacher, {
        groupId: school.groupA,
        date: day,
        session: 'AM',
        version: 0,
        marks: [
          { pupilId: a, code: '/' },
          { pupilId: b, code: 'I' },
          { pupilId: c, code: '/' },
        ],
      }),
      saveRegister(deps(open('09')), school.actors.office, {
        groupId: school.groupA,
        date: day,
        session: 'AM',
        version: 0,
        marks: [{ pupilId: a, code: 'M' }],
      }),
      saveRegister(deps(open('09')), school.actors.office, {
        groupId: school.groupB,
        date: day,
        session: 'AM',
        version: 0,
        marks: [
          { pupilId: e, code: '/' },
          { pupilId: f, code: 'N' },
        ],
      }),
      saveRegister(deps(open('09')), school.actors.teacher, {
        groupId: school.groupA,
        date: day,
        session: 'PM',
        version: 0,
        marks: [{ pupilId: a, code: '/' }],
      }),
    ]);
    // Whichever of the two first saves of group A's register reached the batch first is saved;
    // the other is told who saved it, and nothing of it is written.
    const [teacher, office] = settled;
    expect([teacher.status, office.status].sort()).toEqual(['fulfilled', 'rejected']);
    const teacherWon = teacher.status === 'fulfilled';
    expect(teacherWon ? teacher : office).toEqual({
      status: 'fulfilled',
      value: { version: 1, changed: teacherWon ? 3 : 1 },
    });
    const conflict = (teacherWon ? office : teacher) as PromiseRejectedResult;
    expect(conflict.reason).toBeInstanceOf(AppError);
    expect((conflict.reason as AppError).code).toBe('CONFLICT');
    expect((conflict.reason as AppError).message).toContain(
      `${teacherWon ? 'Test teacher' : 'Test office'} saved this register`,
    );
    expect(settled[2]).toEqual({ status: 'fulfilled', value: { version: 1, changed: 2 } });
    expect(settled[3]).toEqual({ status: 'fulfilled', value: { version: 1, changed: 1 } });

    const am = await getRegister(deps(open('09')), school.actors.office, {
      groupId: school.groupA,
      date: day,
      session: 'AM',
    });
    expect(am.pupils.map((p) => p.code)).toEqual(teacherWon ? ['/', 'I', '/'] : ['M', null, null]);
    expect(am.version).toBe(1);
    expect(await count('registers', { date: day })).toBe(3);
    expect(await count('mark_history', { date: day })).toBe(teacherWon ? 6 : 4);
    // One audit row per save that was written.
    expect((await count('audit_log')) - auditBefore).toBe(3);
  });

  it('writes many saves arriving together over several batches, each once with its history', async () => {
    // The 18 school days of October before half term × 2 groups × AM and PM: 72 saves at once.
    const days: string[] = [];
    for (let date = new Date('2025-10-01T12:00:00Z'); days.length < 18; date.setUTCDate(date.getUTCDate() + 1)) {
      if (date.getUTCDay() % 6 !== 0) days.push(date.toISOString().slice(0, 10));
    }
    const saves = days.flatMap((day) =>
      (['AM', 'PM'] as const).flatMap((session) =>
        [
          { groupId: school.groupA, pupils: school.pupilsA },
          { groupId: school.groupB, pupils: school.pupilsB },
        ].map((g) =>
          saveRegister(deps('2025-10-24T15:00:00Z'), school.actors.office, {
            groupId: g.groupId,
            date: d(day),
            session,
            version: 0,
            marks: g.pupils.map((pupilId) => ({ pupilId, code: session === 'AM' ? '/' : '\\' })),
          }),
        ),
      ),
    );
    expect(saves).toHaveLength(72);
    const results = await Promise.all(saves);
    expect(results.every((r) => r.version === 1 && r.changed > 0)).toBe(true);
    const october = await ctx.db
      .selectFrom('mark_history')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('date', '>=', '2025-10-01')
      .where('date', '<=', '2025-10-31')
      .executeTakeFirstOrThrow();
    expect(Number(october.n)).toBe(18 * 2 * (school.pupilsA.length + school.pupilsB.length));
    const registers = await ctx.db
      .selectFrom('registers')
      .select(['version'])
      .where('date', '>=', '2025-10-01')
      .where('date', '<=', '2025-10-31')
      .execute();
    expect(registers).toHaveLength(72);
    expect(registers.every((r) => Number(r.version) === 1)).toBe(true);
  });

  it('refuses one save of a batch (a change after the close without a reason) and writes the others', async () => {
    const day = d('2025-09-10');
    const [a] = school.pupilsA as [string];
    const [e] = school.pupilsB as [string];
    await saveRegister(deps(open('10')), school.actors.teacher, {
      groupId: school.groupA,
      date: day,
      session: 'AM',
      version: 0,
      marks: [{ pupilId: a, code: '/' }],
    });
    const [amend, first] = await Promise.allSettled([
      saveRegister(deps(closed('10')), school.actors.office, {
        groupId: school.groupA,
        date: day,
        session: 'AM',
        version: 1,
        marks: [{ pupilId: a, code: 'C' }],
      }),
      saveRegister(deps(closed('10')), school.actors.office, {
        groupId: school.groupB,
        date: day,
        session: 'AM',
        version: 0,
        marks: [{ pupilId: e, code: 'I' }],
      }),
    ]);
    expect(amend?.status).toBe('rejected');
    const refused = (amend as PromiseRejectedResult).reason as AppError;
    expect(refused.code).toBe('VALIDATION');
    const fields = refused.details['fields'] as { field: string; message: string }[];
    expect(fields.map((f) => f.field)).toEqual(['marks.0.reason']);
    expect(fields[0]?.message).toContain('reason');
    expect(first).toEqual({ status: 'fulfilled', value: { version: 1, changed: 1 } });
    const view = await getRegister(deps(closed('10')), school.actors.office, {
      groupId: school.groupA,
      date: day,
      session: 'AM',
    });
    // Nothing of the refused save: the mark and the version are as they were.
    expect(view.pupils[0]?.code).toBe('/');
    expect(view.version).toBe(1);
  });

  it('undoes alone a save whose statements fail, and writes the rest of its batch', async () => {
    const day = d('2025-09-11');
    const [a] = school.pupilsA as [string];
    const save = (groupId: string, pupilId: string) => saveOf(day, groupId, [pupilId], 0, '/');
    // No such pupil: the mark's foreign key fails. A save before it in the batch (written, then
    // rolled back with the batch on SQLite) and one after it are each written once.
    const [before, bad, after] = await Promise.allSettled([
      saveRegisterInBatch(ctx.db, ctx.dialect, save(school.groupA, a)),
      saveRegisterInBatch(ctx.db, ctx.dialect, save(school.groupB, 'no-such-pupil')),
      saveRegisterInBatch(ctx.db, ctx.dialect, save(school.groupA, a)),
    ]);
    expect(before).toEqual({ status: 'fulfilled', value: saved(1, 1) });
    expect(bad?.status).toBe('rejected');
    // The same register again, decided on version 0: a conflict, as it was before the failure.
    expect(after).toEqual({ status: 'fulfilled', value: { kind: 'conflict' } });
    const registers = await ctx.db.selectFrom('registers').select(['group_id']).where('date', '=', day).execute();
    expect(registers.map((r) => r.group_id)).toEqual([school.groupA]);
    expect(await count('mark_history', { date: day })).toBe(1);
    const audits = await ctx.db
      .selectFrom('audit_log')
      .select('id')
      .where('entity_id', 'in', [`${school.groupA}/${day}/AM`, `${school.groupB}/${day}/AM`])
      .execute();
    expect(audits).toHaveLength(1);
  });

  it('writes with a plan that reads no table whole, whatever plan PostgreSQL keeps (generic, made on empty tables)', async () => {
    // SQLite has no writer pool: its statements are prepared on its own handle.
    expect(postgresWriterPoolOf(ctx.db) === undefined).toBe(ctx.dialect === 'sqlite');
    if (ctx.dialect === 'sqlite') return;
    // A new installation: empty tables, analysed, as when the first saves of the first morning
    // are planned (the plan kept must not read a table whole once it has grown).
    const fresh = await freshDatabase('postgres');
    try {
      await sql`analyze`.execute(fresh.db);
      const client = await postgresWriterPoolOf(fresh.db)!.connect();
      try {
        expect((await client.query('show enable_seqscan')).rows[0]).toEqual({ enable_seqscan: 'off' });
        const plan = (await client.query(`explain (generic_plan) ${WRITE_BATCH}`)).rows
          .map((r: Record<string, string>) => r['QUERY PLAN'])
          .join('\n');
        expect(plan).not.toMatch(/Seq Scan/);
        // The webhook subscriptions by the register's school.
        expect(plan).toMatch(/Index (Only )?Scan using webhook_subscriptions_school on webhook_subscriptions/);
        expect(plan).toMatch(/Index Cond: \(school_id = ANY \(\$43\)\)/);
      } finally {
        client.release();
      }
    } finally {
      await fresh.close();
    }
  });

  describe('two batches in flight (PostgreSQL; one after the other on SQLite)', () => {
    /**
     * PostgreSQL: another transaction holds a register's row (inserted, not committed), so the
     * first save of that register waits in flight, on its write, until `release` (always called
     * when the test ends, passed or failed). SQLite: nothing is held.
     */
    const hold = async (groupId: string, day: PlainDate) => {
      if (ctx.dialect !== 'postgres') return { release: () => {}, ended: Promise.resolve() };
      let held!: () => void;
      const heldNow = new Promise<void>((r) => (held = r));
      let release!: () => void;
      const end = new Promise<void>((r) => (release = r));
      onTestFinished(() => release());
      const at = `${day}T07:00:00.000Z`;
      const ended = ctx.db
        .transaction()
        .execute(async (trx) => {
          await trx
            .insertInto('registers')
            .values({
              id: newId(),
              school_id: school.schoolId,
              group_id: groupId,
              date: day,
              session: 'AM',
              lesson_id: null,
              version: 7,
              taken_at: at,
              taken_by: null,
              updated_at: at,
              updated_by: null,
            })
            .execute();
          held();
          await end;
          throw new Error('rolled back on purpose');
        })
        .catch(() => undefined);
      await heldNow;
      return { release, ended };
    };
    const doneYet = (p: Promise<unknown>) => {
      const state = { done: false };
      void p.then(
        () => (state.done = true),
        () => (state.done = true),
      );
      return state;
    };
    /** Fails instead of waiting for ever (a save that could never be written beside the held one). */
    const within = <T>(p: Promise<T>, ms = 5_000) =>
      Promise.race([
        p,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not answered within ${ms} ms`)), ms)),
      ]);

    it('writes other registers beside a batch in flight; a save of its register waits and is decided on what it wrote', async () => {
      const day = d('2025-09-17');
      const [a] = school.pupilsA as [string];
      const [e] = school.pupilsB as [string];
      const seen: { code: string; stored: (string | undefined)[] }[] = [];
      const held = await hold(school.groupA, day);
      const first = saveRegisterInBatch(ctx.db, ctx.dialect, saveOf(day, school.groupA, [a], 0, '/', seen));
      const firstState = doneYet(first);
      await new Promise((r) => setTimeout(r, 50));
      // The same register saved again by someone who saw the first save (version 1), and another
      // group's register.
      const again = saveRegisterInBatch(ctx.db, ctx.dialect, saveOf(day, school.groupA, [a], 1, 'L', seen));
      const other = saveRegisterInBatch(ctx.db, ctx.dialect, saveOf(day, school.groupB, [e], 0, '/'));
      expect(await within(other)).toEqual(saved(1, 1));
      // Written beside the first batch, which still waits (PostgreSQL).
      if (ctx.dialect === 'postgres') expect(firstState.done).toBe(false);
      held.release();
      await held.ended;
      expect(await within(first)).toEqual(saved(1, 1));
      // Not read beside the first save's write (it would have found version 0: a conflict), but
      // after it: decided on the mark the first save wrote.
      expect(await within(again)).toEqual(saved(2, 1));
      expect(seen.find((x) => x.code === 'L')).toEqual({ code: 'L', stored: ['/'] });
      const mark = await ctx.db
        .selectFrom('session_marks')
        .select('code')
        .where('pupil_id', '=', a)
        .where('date', '=', day)
        .executeTakeFirstOrThrow();
      expect(mark.code).toBe('L');
      expect(await count('mark_history', { date: day })).toBe(3);
    });

    it('decides a batch of one date and session on the versions and marks stored (the read for one session)', async () => {
      const day = d('2025-09-22');
      const [a, a2] = school.pupilsA as [string, string];
      const seen: { code: string; stored: (string | undefined)[] }[] = [];
      expect(await saveRegisterInBatch(ctx.db, ctx.dialect, saveOf(day, school.groupA, [a, a2], 0, '/'))).toEqual(
        saved(1, 2),
      );
      // One batch: a save decided on version 0 (someone else saved since), one on version 1.
      const [stale, current] = await Promise.all([
        saveRegisterInBatch(ctx.db, ctx.dialect, saveOf(day, school.groupA, [a], 0, 'N', seen)),
        saveRegisterInBatch(ctx.db, ctx.dialect, saveOf(day, school.groupA, [a, a2], 1, 'L', seen)),
      ]);
      expect(stale).toEqual({ kind: 'conflict' });
      expect(current).toEqual(saved(2, 2));
      expect(seen).toEqual([{ code: 'L', stored: ['/', '/'] }]);
    });

    it('says for each school of a batch whether it has a webhook subscription on (PostgreSQL; SQLite reads them afterwards)', async () => {
      const day = d('2025-09-19');
      const other = await seedSmallSchool(ctx.db, 'webhooks-second');
      const subscription = (schoolId: string, disabledAt: string | null) => ({
        id: newId(),
        school_id: schoolId,
        url: 'https://mis.example.test/hook',
        events: 'mark.changed',
        description: 'test',
        secret_enc: 'not used here',
        created_by: 'test',
        created_at: '2025-09-01T08:00:00.000Z',
        disabled_at: disabledAt,
      });
      // This school's only subscription is switched off; the other school's is on.
      await ctx.db
        .insertInto('webhook_subscriptions')
        .values([subscription(school.schoolId, '2025-09-02T08:00:00.000Z'), subscription(other.schoolId, null)])
        .execute();
      const [here, there] = await Promise.all([
        saveRegisterInBatch(ctx.db, ctx.dialect, saveOf(day, school.groupA, [school.pupilsA[0]!], 0, '/')),
        saveRegisterInBatch(ctx.db, ctx.dialect, {
          ...saveOf(day, other.groupA, [other.pupilsA[0]!], 0, '/'),
          schoolId: other.schoolId,
        }),
      ]);
      expect(here).toEqual(saved(1, 1));
      expect(there).toEqual(
        ctx.dialect === 'postgres' ? { ...saved(1, 1), webhooks: true } : { kind: 'saved', version: 1, changed: 1 },
      );
    });

    it('a writer connection lost with a batch in flight: the save is told, nothing of it is written, and the next save of that register is (PostgreSQL)', async () => {
      if (ctx.dialect !== 'postgres') return;
      const day = d('2025-09-23');
      const [a] = school.pupilsA as [string];
      const held = await hold(school.groupA, day);
      const lost = saveRegisterInBatch(ctx.db, ctx.dialect, saveOf(day, school.groupA, [a], 0, 'N'));
      const lostState = doneYet(lost);
      // PostgreSQL ends the writer's connection while its write waits on the held row (a restart,
      // a failover or an administrator would end it the same way).
      let ended = 0;
      for (let i = 0; i < 100 && ended === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const r = await sql<{ n: number }>`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like 'with r as (insert into registers%'`.execute(
          ctx.db,
        );
        ended = r.rows[0]?.n ?? 0;
      }
      expect(ended).toBe(1);
      await expect(within(lost)).rejects.toThrow(/terminat/);
      expect(lostState.done).toBe(true);
      held.release();
      await held.ended;
      // Its keys were freed and the pool opens a new connection: the register is saved, once.
      expect(await within(saveRegisterInBatch(ctx.db, ctx.dialect, saveOf(day, school.groupA, [a], 0, '/')))).toEqual(
        saved(1, 1),
      );
      const history = await ctx.db
        .selectFrom('mark_history')
        .select('new_code')
        .where('pupil_id', '=', a)
        .where('date', '=', day)
        .execute();
      expect(history.map((h) => h.new_code)).toEqual(['/']);
    });

    it('keeps the order of two saves of one register when the first waits for a mark in flight', async () => {
      // A pupil marked on two registers (a member of two groups): group B's save of pupil a is in
      // flight. The first save of group A (pupils a and a2) waits for it; a later save of group A
      // marking only a2 must not overtake it.
      const day = d('2025-09-18');
      const [a, a2] = school.pupilsA as [string, string];
      const held = await hold(school.groupB, day);
      const onB = saveRegisterInBatch(ctx.db, ctx.dialect, saveOf(day, school.groupB, [a], 0, '/'));
      await new Promise((r) => setTimeout(r, 50));
      const earlier = saveRegisterInBatch(ctx.db, ctx.dialect, saveOf(day, school.groupA, [a, a2], 0, '/'));
      const later = saveRegisterInBatch(ctx.db, ctx.dialect, saveOf(day, school.groupA, [a2], 0, 'L'));
      await new Promise((r) => setTimeout(r, 50));
      held.release();
      await held.ended;
      expect(await within(onB)).toEqual(saved(1, 1));
      expect(await within(earlier)).toEqual(saved(1, 2));
      expect(await within(later)).toEqual({ kind: 'conflict' });
      const marks = await ctx.db
        .selectFrom('session_marks')
        .select(['pupil_id', 'code'])
        .where('pupil_id', 'in', [a, a2])
        .where('date', '=', day)
        .execute();
      expect(Object.fromEntries(marks.map((m) => [m.pupil_id, m.code]))).toEqual({ [a]: '/', [a2]: '/' });
    });
  });

  it('two servers saving the same register at once: one is saved, the other told, nothing mixed', async () => {
    // Two separate connections to one database, as two instances of the server behind a load
    // balancer would have (SQLite: a file opened twice; PostgreSQL: this test's database).
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-two-servers-'));
    const config =
      ctx.dialect === 'postgres'
        ? { kind: 'postgres' as const, url: ctx.url! }
        : { kind: 'sqlite' as const, path: join(dir, 'shared.sqlite') };
    const first = openDatabase(config);
    const second = openDatabase(config);
    try {
      const db = first.db;
      if (ctx.dialect === 'sqlite') await migrateToLatest(db);
      const shared = ctx.dialect === 'sqlite' ? await seedSmallSchool(db, 'two') : school;
      const day = d('2025-09-12');
      const [a, b, c] = shared.pupilsA as [string, string, string];
      const codes = (code: string) => [a, b, c].map((pupilId) => ({ pupilId, code }));
      const results = await Promise.allSettled([
        saveRegister(testDeps(first.db, ctx.dialect, open('12')), shared.actors.teacher, {
          groupId: shared.groupA,
          date: day,
          session: 'AM',
          version: 0,
          marks: codes('/'),
        }),
        saveRegister(testDeps(second.db, ctx.dialect, open('12')), shared.actors.office, {
          groupId: shared.groupA,
          date: day,
          session: 'AM',
          version: 0,
          marks: codes('I'),
        }),
      ]);
      const saved = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(saved).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect((refused[0]!.reason as AppError).code).toBe('CONFLICT');
      const marks = await db
        .selectFrom('session_marks')
        .select('code')
        .where('date', '=', day)
        .where('pupil_id', 'in', [a, b, c])
        .execute();
      // All three marks from one of the two saves, and one history row each.
      expect(new Set(marks.map((m) => m.code)).size).toBe(1);
      expect(marks).toHaveLength(3);
      const history = await db
        .selectFrom('mark_history')
        .select('user_name')
        .where('date', '=', day)
        .where('pupil_id', 'in', [a, b, c])
        .execute();
      expect(history).toHaveLength(3);
      expect(new Set(history.map((h) => h.user_name)).size).toBe(1);
    } finally {
      await Promise.all([first.close(), second.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('lesson registers', () => {
    it('saves a lesson register and a session register of the same pupils together', async () => {
      // Monday 15 September: the fixture's lesson is on Mondays.
      const day = d('2025-09-15');
      const lesson = await ctx.db
        .selectFrom('lessons')
        .select(['group_id', 'starts_at'])
        .where('id', '=', school.lessonId)
        .executeTakeFirstOrThrow();
      const members = await ctx.db
        .selectFrom('group_members')
        .select('pupil_id')
        .where('group_id', '=', lesson.group_id)
        .execute();
      const pupil = members[0]?.pupil_id;
      expect(pupil).toBeDefined();
      const [session, lessonSave] = await Promise.all([
        saveRegister(deps(open('15')), school.actors.office, {
          groupId: school.groupA,
          date: day,
          session: 'AM',
          version: 0,
          marks: (school.pupilsA as string[]).map((pupilId) => ({ pupilId, code: '/' })),
        }),
        saveRegister(deps(open('15')), school.actors.office, {
          groupId: lesson.group_id,
          date: day,
          session: 'AM',
          lessonId: school.lessonId,
          version: 0,
          marks: [{ pupilId: pupil!, code: 'N' }],
        }),
      ]);
      expect(session).toEqual({ version: 1, changed: 3 });
      expect(lessonSave).toEqual({ version: 1, changed: 1 });
      const history = await ctx.db
        .selectFrom('mark_history')
        .select(['lesson_id', 'new_code'])
        .where('date', '=', day)
        .where('lesson_id', 'is not', null)
        .execute();
      expect(history).toEqual([{ lesson_id: school.lessonId, new_code: 'N' }]);
      const err = await rejection(
        saveRegister(deps(open('15')), school.actors.office, {
          groupId: lesson.group_id,
          date: day,
          session: 'AM',
          lessonId: school.lessonId,
          version: 0,
          marks: [{ pupilId: pupil!, code: '/' }],
        }),
      );
      expect(err.code).toBe('CONFLICT');
    });
  });
});

/**
 * The first LA view after a restart (issue 18): schools whose snapshot's figures still hold are
 * shown from those figures, the others from their cohorts; either way the view is the one a fresh
 * computation gives, and a change made after the snapshot shows.
 */
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import type { Db } from '../../db/connect.js';
import { writeSessionMarks } from '../../db/registers/registers.js';
import { audit } from '../audit.js';
import { SYSTEM_ACTOR, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { forgetCohorts, storedSchoolTotals } from './cohort.js';
import { sideBySide, type SideBySide } from './dashboard.js';
import { decodeFigures, flushSnapshots } from './snapshots.js';

/** "Today" for the LA view: the figures kept with the snapshots are for this day. */
const NOW = '2025-10-10T15:00:00.000Z';
const TODAY = d('2025-10-10');
const CODES = ['/', '\\', 'I', 'O', 'L', 'M', 'U', 'G', 'B', 'C'];

/** Marks straight into `session_marks` (as an import leaves them, no history), 1 September to 10 October 2025. */
async function markTerm(db: Db, schools: readonly SmallSchool[]): Promise<void> {
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const rows = [];
  for (const s of schools)
    for (const pupilId of [...s.pupilsA, ...s.pupilsB])
      for (let t = Date.UTC(2025, 8, 1); t <= Date.UTC(2025, 9, 10); t += 86_400_000) {
        const day = new Date(t);
        const date = day.toISOString().slice(0, 10);
        if (day.getUTCDay() === 0 || day.getUTCDay() === 6 || date === '2025-09-26') continue;
        for (const session of ['AM', 'PM'] as const) {
          const code = next() < 0.8 ? (session === 'AM' ? '/' : '\\') : CODES[Math.floor(next() * CODES.length)]!;
          rows.push({
            pupil_id: pupilId,
            date,
            session,
            code,
            minutes_late: code === 'L' ? 5 + Math.floor(next() * 20) : null,
            updated_at: 'x',
            updated_by: null,
          });
        }
      }
  for (let i = 0; i < rows.length; i += 200)
    await db
      .insertInto('session_marks')
      .values(rows.slice(i, i + 200))
      .execute();
}

function laView(deps: Deps, actor: Actor): Promise<SideBySide> {
  return sideBySide(deps, actor, { scope: 'la' });
}

/** A restart: nothing in memory, the snapshots (written after the requests) in the database. */
async function restart(db: Db): Promise<void> {
  await flushSnapshots(db);
  forgetCohorts(db);
}

/** The view computed afresh: no snapshot and nothing in memory (the snapshots are put back after). */
async function freshView(deps: Deps, actor: Actor): Promise<SideBySide> {
  await flushSnapshots(deps.db);
  const saved = await deps.db.selectFrom('cohort_snapshots').selectAll().execute();
  await deps.db.deleteFrom('cohort_snapshots').execute();
  forgetCohorts(deps.db);
  const view = await laView(deps, actor);
  await flushSnapshots(deps.db);
  await deps.db.deleteFrom('cohort_snapshots').execute();
  if (saved.length > 0) await deps.db.insertInto('cohort_snapshots').values(saved).execute();
  forgetCohorts(deps.db);
  return view;
}

/** Which of the schools the next LA view would show from their snapshots' figures. */
async function fromFigures(deps: Deps, schools: readonly SmallSchool[]): Promise<string[]> {
  const stored = await storedSchoolTotals(
    deps,
    schools.map((s) => ({ id: s.schoolId, minPossibleSessions: 0 })),
    TODAY,
  );
  return [...stored.keys()].sort();
}

function rowOf(view: SideBySide, s: SmallSchool) {
  return view.schools.find((r) => r.school.id === s.schoolId)!;
}

/** A pupil's session the term marked present, to be changed. */
async function presentSession(db: Db, pupilId: string) {
  const r = await db
    .selectFrom('session_marks')
    .select(['date', 'session', 'code'])
    .where('pupil_id', '=', pupilId)
    .where('code', '=', '/')
    .orderBy('date')
    .executeTakeFirstOrThrow();
  return { date: d(r.date), session: r.session as 'AM' | 'PM' };
}

/** Every pupil's AM mark for today, the codes taken in turn from `codes` (a register taken this morning). */
function todaysRegister(schools: readonly SmallSchool[], codes: readonly string[]) {
  return schools
    .flatMap((s) => [...s.pupilsA, ...s.pupilsB])
    .map((pupilId, i) => ({
      pupilId,
      date: TODAY,
      session: 'AM' as const,
      code: codes[i % codes.length]!,
      minutesLate: codes[i % codes.length] === 'L' ? 12 : null,
      previousCode: null,
      previousMinutesLate: null,
      reason: null,
    }));
}

const AUTHOR = { userId: null, userName: 'Test', userRole: 'admin', at: NOW, source: 'office' } as const;

describeEachDialect('the LA view after a restart', (ctx) => {
  /** Two new schools with a term of marks, today's deps and school a's LA officer. */
  async function twoMarkedSchools() {
    const [a, b] = [await seedSmallSchool(ctx.db), await seedSmallSchool(ctx.db)];
    await markTerm(ctx.db, [a, b]);
    return { a, b, deps: testDeps(ctx.db, ctx.dialect, NOW), actor: a.actors.la_officer };
  }

  it('shows schools from their snapshots’ figures, the same view as computed afresh', async () => {
    const { a, b, deps, actor } = await twoMarkedSchools();
    const fresh = await laView(deps, actor);
    expect(rowOf(fresh, a).summary.pupils).toBe(5);
    expect(fresh.total.pupils).toBeGreaterThanOrEqual(10);
    await restart(ctx.db);
    // Each snapshot keeps the school's figures for today, computed from the same marks.
    const kept = await ctx.db
      .selectFrom('cohort_snapshots')
      .select(['school_id', 'figures'])
      .where('school_id', 'in', [a.schoolId, b.schoolId])
      .execute();
    for (const row of kept) expect(decodeFigures(row.figures)).toMatchObject({ asOf: TODAY, totals: { pupils: 5 } });
    expect(await fromFigures(deps, [a, b])).toEqual([a.schoolId, b.schoolId].sort());

    // Only the figures are read: with the marks and the snapshots' marks taken away behind its
    // back (no history row says so), the view is still the one computed before.
    await ctx.db
      .deleteFrom('session_marks')
      .where('pupil_id', 'in', [...a.pupilsA, ...a.pupilsB, ...b.pupilsA, ...b.pupilsB])
      .execute();
    await ctx.db
      .updateTable('cohort_snapshots')
      .set({ payload: new Uint8Array([1, 2, 3]) })
      .where('school_id', 'in', [a.schoolId, b.schoolId])
      .execute();
    expect(await laView(deps, actor)).toEqual(fresh);
    // The later tests' LA views include these schools: no snapshots, so no figures, for them.
    await ctx.db.deleteFrom('cohort_snapshots').where('school_id', 'in', [a.schoolId, b.schoolId]).execute();
  });

  it('takes the morning’s registers since the snapshot over its figures: the view computed afresh', async () => {
    const { a, b, deps, actor } = await twoMarkedSchools();
    const before = await laView(deps, actor);
    await restart(ctx.db);

    // Every pupil's AM register for today, taken after the night's snapshot (one history row each;
    // the history's previous code is what the register page showed, not what the snapshot packs).
    await writeSessionMarks(ctx.db, todaysRegister([a, b], ['/', 'O', 'I', '/', 'L', '/', 'G', 'B', '/', 'N']), AUTHOR);
    expect(await fromFigures(deps, [a, b])).toEqual([a.schoolId, b.schoolId].sort());
    const after = await laView(deps, actor);
    expect(after).toEqual(await freshView(deps, actor));
    expect(after.total).not.toEqual(before.total);
    expect(rowOf(after, a).summary.possibleSessions).toBe(rowOf(before, a).summary.possibleSessions);

    // Only the figures, the pupils' counts, the packed marks and the history since are read: with
    // the marks and the pupils' rows changed behind its back (no history row, no audit entry),
    // the view after another restart is still the one computed afresh above.
    await restart(ctx.db);
    const pupils = [...a.pupilsA, ...a.pupilsB, ...b.pupilsA, ...b.pupilsB];
    await ctx.db.deleteFrom('session_marks').where('pupil_id', 'in', pupils).execute();
    await ctx.db.updateTable('pupils').set({ admission_date: '2025-10-06' }).where('id', 'in', pupils).execute();
    expect(await laView(deps, actor)).toEqual(after);
    // The later tests' LA views include these schools: their history goes with their marks.
    await ctx.db.deleteFrom('cohort_snapshots').where('school_id', 'in', [a.schoolId, b.schoolId]).execute();
    await ctx.db.deleteFrom('mark_history').where('pupil_id', 'in', pupils).execute();
  });

  it('lays amended past marks (with history) over the figures; PA moves with them', async () => {
    const { a, b, deps, actor } = await twoMarkedSchools();
    const before = await laView(deps, actor);
    await restart(ctx.db);

    // The most absent pupil of school a: every session not marked present amended to present.
    const absences = await ctx.db
      .selectFrom('session_marks')
      .select(['pupil_id', 'date', 'session', 'code', 'minutes_late'])
      .where('pupil_id', 'in', [...a.pupilsA, ...a.pupilsB])
      .where('code', 'not in', ['/', '\\', 'L'])
      .execute();
    const most = [...a.pupilsA, ...a.pupilsB]
      .map((id) => ({ id, n: absences.filter((m) => m.pupil_id === id).length }))
      .sort((x, y) => y.n - x.n)[0]!.id;
    await writeSessionMarks(
      ctx.db,
      absences
        .filter((m) => m.pupil_id === most)
        .map((m) => ({
          pupilId: most,
          date: d(m.date),
          session: m.session as 'AM' | 'PM',
          code: m.session === 'AM' ? '/' : '\\',
          minutesLate: null,
          previousCode: m.code,
          previousMinutesLate: m.minutes_late === null ? null : Number(m.minutes_late),
          reason: 'amended',
        })),
      AUTHOR,
    );
    expect(await fromFigures(deps, [a, b])).toEqual([a.schoolId, b.schoolId].sort());
    const after = await laView(deps, actor);
    expect(after).toEqual(await freshView(deps, actor));
    expect(rowOf(after, a).summary.persistentAbsentees).toBe(rowOf(before, a).summary.persistentAbsentees - 1);
    expect(rowOf(after, a).summary.absenceRate).toBeLessThan(rowOf(before, a).summary.absenceRate!);
    expect(rowOf(after, b)).toEqual(rowOf(before, b));
  });

  it('shows a mark whose history row was committed late, below the snapshot’s watermark', async () => {
    const { a, b, deps, actor } = await twoMarkedSchools();
    // A mark with its history row, so that the snapshots' watermark is a time-ordered id.
    const first = await presentSession(ctx.db, b.pupilsB[0]!);
    await writeSessionMarks(
      ctx.db,
      [
        {
          pupilId: b.pupilsB[0]!,
          ...first,
          code: 'I',
          minutesLate: null,
          previousCode: '/',
          previousMinutesLate: null,
          reason: null,
        },
      ],
      AUTHOR,
    );
    const before = await laView(deps, actor);
    await restart(ctx.db);
    const snapshot = await ctx.db
      .selectFrom('cohort_snapshots')
      .select('mark_watermark')
      .where('school_id', '=', a.schoolId)
      .executeTakeFirstOrThrow();
    expect(snapshot.mark_watermark).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(await fromFigures(deps, [a, b])).toEqual([a.schoolId, b.schoolId].sort());

    // Another process's transaction made its history id a minute before the watermark and
    // committed after the snapshot was taken.
    const ms = parseInt(snapshot.mark_watermark.slice(0, 8) + snapshot.mark_watermark.slice(9, 13), 16) - 60_000;
    const hex = ms.toString(16).padStart(12, '0');
    const lateId = `${hex.slice(0, 8)}-${hex.slice(8)}-7000-8000-000000000001`;
    const at = await presentSession(ctx.db, a.pupilsB[1]!);
    await ctx.db
      .updateTable('session_marks')
      .set({ code: 'G' })
      .where('pupil_id', '=', a.pupilsB[1]!)
      .where('date', '=', at.date)
      .where('session', '=', at.session)
      .execute();
    await ctx.db
      .insertInto('mark_history')
      .values({
        id: lateId,
        pupil_id: a.pupilsB[1]!,
        date: at.date,
        session: at.session,
        lesson_id: null,
        previous_code: '/',
        new_code: 'G',
        previous_minutes_late: null,
        new_minutes_late: null,
        reason: null,
        user_id: null,
        user_name: 'Test',
        user_role: 'admin',
        at: NOW,
        source: 'office',
      })
      .execute();
    expect(await fromFigures(deps, [a, b])).toEqual([b.schoolId]);
    const after = await laView(deps, actor);
    expect(after).toEqual(await freshView(deps, actor));
    expect(rowOf(after, a).summary).not.toEqual(rowOf(before, a).summary);
  });

  it('shows a pupil admitted through the admission register after the snapshot and today’s registers', async () => {
    const { a, b, deps, actor } = await twoMarkedSchools();
    const before = await laView(deps, actor);
    await restart(ctx.db);
    // Both schools took their AM registers; then school a admitted a pupil (its roll changed: it is
    // measured from its cohort; school b's registers are laid over its figures).
    await writeSessionMarks(ctx.db, todaysRegister([a, b], ['O', '/', '/']), AUTHOR);

    // Admitted on 1 October (the register's own write, audited; no import).
    await ctx.db
      .insertInto('pupils')
      .values({
        id: `${a.schoolId}-new`,
        school_id: a.schoolId,
        upn: 'A123456789012',
        legal_forename: 'New',
        legal_surname: 'Pupil',
        preferred_forename: null,
        preferred_surname: null,
        date_of_birth: '2017-05-01',
        gender: 'F',
        year_group: '3',
        reg_group_id: a.groupA,
        admission_date: '2025-10-01',
        leaving_date: null,
      })
      .execute();
    await audit(ctx.db, SYSTEM_ACTOR, NOW, {
      action: 'admission.admit',
      entityType: 'pupil',
      entityId: `${a.schoolId}-new`,
      schoolId: a.schoolId,
    });
    expect(await fromFigures(deps, [a, b])).toEqual([b.schoolId]);
    const after = await laView(deps, actor);
    expect(after).toEqual(await freshView(deps, actor));
    expect(rowOf(after, a).summary.pupils).toBe(rowOf(before, a).summary.pupils + 1);
  });

  it('does not use figures for another day; the next cold load writes today’s', async () => {
    const { a, b, actor } = await twoMarkedSchools();
    const yesterday = testDeps(ctx.db, ctx.dialect, '2025-10-09T15:00:00.000Z');
    await laView(yesterday, actor);
    await restart(ctx.db);
    const deps = testDeps(ctx.db, ctx.dialect, NOW);
    expect(await fromFigures(deps, [a, b])).toEqual([]);
    const today = await laView(deps, actor);
    expect(today).toEqual(await freshView(deps, actor));
    await restart(ctx.db);
    expect(await fromFigures(deps, [a, b])).toEqual([a.schoolId, b.schoolId].sort());
    expect(await laView(deps, actor)).toEqual(today);
  });
});

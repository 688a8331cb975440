import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CohortSummary } from '@rollcall/domain';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { runAnalyse } from '../../cli/analyse.js';
import type { Db } from '../../db/connect.js';
import { writeSessionMarks } from '../../db/registers/registers.js';
import { audit } from '../audit.js';
import { SYSTEM_ACTOR } from '../authz.js';
import { forgetCohorts, loadCohort, type Cohort } from './cohort.js';
import { findJob } from '../duties/jobs/index.js';
import { schoolDashboard } from './dashboard.js';
import { flushSnapshots } from './snapshots.js';

const YEAR = { from: d('2025-08-01'), to: d('2026-07-31') };
const AS_OF = d('2025-10-10');
const CODES = ['/', '\\', 'I', 'O', 'L', 'M', 'U', 'G', 'B', 'C'];
const AUTHOR = {
  userId: null,
  userName: 'Test',
  userRole: 'admin',
  at: '2025-10-10T10:00:00.000Z',
  source: 'office',
} as const;

/** Marks straight into `session_marks` (as an import leaves them), 1 September to 10 October 2025. */
async function markTerm(
  db: Db,
  s: SmallSchool,
): Promise<{ upn: string; date: string; session: string; code: string }[]> {
  const upns = await db.selectFrom('pupils').select(['id', 'upn']).where('school_id', '=', s.schoolId).execute();
  const upnOf = new Map(upns.map((r) => [r.id, r.upn]));
  let seed = 11;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const rows = [];
  for (const pupilId of [...s.pupilsA, ...s.pupilsB]) {
    for (let t = Date.UTC(2025, 8, 1); t <= Date.UTC(2025, 9, 10); t += 86_400_000) {
      const day = new Date(t);
      const date = day.toISOString().slice(0, 10);
      if (day.getUTCDay() === 0 || day.getUTCDay() === 6 || date === '2025-09-26') continue;
      for (const session of ['AM', 'PM'] as const) {
        const code = next() < 0.75 ? (session === 'AM' ? '/' : '\\') : CODES[Math.floor(next() * CODES.length)]!;
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
  }
  for (let i = 0; i < rows.length; i += 200)
    await db
      .insertInto('session_marks')
      .values(rows.slice(i, i + 200))
      .execute();
  return rows.map((r) => ({ upn: upnOf.get(r.pupil_id)!, date: r.date, session: r.session, code: r.code }));
}

/** `rollcall analyse` on the same pupils, calendar and marks. */
async function analyseSummary(
  db: Db,
  s: SmallSchool,
  marks: { upn: string; date: string; session: string; code: string }[],
): Promise<CohortSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-snapshots-'));
  const pupils = await db.selectFrom('pupils').selectAll().where('school_id', '=', s.schoolId).execute();
  writeFileSync(
    join(dir, 'calendar.json'),
    JSON.stringify({
      terms: [{ name: 'Autumn 1', start: '2025-09-01', end: '2025-10-24' }],
      closures: [{ date: '2025-09-26', session: 'ALL', reason: 'INSET' }],
    }),
  );
  writeFileSync(
    join(dir, 'pupils.csv'),
    `upn,admission_date,leaving_date,year_group\n${pupils.map((p) => `${p.upn},${p.admission_date},${p.leaving_date ?? ''},${p.year_group ?? ''}`).join('\n')}\n`,
  );
  writeFileSync(
    join(dir, 'marks.csv'),
    `upn,date,session,code\n${marks.map((m) => `${m.upn},${m.date},${m.session},${m.code}`).join('\n')}\n`,
  );
  let out = '';
  let err = '';
  const code = await runAnalyse(
    {
      calendar: join(dir, 'calendar.json'),
      marks: join(dir, 'marks.csv'),
      pupils: join(dir, 'pupils.csv'),
      asOf: AS_OF,
    },
    { stdout: (t) => (out += t), stderr: (t) => (err += t), today: () => AS_OF },
  );
  expect(err).toBe('');
  expect(code).toBe(0);
  return (JSON.parse(out) as { summary: CohortSummary }).summary;
}

/** A cohort's pupils and marks as plain data, to compare two loads. */
function plain(c: Cohort): unknown {
  return c.pupils.map((p) => ({
    ...p,
    marks: {
      codes: [...p.marks.codes],
      minutesLate: p.marks.minutesLate ? [...p.marks.minutesLate] : null,
      rollFrom: p.marks.rollFrom,
      rollTo: p.marks.rollTo,
    },
  }));
}

/** A server restart: nothing in memory, the snapshots in the database. */
async function restart(db: Db): Promise<void> {
  await flushSnapshots(db);
  forgetCohorts(db);
}

/** A full read of the marks, as if there were no snapshot. */
async function fullRead(db: Db, schoolId: string): Promise<Cohort> {
  await flushSnapshots(db);
  const saved = await db.selectFrom('cohort_snapshots').selectAll().execute();
  await db.deleteFrom('cohort_snapshots').execute();
  forgetCohorts(db);
  const cohort = await loadCohort({ db }, schoolId, YEAR); // no clock: writes no snapshot
  forgetCohorts(db);
  if (saved.length > 0) await db.insertInto('cohort_snapshots').values(saved).execute();
  return cohort;
}

async function snapshotOf(db: Db, schoolId: string) {
  return db
    .selectFrom('cohort_snapshots')
    .select(['mark_watermark', 'audit_watermark', 'calendar_fingerprint', 'pupil_count', 'created_at'])
    .where('school_id', '=', schoolId)
    .where('year_start', '=', YEAR.from)
    .executeTakeFirst();
}

describeEachDialect('cohort snapshots', (ctx) => {
  it('round-trips exactly: a restart serves the same cohort and figures as a full read and `rollcall analyse`', async () => {
    const s = await seedSmallSchool(ctx.db);
    const marks = await markTerm(ctx.db, s);
    const deps = testDeps(ctx.db, ctx.dialect);
    const actor = s.actors.senior_leader;

    const before = await schoolDashboard(deps, actor, { schoolId: s.schoolId, asOf: AS_OF });
    const full = await loadCohort(deps, s.schoolId, YEAR);
    await flushSnapshots(ctx.db);
    const row = await snapshotOf(ctx.db, s.schoolId);
    expect(row).toMatchObject({ pupil_count: 5, created_at: '2025-09-08T08:00:00.000Z' });

    await restart(ctx.db);
    // Served from the snapshot: mark rows taken away behind its back (no history) do not show.
    await ctx.db
      .deleteFrom('session_marks')
      .where('pupil_id', 'in', [...s.pupilsA, ...s.pupilsB])
      .execute();
    const after = await loadCohort(deps, s.schoolId, YEAR);
    expect(plain(after)).toEqual(plain(full));
    expect(after.pupils.some((p) => p.marks.minutesLate !== undefined)).toBe(true);
    forgetCohorts(ctx.db);
    const dashboard = await schoolDashboard(deps, actor, { schoolId: s.schoolId, asOf: AS_OF });
    expect(dashboard.summary).toEqual(before.summary);
    expect(dashboard.summary).toEqual(await analyseSummary(ctx.db, s, marks));
  });

  it('applies the marks written after the snapshot, and keeps the snapshot while the delta is small', async () => {
    const s = await seedSmallSchool(ctx.db);
    await markTerm(ctx.db, s);
    const deps = testDeps(ctx.db, ctx.dialect);
    await loadCohort(deps, s.schoolId, YEAR);
    await restart(ctx.db);
    const first = await snapshotOf(ctx.db, s.schoolId);

    await writeSessionMarks(
      ctx.db,
      [
        {
          pupilId: s.pupilsA[0]!,
          date: d('2025-09-01'),
          session: 'AM',
          code: 'L',
          minutesLate: 9,
          previousCode: '/',
          previousMinutesLate: null,
          reason: 'late after all',
        },
        {
          pupilId: s.pupilsB[0]!,
          date: d('2025-10-13'),
          session: 'PM',
          code: 'I',
          minutesLate: null,
          previousCode: null,
          previousMinutesLate: null,
          reason: null,
        },
      ],
      AUTHOR,
    );
    const after = await loadCohort(deps, s.schoolId, YEAR);
    expect(plain(after)).toEqual(plain(await fullRead(ctx.db, s.schoolId)));
    // A small delta does not rewrite the snapshot.
    await restart(ctx.db);
    expect(await snapshotOf(ctx.db, s.schoolId)).toEqual(first);
  });

  it('rebuilds when the calendar changed', async () => {
    const s = await seedSmallSchool(ctx.db);
    await markTerm(ctx.db, s);
    const deps = testDeps(ctx.db, ctx.dialect);
    await loadCohort(deps, s.schoolId, YEAR);
    await restart(ctx.db);
    const first = await snapshotOf(ctx.db, s.schoolId);

    // A closure added (sessions renumbered) without an import: the fingerprint no longer matches.
    await ctx.db
      .insertInto('closures')
      .values({ id: `${s.schoolId}-c2`, school_id: s.schoolId, date: '2025-09-03', session: 'ALL', reason: 'Snow' })
      .execute();
    const after = await loadCohort(deps, s.schoolId, YEAR);
    expect(plain(after)).toEqual(plain(await fullRead(ctx.db, s.schoolId)));
    await restart(ctx.db);
    const second = await snapshotOf(ctx.db, s.schoolId);
    expect(second?.calendar_fingerprint).not.toBe(first?.calendar_fingerprint);
  });

  it.each(['import', 'retention.run'] as const)(
    'reads a school in full after an audited %s since the snapshot',
    async (action) => {
      const s = await seedSmallSchool(ctx.db);
      await markTerm(ctx.db, s);
      const deps = testDeps(ctx.db, ctx.dialect);
      await loadCohort(deps, s.schoolId, YEAR);
      await restart(ctx.db);

      // An import may rewrite marks wholesale, retention remove them: here one mark changed with no history row.
      await ctx.db
        .updateTable('session_marks')
        .set({ code: 'G' })
        .where('pupil_id', '=', s.pupilsA[1]!)
        .where('date', '=', '2025-09-02')
        .where('session', '=', 'AM')
        .execute();
      await audit(ctx.db, SYSTEM_ACTOR, '2025-10-10T11:00:00.000Z', {
        action,
        entityType: 'school',
        schoolId: s.schoolId,
      });
      const after = await loadCohort(deps, s.schoolId, YEAR);
      const full = await fullRead(ctx.db, s.schoolId);
      expect(plain(after)).toEqual(plain(full));
      const pupil = after.pupils.find((p) => p.id === s.pupilsA[1])!;
      expect(pupil.marks.codes[2]).toBe(full.pupils.find((p) => p.id === s.pupilsA[1])!.marks.codes[2]);
      // The snapshot written after the full read is current to the import.
      await restart(ctx.db);
      const row = await snapshotOf(ctx.db, s.schoolId);
      const importId = await ctx.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirstOrThrow();
      expect(row?.audit_watermark).toBe(importId.id);
    },
  );

  it('the nightly job writes the missing snapshots, then only those fallen behind', async () => {
    const s = await seedSmallSchool(ctx.db);
    await markTerm(ctx.db, s);
    const deps = testDeps(ctx.db, ctx.dialect);
    const job = findJob('analysis-snapshots')!;
    const run = () => job.run({ deps, date: d('2025-10-11'), actor: SYSTEM_ACTOR, schoolId: null });
    const first = await run();
    expect(first).toMatchObject({ yearStart: '2025-08-01' });
    expect(first['written']).toBeGreaterThanOrEqual(2); // this test's two schools, and any earlier test's left without one
    expect(await snapshotOf(ctx.db, s.schoolId)).toMatchObject({ pupil_count: 5 });
    expect(await run()).toMatchObject({ written: 0 });
    await audit(ctx.db, SYSTEM_ACTOR, '2025-10-11T02:00:00.000Z', {
      action: 'import',
      entityType: 'school',
      schoolId: s.schoolId,
    });
    expect(await run()).toMatchObject({ written: 1 });
    const restarted = await loadCohort(deps, s.schoolId, YEAR);
    expect(plain(restarted)).toEqual(plain(await fullRead(ctx.db, s.schoolId)));
  });
});

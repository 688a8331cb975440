import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CohortSummary, PlainDate } from '@rollcall/domain';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { d, rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { runAnalyse } from '../../cli/analyse.js';
import type { Db } from '../../db/connect.js';
import { schoolDashboard, sideBySide, tsmList } from './dashboard.js';

const AS_OF = d('2025-10-10');
const CODES = ['/', '\\', 'I', 'O', 'L', 'M', 'U', 'G', 'B', 'C'];

/** School days of the small school's term from 1 September up to 10 October 2025, less the INSET day. */
function schoolDays(): PlainDate[] {
  const out: PlainDate[] = [];
  for (let t = Date.UTC(2025, 8, 1); t <= Date.UTC(2025, 9, 10); t += 86_400_000) {
    const day = new Date(t);
    const iso = day.toISOString().slice(0, 10);
    if (day.getUTCDay() === 0 || day.getUTCDay() === 6 || iso === '2025-09-26') continue;
    out.push(iso as PlainDate);
  }
  return out;
}

/** Marks for the five pupils: a spread of codes, pupil 3 persistently and pupil 4 severely absent. */
async function markTerm(
  db: Db,
  s: SmallSchool,
): Promise<{ upn: string; date: string; session: string; code: string }[]> {
  const pupils = [...s.pupilsA, ...s.pupilsB];
  const upns = await db.selectFrom('pupils').select(['id', 'upn']).where('school_id', '=', s.schoolId).execute();
  const upnOf = new Map(upns.map((r) => [r.id, r.upn]));
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const rows = [];
  for (const [i, pupilId] of pupils.entries()) {
    for (const date of schoolDays()) {
      for (const session of ['AM', 'PM'] as const) {
        const r = next();
        let code = r < 0.8 ? (session === 'AM' ? '/' : '\\') : CODES[Math.floor(next() * CODES.length)]!;
        if (i === 3 && r < 0.2) code = 'O';
        if (i === 4 && r < 0.6) code = 'I';
        rows.push({
          pupil_id: pupilId,
          date,
          session,
          code,
          minutes_late: code === 'L' ? 5 : null,
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

async function analyseSummary(
  db: Db,
  s: SmallSchool,
  marks: { upn: string; date: string; session: string; code: string }[],
  only?: (p: { year_group: string | null; fsm: number }) => boolean,
): Promise<CohortSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-analysis-'));
  const pupils = (await db.selectFrom('pupils').selectAll().where('school_id', '=', s.schoolId).execute()).filter(
    (p) => !only || only(p),
  );
  const upns = new Set(pupils.map((p) => p.upn));
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
    `upn,date,session,code\n${marks
      .filter((m) => upns.has(m.upn))
      .map((m) => `${m.upn},${m.date},${m.session},${m.code === '\\' ? '\\' : m.code}`)
      .join('\n')}\n`,
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

describeEachDialect('analysis dashboards', (ctx) => {
  it('gives the same figures as `rollcall analyse` on the same data, for the school and a filter', async () => {
    const s = await seedSmallSchool(ctx.db);
    await ctx.db.updateTable('pupils').set({ fsm: 1 }).where('id', 'in', [s.pupilsA[1]!, s.pupilsB[1]!]).execute();
    const marks = await markTerm(ctx.db, s);
    const deps = testDeps(ctx.db, ctx.dialect);
    const actor = s.actors.senior_leader;

    const whole = await schoolDashboard(deps, actor, { schoolId: s.schoolId, asOf: AS_OF });
    expect(whole.summary).toEqual(await analyseSummary(ctx.db, s, marks));
    expect(whole.summary.severeAbsentees).toBeGreaterThanOrEqual(1);
    expect(whole.summary.pupils).toBe(5);
    expect(whole.bands.reduce((n, b) => n + b.pupils, 0)).toBe(5);
    expect(whole.bandsFrom).toBe('default');
    expect(whole.national).toMatchObject({ phase: 'primary', academicYear: '2025/26' });

    const year3 = await schoolDashboard(deps, actor, { schoolId: s.schoolId, asOf: AS_OF, filter: { yearGroup: '3' } });
    expect(year3.summary).toEqual(await analyseSummary(ctx.db, s, marks, (p) => p.year_group === '3'));
    const cls = await schoolDashboard(deps, actor, {
      schoolId: s.schoolId,
      asOf: AS_OF,
      filter: { regGroupId: s.groupB },
    });
    expect(cls.summary).toEqual(await analyseSummary(ctx.db, s, marks, (p) => p.year_group === '4'));
    const fsm = await schoolDashboard(deps, actor, { schoolId: s.schoolId, asOf: AS_OF, filter: { group: 'fsm' } });
    expect(fsm.summary).toEqual(await analyseSummary(ctx.db, s, marks, (p) => p.fsm === 1));

    const row = whole.groups.find((g) => g.key === 'fsm')!;
    expect(row.summary).toEqual(fsm.summary);
    expect(row.rest).toEqual(await analyseSummary(ctx.db, s, marks, (p) => p.fsm !== 1));
    expect(row.absenceGap).toBeCloseTo(row.summary.absenceRate! - row.rest.absenceRate!, 12);
    // CP is a safeguarding group: a senior leader sees it, a governor does not.
    expect(whole.groups.map((g) => g.key)).toContain('cp');
    const governor = await schoolDashboard(deps, s.actors.governor, { schoolId: s.schoolId, asOf: AS_OF });
    expect(governor.groups.map((g) => g.key)).not.toContain('cp');
    expect(governor.summary).toEqual(whole.summary);
  });

  it('uses the casework policy’s bands when the school has them', async () => {
    const s = await seedSmallSchool(ctx.db);
    await markTerm(ctx.db, s);
    const school = await ctx.db
      .selectFrom('schools')
      .select('policy_json')
      .where('id', '=', s.schoolId)
      .executeTakeFirstOrThrow();
    const { TWIN_TRACK_EXAMPLE_POLICY } = await import('@rollcall/domain');
    await ctx.db
      .updateTable('schools')
      .set({ policy_json: JSON.stringify({ ...JSON.parse(school.policy_json), casework: TWIN_TRACK_EXAMPLE_POLICY }) })
      .where('id', '=', s.schoolId)
      .execute();
    const dash = await schoolDashboard(testDeps(ctx.db, ctx.dialect), s.actors.attendance_officer, {
      schoolId: s.schoolId,
      asOf: AS_OF,
    });
    expect(dash.bandsFrom).toBe('policy');
    expect(dash.bands.map((b) => b.name)).toEqual(TWIN_TRACK_EXAMPLE_POLICY.bands.map((b) => b.name));
    expect(dash.bands.reduce((n, b) => n + b.pupils, 0)).toBe(5);
  });

  it('lets trust leads and LA officers see only their own schools, side by side, and the LA its TSM list', async () => {
    const s = await seedSmallSchool(ctx.db);
    await markTerm(ctx.db, s);
    const deps = testDeps(ctx.db, ctx.dialect);
    const trust = await sideBySide(deps, s.actors.trust_lead, { scope: 'trust', asOf: AS_OF });
    expect(trust.schools.map((r) => r.school.id)).toEqual([s.schoolId]);
    const own = await schoolDashboard(deps, s.actors.senior_leader, { schoolId: s.schoolId, asOf: AS_OF });
    expect(trust.schools[0]!.summary).toEqual(own.summary);
    expect(trust.schools[0]!.national?.phase).toBe('primary');
    const la = await sideBySide(deps, s.actors.la_officer, { scope: 'la', asOf: AS_OF });
    // Every test school of this database is in LA 999; the other school is in LA 998.
    expect(la.schools.map((r) => r.school.id)).toContain(s.schoolId);
    expect(la.schools.map((r) => r.school.id)).not.toContain(s.otherSchoolId);
    expect(la.name).toBe('Test Borough');

    // Drill-down: their own school yes, another school no.
    await schoolDashboard(deps, s.actors.la_officer, { schoolId: s.schoolId, asOf: AS_OF });
    expect(
      (await rejection(schoolDashboard(deps, s.actors.la_officer, { schoolId: s.otherSchoolId, asOf: AS_OF }))).code,
    ).toBe('FORBIDDEN');
    expect(
      (await rejection(schoolDashboard(deps, s.actors.trust_lead, { schoolId: s.otherSchoolId, asOf: AS_OF }))).code,
    ).toBe('FORBIDDEN');
    expect((await rejection(schoolDashboard(deps, s.actors.teacher, { schoolId: s.schoolId, asOf: AS_OF }))).code).toBe(
      'FORBIDDEN',
    );
    expect((await rejection(sideBySide(deps, s.actors.senior_leader, { scope: 'la', asOf: AS_OF }))).code).toBe(
      'FORBIDDEN',
    );
    expect((await rejection(tsmList(deps, s.actors.trust_lead, { asOf: AS_OF }))).code).toBe('FORBIDDEN');

    const tsm = await tsmList(deps, s.actors.la_officer, { asOf: AS_OF });
    const list = tsm.schools.find((x) => x.school.id === s.schoolId)!.pupils;
    expect(list.length).toBe(own.summary.severeAbsentees + list.filter((p) => !p.severe).length);
    expect(list.some((p) => p.severe && p.reasons[0]!.startsWith('severely absent'))).toBe(true);
  });
});

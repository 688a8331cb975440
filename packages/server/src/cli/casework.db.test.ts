import { describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { d, seedSmallSchool, testDeps } from '../../test/fixtures.js';
import { capInWords, runCaseworkEvaluate } from './casework.js';

function capture(): { out: string[]; err: string[]; io: { stdout(t: string): void; stderr(t: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t) } };
}

describeEachDialect('cli casework evaluate', (ctx) => {
  it('evaluates one school by URN, reports the counts, and names an unknown URN', async () => {
    const school = await seedSmallSchool(ctx.db);
    await ctx.db
      .insertInto('session_marks')
      .values(
        ['AM', 'PM'].map((session) => ({
          pupil_id: school.pupilsA[0]!,
          date: '2025-09-01',
          session,
          code: 'O',
          minutes_late: null,
          updated_at: '2025-09-01T16:00:00.000Z',
          updated_by: null,
        })),
      )
      .execute();
    const deps = testDeps(ctx.db, ctx.dialect, '2025-09-01T16:00:00Z');
    const urn = (
      await ctx.db.selectFrom('schools').select('urn').where('id', '=', school.schoolId).executeTakeFirstOrThrow()
    ).urn;
    const s = capture();
    expect(await runCaseworkEvaluate(deps, s.io, { schoolUrn: urn, asOf: d('2025-09-01') })).toBe(0);
    expect(s.out.join('')).toBe(
      `Test Primary (${urn}), 2025-09-01: 5 pupil(s) evaluated, 1 new suggestion(s), 0 already open, 0 no longer holding, ` +
        '0 held back (no cap on new entries)\n',
    );
    const again = capture();
    await runCaseworkEvaluate(deps, again.io, { schoolUrn: urn, asOf: d('2025-09-01') });
    expect(again.out.join('')).toContain('0 new suggestion(s), 1 already open');
    const bad = capture();
    expect(await runCaseworkEvaluate(deps, bad.io, { schoolUrn: 'nope', asOf: d('2025-09-01') })).toBe(4);
    expect(bad.err.join('')).toBe('rollcall casework evaluate: No school with URN nope.\n');
  });

  it('prints how many new entries the policy’s cap held back', async () => {
    const school = await seedSmallSchool(ctx.db);
    // Three pupils absent for the whole day: three new entries, the cap lets one through.
    await ctx.db
      .insertInto('session_marks')
      .values(
        school.pupilsA.flatMap((pupil_id) =>
          ['AM', 'PM'].map((session) => ({
            pupil_id,
            date: '2025-09-01',
            session,
            code: 'O',
            minutes_late: null,
            updated_at: '2025-09-01T16:00:00.000Z',
            updated_by: null,
          })),
        ),
      )
      .execute();
    await ctx.db
      .updateTable('schools')
      .set({ policy_json: JSON.stringify({ maxNewEntriesPerRun: 1 }) })
      .where('id', '=', school.schoolId)
      .execute();
    const deps = testDeps(ctx.db, ctx.dialect, '2025-09-01T16:00:00Z');
    const urn = (
      await ctx.db.selectFrom('schools').select('urn').where('id', '=', school.schoolId).executeTakeFirstOrThrow()
    ).urn;
    const s = capture();
    expect(await runCaseworkEvaluate(deps, s.io, { schoolUrn: urn, asOf: d('2025-09-01') })).toBe(0);
    expect(s.out.join('')).toBe(
      `Test Primary (${urn}), 2025-09-01: 5 pupil(s) evaluated, 1 new suggestion(s), 0 already open, 0 no longer holding, ` +
        '2 held back (at most 1 new entry per evaluation)\n',
    );
  });

  it('says when the date is not a school day, and which day the marks are counted to', async () => {
    const school = await seedSmallSchool(ctx.db);
    const deps = testDeps(ctx.db, ctx.dialect, '2025-09-06T10:00:00Z');
    const urn = (
      await ctx.db.selectFrom('schools').select('urn').where('id', '=', school.schoolId).executeTakeFirstOrThrow()
    ).urn;
    const saturday = capture();
    expect(await runCaseworkEvaluate(deps, saturday.io, { schoolUrn: urn, asOf: d('2025-09-06') })).toBe(0);
    expect(saturday.out.join('')).toContain(
      '  Note: Saturday 6 September 2025 is not a school day at Test Primary; ' +
        'marks are counted to the last school day before it, Friday 5 September 2025.\n',
    );
    const beforeTerm = capture();
    await runCaseworkEvaluate(deps, beforeTerm.io, { schoolUrn: urn, asOf: d('2025-08-30') });
    expect(beforeTerm.out.join('')).toContain(
      'Saturday 30 August 2025 is not a school day at Test Primary; no school day comes before it this year, so no marks are counted.',
    );
    const schoolDay = capture();
    await runCaseworkEvaluate(deps, schoolDay.io, { schoolUrn: urn, asOf: d('2025-09-05') });
    expect(schoolDay.out.join('')).not.toContain('Note:');
  });
});

describe('capInWords', () => {
  it('says the cap as the policy page does', () => {
    expect(capInWords(null)).toBe('no cap on new entries');
    expect(capInWords(1)).toBe('at most 1 new entry per evaluation');
    expect(capInWords(25)).toBe('at most 25 new entries per evaluation');
  });
});

import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { getSchool } from '../school/schools.js';
import { caseworkPolicyOf, presetDocument } from './school-policy.js';
import { saveSchoolPolicy, viewSchoolPolicy } from './school-policy-store.js';

const NOW = '2025-09-08T08:00:00Z';

describeEachDialect('the school policy document', (ctx) => {
  let school: SmallSchool;
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
  });

  it('saves a preset in one transaction with its audit entry, and every reader sees it', async () => {
    const officer = school.actors.attendance_officer;
    const before = await viewSchoolPolicy(deps(), officer, school.schoolId);
    const text = presetDocument(before.policy, 'stockport-staged');
    const saved = await saveSchoolPolicy(deps(), officer, { schoolId: school.schoolId, text });
    expect(saved.changed).toEqual(['bands', 'casework', 'preset', 'target']);
    const s = await getSchool(ctx.db, school.schoolId);
    expect(caseworkPolicyOf(s.policy).stages.map((st) => st.id)).toEqual([
      'stage-1',
      'stage-2',
      'stage-3a',
      'stage-3b',
      'stage-4',
    ]);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'policy.update')
      .where('school_id', '=', school.schoolId)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.user_id).toBe(officer.userId);
    expect(audit[0]!.at).toBe(NOW.replace('Z', '.000Z'));
    expect(JSON.parse(audit[0]!.details!)).toEqual({
      changed: ['bands', 'casework', 'preset', 'target'],
      changes: [
        'Attendance target: not set → 96%',
        expect.stringMatching(/^Bands: Expected attendance \(95% and above\) from 95%, .* → Good attendance/),
        expect.stringMatching(
          /^Staged casework: Twin-track attendance support \(example\) .* → Attendance intervention/,
        ),
        expect.stringMatching(/^Letter templates: none → stage-1, stage-2, /),
      ],
      preset: 'stockport-staged',
      casework: 'stockport-staged',
    });
  });

  it('refuses a bad document with every field named, changing nothing', async () => {
    const officer = school.actors.senior_leader;
    const before = (await viewSchoolPolicy(deps(), officer, school.schoolId)).yaml;
    const r = await rejection(
      saveSchoolPolicy(deps(), officer, { schoolId: school.schoolId, text: 'target: 2\npreset: nope' }),
    );
    expect(r.code).toBe('VALIDATION');
    expect(r.details.fields?.map((f) => f.field)).toEqual(['target', 'preset']);
    expect((await viewSchoolPolicy(deps(), officer, school.schoolId)).yaml).toBe(before);
  });

  it('lets only attendance officers, senior leaders and administrators in, at their own school', async () => {
    for (const role of ['teacher', 'office', 'senco', 'governor', 'parent'] as const) {
      expect((await rejection(viewSchoolPolicy(deps(), school.actors[role], school.schoolId))).code).toBe('FORBIDDEN');
    }
    const other = await rejection(
      saveSchoolPolicy(deps(), school.actors.attendance_officer, {
        schoolId: school.otherSchoolId,
        text: 'target: 0.9',
      }),
    );
    expect(other.code).toBe('FORBIDDEN');
  });
});

import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { readPdfText } from '../../platform/pdf.js';
import { certificateFor, certificatePdf } from './certificate.js';
import { packChecklist } from '../casework/evidence-pack/pack.js';
import { forgetCalendar } from '../registers/registers.js';

/** Friday 3 October 2025, 10:00 in London. */
const NOW = '2025-10-03T09:00:00Z';

describeEachDialect('attendance certificates for any period with marks', (ctx) => {
  let school: SmallSchool;
  let pupilId: string;
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    pupilId = school.pupilsA[0]!;
    // Last academic year's summer half-term, with the pupil on roll since September 2024.
    await ctx.db
      .insertInto('terms')
      .values({
        id: `t-prev-${school.schoolId}`,
        school_id: school.schoolId,
        name: 'Summer 2',
        start_date: '2025-06-02',
        end_date: '2025-07-18',
      })
      .execute();
    forgetCalendar(school.schoolId);
    await ctx.db.updateTable('pupils').set({ admission_date: '2024-09-02' }).where('id', '=', pupilId).execute();
    const mark = (date: string, session: string, code: string) => ({
      pupil_id: pupilId,
      date,
      session,
      code,
      minutes_late: null,
      updated_at: NOW,
      updated_by: null,
    });
    await ctx.db
      .insertInto('session_marks')
      .values([
        mark('2025-06-02', 'AM', '/'),
        mark('2025-06-02', 'PM', '\\'),
        mark('2025-06-03', 'AM', 'O'),
        mark('2025-06-03', 'PM', 'O'),
        mark('2025-06-04', 'AM', 'I'),
        mark('2025-09-08', 'AM', '/'),
      ])
      .execute();
  });

  it('certifies a period of a previous academic year, with its school days and marks', async () => {
    const c = await certificateFor(deps(), school.actors.senior_leader, pupilId, {
      from: '2025-06-02',
      to: '2025-06-06',
    });
    expect(c.rows.map((r) => `${r.date} ${r.am}${r.pm}`)).toEqual([
      '2025-06-02 /\\',
      '2025-06-03 OO',
      '2025-06-04 I-',
      '2025-06-05 --',
      '2025-06-06 --',
    ]);
    expect(c).toMatchObject({ possible: 5, present: 2, authorised: 1, unauthorised: 2, unmarked: 5 });
    expect(c.rate).toBeCloseTo(0.4);
    const text = readPdfText(
      await certificatePdf(
        deps(),
        school.actors.senior_leader,
        pupilId,
        { from: '2025-06-02', to: '2025-06-06' },
        { compress: false },
      ),
    );
    expect(text).toContain('2 June 2025 to 6 June 2025');
    expect(text).toContain('40.0%');
  });

  it('spans academic years', async () => {
    const c = await certificateFor(deps(), school.actors.senior_leader, pupilId, {
      from: '2025-06-02',
      to: '2025-09-12',
    });
    expect(c.rows[0]!.date).toBe('2025-06-02');
    expect(c.rows.some((r) => r.date === '2025-07-18')).toBe(true);
    expect(c.rows.some((r) => r.date === '2025-08-01')).toBe(false);
    expect(c.rows.find((r) => r.date === '2025-09-08')?.am).toBe('/');
  });

  it('names the field when the period is inverted or outside the data', async () => {
    const inverted = await rejection(
      certificateFor(deps(), school.actors.senior_leader, pupilId, { from: '2025-09-19', to: '2025-09-15' }),
    );
    expect(inverted.code).toBe('VALIDATION');
    expect(inverted.details.fields).toEqual([
      { field: 'to', message: 'To: the last date (15 September 2025) is before the first date (19 September 2025).' },
    ]);
    expect(inverted.message).toContain('To: the last date');
    const early = await rejection(
      certificateFor(deps(), school.actors.senior_leader, pupilId, { from: '2024-01-01', to: '2025-06-06' }),
    );
    expect(early.details.fields).toEqual([
      {
        field: 'from',
        message: "From: the school's register starts on 2 June 2025; choose a first date on or after it.",
      },
    ]);
    const late = await rejection(
      certificateFor(deps(), school.actors.senior_leader, pupilId, { from: '2025-09-01', to: '2025-12-19' }),
    );
    expect(late.details.fields).toEqual([
      { field: 'to', message: 'To: the last date is after today (3 October 2025); choose a date on or before it.' },
    ]);
    const bad = await rejection(
      certificateFor(deps(), school.actors.senior_leader, pupilId, { from: '2025-13-01', to: 'x' }),
    );
    expect(bad.details.fields?.map((f) => f.field)).toEqual(['from', 'to']);
  });

  it('lets an evidence pack certify last year, with the same checks', async () => {
    const check = await packChecklist(deps(), school.actors.attendance_officer, pupilId, 'la-referral', {
      from: '2025-06-02',
      to: '2025-06-06',
    });
    expect(check.items.find((i) => i.key === 'certificate')?.present).toBe(true);
    const outside = await rejection(
      packChecklist(deps(), school.actors.attendance_officer, pupilId, 'la-referral', {
        from: '2024-01-01',
        to: '2024-02-01',
      }),
    );
    expect(outside.details.fields?.[0]?.field).toBe('from');
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/databases.js';
import { rejection } from '../../../../test/fixtures.js';
import { fixedClock } from '../../../platform/clock.js';
import { SYSTEM_ACTOR, type Actor } from '../../authz.js';
import { importSchoolData } from '../import/import-school-data.js';
import { CALENDAR, contactsCsv, groupsCsv, marksCsv, pupilsCsv, UPN } from '../import/test-support.js';
import { forgetCalendar } from '../../registers/registers.js';
import { CENSUS_CODES, censusCountsExport, csvCell, dailyAttendanceExport } from './attendance-exports.js';

describe('csvCell', () => {
  it('quotes only what needs quoting, and keeps codes as they are', () => {
    expect(csvCell('\\')).toBe('\\');
    expect(csvCell('#')).toBe('#');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(null)).toBe('');
    expect(csvCell(7)).toBe('7');
  });

  it('defuses spreadsheet formulas and drops NUL and bidi overrides (the one CSV writer)', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell('Y\u00007')).toBe('Y7');
    expect(csvCell('7\u202e')).toBe('7');
    expect(csvCell(-3)).toBe('-3');
  });
});

describeEachDialect('DfE attendance exports', (ctx) => {
  const deps = () => ({ db: ctx.db, dialect: ctx.dialect, clock: fixedClock('2025-09-15T10:00:00.000Z') });
  let schoolId = '';
  beforeAll(async () => {
    forgetCalendar();
    const report = await importSchoolData(deps(), SYSTEM_ACTOR, {
      urn: '300001',
      school: { name: 'Export Primary', phase: 'primary', laCode: '330', laName: 'Birmingham' },
      calendar: { name: 'calendar.json', text: JSON.stringify(CALENDAR) },
      pupils: { name: 'pupils.csv', text: pupilsCsv() },
      marks: { name: 'marks.csv', text: marksCsv() },
      contacts: { name: 'contacts.csv', text: contactsCsv() },
      groups: { name: 'groups.csv', text: groupsCsv() },
    });
    schoolId = report.school.id;
  });

  it('daily: a row per pupil on roll and school session, the code as recorded, audited', async () => {
    const out = await dailyAttendanceExport(deps(), SYSTEM_ACTOR, { schoolId, date: '2025-09-02' });
    // Cal is admitted on the 3rd, so is not on roll on the 2nd.
    expect(out.csv).toBe(
      [
        'urn,la_code,upn,date,session,attendance_code,minutes_late,year_group',
        `300001,330,${UPN.alex},2025-09-02,AM,L,7,5`,
        `300001,330,${UPN.alex},2025-09-02,PM,\\,,5`,
        `300001,330,${UPN.bea},2025-09-02,AM,/,,5`,
        `300001,330,${UPN.bea},2025-09-02,PM,\\,,5`,
        '',
      ].join('\r\n'),
    );
    expect(out.fileName).toBe('daily-attendance-300001-2025-09-02.csv');
    // The closed Friday afternoon is not a school session; a weekend has no rows at all.
    const friday = await dailyAttendanceExport(deps(), SYSTEM_ACTOR, { schoolId, date: '2025-09-05' });
    expect(friday.rows.map((r) => r[4])).toEqual(['AM', 'AM', 'AM']);
    expect((await dailyAttendanceExport(deps(), SYSTEM_ACTOR, { schoolId, date: '2025-09-06' })).rows).toEqual([]);
    const audited = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('school_id', '=', schoolId)
      .where('action', '=', 'export.dailyAttendance')
      .execute();
    expect(audited).toHaveLength(3);
  });

  it('census: sessions possible, present, absence and each code per pupil over the term', async () => {
    const out = await censusCountsExport(deps(), SYSTEM_ACTOR, { schoolId, term: 'Autumn 1' });
    const at = (name: string) => out.header.indexOf(name);
    const byUpn = new Map(out.rows.map((r) => [r[at('upn')], r]));
    const pick = (upn: string) => {
      const r = byUpn.get(upn)!;
      return {
        possible: r[at('sessions_possible')],
        present: r[at('sessions_present')],
        authorised: r[at('sessions_authorised_absence')],
        unauthorised: r[at('sessions_unauthorised_absence')],
        none: r[at('sessions_without_mark')],
        I: r[at('code_I')],
      };
    };
    expect(out.rows).toHaveLength(3);
    expect(out.header).toHaveLength(16 + CENSUS_CODES.length);
    expect(pick(UPN.alex)).toEqual({ possible: 19, present: 17, authorised: 2, unauthorised: 0, none: 0, I: 2 });
    expect(pick(UPN.bea)).toEqual({ possible: 19, present: 19, authorised: 0, unauthorised: 0, none: 0, I: 0 });
    expect(pick(UPN.cal)).toEqual({ possible: 15, present: 15, authorised: 0, unauthorised: 0, none: 0, I: 0 });
    const sameByDates = await censusCountsExport(deps(), SYSTEM_ACTOR, {
      schoolId,
      from: '2025-09-01',
      to: '2025-09-12',
    });
    expect(sameByDates.csv).toBe(out.csv);
    expect((await rejection(censusCountsExport(deps(), SYSTEM_ACTOR, { schoolId, term: 'Summer 9' }))).code).toBe(
      'NOT_FOUND',
    );
    expect(
      (await rejection(censusCountsExport(deps(), SYSTEM_ACTOR, { schoolId, from: '2025-09-12', to: '2025-09-01' })))
        .code,
    ).toBe('VALIDATION');
  });

  it('only roles allowed to export pupil-level data may', async () => {
    const teacher: Actor = { ...SYSTEM_ACTOR, userId: 'u-t', role: 'teacher', schoolId };
    expect((await rejection(dailyAttendanceExport(deps(), teacher, { schoolId, date: '2025-09-02' }))).code).toBe(
      'FORBIDDEN',
    );
    const office: Actor = { ...SYSTEM_ACTOR, userId: 'u-o', role: 'office', schoolId };
    expect((await rejection(censusCountsExport(deps(), office, { schoolId, term: 'Autumn 1' }))).code).toBe(
      'FORBIDDEN',
    );
  });
});

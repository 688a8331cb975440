/**
 * The admission register as the register of record (issue 15, item 5): an import enters every
 * pupil in the register (once) with the items the files give, and the register page's data names
 * what is still missing for each pupil on roll.
 */
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/databases.js';
import { testDeps } from '../../../../test/fixtures.js';
import { fixedClock } from '../../../platform/clock.js';
import { SYSTEM_ACTOR } from '../../authz.js';
import { importSchoolData } from '../../exchange/import/import-school-data.js';
import { problemLine } from '../../exchange/import/report.js';
import { CALENDAR, csv, pupilRows, PUPILS_HEADER, UPN } from '../../exchange/import/test-support.js';
import { admissionRegister } from './admissions.js';

const NOW = '2025-09-15T10:00:00.000Z';
const SCHOOL = { name: 'Test Primary', phase: 'primary', laCode: '330', laName: 'Test LA' };
const file = (name: string, text: string) => ({ name, text });

const PUPILS = [...PUPILS_HEADER, 'address', 'postcode', 'last_school', 'last_school_address', 'boarder'];
function pupilsCsv(): string {
  const extra: Record<string, string[]> = {
    [UPN.alex]: ['"1 High Street\nSmalltown"', 'ZX1 1AA', 'Example Infant School', '"2 School Lane, Smalltown"', 'N'],
    [UPN.bea]: ['"2 High Street\nSmalltown"', 'ZX1 1AB', 'None', '', 'N'],
    [UPN.cal]: ['"3 High Street\nSmalltown"', 'ZX1 1AC', '', '', ''],
  };
  return csv([PUPILS, ...pupilRows().map((r) => [...r, ...extra[r[0]!]!])]);
}
const CONTACTS = [
  'upn',
  'name',
  'relationship',
  'priority',
  'parental_responsibility',
  'lives_with_pupil',
  'mobile_phone',
  'address',
  'postcode',
];
function contactsCsv(): string {
  return csv([
    CONTACTS,
    [UPN.alex, 'Parent One', 'Mother', '1', 'Y', 'Y', '07700 900123', '"1 High Street\nSmalltown"', 'ZX1 1AA'],
    [UPN.bea, 'Carer Three', 'Foster carer', '1', 'Y', 'Y', '07700 900125', '"2 High Street\nSmalltown"', 'ZX1 1AB'],
    // Cal's parent: no telephone number.
    [UPN.cal, 'Parent Four', 'Father', '1', 'Y', 'Y', '', '"3 High Street\nSmalltown"', 'ZX1 1AC'],
  ]);
}

describeEachDialect('the admission register of an imported school', (ctx) => {
  const deps = () => ({ db: ctx.db, dialect: ctx.dialect, clock: fixedClock(NOW) });
  const input = {
    urn: '400001',
    school: SCHOOL,
    calendar: file('calendar.json', JSON.stringify(CALENDAR)),
    pupils: file('pupils.csv', pupilsCsv()),
    contacts: file('contacts.csv', contactsCsv()),
  };

  it('enters every pupil once, dated their starting day, with every item the files give, and names what is missing', async () => {
    const first = await importSchoolData(deps(), SYSTEM_ACTOR, input);
    expect(first.counts.admissions).toEqual({ created: 3, updated: 0, unchanged: 0, removed: 0 });
    expect(first.warnings.map((w) => problemLine(w))).toEqual([
      `pupils.csv:0: the admission register lacks: telephone number of each parent the pupil lives with, for 1 pupil (${UPN.cal}); see the admission register page`,
      `pupils.csv:0: the admission register lacks: school last attended (or none), for 1 pupil (${UPN.cal}); see the admission register page`,
    ]);
    const school = await ctx.db
      .selectFrom('schools')
      .select('id')
      .where('urn', '=', '400001')
      .executeTakeFirstOrThrow();
    const reg = await admissionRegister(testDeps(ctx.db, ctx.dialect, NOW), SYSTEM_ACTOR, school.id);
    const admitted = reg.entries.filter((e) => e.kind === 'admission');
    expect(admitted.map((e) => [e.upn, e.date]).sort()).toEqual(
      [
        [UPN.alex, '2025-09-01'],
        [UPN.bea, '2025-09-01'], // blank admission_date: the first day of the calendar
        [UPN.cal, '2025-09-03'],
      ].sort(),
    );
    expect(admitted[0]?.reason).toBe('Entered from the import of pupils.csv');
    const alex = reg.roll.find((r) => r.upn === UPN.alex);
    expect(alex).toMatchObject({
      sex: 'M',
      dateOfBirth: '2015-05-01',
      address: '1 High Street\nSmalltown',
      postcode: 'ZX1 1AA',
      startingDay: '2025-09-01',
      lastSchool: { name: 'Example Infant School', address: '2 School Lane, Smalltown' },
      boarder: false,
      missing: [],
    });
    expect(reg.roll.find((r) => r.upn === UPN.bea)).toMatchObject({ lastSchool: 'none', missing: [] });
    expect(reg.roll.find((r) => r.upn === UPN.cal)?.missing).toEqual(['parentPhone', 'lastSchool']);
    expect(reg.missingCounts).toEqual([
      { item: 'parentPhone', label: 'telephone number of each parent the pupil lives with', pupils: 1 },
      { item: 'lastSchool', label: 'school last attended (or none)', pupils: 1 },
    ]);

    // Again: nothing new in the register.
    const again = await importSchoolData(deps(), SYSTEM_ACTOR, input);
    expect(again.counts.admissions).toEqual({ created: 0, updated: 0, unchanged: 3, removed: 0 });
    const entries = await ctx.db
      .selectFrom('register_entries')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('school_id', '=', school.id)
      .executeTakeFirstOrThrow();
    expect(Number(entries.n)).toBe(3);
  });

  it('a dry run writes no register entries', async () => {
    const report = await importSchoolData(deps(), SYSTEM_ACTOR, { ...input, urn: '400002', dryRun: true });
    expect(report.counts.admissions.created).toBe(3);
    const rows = await ctx.db.selectFrom('register_entries').select('id').execute();
    expect(rows).toHaveLength(3); // the first test's only
  });
});

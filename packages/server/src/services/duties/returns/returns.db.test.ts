import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/databases.js';
import { d, rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../../test/fixtures.js';
import { readPdfText } from '../../../platform/pdf.js';
import { admitPupil } from '../admissions/admissions.js';
import { forgetCalendar } from '../../registers/registers.js';
import { returnCsv, returnPdf } from './export.js';
import { writeRun } from './marks.test-support.js';
import { getReturn, listReturns, markReturnSent, prepareReturns } from './returns.js';

/**
 * Golden data (term 1 Sep – 24 Oct 2025, INSET 26 Sep):
 * - Alex: O/N every session 1–19 Sep (15 school days), present from 22 Sep → attendance return.
 * - Bea: I every session 1–19 Sep (15 school days) → sickness return.
 * - Cal: present, but one U and N run of 9 days only (1–11 Sep) → nothing.
 * - Dee: G 1–12 Sep with a U on the 5th (10 school days, all G/N/O/U) → attendance return.
 * - Fay: admitted on 15 Sep → new admissions (due by 22 Sep).
 */
describeEachDialect('returns to the local authority (golden data)', (ctx) => {
  let school: SmallSchool;
  let alex: string;
  let bea: string;
  let cal: string;
  let dee: string;
  let fay: string;
  const deps = () => testDeps(ctx.db, ctx.dialect, '2025-09-19T16:00:00Z');
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    forgetCalendar();
    [alex, bea, cal] = school.pupilsA as [string, string, string];
    dee = school.pupilsB[0]!;
    await ctx.db
      .updateTable('pupils')
      .set({ address: '1 Example Street\nExampleton', postcode: 'ZX1 1AA' })
      .where('id', '=', alex)
      .execute();
    await writeRun(ctx.db, school.schoolId, alex, '2025-09-01', '2025-09-19', 'O');
    await writeRun(ctx.db, school.schoolId, alex, '2025-09-01', '2025-09-05', 'N', ['AM']);
    await writeRun(ctx.db, school.schoolId, alex, '2025-09-22', '2025-09-22', '/', ['AM']);
    await writeRun(ctx.db, school.schoolId, bea, '2025-09-01', '2025-09-19', 'I');
    await writeRun(ctx.db, school.schoolId, cal, '2025-09-01', '2025-09-11', 'N');
    await writeRun(ctx.db, school.schoolId, cal, '2025-09-12', '2025-09-19', '/');
    await writeRun(ctx.db, school.schoolId, dee, '2025-09-01', '2025-09-12', 'G');
    await writeRun(ctx.db, school.schoolId, dee, '2025-09-05', '2025-09-05', 'U', ['PM']);
    await writeRun(ctx.db, school.schoolId, dee, '2025-09-15', '2025-09-19', '/');
    fay = await admitPupil(testDeps(ctx.db, ctx.dialect, '2025-09-15T08:00:00Z'), school.actors.attendance_officer, {
      schoolId: school.schoolId,
      upn: 'E801200005003',
      surname: 'Fenn',
      forename: 'Fay',
      dateOfBirth: '2017-02-03',
      yearGroup: '3',
      admissionDate: d('2025-09-15'),
      address: '2 New Road\nExampleton',
      postcode: 'zx2 2bb',
      sex: 'F',
      parents: [
        {
          name: 'Parent Fenn',
          relationship: 'Mother',
          sameAddress: true,
          address: null,
          postcode: null,
          phone: '07700 900456',
          livesWithPupil: true,
          parentalResponsibility: true,
        },
      ],
      lastSchool: 'none',
      reason: 'Moved into the area; in-year admission',
    });
  });

  it('prepares each return with the pupils, addresses and evidence', async () => {
    const prepared = await prepareReturns(deps(), school.actors.attendance_officer, {
      schoolId: school.schoolId,
      asOf: d('2025-09-19'),
    });
    expect(prepared.map((r) => [r.kind, r.pupils, r.periodFrom, r.periodTo])).toEqual([
      ['attendance', 2, '2025-09-01', '2025-09-19'],
      ['sickness', 1, '2025-09-01', '2025-09-19'],
      ['admissions', 1, '2025-09-15', '2025-09-19'],
    ]);
    const attendance = await getReturn(deps(), school.actors.office, prepared[0]!.id);
    expect(attendance.items.map((i) => [i.pupil.forename, i.from, i.to, i.schoolDays, i.codes])).toEqual([
      ['Alex', '2025-09-01', '2025-09-19', 15, { N: 5, O: 25 }],
      ['Dee', '2025-09-01', '2025-09-12', 10, { G: 19, U: 1 }],
    ]);
    await expect(returnCsv(attendance)).toMatchFileSnapshot('./__golden__/attendance-return.csv');
    const sickness = await getReturn(deps(), school.actors.office, prepared[1]!.id);
    expect(sickness.items.map((i) => [i.pupil.forename, i.key, i.schoolDays])).toEqual([
      ['Bea', '2025-09-01/2025-09-01', 15],
    ]);
    await expect(returnCsv(sickness)).toMatchFileSnapshot('./__golden__/sickness-return.csv');
    const admissions = await getReturn(deps(), school.actors.office, prepared[2]!.id);
    expect(admissions.items.map((i) => [i.pupil.pupilId, i.pupil.postcode, i.from, i.to])).toEqual([
      [fay, 'ZX2 2BB', '2025-09-15', '2025-09-22'],
    ]);
    await expect(returnCsv(admissions)).toMatchFileSnapshot('./__golden__/admissions-return.csv');
  });

  it('makes a PDF with each pupil and their evidence', async () => {
    const [r] = await listReturns(deps(), school.actors.office, school.schoolId).then((rs) =>
      rs.filter((x) => x.kind === 'attendance'),
    );
    const full = await getReturn(deps(), school.actors.office, r!.id);
    const text = readPdfText(await returnPdf(full, { compress: false }));
    expect(text).toContain('Able, Alex');
    expect(text).toContain('ZX1 1AA');
  });

  it('prepares nothing new when run again, and carries only what is new the next time', async () => {
    expect(
      await prepareReturns(deps(), school.actors.attendance_officer, {
        schoolId: school.schoolId,
        asOf: d('2025-09-19'),
      }),
    ).toEqual([]);
    // A week later: Alex's period is already in a return (once per continuous period); nothing new.
    const later = await prepareReturns(
      testDeps(ctx.db, ctx.dialect, '2025-09-26T16:00:00Z'),
      school.actors.attendance_officer,
      {
        schoolId: school.schoolId,
        asOf: d('2025-09-25'),
      },
    );
    expect(later).toEqual([]);
  });

  it('records who marked a return sent and when; once only; not by the office', async () => {
    const [r] = (await listReturns(deps(), school.actors.office, school.schoolId)).filter((x) => x.kind === 'sickness');
    expect((await rejection(markReturnSent(deps(), school.actors.office, { returnId: r!.id }))).code).toBe('FORBIDDEN');
    const sent = await markReturnSent(deps(), school.actors.attendance_officer, {
      returnId: r!.id,
      note: 'Emailed to the LA',
    });
    expect(sent).toMatchObject({
      status: 'sent',
      sentAt: '2025-09-19T16:00:00.000Z',
      sentByName: school.actors.attendance_officer.name,
      sentNote: 'Emailed to the LA',
    });
    expect((await rejection(markReturnSent(deps(), school.actors.attendance_officer, { returnId: r!.id }))).code).toBe(
      'CONFLICT',
    );
    const audit = await ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', r!.id).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['return.prepare', 'return.markSent']));
  });

  it('is refused to a teacher', async () => {
    expect((await rejection(listReturns(deps(), school.actors.teacher, school.schoolId))).code).toBe('FORBIDDEN');
  });
});

describe('CSV cells', () => {
  it('quotes commas and neutralises formulas', async () => {
    const { returnCsv: csv } = await import('./export.js');
    const row = csv({
      id: 'r',
      schoolId: 's',
      kind: 'deletions',
      periodFrom: d('2025-09-01'),
      periodTo: d('2025-09-01'),
      status: 'prepared',
      preparedAt: '2025-09-01T00:00:00Z',
      preparedBy: 'x',
      sentAt: null,
      sentByName: null,
      sentNote: null,
      pupils: 1,
      school: {} as never,
      items: [
        {
          pupil: {
            pupilId: 'p',
            upn: 'B801200005001',
            surname: '=cmd',
            forename: 'A, B',
            dateOfBirth: null,
            yearGroup: null,
            admissionDate: d('2025-09-01'),
            leavingDate: null,
            address: null,
            postcode: null,
            contacts: [],
          },
          key: 'k',
          from: d('2025-09-01'),
          to: d('2025-09-01'),
          schoolDays: null,
          evidence: 'said "hi"',
        },
      ],
    }).split('\r\n')[1];
    expect(row).toBe(`B801200005001,'=cmd,"A, B",,,,,,2025-09-01,2025-09-01,,,,"said ""hi"""`);
  });

  it('defuses a leading tab or carriage return and drops NUL and bidi overrides (one CSV writer)', async () => {
    const { returnCsv: csv } = await import('./export.js');
    const item = (surname: string, forename: string) => ({
      pupil: {
        pupilId: 'p',
        upn: 'B801200005001',
        surname,
        forename,
        dateOfBirth: null,
        yearGroup: null,
        admissionDate: d('2025-09-01'),
        leavingDate: null,
        address: null,
        postcode: null,
        contacts: [],
      },
      key: 'k',
      from: d('2025-09-01'),
      to: d('2025-09-01'),
      schoolDays: null,
      evidence: '',
    });
    const text = csv({
      id: 'r',
      schoolId: 's',
      kind: 'deletions',
      periodFrom: d('2025-09-01'),
      periodTo: d('2025-09-01'),
      status: 'prepared',
      preparedAt: '2025-09-01T00:00:00Z',
      preparedBy: 'x',
      sentAt: null,
      sentByName: null,
      sentNote: null,
      pupils: 2,
      school: {} as never,
      items: [item('\t=1+1', '\r@SUM(A1)'), item('Ann\u0000e', 'Bo\u202eb')],
    }).split('\r\n');
    expect(text[1]).toBe(`B801200005001,'\t=1+1,"'\r@SUM(A1)",,,,,,2025-09-01,2025-09-01,,,,`);
    expect(text[2]).toBe('B801200005001,Anne,Bob,,,,,,2025-09-01,2025-09-01,,,,');
  });
});

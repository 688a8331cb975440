/**
 * The Common Transfer File both ways (issue 15): a school's marks exported as a CTF and imported
 * back give the same marks; a CTF from another school brings pupils, contacts and attendance
 * history; every problem is `<file>:<line>` on the element holding the bad value, and a refused
 * file writes nothing. The files written are checked against docs/ctf/rollcall-ctf.xsd.
 */
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/databases.js';
import { testDeps } from '../../../../test/fixtures.js';
import type { Db, Dialect } from '../../../db/connect.js';
import { fixedClock } from '../../../platform/clock.js';
import { SYSTEM_ACTOR } from '../../authz.js';
import { AppError } from '../../errors.js';
import { exportCtf } from '../exports/ctf.js';
import { importSchoolData, type ImportInput } from './import-school-data.js';
import { problemLine, totalChanges } from './report.js';
import { CALENDAR, contactsCsv, groupsCsv, marksCsv, pupilsCsv, tableCounts, UPN } from './test-support.js';
import type { PlainDate } from '@rollcall/domain';

const NOW = '2025-09-15T10:00:00.000Z';
const TODAY = '2025-09-15' as PlainDate;
const XSD = readFileSync(new URL('../../../../../../docs/ctf/rollcall-ctf.xsd', import.meta.url), 'utf8');
const file = (name: string, text: string) => ({ name, text });
const SCHOOL = { name: 'Test Primary', phase: 'primary', laCode: '330', laName: 'Test LA', estab: '4000' };

let dialect: Dialect = 'sqlite';
const deps = (db: Db) => ({ db, dialect, clock: fixedClock(NOW) });

async function schemaProblems(xml: string): Promise<string[]> {
  const r = await validateXML({ xml: [{ fileName: 'ctf.xml', contents: xml }], schema: [XSD] });
  return r.errors.map((e) => e.rawMessage);
}

async function refused(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError)
      return ((e.details['problems'] ?? []) as Parameters<typeof problemLine>[0][]).map((x) => problemLine(x));
    throw e;
  }
  throw new Error('expected the import to be refused');
}

async function marksOf(db: Db, urn: string): Promise<string[]> {
  const rows = await db
    .selectFrom('session_marks as m')
    .innerJoin('pupils as p', 'p.id', 'm.pupil_id')
    .innerJoin('schools as s', 's.id', 'p.school_id')
    .select(['p.upn', 'm.date', 'm.session', 'm.code'])
    .where('s.urn', '=', urn)
    .orderBy('p.upn')
    .orderBy('m.date')
    .orderBy('m.session')
    .execute();
  return rows.map((r) => `${r.upn} ${r.date} ${r.session} ${r.code}`);
}

/** A CTF from another school (LA 881, establishment 2001) for one pupil, with contacts and history. */
function incomingCtf(over: { dob?: string; phone?: string; marks?: string; estab?: string } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<CTfile>
  <Header>
    <DocumentName>Common Transfer File</DocumentName>
    <CTFversion>25.0</CTFversion>
    <DateTime>2025-09-10T09:00:00</DateTime>
    <DocumentQualifier>full</DocumentQualifier>
    <SupplierID>Another MIS</SupplierID>
    <SourceSchool>
      <LEA>881</LEA>
      <Estab>2001</Estab>
      <URN>999001</URN>
      <SchoolName>Elsewhere Primary</SchoolName>
      <AcademicYear>2025</AcademicYear>
    </SourceSchool>
    <DestSchool>
      <LEA>330</LEA>
      <Estab>${over.estab ?? '4000'}</Estab>
    </DestSchool>
  </Header>
  <CTFpupilData>
    <Pupil>
      <UPN>F881200125001</UPN>
      <Surname>Ó Súilleabháin</Surname>
      <Forename>Zoë</Forename>
      <DOB>${over.dob ?? '2016-02-29'}</DOB>
      <Sex>F</Sex>
      <BasicDetails>
        <PreferredForename>Zo</PreferredForename>
        <NCyearActual>4</NCyearActual>
        <Ethnicity>WIRI</Ethnicity>
      </BasicDetails>
      <Address>
        <BS7666Address>
          <PAON>  12  </PAON>
          <Street>Test Street</Street>
          <Town>Testtown</Town>
        </BS7666Address>
        <PostCode>zx1 2ab</PostCode>
      </Address>
      <Contacts>
        <Contact>
          <Order>2</Order>
          <Forename>Bartłomiej</Forename>
          <Surname>Testowy</Surname>
          <Relationship>PAF</Relationship>
          <Responsibility>true</Responsibility>
          <Address><AddressAsPupil>true</AddressAsPupil></Address>
          <Phones>
            <Phone><TelephoneType>M</TelephoneType><PhoneNo>${over.phone ?? '07700 900555'}</PhoneNo></Phone>
          </Phones>
        </Contact>
        <Contact>
          <Order>1</Order>
          <Forename>Parent</Forename>
          <Surname>Example</Surname>
          <Relationship>PAM</Relationship>
          <Responsibility>true</Responsibility>
          <Email>parent@example.org</Email>
        </Contact>
      </Contacts>
      <Attendance>
        <YearData>
          <Year>2024</Year>
          <LEA>881</LEA>
          <Estab>2001</Estab>
          <SchoolName>Elsewhere Primary</SchoolName>
          <SessionsPossible>4</SessionsPossible>
          <SessionsAuthorised>1</SessionsAuthorised>
          <SessionsAttended>3</SessionsAttended>
          <SessionsUnauthorised>0</SessionsUnauthorised>
          <AttendSessions>
            <AttendanceStartDate>2025-07-18</AttendanceStartDate>
            <AttendanceMarks>/I####L\\</AttendanceMarks>
          </AttendSessions>
        </YearData>
        <YearData>
          <Year>2025</Year>
          <LEA>330</LEA>
          <Estab>4000</Estab>
          <SessionsPossible>4</SessionsPossible>
          <SessionsAuthorised>0</SessionsAuthorised>
          <SessionsAttended>4</SessionsAttended>
          <SessionsUnauthorised>0</SessionsUnauthorised>
          <AttendSessions>
            <AttendanceStartDate>2025-09-11</AttendanceStartDate>
            <AttendanceMarks>${over.marks ?? '/\\B\\'}</AttendanceMarks>
          </AttendSessions>
        </YearData>
      </Attendance>
      <SchoolHistory>
        <School>
          <LEA>881</LEA>
          <Estab>2001</Estab>
          <SchoolName>Elsewhere Primary</SchoolName>
          <EntryDate>2020-09-02</EntryDate>
          <LeavingDate>2025-07-18</LeavingDate>
        </School>
        <School>
          <LEA>330</LEA>
          <Estab>4000</Estab>
          <EntryDate>2025-09-08</EntryDate>
        </School>
      </SchoolHistory>
    </Pupil>
  </CTFpupilData>
</CTfile>
`;
}

describeEachDialect('the Common Transfer File', (ctx) => {
  beforeEach(() => {
    dialect = ctx.dialect;
  });

  /** The small school of test-support, with its LA and establishment number. */
  async function smallSchool(urn: string): Promise<void> {
    const input: ImportInput = {
      urn,
      school: SCHOOL,
      calendar: file('calendar.json', JSON.stringify(CALENDAR)),
      pupils: file('pupils.csv', pupilsCsv()),
      marks: file('marks.csv', marksCsv()),
      contacts: file('contacts.csv', contactsCsv()),
      groups: file('groups.csv', groupsCsv()),
    };
    await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, input);
  }

  it('exports marks that import back as the same marks (idempotent into the same school; equal into a new one)', async () => {
    await smallSchool('400001');
    const school = await ctx.db
      .selectFrom('schools')
      .select('id')
      .where('urn', '=', '400001')
      .executeTakeFirstOrThrow();
    const d = testDeps(ctx.db, ctx.dialect, NOW);
    const out = await exportCtf(d, SYSTEM_ACTOR, {
      schoolId: school.id,
      kind: 'attendance',
      from: '2025-09-01',
      to: '2025-09-12',
      today: TODAY,
    });
    expect(out.pupils).toBe(3);
    expect(out.fileName).toBe('3304000_CTF_3304000_001.XML');
    expect(await schemaProblems(out.xml)).toEqual([]);
    expect(out.xml).toContain('<CTFversion>25.0</CTFversion>');
    expect(out.xml).toContain('<DocumentQualifier>partial</DocumentQualifier>');
    // Alex: L on the 2nd (attended), I on the 8th (authorised x2), closed Friday afternoon (#).
    expect(out.xml).toContain('<AttendanceMarks>/\\L\\/\\/\\/#####II/\\/\\/\\/\\</AttendanceMarks>');
    expect(out.xml).toMatch(
      /<SessionsPossible>19<\/SessionsPossible>\s*<SessionsAuthorised>2<\/SessionsAuthorised>\s*<SessionsAttended>17<\/SessionsAttended>\s*<SessionsUnauthorised>0<\/SessionsUnauthorised>/,
    );

    const again = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, { urn: '400001', ctf: file('back.xml', out.xml) });
    expect(totalChanges(again)).toBe(0);
    expect(again.counts.marks.unchanged).toBe((await marksOf(ctx.db, '400001')).filter((m) => !m.endsWith('#')).length);

    // A new school with the same LA and establishment (a school moving into Rollcall).
    await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
      urn: '400002',
      school: SCHOOL,
      calendar: file('calendar.json', JSON.stringify(CALENDAR)),
      ctf: file('back.xml', out.xml),
    });
    const before = (await marksOf(ctx.db, '400001')).filter((m) => !m.endsWith(' #'));
    expect(await marksOf(ctx.db, '400002')).toEqual(before);
    const history = await ctx.db
      .selectFrom('mark_history as h')
      .innerJoin('pupils as p', 'p.id', 'h.pupil_id')
      .innerJoin('schools as s', 's.id', 'p.school_id')
      .select(['h.source', 'h.reason'])
      .where('s.urn', '=', '400002')
      .distinct()
      .execute();
    expect(history).toEqual([{ source: 'CTF', reason: 'Imported from back.xml' }]);

    // The next file to the same destination counts up.
    const second = await exportCtf(d, SYSTEM_ACTOR, { schoolId: school.id, kind: 'attendance', today: TODAY });
    expect(second.fileName).toBe('3304000_CTF_3304000_002.XML');
  });

  it('imports a CTF from another school: names as written, contacts by order, history kept, own-year marks', async () => {
    await smallSchool('400003');
    const report = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
      urn: '400003',
      ctf: file('in.xml', incomingCtf()),
    });
    expect(report.counts.pupils.created).toBe(1);
    expect(report.counts.contacts.created).toBe(2);
    expect(report.counts.marks.created).toBe(4);
    expect(report.ctf).toMatchObject({
      version: '25.0',
      source: '8812001',
      attendanceHistory: { created: 1 },
      schoolHistory: { created: 1 },
    });
    const pupil = await ctx.db
      .selectFrom('pupils')
      .selectAll()
      .where('upn', '=', 'F881200125001')
      .executeTakeFirstOrThrow();
    expect(pupil).toMatchObject({
      legal_surname: 'Ó Súilleabháin',
      legal_forename: 'Zoë',
      preferred_forename: 'Zo',
      date_of_birth: '2016-02-29',
      gender: 'F',
      year_group: '4',
      admission_date: '2025-09-08',
      address: '12 Test Street\nTesttown',
      postcode: 'ZX1 2AB',
    });
    const contacts = await ctx.db
      .selectFrom('contacts')
      .select(['name', 'relationship', 'priority', 'parental_responsibility', 'mobile_phone', 'email', 'postcode'])
      .where('pupil_id', '=', pupil.id)
      .orderBy('priority')
      .execute();
    expect(contacts).toEqual([
      {
        name: 'Parent Example',
        relationship: 'Mother',
        priority: 1,
        parental_responsibility: 1,
        mobile_phone: null,
        email: 'parent@example.org',
        postcode: null,
      },
      {
        name: 'Bartłomiej Testowy',
        relationship: 'Father',
        priority: 2,
        parental_responsibility: 1,
        mobile_phone: '07700 900555',
        email: null,
        postcode: 'ZX1 2AB',
      },
    ]);
    const history = await ctx.db
      .selectFrom('pupil_attendance_history')
      .select(['academic_year', 'la_code', 'estab', 'sessions_possible', 'sessions_attended', 'marks'])
      .where('pupil_id', '=', pupil.id)
      .execute();
    expect(history).toEqual([
      {
        academic_year: 2024,
        la_code: '881',
        estab: '2001',
        sessions_possible: 4,
        sessions_attended: 3,
        marks: '/I####L\\',
      },
    ]);
    expect((await marksOf(ctx.db, '400003')).filter((m) => m.startsWith('F881200125001'))).toEqual([
      'F881200125001 2025-09-11 AM /',
      'F881200125001 2025-09-11 PM \\',
      'F881200125001 2025-09-12 AM B',
      'F881200125001 2025-09-12 PM \\',
    ]);
    // Idempotent.
    const again = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
      urn: '400003',
      ctf: file('in.xml', incomingCtf()),
    });
    expect(totalChanges(again)).toBe(0);

    // The pupil leaves: the transfer CTF carries the details, contacts, both schools' years and history.
    await ctx.db.updateTable('pupils').set({ leaving_date: '2025-09-12' }).where('id', '=', pupil.id).execute();
    const school = await ctx.db
      .selectFrom('schools')
      .select('id')
      .where('urn', '=', '400003')
      .executeTakeFirstOrThrow();
    const out = await exportCtf(testDeps(ctx.db, ctx.dialect, NOW), SYSTEM_ACTOR, {
      schoolId: school.id,
      destination: '881/2002',
      today: TODAY,
    });
    expect(out.pupils).toBe(1);
    expect(out.fileName).toBe('3304000_CTF_8812002_001.XML');
    expect(await schemaProblems(out.xml)).toEqual([]);
    expect(out.xml).toContain('<Surname>Ó Súilleabháin</Surname>');
    expect(out.xml).toContain('<Relationship>PAF</Relationship>');
    expect(out.xml).toContain('<AttendanceMarks>/I####L\\</AttendanceMarks>');
    expect(out.xml).toContain('<AttendanceMarks>------/\\B\\</AttendanceMarks>');
    expect(out.xml).toMatch(/<DestSchool>\s*<LEA>881<\/LEA>\s*<Estab>2002<\/Estab>/);
  });

  it('says so when a school without its establishment number gets session marks it cannot take as its own', async () => {
    const { estab: _estab, ...withoutEstab } = SCHOOL;
    const report = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
      urn: '400007',
      school: withoutEstab,
      calendar: file('calendar.json', JSON.stringify(CALENDAR)),
      ctf: file('in.xml', incomingCtf()),
    });
    expect(report.counts.marks.created).toBe(0);
    expect(report.ctf?.attendanceHistory.created).toBe(2);
    expect(report.warnings.map((w) => problemLine(w))).toContain(
      "in.xml:3: the school has no DfE establishment number, so none of the file's attendance could be taken as its own: 1 year of session marks from LA 330 (establishment 4000) kept as attendance history, not as register marks. If they are this school's, import again with --estab <its 4-digit number>",
    );
    // Given the number, the same file's own year becomes register marks, and leaves the history.
    const again = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
      urn: '400007',
      school: { estab: '4000' },
      ctf: file('in.xml', incomingCtf()),
    });
    expect(again.counts.marks.created).toBe(4);
    expect(again.ctf?.attendanceHistory.removed).toBe(1);
    expect(again.warnings.map((w) => w.message).join('\n')).not.toMatch(/no DfE establishment number/);
  });

  it('refuses a CTF with every problem on the line of its element, and writes nothing', async () => {
    await smallSchool('400004');
    const before = await tableCounts(ctx.db);
    const text = incomingCtf({ dob: '2016-02-30', phone: '12345', marks: '/\\B\\/\\' });
    const lines = await refused(
      importSchoolData(deps(ctx.db), SYSTEM_ACTOR, { urn: '400004', ctf: file('bad.xml', text) }),
    );
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(lines).toEqual([
      `bad.xml:${lineOf('<DOB>')}: DOB "2016-02-30" is not a date: CTF dates are YYYY-MM-DD`,
      `bad.xml:${lineOf('<PhoneNo>')}: PhoneNo "12345" has 5 digits; a phone number has 10 to 13`,
      `bad.xml:${lineOf('<AttendanceMarks>/\\B')}: 2025-09-13 AM is not a school session in the calendar (weekend, holiday or outside the terms)`,
      `bad.xml:${lineOf('<AttendanceMarks>/\\B')}: 2025-09-13 PM is not a school session in the calendar (weekend, holiday or outside the terms)`,
    ]);
    expect(await tableCounts(ctx.db)).toEqual(before);
  });

  it('names the session of an unknown character in a marks string', async () => {
    await smallSchool('400008');
    const text = incomingCtf({ marks: '/\\*\\' });
    const lines = await refused(
      importSchoolData(deps(ctx.db), SYSTEM_ACTOR, { urn: '400008', ctf: file('odd.xml', text) }),
    );
    const line = text.split('\n').findIndex((l) => l.includes('<AttendanceMarks>/\\*')) + 1;
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^odd\\.xml:${line}: unknown attendance code "\\*" on 2025-09-12 AM \\(expected one of `),
    );
  });

  it('says once, not once a session, that a marks string runs past the calendar', async () => {
    await smallSchool('400009');
    const text = incomingCtf({ marks: `/\\/\\####${'/\\'.repeat(5)}` });
    const lines = await refused(
      importSchoolData(deps(ctx.db), SYSTEM_ACTOR, { urn: '400009', ctf: file('long.xml', text) }),
    );
    const line = text.split('\n').findIndex((l) => l.includes('<AttendanceMarks>/\\/\\####')) + 1;
    expect(lines).toEqual([
      `long.xml:${line}: 2025-09-15 AM is not a school session in the calendar (weekend, holiday or outside the terms) (and 9 more sessions like it on this line, the last 2025-09-19 PM)`,
    ]);
  });

  it('reads an older CTF (Gender, not Sex) and warns that its version is not a current one', async () => {
    await smallSchool('400010');
    const text = incomingCtf()
      .replace('<CTFversion>25.0</CTFversion>', '<CTFversion>19.0</CTFversion>')
      .replace('<Sex>F</Sex>', '<Gender>F</Gender>');
    const report = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, { urn: '400010', ctf: file('old.xml', text) });
    expect(report.counts.pupils.created).toBe(1);
    expect(report.warnings.map((w) => problemLine(w))).toContain(
      'old.xml:5: CTF version 19.0 is older than the versions Rollcall reads as current (24 and 25): it was read as far as it goes, so check what was imported',
    );
    const current = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
      urn: '400010',
      ctf: file('new.xml', incomingCtf()),
    });
    expect(current.warnings.map((w) => w.message).join('\n')).not.toMatch(/CTF version/);
  });

  it('warns when a year’s counts do not add up to its possible sessions, and keeps them as written', async () => {
    await smallSchool('400011');
    const text = incomingCtf().replace(
      '<SessionsAttended>3</SessionsAttended>',
      '<SessionsAttended>2</SessionsAttended>',
    );
    const report = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, { urn: '400011', ctf: file('sum.xml', text) });
    const line = text.split('\n').findIndex((l) => l.includes('<Year>2024</Year>'));
    expect(report.warnings.map((w) => problemLine(w))).toContain(
      `sum.xml:${line}: F881200125001 2024 at 8812001: SessionsAttended 2 + SessionsAuthorised 1 + SessionsUnauthorised 0 = 3, not SessionsPossible 4 (attended should count present and approved educational activity): the counts are kept as written`,
    );
    const clean = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
      urn: '400011',
      ctf: file('in.xml', incomingCtf()),
    });
    expect(clean.warnings.map((w) => w.message).join('\n')).not.toMatch(/SessionsPossible/);
  });

  it('admits a pupil arriving from another school after they left it, not from the start of the calendar', async () => {
    await smallSchool('400012');
    const text = incomingCtf()
      .replace('<LeavingDate>2025-07-18</LeavingDate>', '<LeavingDate>2025-09-04</LeavingDate>')
      .replace(
        /<School>\s*<LEA>330<\/LEA>\s*<Estab>4000<\/Estab>\s*<EntryDate>2025-09-08<\/EntryDate>\s*<\/School>/,
        '',
      );
    expect(text).not.toContain('<EntryDate>2025-09-08</EntryDate>');
    const report = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, { urn: '400012', ctf: file('arrive.xml', text) });
    const pupil = await ctx.db
      .selectFrom('pupils as p')
      .innerJoin('schools as s', 's.id', 'p.school_id')
      .select('p.admission_date')
      .where('s.urn', '=', '400012')
      .where('p.upn', '=', 'F881200125001')
      .executeTakeFirstOrThrow();
    // Left on Thursday the 4th: the first school day after is Friday the 5th (not the 1st).
    expect(pupil.admission_date).toBe('2025-09-05');
    const line = text.split('\n').findIndex((l) => l.includes('<Pupil>')) + 1;
    expect(report.warnings.map((w) => problemLine(w))).toContain(
      `arrive.xml:${line}: F881200125001 is new to the school and the file gives no entry date here: admitted on 2025-09-05, the first school day after leaving Elsewhere Primary on 2025-09-04; if the pupil started later, correct the admission date (admission register, or a pupils file)`,
    );
    // Again: the stored date stands, and nothing is said.
    const again = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, { urn: '400012', ctf: file('arrive.xml', text) });
    expect(totalChanges(again)).toBe(0);
    expect(again.warnings.map((w) => w.message).join('\n')).not.toMatch(/new to the school/);
  });

  it('reports malformed XML with its line', async () => {
    const lines = await refused(
      importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '400005',
        school: SCHOOL,
        ctf: file('broken.xml', '<CTfile>\n<Header>\n</CTfile>\n'),
      }),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^broken\.xml:3: malformed XML: /);
  });

  it('keeps UPNs in one school: an unknown UPN in --upn is refused', async () => {
    await smallSchool('400006');
    const school = await ctx.db
      .selectFrom('schools')
      .select('id')
      .where('urn', '=', '400006')
      .executeTakeFirstOrThrow();
    await expect(
      exportCtf(testDeps(ctx.db, ctx.dialect, NOW), SYSTEM_ACTOR, {
        schoolId: school.id,
        upns: [UPN.alex, 'F881200125001'],
        today: TODAY,
      }),
    ).rejects.toThrow(/No pupil of Test Primary has UPN F881200125001/);
  });
});

describe('the schema Rollcall writes from', () => {
  it('refuses a file with a two-character code in the marks string', async () => {
    const xml = `<?xml version="1.0"?><CTfile><Header><DocumentName>Common Transfer File</DocumentName><CTFversion>25.0</CTFversion><DateTime>2025-09-10T09:00:00</DateTime><DocumentQualifier>full</DocumentQualifier><SupplierID>x</SupplierID><SourceSchool><LEA>330</LEA><Estab>4000</Estab></SourceSchool><DestSchool><LEA>MMM</LEA><Estab>MMMM</Estab></DestSchool></Header><CTFpupilData><Pupil><UPN>F881200125001</UPN><Surname>A</Surname><Forename>B</Forename><Attendance><YearData><Year>2025</Year><LEA>330</LEA><Estab>4000</Estab><SessionsPossible>1</SessionsPossible><SessionsAuthorised>1</SessionsAuthorised><SessionsAttended>0</SessionsAttended><SessionsUnauthorised>0</SessionsUnauthorised><AttendSessions><AttendanceStartDate>2025-09-01</AttendanceStartDate><AttendanceMarks>/c</AttendanceMarks></AttendSessions></YearData></Attendance></Pupil></CTFpupilData></CTfile>`;
    expect((await schemaProblems(xml)).join('\n')).toMatch(/AttendanceMarks/);
  });
});

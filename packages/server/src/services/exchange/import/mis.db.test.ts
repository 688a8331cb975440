import { describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/databases.js';
import type { Db, Dialect } from '../../../db/connect.js';
import { fixedClock } from '../../../platform/clock.js';
import { SYSTEM_ACTOR } from '../../authz.js';
import { AppError } from '../../errors.js';
import { importSchoolData, type ImportInput } from './import-school-data.js';
import { detectMis, isoDate, MIS_NAMES, presetColumns, type CsvKind, type MisName } from './mis.js';
import { problemLine } from './report.js';
import {
  CALENDAR,
  contactRows,
  CONTACTS_HEADER,
  csv,
  groupRows,
  markRows,
  pupilRows,
  PUPILS_HEADER,
  UPN,
} from './test-support.js';

const NOW = '2025-09-15T10:00:00.000Z';
const file = (name: string, text: string) => ({ name, text });
const SCHOOL = { name: 'Test Primary', phase: 'primary', laCode: '330', laName: 'Birmingham' };
const DATE_COLUMNS = new Set(['date', 'date_of_birth', 'admission_date', 'leaving_date']);

/** Our rows rewritten as the MIS would export them: its header names, dates as DD/MM/YYYY. */
function asMis(mis: MisName, kind: CsvKind, header: readonly string[], rows: readonly (readonly string[])[]): string {
  const names = presetColumns(mis, kind);
  const misHeader = header.map((h) => {
    const n = names[h]?.[0];
    if (!n) throw new Error(`${mis} has no ${kind} column for ${h}`);
    return n;
  });
  const misRows = rows.map((r) =>
    r.map((v, i) => {
      const column = header[i]!;
      const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
      if (DATE_COLUMNS.has(column) && iso) return `${iso[3]}/${iso[2]}/${iso[1]}`;
      if (column === 'session') return v === 'AM' ? 'Morning' : 'Afternoon';
      if (column === 'gender') return v === 'M' ? 'Male' : v === 'F' ? 'Female' : v;
      return v;
    }),
  );
  return csv([misHeader, ...misRows]);
}

const PUPILS_WITH_ADDRESS = [...PUPILS_HEADER, 'address', 'postcode'];
function pupilRowsWithAddress(): string[][] {
  return pupilRows().map((r, i) => [...r, `"${i + 1} High Street\nSmalltown"`, i === 0 ? 'b1 1aa' : '']);
}
const GROUPS_HEADER = ['group', 'kind', 'upn', 'year_group', 'subject', 'staff_email'];

function ourFiles(urn: string): ImportInput {
  return {
    urn,
    school: SCHOOL,
    calendar: file('calendar.json', JSON.stringify(CALENDAR)),
    pupils: file('pupils.csv', csv([PUPILS_WITH_ADDRESS, ...pupilRowsWithAddress()])),
    marks: file('marks.csv', csv([['upn', 'date', 'session', 'code', 'minutes_late'], ...markRows()])),
    contacts: file('contacts.csv', csv([[...CONTACTS_HEADER], ...contactRows()])),
    groups: file('groups.csv', csv([GROUPS_HEADER, ...groupRows()])),
  };
}

function misFiles(mis: MisName, urn: string): ImportInput {
  return {
    urn,
    school: SCHOOL,
    calendar: file('calendar.json', JSON.stringify(CALENDAR)),
    pupils: file(`${mis}-pupils.csv`, asMis(mis, 'pupils', PUPILS_WITH_ADDRESS, pupilRowsWithAddress())),
    marks: file(
      `${mis}-marks.csv`,
      asMis(mis, 'marks', ['upn', 'date', 'session', 'code', 'minutes_late'], markRows()),
    ),
    contacts: file(`${mis}-contacts.csv`, asMis(mis, 'contacts', CONTACTS_HEADER, contactRows())),
    groups: file(`${mis}-groups.csv`, asMis(mis, 'groups', GROUPS_HEADER, groupRows())),
  };
}

/** A school's pupils, contacts and marks without ids, for comparing two imports. */
async function contents(db: Db, urn: string) {
  const school = await db.selectFrom('schools').select('id').where('urn', '=', urn).executeTakeFirstOrThrow();
  const pupils = await db.selectFrom('pupils').selectAll().where('school_id', '=', school.id).orderBy('upn').execute();
  const ids = pupils.map((p) => p.id);
  const contacts = await db
    .selectFrom('contacts')
    .innerJoin('pupils', 'pupils.id', 'contacts.pupil_id')
    .select(['pupils.upn', 'contacts.name', 'contacts.priority', 'contacts.email', 'contacts.mobile_phone'])
    .where('contacts.pupil_id', 'in', ids)
    .orderBy('pupils.upn')
    .orderBy('contacts.priority')
    .execute();
  const marks = await db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select(['pupils.upn', 'session_marks.date', 'session_marks.session', 'session_marks.code'])
    .where('session_marks.pupil_id', 'in', ids)
    .orderBy('pupils.upn')
    .orderBy('session_marks.date')
    .orderBy('session_marks.session')
    .execute();
  return {
    pupils: pupils.map(({ id: _id, school_id: _s, reg_group_id: _r, ...rest }) => ({
      ...rest,
      ehcp: Number(rest.ehcp),
      fsm: Number(rest.fsm),
    })),
    contacts: contacts.map((c) => ({ ...c, priority: Number(c.priority) })),
    marks,
  };
}

describe('MIS presets', () => {
  it('detects each MIS from its headers, and our own headers as none', () => {
    for (const mis of MIS_NAMES) {
      for (const kind of ['pupils', 'marks', 'contacts', 'groups'] as const) {
        const header = Object.values(presetColumns(mis, kind)).map((names) => names[0]!);
        expect(detectMis(kind, header), `${mis} ${kind}`).toBe(mis);
      }
    }
    expect(detectMis('pupils', [...PUPILS_HEADER])).toBeNull();
    expect(detectMis('marks', ['upn', 'date', 'session', 'code'])).toBeNull();
    // A SIMS marks export with no minutes column, lower-cased as the CSV reader gives it: three
    // of its names are ours, but `Mark` is SIMS's.
    expect(detectMis('marks', ['upn', 'date', 'session', 'mark'])).toBe('sims');
    expect(detectMis('marks', ['upn', 'date', 'session', 'code', 'notes'])).toBeNull();
  });

  it('reads DD/MM/YYYY dates and leaves ISO dates alone', () => {
    expect(isoDate('01/09/2025')).toBe('2025-09-01');
    expect(isoDate('1-9-2025')).toBe('2025-09-01');
    // What real exports and spreadsheets write: times, month names, ISO date-times.
    expect(
      [
        '04/12/2026 00:00:00',
        '4.12.2026 09:30',
        '04-Dec-2026',
        '4 December 2026',
        '2026-12-04T00:00:00Z',
        '2026-12-04 00:00',
      ].map(isoDate),
    ).toEqual(Array(6).fill('2026-12-04'));
    expect(isoDate('31-Foo-2026')).toBe('31-Foo-2026');
    expect(isoDate('2025-09-01')).toBe('2025-09-01');
    // An instant is read on its date in England: midnight BST written in UTC is the next day.
    expect(isoDate('2026-06-01T23:00:00Z')).toBe('2026-06-02');
    expect(isoDate('2026-06-01T23:00:00.000Z')).toBe('2026-06-02');
    expect(isoDate('2026-06-02T00:00:00+01:00')).toBe('2026-06-02');
    expect(isoDate('2026-12-04T23:30:00Z')).toBe('2026-12-04');
    // A time without a zone is the school's own clock: its date as written.
    expect(isoDate('2026-06-01T23:00:00')).toBe('2026-06-01');
  });
});

let dialect: Dialect | undefined;
describeEachDialect('importSchoolData with MIS exports', (ctx) => {
  const deps = () => ({ db: ctx.db, dialect: ctx.dialect, clock: fixedClock(NOW) });

  it('imports the same school from each MIS export as from our own files, detected or named', async () => {
    dialect = ctx.dialect;
    expect(dialect).toBeDefined();
    await importSchoolData(deps(), SYSTEM_ACTOR, ourFiles('200000'));
    const expected = await contents(ctx.db, '200000');
    expect(expected.pupils.find((p) => p.upn === UPN.alex)).toMatchObject({
      address: '1 High Street\nSmalltown',
      postcode: 'B1 1AA',
    });
    let urn = 200001;
    for (const mis of MIS_NAMES) {
      for (const choice of ['auto', mis] as const) {
        const report = await importSchoolData(deps(), SYSTEM_ACTOR, { ...misFiles(mis, String(urn)), mis: choice });
        expect(report.mis, `${mis} ${choice}`).toEqual({ pupils: mis, marks: mis, contacts: mis, groups: mis });
        expect(await contents(ctx.db, String(urn)), `${mis} ${choice}`).toEqual(expected);
        urn++;
      }
    }
  });

  it('refuses a SIMS export with bad rows whole, listing every problem with its line, and writes nothing', async () => {
    const rows = pupilRowsWithAddress();
    rows[0]![4] = '31/02/2015'; // no such date
    rows[1]![2] = ''; // no legal forename
    rows[2]![PUPILS_WITH_ADDRESS.indexOf('postcode')] = 'NOT A POSTCODE';
    const before = await ctx.db
      .selectFrom('pupils')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    try {
      await importSchoolData(deps(), SYSTEM_ACTOR, {
        urn: '200200',
        school: SCHOOL,
        calendar: file('calendar.json', JSON.stringify(CALENDAR)),
        pupils: file('sims.csv', asMis('sims', 'pupils', PUPILS_WITH_ADDRESS, rows)),
      });
      throw new Error('expected a refusal');
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      const lines = (e.details['problems'] as Parameters<typeof problemLine>[0][]).map((p) => problemLine(p));
      // Every problem, each with its line (an address cell holds two lines, so rows start on even lines).
      expect(lines).toEqual([
        'sims.csv:2: date_of_birth "2015-02-31" is not a date: write it as YYYY-MM-DD',
        "sims.csv:4: forename is empty: the register needs the pupil's legal forename",
        'sims.csv:6: postcode "NOT A POSTCODE" is not a UK postcode (like SW1A 1AA)',
      ]);
    }
    const after = await ctx.db
      .selectFrom('pupils')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect(
      await ctx.db.selectFrom('schools').select('id').where('urn', '=', '200200').executeTakeFirst(),
    ).toBeUndefined();
  });

  it('reports what changed per file, with names, and a naming problem with the MIS header', async () => {
    const first = await importSchoolData(deps(), SYSTEM_ACTOR, misFiles('arbor', '200100'));
    expect(first.changes.pupils).toMatchObject({ added: 3, updated: 0, unchanged: 0, left: 0 });
    expect(first.changes.pupils?.names?.added).toContain(`Alexander Able (${UPN.alex})`);
    expect(first.changes.marks).toMatchObject({ added: 54, updated: 0, left: 0 });
    // Cal leaves on the 12th and Parent Two is no longer a contact.
    const rows = pupilRowsWithAddress();
    rows[2]![8] = '2025-09-12';
    const again = await importSchoolData(deps(), SYSTEM_ACTOR, {
      urn: '200100',
      pupils: file('p.csv', asMis('arbor', 'pupils', PUPILS_WITH_ADDRESS, rows)),
      contacts: file(
        'c.csv',
        asMis('arbor', 'contacts', CONTACTS_HEADER, contactRows().slice(0, 1).concat(contactRows().slice(2))),
      ),
    });
    expect(again.changes.pupils).toMatchObject({ added: 0, updated: 1, unchanged: 2, left: 1 });
    expect(again.changes.pupils?.names?.left).toEqual([`Callum Cole (${UPN.cal})`]);
    expect(again.changes.contacts).toMatchObject({ added: 0, updated: 0, unchanged: 2, left: 1 });
    expect(again.changes.contacts?.names?.left).toEqual([`Parent Two (Father, ${UPN.alex})`]);

    try {
      await importSchoolData(deps(), SYSTEM_ACTOR, {
        urn: '200100',
        marks: file('m.csv', 'Student UPN,Date,AM/PM\n'),
        mis: 'bromcom',
      });
      throw new Error('expected a refusal');
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      const lines = (e.details['problems'] as Parameters<typeof problemLine>[0][]).map((p) => problemLine(p));
      expect(lines).toEqual([
        'm.csv:1: the header read as a BROMCOM export is missing "code" (found: student upn,date,am/pm); it needs upn,date,session,code',
      ]);
    }
  });
});

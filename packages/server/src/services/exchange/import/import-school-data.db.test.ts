/**
 * Long on purpose: the import's contract, case by case (every refusal with its file:line message,
 * idempotency, history, dry runs, each file alone and together) on both databases; each case is
 * spelled out so a failure names the rule.
 */
import { sql, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/databases.js';
import type { Db, Dialect } from '../../../db/connect.js';
import { fixedClock } from '../../../platform/clock.js';
import { SYSTEM_ACTOR, type Actor } from '../../authz.js';
import { AppError } from '../../errors.js';
import { importSchoolData, IMPORT_USER_NAME, type ImportInput } from './import-school-data.js';
import { problemLine, totalChanges, type ImportReport } from './report.js';
import {
  CALENDAR,
  contactRows,
  CONTACTS_HEADER,
  contactsCsv,
  csv,
  DAYS,
  groupRows,
  groupsCsv,
  makeUpn,
  markRows,
  marksCsv,
  pupilRows,
  pupilsCsv,
  PUPILS_HEADER,
  tableCounts,
  UPN,
} from './test-support.js';

const NOW = '2025-09-15T10:00:00.000Z';
let dialect: Dialect | undefined;
const deps = (db: Db, iso = NOW) => ({ db, dialect, clock: fixedClock(iso) });
const file = (name: string, text: string) => ({ name, text });
const NEW_SCHOOL = { name: 'Test Primary', phase: 'primary', laCode: '330', laName: 'Birmingham' };

/** Every file of the small school, for a school with the given URN. */
function allFiles(urn: string, over: Partial<ImportInput> = {}): ImportInput {
  return {
    urn,
    school: NEW_SCHOOL,
    calendar: file('calendar.json', JSON.stringify(CALENDAR, null, 2)),
    pupils: file('pupils.csv', pupilsCsv()),
    marks: file('marks.csv', marksCsv()),
    contacts: file('contacts.csv', contactsCsv()),
    groups: file('groups.csv', groupsCsv()),
    ...over,
  };
}

async function refused(p: Promise<unknown>): Promise<{ error: AppError; lines: string[] }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) {
      const problems = (e.details['problems'] ?? []) as Parameters<typeof problemLine>[0][];
      return { error: e, lines: problems.map((x) => problemLine(x)) };
    }
    throw e;
  }
  throw new Error('expected the import to be refused');
}

/** A marks row with another code (and minutes late). */
const recode = (row: readonly string[], code: string, minutes = ''): string[] => [...row.slice(0, 3), code, minutes];

function changes(report: ImportReport) {
  return Object.fromEntries(
    Object.entries(report.counts).map(([k, c]) => [k, [c.created, c.updated, c.unchanged, c.removed]]),
  );
}

/** SQLite's and PostgreSQL's words for a duplicate key. */
const DUPLICATE =
  /UNIQUE constraint failed: mark_history\.id|duplicate key value violates unique constraint "mark_history_pkey"/;

/** Copies `node` with `replace` applied to every sub-node (returning undefined keeps a node). */
function mapNodes(node: unknown, replace: (n: Record<string, unknown>) => unknown): unknown {
  if (Array.isArray(node)) return node.map((n) => mapNodes(n, replace));
  if (node === null || typeof node !== 'object') return node;
  const replaced = replace(node as Record<string, unknown>);
  if (replaced !== undefined) return replaced;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, mapNodes(v, replace)]));
}

/**
 * Makes the first insert into mark_history give its second row the first row's id: a duplicate
 * only the database catches, part way through the import's writes. Works on every way rows are
 * sent (a JSON parameter, multi-row VALUES, or PostgreSQL's arrays per column in db/mark-bulk.ts).
 */
function duplicateHistoryId(): KyselyPlugin {
  let done = false;
  return {
    transformQuery({ node }): RootOperationNode {
      const raw = node as unknown as { kind: string; sqlFragments?: readonly string[]; parameters?: unknown[] };
      if (
        !done &&
        raw.kind === 'RawNode' &&
        raw.sqlFragments?.[0]?.trimStart().startsWith('insert into mark_history')
      ) {
        const parameters = [...(raw.parameters ?? [])] as { kind: string; value: unknown }[];
        const at = parameters.findIndex((p) => p.kind === 'ValueNode' && Array.isArray(p.value));
        const ids = at >= 0 ? [...(parameters[at]!.value as string[])] : [];
        if (ids.length < 2) return node;
        ids[1] = ids[0]!;
        parameters[at] = { ...parameters[at]!, value: ids };
        done = true;
        return { ...raw, parameters } as unknown as RootOperationNode;
      }
      if (done || node.kind !== 'InsertQueryNode' || node.into?.table.identifier.name !== 'mark_history') return node;
      const idAt = node.columns?.findIndex((c) => c.column.name === 'id') ?? -1;
      const out = mapNodes(node, (n) => {
        if (n['kind'] === 'ValueNode' && typeof n['value'] === 'string' && n['value'].startsWith('[{"id":')) {
          const rows = JSON.parse(n['value']) as { id: string }[];
          if (rows.length < 2) return undefined;
          rows[1]!.id = rows[0]!.id;
          done = true;
          return { ...n, value: JSON.stringify(rows) };
        }
        if (n['kind'] === 'ValuesNode' && idAt >= 0) {
          const rows = n['values'] as { kind: string; values: unknown[] }[];
          if (rows.length < 2) return undefined;
          const second = { ...rows[1]!, values: [...rows[1]!.values] };
          second.values[idAt] = rows[0]!.values[idAt];
          done = true;
          return { ...n, values: [rows[0], second, ...rows.slice(2)] };
        }
        return undefined;
      });
      return out as RootOperationNode;
    },
    transformResult: ({ result }) => Promise.resolve(result),
  };
}

describeEachDialect('importSchoolData', (ctx) => {
  beforeEach(() => {
    dialect = ctx.dialect;
  });
  describe('a first import', () => {
    it('creates the school, its calendar, pupils, groups, contacts and marks with history, and one audit row', async () => {
      const report = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, allFiles('100001'));
      expect(report.dryRun).toBe(false);
      expect(report.school).toMatchObject({ urn: '100001', name: 'Test Primary' });
      expect(report.files).toEqual({
        calendar: 'calendar.json',
        pupils: 'pupils.csv',
        marks: 'marks.csv',
        contacts: 'contacts.csv',
        groups: 'groups.csv',
      });
      // [created, updated, unchanged, removed]
      expect(changes(report)).toEqual({
        school: [1, 0, 0, 0],
        terms: [1, 0, 0, 0],
        closures: [1, 0, 0, 0],
        groups: [3, 0, 0, 0],
        groupMembers: [5, 0, 0, 0],
        groupStaff: [0, 0, 0, 0],
        pupils: [3, 0, 0, 0],
        contacts: [3, 0, 0, 0],
        marks: [19 + 19 + 15 + 1, 0, 0, 0],
        admissions: [3, 0, 0, 0],
      });
      expect(report.warnings.map((w) => problemLine(w))).toEqual([
        // The admission register of record: what the files did not give (issue 15, item 5).
        `pupils.csv:0: the admission register lacks: pupil's address and postcode, for 3 pupils (${UPN.alex}, ${UPN.bea}, ${UPN.cal}); see the admission register page`,
        `pupils.csv:0: the admission register lacks: parents' addresses, for 2 pupils (${UPN.alex}, ${UPN.bea}); see the admission register page`,
        `pupils.csv:0: the admission register lacks: school last attended (or none), for 3 pupils (${UPN.alex}, ${UPN.bea}, ${UPN.cal}); see the admission register page`,
        `pupils.csv:0: the admission register lacks: parent's name, for 1 pupil (${UPN.cal}); see the admission register page`,
        'groups.csv:5: staff_email maths.teacher@school.test has no Rollcall account, so is not linked to "5 Maths": create the account and import again',
      ]);
      expect(report.durationMs).toBe(0); // the clock is fixed

      const db = ctx.db;
      const school = await db.selectFrom('schools').selectAll().where('urn', '=', '100001').executeTakeFirstOrThrow();
      expect(school).toMatchObject({
        name: 'Test Primary',
        phase: 'primary',
        la_code: '330',
        la_name: 'Birmingham',
        time_zone: 'Europe/London',
      });
      expect(JSON.parse(school.policy_json)).toMatchObject({ version: 1 });
      const terms = await db
        .selectFrom('terms')
        .select(['name', 'start_date', 'end_date'])
        .where('school_id', '=', school.id)
        .execute();
      expect(terms).toEqual([{ name: 'Autumn 1', start_date: '2025-09-01', end_date: '2025-09-12' }]);
      const closures = await db
        .selectFrom('closures')
        .select(['date', 'session', 'reason'])
        .where('school_id', '=', school.id)
        .execute();
      expect(closures).toEqual([{ date: '2025-09-05', session: 'PM', reason: 'Staff training' }]);

      const pupils = await db
        .selectFrom('pupils')
        .selectAll()
        .where('school_id', '=', school.id)
        .orderBy('upn')
        .execute();
      const bea = pupils.find((p) => p.upn === UPN.bea)!;
      expect(bea).toMatchObject({
        legal_surname: 'Baker',
        legal_forename: 'Beatrice',
        preferred_forename: null,
        date_of_birth: '2015-06-02',
        year_group: '5',
        admission_date: '2025-09-01', // blank: the calendar's first day
        leaving_date: null,
        sen_status: 'E',
        social_worker: 'Social worker (test)',
        gender: 'F',
        ethnicity: 'WBRI',
      });
      expect([bea.ehcp, bea.fsm, bea.cp, bea.previously_lac, bea.lac].map(Number)).toEqual([1, 0, 1, 1, 0]);
      const alex = pupils.find((p) => p.upn === UPN.alex)!;
      expect(alex).toMatchObject({ preferred_forename: 'Alex', sen_status: 'N' });
      expect(Number(alex.fsm)).toBe(1);

      const groups = await db
        .selectFrom('groups')
        .select(['id', 'kind', 'name', 'year_group', 'subject'])
        .where('school_id', '=', school.id)
        .orderBy('name')
        .execute();
      expect(groups.map((g) => [g.kind, g.name, g.year_group, g.subject])).toEqual([
        ['teaching', '5 Maths', '5', 'Maths'],
        ['registration', '5A', '5', null],
        ['registration', '6B', '6', null],
      ]);
      const idOf = (name: string) => groups.find((g) => g.name === name)!.id;
      expect(alex.reg_group_id).toBe(idOf('5A'));
      expect(pupils.find((p) => p.upn === UPN.cal)!.reg_group_id).toBe(idOf('6B'));
      const members = await db
        .selectFrom('group_members')
        .innerJoin('pupils', 'pupils.id', 'group_members.pupil_id')
        .select(['group_id', 'upn'])
        .where('pupils.school_id', '=', school.id)
        .execute();
      expect(members.map((m) => `${groups.find((g) => g.id === m.group_id)!.name} ${m.upn}`).sort()).toEqual([
        `5 Maths ${UPN.alex}`,
        `5 Maths ${UPN.cal}`,
        `5A ${UPN.alex}`,
        `5A ${UPN.bea}`,
        `6B ${UPN.cal}`,
      ]);

      const contacts = await db
        .selectFrom('contacts')
        .selectAll()
        .where('pupil_id', '=', alex.id)
        .orderBy('priority')
        .execute();
      expect(
        contacts.map((c) => [
          c.name,
          c.relationship,
          c.priority,
          Number(c.parental_responsibility),
          Number(c.lives_with_pupil),
          c.mobile_phone,
          c.email,
        ]),
      ).toEqual([
        ['Parent One', 'Mother', 1, 1, 1, '07700 900123', 'parent.one@example.org'],
        ['Parent Two', 'Father', 2, 1, 0, '+44 7700 900124', null],
      ]);

      const late = await db
        .selectFrom('session_marks')
        .selectAll()
        .where('pupil_id', '=', alex.id)
        .where('date', '=', '2025-09-02')
        .where('session', '=', 'AM')
        .executeTakeFirstOrThrow();
      expect(late).toMatchObject({ code: 'L', minutes_late: 7, updated_at: NOW, updated_by: null });
      const hash = await db
        .selectFrom('session_marks')
        .select('code')
        .where('pupil_id', '=', bea.id)
        .where('date', '=', '2025-09-05')
        .where('session', '=', 'PM')
        .executeTakeFirstOrThrow();
      expect(hash.code).toBe('#');
      const history = await db
        .selectFrom('mark_history')
        .selectAll()
        .where('pupil_id', '=', alex.id)
        .where('date', '=', '2025-09-02')
        .where('session', '=', 'AM')
        .execute();
      expect(history).toEqual([
        expect.objectContaining({
          previous_code: null,
          new_code: 'L',
          previous_minutes_late: null,
          new_minutes_late: 7,
          reason: 'Imported from marks.csv',
          user_id: null,
          user_name: IMPORT_USER_NAME,
          user_role: 'admin',
          at: NOW,
          source: 'import',
          lesson_id: null,
        }),
      ]);
      const all = await tableCounts(db);
      expect(all.mark_history).toBe(all.session_marks);

      const auditRows = await db.selectFrom('audit_log').selectAll().where('school_id', '=', school.id).execute();
      expect(auditRows).toHaveLength(1);
      expect(auditRows[0]).toMatchObject({
        action: 'import',
        entity_type: 'school',
        entity_id: school.id,
        user_id: 'system',
        user_role: 'admin',
        at: NOW,
      });
      const details = JSON.parse(auditRows[0]!.details!) as { files: unknown; counts: { marks: { created: number } } };
      expect(details.files).toEqual({
        calendar: 'calendar.json',
        pupils: 'pupils.csv',
        marks: 'marks.csv',
        contacts: 'contacts.csv',
        groups: 'groups.csv',
      });
      expect(details.counts.marks.created).toBe(54);
    });

    it('re-importing the same files changes nothing: 0 created, 0 updated, 0 removed, no history', async () => {
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, allFiles('100002'));
      const before = await tableCounts(ctx.db);
      const again = await importSchoolData(deps(ctx.db, '2025-09-16T10:00:00.000Z'), SYSTEM_ACTOR, allFiles('100002'));
      expect(totalChanges(again)).toBe(0);
      expect(changes(again)).toEqual({
        school: [0, 0, 1, 0],
        terms: [0, 0, 1, 0],
        closures: [0, 0, 1, 0],
        groups: [0, 0, 3, 0],
        groupMembers: [0, 0, 5, 0],
        groupStaff: [0, 0, 0, 0],
        pupils: [0, 0, 3, 0],
        contacts: [0, 0, 3, 0],
        marks: [0, 0, 54, 0],
        admissions: [0, 0, 3, 0],
      });
      expect(again.pupilsUpdated).toEqual([]);
      const after = await tableCounts(ctx.db);
      // Only the import's own audit row is new.
      expect(after).toEqual({ ...before, audit_log: before.audit_log + 1 });
      const touched = await ctx.db
        .selectFrom('session_marks')
        .select('updated_at')
        .where('updated_at', '!=', NOW)
        .execute();
      expect(touched).toEqual([]);
    });

    it('also works from the school details alone, then file by file', async () => {
      const created = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, { urn: '100003', school: NEW_SCHOOL });
      expect(changes(created).school).toEqual([1, 0, 0, 0]);
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '100003',
        calendar: file('calendar.json', JSON.stringify(CALENDAR)),
      });
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, { urn: '100003', pupils: file('pupils.csv', pupilsCsv()) });
      const marks = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '100003',
        marks: file('marks.csv', marksCsv()),
      });
      expect(changes(marks).marks).toEqual([54, 0, 0, 0]);
      expect(changes(marks).school).toEqual([0, 0, 1, 0]);
    });
  });

  describe('changes', () => {
    it('updates a changed mark with a history row and leaves unchanged marks without one', async () => {
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, allFiles('100010'));
      const rows = markRows().map((r) => {
        if (r[0] === UPN.bea && r[1] === '2025-09-10' && r[2] === 'AM') return recode(r, 'M');
        if (r[0] === UPN.alex && r[1] === '2025-09-02' && r[2] === 'AM') return recode(r, 'L', '12');
        return r;
      });
      const later = '2025-09-20T09:00:00.000Z';
      const report = await importSchoolData(deps(ctx.db, later), SYSTEM_ACTOR, {
        urn: '100010',
        marks: file('exports/marks-week2.csv', marksCsv(rows)),
      });
      expect(changes(report).marks).toEqual([0, 2, 52, 0]);
      const school = await ctx.db
        .selectFrom('schools')
        .select('id')
        .where('urn', '=', '100010')
        .executeTakeFirstOrThrow();
      const history = await ctx.db
        .selectFrom('mark_history')
        .innerJoin('pupils', 'pupils.id', 'mark_history.pupil_id')
        .select([
          'upn',
          'date',
          'session',
          'previous_code',
          'new_code',
          'previous_minutes_late',
          'new_minutes_late',
          'reason',
          'user_name',
          'user_role',
          'source',
          'at',
        ])
        .where('pupils.school_id', '=', school.id)
        .where('at', '=', later)
        .orderBy('upn')
        .execute();
      expect(history).toEqual([
        {
          upn: UPN.alex,
          date: '2025-09-02',
          session: 'AM',
          previous_code: 'L',
          new_code: 'L',
          previous_minutes_late: 7,
          new_minutes_late: 12,
          reason: 'Imported from marks-week2.csv',
          user_name: IMPORT_USER_NAME,
          user_role: 'admin',
          source: 'import',
          at: later,
        },
        {
          upn: UPN.bea,
          date: '2025-09-10',
          session: 'AM',
          previous_code: '/',
          new_code: 'M',
          previous_minutes_late: null,
          new_minutes_late: null,
          reason: 'Imported from marks-week2.csv',
          user_name: IMPORT_USER_NAME,
          user_role: 'admin',
          source: 'import',
          at: later,
        },
      ]);
      const mark = await ctx.db
        .selectFrom('session_marks')
        .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
        .select(['code', 'updated_at'])
        .where('upn', '=', UPN.bea)
        .where('pupils.school_id', '=', school.id)
        .where('date', '=', '2025-09-10')
        .where('session', '=', 'AM')
        .executeTakeFirstOrThrow();
      expect(mark).toEqual({ code: 'M', updated_at: later });
    });

    it('without a minutes_late column keeps the stored minutes', async () => {
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, allFiles('100011'));
      const text = csv([['upn', 'date', 'session', 'code'], ...markRows().map((r) => r.slice(0, 4))]);
      const report = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '100011',
        marks: file('marks.csv', text),
      });
      expect(changes(report).marks).toEqual([0, 0, 54, 0]);
    });

    it('reports the pupils and fields that changed; columns left out of the file are kept', async () => {
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, allFiles('100012'));
      const rows = pupilRows();
      rows[0]![1] = 'Able-Smith'; // surname
      rows[0]![5] = '6'; // year_group
      rows[2]![11] = 'Y'; // fsm
      rows[2]![8] = '2025-09-12'; // leaving_date
      const report = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '100012',
        pupils: file('pupils.csv', pupilsCsv(rows)),
      });
      expect(changes(report).pupils).toEqual([0, 2, 1, 0]);
      expect(report.pupilsUpdated).toEqual([
        { upn: UPN.alex, fields: ['surname', 'year_group'] },
        { upn: UPN.cal, fields: ['leaving_date', 'fsm'] },
      ]);
      // A file with fewer columns leaves the others as they are.
      const slim = csv([
        ['upn', 'surname', 'forename'],
        [UPN.bea, 'Baker', 'Beatrice'],
      ]);
      const slimReport = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '100012',
        pupils: file('pupils.csv', slim),
      });
      expect(totalChanges(slimReport)).toBe(0);
      const bea = await ctx.db
        .selectFrom('pupils')
        .innerJoin('schools', 'schools.id', 'pupils.school_id')
        .select(['sen_status', 'social_worker', 'year_group'])
        .where('urn', '=', '100012')
        .where('upn', '=', UPN.bea)
        .executeTakeFirstOrThrow();
      expect(bea).toEqual({ sen_status: 'E', social_worker: 'Social worker (test)', year_group: '5' });
    });

    it('moves pupils between groups, replaces the membership of the groups in the file, and updates contacts', async () => {
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, allFiles('100013'));
      const school = await ctx.db
        .selectFrom('schools')
        .select('id')
        .where('urn', '=', '100013')
        .executeTakeFirstOrThrow();
      await ctx.db
        .insertInto('users')
        .values({
          id: 'u-maths-100013',
          email: 'Maths.Teacher@school.test',
          display_name: 'Maths teacher',
          password_hash: 'x',
          role: 'teacher',
          school_id: school.id,
          trust_id: null,
          la_code: null,
          created_at: NOW,
        })
        .execute();
      const groups = [
        ['5A', 'registration', UPN.alex, '5', '', ''],
        ['6B', 'registration', UPN.bea, '6', '', ''], // Bea moves to 6B
        ['6B', 'registration', UPN.cal, '6', '', ''],
        ['5 Maths', 'teaching', UPN.alex, '5', 'Mathematics', 'maths.teacher@school.test'], // Cal leaves the set
      ];
      const contacts = contactRows().filter((r) => r[1] !== 'Parent Two'); // Parent Two removed
      contacts[0]![6] = '07700 900999'; // Parent One's new mobile
      const report = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '100013',
        groups: file('groups.csv', groupsCsv(groups)),
        contacts: file('contacts.csv', contactsCsv(contacts)),
      });
      expect(changes(report)).toMatchObject({
        groups: [0, 1, 2, 0],
        groupMembers: [1, 0, 3, 2],
        groupStaff: [1, 0, 0, 0],
        pupils: [0, 1, 0, 0],
        contacts: [0, 1, 1, 1],
      });
      expect(report.pupilsUpdated).toEqual([{ upn: UPN.bea, fields: ['reg_group'] }]);
      const bea = await ctx.db
        .selectFrom('pupils')
        .innerJoin('groups', 'groups.id', 'pupils.reg_group_id')
        .select('groups.name')
        .where('pupils.school_id', '=', school.id)
        .where('upn', '=', UPN.bea)
        .executeTakeFirstOrThrow();
      expect(bea.name).toBe('6B');
      const staff = await ctx.db
        .selectFrom('group_staff')
        .innerJoin('groups', 'groups.id', 'group_staff.group_id')
        .select(['name', 'user_id'])
        .where('groups.school_id', '=', school.id)
        .execute();
      expect(staff).toEqual([{ name: '5 Maths', user_id: 'u-maths-100013' }]);
      const again = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '100013',
        groups: file('groups.csv', groupsCsv(groups)),
        contacts: file('contacts.csv', contactsCsv(contacts)),
      });
      expect(totalChanges(again)).toBe(0);
    });

    it('sets and clears contact restrictions from a restriction column, audited; a file without it keeps them', async () => {
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, allFiles('100071'));
      const header = [...CONTACTS_HEADER, 'restriction'];
      const withRestriction = (values: readonly string[]) =>
        csv([header, ...contactRows().map((r, i) => [...r, values[i] ?? ''])]);
      const stored = async () =>
        Object.fromEntries(
          (
            await ctx.db
              .selectFrom('contacts')
              .innerJoin('pupils', 'pupils.id', 'contacts.pupil_id')
              .innerJoin('schools', 'schools.id', 'pupils.school_id')
              .select(['contacts.name', 'contacts.restriction'])
              .where('schools.urn', '=', '100071')
              .execute()
          ).map((r) => [r.name, r.restriction]),
        );
      const set = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '100071',
        contacts: file('contacts.csv', withRestriction(['', 'Court order', 'no-contact'])),
      });
      expect(changes(set)).toMatchObject({ contacts: [0, 2, 1, 0] });
      expect(await stored()).toEqual({ 'Parent One': null, 'Parent Two': 'court_order', 'Carer Three': 'no_contact' });
      // A file without the column keeps what is stored.
      const kept = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '100071',
        contacts: file('contacts.csv', contactsCsv()),
      });
      expect(totalChanges(kept)).toBe(0);
      expect((await stored())['Parent Two']).toBe('court_order');
      // Cleared with an empty cell or "none".
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '100071',
        contacts: file('contacts.csv', withRestriction(['', 'none', 'No contact'])),
      });
      expect(await stored()).toEqual({ 'Parent One': null, 'Parent Two': null, 'Carer Three': 'no_contact' });
      const audited = await ctx.db
        .selectFrom('audit_log')
        .select(['details'])
        .where('action', '=', 'contact.restriction')
        .orderBy('at')
        .execute();
      expect(audited.map((a) => JSON.parse(a.details!) as unknown)).toEqual([
        { restriction: 'court_order', source: 'import' },
        { restriction: 'no_contact', source: 'import' },
        { restriction: null, source: 'import' },
      ]);
      // A value that is neither: the line, and nothing changed.
      const { lines } = await refused(
        importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
          urn: '100071',
          contacts: file('contacts.csv', withRestriction(['', 'barred'])),
        }),
      );
      expect(lines).toEqual([
        'contacts.csv:3: restriction "barred" must be "no contact", "court order" or empty (none)',
      ]);
      expect((await stored())['Parent Two']).toBeNull();
    });

    it('warns when a removed contact had a parent account linked through it', async () => {
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, allFiles('100014'));
      const school = await ctx.db
        .selectFrom('schools')
        .select('id')
        .where('urn', '=', '100014')
        .executeTakeFirstOrThrow();
      const alex = await ctx.db
        .selectFrom('pupils')
        .select('id')
        .where('school_id', '=', school.id)
        .where('upn', '=', UPN.alex)
        .executeTakeFirstOrThrow();
      const two = await ctx.db
        .selectFrom('contacts')
        .select('id')
        .where('pupil_id', '=', alex.id)
        .where('name', '=', 'Parent Two')
        .executeTakeFirstOrThrow();
      await ctx.db
        .insertInto('users')
        .values({
          id: 'u-parent-100014',
          email: 'p2@example.org',
          display_name: 'Parent Two',
          password_hash: 'x',
          role: 'parent',
          school_id: school.id,
          trust_id: null,
          la_code: null,
          created_at: NOW,
        })
        .execute();
      await ctx.db
        .insertInto('parent_links')
        .values({ user_id: 'u-parent-100014', pupil_id: alex.id, contact_id: two.id })
        .execute();
      const report = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '100014',
        contacts: file('contacts.csv', contactsCsv(contactRows().filter((r) => r[1] !== 'Parent Two'))),
      });
      expect(report.warnings.map((w) => problemLine(w))).toEqual([
        `contacts.csv:0: contact "Parent Two" of ${UPN.alex} is not in the file and is removed; the parent account linked through it stays linked to the pupil: review it`,
      ]);
      const link = await ctx.db
        .selectFrom('parent_links')
        .select(['pupil_id', 'contact_id'])
        .where('user_id', '=', 'u-parent-100014')
        .executeTakeFirstOrThrow();
      expect(link).toEqual({ pupil_id: alex.id, contact_id: null });
    });

    it('replaces the calendar as a whole when no stored mark falls outside it', async () => {
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, allFiles('100015'));
      const longer = {
        terms: [
          { name: 'Autumn 1', start: '2025-09-01', end: '2025-10-24' },
          { name: 'Autumn 2', start: '2025-11-03', end: '2025-12-19' },
        ],
        closures: [
          { date: '2025-09-05', session: 'PM', reason: 'Staff training (INSET)' },
          { date: '2025-11-03', session: 'ALL', reason: 'INSET day' },
        ],
      };
      const report = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '100015',
        calendar: file('calendar.json', JSON.stringify(longer)),
      });
      expect(changes(report)).toMatchObject({ terms: [2, 0, 0, 1], closures: [1, 1, 0, 0] });
      const terms = await ctx.db
        .selectFrom('terms')
        .innerJoin('schools', 'schools.id', 'terms.school_id')
        .select(['terms.name', 'start_date', 'end_date'])
        .where('urn', '=', '100015')
        .orderBy('start_date')
        .execute();
      expect(terms.map((t) => `${t.name} ${t.start_date}..${t.end_date}`)).toEqual([
        'Autumn 1 2025-09-01..2025-10-24',
        'Autumn 2 2025-11-03..2025-12-19',
      ]);
    });

    it('writes marks in batches: a larger school round-trips exactly', async () => {
      // 20 pupils × 2 terms (about 5,400 marks) is more than one batch of marks and of history.
      const terms = {
        terms: [
          { name: 'Autumn', start: '2025-09-01', end: '2025-12-19' },
          { name: 'Spring', start: '2026-01-05', end: '2026-03-27' },
        ],
        closures: [],
      };
      const upns = Array.from({ length: 20 }, (_, i) => makeUpn(i + 1));
      const pupils = csv([['upn', 'surname', 'forename'], ...upns.map((u, i) => [u, `Surname${i}`, `Forename${i}`])]);
      const rows: string[][] = [];
      const codes = ['/', 'I', 'M', 'O', 'L'];
      for (const [i, upn] of upns.entries()) {
        for (let day = 0; day < 200; day++) {
          const date = new Date(Date.UTC(2025, 8, 1 + day)).toISOString().slice(0, 10);
          const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
          if (dow === 0 || dow === 6 || (date > '2025-12-19' && date < '2026-01-05') || date > '2026-03-27') continue;
          rows.push([upn, date, 'AM', codes[(i + day) % codes.length]!, '']);
          rows.push([upn, date, 'PM', '\\', '']);
        }
      }
      const input: ImportInput = {
        urn: '100016',
        school: NEW_SCHOOL,
        calendar: file('calendar.json', JSON.stringify(terms)),
        pupils: file('pupils.csv', pupils),
        marks: file('marks.csv', marksCsv(rows)),
      };
      const report = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, input);
      expect(report.counts.marks.created).toBe(rows.length);
      expect(rows.length).toBeGreaterThan(5000);
      const stored = await ctx.db
        .selectFrom('session_marks')
        .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
        .innerJoin('schools', 'schools.id', 'pupils.school_id')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('urn', '=', '100016')
        .executeTakeFirstOrThrow();
      expect(Number(stored.n)).toBe(rows.length);
      const again = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, input);
      expect(totalChanges(again)).toBe(0);
      expect(again.counts.marks.unchanged).toBe(rows.length);
      // Without the dialect, the portable multi-row VALUES path writes the same.
      dialect = undefined;
      const portable = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, { ...input, urn: '100017' });
      expect(portable.counts.marks.created).toBe(rows.length);
      const [a, b] = await Promise.all(
        ['100016', '100017'].map((urn) =>
          ctx.db
            .selectFrom('mark_history')
            .innerJoin('pupils', 'pupils.id', 'mark_history.pupil_id')
            .innerJoin('schools', 'schools.id', 'pupils.school_id')
            .select([
              'upn',
              'date',
              'session',
              'previous_code',
              'new_code',
              'previous_minutes_late',
              'new_minutes_late',
              'reason',
              'user_id',
              'user_name',
              'user_role',
              'at',
              'source',
            ])
            .where('urn', '=', urn)
            .orderBy('upn')
            .orderBy('date')
            .orderBy('session')
            .execute(),
        ),
      );
      expect(b).toEqual(a);
      expect(a).toHaveLength(rows.length);
    });
  });

  describe('refusals: every problem at once, nothing written', () => {
    it('reports every error of every file with its line, and writes nothing', async () => {
      const before = await tableCounts(ctx.db);
      const calendar =
        '{\n  "terms": [\n    {"name": "Autumn 1", "start": "2025-09-01", "end": "2025-09-12"}\n  ],\n  "closures": [\n    {"date": "2025-09-06", "session": "PM", "reason": "Saturday"}\n  ]\n}\n';
      const pupils = csv([
        [...PUPILS_HEADER],
        pupilRows()[0]!,
        [UPN.bea, '', 'Beatrice', '', '2015-02-30', '5', '5A', '', '', 'K', 'Y', 'maybe', 'N', 'X', '', 'F', 'WBRI'],
        ['A801200005001', 'Cole', 'Callum', '', '', '6', '6B', '', '', '', '', '', '', '', '', '', ''],
        [UPN.alex, 'Again', 'Alex', '', '', '', '', '', '', '', '', '', '', '', '', '', ''],
      ]);
      const marks = csv([
        ['upn', 'date', 'session', 'code', 'minutes_late'],
        [UPN.alex, '2025-09-01', 'AM', '/', ''],
        [UPN.alex, '2025-09-01', 'AM', '/', ''],
        [UPN.alex, '2025-09-06', 'AM', '/', ''],
        [UPN.alex, '2025-09-02', 'EVE', 'Q9', ''],
        [UPN.cal, '2025-09-02', 'AM', '/', ''],
        [UPN.alex, '2025-09-03', 'PM', 'L', 'late'],
      ]);
      const contacts = csv([
        [
          ...[
            'upn',
            'name',
            'relationship',
            'priority',
            'parental_responsibility',
            'lives_with_pupil',
            'mobile_phone',
            'home_phone',
            'work_phone',
            'email',
          ],
        ],
        [UPN.alex, 'Parent One', 'Mother', '1', 'Y', 'Y', '07700-900123', '', '', 'not-an-email'],
        [UPN.alex, 'parent one', '', '1', 'perhaps', '', '0770', '', '', ''],
        [UPN.cal, 'Someone', 'Aunt', 'first', '', '', '', '', '', ''],
      ]);
      const groups = csv([
        ['group', 'kind', 'upn', 'year_group', 'subject', 'staff_email'],
        ['5A', 'registration', UPN.alex, '5', '', ''],
        ['5B', 'registration', UPN.alex, '5', '', ''],
        ['5A', 'form', UPN.alex, '', '', ''],
        ['5 Maths', 'teaching', UPN.alex, '5', 'Maths', 'teacher@'],
        ['5 Maths', 'teaching', UPN.alex, '6', 'Maths', ''],
        ['', 'teaching', UPN.cal, '', '', ''],
      ]);
      const { error, lines } = await refused(
        importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
          urn: '100020',
          school: { name: 'Test', phase: 'infant', laCode: '33' },
          calendar: file('calendar.json', calendar),
          pupils: file('pupils.csv', pupils),
          marks: file('marks.csv', marks),
          contacts: file('contacts.csv', contacts),
          groups: file('groups.csv', groups),
        }),
      );
      expect(error.code).toBe('VALIDATION');
      expect(lines).toEqual([
        'rollcall import: --phase "infant" must be one of primary, secondary, special, all-through',
        'rollcall import: --la-code "33" must be the local authority\'s 3-digit number (e.g. 330)',
        'calendar.json:6: malformed calendar: closure on 2025-09-06 is not a weekday inside a term, so there is no school session to close (check the date)',
        'pupils.csv:3: date_of_birth "2015-02-30" is not a date: write it as YYYY-MM-DD',
        'pupils.csv:3: fsm "maybe" must be Y or N (or true/false, 1/0)',
        "pupils.csv:3: surname is empty: the register needs the pupil's legal surname",
        'pupils.csv:3: ehcp "Y" disagrees with sen "K": a pupil with an EHC plan has sen E',
        'pupils.csv:3: previously_lac "X" must be Y or N (or true/false, 1/0)',
        `pupils.csv:3: reg_group "5A" but groups.csv does not list ${UPN.bea} in registration group "5A"`,
        'pupils.csv:4: invalid UPN "A801200005001": check letter is A but should be B',
        `pupils.csv:5: duplicate UPN ${UPN.alex} (already on line 2)`,
        // Marks are not checked against a broken calendar (as `rollcall analyse`), but say so.
        'marks.csv:0: the marks are checked once calendar.json is corrected',
        'contacts.csv:2: mobile_phone "07700-900123" may contain only digits, spaces and a leading +',
        'contacts.csv:2: email "not-an-email" is not an email address (like name@example.org)',
        'contacts.csv:3: relationship is empty: say who the contact is (e.g. Mother, Father, Carer, Grandparent)',
        'contacts.csv:3: parental_responsibility "perhaps" must be Y or N (or true/false, 1/0)',
        'contacts.csv:3: mobile_phone "0770" has 4 digits; a phone number has 10 to 13',
        `contacts.csv:3: duplicate contact "parent one" for ${UPN.alex} (already on line 2)`,
        `contacts.csv:3: priority 1 is used twice for ${UPN.alex} (already on line 2): give each contact its own order`,
        `contacts.csv:4: UPN ${UPN.cal} is not in the pupils file and not a pupil of the school`,
        'contacts.csv:4: priority "first" must be a whole number from 1 (first to call) to 99',
        `groups.csv:3: ${UPN.alex} is already in registration group "5A" (line 2): a pupil has one registration group`,
        'groups.csv:4: kind "form" must be registration or teaching',
        'groups.csv:5: staff_email "teacher@" is not an email address (like name@example.org)',
        'groups.csv:6: year_group "6" for teaching group "5 Maths" disagrees with "5" given earlier',
        `groups.csv:6: duplicate: ${UPN.alex} is already in teaching group "5 Maths" on line 5`,
        "groups.csv:7: group is empty: give the group's name (e.g. 7A or 9X/Ma1)",
        `groups.csv:7: UPN ${UPN.cal} is not in the pupils file and not a pupil of the school`,
      ]);
      expect(await tableCounts(ctx.db)).toEqual(before);
    });

    it('checks marks against the calendar as rollcall analyse does', async () => {
      const before = await tableCounts(ctx.db);
      const marks = csv([
        ['upn', 'date', 'session', 'code', 'minutes_late'],
        [UPN.alex, '2025-09-01', 'AM', '/', ''],
        [UPN.alex, '2025-09-01', 'AM', '/', ''],
        [UPN.alex, '2025-09-06', 'AM', '/', ''],
        [UPN.alex, '2025-09-05', 'PM', '/', ''],
        [UPN.alex, '2025-09-02', 'EVE', 'Q9', ''],
        [UPN.alex, '2025-09-03', 'PM', 'H', ''],
        [UPN.cal, '2025-09-02', 'AM', '/', ''],
        [UPN.alex, '2025-09-03', 'AM', 'L', 'late'],
        ['B80120000500', '2025-09-04', 'AM', '/', ''],
      ]);
      const { lines } = await refused(
        importSchoolData(
          deps(ctx.db),
          SYSTEM_ACTOR,
          allFiles('100021', { marks: file('marks.csv', marks), contacts: undefined, groups: undefined }),
        ),
      );
      expect(lines).toEqual([
        `marks.csv:3: duplicate mark for ${UPN.alex} on 2025-09-01 AM (already on line 2)`,
        'marks.csv:4: 2025-09-06 AM is not a school session in the calendar (weekend, holiday or outside the terms)',
        'marks.csv:5: 2025-09-05 PM is a planned closure in the calendar; only # may be recorded on it',
        expect.stringMatching(/^marks\.csv:6: session "EVE" must be AM or PM$/),
        expect.stringMatching(/^marks\.csv:6: .*Q9/),
        expect.stringMatching(/^marks\.csv:7: .*H/),
        `marks.csv:8: mark on 2025-09-02 is before ${UPN.cal}'s admission date 2025-09-03`,
        'marks.csv:9: minutes_late "late" must be a whole number of minutes from 0 to 600',
        'marks.csv:10: invalid UPN "B80120000500": must be 13 characters, got 12',
      ]);
      expect(await tableCounts(ctx.db)).toEqual(before);
    });

    it('refuses an unknown school without the details to create it, and headers without legal names', async () => {
      const before = await tableCounts(ctx.db);
      const { error, lines } = await refused(
        importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
          urn: '100022',
          school: { name: 'Somewhere' },
          pupils: file(
            'pupils.csv',
            csv([
              ['upn', 'year_group'],
              [UPN.alex, '5'],
            ]),
          ),
          marks: file('marks.csv', marksCsv()),
        }),
      );
      expect(error.code).toBe('VALIDATION');
      expect(lines).toEqual([
        'rollcall import: no school has URN 100022: to create it, give --school-name, --phase and --la-code (missing --phase, --la-code)',
        'pupils.csv:1: the header is missing "surname", "forename" (found: upn,year_group); it needs upn,surname,forename (legal names are needed for the register)',
        'marks.csv:0: the school has no calendar yet, so marks cannot be checked: import its calendar with --calendar',
      ]);
      expect(await tableCounts(ctx.db)).toEqual(before);
    });

    it('refuses marks for pupils who are not on the roll, and a new pupil with no admission date and no calendar', async () => {
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, { urn: '100023', school: NEW_SCHOOL });
      const { lines } = await refused(
        importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
          urn: '100023',
          pupils: file(
            'pupils.csv',
            csv([
              ['upn', 'surname', 'forename'],
              [UPN.alex, 'Able', 'Alex'],
            ]),
          ),
        }),
      );
      expect(lines).toEqual([
        "pupils.csv:2: admission_date is empty and the school has no calendar to start the pupil's time on roll from: give the date",
      ]);
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '100023',
        calendar: file('calendar.json', JSON.stringify(CALENDAR)),
      });
      const marks = await refused(
        importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
          urn: '100023',
          marks: file('marks.csv', marksCsv(markRows().slice(0, 1))),
        }),
      );
      expect(marks.lines).toEqual([
        `marks.csv:2: UPN ${UPN.alex} is not a pupil of the school: import the pupil with --pupils first`,
      ]);
    });

    it('refuses a calendar that would leave stored marks outside its school sessions', async () => {
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, allFiles('100024'));
      const before = await tableCounts(ctx.db);
      const shorter = {
        terms: [{ name: 'Autumn 1', start: '2025-09-01', end: '2025-09-10' }],
        closures: [
          { date: '2025-09-05', session: 'PM', reason: 'Staff training' },
          { date: '2025-09-08', session: 'ALL', reason: 'Moved INSET' },
        ],
      };
      const { lines } = await refused(
        importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
          urn: '100024',
          calendar: file('calendar.json', JSON.stringify(shorter, null, 2)),
        }),
      );
      expect(lines).toEqual([
        'calendar.json:1: 2025-09-08 AM is not a school session in this calendar, but 3 stored marks are on it: an import never deletes marks, so keep that session in the calendar',
        'calendar.json:1: 2025-09-08 PM is not a school session in this calendar, but 3 stored marks are on it: an import never deletes marks, so keep that session in the calendar',
        'calendar.json:1: 2025-09-11 AM is not a school session in this calendar, but 3 stored marks are on it: an import never deletes marks, so keep that session in the calendar',
        'calendar.json:1: 2025-09-11 PM is not a school session in this calendar, but 3 stored marks are on it: an import never deletes marks, so keep that session in the calendar',
        'calendar.json:1: 2025-09-12 AM is not a school session in this calendar, but 3 stored marks are on it: an import never deletes marks, so keep that session in the calendar',
        'calendar.json:1: 2025-09-12 PM is not a school session in this calendar, but 3 stored marks are on it: an import never deletes marks, so keep that session in the calendar',
      ]);
      expect(await tableCounts(ctx.db)).toEqual(before);
      // `#` is a code like any other on a school session (as `rollcall analyse` reads it), so
      // Bea's `#` on the closed Friday afternoon does not stop the closure being dropped.
      const noClosure = { terms: CALENDAR.terms, closures: [] };
      const dropped = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '100024',
        calendar: file('calendar.json', JSON.stringify(noClosure)),
      });
      expect(changes(dropped).closures).toEqual([0, 0, 0, 1]);
      // But a `#` stored on a closed session must stay on a closure or a school session.
      const beforeHoliday = {
        terms: [
          { name: 'Autumn 1', start: '2025-09-01', end: '2025-09-04' },
          { name: 'Autumn 1b', start: '2025-09-08', end: '2025-09-12' },
        ],
        closures: [],
      };
      const hash = await refused(
        importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
          urn: '100024',
          calendar: file('calendar.json', JSON.stringify(beforeHoliday)),
        }),
      );
      expect(hash.lines).toEqual([
        'calendar.json:1: 2025-09-05 AM is not a school session in this calendar, but 3 stored marks are on it: an import never deletes marks, so keep that session in the calendar',
        'calendar.json:1: 2025-09-05 PM is not a school session in this calendar, but 1 stored mark is on it: an import never deletes marks, so keep that session in the calendar',
      ]);
    });

    it('refuses admission and leaving dates that would leave stored marks outside the time on roll', async () => {
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, allFiles('100025'));
      const rows = pupilRows();
      rows[0]![7] = '2025-09-04'; // Alex admitted after his first marks
      rows[1]![8] = '2025-09-09'; // Bea leaving before her last marks
      const { lines } = await refused(
        importSchoolData(deps(ctx.db), SYSTEM_ACTOR, { urn: '100025', pupils: file('pupils.csv', pupilsCsv(rows)) }),
      );
      expect(lines).toEqual([
        `pupils.csv:2: admission_date 2025-09-04 is after ${UPN.alex}'s first stored mark (2025-09-01): an import never deletes marks, so correct the date`,
        `pupils.csv:3: leaving_date 2025-09-09 is before ${UPN.bea}'s last stored mark (2025-09-12): an import never deletes marks, so correct the date`,
      ]);
    });

    it('rolls everything back when the database refuses a write part way through', async () => {
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, allFiles('100026'));
      const before = await tableCounts(ctx.db);
      const rows = markRows().map((r) => (r[0] === UPN.bea && r[2] === 'AM' ? recode(r, 'I') : r));
      const extra = [
        ...pupilRows(),
        [makeUpn(900), 'New', 'Pupil', '', '', '5', '5C', '', '', '', '', '', '', '', '', '', ''],
      ];
      const failing = ctx.db.withPlugin(duplicateHistoryId());
      await expect(
        importSchoolData(deps(failing), SYSTEM_ACTOR, {
          urn: '100026',
          school: { name: 'Renamed' },
          pupils: file('pupils.csv', pupilsCsv(extra)),
          marks: file('marks.csv', marksCsv(rows)),
        }),
      ).rejects.toThrow(DUPLICATE);
      expect(await tableCounts(ctx.db)).toEqual(before);
      const school = await ctx.db
        .selectFrom('schools')
        .select('name')
        .where('urn', '=', '100026')
        .executeTakeFirstOrThrow();
      expect(school.name).toBe('Test Primary');
      // And a new school is not left half made, however the rows are sent.
      await expect(
        importSchoolData(deps(ctx.db.withPlugin(duplicateHistoryId())), SYSTEM_ACTOR, allFiles('100027')),
      ).rejects.toThrow(DUPLICATE);
      expect(await tableCounts(ctx.db)).toEqual(before);
      dialect = undefined;
      await expect(
        importSchoolData(deps(ctx.db.withPlugin(duplicateHistoryId())), SYSTEM_ACTOR, allFiles('100027')),
      ).rejects.toThrow(DUPLICATE);
      expect(await tableCounts(ctx.db)).toEqual(before);
    });

    it('rolls everything back when the database refuses a row sent in bulk (COPY on PostgreSQL, a prepared statement on SQLite)', async () => {
      const before = await tableCounts(ctx.db);
      // A real refusal by the database, of the third history row, whichever way rows are sent.
      if (ctx.dialect === 'postgres') {
        await sql`create function refuse_third_history_row() returns trigger language plpgsql as $$
          begin raise exception 'refused by the test trigger'; end $$`.execute(ctx.db);
        await sql`create trigger refuse_third before insert on mark_history for each row
          when (new.id like '%.0000002') execute function refuse_third_history_row()`.execute(ctx.db);
      } else {
        await sql`create trigger refuse_third before insert on mark_history
          when new.id like '%.0000002' begin select raise(abort, 'refused by the test trigger'); end`.execute(ctx.db);
      }
      try {
        const error: unknown = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, allFiles('100029')).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(String(error)).toMatch(/refused by the test trigger/);
        // PostgreSQL names the COPY line: the rows went by COPY, not by the fallback.
        if (ctx.dialect === 'postgres')
          expect((error as { where?: string }).where).toMatch(/COPY mark_history, line 3/);
        expect(await tableCounts(ctx.db)).toEqual(before);
      } finally {
        await sql`drop trigger refuse_third${sql.raw(ctx.dialect === 'postgres' ? ' on mark_history' : '')}`.execute(
          ctx.db,
        );
        if (ctx.dialect === 'postgres') await sql`drop function refuse_third_history_row()`.execute(ctx.db);
      }
      // The connection is usable again and the same files import.
      const report = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, allFiles('100029'));
      expect(report.counts.marks.created).toBe(markRows().length);
    });

    it('refuses an administrator of another school', async () => {
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, { urn: '100028', school: NEW_SCHOOL });
      const otherAdmin: Actor = {
        ...SYSTEM_ACTOR,
        userId: 'u-admin-x',
        name: 'Admin elsewhere',
        schoolId: 'some-other-school',
      };
      const teacher: Actor = { ...SYSTEM_ACTOR, userId: 'u-teacher', name: 'Teacher', role: 'teacher', schoolId: null };
      for (const actor of [otherAdmin, teacher]) {
        const { error } = await refused(
          importSchoolData(deps(ctx.db), actor, {
            urn: '100028',
            calendar: file('calendar.json', JSON.stringify(CALENDAR)),
          }),
        );
        expect(error.code).toBe('FORBIDDEN');
      }
    });
  });

  describe('dry run', () => {
    it('checks everything and counts what would change, but writes nothing', async () => {
      const before = await tableCounts(ctx.db);
      const report = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, { ...allFiles('100030'), dryRun: true });
      expect(report.dryRun).toBe(true);
      expect(changes(report)).toMatchObject({
        school: [1, 0, 0, 0],
        pupils: [3, 0, 0, 0],
        marks: [54, 0, 0, 0],
        groupMembers: [5, 0, 0, 0],
      });
      expect(await tableCounts(ctx.db)).toEqual(before);
      const { lines } = await refused(
        importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
          urn: '100030',
          dryRun: true,
          marks: file('marks.csv', marksCsv()),
        }),
      );
      expect(lines[0]).toMatch(/^rollcall import: no school has URN 100030/);
    });

    it('on a stored school, reports the changes it would make and leaves the marks alone', async () => {
      await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, allFiles('100031'));
      const before = await tableCounts(ctx.db);
      const rows = markRows().map((r) => (r[1] === '2025-09-12' ? recode(r, 'O') : r));
      const report = await importSchoolData(deps(ctx.db), SYSTEM_ACTOR, {
        urn: '100031',
        marks: file('marks.csv', marksCsv(rows)),
        dryRun: true,
      });
      expect(changes(report).marks).toEqual([0, 6, 48, 0]);
      expect(await tableCounts(ctx.db)).toEqual(before);
      const still = await ctx.db
        .selectFrom('session_marks')
        .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
        .innerJoin('schools', 'schools.id', 'pupils.school_id')
        .select('code')
        .where('urn', '=', '100031')
        .where('date', '=', '2025-09-12')
        .where('code', '=', 'O')
        .execute();
      expect(still).toEqual([]);
    });
  });

  it('every day of the test calendar is a school day (guards the fixtures)', () => {
    expect(DAYS).toHaveLength(10);
    expect(groupRows()).toHaveLength(5);
  });
});

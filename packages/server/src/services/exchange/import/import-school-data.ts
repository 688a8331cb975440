/**
 * `rollcall import`: makes Rollcall the register of record for a school from its MIS exports.
 *
 * - Everything is checked before anything is written: every problem of every file comes back at
 *   once (as `file:line: message`), and then nothing is written at all.
 * - One transaction: a failure part way through (even one only the database catches) leaves the
 *   database as it was.
 * - Idempotent: importing the same files again changes nothing. Pupils are matched by (school,
 *   UPN), groups by (kind, name), contacts by (pupil, name), marks by (pupil, date, session).
 * - A changed mark keeps its history: previous code, new code, source `import`, the reason
 *   "Imported from <file>", who (the system or the signed-in administrator) and when.
 * - An import never deletes pupils or marks. The calendar file replaces the school's terms and
 *   closures as a whole, but is refused if stored marks would fall outside its school sessions.
 *
 * See docs/cli/import.md for the file formats and every error.
 */
import { basename } from 'node:path';
import {
  addDays,
  buildRoll,
  compileCalendar,
  lookupCode,
  isClosedSession,
  isKnownCode,
  sessionIndex,
  validateUpn,
  type Closure,
  type ClosureSession,
  type MarkRow,
  type PlainDate,
  type PupilInfo,
  type PupilRow,
  type SchoolCalendar,
  type Session,
} from '@rollcall/domain';
import { findSchoolByUrn, type Phase } from '../../../db/school/schools.js';
import type { DbOrTrx, Dialect } from '../../../db/connect.js';
import { newId } from '../../../platform/ids.js';
import { audit } from '../../audit.js';
import { authorise, SYSTEM_ACTOR, type Actor } from '../../authz.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { forgetCalendar } from '../../registers/registers.js';
import { DEFAULT_POLICY } from '../../policy/school-policy.js';
import {
  contactKey,
  groupKey,
  groupName,
  MARK_COLUMNS,
  markRowsOf,
  PUPIL_NAME_COLUMNS,
  pupilRowsOf,
  readCalendarFile,
  readContacts,
  readGroups,
  readPupilExtras,
  readTable,
  type CalendarFile,
  type ContactRow,
  type GroupKind,
  type GroupSpec,
  type ImportFile,
  type ImportProblem,
  type PupilExtras,
  type Table,
} from './files.js';
import type { MisChoice } from './mis.js';
import { schoolCodeMap } from './school-codes.js';
import {
  insertAdmissionEntries,
  loadAdmissionDetails,
  pupilsWithAdmissionEntry,
  registerOfRecord,
  upsertAdmissionDetails,
  type AdmissionDetailsRow,
} from '../../../db/admission-register.js';
import { registerPupil, REGISTER_ITEMS, type RegisterItem } from '../../duties/admissions/register-items.js';
import { ctfTables, isOwnSchool, readCtf, type CtfDocument, type CtfTables, type CtfYearData } from './ctf.js';
import {
  loadAttendanceHistory,
  loadSchoolHistory,
  replaceAttendanceHistory,
  replaceSchoolHistory,
  type AttendanceHistoryRow,
  type SchoolHistoryRow,
} from '../../../db/exchange/ctf.js';
import {
  emptyCounts,
  type CtfReport,
  type FileChanges,
  type EntityCounts,
  type ImportFileKind,
  type ImportReport,
} from './report.js';
import {
  linkedContacts,
  loadClosures,
  loadContacts,
  loadGroups,
  loadGroupStaff,
  loadMarks,
  loadMembers,
  loadPupils,
  loadTerms,
  markSessionsOfSchool,
  markSpans,
  insertSchool,
  updateSchool,
  usersByEmail,
  writeCalendar,
  writeContacts,
  writeGroups,
  writeMarks,
  writeMembers,
  writePupils,
  writeStaff,
  type BulkMode,
  type CalendarChange,
  type ClosureRow,
  type ContactRecord,
  type GroupRow,
  type MarkChange,
  type Pair,
  type PupilRecord,
  type StoredMark,
  type StoredMarks,
  type TermRow,
} from './store.js';

export const PHASES = ['primary', 'secondary', 'special', 'all-through'] as const satisfies readonly Phase[];

/** The name marks and history are recorded under when the system (the CLI) imports. */
export const IMPORT_USER_NAME = 'Rollcall import (system)';

export interface ImportInput {
  /** The school's URN: the school is found by it, or created with `create`. */
  readonly urn: string;
  /** Details of the school: required to create it; when it exists, given ones are updated. */
  readonly school?:
    | {
        readonly name?: string;
        readonly phase?: string;
        readonly laCode?: string;
        readonly laName?: string;
        /** The 4-digit DfE establishment number. */
        readonly estab?: string;
      }
    | undefined;
  /**
   * A Common Transfer File: its pupils, contacts, school and attendance history, and the session
   * marks of this school's own YearData (docs/ctf.md). Not with --pupils, --marks or --contacts.
   */
  readonly ctf?: ImportFile | undefined;
  readonly calendar?: ImportFile | undefined;
  readonly pupils?: ImportFile | undefined;
  readonly marks?: ImportFile | undefined;
  readonly contacts?: ImportFile | undefined;
  readonly groups?: ImportFile | undefined;
  /** Check everything and count what would change, but write nothing. */
  readonly dryRun?: boolean | undefined;
  /** Which MIS's column names the CSV files use: a preset, `auto` (the default: detect) or `none`. */
  readonly mis?: MisChoice | undefined;
}

/**
 * The database and the clock; with the dialect, marks travel to the database as JSON (much
 * faster for a full year), without it as portable multi-row VALUES.
 */
export type ImportDeps = Pick<Deps, 'db' | 'clock'> & { readonly dialect?: Dialect | undefined };

/** Thrown (as AppError 'VALIDATION') with every problem in `details.problems`. */
export const IMPORT_INVALID = 'The import was refused: nothing was written.';

/** Rolls the transaction back after a dry run's plan is made. */
class NothingWritten extends Error {}

const FILE_ORDER: readonly ImportFileKind[] = ['calendar', 'pupils', 'marks', 'contacts', 'groups'];

/** pupils.csv column → pupils table column, for comparing and reporting what changed. */
const PUPIL_FIELDS = [
  ['surname', 'legal_surname'],
  ['forename', 'legal_forename'],
  ['preferred_surname', 'preferred_surname'],
  ['preferred_forename', 'preferred_forename'],
  ['date_of_birth', 'date_of_birth'],
  ['gender', 'gender'],
  ['year_group', 'year_group'],
  ['reg_group', 'reg_group_id'],
  ['admission_date', 'admission_date'],
  ['leaving_date', 'leaving_date'],
  ['sen', 'sen_status'],
  ['ehcp', 'ehcp'],
  ['fsm', 'fsm'],
  ['pupil_premium', 'pupil_premium'],
  ['eal', 'eal'],
  ['cin', 'cin'],
  ['cp', 'cp'],
  ['lac', 'lac'],
  ['previously_lac', 'previously_lac'],
  ['young_carer', 'young_carer'],
  ['social_worker', 'social_worker'],
  ['ethnicity', 'ethnicity'],
  ['address', 'address'],
  ['postcode', 'postcode'],
] as const satisfies readonly (readonly [string, keyof PupilRecord])[];

const PUPIL_FLAGS = [
  ['fsm', 'fsm'],
  ['pupil_premium', 'pupilPremium'],
  ['eal', 'eal'],
  ['cin', 'cin'],
  ['cp', 'cp'],
  ['lac', 'lac'],
  ['young_carer', 'youngCarer'],
] as const satisfies readonly (readonly [keyof PupilRecord, keyof PupilInfo])[];

/** The files after the checks that need no database. */
interface Parsed {
  calendar?: CalendarFile | undefined;
  ctf?: CtfDocument | undefined;
  pupils?: Table | undefined;
  marks?: Table | undefined;
  contacts?: Table | undefined;
  groups?: Table | undefined;
}

function checkOptions(input: ImportInput, problems: ImportProblem[]): void {
  const o = input.school ?? {};
  if (input.urn.trim() === '') problems.push({ file: null, line: 0, message: "--school needs the school's URN" });
  if (o.phase !== undefined && !(PHASES as readonly string[]).includes(o.phase)) {
    problems.push({ file: null, line: 0, message: `--phase "${o.phase}" must be one of ${PHASES.join(', ')}` });
  }
  if (o.laCode !== undefined && !/^\d{3}$/.test(o.laCode)) {
    problems.push({
      file: null,
      line: 0,
      message: `--la-code "${o.laCode}" must be the local authority's 3-digit number (e.g. 330)`,
    });
  }
  if (o.name !== undefined && o.name.trim() === '')
    problems.push({ file: null, line: 0, message: '--school-name is empty' });
  if (o.estab !== undefined && !/^\d{4}$/.test(o.estab)) {
    problems.push({
      file: null,
      line: 0,
      message: `--estab "${o.estab}" must be the school's 4-digit DfE establishment number (e.g. 2001)`,
    });
  }
  if (input.ctf) {
    const also = (['pupils', 'marks', 'contacts'] as const).filter((k) => input[k] !== undefined);
    if (also.length > 0) {
      problems.push({
        file: null,
        line: 0,
        message: `--ctf brings the pupils, contacts and marks itself: leave out ${also.map((k) => `--${k}`).join(', ')}`,
      });
    }
  }
}

function parseFiles(input: ImportInput, problems: ImportProblem[]): Parsed {
  const out: Parsed = {};
  const choice = input.mis ?? 'auto';
  if (input.calendar) out.calendar = readCalendarFile(input.calendar, problems);
  if (input.ctf) {
    out.ctf = readCtf(input.ctf, problems);
    return out;
  }
  if (input.pupils) {
    out.pupils = readTable(
      input.pupils,
      ['upn', ...PUPIL_NAME_COLUMNS],
      problems,
      ' (legal names are needed for the register)',
      { kind: 'pupils', choice },
    );
  }
  if (input.marks) out.marks = readTable(input.marks, MARK_COLUMNS, problems, '', { kind: 'marks', choice });
  if (input.contacts)
    out.contacts = readTable(input.contacts, ['upn', 'name', 'relationship', 'priority'], problems, '', {
      kind: 'contacts',
      choice,
    });
  if (input.groups)
    out.groups = readTable(input.groups, ['group', 'kind', 'upn'], problems, '', { kind: 'groups', choice });
  return out;
}

function sortProblems(input: ImportInput, problems: ImportProblem[]): ImportProblem[] {
  const rank = new Map<string, number>();
  FILE_ORDER.forEach((kind, i) => {
    const f = input[kind];
    if (f && !rank.has(f.name)) rank.set(f.name, i + 1);
  });
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => {
      const ra = a.p.file === null ? 0 : (rank.get(a.p.file) ?? 99);
      const rb = b.p.file === null ? 0 : (rank.get(b.p.file) ?? 99);
      return ra - rb || a.p.line - b.p.line || a.i - b.i;
    })
    .map((x) => x.p);
}

function misOf(parsed: Parsed): Partial<Record<ImportFileKind, string>> {
  const out: Partial<Record<ImportFileKind, string>> = {};
  for (const kind of ['pupils', 'marks', 'contacts', 'groups'] as const) {
    const mis = parsed[kind]?.mis;
    if (mis) out[kind] = mis;
  }
  return out;
}

function refuse(input: ImportInput, problems: ImportProblem[]): never {
  throw new AppError('VALIDATION', IMPORT_INVALID, { problems: sortProblems(input, problems) });
}

function calendarOf(terms: readonly TermRow[], closures: readonly ClosureRow[]): SchoolCalendar | undefined {
  const compiled = compileCalendar({
    terms: terms.map((t) => ({ name: t.name, start: t.start_date as PlainDate, end: t.end_date as PlainDate })),
    closures: closures.map((c): Closure => ({
      date: c.date as PlainDate,
      session: c.session as ClosureSession,
      reason: c.reason,
    })),
  });
  return compiled.ok ? compiled.value : undefined;
}

const EMPTY_CALENDAR = (() => {
  const c = compileCalendar({ terms: [], closures: [] });
  if (!c.ok) throw new Error('the empty calendar does not compile');
  return c.value;
})();

/** A normalised, checked mark of the marks file. */
interface FileMark {
  readonly upn: string;
  readonly date: string;
  readonly session: string;
  readonly code: string;
  /** undefined when the file has no minutes_late column (keep what is stored). */
  readonly minutesLate: number | null | undefined;
}

/**
 * Imports a school's calendar, pupils, marks, contacts and groups (any of them) in one
 * transaction. Returns what was created, updated, left unchanged and removed. Throws AppError
 * 'VALIDATION' with `details.problems` (every problem, `file:line: message`) when the input is
 * refused, 'FORBIDDEN' when the actor may not administer the school.
 *
 * @example
 * await importSchoolData(deps, SYSTEM_ACTOR, { urn: '100001', calendar: { name: 'calendar.json', text } });
 */
export async function importSchoolData(deps: ImportDeps, actor: Actor, given: ImportInput): Promise<ImportReport> {
  const startedAt = deps.clock.now();
  const problems: ImportProblem[] = [];
  checkOptions(given, problems);
  const parsed = parseFiles(given, problems);
  // A CTF stands in for the pupils, marks and contacts files: problems and changes name it.
  const asFile = given.ctf ? { name: given.ctf.name, text: '' } : undefined;
  const input: ImportInput = given.ctf
    ? { ...given, pupils: asFile, marks: parsed.ctf ? asFile : undefined, contacts: asFile }
    : given;
  let plan: Plan | undefined;
  try {
    await deps.db.transaction().execute(async (trx) => {
      plan = await makePlan(trx, actor, input, parsed, problems);
      if (problems.length > 0) refuse(input, problems);
      if (input.dryRun === true) throw new NothingWritten();
      await applyPlan(trx, deps.dialect ?? 'values', actor, input, plan, deps.clock.now());
    });
  } catch (e) {
    if (!(e instanceof NothingWritten)) throw e;
  }
  if (!plan) throw new Error('import plan missing');
  if (plan.calendarChanged && input.dryRun !== true) forgetCalendar(plan.school.id);
  const files: Partial<Record<ImportFileKind, string>> = {};
  for (const kind of FILE_ORDER) {
    const f = input[kind];
    if (f) files[kind] = f.name;
  }
  return {
    dryRun: input.dryRun === true,
    school: { id: plan.school.id, urn: plan.school.urn, name: plan.school.name },
    files,
    counts: plan.counts,
    pupilsUpdated: plan.pupilsUpdated,
    changes: plan.changes,
    mis: misOf(parsed),
    warnings: sortProblems(input, plan.warnings),
    ...(parsed.marks?.layout === 'grid' ? { marksLayout: 'grid' as const } : {}),
    ...(plan.schoolCodes.length > 0 ? { schoolCodes: plan.schoolCodes } : {}),
    ...(plan.ctf ? { ctf: plan.ctf.report } : {}),
    startedAt,
    durationMs: Math.max(0, Date.parse(deps.clock.now()) - Date.parse(startedAt)),
  };
}

// ---------------------------------------------------------------------------------------------
// The plan: every check that needs the database, and every change worked out in memory
// ---------------------------------------------------------------------------------------------

interface Plan {
  school: {
    id: string;
    urn: string;
    name: string;
    create: boolean;
    update: { name: string; phase: string; la_code: string; la_name: string; estab: string | null } | null;
  };
  ctf: CtfPlan | null;
  calendarChanged: boolean;
  calendar: CalendarChange | null;
  groups: { created: GroupRow[]; updated: GroupRow[] };
  pupils: { created: PupilRecord[]; updated: PupilRecord[] };
  members: { added: Pair[]; removed: Pair[] };
  staff: { added: { group_id: string; user_id: string }[]; removed: { group_id: string; user_id: string }[] };
  contacts: {
    created: ContactRecord[];
    updated: ContactRecord[];
    removed: string[];
    /** Contacts whose restriction the file sets or clears (each audited as on the pupil page). */
    restrictions: RestrictionChange[];
  };
  marks: { created: MarkChange[]; updated: MarkChange[] };
  counts: Record<keyof ReturnType<typeof emptyCounts>, EntityCounts>;
  pupilsUpdated: { upn: string; fields: string[] }[];
  changes: FileChanges;
  warnings: ImportProblem[];
  /** The school's own codes the marks used, and how many marks each. */
  schoolCodes: { schoolCode: string; code: string; marks: number }[];
  admissions: AdmissionsPlan;
}

async function makePlan(
  db: DbOrTrx,
  actor: Actor,
  input: ImportInput,
  parsed: Parsed,
  problems: ImportProblem[],
): Promise<Plan> {
  const counts = emptyCounts();
  const warnings: ImportProblem[] = [];
  const opts = input.school ?? {};

  // The school ------------------------------------------------------------------------------
  const urn = input.urn.trim();
  const existingSchool = urn === '' ? undefined : await findSchoolByUrn(db, urn);
  let school: Plan['school'];
  if (existingSchool) {
    authorise(actor, 'school.administer', {
      kind: 'school',
      schoolId: existingSchool.id,
      trustId: existingSchool.trustId,
      laCode: existingSchool.laCode,
    });
    const next = {
      name: opts.name?.trim() ?? existingSchool.name,
      phase: opts.phase ?? existingSchool.phase,
      la_code: opts.laCode ?? existingSchool.laCode,
      la_name: opts.laName?.trim() ?? existingSchool.laName,
      estab: opts.estab ?? existingSchool.estab,
    };
    const same =
      next.name === existingSchool.name &&
      next.phase === existingSchool.phase &&
      next.la_code === existingSchool.laCode &&
      next.la_name === existingSchool.laName &&
      next.estab === existingSchool.estab;
    school = { id: existingSchool.id, urn, name: next.name, create: false, update: same ? null : next };
    counts.school[same ? 'unchanged' : 'updated']++;
  } else {
    const missing = [
      ['--school-name', opts.name],
      ['--phase', opts.phase],
      ['--la-code', opts.laCode],
    ].filter(([, v]) => v === undefined);
    if (urn !== '' && missing.length > 0) {
      problems.push({
        file: null,
        line: 0,
        message: `no school has URN ${urn}: to create it, give --school-name, --phase and --la-code (missing ${missing.map(([k]) => k).join(', ')})`,
      });
    } else if (urn !== '' && !/^\d{6}$/.test(urn)) {
      problems.push({
        file: null,
        line: 0,
        message: `--school "${urn}" is not a URN: a new school's URN is 6 digits (see Get Information about Schools)`,
      });
    }
    const id = newId();
    authorise(actor, 'school.administer', { kind: 'school', schoolId: id, trustId: null, laCode: opts.laCode ?? '' });
    school = { id, urn, name: opts.name?.trim() ?? '', create: true, update: null };
    counts.school.created++;
  }
  const schoolId = school.id;

  // What is stored ----------------------------------------------------------------------------
  const exists = existingSchool !== undefined;
  const [terms, closures, storedPupils, storedGroups, storedMembers, storedStaff, storedContacts] = exists
    ? [
        await loadTerms(db, schoolId),
        await loadClosures(db, schoolId),
        await loadPupils(db, schoolId),
        await loadGroups(db, schoolId),
        await loadMembers(db, schoolId),
        await loadGroupStaff(db, schoolId),
        await loadContacts(db, schoolId),
      ]
    : [[], [], [], [], [], [], []];
  const pupilByUpn = new Map(storedPupils.map((p) => [p.upn, p]));

  // A CTF: its rows, now that the school (its LA and establishment number) is known -------------
  let ctfParts: CtfTables | undefined;
  if (parsed.ctf) {
    const own = {
      la: opts.laCode ?? existingSchool?.laCode ?? '',
      estab: opts.estab ?? existingSchool?.estab ?? null,
    };
    ctfParts = ctfTables(parsed.ctf, own);
    parsed.pupils = fillFromStored(ctfParts.pupils, pupilByUpn);
    parsed.contacts = ctfParts.contacts;
    parsed.marks = ctfParts.marks.rows.length > 0 ? ctfParts.marks : undefined;
  }

  // The calendar ------------------------------------------------------------------------------
  const storedCalendar = terms.length > 0 ? calendarOf(terms, closures) : EMPTY_CALENDAR;
  const cal = parsed.calendar?.calendar ?? storedCalendar ?? EMPTY_CALENDAR;
  let calendarChanged = false;
  let calendarWrite: Plan['calendar'] = null;
  if (parsed.calendar && input.calendar) {
    const diff = diffCalendar(parsed.calendar, terms, closures, counts);
    calendarChanged = diff.changed;
    calendarWrite = diff.changed ? diff.write : null;
    if (diff.changed && exists) await checkOrphanedMarks(db, schoolId, parsed.calendar, input.calendar.name, problems);
  }

  // Pupils and marks, through buildRoll as `rollcall analyse` checks them ---------------------
  const pupilsTable = parsed.pupils;
  const fileUpns = new Set<string>();
  if (pupilsTable) {
    for (const r of pupilsTable.rows) {
      const c = validateUpn(r.values['upn'] ?? '');
      if (c.valid) fileUpns.add(c.upn);
    }
  }
  const known = (upn: string): boolean => fileUpns.has(upn) || pupilByUpn.has(upn);
  const noCalendar = cal.sessionCount === 0;

  let fileMarks: FileMark[] = [];
  const schoolCodesUsed = new Map<string, { code: string; marks: number }>();
  let roll: ReturnType<typeof buildRoll> | undefined;
  let extras = new Map<string, PupilExtras>();
  // Marks are checked against the calendar in the file, else the stored one. When the file's
  // calendar is broken its problems are enough: checking marks against another would mislead.
  const calendarBroken = input.calendar !== undefined && parsed.calendar === undefined;
  let marksTable = calendarBroken ? undefined : parsed.marks;
  if (calendarBroken && parsed.marks && input.marks) {
    problems.push({
      file: input.marks.name,
      line: 0,
      message: `the marks are checked once ${input.calendar?.name ?? 'the calendar'} is corrected`,
    });
  }
  if (marksTable && input.marks && noCalendar) {
    problems.push({
      file: input.marks.name,
      line: 0,
      message: 'the school has no calendar yet, so marks cannot be checked: import its calendar with --calendar',
    });
    marksTable = undefined;
  }
  if (pupilsTable || marksTable) {
    const rows: PupilRow[] = [];
    if (pupilsTable) {
      for (const row of pupilRowsOf(pupilsTable)) {
        // A blank or absent admission date keeps a stored pupil's date: check marks against it.
        const stored = pupilByUpn.get(validateUpn(row.values['upn'] ?? '').upn);
        if (stored && (row.values['admission_date'] ?? '').trim() === '') {
          rows.push({ line: row.line, values: { ...row.values, admission_date: stored.admission_date } });
        } else rows.push(row);
      }
    }
    // Pupils on the roll but not in the file: their marks are checked against their stored dates.
    for (const p of storedPupils) {
      if (fileUpns.has(p.upn) || !validateUpn(p.upn).valid) continue;
      rows.push({
        line: 0,
        values: { upn: p.upn, admission_date: p.admission_date, leaving_date: p.leaving_date ?? '' },
      });
    }
    let markRows = marksTable ? markRowsOf(marksTable) : [];
    if (marksTable && !parsed.ctf && exists) {
      // The school's own codes (school-codes.ts) become the national codes they stand for.
      const own = await schoolCodeMap(db, schoolId);
      if (own.size > 0) markRows = applySchoolCodes(markRows, own, schoolCodesUsed);
    }
    if (marksTable && input.marks) {
      // A mark for a pupil who is neither in the file nor on the roll is reported here, and the
      // UPN given a placeholder so that buildRoll checks the rest of the row.
      const placeheld = new Set<string>();
      for (const m of markRows) {
        const c = validateUpn(m.upn);
        if (!c.valid || known(c.upn)) continue;
        problems.push({
          file: input.marks.name,
          line: m.line,
          message: pupilsTable
            ? `UPN ${c.upn} is not in the pupils file and not a pupil of the school`
            : `UPN ${c.upn} is not a pupil of the school: import the pupil with --pupils first`,
        });
        if (!placeheld.has(c.upn)) {
          placeheld.add(c.upn);
          rows.push({ line: 0, values: { upn: c.upn } });
        }
      }
    }
    roll = buildRoll(cal, markRows, rows);
    for (const issue of roll.issues) {
      const file = issue.file === 'marks' ? input.marks?.name : input.pupils?.name;
      if (file === undefined || issue.line === 0) continue;
      const unknownCode = issue.file === 'marks' && !parsed.ctf && issue.message.startsWith('unknown attendance code');
      problems.push({
        file,
        line: issue.line,
        message: unknownCode ? unknownCodeHint(issue.message, urn) : issue.message,
      });
    }
    if (marksTable) fileMarks = normaliseMarks(markRows, marksTable.has('minutes_late'));
  }
  if (pupilsTable && input.pupils) {
    extras = readPupilExtras(input.pupils.name, pupilsTable, problems);
  }
  const infoByUpn = new Map<string, PupilInfo>();
  if (roll)
    for (const entry of roll.pupils) if (fileUpns.has(entry.info.upn)) infoByUpn.set(entry.info.upn, entry.info);

  // Contacts and groups -------------------------------------------------------------------------
  const contactRows =
    parsed.contacts && input.contacts ? readContacts(input.contacts.name, parsed.contacts, known, problems) : [];
  const groupSpecs =
    parsed.groups && input.groups
      ? readGroups(input.groups.name, parsed.groups, known, problems)
      : new Map<string, GroupSpec>();

  // Registration groups: pupils.csv's reg_group and groups.csv must agree -----------------------
  const desiredReg = new Map<string, string | null>(); // UPN → registration group name
  const regFromPupils = new Map<string, { name: string | null; line: number }>();
  if (pupilsTable?.has('reg_group')) {
    for (const row of pupilsTable.rows) {
      const c = validateUpn(row.values['upn'] ?? '');
      if (!c.valid || regFromPupils.has(c.upn)) continue;
      const name = groupName(row.values['reg_group'] ?? '');
      regFromPupils.set(c.upn, { name: name === '' ? null : name, line: row.line });
      desiredReg.set(c.upn, name === '' ? null : name);
    }
  }
  const groupByKey = new Map(
    storedGroups.map((g) => [groupKey(g.kind === 'teaching' ? 'teaching' : 'registration', g.name), g]),
  );
  const groupById = new Map(storedGroups.map((g) => [g.id, g]));
  const pupilById = new Map(storedPupils.map((p) => [p.id, p]));
  const membersOf = new Map<string, Set<string>>(); // group id → pupil ids
  for (const m of storedMembers) {
    const set = membersOf.get(m.group_id) ?? new Set<string>();
    set.add(m.pupil_id);
    membersOf.set(m.group_id, set);
  }
  for (const spec of groupSpecs.values()) {
    if (spec.kind !== 'registration') continue;
    for (const [upn, line] of spec.members) {
      const said = regFromPupils.get(upn);
      if (said && said.name !== null && said.name !== spec.name && input.pupils) {
        problems.push({
          file: input.groups?.name ?? null,
          line,
          message: `${upn} is in registration group "${spec.name}" here but in "${said.name}" in ${input.pupils.name} (line ${said.line})`,
        });
      }
      desiredReg.set(upn, spec.name);
    }
    for (const [upn, said] of regFromPupils) {
      if (said.name === spec.name && !spec.members.has(upn) && input.pupils && input.groups) {
        problems.push({
          file: input.pupils.name,
          line: said.line,
          message: `reg_group "${spec.name}" but ${input.groups.name} does not list ${upn} in registration group "${spec.name}"`,
        });
      }
    }
    // Stored members the file leaves out leave the group (unless the import puts them elsewhere).
    const stored = groupByKey.get(groupKey('registration', spec.name));
    if (stored) {
      for (const pupilId of membersOf.get(stored.id) ?? []) {
        const p = pupilById.get(pupilId);
        if (p && !desiredReg.has(p.upn)) desiredReg.set(p.upn, null);
      }
      for (const p of storedPupils)
        if (p.reg_group_id === stored.id && !desiredReg.has(p.upn)) desiredReg.set(p.upn, null);
    }
  }

  // Groups to create or update --------------------------------------------------------------
  const groupsCreated: GroupRow[] = [];
  const groupsUpdated: GroupRow[] = [];
  const groupIdFor = (kind: GroupKind, name: string): string => {
    const key = groupKey(kind, name);
    let g = groupByKey.get(key);
    if (!g) {
      g = { id: newId(), kind, name, year_group: null, subject: null };
      groupByKey.set(key, g);
      groupsCreated.push(g);
    }
    return g.id;
  };
  for (const spec of groupSpecs.values()) {
    const key = groupKey(spec.kind, spec.name);
    const stored = groupByKey.get(key);
    const yearGroup = (g: GroupRow) => (spec.yearGroup === undefined ? g.year_group : spec.yearGroup);
    const subject = (g: GroupRow) => (spec.subject === undefined ? g.subject : spec.subject);
    if (!stored) {
      groupIdFor(spec.kind, spec.name);
      const g = groupByKey.get(key)!;
      g.year_group = yearGroup(g);
      g.subject = subject(g);
    } else if (yearGroup(stored) !== stored.year_group || subject(stored) !== stored.subject) {
      groupsUpdated.push({ ...stored, year_group: yearGroup(stored), subject: subject(stored) });
    } else counts.groups.unchanged++;
  }
  for (const name of new Set(desiredReg.values())) {
    if (name === null) continue;
    const key = groupKey('registration', name);
    if (!groupByKey.has(key)) groupIdFor('registration', name);
    else if (!groupSpecs.has(key)) counts.groups.unchanged++;
  }

  // Pupils --------------------------------------------------------------------------------------
  const pupilsCreated: PupilRecord[] = [];
  const pupilsUpdatedRows: PupilRecord[] = [];
  const pupilsUpdated: { upn: string; fields: string[] }[] = [];
  const idByUpn = new Map(storedPupils.map((p) => [p.upn, p.id]));
  const regGroupIdOf = (upn: string): string | null | undefined => {
    if (!desiredReg.has(upn)) return undefined;
    const name = desiredReg.get(upn);
    return name === null || name === undefined ? null : groupIdFor('registration', name);
  };
  const firstDay = cal.sessionCount > 0 ? cal.sessionDate[0]! : undefined;
  const touched = new Set<string>();
  const pupilsLeft: PupilRecord[] = [];
  if (pupilsTable && input.pupils) {
    for (const upn of fileUpns) {
      const info = infoByUpn.get(upn);
      const extra = extras.get(upn);
      if (!info || !extra) continue;
      const stored = pupilByUpn.get(upn);
      if (!stored && info.admissionDate === undefined && firstDay === undefined) {
        if (calendarBroken) continue;
        problems.push({
          file: input.pupils.name,
          line: extra.line,
          message:
            "admission_date is empty and the school has no calendar to start the pupil's time on roll from: give the date",
        });
        continue;
      }
      const next = desiredPupil(stored, schoolId, upn, info, extra, pupilsTable, regGroupIdOf(upn), firstDay);
      touched.add(upn);
      if (!stored) {
        pupilsCreated.push(next);
        idByUpn.set(upn, next.id);
      } else {
        const fields = changedFields(stored, next);
        if (stored.leaving_date === null && next.leaving_date !== null) pupilsLeft.push(next);
        if (fields.length > 0) {
          pupilsUpdatedRows.push(next);
          pupilsUpdated.push({ upn, fields });
        } else counts.pupils.unchanged++;
      }
    }
  }
  // Pupils moved between registration groups by groups.csv alone.
  for (const [upn] of desiredReg) {
    if (touched.has(upn)) continue;
    const stored = pupilByUpn.get(upn);
    if (!stored) continue;
    const regId = regGroupIdOf(upn);
    if (regId === undefined || regId === stored.reg_group_id) continue;
    pupilsUpdatedRows.push({ ...stored, reg_group_id: regId });
    pupilsUpdated.push({ upn, fields: ['reg_group'] });
  }
  counts.pupils.created = pupilsCreated.length;
  counts.pupils.updated = pupilsUpdatedRows.length;
  if (pupilsTable && input.pupils && exists)
    await checkStoredMarksOnRoll(db, schoolId, pupilsUpdatedRows, extras, input.pupils.name, problems);

  // Group members -------------------------------------------------------------------------------
  const members = diffMembers(
    groupSpecs,
    desiredReg,
    groupByKey,
    groupById,
    membersOf,
    idByUpn,
    groupIdFor,
    counts.groupMembers,
  );

  // Group staff ---------------------------------------------------------------------------------
  const staff = await diffStaff(
    db,
    schoolId,
    groupSpecs,
    groupByKey,
    storedStaff,
    input.groups?.name ?? null,
    warnings,
    counts.groupStaff,
  );

  // Contacts ------------------------------------------------------------------------------------
  const contacts = diffContacts(contactRows, storedContacts, idByUpn, counts.contacts);
  if (contacts.removed.length > 0 && input.contacts) {
    const linked = await linkedContacts(db, contacts.removed);
    for (const c of storedContacts) {
      if (!linked.has(c.id)) continue;
      const upn = pupilById.get(c.pupil_id)?.upn ?? '';
      warnings.push({
        file: input.contacts.name,
        line: 0,
        message: `contact "${c.name}" of ${upn} is not in the file and is removed; the parent account linked through it stays linked to the pupil: review it`,
      });
    }
  }

  // Marks ---------------------------------------------------------------------------------------
  const marks = { created: [] as MarkChange[], updated: [] as MarkChange[] };
  if (fileMarks.length > 0 && problems.length === 0) {
    let from = fileMarks[0]!.date;
    let to = from;
    for (const m of fileMarks) {
      if (m.date < from) from = m.date;
      if (m.date > to) to = m.date;
    }
    const stored: StoredMarks = exists
      ? await loadMarks(db, schoolId, from, to)
      : new Map<string, Map<string, StoredMark>>();
    let upn = '';
    let pupilId: string | undefined;
    let pupilMarks: Map<string, StoredMark> | undefined;
    for (const m of fileMarks) {
      if (m.upn !== upn) {
        // Marks files come pupil by pupil: look the pupil up once per run of rows.
        upn = m.upn;
        pupilId = idByUpn.get(m.upn);
        pupilMarks = pupilId === undefined ? undefined : stored.get(pupilId);
      }
      if (pupilId === undefined) continue;
      const previous = pupilMarks?.get(`${m.date} ${m.session}`);
      const minutesLate = m.minutesLate === undefined ? (previous?.minutesLate ?? null) : m.minutesLate;
      const change: MarkChange = { pupilId, date: m.date, session: m.session, code: m.code, minutesLate, previous };
      if (!previous) marks.created.push(change);
      else if (previous.code !== m.code || previous.minutesLate !== minutesLate) marks.updated.push(change);
      else counts.marks.unchanged++;
    }
  }
  counts.marks.created = marks.created.length;
  counts.marks.updated = marks.updated.length;

  // The CTF's attendance and school history ---------------------------------------------------
  const ctf =
    parsed.ctf && ctfParts && input.ctf
      ? await planCtfHistory(db, schoolId, exists, parsed.ctf, ctfParts, idByUpn, input.ctf.name, warnings)
      : null;
  counts.groups.created = groupsCreated.length;
  counts.groups.updated = groupsUpdated.length;

  // The admission register: an entry for every pupil without one, and the items it needs -------
  const admissions = await planAdmissions(db, exists, schoolId, {
    pupilsCreated,
    storedPupils,
    pupilsUpdatedRows,
    extras,
    pupilsTable,
    idByUpn,
    ctf: parsed.ctf && ctfParts ? { doc: parsed.ctf, own: ctfParts.ownSchool } : null,
    counts: counts.admissions,
  });

  // What changed, file by file, with names -------------------------------------------------------
  const pupilName = (p: PupilRecord) => `${p.legal_forename} ${p.legal_surname} (${p.upn})`;
  const upnOf = (pupilId: string) => pupilById.get(pupilId)?.upn ?? pupilsCreated.find((p) => p.id === pupilId)?.upn;
  const contactName = (c: ContactRecord) => `${c.name} (${c.relationship}, ${upnOf(c.pupil_id) ?? c.pupil_id})`;
  const removedContacts = new Set(contacts.removed);
  const changes: FileChanges = {};
  if (input.calendar) {
    changes.calendar = {
      added: counts.terms.created + counts.closures.created,
      updated: counts.terms.updated + counts.closures.updated,
      unchanged: counts.terms.unchanged + counts.closures.unchanged,
      left: counts.terms.removed + counts.closures.removed,
    };
  }
  if (input.pupils) {
    changes.pupils = {
      added: pupilsCreated.length,
      updated: pupilsUpdatedRows.length,
      unchanged: counts.pupils.unchanged,
      left: pupilsLeft.length,
      names: {
        added: pupilsCreated.map(pupilName),
        updated: pupilsUpdatedRows.map(pupilName),
        left: pupilsLeft.map(pupilName),
      },
    };
  }
  if (input.marks) {
    changes.marks = {
      added: marks.created.length,
      updated: marks.updated.length,
      unchanged: counts.marks.unchanged,
      left: 0,
    };
  }
  if (input.contacts) {
    changes.contacts = {
      added: contacts.created.length,
      updated: contacts.updated.length,
      unchanged: counts.contacts.unchanged,
      left: contacts.removed.length,
      names: {
        added: contacts.created.map(contactName),
        updated: contacts.updated.map(contactName),
        left: storedContacts.filter((c) => removedContacts.has(c.id)).map(contactName),
      },
    };
  }
  if (input.groups) {
    const groupName = (g: GroupRow) => `${g.name} (${g.kind})`;
    changes.groups = {
      added: groupsCreated.length,
      updated: groupsUpdated.length,
      unchanged: counts.groups.unchanged,
      left: members.removed.length,
      names: {
        added: groupsCreated.map(groupName),
        updated: groupsUpdated.map(groupName),
        left: members.removed.map((m) => {
          const g = groupById.get(m.group_id);
          return `${upnOf(m.pupil_id) ?? m.pupil_id} left ${g ? groupName(g) : m.group_id}`;
        }),
      },
    };
  }

  return {
    school,
    ctf,
    calendarChanged,
    calendar: calendarWrite,
    groups: { created: groupsCreated, updated: groupsUpdated },
    pupils: { created: pupilsCreated, updated: pupilsUpdatedRows },
    members,
    staff,
    contacts,
    marks,
    counts,
    pupilsUpdated,
    changes,
    warnings,
    schoolCodes: [...schoolCodesUsed].map(([schoolCode, u]) => ({ schoolCode, code: u.code, marks: u.marks })),
    admissions,
  };
}

interface AdmissionsPlan {
  /** Pupils to enter in the admission register (an `admission` entry): id and starting day. */
  entries: { pupilId: string; date: string }[];
  details: AdmissionDetailsRow[];
  /** The pupils the import touched, whose register items are checked once written. */
  touched: Set<string>;
}

/**
 * The admission register of an imported school (issue 15, item 5): every pupil without an
 * `admission` entry gets one (dated their starting day), and the items the pupils table does not
 * hold come from the file: `last_school`, `last_school_address`, `boarder` columns, or a CTF's
 * school history (the latest school before this one, else the CTF's source school).
 */
async function planAdmissions(
  db: DbOrTrx,
  exists: boolean,
  schoolId: string,
  x: {
    pupilsCreated: readonly PupilRecord[];
    storedPupils: readonly PupilRecord[];
    pupilsUpdatedRows: readonly PupilRecord[];
    extras: ReadonlyMap<string, PupilExtras>;
    pupilsTable: Table | undefined;
    idByUpn: ReadonlyMap<string, string>;
    ctf: { doc: CtfDocument; own: { la: string; estab: string | null } } | null;
    counts: EntityCounts;
  },
): Promise<AdmissionsPlan> {
  const withEntry = exists ? await pupilsWithAdmissionEntry(db, schoolId) : new Set<string>();
  const stored = exists ? await loadAdmissionDetails(db, schoolId) : new Map<string, AdmissionDetailsRow>();
  const updatedById = new Map(x.pupilsUpdatedRows.map((p) => [p.id, p]));
  const entries: AdmissionsPlan['entries'] = [];
  for (const p of [...x.storedPupils, ...x.pupilsCreated]) {
    if (withEntry.has(p.id)) continue;
    entries.push({ pupilId: p.id, date: (updatedById.get(p.id) ?? p).admission_date });
  }
  const wanted = new Map<string, { last: PupilExtras['lastSchool']; boarder: boolean | null }>();
  const has = (c: string) => x.pupilsTable?.has(c) === true;
  if (x.ctf) {
    for (const pupil of x.ctf.doc.pupils) {
      const others = pupil.schoolHistory.filter((h) => !isOwnSchool(h, x.ctf!.own));
      const latest = [...others].sort((a, b) =>
        (a.leavingDate ?? a.entryDate ?? '').localeCompare(b.leavingDate ?? b.entryDate ?? ''),
      )[others.length - 1];
      const src = x.ctf.doc.header.source;
      const last = latest
        ? { name: latest.name ?? `LA ${latest.la}, establishment ${latest.estab}`, address: null }
        : !isOwnSchool(src, x.ctf.own) && /^\d{3}$/.test(src.la) && /^\d{4}$/.test(src.estab)
          ? { name: src.name ?? `LA ${src.la}, establishment ${src.estab}`, address: null }
          : null;
      if (last) wanted.set(pupil.upn, { last, boarder: null });
    }
  } else if (has('last_school') || has('boarder')) {
    for (const [upn, e] of x.extras) wanted.set(upn, { last: e.lastSchool, boarder: e.boarder });
  }
  const details: AdmissionDetailsRow[] = [];
  const touched = new Set<string>();
  for (const [upn, w] of wanted) {
    const id = x.idByUpn.get(upn);
    if (id === undefined) continue;
    touched.add(id);
    const before = stored.get(id);
    const next: AdmissionDetailsRow = {
      pupil_id: id,
      has_last_school: w.last === null ? (before?.has_last_school ?? null) : w.last === 'none' ? 0 : 1,
      last_school_name: w.last === null ? (before?.last_school_name ?? null) : w.last === 'none' ? null : w.last.name,
      last_school_address:
        w.last === null ? (before?.last_school_address ?? null) : w.last === 'none' ? null : w.last.address,
      boarder: w.boarder === null ? (before?.boarder ?? null) : w.boarder ? 1 : 0,
      updated_at: '',
    };
    const same =
      before !== undefined &&
      before.has_last_school === next.has_last_school &&
      before.last_school_name === next.last_school_name &&
      before.last_school_address === next.last_school_address &&
      before.boarder === next.boarder;
    if (same || (before === undefined && next.has_last_school === null && next.boarder === null)) continue;
    details.push(next);
  }
  for (const p of [...x.pupilsCreated, ...x.pupilsUpdatedRows]) touched.add(p.id);
  const newEntries = new Set(entries.map((e) => e.pupilId));
  x.counts.created = entries.length;
  x.counts.updated = details.filter((d) => !newEntries.has(d.pupil_id)).length;
  const detailsChanged = new Set(details.map((d) => d.pupil_id));
  x.counts.unchanged = x.storedPupils.filter((p) => withEntry.has(p.id) && !detailsChanged.has(p.id)).length;
  return { entries, details, touched };
}

/** The domain's message for an unknown code, with where the school's own codes are kept. */
function unknownCodeHint(message: string, urn: string): string {
  return `${message}; if it is one of the school's own codes, say which national code it stands for (rollcall codes set --school ${urn} --code <its code> --as <national code>, or the School codes page) and import again`;
}

/** Marks with the school's own codes replaced by the national codes they stand for; `used` counts them. */
export function applySchoolCodes(
  rows: readonly MarkRow[],
  own: ReadonlyMap<string, string>,
  used: Map<string, { code: string; marks: number }>,
): MarkRow[] {
  return rows.map((r) => {
    const c = r.code.trim().toUpperCase();
    if (isKnownCode(c)) return r;
    const code = own.get(c);
    if (code === undefined) return r;
    const u = used.get(c);
    if (u) u.marks++;
    else used.set(c, { code, marks: 1 });
    return { ...r, code };
  });
}

function normaliseMarks(rows: ReturnType<typeof markRowsOf>, hasMinutes: boolean): FileMark[] {
  return rows.map((r) => {
    const minutes = (r.minutesLate ?? '').trim();
    return {
      upn: validateUpn(r.upn).upn,
      date: r.date.trim(),
      session: r.session.trim().toUpperCase(),
      code: r.code.trim().toUpperCase(),
      minutesLate: hasMinutes ? (minutes === '' ? null : Number(minutes)) : undefined,
    };
  });
}

/** The pupil as the file says, over what is stored: columns absent from the file keep their value. */
function desiredPupil(
  stored: PupilRecord | undefined,
  schoolId: string,
  upn: string,
  info: PupilInfo,
  extra: PupilExtras,
  table: Table,
  regGroupId: string | null | undefined,
  firstDay: string | undefined,
): PupilRecord {
  const p: PupilRecord = stored
    ? { ...stored }
    : {
        id: newId(),
        school_id: schoolId,
        upn,
        legal_surname: '',
        legal_forename: '',
        preferred_surname: null,
        preferred_forename: null,
        date_of_birth: null,
        gender: null,
        year_group: null,
        reg_group_id: null,
        admission_date: info.admissionDate ?? firstDay ?? '',
        leaving_date: null,
        sen_status: 'N',
        ehcp: 0,
        fsm: 0,
        pupil_premium: 0,
        eal: 0,
        cin: 0,
        cp: 0,
        lac: 0,
        previously_lac: 0,
        young_carer: 0,
        social_worker: null,
        ethnicity: null,
        address: null,
        postcode: null,
      };
  const has = (c: string) => table.has(c);
  p.legal_surname = info.surname ?? p.legal_surname;
  p.legal_forename = info.forename ?? p.legal_forename;
  if (has('preferred_surname')) p.preferred_surname = extra.preferredSurname;
  if (has('preferred_forename')) p.preferred_forename = extra.preferredForename;
  if (has('date_of_birth')) p.date_of_birth = info.dateOfBirth ?? null;
  if (has('gender')) p.gender = info.gender ?? null;
  if (has('year_group')) p.year_group = info.yearGroup ?? null;
  if (regGroupId !== undefined) p.reg_group_id = regGroupId;
  if (has('admission_date') && info.admissionDate !== undefined) p.admission_date = info.admissionDate;
  if (has('leaving_date')) p.leaving_date = info.leavingDate ?? null;
  if (has('sen')) p.sen_status = info.sen ?? 'N';
  if (has('ehcp')) p.ehcp = extra.ehcp ? 1 : 0;
  for (const [column, key] of PUPIL_FLAGS) if (has(column)) p[column] = info[key] === true ? 1 : 0;
  if (has('previously_lac')) p.previously_lac = extra.previouslyLac ? 1 : 0;
  if (has('social_worker')) p.social_worker = extra.socialWorker;
  if (has('ethnicity')) p.ethnicity = info.ethnicity ?? null;
  if (has('address')) p.address = extra.address;
  if (has('postcode')) p.postcode = extra.postcode;
  return p;
}

function changedFields(before: PupilRecord, after: PupilRecord): string[] {
  return PUPIL_FIELDS.filter(([, column]) => before[column] !== after[column]).map(([name]) => name);
}

function diffCalendar(
  file: CalendarFile,
  terms: readonly TermRow[],
  closures: readonly ClosureRow[],
  counts: ReturnType<typeof emptyCounts>,
): { changed: boolean; write: CalendarChange } {
  const write: CalendarChange = {
    removeTerms: [],
    addTerms: [],
    updateTerms: [],
    removeClosures: [],
    addClosures: [],
    updateClosures: [],
  };
  // Terms are matched by their dates, closures by date and session; a new name or reason is an update.
  const termsByDates = new Map(terms.map((t) => [`${t.start_date} ${t.end_date}`, t]));
  const seenTerms = new Set<string>();
  for (const t of file.input.terms) {
    const stored = termsByDates.get(`${t.start} ${t.end}`);
    if (stored && !seenTerms.has(stored.id)) {
      seenTerms.add(stored.id);
      if (stored.name !== t.name) {
        write.updateTerms.push({ ...stored, name: t.name });
        counts.terms.updated++;
      } else counts.terms.unchanged++;
    } else {
      write.addTerms.push({ id: newId(), name: t.name, start_date: t.start, end_date: t.end });
      counts.terms.created++;
    }
  }
  for (const t of terms) {
    if (!seenTerms.has(t.id)) {
      write.removeTerms.push(t.id);
      counts.terms.removed++;
    }
  }
  const closuresByKey = new Map(closures.map((c) => [`${c.date} ${c.session}`, c]));
  const seenClosures = new Set<string>();
  for (const c of file.input.closures) {
    const stored = closuresByKey.get(`${c.date} ${c.session}`);
    if (stored && !seenClosures.has(stored.id)) {
      seenClosures.add(stored.id);
      if (stored.reason !== c.reason) {
        write.updateClosures.push({ ...stored, reason: c.reason });
        counts.closures.updated++;
      } else counts.closures.unchanged++;
    } else {
      write.addClosures.push({ id: newId(), date: c.date, session: c.session, reason: c.reason });
      counts.closures.created++;
    }
  }
  for (const c of closures) {
    if (!seenClosures.has(c.id)) {
      write.removeClosures.push(c.id);
      counts.closures.removed++;
    }
  }
  const changed = [counts.terms, counts.closures].some((c) => c.created + c.updated + c.removed > 0);
  return { changed, write };
}

/** Refuses a calendar that would leave stored marks outside its school sessions. */
async function checkOrphanedMarks(
  db: DbOrTrx,
  schoolId: string,
  file: CalendarFile,
  name: string,
  problems: ImportProblem[],
): Promise<void> {
  const orphans = new Map<string, number>(); // 'date session' → marks
  for (const s of await markSessionsOfSchool(db, schoolId)) {
    const date = s.date as PlainDate;
    const session = s.session as Session;
    const ok =
      sessionIndex(file.calendar, date, session) >= 0 ||
      (s.code === '#' && isClosedSession(file.calendar, date, session));
    if (!ok) orphans.set(`${s.date} ${s.session}`, (orphans.get(`${s.date} ${s.session}`) ?? 0) + s.marks);
  }
  const list = [...orphans].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const LIMIT = 20;
  for (const [session, marks] of list.slice(0, LIMIT)) {
    problems.push({
      file: name,
      line: file.line,
      message: `${session} is not a school session in this calendar, but ${marks} stored mark${marks === 1 ? ' is' : 's are'} on it: an import never deletes marks, so keep that session in the calendar`,
    });
  }
  if (list.length > LIMIT) {
    const more = list.slice(LIMIT).reduce((n, [, m]) => n + m, 0);
    problems.push({
      file: name,
      line: file.line,
      message: `… and ${list.length - LIMIT} more sessions with ${more} stored marks outside this calendar`,
    });
  }
}

/** Refuses admission and leaving dates that would leave a pupil's stored marks outside their time on roll. */
async function checkStoredMarksOnRoll(
  db: DbOrTrx,
  schoolId: string,
  updated: readonly PupilRecord[],
  extras: ReadonlyMap<string, PupilExtras>,
  file: string,
  problems: ImportProblem[],
): Promise<void> {
  if (updated.length === 0) return;
  const spans = await markSpans(db, schoolId);
  for (const p of updated) {
    const span = spans.get(p.id);
    const line = extras.get(p.upn)?.line;
    if (!span || line === undefined) continue;
    if (p.admission_date > span.first) {
      problems.push({
        file,
        line,
        message: `admission_date ${p.admission_date} is after ${p.upn}'s first stored mark (${span.first}): an import never deletes marks, so correct the date`,
      });
    }
    if (p.leaving_date !== null && p.leaving_date < span.last) {
      problems.push({
        file,
        line,
        message: `leaving_date ${p.leaving_date} is before ${p.upn}'s last stored mark (${span.last}): an import never deletes marks, so correct the date`,
      });
    }
  }
}

function diffMembers(
  specs: ReadonlyMap<string, GroupSpec>,
  desiredReg: ReadonlyMap<string, string | null>,
  groupByKey: ReadonlyMap<string, GroupRow>,
  groupById: ReadonlyMap<string, GroupRow>,
  membersOf: ReadonlyMap<string, ReadonlySet<string>>,
  idByUpn: ReadonlyMap<string, string>,
  groupIdFor: (kind: GroupKind, name: string) => string,
  counts: EntityCounts,
): Plan['members'] {
  const want = new Map<string, Pair>(); // pairs the import states
  const drop = new Map<string, Pair>(); // stored pairs the import ends
  const key = (p: Pair) => `${p.group_id} ${p.pupil_id}`;
  const isMember = (p: Pair) => membersOf.get(p.group_id)?.has(p.pupil_id) === true;
  for (const spec of specs.values()) {
    const groupId = groupIdFor(spec.kind, spec.name);
    const listed = new Set<string>();
    for (const upn of spec.members.keys()) {
      const pupilId = idByUpn.get(upn);
      if (pupilId === undefined) continue;
      listed.add(pupilId);
      want.set(key({ group_id: groupId, pupil_id: pupilId }), { group_id: groupId, pupil_id: pupilId });
    }
    for (const pupilId of membersOf.get(groupId) ?? []) {
      if (!listed.has(pupilId))
        drop.set(key({ group_id: groupId, pupil_id: pupilId }), { group_id: groupId, pupil_id: pupilId });
    }
  }
  // A pupil's registration group: member of it, and of no other registration group.
  const registrationGroups = [...groupById.values()].filter((g) => g.kind === 'registration');
  for (const [upn, name] of desiredReg) {
    const pupilId = idByUpn.get(upn);
    if (pupilId === undefined) continue;
    const target =
      name === null ? null : (groupByKey.get(groupKey('registration', name))?.id ?? groupIdFor('registration', name));
    if (target !== null)
      want.set(key({ group_id: target, pupil_id: pupilId }), { group_id: target, pupil_id: pupilId });
    for (const g of registrationGroups) {
      const p = { group_id: g.id, pupil_id: pupilId };
      if (g.id !== target && isMember(p)) drop.set(key(p), p);
    }
  }
  const added: Pair[] = [];
  for (const p of want.values()) {
    if (isMember(p)) counts.unchanged++;
    else added.push(p);
  }
  const removed = [...drop.values()].filter((p) => !want.has(key(p)));
  counts.created = added.length;
  counts.removed = removed.length;
  return { added, removed };
}

async function diffStaff(
  db: DbOrTrx,
  schoolId: string,
  specs: ReadonlyMap<string, GroupSpec>,
  groupByKey: ReadonlyMap<string, GroupRow>,
  stored: readonly { group_id: string; user_id: string }[],
  file: string | null,
  warnings: ImportProblem[],
  counts: EntityCounts,
): Promise<Plan['staff']> {
  const emails = new Set<string>();
  for (const spec of specs.values()) for (const e of spec.staff?.keys() ?? []) emails.add(e);
  const users =
    emails.size > 0 ? await usersByEmail(db, [...emails]) : new Map<string, { id: string; schoolId: string | null }>();
  const staffOf = new Map<string, Set<string>>();
  for (const s of stored) {
    const set = staffOf.get(s.group_id) ?? new Set<string>();
    set.add(s.user_id);
    staffOf.set(s.group_id, set);
  }
  const added: { group_id: string; user_id: string }[] = [];
  const removed: { group_id: string; user_id: string }[] = [];
  for (const spec of specs.values()) {
    if (!spec.staff) continue;
    const group = groupByKey.get(groupKey(spec.kind, spec.name));
    if (!group) continue;
    const current = staffOf.get(group.id) ?? new Set<string>();
    const wanted = new Set<string>();
    for (const [email, line] of spec.staff) {
      const user = users.get(email);
      if (!user) {
        warnings.push({
          file,
          line,
          message: `staff_email ${email} has no Rollcall account, so is not linked to "${spec.name}": create the account and import again`,
        });
        continue;
      }
      if (user.schoolId !== null && user.schoolId !== schoolId) {
        warnings.push({
          file,
          line,
          message: `staff_email ${email} belongs to another school's account, so is not linked to "${spec.name}"`,
        });
        continue;
      }
      wanted.add(user.id);
    }
    for (const userId of wanted) {
      if (current.has(userId)) counts.unchanged++;
      else added.push({ group_id: group.id, user_id: userId });
    }
    for (const userId of current) if (!wanted.has(userId)) removed.push({ group_id: group.id, user_id: userId });
  }
  counts.created = added.length;
  counts.removed = removed.length;
  return { added, removed };
}

interface RestrictionChange {
  readonly contactId: string;
  readonly pupilId: string;
  readonly name: string;
  readonly restriction: string | null;
}

function diffContacts(
  rows: readonly ContactRow[],
  stored: readonly ContactRecord[],
  idByUpn: ReadonlyMap<string, string>,
  counts: EntityCounts,
): Plan['contacts'] {
  const storedByPupil = new Map<string, ContactRecord[]>();
  for (const c of stored) {
    const list = storedByPupil.get(c.pupil_id) ?? [];
    list.push(c);
    storedByPupil.set(c.pupil_id, list);
  }
  const created: ContactRecord[] = [];
  const updated: ContactRecord[] = [];
  const kept = new Set<string>();
  const pupils = new Set<string>();
  const restrictions: RestrictionChange[] = [];
  for (const r of rows) {
    const pupilId = idByUpn.get(r.upn);
    if (pupilId === undefined) continue;
    pupils.add(pupilId);
    const match = (storedByPupil.get(pupilId) ?? []).find(
      (c) => !kept.has(c.id) && contactKey(c.name) === contactKey(r.name),
    );
    const next: ContactRecord = {
      id: match?.id ?? newId(),
      pupil_id: pupilId,
      name: r.name,
      relationship: r.relationship,
      parental_responsibility: r.parentalResponsibility ? 1 : 0,
      lives_with_pupil: r.livesWithPupil === undefined ? (match?.lives_with_pupil ?? 0) : r.livesWithPupil ? 1 : 0,
      priority: r.priority,
      mobile_phone: r.mobilePhone,
      home_phone: r.homePhone,
      work_phone: r.workPhone,
      email: r.email,
      address: r.address === undefined ? (match?.address ?? null) : r.address,
      postcode: r.postcode === undefined ? (match?.postcode ?? null) : r.postcode,
      preferred_language: r.preferredLanguage === undefined ? (match?.preferred_language ?? null) : r.preferredLanguage,
      restriction: r.restriction === undefined ? (match?.restriction ?? null) : r.restriction,
    };
    if ((match?.restriction ?? null) !== next.restriction)
      restrictions.push({ contactId: next.id, pupilId, name: r.name, restriction: next.restriction });
    if (!match) {
      created.push(next);
      continue;
    }
    kept.add(match.id);
    const same = (Object.keys(next) as (keyof ContactRecord)[]).every((k) => next[k] === match[k]);
    if (same) counts.unchanged++;
    else updated.push(next);
  }
  // Contacts of the file's pupils that the file no longer lists are removed.
  const removed: string[] = [];
  for (const pupilId of pupils)
    for (const c of storedByPupil.get(pupilId) ?? []) if (!kept.has(c.id)) removed.push(c.id);
  counts.created = created.length;
  counts.updated = updated.length;
  counts.removed = removed.length;
  return { created, updated, removed, restrictions };
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/**
 * Enters the import's pupils in the admission register and writes their items; then warns, item
 * by item, of what the register still lacks for the pupils the import touched.
 */
async function writeAdmissions(db: DbOrTrx, actor: Actor, input: ImportInput, plan: Plan, at: string): Promise<void> {
  const a = plan.admissions;
  const source = input.ctf?.name ?? input.pupils?.name ?? input.marks?.name ?? 'the import';
  await insertAdmissionEntries(
    db,
    a.entries.map((e) => ({
      id: newId(),
      school_id: plan.school.id,
      pupil_id: e.pupilId,
      date: e.date,
      reason: `Entered from the import of ${basename(source)}`,
      details: JSON.stringify({ source: 'import', file: basename(source) }),
      recorded_by: actor.userId,
      recorded_by_name: actor === SYSTEM_ACTOR ? IMPORT_USER_NAME : actor.name,
      recorded_at: at,
    })),
  );
  await upsertAdmissionDetails(
    db,
    a.details.map((d) => ({ ...d, updated_at: at })),
  );
  if (a.touched.size === 0) return;
  const record = await registerOfRecord(db, plan.school.id, '0000-00-00', a.touched);
  const missing = new Map<RegisterItem, string[]>();
  for (const p of record.pupils) {
    for (const item of registerPupil(p, record.contacts.get(p.id) ?? [], record.details.get(p.id)).missing) {
      const list = missing.get(item) ?? [];
      list.push(p.upn);
      missing.set(item, list);
    }
  }
  const file = input.ctf?.name ?? input.pupils?.name ?? null;
  for (const [item, upns] of missing) {
    const shown = upns.slice(0, 5).join(', ');
    plan.warnings.push({
      file,
      line: 0,
      message: `the admission register lacks: ${REGISTER_ITEMS[item]}, for ${upns.length} ${upns.length === 1 ? 'pupil' : 'pupils'} (${shown}${upns.length > 5 ? ', …' : ''}); see the admission register page`,
    });
  }
}

async function applyPlan(
  db: DbOrTrx,
  mode: BulkMode,
  actor: Actor,
  input: ImportInput,
  plan: Plan,
  at: string,
): Promise<void> {
  const s = plan.school;
  const o = input.school ?? {};
  if (s.create) {
    await insertSchool(db, {
      id: s.id,
      urn: s.urn,
      name: s.name,
      phase: o.phase ?? '',
      la_code: o.laCode ?? '',
      la_name: o.laName?.trim() ?? '',
      estab: o.estab ?? null,
      policy_json: JSON.stringify(DEFAULT_POLICY),
    });
  } else if (s.update) {
    await updateSchool(db, s.id, s.update);
  }
  if (plan.calendar) await writeCalendar(db, s.id, plan.calendar);
  await writeGroups(db, s.id, plan.groups.created, plan.groups.updated);
  await writePupils(db, plan.pupils.created, plan.pupils.updated);
  await writeMembers(db, plan.members.added, plan.members.removed);
  await writeStaff(db, plan.staff.added, plan.staff.removed);
  await writeContacts(db, plan.contacts.created, plan.contacts.updated, plan.contacts.removed);
  for (const c of plan.contacts.restrictions)
    await audit(db, actor, at, {
      action: 'contact.restriction',
      entityType: 'contact',
      entityId: c.contactId,
      pupilId: c.pupilId,
      schoolId: s.id,
      details: { restriction: c.restriction, source: 'import' },
    });
  const system = actor === SYSTEM_ACTOR;
  // History ids: one fresh id for the import and a sequence, so the history's primary key is
  // appended in order rather than at random places (a random id per row makes a full year's
  // history about 40% slower to write on both databases).
  const base = newId();
  let seq = 0;
  await writeMarks(db, mode, plan.marks.created, plan.marks.updated, {
    userId: system ? null : actor.userId,
    userName: system ? IMPORT_USER_NAME : actor.name,
    userRole: actor.role,
    at,
    reason: `Imported from ${basename(input.marks?.name ?? 'marks.csv')}`,
    source: input.ctf ? 'CTF' : 'import',
    newId: () => `${base}.${String(seq++).padStart(7, '0')}`,
  });
  await writeAdmissions(db, actor, input, plan, at);
  if (plan.ctf) {
    await replaceAttendanceHistory(
      db,
      plan.ctf.attendancePupils,
      plan.ctf.attendance.map((r) => (r.imported_at === '' ? { ...r, imported_at: at } : r)),
    );
    await replaceSchoolHistory(db, plan.ctf.schoolPupils, plan.ctf.schools);
  }
  const files: Record<string, string> = {};
  for (const kind of FILE_ORDER) {
    const f = input[kind];
    if (f) files[kind] = basename(f.name);
  }
  if (input.ctf) files['ctf'] = basename(input.ctf.name);
  await audit(db, actor, at, {
    action: 'import',
    entityType: 'school',
    entityId: s.id,
    schoolId: s.id,
    details: {
      urn: s.urn,
      files,
      counts: plan.counts,
      pupilsUpdated: plan.pupilsUpdated.length,
      warnings: plan.warnings.length,
    },
  });
}

// ---------------------------------------------------------------------------------------------
// The Common Transfer File: history, and the pupil columns a CTF leaves out
// ---------------------------------------------------------------------------------------------

interface CtfPlan {
  /** Pupils whose attendance history is replaced, and the rows they get (imported_at set on writing). */
  attendancePupils: string[];
  attendance: AttendanceHistoryRow[];
  schoolPupils: string[];
  schools: SchoolHistoryRow[];
  report: CtfReport;
}

/** pupils.csv column → how the stored pupil writes it, for the columns a CTF may leave out. */
function storedValue(p: PupilRecord, column: string): string | undefined {
  const field = PUPIL_FIELDS.find(([name]) => name === column);
  if (!field) return undefined;
  const v = p[field[1]];
  if (column === 'reg_group') return undefined;
  if (typeof v === 'number') return v === 1 ? 'Y' : 'N';
  return v ?? '';
}

/** A CTF's pupil rows with every column a row leaves out filled from the stored pupil. */
function fillFromStored(table: Table, stored: ReadonlyMap<string, PupilRecord>): Table {
  const rows = table.rows.map((r) => {
    const p = stored.get(validateUpn(r.values['upn'] ?? '').upn);
    if (!p) return r;
    const values: Record<string, string> = { ...r.values };
    for (const column of table.header) {
      if (values[column] !== undefined) continue;
      const v = storedValue(p, column);
      if (v !== undefined) values[column] = v;
    }
    return { line: r.line, values };
  });
  return { ...table, rows };
}

/** The counts a marks string gives (possible, attended = present + approved activity, …). */
export function countsOfMarks(
  start: PlainDate,
  marks: string,
): {
  possible: number;
  attended: number;
  authorised: number;
  unauthorised: number;
} {
  const out = { possible: 0, attended: 0, authorised: 0, unauthorised: 0 };
  for (let i = 0; i < marks.length; i++) {
    const c = marks[i]!;
    if (c === '#' || c === '-') continue;
    const found = lookupCode(c, addDays(start, Math.floor(i / 2)));
    if (!found.ok || !found.definition.possible) continue;
    out.possible++;
    const cat = found.definition.category;
    if (cat === 'present' || cat === 'approvedActivity') out.attended++;
    else if (cat === 'authorised') out.authorised++;
    else if (cat === 'unauthorised') out.unauthorised++;
  }
  return out;
}

function sameHistory(a: AttendanceHistoryRow, b: AttendanceHistoryRow): boolean {
  return (
    a.urn === b.urn &&
    a.school_name === b.school_name &&
    a.sessions_possible === b.sessions_possible &&
    a.sessions_attended === b.sessions_attended &&
    a.sessions_authorised === b.sessions_authorised &&
    a.sessions_unauthorised === b.sessions_unauthorised &&
    a.marks_start === b.marks_start &&
    a.marks === b.marks
  );
}

function sameSchool(a: SchoolHistoryRow, b: SchoolHistoryRow): boolean {
  return (
    a.position === b.position &&
    a.la_code === b.la_code &&
    a.estab === b.estab &&
    a.urn === b.urn &&
    a.school_name === b.school_name &&
    a.entry_date === b.entry_date &&
    a.leaving_date === b.leaving_date &&
    a.leaving_reason === b.leaving_reason
  );
}

async function planCtfHistory(
  db: DbOrTrx,
  schoolId: string,
  exists: boolean,
  doc: CtfDocument,
  parts: CtfTables,
  idByUpn: ReadonlyMap<string, string>,
  file: string,
  warnings: ImportProblem[],
): Promise<CtfPlan> {
  const storedAttendance = exists
    ? await loadAttendanceHistory(db, schoolId)
    : new Map<string, AttendanceHistoryRow[]>();
  const storedSchools = exists ? await loadSchoolHistory(db, schoolId) : new Map<string, SchoolHistoryRow[]>();
  const attendanceCounts: EntityCounts = { created: 0, updated: 0, unchanged: 0, removed: 0 };
  const schoolCounts: EntityCounts = { created: 0, updated: 0, unchanged: 0, removed: 0 };
  const plan: CtfPlan = {
    attendancePupils: [],
    attendance: [],
    schoolPupils: [],
    schools: [],
    report: {
      version: doc.header.version,
      source: `${doc.header.source.la}${doc.header.source.estab}`,
      sourceName: doc.header.source.name,
      attendanceHistory: attendanceCounts,
      schoolHistory: schoolCounts,
    },
  };
  const name = basename(file);
  const partial = doc.header.qualifier.toLowerCase() === 'partial';
  const own = parts.ownSchool;
  for (const p of doc.pupils) {
    const pupilId = idByUpn.get(p.upn);
    if (pupilId === undefined) continue;
    // This school's own years: the counts should be what the marks give.
    for (const y of parts.own.get(p.upn) ?? []) {
      if (y.marks === null || y.marksStart === null) continue;
      const got = countsOfMarks(y.marksStart, y.marks);
      if (
        got.possible !== y.possible ||
        got.attended !== y.attended ||
        got.authorised !== y.authorised ||
        got.unauthorised !== y.unauthorised
      ) {
        warnings.push({
          file,
          line: y.line,
          message: `${p.upn} ${y.year}: the counts (possible ${y.possible}, attended ${y.attended}, authorised ${y.authorised}, unauthorised ${y.unauthorised}) differ from the session marks (${got.possible}, ${got.attended}, ${got.authorised}, ${got.unauthorised}): the marks are imported`,
        });
      }
    }
    // Attendance history: matched by year, LA and establishment.
    const want = (parts.history.get(p.upn) ?? []).map((y: CtfYearData): AttendanceHistoryRow => ({
      id: newId(),
      pupil_id: pupilId,
      academic_year: y.year,
      la_code: y.school.la,
      estab: y.school.estab,
      urn: y.school.urn,
      school_name: y.school.name,
      sessions_possible: y.possible,
      sessions_attended: y.attended,
      sessions_authorised: y.authorised,
      sessions_unauthorised: y.unauthorised,
      marks_start: y.marksStart,
      marks: y.marks,
      imported_from: name,
      imported_at: '',
    }));
    const seen = new Set<string>();
    const deduped = want.filter((r) => {
      const k = `${r.academic_year} ${r.la_code} ${r.estab}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    const stored = storedAttendance.get(pupilId) ?? [];
    const storedByKey = new Map(stored.map((r) => [`${r.academic_year} ${r.la_code} ${r.estab}`, r]));
    // A partial CTF (e.g. attendance for an MIS) adds and updates years but removes none.
    if (partial) {
      for (const r of stored) if (!seen.has(`${r.academic_year} ${r.la_code} ${r.estab}`)) deduped.push(r);
    }
    let changed = deduped.length !== stored.length;
    for (const r of deduped) {
      const s = storedByKey.get(`${r.academic_year} ${r.la_code} ${r.estab}`);
      if (!s) {
        attendanceCounts.created++;
        changed = true;
      } else if (!sameHistory(s, r)) {
        attendanceCounts.updated++;
        changed = true;
      } else attendanceCounts.unchanged++;
    }
    const wanted = new Set(deduped.map((r) => `${r.academic_year} ${r.la_code} ${r.estab}`));
    attendanceCounts.removed += stored.filter((r) => !wanted.has(`${r.academic_year} ${r.la_code} ${r.estab}`)).length;
    if (changed) {
      plan.attendancePupils.push(pupilId);
      plan.attendance.push(...deduped);
    }
    // School history: as the file lists it (a pupil without one keeps what is stored).
    if (!p.hasSchoolHistory) continue;
    // This school's own entry is the pupil's admission (and leaving) here: not stored twice.
    const schools = p.schoolHistory
      .filter((s) => !isOwnSchool(s, own))
      .map((s, position): SchoolHistoryRow => ({
        id: newId(),
        pupil_id: pupilId,
        position,
        la_code: s.la,
        estab: s.estab,
        urn: s.urn,
        school_name: s.name,
        entry_date: s.entryDate,
        leaving_date: s.leavingDate,
        leaving_reason: s.leavingReason,
      }));
    const storedS = storedSchools.get(pupilId) ?? [];
    let schoolsChanged = schools.length !== storedS.length;
    schools.forEach((s, i) => {
      const t = storedS[i];
      if (!t) {
        schoolCounts.created++;
        schoolsChanged = true;
      } else if (!sameSchool(s, t)) {
        schoolCounts.updated++;
        schoolsChanged = true;
      } else schoolCounts.unchanged++;
    });
    if (storedS.length > schools.length) schoolCounts.removed += storedS.length - schools.length;
    if (schoolsChanged) {
      plan.schoolPupils.push(pupilId);
      plan.schools.push(...schools);
    }
  }
  return plan;
}

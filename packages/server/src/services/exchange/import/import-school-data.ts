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
import type { DbOrTrx, Dialect } from '../../../db/connect.js';
import { newId } from '../../../platform/ids.js';
import { audit } from '../../audit.js';
import { SYSTEM_ACTOR, type Actor } from '../../authz.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { forgetCalendar } from '../../registers/registers.js';
import { emitBulkMarkChanges } from '../webhooks.js';
import { DEFAULT_POLICY } from '../../policy/school-policy.js';
import type { ImportProblem } from './files.js';
import { replaceAttendanceHistory, replaceSchoolHistory } from '../../../db/exchange/ctf.js';
import type { ImportFileKind, ImportReport } from './report.js';
import {
  insertSchool,
  updateSchool,
  writeCalendar,
  writeContacts,
  writeGroups,
  writeMarks,
  writeMembers,
  writePupils,
  writeStaff,
  bulkModeOf,
  type BulkMode,
} from '../../../db/exchange/import-store.js';
import { PHASES, IMPORT_USER_NAME, type ImportInput } from './import-input.js';

export { IMPORT_USER_NAME, PHASES, type ImportInput };
import { FILE_ORDER, misOf, parseFiles } from './import-files.js';
import { type Plan, makePlan } from './plan.js';
import { writeAdmissions } from './plan-admissions.js';

/**
 * The database and the clock; with the dialect, new marks and their history go to the database
 * the fastest way it has (COPY on PostgreSQL, a prepared statement on SQLite: db/exchange/
 * mark-bulk.ts), without it as portable multi-row VALUES.
 */
export type ImportDeps = Pick<Deps, 'db' | 'clock'> & { readonly dialect?: Dialect | undefined };

/** Thrown (as AppError 'VALIDATION') with every problem in `details.problems`. */
export const IMPORT_INVALID = 'The import was refused: nothing was written.';

/** Rolls the transaction back after a dry run's plan is made. */
class NothingWritten extends Error {}

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

function refuse(input: ImportInput, problems: ImportProblem[]): never {
  throw new AppError('VALIDATION', IMPORT_INVALID, { problems: sortProblems(input, problems) });
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
      const made = await makePlan(trx, actor, input, parsed, problems);
      plan = made;
      if (problems.length > 0) refuse(input, problems);
      if (input.dryRun === true) throw new NothingWritten();
      const at = deps.clock.now();
      await applyPlan(trx, bulkModeOf(deps.db, deps.dialect), actor, input, made, at);
      // Webhooks: the marks written, as marks.changed batches, queued with the import (docs/webhooks.md).
      await emitBulkMarkChanges(
        trx,
        at,
        made.school.id,
        input.ctf ? 'CTF' : 'import',
        actor === SYSTEM_ACTOR ? IMPORT_USER_NAME : actor.name,
        {
          count: made.marks.created.length + made.marks.updated.length,
          marks: () =>
            [...made.marks.created, ...made.marks.updated].map((m) => ({
              pupilId: m.pupilId,
              date: m.date,
              session: m.session,
              code: m.code,
              minutesLate: m.minutesLate,
              previousCode: m.previous?.code ?? null,
            })),
        },
      );
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
// Writing
// ---------------------------------------------------------------------------------------------

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
  await writeAdmissions(db, actor, input, plan.admissions, s.id, plan.warnings, at);
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

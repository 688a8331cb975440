/**
 * The import's plan: every check that needs the database, and every change worked out in memory,
 * before anything is written. Each file's own checks live in plan-<file>.ts; this is the order
 * they run in and what they share (a pupil named in marks, contacts or groups must be in the
 * pupils file or on the roll; pupils.csv's reg_group and groups.csv must agree).
 */
import { buildRoll, validateUpn, type PupilInfo, type PupilRow } from '@rollcall/domain';
import { findSchoolByUrn } from '../../school/schools.js';
import type { DbOrTrx } from '../../../db/connect.js';
import { newId } from '../../../platform/ids.js';
import { authorise, type Actor } from '../../authz.js';
import {
  groupKey,
  groupName,
  markRowsOf,
  pupilRowsOf,
  readContacts,
  readGroups,
  readPupilExtras,
  type GroupKind,
  type GroupSpec,
  type ImportProblem,
  type PupilExtras,
} from './files.js';
import { schoolCodeMap } from './school-codes.js';
import { ctfTables, type CtfTables } from './ctf.js';
import { emptyCounts, type FileChanges, type EntityCounts } from './report.js';
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
  type CalendarChange,
  type GroupRow,
  type MarkChange,
  type PupilRecord,
  type StoredMark,
  type StoredMarks,
} from '../../../db/exchange/import-store.js';
import type { ImportInput } from './import-input.js';
import { changesOf, type Parsed } from './import-files.js';
import { type CtfPlan, admitArrivals, fillFromStored, planCtfHistory } from './plan-ctf.js';
import { EMPTY_CALENDAR, calendarOf, checkOrphanedMarks, diffCalendar } from './plan-calendar.js';
import {
  type FileMark,
  applySchoolCodes,
  cachedUpnCheck,
  normaliseMarks,
  collapseRepeats,
  unknownCodeHint,
  unknownCodeSessions,
} from './plan-marks.js';
import { diffContacts, type ContactsPlan } from './plan-contacts.js';
import { changedFields, checkStoredMarksOnRoll, desiredPupil } from './plan-pupils.js';
import { diffMembers, diffStaff, type MembersPlan, type StaffPlan } from './plan-groups.js';
import { planAdmissions, type AdmissionsPlan } from './plan-admissions.js';

export interface Plan {
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
  members: MembersPlan;
  staff: StaffPlan;
  contacts: ContactsPlan;
  marks: { created: MarkChange[]; updated: MarkChange[] };
  counts: Record<keyof ReturnType<typeof emptyCounts>, EntityCounts>;
  pupilsUpdated: { upn: string; fields: string[] }[];
  changes: FileChanges;
  warnings: ImportProblem[];
  /** The school's own codes the marks used, and how many marks each. */
  schoolCodes: { schoolCode: string; code: string; marks: number }[];
  admissions: AdmissionsPlan;
}

export async function makePlan(
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
  // A pupil arriving by CTF from another school starts after leaving it, not with the calendar.
  if (parsed.ctf && parsed.pupils && ctfParts && input.ctf) {
    parsed.pupils = admitArrivals(
      parsed.pupils,
      parsed.ctf,
      ctfParts.ownSchool,
      cal,
      pupilByUpn,
      input.ctf.name,
      warnings,
    );
  }
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
  const checkUpn = cachedUpnCheck();
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
        const c = checkUpn(m.upn);
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
    const sessionOf = unknownCodeSessions(markRows);
    const rollProblems: ImportProblem[] = [];
    for (const issue of roll.issues) {
      const file = issue.file === 'marks' ? input.marks?.name : input.pupils?.name;
      if (file === undefined || issue.line === 0) continue;
      const unknownCode = issue.file === 'marks' && issue.message.startsWith('unknown attendance code');
      // A grid row or a CTF's marks string holds many marks on one line: say which session.
      const message = unknownCode ? sessionOf(issue.line, issue.message) : issue.message;
      rollProblems.push({
        file,
        line: issue.line,
        message: unknownCode && !parsed.ctf ? unknownCodeHint(message, urn) : message,
      });
    }
    // A year's marks string (or a grid row) outside the calendar would otherwise be one line each.
    problems.push(...collapseRepeats(rollProblems));
    if (marksTable) fileMarks = normaliseMarks(markRows, marksTable.has('minutes_late'), checkUpn);
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
  const createdById = new Map(pupilsCreated.map((p) => [p.id, p]));
  const changes = changesOf(input, {
    counts,
    pupilsCreated,
    pupilsUpdated: pupilsUpdatedRows,
    pupilsLeft,
    marks,
    contacts,
    storedContacts,
    groupsCreated,
    groupsUpdated,
    membersRemoved: members.removed,
    groupById,
    upnOf: (pupilId) => pupilById.get(pupilId)?.upn ?? createdById.get(pupilId)?.upn,
  });

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

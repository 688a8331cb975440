/**
 * The files an import reads, as a table: for each kind of file (in the order problems and the
 * report list them) how it is read (required columns, the MIS presets; problems as `file:line`)
 * and what the report says it changed. The checks that need the database are plan-<file>.ts,
 * run in order by plan.ts (files depend on each other: marks, contacts and groups name pupils of
 * the pupils file or the roll; groups and pupils' reg_group must agree). The writes are
 * applyPlan's steps in import-school-data.ts, in the order the foreign keys need (groups before
 * the pupils who belong to them, members after). A CTF stands in for pupils, marks and contacts.
 */
import {
  MARK_COLUMNS,
  PUPIL_NAME_COLUMNS,
  readCalendarFile,
  readTable,
  type CalendarFile,
  type ImportFile,
  type ImportProblem,
  type Table,
} from './files.js';
import { readCtf, type CtfDocument } from './ctf.js';
import type { EntityCounts, FileChange, FileChanges, ImportFileKind } from './report.js';
import type { ContactRecord, GroupRow, MarkChange, Pair, PupilRecord } from '../../../db/exchange/import-store.js';
import type { ImportInput } from './import-input.js';
import type { MisChoice } from './mis.js';

/** The files after the checks that need no database. */
export interface Parsed {
  calendar?: CalendarFile | undefined;
  ctf?: CtfDocument | undefined;
  pupils?: Table | undefined;
  marks?: Table | undefined;
  contacts?: Table | undefined;
  groups?: Table | undefined;
}

/** What the plan worked out, for saying file by file what changed (with names). */
export interface PlanFacts {
  readonly counts: Readonly<Record<'terms' | 'closures' | 'pupils' | 'marks' | 'contacts' | 'groups', EntityCounts>>;
  readonly pupilsCreated: readonly PupilRecord[];
  readonly pupilsUpdated: readonly PupilRecord[];
  readonly pupilsLeft: readonly PupilRecord[];
  readonly marks: { readonly created: readonly MarkChange[]; readonly updated: readonly MarkChange[] };
  readonly contacts: {
    readonly created: readonly ContactRecord[];
    readonly updated: readonly ContactRecord[];
    readonly removed: readonly string[];
  };
  readonly storedContacts: readonly ContactRecord[];
  readonly groupsCreated: readonly GroupRow[];
  readonly groupsUpdated: readonly GroupRow[];
  readonly membersRemoved: readonly Pair[];
  readonly groupById: ReadonlyMap<string, GroupRow>;
  /** The UPN of a pupil, stored or created by the import. */
  readonly upnOf: (pupilId: string) => string | undefined;
}

interface ImportFileHandler<K extends ImportFileKind> {
  /** Reads the file and checks its shape; every problem named by file and line. */
  readonly read: (file: ImportFile, choice: MisChoice, problems: ImportProblem[]) => Parsed[K];
  /** What the report says the file changed. */
  readonly changes: (f: PlanFacts) => FileChange;
}

const pupilName = (p: PupilRecord) => `${p.legal_forename} ${p.legal_surname} (${p.upn})`;
const groupLabel = (g: GroupRow) => `${g.name} (${g.kind})`;
const table =
  (kind: Exclude<ImportFileKind, 'calendar'>, required: readonly string[], why = '') =>
  (file: ImportFile, choice: MisChoice, problems: ImportProblem[]): Table | undefined =>
    readTable(file, required, problems, why, { kind, choice });

/** Every kind of file, in the order problems and the report list them. */
export const IMPORT_FILES: { readonly [K in ImportFileKind]: ImportFileHandler<K> } = {
  calendar: {
    read: (file, _choice, problems) => readCalendarFile(file, problems),
    changes: ({ counts }) => ({
      added: counts.terms.created + counts.closures.created,
      updated: counts.terms.updated + counts.closures.updated,
      unchanged: counts.terms.unchanged + counts.closures.unchanged,
      left: counts.terms.removed + counts.closures.removed,
    }),
  },
  pupils: {
    read: table('pupils', ['upn', ...PUPIL_NAME_COLUMNS], ' (legal names are needed for the register)'),
    changes: (f) => ({
      added: f.pupilsCreated.length,
      updated: f.pupilsUpdated.length,
      unchanged: f.counts.pupils.unchanged,
      left: f.pupilsLeft.length,
      names: {
        added: f.pupilsCreated.map(pupilName),
        updated: f.pupilsUpdated.map(pupilName),
        left: f.pupilsLeft.map(pupilName),
      },
    }),
  },
  marks: {
    read: table('marks', MARK_COLUMNS),
    changes: (f) => ({
      added: f.marks.created.length,
      updated: f.marks.updated.length,
      unchanged: f.counts.marks.unchanged,
      left: 0,
    }),
  },
  contacts: {
    read: table('contacts', ['upn', 'name', 'relationship', 'priority']),
    changes: (f) => {
      const contactName = (c: ContactRecord) => `${c.name} (${c.relationship}, ${f.upnOf(c.pupil_id) ?? c.pupil_id})`;
      const removed = new Set(f.contacts.removed);
      return {
        added: f.contacts.created.length,
        updated: f.contacts.updated.length,
        unchanged: f.counts.contacts.unchanged,
        left: f.contacts.removed.length,
        names: {
          added: f.contacts.created.map(contactName),
          updated: f.contacts.updated.map(contactName),
          left: f.storedContacts.filter((c) => removed.has(c.id)).map(contactName),
        },
      };
    },
  },
  groups: {
    read: table('groups', ['group', 'kind', 'upn']),
    changes: (f) => ({
      added: f.groupsCreated.length,
      updated: f.groupsUpdated.length,
      unchanged: f.counts.groups.unchanged,
      left: f.membersRemoved.length,
      names: {
        added: f.groupsCreated.map(groupLabel),
        updated: f.groupsUpdated.map(groupLabel),
        left: f.membersRemoved.map((m) => {
          const g = f.groupById.get(m.group_id);
          return `${f.upnOf(m.pupil_id) ?? m.pupil_id} left ${g ? groupLabel(g) : m.group_id}`;
        }),
      },
    }),
  },
};

export const FILE_ORDER = Object.keys(IMPORT_FILES) as readonly ImportFileKind[];

/** Reads every file given (a CTF instead of the pupils, marks and contacts files). */
export function parseFiles(input: ImportInput, problems: ImportProblem[]): Parsed {
  const out: Parsed = {};
  const choice = input.mis ?? 'auto';
  if (input.calendar) out.calendar = IMPORT_FILES.calendar.read(input.calendar, choice, problems);
  if (input.ctf) {
    out.ctf = readCtf(input.ctf, problems);
    return out;
  }
  for (const kind of FILE_ORDER) {
    const file = input[kind];
    if (kind === 'calendar' || !file) continue;
    out[kind] = IMPORT_FILES[kind].read(file, choice, problems);
  }
  return out;
}

/** Which MIS's columns each table file used (detected or chosen). */
export function misOf(parsed: Parsed): Partial<Record<ImportFileKind, string>> {
  const out: Partial<Record<ImportFileKind, string>> = {};
  for (const kind of FILE_ORDER) {
    const mis = kind === 'calendar' ? undefined : parsed[kind]?.mis;
    if (mis) out[kind] = mis;
  }
  return out;
}

/** What changed, file by file, for the files given. */
export function changesOf(input: ImportInput, facts: PlanFacts): FileChanges {
  const changes: FileChanges = {};
  for (const kind of FILE_ORDER) if (input[kind]) changes[kind] = IMPORT_FILES[kind].changes(facts);
  return changes;
}

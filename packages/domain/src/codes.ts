/**
 * The national attendance codes: the one table that says what each code means and how it
 * counts. Nothing else in Rollcall hard-codes a code's meaning.
 *
 * Two sets: the codes in force from 19 August 2024 (The School Attendance (Pupil Registration)
 * (England) Regulations 2024) and the older set used before that date. Historic marks keep
 * their old meaning; they are never recoded.
 *
 * @see ../../../shared/reference/attendance-rules.md §2 (checked 2026-11-25)
 */
import type { PlainDate } from './dates.js';

/** How a code counts in the national statistics. */
export type StatisticalCategory = 'present' | 'approvedActivity' | 'authorised' | 'unauthorised' | 'notPossible';

/** The group a code sits in on the register (as the guidance lists them). */
export type RegisterGroup =
  | 'present'
  | 'attendingElsewhere'
  | 'leaveOfAbsence'
  | 'otherAuthorised'
  | 'unableToAttend'
  | 'unauthorised'
  | 'administrative';

export type CodeSet = '2006' | '2024';

/** One code of one set, with everything Rollcall needs to know about it. */
export interface CodeDefinition {
  /** Dense id, 1-based, used in compact mark arrays (0 means "no mark"). */
  readonly id: number;
  readonly code: string;
  readonly codeSet: CodeSet;
  readonly meaning: string;
  readonly group: RegisterGroup;
  readonly category: StatisticalCategory;
  /** Counted in possible sessions (the denominator of every rate). */
  readonly possible: boolean;
  /** First date the code may be used (inclusive), or null for no lower bound. */
  readonly validFrom: PlainDate | null;
  /** Last date the code may be used (inclusive), or null for no upper bound. */
  readonly validTo: PlainDate | null;
  /** G, N, O, U: unauthorised absence counted towards the penalty-notice threshold and the attendance return. */
  readonly penaltyNoticeAbsence: boolean;
  /** G, N, O: the codes of the 20-school-day deletion ground (U does not count). */
  readonly deletionGroundAbsence: boolean;
  /** I: illness, for the sickness return. */
  readonly illness: boolean;
  /** N: provisional, to be resolved within 5 school days. */
  readonly provisional: boolean;
  /** L: arrived late, before the register closed (present). */
  readonly lateBeforeClose: boolean;
  /** U: arrived late, after the register closed (unauthorised absence). */
  readonly lateAfterClose: boolean;
}

/**
 * The first date of the 2024 code set.
 *
 * @see ../../../shared/reference/attendance-rules.md §2 (checked 2026-11-25)
 */
export const CODES_2024_FROM = '2024-08-19' as PlainDate;
/** The last date of the pre-2024 code set. */
export const CODES_2006_TO = '2024-08-18' as PlainDate;

type Row = readonly [code: string, meaning: string, group: RegisterGroup, category: StatisticalCategory];

const CODES_2024: readonly Row[] = [
  ['/', 'Present (AM)', 'present', 'present'],
  ['\\', 'Present (PM)', 'present', 'present'],
  ['L', 'Late: arrived before the register closed', 'present', 'present'],
  ['K', 'Attending education provision arranged by the local authority', 'attendingElsewhere', 'approvedActivity'],
  ['V', 'Attending an educational visit or trip', 'attendingElsewhere', 'approvedActivity'],
  ['P', 'Participating in a supervised sporting activity', 'attendingElsewhere', 'approvedActivity'],
  ['W', 'Attending work experience', 'attendingElsewhere', 'approvedActivity'],
  ['B', 'Attending any other approved educational activity', 'attendingElsewhere', 'approvedActivity'],
  ['D', 'Dual registered: attending the other school', 'attendingElsewhere', 'notPossible'],
  ['C1', 'Leave of absence: regulated performance or regulated employment abroad', 'leaveOfAbsence', 'authorised'],
  ['M', 'Leave of absence: medical or dental appointment', 'leaveOfAbsence', 'authorised'],
  [
    'J1',
    'Leave of absence: interview for employment or admission to another educational institution',
    'leaveOfAbsence',
    'authorised',
  ],
  ['S', 'Leave of absence: study leave', 'leaveOfAbsence', 'authorised'],
  ['X', 'Non-compulsory school age pupil not required to attend school', 'leaveOfAbsence', 'notPossible'],
  [
    'C2',
    'Leave of absence: compulsory school age pupil on a temporary part-time timetable',
    'leaveOfAbsence',
    'authorised',
  ],
  ['C', 'Leave of absence: exceptional circumstances', 'leaveOfAbsence', 'authorised'],
  ['T', 'Parent travelling for occupational purposes', 'otherAuthorised', 'authorised'],
  ['R', 'Religious observance', 'otherAuthorised', 'authorised'],
  ['I', 'Illness (not medical or dental appointment)', 'otherAuthorised', 'authorised'],
  ['E', 'Suspended or permanently excluded, no alternative provision made', 'otherAuthorised', 'authorised'],
  ['Q', 'Unable to attend: lack of access arrangements', 'unableToAttend', 'notPossible'],
  ['Y1', 'Unable to attend: transport normally provided not available', 'unableToAttend', 'notPossible'],
  ['Y2', 'Unable to attend: widespread disruption to travel', 'unableToAttend', 'notPossible'],
  ['Y3', 'Unable to attend: part of the school premises closed', 'unableToAttend', 'notPossible'],
  ['Y4', 'Unable to attend: whole school site unexpectedly closed', 'unableToAttend', 'notPossible'],
  ['Y5', 'Unable to attend: in criminal justice detention', 'unableToAttend', 'notPossible'],
  ['Y6', 'Unable to attend: in accordance with public health guidance or law', 'unableToAttend', 'notPossible'],
  ['Y7', 'Unable to attend: any other unavoidable cause', 'unableToAttend', 'notPossible'],
  ['G', 'Holiday not granted by the school', 'unauthorised', 'unauthorised'],
  ['U', 'Arrived in school after the register closed', 'unauthorised', 'unauthorised'],
  ['O', 'Absent in other or unknown circumstances', 'unauthorised', 'unauthorised'],
  ['N', 'Reason for absence not yet established', 'unauthorised', 'unauthorised'],
  ['Z', 'Prospective pupil not on the admission register', 'administrative', 'notPossible'],
  ['#', 'Planned whole or partial school closure', 'administrative', 'notPossible'],
];

const CODES_2006: readonly Row[] = [
  ['/', 'Present (AM)', 'present', 'present'],
  ['\\', 'Present (PM)', 'present', 'present'],
  ['L', 'Late: arrived before the registers closed', 'present', 'present'],
  ['B', 'Educated off site (not dual registration)', 'attendingElsewhere', 'approvedActivity'],
  [
    'J',
    'At an interview with prospective employers or another educational establishment',
    'attendingElsewhere',
    'approvedActivity',
  ],
  ['P', 'Participating in a supervised sporting activity', 'attendingElsewhere', 'approvedActivity'],
  ['V', 'Educational visit or trip', 'attendingElsewhere', 'approvedActivity'],
  ['W', 'Work experience', 'attendingElsewhere', 'approvedActivity'],
  ['D', 'Dual registered: at another establishment', 'attendingElsewhere', 'notPossible'],
  ['C', 'Other authorised circumstances', 'otherAuthorised', 'authorised'],
  ['E', 'Excluded, no alternative provision made', 'otherAuthorised', 'authorised'],
  ['H', 'Holiday authorised by the school', 'leaveOfAbsence', 'authorised'],
  ['F', 'Extended family holiday (agreed)', 'leaveOfAbsence', 'authorised'],
  ['I', 'Illness (not medical or dental appointment)', 'otherAuthorised', 'authorised'],
  ['M', 'Medical or dental appointment', 'otherAuthorised', 'authorised'],
  ['R', 'Religious observance', 'otherAuthorised', 'authorised'],
  ['S', 'Study leave', 'otherAuthorised', 'authorised'],
  ['T', 'Traveller absence', 'otherAuthorised', 'authorised'],
  ['G', 'Family holiday not agreed, or days in excess of agreed holiday', 'unauthorised', 'unauthorised'],
  ['N', 'No reason yet provided for absence', 'unauthorised', 'unauthorised'],
  ['O', 'Unauthorised absence not covered by any other code', 'unauthorised', 'unauthorised'],
  ['U', 'Arrived in school after the registers closed', 'unauthorised', 'unauthorised'],
  ['X', 'Non-compulsory school age absence', 'administrative', 'notPossible'],
  ['Y', 'Unable to attend due to exceptional circumstances', 'unableToAttend', 'notPossible'],
  ['Z', 'Pupil not on admission register', 'administrative', 'notPossible'],
  ['#', 'Planned whole or partial school closure', 'administrative', 'notPossible'],
];

function build(): CodeDefinition[] {
  const out: CodeDefinition[] = [];
  const add = (rows: readonly Row[], codeSet: CodeSet): void => {
    for (const [code, meaning, group, category] of rows) {
      out.push({
        id: out.length + 1,
        code,
        codeSet,
        meaning,
        group,
        category,
        possible: category !== 'notPossible',
        validFrom: codeSet === '2024' ? CODES_2024_FROM : null,
        validTo: codeSet === '2006' ? CODES_2006_TO : null,
        penaltyNoticeAbsence: code === 'G' || code === 'N' || code === 'O' || code === 'U',
        deletionGroundAbsence: code === 'G' || code === 'N' || code === 'O',
        illness: code === 'I',
        provisional: code === 'N',
        lateBeforeClose: code === 'L',
        lateAfterClose: code === 'U',
      });
    }
  };
  add(CODES_2024, '2024');
  add(CODES_2006, '2006');
  return out;
}

/** Every code of both sets; `CODE_TABLE[id - 1].id === id`. */
export const CODE_TABLE: readonly CodeDefinition[] = Object.freeze(build().map((d) => Object.freeze(d)));

/** The 2024 set in register order. */
export const CURRENT_CODES: readonly CodeDefinition[] = CODE_TABLE.filter((d) => d.codeSet === '2024');

const BY_SET: Record<CodeSet, Map<string, CodeDefinition>> = {
  '2024': new Map(CODE_TABLE.filter((d) => d.codeSet === '2024').map((d) => [d.code, d])),
  '2006': new Map(CODE_TABLE.filter((d) => d.codeSet === '2006').map((d) => [d.code, d])),
};

/** The code set in force on a date. */
export function codeSetOn(date: PlainDate): CodeSet {
  return date >= CODES_2024_FROM ? '2024' : '2006';
}

export type CodeLookup =
  { ok: true; definition: CodeDefinition } | { ok: false; reason: 'unknown' | 'notValidOnDate'; message: string };

/**
 * Finds the meaning of a code as written on a given date.
 *
 * @example lookupCode('H', plainDate('2023-05-02')).ok // true: agreed holiday, pre-2024 set
 * @example lookupCode('H', plainDate('2025-05-02')).ok // false: H was withdrawn on 19 August 2024
 */
export function lookupCode(code: string, date: PlainDate): CodeLookup {
  const set = codeSetOn(date);
  const definition = BY_SET[set].get(code);
  if (definition) return { ok: true, definition };
  if (set === '2024' && BY_SET['2006'].has(code)) {
    return {
      ok: false,
      reason: 'notValidOnDate',
      message: `code "${code}" is a pre-2024 code and cannot be used on or after ${CODES_2024_FROM} (on ${date})`,
    };
  }
  if (set === '2006' && BY_SET['2024'].has(code)) {
    return {
      ok: false,
      reason: 'notValidOnDate',
      message: `code "${code}" belongs to the 2024 code set and cannot be used before ${CODES_2024_FROM} (on ${date})`,
    };
  }
  return { ok: false, reason: 'unknown', message: unknownCodeMessage(code) };
}

/** True when the code belongs to either code set. */
export function isKnownCode(code: string): boolean {
  return BY_SET['2024'].has(code) || BY_SET['2006'].has(code);
}

/** The message for a code in neither set, listing the codes that would be right. */
export function unknownCodeMessage(code: string): string {
  return `unknown attendance code "${code}" (expected one of ${CURRENT_CODES.map((d) => d.code).join(' ')}, or before ${CODES_2024_FROM} H F J Y)`;
}

/** The definition for a code id from a compact mark array. */
export function codeById(id: number): CodeDefinition {
  const d = CODE_TABLE[id - 1];
  if (!d) throw new Error(`no code with id ${id}`);
  return d;
}

/** Category numbers used in compact arrays (0 = no mark). */
export const CAT_NONE = 0;
export const CAT_PRESENT = 1;
export const CAT_APPROVED_ACTIVITY = 2;
export const CAT_AUTHORISED = 3;
export const CAT_UNAUTHORISED = 4;
export const CAT_NOT_POSSIBLE = 5;

const CATEGORY_INDEX: Record<StatisticalCategory, number> = {
  present: CAT_PRESENT,
  approvedActivity: CAT_APPROVED_ACTIVITY,
  authorised: CAT_AUTHORISED,
  unauthorised: CAT_UNAUTHORISED,
  notPossible: CAT_NOT_POSSIBLE,
};

/** Bit flags per code id, for the hot loops of the measures. */
export const FLAG_PENALTY_NOTICE = 1;
export const FLAG_DELETION_GROUND = 2;
export const FLAG_ILLNESS = 4;
export const FLAG_PROVISIONAL = 8;
export const FLAG_LATE_BEFORE_CLOSE = 16;
export const FLAG_LATE_AFTER_CLOSE = 32;

/** Lookup tables indexed by code id (index 0 = no mark). */
export const CODE_CATEGORY: Uint8Array = (() => {
  const t = new Uint8Array(CODE_TABLE.length + 1);
  for (const d of CODE_TABLE) t[d.id] = CATEGORY_INDEX[d.category];
  return t;
})();

export const CODE_FLAGS: Uint8Array = (() => {
  const t = new Uint8Array(CODE_TABLE.length + 1);
  for (const d of CODE_TABLE) {
    t[d.id] =
      (d.penaltyNoticeAbsence ? FLAG_PENALTY_NOTICE : 0) |
      (d.deletionGroundAbsence ? FLAG_DELETION_GROUND : 0) |
      (d.illness ? FLAG_ILLNESS : 0) |
      (d.provisional ? FLAG_PROVISIONAL : 0) |
      (d.lateBeforeClose ? FLAG_LATE_BEFORE_CLOSE : 0) |
      (d.lateAfterClose ? FLAG_LATE_AFTER_CLOSE : 0);
  }
  return t;
})();

/**
 * Test data for `rollcall import`: a two-week calendar, three pupils, their marks, contacts and
 * groups, as the files a school would export. Used by the service and CLI tests.
 */
import { upnCheckLetter } from '@rollcall/domain';
import type { Db } from '../../../db/connect.js';

/** Two school weeks (1–12 September 2025) with the Friday afternoon of week one closed: 19 sessions. */
export const CALENDAR = {
  terms: [{ name: 'Autumn 1', start: '2025-09-01', end: '2025-09-12' }],
  closures: [{ date: '2025-09-05', session: 'PM', reason: 'Staff training' }],
};

export const DAYS = [
  '2025-09-01',
  '2025-09-02',
  '2025-09-03',
  '2025-09-04',
  '2025-09-05',
  '2025-09-08',
  '2025-09-09',
  '2025-09-10',
  '2025-09-11',
  '2025-09-12',
];

/** Alex (5A), Bea (5A, EHC plan) and Cal (6B, admitted Wednesday 3rd). */
export const UPN = { alex: 'B801200005001', bea: 'P330450024123', cal: 'L938214325007' } as const;

/** A valid UPN for test pupil number i (LA 330, establishment 4000). */
export function makeUpn(i: number): string {
  const rest = `3304000${String(25).padStart(2, '0')}${String(i).padStart(3, '0')}`;
  return `${upnCheckLetter(rest)}${rest}`;
}

export function csv(rows: readonly (readonly (string | number)[])[]): string {
  return `${rows.map((r) => r.join(',')).join('\n')}\n`;
}

export const PUPILS_HEADER = [
  'upn',
  'surname',
  'forename',
  'preferred_forename',
  'date_of_birth',
  'year_group',
  'reg_group',
  'admission_date',
  'leaving_date',
  'sen',
  'ehcp',
  'fsm',
  'cp',
  'previously_lac',
  'social_worker',
  'gender',
  'ethnicity',
] as const;

export function pupilRows(): string[][] {
  return [
    [
      UPN.alex,
      'Able',
      'Alexander',
      'Alex',
      '2015-05-01',
      '5',
      '5A',
      '2025-09-01',
      '',
      'N',
      'N',
      'Y',
      'N',
      'N',
      '',
      'M',
      'WBRI',
    ],
    [
      UPN.bea,
      'Baker',
      'Beatrice',
      '',
      '2015-06-02',
      '5',
      '5A',
      '',
      '',
      'E',
      'Y',
      'N',
      'Y',
      'Y',
      'Social worker (test)',
      'F',
      'WBRI',
    ],
    [UPN.cal, 'Cole', 'Callum', '', '2014-07-03', '6', '6B', '2025-09-03', '', 'K', '', 'N', 'N', 'N', '', 'M', 'AIND'],
  ];
}

export function pupilsCsv(rows = pupilRows()): string {
  return csv([[...PUPILS_HEADER], ...rows]);
}

/**
 * Every pupil present every school session they are on roll (Cal from the 3rd), Alex late on the
 * 2nd (L, 7 minutes) and ill on the 8th (I), `#` for Bea on the closed Friday afternoon.
 */
export function markRows(): string[][] {
  const rows: string[][] = [];
  for (const upn of [UPN.alex, UPN.bea, UPN.cal]) {
    for (const date of DAYS) {
      if (upn === UPN.cal && date < '2025-09-03') continue;
      for (const session of ['AM', 'PM']) {
        if (date === '2025-09-05' && session === 'PM') {
          if (upn === UPN.bea) rows.push([upn, date, session, '#', '']);
          continue;
        }
        let code = session === 'AM' ? '/' : '\\';
        let minutes = '';
        if (upn === UPN.alex && date === '2025-09-02' && session === 'AM') {
          code = 'L';
          minutes = '7';
        }
        if (upn === UPN.alex && date === '2025-09-08') code = 'I';
        rows.push([upn, date, session, code, minutes]);
      }
    }
  }
  return rows;
}

export function marksCsv(rows = markRows()): string {
  return csv([['upn', 'date', 'session', 'code', 'minutes_late'], ...rows]);
}

export const CONTACTS_HEADER = [
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
] as const;

export function contactRows(): string[][] {
  return [
    [UPN.alex, 'Parent One', 'Mother', '1', 'Y', 'Y', '07700 900123', '', '', 'parent.one@example.org'],
    [UPN.alex, 'Parent Two', 'Father', '2', 'Y', 'N', '+44 7700 900124', '', '', ''],
    [UPN.bea, 'Carer Three', 'Foster carer', '1', 'N', 'Y', '', '01632 960001', '', ''],
  ];
}

export function contactsCsv(rows = contactRows()): string {
  return csv([[...CONTACTS_HEADER], ...rows]);
}

export function groupRows(): string[][] {
  return [
    ['5A', 'registration', UPN.alex, '5', '', ''],
    ['5A', 'registration', UPN.bea, '5', '', ''],
    ['6B', 'registration', UPN.cal, '6', '', ''],
    ['5 Maths', 'teaching', UPN.alex, '5', 'Maths', 'maths.teacher@school.test'],
    ['5 Maths', 'teaching', UPN.cal, '5', 'Maths', ''],
  ];
}

export function groupsCsv(rows = groupRows()): string {
  return csv([['group', 'kind', 'upn', 'year_group', 'subject', 'staff_email'], ...rows]);
}

const TABLES = [
  'schools',
  'terms',
  'closures',
  'groups',
  'group_members',
  'group_staff',
  'pupils',
  'contacts',
  'session_marks',
  'mark_history',
  'audit_log',
] as const;

/** Row counts of every table an import writes to. */
export async function tableCounts(db: Db): Promise<Record<(typeof TABLES)[number], number>> {
  const out = {} as Record<(typeof TABLES)[number], number>;
  for (const t of TABLES) {
    const r = await db
      .selectFrom(t)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  return out;
}

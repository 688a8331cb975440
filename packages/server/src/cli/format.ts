/** Tables and CSV of the per-pupil figures, for people. */
import type { PupilInfo, RunPeriod } from '@rollcall/domain';
import type { AnalyseReport, PupilReport } from './analyse-report.js';
import { writeCsv } from '../services/csv-writer.js';

function pct(n: number | null): string {
  return n === null ? '-' : `${(n * 100).toFixed(1)}%`;
}

function periods(list: readonly RunPeriod[]): string {
  return list.map((p) => `${p.start}..${p.end} (${p.schoolDays} days)`).join('; ');
}

function name(info: PupilInfo | undefined): string {
  if (!info) return '';
  return [info.surname, info.forename].filter((x) => x !== undefined && x !== '').join(', ');
}

interface Column {
  readonly header: string;
  readonly table: (p: PupilReport) => string;
  readonly csv: (p: PupilReport) => string | number | boolean | null;
}

const COLUMNS: readonly Column[] = [
  { header: 'possibleSessions', table: (p) => String(p.possibleSessions), csv: (p) => p.possibleSessions },
  { header: 'presentSessions', table: (p) => String(p.presentSessions), csv: (p) => p.presentSessions },
  {
    header: 'approvedActivitySessions',
    table: (p) => String(p.approvedActivitySessions),
    csv: (p) => p.approvedActivitySessions,
  },
  {
    header: 'authorisedAbsenceSessions',
    table: (p) => String(p.authorisedAbsenceSessions),
    csv: (p) => p.authorisedAbsenceSessions,
  },
  {
    header: 'unauthorisedAbsenceSessions',
    table: (p) => String(p.unauthorisedAbsenceSessions),
    csv: (p) => p.unauthorisedAbsenceSessions,
  },
  { header: 'notPossibleSessions', table: (p) => String(p.notPossibleSessions), csv: (p) => p.notPossibleSessions },
  { header: 'missingMarks', table: (p) => String(p.missingMarks), csv: (p) => p.missingMarks },
  { header: 'attendanceRate', table: (p) => pct(p.attendanceRate), csv: (p) => p.attendanceRate },
  { header: 'absenceRate', table: (p) => pct(p.absenceRate), csv: (p) => p.absenceRate },
  { header: 'authorisedAbsenceRate', table: (p) => pct(p.authorisedAbsenceRate), csv: (p) => p.authorisedAbsenceRate },
  {
    header: 'unauthorisedAbsenceRate',
    table: (p) => pct(p.unauthorisedAbsenceRate),
    csv: (p) => p.unauthorisedAbsenceRate,
  },
  { header: 'persistentAbsence', table: (p) => (p.persistentAbsence ? 'PA' : ''), csv: (p) => p.persistentAbsence },
  { header: 'severeAbsence', table: (p) => (p.severeAbsence ? 'SA' : ''), csv: (p) => p.severeAbsence },
  { header: 'lateSessions', table: (p) => String(p.lateSessions), csv: (p) => p.lateSessions },
  {
    header: 'lateAfterCloseSessions',
    table: (p) => String(p.lateAfterCloseSessions),
    csv: (p) => p.lateAfterCloseSessions,
  },
  { header: 'minutesLate', table: (p) => String(p.minutesLate), csv: (p) => p.minutesLate },
  { header: 'brokenWeeks', table: (p) => `${p.brokenWeeks}/${p.schoolWeeksOnRoll}`, csv: (p) => p.brokenWeeks },
  { header: 'schoolWeeksOnRoll', table: () => '', csv: (p) => p.schoolWeeksOnRoll },
  {
    header: 'penaltyNotice.thresholdMet',
    table: (p) =>
      p.penaltyNotice.thresholdMet ? `met ${p.penaltyNotice.firstMetOn} ${p.penaltyNotice.firstMetSession}` : '',
    csv: (p) => p.penaltyNotice.thresholdMet,
  },
  { header: 'penaltyNotice.firstMetOn', table: () => '', csv: (p) => p.penaltyNotice.firstMetOn },
  { header: 'penaltyNotice.firstMetSession', table: () => '', csv: (p) => p.penaltyNotice.firstMetSession },
  {
    header: 'penaltyNotice.currentWindowSessions',
    table: (p) => String(p.penaltyNotice.currentWindowSessions),
    csv: (p) => p.penaltyNotice.currentWindowSessions,
  },
  {
    header: 'attendanceReturn.periods',
    table: (p) => periods(p.attendanceReturn.periods),
    csv: (p) => periods(p.attendanceReturn.periods),
  },
  { header: 'sicknessReturn.due', table: (p) => (p.sicknessReturn.due ? 'due' : ''), csv: (p) => p.sicknessReturn.due },
  {
    header: 'sicknessReturn.longestConsecutiveSchoolDays',
    table: () => '',
    csv: (p) => p.sicknessReturn.longestConsecutiveSchoolDays,
  },
  { header: 'sicknessReturn.cumulativeSchoolDays', table: () => '', csv: (p) => p.sicknessReturn.cumulativeSchoolDays },
  {
    header: 'deletionGround20Days.periods',
    table: (p) => periods(p.deletionGround20Days.periods),
    csv: (p) => periods(p.deletionGround20Days.periods),
  },
  {
    header: 'unresolvedN',
    table: (p) => (p.unresolvedN.length > 0 ? String(p.unresolvedN.length) : ''),
    csv: (p) => p.unresolvedN.map((n) => `${n.date} ${n.session}`).join('; '),
  },
];

/** Short headings for the table format (the CSV keeps the JSON field names). */
const TABLE_HEADINGS: Record<string, string> = {
  possibleSessions: 'Possible',
  presentSessions: 'Present',
  approvedActivitySessions: 'AEA',
  authorisedAbsenceSessions: 'Auth',
  unauthorisedAbsenceSessions: 'Unauth',
  notPossibleSessions: 'Not poss.',
  missingMarks: 'Missing',
  attendanceRate: 'Attend.',
  absenceRate: 'Absence',
  authorisedAbsenceRate: 'Auth %',
  unauthorisedAbsenceRate: 'Unauth %',
  persistentAbsence: 'PA',
  severeAbsence: 'SA',
  lateSessions: 'L',
  lateAfterCloseSessions: 'U',
  minutesLate: 'Mins late',
  brokenWeeks: 'Broken wks',
  'penaltyNotice.thresholdMet': 'Penalty-notice threshold',
  'penaltyNotice.currentWindowSessions': 'In window',
  'attendanceReturn.periods': 'Attendance return',
  'sicknessReturn.due': 'Sickness return',
  'deletionGround20Days.periods': '20-day ground',
  unresolvedN: 'Old N',
};

/** Per-pupil figures as CSV: the JSON field names as headers, numbers unrounded, one column per code used. */
export function formatCsv(report: AnalyseReport, infos: readonly PupilInfo[]): string {
  const codes = [...new Set(report.pupils.flatMap((p) => Object.keys(p.codeCounts)))];
  const withNames = infos.some((i) => i.surname !== undefined || i.forename !== undefined);
  const header = [
    'upn',
    ...(withNames ? ['surname', 'forename'] : []),
    ...COLUMNS.map((c) => c.header),
    ...codes.map((c) => `codeCounts.${c}`),
  ];
  const rows = report.pupils.map((p, i) => {
    const info = infos[i];
    return [
      p.upn,
      ...(withNames ? [info?.surname ?? '', info?.forename ?? ''] : []),
      ...COLUMNS.map((c) => c.csv(p)),
      ...codes.map((c) => p.codeCounts[c] ?? 0),
    ];
  });
  // The one CSV writer (services/csv-writer.ts): names from the pupils file are defused too.
  return writeCsv(header, rows, { lineEnd: '\n' });
}

/** Per-pupil figures as an aligned text table, with the cohort summary underneath. */
export function formatTable(report: AnalyseReport, infos: readonly PupilInfo[]): string {
  const cols = COLUMNS.filter((c) => TABLE_HEADINGS[c.header] !== undefined);
  const withNames = infos.some((i) => i.surname !== undefined || i.forename !== undefined);
  const header = ['UPN', ...(withNames ? ['Name'] : []), ...cols.map((c) => TABLE_HEADINGS[c.header]!)];
  const rows = report.pupils.map((p, i) => [
    p.upn,
    ...(withNames ? [name(infos[i])] : []),
    ...cols.map((c) => c.table(p)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = (i: number): boolean => i >= (withNames ? 2 : 1) && i < header.length - 4;
  const fmt = (r: string[]): string =>
    r
      .map((cell, i) => (numeric(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const s = report.summary;
  const lines = [
    `Attendance as of ${report.asOf}: ${report.schoolSessions} school sessions in ${report.schoolWeeks} school weeks from ${report.periodStart}`,
    '',
    fmt(header),
    fmt(widths.map((w) => '-'.repeat(w))),
    ...rows.map(fmt),
    '',
    `Pupils: ${s.pupils}   Possible sessions: ${s.possibleSessions}   Attendance: ${pct(s.attendanceRate)}   Absence: ${pct(s.absenceRate)} (authorised ${pct(s.authorisedAbsenceRate)}, unauthorised ${pct(s.unauthorisedAbsenceRate)})`,
    `Persistently absent: ${s.persistentAbsentees} (${pct(s.persistentAbsenceRate)})   Severely absent: ${s.severeAbsentees} (${pct(s.severeAbsenceRate)})`,
  ];
  return `${lines.join('\n')}\n`;
}

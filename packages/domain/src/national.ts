/**
 * National attendance figures for England (state-funded schools) as dated data, so that a
 * dashboard can put the figure for the school's phase beside its own. Update the series when the
 * DfE publishes a new release, and the `checked` date with it.
 *
 * Sources: 'census' = DfE "Pupil absence in schools in England" (school census, pupils aged 5–15,
 * accredited official statistics); 'daily' = DfE "Pupil attendance in schools" (daily data,
 * official statistics in development). Rates are fractions of possible sessions; PA and SA rates
 * are fractions of pupils. Null = not published for that phase here.
 *
 * @see ../../../shared/reference/attendance-rules.md §6 (checked 2026-11-25)
 * @see ../../../shared/data/national-benchmarks.json (the same figures)
 */
import type { PlainDate } from './dates.js';

export type NationalPhase = 'total' | 'primary' | 'secondary' | 'special';
export type NationalSource = 'census' | 'daily';

export interface NationalFigures {
  readonly source: NationalSource;
  /** E.g. '2024/25'. */
  readonly academicYear: string;
  /** 'full year' or the dates the figures cover, 'YYYY-MM-DD/YYYY-MM-DD'. */
  readonly period: string;
  readonly phase: NationalPhase;
  readonly overallAbsence: number | null;
  readonly authorisedAbsence: number | null;
  readonly unauthorisedAbsence: number | null;
  readonly persistentAbsence: number | null;
  readonly severeAbsence: number | null;
}

/** When the series below were last checked against the DfE releases. */
export const NATIONAL_FIGURES_CHECKED = '2026-11-25' as PlainDate;

const row = (
  source: NationalSource,
  academicYear: string,
  period: string,
  phase: NationalPhase,
  overallAbsence: number | null,
  authorisedAbsence: number | null,
  unauthorisedAbsence: number | null,
  persistentAbsence: number | null,
  severeAbsence: number | null,
): NationalFigures => ({
  source,
  academicYear,
  period,
  phase,
  overallAbsence,
  authorisedAbsence,
  unauthorisedAbsence,
  persistentAbsence,
  severeAbsence,
});

/** Every published series we hold, oldest first. */
export const NATIONAL_FIGURES: readonly NationalFigures[] = [
  row('census', '2018/19', 'full year (pre-pandemic)', 'total', 0.047, null, 0.014, 0.109, 0.008),
  row('census', '2022/23', 'full year', 'total', 0.074, 0.05, 0.024, 0.212, 0.02),
  row('census', '2022/23', 'full year', 'primary', 0.059, 0.042, 0.016, null, null),
  row('census', '2022/23', 'full year', 'secondary', 0.09, 0.056, 0.034, null, null),
  row('census', '2022/23', 'full year', 'special', 0.13, 0.099, 0.032, null, null),
  row('census', '2023/24', 'full year', 'total', 0.071, 0.047, 0.024, 0.2, 0.023),
  row('census', '2023/24', 'full year', 'primary', 0.055, 0.039, 0.016, null, null),
  row('census', '2023/24', 'full year', 'secondary', 0.089, 0.054, 0.035, null, null),
  row('census', '2023/24', 'full year', 'special', 0.13, 0.097, 0.033, null, null),
  row('daily', '2023/24', '2023-09-11/2024-07-19', 'total', 0.0721, 0.047, 0.0251, 0.2066, null),
  row('daily', '2023/24', '2023-09-11/2024-07-19', 'primary', 0.0553, 0.0389, 0.0163, 0.1518, null),
  row('daily', '2023/24', '2023-09-11/2024-07-19', 'secondary', 0.0906, 0.0549, 0.0357, 0.2675, null),
  row('daily', '2023/24', '2023-09-11/2024-07-19', 'special', 0.13, 0.0974, 0.0326, 0.3755, null),
  row('daily', '2024/25', '2024-09-09/2025-07-18', 'total', 0.0687, 0.0454, 0.0233, 0.187, null),
  row('daily', '2024/25', '2024-09-09/2025-07-18', 'primary', 0.0525, 0.0374, 0.0151, 0.135, null),
  row('daily', '2024/25', '2024-09-09/2025-07-18', 'secondary', 0.0859, 0.053, 0.033, 0.2432, null),
  row('daily', '2024/25', '2024-09-09/2025-07-18', 'special', 0.1288, 0.0951, 0.0337, 0.358, null),
  row('daily', '2025/26', '2025-09-08/2026-07-10', 'total', 0.0688, 0.0452, 0.0236, 0.1878, null),
  row('daily', '2025/26', '2025-09-08/2026-07-10', 'primary', 0.0528, 0.0373, 0.0155, 0.1377, null),
  row('daily', '2025/26', '2025-09-08/2026-07-10', 'secondary', 0.0849, 0.0522, 0.0327, 0.2377, null),
  row('daily', '2025/26', '2025-09-08/2026-07-10', 'special', 0.1317, 0.0957, 0.036, 0.3606, null),
];

/** The national phase a school's phase is compared with ('all-through' and others: all schools). */
export function nationalPhaseOf(schoolPhase: string): NationalPhase {
  return schoolPhase === 'primary' || schoolPhase === 'secondary' || schoolPhase === 'special' ? schoolPhase : 'total';
}

/** '2025/26' for any date from 1 September 2025 to 31 August 2026. */
function academicYearLabel(date: PlainDate): string {
  const y = Number(date.slice(0, 4));
  const start = Number(date.slice(5, 7)) >= 9 ? y : y - 1;
  return `${start}/${String((start + 1) % 100).padStart(2, '0')}`;
}

/**
 * The national figures to put beside a school's figures for the academic year of `asOf`: that
 * year's series for the phase when there is one, else the latest earlier one (full-year census
 * figures before daily data of the same year). Severe absence, which the daily data does not
 * publish by phase, comes from the latest census series for the phase or, failing that, all
 * schools, and the result says so in `severeAbsenceFrom`.
 */
export function nationalFiguresFor(
  schoolPhase: string,
  asOf: PlainDate,
  series: readonly NationalFigures[] = NATIONAL_FIGURES,
): (NationalFigures & { severeAbsenceFrom: string | null }) | null {
  const phase = nationalPhaseOf(schoolPhase);
  const year = academicYearLabel(asOf);
  const rank = (f: NationalFigures): string => `${f.academicYear}|${f.source === 'census' ? 1 : 0}`;
  const candidates = series.filter((f) => f.phase === phase && f.academicYear <= year);
  if (candidates.length === 0) return null;
  const best = candidates.reduce((a, b) => (rank(b) > rank(a) ? b : a));
  if (best.severeAbsence !== null) return { ...best, severeAbsenceFrom: null };
  const severe = series
    .filter((f) => f.severeAbsence !== null && f.academicYear <= year && (f.phase === phase || f.phase === 'total'))
    .reduce<NationalFigures | null>(
      (a, b) =>
        a === null || b.academicYear > a.academicYear || (b.academicYear === a.academicYear && b.phase === phase)
          ? b
          : a,
      null,
    );
  return {
    ...best,
    severeAbsence: severe?.severeAbsence ?? null,
    severeAbsenceFrom: severe
      ? `${severe.source} ${severe.academicYear}, ${severe.phase === 'total' ? 'all schools' : severe.phase}`
      : null,
  };
}

/**
 * Pupils measured over a period, as the dashboards, the trust and LA views and the TSM list count
 * them (measured.ts caches this per cohort), and a school's figures as added-up counts, which the
 * cohort snapshots keep (cohort.ts, snapshots.ts). The same pupils as `rollcall analyse`: a pupil
 * who left before the period's first school session or joined after "as of" is left out.
 */
import {
  analysisContext,
  countedSessions,
  createScratch,
  measurePupil,
  totalCounts,
  type AnalysisContext,
  type PlainDate,
  type PupilMarks,
  type SchoolCalendar,
  type SummaryTotals,
} from '@rollcall/domain';

/** What measuring needs of a pupil (a cohort's pupil has more). */
export interface MeasurablePupil {
  readonly admissionDate: PlainDate;
  readonly leavingDate: PlainDate | null;
  readonly marks: PupilMarks;
}

export interface MeasuredCounts<P> {
  readonly pupil: P;
  readonly possible: number;
  readonly attended: number;
  readonly authorised: number;
  readonly unauthorised: number;
  readonly rate: number | null;
  readonly pa: boolean;
  readonly sa: boolean;
}

export interface MeasureOptions {
  readonly asOf: PlainDate;
  /** The period's first day; the academic year's when not given. */
  readonly from?: PlainDate | undefined;
  readonly minPossibleSessions: number;
}

/** Every pupil on roll at some point in the period, measured. */
export function measureEach<P extends MeasurablePupil>(
  cal: SchoolCalendar,
  pupils: readonly P[],
  options: MeasureOptions,
): { ctx: AnalysisContext; measured: MeasuredCounts<P>[] } {
  const ctx = analysisContext(cal, options);
  const scratch = createScratch(cal);
  const measured: MeasuredCounts<P>[] = [];
  for (const p of pupils) {
    if (p.admissionDate > ctx.asOf || (p.leavingDate !== null && p.leavingDate < ctx.periodStart)) continue;
    const m = measurePupil(cal, ctx, p.marks, scratch);
    measured.push({
      pupil: p,
      possible: m.possibleSessions,
      attended: m.presentSessions + m.approvedActivitySessions,
      authorised: m.authorisedAbsenceSessions,
      unauthorised: m.unauthorisedAbsenceSessions,
      rate: m.attendanceRate,
      pa: m.persistentAbsence,
      sa: m.severeAbsence,
    });
  }
  return { ctx, measured };
}

/** A school's figures for the academic year to "as of": its pupils' counts added up. */
export function schoolTotals(
  cal: SchoolCalendar,
  pupils: readonly MeasurablePupil[],
  options: { asOf: PlainDate; minPossibleSessions: number },
): SummaryTotals {
  return totalCounts(measureEach(cal, pupils, options).measured);
}

/**
 * A school's figures as `schoolTotals` makes them, and each measured pupil's counts behind them:
 * its place in `pupils`, the sessions counted and the counts (kept with a snapshot, so that marks
 * written later are laid over them: `figures-delta.ts`).
 */
export function schoolTotalsAndCounts(
  cal: SchoolCalendar,
  pupils: readonly MeasurablePupil[],
  options: { asOf: PlainDate; minPossibleSessions: number },
): {
  totals: SummaryTotals;
  counts: {
    index: number;
    first: number;
    last: number;
    possible: number;
    attended: number;
    authorised: number;
    unauthorised: number;
  }[];
} {
  const { ctx, measured } = measureEach(cal, pupils, options);
  const index = new Map<MeasurablePupil, number>();
  pupils.forEach((p, i) => index.set(p, i));
  const counts = measured.map((m) => ({
    index: index.get(m.pupil)!,
    ...countedSessions(ctx, m.pupil.marks, cal.sessionCount),
    possible: m.possible,
    attended: m.attended,
    authorised: m.authorised,
    unauthorised: m.unauthorised,
  }));
  return { totals: totalCounts(measured), counts };
}

/**
 * What `rollcall analyse` reports, as data: read by `analyse.ts`, which builds it, and by
 * `format.ts`, which writes it as a table or CSV (kept apart so neither imports the other).
 */
import type { CohortSummary, Finding, PlainDate, PupilMeasures } from '@rollcall/domain';

export interface PupilReport extends PupilMeasures {
  upn: string;
}

export interface AnalyseReport {
  asOf: PlainDate;
  periodStart: PlainDate;
  schoolSessions: number;
  schoolWeeks: number;
  pupils: (PupilReport & { findings?: Finding[] })[];
  summary: CohortSummary;
}

/**
 * A pupil's attendance at other schools, as imported Common Transfer Files gave it (docs/ctf.md):
 * one row per academic year and school with the four counts, for the pupil page.
 */
import { attendanceHistoryOfPupil } from '../../db/exchange/ctf.js';
import type { Deps } from '../deps.js';
import type { PupilRecord } from './pupils.js';

export interface AttendanceHistoryYear {
  /** e.g. 2024/25 */
  readonly year: string;
  /** The school's name, or its DfE number when the file gave no name. */
  readonly school: string;
  readonly dfeNumber: string;
  readonly possible: number;
  readonly attended: number;
  readonly authorised: number;
  readonly unauthorised: number;
  /** Attended ÷ possible, as a percentage with one decimal, or null when nothing was possible. */
  readonly rate: string | null;
  readonly importedFrom: string;
}

/** The history of a pupil whose record the actor may already read (`getPupilRecord` authorised it). */
export async function attendanceHistoryOf(
  deps: Pick<Deps, 'db'>,
  record: Pick<PupilRecord, 'pupil'>,
): Promise<AttendanceHistoryYear[]> {
  const rows = await attendanceHistoryOfPupil(deps.db, record.pupil.id);
  return rows.map((r) => ({
    year: `${r.academic_year}/${String((r.academic_year + 1) % 100).padStart(2, '0')}`,
    school: r.school_name ?? `${r.la_code}${r.estab}`,
    dfeNumber: `${r.la_code}${r.estab}`,
    possible: r.sessions_possible,
    attended: r.sessions_attended,
    authorised: r.sessions_authorised,
    unauthorised: r.sessions_unauthorised,
    rate: r.sessions_possible > 0 ? ((100 * r.sessions_attended) / r.sessions_possible).toFixed(1) : null,
    importedFrom: r.imported_from,
  }));
}

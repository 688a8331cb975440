/** Queries of the attendance certificate (services/pupils/certificate.ts). */
import type { DbOrTrx } from '../connect.js';

/**
 * The first dates of a school's register data: its earliest mark and the first day of its
 * earliest term (null where there is none).
 */
export async function registerDataStarts(
  db: DbOrTrx,
  schoolId: string,
): Promise<{ firstMark: string | null; firstTerm: string | null }> {
  const [mark, term] = await Promise.all([
    db
      .selectFrom('session_marks')
      .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
      .select((eb) => eb.fn.min('session_marks.date').as('first'))
      .where('pupils.school_id', '=', schoolId)
      .executeTakeFirst(),
    db
      .selectFrom('terms')
      .select((eb) => eb.fn.min('start_date').as('first'))
      .where('school_id', '=', schoolId)
      .executeTakeFirst(),
  ]);
  const asDate = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return { firstMark: asDate(mark?.first), firstTerm: asDate(term?.first) };
}

/**
 * Each return's deadline and whether it was met (issue 17: missed return deadlines flagged).
 * Rollcall's readings of `../shared/reference/attendance-rules.md` §5 (docs/returns.md):
 *
 * - new admissions: the LA must be told by the end of the 5th school day after the admission:
 *   the return is due by its earliest such day;
 * - deletions: "no later than the deletion": due on the earliest deletion it carries;
 * - attendance and sickness: "at least monthly, as agreed with the LA": due one calendar month
 *   after the return's date (the day it was prepared as of), the latest an LA would agree.
 *
 * A return not sent after its day is "missed"; one sent after it, "sent late" (the day it was
 * marked sent, in the school's time zone).
 */
import type { PlainDate } from '@rollcall/domain';
import { earliestItemDates } from '../../../db/duties/return-deadlines.js';
import { getSchool } from '../../school/schools.js';
import { localDateTime } from '../../../platform/clock.js';
import { authorise, type Actor } from '../../authz.js';
import type { Deps } from '../../deps.js';
import type { ReturnSummary } from './returns.js';

export type DeadlineState = 'due' | 'missed' | 'sentOnTime' | 'sentLate';

export interface ReturnDeadline {
  readonly dueBy: PlainDate;
  readonly state: DeadlineState;
}

/** The same day a calendar month later (the month's last day when it has no such day). */
export function monthAfter(date: PlainDate): PlainDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const year = m === 12 ? y + 1 : y;
  const month = m === 12 ? 1 : m + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}` as PlainDate;
}

export async function returnDeadlines(
  deps: Deps,
  actor: Actor,
  schoolId: string,
  returns: readonly ReturnSummary[],
): Promise<Map<string, ReturnDeadline>> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'duties.view', {
    kind: 'school',
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  });
  const today = deps.clock.today(school.timeZone);
  const earliest = await earliestItemDates(
    deps.db,
    returns.filter((r) => r.kind === 'admissions' || r.kind === 'deletions').map((r) => r.id),
  );
  const out = new Map<string, ReturnDeadline>();
  for (const r of returns) {
    const dueBy = r.kind === 'attendance' || r.kind === 'sickness' ? monthAfter(r.periodTo) : earliest.get(r.id);
    if (!dueBy) continue;
    const state: DeadlineState =
      r.status === 'sent' && r.sentAt
        ? localDateTime(r.sentAt, school.timeZone).date > dueBy
          ? 'sentLate'
          : 'sentOnTime'
        : today > dueBy
          ? 'missed'
          : 'due';
    out.set(r.id, { dueBy, state });
  }
  return out;
}

/**
 * The import's calendar file checked against what is stored: terms and closures to add, change
 * or remove, and marks that a new calendar would leave outside its school sessions.
 */
import {
  compileCalendar,
  isClosedSession,
  sessionIndex,
  type Closure,
  type ClosureSession,
  type PlainDate,
  type SchoolCalendar,
  type Session,
} from '@rollcall/domain';
import type { DbOrTrx } from '../../../db/connect.js';
import { newId } from '../../../platform/ids.js';
import type { CalendarFile, ImportProblem } from './files.js';
import type { emptyCounts } from './report.js';
import {
  markSessionsOfSchool,
  type CalendarChange,
  type ClosureRow,
  type TermRow,
} from '../../../db/exchange/import-store.js';

export function calendarOf(terms: readonly TermRow[], closures: readonly ClosureRow[]): SchoolCalendar | undefined {
  const compiled = compileCalendar({
    terms: terms.map((t) => ({ name: t.name, start: t.start_date as PlainDate, end: t.end_date as PlainDate })),
    closures: closures.map((c): Closure => ({
      date: c.date as PlainDate,
      session: c.session as ClosureSession,
      reason: c.reason,
    })),
  });
  return compiled.ok ? compiled.value : undefined;
}

export const EMPTY_CALENDAR = (() => {
  const c = compileCalendar({ terms: [], closures: [] });
  if (!c.ok) throw new Error('the empty calendar does not compile');
  return c.value;
})();

export function diffCalendar(
  file: CalendarFile,
  terms: readonly TermRow[],
  closures: readonly ClosureRow[],
  counts: ReturnType<typeof emptyCounts>,
): { changed: boolean; write: CalendarChange } {
  const write: CalendarChange = {
    removeTerms: [],
    addTerms: [],
    updateTerms: [],
    removeClosures: [],
    addClosures: [],
    updateClosures: [],
  };
  // Terms are matched by their dates, closures by date and session; a new name or reason is an update.
  const termsByDates = new Map(terms.map((t) => [`${t.start_date} ${t.end_date}`, t]));
  const seenTerms = new Set<string>();
  for (const t of file.input.terms) {
    const stored = termsByDates.get(`${t.start} ${t.end}`);
    if (stored && !seenTerms.has(stored.id)) {
      seenTerms.add(stored.id);
      if (stored.name !== t.name) {
        write.updateTerms.push({ ...stored, name: t.name });
        counts.terms.updated++;
      } else counts.terms.unchanged++;
    } else {
      write.addTerms.push({ id: newId(), name: t.name, start_date: t.start, end_date: t.end });
      counts.terms.created++;
    }
  }
  for (const t of terms) {
    if (!seenTerms.has(t.id)) {
      write.removeTerms.push(t.id);
      counts.terms.removed++;
    }
  }
  const closuresByKey = new Map(closures.map((c) => [`${c.date} ${c.session}`, c]));
  const seenClosures = new Set<string>();
  for (const c of file.input.closures) {
    const stored = closuresByKey.get(`${c.date} ${c.session}`);
    if (stored && !seenClosures.has(stored.id)) {
      seenClosures.add(stored.id);
      if (stored.reason !== c.reason) {
        write.updateClosures.push({ ...stored, reason: c.reason });
        counts.closures.updated++;
      } else counts.closures.unchanged++;
    } else {
      write.addClosures.push({ id: newId(), date: c.date, session: c.session, reason: c.reason });
      counts.closures.created++;
    }
  }
  for (const c of closures) {
    if (!seenClosures.has(c.id)) {
      write.removeClosures.push(c.id);
      counts.closures.removed++;
    }
  }
  const changed = [counts.terms, counts.closures].some((c) => c.created + c.updated + c.removed > 0);
  return { changed, write };
}

/** Refuses a calendar that would leave stored marks outside its school sessions. */
export async function checkOrphanedMarks(
  db: DbOrTrx,
  schoolId: string,
  file: CalendarFile,
  name: string,
  problems: ImportProblem[],
): Promise<void> {
  const orphans = new Map<string, number>(); // 'date session' → marks
  for (const s of await markSessionsOfSchool(db, schoolId)) {
    const date = s.date as PlainDate;
    const session = s.session as Session;
    const ok =
      sessionIndex(file.calendar, date, session) >= 0 ||
      (s.code === '#' && isClosedSession(file.calendar, date, session));
    if (!ok) orphans.set(`${s.date} ${s.session}`, (orphans.get(`${s.date} ${s.session}`) ?? 0) + s.marks);
  }
  const list = [...orphans].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const LIMIT = 20;
  for (const [session, marks] of list.slice(0, LIMIT)) {
    problems.push({
      file: name,
      line: file.line,
      message: `${session} is not a school session in this calendar, but ${marks} stored mark${marks === 1 ? ' is' : 's are'} on it: an import never deletes marks, so keep that session in the calendar`,
    });
  }
  if (list.length > LIMIT) {
    const more = list.slice(LIMIT).reduce((n, [, m]) => n + m, 0);
    problems.push({
      file: name,
      line: file.line,
      message: `… and ${list.length - LIMIT} more sessions with ${more} stored marks outside this calendar`,
    });
  }
}

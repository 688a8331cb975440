/**
 * The register board: every registration group's AM and PM register for a day, taken, taken
 * late, open, not yet open or not taken, so the office can chase the missing ones. For roles
 * allowed `register.viewBoard` (the service checks).
 */
import {
  addDays,
  firstSessionOnOrAfter,
  isPlainDate,
  lastSessionOnOrBefore,
  sessionIndex,
  type PlainDate,
  type SchoolCalendar,
  type Session,
} from '@rollcall/domain';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getSchool } from '../../services/school/schools.js';
import { requireActor } from '../../http/auth-routes.js';
import { localDateTime } from '../../platform/clock.js';
import { AppError } from '../../services/errors.js';
import {
  lessonGaps,
  registerBoard,
  schoolCalendar,
  type Board,
  type BoardRow,
} from '../../services/registers/registers.js';

type CellStatus = BoardRow['sessions'][Session]['status'] | 'noSession';

export const STATUS_TAGS: Readonly<Record<CellStatus, { text: string; classes: string }>> = {
  taken: { text: 'Taken', classes: 'govuk-tag--green' },
  takenLate: { text: 'Taken late', classes: 'govuk-tag--yellow' },
  open: { text: 'Open', classes: 'govuk-tag--blue' },
  notTaken: { text: 'Not taken', classes: 'govuk-tag--red' },
  notYetOpen: { text: 'Not yet open', classes: 'govuk-tag--grey' },
  noSession: { text: 'No session', classes: 'govuk-tag--grey' },
};

const SESSION_NAMES: Readonly<Record<Session, string>> = { AM: 'morning', PM: 'afternoon' };

export interface BoardCell {
  readonly session: Session;
  readonly sessionName: string;
  readonly status: CellStatus;
  readonly tag: { text: string; classes: string };
  readonly href: string | null;
  readonly marked: number;
  readonly pupils: number;
  /** `HH:MM` the register was first saved (school's zone); with the date when it was a later day. */
  readonly takenAt: string | null;
  readonly takenOn: PlainDate | null;
}

export interface BoardPage {
  readonly board: Board;
  readonly date: PlainDate;
  readonly today: PlainDate;
  readonly previous: PlainDate | null;
  readonly next: PlainDate | null;
  readonly rows: readonly { id: string; name: string; yearGroup: string | null; cells: readonly BoardCell[] }[];
  /** The registers not taken by the close, to chase. */
  readonly missing: readonly { groupName: string; sessionName: string; session: Session; href: string }[];
  readonly totals: readonly {
    session: Session;
    sessionName: string;
    taken: number;
    open: number;
    notTaken: number;
    expected: number;
  }[];
}

export function registerHref(groupId: string, date: PlainDate, session: Session): string {
  return `/registers/${encodeURIComponent(groupId)}/${date}/${session}`;
}

/** The school days either side of a date (which need not be a school day itself). */
export function neighbouringSchoolDays(
  cal: SchoolCalendar,
  date: PlainDate,
): { previous: PlainDate | null; next: PlainDate | null } {
  const before = lastSessionOnOrBefore(cal, addDays(date, -1));
  const after = firstSessionOnOrAfter(cal, addDays(date, 1));
  return {
    previous: before >= 0 ? (cal.sessionDate[before] ?? null) : null,
    next: after < cal.sessionCount ? (cal.sessionDate[after] ?? null) : null,
  };
}

export function boardPage(board: Board, cal: SchoolCalendar, today: PlainDate): BoardPage {
  const date = board.date;
  const tz = board.school.timeZone;
  const missing: BoardPage['missing'][number][] = [];
  const totals = (['AM', 'PM'] as const).map((session) => ({
    session,
    sessionName: SESSION_NAMES[session],
    taken: 0,
    open: 0,
    notTaken: 0,
    expected: 0,
  }));
  const rows = board.rows.map((row) => ({
    id: row.group.id,
    name: row.group.name,
    yearGroup: row.group.yearGroup,
    cells: (['AM', 'PM'] as const).map((session, i): BoardCell => {
      const s = row.sessions[session];
      const isSession = sessionIndex(cal, date, session) >= 0;
      const status: CellStatus = !isSession && !s.takenAt ? 'noSession' : s.status;
      const href = status === 'noSession' ? null : registerHref(row.group.id, date, session);
      const total = totals[i]!;
      if (status !== 'noSession') total.expected++;
      if (status === 'taken' || status === 'takenLate') total.taken++;
      if (status === 'open') total.open++;
      if (status === 'notTaken') {
        total.notTaken++;
        missing.push({ groupName: row.group.name, sessionName: SESSION_NAMES[session], session, href: href! });
      }
      const local = s.takenAt ? localDateTime(s.takenAt, tz) : null;
      return {
        session,
        sessionName: SESSION_NAMES[session],
        status,
        tag: STATUS_TAGS[status],
        href,
        marked: s.marked,
        pupils: s.pupils,
        takenAt: local?.time ?? null,
        takenOn: local && local.date !== date ? local.date : null,
      };
    }),
  }));
  return { board, date, today, ...neighbouringSchoolDays(cal, date), rows, missing, totals };
}

const BOARD_QUERY = z.object({
  date: z.string().max(20).optional(),
  /** Only for an administrator without a school of their own. */
  school: z.string().max(200).optional(),
});

export const boardRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  app.get('/board', { schema: { querystring: BOARD_QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const schoolId = actor.schoolId ?? request.query.school;
    if (!schoolId) throw new AppError('FORBIDDEN', 'The register board is for staff of a school.');
    const asked = request.query.date?.trim() ?? '';
    if (asked !== '' && !isPlainDate(asked))
      throw new AppError('VALIDATION', 'Enter the date as YYYY-MM-DD, for example 2025-09-08.');
    const school = await getSchool(deps.db, schoolId);
    const today = deps.clock.today(school.timeZone);
    const board = await registerBoard(deps, actor, { schoolId: school.id, date: isPlainDate(asked) ? asked : today });
    const cal = await schoolCalendar(deps, school.id);
    const gaps = await lessonGaps(deps, actor, { schoolId: school.id, date: board.date });
    return reply.view('board.njk', { page: boardPage(board, cal, today), gaps });
  });
  return Promise.resolve();
};

/**
 * Returns to the local authority, prepared automatically for a person to check and mark sent:
 * the attendance return, the sickness return, new admissions and deletions. Each pupil is in a
 * return once for the same reason (a continuous period, an admission, a deletion): the next
 * return carries only what is new. Each return downloads as CSV and PDF.
 *
 * @see ../../../../../shared/reference/attendance-rules.md §5 (returns and notifications)
 * @see ../../../../../docs/returns.md (the readings chosen)
 */
import {
  addDays,
  ATTENDANCE_RETURN_SCHOOL_DAYS,
  SICKNESS_RETURN_SCHOOL_DAYS,
  type PlainDate,
  type SchoolCalendar,
} from '@rollcall/domain';
import type { DbOrTrx } from '../../../db/connect.js';
import {
  insertReturn,
  insertReturnItems,
  lastReturnPeriodEnd,
  recordReturnSent,
  registerDeletions,
  returnedItemKeys,
  returnEndingOn,
  returnItemDetails,
  returnSummaryRows,
} from '../../../db/duties/returns.js';
import { getSchool, type School } from '../../school/schools.js';
import { newId } from '../../../platform/ids.js';
import { audit } from '../../audit.js';
import { authorise, type Actor, type Resource } from '../../authz.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { schoolCalendar } from '../../registers/registers.js';
import { gatherFacts, isPossible, pupilDetails, type PupilFacts, type ReturnPupil } from './gather.js';

export const RETURN_KINDS = ['attendance', 'sickness', 'admissions', 'deletions'] as const;
export type ReturnKind = (typeof RETURN_KINDS)[number];

export const RETURN_TITLES: Record<ReturnKind, string> = {
  attendance: 'Attendance return (10 continuous school days of unauthorised absence)',
  sickness: 'Sickness return (15 school days of illness)',
  admissions: 'New admissions',
  deletions: 'Deletions from the admission register',
};

/**
 * School days after entering the admission register by which the LA must be told of a new pupil.
 * @see ../../../../../shared/reference/attendance-rules.md §5 (new pupils: by the end of the 5th day)
 */
export const NEW_PUPIL_NOTICE_SCHOOL_DAYS = 5;

export function isReturnKind(value: string): value is ReturnKind {
  return (RETURN_KINDS as readonly string[]).includes(value);
}

/** One pupil in a return, with the evidence for being in it. */
export interface ReturnItem {
  readonly pupil: ReturnPupil;
  /** What makes the item once-only (the start of a continuous period, the admission date, the deletion). */
  readonly key: string;
  readonly from: PlainDate;
  readonly to: PlainDate;
  readonly schoolDays: number | null;
  /** The evidence in words, with its numbers. */
  readonly evidence: string;
  /** Marks of the period by code (e.g. {"N": 12, "O": 8}), when the item is about marks. */
  readonly codes?: Readonly<Record<string, number>>;
  readonly ground?: string;
}

export interface ReturnSummary {
  readonly id: string;
  readonly schoolId: string;
  readonly kind: ReturnKind;
  readonly periodFrom: PlainDate;
  readonly periodTo: PlainDate;
  readonly status: 'prepared' | 'sent';
  readonly preparedAt: string;
  readonly preparedBy: string;
  readonly sentAt: string | null;
  readonly sentByName: string | null;
  readonly sentNote: string | null;
  readonly pupils: number;
}

export interface LaReturn extends ReturnSummary {
  readonly school: School;
  readonly items: readonly ReturnItem[];
}

function schoolResource(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

function countCodes(f: PupilFacts, cal: SchoolCalendar, from: PlainDate, to: PlainDate): Record<string, number> {
  const out: Record<string, number> = {};
  for (let d = cal.dayByDate.get(from) ?? 0; d < cal.dayCount; d++) {
    const date = cal.dayDate[d]!;
    if (date > to) break;
    for (const code of f.byDate.get(date)?.values() ?? []) out[code] = (out[code] ?? 0) + 1;
  }
  return out;
}

function codesInWords(codes: Readonly<Record<string, number>>): string {
  return Object.entries(codes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([c, n]) => `${c} ×${n}`)
    .join(', ');
}

/**
 * Continuous periods of sickness: school days on which every possible session the pupil has is
 * `I`; a day with no possible session neither extends nor breaks a period; anything else breaks it.
 * @see ../../../../../shared/reference/attendance-rules.md §5 (Rollcall's reading for runs of days)
 */
interface Period {
  start: PlainDate;
  end: PlainDate;
  schoolDays: number;
}

export function sicknessPeriods(f: PupilFacts, cal: SchoolCalendar, from: PlainDate, to: PlainDate): Period[] {
  const out: Period[] = [];
  let cur: Period | null = null;
  for (let d = 0; d < cal.dayCount; d++) {
    const date = cal.dayDate[d]!;
    if (date < from) continue;
    if (date > to) break;
    const marks = f.byDate.get(date);
    const possible = [...(marks?.entries() ?? [])].filter(([, code]) => isPossible(code, date));
    if (marks && marks.size > 0 && possible.length === 0) continue;
    if (possible.length > 0 && possible.every(([, code]) => code === 'I')) {
      if (cur) {
        cur.end = date;
        cur.schoolDays++;
      } else cur = { start: date, end: date, schoolDays: 1 };
    } else if (cur) {
      out.push(cur);
      cur = null;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** The school day `n` school days after `date` (or the last school day known). */
function schoolDaysAfter(cal: SchoolCalendar, date: PlainDate, n: number): PlainDate {
  let d = 0;
  while (d < cal.dayCount && cal.dayDate[d]! < date) d++;
  // `date` itself is day 0 when it is a school day; otherwise the next school day is day 1.
  const startsOnSchoolDay = cal.dayDate[d] === date;
  const target = startsOnSchoolDay ? d + n : d + n - 1;
  return cal.dayDate[Math.min(target, cal.dayCount - 1)] ?? addDays(date, n);
}

/** What each kind of return would hold as of `asOf`, before leaving out what earlier returns carried. */
export async function returnCandidates(
  db: DbOrTrx,
  school: School,
  cal: SchoolCalendar,
  kind: ReturnKind,
  asOf: PlainDate,
  /** The school's facts as of `asOf`, when already read (one read serves every kind). */
  gathered?: ReturnType<typeof gatherFacts>,
): Promise<ReturnItem[]> {
  if (kind === 'deletions') {
    const rows = await registerDeletions(db, school.id);
    const pupils = new Map(
      (
        await pupilDetails(
          db,
          school.id,
          rows.map((r) => r.pupil_id),
        )
      ).map((p) => [p.pupilId, p]),
    );
    return rows.map((r) => {
      const details = r.details ? (JSON.parse(r.details) as { groundTitle?: string; destination?: string | null }) : {};
      return {
        pupil: pupils.get(r.pupil_id)!,
        key: r.id,
        from: r.date as PlainDate,
        to: r.date as PlainDate,
        schoolDays: null,
        ground: r.ground ?? '',
        evidence:
          `Deleted on ${r.date}: ${details.groundTitle ?? r.ground ?? ''}. ${r.reason}` +
          (details.destination ? ` Destination: ${details.destination}.` : ''),
      };
    });
  }
  const { ctx, facts } = await (gathered ??= gatherFacts(db, cal, school.id, asOf, school.policy.minPossibleSessions));
  const out: ReturnItem[] = [];
  for (const f of facts) {
    if (kind === 'attendance') {
      for (const p of f.measures.attendanceReturn.periods) {
        const codes = countCodes(f, cal, p.start, p.end);
        out.push({
          pupil: f.pupil,
          key: p.start,
          from: p.start,
          to: p.end,
          schoolDays: p.schoolDays,
          codes,
          evidence:
            `${p.schoolDays} continuous school days from ${p.start} to ${p.end} with every possible session coded G, N, O or U ` +
            `(the return covers ${ATTENDANCE_RETURN_SCHOOL_DAYS} or more): ${codesInWords(codes)}.`,
        });
      }
    } else if (kind === 'sickness') {
      const s = f.measures.sicknessReturn;
      if (!s.due) continue;
      const periods = sicknessPeriods(f, cal, ctx.periodStart, asOf);
      const last = periods.at(-1);
      if (!last) continue;
      out.push({
        pupil: f.pupil,
        key: `${ctx.periodStart}/${last.start}`,
        from: last.start,
        to: last.end,
        schoolDays: last.schoolDays,
        codes: countCodes(f, cal, ctx.periodStart, asOf),
        evidence:
          `Illness (I): ${s.cumulativeSchoolDays} school days from ${ctx.periodStart} to ${asOf}, the longest continuous ` +
          `period ${s.longestConsecutiveSchoolDays} school days; this period of sickness ${last.start} to ${last.end} ` +
          `(${last.schoolDays} school days). The return is due at ${SICKNESS_RETURN_SCHOOL_DAYS} school days, consecutive or cumulative.`,
      });
    } else {
      // admissions: joined after the first day of the school year, up to `asOf`.
      const admitted = f.pupil.admissionDate;
      if (admitted <= ctx.periodStart || admitted > asOf) continue;
      const dueBy = schoolDaysAfter(cal, admitted, NEW_PUPIL_NOTICE_SCHOOL_DAYS);
      out.push({
        pupil: f.pupil,
        key: admitted,
        from: admitted,
        to: dueBy,
        schoolDays: null,
        evidence: `Entered the admission register on ${admitted}; the local authority must be told by the end of ${dueBy} (the ${NEW_PUPIL_NOTICE_SCHOOL_DAYS}th school day after).`,
      });
    }
  }
  return out;
}

/** Leaves out items already in an earlier return of the school. */
async function newItems(
  db: DbOrTrx,
  schoolId: string,
  kind: ReturnKind,
  items: readonly ReturnItem[],
): Promise<ReturnItem[]> {
  if (items.length === 0) return [];
  const done = await returnedItemKeys(db, schoolId, kind);
  const seen = new Set(done.map((r) => `${r.pupil_id}|${r.item_key}`));
  return items.filter((i) => !seen.has(`${i.pupil.pupilId}|${i.key}`));
}

/**
 * Prepares the school's returns of the given kinds as of a date: a return for each kind that has
 * something new. Running it again prepares nothing new. Audited.
 */
export async function prepareReturns(
  deps: Deps,
  actor: Actor,
  q: { schoolId: string; asOf: PlainDate; kinds?: readonly ReturnKind[] },
): Promise<ReturnSummary[]> {
  const school = await getSchool(deps.db, q.schoolId);
  authorise(actor, 'duties.manage', schoolResource(school));
  const cal = await schoolCalendar(deps, school.id);
  const now = deps.clock.now();
  const prepared: ReturnSummary[] = [];
  let gathered: ReturnType<typeof gatherFacts> | undefined;
  for (const kind of q.kinds ?? RETURN_KINDS) {
    if (kind !== 'deletions')
      gathered ??= gatherFacts(deps.db, cal, school.id, q.asOf, school.policy.minPossibleSessions);
    const candidates = await returnCandidates(deps.db, school, cal, kind, q.asOf, gathered);
    const id = await deps.db.transaction().execute(async (trx) => {
      const fresh = await newItems(trx, school.id, kind, candidates);
      if (fresh.length === 0) return null;
      const existing = await returnEndingOn(trx, school.id, kind, q.asOf);
      if (existing && existing.status !== 'prepared') return null; // sent today already: tomorrow's return carries them
      let returnId = existing?.id;
      if (!returnId) {
        const lastEnd = await lastReturnPeriodEnd(trx, school.id, kind);
        returnId = newId();
        const periodFrom = lastEnd ? addDays(lastEnd as PlainDate, 1) : (fresh.map((i) => i.from).sort()[0] ?? q.asOf);
        await insertReturn(trx, {
          id: returnId,
          school_id: school.id,
          kind,
          period_from: periodFrom < q.asOf ? periodFrom : q.asOf,
          period_to: q.asOf,
          status: 'prepared',
          prepared_at: now,
          prepared_by: actor.name,
        });
      }
      await insertReturnItems(
        trx,
        fresh.map((i) => ({
          id: newId(),
          return_id: returnId,
          school_id: school.id,
          kind,
          pupil_id: i.pupil.pupilId,
          item_key: i.key,
          details: JSON.stringify(i),
        })),
      );
      await audit(trx, actor, now, {
        action: 'return.prepare',
        entityType: 'la_return',
        entityId: returnId,
        schoolId: school.id,
        details: { kind, asOf: q.asOf, pupils: fresh.length },
      });
      return returnId;
    });
    if (id) prepared.push(await summaryOf(deps.db, id));
  }
  return prepared;
}

async function summaryOf(db: DbOrTrx, id: string): Promise<ReturnSummary> {
  const rows = await listRows(db, { id });
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND', 'No such return.');
  return row;
}

async function listRows(db: DbOrTrx, where: { id: string } | { schoolId: string }): Promise<ReturnSummary[]> {
  const rows = await returnSummaryRows(db, where);
  return rows.map((r) => ({
    id: r.id,
    schoolId: r.school_id,
    kind: r.kind as ReturnKind,
    periodFrom: r.period_from as PlainDate,
    periodTo: r.period_to as PlainDate,
    status: r.status as 'prepared' | 'sent',
    preparedAt: r.prepared_at,
    preparedBy: r.prepared_by,
    sentAt: r.sent_at,
    sentByName: r.sent_by_name,
    sentNote: r.sent_note,
    pupils: Number(r.pupils ?? 0),
  }));
}

/** The school's returns, newest first. */
export async function listReturns(deps: Deps, actor: Actor, schoolId: string): Promise<ReturnSummary[]> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'duties.view', schoolResource(school));
  return listRows(deps.db, { schoolId: school.id });
}

/** One return with its pupils and evidence; audited (it names pupils). */
export async function getReturn(deps: Deps, actor: Actor, id: string): Promise<LaReturn> {
  const summary = await summaryOf(deps.db, id);
  const school = await getSchool(deps.db, summary.schoolId);
  authorise(actor, 'duties.view', schoolResource(school));
  const rows = await returnItemDetails(deps.db, id);
  const items = rows
    .map((details) => JSON.parse(details) as ReturnItem)
    .sort(
      (a, b) =>
        a.pupil.surname.localeCompare(b.pupil.surname) ||
        a.pupil.forename.localeCompare(b.pupil.forename) ||
        a.from.localeCompare(b.from),
    );
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'return.view',
    entityType: 'la_return',
    entityId: id,
    schoolId: school.id,
  });
  return { ...summary, school, items };
}

/** Records that a person checked the return and sent it to the local authority. */
export async function markReturnSent(
  deps: Deps,
  actor: Actor,
  input: { returnId: string; note?: string | null },
): Promise<ReturnSummary> {
  const summary = await summaryOf(deps.db, input.returnId);
  const school = await getSchool(deps.db, summary.schoolId);
  authorise(actor, 'duties.manage', schoolResource(school));
  if (summary.status === 'sent') {
    throw new AppError(
      'CONFLICT',
      `This return was already marked sent on ${summary.sentAt ?? ''} by ${summary.sentByName ?? ''}.`,
    );
  }
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await recordReturnSent(trx, summary.id, {
      at: now,
      by: actor.userId,
      byName: actor.name,
      note: input.note?.trim() || null,
    });
    await audit(trx, actor, now, {
      action: 'return.markSent',
      entityType: 'la_return',
      entityId: summary.id,
      schoolId: school.id,
      details: { kind: summary.kind, pupils: summary.pupils },
    });
  });
  return summaryOf(deps.db, summary.id);
}

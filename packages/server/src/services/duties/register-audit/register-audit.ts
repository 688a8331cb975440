/**
 * The register audit: what a trust checks twice a year and a school can run any day. Over a
 * date range it finds registers not taken or taken late, sessions with missing marks, `N` older
 * than 5 school days, `L` recorded after the register closed without a reason, `#` on sessions
 * that were open, `B`, `C` and `I` concentrated on Mondays and Fridays, amendments without a
 * reason, pupils on roll with no marks, and pupils marked after leaving. Every finding links to
 * the register (or pupil) to fix. Readings of the rules are in docs/register-audit.md.
 *
 * @see ../../../../../../shared/reference/attendance-rules.md §1
 */
import { isoWeekday, lastDayOnOrBefore, type PlainDate, type SchoolCalendar, type Session } from '@rollcall/domain';
import {
  schoolGroups,
  schoolPupils,
  sessionMarksBetween,
  sessionRegistersBetween,
  unexplainedHistoryBetween,
  type AuditHistoryRow,
} from '../../../db/duties/register-audit.js';
import type { Db } from '../../../db/connect.js';
import { schoolVersions } from '../../analysis/cohort.js';
import { getSchool, type School } from '../../school/schools.js';
import { localDateTime } from '../../../platform/clock.js';
import { audit } from '../../audit.js';
import { authorise, type Actor } from '../../authz.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { schoolCalendar } from '../../registers/registers.js';

export const FINDING_KINDS = [
  'registerNotTaken',
  'registerTakenLate',
  'missingMarks',
  'staleN',
  'lateAfterCloseWithoutReason',
  'closureCodeOnOpenSession',
  'unusualCodePattern',
  'amendmentWithoutReason',
  'onRollWithoutMarks',
  'markedAfterLeaving',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export const FINDING_TITLES: Record<FindingKind, string> = {
  registerNotTaken: 'Registers not taken',
  registerTakenLate: 'Registers taken after they closed',
  missingMarks: 'Sessions with missing marks',
  staleN: 'N (reason not yet established) older than 5 school days',
  lateAfterCloseWithoutReason: 'L recorded after the register closed without a reason',
  closureCodeOnOpenSession: '# (planned closure) used on a session the school was open',
  unusualCodePattern: 'B, C or I concentrated on Mondays and Fridays',
  amendmentWithoutReason: 'Amendments without a reason',
  onRollWithoutMarks: 'Pupils on roll with no marks',
  markedAfterLeaving: 'Pupils marked after their leaving date',
};

/** N must be replaced within this many school days (attendance-rules.md §1). */
export const N_SCHOOL_DAYS = 5;
/** Codes whose Monday and Friday share is checked. */
export const PATTERN_CODES = ['B', 'C', 'I'] as const;
/** The least number of a code's marks before its pattern means anything. */
export const PATTERN_MIN_MARKS = 10;
/** Flagged when the Monday and Friday share is this many times what the calendar would give. */
export const PATTERN_RATIO = 1.5;

export interface Link {
  readonly text: string;
  readonly href: string;
}

export interface Finding {
  readonly kind: FindingKind;
  readonly date: string | null;
  readonly session: Session | null;
  readonly groupName: string | null;
  readonly pupilName: string | null;
  /** What is wrong, in words, with the numbers. */
  readonly detail: string;
  readonly links: readonly Link[];
}

export interface RegisterAudit {
  readonly school: { readonly id: string; readonly urn: string; readonly name: string };
  readonly from: string;
  readonly to: string;
  /** Registers due up to here (the end of the range, or now if earlier). */
  readonly asOf: string;
  readonly findings: readonly Finding[];
  readonly counts: Readonly<Record<FindingKind, number>>;
}

export function registerHref(groupId: string, date: string, session: string): string {
  return `/registers/${encodeURIComponent(groupId)}/${date}/${session}`;
}

const pupilHref = (id: string): string => `/pupils/${encodeURIComponent(id)}`;
const isDate = (s: string): s is PlainDate => /^\d{4}-\d{2}-\d{2}$/.test(s);
const blank = (s: string | null): boolean => s === null || s.trim() === '';

interface AuditPupil {
  /** The pupil's place in the audit's list (indexes the marks found). */
  index: number;
  id: string;
  upn: string;
  name: string;
  regGroupId: string | null;
  admission: string;
  leaving: string | null;
}

/** The school sessions from `from` to `to` whose register should have been taken by `now`. */
function dueSessions(
  cal: SchoolCalendar,
  school: School,
  from: string,
  to: string,
  today: string,
  timeNow: string,
): { date: PlainDate; session: Session }[] {
  const out: { date: PlainDate; session: Session }[] = [];
  for (let i = 0; i < cal.sessionCount; i++) {
    const date = cal.sessionDate[i]!;
    const session: Session = cal.sessionIsPM[i] === 1 ? 'PM' : 'AM';
    if (date < from || date > to || date > today) continue;
    if (date === today && timeNow <= school.policy.registerTimes[session].closes) continue;
    out.push({ date, session });
  }
  return out;
}

interface MarkRow {
  readonly pupil_id: string;
  readonly date: string;
  readonly session: string;
  readonly code: string;
}

/**
 * A school's session marks over a range, numbered rather than as row objects (90,000 marks of a
 * 1,500-pupil school over six weeks), and the history the audit reads, in the order read.
 */
interface RangeMarks {
  readonly count: number;
  readonly pupilIds: readonly string[];
  readonly dates: readonly string[];
  readonly codes: readonly string[];
  /** Per mark: its pupil's number in `pupilIds`, date's in `dates`, 1 for PM, code's in `codes`. */
  readonly pupil: Uint32Array;
  readonly date: Uint32Array;
  readonly pm: Uint8Array;
  readonly code: Uint16Array;
  readonly history: readonly AuditHistoryRow[];
}

/**
 * Ranges kept per process, per set of school versions of the analysis cache (a new set after
 * `forgetCohorts`), keyed by school and dates, with the school's version they were read at. A
 * mark written anywhere adds a history row and an import is audited; either moves the school's
 * version, and the range is read again (decision 0004).
 */
const ranges = new WeakMap<ReadonlyMap<string, number>, Map<string, { version: number; marks: Promise<RangeMarks> }>>();
/** Ranges kept per database (a few schools, a few ranges each). */
const MAX_RANGES = 16;

async function rangeMarks(db: Db, schoolId: string, from: string, to: string): Promise<RangeMarks> {
  const versions = await schoolVersions(db);
  const version = versions.get(schoolId) ?? 0;
  let cache = ranges.get(versions);
  if (!cache) {
    cache = new Map();
    ranges.set(versions, cache);
  }
  const key = `${schoolId}|${from}|${to}`;
  const hit = cache.get(key);
  if (hit && hit.version === version) {
    cache.delete(key);
    cache.set(key, hit);
    return hit.marks;
  }
  const marks = readRangeMarks(db, schoolId, from, to);
  const entry = { version, marks };
  cache.delete(key);
  cache.set(key, entry);
  marks.catch(() => {
    if (cache.get(key) === entry) cache.delete(key);
  });
  while (cache.size > MAX_RANGES) cache.delete(cache.keys().next().value!);
  return marks;
}

async function readRangeMarks(db: Db, schoolId: string, from: string, to: string): Promise<RangeMarks> {
  const [rows, history] = await Promise.all([
    sessionMarksBetween(db, schoolId, from, to),
    unexplainedHistoryBetween(db, schoolId, from, to),
  ]);
  const numbered = (): { list: string[]; of: (s: string) => number } => {
    const index = new Map<string, number>();
    const list: string[] = [];
    return {
      list,
      of: (s) => {
        let i = index.get(s);
        if (i === undefined) {
          i = list.length;
          index.set(s, i);
          list.push(s);
        }
        return i;
      },
    };
  };
  const pupils = numbered();
  const dates = numbered();
  const codes = numbered();
  const pupil = new Uint32Array(rows.length);
  const date = new Uint32Array(rows.length);
  const pm = new Uint8Array(rows.length);
  const code = new Uint16Array(rows.length);
  rows.forEach((r, k) => {
    pupil[k] = pupils.of(r.pupil_id);
    date[k] = dates.of(r.date);
    pm[k] = r.session === 'PM' ? 1 : 0;
    code[k] = codes.of(r.code);
  });
  return {
    count: rows.length,
    pupilIds: pupils.list,
    dates: dates.list,
    codes: codes.list,
    pupil,
    date,
    pm,
    code,
    history,
  };
}

export async function runRegisterAudit(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  q: { schoolId: string; from: string; to: string },
): Promise<RegisterAudit> {
  if (!isDate(q.from) || !isDate(q.to) || q.from > q.to)
    throw new AppError('VALIDATION', 'Give the first and last dates as YYYY-MM-DD, the first not after the last.', {
      fields: [{ field: 'from', message: 'Enter dates as YYYY-MM-DD, the first not after the last' }],
    });
  const school = await getSchool(deps.db, q.schoolId);
  authorise(actor, 'registers.audit', { kind: 'school', ...school });
  const cal = await schoolCalendar(deps, school.id);
  const today = deps.clock.today(school.timeZone);
  const timeNow = deps.clock.timeOfDay(school.timeZone);
  const asOf = q.to < today ? q.to : today;
  const sessions = dueSessions(cal, school, q.from, q.to, today, timeNow);
  const findings: Finding[] = [];

  // The marks and their history come from a per-process cache kept right by the analysis cache's
  // change feed (every mark written adds a history row; imports are audited); groups, pupils and
  // registers are read each time (they change without either).
  const [groups, pupilRows, marks, registers] = await Promise.all([
    schoolGroups(deps.db, school.id),
    schoolPupils(deps.db, school.id),
    rangeMarks(deps.db, school.id, q.from, q.to),
    sessionRegistersBetween(deps.db, school.id, q.from, q.to),
  ]);
  const groupName = new Map(groups.map((g) => [g.id, g.name]));
  const pupils: AuditPupil[] = pupilRows.map((p, index) => ({
    index,
    id: p.id,
    upn: p.upn,
    name: `${p.legal_forename} ${p.legal_surname}`,
    regGroupId: p.reg_group_id,
    admission: p.admission_date,
    leaving: p.leaving_date,
  }));
  const pupilById = new Map(pupils.map((p) => [p.id, p]));
  const onRoll = (p: AuditPupil, date: string) => p.admission <= date && (p.leaving === null || p.leaving >= date);
  const linkFor = (p: AuditPupil, date: string, session: string): Link[] => [
    ...(p.regGroupId
      ? [
          {
            text: `${groupName.get(p.regGroupId) ?? 'Register'} ${date} ${session}`,
            href: registerHref(p.regGroupId, date, session),
          },
        ]
      : []),
    { text: p.name, href: pupilHref(p.id) },
  ];

  // Which pupil has a mark on which due session: one byte per pupil and due session, found by the
  // pupil's and the day's index (a string key per mark cost most of this page; decision 0004).
  // The marks' pupils and dates are numbered in the cache; here each number is looked up once.
  const pupilIndex = new Map(pupils.map((p, i) => [p.id, i]));
  const dayIndex = new Map<string, number>();
  for (const s of sessions) if (!dayIndex.has(s.date)) dayIndex.set(s.date, dayIndex.size);
  const days = dayIndex.size;
  const pupilOf = Int32Array.from(marks.pupilIds, (id) => pupilIndex.get(id) ?? -1);
  const dayOf = Int32Array.from(marks.dates, (d) => dayIndex.get(d) ?? -1);
  const markedAt = new Uint8Array(pupils.length * days * 2);
  const markedPupil = new Uint8Array(pupils.length);
  for (let k = 0; k < marks.count; k++) {
    const i = pupilOf[marks.pupil[k]!]!;
    if (i < 0) continue;
    markedPupil[i] = 1;
    const d = dayOf[marks.date[k]!]!;
    if (d >= 0) markedAt[(i * days + d) * 2 + marks.pm[k]!] = 1;
  }
  /** The marks with one code, in the order they were read, as rows. */
  const withCode = (code: string): MarkRow[] => {
    const c = marks.codes.indexOf(code);
    const out: MarkRow[] = [];
    if (c < 0) return out;
    for (let k = 0; k < marks.count; k++)
      if (marks.code[k] === c)
        out.push({
          pupil_id: marks.pupilIds[marks.pupil[k]!]!,
          date: marks.dates[marks.date[k]!]!,
          session: marks.pm[k] === 1 ? 'PM' : 'AM',
          code,
        });
    return out;
  };
  const hasMark = (p: AuditPupil, date: string, session: string): boolean => {
    const d = dayIndex.get(date);
    return d !== undefined && markedAt[(p.index * days + d) * 2 + (session === 'PM' ? 1 : 0)] === 1;
  };
  // Register times repeat (a school's registers are taken at a few times a day): each instant is
  // turned into local time once.
  const localTimes = new Map<string, { date: string; time: string }>();
  const localTime = (iso: string): { date: string; time: string } => {
    let local = localTimes.get(iso);
    if (local === undefined) {
      local = localDateTime(iso, school.timeZone);
      localTimes.set(iso, local);
    }
    return local;
  };

  // Registers not taken, or taken after they closed ----------------------------------------------
  const takenAt = new Map<string, string | null>();
  for (const r of registers) takenAt.set(`${r.group_id} ${r.date} ${r.session}`, r.taken_at);
  const regGroups = groups.filter((g) => g.kind === 'registration');
  const byGroup = new Map<string, AuditPupil[]>();
  for (const p of pupils) {
    if (p.regGroupId === null) continue;
    const list = byGroup.get(p.regGroupId) ?? [];
    list.push(p);
    byGroup.set(p.regGroupId, list);
  }
  for (const g of regGroups) {
    const inGroup = byGroup.get(g.id) ?? [];
    for (const s of sessions) {
      const members = inGroup.filter((p) => onRoll(p, s.date));
      if (members.length === 0) continue;
      const links = [{ text: `${g.name} ${s.date} ${s.session}`, href: registerHref(g.id, s.date, s.session) }];
      const taken = takenAt.get(`${g.id} ${s.date} ${s.session}`);
      if (taken === undefined || taken === null) {
        findings.push({
          kind: 'registerNotTaken',
          date: s.date,
          session: s.session,
          groupName: g.name,
          pupilName: null,
          detail: `The ${s.session} register of ${g.name} was not taken (${members.length} pupils on roll).`,
          links,
        });
        continue;
      }
      const local = localTime(taken);
      const closes = school.policy.registerTimes[s.session].closes;
      if (local.date > s.date || (local.date === s.date && local.time > closes)) {
        findings.push({
          kind: 'registerTakenLate',
          date: s.date,
          session: s.session,
          groupName: g.name,
          pupilName: null,
          detail: `Taken at ${local.time}${local.date === s.date ? '' : ` on ${local.date}`}; the register closes at ${closes}.`,
          links,
        });
      }
      const missing = members.filter((p) => !hasMark(p, s.date, s.session));
      if (missing.length > 0) {
        findings.push({
          kind: 'missingMarks',
          date: s.date,
          session: s.session,
          groupName: g.name,
          pupilName: null,
          detail: `${missing.length} pupil${missing.length === 1 ? ' has' : 's have'} no mark: ${missing.map((p) => p.name).join(', ')}.`,
          links,
        });
      }
    }
  }
  // Pupils on roll without a registration group, with sessions unmarked.
  for (const p of pupils) {
    if (p.regGroupId !== null) continue;
    const missing = sessions.filter((s) => onRoll(p, s.date) && !hasMark(p, s.date, s.session));
    if (missing.length === 0 || missing.length === sessions.filter((s) => onRoll(p, s.date)).length) continue;
    findings.push({
      kind: 'missingMarks',
      date: missing[0]!.date,
      session: missing[0]!.session,
      groupName: null,
      pupilName: p.name,
      detail: `${p.name} (no registration group) has no mark for ${missing.length} session${missing.length === 1 ? '' : 's'}, from ${missing[0]!.date} ${missing[0]!.session}.`,
      links: [{ text: p.name, href: pupilHref(p.id) }],
    });
  }

  // N older than 5 school days ------------------------------------------------------------------
  const asOfDay = lastDayOnOrBefore(cal, asOf);
  for (const m of withCode('N')) {
    const day = cal.dayByDate.get(m.date as PlainDate);
    const p = pupilById.get(m.pupil_id);
    if (day === undefined || !p || asOfDay - day <= N_SCHOOL_DAYS) continue;
    findings.push({
      kind: 'staleN',
      date: m.date,
      session: m.session as Session,
      groupName: p.regGroupId ? (groupName.get(p.regGroupId) ?? null) : null,
      pupilName: p.name,
      detail: `${p.name}: N on ${m.date} ${m.session} is ${asOfDay - day} school days old; it must be replaced within ${N_SCHOOL_DAYS}.`,
      links: linkFor(p, m.date, m.session),
    });
  }

  // # on open sessions: a school session (closures are not school sessions) ----------------------
  const open = new Set(sessions.map((s) => `${s.date} ${s.session}`));
  for (const m of withCode('#')) {
    if (!open.has(`${m.date} ${m.session}`)) continue;
    const p = pupilById.get(m.pupil_id);
    if (!p) continue;
    findings.push({
      kind: 'closureCodeOnOpenSession',
      date: m.date,
      session: m.session as Session,
      groupName: p.regGroupId ? (groupName.get(p.regGroupId) ?? null) : null,
      pupilName: p.name,
      detail: `${p.name}: # on ${m.date} ${m.session}, but the calendar has the school open then.`,
      links: linkFor(p, m.date, m.session),
    });
  }

  // B, C and I on Mondays and Fridays -----------------------------------------------------------
  const monFri = (d: string) => {
    const w = isoWeekday(d as PlainDate);
    return w === 1 || w === 5;
  };
  const calendarShare = sessions.length === 0 ? 0 : sessions.filter((s) => monFri(s.date)).length / sessions.length;
  for (const code of PATTERN_CODES) {
    const coded = withCode(code).filter((m) => open.has(`${m.date} ${m.session}`));
    if (coded.length < PATTERN_MIN_MARKS || calendarShare === 0) continue;
    const onMonFri = coded.filter((m) => monFri(m.date));
    const share = onMonFri.length / coded.length;
    if (share < calendarShare * PATTERN_RATIO) continue;
    const byPupil = new Map<string, number>();
    for (const m of onMonFri) byPupil.set(m.pupil_id, (byPupil.get(m.pupil_id) ?? 0) + 1);
    const top = [...byPupil.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
    findings.push({
      kind: 'unusualCodePattern',
      date: null,
      session: null,
      groupName: null,
      pupilName: null,
      detail: `${code}: ${onMonFri.length} of ${coded.length} sessions (${Math.round(share * 100)}%) fall on Mondays and Fridays, where the calendar puts ${Math.round(calendarShare * 100)}% of sessions.`,
      links: top.flatMap(([id, n]) => {
        const p = pupilById.get(id);
        return p ? [{ text: `${p.name} (${n})`, href: pupilHref(p.id) }] : [];
      }),
    });
  }

  // History: L after the close without a reason, amendments without a reason --------------------
  const history = marks.history;
  for (const h of history) {
    const p = pupilById.get(h.pupil_id);
    if (!p || !blank(h.reason)) continue;
    const session = h.session as Session;
    const local = localTime(h.at);
    const closes = school.policy.registerTimes[session].closes;
    if (h.new_code === 'L' && (local.date > h.date || (local.date === h.date && local.time > closes))) {
      findings.push({
        kind: 'lateAfterCloseWithoutReason',
        date: h.date,
        session,
        groupName: p.regGroupId ? (groupName.get(p.regGroupId) ?? null) : null,
        pupilName: p.name,
        detail: `${p.name}: L recorded by ${h.user_name} at ${local.time}${local.date === h.date ? '' : ` on ${local.date}`}, after the ${closes} close, with no reason (after the close it is U unless a reason is recorded).`,
        links: linkFor(p, h.date, session),
      });
    } else if (h.previous_code !== null && h.previous_code !== h.new_code) {
      findings.push({
        kind: 'amendmentWithoutReason',
        date: h.date,
        session,
        groupName: p.regGroupId ? (groupName.get(p.regGroupId) ?? null) : null,
        pupilName: p.name,
        detail: `${p.name}: ${h.previous_code} changed to ${h.new_code} by ${h.user_name} on ${local.date} at ${local.time} with no reason.`,
        links: linkFor(p, h.date, session),
      });
    }
  }

  // Pupils on roll with no marks; pupils marked after leaving -----------------------------------
  for (const p of pupils) {
    const due = sessions.filter((s) => onRoll(p, s.date)).length;
    if (due > 0 && markedPupil[p.index] !== 1) {
      findings.push({
        kind: 'onRollWithoutMarks',
        date: null,
        session: null,
        groupName: p.regGroupId ? (groupName.get(p.regGroupId) ?? null) : null,
        pupilName: p.name,
        detail: `${p.name} (${p.upn}) was on roll for ${due} session${due === 1 ? '' : 's'} in the period and has no mark at all.`,
        links: [{ text: p.name, href: pupilHref(p.id) }],
      });
    }
  }
  const afterLeaving = new Map<string, { first: string; session: string; n: number }>();
  const leaverOf = Array.from(marks.pupilIds, (id) => {
    const p = pupilById.get(id);
    return p && p.leaving !== null ? p : undefined;
  });
  for (let k = 0; k < marks.count; k++) {
    const p = leaverOf[marks.pupil[k]!];
    const date = marks.dates[marks.date[k]!]!;
    if (!p || date <= p.leaving!) continue;
    const session = marks.pm[k] === 1 ? 'PM' : 'AM';
    const seen = afterLeaving.get(p.id);
    if (!seen) afterLeaving.set(p.id, { first: date, session, n: 1 });
    else {
      seen.n++;
      if (date < seen.first) {
        seen.first = date;
        seen.session = session;
      }
    }
  }
  for (const [id, a] of afterLeaving) {
    const p = pupilById.get(id)!;
    findings.push({
      kind: 'markedAfterLeaving',
      date: a.first,
      session: a.session as Session,
      groupName: p.regGroupId ? (groupName.get(p.regGroupId) ?? null) : null,
      pupilName: p.name,
      detail: `${p.name} left on ${p.leaving ?? ''} but has ${a.n} mark${a.n === 1 ? '' : 's'} after that, from ${a.first}.`,
      links: linkFor(p, a.first, a.session),
    });
  }

  const order = new Map(FINDING_KINDS.map((k, i) => [k, i]));
  findings.sort(
    (a, b) =>
      order.get(a.kind)! - order.get(b.kind)! ||
      (a.date ?? '').localeCompare(b.date ?? '') ||
      (a.session ?? '').localeCompare(b.session ?? '') ||
      (a.groupName ?? '').localeCompare(b.groupName ?? '') ||
      (a.pupilName ?? '').localeCompare(b.pupilName ?? ''),
  );
  const counts = Object.fromEntries(FINDING_KINDS.map((k) => [k, 0])) as Record<FindingKind, number>;
  for (const f of findings) counts[f.kind]++;
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'registers.audit',
    entityType: 'school',
    entityId: school.id,
    schoolId: school.id,
    details: { from: q.from, to: q.to, counts },
  });
  return {
    school: { id: school.id, urn: school.urn, name: school.name },
    from: q.from,
    to: q.to,
    asOf,
    findings,
    counts,
  };
}

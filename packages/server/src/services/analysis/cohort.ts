/**
 * Long on purpose: the loader and its cache invalidation belong together: each cache
 * check is only right beside the read it guards (the snapshots' figures, `storedSchoolTotals`,
 * included: they hold on the same watermarks).
 *
 * The analysis loader: a school's compiled calendar and, for every pupil on roll at some point in
 * a period, the pupil's row fields and compact marks (decision 0001), read once and kept in memory
 * per process. Dashboards, trust and LA views and the analysis UI all start here.
 *
 * The cache is checked on every call against what the database says changed, so it is right
 * across processes without any write path having to call it:
 * - a mark written anywhere (register, office, parent report, import, demo) appends a
 *   `mark_history` row, whose id (UUIDv7) is time-ordered: history rows not seen at the last check
 *   name the pupils, hence the schools, whose marks changed. Ids are ordered by the writer's clock,
 *   not by commit, so each check also counts the rows within a margin below the newest seen
 *   (`LATE_COMMIT_MARGIN_MS`) and reads those it has not seen: a row committed late, by this
 *   process or another, is still found;
 * - pupils, terms and closures change only through an import (or the demo loader), each audited
 *   with the school's id: new `audit_log` rows with those actions name the schools to reload.
 * Both checks are `max(id)` and a count over the margin's range of a primary key, then a range
 * scan of only the rows not seen. Marks
 * written since a cohort was read (up to 20,000 at a time; more, as after an import, and the
 * schools are read again) are laid over copies of the changed pupils' arrays: registers taken
 * across a local authority through the day cost a patch, not a reread of each school.
 */
import {
  academicYearOf,
  firstSessionOnOrAfter,
  lastSessionOnOrBefore,
  sessionIndex,
  type PlainDate,
  type PupilMarks,
  type SchoolCalendar,
  type Session,
  type SummaryTotals,
} from '@rollcall/domain';
import {
  auditRowsAbove,
  countIdsAbove,
  historyIdsAbove,
  historyRowsBetween,
  historySchoolsAbove,
  newestId,
  type HistoryChangeRow,
} from '../../db/analysis/cohort-changes.js';
import {
  cohortPupilRows,
  countSchoolHistoryBetween,
  historyOfSchoolsAbove,
  historyRowsFrom,
  periodMarkRows,
  rollChangedSince,
  rollChangesOfSchools,
  type CohortPupilRow,
} from '../../db/analysis/cohort-rows.js';
import {
  readSnapshot,
  readSnapshotCounts,
  readSnapshotFigures,
  readSnapshotPayloads,
} from '../../db/analysis/cohort-snapshots.js';
import type { Db } from '../../db/connect.js';
import { findSchool, loadCalendar, loadCalendars } from '../school/schools.js';
import type { Deps } from '../deps.js';
import { codeId, figuresWithMarks, type MarkWritten } from './figures-delta.js';
import { schoolTotalsAndCounts } from './measure.js';
import {
  calendarFingerprint,
  decodeFigures,
  decodePupilCounts,
  decodeSnapshot,
  decodeSnapshotCodes,
  encodeFigures,
  encodePupilCounts,
  encodeSnapshot,
  flushSnapshots,
  scheduleSnapshot,
  type SnapshotCodes,
  type SnapshotMarks,
} from './snapshots.js';

/**
 * Audit actions after which a school's pupils or calendar may have changed: an import, the demo,
 * retention, and the admission register's own changes (a pupil admitted, a deletion's leaving
 * date, an edited admission date).
 */
const ROLL_CHANGING_ACTIONS = [
  'import',
  'demo.create',
  'retention.run',
  'admission.admit',
  'admission.delete',
  'admissionRegister.edit',
] as const;

/** The figures a snapshot keeps are for this day in this time zone (the trust and LA views' "today"). */
const FIGURES_TIME_ZONE = 'Europe/London';

/** One pupil of a cohort: the row fields analysis groups by, and the marks. */
export interface CohortPupil {
  readonly id: string;
  readonly upn: string;
  /** Preferred names when the school has them, else legal. */
  readonly forename: string;
  readonly surname: string;
  readonly gender: string | null;
  readonly ethnicity: string | null;
  readonly yearGroup: string | null;
  readonly regGroupId: string | null;
  readonly regGroupName: string | null;
  readonly admissionDate: PlainDate;
  readonly leavingDate: PlainDate | null;
  /** 'N' none, 'K' SEN support, 'E' EHC plan. */
  readonly senStatus: string;
  readonly ehcp: boolean;
  readonly fsm: boolean;
  readonly pupilPremium: boolean;
  readonly eal: boolean;
  readonly cin: boolean;
  readonly cp: boolean;
  readonly lac: boolean;
  readonly previouslyLac: boolean;
  readonly youngCarer: boolean;
  readonly socialWorker: boolean;
  /** Codes per school session, minutes late (only when the pupil has any), sessions on roll. */
  readonly marks: PupilMarks;
}

export interface Cohort {
  readonly schoolId: string;
  readonly cal: SchoolCalendar;
  readonly from: PlainDate;
  readonly to: PlainDate;
  /** Pupils on roll on some day from `from` to `to`, by surname, forename, id. */
  readonly pupils: readonly CohortPupil[];
  /** Changes whenever the school's marks, pupils or calendar change (for caches built on top). */
  readonly version: number;
}

/** One mark written since a cohort was read (from `mark_history`). */
interface MarkChange {
  readonly pupilId: string;
  readonly date: string;
  readonly session: string;
  readonly code: string;
  readonly minutesLate: number | null;
}

/** What moved a school to a version: the marks written, or null when it must be read again. */
interface LogEntry {
  readonly version: number;
  readonly changes: readonly MarkChange[] | null;
}

interface Tracker {
  /** The newest `mark_history` and `audit_log` ids seen (null before the first check). */
  markStamp: string | null;
  auditStamp: string | null;
  /** History ids (all) and roll-changing audit ids seen within the margin below each stamp. */
  readonly markSeen: Set<string>;
  readonly auditSeen: Set<string>;
  readonly versions: Map<string, number>;
  /** Per school, the latest versions' changes, so a cached cohort is patched rather than read again. */
  readonly log: Map<string, LogEntry[]>;
  /** Serialises checks so that concurrent requests do not bump twice. */
  pending: Promise<void>;
}

interface CacheEntry {
  readonly version: number;
  readonly cohort: Promise<Cohort>;
}

const trackers = new WeakMap<Db, Tracker>();
const caches = new WeakMap<Db, Map<string, CacheEntry>>();
/** Cohorts kept per database (a local authority's schools, a few periods each). */
const MAX_ENTRIES = 400;

/**
 * How far behind the newest id seen each check looks again. Ids are UUIDv7, ordered by the clock
 * of the process that made them when the row was written, not by commit: a row written early in a
 * transaction that commits after another process has read past it sorts below that process's
 * watermark. Every check therefore counts the rows whose id's time is within this margin of the
 * newest seen, and reads those it has not seen (their ids are remembered for the margin). A
 * transaction held open longer than this (none is: register saves take milliseconds, an import
 * writes its audit row, which reloads the school, in the same transaction) would still be missed.
 */
export const LATE_COMMIT_MARGIN_MS = 5 * 60_000;

/**
 * The smallest id a UUIDv7 made `marginMs` before `id` could have (its time minus the margin, the
 * rest zeros), or `id` itself when it is not a UUIDv7 (no margin is then possible).
 */
export function idFloor(id: string, marginMs: number = LATE_COMMIT_MARGIN_MS): string {
  const ms = /^[0-9a-f]{8}-[0-9a-f]{4}-7/i.test(id) ? parseInt(id.slice(0, 8) + id.slice(9, 13), 16) : NaN;
  if (Number.isNaN(ms)) return id;
  const hex = Math.max(0, ms - marginMs)
    .toString(16)
    .padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}-0000-0000-000000000000`;
}

/** Drops remembered ids that have fallen behind the margin of the newest seen. */
function prune(seen: Set<string>, stamp: string): void {
  const floor = idFloor(stamp);
  for (const id of seen) if (id <= floor) seen.delete(id);
}

/** Marks read back from the history in one check; more (an import) and the schools are read again. */
const MAX_PATCH_ROWS = 20_000;
/** Versions remembered per school; a cohort older than that is read again. */
const MAX_LOG = 64;

function bump(t: Tracker, schoolId: string | null, changes: readonly MarkChange[] | null): void {
  if (schoolId === null) return;
  const version = (t.versions.get(schoolId) ?? 0) + 1;
  t.versions.set(schoolId, version);
  const log = t.log.get(schoolId) ?? [];
  log.push({ version, changes });
  if (log.length > MAX_LOG) log.shift();
  t.log.set(schoolId, log);
}

async function checkMarks(db: Db, t: Tracker): Promise<void> {
  if (t.markStamp === null || t.markStamp === '') {
    // The first check only notes where the table ends (nothing is cached yet) and the ids within
    // the margin, so that a row committed late below them is told from one already read.
    const stamp = await newestId(db, 'mark_history');
    if (stamp !== null && t.markStamp === '') {
      // The table was empty at the last check: everything in it is new.
      await applyHistory(db, t, await historyRowsBetween(db, '', null, MAX_PATCH_ROWS + 1), '');
    } else if (stamp !== null) {
      for (const id of await historyIdsAbove(db, idFloor(stamp))) t.markSeen.add(id);
    }
    t.markStamp = stamp ?? '';
    return;
  }
  const floor = idFloor(t.markStamp);
  const [stamp, inWindow] = await Promise.all([newestId(db, 'mark_history'), countIdsAbove(db, 'mark_history', floor)]);
  const unseen = inWindow - t.markSeen.size;
  if (unseen <= 0 && stamp === t.markStamp) return;
  const newer = await historyRowsBetween(db, t.markStamp, null, MAX_PATCH_ROWS + 1);
  // Rows below the stamp not seen yet: written before rows already read, committed after.
  const late =
    unseen > newer.length && newer.length <= MAX_PATCH_ROWS
      ? (await historyRowsBetween(db, floor, t.markStamp, t.markSeen.size + MAX_PATCH_ROWS + 1)).filter(
          (r) => !t.markSeen.has(r.id),
        )
      : [];
  await applyHistory(db, t, [...late, ...newer], floor);
  if (stamp !== null && stamp > t.markStamp) t.markStamp = stamp;
  prune(t.markSeen, t.markStamp);
}

/** Lays history rows not seen before onto the schools' logs (or has the schools read again). */
async function applyHistory(db: Db, t: Tracker, rows: readonly HistoryChangeRow[], floor: string): Promise<void> {
  if (rows.length > MAX_PATCH_ROWS) {
    // Too many to patch (an import): read again every school that has any, and note their ids.
    const all = await historySchoolsAbove(db, floor);
    const schools = new Set<string>();
    for (const r of all) {
      if (!t.markSeen.has(r.id)) schools.add(r.school_id);
      t.markSeen.add(r.id);
      if (t.markStamp === null || r.id > t.markStamp) t.markStamp = r.id;
    }
    for (const s of schools) bump(t, s, null);
    return;
  }
  // Session marks only (lesson marks carry their lesson), in the order they were found.
  const bySchool = new Map<string, MarkChange[]>();
  for (const r of rows) {
    t.markSeen.add(r.id);
    if (t.markStamp === null || r.id > t.markStamp) t.markStamp = r.id;
    const list = bySchool.get(r.school_id) ?? [];
    if (r.lesson_id === null)
      list.push({
        pupilId: r.pupil_id,
        date: r.date,
        session: r.session,
        code: r.new_code,
        minutesLate: r.new_minutes_late === null ? null : Number(r.new_minutes_late),
      });
    bySchool.set(r.school_id, list);
  }
  for (const [schoolId, changes] of bySchool) bump(t, schoolId, changes);
}

async function checkAudit(db: Db, t: Tracker): Promise<void> {
  const first = t.auditStamp === null || t.auditStamp === '';
  const floor = first ? '' : idFloor(t.auditStamp!);
  const [stamp, inWindow] = await Promise.all([
    newestId(db, 'audit_log'),
    first ? Promise.resolve(-1) : countIdsAbove(db, 'audit_log', floor, ROLL_CHANGING_ACTIONS),
  ]);
  if (!first && inWindow === t.auditSeen.size) {
    if (stamp !== null) t.auditStamp = stamp;
    prune(t.auditSeen, t.auditStamp!);
    return;
  }
  if (first && t.auditStamp === null) {
    // Only where the log ends, and the roll-changing rows within the margin.
    if (stamp !== null) {
      const ids = await auditRowsAbove(db, idFloor(stamp), ROLL_CHANGING_ACTIONS);
      for (const r of ids) t.auditSeen.add(r.id);
    }
    t.auditStamp = stamp ?? '';
    return;
  }
  const rows = await auditRowsAbove(db, floor, ROLL_CHANGING_ACTIONS);
  const schools = new Set<string>();
  for (const r of rows) {
    if (t.auditSeen.has(r.id)) continue;
    t.auditSeen.add(r.id);
    if (r.school_id !== null) schools.add(r.school_id);
  }
  for (const s of schools) bump(t, s, null);
  if (stamp !== null && (t.auditStamp === null || stamp > t.auditStamp)) t.auditStamp = stamp;
  if (t.auditStamp) prune(t.auditSeen, t.auditStamp);
}

async function check(db: Db, t: Tracker): Promise<void> {
  await Promise.all([checkMarks(db, t), checkAudit(db, t)]);
}

/**
 * The current change version of each school (one cheap check of the database per call, shared by
 * concurrent callers).
 */
export async function schoolVersions(db: Db): Promise<ReadonlyMap<string, number>> {
  return (await tracked(db)).versions;
}

async function tracked(db: Db): Promise<Tracker> {
  let t = trackers.get(db);
  if (!t) {
    t = {
      markStamp: null,
      auditStamp: null,
      markSeen: new Set(),
      auditSeen: new Set(),
      versions: new Map(),
      log: new Map(),
      pending: Promise.resolve(),
    };
    trackers.set(db, t);
  }
  const tracker = t;
  const run = tracker.pending.then(() => check(db, tracker));
  tracker.pending = run.catch(() => undefined);
  await run;
  return tracker;
}

/** Forgets a database's cached cohorts (tests, and after restoring a database). */
export function forgetCohorts(db: Db): void {
  caches.delete(db);
  trackers.delete(db);
  storedKept.delete(db);
}

/**
 * A school's cohort for a period: calendar, pupils on roll at some point from `from` to `to`, and
 * their marks dated in the period. Cached per process; patched after marks are written, read
 * again after the school's pupils or calendar change.
 */
export async function loadCohort(
  deps: Pick<Deps, 'db'> & Partial<Pick<Deps, 'clock' | 'logger'>>,
  schoolId: string,
  period: { from: PlainDate; to: PlainDate },
  options: { checked?: boolean } = {},
): Promise<Cohort> {
  // `checked`: the caller has just called `schoolVersions` (a view over many schools checks once).
  const tracker =
    options.checked === true ? (trackers.get(deps.db) ?? (await tracked(deps.db))) : await tracked(deps.db);
  const version = tracker.versions.get(schoolId) ?? 0;
  let cache = caches.get(deps.db);
  if (!cache) {
    cache = new Map();
    caches.set(deps.db, cache);
  }
  const key = `${schoolId}|${period.from}|${period.to}`;
  const hit = cache.get(key);
  let cohort: Promise<Cohort>;
  if (hit && hit.version === version) {
    // Most recently used last, so the oldest is evicted first.
    cache.delete(key);
    cache.set(key, hit);
    return hit.cohort;
  }
  const log = (tracker.log.get(schoolId) ?? []).filter((e) => hit && e.version > hit.version && e.version <= version);
  const patchable = hit !== undefined && log.length === version - hit.version && log.every((e) => e.changes !== null);
  if (patchable) {
    const changes = log.flatMap((e) => e.changes!);
    cohort = hit.cohort.then((c) => patchCohort(c, changes, version));
  } else {
    cohort = coldCohort(deps, schoolId, period, version, {
      mark: tracker.markStamp ?? '',
      audit: tracker.auditStamp ?? '',
    });
  }
  cache.delete(key);
  cache.set(key, { version, cohort });
  cohort.catch(() => {
    if (cache.get(key)?.cohort === cohort) cache.delete(key);
  });
  while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  return cohort;
}

/**
 * History rows read to check stored figures (and laid over them); more and none are used. A
 * morning's registers across an LA of 60,000 pupils are 60,000 rows, the whole day's 120,000.
 */
const MAX_FIGURES_HISTORY = 150_000;

/**
 * Totals handed out by `storedSchoolTotals`, per database and school, with the school's change
 * version then: while the version holds (no mark, roll or calendar change seen since), the next
 * view reuses them without reading the snapshots again. Cleared by `forgetCohorts`.
 */
const storedKept = new WeakMap<
  Db,
  Map<string, { version: number; asOf: PlainDate; minPossibleSessions: number; totals: SummaryTotals }>
>();

/**
 * The figures kept with these schools' snapshots (`SnapshotFigures`: the added-up counts of their
 * pupils' measures for the academic year to `asOf`), for each school whose cohort for that year
 * is not in this process's memory and for which nothing the figures rest on changed since they
 * were computed but marks: the same day and minimum of possible sessions, the same calendar, no
 * import, demo, retention run or admission register change since (with the margin below the audit
 * watermark), and exactly the history rows the marks included in the margin below the mark
 * watermark (a row committed late shows as one more). Marks written since (history rows above the
 * watermark: the morning's registers, an amended past mark) are laid over the measured pupils'
 * counts kept with the snapshot (`figuresWithMarks`). A school left out is measured from its
 * cohort as before. A handful of queries for all the schools, whatever their number; no pupil
 * row is read, and a school's packed marks only when marks were written since.
 */
export async function storedSchoolTotals(
  deps: Pick<Deps, 'db'>,
  schools: readonly { readonly id: string; readonly minPossibleSessions: number }[],
  asOf: PlainDate,
): Promise<Map<string, SummaryTotals>> {
  const db = deps.db;
  const out = new Map<string, SummaryTotals>();
  const year = academicYearOf(asOf);
  const cache = caches.get(db);
  const versions = trackers.get(db)?.versions;
  let kept = storedKept.get(db);
  if (!kept) {
    kept = new Map();
    storedKept.set(db, kept);
  }
  const wanted = new Map<string, number>();
  for (const s of schools) {
    if (cache?.has(`${s.id}|${year.start}|${year.end}`)) continue;
    const k = kept.get(s.id);
    if (
      k !== undefined &&
      versions !== undefined &&
      k.version === (versions.get(s.id) ?? 0) &&
      k.asOf === asOf &&
      k.minPossibleSessions === s.minPossibleSessions
    )
      out.set(s.id, k.totals);
    else wanted.set(s.id, s.minPossibleSessions);
  }
  if (wanted.size === 0) return out;
  // The versions before reading: a change seen later makes the totals be read again.
  const versionAt = new Map([...wanted.keys()].map((id) => [id, versions?.get(id) ?? 0]));
  const candidates = (await readSnapshotFigures(db, [...wanted.keys()], year.start)).flatMap((row) => {
    const figures = decodeFigures(row.figures);
    return figures !== null && figures.asOf === asOf && figures.minPossibleSessions === wanted.get(row.schoolId)
      ? [{ row, figures, markFloor: idFloor(row.markWatermark), auditFloor: idFloor(row.auditWatermark) }]
      : [];
  });
  if (candidates.length === 0) return out;
  const ids = candidates.map((c) => c.row.schoolId);
  const lowest = (floors: string[]) => floors.reduce((a, b) => (b < a ? b : a));
  const [calendars, rollChanges, history] = await Promise.all([
    loadCalendars(db, ids),
    rollChangesOfSchools(db, ids, ROLL_CHANGING_ACTIONS, lowest(candidates.map((c) => c.auditFloor))),
    historyOfSchoolsAbove(db, ids, lowest(candidates.map((c) => c.markFloor)), MAX_FIGURES_HISTORY + 1),
  ]);
  if (history.length > MAX_FIGURES_HISTORY) return out;
  const newestAudit = new Map(rollChanges.map((r) => [r.school_id, r.id]));
  const historyOf = new Map<string, (typeof history)[number][]>();
  for (const h of history) {
    const list = historyOf.get(h.school_id);
    if (list) list.push(h);
    else historyOf.set(h.school_id, [h]);
  }
  const found = new Map<string, SummaryTotals>();
  const withMarks: {
    schoolId: string;
    cal: SchoolCalendar;
    totals: SummaryTotals;
    written: MarkWritten[];
    /** The snapshot the figures came from: its counts and marks must be the same one's. */
    snapshot: { markWatermark: string; auditWatermark: string };
  }[] = [];
  for (const { row, figures, markFloor, auditFloor } of candidates) {
    const cal = calendars.get(row.schoolId);
    if (cal === undefined || calendarFingerprint(cal) !== row.calendarFingerprint) continue;
    const audit = newestAudit.get(row.schoolId);
    if (audit !== undefined && audit > auditFloor) continue;
    const rows = (historyOf.get(row.schoolId) ?? []).filter((h) => h.id > markFloor);
    const since = rows.filter((h) => h.id > row.markWatermark);
    if (rows.length - since.length !== figures.historyInMargin) continue;
    if (since.length === 0) found.set(row.schoolId, figures.totals);
    else
      withMarks.push({
        schoolId: row.schoolId,
        cal,
        totals: figures.totals,
        written: since,
        snapshot: { markWatermark: row.markWatermark, auditWatermark: row.auditWatermark },
      });
  }
  if (withMarks.length > 0) {
    // A snapshot written again since its figures were read (another process, a refresh) is not
    // the one the figures came from: such a school is measured instead.
    const sameSnapshot = (
      w: (typeof withMarks)[number],
      r: { readonly markWatermark: string; readonly auditWatermark: string },
    ) => r.markWatermark === w.snapshot.markWatermark && r.auditWatermark === w.snapshot.auditWatermark;
    const bySchool = new Map(withMarks.map((w) => [w.schoolId, w]));
    const countsOf = new Map(
      (
        await readSnapshotCounts(
          db,
          withMarks.map((w) => w.schoolId),
          year.start,
        )
      )
        .filter((b) => sameSnapshot(bySchool.get(b.schoolId)!, b))
        .map((b) => [b.schoolId, decodePupilCounts(b.pupilCounts)]),
    );
    const laid = (w: (typeof withMarks)[number], marks: SnapshotCodes | null) =>
      figuresWithMarks({
        cal: w.cal,
        period: { from: year.start, to: year.end },
        minPossibleSessions: wanted.get(w.schoolId)!,
        totals: w.totals,
        counts: countsOf.get(w.schoolId)!,
        marks,
        written: w.written,
      });
    const needMarks: (typeof withMarks)[number][] = [];
    for (const w of withMarks) {
      if (!countsOf.get(w.schoolId)) continue;
      const totals = laid(w, null);
      if (totals === 'marks') needMarks.push(w);
      else if (totals !== null) found.set(w.schoolId, totals);
    }
    // Marks written before the last sessions kept with the counts (an amended past mark): the
    // codes they replace are read from the packed marks, inflated together (zlib's thread pool).
    if (needMarks.length > 0) {
      const payloads = await readSnapshotPayloads(
        db,
        needMarks.map((w) => w.schoolId),
        year.start,
      );
      const decoded = await Promise.all(
        payloads
          .filter((p) => sameSnapshot(bySchool.get(p.schoolId)!, p))
          .map(async (p) => [p.schoolId, await decodeSnapshotCodes(p.payload)] as const),
      );
      for (const [schoolId, marks] of decoded) {
        const w = needMarks.find((x) => x.schoolId === schoolId)!;
        const totals = marks === null ? null : laid(w, marks);
        if (totals !== null && totals !== 'marks') found.set(schoolId, totals);
      }
    }
  }
  for (const [schoolId, totals] of found) {
    out.set(schoolId, totals);
    // Kept only once the changes are tracked (before the first check, a mark would not move a version).
    if (versions !== undefined)
      kept.set(schoolId, {
        version: versionAt.get(schoolId)!,
        asOf,
        minPossibleSessions: wanted.get(schoolId)!,
        totals,
      });
  }
  return out;
}

/** A new cohort with the marks written since laid over copies of the changed pupils' arrays. */
function patchCohort(c: Cohort, changes: readonly MarkChange[], version: number): Cohort {
  const byPupil = new Map<string, MarkChange[]>();
  for (const m of changes) {
    if (m.date < c.from || m.date > c.to) continue;
    byPupil.set(m.pupilId, [...(byPupil.get(m.pupilId) ?? []), m]);
  }
  const ids = new Map<string, number>();
  const pupils = c.pupils.map((p) => {
    const mine = byPupil.get(p.id);
    if (!mine) return p;
    const codes = new Uint8Array(p.marks.codes);
    let minutesLate = p.marks.minutesLate ? new Uint16Array(p.marks.minutesLate) : undefined;
    for (const m of mine) {
      const s = sessionIndex(c.cal, m.date as PlainDate, m.session as Session);
      if (s < 0) continue;
      codes[s] = codeId(ids, m.code, m.date);
      if (m.minutesLate) {
        minutesLate ??= new Uint16Array(codes.length);
        minutesLate[s] = m.minutesLate;
      } else if (minutesLate) minutesLate[s] = 0;
    }
    return { ...p, marks: { ...p.marks, codes, minutesLate } };
  });
  return { ...c, pupils, version };
}

/** History rows applied to a snapshot on a cold load; more and the school is read in full. */
const MAX_SNAPSHOT_DELTA = 50_000;
/** A snapshot this far behind the history is written again after it has been used. */
const SNAPSHOT_REFRESH_ROWS = 5_000;

/** Snapshots cover whole academic years (the dashboards' and reports' default period). */
function snapshotYear(period: { from: PlainDate; to: PlainDate }): PlainDate | null {
  const year = academicYearOf(period.from);
  return year.start === period.from && year.end === period.to ? year.start : null;
}

/**
 * A cohort not in memory: from the school's persisted snapshot when it is usable (same calendar,
 * no import since, not too far behind), with the marks written since laid over it; else read in
 * full. Either way a snapshot is (re)written after the request, when it was missing or stale.
 */
async function coldCohort(
  deps: Pick<Deps, 'db'> & Partial<Pick<Deps, 'clock' | 'logger'>>,
  schoolId: string,
  period: { from: PlainDate; to: PlainDate },
  version: number,
  stamps: { mark: string; audit: string },
): Promise<Cohort> {
  return (await coldLoad(deps, schoolId, period, version, stamps)).cohort;
}

async function coldLoad(
  deps: Pick<Deps, 'db'> & Partial<Pick<Deps, 'clock' | 'logger'>>,
  schoolId: string,
  period: { from: PlainDate; to: PlainDate },
  version: number,
  stamps: { mark: string; audit: string },
): Promise<{ cohort: Cohort; snapshotWritten: boolean }> {
  const db = deps.db;
  const yearStart = snapshotYear(period);
  if (yearStart === null) return { cohort: await readCohort(db, schoolId, period, version), snapshotWritten: false };
  const clock = deps.clock;
  const [cal, pupilRows, snapshot, school] = await Promise.all([
    loadCalendar(db, schoolId),
    cohortPupilRows(db, schoolId, period),
    readSnapshot(db, schoolId, yearStart),
    clock ? findSchool(db, schoolId) : Promise.resolve(undefined),
  ]);
  const fingerprint = calendarFingerprint(cal);
  const fromSnapshot =
    snapshot !== null && snapshot.calendarFingerprint === fingerprint
      ? await applySnapshot(db, schoolId, period, version, cal, pupilRows, snapshot)
      : null;
  // The school's history rows in the margin below the watermark that the marks include (the
  // figures are usable while that count holds: see `storedSchoolTotals`). For a full read they
  // are counted before the marks are read, so that every row counted is in the marks.
  let inMargin = fromSnapshot?.inMargin ?? null;
  let cohort = fromSnapshot?.cohort;
  if (cohort === undefined) {
    if (clock && school) {
      const floor = idFloor(stamps.mark);
      inMargin = floor === stamps.mark ? 0 : await countSchoolHistoryBetween(db, schoolId, floor, stamps.mark);
    }
    cohort = await readCohort(db, schoolId, period, version, { cal, pupilRows });
  }
  // The figures kept with the snapshot are for today, in the snapshot's academic year.
  const today = clock?.today(FIGURES_TIME_ZONE);
  const figuresWanted = today !== undefined && school !== undefined && academicYearOf(today).start === yearStart;
  const kept = decodeFigures(snapshot?.figures ?? null);
  // Figures for another day (the nightly job's snapshots, each morning) or another minimum of
  // possible sessions are written again; figures with marks written since are not: they would
  // hold only until the school's next mark (they are simply not used meanwhile).
  const figuresCurrent =
    kept !== null && kept.asOf === today && kept.minPossibleSessions === school?.policy.minPossibleSessions;
  const stale =
    fromSnapshot === null || fromSnapshot.applied > SNAPSHOT_REFRESH_ROWS || (figuresWanted && !figuresCurrent);
  if (stale && clock) {
    // A full read is current to the stamps checked before it; a snapshot brought up to date is
    // current to the newest history row applied (the audit log was checked up to `stamps.audit`).
    const markWatermark = fromSnapshot?.watermark ?? stamps.mark;
    const built = cohort;
    scheduleSnapshot(
      db,
      async () => ({
        schoolId,
        yearStart,
        markWatermark,
        auditWatermark: stamps.audit,
        calendarFingerprint: fingerprint,
        pupilCount: built.pupils.length,
        payload: await encodeSnapshot(
          built.pupils.map((p) => ({ id: p.id, codes: p.marks.codes, minutesLate: p.marks.minutesLate })),
          ...periodSessions(cal, period),
        ),
        ...(figuresWanted && inMargin !== null
          ? keptFigures(built, today, school.policy.minPossibleSessions, inMargin)
          : { figures: null, pupilCounts: null }),
        createdAt: clock.now(),
      }),
      (e) => deps.logger?.warn({ err: e, schoolId }, 'analysis: the cohort snapshot was not written'),
    );
  }
  return { cohort, snapshotWritten: stale && clock !== undefined };
}

/** The school's figures for `asOf` and each measured pupil's counts behind them, as a snapshot keeps them. */
function keptFigures(
  cohort: Cohort,
  asOf: PlainDate,
  minPossibleSessions: number,
  historyInMargin: number,
): { figures: string; pupilCounts: Uint8Array } {
  const { totals, counts } = schoolTotalsAndCounts(cohort.cal, cohort.pupils, { asOf, minPossibleSessions });
  // The codes of the last sessions to "as of" go with the counts: the morning's registers (and
  // the days before's corrections) are laid over the counts without unpacking the payload.
  const asOfSession = lastSessionOnOrBefore(cohort.cal, asOf);
  const tailStart = Math.max(0, asOfSession - COUNTS_TAIL_SESSIONS + 1);
  const tailLength = asOfSession >= 0 ? asOfSession - tailStart + 1 : 0;
  return {
    figures: encodeFigures({ asOf, minPossibleSessions, historyInMargin, totals }),
    pupilCounts: encodePupilCounts(
      counts.map(({ index, ...c }) => {
        const p = cohort.pupils[index]!;
        return { ...c, id: p.id, tail: p.marks.codes.subarray(tailStart, tailStart + tailLength) };
      }),
      tailStart,
      tailLength,
    ),
  };
}

/** Sessions to "as of" whose codes a snapshot keeps with the pupils' counts (a school week). */
const COUNTS_TAIL_SESSIONS = 10;

/**
 * Brings a school's snapshot for an academic year up to date (the nightly job): written when it is
 * missing, built on another calendar, older than an import, more than 5,000 marks behind, or when
 * its figures are for another day than today (in the current academic year).
 * Reads the database, not this process's cache. True when a snapshot was written.
 */
export async function refreshCohortSnapshot(
  deps: Pick<Deps, 'db' | 'clock' | 'logger'>,
  schoolId: string,
  yearStart: PlainDate,
): Promise<boolean> {
  const tracker = await tracked(deps.db);
  const year = academicYearOf(yearStart);
  const { snapshotWritten } = await coldLoad(
    deps,
    schoolId,
    { from: year.start, to: year.end },
    tracker.versions.get(schoolId) ?? 0,
    { mark: tracker.markStamp ?? '', audit: tracker.auditStamp ?? '' },
  );
  await flushSnapshots(deps.db);
  return snapshotWritten;
}

/** The period's sessions: the first one's number and how many. */
function periodSessions(cal: SchoolCalendar, period: { from: PlainDate; to: PlainDate }): [number, number] {
  const first = firstSessionOnOrAfter(cal, period.from);
  const last = lastSessionOnOrBefore(cal, period.to);
  return [first, Math.max(0, last - first + 1)];
}

/**
 * The cohort from a snapshot and the history written since, or null when the snapshot cannot be
 * used: an import or demo load since it was taken, a pupil it does not know, a different period
 * shape, or too many marks since.
 */
async function applySnapshot(
  db: Db,
  schoolId: string,
  period: { from: PlainDate; to: PlainDate },
  version: number,
  cal: SchoolCalendar,
  pupilRows: readonly PupilRow[],
  snapshot: { markWatermark: string; auditWatermark: string; payload: Uint8Array },
): Promise<{ cohort: Cohort; applied: number; watermark: string; inMargin: number } | null> {
  const [imported, history, marks] = await Promise.all([
    rollChangedSince(db, schoolId, ROLL_CHANGING_ACTIONS, snapshot.auditWatermark),
    // From the margin below the watermark: a row committed after the snapshot was taken may
    // sort below it (see LATE_COMMIT_MARGIN_MS); rows already in the snapshot are laid again,
    // in id order, which leaves each mark as the newest row wrote it.
    historyRowsFrom(db, schoolId, idFloor(snapshot.markWatermark), MAX_SNAPSHOT_DELTA + 1),
    decodeSnapshot(snapshot.payload),
  ]);
  if (imported || history.length > MAX_SNAPSHOT_DELTA || marks === null) return null;
  const [first, sessions] = periodSessions(cal, period);
  if (marks.firstSession !== first || marks.sessions !== sessions) return null;
  if (pupilRows.some((p) => !marks.codes.has(p.id))) return null;
  const changes: MarkChange[] = [];
  for (const r of history)
    if (r.lesson_id === null)
      changes.push({
        pupilId: r.pupil_id,
        date: r.date,
        session: r.session,
        code: r.new_code,
        minutesLate: r.new_minutes_late === null ? null : Number(r.new_minutes_late),
      });
  const base = buildCohort(schoolId, period, version, cal, pupilRows, snapshotArrays(cal.sessionCount, marks));
  const last = history.at(-1)?.id;
  const watermark = last !== undefined && last > snapshot.markWatermark ? last : snapshot.markWatermark;
  // Every row read is applied, and every row above the new watermark's margin was read.
  const floor = idFloor(watermark);
  return {
    cohort: changes.length === 0 ? base : patchCohort(base, changes, version),
    applied: history.filter((r) => r.id > snapshot.markWatermark).length,
    watermark,
    inMargin: history.filter((r) => r.id > floor).length,
  };
}

/** Full-length arrays from a snapshot's period-only ones. */
function snapshotArrays(
  n: number,
  marks: SnapshotMarks,
): { codes: Map<string, Uint8Array>; late: Map<string, Uint16Array> } {
  const codes = new Map<string, Uint8Array>();
  const late = new Map<string, Uint16Array>();
  for (const [id, c] of marks.codes) {
    const arr = new Uint8Array(n);
    arr.set(c, marks.firstSession);
    codes.set(id, arr);
  }
  for (const [id, m] of marks.minutesLate) {
    const arr = new Uint16Array(n);
    arr.set(m, marks.firstSession);
    late.set(id, arr);
  }
  return { codes, late };
}

type PupilRow = CohortPupilRow;

async function readCohort(
  db: Db,
  schoolId: string,
  period: { from: PlainDate; to: PlainDate },
  version: number,
  known?: { cal: SchoolCalendar; pupilRows: readonly PupilRow[] },
): Promise<Cohort> {
  const [cal, pupilRows, markRows] = await Promise.all([
    known?.cal ?? loadCalendar(db, schoolId),
    known?.pupilRows ?? cohortPupilRows(db, schoolId, period),
    periodMarkRows(db, schoolId, period),
  ]);

  const n = cal.sessionCount;
  const codes = new Map<string, Uint8Array>();
  const late = new Map<string, Uint16Array>();
  for (const p of pupilRows) codes.set(p.id, new Uint8Array(n));
  const ids = new Map<string, number>();
  for (const m of markRows) {
    const arr = codes.get(m.pupil_id);
    if (!arr) continue;
    const s = sessionIndex(cal, m.date as PlainDate, m.session as Session);
    if (s < 0) continue;
    arr[s] = codeId(ids, m.code, m.date);
    if (m.minutes_late) {
      let ml = late.get(m.pupil_id);
      if (!ml) {
        ml = new Uint16Array(n);
        late.set(m.pupil_id, ml);
      }
      ml[s] = Number(m.minutes_late);
    }
  }

  return buildCohort(schoolId, period, version, cal, pupilRows, { codes, late });
}

function buildCohort(
  schoolId: string,
  period: { from: PlainDate; to: PlainDate },
  version: number,
  cal: SchoolCalendar,
  pupilRows: readonly PupilRow[],
  arrays: { codes: ReadonlyMap<string, Uint8Array>; late: ReadonlyMap<string, Uint16Array> },
): Cohort {
  const { codes, late } = arrays;
  const n = cal.sessionCount;
  const pupils = pupilRows.map((p): CohortPupil => {
    const admission = p.admission_date as PlainDate;
    const leaving = (p.leaving_date as PlainDate | null) ?? null;
    return {
      id: p.id,
      upn: p.upn,
      forename: p.preferred_forename ?? p.legal_forename,
      surname: p.preferred_surname ?? p.legal_surname,
      gender: p.gender,
      ethnicity: p.ethnicity,
      yearGroup: p.year_group,
      regGroupId: p.reg_group_id,
      regGroupName: p.reg_group_name ?? null,
      admissionDate: admission,
      leavingDate: leaving,
      senStatus: p.sen_status,
      ehcp: Number(p.ehcp) === 1,
      fsm: Number(p.fsm) === 1,
      pupilPremium: Number(p.pupil_premium) === 1,
      eal: Number(p.eal) === 1,
      cin: Number(p.cin) === 1,
      cp: Number(p.cp) === 1,
      lac: Number(p.lac) === 1,
      previouslyLac: Number(p.previously_lac) === 1,
      youngCarer: Number(p.young_carer) === 1,
      socialWorker: p.social_worker !== null && p.social_worker !== '',
      marks: {
        codes: codes.get(p.id)!,
        minutesLate: late.get(p.id),
        rollFrom: firstSessionOnOrAfter(cal, admission),
        rollTo: leaving === null ? n - 1 : lastSessionOnOrBefore(cal, leaving),
      },
    };
  });
  return { schoolId, cal, from: period.from, to: period.to, pupils, version };
}

/**
 * Persisted cohort snapshots (`cohort_snapshots`): a school's compact marks for an academic year,
 * packed into one compressed binary payload, so that the first request after a server starts
 * reads one row per school instead of every mark row. A snapshot says which `mark_history` and
 * `audit_log` ids it is current to and which calendar it was built on; `cohort.ts` decides when
 * one may be used (same calendar, no import since) and applies the history written since.
 *
 * Payload (little-endian), deflated:
 *   'RCS1' | u32 first session | u32 sessions | u32 pupils | u32 id bytes | ids (UTF-8, '\n'-joined)
 *   | codes: pupils × sessions bytes | u32 pupils with minutes late | per such pupil: u32 index,
 *   sessions × u16 minutes late.
 * Only the sessions of the period are stored: a cohort's arrays are zero outside it.
 *
 * Beside the payload, `figures` (JSON) keeps the school's figures for the academic year to one
 * day, computed from the same marks when the snapshot was written: the added-up counts the trust
 * and LA views show for the school (`SnapshotFigures`). `cohort.ts` hands them out only while
 * nothing the figures rest on changed since (`storedSchoolTotals`).
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { deflate, inflate } from 'node:zlib';
import type { PlainDate, SchoolCalendar, SummaryTotals } from '@rollcall/domain';
import { writeSnapshot, type SnapshotWrite } from '../../db/analysis/cohort-snapshots.js';
import type { Db } from '../../db/connect.js';

const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);
const MAGIC = 0x31534352; // 'RCS1' read as a little-endian u32

/** A fingerprint of the calendar's terms and closures: session numbering depends on nothing else. */
export function calendarFingerprint(cal: SchoolCalendar): string {
  const text = JSON.stringify([cal.terms.map((t) => [t.start, t.end]), cal.closures.map((c) => [c.date, c.session])]);
  return createHash('sha256').update(text).digest('hex');
}

/** The marks of a snapshot, by pupil id; arrays span the period's sessions only. */
export interface SnapshotMarks {
  readonly firstSession: number;
  readonly sessions: number;
  readonly codes: ReadonlyMap<string, Uint8Array>;
  readonly minutesLate: ReadonlyMap<string, Uint16Array>;
}

export interface SnapshotPupil {
  readonly id: string;
  readonly codes: Uint8Array;
  readonly minutesLate: Uint16Array | undefined;
}

/** Packs pupils' marks for sessions `firstSession` to `firstSession + sessions - 1`. */
export async function encodeSnapshot(
  pupils: readonly SnapshotPupil[],
  firstSession: number,
  sessions: number,
): Promise<Buffer> {
  const ids = Buffer.from(pupils.map((p) => p.id).join('\n'), 'utf8');
  const late = pupils.flatMap((p, i) => (p.minutesLate ? [i] : []));
  const size = 20 + ids.length + pupils.length * sessions + 4 + late.length * (4 + sessions * 2);
  const out = Buffer.alloc(size);
  let at = 0;
  at = out.writeUInt32LE(MAGIC, at);
  at = out.writeUInt32LE(firstSession, at);
  at = out.writeUInt32LE(sessions, at);
  at = out.writeUInt32LE(pupils.length, at);
  at = out.writeUInt32LE(ids.length, at);
  at += ids.copy(out, at);
  for (const p of pupils) {
    out.set(p.codes.subarray(firstSession, firstSession + sessions), at);
    at += sessions;
  }
  at = out.writeUInt32LE(late.length, at);
  for (const i of late) {
    at = out.writeUInt32LE(i, at);
    const ml = pupils[i]!.minutesLate!;
    for (let s = 0; s < sessions; s++) at = out.writeUInt16LE(ml[firstSession + s] ?? 0, at);
  }
  return await deflateAsync(out, { level: 1 });
}

/** A payload's pupils and codes, without the minutes late (what laying marks over counts needs). */
export interface SnapshotCodes {
  readonly firstSession: number;
  readonly sessions: number;
  /** Pupil ids in the payload's order. */
  readonly ids: readonly string[];
  /** Pupils × sessions codes, in the ids' order. */
  readonly codes: Uint8Array;
}

/** The inflated payload and where its minutes late start; null when it is not one this version wrote. */
async function unpack(payload: Uint8Array): Promise<{ codes: SnapshotCodes; buf: Buffer; lateAt: number } | null> {
  let buf: Buffer;
  try {
    buf = await inflateAsync(payload);
  } catch {
    return null;
  }
  if (buf.length < 20 || buf.readUInt32LE(0) !== MAGIC) return null;
  const firstSession = buf.readUInt32LE(4);
  const sessions = buf.readUInt32LE(8);
  const count = buf.readUInt32LE(12);
  const idBytes = buf.readUInt32LE(16);
  const at = 20;
  const ids = count === 0 ? [] : buf.toString('utf8', at, at + idBytes).split('\n');
  if (ids.length !== count || buf.length < at + idBytes + count * sessions + 4) return null;
  const codes = buf.subarray(at + idBytes, at + idBytes + count * sessions);
  return { codes: { firstSession, sessions, ids, codes }, buf, lateAt: at + idBytes + count * sessions };
}

/** A payload's pupils and codes (no minutes late); null when it is not one this version wrote. */
export async function decodeSnapshotCodes(payload: Uint8Array): Promise<SnapshotCodes | null> {
  return (await unpack(payload))?.codes ?? null;
}

/** Unpacks a payload; null when it is not one this version wrote. */
export async function decodeSnapshot(payload: Uint8Array): Promise<SnapshotMarks | null> {
  const unpacked = await unpack(payload);
  if (unpacked === null) return null;
  const { buf } = unpacked;
  const { firstSession, sessions, ids } = unpacked.codes;
  const codes = new Map<string, Uint8Array>();
  for (let i = 0; i < ids.length; i++)
    codes.set(ids[i]!, unpacked.codes.codes.subarray(i * sessions, (i + 1) * sessions));
  let at = unpacked.lateAt;
  const minutesLate = new Map<string, Uint16Array>();
  const lateCount = buf.readUInt32LE(at);
  at += 4;
  for (let k = 0; k < lateCount; k++) {
    const i = buf.readUInt32LE(at);
    at += 4;
    const ml = new Uint16Array(sessions);
    for (let s = 0; s < sessions; s++, at += 2) ml[s] = buf.readUInt16LE(at);
    minutesLate.set(ids[i]!, ml);
  }
  return { firstSession, sessions, codes, minutesLate };
}

/**
 * One measured pupil's counts behind a snapshot's figures: the sessions counted
 * (`countedSessions`), the counts, and the pupil's codes of the last sessions to "as of" (the
 * morning's registers are laid over those without unpacking the payload).
 */
export interface PupilCountsRow {
  readonly id: string;
  readonly first: number;
  readonly last: number;
  readonly possible: number;
  readonly attended: number;
  readonly authorised: number;
  readonly unauthorised: number;
  /** Codes of the sessions `tailStart` to `tailStart + tailLength - 1`. */
  readonly tail: Uint8Array;
}

/** The measured pupils' counts as a snapshot keeps them (`decodePupilCounts`). */
export interface PupilCounts {
  readonly ids: readonly string[];
  /** Six numbers a pupil, in the ids' order: first and last session counted, possible, attended, authorised, unauthorised. */
  readonly numbers: Int32Array;
  readonly tailStart: number;
  readonly tailLength: number;
  /** `tailLength` codes a pupil, in the ids' order. */
  readonly tail: Uint8Array;
}

const COUNTS_MAGIC = 0x32504352; // 'RCP2' read as a little-endian u32
/** Numbers a pupil in `PupilCounts.numbers`. */
export const COUNTS_FIELDS = 6;

/**
 * Packs the measured pupils' counts (little-endian, not deflated): 'RCP2' | u32 pupils | u32 tail
 * start | u32 tail length | u32 id bytes | ids (UTF-8, '\n'-joined) | per pupil six i32: first and
 * last session counted, possible, attended, authorised, unauthorised | per pupil the tail's codes.
 */
export function encodePupilCounts(rows: readonly PupilCountsRow[], tailStart: number, tailLength: number): Buffer {
  const ids = Buffer.from(rows.map((r) => r.id).join('\n'), 'utf8');
  const out = Buffer.alloc(20 + ids.length + rows.length * (COUNTS_FIELDS * 4 + tailLength));
  let at = 0;
  at = out.writeUInt32LE(COUNTS_MAGIC, at);
  at = out.writeUInt32LE(rows.length, at);
  at = out.writeUInt32LE(tailStart, at);
  at = out.writeUInt32LE(tailLength, at);
  at = out.writeUInt32LE(ids.length, at);
  at += ids.copy(out, at);
  for (const r of rows)
    for (const v of [r.first, r.last, r.possible, r.attended, r.authorised, r.unauthorised])
      at = out.writeInt32LE(v, at);
  for (const r of rows) {
    out.set(r.tail.subarray(0, tailLength), at);
    at += tailLength;
  }
  return out;
}

/** The measured pupils' counts a snapshot keeps; null when there are none or they are not ones this version wrote. */
export function decodePupilCounts(packed: Uint8Array | null): PupilCounts | null {
  if (packed === null || packed.length < 20) return null;
  const buf = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  if (buf.readUInt32LE(0) !== COUNTS_MAGIC) return null;
  const n = buf.readUInt32LE(4);
  const tailStart = buf.readUInt32LE(8);
  const tailLength = buf.readUInt32LE(12);
  const idBytes = buf.readUInt32LE(16);
  if (buf.length !== 20 + idBytes + n * (COUNTS_FIELDS * 4 + tailLength)) return null;
  let at = 20;
  const ids = n === 0 ? [] : buf.toString('utf8', at, at + idBytes).split('\n');
  if (ids.length !== n) return null;
  at += idBytes;
  const numbers = new Int32Array(n * COUNTS_FIELDS);
  for (let k = 0; k < numbers.length; k++, at += 4) numbers[k] = buf.readInt32LE(at);
  return { ids, numbers, tailStart, tailLength, tail: buf.subarray(at, at + n * tailLength) };
}

/** A school's figures for the academic year to `asOf`, as its snapshot keeps them. */
export interface SnapshotFigures {
  readonly asOf: PlainDate;
  /** The school policy's minimum of possible sessions they were measured with. */
  readonly minPossibleSessions: number;
  /**
   * How many of the school's history rows with an id in the margin below the mark watermark
   * (`LATE_COMMIT_MARGIN_MS`) the marks include: one more there later is a late commit, and the
   * figures no longer hold.
   */
  readonly historyInMargin: number;
  readonly totals: SummaryTotals;
}

const TOTAL_KEYS = [
  'pupils',
  'possible',
  'attended',
  'authorised',
  'unauthorised',
  'pa',
  'sa',
  'withPossible',
] as const satisfies readonly (keyof SummaryTotals)[];

export function encodeFigures(f: SnapshotFigures): string {
  return JSON.stringify({
    v: 1,
    asOf: f.asOf,
    minPossibleSessions: f.minPossibleSessions,
    historyInMargin: f.historyInMargin,
    totals: TOTAL_KEYS.map((k) => f.totals[k]),
  });
}

/** The figures a snapshot keeps; null when there are none or they are not ones this version wrote. */
export function decodeFigures(text: string | null): SnapshotFigures | null {
  if (text === null) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as {
    v?: unknown;
    asOf?: unknown;
    minPossibleSessions?: unknown;
    historyInMargin?: unknown;
    totals?: unknown;
  };
  if (
    o.v !== 1 ||
    typeof o.asOf !== 'string' ||
    typeof o.minPossibleSessions !== 'number' ||
    typeof o.historyInMargin !== 'number'
  )
    return null;
  const t = o.totals;
  if (!Array.isArray(t) || t.length !== TOTAL_KEYS.length || !t.every((n) => Number.isSafeInteger(n) && n >= 0))
    return null;
  const n = t as number[];
  return {
    asOf: o.asOf as PlainDate,
    minPossibleSessions: o.minPossibleSessions,
    historyInMargin: o.historyInMargin,
    totals: {
      pupils: n[0]!,
      possible: n[1]!,
      attended: n[2]!,
      authorised: n[3]!,
      unauthorised: n[4]!,
      pa: n[5]!,
      sa: n[6]!,
      withPossible: n[7]!,
    },
  };
}

/** Snapshot writes waiting per database, one at a time, each after the request that caused it. */
const queues = new WeakMap<Db, Promise<void>>();

/**
 * Queues a snapshot write to run after the current request has been answered (never inside a
 * request's transaction). A failure is reported to `onError` and otherwise ignored: the snapshot
 * is only a head start.
 */
export function scheduleSnapshot(
  db: Db,
  make: () => Promise<SnapshotWrite | null>,
  onError: (e: unknown) => void,
): void {
  const previous = queues.get(db) ?? Promise.resolve();
  const next = previous
    .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
    .then(make)
    .then((w) => (w === null ? undefined : writeSnapshot(db, w)))
    .catch(onError);
  queues.set(db, next);
}

/** Waits for the snapshot writes queued so far (tests, benchmarks, a clean shutdown). */
export async function flushSnapshots(db: Db): Promise<void> {
  let current: Promise<void> | undefined;
  while ((current = queues.get(db)) !== undefined) {
    await current;
    if (queues.get(db) === current) {
      queues.delete(db);
      return;
    }
  }
}

/**
 * The fast way from a marks CSV file to the roll: a byte-level scanner that lays each mark straight
 * into the pupil's compact array, without a string, an object or an array per row.
 *
 * It reads only what it can be sure of, and answers `undefined` for anything else: a quoted field,
 * a carriage return that does not end a line, a byte outside ASCII or a control character in a
 * column it reads, a line that is not a clean mark, and every kind of input error. The caller then runs {@link buildRoll} over the parsed text, which reports every
 * problem with its line. So on a good file both give the same roll, and on a bad one the messages
 * are {@link buildRoll}'s, word for word (decision 0004; a property test compares the two).
 *
 * Repeated values are checked once: each distinct UPN is validated the first time it appears (and
 * a row with the same UPN bytes as the row before reuses the pupil at once), dates are read through
 * a table built from the calendar (a date is a valid mark date only if it is a school day or a
 * closure, so the table is the check), and codes through a table per code set.
 */
import type { SchoolCalendar } from './calendar.js';
import { CODE_TABLE, CODES_2024_FROM } from './codes.js';
import type { PlainDate } from './dates.js';
import { assembleRoll, parsePupils, type PupilInfo, type PupilRow, type RollEntry, type RollIssue } from './roll.js';
import { validateUpn } from './upn.js';

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** Bytes that `String.prototype.trim` removes and that a clean ASCII field may carry at its edges. */
function isSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

/** A code's table key: its one or two ASCII characters, in capitals. */
function codeKey(c0: number, c1: number): number {
  return (c0 << 7) | c1;
}

/** Code id by key, for each code set (0: not a code of that set). Built once. */
let codeTables: { readonly set2024: Uint8Array; readonly set2006: Uint8Array } | undefined;

function tables(): { readonly set2024: Uint8Array; readonly set2006: Uint8Array } {
  if (codeTables) return codeTables;
  const set2024 = new Uint8Array(1 << 14);
  const set2006 = new Uint8Array(1 << 14);
  for (const d of CODE_TABLE) {
    if (d.code.length < 1 || d.code.length > 2) continue;
    const c0 = d.code.charCodeAt(0);
    const c1 = d.code.length === 2 ? d.code.charCodeAt(1) : 0;
    if (c0 > 0x7f || c1 > 0x7f) continue;
    (d.codeSet === '2024' ? set2024 : set2006)[codeKey(c0, c1)] = d.id;
  }
  codeTables = { set2024, set2006 };
  return codeTables;
}

/** The dates a mark may carry (school days and closures), as dense tables. */
interface DateTable {
  /** First year of the table; `slot = (year - y0) * 372 + (month - 1) * 31 + (day - 1)`. */
  readonly y0: number;
  readonly years: number;
  /** Entry per slot, -1 when the date is neither a school day nor a closure. */
  readonly entryBySlot: Int32Array;
  readonly am: Int32Array;
  readonly pm: Int32Array;
  readonly closedAm: Uint8Array;
  readonly closedPm: Uint8Array;
  readonly is2024: Uint8Array;
  /** `YYYYMMDD` as a number, for comparisons with admission and leaving dates. */
  readonly ymd: Int32Array;
  readonly date: PlainDate[];
}

function ymdOf(date: string): number {
  return Number(date.slice(0, 4)) * 10000 + Number(date.slice(5, 7)) * 100 + Number(date.slice(8, 10));
}

function dateTable(cal: SchoolCalendar): DateTable | undefined {
  const dates = new Set<PlainDate>([...cal.dayDate, ...cal.closedByDate.keys()]);
  if (dates.size === 0) return undefined;
  const sorted = [...dates].sort();
  const y0 = Number(sorted[0]!.slice(0, 4));
  const years = Number(sorted[sorted.length - 1]!.slice(0, 4)) - y0 + 1;
  const entryBySlot = new Int32Array(years * 372).fill(-1);
  const count = sorted.length;
  const t: DateTable = {
    y0,
    years,
    entryBySlot,
    am: new Int32Array(count).fill(-1),
    pm: new Int32Array(count).fill(-1),
    closedAm: new Uint8Array(count),
    closedPm: new Uint8Array(count),
    is2024: new Uint8Array(count),
    ymd: new Int32Array(count),
    date: sorted,
  };
  sorted.forEach((date, e) => {
    const ymd = ymdOf(date);
    const y = Math.floor(ymd / 10000);
    const m = Math.floor(ymd / 100) % 100;
    const d = ymd % 100;
    entryBySlot[(y - y0) * 372 + (m - 1) * 31 + (d - 1)] = e;
    t.ymd[e] = ymd;
    t.is2024[e] = date >= CODES_2024_FROM ? 1 : 0;
    const day = cal.dayByDate.get(date);
    if (day !== undefined) {
      for (let s = cal.dayFirstSession[day]!; s < cal.dayFirstSession[day + 1]!; s++) {
        if (cal.sessionIsPM[s] === 1) t.pm[e] = s;
        else t.am[e] = s;
      }
    }
    const closed = cal.closedByDate.get(date);
    if (closed) {
      t.closedAm[e] = closed.AM ? 1 : 0;
      t.closedPm[e] = closed.PM ? 1 : 0;
    }
  });
  return t;
}

/** One pupil's marks as they are read. */
interface Acc {
  readonly upn: string;
  readonly codes: Uint8Array;
  minutes: Uint16Array | undefined;
  /** Date entries of the first and last mark (-1: none yet). */
  first: number;
  last: number;
  /** Admission and leaving dates as `YYYYMMDD` (0: none), from the pupils file. */
  readonly admission: number;
  readonly leaving: number;
  /** Closure sessions already marked `#` (entry * 2 + PM), when there are any. */
  closed: Set<number> | undefined;
}

/**
 * The roll from the bytes of a marks CSV file (and the pupils file's rows, when given), or
 * `undefined` when the file needs {@link buildRoll}: any input error, or anything this scanner does
 * not read itself (quoted fields, text outside ASCII in a column it reads, blank-looking lines).
 */
export function buildRollFromCsv(
  cal: SchoolCalendar,
  bytes: Uint8Array,
  pupilRows?: readonly PupilRow[],
): RollEntry[] | undefined {
  const issues: RollIssue[] = [];
  const known = pupilRows ? parsePupils(pupilRows, issues) : undefined;
  if (issues.length > 0) return undefined;
  // A quote anywhere may hide a comma or a line break inside a field: leave it to the full reader.
  if (bytes.indexOf(QUOTE) >= 0) return undefined;
  // So may a carriage return that does not end a line (the full reader refuses such a file).
  for (let cr = bytes.indexOf(CR); cr >= 0; cr = bytes.indexOf(CR, cr + 2)) {
    if (bytes[cr + 1] !== NEWLINE) return undefined;
  }
  const dates = dateTable(cal);
  if (!dates) return undefined;
  const { set2024, set2006 } = tables();
  const n = cal.sessionCount;
  const len = bytes.length;
  let pos = len >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;

  // The header: the first line that is not empty.
  while (pos < len && (bytes[pos] === NEWLINE || (bytes[pos] === CR && bytes[pos + 1] === NEWLINE))) {
    pos += bytes[pos] === CR ? 2 : 1;
  }
  let headerEnd = bytes.indexOf(NEWLINE, pos);
  if (headerEnd < 0) headerEnd = len;
  let header = '';
  for (let i = pos; i < headerEnd; i++) {
    if (bytes[i]! > 0x7f) return undefined;
    header += String.fromCharCode(bytes[i]!);
  }
  if (header.trim() === '') return undefined;
  const names = header.split(',').map((h) => h.trim().toLowerCase());
  const col = {
    upn: names.indexOf('upn'),
    date: names.indexOf('date'),
    session: names.indexOf('session'),
    code: names.indexOf('code'),
    minutes: names.indexOf('minutes_late'),
  };
  if (col.upn < 0 || col.date < 0 || col.session < 0 || col.code < 0) return undefined;
  const needed = Math.max(col.upn, col.date, col.session, col.code) + 1;
  const span = Math.max(needed, col.minutes + 1);
  // Field bounds of the current line (trimmed), reused for every line.
  const starts = new Int32Array(span);
  const ends = new Int32Array(span);

  const accs: Acc[] = [];
  const byRawUpn = new Map<string, number>();
  const byUpn = new Map<string, number>();
  const { entryBySlot, am, pm, closedAm, closedPm, is2024, ymd, y0, years } = dates;
  const state = new Int32Array(2);
  let prevUpnStart = -1;
  let prevUpnLen = 0;
  let prevPupil = -1;

  // The hot loop stays small and calls small functions: a short-lived command spends much of its
  // time before the optimising compiler has caught up, and small functions get there first.
  pos = headerEnd + 1;
  while (pos < len) {
    const next = splitLine(bytes, pos, len, starts, ends, span, state);
    const fields = state[0]!;
    if (fields === 0) {
      pos = next; // an empty line
      continue;
    }
    if (fields < needed) return undefined;

    // UPN: the same bytes as the row before are the same pupil.
    const a0 = starts[col.upn]!;
    const upnLen = ends[col.upn]! - a0;
    let pupil = prevPupil;
    if (upnLen !== prevUpnLen || !sameBytes(bytes, a0, prevUpnStart, upnLen)) {
      pupil = pupilOf(bytes, a0, a0 + upnLen, known, n, accs, byRawUpn, byUpn);
      if (pupil < 0) return undefined;
      prevUpnStart = a0;
      prevUpnLen = upnLen;
      prevPupil = pupil;
    }
    const acc = accs[pupil]!;

    const e = dateEntry(bytes, starts[col.date]!, ends[col.date]!, entryBySlot, y0, years);
    if (e < 0) return undefined;
    const isPm = sessionOf(bytes, starts[col.session]!, ends[col.session]!);
    if (isPm < 0) return undefined;
    const codeId = codeIdOf(bytes, starts[col.code]!, ends[col.code]!, is2024[e] === 1 ? set2024 : set2006);
    if (codeId === 0) return undefined;
    const minutes =
      col.minutes >= 0 && col.minutes < fields ? minutesOf(bytes, starts[col.minutes]!, ends[col.minutes]!) : 0;
    if (minutes < 0) return undefined;

    // The session: a school session, or `#` on a closure.
    const s = isPm === 1 ? pm[e]! : am[e]!;
    if (s < 0) {
      if (!closureMark(acc, e, isPm, codeId, isPm === 1 ? closedPm[e]! : closedAm[e]!)) return undefined;
    } else if (acc.codes[s] !== 0) return undefined; // a duplicate
    const when = ymd[e]!;
    if ((acc.admission !== 0 && when < acc.admission) || (acc.leaving !== 0 && when > acc.leaving)) {
      return undefined;
    }
    if (acc.first < 0 || when < ymd[acc.first]!) acc.first = e;
    if (acc.last < 0 || when > ymd[acc.last]!) acc.last = e;
    if (s >= 0) {
      acc.codes[s] = codeId;
      if (minutes > 0) {
        acc.minutes ??= new Uint16Array(n);
        acc.minutes[s] = minutes;
      }
    }
    pos = next;
  }

  const byCanonical = new Map(
    accs.map((a) => [
      a.upn,
      {
        codes: a.codes,
        minutes: a.minutes,
        first: a.first < 0 ? undefined : dates.date[a.first],
        last: a.last < 0 ? undefined : dates.date[a.last],
      },
    ]),
  );
  return assembleRoll(cal, known, byCanonical);
}

/**
 * Splits the line starting at `pos` at its commas: the trimmed bounds of its first `span` fields go
 * into `starts` and `ends`, the number of fields into `state[0]` (0 for an empty line). Returns the
 * position after the line.
 */
function splitLine(
  bytes: Uint8Array,
  pos: number,
  len: number,
  starts: Int32Array,
  ends: Int32Array,
  span: number,
  state: Int32Array,
): number {
  let fields = 0;
  let start = pos;
  let i = pos;
  for (; i < len; i++) {
    const b = bytes[i]!;
    if (b === NEWLINE) break;
    if (b === COMMA) {
      if (fields < span) {
        starts[fields] = start;
        ends[fields] = i;
      }
      fields++;
      start = i + 1;
    }
  }
  let lineEnd = i;
  if (lineEnd > pos && bytes[lineEnd - 1] === CR) lineEnd--;
  if (lineEnd <= pos) {
    state[0] = 0;
    return i + 1;
  }
  if (fields < span) {
    starts[fields] = start;
    ends[fields] = lineEnd;
  }
  fields++;
  state[0] = fields;
  for (let f = 0; f < fields && f < span; f++) {
    let a = starts[f]!;
    let z = ends[f]!;
    if (z > lineEnd) z = lineEnd;
    while (a < z && isSpace(bytes[a]!)) a++;
    while (z > a && isSpace(bytes[z - 1]!)) z--;
    starts[f] = a;
    ends[f] = z;
  }
  return i + 1;
}

/** True when the `n` bytes at `a` equal those at `b`. */
function sameBytes(bytes: Uint8Array, a: number, b: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (bytes[a + k] !== bytes[b + k]) return false;
  return true;
}

/**
 * The pupil of a UPN that differs from the row before: found by its text, or checked and added the
 * first time it is seen. -1 when the UPN is invalid, not ASCII, or not in the pupils file.
 */
function pupilOf(
  bytes: Uint8Array,
  a0: number,
  a1: number,
  known: ReadonlyMap<string, { info: PupilInfo }> | undefined,
  n: number,
  accs: Acc[],
  byRawUpn: Map<string, number>,
  byUpn: Map<string, number>,
): number {
  let raw = '';
  for (let k = a0; k < a1; k++) {
    if (bytes[k]! > 0x7f) return -1;
    raw += String.fromCharCode(bytes[k]!);
  }
  const cached = byRawUpn.get(raw);
  if (cached !== undefined) return cached;
  const check = validateUpn(raw);
  if (!check.valid) return -1;
  const info = known ? known.get(check.upn)?.info : undefined;
  if (known && !info) return -1;
  let p = byUpn.get(check.upn);
  if (p === undefined) {
    p = accs.length;
    accs.push({
      upn: check.upn,
      codes: new Uint8Array(n),
      minutes: undefined,
      first: -1,
      last: -1,
      admission: info?.admissionDate ? ymdOf(info.admissionDate) : 0,
      leaving: info?.leavingDate ? ymdOf(info.leavingDate) : 0,
      closed: undefined,
    });
    byUpn.set(check.upn, p);
  }
  byRawUpn.set(raw, p);
  return p;
}

/** The date table's entry for a `YYYY-MM-DD` field; -1 when it is not a school day or closure (or not a date). */
function dateEntry(
  bytes: Uint8Array,
  d0: number,
  d1: number,
  entryBySlot: Int32Array,
  y0: number,
  years: number,
): number {
  if (d1 - d0 !== 10 || bytes[d0 + 4] !== 0x2d || bytes[d0 + 7] !== 0x2d) return -1;
  // Each a digit (as unsigned, a byte below '0' is huge).
  const ya = (bytes[d0]! - 48) >>> 0;
  const yb = (bytes[d0 + 1]! - 48) >>> 0;
  const yc = (bytes[d0 + 2]! - 48) >>> 0;
  const yd = (bytes[d0 + 3]! - 48) >>> 0;
  const ma = (bytes[d0 + 5]! - 48) >>> 0;
  const mb = (bytes[d0 + 6]! - 48) >>> 0;
  const da = (bytes[d0 + 8]! - 48) >>> 0;
  const db = (bytes[d0 + 9]! - 48) >>> 0;
  if (ya > 9 || yb > 9 || yc > 9 || yd > 9 || ma > 9 || mb > 9 || da > 9 || db > 9) return -1;
  const y = ya * 1000 + yb * 100 + yc * 10 + yd - y0;
  const m = ma * 10 + mb;
  const d = da * 10 + db;
  if (y < 0 || y >= years || m < 1 || m > 12 || d < 1 || d > 31) return -1;
  return entryBySlot[y * 372 + (m - 1) * 31 + (d - 1)]!;
}

/** 0 for AM, 1 for PM (any case), -1 for anything else. */
function sessionOf(bytes: Uint8Array, s0: number, s1: number): number {
  if (s1 - s0 !== 2 || (bytes[s0 + 1]! | 0x20) !== 0x6d) return -1;
  const p = bytes[s0]! | 0x20;
  return p === 0x61 ? 0 : p === 0x70 ? 1 : -1;
}

/** The code id of a one- or two-character code (any case) in a code set's table; 0 when none. */
function codeIdOf(bytes: Uint8Array, c0: number, c1: number, table: Uint8Array): number {
  const n = c1 - c0;
  if (n < 1 || n > 2) return 0;
  let k0 = bytes[c0]!;
  let k1 = n === 2 ? bytes[c0 + 1]! : 0;
  if (k0 > 0x7f || k1 > 0x7f) return 0;
  if (k0 >= 0x61 && k0 <= 0x7a) k0 -= 0x20;
  if (k1 >= 0x61 && k1 <= 0x7a) k1 -= 0x20;
  return table[codeKey(k0, k1)]!;
}

/** Minutes late: 0 when blank, -1 unless 0–600 in at most four digits. */
function minutesOf(bytes: Uint8Array, m0: number, m1: number): number {
  if (m1 - m0 > 4) return -1;
  let minutes = 0;
  for (let k = m0; k < m1; k++) {
    const c = (bytes[k]! - 48) >>> 0;
    if (c > 9) return -1;
    minutes = minutes * 10 + c;
  }
  return minutes > 600 ? -1 : minutes;
}

/** A mark on a session the calendar closes: only `#`, once per pupil and session. */
function closureMark(acc: Acc, e: number, isPm: number, codeId: number, closed: number): boolean {
  if (closed !== 1 || CODE_TABLE[codeId - 1]?.code !== '#') return false;
  acc.closed ??= new Set();
  const key = e * 2 + isPm;
  if (acc.closed.has(key)) return false; // a duplicate
  acc.closed.add(key);
  return true;
}

/**
 * The import's marks file: each mark normalised, the school's own codes read as national ones.
 */
import { isKnownCode, validateUpn, type MarkRow } from '@rollcall/domain';
import type { markRowsOf } from './files.js';

/** A normalised, checked mark of the marks file. */
export interface FileMark {
  readonly upn: string;
  readonly date: string;
  readonly session: string;
  readonly code: string;
  /** undefined when the file has no minutes_late column (keep what is stored). */
  readonly minutesLate: number | null | undefined;
}

/** The domain's message for an unknown code, with where the school's own codes are kept. */
export function unknownCodeHint(message: string, urn: string): string {
  return `${message}; if it is one of the school's own codes, say which national code it stands for (rollcall codes set --school ${urn} --code <its code> --as <national code>, or the School codes page) and import again`;
}

/** Marks with the school's own codes replaced by the national codes they stand for; `used` counts them. */
export function applySchoolCodes(
  rows: readonly MarkRow[],
  own: ReadonlyMap<string, string>,
  used: Map<string, { code: string; marks: number }>,
): MarkRow[] {
  return rows.map((r) => {
    const c = r.code.trim().toUpperCase();
    if (isKnownCode(c)) return r;
    const code = own.get(c);
    if (code === undefined) return r;
    const u = used.get(c);
    if (u) u.marks++;
    else used.set(c, { code, marks: 1 });
    return { ...r, code };
  });
}

/**
 * validateUpn with a cache: a year of marks names each of a school's UPNs some 380 times, and
 * checking each once saves most of a second on a 1,500-pupil school (bench x).
 */
export function cachedUpnCheck(): (raw: string) => ReturnType<typeof validateUpn> {
  const seen = new Map<string, ReturnType<typeof validateUpn>>();
  return (raw) => {
    let c = seen.get(raw);
    if (c === undefined) seen.set(raw, (c = validateUpn(raw)));
    return c;
  };
}

export function normaliseMarks(
  rows: ReturnType<typeof markRowsOf>,
  hasMinutes: boolean,
  checkUpn: (raw: string) => ReturnType<typeof validateUpn> = validateUpn,
): FileMark[] {
  return rows.map((r) => {
    const minutes = (r.minutesLate ?? '').trim();
    return {
      upn: checkUpn(r.upn).upn,
      date: r.date.trim(),
      session: r.session.trim().toUpperCase(),
      code: r.code.trim().toUpperCase(),
      minutesLate: hasMinutes ? (minutes === '' ? null : Number(minutes)) : undefined,
    };
  });
}

/**
 * Names the session of an unknown code when its line holds several marks (a grid row, a CTF's
 * marks string): buildRoll reports each mark in file order, so the n-th report of a code on a
 * line is the n-th mark with that code there.
 */
export function unknownCodeSessions(
  markRows: readonly { line: number; date: string; session: string; code: string }[],
): (line: number, message: string) => string {
  let byLine: Map<number, { date: string; session: string; code: string }[]> | undefined;
  const used = new Map<string, number>();
  return (line, message) => {
    const m = /^unknown attendance code "([^"]*)"/.exec(message);
    if (!m) return message;
    byLine ??= markRows.reduce((map, r) => {
      const list = map.get(r.line);
      if (list) list.push(r);
      else map.set(r.line, [r]);
      return map;
    }, new Map<number, { date: string; session: string; code: string }[]>());
    const onLine = byLine.get(line) ?? [];
    if (onLine.length < 2) return message;
    const code = m[1]!;
    const key = `${line} ${code}`;
    const seen = used.get(key) ?? 0;
    const cell = onLine.filter((r) => r.code.trim().toUpperCase() === code)[seen];
    used.set(key, seen + 1);
    if (!cell) return message;
    return `${m[0]} on ${cell.date.trim()} ${cell.session.trim().toUpperCase()}${message.slice(m[0].length)}`;
  };
}

/** A date, or a date and session, in a message: what differs between the repeats of one problem. */
const WHEN = /\d{4}-\d{2}-\d{2}(?: (?:AM|PM))?/g;

/**
 * Problems of one line that say the same thing of different sessions (every session of a CTF's
 * marks string outside the calendar, say) become one: the first, with how many more there are and
 * the last of them. Lines of one mark each (a CSV's) are untouched; order is kept.
 *
 * @example 'x.xml:71: 2025-09-03 AM is not a school session …' and 479 more →
 *   'x.xml:71: 2025-09-03 AM is not a school session … (and 479 more sessions like it on this line, the last 2026-07-17 PM)'
 */
export function collapseRepeats<P extends { file: string | null; line: number; message: string }>(
  problems: readonly P[],
): P[] {
  const groups = new Map<string, P[]>();
  for (const p of problems) {
    const key = `${p.file ?? ''}\u0000${p.line}\u0000${p.message.replace(WHEN, '…')}`;
    const g = groups.get(key);
    if (g) g.push(p);
    else groups.set(key, [p]);
  }
  const out: P[] = [];
  for (const g of groups.values()) {
    const first = g[0]!;
    if (g.length <= 3) {
      out.push(...g);
      continue;
    }
    // The last session: the date in its message that differs from the first's.
    const a = first.message.match(WHEN) ?? [];
    const b = g[g.length - 1]!.message.match(WHEN) ?? [];
    const differs = b.find((w, i) => w !== a[i]);
    const when = differs ? `, the last ${differs}` : '';
    out.push({ ...first, message: `${first.message} (and ${g.length - 1} more sessions like it on this line${when})` });
  }
  return out;
}

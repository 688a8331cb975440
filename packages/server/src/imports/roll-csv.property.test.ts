/**
 * The byte-level marks reader (`buildRollFromCsv`, decision 0004) against the reference path it
 * stands in for (`parseCsv` then `buildRoll`), over random files: clean ones, which it must read
 * itself with the same roll, and ones with every kind of wrinkle and error, where it must either
 * give the same roll as the reference with no issue, or hand over (undefined).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildRoll,
  buildRollFromCsv,
  CODE_TABLE,
  compileCalendar,
  type MarkRow,
  type PupilRow,
  type SchoolCalendar,
} from '@rollcall/domain';
import { parseCsv } from './csv.js';

/** Summer 2024 into autumn 2024, across the change of code set on 19 August 2024, with closures. */
const compiled = compileCalendar({
  terms: [
    { name: 'Summer 2', start: '2024-07-01', end: '2024-07-19' },
    { name: 'Autumn 1', start: '2024-09-02', end: '2024-09-27' },
  ] as never,
  closures: [
    { date: '2024-07-05', session: 'ALL', reason: 'INSET' },
    { date: '2024-09-13', session: 'PM', reason: 'INSET' },
  ] as never,
});
if (!compiled.ok) throw new Error('test calendar');
const CAL: SchoolCalendar = compiled.value;

const UPNS = ['B801200005001', 'P330450024123', 'L938214325007', 'Y33045002412T'];
const BAD_UPNS = ['A801200005001', 'B80120000500', 'b801200005001', ' P330450024123 ', 'Q801200005002'];
const CODES_2024 = CODE_TABLE.filter((c) => c.codeSet === '2024').map((c) => c.code);
const CODES_2006 = CODE_TABLE.filter((c) => c.codeSet === '2006').map((c) => c.code);

/** Every date from 28 June to 1 October 2024 (school days, weekends, holidays, closures). */
const DATES: string[] = [];
for (let t = Date.UTC(2024, 5, 28); t <= Date.UTC(2024, 9, 1); t += 86_400_000) {
  DATES.push(new Date(t).toISOString().slice(0, 10));
}
const SCHOOL_SESSIONS = CAL.sessionDate.map((date, s) => ({ date, session: CAL.sessionIsPM[s] ? 'PM' : 'AM' }));

interface Row {
  upn: string;
  date: string;
  session: string;
  code: string;
  minutes: string;
  note: string;
}

/** A valid mark on a school session: a code of the date's set, minutes on L and U only. */
const cleanRow = fc
  .record({
    upn: fc.constantFrom(...UPNS),
    at: fc.integer({ min: 0, max: SCHOOL_SESSIONS.length - 1 }),
    code: fc.integer({ min: 0, max: 1000 }),
    minutes: fc.constantFrom('', '', '', '5', '12', '0', '600'),
  })
  .map(({ upn, at, code, minutes }): Row => {
    const { date, session } = SCHOOL_SESSIONS[at]!;
    const set = date >= '2024-08-19' ? CODES_2024 : CODES_2006;
    const c = set[code % set.length]!;
    return { upn, date, session, code: c, minutes: c === 'L' || c === 'U' ? minutes : '', note: 'x' };
  });

/** Anything at all, valid or not. */
const wildRow: fc.Arbitrary<Row> = fc.record({
  upn: fc.oneof(fc.constantFrom(...UPNS), fc.constantFrom(...BAD_UPNS)),
  date: fc.oneof(
    { arbitrary: fc.constantFrom(...DATES), weight: 8 },
    {
      arbitrary: fc.constantFrom('2024-02-30', '2024-9-02', '', ' 2024-09-03 ', '2024-09-0x', '1899-09-02'),
      weight: 1,
    },
  ),
  session: fc.constantFrom('AM', 'PM', 'am', ' pm ', 'XX', '', 'A', 'AM\r', '\u000bPM'),
  code: fc.oneof(
    { arbitrary: fc.constantFrom(...CODES_2024, ...CODES_2006), weight: 6 },
    { arbitrary: fc.constantFrom('o', 'c1', ' / ', 'Q9', '', '#', 'ABC', 'é'), weight: 2 },
  ),
  minutes: fc.constantFrom('', '5', '0', '600', '601', '12345', 'x', ' 7 '),
  note: fc.constantFrom('x', '', 'a "quoted" note', 'é', 'two words', 'a\rb', 'ctrl\u0001', '\u0093smart\u0094'),
});

interface Shape {
  order: number[];
  crlf: boolean;
  bom: boolean;
  blankEvery: number;
  withMinutes: boolean;
  withNote: boolean;
  quoteNotes: boolean;
}

const shapeArb: fc.Arbitrary<Shape> = fc.record({
  order: fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 6, maxLength: 6 }),
  crlf: fc.boolean(),
  bom: fc.boolean(),
  blankEvery: fc.constantFrom(0, 0, 0, 3, 7),
  withMinutes: fc.boolean(),
  withNote: fc.boolean(),
  quoteNotes: fc.boolean(),
});

const COLUMNS = ['upn', 'date', 'session', 'code', 'minutes_late', 'note'] as const;

function csvOf(rows: readonly Row[], shape: Shape): string {
  const columns = shape.order.filter((c) => (c !== 4 || shape.withMinutes) && (c !== 5 || shape.withNote));
  const eol = shape.crlf ? '\r\n' : '\n';
  const cell = (r: Row, c: number): string => {
    const v = [r.upn, r.date, r.session, r.code, r.minutes, r.note][c]!;
    return c === 5 && shape.quoteNotes ? `"${v.replace(/"/g, '""')}"` : v.replace(/"/g, '');
  };
  const lines = [columns.map((c) => COLUMNS[c]).join(',')];
  rows.forEach((r, i) => {
    if (shape.blankEvery > 0 && i % shape.blankEvery === 0) lines.push('');
    lines.push(columns.map((c) => cell(r, c)).join(','));
  });
  return `${shape.bom ? '\uFEFF' : ''}${lines.join(eol)}${eol}`;
}

/** The reference: the CSV reader and buildRoll, as `rollcall analyse` did before the fast path. */
function reference(text: string, pupils: readonly PupilRow[] | undefined): ReturnType<typeof buildRoll> | 'header' {
  const table = parseCsv(text);
  const at = (name: string): number => table.header.indexOf(name);
  if (table.problems.length > 0 || ['upn', 'date', 'session', 'code'].some((c) => at(c) < 0)) return 'header';
  const m = at('minutes_late');
  const rows: MarkRow[] = table.records.map((r) => ({
    line: r.line,
    upn: r.fields[at('upn')] ?? '',
    date: r.fields[at('date')] ?? '',
    session: r.fields[at('session')] ?? '',
    code: r.fields[at('code')] ?? '',
    minutesLate: m >= 0 ? r.fields[m] : undefined,
  }));
  return buildRoll(CAL, rows, pupils);
}

const pupilsArb: fc.Arbitrary<PupilRow[] | undefined> = fc.option(
  fc
    .subarray(UPNS, { minLength: 1 })
    .chain((upns) =>
      fc.tuple(
        ...upns.map((upn) =>
          fc
            .record({
              admission: fc.constantFrom('', '2024-07-01', '2024-07-10', '2024-09-04'),
              leaving: fc.constantFrom('', '2024-07-19', '2024-09-20'),
            })
            .map(({ admission, leaving }) => ({ upn, admission, leaving })),
        ),
      ),
    )
    .map((ps) =>
      ps.map((p, i): PupilRow => ({
        line: i + 2,
        values: { upn: p.upn, admission_date: p.admission, leaving_date: p.leaving },
      })),
    ),
  { nil: undefined },
);

describe('buildRollFromCsv (the byte-level marks reader)', () => {
  it('reads a clean file itself, with the same roll as the CSV reader and buildRoll', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(cleanRow, { selector: (r) => `${r.upn} ${r.date} ${r.session}`, maxLength: 120 }),
        shapeArb,
        (rows, shape) => {
          const text = csvOf(rows, { ...shape, quoteNotes: false });
          const slow = reference(text, undefined);
          expect(slow).not.toBe('header');
          if (slow === 'header') return;
          expect(slow.issues).toEqual([]);
          const fast = buildRollFromCsv(CAL, Buffer.from(text, 'utf8'));
          expect(fast).toBeDefined();
          expect(fast).toEqual(slow.pupils);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on any file, gives the reference roll when that has no issue, and otherwise hands over', () => {
    let readItself = 0;
    fc.assert(
      fc.property(
        fc.uniqueArray(cleanRow, { selector: (r) => `${r.upn} ${r.date} ${r.session}`, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), wildRow), { maxLength: 2 }),
        shapeArb,
        pupilsArb,
        (clean, wild, shape, pupils) => {
          const rows = [...clean];
          for (const [at, row] of wild) rows.splice(at % (rows.length + 1), 0, row);
          const text = csvOf(rows, shape);
          const fast = buildRollFromCsv(CAL, Buffer.from(text, 'utf8'), pupils);
          const slow = reference(text, pupils);
          if (fast === undefined) return;
          readItself++;
          expect(slow).not.toBe('header');
          if (slow === 'header') return;
          expect(slow.issues).toEqual([]);
          expect(fast).toEqual(slow.pupils);
        },
      ),
      { numRuns: 1000 },
    );
    // The wild files must reach the fast path often enough for the comparison to mean something.
    expect(readItself).toBeGreaterThan(50);
  });

  it('hands over on a duplicate mark, a closure marked other than #, and a mark before admission', () => {
    const head = 'upn,date,session,code\n';
    expect(
      buildRollFromCsv(CAL, Buffer.from(`${head}B801200005001,2024-09-03,AM,/\nB801200005001,2024-09-03,AM,/\n`)),
    ).toBeUndefined();
    expect(buildRollFromCsv(CAL, Buffer.from(`${head}B801200005001,2024-07-05,AM,/\n`))).toBeUndefined();
    const closure = buildRollFromCsv(
      CAL,
      Buffer.from(`${head}B801200005001,2024-07-05,AM,#\nB801200005001,2024-09-13,PM,#\n`),
    );
    expect(closure?.map((p) => [p.onRollFrom, p.onRollTo])).toEqual([['2024-07-05', '2024-09-13']]);
    const pupils: PupilRow[] = [{ line: 2, values: { upn: 'B801200005001', admission_date: '2024-09-04' } }];
    expect(buildRollFromCsv(CAL, Buffer.from(`${head}B801200005001,2024-09-03,AM,/\n`), pupils)).toBeUndefined();
  });
});

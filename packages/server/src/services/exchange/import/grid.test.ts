import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../imports/csv.js';
import { gridToLong } from './grid.js';

const UPN1 = 'B801200005001';
const UPN2 = 'P330450024123';

function read(text: string) {
  const table = parseCsv(text);
  return gridToLong(table, table.header.includes('date'));
}

describe('the grid layout of a marks file', () => {
  it('reads one column per session, named by weekday, date and session, each mark on its row’s line', () => {
    const g = read(
      [
        'Surname,Forename,UPN,Mon 01/09/2025 AM,Mon 01/09/2025 PM,02-Sep-2025 Morning,2025-09-02 PM',
        `Able,Alex,${UPN1},/,\\,L,c1`,
        `Baker,Bea,${UPN2},I,-,,Y1`,
      ].join('\n'),
    );
    expect(g?.sessions).toBe(4);
    expect(g?.table.header).toEqual(['upn', 'date', 'session', 'code']);
    expect(g?.table.records).toEqual([
      { line: 2, fields: [UPN1, '2025-09-01', 'AM', '/'] },
      { line: 2, fields: [UPN1, '2025-09-01', 'PM', '\\'] },
      { line: 2, fields: [UPN1, '2025-09-02', 'AM', 'L'] },
      { line: 2, fields: [UPN1, '2025-09-02', 'PM', 'c1'] },
      // A blank cell and "-" are no mark; a two-character code stays whole.
      { line: 3, fields: [UPN2, '2025-09-01', 'AM', 'I'] },
      { line: 3, fields: [UPN2, '2025-09-02', 'PM', 'Y1'] },
    ]);
  });

  it('reads a two-row header: the date over its sessions (a merged cell saves as the date, then a blank), AM/PM under', () => {
    const g = read(
      ['UPN,Name,Mon 01/09/2025,,Tue 02/09/2025,', ',,AM,PM,AM,PM', `${UPN1},Alex Able,/,\\,N,O`].join('\n'),
    );
    expect(g?.table.records).toEqual([
      { line: 3, fields: [UPN1, '2025-09-01', 'AM', '/'] },
      { line: 3, fields: [UPN1, '2025-09-01', 'PM', '\\'] },
      { line: 3, fields: [UPN1, '2025-09-02', 'AM', 'N'] },
      { line: 3, fields: [UPN1, '2025-09-02', 'PM', 'O'] },
    ]);
  });

  it('leaves a long marks file (with a date column) and a file without session columns alone', () => {
    expect(read(`upn,date,session,code\n${UPN1},2025-09-01,AM,/\n`)).toBeUndefined();
    expect(read(`UPN,Surname\n${UPN1},Able\n`)).toBeUndefined();
  });

  it('says on line 1 when a grid has no UPN column', () => {
    const g = read('Name,01/09/2025 AM,01/09/2025 PM\nAlex Able,/,\\\n');
    expect(g?.table.records).toEqual([]);
    expect(g?.table.problems).toEqual([
      {
        line: 1,
        message: 'the marks grid (one column per session, 2 found) has no UPN column: add a column headed UPN',
      },
    ]);
  });
});

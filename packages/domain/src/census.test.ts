import { describe, expect, it } from 'vitest';
import { ageAtStartOfYear, censusPeriod, easterSunday, springBankHoliday } from './census.js';

describe('census periods', () => {
  it('finds Easter Sunday and the spring bank holiday', () => {
    expect([2024, 2025, 2026, 2027].map(easterSunday)).toEqual([
      '2024-03-31',
      '2025-04-20',
      '2026-04-05',
      '2027-03-28',
    ]);
    expect([2025, 2026].map(springBankHoliday)).toEqual(['2025-05-26', '2026-05-25']);
  });

  it('lays out the four periods of 2025/26 as the DfE defines them', () => {
    const of = (n: Parameters<typeof censusPeriod>[0]) => {
      const p = censusPeriod(n, 2025);
      return [p.from, p.to, p.census];
    };
    expect(of('autumn')).toEqual(['2025-08-01', '2025-12-31', 'spring']);
    expect(of('spring')).toEqual(['2026-01-01', '2026-04-05', 'summer']);
    expect(of('summer-1')).toEqual(['2026-04-06', '2026-05-24', 'autumn']);
    expect(of('summer-2')).toEqual(['2026-05-25', '2026-07-31', 'autumn']);
  });

  it('takes the age on 31 August', () => {
    expect(ageAtStartOfYear('2015-08-31', 2025)).toBe(10);
    expect(ageAtStartOfYear('2015-09-01', 2025)).toBe(9);
  });
});

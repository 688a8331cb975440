import { describe, expect, it } from 'vitest';
import { NATIONAL_FIGURES, nationalFiguresFor, nationalPhaseOf } from './national.js';
import { d } from './test-support.js';

describe('national figures', () => {
  it('maps school phases to the published phases', () => {
    expect(nationalPhaseOf('secondary')).toBe('secondary');
    expect(nationalPhaseOf('all-through')).toBe('total');
  });

  it('gives the same academic year’s series for the phase, with severe absence from the census', () => {
    const f = nationalFiguresFor('secondary', d('2025-11-20'))!;
    expect(f.academicYear).toBe('2025/26');
    expect(f.source).toBe('daily');
    expect(f.overallAbsence).toBe(0.0849);
    expect(f.persistentAbsence).toBe(0.2377);
    expect(f.severeAbsence).toBe(0.023);
    expect(f.severeAbsenceFrom).toBe('census 2023/24, all schools');
  });

  it('prefers the full-year census to daily data of the same year, and falls back to earlier years', () => {
    expect(nationalFiguresFor('primary', d('2024-03-01'))).toMatchObject({ source: 'census', academicYear: '2023/24' });
    expect(nationalFiguresFor('primary', d('2027-01-10'))).toMatchObject({ academicYear: '2025/26' });
    expect(nationalFiguresFor('primary', d('2019-01-10'))).toBeNull();
    expect(nationalFiguresFor('special', d('2019-01-10'))).toBeNull();
  });

  it('holds fractions only', () => {
    const values = NATIONAL_FIGURES.flatMap((f) => [
      f.overallAbsence,
      f.authorisedAbsence,
      f.unauthorisedAbsence,
      f.persistentAbsence,
      f.severeAbsence,
    ]).filter((v) => v !== null);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});

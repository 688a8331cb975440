import { describe, expect, it } from 'vitest';
import { createViews, localTime, period, plainSource } from './app.js';

describe('page filters', () => {
  it('shows an instant in the school’s local time, in words', () => {
    expect(localTime('2025-09-19T15:00:00.000Z')).toBe('19 September 2025 at 16:00'); // BST
    expect(localTime('2025-12-01T09:05:00.000Z')).toBe('1 December 2025 at 09:05'); // GMT
    expect(localTime('2025-12-01T09:05:00.000Z', 'Europe/Dublin')).toBe('1 December 2025 at 09:05');
    expect(localTime('not a time')).toBe('not a time');
    expect(localTime(null)).toBe(null);
  });

  it('names a policy’s source in plain words, without the seed files’ internal keys', () => {
    expect(plainSource('seed 003 "Attendance Intervention Staged Process" (Stages 1–4, 3A, 3B)')).toBe(
      'the school’s written policy "Attendance Intervention Staged Process" (Stages 1–4, 3A, 3B)',
    );
    expect(plainSource('seed 002 §5.3 Twin-Track Model and §5.4 Home Visits')).not.toMatch(/seed/);
    // A casework explanation cites "(policy seed 001 …)": no "policy the school’s written policy".
    expect(plainSource('is below 95% (policy seed 001 Appendix 1, as of 2026-12-07).')).toBe(
      'is below 95% (the school’s written policy Appendix 1, as of 7 December 2026).',
    );
    // Dates in an explanation read as dates; an instant is left to localTime.
    expect(plainSource('7 school weeks in the stage since 2026-10-16, at least 4')).toBe(
      '7 school weeks in the stage since 16 October 2026, at least 4',
    );
    expect(plainSource('at 2026-10-16T09:00:00Z')).toBe('at 2026-10-16T09:00:00Z');
    const views = createViews({ noCache: true });
    expect(views.renderString('{{ s | plainSource }}', { s: 'seed 001 Appendix 1' })).toBe(
      'the school’s written policy Appendix 1',
    );
  });

  it('says a period the same way on every page', () => {
    expect(period('2025-09-01', '2025-12-19')).toBe('1 September 2025 to 19 December 2025 (school year 2025/26)');
    expect(period(undefined, '2026-03-02')).toBe('the school year 2025/26 to 2 March 2026');
    expect(period('2025-09-01', null)).toBe(null);
    expect(
      createViews({ noCache: true }).renderString('{{ a | period(b) }}', { a: '2025-09-01', b: '2025-09-05' }),
    ).toBe('1 September 2025 to 5 September 2025 (school year 2025/26)');
  });
});

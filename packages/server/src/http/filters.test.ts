import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { createViews, localTime, period, plainSource, trim } from './app.js';

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

  it('trims as Nunjucks’s own filter does (its expression, below), from the ends only, and keeps a safe string safe', () => {
    const nunjucksTrim = (x: string) => x.replace(/^\s*|\s*$/g, '');
    const cases = [
      '',
      '   ',
      '  a  ',
      '\n\t<td>x</td>\n   ',
      'no space',
      '\u00a0\u2003\ufeff\u3000 inner  space \u2028\u2029\u202f\u205f\u1680\v\f\r',
      '  <p>\n    one\n  </p>\n'.repeat(50),
    ];
    for (const c of cases) expect(trim(c)).toBe(nunjucksTrim(c));
    const safe = trim(new nunjucks.runtime.SafeString('  <b>bold</b>  '));
    expect(safe).toBeInstanceOf(nunjucks.runtime.SafeString);
    expect(String(safe)).toBe('<b>bold</b>');
    // The pages' environment uses it (GOV.UK components call `| trim` on the HTML they are given).
    const views = createViews({ noCache: true });
    expect(views.getFilter('trim')).toBe(trim);
    expect(views.renderString('[{{ h | safe | trim }}][{{ t | trim }}]', { h: '  <i>x</i>\n', t: ' <i> ' })).toBe(
      '[<i>x</i>][&lt;i&gt;]',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { readPdfText } from '../packages/server/src/platform/pdf.js';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable } from './support/browser.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';

describe.skipIf(!browserAvailable())('a letter fit to post, to the parent chosen', () => {
  const ctx = browserSuite();

  it('composes to the second parent (another address), prints, and the PDF is addressed to them in every part', async () => {
    // Friday 3 October 2025, 10:00 in London
    ctx.server.clock.set('2025-10-03T09:00:00Z');
    const pupilId = ctx.server.school.pupilsA[2]!;
    // Two parents at two addresses (made-up names; the pages cannot add contacts: they are imported).
    await ctx.server.db
      .insertInto('contacts')
      .values([
        {
          id: 'e2e-first-parent',
          pupil_id: pupilId,
          name: 'Maria Exemplo',
          relationship: 'Mother',
          parental_responsibility: 1,
          lives_with_pupil: 1,
          priority: 1,
          mobile_phone: null,
          home_phone: null,
          work_phone: null,
          email: null,
          address: '3 First Avenue\nTesttown',
          postcode: 'ZX1 1AA',
          preferred_language: null,
        },
        {
          id: 'e2e-second-parent',
          pupil_id: pupilId,
          name: 'Łukasz Wiśniewski-Próbny',
          relationship: 'Father',
          parental_responsibility: 1,
          lives_with_pupil: 0,
          priority: 2,
          mobile_phone: null,
          home_phone: null,
          work_phone: null,
          email: null,
          address: '22 Żabia Lane\nOthertown',
          postcode: 'ZX9 9ZZ',
          preferred_language: null,
        },
      ])
      .execute();
    const page = ctx.page;
    await new SignInPage(page, ctx.server.url).signIn(ctx.server.email('attendance_officer'), PASSWORD);
    await page.goto(`${ctx.server.url}/pupils/${pupilId}/letters`);
    await page.getByRole('link', { name: 'Invitation to an attendance meeting' }).click();
    expect(await page.getByTestId('letter-language').textContent()).toContain('In English.');
    // The body holds no salutation: the recipient's comes with the print.
    const body = await page.getByRole('textbox', { name: 'Letter' }).inputValue();
    expect(body).not.toContain('Dear');
    await page
      .getByRole('textbox', { name: 'Letter' })
      .fill(
        'We would like to meet you on Monday 6 October 2025 at 9:00 in the school office to talk about attendance.',
      );
    await page.getByRole('radio', { name: 'Łukasz Wiśniewski-Próbny (Father)' }).check();
    await page.getByRole('button', { name: 'Print' }).click();
    await page.waitForURL((u) => u.pathname.endsWith('/letters'));
    expect(await page.locator('[data-testid="letters"]').textContent()).toContain('Łukasz Wiśniewski-Próbny');
    const href = await page.getAttribute('[data-testid="letter-pdf"]', 'href');
    const pdf = await page.request.get(`${ctx.server.url}${href!}`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    const lines = readPdfText(await pdf.body()).split('\n');
    const window = lines.indexOf('Łukasz Wiśniewski-Próbny');
    expect(lines.slice(window, window + 5)).toEqual([
      'Łukasz Wiśniewski-Próbny',
      '22 Żabia Lane',
      'Othertown',
      'ZX9 9ZZ',
      '3 October 2025',
    ]);
    expect(lines).toContain('Dear Łukasz Wiśniewski-Próbny,');
    expect(lines.join('\n')).not.toContain('Maria Exemplo');
    expect(lines).toContain('Yours sincerely');
    expect(lines).toContain('Test attendance_officer');

    // The second parent's preferred language, edited on the compose page: no Polish version yet.
    await page.goto(
      `${ctx.server.url}/pupils/${pupilId}/letters/new?template=meeting-invitation&contact=e2e-second-parent`,
    );
    await page.getByText('preferred language: English').click();
    await page.getByLabel('Preferred language').selectOption('pl');
    await page.getByRole('button', { name: 'Save language' }).click();
    await page.waitForURL((u) => u.pathname.endsWith('/letters/new'));
    expect(await page.getByTestId('letter-language').textContent()).toContain(
      "In English: Łukasz Wiśniewski-Próbny's preferred language is Polish, and the school has no Polish version of this letter.",
    );
  });
});

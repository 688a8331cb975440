import { describe, expect, it } from 'vitest';
import { SignInPage } from './pages/sign-in.js';
import { browserAvailable } from './support/browser.js';
import { axeViolations, noHorizontalScroll } from './support/reflow.js';
import { PASSWORD } from './support/server.js';
import { browserSuite } from './support/suite.js';

describe.skipIf(!browserAvailable())('the admission register in the browser', () => {
  const ctx = browserSuite();

  const pupils = [
    { width: 320, name: 'Able, Alex', index: 0 },
    { width: 1280, name: 'Cole, Cal', index: 2 },
  ] as const;
  for (const { width, name, index } of pupils)
    it(`the office completes ${name}'s register items from the register, a bad postcode named first, at ${width} px`, async () => {
      const page = ctx.page;
      await page.setViewportSize({ width, height: 900 });
      await new SignInPage(page, ctx.server.url).signIn(ctx.server.email('office'), PASSWORD);
      await page.goto(`${ctx.server.url}/admissions`);
      await page.getByRole('link', { name: `Edit register items for ${name}` }).click();
      await page.waitForURL((u) => u.pathname === `/admissions/pupils/${ctx.server.school.pupilsA[index]}/items`);
      expect(await page.getByTestId('items-missing').textContent()).toContain("pupil's address and postcode");
      await noHorizontalScroll(page);
      expect(await axeViolations(page)).toEqual([]);

      await page.getByRole('textbox', { name: 'Address where the pupil normally lives' }).fill('7 Example Row');
      await page.getByRole('textbox', { name: 'Postcode', exact: true }).first().fill('NOPE');
      const parent = index === 0 ? 'Parent 1' : 'Add a parent';
      const group = page.getByRole('group', { name: parent });
      if (index !== 0) {
        await group.getByRole('textbox', { name: 'Full name' }).fill('Carer Example');
        await group.getByRole('textbox', { name: 'Relationship to the pupil' }).fill('Carer');
        await group.getByRole('checkbox', { name: 'The pupil normally lives with this parent' }).check();
        await group.getByRole('textbox', { name: 'Mobile telephone' }).fill('07700 900456');
      }
      await group.getByRole('checkbox', { name: 'Lives at the pupil’s address' }).check();
      await page.getByRole('radio', { name: 'None: this is the pupil’s first school' }).check();
      await page.getByRole('button', { name: 'Save the register’s items' }).click();
      const summary = page.locator('.govuk-error-summary');
      await summary.waitFor();
      expect(await summary.textContent()).toContain('Enter a real postcode, like ZX1 2AB');
      // What was typed is kept, and the page still reflows and passes axe with its errors.
      expect(await page.getByRole('textbox', { name: 'Address where the pupil normally lives' }).inputValue()).toBe(
        '7 Example Row',
      );
      await noHorizontalScroll(page);
      expect(await axeViolations(page)).toEqual([]);
      await summary.getByRole('link', { name: 'Enter a real postcode, like ZX1 2AB' }).click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('zx7 7ex');
      await page.getByRole('button', { name: 'Save the register’s items' }).click();
      await page.getByText('The admission register is updated.').waitFor();
      const row = page.getByRole('row').filter({ hasText: name });
      expect(await row.textContent()).toContain('7 Example Row, ZX7 7EX');
      expect(await row.textContent()).not.toContain('Missing');
    });
});

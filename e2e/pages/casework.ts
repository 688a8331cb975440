import type { Locator, Page } from 'playwright-core';

/** The officer's casework list (`/casework`). */
export class CaseworkPage {
  constructor(
    private readonly page: Page,
    private readonly base: string,
  ) {}

  async open(): Promise<void> {
    await this.page.goto(`${this.base}/casework`);
  }

  /** The open suggestion for a pupil (its card). */
  suggestion(pupilName: string): Locator {
    return this.page.locator('[data-testid="suggestion"]', { has: this.page.getByRole('link', { name: pupilName }) });
  }

  /** Decides on a pupil's suggestion: accept, adjust (with a stage) or dismiss, with an optional reason. */
  async decide(pupilName: string, decision: 'Accept' | 'Adjust the stage' | 'Dismiss', reason = ''): Promise<void> {
    const card = this.suggestion(pupilName);
    await card.getByRole('radio', { name: decision, exact: true }).check();
    if (reason) await card.getByRole('textbox', { name: 'Reason' }).fill(reason);
    await card.getByRole('button', { name: 'Record decision' }).click();
    await this.page.waitForURL((u) => u.searchParams.has('done'));
  }

  banner(): Locator {
    return this.page.locator('.govuk-notification-banner');
  }

  /** Follows a filter link, e.g. ('Year group', 'Year 4 (1)'). */
  async filter(group: string, option: string): Promise<void> {
    const row = this.page.locator('[data-testid="suggestion-filters"] .govuk-summary-list__row', {
      has: this.page.getByText(group, { exact: true }),
    });
    await row.getByRole('link', { name: option }).click();
  }

  /** Ticks the suggestions of these pupils and accepts them together with one reason. */
  async acceptSelected(pupilNames: readonly string[], reason: string): Promise<void> {
    for (const name of pupilNames) {
      await this.suggestion(name)
        .getByRole('checkbox', { name: `Select ${name}` })
        .check();
    }
    await this.page.getByRole('textbox', { name: 'Reason for the selected suggestions' }).fill(reason);
    await this.page.getByRole('button', { name: 'Accept selected' }).click();
    await this.page.waitForURL((u) => u.searchParams.get('done') === 'accept-many');
  }

  /** The pupils listed against a stage, as the table shows them. */
  async pupilsIn(stageName: string): Promise<string[]> {
    const row = this.page.locator('[data-testid="stages"] tr', {
      has: this.page.getByRole('rowheader', { name: stageName }),
    });
    return row.locator('td a').allTextContents();
  }
}

export interface MeetingRecord {
  readonly attendees: string;
  readonly barriers: string;
  readonly minutes: string;
  readonly pupilVoice: string;
  readonly parentVoice: string;
  readonly actions: readonly { description: string; owner: string; due: string }[];
}

/** A pupil's case record (`/pupils/:id/case`). */
export class CasePage {
  constructor(
    private readonly page: Page,
    private readonly base: string,
  ) {}

  async open(pupilId: string): Promise<void> {
    await this.page.goto(`${this.base}/pupils/${pupilId}/case`);
  }

  currentStage(): Promise<string | null> {
    return this.page.getByTestId('current-stage').textContent();
  }

  actionsTable(): Locator {
    return this.page.getByTestId('actions');
  }

  async arrangeMeeting(m: { kind: string; date: string; time: string; invited: string }): Promise<void> {
    await this.page.getByText('Arrange a meeting').click();
    const form = this.page.getByTestId('arrange-meeting-form');
    await form.getByRole('textbox', { name: 'What the meeting is for' }).fill(m.kind);
    await form.getByLabel('Date', { exact: true }).fill(m.date);
    await form.getByRole('textbox', { name: 'Time' }).fill(m.time);
    await form.getByRole('textbox', { name: 'Invited' }).fill(m.invited);
    await form.getByRole('button', { name: 'Arrange meeting' }).click();
    await this.page.waitForURL((u) => u.searchParams.get('done') === 'meeting');
  }

  async recordMeetingHeld(r: MeetingRecord): Promise<void> {
    await this.page.getByText('Record this meeting').click();
    const form = this.page.getByTestId('record-meeting-form');
    await form.getByRole('radio', { name: 'Held', exact: true }).check();
    await form.getByRole('textbox', { name: 'Who attended' }).fill(r.attendees);
    await form.getByRole('textbox', { name: 'Barriers to attendance identified' }).fill(r.barriers);
    await form.getByRole('textbox', { name: 'Minutes' }).fill(r.minutes);
    await form.getByRole('textbox', { name: 'The pupil’s voice' }).fill(r.pupilVoice);
    await form.getByRole('textbox', { name: 'The parents’ voice' }).fill(r.parentVoice);
    const rows = form.getByTestId('action-row');
    for (const [i, a] of r.actions.entries()) {
      const row = rows.nth(i);
      await row.getByRole('textbox', { name: `Action ${i + 1}` }).fill(a.description);
      await row.getByRole('textbox', { name: 'Owner' }).fill(a.owner);
      await row.getByLabel('Due').fill(a.due);
    }
    await form.getByRole('button', { name: 'Record meeting' }).click();
    await this.page.waitForURL((u) => u.searchParams.get('done') === 'meeting-recorded');
  }

  meetings(): Locator {
    return this.page.getByTestId('meeting');
  }
}

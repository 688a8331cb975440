import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** The analysis pages: the dashboard's filter, and the trends/patterns/lists pages with downloads. */
export class AnalysisPage {
  constructor(
    private readonly page: Page,
    private readonly base: string,
  ) {}

  async openDashboard(): Promise<void> {
    await this.page.goto(`${this.base}/analysis`);
  }

  /** Chooses a group in the dashboard's filter and shows it. */
  async filterDashboardToGroup(label: string): Promise<void> {
    await this.page.getByLabel('Group', { exact: true }).selectOption({ label });
    await this.page.getByRole('button', { name: 'Show' }).click();
    await this.page.waitForLoadState('load');
  }

  /** Downloads one of the dashboard's tables for the filters the dashboard shows. */
  async exportDashboard(table: string): Promise<{ contentType: string; text: string }> {
    const params = new URL(this.page.url()).searchParams;
    params.set('table', table);
    params.set('format', 'csv');
    const res = await this.page.request.get(`${this.base}/analysis/export?${params.toString()}`);
    return { contentType: res.headers()['content-type'] ?? '', text: await res.text() };
  }

  /** Opens another analysis page with the filters the current page has. */
  async openWithSameFilters(path: string): Promise<void> {
    const search = new URL(this.page.url()).search;
    await this.page.goto(`${this.base}${path}${search}`);
  }

  async openSubPage(name: 'Trends' | 'Patterns' | 'Pupil lists' | 'Governors’ report'): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Analysis' }).getByRole('link', { name, exact: true }).click();
    await this.page.waitForLoadState('load');
  }

  async filterToGroup(label: string): Promise<void> {
    await this.page.getByLabel('Group', { exact: true }).selectOption({ label });
    await this.page.getByRole('button', { name: 'Apply filters' }).click();
    await this.page.waitForLoadState('load');
  }

  async scope(): Promise<string> {
    return (await this.page.getByTestId('analysis-scope').textContent())?.replace(/\s+/g, ' ').trim() ?? '';
  }

  /** Downloads a table as CSV and returns the file's name and text. */
  async downloadCsv(table: string): Promise<{ name: string; text: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByTestId(`csv-${table}`).click(),
    ]);
    const path = await download.path();
    return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') };
  }

  async choosePupil(name: string): Promise<void> {
    await this.page.getByLabel(`Choose ${name}`).check();
  }

  async writeLetters(): Promise<void> {
    await this.page.getByRole('button', { name: 'Write letters' }).click();
    await this.page.waitForLoadState('load');
  }
}

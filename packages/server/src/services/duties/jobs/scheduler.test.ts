import { describe, expect, it } from 'vitest';
import { testDeps } from '../../../../test/fixtures.js';
import type { Db } from '../../../db/connect.js';
import { startScheduler } from './scheduler.js';

describe('the scheduler', () => {
  it('schedules every job that has a schedule, in the configured time zone, and stops', () => {
    // No tick fires within the test, so no database is touched.
    const scheduler = startScheduler(testDeps({} as Db, 'sqlite'));
    try {
      const names = scheduler.scheduled.map((s) => s.name);
      expect(names).toEqual(expect.arrayContaining(['register-close', 'returns-due', 'outbox', 'weekly-report']));
      const weekly = scheduler.scheduled.find((s) => s.name === 'weekly-report');
      expect(weekly?.next).toMatch(/^\d{4}-\d{2}-\d{2}T(15|16):00:00\.000Z$/);
    } finally {
      scheduler.stop();
    }
  });
});

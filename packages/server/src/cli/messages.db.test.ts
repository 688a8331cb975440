import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { d, seedSmallSchool, testDeps } from '../../test/fixtures.js';
import type { SmsSender } from '../platform/sms.js';
import { queueMessage } from '../services/messages.js';
import { runDeliver, runSummaries } from './messages.js';

function capture(): { out: string[]; err: string[]; io: { stdout(t: string): void; stderr(t: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t) } };
}

describeEachDialect('cli messages', (ctx) => {
  it('queues summaries by URN, then delivers texts and reports email waiting for SMTP', async () => {
    const school = await seedSmallSchool(ctx.db);
    await ctx.db
      .insertInto('session_marks')
      .values({
        pupil_id: school.pupilsA[0]!,
        date: '2025-09-01',
        session: 'AM',
        code: '/',
        minutes_late: null,
        updated_at: '2025-09-01T09:00:00.000Z',
        updated_by: null,
      })
      .execute();
    await ctx.db.updateTable('contacts').set({ email: null }).where('pupil_id', '=', school.pupilsA[0]!).execute();
    const deps = testDeps(ctx.db, ctx.dialect, '2025-09-01T16:00:00Z');
    const urn = (
      await ctx.db.selectFrom('schools').select('urn').where('id', '=', school.schoolId).executeTakeFirstOrThrow()
    ).urn;

    const s = capture();
    expect(await runSummaries(deps, s.io, { schoolUrn: urn, asOf: d('2025-09-01') })).toBe(0);
    expect(s.out.join('')).toContain('5 of 5 pupils');
    expect(s.out.join('')).toContain('Queued 1 summaries for 5 pupils at Test Primary: 0 email, 1 text');

    await queueMessage(ctx.db, {
      schoolId: school.schoolId,
      pupilId: school.pupilsA[0]!,
      channel: 'email',
      to: 'parent@example.org',
      subject: 'Hello',
      body: 'Hello',
      kind: 'test',
      createdBy: 'system',
      now: '2025-09-01T16:00:00.000Z',
    });
    const texts: string[] = [];
    const sms: SmsSender = { send: (to) => (texts.push(to), Promise.resolve({ providerId: 'x' })) };
    const r = capture();
    expect(await runDeliver(deps, r.io, { sms })).toBe(0);
    expect(r.out.join('')).toContain('Sent 1, to retry later 0, failed 0');
    expect(texts).toEqual(['+447700900123']);
    // The test config has no SMTP_URL: the email waits in the outbox, and the run says so.
    expect(r.err.join('')).toContain('1 email(s) waiting: SMTP_URL is not set');
  });

  it('fails with exit code 4 for an unknown school', async () => {
    const s = capture();
    expect(await runSummaries(testDeps(ctx.db, ctx.dialect), s.io, { schoolUrn: 'nope', asOf: d('2025-09-01') })).toBe(
      4,
    );
    expect(s.err.join('')).toContain('No school with URN nope');
  });
});

import type { PlainDate } from '@rollcall/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { evaluateSchool } from '../../services/casework/evaluation.js';
import { caseRoutes } from './case-routes.js';

const DAYS = ['01', '02', '03', '04', '05', '08', '09', '10', '11', '12'].map((x) => `2025-09-${x}`);

let t: PagesHarness;
let officer: PageSession;
let pupils: string[];

/** Absent (O) for the first `absent` sessions of two weeks, present after. */
function marks(pupilId: string, absent: number) {
  return DAYS.flatMap((date, day) =>
    (['AM', 'PM'] as const).map((session, s) => ({
      pupil_id: pupilId,
      date,
      session,
      code: day * 2 + s < absent ? 'O' : session === 'AM' ? '/' : '\\',
      minutes_late: null,
      updated_at: '2025-09-12T16:00:00.000Z',
      updated_by: null,
    })),
  );
}

beforeAll(async () => {
  t = await pagesHarness([caseRoutes], 'casequeue', '2025-09-15T08:00:00.000Z');
  officer = await t.signInAs('attendance_officer');
  pupils = [...t.school.pupilsA, ...t.school.pupilsB];
  // Alex (vulnerable: a child protection plan) 20% attendance; the others 90%, 85%, 80%.
  await t.open.db
    .insertInto('session_marks')
    .values([...marks(pupils[0]!, 16), ...marks(pupils[1]!, 2), ...marks(pupils[2]!, 3), ...marks(pupils[3]!, 4)])
    .execute();
  await evaluateSchool(t.deps, t.school.schoolId, '2025-09-12' as PlainDate);
});

afterAll(async () => {
  await t.close();
});

function cardOrder(body: string): string[] {
  return [...body.matchAll(/\sid="select-([^"]+)"/g)].map((m) => m[1]!);
}

describe('the officer’s queue of suggestions', () => {
  it('puts the severely absent, vulnerable pupil first, with filters and their counts', async () => {
    const res = await t.get('/casework', officer);
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    expect(text).toContain('4 open suggestions, most serious first');
    const first = /data-testid="suggestion"[\s\S]*?<\/h3>/.exec(res.body)![0];
    expect(textOf(first)).toContain('Alex Able');
    expect(text).toContain('Severe absence');
    expect(text).toContain('Vulnerable only (1)');
    expect(text).toContain('Year 3 (3)');
    expect(text).toContain('Year 4 (1)');
    expect(res.body).toContain('href="/casework?vulnerable=1#suggestions"');
  });

  it('groups the suggestions by the stage proposed, each group under a heading with its count (issue 17)', async () => {
    const res = await t.get('/casework?sort=stage', officer);
    expect(res.statusCode).toBe(200);
    expect(textOf(res.body)).toContain('4 open suggestions, by the stage proposed');
    const parts = res.body.split('data-testid="stage-group"').slice(1);
    expect(parts.length).toBeGreaterThan(0);
    let cards = 0;
    for (const part of parts) {
      const heading = textOf(part.slice(part.indexOf('>') + 1, part.indexOf('</h3>')));
      const count = Number(/\((\d+) suggestions?\)$/.exec(heading)?.[1]);
      // Every suggestion of the group is on this one page, under its heading.
      expect(cardOrder(part), heading).toHaveLength(count);
      cards += count;
    }
    expect(cards).toBe(4);
    // The grouping survives paging and filtering links.
    expect(res.body).toContain('href="/casework?sort=stage&amp;year=3#suggestions"');
    expect(textOf((await t.get('/casework', officer)).body)).toContain('By stage');
  });

  it('filters by year group and vulnerability; counts follow the other filters', async () => {
    const res = await t.get('/casework?year=4', officer);
    const text = textOf(res.body);
    expect(text).toContain('1 of 4 open suggestions match');
    expect(cardOrder(res.body)).toHaveLength(1);
    expect(text).toContain('Vulnerable only (0)');
    const none = await t.get('/casework?year=4&vulnerable=1', officer);
    expect(textOf(none.body)).toContain('No open suggestions match these filters.');
  });

  it('refuses "accept selected" with nothing ticked, naming the field', async () => {
    const res = await t.post('/casework/accept-selected', officer, { reason: 'x', returnTo: '/casework?year=3' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('href="#accept-many-suggestionIds"');
    expect(textOf(res.body)).toContain('Choose at least one suggestion to accept.');
  });

  it('refuses "dismiss selected" without a reason, keeping what was ticked, as a single dismissal would', async () => {
    const page = await t.get('/casework?year=3', officer);
    expect(page.body).toContain('formaction="/casework/dismiss-selected"');
    const ids = cardOrder(page.body);
    const res = await t.post('/casework/dismiss-selected', officer, {
      suggestionIds: ids.slice(0, 2),
      reason: '  ',
      returnTo: '/casework?year=3',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('href="#accept-many-reason"');
    expect(textOf(res.body)).toContain('Say why the suggestions are dismissed.');
    expect(res.body).toContain(
      `id="select-${ids[0]}" name="suggestionIds" type="checkbox" value="${ids[0]}" form="accept-selected" data-testid="select-suggestion" checked`,
    );
    const none = await t.post('/casework/dismiss-selected', officer, { reason: 'x', returnTo: '/casework' });
    expect(none.statusCode).toBe(400);
    expect(textOf(none.body)).toContain('Choose at least one suggestion to dismiss.');
    const audits = await t.open.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'casework.suggestion.dismiss')
      .execute();
    expect(audits).toHaveLength(0);
  });

  it('accepts several suggestions with one reason, audited per pupil, back to the filtered list', async () => {
    const page = await t.get('/casework?year=3', officer);
    const ids = cardOrder(page.body);
    expect(ids).toHaveLength(3);
    const res = await t.post('/casework/accept-selected', officer, {
      suggestionIds: ids.slice(0, 2),
      reason: 'Agreed at the attendance panel, Monday',
      returnTo: '/casework?year=3',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/casework?year=3&done=accept-many&n=2&skipped=0');
    const after = await t.get(String(res.headers.location), officer);
    expect(textOf(after.body)).toContain('2 suggestions accepted');
    expect(cardOrder(after.body)).toEqual([ids[2]]);
    const audits = await t.open.db
      .selectFrom('audit_log')
      .select(['action', 'pupil_id'])
      .where('action', '=', 'casework.suggestion.accept')
      .execute();
    expect(audits).toHaveLength(2);
    expect(new Set(audits.map((a) => a.pupil_id)).size).toBe(2);
    const stages = await t.open.db
      .selectFrom('case_stages')
      .select(['pupil_id', 'reason'])
      .where('left_on', 'is', null)
      .execute();
    expect(stages).toHaveLength(2);
    for (const s of stages) expect(s.reason).toContain('Agreed at the attendance panel, Monday');
    // Already decided: skipped, and said so.
    const again = await t.post('/casework/accept-selected', officer, { suggestionIds: ids[0]!, returnTo: '/casework' });
    expect(again.headers.location).toBe('/casework?done=accept-many&n=0&skipped=1');
  });

  it('keeps the single decision form working, returning to the filtered list', async () => {
    const page = await t.get('/casework?year=4', officer);
    const id = cardOrder(page.body)[0]!;
    expect(page.body).toContain('name="returnTo" value="/casework?year=4"');
    const res = await t.post(`/casework/suggestions/${id}`, officer, {
      decision: 'dismiss',
      reason: 'Known: family bereavement',
      returnTo: '/casework?year=4',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/casework?year=4&done=dismiss');
  });
});

describe('closing and reopening a case', () => {
  it('proposes closing when a decision on the list takes the pupil out of staged casework', async () => {
    const page = await t.get('/casework', officer);
    const id = cardOrder(page.body)[0]!;
    const res = await t.post(`/casework/suggestions/${id}`, officer, {
      decision: 'adjust',
      stageId: 'none',
      reason: 'Attendance recovered since the figures were taken',
      returnTo: '/casework',
    });
    expect(res.statusCode).toBe(303);
    const location = String(res.headers.location);
    expect(location).toMatch(/^\/casework\?done=adjust&closePupil=/);
    const after = await t.get(location, officer);
    expect(after.body).toMatch(/data-testid="propose-close-link"/);
    expect(after.body).toMatch(/href="\/pupils\/[^"]+\/case#close"/);
  });

  it('proposes closing once out of staged casework; closes with an outcome and reason, keeps the history, reopens', async () => {
    const pupil = pupils[0]!; // the most serious: accepted into a stage above
    const stage = await t.post(`/pupils/${pupil}/case/stage`, officer, { stageId: 'none', reason: 'Attending well' });
    expect(stage.statusCode).toBe(303);
    const page = await t.get(`/pupils/${pupil}/case`, officer);
    expect(page.body).toContain('data-testid="propose-close"');
    const missing = await t.post(`/pupils/${pupil}/case/close`, officer, { outcome: '', reason: '' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('href="#close-outcome"');
    expect(missing.body).toContain('href="#close-reason"');
    const res = await t.post(`/pupils/${pupil}/case/close`, officer, {
      outcome: 'improved',
      reason: 'Above 95% for six weeks',
    });
    expect(res.statusCode).toBe(303);
    const closedPage = (await t.get(`/pupils/${pupil}/case`, officer)).body;
    const closed = textOf(closedPage);
    const history = textOf(/data-testid="stage-history"[\s\S]*?<\/table>/.exec(closedPage)![0]);
    expect(closed).toContain('Attendance improved. Above 95% for six weeks');
    expect(closed).toContain('Case closed: Attendance improved');
    // The stage history is still there.
    expect(history).toContain('Track');
    expect(history).toContain('Case closed: Attendance improved');
    expect(history).toContain('Attending well');
    const audits = await t.open.db
      .selectFrom('audit_log')
      .select(['action'])
      .where('action', '=', 'casework.close')
      .where('pupil_id', '=', pupil)
      .execute();
    expect(audits).toHaveLength(1);
    // Closing twice is refused.
    expect((await t.post(`/pupils/${pupil}/case/close`, officer, { outcome: 'other', reason: 'x' })).statusCode).toBe(
      409,
    );
    const reopen = await t.post('/casework/open', officer, {
      pupilIds: pupil,
      returnTo: 'case',
      reason: 'Absent again after half term',
    });
    expect(reopen.statusCode).toBe(303);
    const reopened = textOf((await t.get(`/pupils/${pupil}/case`, officer)).body);
    expect(reopened).toContain('Case reopened');
    expect(reopened).toContain('Absent again after half term');
    expect(reopened).toContain('Case closed: Attendance improved');
  });
});

describe('attendance over plans and Notices to Improve', () => {
  it('shows the rate, unauthorised sessions and the target over each period on the case page', async () => {
    const pupil = pupils[1]!; // two unauthorised sessions on 1 September, present after
    const plan = await t.post(`/pupils/${pupil}/case/plans`, officer, {
      kind: 'attendance-support',
      startsOn: '2025-09-01',
      endsOn: '2025-10-17',
      targetText: ['Attend every morning'],
      targetMeasure: ['attendance at least 95% over the plan'],
      reviewDate: ['2025-09-26'],
    });
    expect(plan.statusCode).toBe(303);
    const notice = await t.post(`/pupils/${pupil}/case/notices`, officer, {
      parentName: 'Parent of the pupil',
      issuedOn: '2025-09-01',
      period: '15-school-days',
      expectations: 'No unauthorised absence',
    });
    expect(notice.statusCode).toBe(303);
    const body = (await t.get(`/pupils/${pupil}/case`, officer)).body;
    const planCard = textOf(/data-testid="plan"[\s\S]*?data-testid="period-verdict"[\s\S]*?<\/dd>/.exec(body)![0]);
    expect(planCard).toContain('Over the plan Monday 1 September 2025 to Monday 15 September 2025 (so far)');
    expect(planCard).toContain('Attendance 90.0% of 20 possible sessions');
    expect(planCard).toContain('Unauthorised absence 2 sessions');
    expect(planCard).toContain('at least 95.0%: Below target so far');
    const noticeCard = textOf(/data-testid="notice"[\s\S]*?data-testid="period-verdict"[\s\S]*?<\/dd>/.exec(body)![0]);
    expect(noticeCard).toContain('Monitoring period Tuesday 2 September 2025 to Monday 15 September 2025 (so far)');
    expect(noticeCard).toContain('Unauthorised absence 0 sessions');
    expect(noticeCard).toContain('no unauthorised absence: On track so far');
  });
});

describe('dismissing several suggestions at once', () => {
  it('dismisses the ticked suggestions with one reason, audited per pupil, back to the filtered list', async () => {
    // Two fresh open suggestions (the earlier tests decided the evaluation's).
    const fresh = [pupils[2]!, pupils[3]!].map((pupilId, i) => ({
      id: `bulk-dismiss-${i}`,
      pupil_id: pupilId,
      school_id: t.school.schoolId,
      as_of: '2025-09-15',
      kind: 'review',
      from_stage_id: null,
      to_stage_id: null,
      actions: '["review"]',
      explanation: 'Review due (test).',
      because: '[]',
      source: 'test',
      fingerprint: `bulk-dismiss-${i}`,
      status: 'open',
      decided_stage_id: null,
      decision_reason: null,
      decided_by: null,
      decided_by_name: null,
      decided_at: null,
      created_at: '2025-09-15T07:00:00.000Z',
    }));
    await t.open.db.insertInto('case_suggestions').values(fresh).execute();
    const stagesBefore = await t.open.db.selectFrom('case_stages').select('id').execute();
    const res = await t.post('/casework/dismiss-selected', officer, {
      suggestionIds: fresh.map((f) => f.id),
      reason: 'Discussed at the attendance panel: known medical reasons',
      returnTo: '/casework?sort=newest',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/casework?sort=newest&done=dismiss-many&n=2&skipped=0');
    const after = await t.get(String(res.headers.location), officer);
    expect(textOf(after.body)).toContain('2 suggestions dismissed with your reason');
    expect(cardOrder(after.body)).not.toContain(fresh[0]!.id);
    const rows = await t.open.db
      .selectFrom('case_suggestions')
      .select(['status', 'decision_reason'])
      .where(
        'id',
        'in',
        fresh.map((f) => f.id),
      )
      .execute();
    expect(rows).toEqual([
      { status: 'dismissed', decision_reason: 'Discussed at the attendance panel: known medical reasons' },
      { status: 'dismissed', decision_reason: 'Discussed at the attendance panel: known medical reasons' },
    ]);
    const audits = await t.open.db
      .selectFrom('audit_log')
      .select('pupil_id')
      .where('action', '=', 'casework.suggestion.dismiss')
      .where(
        'entity_id',
        'in',
        fresh.map((f) => f.id),
      )
      .execute();
    expect(audits.map((a) => a.pupil_id).sort()).toEqual([pupils[2], pupils[3]].sort());
    // Nothing else changes: no stage moved.
    expect(await t.open.db.selectFrom('case_stages').select('id').execute()).toHaveLength(stagesBefore.length);
    // Already decided: skipped, and said so.
    const again = await t.post('/casework/dismiss-selected', officer, {
      suggestionIds: fresh[0]!.id,
      reason: 'again',
      returnTo: '/casework',
    });
    expect(again.headers.location).toBe('/casework?done=dismiss-many&n=0&skipped=1');
    expect(textOf((await t.get(String(again.headers.location), officer)).body)).toContain(
      '0 suggestions dismissed with your reason (1 not dismissed: already decided)',
    );
  });
});

import type { PlainDate } from '@rollcall/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { evaluateSchool } from '../../services/casework/evaluation.js';
import { caseRoutes } from './case-routes.js';

const DAYS = ['01', '02', '03', '04', '05', '08', '09', '10', '11', '12'].map((x) => `2025-09-${x}`);

let t: PagesHarness;
let officer: PageSession;

beforeAll(async () => {
  // Monday 15 September 2025, 09:00 in London.
  t = await pagesHarness([caseRoutes], 'casepages', '2025-09-15T08:00:00.000Z');
  officer = await t.signInAs('attendance_officer');
  const bea = t.school.pupilsA[1]!;
  await t.open.db
    .insertInto('session_marks')
    .values(
      DAYS.flatMap((date, day) =>
        (['AM', 'PM'] as const).map((session, s) => ({
          pupil_id: bea,
          date,
          session,
          code: day * 2 + s < 2 ? 'O' : session === 'AM' ? '/' : '\\',
          minutes_late: null,
          updated_at: '2025-09-12T16:00:00.000Z',
          updated_by: null,
        })),
      ),
    )
    .execute();
  await evaluateSchool(t.deps, t.school.schoolId, '2025-09-12' as PlainDate);
});

afterAll(async () => {
  await t.close();
});

describe('the casework pages', () => {
  it('shows the officer the open suggestion with its explanation and proposed actions', async () => {
    const res = await t.get('/casework', officer);
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    expect(text).toContain('Bea Baker: enter Track 1: attendance support meeting');
    expect(text).toContain('attendance 90.0% is below 95%');
    expect(text).toContain('Send the letter “Attendance concern”');
    // No internal keys: the letter's title, never its template key.
    expect(text).not.toContain('track-1-concern');
    expect(text).toContain('Nothing is overdue.');
    expect(res.body).toContain('href="/casework"');
  });

  it('on the case page, starts the suggestion with a capital and names the policy without seed keys', async () => {
    const bea = t.school.pupilsA[1]!;
    const page = await t.get(`/pupils/${bea}/case`, officer);
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain('Enter Track 1: attendance support meeting');
    expect(text).not.toContain('enter Track 1');
    expect(text).toContain('the school’s written policy §5.3 Twin-Track Model');
    expect(text).not.toMatch(/seeds? 0\d\d/);
  });

  it('does not send a SENCO, who may not send letters, to the compose page', async () => {
    const senco = await t.signInAs('senco');
    const res = await t.get('/casework', senco);
    expect(textOf(res.body)).toContain('Send the letter “Attendance concern”');
    expect(res.body).not.toContain('/letters/new');
  });

  it('names the field when a dismissal has no reason, and keeps the choice', async () => {
    const list = await t.get('/casework', officer);
    const id = /action="\/casework\/suggestions\/([^"]+)"/.exec(list.body)![1]!;
    const res = await t.post(`/casework/suggestions/${id}`, officer, {
      decision: 'dismiss',
      reason: '',
      returnTo: '/casework',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(`href="#suggestion-${id}-reason"`);
    expect(res.body).toContain(`id="suggestion-${id}-reason"`);
    expect(textOf(res.body)).toContain('Say why the suggestion is dismissed.');
    expect(res.body).toMatch(/value="dismiss" checked/);
  });

  it('accepting moves the stage and shows the actions on the case page, letter actions linking to the letter', async () => {
    const list = await t.get('/casework', officer);
    const id = /action="\/casework\/suggestions\/([^"]+)"/.exec(list.body)![1]!;
    const res = await t.post(`/casework/suggestions/${id}`, officer, {
      decision: 'accept',
      reason: '',
      returnTo: '/casework',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/casework?done=accept');
    const after = await t.get('/casework?done=accept', officer);
    expect(textOf(after.body)).toContain('Suggestion accepted');
    expect(textOf(after.body)).toContain('Track 1: attendance support meeting 1 Bea Baker (2025-09-15)');
    const bea = t.school.pupilsA[1]!;
    const page = await t.get(`/pupils/${bea}/case`, officer);
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain('Current stage Track 1: attendance support meeting (since Monday 15 September 2025)');
    expect(page.body).toContain(`href="/pupils/${bea}/letters/new?template=track-1-concern"`);
    expect(text).toContain('Hold a meeting: attendance support Test attendance_officer 2025-09-22');
  });

  it('arranges and records a meeting with actions; errors name the action row', async () => {
    const bea = t.school.pupilsA[1]!;
    const arranged = await t.post(`/pupils/${bea}/case/meetings`, officer, {
      kind: 'attendance support meeting',
      date: '2025-09-15',
      time: '15:30',
      place: 'Meeting room',
      invited: 'Mother, Bea',
    });
    expect(arranged.statusCode).toBe(303);
    const page = await t.get(`/pupils/${bea}/case`, officer);
    const meetingId = /action="\/pupils\/[^/]+\/case\/meetings\/([^"]+)"/.exec(page.body)![1]!;
    const bad = await t.post(`/pupils/${bea}/case/meetings/${meetingId}`, officer, {
      outcome: 'held',
      heldOn: '2025-09-15',
      attendees: 'Mother, Bea, attendance officer',
      minutes: 'Talked about mornings',
      actionDescription: ['Morning check-in', ''],
      actionOwner: ['', ''],
      actionDue: ['2025-09-16', ''],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain(`href="#meeting-${meetingId}-actions-0-owner"`);
    expect(bad.body).toContain(`id="meeting-${meetingId}-actions-0-owner"`);
    expect(bad.body).toContain('value="Morning check-in"');
    const ok = await t.post(`/pupils/${bea}/case/meetings/${meetingId}`, officer, {
      outcome: 'held',
      heldOn: '2025-09-15',
      attendees: 'Mother, Bea, attendance officer',
      barriers: 'Worries about friendships',
      minutes: 'Talked about mornings',
      pupilVoice: 'Bea would like a buddy',
      parentVoice: 'Mother asks for a call at 9:15 on absence',
      actionDescription: ['Morning check-in', ''],
      actionOwner: ['Learning mentor', ''],
      actionDue: ['2025-09-16', ''],
    });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/pupils/${bea}/case?done=meeting-recorded#meetings`);
    const text = textOf((await t.get(`/pupils/${bea}/case`, officer)).body);
    expect(text).toContain('Barriers identified Worries about friendships');
    expect(text).toContain('Pupil’s voice Bea would like a buddy');
    expect(text).toContain('Morning check-in Learning mentor 2025-09-16');
  });

  it('refuses a third penalty notice in 3 years with the reason beside the field', async () => {
    const alex = t.school.pupilsA[0]!;
    for (const issuedOn of ['2025-01-10', '2025-06-10']) {
      const r = await t.post(`/pupils/${alex}/case/penalty-notices`, officer, {
        parentKey: 'other',
        parentName: 'A Parent',
        issuedOn,
        reason: 'Holiday in term time',
      });
      expect(r.statusCode).toBe(303);
    }
    const third = await t.post(`/pupils/${alex}/case/penalty-notices`, officer, {
      parentKey: 'other',
      parentName: 'A Parent',
      issuedOn: '2025-09-15',
      reason: 'Again',
    });
    expect(third.statusCode).toBe(400);
    expect(third.body).toContain('href="#penalty-issuedOn"');
    expect(textOf(third.body)).toContain('the national framework allows at most 2');
    const page = textOf((await t.get(`/pupils/${alex}/case`, officer)).body);
    expect(page).toContain('A Parent 2025-01-10 First £80 by 2025-01-31, then £160 by 2025-02-07 Issued');
    expect(page).toContain('A Parent 2025-06-10 Second £160 by 2025-07-08 Issued');
  });

  it('lets SENCO read without the forms; keeps teachers and parents out', async () => {
    const senco = await t.signInAs('senco');
    const bea = t.school.pupilsA[1]!;
    const page = await t.get(`/pupils/${bea}/case`, senco);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Record meeting');
    expect((await t.get('/casework', senco)).body).not.toContain('data-testid="decide-form"');
    const teacher = await t.signInAs('teacher');
    expect((await t.get('/casework', teacher)).statusCode).toBe(403);
    expect((await t.get(`/pupils/${bea}/case`, teacher)).statusCode).toBe(403);
    const parent = await t.signInAs('parent');
    expect((await t.get(`/pupils/${t.school.pupilsA[0]!}/case`, parent)).statusCode).toBe(403);
    expect((await t.post('/casework/open', teacher, { pupilIds: bea })).statusCode).toBe(403);
  });

  it('opens cases for several pupils at once', async () => {
    const res = await t.post('/casework/open', officer, { pupilIds: [t.school.pupilsB[0]!, t.school.pupilsB[1]!] });
    expect(res.statusCode).toBe(303);
    const text = textOf((await t.get('/casework', officer)).body);
    expect(text).toContain('Open case, no stage 2 Dee Dale (2025-09-15), Eli Eady (2025-09-15)');
  });

  it('shows the dates the policy counts to, from the actual date the stage was entered (issue 13)', async () => {
    await t.open.db
      .updateTable('schools')
      .set({ policy_json: JSON.stringify({ preset: 'stockport-staged' }) })
      .where('id', '=', t.school.schoolId)
      .execute();
    const cal = t.school.pupilsA[2]!;
    await t.open.db
      .insertInto('case_stages')
      .values({
        id: `stage-dates-${cal}`,
        pupil_id: cal,
        stage_id: 'stage-1',
        stage_name: 'Stage 1: noticing period',
        entered_on: '2025-09-01',
        left_on: null,
        reason: 'test',
        suggestion_id: null,
        decided_by: 'system',
        decided_by_name: 'Test',
        decided_at: '2025-09-01T08:00:00.000Z',
      })
      .execute();
    const text = textOf((await t.get(`/pupils/${cal}/case`, officer)).body);
    // Stage 2 follows the 4 school weeks of Stage 1's noticing period: Monday 29 September.
    expect(text).toContain(
      'Dates the policy counts to Monday 29 September 2025: Stage 2: school attendance meeting and plan: 4 school weeks or more in the stage (from entering the stage on 2025-09-01)',
    );
  });
});

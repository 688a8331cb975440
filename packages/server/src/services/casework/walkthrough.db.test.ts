/**
 * Golden walk-throughs through the real path (issue 13): a small school is imported (calendar,
 * pupils and two years of marks, through the import service), the preset is chosen through the
 * school-policy service, the daily evaluation runs date by date, and suggestions are accepted as
 * an officer would (the casework service), with the case record kept through its services
 * (meetings, plans, notices, contracts). Each test quotes the seed words it checks.
 */
import type { PlainDate } from '@rollcall/domain';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { SYSTEM_ACTOR } from '../authz.js';
import { importSchoolData } from '../exchange/import/import-school-data.js';
import { csv, makeUpn, pupilsCsv } from '../exchange/import/test-support.js';
import { presetDocument } from '../policy/school-policy.js';
import { saveSchoolPolicy, viewSchoolPolicy } from '../policy/school-policy-store.js';
import { decideSuggestion } from './casework.js';
import {
  createContract,
  createPlan,
  getCase,
  issueNoticeToImprove,
  recordMeeting,
  scheduleMeeting,
  updateContract,
} from './case-record.js';
import { evaluateSchool } from './evaluation.js';

/** Half-terms of 2024/25 and 2025/26 (England, typical dates). */
const TERMS = [
  ['Autumn 1', '2024-09-02', '2024-10-25'],
  ['Autumn 2', '2024-11-04', '2024-12-20'],
  ['Spring 1', '2025-01-06', '2025-02-14'],
  ['Spring 2', '2025-02-24', '2025-04-04'],
  ['Summer 1', '2025-04-22', '2025-05-23'],
  ['Summer 2', '2025-06-02', '2025-07-22'],
  ['Autumn 1', '2025-09-01', '2025-10-24'],
  ['Autumn 2', '2025-11-03', '2025-12-19'],
  ['Spring 1', '2026-01-05', '2026-02-13'],
  ['Spring 2', '2026-02-23', '2026-03-27'],
  ['Summer 1', '2026-04-13', '2026-05-22'],
  ['Summer 2', '2026-06-01', '2026-07-22'],
] as const;
const CALENDAR = { terms: TERMS.map(([name, start, end]) => ({ name, start, end })), closures: [] };

/** A pupil's mark for a school session: date, AM/PM, weekday (1 = Monday). */
type Pattern = (date: string, session: 'AM' | 'PM', weekday: number) => string;
const present: Pattern = (_d, s) => (s === 'AM' ? '/' : '\\');
const absentWhen =
  (code: string, when: (date: string, session: 'AM' | 'PM', weekday: number) => boolean): Pattern =>
  (date, s, w) =>
    when(date, s, w) ? code : present(date, s, w);
const thisYear = (date: string) => date >= '2025-08-01';

function schoolDays(): string[] {
  const out: string[] = [];
  for (const [, start, end] of TERMS) {
    for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += 86_400_000) {
      const day = new Date(t);
      const w = day.getUTCDay();
      if (w !== 0 && w !== 6) out.push(day.toISOString().slice(0, 10));
    }
  }
  return out;
}

interface Walk {
  readonly school: SmallSchool;
  /** Pupil ids by the walk's names. */
  readonly pupil: Readonly<Record<string, string>>;
}

/** Imports the pupils with two years of marks into a seeded school and sets the preset through the school-policy service. */
async function importAndChoose(
  ctx: { db: Parameters<typeof seedSmallSchool>[0]; dialect: Parameters<typeof testDeps>[1] },
  preset: string,
  pupils: Readonly<Record<string, Pattern>>,
): Promise<Walk> {
  const school = await seedSmallSchool(ctx.db);
  const urn = (
    await ctx.db.selectFrom('schools').select('urn').where('id', '=', school.schoolId).executeTakeFirstOrThrow()
  ).urn;
  const names = Object.keys(pupils);
  const upns = names.map((_, i) => makeUpn(700 + i));
  const rows = names.map((name, i) => [
    upns[i]!,
    'Walk',
    name.charAt(0).toUpperCase() + name.slice(1),
    '',
    '2016-05-01',
    '4',
    '4W',
    '2024-09-02',
    '',
    'N',
    'N',
    'N',
    'N',
    'N',
    '',
    'F',
    'WBRI',
  ]);
  const marks: (string | number)[][] = [['upn', 'date', 'session', 'code', 'minutes_late']];
  const days = schoolDays();
  names.forEach((name, i) => {
    for (const date of days) {
      const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
      for (const session of ['AM', 'PM'] as const)
        marks.push([upns[i]!, date, session, pupils[name]!(date, session, weekday), '']);
    }
  });
  const deps = testDeps(ctx.db, ctx.dialect, '2026-07-31T12:00:00Z');
  await importSchoolData(deps, SYSTEM_ACTOR, {
    urn,
    calendar: { name: 'calendar.json', text: JSON.stringify(CALENDAR) },
    pupils: { name: 'pupils.csv', text: pupilsCsv(rows) },
    marks: { name: 'marks.csv', text: csv(marks) },
  });
  // The preset chosen as on the policy page: its document, saved through the school-policy service.
  const current = (await viewSchoolPolicy(deps, school.actors.admin, school.schoolId)).policy;
  await saveSchoolPolicy(deps, school.actors.admin, {
    schoolId: school.schoolId,
    text: presetDocument(current, preset),
  });
  const found = await ctx.db
    .selectFrom('pupils')
    .select(['id', 'upn'])
    .where('school_id', '=', school.schoolId)
    .execute();
  const pupil: Record<string, string> = {};
  names.forEach((name, i) => (pupil[name] = found.find((p) => p.upn === upns[i])!.id));
  return { school, pupil };
}

type Ctx = Parameters<Parameters<typeof describeEachDialect>[1]>[0];

/** The school's evaluation, run as the daily job does, on `date`. */
async function evaluateOn(ctx: Ctx, w: Walk, date: string) {
  return evaluateSchool(testDeps(ctx.db, ctx.dialect, `${date}T17:00:00Z`), w.school.schoolId, date as PlainDate);
}

interface Open {
  readonly id: string;
  readonly kind: string;
  readonly to: string | null;
  readonly actions: string[];
  readonly explanation: string;
  readonly steps: unknown;
}

/** A pupil's open suggestions. */
async function openFor(ctx: Ctx, pupilId: string): Promise<Open[]> {
  const rows = await ctx.db
    .selectFrom('case_suggestions')
    .selectAll()
    .where('pupil_id', '=', pupilId)
    .where('status', '=', 'open')
    .orderBy('created_at')
    .orderBy('kind')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    to: r.to_stage_id,
    actions: JSON.parse(r.actions) as string[],
    explanation: r.explanation,
    steps: null,
  }));
}

const brief = (list: readonly Open[]) => list.map((o) => `${o.kind} ${o.to ?? '-'}`).sort();

/** Accepts the pupil's open suggestion of this kind, as the officer would on `date`. */
async function accept(ctx: Ctx, w: Walk, pupilId: string, date: string, kind: string): Promise<Open> {
  const s = (await openFor(ctx, pupilId)).find((o) => o.kind === kind);
  if (!s) throw new Error(`no open ${kind} suggestion for ${pupilId} on ${date}`);
  await decideSuggestion(testDeps(ctx.db, ctx.dialect, `${date}T17:30:00Z`), w.school.actors.attendance_officer, {
    suggestionId: s.id,
    decision: 'accept',
  });
  return s;
}

async function stageOf(ctx: Ctx, pupilId: string): Promise<string | null> {
  const row = await ctx.db
    .selectFrom('case_stages')
    .select(['stage_id'])
    .where('pupil_id', '=', pupilId)
    .where('left_on', 'is', null)
    .executeTakeFirst();
  return row?.stage_id ?? null;
}

const deps = (ctx: Ctx, date: string) => testDeps(ctx.db, ctx.dialect, `${date}T12:00:00Z`);

describeEachDialect('walk-through: Stockport staged process (seed 003)', (ctx) => {
  let w: Walk;
  beforeAll(async () => {
    w = await importAndChoose(ctx, 'stockport-staged', {
      // Off sick every Monday this year (I): 80%, all of it illness.
      ill: absentWhen('I', (d, _s, wd) => thisYear(d) && wd === 1),
      // Unexplained absence every Monday this year (O): 80%, 2 unauthorised sessions a week.
      truant: absentWhen('O', (d, _s, wd) => thisYear(d) && wd === 1),
      // Severely absent: away four days a week.
      severe: absentWhen('O', (d, _s, wd) => thisYear(d) && wd !== 5),
    });
  });

  it('"School should only move to Stage 2 of the process, once a medical action plan is put in place"', async () => {
    await evaluateOn(ctx, w, '2025-09-05');
    expect(brief(await openFor(ctx, w.pupil.ill!))).toEqual(['enter stage-1']);
    await accept(ctx, w, w.pupil.ill!, '2025-09-05', 'enter');
    // After the noticing period (4 school weeks): 80%, but the absence is all illness.
    await evaluateOn(ctx, w, '2025-10-03');
    const open = await openFor(ctx, w.pupil.ill!);
    expect(brief(open)).toEqual(['review stage-1']);
    // The medical action plan is agreed: Stage 2 is proposed at the next evaluation.
    await createPlan(deps(ctx, '2025-10-06'), w.school.actors.attendance_officer, {
      pupilId: w.pupil.ill!,
      kind: 'medical',
      startsOn: '2025-10-06',
      endsOn: '2025-12-19',
      details: 'Medical action plan agreed with the GP: the needs do not justify this level of absence.',
    });
    await evaluateOn(ctx, w, '2025-10-06');
    const after = await openFor(ctx, w.pupil.ill!);
    expect(brief(after)).toEqual(['enter stage-2', 'review stage-1']);
    expect(after.find((o) => o.kind === 'enter')!.explanation).toContain('medical action plan agreed: yes');
  });

  it('"STAGE 1 – NOTICING PERIOD" first: a severely absent pupil is proposed Stage 1, Stage 2 waits for the noticing period', async () => {
    const open = await openFor(ctx, w.pupil.severe!);
    expect(brief(open)).toEqual(['enter stage-1']);
    expect(open[0]!.actions).toEqual(['letter:stage-1', 'meeting:attendance-support']);
  });

  it('"Parents not engaging … AND More than 10 sessions of unauthorised absence in a rolling period of 10 school weeks": Stage 3A (a trigger nested in allOf/anyOf) is proposed', async () => {
    const truant = w.pupil.truant!;
    expect(brief(await openFor(ctx, truant))).toEqual(['enter stage-1']);
    await accept(ctx, w, truant, '2025-09-05', 'enter');
    await evaluateOn(ctx, w, '2025-10-03');
    expect(brief(await openFor(ctx, truant))).toEqual(['enter stage-2', 'review stage-1']);
    await accept(ctx, w, truant, '2025-10-03', 'enter');
    expect(await stageOf(ctx, truant)).toBe('stage-2');
    const officer = w.school.actors.attendance_officer;
    const meetingId = await scheduleMeeting(deps(ctx, '2025-10-03'), officer, {
      pupilId: truant,
      kind: 'school-attendance',
      date: '2025-10-09',
      invited: 'parents',
    });
    await recordMeeting(deps(ctx, '2025-10-09'), officer, { pupilId: truant, meetingId, outcome: 'not_attended' });
    await evaluateOn(ctx, w, '2025-10-10');
    const open = await openFor(ctx, truant);
    expect(brief(open)).toEqual(['enter stage-3a']);
    // Stage 2 is where the pupil is: the 15 school days and 3 months are not yet on the page.
    const before = await getCase(deps(ctx, '2025-10-10'), w.school.actors.attendance_officer, truant);
    expect(before.policyDates.map((p) => p.label)).toContain(
      'Stage 2: school attendance meeting and plan: 4 school weeks or more in the stage',
    );
    expect(open[0]!.explanation).toContain('1 meeting in the stage not attended, at least 1');
    expect(open[0]!.explanation).toContain('12 unauthorised sessions in the last 10 school weeks, at least 11');
    await accept(ctx, w, truant, '2025-10-10', 'enter');
  });

  it('"if there are any unauthorised absences in the next 15 school days, they will receive an EPN": a penalty notice is proposed', async () => {
    const truant = w.pupil.truant!;
    await issueNoticeToImprove(deps(ctx, '2025-10-10'), w.school.actors.attendance_officer, {
      pupilId: truant,
      parentName: 'Parent of Truant',
      issuedOn: '2025-10-10',
      period: '15-school-days',
      expectations: 'No unauthorised absence.',
    });
    const notice = await ctx.db
      .selectFrom('notices_to_improve')
      .select(['monitoring_ends_on'])
      .where('pupil_id', '=', truant)
      .executeTakeFirstOrThrow();
    // 15 school days from the day after issue, through the half-term holiday.
    expect(notice.monitoring_ends_on).toBe('2025-11-07');
    // The case page shows the dates the policy counts to from the actual dates of the notice.
    const view = await getCase(deps(ctx, '2025-10-10'), w.school.actors.attendance_officer, truant);
    expect(view.policyDates).toContainEqual({
      label: 'Stage 3B: attendance contract: 3 calendar months or more since the Notice to Improve period ended',
      on: '2026-02-09',
      from: 'the end of the Notice to Improve period on 2025-11-07',
    });
    // Before the next Monday there is nothing to propose.
    await evaluateOn(ctx, w, '2025-10-10');
    expect(brief(await openFor(ctx, truant))).toEqual([]);
    // Monday 13 October: unauthorised absence inside the notice's 15 school days.
    await evaluateOn(ctx, w, '2025-10-13');
    const open = await openFor(ctx, truant);
    expect(brief(open)).toEqual(['action stage-3a']);
    expect(open[0]!.actions).toEqual(['penalty-notice-request']);
    expect(open[0]!.explanation).toContain(
      '2 unauthorised sessions in the Notice to Improve period 2025-10-10 to 2025-11-07',
    );
    await accept(ctx, w, truant, '2025-10-13', 'action');
    expect(await stageOf(ctx, truant)).toBe('stage-3a');
    // Decided: not proposed again for the same notice.
    await evaluateOn(ctx, w, '2025-10-20');
    expect(brief(await openFor(ctx, truant)).filter((k) => k.startsWith('action'))).toEqual([]);
  });

  it('"monitored … for a period of 3 months following the initial 15 day period … still meets the threshold … moved to Stage 3(b)": 3B on 9 February, not 6 February', async () => {
    const truant = w.pupil.truant!;
    await evaluateOn(ctx, w, '2026-02-06');
    expect(brief(await openFor(ctx, truant)).filter((k) => k.startsWith('enter'))).toEqual([]);
    // 7 November + 3 calendar months = 7 February (a Saturday): the next school day.
    await evaluateOn(ctx, w, '2026-02-09');
    const enter = (await openFor(ctx, truant)).find((o) => o.kind === 'enter');
    expect(enter?.to).toBe('stage-3b');
    expect(enter?.explanation).toContain(
      '3 calendar months since the end of the Notice to Improve period on 2025-11-07, at least 3',
    );
    await accept(ctx, w, truant, '2026-02-09', 'enter');
  });

  it('"Parents not engaging with the Attendance Contract will be discussed at a legal planning meeting": Stage 4 follows a broken contract', async () => {
    const truant = w.pupil.truant!;
    const officer = w.school.actors.attendance_officer;
    const contractId = await createContract(deps(ctx, '2026-02-10'), officer, {
      pupilId: truant,
      parentName: 'Parent of Truant',
      agreedOn: '2026-02-10',
      parentCommitments: 'Every day on time.',
      supportOffered: 'Morning check-in.',
      reviewOn: '2026-03-10',
      endsOn: '2026-05-22',
    });
    await evaluateOn(ctx, w, '2026-02-23');
    expect(brief(await openFor(ctx, truant)).filter((k) => k.startsWith('enter'))).toEqual([]);
    await updateContract(deps(ctx, '2026-02-24'), officer, {
      pupilId: truant,
      contractId,
      status: 'broken',
      outcome: 'Absent every Monday since.',
    });
    await evaluateOn(ctx, w, '2026-02-24');
    const enter = (await openFor(ctx, truant)).find((o) => o.kind === 'enter');
    expect(enter?.to).toBe('stage-4');
    expect(enter?.explanation).toContain('attendance contract broken: yes');
  });
});

describeEachDialect('walk-through: All Saints’ stages and review points (seed 001)', (ctx) => {
  let w: Walk;
  beforeAll(async () => {
    w = await importAndChoose(ctx, 'all-saints-stages', {
      // Persistently absent last year (away Mondays and Tuesdays, ~60%); this year away Mondays (80%): better.
      improved: absentWhen('O', (d, _s, wd) => (thisYear(d) ? wd === 1 : wd === 1 || wd === 2)),
      // Persistently absent last year (Mondays, ~80%); this year Mondays and Tuesdays (60%): worse.
      declined: absentWhen('O', (d, _s, wd) => (thisYear(d) ? wd === 1 || wd === 2 : wd === 1)),
      // Good last year; away the first three days of term (92.5% at the half-term check).
      newcomer: absentWhen('O', (d) => d >= '2025-09-01' && d <= '2025-09-03'),
    });
  });

  it('"September: All PA from the previous academic year sent a Stage 1 letter as a trigger baseline"; no Stage 1 letter on the third day of term otherwise', async () => {
    await evaluateOn(ctx, w, '2025-09-03');
    for (const name of ['improved', 'declined']) {
      const open = await openFor(ctx, w.pupil[name]!);
      expect(brief(open)).toEqual(['enter stage-1']);
      expect(open[0]!.actions).toEqual(['letter:stage-1a', 'letter:stage-1b']);
      expect(open[0]!.explanation).toContain('(the September baseline)');
      await accept(ctx, w, w.pupil[name]!, '2025-09-03', 'enter');
    }
    // 0% on the third day of term, but nothing is checked before the half-term check.
    expect(brief(await openFor(ctx, w.pupil.newcomer!))).toEqual([]);
  });

  it('"Half termly: children whose attendance has fallen or is below the school 95% threshold will receive a Stage 1 letter": on the half-term check, not the day before', async () => {
    // Before the October review point: no escalation either, however low.
    await evaluateOn(ctx, w, '2025-10-10');
    expect(brief(await openFor(ctx, w.pupil.declined!))).toEqual([]);
    await evaluateOn(ctx, w, '2025-10-23');
    expect(brief(await openFor(ctx, w.pupil.newcomer!))).toEqual([]);
    await evaluateOn(ctx, w, '2025-10-24');
    const open = await openFor(ctx, w.pupil.newcomer!);
    expect(brief(open)).toEqual(['enter stage-1']);
    expect(open[0]!.explanation).toContain(
      'attendance at the Autumn 1 half-term check (2025-10-24) 92.5% is below 95%',
    );
    // The check holds through the holiday until the next one: the suggestion stays open.
    await evaluateOn(ctx, w, '2025-11-03');
    expect(brief(await openFor(ctx, w.pupil.newcomer!))).toEqual(['enter stage-1']);
  });

  it('"If attendance shows no improvement or a decline from Stage 1 from September Baseline or any of the 5 review points (Oct / Dec / Feb / Apr / May-June)": Stage 2 only at the October point, against last year', async () => {
    // The October point (24 October, the last school day of October; evaluated in the test
    // above): 60% against last year's ~80%.
    const open = await openFor(ctx, w.pupil.declined!);
    expect(brief(open)).toEqual(['enter stage-2']);
    expect(open[0]!.explanation).toContain('at the October review point (2025-10-24) is no better than');
    expect(open[0]!.explanation).toContain('at the September baseline (last year’s attendance)');
    // Improved on last year: no escalation at the review point.
    expect(brief(await openFor(ctx, w.pupil.improved!))).toEqual([]);
    await accept(ctx, w, w.pupil.declined!, '2025-10-24', 'enter');
    // Between review points nothing more is proposed, whatever the days bring.
    await evaluateOn(ctx, w, '2025-11-17');
    expect(brief(await openFor(ctx, w.pupil.declined!))).toEqual([]);
    // The December point compares with the October point: 60% again, no improvement: Stage 3.
    await evaluateOn(ctx, w, '2025-12-19');
    expect(brief(await openFor(ctx, w.pupil.declined!))).toEqual(['enter stage-3']);
  });
});

describeEachDialect('walk-through: the twin-track model (seed 002) and reviews', (ctx) => {
  let w: Walk;
  beforeAll(async () => {
    w = await importAndChoose(ctx, 'stoccat-twin-track', {
      // Away four days a week: 20%.
      severe: absentWhen('O', (d, _s, wd) => thisYear(d) && wd !== 5),
      // Away every Friday afternoon: exactly 90% at each week's end.
      flat: absentWhen('O', (d, s, wd) => thisYear(d) && wd === 5 && s === 'PM'),
      // Away the first Friday afternoon only, then every day in school.
      better: absentWhen('O', (d, s) => d === '2025-09-05' && s === 'PM'),
    });
    await evaluateOn(ctx, w, '2025-09-05');
    await accept(ctx, w, w.pupil.flat!, '2025-09-05', 'enter');
    await accept(ctx, w, w.pupil.better!, '2025-09-05', 'enter');
  });

  it('"Pupils who are persistently absent (below 90%) or severely absent (below 50%) require immediate … intervention": the first suggestion is the severe stage', async () => {
    const open = await openFor(ctx, w.pupil.severe!);
    expect(brief(open)).toEqual(['enter track-2-severe']);
    expect(open[0]!.explanation).toContain('Track 2: severe absence: attendance 20.0% is below 50%');
    expect(open[0]!.explanation).toContain(
      'Support-first steps before it: Track 1: attendance support meeting skipped (the pupil already meets the entry rule of Track 2: severe absence)',
    );
  });

  it('"Should there be no improvement within the agreed timeframe": a review without improvement proposes the plan, and a present day the next day does not take it away', async () => {
    const flat = w.pupil.flat!;
    await evaluateOn(ctx, w, '2025-10-13');
    expect(brief(await openFor(ctx, flat))).toEqual(['review track-1']);
    await evaluateOn(ctx, w, '2025-10-17');
    await accept(ctx, w, flat, '2025-10-17', 'review');
    await evaluateOn(ctx, w, '2025-10-17');
    const open = await openFor(ctx, flat);
    expect(brief(open)).toEqual(['enter track-1-plan']);
    expect(open[0]!.explanation).toContain(
      'attendance 90.0% at the review on 2025-10-17 is no better than 90.0% at stage entry on 2025-09-05',
    );
    // Monday after half-term: present all day (90.3% now); the proposal stands.
    await evaluateOn(ctx, w, '2025-11-03');
    expect(brief(await openFor(ctx, flat))).toEqual(['enter track-1-plan']);
  });

  it('a review accepted after improvement proposes no escalation that day', async () => {
    const better = w.pupil.better!;
    await accept(ctx, w, better, '2025-10-13', 'review');
    await evaluateOn(ctx, w, '2025-10-13');
    expect(brief(await openFor(ctx, better)).filter((k) => k.startsWith('enter'))).toEqual([]);
  });
});

describeEachDialect('walk-through: adjusted attendance (seed 004) and three tiers (seed 000)', (ctx) => {
  it('James Marks: "If absence continues" to the local authority at 10 unauthorised sessions in 10 school weeks and no improvement (nested allOf)', async () => {
    const w = await importAndChoose(ctx, 'james-marks-adjusted', {
      // Away Thursday and Friday afternoons: 80%, 2 unauthorised sessions a week.
      jm: absentWhen('O', (d, s, wd) => thisYear(d) && (wd === 4 || wd === 5) && s === 'PM'),
    });
    const jm = w.pupil.jm!;
    await evaluateOn(ctx, w, '2025-09-05');
    const first = await openFor(ctx, jm);
    // Where the pupil stands: below 90% is the support plan at once, contact listed as skipped.
    expect(brief(first)).toEqual(['enter support-plan']);
    await accept(ctx, w, jm, '2025-09-05', 'enter');
    await evaluateOn(ctx, w, '2025-10-03');
    await accept(ctx, w, jm, '2025-10-03', 'review');
    await evaluateOn(ctx, w, '2025-10-03');
    const open = await openFor(ctx, jm);
    expect(brief(open)).toEqual(['enter local-authority']);
    expect(open[0]!.explanation).toContain('10 unauthorised sessions in the last 10 school weeks, at least 10');
  });

  it('Stockton: "school have completed Tier 1 and Tier 2 interventions": at 80% with 10 unauthorised sessions the first suggestion is Tier 1, naming Tier 3', async () => {
    const w = await importAndChoose(ctx, 'stockton-tiers', {
      st: absentWhen('O', (d, s, wd) => thisYear(d) && (wd === 4 || wd === 5) && s === 'PM'),
    });
    await evaluateOn(ctx, w, '2025-10-03');
    const open = await openFor(ctx, w.pupil.st!);
    expect(brief(open)).toEqual(['enter tier-1']);
    expect(open[0]!.explanation).toContain('Tier 3: referral to the locality team also holds');
  });
});

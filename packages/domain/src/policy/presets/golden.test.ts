/**
 * Long on purpose: one walk per preset, every step written out with what it must propose.
 *
 * Golden scenarios: for each preset, one pupil walked from good attendance up through every
 * stage and back down to no stage. Each step checks every suggestion (kind, stage, actions),
 * the letters proposed (each has a template) and the next review date on a real calendar.
 */
import { describe, expect, it } from 'vitest';
import { firstSessionOnOrAfter } from '../../calendar.js';
import type { PlainDate } from '../../dates.js';
import { buildCalendar, d } from '../../test-support.js';
import { evaluate, orderedStages } from '../evaluate.js';
import { checkLetterTemplate, isLetterPurpose, letterKeysOf, letterPurposeOf } from '../letters.js';
import { reviewDueOn } from '../review.js';
import type { AttendancePolicy, CaseFacts, SuggestionKind } from '../types.js';
import { POLICY_PRESETS, policyPreset, type PolicyPreset } from './index.js';

const CAL = buildCalendar([
  ['2025-09-03', '2025-10-24'],
  ['2025-11-03', '2025-12-19'],
  ['2026-01-05', '2026-02-13'],
  ['2026-02-23', '2026-03-27'],
  ['2026-04-13', '2026-05-22'],
  ['2026-06-01', '2026-07-22'],
  ['2026-09-02', '2026-10-23'],
  ['2026-11-02', '2026-12-18'],
  ['2027-01-04', '2027-02-12'],
  ['2027-02-22', '2027-03-26'],
  ['2027-04-12', '2027-05-28'],
  ['2027-06-07', '2027-07-21'],
  ['2027-09-01', '2027-10-22'],
]);

const weekOf = (date: PlainDate) => CAL.sessionWeek[firstSessionOnOrAfter(CAL, date)]!;

interface Step {
  readonly asOf: string;
  readonly rate: number;
  /** Attendance over the last N school weeks. */
  readonly last?: Readonly<Record<number, number>>;
  /** Unauthorised sessions in the last N school weeks. */
  readonly unauth?: Readonly<Record<number, number>>;
  readonly meetingsMissed?: number;
  readonly targetsMissed?: number;
  /** Every suggestion, in order: `kind stage` (stage '-' for none) and its actions. */
  readonly expect: readonly (readonly [`${SuggestionKind} ${string}`, readonly string[]])[];
  /** Facts beyond the rates (check points, last year, engagement, notices, time since). */
  readonly extra?: Partial<CaseFacts>;
  /** The stage the pupil is in after the step's decision, and its next review date (null: reviewed at check points). */
  readonly then: readonly [string, string | null] | null;
}

interface CaseState {
  id: string;
  enteredOn: PlainDate;
  entryRate: number;
  lastReview?: { on: PlainDate; rate: number; previous: { on: PlainDate; rate: number; what: string } };
}

/** Walks the steps, taking each proposal as people would: enter, step down, review. */
function walk(preset: PolicyPreset, steps: readonly Step[]) {
  const policy: AttendancePolicy = preset.policy;
  const templates = new Set(preset.letters.map((l) => l.key));
  let state = null as CaseState | null;
  const visited = new Set<string>();
  const inCase = new Set<string>();
  for (const step of steps) {
    const asOf = d(step.asOf);
    const facts: CaseFacts = {
      asOf,
      measures: { attendanceRate: step.rate, unauthorisedAbsenceSessions: 0, brokenWeeks: 0 },
      recent: {
        rateOverLastWeeks: step.last ?? {},
        unauthorisedInLastWeeks: { 3: 0, 4: 0, 6: 0, 10: 0, ...step.unauth },
        consecutiveDaysAbsent: 0,
      },
      currentStage: state && {
        id: state.id,
        enteredOn: state.enteredOn,
        schoolWeeksInStage: weekOf(asOf) - weekOf(state.enteredOn),
        ...(state.lastReview && {
          lastReview: { ...state.lastReview, schoolWeeksSince: weekOf(asOf) - weekOf(state.lastReview.on) },
        }),
      },
      stagesBefore: [...inCase],
      ...step.extra,
      ...(step.meetingsMissed !== undefined && { meetingsNotAttendedInStage: step.meetingsMissed }),
      ...(step.targetsMissed !== undefined && { planTargetsMissed: step.targetsMissed }),
    };
    const out = evaluate(policy, facts);
    const where = `${preset.id} on ${step.asOf}`;
    expect(
      out.map((s) => [`${s.kind} ${s.toStageId ?? '-'}`, s.actions]),
      `${where}: ${out.map((s) => s.explanation).join(' | ')}`,
    ).toEqual(step.expect);
    for (const s of out) {
      expect(s.explanation, where).toContain(policy.source);
      expect(s.because.length, where).toBeGreaterThan(0);
      for (const key of letterKeysOf(s.actions)) expect(templates.has(key), `${where}: letter ${key}`).toBe(true);
    }
    const move = out.find((s) => s.kind === 'enter' || s.kind === 'stepDown');
    if (move) {
      state = move.toStageId === null ? null : { id: move.toStageId, enteredOn: asOf, entryRate: step.rate };
    } else if (state && out.some((s) => s.kind === 'review')) {
      // A review is compared with the review before it, or with the stage entry.
      const previous = state.lastReview
        ? { on: state.lastReview.on, rate: state.lastReview.rate, what: 'the review' }
        : { on: state.enteredOn, rate: state.entryRate, what: 'stage entry' };
      state = { ...state, lastReview: { on: asOf, rate: step.rate, previous } };
    }
    if (state === null) inCase.clear();
    if (state) {
      visited.add(state.id);
      inCase.add(state.id);
    }
    if (step.then === null) {
      expect(state, where).toBeNull();
    } else {
      const stage = policy.stages.find((s) => s.id === state?.id)!;
      const from = state!.lastReview?.on ?? state!.enteredOn;
      const due = stage.reviewAfterSchoolWeeks > 0 ? reviewDueOn(CAL, from, stage.reviewAfterSchoolWeeks) : null;
      expect([state!.id, due], where).toEqual([...step.then]);
    }
  }
  expect([...visited].sort()).toEqual(policy.stages.map((s) => s.id).sort());
  expect(state).toBeNull();
}

describe('policy presets', () => {
  it('has the five seed presets, each a valid policy with a template for every letter it proposes', () => {
    expect(POLICY_PRESETS.map((p) => p.id)).toEqual([
      'stockton-tiers',
      'all-saints-stages',
      'stoccat-twin-track',
      'stockport-staged',
      'james-marks-adjusted',
    ]);
    for (const p of POLICY_PRESETS) {
      expect(p.policy.id).toBe(p.id);
      expect(p.policy.source).toMatch(/^seed 00[0-4] /);
      expect(policyPreset(p.id)).toBe(p);
      const keys = p.letters.map((l) => l.key);
      expect(new Set(keys).size, p.id).toBe(keys.length);
      for (const l of p.letters) expect(checkLetterTemplate(l), `${p.id} ${l.key}`).toEqual([]);
      const used = orderedStages(p.policy).flatMap((s) =>
        letterKeysOf([...s.actions, ...(s.stepDownActions ?? ['letter:positive'])]),
      );
      expect([...new Set(used)].sort(), p.id).toEqual([...keys].sort());
    }
  });

  it('has every letter of every preset declare its purpose, not leave it to be read from the key', () => {
    const declared: Record<string, Record<string, string>> = {};
    for (const p of POLICY_PRESETS) {
      for (const l of p.letters) {
        expect(Object.hasOwn(l, 'purpose'), `${p.id} ${l.key} declares a purpose`).toBe(true);
        expect(isLetterPurpose(l.purpose), `${p.id} ${l.key}: "${l.purpose}"`).toBe(true);
        // The declared purpose is the one used, whatever the key and title would suggest.
        expect(letterPurposeOf(l)).toBe(l.purpose);
        (declared[p.id] ??= {})[l.key] = l.purpose;
      }
    }
    // What each seed's letter is for, read from the seed (the letters inviting parents to a
    // meeting are the ones the evidence pack needs, whatever they are called).
    expect(declared).toEqual({
      'stockton-tiers': { 'tier-1': 'meeting-invitation', 'tier-2': 'plan', 'tier-3': 'referral', positive: 'praise' },
      'all-saints-stages': {
        'stage-1a': 'concern',
        'stage-1b': 'concern',
        'stage-2a': 'meeting-invitation',
        'stage-2b': 'meeting-invitation',
        'stage-3a': 'meeting-invitation',
        'stage-4': 'warning',
        'stage-5': 'referral',
        positive: 'praise',
      },
      'stoccat-twin-track': {
        'track-1-concern': 'meeting-invitation',
        'track-1-plan': 'meeting-invitation',
        'track-2': 'meeting-invitation',
        'track-2-severe': 'concern',
        positive: 'praise',
      },
      'stockport-staged': {
        'stage-1': 'meeting-invitation',
        'stage-2': 'meeting-invitation',
        'stage-3a': 'notice',
        'stage-3b': 'meeting-invitation',
        'stage-4': 'notice',
        positive: 'praise',
      },
      'james-marks-adjusted': {
        contact: 'meeting-invitation',
        'support-plan': 'plan',
        'local-authority': 'referral',
        positive: 'praise',
      },
    });
    // Where reading the key would have been wrong: the declared purpose is what counts.
    const jm = policyPreset('james-marks-adjusted')!.letters.find((l) => l.key === 'contact')!;
    expect(letterPurposeOf({ key: jm.key, title: jm.title })).not.toBe('meeting-invitation');
  });

  it('uses only the contract’s action strings', () => {
    const ACTION =
      /^(letter:[a-z0-9-]+|meeting:[a-z0-9-]+|plan:(attendance-support|improvement|medical|part-time-timetable)|home-visit|referral:(early-help|education-welfare|social-care|camhs|school-nursing|local-authority|locality-team)|contract|notice-to-improve|penalty-notice-request|review)$/;
    for (const p of POLICY_PRESETS) {
      for (const s of p.policy.stages) {
        for (const a of [...s.actions, ...(s.stepDownActions ?? [])]) expect(a, `${p.id} ${s.id}`).toMatch(ACTION);
      }
    }
  });

  it('names no member of staff from the seeds', () => {
    const text = JSON.stringify(POLICY_PRESETS);
    for (const name of ['Vollans', 'Rand', 'Scott Martin', 'Kim Bates']) expect(text).not.toContain(name);
  });
});

const REVIEW = ['review'] as const;
const POSITIVE = ['letter:positive'] as const;

// Here the facts are handed in (check points, notices, engagement, time since); every preset also
// runs through the real path in packages/server/src/services/casework/walkthrough.db.test.ts.
describe('golden scenarios: a pupil through every stage and back', () => {
  it('stockton-tiers: Tier 1 below 90%, Tier 2 when the plan is not working, Tier 3 at 10 unauthorised sessions', () => {
    const T1 = ['letter:tier-1', 'meeting:attendance-support', 'plan:improvement', 'home-visit'];
    const T2 = ['letter:tier-2', 'meeting:multi-agency', 'referral:early-help', 'plan:improvement'];
    const T3 = ['letter:tier-3', 'referral:locality-team'];
    walk(policyPreset('stockton-tiers')!, [
      { asOf: '2025-09-26', rate: 0.97, expect: [], then: null },
      { asOf: '2025-10-10', rate: 0.88, expect: [['enter tier-1', T1]], then: ['tier-1', '2025-11-24'] },
      {
        asOf: '2025-11-24',
        rate: 0.87,
        expect: [
          ['stay tier-1', []],
          ['review tier-1', REVIEW],
        ],
        then: ['tier-1', '2026-01-19'],
      },
      {
        asOf: '2026-01-19',
        rate: 0.86,
        expect: [
          ['enter tier-2', T2],
          ['review tier-1', REVIEW],
        ],
        then: ['tier-2', '2026-03-09'],
      },
      {
        asOf: '2026-03-09',
        rate: 0.87,
        unauth: { 10: 6 },
        expect: [
          ['stay tier-2', []],
          ['review tier-2', REVIEW],
        ],
        then: ['tier-2', '2026-05-04'],
      },
      {
        asOf: '2026-03-20',
        rate: 0.87,
        unauth: { 10: 10 },
        expect: [['enter tier-3', T3]],
        then: ['tier-3', '2026-05-11'],
      },
      {
        asOf: '2026-05-11',
        rate: 0.88,
        last: { 6: 0.97 },
        unauth: { 6: 0, 10: 4 },
        expect: [
          ['stepDown tier-2', POSITIVE],
          ['review tier-3', REVIEW],
        ],
        then: ['tier-2', '2026-06-29'],
      },
      {
        asOf: '2026-06-29',
        rate: 0.91,
        last: { 6: 0.97 },
        expect: [
          ['stay tier-2', []],
          ['review tier-2', REVIEW],
        ],
        then: ['tier-2', '2026-09-14'],
      },
      {
        // Step-downs where the pupil stands: Tier 1's trigger (below 90%) no longer holds and its
        // step-down conditions hold too, so the pupil leaves staged casework with one letter.
        asOf: '2026-07-06',
        rate: 0.92,
        last: { 6: 0.97 },
        expect: [['stepDown -', POSITIVE]],
        then: null,
      },
      { asOf: '2026-07-20', rate: 0.92, last: { 6: 0.97 }, expect: [], then: null },
      { asOf: '2026-07-21', rate: 0.93, expect: [], then: null },
    ]);
  });

  it('all-saints-stages: the September baseline, then one stage per review point without improvement, and back one stage (and one positive letter) at a time', () => {
    const point = (on: string, rate: number, prevOn: string, prevRate: number, label = 'review point') => ({
      reviewPoint: {
        on: d(on),
        rate,
        label,
        previous: {
          on: d(prevOn),
          rate: prevRate,
          label: prevOn === '2025-09-03' ? 'September baseline' : 'review point',
        },
      },
    });
    const ht = (on: string, rate: number) => ({ halfTermCheck: { on: d(on), rate, label: 'half-term check' } });
    const ly = (beforeFirstCheck: boolean) => ({ lastYear: { attendanceRate: 0.85, beforeFirstCheck } });
    const S = (n: string) => `letter:stage-${n}`;
    walk(policyPreset('all-saints-stages')!, [
      // "September: All PA from the previous academic year sent a Stage 1 letter as a trigger baseline"
      {
        asOf: '2025-09-03',
        rate: 0.8,
        extra: { ...ly(true), halfTermCheck: null, reviewPoint: null },
        expect: [['enter stage-1', [S('1a'), S('1b')]]],
        then: ['stage-1', null],
      },
      // No review point yet: nothing more, however low.
      {
        asOf: '2025-10-10',
        rate: 0.7,
        extra: { ...ly(true), halfTermCheck: null, reviewPoint: null },
        expect: [['stay stage-1', []]],
        then: ['stage-1', null],
      },
      {
        asOf: '2025-10-24',
        rate: 0.8,
        extra: { ...ly(false), ...ht('2025-10-24', 0.8), ...point('2025-10-24', 0.8, '2025-09-03', 0.85) },
        expect: [['enter stage-2', [S('2a'), S('2b'), 'meeting:attendance-lead', 'plan:improvement']]],
        then: ['stage-2', null],
      },
      {
        asOf: '2025-12-19',
        rate: 0.8,
        extra: { ...ly(false), ...ht('2025-12-19', 0.8), ...point('2025-12-19', 0.8, '2025-10-24', 0.8) },
        expect: [
          ['enter stage-3', [S('3a'), 'meeting:headteacher', 'plan:attendance-support', 'referral:education-welfare']],
        ],
        then: ['stage-3', null],
      },
      {
        asOf: '2026-02-27',
        rate: 0.79,
        extra: { ...ly(false), ...ht('2026-02-13', 0.79), ...point('2026-02-27', 0.79, '2025-12-19', 0.8) },
        expect: [['enter stage-4', [S('4'), 'referral:education-welfare', 'contract']]],
        then: ['stage-4', null],
      },
      {
        asOf: '2026-04-30',
        rate: 0.79,
        extra: { ...ly(false), ...ht('2026-03-27', 0.79), ...point('2026-04-30', 0.79, '2026-02-27', 0.79) },
        expect: [['enter stage-5', [S('5'), 'referral:local-authority']]],
        then: ['stage-5', null],
      },
      // "+ive: Positive escalation of Stage 5-4-3-2-1 will be commended with positive letters"
      {
        asOf: '2026-05-22',
        rate: 0.85,
        extra: { ...ly(false), ...ht('2026-05-22', 0.85), ...point('2026-05-22', 0.85, '2026-04-30', 0.79) },
        expect: [['stepDown stage-4', POSITIVE]],
        then: ['stage-4', null],
      },
      {
        asOf: '2026-10-30',
        rate: 0.9,
        extra: { ...ly(false), ...ht('2026-10-23', 0.9), ...point('2026-10-30', 0.9, '2026-09-02', 0.85) },
        expect: [['stepDown stage-3', POSITIVE]],
        then: ['stage-3', null],
      },
      {
        asOf: '2026-12-18',
        rate: 0.92,
        extra: { ...ly(false), ...ht('2026-12-18', 0.92), ...point('2026-12-18', 0.92, '2026-10-30', 0.9) },
        expect: [['stepDown stage-2', POSITIVE]],
        then: ['stage-2', null],
      },
      {
        asOf: '2027-02-26',
        rate: 0.94,
        extra: { ...ly(false), ...ht('2027-02-12', 0.94), ...point('2027-02-26', 0.94, '2026-12-18', 0.92) },
        expect: [['stepDown stage-1', POSITIVE]],
        then: ['stage-1', null],
      },
      // "Monitoring … continues until attendance stabilises to 96 percent": at a half-term check.
      {
        asOf: '2027-03-26',
        rate: 0.96,
        extra: { ...ly(false), ...ht('2027-03-26', 0.96), ...point('2027-02-26', 0.94, '2026-12-18', 0.92) },
        expect: [['stepDown -', POSITIVE]],
        then: null,
      },
    ]);
  });

  it('stockport-staged: the noticing period, Stage 2, 3A with a penalty notice in its 15 school days, 3B three months on, Stage 4 on a broken contract, and back', () => {
    const none = {
      illnessShare: 0,
      engagement: { parentRefusedSupport: false, medicalActionPlanAgreed: false, contractBroken: false },
    };
    const notice = (unauthorisedInPeriod: number, penaltyDecided: boolean) => ({
      noticeToImprove: {
        issuedOn: d('2025-10-10'),
        periodEndsOn: d('2025-11-07'),
        unauthorisedInPeriod,
        penaltyDecided,
      },
    });
    const months = (n: number) => ({
      since: { noticePeriodEnd: { on: d('2025-11-07'), schoolDays: 0, schoolWeeks: 0, calendarMonths: n } },
    });
    const S2 = ['letter:stage-2', 'meeting:school-attendance', 'plan:attendance-support', 'referral:early-help'];
    walk(policyPreset('stockport-staged')!, [
      {
        asOf: '2025-09-05',
        rate: 0.8,
        extra: { ...none, ...notice(0, false), ...months(0) },
        expect: [['enter stage-1', ['letter:stage-1', 'meeting:attendance-support']]],
        then: ['stage-1', '2025-09-29'],
      },
      {
        // After the noticing period (4 school weeks) and below 90%.
        asOf: '2025-10-03',
        rate: 0.8,
        extra: { ...none, ...notice(0, false), ...months(0) },
        expect: [
          ['enter stage-2', S2],
          ['review stage-1', REVIEW],
        ],
        then: ['stage-2', '2025-11-03'],
      },
      {
        // "Parents not engaging … AND More than 10 sessions of unauthorised absence"
        asOf: '2025-10-10',
        rate: 0.8,
        unauth: { 10: 12 },
        meetingsMissed: 1,
        extra: { ...none, ...notice(0, false), ...months(0) },
        expect: [['enter stage-3a', ['letter:stage-3a', 'referral:education-welfare', 'notice-to-improve']]],
        then: ['stage-3a', '2025-11-03'],
      },
      {
        // "if there are any unauthorised absences in the next 15 school days, they will receive an EPN"
        asOf: '2025-10-13',
        rate: 0.8,
        unauth: { 10: 14 },
        extra: { ...none, ...notice(2, false), ...months(0) },
        expect: [
          ['stay stage-3a', []],
          ['action stage-3a', ['penalty-notice-request']],
        ],
        then: ['stage-3a', '2025-11-03'],
      },
      {
        // "a period of 3 months following the initial 15 day period … still meets the threshold"
        asOf: '2026-02-09',
        rate: 0.8,
        unauth: { 10: 12 },
        extra: { ...none, ...notice(2, true), ...months(3) },
        expect: [
          ['enter stage-3b', ['letter:stage-3b', 'meeting:attendance-contract', 'contract']],
          ['review stage-3a', REVIEW],
        ],
        then: ['stage-3b', '2026-04-13'],
      },
      {
        // "Parents not engaging with the Attendance Contract"
        asOf: '2026-02-24',
        rate: 0.8,
        unauth: { 10: 12 },
        extra: { ...none, engagement: { ...none.engagement, contractBroken: true }, ...notice(2, true), ...months(3) },
        expect: [['enter stage-4', ['letter:stage-4', 'meeting:legal-planning', 'referral:local-authority']]],
        then: ['stage-4', '2026-04-20'],
      },
      {
        // The contract ended, no unauthorised absence for 6 weeks: back where the pupil stands
        // (3B passed: its threshold no longer holds).
        asOf: '2026-04-20',
        rate: 0.9,
        last: { 6: 0.97 },
        unauth: { 6: 0, 10: 3 },
        extra: { ...none, ...notice(2, true), ...months(5) },
        expect: [
          ['stepDown stage-2', POSITIVE],
          ['review stage-4', REVIEW],
        ],
        then: ['stage-2', '2026-05-18'],
      },
      {
        asOf: '2026-05-18',
        rate: 0.93,
        last: { 4: 0.97 },
        unauth: { 6: 0, 10: 0 },
        extra: { ...none, ...notice(2, true), ...months(6) },
        expect: [
          ['stay stage-2', []],
          ['review stage-2', REVIEW],
        ],
        then: ['stage-2', '2026-06-22'],
      },
      {
        asOf: '2026-05-19',
        rate: 0.93,
        last: { 4: 0.97 },
        unauth: { 6: 0, 10: 0 },
        extra: { ...none, ...notice(2, true), ...months(6) },
        expect: [['stepDown stage-1', POSITIVE]],
        then: ['stage-1', '2026-06-22'],
      },
      {
        asOf: '2026-06-15',
        rate: 0.95,
        last: { 4: 0.97 },
        unauth: { 6: 0, 10: 0 },
        extra: { ...none, ...notice(2, true), ...months(7) },
        expect: [['stepDown -', POSITIVE]],
        then: null,
      },
    ]);
  });

  it('stoccat-twin-track: Track 1 below 95%, Track 2 below 90% and 50%, and back', () => {
    walk(policyPreset('stoccat-twin-track')!, [
      { asOf: '2025-09-19', rate: 0.98, expect: [], then: null },
      {
        asOf: '2025-10-06',
        rate: 0.94,
        expect: [['enter track-1', ['letter:track-1-concern', 'meeting:attendance-support']]],
        then: ['track-1', '2025-11-24'],
      },
      {
        asOf: '2025-10-13',
        rate: 0.93,
        unauth: { 10: 10 },
        expect: [['enter track-1-plan', ['plan:attendance-support', 'meeting:senior-leader', 'letter:track-1-plan']]],
        then: ['track-1-plan', '2025-12-01'],
      },
      {
        asOf: '2025-11-03',
        rate: 0.89,
        expect: [
          [
            'enter track-2',
            ['meeting:multi-agency', 'plan:attendance-support', 'referral:early-help', 'letter:track-2'],
          ],
        ],
        then: ['track-2', '2025-12-01'],
      },
      {
        asOf: '2025-11-17',
        rate: 0.48,
        expect: [
          [
            'enter track-2-severe',
            ['meeting:multi-agency', 'home-visit', 'referral:local-authority', 'letter:track-2-severe'],
          ],
        ],
        then: ['track-2-severe', '2025-12-01'],
      },
      {
        asOf: '2025-12-01',
        rate: 0.52,
        last: { 6: 0.91 },
        expect: [
          ['stepDown track-2', POSITIVE],
          ['review track-2-severe', REVIEW],
        ],
        then: ['track-2', '2026-01-12'],
      },
      {
        asOf: '2026-01-12',
        rate: 0.91,
        last: { 6: 0.96 },
        expect: [
          ['stepDown track-1-plan', POSITIVE],
          ['review track-2', REVIEW],
        ],
        then: ['track-1-plan', '2026-03-02'],
      },
      {
        asOf: '2026-03-02',
        rate: 0.92,
        last: { 6: 0.96 },
        expect: [
          ['stay track-1-plan', []],
          ['review track-1-plan', REVIEW],
        ],
        then: ['track-1-plan', '2026-04-27'],
      },
      {
        asOf: '2026-03-09',
        rate: 0.93,
        last: { 6: 0.96 },
        expect: [['stepDown track-1', POSITIVE]],
        then: ['track-1', '2026-05-04'],
      },
      { asOf: '2026-03-16', rate: 0.95, last: { 6: 0.97 }, expect: [['stepDown -', POSITIVE]], then: null },
    ]);
  });

  it('james-marks-adjusted: contact below 95% adjusted, a support plan, the local authority, and back', () => {
    walk(policyPreset('james-marks-adjusted')!, [
      { asOf: '2025-10-17', rate: 0.97, expect: [], then: null },
      {
        asOf: '2025-11-03',
        rate: 0.93,
        expect: [['enter contact', ['letter:contact', 'meeting:attendance-support']]],
        then: ['contact', '2025-12-01'],
      },
      {
        asOf: '2025-11-17',
        rate: 0.88,
        expect: [['enter support-plan', ['letter:support-plan', 'plan:attendance-support', 'referral:early-help']]],
        then: ['support-plan', '2025-12-15'],
      },
      {
        asOf: '2025-12-15',
        rate: 0.87,
        unauth: { 10: 8 },
        expect: [
          ['stay support-plan', []],
          ['review support-plan', REVIEW],
        ],
        then: ['support-plan', '2026-01-26'],
      },
      {
        asOf: '2026-01-12',
        rate: 0.86,
        unauth: { 10: 10 },
        expect: [
          [
            'enter local-authority',
            ['letter:local-authority', 'referral:local-authority', 'meeting:multi-agency', 'home-visit'],
          ],
        ],
        then: ['local-authority', '2026-02-09'],
      },
      {
        asOf: '2026-02-09',
        rate: 0.87,
        last: { 4: 0.93 },
        unauth: { 4: 0, 10: 4 },
        expect: [
          ['stepDown support-plan', POSITIVE],
          ['review local-authority', REVIEW],
        ],
        then: ['support-plan', '2026-03-16'],
      },
      {
        asOf: '2026-02-23',
        rate: 0.9,
        last: { 4: 0.96 },
        expect: [['stepDown contact', POSITIVE]],
        then: ['contact', '2026-03-23'],
      },
      { asOf: '2026-03-02', rate: 0.95, expect: [['stepDown -', POSITIVE]], then: null },
    ]);
  });
});

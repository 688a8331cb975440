/**
 * Live casework for the demo trust, built after the schools: the secondary follows the
 * `stockport-staged` preset and the primary `all-saints-stages` (set in their policy documents),
 * and a demo attendance officer has been working the daily evaluation for a while:
 *
 * - about seven school weeks ago the evaluation ran and the officer accepted a handful of its
 *   suggestions (pupils into the first stage, with their letters sent) and dismissed one with a
 *   reason; a support meeting was held for two of those pupils, with attendees, barriers, both
 *   voices and actions with owners and due dates;
 * - today the evaluation ran again: the reviews of the earlier stages are now overdue, new
 *   suggestions are open, and the officer accepted two more and moved one pupil of the first
 *   stage up to the second (when the evaluation proposes it).
 *
 * Everything goes through the casework services as that officer, so it is audited as such (the
 * evaluations too). Deterministic for a given demo: pupils are taken in UPN order.
 */
import { addDays, firstSessionOnOrAfter, type PlainDate } from '@rollcall/domain';
import { getActor } from '../../db/accounts/users.js';
import {
  countOpenSuggestions,
  firstAttendanceOfficerId,
  openEntrySuggestions,
  openPolicyActionsOf,
  schoolPhaseAndPolicy,
} from '../../db/demo/casework.js';
import { fixedClock } from '../../platform/clock.js';
import type { Actor } from '../authz.js';
import { decideSuggestion } from '../casework/casework.js';
import { completeAction, recordMeeting, scheduleMeeting } from '../casework/case-record.js';
import { evaluateSchool } from '../casework/evaluation.js';
import type { Deps } from '../deps.js';
import { schoolCalendar } from '../registers/registers.js';
import { saveSchoolPolicy } from '../policy/school-policy-store.js';
import type { DemoSummary } from './demo.js';

/** The preset each demo school's policy starts from, by phase. */
export const DEMO_PRESETS = { primary: 'all-saints-stages', secondary: 'stockport-staged' } as const;

/** How far back the officer started: about seven school weeks, past every first-stage review period. */
const HISTORY_DAYS = 52;

export interface DemoCaseworkSchool {
  readonly schoolId: string;
  readonly preset: string;
  /** The day of the earlier evaluation, or null when the year is too young for a history. */
  readonly startedOn: PlainDate | null;
  /** Pupils the officer put into a stage. */
  readonly accepted: number;
  /** Pupils moved up a stage today. */
  readonly escalated: number;
  readonly meetingsHeld: number;
  readonly openSuggestions: number;
}

/** The instant of a local afternoon on a date (15:30 UTC is late afternoon in London all year). */
function afternoon(date: PlainDate): string {
  return `${date}T15:30:00.000Z`;
}

function at(deps: Deps, date: PlainDate): Deps {
  return { ...deps, clock: fixedClock(afternoon(date)) };
}

async function officerOf(deps: Deps, schoolId: string): Promise<Actor> {
  const id = await firstAttendanceOfficerId(deps.db, schoolId);
  const actor = await getActor(deps.db, id);
  if (!actor) throw new Error(`demo attendance officer ${id} not found`);
  return actor;
}

/** Open "enter" suggestions of pupils not yet in a stage (or, `escalations`, already in one), in UPN order. */
async function openEntries(deps: Deps, schoolId: string, asOf: PlainDate, escalations = false) {
  return openEntrySuggestions(deps.db, schoolId, asOf, escalations);
}

/** The school day `n` school days after `from` (or `from` itself when the calendar runs out). */
function schoolDaysAfter(cal: Awaited<ReturnType<typeof schoolCalendar>>, from: PlainDate, n: number): PlainDate {
  const s = firstSessionOnOrAfter(cal, addDays(from, 1));
  // Two sessions a day: the n-th school day's morning.
  const idx = s + (n - 1) * 2;
  return idx < cal.sessionCount ? cal.sessionDate[idx]! : from;
}

async function schoolCasework(
  deps: Deps,
  schoolId: string,
  phase: string,
  today: PlainDate,
  step: (name: string) => void,
): Promise<DemoCaseworkSchool> {
  const officer = await officerOf(deps, schoolId);
  const school = await schoolPhaseAndPolicy(deps.db, schoolId);
  const preset = phase === 'primary' ? DEMO_PRESETS.primary : DEMO_PRESETS.secondary;
  const doc = { ...(JSON.parse(school.policy_json) as Record<string, unknown>), preset };
  await saveSchoolPolicy(deps, officer, { schoolId, text: JSON.stringify(doc) });

  const cal = await schoolCalendar(deps, schoolId);
  const firstDay = cal.sessionDate[0]!;
  const startIdx = firstSessionOnOrAfter(cal, addDays(today, -HISTORY_DAYS));
  const startedOn = startIdx < cal.sessionCount ? cal.sessionDate[startIdx]! : null;
  // A history needs a few school weeks of marks before it (rates are unsettled in September).
  const history = startedOn !== null && startedOn < today && addDays(firstDay, 21) <= startedOn;
  let accepted = 0;
  let meetingsHeld = 0;
  let escalated = 0;
  const started: string[] = [];

  if (history) {
    const then = at(deps, startedOn);
    step('policy');
    await evaluateSchool(then, schoolId, startedOn, officer);
    step('earlier evaluation');
    const entries = await openEntries(deps, schoolId, startedOn);
    const take = phase === 'primary' ? 4 : 8;
    for (const s of entries.slice(0, take)) {
      await decideSuggestion(then, officer, { suggestionId: s.id, decision: 'accept' });
      started.push(s.pupil_id);
      accepted++;
    }
    const dismissed = entries[take];
    if (dismissed)
      await decideSuggestion(then, officer, {
        suggestionId: dismissed.id,
        decision: 'dismiss',
        reason: 'Absence explained by a planned operation (hospital letter seen); back in school next week.',
      });
    // The letters went out the next school day.
    const nextDay = schoolDaysAfter(cal, startedOn, 1);
    const letters = await openPolicyActionsOf(deps.db, started, 'letter:');
    for (const l of letters)
      await completeAction(at(deps, nextDay), officer, {
        pupilId: l.pupil_id,
        actionId: l.id,
        status: 'done',
        outcome: 'Sent by post and by email to the parents.',
      });
    // A support meeting for the first two, held three school days later.
    const meetingDay = schoolDaysAfter(cal, startedOn, 3);
    for (const pupilId of started.slice(0, 2)) {
      if (meetingDay >= today) break;
      const meetingId = await scheduleMeeting(at(deps, nextDay), officer, {
        pupilId,
        kind: 'Attendance support meeting',
        date: meetingDay,
        time: '15:30',
        place: 'Attendance office',
        invited: 'Parent, pupil, attendance officer, head of year',
      });
      await recordMeeting(at(deps, meetingDay), officer, {
        pupilId,
        meetingId,
        outcome: 'held',
        heldOn: meetingDay,
        attendees: 'Mother, pupil, attendance officer, head of year',
        barriers: 'Mornings are hard since a younger sibling started nursery; anxiety about one lesson.',
        minutes:
          'Went through the attendance so far and the letter. Agreed a morning routine and a named adult to meet ' +
          'the pupil at the gate; the head of year will look at the lesson the pupil worries about.',
        pupilVoice: 'I want to come in but I get worried on Monday mornings.',
        parentVoice: 'Happy with the plan; would like a call if the pupil is not in by 9.',
        actions: [
          {
            description: 'Meet the pupil at the gate each morning for two weeks',
            owner: 'Head of year',
            dueOn: addDays(meetingDay, 14),
          },
          {
            description: 'Call home by 9:30 on any day of absence',
            owner: 'Attendance officer',
            dueOn: addDays(meetingDay, 7),
          },
        ],
      });
      meetingsHeld++;
      // The meeting the policy asked for has happened.
      const asked = await openPolicyActionsOf(deps.db, [pupilId], 'meeting:');
      for (const a of asked)
        await completeAction(at(deps, meetingDay), officer, {
          pupilId,
          actionId: a.id,
          status: 'done',
          outcome: `Held on ${meetingDay}: see the meeting record.`,
        });
    }
  }

  // Today's evaluation: reviews of the earlier stages fall due, new pupils are suggested.
  const now = at(deps, today);
  if (!history) step('policy');
  else step('earlier decisions');
  await evaluateSchool(now, schoolId, today, officer);
  step("today's evaluation");
  const fresh = (await openEntries(deps, schoolId, today)).filter((s) => !started.includes(s.pupil_id));
  for (const s of fresh.slice(0, 2)) {
    await decideSuggestion(now, officer, { suggestionId: s.id, decision: 'accept' });
    accepted++;
  }
  // One pupil of the first stage has gone on getting worse: up to the next stage.
  const escalation = (await openEntries(deps, schoolId, today, true))[0];
  if (escalation) {
    await decideSuggestion(now, officer, { suggestionId: escalation.id, decision: 'accept' });
    escalated++;
  }
  const openSuggestions = await countOpenSuggestions(deps.db, schoolId);
  step("today's decisions");
  return {
    schoolId,
    preset,
    startedOn: history ? startedOn : null,
    accepted,
    escalated,
    meetingsHeld,
    openSuggestions,
  };
}

/**
 * Gives the demo trust's schools their presets and live casework (see the module comment).
 * `deps.clock` is the demo's "now"; call it right after `createDemo`. "Today" is the demo's
 * (`summary.today`, the latest school day when the demo was created on a day without school).
 */
export async function addDemoCasework(
  deps: Deps,
  summary: DemoSummary,
  /** Called as each step ends (per school: `policy`, the evaluations and decisions), for the benchmark. */
  onStep: (step: string) => void = () => undefined,
): Promise<DemoCaseworkSchool[]> {
  const out: DemoCaseworkSchool[] = [];
  for (const s of summary.schools) {
    const row = await schoolPhaseAndPolicy(deps.db, s.id);
    // The demo trust is usable without its casework: a failure here is logged, not fatal to `npm start`.
    try {
      out.push(await schoolCasework(deps, s.id, row.phase, summary.today, (name) => onStep(`${row.phase}: ${name}`)));
    } catch (e) {
      deps.logger.warn({ schoolId: s.id, err: e }, 'demo casework could not be built for this school');
    }
  }
  return out;
}

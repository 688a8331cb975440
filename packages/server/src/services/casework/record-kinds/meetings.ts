/**
 * Meetings, and the actions agreed at them or added by hand.
 */
import { z } from 'zod';
import { isTimeOfDay, type PlainDate } from '@rollcall/domain';
import { currentStageId, insertCaseItem, type CaseItemValues } from '../../../db/casework/case-record.js';
import type { Trx } from '../../../db/connect.js';
import { newId } from '../../../platform/ids.js';
import type { Check } from '../record-check.js';
import { CASE_ITEM_LISTS } from '../record.js';
import { kind, optionalText, PUPIL, text, type Filled, type KindContext } from './kind.js';

const ACTION_INPUT = z.object({ description: text, owner: text, dueOn: text });
export type ActionInput = z.infer<typeof ACTION_INPUT>;

function checkActions(
  c: Check,
  actions: readonly ActionInput[] | undefined,
  prefix = 'actions',
): { description: string; owner: string; dueOn: PlainDate }[] {
  const out: { description: string; owner: string; dueOn: PlainDate }[] = [];
  (actions ?? []).forEach((a, i) => {
    if (!a.description.trim() && !a.owner.trim() && !a.dueOn.trim()) return;
    const description = c.text(`${prefix}.${i}.description`, a.description, `what action ${i + 1} is`, { max: 1000 });
    const owner = c.text(`${prefix}.${i}.owner`, a.owner, `who owns action ${i + 1}`, { max: 200 });
    const dueOn = c.date(`${prefix}.${i}.dueOn`, a.dueOn, `when action ${i + 1} is due`);
    if (description && owner && dueOn) out.push({ description, owner, dueOn });
  });
  return out;
}

/** The columns of a new open action (added by hand or agreed at a meeting). */
function openAction(
  a: { description: string; owner: string; dueOn: PlainDate },
  meetingId: string | null,
): Omit<CaseItemValues<'case_actions'>, Filled> {
  return {
    policy_action: null,
    description: a.description,
    owner: a.owner,
    due_on: a.dueOn,
    status: 'open',
    outcome: null,
    completed_on: null,
    suggestion_id: null,
    meeting_id: meetingId,
  };
}

const SCHEDULE_MEETING = z.object({
  ...PUPIL,
  kind: text,
  date: text,
  time: optionalText,
  place: optionalText,
  invited: text,
});
export type ScheduleMeetingInput = z.infer<typeof SCHEDULE_MEETING>;

const RECORD_MEETING = z.object({
  ...PUPIL,
  meetingId: text,
  /** held | not_attended | cancelled */
  outcome: text,
  heldOn: optionalText,
  attendees: optionalText,
  barriers: optionalText,
  minutes: optionalText,
  pupilVoice: optionalText,
  parentVoice: optionalText,
  /** Actions agreed; rows left wholly blank are ignored. */
  actions: z.array(ACTION_INPUT).readonly().optional(),
});
export type RecordMeetingInput = z.infer<typeof RECORD_MEETING>;

export const MEETING = kind({
  name: 'meeting',
  table: 'case_meetings',
  entityType: 'case_meeting',
  permission: 'casework.manage',
  list: CASE_ITEM_LISTS.meetings,
  create: {
    action: 'casework.meeting.schedule',
    input: SCHEDULE_MEETING,
    failed: 'The meeting could not be arranged.',
    check: (c, input) => {
      const kind = c.text('kind', input.kind, 'what the meeting is for', { max: 200 });
      const date = c.date('date', input.date, 'the date of the meeting');
      const time = (input.time ?? '').trim();
      if (time && !isTimeOfDay(time)) c.add('time', 'The time must be HH:MM on the 24-hour clock, for example 09:30.');
      const place = c.text('place', input.place, 'the place', { required: false, max: 500 });
      const invited = c.text(
        'invited',
        input.invited,
        'who is invited (for example “parent, pupil, attendance officer”)',
      );
      return { kind, date, time, place, invited };
    },
    write: async (p, ctx) => ({
      values: {
        kind: p.kind!,
        stage_id: await currentStageId(ctx.deps.db, ctx.pupilId),
        scheduled_for: p.date!,
        time: p.time || null,
        place: p.place,
        invited: p.invited!,
        status: 'scheduled',
        held_on: null,
        attendees: null,
        barriers: null,
        minutes: null,
        pupil_voice: null,
        parent_voice: null,
      },
      details: { date: p.date },
    }),
  },
  update: {
    action: 'casework.meeting.record',
    input: RECORD_MEETING,
    idField: 'meetingId',
    missing: 'No such meeting for this pupil.',
    decided: (m) => (m.status !== 'scheduled' ? 'This meeting has already been recorded.' : null),
    failed: 'The meeting could not be recorded.',
    check: (c, input, meeting, ctx) => {
      const outcome = c.oneOf(
        'outcome',
        input.outcome,
        ['held', 'not_attended', 'cancelled'] as const,
        'Say whether the meeting was held, not attended, or cancelled.',
      );
      const heldOn =
        c.date('heldOn', input.heldOn, 'the date of the meeting', { required: outcome === 'held' }) ??
        meeting.scheduled_for;
      if (heldOn > ctx.today())
        c.add('heldOn', 'A meeting cannot be recorded before it happens: the date is in the future.');
      const held = outcome === 'held';
      return {
        outcome,
        heldOn,
        attendees: c.text('attendees', input.attendees, 'who attended', { required: held }),
        barriers: c.text('barriers', input.barriers, 'the barriers to attendance identified', { required: false }),
        minutes: c.text('minutes', input.minutes, 'the minutes (what was discussed and agreed)', { required: held }),
        pupilVoice: c.text('pupilVoice', input.pupilVoice, 'the pupil’s voice', { required: false }),
        parentVoice: c.text('parentVoice', input.parentVoice, 'the parents’ voice', { required: false }),
        actions: checkActions(c, input.actions),
      };
    },
    write: (p, meeting, ctx) => ({
      set: {
        status: p.outcome!,
        held_on: p.heldOn,
        attendees: p.attendees,
        barriers: p.barriers,
        minutes: p.minutes,
        pupil_voice: p.pupilVoice,
        parent_voice: p.parentVoice,
      },
      details: { outcome: p.outcome, actions: p.actions.length },
      also: async (trx, now) => {
        for (const a of p.actions) {
          await insertOpenAction(trx, ctx, now, openAction(a, meeting.id));
        }
      },
      // The meeting proposed by a suggestion is done.
      ...(p.outcome !== 'cancelled' && {
        completes: {
          policyAction: 'meeting:%',
          like: true,
          outcome: `Meeting ${p.outcome === 'held' ? 'held' : 'arranged; not attended'} on ${p.heldOn}`,
          completedOn: p.heldOn,
        },
      }),
    }),
  },
});

async function insertOpenAction(
  trx: Trx,
  ctx: KindContext,
  now: string,
  values: Omit<CaseItemValues<'case_actions'>, Filled>,
): Promise<void> {
  // The one place a kind writes rows of another kind: a meeting's agreed actions.
  await insertCaseItem(trx, 'case_actions', {
    id: newId(),
    pupil_id: ctx.pupilId,
    ...values,
    created_by: ctx.actor.userId,
    created_at: now,
    updated_at: now,
  });
}

export const ACTION = kind({
  name: 'action',
  table: 'case_actions',
  entityType: 'case_action',
  permission: 'casework.manage',
  list: CASE_ITEM_LISTS.actions,
  create: {
    action: 'casework.action.add',
    input: ACTION_INPUT.extend(PUPIL),
    failed: 'The action could not be added.',
    // An added action has always been audited as entity 'new' (before its id is made); kept so
    // audit readers that match it still do.
    auditEntityId: 'new',
    check: (c, input) => {
      const [a] = checkActions(c, [input], 'action');
      if (!a && c.errors.length === 0) c.add('action.0.description', 'Enter what the action is.');
      return a;
    },
    write: (a) => ({ values: openAction(a!, null) }),
  },
  update: {
    action: 'casework.action.complete',
    input: z.object({ ...PUPIL, actionId: text, status: text, outcome: text }),
    idField: 'actionId',
    missing: 'No such action for this pupil.',
    failed: 'The action could not be updated.',
    check: (c, input) => ({
      status: c.oneOf(
        'status',
        input.status,
        ['done', 'cancelled'] as const,
        'Say whether the action was done or cancelled.',
      ),
      outcome: c.text('outcome', input.outcome, 'the outcome', { max: 2000 }),
    }),
    write: (p, _row, ctx) => ({
      set: { status: p.status!, outcome: p.outcome, completed_on: ctx.today() },
      details: { status: p.status },
    }),
  },
});

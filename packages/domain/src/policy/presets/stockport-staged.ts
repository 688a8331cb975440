/**
 * A local authority's attendance intervention staged process, as a Stockport primary follows
 * it: Stage 1 noticing (contact, a meeting, a medical action plan where illness is the reason),
 * Stage 2 letter, school attendance meeting and a plan reviewed every 4–6 weeks, Stage 3A a
 * Notice to Improve (15 school days, then 3 months' monitoring), Stage 3B an attendance
 * contract, Stage 4 formal legal intervention. Stage 3 needs both non-engagement and at least 10
 * unauthorised sessions in a rolling 10 school weeks.
 *
 * @see ../../../../../../shared/seeds/003_688dc91c726d59ee.txt "ATTENDANCE INTERVENTION STAGED PROCESS" (Stage 1, 2, 3, 3A, 3B, 4)
 */
import type { PolicyPreset } from './preset.js';

import type { Trigger } from '../types.js';

/** Stage 3: "More than 10 sessions of unauthorised absence in a rolling period of 10 school weeks". */
const MORE_THAN_10 = { kind: 'unauthorisedSessionsInRollingWeeks', sessions: 11, weeks: 10 } as const;
/** 3B: "if attendance still meets the threshold for enforcement, i.e. at least 10 unauthorised absences in 10 school weeks". */
const AT_LEAST_10 = { kind: 'unauthorisedSessionsInRollingWeeks', sessions: 10, weeks: 10 } as const;
/** "Parents not engaging with the School Attendance Contract or accessing any voluntary support offer eg EHA". */
const NOT_ENGAGING: Trigger = {
  kind: 'anyOf',
  any: [
    { kind: 'meetingNotAttended', meetings: 1 },
    { kind: 'planTargetsMissed', targets: 1 },
    { kind: 'engagement', fact: 'parentRefusedSupport' },
  ],
};
/**
 * "School should only move to Stage 2 of the process, once a medical action plan is put in place":
 * absence that is all illness needs a medical action plan agreed first.
 */
const MEDICAL_GATE: Trigger = {
  kind: 'anyOf',
  any: [
    { kind: 'not', condition: { kind: 'illnessShareAtLeast', share: 1 } },
    { kind: 'engagement', fact: 'medicalActionPlanAgreed' },
  ],
};

export const STOCKPORT_STAGED: PolicyPreset = {
  id: 'stockport-staged',
  name: 'Staged process: Stages 1, 2, 3A, 3B and 4',
  summary:
    'Stage 1 noticing and a meeting; Stage 2 after the noticing period (and a medical action plan where absence is illness): letter, school attendance meeting and a plan reviewed every 4 weeks; Stage 3A Notice to Improve when parents do not engage and there are more than 10 unauthorised sessions in 10 school weeks, with a penalty notice proposed for unauthorised absence in its 15 school days; Stage 3B attendance contract 3 months after those 15 days if the threshold is still met; Stage 4 legal intervention when the contract is broken.',
  policy: {
    id: 'stockport-staged',
    name: 'Attendance intervention staged process',
    source: 'seed 003 "Attendance Intervention Staged Process" (Stages 1–4, 3A, 3B)',
    target: 0.96,
    // Stage 3A: "if there are any unauthorised absences in the next 15 school days".
    noticeToImprovePeriod: '15-school-days',
    bands: [
      { name: 'Good attendance (96% and above)', minRate: 0.96, colour: 'green' },
      { name: 'Noticing (90% to 96%)', minRate: 0.9, colour: 'yellow', description: 'Stage 1' },
      { name: 'Persistently absent (50% to 90%)', minRate: 0.5, colour: 'red', description: 'Stage 2 and above' },
      { name: 'Severely absent (below 50%)', minRate: 0, colour: 'purple' },
    ],
    stages: [
      {
        id: 'stage-1',
        name: 'Stage 1: noticing period',
        order: 1,
        triggers: [
          { kind: 'rateBelow', rate: 0.95 },
          { kind: 'rateBelowOverLastWeeks', rate: 0.9, weeks: 4 },
        ],
        actions: ['letter:stage-1', 'meeting:attendance-support'],
        reviewAfterSchoolWeeks: 4,
        stepDownWhen: [
          { kind: 'rateAtLeast', rate: 0.95 },
          { kind: 'rateAtLeastOverLastWeeks', rate: 0.96, weeks: 4 },
        ],
        stepDownActions: ['letter:positive'],
      },
      {
        id: 'stage-2',
        name: 'Stage 2: school attendance meeting and plan',
        order: 2,
        // Stage 2 follows Stage 1's noticing period (4 school weeks, reviewed), and, where the
        // absence is all illness, a medical action plan.
        requiresPrevious: true,
        triggers: [
          {
            kind: 'allOf',
            all: [
              { kind: 'timeInStageAtLeast', schoolWeeks: 4 },
              { kind: 'anyOf', any: [{ kind: 'noImprovementSinceReview' }, { kind: 'rateBelow', rate: 0.9 }] },
              MEDICAL_GATE,
            ],
          },
        ],
        actions: ['letter:stage-2', 'meeting:school-attendance', 'plan:attendance-support', 'referral:early-help'],
        // "Should be reviewed every 4-6 weeks"
        reviewAfterSchoolWeeks: 4,
        stepDownWhen: [
          { kind: 'rateAtLeast', rate: 0.9 },
          { kind: 'improvedSinceReview' },
          { kind: 'rateAtLeastOverLastWeeks', rate: 0.96, weeks: 4 },
        ],
        stepDownActions: ['letter:positive'],
      },
      {
        id: 'stage-3a',
        name: 'Stage 3A: Notice to Improve',
        order: 3,
        // "The school has clear actions taken at Stage 1 and Stage 2"
        requiresPrevious: true,
        triggers: [{ kind: 'allOf', all: [NOT_ENGAGING, MORE_THAN_10] }],
        actions: ['letter:stage-3a', 'referral:education-welfare', 'notice-to-improve'],
        // "At the end of the 15-day period, the Education Welfare Service will check attendance"
        reviewAfterSchoolWeeks: 3,
        // "if there are any unauthorised absences in the next 15 school days, they will receive an EPN"
        inStage: [{ id: 'notice-breached', when: { kind: 'noticeBreached' }, actions: ['penalty-notice-request'] }],
        // After the 15 days and 3 months' monitoring, below the threshold: back to Stage 2's plan.
        stepDownWhen: [
          { kind: 'timeSince', from: 'noticePeriodEnd', span: { calendarMonths: 3 } },
          { kind: 'unauthorisedSessionsInRollingWeeksAtMost', sessions: 9, weeks: 10 },
        ],
        stepDownActions: ['letter:positive'],
        stepDownTo: 'stage-2',
      },
      {
        id: 'stage-3b',
        name: 'Stage 3B: attendance contract',
        order: 4,
        requiresPrevious: true,
        // "monitored … for a period of 3 months following the initial 15 day period. At the end of
        // the 3 month period, if attendance still meets the threshold"
        triggers: [
          {
            kind: 'allOf',
            all: [{ kind: 'timeSince', from: 'noticePeriodEnd', span: { calendarMonths: 3 } }, AT_LEAST_10],
          },
        ],
        actions: ['letter:stage-3b', 'meeting:attendance-contract', 'contract'],
        reviewAfterSchoolWeeks: 6,
        stepDownWhen: [
          { kind: 'unauthorisedSessionsInRollingWeeksAtMost', sessions: 0, weeks: 6 },
          { kind: 'rateAtLeastOverLastWeeks', rate: 0.96, weeks: 6 },
        ],
        stepDownActions: ['letter:positive'],
        stepDownTo: 'stage-2',
      },
      {
        id: 'stage-4',
        name: 'Stage 4: formal legal intervention',
        order: 5,
        requiresPrevious: true,
        // "Parents not engaging with the Attendance Contract will be discussed at a legal planning meeting"
        triggers: [{ kind: 'engagement', fact: 'contractBroken' }],
        actions: ['letter:stage-4', 'meeting:legal-planning', 'referral:local-authority'],
        reviewAfterSchoolWeeks: 6,
        stepDownWhen: [
          { kind: 'unauthorisedSessionsInRollingWeeksAtMost', sessions: 0, weeks: 6 },
          { kind: 'rateAtLeastOverLastWeeks', rate: 0.96, weeks: 6 },
        ],
        stepDownActions: ['letter:positive'],
        stepDownTo: 'stage-3b',
      },
    ],
  },
  letters: [
    {
      key: 'stage-1',
      purpose: 'meeting-invitation',
      title: 'Can we help with {{pupil.forename}}’s attendance?',
      body: `Dear {{parent.name}},

We have tried to reach you about {{pupil.name}}’s attendance, which is {{attendance.rate}} ({{attendance.period}}), with {{attendance.brokenWeeks}} weeks this year in which {{pupil.forename}} missed some school.

We would like to listen and understand what is making school difficult, and to see what we can do together. Please come and see us on {{meeting.date}} at {{meeting.time}} in {{meeting.place}}, or ring the office to arrange another time.

If the absences are because of a health condition, we can agree a medical action plan with you.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'stage-2',
      purpose: 'meeting-invitation',
      title: 'Invitation to a school attendance meeting',
      body: `Dear {{parent.name}},

We are writing to everyone with day-to-day care of {{pupil.name}}. Attendance is {{attendance.rate}} ({{attendance.period}}): {{attendance.sessionsMissed}} sessions missed, {{attendance.unauthorisedSessions}} of them unauthorised.

Please come to a school attendance meeting on {{meeting.date}} at {{meeting.time}} in {{meeting.place}}. {{pupil.forename}} is welcome too. Together we will agree a plan with actions and targets for everyone, and we will review it every four to six weeks. We can also offer an early help assessment if that would help your family.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'stage-3a',
      purpose: 'notice',
      title: 'Referral for a Notice to Improve',
      body: `Dear {{parent.name}},

Despite the support offered at Stages 1 and 2, {{pupil.name}} has had {{attendance.unauthorisedLast10Weeks}} sessions of unauthorised absence in the last ten school weeks.

We have therefore asked the local authority’s education welfare service to issue a Notice to Improve. The notice will explain that any unauthorised absence in the fifteen school days after it may lead to a penalty notice, and the service will then watch attendance for three months.

Our offer of support still stands: please contact us.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'stage-3b',
      purpose: 'meeting-invitation',
      title: 'Invitation to agree an attendance contract',
      body: `Dear {{parent.name}},

{{pupil.forename}}’s unauthorised absence has continued after the Notice to Improve: {{attendance.unauthorisedLast10Weeks}} sessions in the last ten school weeks.

We would like to meet you with the education welfare officer on {{meeting.date}} at {{meeting.time}} in {{meeting.place}} to agree an attendance contract: what you agree to do, the support school and the local authority will give, and for how long. A contract is not a punishment; it is a way to make the support more formal.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'stage-4',
      purpose: 'notice',
      title: 'Formal legal intervention about {{pupil.forename}}’s attendance',
      body: `Dear {{parent.name}},

The attendance contract has not led to improvement: {{pupil.name}}’s attendance is {{attendance.rate}}, with {{attendance.unauthorisedLast10Weeks}} unauthorised sessions in the last ten school weeks.

The case will now be discussed at a legal planning meeting with the local authority, which will decide whether to apply for an education supervision order or to prosecute. The local authority will write to you with its decision.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'positive',
      purpose: 'praise',
      title: 'Thank you: {{pupil.forename}}’s attendance is better',
      body: `Dear {{parent.name}},

We are pleased to tell you that {{pupil.forename}}’s attendance has improved: it is now {{attendance.rate}}.

Thank you for working with us. We have moved to a lighter level of support and will carry on keeping in touch.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
  ],
};

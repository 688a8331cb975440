/**
 * A special school for pupils with long prior absence: each pupil's integration period
 * (usually 4–6 school weeks) is left out of the adjusted rate the stages read, while the actual
 * rate is still reported. Contact below 95% adjusted, then a support plan with an early help
 * (families first) assessment, then the local authority's attendance support team and the
 * national framework for penalty notices.
 *
 * @see ../../../../../../shared/seeds/004_4e3aa116c3efb606.txt "Introduction and Background" (adjusted attendance), "Absence Procedures" (If absence continues), "National Framework for Penalty Notices"
 */
import type { PolicyPreset } from './preset.js';

export const JAMES_MARKS_ADJUSTED: PolicyPreset = {
  id: 'james-marks-adjusted',
  name: 'Adjusted attendance after an integration period',
  summary:
    'The first 6 school weeks on roll are an integration period left out of the adjusted rate (the actual rate is still reported). Contact below 95% adjusted; a support plan and early help below 90% or with no improvement; the local authority when unauthorised absence reaches 10 sessions in 10 school weeks.',
  policy: {
    id: 'james-marks-adjusted',
    name: 'Adjusted attendance support',
    source: 'seed 004 "Introduction and Background" and "Absence Procedures"',
    target: 0.95,
    adjustedAttendance: { integrationSchoolWeeks: 6 },
    bands: [
      { name: 'Expected (95% and above, adjusted)', minRate: 0.95, colour: 'green' },
      { name: 'Causing concern (90% to 95%)', minRate: 0.9, colour: 'yellow', description: 'contact home' },
      { name: 'Persistently absent (50% to 90%)', minRate: 0.5, colour: 'red', description: 'support plan' },
      {
        name: 'Severely absent (below 50%)',
        minRate: 0,
        colour: 'purple',
        description: 'joint approach with the local authority',
      },
    ],
    stages: [
      {
        id: 'contact',
        name: 'Contact with home',
        order: 1,
        triggers: [{ kind: 'rateBelow', rate: 0.95 }],
        actions: ['letter:contact', 'meeting:attendance-support'],
        reviewAfterSchoolWeeks: 4,
        stepDownWhen: [{ kind: 'rateAtLeast', rate: 0.95 }],
        stepDownActions: ['letter:positive'],
      },
      {
        id: 'support-plan',
        name: 'Support plan and early help',
        order: 2,
        triggers: [{ kind: 'rateBelow', rate: 0.9 }, { kind: 'noImprovementSinceReview' }],
        actions: ['letter:support-plan', 'plan:attendance-support', 'referral:early-help'],
        reviewAfterSchoolWeeks: 4,
        stepDownWhen: [
          { kind: 'rateAtLeast', rate: 0.9 },
          { kind: 'rateAtLeastOverLastWeeks', rate: 0.95, weeks: 4 },
        ],
        stepDownActions: ['letter:positive'],
      },
      {
        id: 'local-authority',
        name: 'Local authority attendance support and legal framework',
        order: 3,
        triggers: [
          {
            kind: 'allOf',
            all: [
              { kind: 'noImprovementSinceReview' },
              { kind: 'unauthorisedSessionsInRollingWeeks', sessions: 10, weeks: 10 },
            ],
          },
          { kind: 'rateBelow', rate: 0.5 },
        ],
        actions: ['letter:local-authority', 'referral:local-authority', 'meeting:multi-agency', 'home-visit'],
        reviewAfterSchoolWeeks: 4,
        stepDownWhen: [
          { kind: 'rateAtLeast', rate: 0.5 },
          { kind: 'unauthorisedSessionsInRollingWeeksAtMost', sessions: 0, weeks: 4 },
          { kind: 'rateAtLeastOverLastWeeks', rate: 0.9, weeks: 4 },
        ],
        stepDownActions: ['letter:positive'],
      },
    ],
  },
  letters: [
    {
      key: 'contact',
      purpose: 'meeting-invitation',
      title: 'Checking in about {{pupil.forename}}’s attendance',
      body: `Dear {{parent.name}},

Now that {{pupil.forename}}’s integration period is over, we look at attendance without it. {{pupil.name}}’s adjusted attendance is {{attendance.rate}}, below the 95% we hope for.

We know that coming to school has been hard in the past, and we want to keep the progress going. Please come and talk with us on {{meeting.date}} at {{meeting.time}} in {{meeting.place}} so we can look at any barriers and any changes that would help.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'support-plan',
      purpose: 'plan',
      title: 'A support plan for {{pupil.forename}}',
      body: `Dear {{parent.name}},

{{pupil.forename}}’s adjusted attendance is {{attendance.rate}} and has not improved since we last spoke.

We would like to review {{pupil.forename}}’s support plan with you, consider reasonable adjustments, and offer a family assessment so that your family can get wider help if you would like it. The plan’s target will be {{plan.target}}, and we will review it together on {{plan.reviewDate}}.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'local-authority',
      purpose: 'referral',
      title: 'Working with the local authority on {{pupil.forename}}’s attendance',
      body: `Dear {{parent.name}},

Despite the support plan, {{pupil.name}}’s attendance has not improved: adjusted attendance is {{attendance.rate}}, with {{attendance.unauthorisedLast10Weeks}} sessions of unauthorised absence in the last ten school weeks.

We have asked the local authority’s attendance support team for advice and to work with us. Under the national framework, 10 or more unauthorised sessions in 10 school weeks means a penalty notice must be considered. We will arrange a meeting and may visit you at home.

We remain committed to helping {{pupil.forename}} attend.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'positive',
      purpose: 'praise',
      title: 'Great progress with {{pupil.forename}}’s attendance',
      body: `Dear {{parent.name}},

We are really pleased: {{pupil.forename}}’s adjusted attendance has risen to {{attendance.rate}}. We know how much effort that takes.

Thank you. We have reduced the level of support, and we will keep celebrating {{pupil.forename}}’s attendance.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
  ],
};

/**
 * The three-tier local-authority model of a Stockton-on-Tees primary: Tier 1 school-level
 * intervention (meetings below 90%, an attendance improvement plan of at least 6 school weeks
 * with SMART targets), Tier 2 support from other agencies, Tier 3 referral to the locality team
 * at 10 unauthorised sessions in the previous 10 school weeks.
 *
 * @see ../../../../../../shared/seeds/000_fc0f941c00c384e8.txt "Attendance Intervention" (TIER 1, TIER 2, TIER 3), "Strategies for promoting attendance"
 */
import type { PolicyPreset } from './preset.js';

export const STOCKTON_TIERS: PolicyPreset = {
  id: 'stockton-tiers',
  name: 'Three tiers with a locality-team referral',
  summary:
    'Tier 1 school support below 90% with an improvement plan of at least 6 school weeks; Tier 2 brings in other agencies when the plan is not working; Tier 3 refers to the locality team at 10 unauthorised sessions in 10 school weeks.',
  policy: {
    id: 'stockton-tiers',
    name: 'Three-tier attendance intervention',
    source: 'seed 000 "Attendance Intervention" (Tier 1, Tier 2, Tier 3)',
    target: 0.95,
    // "The attendance improvement plan should run for no less than 6 school weeks"; "The Notice
    // to Improve will cover a 6-week monitoring period".
    minPlanSchoolWeeks: 6,
    noticeToImprovePeriod: '6-weeks',
    bands: [
      { name: 'Expected (95% and above)', minRate: 0.95, colour: 'green' },
      { name: 'At risk (90% to 95%)', minRate: 0.9, colour: 'yellow', description: 'watched at half term' },
      { name: 'Persistently absent (50% to 90%)', minRate: 0.5, colour: 'red', description: 'attendance meeting' },
      { name: 'Severely absent (below 50%)', minRate: 0, colour: 'purple', description: 'multi-agency support' },
    ],
    stages: [
      {
        id: 'tier-1',
        name: 'Tier 1: school-level intervention',
        order: 1,
        triggers: [{ kind: 'rateBelow', rate: 0.9 }],
        actions: ['letter:tier-1', 'meeting:attendance-support', 'plan:improvement', 'home-visit'],
        reviewAfterSchoolWeeks: 6,
        stepDownWhen: [
          { kind: 'rateAtLeast', rate: 0.9 },
          { kind: 'rateAtLeastOverLastWeeks', rate: 0.95, weeks: 6 },
        ],
        stepDownActions: ['letter:positive'],
        stepDownTo: null,
      },
      {
        id: 'tier-2',
        name: 'Tier 2: support from other agencies',
        order: 2,
        requiresPrevious: true,
        triggers: [{ kind: 'noImprovementSinceReview' }, { kind: 'planTargetsMissed', targets: 1 }],
        actions: ['letter:tier-2', 'meeting:multi-agency', 'referral:early-help', 'plan:improvement'],
        reviewAfterSchoolWeeks: 6,
        stepDownWhen: [{ kind: 'improvedSinceReview' }, { kind: 'rateAtLeastOverLastWeeks', rate: 0.95, weeks: 6 }],
        stepDownActions: ['letter:positive'],
      },
      {
        id: 'tier-3',
        name: 'Tier 3: referral to the locality team',
        order: 3,
        requiresPrevious: true,
        triggers: [{ kind: 'unauthorisedSessionsInRollingWeeks', sessions: 10, weeks: 10 }],
        actions: ['letter:tier-3', 'referral:locality-team'],
        reviewAfterSchoolWeeks: 6,
        stepDownWhen: [
          { kind: 'unauthorisedSessionsInRollingWeeksAtMost', sessions: 0, weeks: 6 },
          { kind: 'rateAtLeastOverLastWeeks', rate: 0.95, weeks: 6 },
        ],
        stepDownActions: ['letter:positive'],
      },
    ],
  },
  letters: [
    {
      key: 'tier-1',
      purpose: 'meeting-invitation',
      title: 'We would like to meet about {{pupil.forename}}’s attendance',
      body: `Dear {{parent.name}},

{{pupil.name}}’s attendance this year is {{attendance.rate}} ({{attendance.period}}). That is below 90%, which means {{pupil.forename}} has missed {{attendance.sessionsMissed}} sessions of learning so far.

We want to understand what is making school harder to get to, and to agree together what will help. Please come to a meeting on {{meeting.date}} at {{meeting.time}} in {{meeting.place}}.

At the meeting we will write an attendance improvement plan with you and {{pupil.forename}}: a few clear targets, the support school will give, and a date to look at it again. The plan runs for at least six school weeks.

If the time does not suit you, please ring the school office and we will find another.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'tier-2',
      purpose: 'plan',
      title: 'More support for {{pupil.forename}}’s attendance',
      body: `Dear {{parent.name}},

Thank you for working with us on {{pupil.forename}}’s attendance plan. At our review we found that attendance has not yet improved: it is now {{attendance.rate}}.

We would now like to bring in other services who can help, for example family support or health colleagues, so that {{pupil.forename}} has the full support they need. We will explain who they are and ask for your agreement at a meeting on {{meeting.date}} at {{meeting.time}} in {{meeting.place}}.

The new target in the plan is: {{plan.target}}. We will look at it together again on {{plan.reviewDate}}.

Please be aware that absence from now on will only be authorised where there is a serious and unavoidable reason, and that continued unauthorised absence may lead to a referral to the local authority.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'tier-3',
      purpose: 'referral',
      title: 'Referral to the local authority about {{pupil.forename}}’s attendance',
      body: `Dear {{parent.name}},

We are writing to let you know that we have referred {{pupil.name}}’s attendance to the local authority’s locality team.

Despite the support in {{pupil.forename}}’s attendance plan, there have been {{attendance.unauthorisedLast10Weeks}} sessions of unauthorised absence in the last ten school weeks. The local authority’s threshold is ten.

The locality team will contact you. They may issue a Notice to Improve or arrange an attendance case conference. School will keep supporting {{pupil.forename}} throughout, and our door remains open.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'positive',
      purpose: 'praise',
      title: 'Well done: {{pupil.forename}}’s attendance has improved',
      body: `Dear {{parent.name}},

We are delighted to tell you that {{pupil.forename}}’s attendance has improved and is now {{attendance.rate}}.

Thank you for everything you have done to make this happen. We have ended this stage of support, and we will keep celebrating {{pupil.forename}}’s good attendance.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
  ],
};

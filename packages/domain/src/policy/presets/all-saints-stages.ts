/**
 * The five-stage letter ladder of a primary school: Stage 1 below the school's 95% threshold
 * (1a illness / 1b unauthorised), Stage 2 a meeting with the attendance lead when there is no
 * improvement at a review point, Stage 3 a meeting with the headteacher, a report card and an
 * education welfare referral, Stage 4 a formal warning, Stage 5 a local-authority referral; a
 * positive letter at every step down. Target 96%; review points about each half term.
 *
 * @see ../../../../../../shared/seeds/001_43e87305f1d06844.txt "Appendix 1: School responsibilities attendance procedures and stages", "11. Attendance Monitoring Procedures"
 */
import type { PolicyPreset } from './preset.js';

const letter = (n: string) => `letter:stage-${n}`;

export const ALL_SAINTS_STAGES: PolicyPreset = {
  id: 'all-saints-stages',
  name: 'Stages 1 to 5 with letters at each review point',
  summary:
    'Stage 1 letter at each half-term check below 95%, and in September for every pupil persistently absent last year; then one stage per review point (October, December, February, April, May–June) with no improvement on the previous point or the September baseline: a meeting with the attendance lead, a meeting with the headteacher and an education welfare referral, a formal warning, a local-authority referral. Every step down brings a positive letter.',
  policy: {
    id: 'all-saints-stages',
    name: 'Staged attendance letters (Stages 1 to 5)',
    source: 'seed 001 Appendix 1 (Stages 1–5, +ive) and §11 Attendance Monitoring Procedures',
    target: 0.96,
    bands: [
      { name: 'At or above target (96% and above)', minRate: 0.96, colour: 'green' },
      {
        name: 'Just below target (95% to 96%)',
        minRate: 0.95,
        colour: 'yellow',
        description: 'a word with the headteacher',
      },
      { name: 'Causing concern (90% to 95%)', minRate: 0.9, colour: 'orange', description: 'Stage 1 letter' },
      { name: 'Persistently absent (50% to 90%)', minRate: 0.5, colour: 'red', description: 'monitored' },
      { name: 'Severely absent (below 50%)', minRate: 0, colour: 'purple', description: 'local authority involved' },
    ],
    // "any of the 5 review points (Oct / Dec / Feb / Apr / May-June)": the last school day of each
    // of those months (the half-term review meetings of Appendix 2), May for May–June.
    reviewPoints: [
      { kind: 'schoolWeekOf', which: 'last', month: 10, label: 'October review point' },
      { kind: 'schoolWeekOf', which: 'last', month: 12, label: 'December review point' },
      { kind: 'schoolWeekOf', which: 'last', month: 2, label: 'February review point' },
      { kind: 'schoolWeekOf', which: 'last', month: 4, label: 'April review point' },
      { kind: 'schoolWeekOf', which: 'last', month: 5, label: 'May–June review point' },
    ],
    stages: [
      {
        id: 'stage-1',
        name: 'Stage 1: attendance causing concern',
        order: 1,
        // "+ive: Positive escalation of Stage 5-4-3-2-1 will be commended with positive letters": one stage at a time.
        stopOnStepDown: true,
        triggers: [
          // "Half termly: children whose attendance has fallen or is below the school 95% threshold
          // will receive a Stage 1 letter"
          { kind: 'rateBelow', rate: 0.95, at: 'halfTermCheck' },
          // "September: All PA from the previous academic year sent a Stage 1 letter as a trigger baseline"
          { kind: 'lastYearRateBelow', rate: 0.9 },
        ],
        actions: [letter('1a'), letter('1b')],
        // The review points are the reviews: no separate review every so many weeks.
        reviewAfterSchoolWeeks: 0,
        // "Monitoring and communication with the parents continues until attendance stabilises to 96 percent"
        stepDownWhen: [{ kind: 'rateAtLeast', rate: 0.96, at: 'halfTermCheck' }],
        stepDownActions: ['letter:positive'],
      },
      {
        id: 'stage-2',
        name: 'Stage 2: meeting with the attendance lead',
        order: 2,
        stopOnStepDown: true,
        requiresPrevious: true,
        // "If attendance shows no improvement or a decline from Stage 1 from September Baseline or
        // any of the 5 review points"
        triggers: [{ kind: 'noImprovementAtReviewPoint' }],
        actions: [letter('2a'), letter('2b'), 'meeting:attendance-lead', 'plan:improvement'],
        reviewAfterSchoolWeeks: 0,
        // "+ive: Positive escalation of Stage 5-4-3-2-1 will be commended with positive letters"
        stepDownWhen: [{ kind: 'improvedAtReviewPoint' }],
        stepDownActions: ['letter:positive'],
      },
      {
        id: 'stage-3',
        name: 'Stage 3: meeting with the headteacher and education welfare referral',
        order: 3,
        stopOnStepDown: true,
        requiresPrevious: true,
        // "If attendance shows no improvement or a decline from Stage 2 …"; §11.10 "If targets are not met"
        triggers: [{ kind: 'noImprovementAtReviewPoint' }, { kind: 'planTargetsMissed', targets: 1 }],
        actions: [letter('3a'), 'meeting:headteacher', 'plan:attendance-support', 'referral:education-welfare'],
        reviewAfterSchoolWeeks: 0,
        stepDownWhen: [{ kind: 'improvedAtReviewPoint' }],
        stepDownActions: ['letter:positive'],
      },
      {
        id: 'stage-4',
        name: 'Stage 4: formal warning',
        order: 4,
        stopOnStepDown: true,
        requiresPrevious: true,
        // "where attendance is continuing to be a concern", read at the review points
        triggers: [{ kind: 'noImprovementAtReviewPoint' }],
        actions: [letter('4'), 'referral:education-welfare', 'contract'],
        reviewAfterSchoolWeeks: 0,
        stepDownWhen: [{ kind: 'improvedAtReviewPoint' }],
        stepDownActions: ['letter:positive'],
      },
      {
        id: 'stage-5',
        name: 'Stage 5: referral to the local authority',
        order: 5,
        requiresPrevious: true,
        // §11.10 "a four-week monitoring period … if there is no improvement after an additional four weeks"
        triggers: [
          {
            kind: 'allOf',
            all: [{ kind: 'noImprovementAtReviewPoint' }, { kind: 'timeInStageAtLeast', schoolWeeks: 4 }],
          },
        ],
        actions: [letter('5'), 'referral:local-authority'],
        reviewAfterSchoolWeeks: 0,
        stepDownWhen: [{ kind: 'improvedAtReviewPoint' }],
        stepDownActions: ['letter:positive'],
      },
    ],
  },
  letters: [
    {
      key: 'stage-1a',
      purpose: 'concern',
      title: 'Stage 1: {{pupil.forename}}’s attendance (illness and appointments)',
      body: `Dear {{parent.name}},

We check every child’s attendance each half term. {{pupil.name}}’s attendance is {{attendance.rate}} ({{attendance.period}}), which is below our 95% threshold. Most of the absence has been for illness or medical appointments.

We know children are sometimes unwell, and we are not blaming anyone. We want to make sure {{pupil.forename}} does not fall behind. Where you can, please book appointments outside school hours, and let us know if there is a health need we can plan for.

A leaflet with ideas for helping attendance is enclosed. If you would like to talk, please contact the school office.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'stage-1b',
      purpose: 'concern',
      title: 'Stage 1: {{pupil.forename}}’s attendance is causing concern',
      body: `Dear {{parent.name}},

We check every child’s attendance each half term. {{pupil.name}}’s attendance is {{attendance.rate}} ({{attendance.period}}), which is below our 95% threshold, and {{attendance.unauthorisedSessions}} sessions have been unauthorised absence.

Every day in school counts. We would like to work with you to get {{pupil.forename}}’s attendance back to our target of 96%. A leaflet with ideas for helping attendance is enclosed.

We will look at attendance again at the next review point. If anything is making it hard to get to school, please tell us so we can help.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'stage-2a',
      purpose: 'meeting-invitation',
      title: 'Stage 2: meeting about {{pupil.forename}}’s attendance (illness)',
      body: `Dear {{parent.name}},

Since our last letter, {{pupil.forename}}’s attendance has not improved: it is now {{attendance.rate}}. We understand much of this absence has been for illness.

We would like to meet you with our attendance lead on {{meeting.date}} at {{meeting.time}} in {{meeting.place}} to talk about any health needs and agree an attendance target together.

If you have medical evidence, such as an appointment card or prescription, please bring it.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'stage-2b',
      purpose: 'meeting-invitation',
      title: 'Stage 2: meeting about {{pupil.forename}}’s attendance',
      body: `Dear {{parent.name}},

Since our last letter, {{pupil.forename}}’s attendance has not improved: it is now {{attendance.rate}}, with {{attendance.unauthorisedSessions}} sessions of unauthorised absence.

Please come to a meeting with our attendance lead on {{meeting.date}} at {{meeting.time}} in {{meeting.place}}. Together we will set an attendance target and agree the help school can give.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'stage-3a',
      purpose: 'meeting-invitation',
      title: 'Stage 3: meeting with the headteacher about {{pupil.forename}}’s attendance',
      body: `Dear {{parent.name}},

{{pupil.forename}}’s attendance has still not improved since our meeting: it is now {{attendance.rate}}, and the target we agreed ({{plan.target}}) has not been met.

The headteacher would like to meet you on {{meeting.date}} at {{meeting.time}} in {{meeting.place}}. At the meeting we will set up an attendance report card and a support plan for {{pupil.forename}}, to be reviewed on {{plan.reviewDate}}.

We have also asked the education welfare service to work with us, so that you and {{pupil.forename}} get all the help available.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'stage-4',
      purpose: 'warning',
      title: 'Stage 4: formal warning about {{pupil.forename}}’s attendance',
      body: `Dear {{parent.name}},

This is a formal warning, sent by the school on behalf of the local authority’s attendance team and countersigned by the headteacher.

{{pupil.name}}’s attendance is {{attendance.rate}} ({{attendance.period}}) and has not improved despite the support in place. Absence at this level is affecting {{pupil.forename}}’s learning.

Parents have a legal duty to make sure their child attends school regularly. If attendance does not improve over the next four school weeks, the school will refer the case to the local authority, which may take legal action.

We still want to help. Please contact us to talk about anything that would make a difference.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'stage-5',
      purpose: 'referral',
      title: 'Stage 5: referral to the local authority',
      body: `Dear {{parent.name}},

We are writing to tell you that we have referred {{pupil.name}}’s attendance to the local authority, which will consider legal proceedings.

Attendance is {{attendance.rate}} ({{attendance.period}}), with {{attendance.unauthorisedSessions}} sessions of unauthorised absence, and it has not improved since the formal warning.

The local authority will write to you about what happens next. School will keep supporting {{pupil.forename}} in the meantime.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'positive',
      purpose: 'praise',
      title: 'Congratulations on {{pupil.forename}}’s improved attendance',
      body: `Dear {{parent.name}},

We are very pleased to write to you with good news: {{pupil.forename}}’s attendance has improved and is now {{attendance.rate}}.

This is a real achievement, and we know it takes effort at home as well as in school. Thank you. We have moved {{pupil.forename}} down a stage and will keep in touch until attendance is settled at our 96% target.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
  ],
};

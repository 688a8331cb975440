/**
 * The twin-track model of a multi-academy trust: Track 1 (prevention) below 95% with an
 * attendance support meeting, then a support plan with a senior leader when there is no
 * improvement; Track 2 (intensive intervention) below 90%, and below 50% for severe absence
 * with home visits and the local authority. The stages are those of the twin-track example.
 *
 * @see ../../../../../../shared/seeds/002_aba111d41983db42.txt §5.3 Twin-Track Model, §5.4 Home Visits
 */
import { TWIN_TRACK_EXAMPLE_POLICY } from '../examples.js';
import type { PolicyPreset } from './preset.js';

export const STOCCAT_TWIN_TRACK: PolicyPreset = {
  id: 'stoccat-twin-track',
  name: 'Twin track: 95% / 90% / 50%',
  summary:
    'Track 1 (prevention) below 95%: a support meeting, then a support plan with a senior leader if there is no improvement. Track 2 (intensive) below 90%: multi-agency meeting, plan and early help; below 50%: home visits and the local authority.',
  policy: {
    ...TWIN_TRACK_EXAMPLE_POLICY,
    id: 'stoccat-twin-track',
    name: 'Twin-track attendance support',
    source: 'seed 002 §5.3 Twin-Track Model and §5.4 Home Visits',
    target: 0.95,
    stages: TWIN_TRACK_EXAMPLE_POLICY.stages.map((s) =>
      s.id === 'track-2-severe' ? { ...s, actions: [...s.actions, 'letter:track-2-severe'] } : s,
    ),
  },
  letters: [
    {
      key: 'track-1-concern',
      purpose: 'meeting-invitation',
      title: 'An invitation to talk about {{pupil.forename}}’s attendance',
      body: `Dear {{parent.name}},

Our half-termly check shows that {{pupil.name}}’s attendance is {{attendance.rate}} ({{attendance.period}}). Our trust expects at least 95%, so we would like to talk with you early, before it becomes harder to turn around.

Please join us for an attendance support meeting on {{meeting.date}} at {{meeting.time}} in {{meeting.place}}. It is a chance to tell us about anything that is getting in the way, and for us to offer help.

We understand some absence has reasons that need care and sensitivity; please tell us if that is the case.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'track-1-plan',
      purpose: 'meeting-invitation',
      title: 'An attendance support plan for {{pupil.forename}}',
      body: `Dear {{parent.name}},

Thank you for meeting us. {{pupil.forename}}’s attendance has not improved since then and is now {{attendance.rate}}.

We would like to agree a personal attendance support plan, with a senior leader joining us. Please come on {{meeting.date}} at {{meeting.time}} in {{meeting.place}}. The plan will set a new target ({{plan.target}}) and list the extra support on offer; we will review it on {{plan.reviewDate}}.

If attendance does not improve, the school may have to consider formal steps, but our aim is to help first.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'track-2',
      purpose: 'meeting-invitation',
      title: 'Intensive support for {{pupil.forename}}’s attendance',
      body: `Dear {{parent.name}},

{{pupil.name}}’s attendance is {{attendance.rate}}, which means {{pupil.forename}} is now persistently absent: missing one day in every ten or more.

We would like to bring together the people who can help, which may include early help, health or other services, at a meeting on {{meeting.date}} at {{meeting.time}} in {{meeting.place}}. Together we will write a support plan with clear steps back to full attendance.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'track-2-severe',
      purpose: 'concern',
      title: 'We are concerned about {{pupil.forename}}',
      body: `Dear {{parent.name}},

{{pupil.name}} has attended {{attendance.rate}} of sessions this year, so is missing at least half of school. We are worried about {{pupil.forename}}’s learning and wellbeing.

A member of staff will visit you at home, and we have asked the local authority to work with us so that {{pupil.forename}} gets every support available. We will discuss {{pupil.forename}} each week until things improve.

Please contact us at any time: we want to help.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
    {
      key: 'positive',
      purpose: 'praise',
      title: 'Good news about {{pupil.forename}}’s attendance',
      body: `Dear {{parent.name}},

{{pupil.forename}}’s attendance has improved and is now {{attendance.rate}}. Thank you for your support: it is making a real difference.

We have reduced the level of support to match, and we will keep an eye on things so that the improvement lasts.

Yours sincerely,

{{sender.name}}
{{sender.role}}`,
    },
  ],
};

/**
 * An example policy modelled on the twin-track model: Track 1 (prevention) below 95%, Track 2
 * (intensive intervention) below 90% and, for severe absence, below 50%. No school's or person's
 * name: a school copies it and fills in its own.
 *
 * @see ../../../../../shared/seeds/002_aba111d41983db42.txt §5.3 Twin-Track Model
 */
import type { AttendancePolicy } from './types.js';

export const TWIN_TRACK_EXAMPLE_POLICY: AttendancePolicy = {
  id: 'example-twin-track',
  name: 'Twin-track attendance support (example)',
  source: 'seed 002 §5.3 Twin-Track Model',
  bands: [
    { name: 'Expected attendance (95% and above)', minRate: 0.95, colour: 'green' },
    { name: 'Track 1: at risk (90% to 95%)', minRate: 0.9, colour: 'yellow' },
    { name: 'Track 2: persistently absent (below 90%)', minRate: 0.5, colour: 'red' },
    { name: 'Track 2: severely absent (below 50%)', minRate: 0, colour: 'purple' },
  ],
  stages: [
    {
      id: 'track-1',
      name: 'Track 1: attendance support meeting',
      order: 1,
      triggers: [{ kind: 'rateBelow', rate: 0.95 }],
      actions: ['letter:track-1-concern', 'meeting:attendance-support'],
      reviewAfterSchoolWeeks: 6,
      stepDownWhen: [{ kind: 'rateAtLeast', rate: 0.95 }],
      stepDownActions: ['letter:positive'],
    },
    {
      id: 'track-1-plan',
      name: 'Track 1: attendance support plan',
      order: 2,
      // "If concerns persist, a personalised Attendance Support Plan": after the meeting.
      requiresPrevious: true,
      triggers: [
        { kind: 'noImprovementSinceReview' },
        { kind: 'unauthorisedSessionsInRollingWeeks', sessions: 10, weeks: 10 },
      ],
      actions: ['plan:attendance-support', 'meeting:senior-leader', 'letter:track-1-plan'],
      reviewAfterSchoolWeeks: 6,
      stepDownWhen: [{ kind: 'improvedSinceReview' }, { kind: 'rateAtLeastOverLastWeeks', rate: 0.95, weeks: 6 }],
      stepDownActions: ['letter:positive'],
    },
    {
      id: 'track-2',
      name: 'Track 2: intensive support (persistent absence)',
      order: 3,
      triggers: [
        { kind: 'rateBelow', rate: 0.9 },
        { kind: 'consecutiveDaysAbsent', days: 10 },
      ],
      actions: ['meeting:multi-agency', 'plan:attendance-support', 'referral:early-help', 'letter:track-2'],
      reviewAfterSchoolWeeks: 4,
      stepDownWhen: [
        { kind: 'rateAtLeast', rate: 0.9 },
        { kind: 'rateAtLeastOverLastWeeks', rate: 0.95, weeks: 6 },
      ],
      stepDownActions: ['letter:positive'],
    },
    {
      id: 'track-2-severe',
      name: 'Track 2: severe absence',
      order: 4,
      triggers: [{ kind: 'rateBelow', rate: 0.5 }],
      actions: ['meeting:multi-agency', 'home-visit', 'referral:local-authority'],
      reviewAfterSchoolWeeks: 2,
      stepDownWhen: [
        { kind: 'rateAtLeast', rate: 0.5 },
        { kind: 'rateAtLeastOverLastWeeks', rate: 0.9, weeks: 6 },
      ],
      stepDownActions: ['letter:positive'],
    },
  ],
};

import {
  DEFAULT_LEAVE_RULES,
  POLICY_PRESETS,
  policyPreset,
  presetSettings,
  TWIN_TRACK_EXAMPLE_POLICY,
} from '@rollcall/domain';
import { describe, expect, it } from 'vitest';
import {
  caseworkPolicyOf,
  DEFAULT_FOLLOW_UP_LADDER,
  DEFAULT_POLICY,
  parsePolicyText,
  parseSchoolPolicy,
  policyFieldErrors,
  policyLetters,
  presetDocument,
} from './school-policy.js';
import { policyChanges } from './policy-changes.js';
import { DEFAULT_ATTENDANCE_BANDS, summaryBandsOf } from '../follow-up/summaries.js';
import { dueSteps } from '../follow-up/worklist.js';

describe('the school policy document', () => {
  it('defaults to the seed register times, no PA minimum, no N conversion and the seed follow-up ladder', () => {
    expect(DEFAULT_POLICY.registerTimes).toEqual({
      AM: { opens: '08:50', closes: '09:20' },
      PM: { opens: '13:00', closes: '13:10' },
    });
    expect(DEFAULT_POLICY.minPossibleSessions).toBe(0);
    expect(DEFAULT_POLICY.convertNToOAfterSchoolDays).toBeNull();
    expect(DEFAULT_POLICY.followUp).toEqual(DEFAULT_FOLLOW_UP_LADDER);
  });

  it.each([
    [
      { registerTimes: { AM: { opens: '08:50', closes: '09:25' }, PM: { opens: '13:00', closes: '13:10' } } },
      'registerTimes.AM: the register may be open for at most 30 minutes, not 35',
    ],
    [
      { registerTimes: { AM: { opens: '8.50', closes: '09:20' }, PM: { opens: '13:00', closes: '13:10' } } },
      'registerTimes.AM.opens: must be a time HH:MM (24-hour clock)',
    ],
    [
      { convertNToOAfterSchoolDays: 3 },
      'convertNToOAfterSchoolDays: must be at least 5 school days: the rules give the school 5 to establish the reason',
    ],
    [
      { followUp: { ...DEFAULT_FOLLOW_UP_LADDER, cmeEnquiriesDay: 12, cmeReferralDay: 10 } },
      'followUp.cmeReferralDay: the CME referral comes after the enquiries begin',
    ],
  ])('refuses %j naming the field', (doc, message) => {
    const r = parseSchoolPolicy(JSON.stringify(doc));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join(' | ')).toContain(message);
  });

  it("drives the worklist's ladder: a school visiting on day 2 gets the home visit due on day 2", () => {
    const facts = {
      day: 2,
      vulnerable: false,
      socialWorker: false,
      contactCount: 1,
      contactsTriedToday: 1,
      reasonGivenToday: false,
      visitDoneToday: false,
      visitPlannedToday: false,
      nobodyFoundOnVisit: false,
    };
    expect(dueSteps(facts).map((s) => s.kind)).not.toContain('homeVisit');
    const r = parseSchoolPolicy(JSON.stringify({ followUp: { ...DEFAULT_FOLLOW_UP_LADDER, homeVisitFirstDay: 2 } }));
    if (!r.ok) throw new Error(r.errors.join('; '));
    expect(dueSteps(facts, r.policy.followUp).map((s) => s.kind)).toContain('homeVisit');
  });
});

describe('the policy document: target, bands, adjusted attendance, casework and letters', () => {
  it('keeps the old defaults and says nothing about casework until the school does', () => {
    expect(DEFAULT_POLICY.casework).toBeUndefined();
    expect(caseworkPolicyOf(DEFAULT_POLICY)).toBe(TWIN_TRACK_EXAMPLE_POLICY);
    expect(Object.keys(JSON.parse(JSON.stringify(DEFAULT_POLICY)) as object).sort()).toEqual([
      'convertNToOAfterSchoolDays',
      'followUp',
      'leave',
      'minPossibleSessions',
      'registerTimes',
      'version',
    ]);
  });

  it.each(POLICY_PRESETS.map((p) => [p.id]))(
    'starts from the preset %s written out, as YAML that reads back the same',
    (id) => {
      const yaml = presetDocument(DEFAULT_POLICY, id);
      const r = parsePolicyText(yaml);
      if (!r.ok) throw new Error(r.errors.join('; '));
      expect(r.policy.casework).toEqual(policyPreset(id)!.policy);
      expect(policyLetters(r.policy)).toEqual(policyPreset(id)!.letters);
      // The register times the preset's seed states, the school's own where it states none.
      const times = presetSettings(id).registerTimes;
      expect(r.policy.registerTimes).toEqual({
        AM: times?.AM ?? DEFAULT_POLICY.registerTimes.AM,
        PM: times?.PM ?? DEFAULT_POLICY.registerTimes.PM,
      });
    },
  );

  it('reads a short YAML document: a preset with the school’s own target, bands and one letter replaced', () => {
    const r = parsePolicyText(`
preset: all-saints-stages
target: 0.97
bands:
  - { name: Great, minRate: 0.97, colour: green }
  - { name: Not yet, minRate: 0, colour: red }
adjustedAttendance: { integrationSchoolWeeks: 4 }
letters:
  - key: positive
    title: Well done
    body: "Dear {{parent.name}},\\n\\n{{pupil.forename}} is at {{attendance.rate}}."
`);
    if (!r.ok) throw new Error(r.errors.join('; '));
    const cw = caseworkPolicyOf(r.policy);
    expect(cw.id).toBe('all-saints-stages');
    expect(cw.target).toBe(0.97);
    expect(cw.bands.map((b) => b.name)).toEqual(['Great', 'Not yet']);
    expect(cw.adjustedAttendance).toEqual({ integrationSchoolWeeks: 4 });
    const letters = policyLetters(r.policy);
    expect(letters.find((l) => l.key === 'positive')!.title).toBe('Well done');
    expect(letters).toHaveLength(policyPreset('all-saints-stages')!.letters.length);
  });

  it('accepts JSON as well as YAML', () => {
    const r = parsePolicyText(JSON.stringify({ preset: 'stockton-tiers' }));
    expect(r.ok && caseworkPolicyOf(r.policy).id).toBe('stockton-tiers');
  });

  it.each([
    ['preset: nowhere', 'preset: must be one of stockton-tiers, all-saints-stages'],
    ['target: 96', 'target: must be a fraction from 0 to 1 (e.g. 0.96 for 96%)'],
    [
      'bands: [{ name: A, minRate: 0.9, colour: green }, { name: A, minRate: 0, colour: red }]',
      'bands.1.name: the band "A" is listed twice',
    ],
    ['adjustedAttendance: { integrationSchoolWeeks: -1 }', 'adjustedAttendance.integrationSchoolWeeks:'],
    [
      'letters: [{ key: a, title: T, body: "Hi {{pupil.surname}}" }]',
      'letters.0.body: unknown merge field {{pupil.surname}}',
    ],
    [
      'letters: [{ key: a, title: T, body: x, purpose: meeting }]',
      'letters.0.purpose: must be one of meeting-invitation, meeting-missed,',
    ],
    [
      'letters: [{ key: a, title: T, body: x }, { key: a, title: U, body: y }]',
      'letters.1.key: the key "a" is already used by letter 1',
    ],
    [
      'casework: { id: x, name: X, source: ours, stages: [{ id: s1, name: S, order: 1, triggers: [{ kind: rateBelow, rate: 1.5 }], actions: [], reviewAfterSchoolWeeks: 4 }] }',
      'casework.stages.0.triggers.0.rate: must be a fraction from 0 to 1',
    ],
    [
      'casework: { id: x, name: X, source: ours, stages: [{ id: s1, name: S, order: 1, triggers: [{ kind: rateBelow, rate: 0.9 }], actions: [], reviewAfterSchoolWeeks: 4, stepDownTo: s9 }] }',
      'casework.stages.0.stepDownTo: there is no stage with the id "s9"',
    ],
    ['registerTimes: [', 'line 1, column'],
    ['- just\n- a list', '(policy): the document must be a mapping of fields'],
    ['', '(policy): the document is empty'],
    ['target: 0.9\ntarget: 0.8', 'line 2, column 1'],
  ])('refuses %j naming the field', (text, message) => {
    const r = parsePolicyText(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join(' | ')).toContain(message);
  });

  it('keeps the purpose a policy’s own letter declares, and gives the preset’s letters theirs', () => {
    const r = parsePolicyText(
      'preset: james-marks-adjusted\nletters: [{ key: catch-up, title: A catch-up, body: "Come in on {{meeting.date}}", purpose: meeting-invitation }]',
    );
    if (!r.ok) throw new Error(r.errors.join('; '));
    const letters = policyLetters(r.policy);
    expect(letters.find((l) => l.key === 'catch-up')?.purpose).toBe('meeting-invitation');
    expect(letters.find((l) => l.key === 'contact')?.purpose).toBe('meeting-invitation');
    expect(letters.find((l) => l.key === 'local-authority')?.purpose).toBe('referral');
  });

  it('splits the errors into field errors for the form', () => {
    expect(policyFieldErrors(['target: too big', 'odd'])).toEqual([
      { field: 'target', message: 'too big' },
      { field: '(policy)', message: 'odd' },
    ]);
  });
});

describe('the settings beside the casework: leave rules, first-day call time, half-termly letter', () => {
  it('loads an old document without them with today’s behaviour', () => {
    const old = {
      version: 1,
      registerTimes: { AM: { opens: '08:50', closes: '09:20' }, PM: { opens: '13:00', closes: '13:10' } },
      minPossibleSessions: 0,
      convertNToOAfterSchoolDays: null,
      followUp: DEFAULT_FOLLOW_UP_LADDER,
      preset: 'stockton-tiers',
    };
    const r = parseSchoolPolicy(JSON.stringify(old));
    if (!r.ok) throw new Error(r.errors.join('; '));
    expect(r.policy.leave).toEqual(DEFAULT_LEAVE_RULES);
    expect(r.policy.leave.noticeDays).toEqual({ exceptional: 28, religious: 7, traveller: 28, performance: 28 });
    expect(r.policy.followUp.firstCallBy).toBeUndefined();
    expect(r.policy.halfTermlyLetter).toBeUndefined();
    expect(summaryBandsOf(r.policy)).toBe(DEFAULT_ATTENDANCE_BANDS);
    expect(policyChanges(DEFAULT_POLICY, r.policy)).toEqual([
      'Attendance target: not set → 95%',
      expect.stringMatching(/^Bands: /),
      expect.stringMatching(/^Staged casework: Twin-track/),
      'Notice to Improve monitoring: 15 school days → 6 school weeks',
      expect.stringMatching(/^Letter templates: none → tier-1, /),
    ]);
  });

  it('fills in the leave fields a document leaves out', () => {
    const r = parsePolicyText('leave:\n  noticeDays: { religious: 28 }\n  authorisedAbsenceLimit: null\n');
    if (!r.ok) throw new Error(r.errors.join('; '));
    expect(r.policy.leave).toEqual({
      ...DEFAULT_LEAVE_RULES,
      noticeDays: { ...DEFAULT_LEAVE_RULES.noticeDays, religious: 28 },
      authorisedAbsenceLimit: null,
    });
  });

  it.each(POLICY_PRESETS.map((p) => [p.id]))(
    'the preset %s brings the settings its seed states and keeps the school’s for the rest',
    (id) => {
      const school = parsePolicyText(
        [
          'registerTimes: { AM: { opens: "08:40", closes: "09:00" }, PM: { opens: "12:50", closes: "13:00" } }',
          'minPossibleSessions: 10',
          'convertNToOAfterSchoolDays: 8',
          'followUp: { homeVisitFirstDay: 2, homeVisitEveryDays: 2, vulnerableHomeVisitDay: 1, cmeEnquiriesDay: 8, cmeReferralDay: 15, firstCallBy: "09:10" }',
          'leave: { noticeDays: { religious: 10 }, forwardingAddressSchoolDays: 12, assessmentPeriods: [{ name: Tests, from: 2026-05-11, to: 2026-05-14 }] }',
          '',
        ].join('\n'),
      );
      if (!school.ok) throw new Error(school.errors.join('; '));
      const current = school.policy;
      const r = parsePolicyText(presetDocument(current, id));
      if (!r.ok) throw new Error(r.errors.join('; '));
      const s = presetSettings(id);
      const p = r.policy;
      expect(p.registerTimes.AM).toEqual(s.registerTimes?.AM ?? current.registerTimes.AM);
      expect(p.registerTimes.PM).toEqual(s.registerTimes?.PM ?? current.registerTimes.PM);
      expect(p.minPossibleSessions).toBe(s.minPossibleSessions ?? 10);
      expect(p.convertNToOAfterSchoolDays).toBe(
        s.convertNToOAfterSchoolDays === undefined ? 8 : s.convertNToOAfterSchoolDays,
      );
      expect(p.followUp).toEqual({ ...current.followUp, ...s.followUp });
      expect(p.leave.noticeDays).toEqual({ ...current.leave.noticeDays, ...s.leave?.noticeDays });
      expect(p.leave.forwardingAddressSchoolDays).toBe(s.leave?.forwardingAddressSchoolDays ?? 12);
      expect(p.leave.assessmentPeriods).toEqual(current.leave.assessmentPeriods);
      expect(p.halfTermlyLetter).toEqual(s.halfTermlyLetter);
    },
  );

  it('names the field of every problem in the new sections', () => {
    const r = parsePolicyText(
      [
        'followUp: { homeVisitFirstDay: 3, homeVisitEveryDays: 3, vulnerableHomeVisitDay: 1, cmeEnquiriesDay: 10, cmeReferralDay: 20, firstCallBy: "9.30" }',
        'leave:',
        '  noticeDays: { exceptional: 2.5 }',
        '  refuseWithAnyUnauthorisedAbsence: sometimes',
        '  lunchtimePasses: { leaveWithinMinutes: -5 }',
        'halfTermlyLetter: { bands: [{ from: 0.9, label: Same, advice: a }, { from: 0.5, label: Same, advice: b }] }',
        '',
      ].join('\n'),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const fields = r.errors.map((e) => e.slice(0, e.indexOf(': ')));
    expect(fields).toEqual(
      expect.arrayContaining([
        'followUp.firstCallBy',
        'leave.noticeDays.exceptional',
        'leave.refuseWithAnyUnauthorisedAbsence',
        'leave.lunchtimePasses.leaveWithinMinutes',
      ]),
    );
    const bands = parsePolicyText(
      'halfTermlyLetter: { bands: [{ from: 0.9, label: Same, advice: a }, { from: 0.5, label: Same, advice: b }] }\n',
    );
    expect(bands.ok ? [] : bands.errors).toEqual(['halfTermlyLetter.bands.1.label: the band "Same" is listed twice']);
  });
});

describe('bounds on a policy document', () => {
  it('refuses an over-long document and an alias bomb with a clear error, not an exception', () => {
    const long = parsePolicyText(`# ${'x'.repeat(200_001)}\ntarget: 0.9\n`);
    expect(long.ok ? [] : long.errors).toEqual([
      '(policy): the document is 200,016 characters long; a policy may be at most 200,000',
    ]);
    let bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 0; i < 9; i++)
      bomb += `b${i}: &b${i} [${Array<string>(9)
        .fill(i === 0 ? '*a' : `*b${i - 1}`)
        .join(', ')}]\n`;
    const r = parsePolicyText(bomb);
    expect(r.ok ? [] : r.errors[0]).toContain('YAML aliases (*name) too many times');
  });
});

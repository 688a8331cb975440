import { describe, expect, it } from 'vitest';
import { DEFAULT_FOLLOW_UP_LADDER, DEFAULT_POLICY, parseSchoolPolicy } from './school-policy.js';
import { dueSteps } from './worklist.js';

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
    [{ convertNToOAfterSchoolDays: 3 }, 'convertNToOAfterSchoolDays: Too small: expected number to be >=5'],
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

import { describe, expect, it } from 'vitest';
import { leaveRulesInWords, lunchtimeTerms, noticeInWords } from './leave.js';
import { DEFAULT_POLICY, presetPolicyDocument, checkSchoolPolicy } from '../policy/school-policy.js';

function rulesOf(presetId: string) {
  const r = checkSchoolPolicy(presetPolicyDocument(DEFAULT_POLICY, presetId));
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.policy.leave;
}

describe('the leave rules in words (the parent’s form and the policy page)', () => {
  it('says Rollcall’s defaults as before', () => {
    expect(leaveRulesInWords(DEFAULT_POLICY.leave)).toEqual([
      'Ask in advance, at least 4 weeks (28 days) before the first day. For religious observance, at least a week (7 days).',
      'The headteacher grants leave in term time only in exceptional circumstances: events that are rare, significant, unavoidable and short. Family holidays are not exceptional circumstances.',
      'Leave is not granted when your child has any unauthorised absence this school year, when their authorised absence is already above 10%.',
      'Leave cannot be granted after the event.',
      'For a performance, give the local authority licence reference; the school does not authorise performance absence that would take attendance below 90%.',
      'For 15 school days or more, give an address where you can be reached while away.',
    ]);
  });

  it('says All Saints’ rules: four weeks for every kind, 96% for performances, the lunchtime-pass terms', () => {
    const lines = leaveRulesInWords(rulesOf('all-saints-stages'));
    expect(lines[0]).toBe('Ask in advance, at least 4 weeks (28 days) before the first day.');
    expect(lines).toContain(
      'For a performance, give the local authority licence reference; the school does not authorise performance absence that would take attendance below 96%.',
    );
    expect(lines.at(-1)).toBe(
      'Lunchtime passes: the headteacher answers in writing within a week; the pupil leaves within 10 minutes of the start of lunch; the pupil is back no later than 5 minutes before the end of lunch; permission is renewed each term.',
    );
  });

  it('says James Marks’ rules: in advance, and no attendance grounds', () => {
    const lines = leaveRulesInWords(rulesOf('james-marks-adjusted'));
    expect(lines[0]).toBe(
      'Ask in advance, at least one day before the first day. For religious observance, at least a week (7 days). For travelling for work, at least 4 weeks (28 days). For a licensed performance, at least 4 weeks (28 days).',
    );
    expect(lines.some((l) => l.startsWith('Leave is not granted'))).toBe(false);
  });

  it('words notice periods and lunchtime terms', () => {
    expect([noticeInWords(7), noticeInWords(28), noticeInWords(10), noticeInWords(1)]).toEqual([
      'a week',
      'four weeks',
      '10 days',
      '1 day',
    ]);
    expect(lunchtimeTerms(DEFAULT_POLICY.leave)).toEqual([]);
  });
});

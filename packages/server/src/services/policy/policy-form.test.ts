import { POLICY_PRESETS } from '@rollcall/domain';
import { describe, expect, it } from 'vitest';
import { documentFromForm, policyFormValues } from './policy-form.js';
import { checkSchoolPolicy, presetPolicyDocument, DEFAULT_POLICY } from './school-policy.js';

describe('the policy as a form', () => {
  it.each([['(defaults)'], ...POLICY_PRESETS.map((p) => [p.id])])(
    'reads back %s unchanged: the same settings, and the document otherwise as written',
    (id) => {
      const stored = id === '(defaults)' ? {} : presetPolicyDocument(DEFAULT_POLICY, id);
      const current = checkSchoolPolicy(stored);
      if (!current.ok) throw new Error(current.errors.join('; '));
      const r = documentFromForm(current.policy, stored, policyFormValues(current.policy));
      if (!r.ok) throw new Error(r.errors.map((e) => `${e.field}: ${e.message}`).join('; '));
      expect(r.policy.registerTimes).toEqual(current.policy.registerTimes);
      expect(r.policy.followUp).toEqual(current.policy.followUp);
      expect(r.policy.minPossibleSessions).toBe(current.policy.minPossibleSessions);
      expect(r.policy.convertNToOAfterSchoolDays).toBe(current.policy.convertNToOAfterSchoolDays);
      expect(r.policy.leave).toEqual(current.policy.leave);
      expect(r.policy.casework).toEqual(current.policy.casework);
      expect(r.raw.bands).toEqual((stored as { bands?: unknown }).bands);
      expect(r.raw.target).toEqual((stored as { target?: unknown }).target);
    },
  );

  it('writes percentages as fractions, and the bands and target only when they change', () => {
    const values = { ...policyFormValues(DEFAULT_POLICY), 'bands.1.minRate': '91', target: '96.5' };
    const r = documentFromForm(DEFAULT_POLICY, {}, values);
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
    expect((r.raw.bands as { minRate: number }[])[1]!.minRate).toBe(0.91);
    expect(r.raw.target).toBe(0.965);
    const noLimit = documentFromForm(
      DEFAULT_POLICY,
      {},
      {
        ...policyFormValues(DEFAULT_POLICY),
        'leave.authorisedAbsenceLimit': '',
        'leave.refuseWithAnyUnauthorisedAbsence': 'no',
      },
    );
    if (!noLimit.ok) throw new Error('expected the form to read');
    expect(noLimit.policy.leave.authorisedAbsenceLimit).toBeNull();
    expect(noLimit.policy.leave.refuseWithAnyUnauthorisedAbsence).toBe(false);
  });

  it('names the field of a problem the document’s checks find', () => {
    const n = documentFromForm(
      DEFAULT_POLICY,
      {},
      { ...policyFormValues(DEFAULT_POLICY), convertNToOAfterSchoolDays: '3' },
    );
    expect(n.ok ? [] : n.errors.map((e) => e.field)).toEqual(['convertNToOAfterSchoolDays']);
    const r = documentFromForm(
      DEFAULT_POLICY,
      {},
      {
        ...policyFormValues(DEFAULT_POLICY),
        'followUp.cmeEnquiriesDay': '25',
        'followUp.cmeReferralDay': '20',
      },
    );
    expect(r.ok ? [] : r.errors).toEqual([
      {
        field: 'followUp.cmeReferralDay',
        message: 'the CME referral comes after the enquiries begin: make it the same day or later',
      },
    ]);
  });
});

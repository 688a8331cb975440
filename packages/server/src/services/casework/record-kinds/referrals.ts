/**
 * Referrals to other agencies, and attendance contracts.
 */
import { z } from 'zod';
import { AGENCIES, AGENCY_LABELS, CASE_ITEM_LISTS } from '../record.js';
import { kind, optionalText, PUPIL, text } from './kind.js';

export const REFERRAL = kind({
  name: 'referral',
  table: 'case_referrals',
  entityType: 'case_referral',
  permission: 'casework.manage',
  list: CASE_ITEM_LISTS.referrals,
  create: {
    action: 'casework.referral.create',
    input: z.object({ ...PUPIL, agency: text, madeOn: text, reason: text, reference: optionalText }),
    failed: 'The referral could not be recorded.',
    check: (c, input, ctx) => {
      const agency = c.oneOf('agency', input.agency, AGENCIES, 'Choose who the referral is to.');
      const madeOn = c.date('madeOn', input.madeOn, 'the date of the referral');
      if (madeOn && madeOn > ctx.today())
        c.add('madeOn', 'Record a referral once it is made: the date is in the future.');
      const reason = c.text('reason', input.reason, 'the reason for the referral');
      const reference = c.text('reference', input.reference, 'the reference', { required: false, max: 200 });
      return { agency, madeOn, reason, reference };
    },
    write: (p) => ({
      values: {
        agency: p.agency!,
        made_on: p.madeOn!,
        reason: p.reason!,
        reference: p.reference,
        status: 'made',
        outcome: null,
      },
      details: { agency: p.agency },
      completes: {
        policyAction: `referral:${p.agency}`,
        outcome: `Referral to ${AGENCY_LABELS[p.agency!]} made on ${p.madeOn}`,
        completedOn: p.madeOn!,
      },
    }),
  },
  update: {
    action: 'casework.referral.update',
    input: z.object({ ...PUPIL, referralId: text, status: text, outcome: text }),
    idField: 'referralId',
    missing: 'No such referral for this pupil.',
    failed: 'The referral could not be updated.',
    check: (c, input) => ({
      status: c.oneOf(
        'status',
        input.status,
        ['accepted', 'declined', 'closed'] as const,
        'Choose accepted, declined or closed.',
      ),
      outcome: c.text('outcome', input.outcome, 'the outcome'),
    }),
    write: (p) => ({ set: { status: p.status!, outcome: p.outcome }, details: { status: p.status } }),
  },
});

export const CONTRACT = kind({
  name: 'contract',
  table: 'case_contracts',
  entityType: 'case_contract',
  permission: 'casework.manage',
  list: CASE_ITEM_LISTS.contracts,
  create: {
    action: 'casework.contract.create',
    input: z.object({
      ...PUPIL,
      parentName: text,
      agreedOn: text,
      parentCommitments: text,
      supportOffered: text,
      reviewOn: text,
      endsOn: text,
    }),
    failed: 'The contract could not be recorded.',
    check: (c, input) => {
      const parentName = c.text('parentName', input.parentName, 'the parent’s name', { max: 200 });
      const agreedOn = c.date('agreedOn', input.agreedOn, 'the date it was agreed');
      const parentCommitments = c.text('parentCommitments', input.parentCommitments, 'what the parents agree to do');
      const supportOffered = c.text('supportOffered', input.supportOffered, 'the support the school and others offer');
      const reviewOn = c.date('reviewOn', input.reviewOn, 'the review date');
      const endsOn = c.date('endsOn', input.endsOn, 'the end date');
      if (agreedOn && endsOn && endsOn <= agreedOn)
        c.add('endsOn', 'The end date must be after the date it was agreed.');
      if (agreedOn && reviewOn && reviewOn <= agreedOn)
        c.add('reviewOn', 'The review date must be after the date it was agreed.');
      return { parentName, agreedOn, parentCommitments, supportOffered, reviewOn, endsOn };
    },
    write: (p) => ({
      values: {
        parent_name: p.parentName!,
        agreed_on: p.agreedOn!,
        parent_commitments: p.parentCommitments!,
        support_offered: p.supportOffered!,
        review_on: p.reviewOn!,
        ends_on: p.endsOn!,
        status: 'active',
        outcome: null,
      },
      completes: {
        policyAction: 'contract',
        outcome: `Attendance contract agreed on ${p.agreedOn}`,
        completedOn: p.agreedOn!,
      },
    }),
  },
  update: {
    action: 'casework.contract.update',
    input: z.object({ ...PUPIL, contractId: text, status: text, outcome: text, reviewOn: optionalText }),
    idField: 'contractId',
    missing: 'No such contract for this pupil.',
    failed: 'The contract could not be updated.',
    check: (c, input) => {
      const status = c.oneOf(
        'status',
        input.status,
        ['active', 'completed', 'broken', 'ended'] as const,
        'Choose: still active (reviewed), completed, broken or ended.',
      );
      const outcome = c.text('outcome', input.outcome, 'what the review found');
      const reviewOn = c.date('reviewOn', input.reviewOn, 'the next review date', { required: status === 'active' });
      return { status, outcome, reviewOn };
    },
    write: (p, row) => ({
      set: { status: p.status!, outcome: p.outcome, review_on: p.reviewOn ?? row.review_on },
      details: { status: p.status },
    }),
  },
});

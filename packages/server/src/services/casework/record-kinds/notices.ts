/**
 * Notices to Improve (the monitoring period from the calendar) and penalty notices (the national
 * amounts, deadlines and the limit of 2 per parent per child in 3 years).
 */
import { z } from 'zod';
import { addDays, type PlainDate, type SchoolCalendar } from '@rollcall/domain';
import { penaltyNoticeParent, penaltyNoticesTo, pupilContacts } from '../../../db/casework/case-record.js';
import { validation } from '../casework.js';
import { nthSchoolDayFrom } from '../facts.js';
import { amountDueOn, nextPenaltyNotice, pounds } from '../ledger.js';
import { noticePeriodOf } from '../policy.js';
import { CASE_ITEM_LISTS, type NoticePeriod } from '../record.js';
import { lastSchoolDayOfWeek } from './plans.js';
import { kind, optionalText, PUPIL, text } from './kind.js';

/**
 * When a Notice to Improve's monitoring period ends: 15 school days counted from the first
 * school day after issue, or 6 school weeks (the week of the first school day after issue is
 * week 1; the period ends on the last school day of week 6). Falls back to calendar counting
 * (weekdays; 42 days) where the school's calendar does not reach that far.
 */
export function monitoringEnd(cal: SchoolCalendar, issuedOn: PlainDate, period: NoticePeriod): PlainDate {
  const from = addDays(issuedOn, 1);
  if (period === '15-school-days') {
    const d = nthSchoolDayFrom(cal, from, 15);
    if (d) return d;
    let day = issuedOn;
    for (let n = 0; n < 15;) {
      day = addDays(day, 1);
      const wd = new Date(`${day}T00:00:00Z`).getUTCDay();
      if (wd !== 0 && wd !== 6) n++;
    }
    return day;
  }
  const end = lastSchoolDayOfWeek(cal, from, 6);
  if (end) return end;
  return addDays(issuedOn, 42);
}

export const NOTICE_TO_IMPROVE = kind({
  name: 'nti',
  table: 'notices_to_improve',
  entityType: 'notice_to_improve',
  permission: 'casework.manage',
  list: CASE_ITEM_LISTS.notices,
  create: {
    action: 'casework.nti.issue',
    input: z.object({ ...PUPIL, parentName: text, issuedOn: text, period: optionalText, expectations: text }),
    failed: 'The Notice to Improve could not be recorded.',
    check: (c, input, ctx) => {
      const parentName = c.text('parentName', input.parentName, 'the parent’s name', { max: 200 });
      const issuedOn = c.date('issuedOn', input.issuedOn, 'the date of issue');
      const period = (input.period ?? '').trim()
        ? c.oneOf(
            'period',
            input.period,
            ['15-school-days', '6-weeks'] as const,
            'Choose 15 school days or 6 school weeks.',
          )
        : noticePeriodOf(ctx.school);
      const expectations = c.text(
        'expectations',
        input.expectations,
        'what must improve (the expectations during monitoring)',
      );
      return { parentName, issuedOn, period, expectations };
    },
    write: async (p, ctx) => {
      const ends = monitoringEnd(await ctx.calendar(), p.issuedOn!, p.period!);
      return {
        values: {
          parent_name: p.parentName!,
          issued_on: p.issuedOn!,
          period: p.period!,
          monitoring_ends_on: ends,
          expectations: p.expectations!,
          status: 'monitoring',
          outcome: null,
          outcome_on: null,
        },
        details: { issuedOn: p.issuedOn, period: p.period, ends },
        completes: {
          policyAction: 'notice-to-improve',
          outcome: `Notice to Improve issued on ${p.issuedOn}; monitoring to ${ends}`,
          completedOn: p.issuedOn!,
        },
      };
    },
  },
  update: {
    action: 'casework.nti.outcome',
    input: z.object({ ...PUPIL, noticeId: text, status: text, outcome: text }),
    idField: 'noticeId',
    missing: 'No such Notice to Improve for this pupil.',
    decided: (n) => (n.status !== 'monitoring' ? 'This notice already has its outcome.' : null),
    failed: 'The outcome could not be recorded.',
    check: (c, input, row, ctx) => {
      const status = c.oneOf(
        'status',
        input.status,
        ['improved', 'not_improved', 'withdrawn'] as const,
        'Choose improved, not improved, or withdrawn.',
      );
      const outcome = c.text('outcome', input.outcome, 'the outcome (attendance over the monitoring period)');
      const on = ctx.today();
      if (status && status !== 'withdrawn' && on <= row.monitoring_ends_on) {
        c.add(
          'status',
          `The monitoring period runs to ${row.monitoring_ends_on}: record whether attendance improved after it ends (or withdraw the notice).`,
        );
      }
      return { status, outcome, on };
    },
    write: (p) => ({
      set: { status: p.status!, outcome: p.outcome, outcome_on: p.on },
      details: { status: p.status },
    }),
  },
});

/**
 * A penalty notice in the ledger, with the national amounts and deadlines. A third notice to the
 * same parent for the same child within 3 years is refused with the reason and the other routes.
 */
export const PENALTY_NOTICE = kind({
  name: 'penaltyNotice',
  table: 'penalty_notices',
  entityType: 'penalty_notice',
  permission: 'casework.manage',
  list: CASE_ITEM_LISTS.penaltyNotices,
  create: {
    action: 'casework.penaltyNotice.record',
    input: z.object({
      ...PUPIL,
      parentKey: optionalText,
      parentName: optionalText,
      issuedOn: text,
      reason: text,
    }),
    failed: 'The penalty notice could not be recorded.',
    check: async (c, input, ctx) => {
      const contacts = await pupilContacts(ctx.deps.db, ctx.pupilId);
      const chosen = (input.parentKey ?? '').trim();
      const contact = contacts.find((x) => x.id === chosen);
      let parentKey: string | null = null;
      let parentName: string | null = null;
      if (contact) {
        parentKey = contact.id;
        parentName = contact.name;
      } else if (chosen && chosen !== 'other') {
        const previous = await penaltyNoticeParent(ctx.deps.db, ctx.pupilId, chosen);
        if (previous) {
          parentKey = previous.parent_key;
          parentName = previous.parent_name;
        } else c.add('parentKey', 'Choose the parent the notice is issued to.');
      } else {
        parentName = c.text('parentName', input.parentName, 'the parent’s name (the notice is per parent)', {
          max: 200,
        });
        if (parentName) parentKey = `name:${parentName.toLowerCase().replace(/\s+/g, ' ')}`;
      }
      const issuedOn = c.date('issuedOn', input.issuedOn, 'the date of issue');
      const reason = c.text('reason', input.reason, 'the reason (the absence the notice is for)');
      return { parentKey, parentName, issuedOn, reason };
    },
    write: async (p, ctx) => {
      const previous = await penaltyNoticesTo(ctx.deps.db, ctx.pupilId, p.parentKey!);
      const next = nextPenaltyNotice(
        previous.map((x) => ({ issuedOn: x.issued_on as PlainDate, status: x.status })),
        p.issuedOn!,
      );
      if (!next.ok) throw validation(next.reason, [{ field: 'issuedOn', message: next.reason }]);
      return {
        values: {
          parent_key: p.parentKey!,
          parent_name: p.parentName!,
          issued_on: p.issuedOn!,
          sequence: next.sequence,
          reduced_amount_pence: next.reducedAmountPence,
          reduced_by: next.reducedBy,
          amount_pence: next.amountPence,
          pay_by: next.payBy,
          reason: p.reason!,
          status: 'issued',
          paid_on: null,
          paid_pence: null,
        },
        details: { sequence: next.sequence, amount: pounds(next.amountPence) },
      };
    },
  },
  /** Records a payment (the amount follows from the date), a withdrawal, or non-payment. */
  update: {
    action: 'casework.penaltyNotice.outcome',
    input: z.object({ ...PUPIL, noticeId: text, status: text, paidOn: optionalText }),
    idField: 'noticeId',
    missing: 'No such penalty notice for this pupil.',
    decided: (n) => (n.status !== 'issued' ? 'This penalty notice already has its outcome.' : null),
    failed: 'The outcome could not be recorded.',
    check: (c, input, row) => {
      const status = c.oneOf(
        'status',
        input.status,
        ['paid', 'withdrawn', 'unpaid'] as const,
        'Choose paid, withdrawn or unpaid.',
      );
      const paidOn = c.date('paidOn', input.paidOn, 'the date it was paid', { required: status === 'paid' });
      if (paidOn && paidOn < row.issued_on) c.add('paidOn', 'The payment date cannot be before the notice was issued.');
      if (paidOn && paidOn > row.pay_by)
        c.add('paidOn', `The notice had to be paid by ${row.pay_by}: after that it is unpaid (the LA may prosecute).`);
      return { status, paidOn };
    },
    write: (p, row) => {
      const paidPence =
        p.status === 'paid' && p.paidOn
          ? amountDueOn(
              {
                reducedAmountPence: row.reduced_amount_pence,
                reducedBy: row.reduced_by as PlainDate | null,
                amountPence: row.amount_pence,
              },
              p.paidOn,
            )
          : null;
      return {
        set: { status: p.status!, paid_on: p.paidOn, paid_pence: paidPence },
        details: { status: p.status, paidPence },
      };
    },
  },
});

/** Every kind of record on a case, in the order the case page shows them. */

/**
 * The penalty-notice ledger rules of the national framework, per parent per child.
 *
 * - A first notice: £80 if paid within 21 days, £160 if paid within 28 days.
 * - A second notice to the same parent for the same child within 3 years of the first: £160,
 *   paid within 28 days.
 * - At most 2 notices per parent per child in a rolling 3 years: a third is refused, and the
 *   other routes are named (prosecution, an education supervision order, an attendance contract).
 *
 * Withdrawn notices do not count. "Within 3 years" reads as: issued on or after the same
 * calendar date three years earlier (a notice of 2023-10-01 counts on 2026-10-01 and not on
 * 2026-10-02).
 *
 * @see ../../../../../shared/reference/attendance-rules.md §4 (checked 2026-11-26)
 */
import { addDays, type PlainDate } from '@rollcall/domain';

export const FIRST_NOTICE_REDUCED_PENCE = 8000;
export const FIRST_NOTICE_REDUCED_DAYS = 21;
export const NOTICE_FULL_PENCE = 16000;
export const NOTICE_PAY_DAYS = 28;
export const MAX_NOTICES_IN_ROLLING_YEARS = 2;
export const ROLLING_YEARS = 3;
export const OTHER_ROUTES =
  'prosecution in the magistrates’ court (section 444, Education Act 1996), an education supervision order, or an attendance contract';

export interface LedgerEntry {
  readonly issuedOn: PlainDate;
  readonly status: string;
}

export type LedgerDecision =
  | {
      readonly ok: true;
      readonly sequence: 1 | 2;
      readonly reducedAmountPence: number | null;
      readonly reducedBy: PlainDate | null;
      readonly amountPence: number;
      readonly payBy: PlainDate;
      /** The notices counted in the rolling window. */
      readonly counted: number;
    }
  | { readonly ok: false; readonly reason: string; readonly counted: number };

/** The same calendar date `years` earlier (29 February falls back to 28 February). */
export function yearsBefore(date: PlainDate, years: number): PlainDate {
  const y = Number(date.slice(0, 4)) - years;
  let md = date.slice(5);
  if (md === '02-29') md = '02-28';
  return `${String(y).padStart(4, '0')}-${md}` as PlainDate;
}

/** What a new notice to this parent for this child, issued on `issuedOn`, would be, or why not. */
export function nextPenaltyNotice(previous: readonly LedgerEntry[], issuedOn: PlainDate): LedgerDecision {
  const since = yearsBefore(issuedOn, ROLLING_YEARS);
  const counted = previous.filter((p) => p.status !== 'withdrawn' && p.issuedOn >= since && p.issuedOn <= issuedOn);
  if (counted.length >= MAX_NOTICES_IN_ROLLING_YEARS) {
    const dates = counted.map((c) => c.issuedOn).join(' and ');
    return {
      ok: false,
      counted: counted.length,
      reason:
        `This parent has already had ${counted.length} penalty notices for this child in the last ${ROLLING_YEARS} years ` +
        `(issued ${dates}); the national framework allows at most ${MAX_NOTICES_IN_ROLLING_YEARS}. ` +
        `Consider another route: ${OTHER_ROUTES}.`,
    };
  }
  if (counted.length === 0) {
    return {
      ok: true,
      sequence: 1,
      reducedAmountPence: FIRST_NOTICE_REDUCED_PENCE,
      reducedBy: addDays(issuedOn, FIRST_NOTICE_REDUCED_DAYS),
      amountPence: NOTICE_FULL_PENCE,
      payBy: addDays(issuedOn, NOTICE_PAY_DAYS),
      counted: 0,
    };
  }
  return {
    ok: true,
    sequence: 2,
    reducedAmountPence: null,
    reducedBy: null,
    amountPence: NOTICE_FULL_PENCE,
    payBy: addDays(issuedOn, NOTICE_PAY_DAYS),
    counted: counted.length,
  };
}

/** The amount due if paid on `paidOn`: the reduced amount within 21 days of a first notice, else the full. */
export function amountDueOn(
  notice: { reducedAmountPence: number | null; reducedBy: PlainDate | null; amountPence: number },
  paidOn: PlainDate,
): number {
  return notice.reducedAmountPence !== null && notice.reducedBy !== null && paidOn <= notice.reducedBy
    ? notice.reducedAmountPence
    : notice.amountPence;
}

export function pounds(pence: number): string {
  return `£${(pence / 100).toFixed(pence % 100 === 0 ? 0 : 2)}`;
}

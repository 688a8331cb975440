/** Policy action strings (`letter:<key>`, `meeting:<kind>`, …) in words, with where to do them. */
import { AGENCY_LABELS, PLAN_KIND_LABELS, type Agency, type PlanKind } from './record.js';

function words(kind: string): string {
  return kind.replace(/-/g, ' ');
}

/** The action in words, e.g. 'meeting:attendance-support' → 'Hold a meeting: attendance support'. */
export function actionLabel(action: string): string {
  const [head, ...rest] = action.split(':');
  const arg = rest.join(':');
  switch (head) {
    case 'letter':
      return `Send the letter “${arg}”`;
    case 'meeting':
      return `Hold a meeting: ${words(arg)}`;
    case 'plan':
      return `Agree a plan: ${PLAN_KIND_LABELS[arg as PlanKind] ?? words(arg)}`;
    case 'home-visit':
      return 'Make a home visit';
    case 'referral':
      return `Refer to ${AGENCY_LABELS[arg as Agency] ?? words(arg)}`;
    case 'contract':
      return 'Offer an attendance contract';
    case 'notice-to-improve':
      return 'Issue a Notice to Improve';
    case 'penalty-notice-request':
      return 'Consider a penalty notice request to the local authority (support first)';
    case 'review':
      return 'Review the case';
    default:
      return action;
  }
}

/** Where the action is done, e.g. the letter compose page or the case page's section. */
export function actionHref(pupilId: string, action: string, opts: { canSendLetters?: boolean } = {}): string {
  const id = encodeURIComponent(pupilId);
  const [head, ...rest] = action.split(':');
  const arg = rest.join(':');
  switch (head) {
    case 'letter':
      // Only those who may send letters go to the compose page (a SENCO may see casework, not send).
      if (opts.canSendLetters === false) return `/pupils/${id}/case#actions`;
      return `/pupils/${id}/letters/new?template=${encodeURIComponent(arg)}`;
    case 'meeting':
      return `/pupils/${id}/case#meetings`;
    case 'plan':
      return `/pupils/${id}/case#plans`;
    case 'home-visit':
      return `/pupils/${id}/home-visits`;
    case 'referral':
      return `/pupils/${id}/case#referrals`;
    case 'contract':
      return `/pupils/${id}/case#contracts`;
    case 'notice-to-improve':
    case 'penalty-notice-request':
      return `/pupils/${id}/case#notices`;
    default:
      return `/pupils/${id}/case`;
  }
}

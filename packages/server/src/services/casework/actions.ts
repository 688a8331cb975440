/** Policy action strings (`letter:<key>`, `meeting:<kind>`, …) in words, with where to do them. */
import { AGENCY_LABELS, PLAN_KIND_LABELS, type Agency, type PlanKind } from './record.js';

function words(kind: string): string {
  return kind.replace(/-/g, ' ');
}

/** The school's letter templates by key, each title in words (`libraryOf` → `letterTitles`). */
export type LetterTitles = ReadonlyMap<string, string>;

/**
 * The action in words, e.g. 'meeting:attendance-support' → 'Hold a meeting: attendance support',
 * 'letter:stage-1a' → 'Send the letter “The pupil’s attendance: a first concern”' (the template's
 * title, never its key; a key the school has no template for reads 'Send the stage 1a letter').
 */
export function actionLabel(action: string, letters?: LetterTitles): string {
  const [head, ...rest] = action.split(':');
  const arg = rest.join(':');
  switch (head) {
    case 'letter': {
      const title = letters?.get(arg);
      return title ? `Send the letter “${title}”` : `Send the ${words(arg)} letter`;
    }
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

/**
 * A stored action's description as people read it: descriptions written by Rollcall before letter
 * titles were used ('Send the letter “stage-1a”') read as the action in words today; a person's own
 * description stays as written.
 */
export function actionDescription(description: string, policyAction: string | null, letters?: LetterTitles): string {
  if (!policyAction) return description;
  const legacy = policyAction.startsWith('letter:')
    ? `Send the letter “${policyAction.slice('letter:'.length)}”`
    : null;
  if (description === legacy || description === actionLabel(policyAction)) return actionLabel(policyAction, letters);
  return description;
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

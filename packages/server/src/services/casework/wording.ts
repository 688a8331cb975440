/**
 * The words of a suggestion when the school's policy reads adjusted attendance (docs/policy.md,
 * "Adjusted attendance"): the evaluator is given the adjusted rate as the year-to-date rate and
 * words it "attendance 94.4% is below 95%"; the stored suggestion says "adjusted attendance"
 * instead, and adds both rates with the integration period left out. Pure.
 */
import { formatRate, type AdjustedAttendance, type Suggestion, type TriggerResult } from '@rollcall/domain';

/** Conditions that read the year-to-date rate (an `allOf` may hold one of them). */
const YEAR_TO_DATE_RATE_KINDS: ReadonlySet<string> = new Set([
  'rateBelow',
  'rateAtLeast',
  'noImprovementSinceReview',
  'improvedSinceReview',
  'allOf',
]);

/**
 * In a check's words, the year-to-date rate ("attendance 94.4% is…"); not the rate over the
 * last N school weeks ("attendance over the last 4 school weeks 80.0%…"), which is not adjusted.
 */
const RATE_WORDS = /(^|[^\w])attendance (?=\d)/g;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The suggestion with its year-to-date rate named "adjusted attendance" (in the explanation and
 * in each condition checked), and a sentence giving the actual and adjusted rates and the
 * integration period left out. The explanation is unchanged when it does not name the
 * year-to-date rate (e.g. a proposal on unauthorised sessions only).
 *
 * @example
 * nameAdjustedRate(enterStage1, figures).explanation
 * // 'Enter Stage 1. Stage 1: adjusted attendance 94.4% is below 95% (policy …, as of 2025-09-12).
 * //  Rates are adjusted attendance, as the policy says: actual attendance 85.0% (17 of 20 sessions); …'
 */
export function nameAdjustedRate(suggestion: Suggestion, figures: AdjustedAttendance): Suggestion {
  const renamed = new Map<string, string>();
  const because = suggestion.because.map((c): TriggerResult => {
    if (!YEAR_TO_DATE_RATE_KINDS.has(c.condition.kind)) return c;
    const words = c.explanation.replace(RATE_WORDS, '$1adjusted attendance ');
    if (words === c.explanation) return c;
    renamed.set(c.explanation, words);
    return { ...c, explanation: words };
  });
  // A review's "attendance now 94.4%" is the year-to-date rate too.
  const now = `attendance now ${formatRate(figures.adjusted.rate)}`;
  if (suggestion.explanation.includes(now)) renamed.set(now, `adjusted ${now}`);
  if (renamed.size === 0) return suggestion;
  // One pass, longest first, so words inside longer words (an allOf's) are renamed once.
  const originals = [...renamed.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(originals.map(escape).join('|'), 'g');
  const explanation = suggestion.explanation.replace(pattern, (found) => renamed.get(found) ?? found);
  if (explanation === suggestion.explanation) return { ...suggestion, because };
  return {
    ...suggestion,
    explanation: `${explanation} Rates are adjusted attendance, as the policy says: ${figures.explanation}.`,
    because,
  };
}

/**
 * What changes between two policy documents, field by field, in words: shown on the policy page
 * before a preset is saved, printed by `rollcall policy set`, and kept in the audit entry. Pure.
 */
import { formatThreshold, type LetterBand } from '@rollcall/domain';
import { caseworkPolicyOf, caseworkSettingsOf, policyLetters, type SchoolPolicy } from './school-policy.js';

const pct = (rate: number): string => formatThreshold(rate);

function days(n: number): string {
  return `${n} day${n === 1 ? '' : 's'}`;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}

function orNotSet<T>(v: T | null | undefined, show: (v: T) => string, none = 'not set'): string {
  return v === null || v === undefined ? none : show(v);
}

function letterBands(bands: readonly LetterBand[] | undefined): string {
  if (!bands) return 'Rollcall’s default bands';
  return bands.map((b) => `${b.label} from ${pct(b.from)}`).join(', ');
}

/**
 * Every setting that differs between `before` and `after`, as "Name: old → new" sentences, in
 * the order of the policy page. Empty when nothing the school runs on changes.
 *
 * @example policyChanges(current, withAllSaints) // ['Morning register: 08:50–09:20 → 08:55–09:25', …]
 */
export function policyChanges(before: SchoolPolicy, after: SchoolPolicy): string[] {
  const out: string[] = [];
  const change = (name: string, a: string, b: string): void => {
    if (a !== b) out.push(`${name}: ${a} → ${b}`);
  };
  for (const [session, name] of [
    ['AM', 'Morning register'],
    ['PM', 'Afternoon register'],
  ] as const) {
    const w = (p: SchoolPolicy) => `opens ${p.registerTimes[session].opens}, closes ${p.registerTimes[session].closes}`;
    change(name, w(before), w(after));
  }
  const minimum = (n: number) => (n === 0 ? 'none' : `${n} possible sessions`);
  change('Minimum sessions before PA/SA', minimum(before.minPossibleSessions), minimum(after.minPossibleSessions));
  const nToO = (n: number | null) => (n === null ? 'never' : `after ${n} school days`);
  change('Unresolved N becomes O', nToO(before.convertNToOAfterSchoolDays), nToO(after.convertNToOAfterSchoolDays));

  const f0 = before.followUp;
  const f1 = after.followUp;
  change(
    'First-day calls by',
    orNotSet(f0.firstCallBy, (t) => t),
    orNotSet(f1.firstCallBy, (t) => t),
  );
  change('First home visit', `school day ${f0.homeVisitFirstDay}`, `school day ${f1.homeVisitFirstDay}`);
  change('Home visits then every', days(f0.homeVisitEveryDays), days(f1.homeVisitEveryDays));
  change(
    'Home visit for a vulnerable pupil',
    `school day ${f0.vulnerableHomeVisitDay}`,
    `school day ${f1.vulnerableHomeVisitDay}`,
  );
  change('Children missing education enquiries', `from day ${f0.cmeEnquiriesDay}`, `from day ${f1.cmeEnquiriesDay}`);
  change('Children missing education referral', `day ${f0.cmeReferralDay}`, `day ${f1.cmeReferralDay}`);

  const l0 = before.leave;
  const l1 = after.leave;
  for (const [kind, name] of [
    ['exceptional', 'Notice for leave in exceptional circumstances'],
    ['religious', 'Notice for religious observance'],
    ['traveller', 'Notice for travelling for work'],
    ['performance', 'Notice for a licensed performance'],
  ] as const) {
    change(name, days(l0.noticeDays[kind]), days(l1.noticeDays[kind]));
  }
  change(
    'Leave refused with any unauthorised absence',
    yesNo(l0.refuseWithAnyUnauthorisedAbsence),
    yesNo(l1.refuseWithAnyUnauthorisedAbsence),
  );
  const limit = (r: number | null) => (r === null ? 'not a ground' : `above ${pct(r)}`);
  change(
    'Leave refused when authorised absence is',
    limit(l0.authorisedAbsenceLimit),
    limit(l1.authorisedAbsenceLimit),
  );
  change(
    'Performance absence not authorised below',
    pct(l0.performanceAttendanceLimit),
    pct(l1.performanceAttendanceLimit),
  );
  change(
    'Forwarding address needed from',
    `${l0.forwardingAddressSchoolDays} school days`,
    `${l1.forwardingAddressSchoolDays} school days`,
  );
  const periods = (l: SchoolPolicy['leave']) =>
    l.assessmentPeriods.length === 0
      ? 'none'
      : l.assessmentPeriods.map((p) => `${p.name} (${p.from} to ${p.to})`).join('; ');
  change('Statutory assessment periods (leave refused)', periods(l0), periods(l1));
  const passes = (l: SchoolPolicy['leave']) => {
    const p = l.lunchtimePasses;
    if (!p.offered) return 'not offered';
    const terms = [
      p.decisionWithinDays !== null && `answered within ${days(p.decisionWithinDays)}`,
      p.leaveWithinMinutes !== null && `leave within ${p.leaveWithinMinutes} minutes of the start of lunch`,
      p.returnMinutesBeforeEnd !== null && `back ${p.returnMinutesBeforeEnd} minutes before it ends`,
      p.renewTermly && 'renewed each term',
    ].filter((t): t is string => typeof t === 'string');
    return terms.length === 0 ? 'offered' : `offered (${terms.join(', ')})`;
  };
  change('Lunchtime passes', passes(l0), passes(l1));
  change(
    'Half-termly letter bands',
    letterBands(before.halfTermlyLetter?.bands),
    letterBands(after.halfTermlyLetter?.bands),
  );

  const c0 = caseworkPolicyOf(before);
  const c1 = caseworkPolicyOf(after);
  change('Attendance target', orNotSet(c0.target, pct), orNotSet(c1.target, pct));
  const bands = (p: typeof c0) =>
    [...p.bands]
      .sort((a, b) => b.minRate - a.minRate)
      .map((b) => `${b.name} from ${pct(b.minRate)}`)
      .join(', ');
  change('Bands', bands(c0), bands(c1));
  const adjusted = (p: typeof c0) =>
    p.adjustedAttendance
      ? `integration period of ${p.adjustedAttendance.integrationSchoolWeeks} school weeks`
      : 'not used';
  change('Adjusted attendance', adjusted(c0), adjusted(c1));
  const casework = (p: typeof c0) => `${p.name} (${p.stages.length} stage${p.stages.length === 1 ? '' : 's'})`;
  if (c0.id !== c1.id || c0.name !== c1.name) change('Staged casework', casework(c0), casework(c1));
  else if (!same(c0.stages, c1.stages)) out.push(`Staged casework: the stages of ${casework(c1)} change`);
  const s0 = caseworkSettingsOf(before);
  const s1 = caseworkSettingsOf(after);
  change('Shortest plan', `${s0.minPlanSchoolWeeks} school weeks`, `${s1.minPlanSchoolWeeks} school weeks`);
  const nti = (p: string) => (p === '6-weeks' ? '6 school weeks' : '15 school days');
  change('Notice to Improve monitoring', nti(s0.noticeToImprovePeriod), nti(s1.noticeToImprovePeriod));
  const cap = (n: number | null) => (n === null ? 'no cap' : `at most ${n} per evaluation`);
  change('New entries into staged casework', cap(s0.maxNewEntriesPerRun), cap(s1.maxNewEntriesPerRun));
  const letters = (p: SchoolPolicy) =>
    policyLetters(p)
      .map((l) => l.key)
      .join(', ') || 'none';
  change('Letter templates', letters(before), letters(after));
  return out;
}

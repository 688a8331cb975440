/**
 * The policy as a form: the common settings (register times, the PA minimum and N-to-O conversion,
 * the follow-up ladder, the target and bands, the leave rules) as form fields, and back into the same document the YAML editor
 * writes. Field names are the document's paths (`registerTimes.AM.closes`,
 * `leave.noticeDays.religious`, `bands.2.minRate`), so every problem the document's checks find
 * lands beside its field. Rates are asked for as percentages and written as fractions. Pure.
 */
import { caseworkPolicyOf, checkSchoolPolicy, type SchoolPolicy } from './school-policy.js';
import type { FieldError } from '../errors.js';

/** Band rows and assessment-period rows the form offers (empty rows are left out). */
export const FORM_BAND_ROWS = 6;
export const FORM_PERIOD_ROWS = 4;

/** The form's values, by field name (the document path), as typed. */
export type PolicyForm = Readonly<Record<string, string>>;

const pctText = (rate: number | null | undefined): string =>
  rate === null || rate === undefined ? '' : String(Math.round(rate * 10000) / 100);
const num = (n: number | null | undefined): string => (n === null || n === undefined ? '' : String(n));
const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

/** The current settings as form values. */
export function policyFormValues(policy: SchoolPolicy): PolicyForm {
  const v: Record<string, string> = {};
  for (const s of ['AM', 'PM'] as const) {
    v[`registerTimes.${s}.opens`] = policy.registerTimes[s].opens;
    v[`registerTimes.${s}.closes`] = policy.registerTimes[s].closes;
  }
  v.minPossibleSessions = num(policy.minPossibleSessions);
  v.convertNToOAfterSchoolDays = num(policy.convertNToOAfterSchoolDays);
  const f = policy.followUp;
  v['followUp.firstCallBy'] = f.firstCallBy ?? '';
  for (const k of [
    'homeVisitFirstDay',
    'homeVisitEveryDays',
    'vulnerableHomeVisitDay',
    'cmeEnquiriesDay',
    'cmeReferralDay',
  ] as const)
    v[`followUp.${k}`] = num(f[k]);
  const cw = caseworkPolicyOf(policy);
  v.target = pctText(cw.target);
  [...cw.bands]
    .sort((a, b) => b.minRate - a.minRate)
    .forEach((b, i) => {
      v[`bands.${i}.name`] = b.name;
      v[`bands.${i}.minRate`] = pctText(b.minRate);
      v[`bands.${i}.colour`] = b.colour;
      v[`bands.${i}.description`] = b.description ?? '';
    });
  const l = policy.leave;
  for (const k of ['exceptional', 'religious', 'traveller', 'performance'] as const)
    v[`leave.noticeDays.${k}`] = num(l.noticeDays[k]);
  v['leave.refuseWithAnyUnauthorisedAbsence'] = yesNo(l.refuseWithAnyUnauthorisedAbsence);
  v['leave.authorisedAbsenceLimit'] = pctText(l.authorisedAbsenceLimit);
  v['leave.performanceAttendanceLimit'] = pctText(l.performanceAttendanceLimit);
  v['leave.forwardingAddressSchoolDays'] = num(l.forwardingAddressSchoolDays);
  l.assessmentPeriods.forEach((p, i) => {
    v[`leave.assessmentPeriods.${i}.name`] = p.name;
    v[`leave.assessmentPeriods.${i}.from`] = p.from;
    v[`leave.assessmentPeriods.${i}.to`] = p.to;
  });
  const lp = l.lunchtimePasses;
  v['leave.lunchtimePasses.offered'] = yesNo(lp.offered);
  v['leave.lunchtimePasses.decisionWithinDays'] = num(lp.decisionWithinDays);
  v['leave.lunchtimePasses.leaveWithinMinutes'] = num(lp.leaveWithinMinutes);
  v['leave.lunchtimePasses.returnMinutesBeforeEnd'] = num(lp.returnMinutesBeforeEnd);
  v['leave.lunchtimePasses.renewTermly'] = yesNo(lp.renewTermly);
  return v;
}

/**
 * Builds the document from the stored one and the form: the form's settings replace the stored
 * ones, everything else (casework, preset, letters, other fields) is kept as written. The target
 * and bands are written only when they differ from what the policy already has (so a document
 * that takes them from its preset keeps doing so). Problems the form itself can see (a
 * percentage that is not a number, a row half filled) come back by field; the document's own
 * checks run after, and their paths are the same field names.
 */
export function documentFromForm(
  current: SchoolPolicy,
  stored: Readonly<Record<string, unknown>>,
  form: PolicyForm,
): { ok: true; raw: Record<string, unknown>; policy: SchoolPolicy } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const text = (field: string): string => (form[field] ?? '').trim();
  const int = (field: string, optional = false): number | null => {
    const t = text(field);
    if (t === '') {
      if (!optional) errors.push({ field, message: 'Enter a whole number.' });
      return null;
    }
    if (!/^\d+$/.test(t)) {
      errors.push({ field, message: `Enter a whole number, not “${t}”.` });
      return null;
    }
    return Number(t);
  };
  const percent = (field: string, optional = false): number | null => {
    const t = text(field).replace(/%$/, '').trim();
    if (t === '') {
      if (!optional) errors.push({ field, message: 'Enter a percentage, for example 96.' });
      return null;
    }
    const n = Number(t);
    if (!/^\d+(\.\d+)?$/.test(t) || n > 100) {
      errors.push({ field, message: `Enter a percentage from 0 to 100, for example 96 (not “${t}”).` });
      return null;
    }
    return Math.round(n * 100) / 10000;
  };
  const yes = (field: string): boolean => text(field) === 'yes';

  const registerTimes = {
    AM: { opens: text('registerTimes.AM.opens'), closes: text('registerTimes.AM.closes') },
    PM: { opens: text('registerTimes.PM.opens'), closes: text('registerTimes.PM.closes') },
  };
  const minPossibleSessions = int('minPossibleSessions');
  const convertNToOAfterSchoolDays = int('convertNToOAfterSchoolDays', true);
  const firstCallBy = text('followUp.firstCallBy');
  const followUp = {
    homeVisitFirstDay: int('followUp.homeVisitFirstDay'),
    homeVisitEveryDays: int('followUp.homeVisitEveryDays'),
    vulnerableHomeVisitDay: int('followUp.vulnerableHomeVisitDay'),
    cmeEnquiriesDay: int('followUp.cmeEnquiriesDay'),
    cmeReferralDay: int('followUp.cmeReferralDay'),
    ...(firstCallBy !== '' && { firstCallBy }),
  };
  const target = percent('target', true);
  const bands: { name: string; minRate: number | null; colour: string; description?: string }[] = [];
  for (let i = 0; i < FORM_BAND_ROWS; i++) {
    const name = text(`bands.${i}.name`);
    const from = text(`bands.${i}.minRate`);
    const description = text(`bands.${i}.description`);
    if (name === '' && from === '' && description === '') continue;
    if (name === '') errors.push({ field: `bands.${i}.name`, message: 'Give the band a name, or clear its row.' });
    bands.push({
      name,
      minRate: percent(`bands.${i}.minRate`),
      colour: text(`bands.${i}.colour`) || 'grey',
      ...(description !== '' && { description }),
    });
  }
  if (bands.length === 0) errors.push({ field: 'bands.0.name', message: 'Give at least one band.' });
  const periods: { name: string; from: string; to: string }[] = [];
  for (let i = 0; i < FORM_PERIOD_ROWS; i++) {
    const row = ['name', 'from', 'to'].map((k) => text(`leave.assessmentPeriods.${i}.${k}`));
    if (row.every((t) => t === '')) continue;
    row.forEach((t, k) => {
      if (t === '')
        errors.push({
          field: `leave.assessmentPeriods.${i}.${['name', 'from', 'to'][k]!}`,
          message: 'Fill in the name, first and last day, or clear the row.',
        });
    });
    periods.push({ name: row[0]!, from: row[1]!, to: row[2]! });
  }
  const leave = {
    noticeDays: {
      exceptional: int('leave.noticeDays.exceptional'),
      religious: int('leave.noticeDays.religious'),
      traveller: int('leave.noticeDays.traveller'),
      performance: int('leave.noticeDays.performance'),
    },
    refuseWithAnyUnauthorisedAbsence: yes('leave.refuseWithAnyUnauthorisedAbsence'),
    authorisedAbsenceLimit: percent('leave.authorisedAbsenceLimit', true),
    performanceAttendanceLimit: percent('leave.performanceAttendanceLimit'),
    forwardingAddressSchoolDays: int('leave.forwardingAddressSchoolDays'),
    assessmentPeriods: periods,
    lunchtimePasses: {
      offered: yes('leave.lunchtimePasses.offered'),
      decisionWithinDays: int('leave.lunchtimePasses.decisionWithinDays', true),
      leaveWithinMinutes: int('leave.lunchtimePasses.leaveWithinMinutes', true),
      returnMinutesBeforeEnd: int('leave.lunchtimePasses.returnMinutesBeforeEnd', true),
      renewTermly: yes('leave.lunchtimePasses.renewTermly'),
    },
  };
  if (errors.length > 0) return { ok: false, errors };

  const raw: Record<string, unknown> = {
    ...stored,
    registerTimes,
    minPossibleSessions,
    convertNToOAfterSchoolDays,
    followUp,
    leave,
  };
  const cw = caseworkPolicyOf(current);
  const sameBands = JSON.stringify([...cw.bands].sort((a, b) => b.minRate - a.minRate)) === JSON.stringify(bands);
  if (!sameBands) raw.bands = bands;
  if (target === null) {
    if (cw.target !== undefined)
      errors.push({ field: 'target', message: 'Enter the school’s target, for example 96.' });
  } else if (target !== cw.target) raw.target = target;
  if (errors.length > 0) return { ok: false, errors };
  const checked = checkSchoolPolicy(raw);
  if (!checked.ok)
    return {
      ok: false,
      errors: checked.errors.map((e) => {
        const at = e.indexOf(': ');
        return { field: e.slice(0, at), message: e.slice(at + 2) };
      }),
    };
  return { ok: true, raw, policy: checked.policy };
}

/**
 * A school's attendance policy as a validated document (YAML or JSON): what the register needs
 * (times, the follow-up ladder, N→O conversion), the attendance target and named bands,
 * adjusted attendance, the staged casework (`casework`, or a `preset` to start from) and letter
 * template overrides. Every problem comes back with the path of its field.
 */
import {
  checkLetterTemplate,
  checkRegisterTimes,
  DEFAULT_LEAVE_RULES,
  DEFAULT_REGISTER_TIMES,
  isPlainDate,
  isTimeOfDay,
  LETTER_PURPOSES,
  POLICY_PRESETS,
  policyPreset,
  presetSettings,
  TWIN_TRACK_EXAMPLE_POLICY,
  type AttendancePolicy,
  type FollowUpSettings,
  type LetterTemplate,
  type RegisterTimes,
} from '@rollcall/domain';
import YAML from 'yaml';
import { z } from 'zod';
import {
  caseworkPolicySchema,
  DEFAULT_MIN_PLAN_SCHOOL_WEEKS,
  DEFAULT_NOTICE_TO_IMPROVE_PERIOD,
  maxNewEntries,
  noticePeriod,
  planWeeks,
  type NoticeToImprovePeriod,
} from './casework-policy.js';
import { AppError, type FieldError } from '../errors.js';

/**
 * The first-day follow-up ladder, in school days of unexplained absence (the defaults are seed
 * 002's: home visit on day 3 and every 3 days after, at once if vulnerable; children-missing-
 * education enquiries from day 10 and a referral at day 20), and the time of the first-day call
 * (`firstCallBy`, optional: not set by default).
 *
 * @see ../../../../shared/seeds/002_aba111d41983db42.txt §5.4, §5.7
 */
export type FollowUpLadder = FollowUpSettings;

export const DEFAULT_FOLLOW_UP_LADDER: FollowUpLadder = Object.freeze({
  homeVisitFirstDay: 3,
  homeVisitEveryDays: 3,
  vulnerableHomeVisitDay: 1,
  cmeEnquiriesDay: 10,
  cmeReferralDay: 20,
});

const schoolDays = (max: number) => z.number().int().min(1).max(max);

const time = z.string().refine(isTimeOfDay, 'must be a time HH:MM (24-hour clock)');
const window = z.object({ opens: time, closes: time });

const rate = z
  .number()
  .min(0, 'must be a fraction from 0 to 1 (e.g. 0.96 for 96%)')
  .max(1, 'must be a fraction from 0 to 1 (e.g. 0.96 for 96%)');
const text = z.string().trim().min(1, 'must not be empty');
const band = z.object({ name: text, minRate: rate, colour: text, description: text.optional() });
const PURPOSES = Object.keys(LETTER_PURPOSES) as [keyof typeof LETTER_PURPOSES, ...(keyof typeof LETTER_PURPOSES)[]];
/** A policy's own letter; its purpose (a meeting invitation, a warning…) is what the evidence pack goes by. */
const letter = z.object({
  key: text,
  title: text,
  body: text,
  purpose: z.enum(PURPOSES, { message: `must be one of ${PURPOSES.join(', ')}` }).optional(),
});
const PRESET_IDS = POLICY_PRESETS.map((p) => p.id) as [string, ...string[]];

const calendarDays = (what: string) =>
  z
    .number()
    .int(`must be a whole number of calendar days (${what})`)
    .min(0, 'must be 0 or more calendar days')
    .max(365, 'must be at most 365 calendar days');
const minutes = z.number().int('must be a whole number of minutes').min(0).max(120).nullable();
const date = z.string().refine(isPlainDate, 'must be a date YYYY-MM-DD');
const D = DEFAULT_LEAVE_RULES;

/**
 * The leave rules (docs/leave.md). Every field has today's default, so a document without
 * `leave`, or with only some of its fields, keeps Rollcall's behaviour for the rest.
 */
const leaveSchema = z
  .object({
    /** Calendar days' notice by kind ("four weeks" is 28). */
    noticeDays: z
      .object({
        exceptional: calendarDays('28 is four weeks').default(D.noticeDays.exceptional),
        religious: calendarDays('7 is a week').default(D.noticeDays.religious),
        traveller: calendarDays('28 is four weeks').default(D.noticeDays.traveller),
        performance: calendarDays('28 is four weeks').default(D.noticeDays.performance),
      })
      .default(() => ({ ...D.noticeDays })),
    refuseWithAnyUnauthorisedAbsence: z
      .boolean({ message: 'must be true or false' })
      .default(D.refuseWithAnyUnauthorisedAbsence),
    /** Refused when authorised absence is already above this fraction; null: not a ground. */
    authorisedAbsenceLimit: rate.nullable().default(D.authorisedAbsenceLimit),
    performanceAttendanceLimit: rate.default(D.performanceAttendanceLimit),
    forwardingAddressSchoolDays: z
      .number()
      .int('must be a whole number of school days')
      .min(1, 'must be at least 1 school day')
      .max(200, 'must be at most 200 school days')
      .default(D.forwardingAddressSchoolDays),
    assessmentPeriods: z
      .array(z.object({ name: text, from: date, to: date }))
      .max(50, 'list at most 50 periods')
      .default([]),
    lunchtimePasses: z
      .object({
        offered: z.boolean({ message: 'must be true or false' }).default(D.lunchtimePasses.offered),
        decisionWithinDays: z.number().int().min(1).max(60).nullable().default(null),
        leaveWithinMinutes: minutes.default(null),
        returnMinutesBeforeEnd: minutes.default(null),
        renewTermly: z.boolean({ message: 'must be true or false' }).default(false),
      })
      .default(() => ({ ...D.lunchtimePasses })),
  })
  .superRefine((l, ctx) => {
    l.assessmentPeriods.forEach((p, i) => {
      if (isPlainDate(p.from) && isPlainDate(p.to) && p.to < p.from)
        ctx.addIssue({
          code: 'custom',
          path: ['assessmentPeriods', i, 'to'],
          message: `the period must end on or after it starts (${p.from})`,
        });
    });
  });

/** Today's leave rules as a fresh (mutable) value for a document that has no `leave`. */
function defaultLeave(): z.output<typeof leaveSchema> {
  return {
    ...D,
    noticeDays: { ...D.noticeDays },
    assessmentPeriods: [],
    lunchtimePasses: { ...D.lunchtimePasses },
  };
}

/** A band of the half-termly letter: `from` a fraction (0.96 = 96%), a label and a sentence for parents. */
const letterBand = z.object({ from: rate, label: text, advice: text });

export const schoolPolicySchema = z
  .object({
    version: z.literal(1).default(1),
    registerTimes: z.object({ AM: window, PM: window }).default(DEFAULT_REGISTER_TIMES),
    /** A policy minimum of possible sessions before PA/SA is reported (default none, as the DfE). */
    minPossibleSessions: z.number().int().min(0).default(0),
    /**
     * Unresolved `N` marks become `O` after this many school days (null: never, the default).
     * At least 5: the rules give the school 5 school days to establish the reason.
     */
    convertNToOAfterSchoolDays: z
      .number()
      .int('must be a whole number of school days')
      .min(5, 'must be at least 5 school days: the rules give the school 5 to establish the reason')
      .max(60, 'must be at most 60 school days')
      .nullable()
      .default(null),
    /** The first-day follow-up ladder (school days of unexplained absence). */
    followUp: z
      .object({
        homeVisitFirstDay: schoolDays(20),
        homeVisitEveryDays: schoolDays(20),
        vulnerableHomeVisitDay: schoolDays(5),
        cmeEnquiriesDay: schoolDays(60),
        cmeReferralDay: schoolDays(60),
        /** The office calls parents who have not reported an absence by this time (HH:MM). */
        firstCallBy: time.nullable().optional(),
      })
      .default(DEFAULT_FOLLOW_UP_LADDER),
    /** Leave of absence: notice by kind, grounds for refusal, assessment periods, lunchtime passes. */
    leave: leaveSchema.default(defaultLeave),
    /**
     * The half-termly attendance letter to every family: its bands, highest first (left out:
     * Rollcall's default bands, `DEFAULT_ATTENDANCE_BANDS` in summaries.ts).
     */
    halfTermlyLetter: z.object({ bands: z.array(letterBand).min(1, 'give at least one band') }).optional(),
    /** The school's attendance target, a fraction (0.96 = 96%); overrides the casework policy's. */
    target: rate.optional(),
    /** Named attendance bands with colours; override the casework policy's. */
    bands: z.array(band).min(1, 'give at least one band').optional(),
    /** Leave each pupil's first N school weeks on roll out of the adjusted rate the stages read. */
    adjustedAttendance: z
      .object({ integrationSchoolWeeks: z.number().int().min(0).max(26) })
      .nullable()
      .optional(),
    /** Shortest support or improvement plan in school weeks; overrides the casework policy's (default 6). */
    minPlanSchoolWeeks: planWeeks.optional(),
    /** A Notice to Improve's monitoring period; overrides the casework policy's (default '15-school-days'). */
    noticeToImprovePeriod: noticePeriod.optional(),
    /** New first-stage suggestions per evaluation at most; overrides the casework policy's (default: no cap). */
    maxNewEntriesPerRun: maxNewEntries.optional(),
    /** A preset to start from (its stages and letters), when `casework` is not written out. */
    preset: z
      .string()
      .refine((id) => PRESET_IDS.includes(id), `must be one of ${PRESET_IDS.join(', ')}`)
      .optional(),
    /** The staged casework policy, written out in full. */
    casework: caseworkPolicySchema.optional(),
    /** Letter templates replacing (by key) or adding to the preset's. */
    letters: z.array(letter).optional(),
  })
  .superRefine((p, ctx) => {
    p.letters?.forEach((l, i) => {
      for (const problem of checkLetterTemplate(l)) {
        const at = problem.indexOf(': ');
        ctx.addIssue({
          code: 'custom',
          path: ['letters', i, problem.slice(0, at)],
          message: problem.slice(at + 2),
        });
      }
      const first = p.letters!.findIndex((o) => o.key === l.key);
      if (first < i)
        ctx.addIssue({
          code: 'custom',
          path: ['letters', i, 'key'],
          message: `the key "${l.key}" is already used by letter ${first + 1}`,
        });
    });
    const labels = new Set<string>();
    p.halfTermlyLetter?.bands.forEach((b, i) => {
      if (labels.has(b.label))
        ctx.addIssue({
          code: 'custom',
          path: ['halfTermlyLetter', 'bands', i, 'label'],
          message: `the band "${b.label}" is listed twice`,
        });
      labels.add(b.label);
      const before = p.halfTermlyLetter!.bands[i - 1];
      if (before && before.from <= b.from)
        ctx.addIssue({
          code: 'custom',
          path: ['halfTermlyLetter', 'bands', i, 'from'],
          message: 'list the bands highest first: each must start below the one before it',
        });
    });
    const names = new Set<string>();
    p.bands?.forEach((b, i) => {
      if (names.has(b.name))
        ctx.addIssue({ code: 'custom', path: ['bands', i, 'name'], message: `the band "${b.name}" is listed twice` });
      names.add(b.name);
    });
    if (p.followUp.cmeReferralDay < p.followUp.cmeEnquiriesDay) {
      ctx.addIssue({
        code: 'custom',
        path: ['followUp', 'cmeReferralDay'],
        message: 'the CME referral comes after the enquiries begin: make it the same day or later',
      });
    }
    for (const problem of checkRegisterTimes(p.registerTimes)) {
      ctx.addIssue({ code: 'custom', path: ['registerTimes', problem.session], message: problem.message });
    }
  });

type Parsed = z.infer<typeof schoolPolicySchema>;

export type SchoolPolicy = Omit<Parsed, 'casework'> & {
  registerTimes: RegisterTimes;
  /**
   * The staged casework policy: written out, or the preset's, with the document's `target`,
   * `bands` and `adjustedAttendance` laid over it. Absent when the document says nothing about
   * casework; read it with `caseworkPolicyOf`, which falls back to the twin-track example.
   */
  casework?: AttendancePolicy;
};

/** Lays the document's target, bands and adjusted attendance over its casework policy. */
function resolve(p: Parsed): SchoolPolicy {
  const says =
    p.casework ??
    p.preset ??
    p.target ??
    p.bands ??
    p.adjustedAttendance ??
    p.minPlanSchoolWeeks ??
    p.noticeToImprovePeriod ??
    p.maxNewEntriesPerRun;
  if (says === undefined) return p;
  const base: AttendancePolicy =
    p.casework ?? (p.preset ? policyPreset(p.preset)!.policy : undefined) ?? TWIN_TRACK_EXAMPLE_POLICY;
  const casework: AttendancePolicy = {
    ...base,
    ...(p.target !== undefined && { target: p.target }),
    ...(p.bands !== undefined && { bands: p.bands }),
    ...(p.minPlanSchoolWeeks !== undefined && { minPlanSchoolWeeks: p.minPlanSchoolWeeks }),
    ...(p.noticeToImprovePeriod !== undefined && { noticeToImprovePeriod: p.noticeToImprovePeriod }),
    ...(p.maxNewEntriesPerRun !== undefined && { maxNewEntriesPerRun: p.maxNewEntriesPerRun }),
  };
  if (p.adjustedAttendance === null) delete (casework as { adjustedAttendance?: unknown }).adjustedAttendance;
  else if (p.adjustedAttendance !== undefined)
    (casework as { adjustedAttendance?: unknown }).adjustedAttendance = p.adjustedAttendance;
  return { ...p, casework };
}

export const DEFAULT_POLICY: SchoolPolicy = resolve(schoolPolicySchema.parse({}));

/**
 * A `casework` section may leave its bands to the document's top-level `bands` (or, failing
 * those, the preset's or the example's): they are filled in before the check.
 */
function withCaseworkBands(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const doc = raw as Record<string, unknown>;
  const cw = doc.casework;
  if (cw === null || typeof cw !== 'object' || Array.isArray(cw) || 'bands' in cw) return raw;
  const preset = typeof doc.preset === 'string' ? policyPreset(doc.preset) : undefined;
  const bands = doc.bands ?? preset?.policy.bands ?? TWIN_TRACK_EXAMPLE_POLICY.bands;
  return { ...doc, casework: { ...cw, bands } };
}

function issues(e: z.ZodError): string[] {
  return e.issues.map((i) => `${i.path.join('.') || '(policy)'}: ${i.message}`);
}

/** Checks a parsed document (from JSON or YAML); errors are `path: message`. */
export function checkSchoolPolicy(raw: unknown): { ok: true; policy: SchoolPolicy } | { ok: false; errors: string[] } {
  const r = schoolPolicySchema.safeParse(withCaseworkBands(raw));
  if (!r.success) return { ok: false, errors: issues(r.error) };
  return { ok: true, policy: resolve(r.data) };
}

/** Parses a stored or uploaded policy; errors name the field. */
export function parseSchoolPolicy(json: string): { ok: true; policy: SchoolPolicy } | { ok: false; errors: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ok: false, errors: ['the policy is not valid JSON'] };
  }
  return checkSchoolPolicy(raw);
}

/** The school's staged casework policy: its own, its preset's, or the twin-track example. */
export function caseworkPolicyOf(policy: SchoolPolicy): AttendancePolicy {
  return policy.casework ?? TWIN_TRACK_EXAMPLE_POLICY;
}

/**
 * The casework settings beside the stages: the shortest plan (school weeks) and the Notice to
 * Improve monitoring period, from the casework policy (its own, its preset's, or the document's
 * top-level overrides), else the defaults 6 and '15-school-days'.
 */
export function caseworkSettingsOf(policy: SchoolPolicy): {
  minPlanSchoolWeeks: number;
  noticeToImprovePeriod: NoticeToImprovePeriod;
  /** New first-stage suggestions per evaluation at most; null: no cap. */
  maxNewEntriesPerRun: number | null;
} {
  const cw = caseworkPolicyOf(policy);
  return {
    minPlanSchoolWeeks: cw.minPlanSchoolWeeks ?? DEFAULT_MIN_PLAN_SCHOOL_WEEKS,
    noticeToImprovePeriod: cw.noticeToImprovePeriod ?? DEFAULT_NOTICE_TO_IMPROVE_PERIOD,
    maxNewEntriesPerRun: cw.maxNewEntriesPerRun ?? null,
  };
}

/**
 * The school's letter templates for its casework: the preset's (the document's `preset`, or the
 * preset whose id the casework policy has), with the document's `letters` replacing by key or
 * added after them.
 */
export function policyLetters(policy: SchoolPolicy): LetterTemplate[] {
  const preset = policyPreset(policy.preset ?? caseworkPolicyOf(policy).id);
  const out: LetterTemplate[] = [...(preset?.letters ?? [])];
  for (const l of policy.letters ?? []) {
    const at = out.findIndex((o) => o.key === l.key);
    if (at >= 0) out[at] = l;
    else out.push(l);
  }
  return out;
}

/** The longest policy document read (the presets are under a tenth of this). */
export const MAX_POLICY_CHARACTERS = 200_000;
/** How many aliases may be expanded in a policy document (YAML's own default is 100). */
export const MAX_POLICY_ALIASES = 100;

/**
 * Reads a policy document written as YAML or JSON (JSON is YAML too, so one parser serves);
 * syntax errors give the line and column.
 */
export function readPolicyText(text: string): { ok: true; raw: unknown } | { ok: false; errors: string[] } {
  if (text.trim() === '') return { ok: false, errors: ['(policy): the document is empty'] };
  if (text.length > MAX_POLICY_CHARACTERS)
    return {
      ok: false,
      errors: [
        `(policy): the document is ${text.length.toLocaleString('en-GB')} characters long; a policy may be at most ${MAX_POLICY_CHARACTERS.toLocaleString('en-GB')}`,
      ],
    };
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0)
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const at = e.linePos?.[0];
        const where = at ? `line ${at.line}, column ${at.col}` : '(policy)';
        return `${where}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    };
  let raw: unknown;
  try {
    // Aliases (`*name`) are bounded: a few nested ones can otherwise expand to billions of
    // values (the "billion laughs" alias bomb).
    raw = doc.toJS({ maxAliasCount: MAX_POLICY_ALIASES });
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    return {
      ok: false,
      errors: [
        `(policy): the document uses YAML aliases (*name) too many times: write the values out (at most ${MAX_POLICY_ALIASES} expanded aliases)`,
      ],
    };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, errors: ['(policy): the document must be a mapping of fields (name: value)'] };
  return { ok: true, raw };
}

/** Checks a YAML or JSON policy document; errors are `path: message`. */
export function parsePolicyText(
  text: string,
): { ok: true; raw: unknown; policy: SchoolPolicy } | { ok: false; errors: string[] } {
  const read = readPolicyText(text);
  if (!read.ok) return read;
  const checked = checkSchoolPolicy(read.raw);
  return checked.ok ? { ok: true, raw: read.raw, policy: checked.policy } : checked;
}

/** A stored policy (JSON) as YAML for editing. */
export function policyJsonToYaml(json: string): string {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    raw = {};
  }
  return YAML.stringify(raw, { lineWidth: 0 });
}

/** The errors of a policy check as field errors (`path: message` split at the first ': '). */
export function policyFieldErrors(errors: readonly string[]): FieldError[] {
  return errors.map((e) => {
    const at = e.indexOf(': ');
    return at < 0 ? { field: '(policy)', message: e } : { field: e.slice(0, at), message: e.slice(at + 2) };
  });
}

/**
 * A preset's whole policy as a document: its casework, target, bands and letters, and the
 * settings its seed states (register times, follow-up ladder, N-to-O conversion, PA minimum,
 * leave rules, half-termly letter bands: `presetSettings`). What the seed does not state keeps the
 * school's current setting, and so do the school's own assessment-period dates.
 */
export function presetPolicyDocument(current: SchoolPolicy, presetId: string): Record<string, unknown> {
  const preset = policyPreset(presetId);
  if (!preset)
    throw new AppError('VALIDATION', `There is no preset "${presetId}".`, {
      fields: [{ field: 'preset', message: `must be one of ${PRESET_IDS.join(', ')}` }],
    });
  const s = presetSettings(preset.id);
  const { bands, target, adjustedAttendance, ...stages } = preset.policy;
  const leave = current.leave;
  const doc = {
    version: 1,
    registerTimes: {
      AM: s.registerTimes?.AM ?? current.registerTimes.AM,
      PM: s.registerTimes?.PM ?? current.registerTimes.PM,
    },
    minPossibleSessions: s.minPossibleSessions ?? current.minPossibleSessions,
    convertNToOAfterSchoolDays:
      s.convertNToOAfterSchoolDays === undefined ? current.convertNToOAfterSchoolDays : s.convertNToOAfterSchoolDays,
    followUp: { ...current.followUp, ...s.followUp },
    leave: {
      ...leave,
      ...s.leave,
      noticeDays: { ...leave.noticeDays, ...s.leave?.noticeDays },
      lunchtimePasses: { ...leave.lunchtimePasses, ...s.leave?.lunchtimePasses },
      assessmentPeriods: leave.assessmentPeriods,
    },
    ...((s.halfTermlyLetter ?? current.halfTermlyLetter) && {
      halfTermlyLetter: s.halfTermlyLetter ?? current.halfTermlyLetter,
    }),
    target,
    bands,
    ...(adjustedAttendance && { adjustedAttendance }),
    preset: preset.id,
    casework: stages,
  };
  return JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
}

/** `presetPolicyDocument` as YAML for the editor. */
export function presetDocument(current: SchoolPolicy, presetId: string): string {
  return YAML.stringify(presetPolicyDocument(current, presetId), { lineWidth: 0 });
}

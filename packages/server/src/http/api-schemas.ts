/**
 * The shapes the JSON API answers with (and the pieces its requests share), as zod schemas. The
 * same schemas check every response on its way out (fastify-type-provider-zod's serializer: a
 * response that does not match is a 500, never a silent lie) and are emitted into
 * `/api/openapi.json`; schemas given an `id` become named components there. See docs/api.md.
 */
import { CODE_TABLE, isPlainDate } from '@rollcall/domain';
import { z } from 'zod';

/** A calendar date, `YYYY-MM-DD` (checked: `2025-02-30` is refused). */
export const PlainDateInput = z
  .string()
  .refine(isPlainDate, 'must be a date YYYY-MM-DD')
  .meta({ format: 'date', description: 'A date, YYYY-MM-DD' });

/** A date in an answer (`format: date`, not re-checked on the way out). */
const PlainDateOut = z.string().meta({ format: 'date', description: 'A date, YYYY-MM-DD' });
/** A moment in an answer: an ISO 8601 date-time in UTC, e.g. `2025-09-08T08:41:12.345Z`. */
const Timestamp = z.string().meta({ format: 'date-time', description: 'An ISO 8601 date-time in UTC' });
/** A time of day at the school, `HH:MM`. */
export const TimeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM')
  .meta({ id: 'TimeOfDay', description: 'A time of day at the school (Europe/London), HH:MM' });

export const Session = z.enum(['AM', 'PM']).meta({ id: 'Session', description: 'The morning or afternoon session' });

/** Every national attendance code of both sets (2006 and 2024), each once. */
export const MARK_CODES = [...new Set(CODE_TABLE.map((d) => d.code))] as [string, ...string[]];

export const MarkCode = z.enum(MARK_CODES, { error: 'must be a national attendance code, such as /, L or N' }).meta({
  id: 'MarkCode',
  description:
    'A national attendance code. The 2024 set applies from 2024-08-19, the 2006 set before it; a code outside ' +
    'the set of the date is refused with a field error. `/` and `\\` present, `L` late before the close, `U` late after, ' +
    '`N` no reason yet (docs/codes.md).',
});

const Category = z.enum(['present', 'approvedActivity', 'authorised', 'unauthorised', 'notPossible']);

export const FieldErrorSchema = z.object({
  field: z.string().meta({ description: 'The field, e.g. `marks.3.code` or `date`' }),
  message: z.string(),
});

export const ConflictChangeSchema = z
  .object({
    pupilId: z.string(),
    name: z.string().meta({ description: "The pupil's name as the register shows it" }),
    code: MarkCode.nullable().meta({ description: 'The mark stored now (null: none)' }),
    minutesLate: z.number().int().nullable(),
    changedBy: z.string().meta({ description: 'Who last wrote this mark' }),
    changedAt: Timestamp.nullable(),
  })
  .meta({ id: 'ConflictChange', description: 'A pupil whose mark someone else changed since the register was loaded' });

export const ConflictSchema = z
  .object({
    version: z.number().int().meta({ description: 'The version of the register now: load it again to save' }),
    savedBy: z.string().meta({ description: 'Who saved the register (or wrote the marks) meanwhile' }),
    savedAt: Timestamp.nullable().meta({ description: 'When they saved' }),
    changes: z.array(ConflictChangeSchema).meta({ description: 'The pupils whose marks they changed' }),
  })
  .meta({ id: 'Conflict' });

/** The one error body of every error answer of the API. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({
        description:
          'A stable code: VALIDATION, BAD_REQUEST, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, PUPIL_NOT_FOUND, ' +
          'GROUP_NOT_FOUND, CONFLICT, REGISTER_CLOSED, REGISTER_NOT_OPEN, NOT_A_SCHOOL_SESSION, REASON_REQUIRED, ' +
          'TOO_MANY_ATTEMPTS, UNAVAILABLE, INTERNAL',
      }),
      message: z.string().meta({ description: 'What went wrong, in words for a person' }),
      fields: z.array(FieldErrorSchema).meta({ description: 'One entry per field at fault (may be empty)' }),
      reason: z
        .string()
        .optional()
        .meta({
          description:
            'Why a browser session is refused before the operation runs (docs/security-sign-in.md): ' +
            'mfa-verify (finish signing in with the second factor), mfa-enrol (set one up), ' +
            'reauthentication-required (confirm it is you before a bulk export of personal data)',
        }),
      conflict: ConflictSchema.optional().meta({
        description: 'A save refused because someone else saved meanwhile (code CONFLICT): who, when and what changed',
      }),
    }),
  })
  .meta({ id: 'Error', description: 'Every error answer of the API' });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed or a field is not valid (code VALIDATION names each field in `fields`)',
  401: 'No session and no API key, or the key is unknown or revoked (UNAUTHENTICATED)',
  403: "The role, the key's scope or a missing CSRF token does not allow this (FORBIDDEN)",
  404: 'No such pupil, group or register (NOT_FOUND, PUPIL_NOT_FOUND, GROUP_NOT_FOUND)',
  409: 'The register changed meanwhile (CONFLICT, with `conflict`), or is closed or not open yet',
  429: 'Too many attempts (TOO_MANY_ATTEMPTS); see the Retry-After header',
};

/** The error answers of a route, each with the one error schema. */
export function errorResponses(...codes: readonly (keyof typeof ERROR_DESCRIPTIONS)[]) {
  return Object.fromEntries(
    codes.map((c) => [
      c,
      { description: ERROR_DESCRIPTIONS[c]!, content: { 'application/json': { schema: ErrorSchema } } },
    ]),
  ) as Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }>;
}

/** A JSON answer with its description, for the document. */
export function json<T extends z.ZodType>(description: string, schema: T) {
  return { description, content: { 'application/json': { schema } } };
}

/** The common error answers of every route that needs a signed-in caller. */
export const AUTH_ERRORS = [400, 401, 403] as const;

export const GroupSchema = z
  .object({
    id: z.string(),
    schoolId: z.string(),
    kind: z.enum(['registration', 'teaching']),
    name: z.string(),
    yearGroup: z.string().nullable(),
    subject: z.string().nullable(),
  })
  .meta({ id: 'Group' });

export const LessonSchema = z
  .object({
    id: z.string(),
    groupId: z.string(),
    weekday: z.number().int().meta({ description: '1 Monday … 5 Friday' }),
    period: z.string(),
    startsAt: z.string(),
    endsAt: z.string(),
    session: Session,
  })
  .meta({ id: 'Lesson' });

export const PupilSummarySchema = z
  .object({
    id: z.string(),
    schoolId: z.string(),
    upn: z.string().meta({ description: 'Unique pupil number (13 characters)' }),
    forename: z.string().meta({ description: 'The name to show: preferred when given, else legal' }),
    surname: z.string(),
    yearGroup: z.string().nullable(),
    regGroupId: z.string().nullable(),
    admissionDate: PlainDateOut,
    leavingDate: PlainDateOut.nullable(),
  })
  .meta({ id: 'PupilSummary' });

export const RegisterSchema = z
  .object({
    group: GroupSchema,
    date: PlainDateOut,
    session: Session,
    lesson: LessonSchema.nullable().meta({ description: 'Lesson registers only' }),
    window: z
      .object({ opens: z.string(), closes: z.string() })
      .meta({ description: 'When the register opens and closes, HH:MM' }),
    state: z.enum(['notYetOpen', 'open', 'closed']),
    version: z.number().int().meta({ description: 'Send it back when saving (0: never saved)' }),
    takenAt: Timestamp.nullable(),
    takenBy: z.string().nullable().meta({ description: 'Who took it' }),
    canAmend: z.boolean().meta({ description: 'May the caller change marks after the close (with a reason)?' }),
    pupils: z.array(
      z.object({
        pupil: PupilSummarySchema,
        code: MarkCode.nullable(),
        minutesLate: z.number().int().nullable(),
        updatedAt: Timestamp.nullable(),
        updatedBy: z.string().nullable(),
        sessionCode: MarkCode.nullable()
          .optional()
          .meta({ description: "Lesson registers: the pupil's session mark this half-day" }),
        missingFromLesson: z
          .boolean()
          .optional()
          .meta({ description: 'Lesson registers: present at registration but absent from this lesson' }),
      }),
    ),
  })
  .meta({ id: 'Register' });

export const SaveRegisterResultSchema = z
  .object({
    version: z.number().int().meta({ description: 'The register version now' }),
    changed: z.number().int().meta({ description: 'How many marks were written' }),
  })
  .meta({ id: 'SaveRegisterResult' });

const BoardSession = z.object({
  status: z.enum(['taken', 'takenLate', 'open', 'notTaken', 'notYetOpen']),
  takenAt: Timestamp.nullable(),
  pupils: z.number().int(),
  marked: z.number().int(),
});

export const BoardSchema = z
  .object({
    date: PlainDateOut,
    isSchoolDay: z.boolean(),
    notTaken: z.number().int().meta({ description: 'Registers not taken by the close' }),
    rows: z.array(z.object({ group: GroupSchema, sessions: z.object({ AM: BoardSession, PM: BoardSession }) })),
  })
  .meta({ id: 'Board' });

export const LateArrivalResultSchema = z
  .object({ code: z.enum(['L', 'U']), minutesLate: z.number().int() })
  .meta({ id: 'LateArrivalResult' });

const RunPeriod = z.object({ start: PlainDateOut, end: PlainDateOut, schoolDays: z.number().int() });
const SessionRef = z.object({ date: PlainDateOut, session: Session });

const MeasuresSchema = z
  .object({
    possibleSessions: z.number().int(),
    presentSessions: z.number().int(),
    approvedActivitySessions: z.number().int(),
    authorisedAbsenceSessions: z.number().int(),
    unauthorisedAbsenceSessions: z.number().int(),
    notPossibleSessions: z.number().int(),
    missingMarks: z.number().int(),
    lateSessions: z.number().int(),
    lateAfterCloseSessions: z.number().int(),
    minutesLate: z.number().int(),
    attendanceRate: z.number().nullable().meta({ description: '0–1; null when no possible sessions' }),
    absenceRate: z.number().nullable(),
    authorisedAbsenceRate: z.number().nullable(),
    unauthorisedAbsenceRate: z.number().nullable(),
    persistentAbsence: z.boolean(),
    severeAbsence: z.boolean(),
    codeCounts: z.record(z.string(), z.number().int()).meta({ description: 'Sessions by code' }),
    brokenWeeks: z.number().int(),
    schoolWeeksOnRoll: z.number().int(),
    penaltyNotice: z.object({
      thresholdMet: z.boolean(),
      firstMetOn: PlainDateOut.nullable(),
      firstMetSession: Session.nullable(),
      currentWindowSessions: z.number().int(),
    }),
    attendanceReturn: z.object({ periods: z.array(RunPeriod) }),
    sicknessReturn: z.object({
      due: z.boolean(),
      longestConsecutiveSchoolDays: z.number().int(),
      cumulativeSchoolDays: z.number().int(),
    }),
    deletionGround20Days: z.object({ periods: z.array(RunPeriod) }),
    unresolvedN: z.array(SessionRef),
  })
  .meta({ id: 'Measures', description: 'Every measure of the statistics period up to "as of" (docs/rules/)' });

const FindingSchema = z
  .object({
    rule: z.enum([
      'penaltyNoticeThreshold',
      'attendanceReturn',
      'sicknessReturn',
      'deletionGround20Days',
      'unresolvedN',
      'persistentAbsence',
      'severeAbsence',
    ]),
    title: z.string(),
    source: z.string().meta({ description: 'Where the rule is written' }),
    explanation: z.string(),
    window: z.object({ from: PlainDateOut, to: PlainDateOut }).optional(),
    sessions: z.array(z.object({ date: PlainDateOut, session: Session, code: z.string() })).optional(),
  })
  .meta({ id: 'Finding' });

const DayMark = z.object({ code: z.string(), category: Category }).nullable();

export const PupilRecordSchema = z
  .object({
    school: z.object({ id: z.string(), name: z.string(), urn: z.string() }),
    pupil: PupilSummarySchema.extend({
      legalForename: z.string(),
      legalSurname: z.string(),
      dateOfBirth: PlainDateOut.nullable(),
      gender: z.string().nullable(),
      senStatus: z.enum(['N', 'K', 'E']),
      ehcp: z.boolean(),
      fsm: z.boolean(),
      pupilPremium: z.boolean(),
      eal: z.boolean(),
      youngCarer: z.boolean(),
      ethnicity: z.string().nullable(),
      safeguarding: z
        .object({
          cin: z.boolean(),
          cp: z.boolean(),
          lac: z.boolean(),
          previouslyLac: z.boolean(),
          socialWorker: z.string().nullable(),
        })
        .nullable()
        .meta({ description: 'Null unless the caller may see safeguarding details' }),
    }),
    contacts: z
      .array(
        z.object({
          id: z.string(),
          restriction: z.string().nullable(),
          name: z.string(),
          relationship: z.string(),
          parentalResponsibility: z.boolean(),
          livesWithPupil: z.boolean(),
          priority: z.number().int(),
          mobilePhone: z.string().nullable(),
          homePhone: z.string().nullable(),
          workPhone: z.string().nullable(),
          email: z.string().nullable(),
        }),
      )
      .nullable()
      .meta({ description: 'Null unless the caller may see contacts' }),
    asOf: PlainDateOut,
    periodStart: PlainDateOut,
    measures: MeasuresSchema,
    findings: z.array(FindingSchema),
    days: z.array(z.object({ date: PlainDateOut, am: DayMark, pm: DayMark })),
    history: z.array(
      z.object({
        id: z.string(),
        date: PlainDateOut,
        session: z.string(),
        lessonId: z.string().nullable(),
        previousCode: z.string().nullable(),
        newCode: z.string(),
        previousMinutesLate: z.number().int().nullable(),
        newMinutesLate: z.number().int().nullable(),
        reason: z.string().nullable(),
        userName: z.string(),
        userRole: z.string(),
        at: Timestamp,
        source: z.string(),
      }),
    ),
    permissions: z.object({ amend: z.boolean(), safeguarding: z.boolean(), contacts: z.boolean() }),
  })
  .meta({ id: 'PupilRecord' });

/** A CSV answer (`text/csv`), described for the document; the body is sent as it is. */
export function csvResponse(description: string) {
  return {
    description,
    content: {
      'text/csv': {
        schema: z.string().meta({
          description: 'CSV (RFC 4180), UTF-8, a header row first; sent as an attachment (Content-Disposition)',
        }),
      },
    },
  };
}

/**
 * The document without component schemas no operation refers to (directly or through another
 * component). Every schema given an `id` is emitted twice by the zod transform, once for requests
 * (`…Input`) and once for answers; only the ones in use stay.
 */
export function withoutUnusedComponents<T extends object>(doc: T): T {
  const schemas = (doc as { components?: { schemas?: Record<string, unknown> } }).components?.schemas;
  if (!schemas) return doc;
  const refsIn = (value: unknown, into: Set<string>): void => {
    if (Array.isArray(value)) for (const v of value) refsIn(v, into);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/'))
          into.add(v.slice('#/components/schemas/'.length));
        else refsIn(v, into);
      }
    }
  };
  const used = new Set<string>();
  const { components, ...rest } = doc as { components: Record<string, unknown> };
  refsIn({ ...rest, components: { ...components, schemas: {} } }, used);
  const queue = [...used];
  while (queue.length > 0) {
    const found = new Set<string>();
    refsIn(schemas[queue.pop()!], found);
    for (const name of found) {
      if (!used.has(name)) {
        used.add(name);
        queue.push(name);
      }
    }
  }
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return { ...rest, components: { ...components, schemas: kept } } as T;
}

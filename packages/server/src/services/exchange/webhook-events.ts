/**
 * The bodies of webhook events, as zod schemas: emitted into the OpenAPI document's `webhooks`
 * (http/api.ts) so a receiver can generate types, and checked against what is really sent
 * (services/exchange/webhooks.db.test.ts). See docs/webhooks.md.
 */
import { z } from 'zod';

const date = z.string().meta({ format: 'date', description: 'A date, YYYY-MM-DD' });
const moment = z.string().meta({ format: 'date-time', description: 'An ISO 8601 date-time in UTC' });
const pupil = z.strictObject({
  id: z.string(),
  upn: z.string().nullable().meta({ description: 'Unique pupil number' }),
});

function event<T extends string, D extends z.ZodType>(type: T, data: D, id: string, description: string) {
  return z
    .strictObject({
      id: z.string().meta({ description: 'The event id: the same in every delivery and retry of this event' }),
      type: z.literal(type),
      createdAt: moment,
      school: z.strictObject({ id: z.string(), urn: z.string() }),
      data,
    })
    .meta({ id, description });
}

export const MarkChangedEvent = event(
  'mark.changed',
  z.strictObject({
    pupil,
    date,
    session: z.enum(['AM', 'PM']),
    lessonId: z.string().nullable().meta({ description: 'Lesson registers; null for the session mark' }),
    code: z.string().meta({ description: 'The national attendance code now (MarkCode)' }),
    minutesLate: z.number().int().nullable(),
    previousCode: z.string().nullable().meta({ description: 'The code before (null: no mark)' }),
    changedBy: z.string(),
    source: z.enum(['register', 'office', 'amendment', 'parent report', 'leave']),
  }),
  'MarkChangedEvent',
  'A mark was written',
);

export const AbsenceReportedEvent = event(
  'absence.reported',
  z.strictObject({
    pupil,
    reportId: z.string(),
    from: date,
    to: date,
    sessions: z.enum(['ALL', 'AM', 'PM']),
    reason: z.enum(['illness', 'medical', 'religious', 'other']),
    proposedCode: z.string().nullable(),
    expectedReturn: date.nullable(),
  }),
  'AbsenceReportedEvent',
  'A parent reported an absence (their own words are not sent)',
);

export const CaseOpenedEvent = event(
  'case.opened',
  z.strictObject({ pupil, openedOn: date, openedBy: z.string(), reopened: z.boolean() }),
  'CaseOpenedEvent',
  'An attendance case was opened or reopened',
);

export const MarksChangedEvent = event(
  'marks.changed',
  z.strictObject({
    date,
    source: z.enum(['import', 'CTF', 'N ageing']),
    changedBy: z.string(),
    part: z.number().int().min(1).meta({ description: 'This event is part `part` of `parts` for the date' }),
    parts: z.number().int().min(1),
    marks: z
      .array(
        z.strictObject({
          pupil,
          session: z.enum(['AM', 'PM']),
          code: z.string().meta({ description: 'The national attendance code now (MarkCode)' }),
          minutesLate: z.number().int().nullable(),
          previousCode: z.string().nullable().meta({ description: 'The code before (null: no mark)' }),
        }),
      )
      .min(1)
      .max(500),
  }),
  'MarksChangedEvent',
  'Session marks written in bulk on one date (an import, a CTF, N turned into O): sent to subscriptions to mark.changed, at most 500 marks an event',
);

export const WEBHOOK_EVENT_SCHEMAS = {
  'mark.changed': MarkChangedEvent,
  'marks.changed': MarksChangedEvent,
  'absence.reported': AbsenceReportedEvent,
  'case.opened': CaseOpenedEvent,
} as const;

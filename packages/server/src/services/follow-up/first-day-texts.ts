/**
 * First-day texts from the worklist: "we have not heard from you about X's absence today", in the
 * school's wording, to a pupil's priority contacts (those with a mobile at the highest priority
 * that has one), for one pupil or for every unexplained absence of the morning in one action.
 * Each text goes through the outbox (so the outbox page shows what became of it) and is recorded
 * as a contact attempt (method text, outcome "left a message") on the worklist.
 *
 * The wording is the school's template `text-first-day` (edited at /school/letters/text-first-day
 * like a letter), else {@link DEFAULT_FIRST_DAY_TEXT}; merge fields as in letters.
 */
import { mergeLetter, type PlainDate } from '@rollcall/domain';
import { getSchool } from '../school/schools.js';
import { audit } from '../audit.js';
import type { Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { FIRST_DAY_TEXT } from '../casework/letters/defaults.js';
import { libraryOf } from '../casework/letters/letters.js';
import { normaliseUkMobile, queueMessage } from '../messages.js';
import { recordContactAttempt, worklist, type WorklistEntry } from './worklist.js';

export const FIRST_DAY_TEXT_KEY = FIRST_DAY_TEXT.key;
export const DEFAULT_FIRST_DAY_TEXT = FIRST_DAY_TEXT.body;

/** Why "every family" left a pupil out: their family was texted about this absence already. */
export const ALREADY_TEXTED = 'already texted about this absence';

export interface FirstDayTextsResult {
  /** Texts queued. */
  readonly queued: number;
  /** Pupils texted about. */
  readonly pupils: number;
  readonly skipped: readonly { readonly pupilName: string; readonly reason: string }[];
}

/** The contacts a first-day text goes to: those with a mobile at the best priority that has one. */
export function priorityMobiles(
  entry: Pick<WorklistEntry, 'contacts'>,
): { id: string; name: string; mobile: string }[] {
  const withMobile = (entry.contacts ?? [])
    .map((c) => {
      const mobile = c.phones.map((p) => normaliseUkMobile(p.number)).find((m) => m !== null) ?? null;
      return { id: c.id, name: c.name, priority: c.priority, mobile };
    })
    .filter((c): c is { id: string; name: string; priority: number; mobile: string } => c.mobile !== null);
  if (withMobile.length === 0) return [];
  const best = Math.min(...withMobile.map((c) => c.priority));
  return withMobile.filter((c) => c.priority === best).map(({ id, name, mobile }) => ({ id, name, mobile }));
}

/**
 * Texts the priority contacts of one pupil (`pupilId`) or of every pupil on the day's worklist
 * with an unexplained morning absence, no reason given yet and no text about it yet (`pupilId`
 * null). Audited once.
 */
export async function sendFirstDayTexts(
  deps: Deps,
  actor: Actor,
  input: { schoolId: string; date: PlainDate; pupilId: string | null },
): Promise<FirstDayTextsResult> {
  const list = await worklist(deps, actor, { schoolId: input.schoolId, date: input.date });
  const school = await getSchool(deps.db, input.schoolId);
  const entries = list.entries.filter((e) =>
    input.pupilId ? e.pupilId === input.pupilId : e.nSessions.includes('AM') && e.offerResolve === null,
  );
  if (input.pupilId && entries.length === 0)
    throw new AppError('NOT_FOUND', 'That pupil has no unexplained absence on this day.');
  const lib = await libraryOf(deps, school);
  const wording = lib.english.get(FIRST_DAY_TEXT_KEY)?.body ?? DEFAULT_FIRST_DAY_TEXT;
  const skipped: { pupilName: string; reason: string }[] = [];
  let queued = 0;
  let pupils = 0;
  const now = deps.clock.now();
  for (const e of entries) {
    // "Every family" leaves out those already texted about this absence (from the worklist or
    // recorded by hand): pressing it twice, or after "Send a text", does not text them again.
    if (!input.pupilId && e.attempts.some((a) => a.method === 'text')) {
      skipped.push({ pupilName: e.name, reason: ALREADY_TEXTED });
      continue;
    }
    if (!e.canRecord || e.contacts === null) {
      skipped.push({ pupilName: e.name, reason: 'you may not text this family' });
      continue;
    }
    const to = priorityMobiles(e);
    if (to.length === 0) {
      skipped.push({ pupilName: e.name, reason: 'no contact has a mobile number' });
      continue;
    }
    const forename = e.name.split(' ')[0] ?? e.name;
    const body = mergeLetter(wording, {
      'pupil.forename': forename,
      'pupil.name': e.name,
      'school.name': school.name,
    }).text;
    for (const c of to) {
      await deps.db.transaction().execute((trx) =>
        queueMessage(
          trx,
          {
            schoolId: school.id,
            pupilId: e.pupilId,
            channel: 'sms',
            to: c.mobile,
            body,
            kind: 'first-day-text',
            createdBy: actor.userId,
            now,
          },
          actor,
        ),
      );
      await recordContactAttempt(deps, actor, {
        pupilId: e.pupilId,
        absenceDate: input.date,
        method: 'text',
        contactId: c.id,
        outcome: 'left_message',
        notes: `Text queued: ${body}`.slice(0, 1000),
      });
      queued++;
    }
    pupils++;
  }
  await audit(deps.db, actor, now, {
    action: 'absence.firstDayTexts',
    entityType: 'messages',
    schoolId: school.id,
    details: { date: input.date, queued, pupils, skipped: skipped.length, one: input.pupilId !== null },
  });
  return { queued, pupils, skipped };
}

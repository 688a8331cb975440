/**
 * Queries of the message outbox (services/messages.ts): queueing, the due messages and their
 * optimistic claim, outcomes, delivery statuses read back from the SMS provider, a pupil's
 * messages and the school's outbox page.
 */
import type { Insertable, Updateable } from 'kysely';
import type { DbOrTrx } from './connect.js';
import type { Database } from './schema.js';

type MessageInsert = Insertable<Database['messages']>;
type MessageUpdate = Updateable<Database['messages']>;

/** Adds a message to the outbox. */
export async function insertMessage(db: DbOrTrx, row: MessageInsert): Promise<void> {
  await db.insertInto('messages').values(row).execute();
}

/** Pending messages due at `now`, oldest due first; email left out when `withEmail` is false. */
export function dueMessages(db: DbOrTrx, now: string, opts: { withEmail: boolean; limit: number }) {
  let query = db
    .selectFrom('messages')
    .select(['id', 'channel', 'to_address', 'subject', 'body', 'attempts', 'next_attempt_at'])
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now);
  if (!opts.withEmail) query = query.where('channel', '<>', 'email');
  return query.orderBy('next_attempt_at').orderBy('id').limit(opts.limit).execute();
}

/** How many emails are due at `now` and still pending. */
export async function countDueEmail(db: DbOrTrx, now: string): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', '=', 'pending')
    .where('channel', '=', 'email')
    .where('next_attempt_at', '<=', now)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Claims a pending message for one attempt: only matches while it is still pending with the
 * attempts and due time the runner read. True when this runner got it.
 */
export async function claimMessage(
  db: DbOrTrx,
  m: { id: string; attempts: number; next_attempt_at: string },
  set: { attempts: number; next_attempt_at: string },
): Promise<boolean> {
  const claim = await db
    .updateTable('messages')
    .set(set)
    .where('id', '=', m.id)
    .where('status', '=', 'pending')
    .where('attempts', '=', m.attempts)
    .where('next_attempt_at', '=', m.next_attempt_at)
    .executeTakeFirst();
  return Number(claim.numUpdatedRows) === 1;
}

/** Records an attempt's outcome, unless another runner has taken the message since. */
export async function finishAttempt(db: DbOrTrx, id: string, attempt: number, values: MessageUpdate): Promise<void> {
  await db
    .updateTable('messages')
    .set(values)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('attempts', '=', attempt)
    .execute();
}

/** A pupil's messages, newest first. */
export function messageRowsOfPupil(db: DbOrTrx, pupilId: string) {
  return db
    .selectFrom('messages')
    .select([
      'id',
      'channel',
      'to_address',
      'subject',
      'body',
      'kind',
      'status',
      'attempts',
      'next_attempt_at',
      'last_error',
      'created_by',
      'created_at',
      'sent_at',
    ])
    .where('pupil_id', '=', pupilId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

/** Texts the provider accepted since `since` whose delivery is not known yet, oldest first. */
export function textsAwaitingDelivery(db: DbOrTrx, since: string, limit: number) {
  return db
    .selectFrom('messages')
    .select(['id', 'provider_id'])
    .where('channel', '=', 'sms')
    .where('status', '=', 'sent')
    .where('provider_id', 'is not', null)
    .where('sent_at', '>=', since)
    .orderBy('sent_at')
    .limit(limit)
    .execute();
}

/** Records what the provider says became of a message. */
export async function setDeliveryStatus(
  db: DbOrTrx,
  id: string,
  values: Pick<MessageUpdate, 'status' | 'provider_status' | 'delivered_at' | 'last_error'>,
): Promise<void> {
  await db.updateTable('messages').set(values).where('id', '=', id).execute();
}

/** A school's outbox, newest first, with each message's pupil's names. */
export function outboxRows(db: DbOrTrx, schoolId: string, opts: { status: string | null; limit: number }) {
  let q = db
    .selectFrom('messages')
    .leftJoin('pupils', 'pupils.id', 'messages.pupil_id')
    .select([
      'messages.id',
      'messages.channel',
      'messages.to_address',
      'messages.subject',
      'messages.body',
      'messages.kind',
      'messages.status',
      'messages.attempts',
      'messages.last_error',
      'messages.provider_status',
      'messages.provider_id',
      'messages.created_at',
      'messages.sent_at',
      'messages.delivered_at',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'pupils.preferred_forename',
      'pupils.preferred_surname',
    ])
    .where('messages.school_id', '=', schoolId);
  if (opts.status) q = q.where('messages.status', '=', opts.status);
  return q.orderBy('messages.created_at', 'desc').orderBy('messages.id', 'desc').limit(opts.limit).execute();
}

/**
 * Webhook subscriptions and deliveries (services/exchange/webhooks.ts decides; these only read and write).
 */
import type { DbOrTrx } from '../connect.js';
import { prepared } from '../prepared.js';

export interface SubscriptionRow {
  readonly id: string;
  readonly schoolId: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly description: string;
  readonly secretEnc: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly disabledAt: string | null;
  /** After a rotation: the previous secret (sealed), still signing until `previousSecretUntil`. */
  readonly previousSecretEnc: string | null;
  readonly previousSecretUntil: string | null;
  readonly secretRotatedAt: string | null;
}

export interface DeliveryRow {
  readonly id: string;
  readonly subscriptionId: string;
  readonly schoolId: string;
  readonly eventId: string;
  readonly event: string;
  readonly payload: string;
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly lastAttemptAt: string | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
}

const SUBSCRIPTION_COLUMNS = [
  'id',
  'school_id',
  'url',
  'events',
  'description',
  'secret_enc',
  'created_by',
  'created_at',
  'disabled_at',
  'previous_secret_enc',
  'previous_secret_until',
  'secret_rotated_at',
] as const;

const DELIVERY_COLUMNS = [
  'id',
  'subscription_id',
  'school_id',
  'event_id',
  'event',
  'payload',
  'status',
  'attempts',
  'next_attempt_at',
  'last_attempt_at',
  'last_status_code',
  'last_error',
  'created_at',
  'delivered_at',
] as const;

function toSubscription(r: {
  id: string;
  school_id: string;
  url: string;
  events: string;
  description: string;
  secret_enc: string;
  created_by: string;
  created_at: string;
  disabled_at: string | null;
  previous_secret_enc: string | null;
  previous_secret_until: string | null;
  secret_rotated_at: string | null;
}): SubscriptionRow {
  return {
    id: r.id,
    schoolId: r.school_id,
    url: r.url,
    events: r.events.split(' ').filter((e) => e !== ''),
    description: r.description,
    secretEnc: r.secret_enc,
    createdBy: r.created_by,
    createdAt: r.created_at,
    disabledAt: r.disabled_at,
    previousSecretEnc: r.previous_secret_enc,
    previousSecretUntil: r.previous_secret_until,
    secretRotatedAt: r.secret_rotated_at,
  };
}

function toDelivery(r: {
  id: string;
  subscription_id: string;
  school_id: string;
  event_id: string;
  event: string;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}): DeliveryRow {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    schoolId: r.school_id,
    eventId: r.event_id,
    event: r.event,
    payload: r.payload,
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    lastAttemptAt: r.last_attempt_at,
    lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
    lastError: r.last_error,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
  };
}

export async function insertSubscription(
  db: DbOrTrx,
  row: Omit<SubscriptionRow, 'disabledAt' | 'previousSecretEnc' | 'previousSecretUntil' | 'secretRotatedAt'>,
): Promise<void> {
  await db
    .insertInto('webhook_subscriptions')
    .values({
      id: row.id,
      school_id: row.schoolId,
      url: row.url,
      events: row.events.join(' '),
      description: row.description,
      secret_enc: row.secretEnc,
      created_by: row.createdBy,
      created_at: row.createdAt,
      disabled_at: null,
    })
    .execute();
}

export async function subscriptionsOfSchool(db: DbOrTrx, schoolId: string): Promise<SubscriptionRow[]> {
  const rows = await db
    .selectFrom('webhook_subscriptions')
    .select(SUBSCRIPTION_COLUMNS)
    .where('school_id', '=', schoolId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(toSubscription);
}

export async function findSubscription(db: DbOrTrx, id: string): Promise<SubscriptionRow | undefined> {
  const row = await db
    .selectFrom('webhook_subscriptions')
    .select(SUBSCRIPTION_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toSubscription(row);
}

/** The school's subscriptions that are on; the caller keeps those wanting an event. */
/** Built once per database (db/prepared.ts): every register save asks it (through the gathering below). */
const activeSubscriptionsQuery = prepared((db, args: { schoolId: string }) =>
  db
    .selectFrom('webhook_subscriptions')
    .select(SUBSCRIPTION_COLUMNS)
    .where('school_id', '=', args.schoolId)
    .where('disabled_at', 'is', null),
);

/** Per database (or transaction) and school, the read that callers of this turn will share. */
const gathering = new WeakMap<DbOrTrx, Map<string, Promise<SubscriptionRow[]>>>();

/**
 * The school's subscriptions that are on. Callers that ask in the same turn of the event loop
 * share one statement, sent when the turn ends: the saves of one batch are answered together
 * and each asks this for its webhook events, so 200 saves at 8:50 sent 200 statements (on
 * PostgreSQL a round trip each) where a few do. Every caller asked before the statement was sent,
 * so none is answered from a read older than its call; a caller after it is sent waits for the
 * next.
 */
export function activeSubscriptions(db: DbOrTrx, schoolId: string): Promise<SubscriptionRow[]> {
  let bySchool = gathering.get(db);
  if (!bySchool) {
    bySchool = new Map();
    gathering.set(db, bySchool);
  }
  const waiting = bySchool.get(schoolId);
  if (waiting) return waiting;
  const forThisTurn = bySchool;
  const read = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
    forThisTurn.delete(schoolId);
    return (await activeSubscriptionsQuery(db, { schoolId })).map(toSubscription);
  });
  bySchool.set(schoolId, read);
  return read;
}

/** Replaces the signing secret; the previous one keeps signing until `previousUntil` (null: not at all). */
export async function rotateSubscriptionSecret(
  db: DbOrTrx,
  id: string,
  change: { secretEnc: string; previousSecretEnc: string | null; previousUntil: string | null; at: string },
): Promise<void> {
  await db
    .updateTable('webhook_subscriptions')
    .set({
      secret_enc: change.secretEnc,
      previous_secret_enc: change.previousSecretEnc,
      previous_secret_until: change.previousUntil,
      secret_rotated_at: change.at,
    })
    .where('id', '=', id)
    .execute();
}

export async function disableSubscription(db: DbOrTrx, id: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable('webhook_subscriptions')
    .set({ disabled_at: at })
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function insertDeliveries(
  db: DbOrTrx,
  rows: readonly Pick<
    DeliveryRow,
    'id' | 'subscriptionId' | 'schoolId' | 'eventId' | 'event' | 'payload' | 'nextAttemptAt' | 'createdAt'
  >[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('webhook_deliveries')
    .values(
      rows.map((r) => ({
        id: r.id,
        subscription_id: r.subscriptionId,
        school_id: r.schoolId,
        event_id: r.eventId,
        event: r.event,
        payload: r.payload,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: r.nextAttemptAt,
        last_attempt_at: null,
        last_status_code: null,
        last_error: null,
        created_at: r.createdAt,
        delivered_at: null,
      })),
    )
    .execute();
}

/** Pending deliveries due by `now`, oldest first. */
export async function dueDeliveries(db: DbOrTrx, now: string, limit: number): Promise<DeliveryRow[]> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select(DELIVERY_COLUMNS)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toDelivery);
}

/**
 * Claims a delivery for one attempt: only the runner whose update matches the attempts and time
 * it read wins; the lease pushes the next attempt out so a runner that dies mid-send is retried.
 */
export async function claimDelivery(db: DbOrTrx, d: DeliveryRow, leaseUntil: string): Promise<boolean> {
  const r = await db
    .updateTable('webhook_deliveries')
    .set({ next_attempt_at: leaseUntil })
    .where('id', '=', d.id)
    .where('status', '=', 'pending')
    .where('attempts', '=', d.attempts)
    .where('next_attempt_at', '=', d.nextAttemptAt)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function recordAttempt(
  db: DbOrTrx,
  id: string,
  outcome: {
    status: 'pending' | 'delivered' | 'failed';
    attempts: number;
    at: string;
    nextAttemptAt: string;
    statusCode: number | null;
    error: string | null;
  },
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({
      status: outcome.status,
      attempts: outcome.attempts,
      last_attempt_at: outcome.at,
      next_attempt_at: outcome.nextAttemptAt,
      last_status_code: outcome.statusCode,
      last_error: outcome.error,
      delivered_at: outcome.status === 'delivered' ? outcome.at : null,
    })
    .where('id', '=', id)
    .execute();
}

/** The latest deliveries of a school (optionally of one subscription), newest first. */
export async function recentDeliveries(
  db: DbOrTrx,
  schoolId: string,
  opts: { subscriptionId?: string; limit: number },
): Promise<DeliveryRow[]> {
  let q = db.selectFrom('webhook_deliveries').select(DELIVERY_COLUMNS).where('school_id', '=', schoolId);
  if (opts.subscriptionId) q = q.where('subscription_id', '=', opts.subscriptionId);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
  return rows.map(toDelivery);
}

/** The UPNs of pupils, by id (for event bodies). */
export async function pupilUpns(db: DbOrTrx, pupilIds: readonly string[]): Promise<Map<string, string>> {
  if (pupilIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('pupils')
    .select(['id', 'upn'])
    .where('id', 'in', [...new Set(pupilIds)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.upn]));
}

/**
 * Webhooks for other systems (issue 15): a school's administrator subscribes a URL to events (a
 * mark changed, an absence reported, a case opened); each event becomes one delivery per
 * subscription, queued in the same transaction as the change where the change has one; the
 * `webhooks` job sends what is due, signed with the subscription's secret (HMAC-SHA256 over
 * `<timestamp>.<body>`), and retries failures with exponential back-off until it gives up.
 * Delivery is at least once: a receiver should skip an event id it has already seen.
 * See docs/webhooks.md.
 */
import { createHmac } from 'node:crypto';
import type { DbOrTrx } from '../../db/connect.js';
import { getSchool, listSchools, type School } from '../school/schools.js';
import {
  activeSubscriptions,
  claimDelivery,
  disableSubscription as disableSubscriptionRow,
  rotateSubscriptionSecret as rotateSubscriptionSecretRow,
  dueDeliveries,
  findSubscription,
  insertDeliveries,
  insertSubscription,
  pupilUpns,
  recentDeliveries,
  recordAttempt,
  subscriptionsOfSchool,
  type DeliveryRow,
} from '../../db/exchange/webhooks.js';
import { newId, newToken } from '../../platform/ids.js';
import { secretBox } from '../../platform/secrets.js';
import { webhookUrlProblem, type WebhookSender } from '../../platform/webhook-sender.js';
import { audit } from '../audit.js';
import { authorise, SYSTEM_ACTOR, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError, type FieldError } from '../errors.js';

/** The events a subscription may choose, with what they mean to an administrator. */
export const WEBHOOK_EVENTS = {
  'mark.changed':
    'A mark changed: a register saved, a late arrival, an amendment, a parent’s report confirmed, leave granted; marks imported or N turned into O, in batches',
  'absence.reported': 'An absence reported by a parent',
  'case.opened': 'An attendance case opened (or reopened)',
} as const;
export type WebhookEvent = keyof typeof WEBHOOK_EVENTS;
export const WEBHOOK_EVENT_NAMES = Object.keys(WEBHOOK_EVENTS) as WebhookEvent[];

/**
 * Seconds to wait after the 1st, 2nd… failed attempt: 1 minute, doubling (to about 2 hours).
 * One entry fewer than {@link WEBHOOK_MAX_ATTEMPTS}: the last failure gives the delivery up.
 */
export const WEBHOOK_RETRY_DELAYS_SECONDS = [60, 120, 240, 480, 960, 1920, 3840, 7680] as const;
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_DELAYS_SECONDS.length + 1;
/** How long a claimed delivery is left alone before another runner may try it. */
const LEASE_SECONDS = 300;
/** The header names a receiver reads. */
export const SIGNATURE_HEADER = 'rollcall-signature';
export const EVENT_HEADER = 'rollcall-event';
export const DELIVERY_HEADER = 'rollcall-delivery';

export interface Subscription {
  readonly id: string;
  readonly schoolId: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly description: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly disabledAt: string | null;
  /** When the secret was last rotated (null: never). */
  readonly secretRotatedAt: string | null;
  /** Until when the previous secret still signs beside the new one (null: it does not). */
  readonly previousSecretUntil: string | null;
}

export type Delivery = Omit<DeliveryRow, 'payload'>;

/** The body every delivery carries. */
export interface WebhookBody {
  /** The event's id: the same in every delivery and retry of the event. */
  readonly id: string;
  readonly type: WebhookEvent;
  readonly createdAt: string;
  readonly school: { readonly id: string; readonly urn: string };
  readonly data: Readonly<Record<string, unknown>>;
}

async function administer(deps: Pick<Deps, 'db'>, actor: Actor, schoolId: string) {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'school.administer', { kind: 'school', ...school });
  return school;
}

function publicView(s: Subscription): Subscription {
  // Never the sealed secrets: only what the page shows.
  return {
    id: s.id,
    schoolId: s.schoolId,
    url: s.url,
    events: s.events,
    description: s.description,
    createdBy: s.createdBy,
    createdAt: s.createdAt,
    disabledAt: s.disabledAt,
    secretRotatedAt: s.secretRotatedAt,
    previousSecretUntil: s.previousSecretUntil,
  };
}

/**
 * The school the webhooks page is about: the administrator's own, or the one an installation
 * administrator chose (else the schools to choose from).
 */
export async function webhookSchool(
  deps: Pick<Deps, 'db'>,
  actor: Actor,
  chosen: string | undefined,
): Promise<{ kind: 'school'; school: School } | { kind: 'choose'; schools: School[] }> {
  const id = actor.schoolId ?? chosen;
  if (id) return { kind: 'school', school: await administer(deps, actor, id) };
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
  return { kind: 'choose', schools: await listSchools(deps.db) };
}

export interface NewSubscription {
  readonly schoolId: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly description: string;
}

/** Adds a subscription; the returned `secret` is the only time it is shown. Audited. */
export async function createSubscription(
  deps: Deps,
  actor: Actor,
  input: NewSubscription,
): Promise<{ subscription: Subscription; secret: string }> {
  const school = await administer(deps, actor, input.schoolId);
  const fields: FieldError[] = [];
  const url = input.url.trim();
  const problem = url === '' ? 'Enter the address' : webhookUrlProblem(url, deps.config.webhooks.allowPrivateAddresses);
  if (problem) fields.push({ field: 'url', message: problem });
  const events = WEBHOOK_EVENT_NAMES.filter((e) => input.events.includes(e));
  if (events.length === 0 || events.length !== new Set(input.events).size)
    fields.push({ field: 'events', message: 'Choose the events to send' });
  const description = input.description.trim().replace(/\s+/g, ' ');
  if (description.length > 200) fields.push({ field: 'description', message: 'Keep it to 200 characters or fewer' });
  if (fields.length > 0) throw new AppError('VALIDATION', 'Check the webhook’s details.', { fields });
  const secret = `whsec_${newToken()}`;
  const now = deps.clock.now();
  const row = {
    id: newId(),
    schoolId: school.id,
    url,
    events,
    description,
    secretEnc: secretBox(deps.config).seal(secret),
    createdBy: actor.name,
    createdAt: now,
  };
  await deps.db.transaction().execute(async (trx) => {
    await insertSubscription(trx, row);
    await audit(trx, actor, now, {
      action: 'webhook.create',
      entityType: 'webhook',
      entityId: row.id,
      schoolId: school.id,
      details: { url, events },
    });
  });
  return {
    subscription: publicView({ ...row, disabledAt: null, secretRotatedAt: null, previousSecretUntil: null }),
    secret,
  };
}

/** How long the previous secret may keep signing after a rotation (docs/webhooks.md). */
export const SECRET_GRACE_HOURS = 24;

/**
 * Rotates a subscription's signing secret: a new `whsec_…` secret (returned: the only time it is
 * shown) signs every delivery from now; with `keepPrevious`, the previous secret also signs (a
 * second `v1=` in the signature header) for {@link SECRET_GRACE_HOURS} hours, so the receiver can
 * switch without refusing anything; without it, the previous secret stops at once. Audited.
 */
export async function rotateSubscriptionSecret(
  deps: Deps,
  actor: Actor,
  id: string,
  opts: { keepPrevious: boolean },
): Promise<{ subscription: Subscription; secret: string }> {
  const found = await findSubscription(deps.db, id);
  if (!found) throw new AppError('NOT_FOUND', 'No such webhook.');
  await administer(deps, actor, found.schoolId);
  if (found.disabledAt !== null) {
    throw new AppError('VALIDATION', 'This webhook is turned off: add a new one instead.', {
      fields: [{ field: 'keepPrevious', message: 'This webhook is turned off: add a new one instead' }],
    });
  }
  const now = deps.clock.now();
  const secret = `whsec_${newToken()}`;
  const previousUntil = opts.keepPrevious ? plusSeconds(now, SECRET_GRACE_HOURS * 3600) : null;
  await deps.db.transaction().execute(async (trx) => {
    await rotateSubscriptionSecretRow(trx, id, {
      secretEnc: secretBox(deps.config).seal(secret),
      previousSecretEnc: opts.keepPrevious ? found.secretEnc : null,
      previousUntil,
      at: now,
    });
    await audit(trx, actor, now, {
      action: 'webhook.rotateSecret',
      entityType: 'webhook',
      entityId: id,
      schoolId: found.schoolId,
      details: { url: found.url, previousSignsUntil: previousUntil },
    });
  });
  return {
    subscription: publicView({ ...found, secretRotatedAt: now, previousSecretUntil: previousUntil }),
    secret,
  };
}

export async function listSubscriptions(deps: Deps, actor: Actor, schoolId: string): Promise<Subscription[]> {
  await administer(deps, actor, schoolId);
  return (await subscriptionsOfSchool(deps.db, schoolId)).map(publicView);
}

/** Turns a subscription off: nothing more is queued for it, and what is pending is given up. Audited. */
export async function disableSubscription(deps: Deps, actor: Actor, id: string): Promise<void> {
  const found = await findSubscription(deps.db, id);
  if (!found) throw new AppError('NOT_FOUND', 'No such webhook.');
  await administer(deps, actor, found.schoolId);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    if (!(await disableSubscriptionRow(trx, id, now))) return;
    await audit(trx, actor, now, {
      action: 'webhook.disable',
      entityType: 'webhook',
      entityId: id,
      schoolId: found.schoolId,
      details: { url: found.url },
    });
  });
}

/** The delivery log: the latest deliveries of a school, or of one of its subscriptions. */
export async function deliveryLog(
  deps: Deps,
  actor: Actor,
  schoolId: string,
  subscriptionId?: string,
): Promise<Delivery[]> {
  await administer(deps, actor, schoolId);
  const rows = await recentDeliveries(deps.db, schoolId, { subscriptionId, limit: 100 });
  return rows.map(({ payload: _payload, ...rest }) => rest);
}

/** One subscription with its delivery log (the latest 100 deliveries, newest first). */
export async function subscriptionLog(
  deps: Deps,
  actor: Actor,
  id: string,
): Promise<{ subscription: Subscription; deliveries: Delivery[] }> {
  const found = await findSubscription(deps.db, id);
  if (!found) throw new AppError('NOT_FOUND', 'No such webhook.');
  await administer(deps, actor, found.schoolId);
  const rows = await recentDeliveries(deps.db, found.schoolId, { subscriptionId: id, limit: 100 });
  return { subscription: publicView(found), deliveries: rows.map(({ payload: _payload, ...rest }) => rest) };
}

/** A `mark.changed` event of one mark written (docs/webhooks.md). */
export function markChanged(
  w: {
    pupilId: string;
    date: string;
    session: string;
    code: string;
    minutesLate: number | null;
    previousCode: string | null;
  },
  lessonId: string | null,
  changedBy: string,
  source: 'register' | 'office' | 'amendment' | 'parent report' | 'leave',
): WebhookEventInput {
  return {
    pupilId: w.pupilId,
    data: {
      date: w.date,
      session: w.session,
      lessonId,
      code: w.code,
      minutesLate: w.minutesLate,
      previousCode: w.previousCode,
      changedBy,
      source,
    },
  };
}

/** One event to queue: the data, and the pupil it is about (sent as `pupil: { id, upn }`). */
export interface WebhookEventInput {
  readonly pupilId?: string | undefined;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * Queues events of one type at one school for every subscription that wants them, in the
 * caller's transaction where it has one (so an event is queued exactly when the change is
 * kept). Nothing is read beyond the subscriptions when no one subscribes. Returns the deliveries.
 */
export async function emitWebhookEvents(
  db: DbOrTrx,
  now: string,
  schoolId: string,
  type: WebhookEvent,
  events: readonly WebhookEventInput[],
): Promise<number> {
  if (events.length === 0) return 0;
  const subs = (await activeSubscriptions(db, schoolId)).filter((s) => s.events.includes(type));
  if (subs.length === 0) return 0;
  const school = await getSchool(db, schoolId);
  const upns = await pupilUpns(
    db,
    events.flatMap((e) => (e.pupilId ? [e.pupilId] : [])),
  );
  const rows = events.flatMap((e) => {
    const body: WebhookBody = {
      id: newId(),
      type,
      createdAt: now,
      school: { id: school.id, urn: school.urn },
      data: e.pupilId ? { pupil: { id: e.pupilId, upn: upns.get(e.pupilId) ?? null }, ...e.data } : e.data,
    };
    const payload = JSON.stringify(body);
    return subs.map((s) => ({
      id: newId(),
      subscriptionId: s.id,
      schoolId: s.schoolId,
      eventId: body.id,
      event: type,
      payload,
      nextAttemptAt: now,
      createdAt: now,
    }));
  });
  await insertDeliveries(db, rows);
  return rows.length;
}

/**
 * Marks written in bulk (an import, a CTF, N ageing) are sent as `marks.changed` batches to the
 * subscriptions that want `mark.changed`: one event per date, holding at most this many marks
 * (a date with more is split into parts, `part` of `parts`). See docs/webhooks.md.
 */
export const MARKS_PER_EVENT = 500;
/** Deliveries per insert (14 columns each, under SQLite's 32,766 bound values). */
const DELIVERIES_PER_INSERT = 1_000;

export type BulkMarkSource = 'import' | 'CTF' | 'N ageing';

/** One mark written in bulk: what it is now and what it was (null: no mark before). */
export interface BulkMark {
  readonly pupilId: string;
  readonly date: string;
  readonly session: string;
  readonly code: string;
  readonly minutesLate: number | null;
  readonly previousCode: string | null;
}

/**
 * Queues `marks.changed` batches for marks written in bulk, in the caller's transaction (so they
 * are queued exactly when the marks are kept). Nothing is read beyond the subscriptions when no
 * one wants `mark.changed`. Returns the deliveries queued. `marks` may be a function that makes
 * them, called only when someone subscribes (an import's year of marks is not copied for nobody).
 */
export async function emitBulkMarkChanges(
  db: DbOrTrx,
  now: string,
  schoolId: string,
  source: BulkMarkSource,
  changedBy: string,
  given: readonly BulkMark[] | { readonly count: number; readonly marks: () => readonly BulkMark[] },
): Promise<number> {
  if (('count' in given ? given.count : given.length) === 0) return 0;
  const subs = (await activeSubscriptions(db, schoolId)).filter((s) => s.events.includes('mark.changed'));
  if (subs.length === 0) return 0;
  const marks = 'count' in given ? given.marks() : given;
  const school = await getSchool(db, schoolId);
  const upns = await pupilUpns(db, [...new Set(marks.map((m) => m.pupilId))]);
  const byDate = new Map<string, BulkMark[]>();
  for (const m of marks) {
    const list = byDate.get(m.date) ?? [];
    list.push(m);
    byDate.set(m.date, list);
  }
  const rows: Parameters<typeof insertDeliveries>[1][number][] = [];
  for (const date of [...byDate.keys()].sort()) {
    const list = byDate
      .get(date)!
      .sort((a, b) => a.pupilId.localeCompare(b.pupilId) || a.session.localeCompare(b.session));
    const parts = Math.ceil(list.length / MARKS_PER_EVENT);
    for (let part = 0; part < parts; part++) {
      const body: BulkWebhookBody = {
        id: newId(),
        type: 'marks.changed',
        createdAt: now,
        school: { id: school.id, urn: school.urn },
        data: {
          date,
          source,
          changedBy,
          part: part + 1,
          parts,
          marks: list.slice(part * MARKS_PER_EVENT, (part + 1) * MARKS_PER_EVENT).map((m) => ({
            pupil: { id: m.pupilId, upn: upns.get(m.pupilId) ?? null },
            session: m.session,
            code: m.code,
            minutesLate: m.minutesLate,
            previousCode: m.previousCode,
          })),
        },
      };
      const payload = JSON.stringify(body);
      for (const s of subs)
        rows.push({
          id: newId(),
          subscriptionId: s.id,
          schoolId: s.schoolId,
          eventId: body.id,
          event: 'marks.changed',
          payload,
          nextAttemptAt: now,
          createdAt: now,
        });
    }
  }
  for (let i = 0; i < rows.length; i += DELIVERIES_PER_INSERT)
    await insertDeliveries(db, rows.slice(i, i + DELIVERIES_PER_INSERT));
  return rows.length;
}

/** The body of a `marks.changed` batch. */
export interface BulkWebhookBody {
  readonly id: string;
  readonly type: 'marks.changed';
  readonly createdAt: string;
  readonly school: { readonly id: string; readonly urn: string };
  readonly data: {
    readonly date: string;
    readonly source: BulkMarkSource;
    readonly changedBy: string;
    readonly part: number;
    readonly parts: number;
    readonly marks: readonly {
      readonly pupil: { readonly id: string; readonly upn: string | null };
      readonly session: string;
      readonly code: string;
      readonly minutesLate: number | null;
      readonly previousCode: string | null;
    }[];
  };
}

/**
 * The signature header's value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, one
 * `v1=` per secret (the current one first; after a rotation, the previous one during its grace).
 */
export function signatureHeader(secrets: string | readonly string[], unixSeconds: number, body: string): string {
  const macs = (typeof secrets === 'string' ? [secrets] : secrets).map(
    (secret) => `v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`,
  );
  return `t=${unixSeconds},${macs.join(',')}`;
}

function plusSeconds(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString();
}

export interface WebhookRunResult {
  readonly delivered: number;
  readonly retrying: number;
  readonly failed: number;
}

/**
 * Sends every delivery due by `now`, one at a time: a 2xx answer delivers it; anything else (an
 * error status, no answer, a refused address) is retried after the next back-off delay, and
 * given up as `failed` after {@link WEBHOOK_MAX_ATTEMPTS} attempts (audited).
 */
export async function deliverDueWebhooks(
  deps: Pick<Deps, 'db' | 'config' | 'logger'>,
  sender: WebhookSender,
  nowInput: string,
  opts: { limit?: number } = {},
): Promise<WebhookRunResult> {
  const now = new Date(nowInput).toISOString();
  const due = await dueDeliveries(deps.db, now, opts.limit ?? 100);
  const box = secretBox(deps.config);
  let delivered = 0;
  let retrying = 0;
  let failed = 0;
  for (const d of due) {
    if (!(await claimDelivery(deps.db, d, plusSeconds(now, LEASE_SECONDS)))) continue;
    const sub = await findSubscription(deps.db, d.subscriptionId);
    const attempts = d.attempts + 1;
    let statusCode: number | null = null;
    let error: string | null = null;
    if (!sub || sub.disabledAt !== null) {
      error = 'The webhook was turned off';
    } else {
      const t = Math.floor(Date.parse(now) / 1000);
      try {
        const answer = await sender.send({
          url: sub.url,
          body: d.payload,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Rollcall-Webhooks/1',
            [EVENT_HEADER]: d.event,
            [DELIVERY_HEADER]: d.id,
            [SIGNATURE_HEADER]: signatureHeader(
              sub.previousSecretEnc !== null && sub.previousSecretUntil !== null && sub.previousSecretUntil > now
                ? [box.open(sub.secretEnc), box.open(sub.previousSecretEnc)]
                : [box.open(sub.secretEnc)],
              t,
              d.payload,
            ),
          },
        });
        statusCode = answer.status;
        if (answer.status < 200 || answer.status > 299) error = `The receiver answered ${answer.status}`;
      } catch (e) {
        error = e instanceof Error ? e.message.slice(0, 500) : 'The request failed';
      }
    }
    const gone = !sub || sub.disabledAt !== null;
    const ok = error === null;
    const giveUp = !ok && (gone || attempts >= WEBHOOK_MAX_ATTEMPTS);
    await recordAttempt(deps.db, d.id, {
      status: ok ? 'delivered' : giveUp ? 'failed' : 'pending',
      attempts,
      at: now,
      nextAttemptAt: ok || giveUp ? now : plusSeconds(now, WEBHOOK_RETRY_DELAYS_SECONDS[attempts - 1]!),
      statusCode,
      error,
    });
    if (ok) delivered++;
    else if (giveUp) {
      failed++;
      deps.logger.warn({ delivery: d.id, event: d.event, attempts, error }, 'webhook delivery given up');
      await audit(deps.db, SYSTEM_ACTOR, now, {
        action: 'webhook.deliveryFailed',
        entityType: 'webhook',
        entityId: d.subscriptionId,
        schoolId: d.schoolId,
        details: { delivery: d.id, event: d.event, eventId: d.eventId, attempts, statusCode, error },
      });
    } else retrying++;
  }
  return { delivered, retrying, failed };
}

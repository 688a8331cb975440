/**
 * The message outbox. Use cases queue messages (a row in `messages`, inside their own
 * transaction); `deliverDue` sends what is due, one message at a time, and records the outcome.
 * A message that fails is retried with a growing delay and, after the last attempt, kept as
 * `failed` with the error: nothing is ever lost or deleted.
 *
 * Concurrency: each message is claimed with an optimistic `UPDATE … WHERE status = 'pending'
 * AND attempts = n AND next_attempt_at = t` before it is sent. Only one runner's update can
 * match, on SQLite and on PostgreSQL alike, so several runners (app instances, a CLI run beside
 * the scheduler) never send the same attempt twice. The claim also pushes `next_attempt_at` out
 * by a lease, so a runner that dies mid-send leaves the message to be retried, not stuck.
 * Delivery is at least once: a crash after the provider accepted a message but before the
 * outcome was written sends it again.
 */
import type { DbOrTrx } from '../db/connect.js';
import {
  claimMessage,
  countDueEmail,
  dueMessages,
  finishAttempt,
  insertMessage,
  messageRowsOfPupil,
  outboxRows,
  setDeliveryStatus,
  textsAwaitingDelivery,
} from '../db/messages.js';
import { PermanentSendError, type Mailer } from '../platform/mail.js';
import { newId } from '../platform/ids.js';
import type { SmsSender } from '../platform/sms.js';
import { audit } from './audit.js';
import { authorise, SYSTEM_ACTOR, type Actor } from './authz.js';
import type { Deps } from './deps.js';
import { cleanText, oneLine } from './text-safety.js';
import { AppError, type FieldError } from './errors.js';
import { letterAttachments } from './casework/letters/letter-pdf.js';

export type Channel = 'email' | 'sms';
/**
 * `pending`: queued (waiting to be sent, or for email when no server is configured); `sent`: the
 * provider accepted it; `delivered`: the provider says it arrived (texts through Notify);
 * `failed`: given up, with the provider's reason.
 */
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'failed';

/**
 * Minutes to wait after the 1st, 2nd… failed attempt. One entry fewer than {@link MAX_ATTEMPTS}:
 * the last failure marks the message failed.
 */
export const RETRY_DELAYS_MINUTES = [1, 5, 30, 120, 480] as const;
/** Attempts before a message is given up as `failed`. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MINUTES.length + 1;
/** How long a claimed message is left alone before another runner may try it (a crashed runner). */
export const CLAIM_LEASE_MINUTES = 15;
/** GOV.UK Notify's limit for one text message (six fragments). */
export const SMS_MAX_LENGTH = 918;

export interface QueueMessageInput {
  readonly schoolId: string;
  readonly pupilId: string | null;
  readonly channel: Channel;
  /** An email address or a UK mobile number (07…, +447…, spaces allowed). */
  readonly to: string;
  /** Email only. */
  readonly subject?: string | null | undefined;
  readonly body: string;
  /** What the message is for, e.g. `first-day`, `summary`, `leave-decision`. */
  readonly kind: string;
  readonly createdBy: string;
  readonly now: string;
}

const EMAIL = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/;

/** The address trimmed and checked, or null (no CR/LF, one `@`, a dot in the domain, ≤ 254 characters). */
export function normaliseEmail(input: string): string | null {
  const s = input.trim();
  return s.length <= 254 && EMAIL.test(s) ? s : null;
}

/** A UK mobile number in E.164 (`+447…`), or null. Accepts `07700 900123`, `+44 7700 900123`, `0044…`. */
export function normaliseUkMobile(input: string): string | null {
  const s = input.replace(/[\s\-().]/g, '');
  const m = /^(?:\+44|0044|44|0)(7\d{9})$/.exec(s);
  return m ? `+44${m[1]!}` : null;
}

/** Checks a message and returns the row's address; throws VALIDATION naming each bad field. */
function validate(input: QueueMessageInput): string {
  const fields: FieldError[] = [];
  let to: string | null = null;
  if (input.channel === 'email') {
    to = normaliseEmail(input.to);
    if (!to) fields.push({ field: 'to', message: `"${input.to}" is not an email address, like name@example.com.` });
    const subject = input.subject?.trim() ?? '';
    if (!subject) fields.push({ field: 'subject', message: 'An email needs a subject.' });
    else if (/[\r\n]/.test(subject) || subject.length > 200) {
      fields.push({ field: 'subject', message: 'The subject must be one line of at most 200 characters.' });
    }
  } else if (input.channel === 'sms') {
    to = normaliseUkMobile(input.to);
    if (!to) {
      fields.push({
        field: 'to',
        message: `"${input.to}" is not a UK mobile number: it should start 07 or +447 and have 11 digits, like 07700 900123.`,
      });
    }
    if (input.body.length > SMS_MAX_LENGTH) {
      fields.push({ field: 'body', message: `A text message can be at most ${SMS_MAX_LENGTH} characters.` });
    }
  } else {
    fields.push({ field: 'channel', message: 'The channel must be email or sms.' });
  }
  if (!input.body.trim()) fields.push({ field: 'body', message: 'The message is empty.' });
  if (!input.kind.trim()) fields.push({ field: 'kind', message: 'Say what the message is for.' });
  if (fields.length > 0 || !to) throw new AppError('VALIDATION', 'The message cannot be sent as it is.', { fields });
  return to;
}

/**
 * Puts a message in the outbox (due at once) and returns its id. Runs in the caller's
 * transaction, so the message is queued if and only if the change it reports is saved. With an
 * actor the queueing is audited here; without one the caller audits (e.g. one row per batch).
 */
export async function queueMessage(db: DbOrTrx, raw: QueueMessageInput, actor?: Actor): Promise<string> {
  // NUL, control characters and bidi overrides (e.g. from an imported name) never reach a
  // message; a subject is one line whatever a name in it held.
  const input: QueueMessageInput = {
    ...raw,
    body: cleanText(raw.body),
    subject: raw.subject === null || raw.subject === undefined ? raw.subject : oneLine(raw.subject),
  };
  const to = validate(input);
  const id = newId();
  await insertMessage(db, {
    id,
    school_id: input.schoolId,
    pupil_id: input.pupilId,
    channel: input.channel,
    to_address: to,
    subject: input.channel === 'email' ? (input.subject?.trim() ?? null) : null,
    body: input.body,
    kind: input.kind,
    status: 'pending',
    attempts: 0,
    next_attempt_at: input.now,
    last_error: null,
    provider_id: null,
    created_by: input.createdBy,
    created_at: input.now,
    sent_at: null,
  });
  if (actor) {
    await audit(db, actor, input.now, {
      action: 'message.queue',
      entityType: 'message',
      entityId: id,
      pupilId: input.pupilId,
      schoolId: input.schoolId,
      details: { channel: input.channel, kind: input.kind },
    });
  }
  return id;
}

function addMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}

export interface DeliverResult {
  /** Sent this run. */
  readonly sent: number;
  /** Failed this run and queued again for later. */
  readonly retry: number;
  /** Failed for the last time this run: now `failed`. */
  readonly failed: number;
  /** Due, but taken by another runner first. */
  readonly skipped: number;
  /** Due email left waiting because SMTP is not configured. */
  readonly waitingForSmtp: number;
}

interface Outcome {
  status?: MessageStatus;
  provider_id?: string;
  sent_at?: string;
  next_attempt_at?: string;
  last_error: string | null;
}

export interface DeliverDeps extends Pick<Deps, 'db' | 'logger'> {
  /** Null when SMTP is not configured: email stays pending. */
  readonly mailer: Mailer | null;
  readonly sms: SmsSender;
}

/**
 * Sends up to `limit` messages due at `now` (oldest due first) and records each outcome. Safe to
 * run concurrently and to re-run: see the file comment. Writes one audit row per run that did
 * anything.
 */
export async function deliverDue(
  deps: DeliverDeps,
  nowInput: string,
  opts: { limit?: number } = {},
): Promise<DeliverResult> {
  const now = new Date(nowInput).toISOString();
  const limit = opts.limit ?? 100;
  const due = await dueMessages(deps.db, now, { withEmail: deps.mailer !== null, limit });
  const waitingForSmtp = deps.mailer ? 0 : await countDueEmail(deps.db, now);

  let sent = 0;
  let retry = 0;
  let failed = 0;
  let skipped = 0;
  const failedIds: string[] = [];
  for (const m of due) {
    const attempt = m.attempts + 1;
    const claimed = await claimMessage(deps.db, m, {
      attempts: attempt,
      next_attempt_at: addMinutes(now, CLAIM_LEASE_MINUTES),
    });
    if (!claimed) {
      skipped++;
      continue;
    }
    /** Records the outcome, unless another runner has taken the message since (an expired lease). */
    const finish = (values: Outcome): Promise<void> => finishAttempt(deps.db, m.id, attempt, values);
    try {
      const { providerId } = await send(deps, m);
      await finish({ status: 'sent', provider_id: providerId, sent_at: now, last_error: null });
      sent++;
    } catch (e) {
      const error = (e instanceof Error ? e.message : 'unknown error').slice(0, 500);
      // A refusal retrying cannot change (a 4xx from Notify, a 5xx from SMTP) fails at once.
      if (attempt >= MAX_ATTEMPTS || e instanceof PermanentSendError) {
        await finish({ status: 'failed', last_error: error });
        failed++;
        failedIds.push(m.id);
        deps.logger.warn({ messageId: m.id, attempts: attempt }, 'message failed for the last time');
      } else {
        const delay = RETRY_DELAYS_MINUTES[attempt - 1] ?? 480;
        await finish({ next_attempt_at: addMinutes(now, delay), last_error: error });
        retry++;
        deps.logger.info({ messageId: m.id, attempts: attempt }, 'message failed; will retry');
      }
    }
  }
  const result = { sent, retry, failed, skipped, waitingForSmtp };
  if (sent + retry + failed > 0) {
    await audit(deps.db, SYSTEM_ACTOR, now, {
      action: 'messages.deliver',
      entityType: 'messages',
      details: { sent, retry, failed, failedIds },
    });
  }
  return result;
}

async function send(
  deps: DeliverDeps,
  m: { id: string; channel: string; to_address: string; subject: string | null; body: string },
): Promise<{ providerId: string }> {
  // Our message id goes with the text as Notify's `reference`.
  if (m.channel === 'sms') return deps.sms.send(m.to_address, m.body, m.id);
  if (m.channel === 'email' && deps.mailer) {
    // A letter sent by email carries its PDF (services/letters).
    const attachments = await letterAttachments(deps.db, m.id);
    return deps.mailer.send({
      to: m.to_address,
      subject: oneLine(m.subject ?? ''),
      text: cleanText(m.body),
      ...(attachments.length > 0 ? { attachments } : {}),
    });
  }
  throw new Error(`cannot send on channel ${m.channel}`);
}

export interface MessageView {
  readonly id: string;
  readonly channel: Channel;
  readonly to: string;
  readonly subject: string | null;
  readonly body: string;
  readonly kind: string;
  readonly status: MessageStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly lastError: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly sentAt: string | null;
}

/**
 * A pupil's messages, newest first, for the chronology. Not authorised here: the caller shows
 * them only to those who may see the pupil's contacts.
 */
export async function messagesForPupil(db: DbOrTrx, pupilId: string): Promise<MessageView[]> {
  const rows = await messageRowsOfPupil(db, pupilId);
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel as Channel,
    to: r.to_address,
    subject: r.subject,
    body: r.body,
    kind: r.kind,
    status: r.status as MessageStatus,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    createdBy: r.created_by,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  }));
}

/** How long after sending a text's delivery is still asked about (Notify keeps 7 days). */
const POLL_DAYS = 7;

/**
 * Asks the SMS provider what became of texts it accepted (Notify: delivered, or failed and why)
 * and records it: `delivered` with the time, or `failed` with the provider's reason. Texts sent
 * through the log sender have nothing to ask. Returns how many changed.
 */
export async function pollDelivery(
  deps: DeliverDeps,
  nowInput: string,
  opts: { limit?: number } = {},
): Promise<{ delivered: number; failed: number; stillSending: number }> {
  const now = new Date(nowInput).toISOString();
  if (!deps.sms.status) return { delivered: 0, failed: 0, stillSending: 0 };
  const since = new Date(Date.parse(now) - POLL_DAYS * 86_400_000).toISOString();
  const rows = await textsAwaitingDelivery(deps.db, since, opts.limit ?? 200);
  let delivered = 0;
  let failed = 0;
  let stillSending = 0;
  for (const r of rows) {
    if (!r.provider_id || r.provider_id.startsWith('log-')) continue;
    let s;
    try {
      s = await deps.sms.status(r.provider_id);
    } catch (e) {
      deps.logger.info(
        { messageId: r.id, err: e instanceof Error ? e.message : 'unknown' },
        'delivery status not read',
      );
      continue;
    }
    if (s.state === 'delivered') {
      await setDeliveryStatus(deps.db, r.id, {
        status: 'delivered',
        provider_status: s.providerStatus,
        delivered_at: now,
      });
      delivered++;
    } else if (s.state === 'failed') {
      await setDeliveryStatus(deps.db, r.id, {
        status: 'failed',
        provider_status: s.providerStatus,
        last_error: s.reason,
      });
      failed++;
    } else {
      await setDeliveryStatus(deps.db, r.id, { provider_status: s.providerStatus });
      stillSending++;
    }
  }
  if (delivered + failed > 0) {
    await audit(deps.db, SYSTEM_ACTOR, now, {
      action: 'messages.status',
      entityType: 'messages',
      details: { delivered, failed },
    });
  }
  return { delivered, failed, stillSending };
}

export interface OutboxRow {
  readonly id: string;
  readonly channel: Channel;
  readonly to: string;
  readonly pupilName: string | null;
  readonly subject: string | null;
  readonly body: string;
  readonly kind: string;
  readonly status: MessageStatus;
  /** What really happened, in words ("Queued: no email server is configured"). */
  readonly statusInWords: string;
  /** A text "sent" with SMS_PROVIDER=log: written to the log, never to a phone. */
  readonly loggedOnly: boolean;
  readonly reason: string | null;
  readonly attempts: number;
  readonly createdAt: string;
  readonly sentAt: string | null;
  readonly deliveredAt: string | null;
}

/** A message's state in words, saying why when it is waiting or failed. */
export function statusInWords(
  m: {
    status: string;
    channel: string;
    attempts: number;
    last_error: string | null;
    provider_status: string | null;
    provider_id?: string | null;
  },
  emailConfigured: boolean,
): string {
  if (m.status === 'delivered') return 'Delivered';
  if (m.status === 'failed') return `Failed${m.last_error ? `: ${m.last_error}` : ''}`;
  // SMS_PROVIDER=log "sends" by writing a line to the log (logSmsSender's ids start `log-`).
  if (m.status === 'sent' && m.channel === 'sms' && m.provider_id?.startsWith('log-'))
    return 'Not sent to a phone: written to the log only (no text message provider is configured)';
  if (m.status === 'sent')
    return m.channel === 'sms' && m.provider_status ? `Sent (provider: ${m.provider_status})` : 'Sent';
  if (m.channel === 'email' && !emailConfigured) return 'Queued: no email server is configured';
  if (m.attempts > 0) return `Queued: will try again${m.last_error ? ` (last try: ${m.last_error})` : ''}`;
  return 'Queued: will be sent within a minute';
}

/** The school's outbox, newest first: who, what, when, and what happened. */
export async function listOutbox(
  deps: Pick<Deps, 'db' | 'config'>,
  actor: Actor,
  school: { id: string; trustId: string | null; laCode: string },
  opts: { status?: MessageStatus | null; limit?: number } = {},
): Promise<OutboxRow[]> {
  authorise(actor, 'messages.view', {
    kind: 'school',
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  });
  const rows = await outboxRows(deps.db, school.id, { status: opts.status ?? null, limit: opts.limit ?? 200 });
  const emailConfigured = deps.config.mail.smtpUrl !== null;
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel as Channel,
    to: r.to_address,
    pupilName: r.legal_surname
      ? `${r.preferred_forename ?? r.legal_forename ?? ''} ${r.preferred_surname ?? r.legal_surname}`.trim()
      : null,
    subject: r.subject,
    body: r.body,
    kind: r.kind,
    status: r.status as MessageStatus,
    statusInWords: statusInWords(r, emailConfigured),
    loggedOnly: r.status === 'sent' && r.channel === 'sms' && (r.provider_id ?? '').startsWith('log-'),
    reason: r.last_error,
    attempts: r.attempts,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    deliveredAt: r.delivered_at,
  }));
}

/**
 * `rollcall messages deliver` and `rollcall messages summaries`: thin commands over the outbox
 * and the half-term summaries. Each resolves to its exit code.
 */
import type { PlainDate } from '@rollcall/domain';
import { findSchoolByUrn } from '../services/school/schools.js';
import { createMailer, type Mailer } from '../platform/mail.js';
import { createSmsSender, type SmsSender } from '../platform/sms.js';
import { SYSTEM_ACTOR } from '../services/authz.js';
import type { Deps } from '../services/deps.js';
import { AppError, EXIT_CODE } from '../services/errors.js';
import { convertStaleN } from '../services/follow-up/n-ageing.js';
import { deliverDue } from '../services/messages.js';
import { queueHalfTermSummaries } from '../services/follow-up/summaries.js';
import type { CliIO } from './io.js';

export interface DeliverOptions {
  /** Most messages to send in this run (default 100). */
  readonly limit?: number | undefined;
  /** Overrides of the configured senders (tests); built from the config when absent. */
  readonly mailer?: Mailer | null | undefined;
  readonly sms?: SmsSender | undefined;
}

/** Sends the messages due now; prints how many were sent, will be retried and failed. */
export async function runDeliver(
  deps: Deps,
  io: Pick<CliIO, 'stdout' | 'stderr'>,
  opts: DeliverOptions = {},
): Promise<number> {
  const ownMailer = opts.mailer === undefined;
  const mailer = ownMailer ? createMailer(deps.config.mail) : (opts.mailer ?? null);
  const sms = opts.sms ?? createSmsSender(deps.config.sms, deps.logger, deps.clock);
  try {
    const r = await deliverDue({ db: deps.db, logger: deps.logger, mailer, sms }, deps.clock.now(), {
      limit: opts.limit,
    });
    io.stdout(`Sent ${r.sent}, to retry later ${r.retry}, failed ${r.failed}\n`);
    if (r.skipped > 0) io.stdout(`${r.skipped} taken by another run\n`);
    if (r.waitingForSmtp > 0) {
      io.stderr(`${r.waitingForSmtp} email(s) waiting: SMTP_URL is not set, so email is not sent\n`);
    }
    return 0;
  } finally {
    if (ownMailer) mailer?.close();
  }
}

export interface SummariesOptions {
  readonly schoolUrn: string;
  readonly asOf: PlainDate;
}

/** Queues the half-term summaries of one school; prints progress every 100 pupils and a total. */
export async function runSummaries(
  deps: Deps,
  io: Pick<CliIO, 'stdout' | 'stderr'>,
  opts: SummariesOptions,
): Promise<number> {
  try {
    const school = await findSchoolByUrn(deps.db, opts.schoolUrn.trim());
    if (!school) throw new AppError('NOT_FOUND', `No school with URN ${opts.schoolUrn}.`);
    const r = await queueHalfTermSummaries(deps, SYSTEM_ACTOR, {
      schoolId: school.id,
      asOf: opts.asOf,
      onProgress: (p) => io.stdout(`${p.done} of ${p.total} pupils\n`),
    });
    io.stdout(
      `Queued ${r.email + r.sms} summaries for ${r.pupils} pupils at ${school.name}: ${r.email} email, ${r.sms} text\n`,
    );
    if (r.alreadyQueued > 0) io.stdout(`${r.alreadyQueued} already queued by an earlier run (not queued again)\n`);
    if (r.noContact > 0) {
      io.stdout(`${r.noContact} pupil(s) with no contact with parental responsibility to email or text\n`);
    }
    if (r.noSessions > 0) io.stdout(`${r.noSessions} pupil(s) with no sessions yet this year (nothing to report)\n`);
    io.stdout('Run `rollcall messages deliver` (or wait for the scheduler) to send them.\n');
    return 0;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    io.stderr(`rollcall messages summaries: ${e.message}\n`);
    for (const f of e.details.fields ?? []) io.stderr(`  ${f.field}: ${f.message}\n`);
    return EXIT_CODE[e.code];
  }
}

/** Converts a school's stale N marks under its policy; prints what changed and who was told. */
export async function runConvertStaleN(
  deps: Deps,
  io: Pick<CliIO, 'stdout' | 'stderr'>,
  opts: { schoolUrn: string; asOf: PlainDate },
): Promise<number> {
  try {
    const school = await findSchoolByUrn(deps.db, opts.schoolUrn.trim());
    if (!school) throw new AppError('NOT_FOUND', `No school with URN ${opts.schoolUrn}.`);
    const converted = await convertStaleN(deps, SYSTEM_ACTOR, { schoolId: school.id, asOf: opts.asOf });
    const told = converted.reduce((n, c) => n + c.told, 0);
    io.stdout(`Converted ${converted.length} N mark(s) to O at ${school.name}; ${told} message(s) to parents queued\n`);
    return 0;
  } catch (e) {
    if (e instanceof AppError) {
      io.stderr(`rollcall convert-stale-n: ${e.message}\n`);
      return EXIT_CODE[e.code];
    }
    throw e;
  }
}

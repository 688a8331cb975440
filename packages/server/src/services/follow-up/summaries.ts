/**
 * Half-term attendance summaries for parents: for every pupil on roll, one message to each
 * contact with parental responsibility (email when they have one, else a text to their mobile)
 * with the pupil's attendance this school year, the sessions missed and the school's band.
 */
import {
  analysisContext,
  firstSessionOnOrAfter,
  lastSessionOnOrBefore,
  measurePupil,
  type PlainDate,
  type Session,
} from '@rollcall/domain';
import {
  messagesOfKind,
  parentalContactsOfSchool,
  pupilsOnRollOn,
  schoolMarksBetween,
} from '../../db/follow-up/summaries.js';
import type { MarkRow } from '../../db/pupils/pupils.js';
import { getSchool } from '../school/schools.js';
import { audit } from '../audit.js';
import { can, type Actor, type Role } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { normaliseEmail, normaliseUkMobile, queueMessage, type Channel } from '../messages.js';
import { layMarks } from '../pupils/pupils.js';
import { schoolCalendar } from '../registers/registers.js';
import type { SchoolPolicy } from '../policy/school-policy.js';

export interface AttendanceBand {
  /** Lowest attendance (percent, inclusive) in the band. */
  readonly from: number;
  readonly label: string;
  /** A sentence for parents. */
  readonly advice: string;
}

/**
 * The default bands, highest first: 96%+ Excellent, 95–96 Good, 90–95 Concern, 50–90 Serious
 * concern, below 50 Severe. 96% is the seed schools' expected standard; below 90% is persistent
 * and below 50% severe absence, as the DfE defines them. The casework issue will make these a
 * school's policy.
 *
 * @see ../shared/seeds/002 (STOCCAT framework: a goal of 96% and higher; Track 2 below 90% / 50%)
 * @see ../shared/seeds/001 (the school's attendance target is 96 percent; severe absence over 50 percent)
 */
export const DEFAULT_ATTENDANCE_BANDS: readonly AttendanceBand[] = [
  { from: 96, label: 'Excellent', advice: 'Thank you for making sure your child attends so well.' },
  { from: 95, label: 'Good', advice: 'Every day counts: please help your child to keep this up.' },
  {
    from: 90,
    label: 'Concern',
    advice:
      'This is below the school’s expected standard of 96%. Please talk to us if there is anything we can help with.',
  },
  {
    from: 50,
    label: 'Serious concern',
    advice:
      'Your child is persistently absent: they are missing one day or more in every ten. Please contact the school so that we can agree how to support them.',
  },
  {
    from: 0,
    label: 'Severe',
    advice:
      'Your child is severely absent: they are missing half of their education or more. Please contact the school as soon as you can so that we can support them.',
  },
];

/**
 * The bands of the school's half-termly letter: its policy's `halfTermlyLetter.bands` (rates as
 * fractions there, percentages here), else the defaults above.
 */
export function summaryBandsOf(policy: SchoolPolicy): readonly AttendanceBand[] {
  const bands = policy.halfTermlyLetter?.bands;
  if (!bands || bands.length === 0) return DEFAULT_ATTENDANCE_BANDS;
  return bands.map((b) => ({ from: Math.round(b.from * 1000) / 10, label: b.label, advice: b.advice }));
}

/** The band of an attendance percentage. */
export function bandFor(percent: number, bands: readonly AttendanceBand[] = DEFAULT_ATTENDANCE_BANDS): AttendanceBand {
  for (const b of bands) if (percent >= b.from) return b;
  return bands[bands.length - 1]!;
}

/** Who may send summaries to every family of a school (besides seeing its pupil lists). */
const SUMMARY_ROLES: readonly Role[] = ['attendance_officer', 'senior_leader', 'admin'];

export const SUMMARY_KIND = 'summary';
const PROGRESS_EVERY = 100;

export interface SummaryProgress {
  readonly done: number;
  readonly total: number;
}

export interface SummaryResult {
  readonly pupils: number;
  readonly email: number;
  readonly sms: number;
  /** Pupils with no contact with parental responsibility who has a usable email or mobile. */
  readonly noContact: number;
  /** Pupils with no possible sessions yet this year (nothing to report). */
  readonly noSessions: number;
  /** Messages already queued by an earlier run for the same date (not queued again). */
  readonly alreadyQueued: number;
}

const LONG_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function longDate(d: PlainDate): string {
  return LONG_DATE.format(new Date(`${d}T12:00:00Z`));
}

/**
 * Queues one summary per pupil on roll and contact with parental responsibility, in one
 * transaction (all or nothing), calling `onProgress` every 100 pupils. Re-running for the same
 * date queues nothing twice. Audited as one row.
 */
export async function queueHalfTermSummaries(
  deps: Deps,
  actor: Actor,
  opts: { schoolId: string; asOf: PlainDate; onProgress?: (p: SummaryProgress) => void },
): Promise<SummaryResult> {
  const school = await getSchool(deps.db, opts.schoolId);
  const resource = { kind: 'school' as const, schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
  if (!can(actor, 'school.viewPupilLists', resource) || !SUMMARY_ROLES.includes(actor.role)) {
    throw new AppError('FORBIDDEN', 'You do not have permission to send attendance summaries.', {
      action: 'summaries.queue',
    });
  }
  const cal = await schoolCalendar(deps, school.id);
  const ctx = analysisContext(cal, { asOf: opts.asOf, minPossibleSessions: school.policy.minPossibleSessions });
  const bands = summaryBandsOf(school.policy);
  const target = school.policy.target === undefined ? undefined : `${Math.round(school.policy.target * 1000) / 10}%`;
  const now = deps.clock.now();

  const pupils = await pupilsOnRollOn(deps.db, school.id, opts.asOf);

  const contactRows = await parentalContactsOfSchool(deps.db, school.id);
  const contacts = groupBy(contactRows, (c) => c.pupil_id);

  const markRows = await schoolMarksBetween(deps.db, school.id, ctx.periodFrom, opts.asOf);
  const marks = groupBy(
    markRows.map((r): MarkRow => ({
      pupilId: r.pupil_id,
      date: r.date as PlainDate,
      session: r.session as Session,
      code: r.code,
      minutesLate: r.minutes_late,
      updatedAt: '',
      updatedBy: null,
    })),
    (m) => m.pupilId,
  );

  const subjectDate = longDate(opts.asOf);
  const existing = new Set(
    (await messagesOfKind(deps.db, school.id, SUMMARY_KIND)).map(
      (m) => `${m.pupil_id}|${m.to_address}|${m.subject ?? firstLine(m.body)}`,
    ),
  );

  let email = 0;
  let sms = 0;
  let noContact = 0;
  let noSessions = 0;
  let alreadyQueued = 0;
  await deps.db.transaction().execute(async (trx) => {
    for (let i = 0; i < pupils.length; i++) {
      const p = pupils[i]!;
      const laid = layMarks(cal, marks.get(p.id) ?? []);
      const measures = measurePupil(cal, ctx, {
        codes: laid.codes,
        minutesLate: laid.minutesLate,
        rollFrom: firstSessionOnOrAfter(cal, p.admission_date as PlainDate),
        rollTo: p.leaving_date ? lastSessionOnOrBefore(cal, p.leaving_date as PlainDate) : cal.sessionCount - 1,
      });
      if (measures.attendanceRate === null) {
        noSessions++;
      } else {
        const percent = measures.attendanceRate * 100;
        const facts: SummaryFacts = {
          school: school.name,
          pupil: `${p.preferred_forename ?? p.legal_forename} ${p.preferred_surname ?? p.legal_surname}`,
          from: longDate(ctx.periodStart),
          asOf: subjectDate,
          percent: formatPercent(percent),
          missed: measures.authorisedAbsenceSessions + measures.unauthorisedAbsenceSessions,
          possible: measures.possibleSessions,
          band: bandFor(percent, bands),
          target,
        };
        let reached = 0;
        for (const c of contacts.get(p.id) ?? []) {
          const address = c.email ? normaliseEmail(c.email) : null;
          const mobile = !address && c.mobile_phone ? normaliseUkMobile(c.mobile_phone) : null;
          const channel: Channel | null = address ? 'email' : mobile ? 'sms' : null;
          if (!channel) continue;
          reached++;
          const to = (address ?? mobile)!;
          const text = channel === 'email' ? emailSummary(c.name, facts) : smsSummary(facts);
          const key = `${p.id}|${to}|${text.subject ?? firstLine(text.body)}`;
          if (existing.has(key)) {
            alreadyQueued++;
            continue;
          }
          existing.add(key);
          await queueMessage(trx, {
            schoolId: school.id,
            pupilId: p.id,
            channel,
            to,
            subject: text.subject,
            body: text.body,
            kind: SUMMARY_KIND,
            createdBy: actor.userId,
            now,
          });
          if (channel === 'email') email++;
          else sms++;
        }
        if (reached === 0) noContact++;
      }
      if ((i + 1) % PROGRESS_EVERY === 0) opts.onProgress?.({ done: i + 1, total: pupils.length });
    }
    await audit(trx, actor, now, {
      action: 'messages.queueSummaries',
      entityType: 'school',
      entityId: school.id,
      schoolId: school.id,
      details: { asOf: opts.asOf, pupils: pupils.length, email, sms, noContact, noSessions, alreadyQueued },
    });
  });
  if (pupils.length % PROGRESS_EVERY !== 0) opts.onProgress?.({ done: pupils.length, total: pupils.length });
  return { pupils: pupils.length, email, sms, noContact, noSessions, alreadyQueued };
}

interface SummaryFacts {
  readonly school: string;
  readonly pupil: string;
  readonly from: string;
  readonly asOf: string;
  readonly percent: string;
  readonly missed: number;
  readonly possible: number;
  readonly band: AttendanceBand;
  /** The school's attendance target in words ('96%'), when its policy sets one. */
  readonly target?: string | undefined;
}

/** One decimal place, rounded down so that 95.99% never reads as 96.0% while banded Good. */
export function formatPercent(percent: number): string {
  return `${(Math.floor(percent * 10 + 1e-9) / 10).toFixed(1)}%`;
}

function emailSummary(contactName: string, f: SummaryFacts): { subject: string; body: string } {
  const subject = `Attendance summary for ${f.pupil} to ${f.asOf}`;
  const body = [
    `Dear ${contactName},`,
    '',
    `This is ${f.pupil}’s attendance at ${f.school} this school year, from ${f.from} to ${f.asOf}.`,
    '',
    `Attendance: ${f.percent}`,
    `Sessions missed: ${f.missed} of ${f.possible} (a session is a morning or an afternoon)`,
    `The school rates this as: ${f.band.label}`,
    ...(f.target ? [`The school’s attendance target: ${f.target}`] : []),
    '',
    f.band.advice,
    '',
    'If you think any of this is wrong, or you would like to talk about it, please contact the school office.',
    '',
    f.school,
  ].join('\n');
  return { subject, body };
}

function smsSummary(f: SummaryFacts): { subject: null; body: string } {
  return {
    subject: null,
    body:
      `${f.school}: ${f.pupil}’s attendance this school year to ${f.asOf} is ${f.percent} ` +
      `(${f.missed} of ${f.possible} sessions missed): ${f.band.label}. ` +
      'Please contact the school office with any questions.',
  };
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0] ?? '';
}

function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

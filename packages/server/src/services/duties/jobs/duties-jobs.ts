/**
 * The statutory-duties jobs: register close, daily evaluation, N ageing, the message outbox,
 * weekly and half-termly reports, and returns due. Each works through every school and is safe
 * to run again (the runner records one run per job and date; the work itself is idempotent too).
 *
 * @see ../../../../../docs/jobs.md
 */
import { lookupCode, mondayOf, type PlainDate, type SchoolCalendar } from '@rollcall/domain';
import { termContaining } from '../../../db/duties/duties-jobs.js';
import { schoolSessionCodesBetween } from '../../../db/duties/returns.js';
import { listSchools, type School } from '../../school/schools.js';
import { createMailer } from '../../../platform/mail.js';
import { createSmsSender } from '../../../platform/sms.js';
import { audit } from '../../audit.js';
import { evaluateSchool } from '../../casework/evaluation.js';
import { maxNewEntriesPerRun } from '../../casework/policy.js';
import { deliverDue, pollDelivery } from '../../messages.js';
import { convertStaleN } from '../../follow-up/n-ageing.js';
import { registerBoard, schoolCalendar } from '../../registers/registers.js';
import { prepareReturns, RETURN_KINDS, type ReturnKind } from '../returns/returns.js';
import { queueHalfTermSummaries } from '../../follow-up/summaries.js';
import { raiseDslAlert } from '../../safeguarding/safeguarding.js';
import { worklist } from '../../follow-up/worklist.js';
import { registerJob, type JobContext, type JobSummary } from './registry.js';

/**
 * Runs `fn` for every school (or the run's one school) for which `date` is a school day; the
 * results by school URN.
 */
async function forEachSchoolDay(ctx: JobContext, fn: (school: School) => Promise<JobSummary>): Promise<JobSummary> {
  const out: Record<string, unknown> = {};
  for (const school of await listSchools(ctx.deps.db)) {
    if (ctx.schoolId !== null && school.id !== ctx.schoolId) continue;
    const cal = await schoolCalendar(ctx.deps, school.id);
    if (!cal.dayByDate.has(ctx.date)) {
      out[school.urn] = { skipped: 'not a school day' };
      continue;
    }
    out[school.urn] = await fn(school);
  }
  return out;
}

/** True when no later school day falls in the same Monday–Sunday week. */
function isLastSchoolDayOfWeek(cal: SchoolCalendar, date: PlainDate): boolean {
  const d = cal.dayByDate.get(date);
  if (d === undefined) return false;
  const next = cal.dayDate[d + 1];
  return next === undefined || mondayOf(next) !== mondayOf(date);
}

registerJob({
  name: 'register-close',
  description:
    'After the morning register closes: flag registers not taken (audited, shown on the register board) and build the day’s worklist of unexplained absences.',
  schedule: '30 10 * * 1-5',
  scheduleInWords: 'Monday to Friday at 10:30 (after the latest register close a policy allows)',
  run: (ctx) =>
    forEachSchoolDay(ctx, async (school) => {
      const board = await registerBoard(ctx.deps, ctx.actor, { schoolId: school.id, date: ctx.date });
      const notTaken = board.rows.flatMap((r) =>
        (['AM', 'PM'] as const).filter((s) => r.sessions[s].status === 'notTaken').map((s) => `${r.group.name} ${s}`),
      );
      if (notTaken.length > 0) {
        await audit(ctx.deps.db, ctx.actor, ctx.deps.clock.now(), {
          action: 'registers.notTaken',
          entityType: 'school',
          entityId: school.id,
          schoolId: school.id,
          details: { date: ctx.date, registers: notTaken },
        });
      }
      const list = await worklist(ctx.deps, ctx.actor, { schoolId: school.id, date: ctx.date });
      // A vulnerable pupil's unexplained absence past the register's close: the DSL is told at once.
      let dslAlerts = 0;
      for (const e of list.entries.filter((x) => x.vulnerable)) {
        const raised = await raiseDslAlert(ctx.deps.db, {
          schoolId: school.id,
          schoolName: school.name,
          pupilId: e.pupilId,
          kind: 'vulnerable_absence',
          sourceId: `${e.pupilId}/${ctx.date}`,
          summary: `Unexplained absence on ${ctx.date} (${e.nSessions.join(', ')}; day ${e.consecutiveDays} of unexplained absence) of a pupil on the vulnerable list.`,
          raisedBy: ctx.actor,
          now: ctx.deps.clock.now(),
        });
        if (raised) dslAlerts++;
      }
      return {
        registersNotTaken: notTaken,
        worklist: list.entries.length,
        dslAlerts,
      };
    }),
});

registerJob({
  name: 'daily-evaluation',
  description:
    'Evaluate every pupil’s thresholds and casework stages and store the suggestions (the case record’s evaluator; never changes a stage).',
  schedule: '0 18 * * 1-5',
  scheduleInWords: 'Monday to Friday at 18:00',
  run: (ctx) =>
    forEachSchoolDay(ctx, async (school) => {
      const r = await evaluateSchool(ctx.deps, school.id, ctx.date, ctx.actor);
      return {
        pupilsEvaluated: r.pupilsEvaluated,
        created: r.created,
        alreadyOpen: r.alreadyOpen,
        superseded: r.superseded,
        // New entries into staged casework the policy's cap held back (they come again next time).
        heldBack: r.heldBack,
        maxNewEntriesPerRun: maxNewEntriesPerRun(school),
      };
    }),
});

registerJob({
  name: 'n-ageing',
  description:
    'Turn N marks older than the school policy allows into O, telling parents (schools whose policy says so).',
  schedule: '30 18 * * 1-5',
  scheduleInWords: 'Monday to Friday at 18:30',
  run: (ctx) =>
    forEachSchoolDay(ctx, async (school) => {
      if (school.policy.convertNToOAfterSchoolDays === null) return { skipped: 'the policy does not convert N' };
      const converted = await convertStaleN(ctx.deps, ctx.actor, { schoolId: school.id, asOf: ctx.date });
      return { converted: converted.length };
    }),
});

registerJob({
  name: 'outbox',
  description: 'Send the emails and texts that are due, retrying failures with increasing delays.',
  schedule: '* * * * *',
  scheduleInWords: 'Every minute',
  once: 'everyTime',
  runsFor: 'installation',
  run: async (ctx) => {
    const own = !ctx.senders;
    const mailer = ctx.senders ? ctx.senders.mailer : createMailer(ctx.deps.config.mail);
    const sms = ctx.senders?.sms ?? createSmsSender(ctx.deps.config.sms, ctx.deps.logger, ctx.deps.clock);
    try {
      const senders = { db: ctx.deps.db, logger: ctx.deps.logger, mailer, sms };
      const r = await deliverDue(senders, ctx.deps.clock.now());
      const status = await pollDelivery(senders, ctx.deps.clock.now());
      return { ...r, delivered: status.delivered, failedOnDelivery: status.failed };
    } finally {
      if (own) mailer?.close();
    }
  },
});

registerJob({
  name: 'weekly-report',
  description:
    'The week’s figures for each school (attendance, absence, pupils with unauthorised absence), kept with the run for the attendance lead.',
  schedule: '0 16 * * 1-5',
  scheduleInWords: 'Monday to Friday at 16:00; acts on the last school day of each week',
  run: (ctx) =>
    forEachSchoolDay(ctx, async (school) => {
      const cal = await schoolCalendar(ctx.deps, school.id);
      if (!isLastSchoolDayOfWeek(cal, ctx.date)) return { skipped: 'not the last school day of the week' };
      const from = mondayOf(ctx.date);
      const marks = await schoolSessionCodesBetween(ctx.deps.db, school.id, from, ctx.date);
      let possible = 0;
      let attended = 0;
      let authorised = 0;
      let unauthorised = 0;
      const unauthorisedPupils = new Set<string>();
      for (const m of marks) {
        const found = lookupCode(m.code, m.date as PlainDate);
        if (!found.ok || found.definition.category === 'notPossible') continue;
        possible++;
        const c = found.definition.category;
        if (c === 'present' || c === 'approvedActivity') attended++;
        else if (c === 'authorised') authorised++;
        else {
          unauthorised++;
          unauthorisedPupils.add(m.pupil_id);
        }
      }
      const pct = (n: number): string => (possible ? `${((n / possible) * 100).toFixed(1)}%` : 'n/a');
      return {
        week: `${from} to ${ctx.date}`,
        possibleSessions: possible,
        attendance: pct(attended),
        authorisedAbsence: pct(authorised),
        unauthorisedAbsence: pct(unauthorised),
        pupilsWithUnauthorisedAbsence: unauthorisedPupils.size,
      };
    }),
});

registerJob({
  name: 'half-termly-report',
  description:
    'On the last school day of each term or half term in the calendar: queue the attendance summary to every parent with parental responsibility.',
  schedule: '30 16 * * 1-5',
  scheduleInWords: 'Monday to Friday at 16:30; acts on the last school day of a term or half term',
  run: (ctx) =>
    forEachSchoolDay(ctx, async (school) => {
      const lastDay = await termContaining(ctx.deps.db, school.id, ctx.date);
      const cal = await schoolCalendar(ctx.deps, school.id);
      if (!lastDay) return { skipped: 'not in a term' };
      // The last school day of the term: no school day after today up to the term's end.
      const d = cal.dayByDate.get(ctx.date)!;
      const next = cal.dayDate[d + 1];
      if (next !== undefined && next <= lastDay.end_date)
        return { skipped: `not the last school day of ${lastDay.name}` };
      const r = await queueHalfTermSummaries(ctx.deps, ctx.actor, { schoolId: school.id, asOf: ctx.date });
      return { term: lastDay.name, ...r };
    }),
});

/**
 * Which returns are prepared on a date: new admissions and deletions every school day (the LA
 * must hear of a new pupil within 5 days, of a deletion no later than it); the attendance and
 * sickness returns on the last school day of each week (the rules ask for at least monthly).
 */
export function returnsDueOn(isLastSchoolDayOfWeek: boolean): readonly ReturnKind[] {
  return isLastSchoolDayOfWeek ? RETURN_KINDS : ['admissions', 'deletions'];
}

registerJob({
  name: 'returns-due',
  description:
    'Prepare the returns to the local authority that have something new: admissions and deletions daily, attendance and sickness weekly. A person checks each and marks it sent.',
  schedule: '0 17 * * 1-5',
  scheduleInWords: 'Monday to Friday at 17:00',
  run: (ctx) =>
    forEachSchoolDay(ctx, async (school) => {
      const cal = await schoolCalendar(ctx.deps, school.id);
      const lastOfWeek = isLastSchoolDayOfWeek(cal, ctx.date);
      const prepared = await prepareReturns(ctx.deps, ctx.actor, {
        schoolId: school.id,
        asOf: ctx.date,
        kinds: returnsDueOn(lastOfWeek),
      });
      return { prepared: prepared.map((r) => ({ kind: r.kind, pupils: r.pupils, id: r.id })) };
    }),
});

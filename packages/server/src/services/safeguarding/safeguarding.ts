/**
 * The designated safeguarding lead (DSL) and deputies (issue 16). A home visit or a call marked
 * as a safeguarding concern, a child-missing-education enquiry or referral, and a vulnerable
 * pupil's unexplained absence after the register closed each raise an alert at once: on the
 * DSL's worklist (`/dsl`) until acknowledged, in the pupil's chronology, and by email to every
 * DSL and deputy of the school through the outbox. The email names neither the pupil nor the
 * concern (email leaves the school's systems): it says there is an alert and where to see it.
 *
 * Also here: the local authority's reason to read a pupil's record (least privilege: an LA
 * officer sees aggregates unless the LA has a reason, see `withLaReason`).
 */
import type { PlainDate } from '@rollcall/domain';
import type { DbOrTrx } from '../../db/connect.js';
import { getSchool, listSchools, type School } from '../school/schools.js';
import {
  acknowledgeDslAlertRow,
  dslEmails,
  findDslAlert,
  insertDslAlert,
  insertLaAccessReason,
  laAccessReasonsOf,
  laReasonFor,
  laReasonPupils,
  schoolDslAlerts,
  setContactRestrictionRow,
  type DslAlertKind,
  type DslAlertRow,
  type LaAccessReasonRow,
} from '../../db/safeguarding/safeguarding.js';
import { newId } from '../../platform/ids.js';
import { audit } from '../audit.js';
import { authorise, can, type Actor, type Resource } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { loadPupilScope } from '../pupil-scope.js';
import { queueMessage } from '../messages.js';
import { tsmOfSchools, tsmReasonsFor } from '../analysis/tsm.js';

export type { DslAlertKind, DslAlertRow } from '../../db/safeguarding/safeguarding.js';

export const DSL_ALERT_TITLES: Readonly<Record<DslAlertKind, string>> = {
  home_visit_concern: 'Home visit: safeguarding concern',
  call_concern: 'Call: safeguarding concern',
  cme_enquiry: 'Child missing education',
  vulnerable_absence: 'Vulnerable pupil: unexplained absence',
};

export interface RaiseDslAlert {
  readonly schoolId: string;
  readonly schoolName: string;
  readonly pupilId: string;
  readonly kind: DslAlertKind;
  /** What it came from (a home visit's id, a contact attempt's…): one alert per source. */
  readonly sourceId: string;
  readonly summary: string;
  readonly raisedBy: Actor;
  readonly now: string;
}

/**
 * Raises an alert in the caller's transaction (so it exists if and only if what caused it was
 * saved) and emails the school's DSL and deputies. Once per source: raising it again does nothing.
 */
export async function raiseDslAlert(db: DbOrTrx, a: RaiseDslAlert): Promise<boolean> {
  const id = newId();
  const created = await insertDslAlert(db, {
    id,
    schoolId: a.schoolId,
    pupilId: a.pupilId,
    kind: a.kind,
    sourceId: a.sourceId,
    summary: a.summary,
    raisedByName: a.raisedBy.name,
    raisedAt: a.now,
  });
  if (!created) return false;
  for (const to of await dslEmails(db, a.schoolId)) {
    await queueMessage(db, {
      schoolId: a.schoolId,
      pupilId: null,
      channel: 'email',
      to,
      subject: `Rollcall: a new safeguarding alert at ${a.schoolName}`,
      body: [
        `A new safeguarding alert (${DSL_ALERT_TITLES[a.kind].toLowerCase()}) was raised at ${a.schoolName}.`,
        '',
        'Sign in to Rollcall and open Safeguarding alerts (/dsl) to see it and acknowledge it.',
        'This email does not name the pupil: the details stay in Rollcall.',
      ].join('\n'),
      kind: 'dsl-alert',
      createdBy: a.raisedBy.userId,
      now: a.now,
    });
  }
  await audit(db, a.raisedBy, a.now, {
    action: 'safeguarding.alert',
    entityType: 'dsl_alert',
    entityId: id,
    pupilId: a.pupilId,
    schoolId: a.schoolId,
    details: { kind: a.kind },
  });
  return true;
}

function schoolResource(school: School): Resource {
  return { kind: 'school', schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

export interface DslWorklist {
  readonly school: School;
  readonly open: readonly DslAlertRow[];
  readonly acknowledged: readonly DslAlertRow[];
}

/** The DSL's worklist: open alerts first (oldest first), then the latest acknowledged. */
export async function dslWorklist(deps: Deps, actor: Actor, schoolId: string): Promise<DslWorklist> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'safeguarding.lead', schoolResource(school));
  const all = await schoolDslAlerts(deps.db, school.id);
  return {
    school,
    open: all.filter((a) => a.acknowledgedAt === null).reverse(),
    acknowledged: all.filter((a) => a.acknowledgedAt !== null).slice(0, 50),
  };
}

/** Acknowledges an alert (the DSL has seen it and says what they did); audited. */
export async function acknowledgeDslAlert(
  deps: Deps,
  actor: Actor,
  input: { alertId: string; note: string },
): Promise<void> {
  const alert = await findDslAlert(deps.db, input.alertId);
  if (!alert) throw new AppError('NOT_FOUND', 'No such alert.');
  const school = await getSchool(deps.db, alert.schoolId);
  authorise(actor, 'safeguarding.lead', schoolResource(school));
  const note = input.note.trim();
  if (note.length > 2000)
    throw new AppError('VALIDATION', 'The note is too long.', {
      fields: [{ field: 'note', message: 'Write at most 2,000 characters.' }],
    });
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const done = await acknowledgeDslAlertRow(trx, alert.id, {
      userId: actor.userId,
      name: actor.name,
      at: now,
      note: note || null,
    });
    if (!done) throw new AppError('CONFLICT', 'Someone has already acknowledged this alert.');
    await audit(trx, actor, now, {
      action: 'safeguarding.acknowledge',
      entityType: 'dsl_alert',
      entityId: alert.id,
      pupilId: alert.pupilId,
      schoolId: school.id,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The local authority's reasons
// ---------------------------------------------------------------------------------------------

/** How long a recorded reason to read a pupil's record lasts. */
export const LA_REASON_DAYS = 30;

/**
 * The pupil resource with `laReason` set for an LA officer who has one (other actors unchanged).
 */
export async function withLaReason(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  resource: Resource,
): Promise<Resource> {
  if (actor.role !== 'la_officer' || resource.kind !== 'pupil') return resource;
  const today = deps.clock.today('Europe/London');
  const reason = await laReasonFor(deps.db, resource.pupilId, actor.userId, today);
  if (reason !== null) return { ...resource, laReason: true };
  // On the LA's targeting-support-meeting list (measured as of today).
  const tsm = await tsmReasonsFor(deps, resource.schoolId, resource.pupilId, today);
  return tsm === null ? resource : { ...resource, laReason: true };
}

export interface LaPupil {
  readonly pupilId: string;
  readonly upn: string;
  readonly name: string;
  readonly yearGroup: string | null;
  /** Every reason the LA has to see the pupil, in words. */
  readonly reasons: readonly string[];
}

/**
 * "My pupils": for a local authority officer, every pupil of their LA's schools that the LA has a
 * reason to see, with the reasons, school by school: an open referral, a CME or EHE case or joint
 * enquiry, a return, a support meeting, a reason the officer recorded (their own, unexpired), or
 * being on the targeting-support-meeting list today. The same reasons open the pupil's record.
 */
export async function laPupils(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
): Promise<{ laName: string; schools: { school: School; pupils: LaPupil[] }[] }> {
  if (actor.role !== 'la_officer' || actor.laCode === null)
    throw new AppError('FORBIDDEN', 'The list of pupils the local authority has a reason to see is for LA officers.');
  const schools = (await listSchools(deps.db)).filter((s) => s.laCode === actor.laCode);
  const today = deps.clock.today('Europe/London');
  const byPupil = new Map<
    string,
    { schoolId: string; upn: string; name: string; yearGroup: string | null; reasons: string[] }
  >();
  const add = (
    schoolId: string,
    p: { pupilId: string; upn: string; name: string; yearGroup: string | null },
    reason: string,
  ) => {
    const entry = byPupil.get(p.pupilId) ?? { schoolId, upn: p.upn, name: p.name, yearGroup: p.yearGroup, reasons: [] };
    if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
    byPupil.set(p.pupilId, entry);
  };
  const rows = await laReasonPupils(
    deps.db,
    schools.map((s) => s.id),
    actor.userId,
    today,
  );
  for (const r of rows) add(r.schoolId, r, r.reason);
  // The TSM list is the LA's own (dashboard.ts `tsmList` shows it to LA officers for their schools).
  for (const { school, pupils } of await tsmOfSchools(deps, schools, today))
    for (const p of pupils) add(school.id, p, `targeting support meeting list: ${p.reasons.join('; ')}`);
  return {
    laName: schools[0]?.laName ?? actor.laCode,
    schools: schools.map((school) => ({
      school,
      pupils: [...byPupil]
        .filter(([, p]) => p.schoolId === school.id)
        .map(([pupilId, p]) => ({ pupilId, upn: p.upn, name: p.name, yearGroup: p.yearGroup, reasons: p.reasons }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    })),
  };
}

function addDays(date: PlainDate, days: number): PlainDate {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10) as PlainDate;
}

/**
 * The pupil named on the "why do you need to see this record" form: the same check as
 * recording the reason, so a person who may not record one learns nothing of the pupil.
 */
export async function accessReasonSubject(
  deps: Pick<Deps, 'db'>,
  actor: Actor,
  pupilId: string,
): Promise<{ readonly id: string; readonly name: string }> {
  const { pupil, resource } = await loadPupilScope(deps.db, pupilId);
  authorise(actor, 'pupil.recordAccessReason', resource);
  return { id: pupil.id, name: `${pupil.forename} ${pupil.surname}` };
}

/** An LA officer records why they need a pupil's record (30 days); audited and shown to the school. */
export async function recordLaAccessReason(
  deps: Deps,
  actor: Actor,
  input: { pupilId: string; reason: string },
): Promise<void> {
  const { school, resource } = await loadPupilScope(deps.db, input.pupilId);
  authorise(actor, 'pupil.recordAccessReason', resource);
  const reason = input.reason.trim();
  if (reason.length < 10 || reason.length > 500)
    throw new AppError('VALIDATION', 'Say why you need to see this pupil’s record.', {
      fields: [{ field: 'reason', message: 'Give the reason in 10 to 500 characters, for example a case reference.' }],
    });
  const now = deps.clock.now();
  const today = deps.clock.today(school.timeZone);
  const id = newId();
  await deps.db.transaction().execute(async (trx) => {
    await insertLaAccessReason(trx, {
      id,
      schoolId: school.id,
      pupilId: input.pupilId,
      userId: actor.userId,
      userName: actor.name,
      reason,
      recordedAt: now,
      expiresOn: addDays(today, LA_REASON_DAYS),
    });
    await audit(trx, actor, now, {
      action: 'la.accessReason',
      entityType: 'pupil',
      entityId: input.pupilId,
      pupilId: input.pupilId,
      schoolId: school.id,
      details: { reason },
    });
  });
}

/** The reasons the LA recorded to read a pupil's record: shown to the school's staff who may see the pupil. */
export async function laAccessReasons(deps: Deps, actor: Actor, pupilId: string): Promise<LaAccessReasonRow[]> {
  const { resource } = await loadPupilScope(deps.db, pupilId);
  if (!can(actor, 'pupil.view', await withLaReason(deps, actor, resource))) return [];
  return laAccessReasonsOf(deps.db, pupilId);
}

// ---------------------------------------------------------------------------------------------
// Contacts who must not have contact with the child
// ---------------------------------------------------------------------------------------------

export const CONTACT_RESTRICTIONS = ['no_contact', 'court_order'] as const;
export type ContactRestriction = (typeof CONTACT_RESTRICTIONS)[number];

export const CONTACT_RESTRICTION_LABELS: Readonly<Record<ContactRestriction, string>> = {
  no_contact: 'No contact with the child',
  court_order: 'Court order: no contact with the child',
};

export function isContactRestriction(value: string): value is ContactRestriction {
  return (CONTACT_RESTRICTIONS as readonly string[]).includes(value);
}

/**
 * Marks a contact "no contact" or under a court order (or clears it): a parent account linked
 * through that contact then never sees the child (the link gives no access), and the contact is
 * never offered as someone to call. Staff who may see safeguarding details decide; audited.
 */
export async function setContactRestriction(
  deps: Deps,
  actor: Actor,
  input: { pupilId: string; contactId: string; restriction: ContactRestriction | null },
): Promise<void> {
  const { school, resource } = await loadPupilScope(deps.db, input.pupilId);
  if (actor.role === 'la_officer' || !can(actor, 'pupil.viewSafeguarding', resource))
    throw new AppError('FORBIDDEN', 'You do not have permission to do that.', { action: 'pupil.viewSafeguarding' });
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const found = await setContactRestrictionRow(trx, input.contactId, input.restriction);
    if (!found || found.pupilId !== input.pupilId) throw new AppError('NOT_FOUND', 'No such contact for this pupil.');
    await audit(trx, actor, now, {
      action: 'contact.restriction',
      entityType: 'contact',
      entityId: input.contactId,
      pupilId: input.pupilId,
      schoolId: school.id,
      details: { restriction: input.restriction },
    });
  });
}

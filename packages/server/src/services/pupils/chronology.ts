/**
 * A pupil's chronology: one newest-first list merging mark changes, contact attempts, home
 * visits, messages and parents' absence reports, each part only when the actor may see it.
 *
 * - Mark changes: everyone who may see the pupil; a parent sees the date, the code and the
 *   reason only (not who changed it or what it was before).
 * - Contact attempts and messages: staff who may see the pupil's contacts. A parent sees the
 *   messages sent to their own email address or to their linked contact's phone or email.
 * - Home visits: staff who see the school's pupil lists (as on the home-visits page).
 * - Absence reports: staff who may see the pupil; a parent sees the reports they made.
 * - Alerts to the designated safeguarding lead: roles that may see safeguarding details.
 * - The local authority's recorded reasons to read the record: the school's staff (not parents).
 */
import { findUser } from '../../db/accounts/users.js';
import { homeVisitRows } from '../../db/follow-up/home-visits.js';
import { contactAttemptsOfPupil } from '../../db/follow-up/worklist.js';
import { linkedContactChannels, pupilHistory } from '../../db/pupils/pupils.js';
import { audit } from '../audit.js';
import { authorise, can, type Actor } from '../authz.js';
import { REASON_LABELS, reportsOfPupil } from '../follow-up/absence-reports.js';
import type { Deps } from '../deps.js';
import { listHomeVisits } from '../follow-up/home-visits.js';
import { loadPupilScope } from '../pupil-scope.js';
import { messagesForPupil, normaliseEmail, normaliseUkMobile } from '../messages.js';
import { laAccessReasonsOf, pupilDslAlerts } from '../../db/safeguarding/safeguarding.js';
import { DSL_ALERT_TITLES, withLaReason } from '../safeguarding/safeguarding.js';

export type ChronologyKind =
  'mark' | 'contact' | 'homeVisit' | 'message' | 'absenceReport' | 'safeguarding' | 'laAccess';

export interface ChronologyEntry {
  readonly kind: ChronologyKind;
  /** ISO instant. */
  readonly at: string;
  readonly title: string;
  readonly detail: string | null;
  /** Who did it; null when the actor may not see that. */
  readonly who: string | null;
}

const OUTCOME_WORDS: Readonly<Record<string, string>> = {
  no_answer: 'no answer',
  left_message: 'left a message',
  reason_given: 'reason given',
  unobtainable: 'number unobtainable',
  other: 'other',
};

const METHOD_WORDS: Readonly<Record<string, string>> = {
  call: 'Call',
  text: 'Text',
  email: 'Email',
  in_person: 'In person',
};

/** The addresses a parent's messages go to: their account email and their linked contact's. */
async function parentAddresses(deps: Deps, actor: Actor, pupilId: string): Promise<Set<string>> {
  const out = new Set<string>();
  const user = await findUser(deps.db, actor.userId);
  const add = (v: string | null | undefined, norm: (s: string) => string | null): void => {
    const n = v ? norm(v) : null;
    if (n) out.add(n.toLowerCase());
  };
  add(user?.email, normaliseEmail);
  const contacts = await linkedContactChannels(deps.db, actor.userId, pupilId);
  for (const c of contacts) {
    add(c.email, normaliseEmail);
    add(c.mobile_phone, normaliseUkMobile);
  }
  return out;
}

/** The chronology of a pupil, newest first. Audited as a read of the pupil's record. */
export async function chronology(deps: Deps, actor: Actor, pupilId: string): Promise<ChronologyEntry[]> {
  const scope = await loadPupilScope(deps.db, pupilId);
  const { pupil, school } = scope;
  const resource = await withLaReason(deps, actor, scope.resource);
  authorise(actor, 'pupil.view', resource);
  const parent = actor.role === 'parent';
  const seeSafeguarding = !parent && can(actor, 'pupil.viewSafeguarding', resource);
  const seeContacts = !parent && can(actor, 'pupil.viewContacts', resource);
  const seeVisits =
    !parent &&
    (can(actor, 'school.viewPupilLists', {
      kind: 'school',
      schoolId: school.id,
      trustId: school.trustId,
      laCode: school.laCode,
    }) ||
      (actor.role === 'la_officer' && can(actor, 'pupil.view', resource)));
  const entries: ChronologyEntry[] = [];

  for (const h of await pupilHistory(deps.db, pupil.id)) {
    if (h.lessonId !== null) continue;
    entries.push(
      parent
        ? { kind: 'mark', at: h.at, title: `${h.date} ${h.session}: ${h.newCode}`, detail: h.reason, who: null }
        : {
            kind: 'mark',
            at: h.at,
            title: `${h.date} ${h.session}: ${h.previousCode ?? 'no mark'} → ${h.newCode}`,
            detail: h.reason,
            who: h.userName,
          },
    );
  }

  if (seeContacts) {
    const attempts = await contactAttemptsOfPupil(deps.db, pupil.id);
    for (const a of attempts) {
      entries.push({
        kind: 'contact',
        at: a.made_at,
        title: `${METHOD_WORDS[a.method] ?? a.method}${a.contact_name ? ` to ${a.contact_name}` : ''}: ${OUTCOME_WORDS[a.outcome] ?? a.outcome}`,
        detail: `About the absence on ${a.absence_date}${a.notes ? `. ${a.notes}` : ''}`,
        who: a.made_by_name,
      });
    }
  }

  if (seeVisits) {
    // A visit not (yet) made is dated when it was planned.
    const created = new Map((await homeVisitRows(deps.db, [pupil.id])).map((r) => [r.id, r.created_at]));
    for (const v of await listHomeVisits(deps.db, [pupil.id], school.timeZone)) {
      entries.push({
        kind: 'homeVisit',
        at: v.visitedAt ?? created.get(v.id) ?? `${v.plannedFor}T00:00:00.000Z`,
        title:
          v.status === 'done'
            ? `Home visit${v.childSeen ? ': child seen' : v.childSeen === false ? ': child not seen' : ''}`
            : v.status === 'cancelled'
              ? `Home visit cancelled (planned for ${v.plannedFor})`
              : `Home visit planned for ${v.plannedFor}`,
        detail: [v.reason, v.discussed, v.nextSteps ? `Next steps: ${v.nextSteps}` : null]
          .filter((x): x is string => !!x)
          .join('. '),
        who: v.staff,
      });
    }
  }

  if (seeSafeguarding) {
    // Alerts to the designated safeguarding lead stay in the chronology, acknowledged or not.
    for (const a of await pupilDslAlerts(deps.db, pupil.id)) {
      entries.push({
        kind: 'safeguarding',
        at: a.raisedAt,
        title: `Safeguarding alert: ${DSL_ALERT_TITLES[a.kind]}${a.acknowledgedAt ? ` (acknowledged by ${a.acknowledgedByName ?? 'the DSL'})` : ' (not yet acknowledged)'}`,
        detail: [a.summary, a.acknowledgement ? `DSL: ${a.acknowledgement}` : null]
          .filter((x): x is string => !!x)
          .join(' '),
        who: a.raisedByName,
      });
    }
  }

  if (!parent) {
    // The local authority's recorded reasons to read the record: the school sees each one.
    for (const r of await laAccessReasonsOf(deps.db, pupil.id)) {
      entries.push({
        kind: 'laAccess',
        at: r.recordedAt,
        title: `The local authority read this record: ${r.reason}`,
        detail: `Reason recorded by ${r.userName}; access until ${r.expiresOn}.`,
        who: r.userName,
      });
    }
  }

  if (seeContacts || parent) {
    const mine = parent ? await parentAddresses(deps, actor, pupil.id) : null;
    for (const m of await messagesForPupil(deps.db, pupil.id)) {
      if (mine && !mine.has(m.to.toLowerCase())) continue;
      entries.push({
        kind: 'message',
        at: m.sentAt ?? m.createdAt,
        title: `${m.channel === 'sms' ? 'Text' : 'Email'}${m.subject ? `: ${m.subject}` : ''}`,
        detail: m.body,
        who: parent ? null : `To ${m.to} (${m.status})`,
      });
    }
  }

  for (const r of await reportsOfPupil(deps, pupil.id)) {
    if (parent && r.reportedBy !== actor.userId) continue;
    const range = r.fromDate === r.toDate ? r.fromDate : `${r.fromDate} to ${r.toDate}`;
    const sessions = r.sessions === 'ALL' ? '' : ` (${r.sessions} only)`;
    entries.push({
      kind: 'absenceReport',
      at: r.createdAt,
      title: `Absence reported for ${range}${sessions}: ${REASON_LABELS[r.reason].toLowerCase()} (${r.status})`,
      detail:
        [r.details, r.decisionNote ? `School's note: ${r.decisionNote}` : null]
          .filter((x): x is string => !!x)
          .join('. ') || null,
      who: r.reportedByName,
    });
  }

  entries.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'pupil.viewChronology',
    entityType: 'pupil',
    entityId: pupil.id,
    pupilId: pupil.id,
    schoolId: school.id,
  });
  return entries;
}

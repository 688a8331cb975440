/**
 * Long on purpose: the checklist and the PDF read the same record in one pass; most of
 * the length is the PDF's layout, section by section, in the order the local authority reads it.
 *
 * Evidence packs: for a local-authority referral or a penalty-notice request, the checklist of
 * what the record holds and what is missing, then one PDF: the referral form filled from the
 * record (pupil and family, flags, unauthorised sessions in the last 10 school weeks, overall
 * attendance, each prior action with its date, agencies involved), then the chronology of
 * actions, the letters, meetings and minutes, plans and reviews, home visits, and the attendance
 * certificate signed off by the head. The pack is stored as produced; it can be marked sent only
 * when nothing required was missing.
 */
import { dateInWords, isPlainDate, type PlainDate } from '@rollcall/domain';
import type { School } from '../../school/schools.js';
import { schoolDetailsOf, schoolPostalAddress, type SchoolDetails } from '../../school/school-details.js';
import { newId } from '../../../platform/ids.js';
import { buildPdf } from '../../../platform/pdf.js';
import {
  evidencePacksOf,
  findEvidencePack,
  findEvidencePackPlace,
  insertEvidencePack,
  markedDaysOf,
  markEvidencePackSent,
  packContactAttempts,
  packContacts,
  packHomeVisits,
} from '../../../db/casework/evidence-packs.js';
import { audit } from '../../audit.js';
import { authorise, can, type Actor, type Resource } from '../../authz.js';
import { certificateFor, checkCertificatePeriod, drawCertificate, type Certificate } from '../../pupils/certificate.js';
import type { Deps } from '../../deps.js';
import { AppError, type FieldError } from '../../errors.js';
import { loadPupilScope } from '../../pupil-scope.js';
import { formatRate, lettersOf, postalAddress, type LetterView } from '../letters/letters.js';
import { getPupilRecord } from '../../pupils/pupils.js';
import {
  loadCaseRecord,
  type CaseAction,
  type CasePlan,
  type Contract,
  type Meeting,
  type NoticeToImprove,
  type Referral,
} from '../record.js';

export const PACK_KINDS = ['la-referral', 'penalty-notice'] as const;
export type PackKind = (typeof PACK_KINDS)[number];
export const PACK_KIND_LABELS: Record<PackKind, string> = {
  'la-referral': 'Local authority referral',
  'penalty-notice': 'Penalty notice request',
};

export function isPackKind(v: string): v is PackKind {
  return (PACK_KINDS as readonly string[]).includes(v);
}

export interface CheckItem {
  readonly key: string;
  readonly label: string;
  readonly required: boolean;
  readonly present: boolean;
  /** What was found (dates, counts), or what to do when missing. */
  readonly detail: string;
}

interface Gathered {
  school: School;
  /** Address, telephone, email, headteacher (the school details page). */
  details: SchoolDetails;
  resource: Resource;
  pupil: Awaited<ReturnType<typeof getPupilRecord>>['pupil'];
  measures: Awaited<ReturnType<typeof getPupilRecord>>['measures'];
  periodStart: PlainDate;
  asOf: PlainDate;
  /** Days with at least one mark for the pupil (any year). */
  markedDays: readonly string[];
  contacts: {
    name: string;
    relationship: string;
    pr: boolean;
    address: string | null;
    phone: string | null;
    email: string | null;
  }[];
  letters: LetterView[];
  /** From the case record (`loadCaseRecord`), oldest first. */
  meetings: readonly Meeting[];
  plans: readonly CasePlan[];
  referrals: readonly Referral[];
  actions: readonly CaseAction[];
  homeVisits: {
    status: string;
    planned_for: string;
    visited_at: string | null;
    reason: string;
    discussed: string | null;
    next_steps: string | null;
    child_seen: number | null;
  }[];
  contactAttempts: {
    absence_date: string;
    method: string;
    contact_name: string | null;
    outcome: string;
    made_at: string;
    notes: string | null;
  }[];
  notices: readonly NoticeToImprove[];
  contracts: readonly Contract[];
}

/** Oldest first by a date, then by id (the case record lists some newest first). */
function oldestFirst<T extends { id: string }>(rows: readonly T[], dateOf: (row: T) => string): T[] {
  return [...rows].sort((a, b) => dateOf(a).localeCompare(dateOf(b)) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

async function gather(deps: Deps, actor: Actor, pupilId: string): Promise<Gathered> {
  const { resource } = await loadPupilScope(deps.db, pupilId);
  authorise(actor, 'letter.view', resource);
  const record = await getPupilRecord(deps, actor, pupilId);
  const db = deps.db;
  const [contacts, letters, caseRecord, homeVisits, contactAttempts] = await Promise.all([
    packContacts(db, pupilId),
    lettersOf(deps, pupilId),
    loadCaseRecord(db, pupilId),
    packHomeVisits(db, pupilId),
    packContactAttempts(db, pupilId),
  ]);
  return {
    school: record.school,
    details: await schoolDetailsOf(db, record.school.id),
    resource,
    pupil: record.pupil,
    measures: record.measures,
    periodStart: record.periodStart,
    asOf: record.asOf,
    markedDays: await markedDaysOf(db, pupilId),
    contacts: contacts.map((c) => ({
      name: c.name,
      relationship: c.relationship,
      pr: c.parental_responsibility === 1,
      address: postalAddress(c.address, c.postcode),
      phone: c.mobile_phone ?? c.home_phone,
      email: c.email,
    })),
    letters: [...letters].reverse(),
    meetings: oldestFirst(caseRecord.meetings, (m) => m.scheduledFor),
    plans: oldestFirst(caseRecord.plans, (p) => p.startsOn),
    referrals: oldestFirst(caseRecord.referrals, (r) => r.madeOn),
    actions: oldestFirst(caseRecord.actions, (a) => a.dueOn),
    homeVisits,
    contactAttempts,
    notices: oldestFirst(caseRecord.notices, (n) => n.issuedOn),
    contracts: oldestFirst(caseRecord.contracts, (c) => c.agreedOn),
  };
}

const day = (d: string | null | undefined): string => (d ? dateInWords(d.slice(0, 10) as PlainDate) : '');
const list = (xs: readonly string[]): string => xs.join(', ');
function checklist(kind: PackKind, g: Gathered, period: { from: string; to: string } | null): CheckItem[] {
  const marked = period ? g.markedDays.filter((d) => d >= period.from && d <= period.to).length : 0;
  // Letters are recognised by what they are for (each template declares it), not by one key.
  const invitations = g.letters.filter((l) => l.purpose === 'meeting-invitation');
  const warnings = g.letters.filter((l) => l.purpose === 'warning');
  const meetingsHeld = g.meetings.filter((m) => m.status === 'held' || m.status === 'not_attended');
  const minutes = g.meetings.filter((m) => m.status === 'held' && (m.minutes ?? '').trim() !== '');
  const reviewed = g.plans.filter((p) => p.reviews.length > 0);
  const visits = g.homeVisits.filter((v) => v.status === 'done');
  const prWithAddress = g.contacts.filter((c) => c.pr && c.address);
  const pn = g.measures.penaltyNotice;
  const items: CheckItem[] = [
    {
      key: 'threshold',
      label: '10 or more unauthorised sessions in the last 10 school weeks',
      required: true,
      present: pn.thresholdMet,
      detail: pn.thresholdMet
        ? `First met ${day(pn.firstMetOn)}; ${pn.currentWindowSessions} sessions in the latest 10 school weeks.`
        : `${pn.currentWindowSessions} unauthorised sessions in the latest 10 school weeks: the threshold is not met.`,
    },
    {
      key: 'parents',
      label: 'A person with parental responsibility, with an address',
      required: true,
      present: prWithAddress.length > 0,
      detail:
        prWithAddress.length > 0
          ? list(prWithAddress.map((c) => c.name))
          : 'Add the address of a contact with parental responsibility.',
    },
    {
      key: 'invitation',
      label: 'A letter inviting the parents to a meeting',
      required: true,
      present: invitations.length > 0,
      detail:
        invitations.length > 0
          ? list(invitations.map((l) => day(l.createdAt)))
          : 'Send a letter inviting the parents to a meeting (any template whose purpose is a meeting invitation).',
    },
    {
      key: 'letters',
      label: 'Letters to the parents',
      required: true,
      present: g.letters.length > 0,
      detail: g.letters.length > 0 ? `${g.letters.length} letters` : 'No letters recorded.',
    },
    {
      key: 'meeting',
      label: 'A meeting with the parents (held, or not attended)',
      required: kind === 'la-referral',
      present: meetingsHeld.length > 0,
      detail:
        meetingsHeld.length > 0
          ? list(
              meetingsHeld.map(
                (m) => `${day(m.heldOn ?? m.scheduledFor)} (${m.status === 'held' ? 'held' : 'not attended'})`,
              ),
            )
          : 'No meeting recorded on the case.',
    },
    {
      key: 'minutes',
      label: 'Minutes of a meeting',
      required: kind === 'la-referral',
      present: minutes.length > 0,
      detail:
        minutes.length > 0
          ? list(minutes.map((m) => day(m.heldOn ?? m.scheduledFor)))
          : 'Record the minutes of the meeting on the case.',
    },
    {
      key: 'plan',
      label: 'An attendance support or improvement plan',
      required: kind === 'la-referral',
      present: g.plans.length > 0,
      detail:
        g.plans.length > 0
          ? list(g.plans.map((p) => `${p.kind} from ${day(p.startsOn)}`))
          : 'No plan recorded on the case.',
    },
    {
      key: 'plan-review',
      label: 'A review of the plan',
      required: kind === 'la-referral',
      present: reviewed.length > 0,
      detail:
        reviewed.length > 0
          ? list(reviewed.flatMap((p) => p.reviews.map((r) => day(r.on))))
          : 'Review the plan and record the review.',
    },
    {
      key: 'home-visit',
      label: 'A home visit',
      required: kind === 'la-referral',
      present: visits.length > 0,
      detail:
        visits.length > 0
          ? list(visits.map((v) => day(v.visited_at ?? v.planned_for)))
          : 'No home visit recorded as done.',
    },
  ];
  if (kind === 'penalty-notice') {
    const ntis = g.notices;
    items.push({
      key: 'warning',
      label: 'A Notice to Improve, or a formal warning letter',
      required: true,
      present: ntis.length > 0 || warnings.length > 0,
      detail:
        ntis.length + warnings.length > 0
          ? list([
              ...ntis.map((n) => `Notice to Improve ${day(n.issuedOn)} (${n.status})`),
              ...warnings.map((l) => `formal warning ${day(l.createdAt)}`),
            ])
          : 'Issue a Notice to Improve or send the formal warning letter first.',
    });
  }
  items.push({
    key: 'certificate',
    label: 'An attendance certificate: register marks for the period',
    required: true,
    present: marked > 0,
    detail: !period
      ? 'Choose the period for the attendance certificate.'
      : marked > 0
        ? `${day(period.from)} to ${day(period.to)}: ${marked} school days with marks.`
        : `No register marks between ${day(period.from)} and ${day(period.to)} (the certificate covers the statistics year to today).`,
  });
  items.push({
    key: 'agencies',
    label: 'Other agencies involved',
    required: false,
    present: g.referrals.length > 0,
    detail: g.referrals.length > 0 ? list(g.referrals.map((r) => `${r.agency} (${day(r.madeOn)})`)) : 'None recorded.',
  });
  items.push({
    key: 'contact-attempts',
    label: 'First-day calls and other contact attempts',
    required: false,
    present: g.contactAttempts.length > 0,
    detail: `${g.contactAttempts.length} recorded.`,
  });
  return items;
}

export interface PackChecklist {
  readonly kind: PackKind;
  readonly pupilId: string;
  readonly pupilName: string;
  readonly items: readonly CheckItem[];
  readonly missingRequired: readonly CheckItem[];
  readonly period: { from: string; to: string } | null;
  readonly defaultPeriod: { from: string; to: string };
  readonly canProduce: boolean;
  readonly packs: readonly PackView[];
}

function checkPeriod(from: string | undefined, to: string | undefined): { from: string; to: string } | null {
  if (!from && !to) return null;
  const fields: FieldError[] = [];
  if (!from || !isPlainDate(from))
    fields.push({ field: 'from', message: 'Enter the first date of the period as YYYY-MM-DD.' });
  if (!to || !isPlainDate(to))
    fields.push({ field: 'to', message: 'Enter the last date of the period as YYYY-MM-DD.' });
  if (fields.length === 0 && from! > to!)
    fields.push({ field: 'to', message: 'The last date must be on or after the first.' });
  if (fields.length > 0) throw new AppError('VALIDATION', 'The certificate period is not right.', { fields });
  return { from: from!, to: to! };
}

/** What the record holds for a pack and what is missing. Audited as a read of the record. */
export async function packChecklist(
  deps: Deps,
  actor: Actor,
  pupilId: string,
  kind: PackKind,
  periodInput: { from?: string | undefined; to?: string | undefined } = {},
): Promise<PackChecklist> {
  const unchecked = checkPeriod(periodInput.from, periodInput.to);
  const g = await gather(deps, actor, pupilId);
  // Any period the school has marks for (previous years too), as the certificate allows.
  const chosen = unchecked && (await checkCertificatePeriod(deps, g.school.id, unchecked, g.asOf));
  // Without a chosen period the certificate would cover the statistics year to today.
  const period = chosen ?? { from: g.periodStart, to: g.asOf };
  const items = checklist(kind, g, period);
  return {
    kind,
    pupilId,
    pupilName: `${g.pupil.forename} ${g.pupil.surname}`,
    items,
    missingRequired: items.filter((i) => i.required && !i.present),
    period,
    defaultPeriod: { from: g.periodStart, to: g.asOf },
    canProduce: can(actor, 'evidencePack.produce', g.resource),
    packs: await packsOf(deps, pupilId),
  };
}

export interface PackView {
  readonly id: string;
  readonly kind: PackKind;
  readonly kindLabel: string;
  readonly periodFrom: string;
  readonly periodTo: string;
  readonly missing: readonly string[];
  readonly status: 'produced' | 'sent';
  readonly producedByName: string;
  readonly producedAt: string;
  readonly sentAt: string | null;
  readonly sentTo: string | null;
}

async function packsOf(deps: Pick<Deps, 'db'>, pupilId: string): Promise<PackView[]> {
  const rows = await evidencePacksOf(deps.db, pupilId);
  return rows.map((r) => {
    const kind = isPackKind(r.kind) ? r.kind : 'la-referral';
    return {
      id: r.id,
      kind,
      kindLabel: PACK_KIND_LABELS[kind],
      periodFrom: r.period_from,
      periodTo: r.period_to,
      missing: JSON.parse(r.missing) as string[],
      status: r.status === 'sent' ? 'sent' : 'produced',
      producedByName: r.produced_by_name,
      producedAt: r.produced_at,
      sentAt: r.sent_at,
      sentTo: r.sent_to,
    };
  });
}

export interface ProducePackInput {
  readonly pupilId: string;
  readonly kind: PackKind;
  readonly from: string;
  readonly to: string;
  /** Reason for referral (the form's free text). */
  readonly reason: string;
  /** Comments / additional information. */
  readonly comments?: string;
}

const FLAG = (b: boolean): string => (b ? 'Yes' : 'No');

function drawPack(
  doc: Parameters<Parameters<typeof buildPdf>[1]>[0],
  kind: PackKind,
  g: Gathered,
  cert: Certificate,
  items: readonly CheckItem[],
  input: ProducePackInput,
  actor: Actor,
  safeguarding: boolean,
  at: string,
): void {
  const p = g.pupil;
  const name = `${p.forename} ${p.surname}`;
  doc.heading(
    kind === 'la-referral' ? 'Referral to the local authority attendance team' : 'Request for a penalty notice',
    1,
  );
  doc.paragraph(`Evidence pack for ${name}, prepared by ${actor.name} on ${day(at)}.`, { muted: true });
  doc.heading('Pupil and school');
  const sg = safeguarding ? p.safeguarding : null;
  doc.keyValues([
    ['Name of pupil', name],
    ['School', g.school.name],
    ['School address', (schoolPostalAddress(g.details) ?? '').replace(/\n/g, ', ')],
    ['School telephone / email', [g.details.phone, g.details.email].filter(Boolean).join(' / ')],
    ['Year', p.yearGroup ?? ''],
    ['Date of birth', p.dateOfBirth ? day(p.dateOfBirth) : ''],
    ['Gender', p.gender ?? ''],
    [
      'Ethnicity / language',
      [p.ethnicity ?? '', p.eal ? 'English as an additional language' : ''].filter(Boolean).join('; '),
    ],
    ['UPN', p.upn],
    ['Unauthorised sessions in the previous 10 school weeks', String(g.measures.penaltyNotice.currentWindowSessions)],
    ['Overall attendance at referral', formatRate(g.measures.attendanceRate)],
    ['Attendance period', `${day(g.periodStart)} to ${day(g.asOf)}`],
  ]);
  doc.heading('Flags', 3);
  doc.keyValues([
    ['SEN support', FLAG(p.senStatus === 'K')],
    ['EHCP', FLAG(p.ehcp || p.senStatus === 'E')],
    ['Free school meals', FLAG(p.fsm)],
    ['Pupil premium', FLAG(p.pupilPremium)],
    ['Young carer', FLAG(p.youngCarer)],
    ['Child in need', sg ? FLAG(sg.cin) : 'Not shown'],
    ['Child protection plan', sg ? FLAG(sg.cp) : 'Not shown'],
    ['Looked after', sg ? FLAG(sg.lac) : 'Not shown'],
  ]);
  doc.heading('Parents and carers');
  for (const c of g.contacts) {
    doc.keyValues([
      ['Name', c.name],
      ['Relationship', c.relationship],
      ['Parental responsibility', FLAG(c.pr)],
      ['Address', c.address ?? 'Not recorded'],
      ['Telephone', c.phone ?? ''],
      ['Email', c.email ?? ''],
    ]);
  }
  if (g.contacts.length === 0) doc.paragraph('No contacts recorded.');
  doc.heading('School action before this referral');
  doc.table(
    [
      { header: 'Evidence', width: 4 },
      { header: 'Present', width: 1.6 },
      { header: 'Details', width: 5.4 },
    ],
    items.map((i) => [
      i.label + (i.required ? '' : ' (if any)'),
      i.present ? 'Yes' : i.required ? 'MISSING' : 'None',
      i.detail,
    ]),
  );
  doc.heading('Reason for referral', 3);
  doc.paragraph(input.reason || 'Not given.');
  if (input.comments) {
    doc.heading('Comments and additional information', 3);
    doc.paragraph(input.comments);
  }
  doc.heading('Other agencies and professionals involved', 3);
  if (g.referrals.length > 0) {
    doc.table(
      [
        { header: 'Agency', width: 2 },
        { header: 'Referred', width: 2 },
        { header: 'Status', width: 1 },
        { header: 'Reason / outcome', width: 5 },
      ],
      g.referrals.map((r) => [
        r.agency,
        day(r.madeOn),
        r.status,
        [r.reason, r.outcome ?? ''].filter(Boolean).join(' - '),
      ]),
    );
  } else doc.paragraph('None recorded.');
  doc.paragraph(`Name of referrer / school contact: ${actor.name}`);
  doc.paragraph(`I confirm this is an accurate record of ${name}'s attendance.`);
  doc.signature([
    g.details.headteacherName ? `Signature of headteacher (${g.details.headteacherName})` : 'Signature of headteacher',
    'Date',
  ]);

  doc.pageBreak();
  doc.heading('Chronology of actions', 1);
  const rows: [string, string, string][] = [];
  for (const a of g.contactAttempts)
    rows.push([
      a.made_at.slice(0, 10),
      'Contact attempt',
      `${a.method} to ${a.contact_name ?? 'a contact'} about ${day(a.absence_date)}: ${a.outcome.replace(/_/g, ' ')}${a.notes ? ` (${a.notes})` : ''}`,
    ]);
  for (const v of g.homeVisits)
    rows.push([
      (v.visited_at ?? v.planned_for).slice(0, 10),
      'Home visit',
      `${v.status}: ${v.reason}${v.discussed ? `. Discussed: ${v.discussed}` : ''}${v.next_steps ? `. Next steps: ${v.next_steps}` : ''}`,
    ]);
  for (const l of g.letters)
    rows.push([
      l.createdAt.slice(0, 10),
      'Letter',
      `${l.title} to ${l.recipientName} (${l.method === 'email' ? 'emailed' : 'printed'})`,
    ]);
  for (const m of g.meetings)
    rows.push([(m.heldOn ?? m.scheduledFor).slice(0, 10), 'Meeting', `${m.kind}: ${m.status.replace(/_/g, ' ')}`]);
  for (const pl of g.plans) rows.push([pl.startsOn, 'Plan', `${pl.kind} plan (${pl.status}) to ${day(pl.endsOn)}`]);
  for (const r of g.referrals) rows.push([r.madeOn, 'Referral', `${r.agency}: ${r.reason}`]);
  for (const a of g.actions)
    rows.push([
      a.completedOn ?? a.dueOn,
      'Action',
      `${a.description} (${a.owner}; ${a.status})${a.outcome ? `: ${a.outcome}` : ''}`,
    ]);
  for (const n of g.notices)
    rows.push([n.issuedOn, 'Notice to Improve', `monitoring to ${day(n.monitoringEndsOn)}: ${n.status}`]);
  for (const c of g.contracts) rows.push([c.agreedOn, 'Attendance contract', `${c.status}; review ${day(c.reviewOn)}`]);
  rows.sort((a, b) => a[0].localeCompare(b[0]));
  if (rows.length > 0) {
    doc.table(
      [
        { header: 'Date', width: 2 },
        { header: 'What', width: 2 },
        { header: 'Details', width: 7 },
      ],
      rows.map(([d, w, x]) => [day(d), w, x]),
    );
  } else doc.paragraph('Nothing recorded.');

  doc.heading('Meetings and minutes', 1);
  if (g.meetings.length === 0) doc.paragraph('No meetings recorded.');
  for (const m of g.meetings) {
    doc.heading(`${m.kind} meeting, ${day(m.heldOn ?? m.scheduledFor)}`, 3);
    doc.keyValues([
      ['Status', m.status.replace(/_/g, ' ')],
      ['Time and place', [m.time ?? '', m.place ?? ''].filter(Boolean).join(', ')],
      ['Attendees', m.attendees ?? ''],
      ['Barriers', m.barriers ?? ''],
      ["Pupil's views", m.pupilVoice ?? ''],
      ["Parent's views", m.parentVoice ?? ''],
    ]);
    if (m.minutes) doc.paragraph(m.minutes);
  }

  doc.heading('Plans and reviews', 1);
  if (g.plans.length === 0) doc.paragraph('No plans recorded.');
  for (const pl of g.plans) {
    doc.heading(`${pl.kind} plan, ${day(pl.startsOn)} to ${day(pl.endsOn)}`, 3);
    if (pl.details) doc.paragraph(pl.details);
    const targets = pl.targets;
    if (targets.length > 0) {
      doc.table(
        [
          { header: 'Target', width: 6 },
          { header: 'Met', width: 1 },
        ],
        targets.map((t) => [t.text ?? '', t.met === true ? 'Yes' : t.met === false ? 'No' : '']),
      );
    }
    for (const r of pl.reviews) doc.paragraph(`Review ${day(r.on)}${r.by ? ` by ${r.by}` : ''}: ${r.notes ?? ''}`);
  }

  doc.heading('Home visits', 1);
  if (g.homeVisits.length === 0) doc.paragraph('No home visits recorded.');
  for (const v of g.homeVisits) {
    doc.keyValues([
      ['Date', day(v.visited_at ?? v.planned_for)],
      ['Status', v.status],
      ['Reason', v.reason],
      ['Child seen', v.child_seen === null ? '' : FLAG(v.child_seen === 1)],
      ['Discussed', v.discussed ?? ''],
      ['Next steps', v.next_steps ?? ''],
    ]);
  }

  doc.heading('Letters', 1);
  if (g.letters.length === 0) doc.paragraph('No letters recorded.');
  for (const l of g.letters) {
    doc.pageBreak();
    doc.heading(
      `${l.title} (${day(l.createdAt)}, ${l.method === 'email' ? `emailed to ${l.emailTo ?? ''}` : 'printed'})`,
      3,
    );
    // The letter as the recipient read it: to whom, the date, the salutation, the text, who signed.
    doc.keyValues([
      ['To', [l.recipientName, ...(l.recipientAddress ?? '').split('\n')].filter((x) => x.trim() !== '').join(', ')],
      ['Date', l.letterDate ? day(l.letterDate) : day(l.createdAt)],
      ...(l.reference ? ([['Reference', l.reference]] as [string, string][]) : []),
    ]);
    if (l.salutation) doc.paragraph(`${l.salutation},`);
    doc.paragraph(l.body);
    if (l.salutation)
      doc.paragraph(
        `${l.frame?.signOff ?? 'Yours sincerely'}\n\n${l.senderName ?? l.createdByName}\n${l.senderRole ?? ''}`,
      );
  }

  doc.pageBreak();
  drawCertificate(doc, cert);
}

/** Renders the pack, stores it, and returns its id. Audited. */
export async function producePack(
  deps: Deps,
  actor: Actor,
  input: ProducePackInput,
  opts: { compress?: boolean } = {},
): Promise<{ id: string; missing: string[] }> {
  if (!isPackKind(input.kind))
    throw new AppError('VALIDATION', 'Choose the kind of pack.', {
      fields: [{ field: 'kind', message: 'Choose the kind of pack.' }],
    });
  const period = checkPeriod(input.from || undefined, input.to || undefined);
  if (!period) {
    throw new AppError('VALIDATION', 'Choose the period for the attendance certificate.', {
      fields: [{ field: 'from', message: 'Enter the first date of the certificate period.' }],
    });
  }
  const g = await gather(deps, actor, input.pupilId);
  authorise(actor, 'evidencePack.produce', g.resource);
  const items = checklist(input.kind, g, period);
  const missing = items.filter((i) => i.required && !i.present).map((i) => i.label);
  const cert = await certificateFor(deps, actor, input.pupilId, period);
  const now = deps.clock.now();
  const safeguarding = can(actor, 'pupil.viewSafeguarding', g.resource);
  const pdf = await buildPdf(
    {
      title: `${PACK_KIND_LABELS[input.kind]}: ${g.pupil.forename} ${g.pupil.surname}`,
      school: { name: g.school.name, address: schoolPostalAddress(g.details) },
      createdAt: now,
      ...(opts.compress === undefined ? {} : { compress: opts.compress }),
    },
    (doc) => drawPack(doc, input.kind, g, cert, items, input, actor, safeguarding, now),
  );
  const id = newId();
  await deps.db.transaction().execute(async (trx) => {
    await insertEvidencePack(trx, {
      id,
      school_id: g.school.id,
      pupil_id: input.pupilId,
      kind: input.kind,
      period_from: period.from,
      period_to: period.to,
      missing: JSON.stringify(missing),
      contents: JSON.stringify({
        letters: g.letters.length,
        meetings: g.meetings.length,
        plans: g.plans.length,
        homeVisits: g.homeVisits.length,
        contactAttempts: g.contactAttempts.length,
        referrals: g.referrals.length,
        actions: g.actions.length,
        certificateDays: cert.rows.length,
      }),
      pdf_base64: pdf.toString('base64'),
      status: 'produced',
      produced_by: actor.userId,
      produced_by_name: actor.name,
      produced_at: now,
      sent_at: null,
      sent_by: null,
      sent_to: null,
    });
    await audit(trx, actor, now, {
      action: 'evidencePack.produce',
      entityType: 'evidence_pack',
      entityId: id,
      pupilId: input.pupilId,
      schoolId: g.school.id,
      details: { kind: input.kind, missing: missing.length, bytes: pdf.length },
    });
  });
  return { id, missing };
}

async function loadPack(deps: Deps, packId: string) {
  const row = await findEvidencePack(deps.db, packId);
  if (!row) throw new AppError('NOT_FOUND', 'No such evidence pack.');
  const { resource } = await loadPupilScope(deps.db, row.pupil_id);
  return { row, resource };
}

/**
 * Where a pack belongs: its pupil, kind and period (for the page a pack is shown on). Authorised
 * before anything about the pack is told, as producing and sending packs is.
 */
export async function packPlace(
  deps: Deps,
  actor: Actor,
  packId: string,
): Promise<{ pupilId: string; kind: PackKind; from: PlainDate; to: PlainDate }> {
  const row = await findEvidencePackPlace(deps.db, packId);
  if (!row) throw new AppError('NOT_FOUND', 'No such evidence pack.');
  const { resource } = await loadPupilScope(deps.db, row.pupil_id);
  authorise(actor, 'evidencePack.produce', resource);
  return {
    pupilId: row.pupil_id,
    kind: isPackKind(row.kind) ? row.kind : 'la-referral',
    from: row.period_from as PlainDate,
    to: row.period_to as PlainDate,
  };
}

/** Marks a pack sent (to whom, free text). Refused while anything required was missing. Audited. */
export async function markPackSent(deps: Deps, actor: Actor, packId: string, sentTo: string): Promise<void> {
  const { row, resource } = await loadPack(deps, packId);
  authorise(actor, 'evidencePack.produce', resource);
  const missing = JSON.parse(row.missing) as string[];
  if (missing.length > 0) {
    throw new AppError(
      'CONFLICT',
      `This pack cannot be sent: it is missing ${missing.join('; ')}. Add them and produce the pack again.`,
    );
  }
  if (row.status === 'sent') throw new AppError('CONFLICT', 'This pack has already been marked sent.');
  const to = sentTo.trim();
  if (!to || to.length > 200) {
    throw new AppError('VALIDATION', 'Say who the pack was sent to.', {
      fields: [{ field: 'sentTo', message: 'Say who the pack was sent to (at most 200 characters).' }],
    });
  }
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await markEvidencePackSent(trx, packId, { at: now, by: actor.userId, to });
    await audit(trx, actor, now, {
      action: 'evidencePack.send',
      entityType: 'evidence_pack',
      entityId: packId,
      pupilId: row.pupil_id,
      schoolId: row.school_id,
      details: { sentTo: to },
    });
  });
}

/** The stored PDF of a pack; audited as a read. */
export async function packPdf(deps: Deps, actor: Actor, packId: string): Promise<{ pdf: Buffer; filename: string }> {
  const { row, resource } = await loadPack(deps, packId);
  authorise(actor, 'letter.view', resource);
  await audit(deps.db, actor, deps.clock.now(), {
    action: 'evidencePack.view',
    entityType: 'evidence_pack',
    entityId: packId,
    pupilId: row.pupil_id,
    schoolId: row.school_id,
  });
  return {
    pdf: Buffer.from(row.pdf_base64, 'base64'),
    filename: `evidence-pack-${row.kind}-${row.produced_at.slice(0, 10)}.pdf`,
  };
}

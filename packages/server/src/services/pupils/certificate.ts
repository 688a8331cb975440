/**
 * The attendance certificate: a pupil's register printout for a period (every school day's AM and
 * PM marks, with what each code means), the totals and the attendance rate over the period, and
 * the headteacher's sign-off. Part of every evidence pack; also printable on its own at
 * `/pupils/:id/certificate.pdf?from=&to=`. The period may be any the school has register marks
 * for (previous academic years too): from the start of its first term (or its first mark) up to today.
 */
import { dateInWords, isPlainDate, lookupCode, type PlainDate } from '@rollcall/domain';
import { registerDataStarts } from '../../db/pupils/certificate.js';
import { pupilMarksBetween } from '../../db/pupils/pupils.js';
import type { School } from '../school/schools.js';
import { buildPdf, type PdfWriter } from '../../platform/pdf.js';
import { audit } from '../audit.js';
import { authorise, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError, type FieldError } from '../errors.js';
import { getPupilRecord } from './pupils.js';
import { schoolCalendar } from '../registers/registers.js';
import { schoolDetailsOf, schoolPostalAddress } from '../school/school-details.js';

export interface CertificateRow {
  readonly date: PlainDate;
  readonly am: string;
  readonly pm: string;
}

export interface Certificate {
  readonly school: School;
  /** The school's postal address (school details), printed in the header; null when not given. */
  readonly schoolAddress: string | null;
  /** The headteacher named on the sign-off line (school details); null when not given. */
  readonly headteacherName: string | null;
  readonly pupil: { id: string; name: string; upn: string; yearGroup: string | null; dateOfBirth: PlainDate | null };
  readonly from: PlainDate;
  readonly to: PlainDate;
  readonly rows: readonly CertificateRow[];
  /** Each code used in the period, with its meaning and how many sessions. */
  readonly codes: readonly { code: string; meaning: string; sessions: number }[];
  readonly possible: number;
  readonly present: number;
  readonly authorised: number;
  readonly unauthorised: number;
  readonly unmarked: number;
  /** Present (including approved educational activity) over possible; null with no possible sessions. */
  readonly rate: number | null;
}

/**
 * Where the school's register data starts: the first day of its earliest term or its earliest
 * mark, whichever is first (null: neither yet).
 */
async function registerStart(deps: Deps, schoolId: string): Promise<PlainDate | null> {
  const { firstMark, firstTerm } = await registerDataStarts(deps.db, schoolId);
  const firsts = [firstMark, firstTerm].filter((d): d is string => d !== null).sort();
  return (firsts[0] as PlainDate | undefined) ?? null;
}

/**
 * Checks a certificate period: both dates real, in order, and within the school's register data
 * (from its first term or mark to today). Every problem names its field (`from`, `to`); the error's
 * message repeats them, as the certificate link shows only the message.
 */
export async function checkCertificatePeriod(
  deps: Deps,
  schoolId: string,
  period: { from: string; to: string },
  today: PlainDate,
): Promise<{ from: PlainDate; to: PlainDate }> {
  const { from, to } = period;
  const fields: FieldError[] = [];
  if (!isPlainDate(from)) fields.push({ field: 'from', message: 'From: enter the first date as YYYY-MM-DD.' });
  if (!isPlainDate(to)) fields.push({ field: 'to', message: 'To: enter the last date as YYYY-MM-DD.' });
  if (fields.length === 0) {
    const first = await registerStart(deps, schoolId);
    if (from > to)
      fields.push({
        field: 'to',
        message: `To: the last date (${dateInWords(to as PlainDate)}) is before the first date (${dateInWords(from as PlainDate)}).`,
      });
    else {
      if (first !== null && from < first)
        fields.push({
          field: 'from',
          message: `From: the school's register starts on ${dateInWords(first)}; choose a first date on or after it.`,
        });
      if (to > today)
        fields.push({
          field: 'to',
          message: `To: the last date is after today (${dateInWords(today)}); choose a date on or before it.`,
        });
    }
  }
  if (fields.length > 0)
    throw new AppError('VALIDATION', `The period is not right. ${fields.map((f) => f.message).join(' ')}`, {
      fields,
    });
  return { from: from as PlainDate, to: to as PlainDate };
}

/**
 * The certificate's figures for a period (defaults: the statistics year to today). Any period
 * the school has marks for may be chosen, previous academic years included: the rows are the
 * school days of the period while the pupil was on roll (from the school's calendar), plus any
 * other day the pupil has a mark on.
 */
export async function certificateFor(
  deps: Deps,
  actor: Actor,
  pupilId: string,
  period: { from?: string | undefined; to?: string | undefined } = {},
): Promise<Certificate> {
  const record = await getPupilRecord(deps, actor, pupilId);
  const { from, to } = await checkCertificatePeriod(
    deps,
    record.school.id,
    { from: period.from || record.periodStart, to: period.to || record.asOf },
    record.asOf,
  );
  const cal = await schoolCalendar(deps, record.school.id);
  const marks = await pupilMarksBetween(deps.db, pupilId, from, to);
  const byKey = new Map(marks.map((m) => [`${m.date}/${m.session}`, m.code]));
  const onRollFrom = record.pupil.admissionDate;
  const onRollTo = record.pupil.leavingDate ?? to;
  const dates = new Set<PlainDate>(marks.map((m) => m.date as PlainDate));
  for (const d of cal.dayDate) {
    if (d >= from && d <= to && d >= onRollFrom && d <= onRollTo) dates.add(d);
  }
  const codes = new Map<string, { meaning: string; sessions: number }>();
  let possible = 0;
  let present = 0;
  let authorised = 0;
  let unauthorised = 0;
  let unmarked = 0;
  const rows: CertificateRow[] = [];
  for (const date of [...dates].sort()) {
    const cell = (session: 'AM' | 'PM'): string => {
      const code = byKey.get(`${date}/${session}`);
      if (code === undefined) {
        unmarked++;
        return '-';
      }
      const found = lookupCode(code, date);
      if (found.ok) {
        const d = found.definition;
        if (d.possible) possible++;
        if (d.category === 'present' || d.category === 'approvedActivity') present++;
        else if (d.category === 'authorised') authorised++;
        else if (d.category === 'unauthorised') unauthorised++;
        const seen = codes.get(code) ?? { meaning: d.meaning, sessions: 0 };
        seen.sessions++;
        codes.set(code, seen);
      }
      return code;
    };
    rows.push({ date, am: cell('AM'), pm: cell('PM') });
  }
  const p = record.pupil;
  const details = await schoolDetailsOf(deps.db, record.school.id);
  return {
    school: record.school,
    schoolAddress: schoolPostalAddress(details),
    headteacherName: details.headteacherName,
    pupil: {
      id: p.id,
      name: `${p.forename} ${p.surname}`,
      upn: p.upn,
      yearGroup: p.yearGroup,
      dateOfBirth: p.dateOfBirth,
    },
    from,
    to,
    rows,
    codes: [...codes].map(([code, v]) => ({ code, ...v })).sort((a, b) => a.code.localeCompare(b.code)),
    possible,
    present,
    authorised,
    unauthorised,
    unmarked,
    rate: possible > 0 ? present / possible : null,
  };
}

const pct = (r: number | null): string => (r === null ? 'no possible sessions' : `${(r * 100).toFixed(1)}%`);

/** Draws the certificate into a PDF being built (used alone and inside evidence packs). */
export function drawCertificate(doc: PdfWriter, c: Certificate): void {
  doc.heading('Attendance certificate', 1);
  doc.paragraph(
    `This certifies that the register entries below are a true copy of the attendance register of ${c.school.name} for the pupil named, for ${dateInWords(c.from)} to ${dateInWords(c.to)}.`,
  );
  doc.keyValues([
    ['Pupil', c.pupil.name],
    ['UPN', c.pupil.upn],
    ['Date of birth', c.pupil.dateOfBirth ? dateInWords(c.pupil.dateOfBirth) : ''],
    ['Year group', c.pupil.yearGroup ?? ''],
    ['Period', `${dateInWords(c.from)} to ${dateInWords(c.to)}`],
    ['Possible sessions', String(c.possible)],
    ['Sessions attended', String(c.present)],
    ['Authorised absence', `${c.authorised} sessions`],
    ['Unauthorised absence', `${c.unauthorised} sessions`],
    ['Sessions without a mark', String(c.unmarked)],
    ['Attendance over the period', pct(c.rate)],
  ]);
  doc.heading('Codes used', 3);
  doc.table(
    [
      { header: 'Code', width: 1 },
      { header: 'Meaning', width: 8 },
      { header: 'Sessions', width: 2, align: 'right' },
    ],
    c.codes.map((x) => [x.code, x.meaning, String(x.sessions)]),
  );
  doc.heading('Register', 3);
  doc.table(
    [
      { header: 'Date', width: 4 },
      { header: 'AM', width: 1 },
      { header: 'PM', width: 1 },
    ],
    c.rows.map((r) => [dateInWords(r.date, { weekday: true, short: true }), r.am, r.pm]),
  );
  doc.paragraph(
    c.headteacherName
      ? `Signed off by the headteacher, ${c.headteacherName}, as a true copy of the register.`
      : 'Signed off by the headteacher as a true copy of the register.',
  );
  doc.signature(['Headteacher (signature)', c.headteacherName ? `Name: ${c.headteacherName}` : 'Name', 'Date']);
}

/** The certificate as a PDF; audited. Needs `letter.view` (those who handle casework). */
export async function certificatePdf(
  deps: Deps,
  actor: Actor,
  pupilId: string,
  period: { from?: string | undefined; to?: string | undefined },
  opts: { compress?: boolean } = {},
): Promise<Buffer> {
  const c = await certificateFor(deps, actor, pupilId, period);
  authorise(actor, 'letter.view', {
    kind: 'pupil',
    pupilId,
    groupIds: [],
    schoolId: c.school.id,
    trustId: c.school.trustId,
    laCode: c.school.laCode,
  });
  const now = deps.clock.now();
  await audit(deps.db, actor, now, {
    action: 'certificate.print',
    entityType: 'pupil',
    entityId: pupilId,
    pupilId,
    schoolId: c.school.id,
    details: { from: c.from, to: c.to },
  });
  return buildPdf(
    {
      title: `Attendance certificate: ${c.pupil.name}`,
      school: { name: c.school.name, address: c.schoolAddress },
      createdAt: now,
      ...(opts.compress === undefined ? {} : { compress: opts.compress }),
    },
    (doc) => drawCertificate(doc, c),
  );
}

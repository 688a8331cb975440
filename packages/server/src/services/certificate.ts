/**
 * The attendance certificate: a pupil's register printout for a period (every school day's AM and
 * PM marks, with what each code means), the totals and the attendance rate over the period, and
 * the headteacher's sign-off. Part of every evidence pack; also printable on its own at
 * `/pupils/:id/certificate.pdf?from=&to=`. The period must lie within the current statistics
 * year, up to today (the marks the pupil page shows).
 */
import { dateInWords, isPlainDate, lookupCode, type PlainDate } from '@rollcall/domain';
import type { School } from '../db/repositories/schools.js';
import { buildPdf, type PdfWriter } from '../platform/pdf.js';
import { audit } from './audit.js';
import { authorise, type Actor } from './authz.js';
import type { Deps } from './deps.js';
import { AppError, type FieldError } from './errors.js';
import { getPupilRecord } from './pupils.js';
import { schoolDetailsOf, schoolPostalAddress } from './school-details.js';

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

/** The certificate's figures for a period (defaults: the statistics year to today). */
export async function certificateFor(
  deps: Deps,
  actor: Actor,
  pupilId: string,
  period: { from?: string | undefined; to?: string | undefined } = {},
): Promise<Certificate> {
  const record = await getPupilRecord(deps, actor, pupilId);
  const from = (period.from || record.periodStart) as PlainDate;
  const to = (period.to || record.asOf) as PlainDate;
  const fields: FieldError[] = [];
  if (!isPlainDate(from)) fields.push({ field: 'from', message: 'Enter the first date as YYYY-MM-DD.' });
  if (!isPlainDate(to)) fields.push({ field: 'to', message: 'Enter the last date as YYYY-MM-DD.' });
  if (fields.length === 0 && from > to)
    fields.push({ field: 'to', message: 'The last date must be on or after the first.' });
  if (fields.length > 0) throw new AppError('VALIDATION', 'The period is not right.', { fields });
  const codes = new Map<string, { meaning: string; sessions: number }>();
  let possible = 0;
  let present = 0;
  let authorised = 0;
  let unauthorised = 0;
  let unmarked = 0;
  const rows: CertificateRow[] = [];
  for (const day of record.days) {
    if (day.date < from || day.date > to) continue;
    const cell = (c: { code: string } | null): string => {
      if (!c) {
        unmarked++;
        return '-';
      }
      const found = lookupCode(c.code, day.date);
      if (found.ok) {
        const d = found.definition;
        if (d.possible) possible++;
        if (d.category === 'present' || d.category === 'approvedActivity') present++;
        else if (d.category === 'authorised') authorised++;
        else if (d.category === 'unauthorised') unauthorised++;
        const seen = codes.get(c.code) ?? { meaning: d.meaning, sessions: 0 };
        seen.sessions++;
        codes.set(c.code, seen);
      }
      return c.code;
    };
    rows.push({ date: day.date, am: cell(day.am), pm: cell(day.pm) });
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

/** A return as CSV (for the local authority's systems) and as PDF (to check, sign and keep). */
import { buildPdf } from '../../../platform/pdf.js';
import { writeCsv } from '../../csv-writer.js';
import { RETURN_TITLES, type LaReturn, type ReturnItem } from './returns.js';

export const CSV_HEADER = [
  'UPN',
  'Surname',
  'Forename',
  'Date of birth',
  'Year group',
  'Address',
  'Postcode',
  'Contacts',
  'From',
  'To',
  'School days',
  'Codes',
  'Ground',
  'Evidence',
] as const;

function contactsInWords(item: ReturnItem): string {
  return item.pupil.contacts
    .map((c) =>
      [
        `${c.name} (${c.relationship}${c.parentalResponsibility ? ', parental responsibility' : ''})`,
        c.phone,
        c.email,
        c.address ? `${c.address.replace(/\n/g, ', ')}${c.postcode ? ` ${c.postcode}` : ''}` : null,
      ]
        .filter(Boolean)
        .join(' '),
    )
    .join('; ');
}

function codesInWords(codes: ReturnItem['codes']): string {
  return codes
    ? Object.entries(codes)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([c, n]) => `${c}:${n}`)
        .join(' ')
    : '';
}

/** The return as CSV: one row per pupil and reason, with a header row; CRLF line ends. */
export function returnCsv(r: LaReturn): string {
  const rows = r.items.map((i) => [
    i.pupil.upn,
    i.pupil.surname,
    i.pupil.forename,
    i.pupil.dateOfBirth,
    i.pupil.yearGroup,
    i.pupil.address?.replace(/\n/g, ', '),
    i.pupil.postcode,
    contactsInWords(i),
    i.from,
    i.to,
    i.schoolDays,
    codesInWords(i.codes),
    i.ground,
    i.evidence,
  ]);
  // The one CSV writer: quoted, cleaned and defused against spreadsheet formulas.
  return writeCsv(CSV_HEADER, rows);
}

export function returnFileName(r: LaReturn, ext: 'csv' | 'pdf'): string {
  return `${r.school.urn}-${r.kind}-return-${r.periodTo}.${ext}`;
}

/** The return as PDF: the summary, then each pupil with address, contacts and evidence. */
export function returnPdf(r: LaReturn, opts: { compress?: boolean } = {}): Promise<Buffer> {
  return buildPdf(
    {
      title: `${RETURN_TITLES[r.kind]}: ${r.periodTo}`,
      school: { name: r.school.name },
      createdAt: r.preparedAt,
      compress: opts.compress ?? true,
    },
    (doc) => {
      doc.heading(RETURN_TITLES[r.kind], 1);
      doc.keyValues([
        ['School', `${r.school.name} (URN ${r.school.urn})`],
        ['Local authority', `${r.school.laName} (${r.school.laCode})`],
        ['Period', `${r.periodFrom} to ${r.periodTo}`],
        ['Pupils', String(r.items.length)],
        ['Prepared', `${r.preparedAt} by ${r.preparedBy}`],
        [
          'Sent',
          r.sentAt ? `${r.sentAt} by ${r.sentByName ?? ''}${r.sentNote ? ` (${r.sentNote})` : ''}` : 'Not yet sent',
        ],
      ]);
      doc.table(
        [
          { header: 'UPN', width: 1.3 },
          { header: 'Name', width: 1.6 },
          { header: 'From' },
          { header: 'To' },
          { header: 'Days', width: 0.5, align: 'right' },
        ],
        r.items.map((i) => [
          i.pupil.upn,
          `${i.pupil.surname}, ${i.pupil.forename}`,
          i.from,
          i.to,
          i.schoolDays === null ? '' : String(i.schoolDays),
        ]),
      );
      for (const i of r.items) {
        doc.heading(`${i.pupil.surname}, ${i.pupil.forename} (${i.pupil.upn})`, 2);
        doc.keyValues([
          ['Date of birth', i.pupil.dateOfBirth ?? ''],
          ['Year group', i.pupil.yearGroup ?? ''],
          ['Address', [i.pupil.address, i.pupil.postcode].filter(Boolean).join('\n') || 'Not recorded'],
          ['Contacts', contactsInWords(i) || 'None recorded'],
          ...(i.ground ? ([['Ground', i.ground]] as const) : []),
        ]);
        doc.paragraph(i.evidence);
      }
      doc.space(12);
      doc.signature(['Checked by', 'Date sent']);
    },
  );
}

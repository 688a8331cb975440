/**
 * A letter as a PDF: the school's header, the title and the stored text. Rendered from the stored
 * letter with its stored time as the creation date, so the same letter always gives the same bytes.
 * Kept apart from letters.ts so the outbox can attach letters without importing the use cases.
 */
import type { DbOrTrx } from '../../db/connect.js';
import type { MailAttachment } from '../../platform/mail.js';
import { buildPdf } from '../../platform/pdf.js';

export function renderLetterPdf(
  school: { readonly name: string; readonly address?: string | null },
  letter: { readonly title: string; readonly body: string; readonly createdAt: string },
  opts: { compress?: boolean } = {},
): Promise<Buffer> {
  return buildPdf(
    {
      title: letter.title,
      school: { name: school.name, address: school.address ?? null },
      createdAt: letter.createdAt,
      ...(opts.compress === undefined ? {} : { compress: opts.compress }),
    },
    (doc) => {
      doc.heading(letter.title, 2);
      doc.paragraph(letter.body);
    },
  );
}

/** The PDF of the letter an outbox message carries, if it carries one. */
export async function letterAttachments(db: DbOrTrx, messageId: string): Promise<MailAttachment[]> {
  const rows = await db
    .selectFrom('letters')
    .innerJoin('schools', 'schools.id', 'letters.school_id')
    .select([
      'letters.title',
      'letters.body',
      'letters.created_at',
      'letters.template_key',
      'letters.school_address',
      'schools.name',
    ])
    .where('letters.message_id', '=', messageId)
    .execute();
  const out: MailAttachment[] = [];
  for (const r of rows) {
    out.push({
      filename: `${r.template_key}-${r.created_at.slice(0, 10)}.pdf`,
      contentType: 'application/pdf',
      content: await renderLetterPdf(
        { name: r.name, address: r.school_address },
        { title: r.title, body: r.body, createdAt: r.created_at },
      ),
    });
  }
  return out;
}

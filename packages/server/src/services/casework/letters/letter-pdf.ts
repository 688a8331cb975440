/**
 * Letters as PDF, fit to post in a DL window envelope (A4 folded in three):
 *
 * - the school's letterhead (name, address, telephone, email, logo at the top right);
 * - the recipient's name and postal address in the window: 25 mm from the left edge and 50 mm
 *   from the top, at most 80 mm wide and 30 mm deep, inside the usual left window of a DL
 *   envelope (90 × 35 mm, 20 mm from the left and 15 mm from the bottom);
 * - to its right, the date in full ("7 December 2026") and the reference (pupil and letter);
 * - below the first fold: "Dear <recipient>," the title, the body, and the sign-off with the
 *   sender's name and role;
 * - "Page n of m" at the foot of each page of a letter that runs to more than one page.
 *
 * Many letters make one PDF (a bulk print): each starts on a new page and is numbered on its own.
 * Rendered from the stored letter with its stored time as the creation date, so the same letter
 * always gives the same bytes. Kept apart from letters.ts so the outbox can attach letters without
 * importing the use cases.
 */
import type { PlainDate } from '@rollcall/domain';
import PDFDocument from 'pdfkit';
import { letterRowsOfMessage } from '../../../db/casework/letters.js';
import type { DbOrTrx } from '../../../db/connect.js';
import type { MailAttachment } from '../../../platform/mail.js';
import { dateIn, ENGLISH_FRAME, fillFrame, parseFrame, type LetterFrame } from './frame.js';
import { buildPdf, FONT, letterhead, pdfText, useFonts, type PdfSchool } from '../../../platform/pdf.js';

const MM = 72 / 25.4;
const MARGIN = 56;
const ADDRESS = { x: 25 * MM, y: 50 * MM, width: 80 * MM, height: 30 * MM } as const;
const META_X = 118 * MM;
/** The body starts below the first fold (99 mm), or below the address if that runs on. */
const BODY_TOP = 97 * MM;
const SIZE = 10.5;
const MUTED = '#505a5f';

/** What a letter's PDF prints. `date` null means a letter stored before letters were laid out for posting. */
export interface LetterContent {
  readonly title: string;
  readonly body: string;
  /** ISO instant: the PDF's creation date. */
  readonly createdAt: string;
  readonly date?: PlainDate | string | null;
  readonly recipientName?: string | null;
  readonly recipientAddress?: string | null;
  /** "Dear Anna Kowalska" (without the comma). */
  readonly salutation?: string | null;
  readonly senderName?: string | null;
  readonly senderRole?: string | null;
  readonly reference?: string | null;
  /** The sign-off line (default the frame's: "Yours sincerely" in English). */
  readonly signOff?: string | null;
  /** The letter's language (default English): its date is written in full in it. */
  readonly language?: string | null;
  /** The words printed around the letter in its language (default English's). */
  readonly frame?: LetterFrame | null;
}

/** One letter as a PDF. */
export function renderLetterPdf(
  school: PdfSchool,
  letter: LetterContent,
  opts: { compress?: boolean } = {},
): Promise<Buffer> {
  if (!letter.date) {
    // A letter stored before letters were laid out for posting: its text holds the address and
    // salutation as written then.
    return buildPdf(
      {
        title: letter.title,
        school,
        createdAt: letter.createdAt,
        ...(opts.compress === undefined ? {} : { compress: opts.compress }),
      },
      (doc) => {
        doc.heading(letter.title, 2);
        doc.paragraph(letter.body);
      },
    );
  }
  return renderLettersPdf(school, [letter], opts);
}

/**
 * Letters as one PDF, each on its own pages, numbered per letter. `createdAt` of the first letter
 * is the document's creation date.
 */
export function renderLettersPdf(
  school: PdfSchool,
  letters: readonly LetterContent[],
  opts: { compress?: boolean; title?: string } = {},
): Promise<Buffer> {
  const first = letters[0];
  const createdAt = new Date(first?.createdAt ?? 0);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + 20, left: MARGIN, right: MARGIN },
    bufferPages: true,
    autoFirstPage: false,
    compress: opts.compress ?? true,
    info: {
      Title: pdfText(opts.title ?? (letters.length === 1 && first ? first.title : 'Letters')),
      Author: pdfText(school.name),
      Producer: 'Rollcall',
      Creator: 'Rollcall',
      CreationDate: createdAt,
      ModDate: createdAt,
    },
  });
  useFonts(doc);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  // One logo image object for all the letters.
  let logo: Buffer | null = null;
  if (school.logo) {
    try {
      // pdfkit draws an opened image again without embedding it again.
      logo = (doc as unknown as { openImage(src: Buffer): Buffer }).openImage(school.logo);
    } catch {
      logo = null;
    }
  }
  const head: PdfSchool = { ...school, logo };
  const ranges: { start: number; count: number; frame: LetterFrame }[] = [];
  for (const letter of letters) {
    const start = doc.bufferedPageRange().count;
    doc.addPage();
    drawLetter(doc, head, letter);
    ranges.push({ start, count: doc.bufferedPageRange().count - start, frame: letter.frame ?? ENGLISH_FRAME });
  }
  if (letters.length === 0) doc.addPage();
  const left = MARGIN;
  const width = doc.page.width - MARGIN * 2;
  for (const r of ranges) {
    if (r.count < 2) continue;
    for (let i = 0; i < r.count; i++) {
      doc.switchToPage(r.start + i);
      const saved = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc
        .font(FONT.regular)
        .fontSize(8)
        .fillColor(MUTED)
        .text(pdfText(fillFrame(r.frame.page, { n: i + 1, m: r.count })), left, doc.page.height - MARGIN, {
          width,
          align: 'center',
          lineBreak: false,
        });
      doc.page.margins.bottom = saved;
    }
  }
  doc.end();
  return done;
}

function drawLetter(doc: PDFKit.PDFDocument, school: PdfSchool, letter: LetterContent): void {
  const left = MARGIN;
  const width = doc.page.width - MARGIN * 2;
  const frame = letter.frame ?? ENGLISH_FRAME;
  letterhead(doc, school);

  // The window: name and address, nothing else (Royal Mail reads it through the envelope).
  const lines = [letter.recipientName ?? '', ...(letter.recipientAddress ?? '').split('\n')]
    .map((l) => l.trim())
    .filter((l) => l !== '');
  doc.font(FONT.regular).fontSize(SIZE).fillColor('black');
  doc.text(pdfText(lines.join('\n')), ADDRESS.x, ADDRESS.y, { width: ADDRESS.width, lineGap: 1 });
  const addressBottom = doc.y;

  // Date and reference, right of the window.
  const metaWidth = doc.page.width - MARGIN - META_X;
  doc
    .font(FONT.regular)
    .fontSize(SIZE)
    .text(pdfText(dateOf(letter.date, letter.language ?? 'en')), META_X, ADDRESS.y, { width: metaWidth });
  if (letter.reference) {
    doc.moveDown(0.4);
    // "Pupil / KEY-ID": one part a line, so it never breaks mid-word.
    doc
      .fontSize(8.5)
      .fillColor(MUTED)
      .text(pdfText([frame.reference, ...letter.reference.split(' / ')].join('\n')), META_X, doc.y, {
        width: metaWidth,
      });
  }

  doc.y = Math.max(BODY_TOP, addressBottom + 14);
  doc.x = left;
  const para = (text: string, bold = false): void => {
    doc
      .font(bold ? FONT.bold : FONT.regular)
      .fontSize(SIZE)
      .fillColor('black');
    doc.text(pdfText(text), left, doc.y, { width, lineGap: 1.5 });
    doc.moveDown(0.7);
  };
  para(`${letter.salutation ?? fillFrame(frame.dear, { name: letter.recipientName ?? 'Parent or carer' })},`);
  para(letter.title, true);
  for (const p of paragraphsOf(letter.body)) para(p);
  doc.moveDown(0.3);
  para(letter.signOff ?? frame.signOff);
  // Room for a signature, kept with the name on one page.
  if (doc.y + 70 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  doc.y += 30;
  doc
    .font(FONT.bold)
    .fontSize(SIZE)
    .text(pdfText(letter.senderName ?? ''), left, doc.y, { width });
  if (letter.senderRole) doc.font(FONT.regular).text(pdfText(letter.senderRole), left, doc.y, { width });
}

function dateOf(date: string | null | undefined, language: string): string {
  return date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? dateIn(language, date as PlainDate) : (date ?? '');
}

function paragraphsOf(body: string): string[] {
  return body
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+$/g, '').replace(/^\n+/, ''))
    .filter((p) => p.trim() !== '');
}

/** The PDF of the letter an outbox message carries, if it carries one (the same layout as printed). */
export async function letterAttachments(db: DbOrTrx, messageId: string): Promise<MailAttachment[]> {
  const rows = await letterRowsOfMessage(db, messageId);
  const out: MailAttachment[] = [];
  for (const r of rows) {
    out.push({
      filename: `${r.template_key}-${r.created_at.slice(0, 10)}.pdf`,
      contentType: 'application/pdf',
      content: await renderLetterPdf(
        {
          name: r.name,
          address: r.school_address,
          phone: r.school_phone,
          email: r.school_email,
          logo: r.logo_base64 ? Buffer.from(r.logo_base64, 'base64') : null,
        },
        {
          title: r.title,
          body: r.body,
          createdAt: r.created_at,
          date: r.letter_date,
          recipientName: r.recipient_name,
          recipientAddress: r.recipient_address,
          salutation: r.salutation,
          senderName: r.sender_name,
          senderRole: r.sender_role,
          reference: r.reference,
          language: r.language ?? 'en',
          frame: parseFrame(r.frame_json),
        },
      ),
    });
  }
  return out;
}

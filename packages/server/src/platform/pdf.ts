/**
 * Shared PDF building blocks for letters, certificates, evidence packs, returns and reports:
 * an A4 document with the school's header, headings, paragraphs, key-value tables, data tables
 * that break across pages (repeating their header row), signature lines and page numbers.
 *
 * Deterministic: the same content and `createdAt` give the same bytes (pdfkit's file id is a
 * hash of the document info, which holds only what is passed in). Standard PDF fonts
 * (Helvetica), so no font files are needed; text is encoded as WinAnsi, so characters outside
 * it (emoji, most non-Latin scripts) are replaced with `?` by {@link safeText}.
 *
 *   const pdf = await buildPdf({ title: 'Attendance certificate', school, createdAt: now }, (doc) => {
 *     doc.heading('Attendance certificate');
 *     doc.keyValues([['Pupil', 'Ada Lovelace'], ['Period', '1 to 30 September 2026']]);
 *     doc.table([{ header: 'Date' }, { header: 'AM' }, { header: 'PM' }], rows);
 *     doc.signature(['Headteacher', 'Date']);
 *   });
 */
import PDFDocument from 'pdfkit';

export interface PdfSchool {
  readonly name: string;
  /** Printed under the name, one line per `\n` or `, `-separated part. */
  readonly address?: string | null | undefined;
}

export interface PdfOptions {
  /** The document title (PDF metadata, and the running footer). */
  readonly title: string;
  readonly school: PdfSchool;
  /** ISO instant stored as the PDF's creation date: pass `clock.now()` once and keep it. */
  readonly createdAt: string;
  /** Defaults to true; tests pass false to search the text in the content streams. */
  readonly compress?: boolean;
  /** Print the school header on the first page (default true). */
  readonly header?: boolean;
}

export interface PdfColumn {
  readonly header: string;
  /** Relative width (default 1). */
  readonly width?: number;
  readonly align?: 'left' | 'right' | 'center';
}

/** What a `draw` callback can do. Everything flows down the page and breaks pages as needed. */
export interface PdfWriter {
  /** Level 1 is the document title, 2 a section, 3 a sub-section. */
  heading(text: string, level?: 1 | 2 | 3): void;
  /** Plain text; blank lines separate paragraphs. */
  paragraph(text: string, opts?: { bold?: boolean; size?: number; muted?: boolean }): void;
  /** Label / value rows (a summary list). */
  keyValues(rows: ReadonlyArray<readonly [string, string]>): void;
  /** A data table; its header row is repeated on each new page. */
  table(columns: readonly PdfColumn[], rows: ReadonlyArray<readonly string[]>, opts?: { size?: number }): void;
  /** One signature line per label ("Signed", "Headteacher", "Date"). */
  signature(labels: readonly string[]): void;
  /** Vertical space in points. */
  space(points?: number): void;
  pageBreak(): void;
  /** A plain bulleted list. */
  bullets(items: readonly string[]): void;
}

const A4 = 'A4';
const MARGIN = 56; // about 2 cm
const FOOTER_SPACE = 28;
const BODY_SIZE = 10.5;
const MUTED = '#505a5f';
const LINE = '#b1b4b6';

/** Text made printable with the standard fonts: WinAnsi characters kept, others `?`. */
export function safeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/\u00A0/g, ' ')
    .replace(/[^\n\t\x20-\x7E\u00A1-\u00FF£€]/gu, '?');
}

/** Builds a PDF and resolves to its bytes. */
export function buildPdf(options: PdfOptions, draw: (doc: PdfWriter) => void): Promise<Buffer> {
  const doc = new PDFDocument({
    size: A4,
    margins: { top: MARGIN, bottom: MARGIN + FOOTER_SPACE, left: MARGIN, right: MARGIN },
    bufferPages: true,
    compress: options.compress ?? true,
    info: {
      Title: safeText(options.title),
      Author: safeText(options.school.name),
      Producer: 'Rollcall',
      Creator: 'Rollcall',
      CreationDate: new Date(options.createdAt),
      ModDate: new Date(options.createdAt),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = MARGIN;
  const width = doc.page.width - MARGIN * 2;
  const bottom = (): number => doc.page.height - MARGIN - FOOTER_SPACE;
  const ensure = (h: number): void => {
    if (doc.y + h > bottom()) doc.addPage();
  };
  const body = (): void => {
    doc.font('Helvetica').fontSize(BODY_SIZE).fillColor('black');
  };

  if (options.header !== false) {
    doc.font('Helvetica-Bold').fontSize(14).text(safeText(options.school.name), left, MARGIN, { width });
    const address = (options.school.address ?? '').trim();
    if (address) {
      doc
        .font('Helvetica')
        .fontSize(9)
        .fillColor(MUTED)
        .text(safeText(address.replace(/\s*\n\s*/g, ', ')), { width });
    }
    doc.moveDown(0.3);
    doc
      .moveTo(left, doc.y)
      .lineTo(left + width, doc.y)
      .lineWidth(0.8)
      .strokeColor(LINE)
      .stroke();
    doc.moveDown(0.8);
    body();
  }

  const writer: PdfWriter = {
    heading(text, level = 2) {
      const size = level === 1 ? 16 : level === 2 ? 13 : 11;
      ensure(size * 3);
      doc.moveDown(level === 1 ? 0.2 : 0.6);
      doc.font('Helvetica-Bold').fontSize(size).fillColor('black').text(safeText(text), left, doc.y, { width });
      doc.moveDown(0.3);
      body();
    },
    paragraph(text, opts = {}) {
      const paras = safeText(text)
        .split(/\n\s*\n/)
        .map((p) => p.replace(/\s+$/g, ''))
        .filter((p) => p.trim() !== '');
      for (const p of paras) {
        doc
          .font(opts.bold ? 'Helvetica-Bold' : 'Helvetica')
          .fontSize(opts.size ?? BODY_SIZE)
          .fillColor(opts.muted ? MUTED : 'black');
        ensure(doc.currentLineHeight(true) * 2);
        doc.text(p, left, doc.y, { width, lineGap: 1.5 });
        doc.moveDown(0.6);
      }
      body();
    },
    keyValues(rows) {
      const labelWidth = Math.round(width * 0.32);
      for (const [label, value] of rows) {
        body();
        const v = safeText(value === '' ? '-' : value);
        const h = Math.max(
          doc.font('Helvetica-Bold').heightOfString(safeText(label), { width: labelWidth - 8 }),
          doc.font('Helvetica').heightOfString(v, { width: width - labelWidth }),
        );
        ensure(h + 6);
        const y = doc.y;
        doc.font('Helvetica-Bold').text(safeText(label), left, y, { width: labelWidth - 8 });
        doc.font('Helvetica').text(v, left + labelWidth, y, { width: width - labelWidth });
        doc.y = y + h + 3;
        doc
          .moveTo(left, doc.y)
          .lineTo(left + width, doc.y)
          .lineWidth(0.4)
          .strokeColor(LINE)
          .stroke();
        doc.y += 4;
      }
      doc.x = left;
      doc.moveDown(0.4);
      body();
    },
    table(columns, rows, opts = {}) {
      const size = opts.size ?? 9;
      const total = columns.reduce((s, c) => s + (c.width ?? 1), 0);
      const widths = columns.map((c) => (width * (c.width ?? 1)) / total);
      const pad = 3;
      const rowHeight = (cells: readonly string[], bold: boolean): number => {
        doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(size);
        return (
          Math.max(
            ...columns.map((_, i) => doc.heightOfString(safeText(cells[i] ?? ''), { width: widths[i]! - pad * 2 })),
          ) +
          pad * 2
        );
      };
      const drawRow = (cells: readonly string[], bold: boolean): void => {
        const h = rowHeight(cells, bold);
        const y = doc.y;
        let x = left;
        columns.forEach((c, i) => {
          doc
            .font(bold ? 'Helvetica-Bold' : 'Helvetica')
            .fontSize(size)
            .fillColor('black')
            .text(safeText(cells[i] ?? ''), x + pad, y + pad, {
              width: widths[i]! - pad * 2,
              align: c.align ?? 'left',
            });
          x += widths[i]!;
        });
        doc
          .moveTo(left, y + h)
          .lineTo(left + width, y + h)
          .lineWidth(bold ? 0.9 : 0.4)
          .strokeColor(LINE)
          .stroke();
        doc.x = left;
        doc.y = y + h;
      };
      const headers = columns.map((c) => c.header);
      const headerHeight = rowHeight(headers, true);
      ensure(headerHeight + 20);
      drawRow(headers, true);
      for (const row of rows) {
        const h = rowHeight(row, false);
        if (doc.y + h > bottom()) {
          doc.addPage();
          drawRow(headers, true);
        }
        drawRow(row, false);
      }
      doc.moveDown(0.8);
      body();
    },
    signature(labels) {
      for (const label of labels) {
        ensure(48);
        doc.y += 30;
        doc
          .moveTo(left, doc.y)
          .lineTo(left + width * 0.55, doc.y)
          .lineWidth(0.6)
          .strokeColor('black')
          .stroke();
        doc.y += 3;
        doc.font('Helvetica').fontSize(9).fillColor(MUTED).text(safeText(label), left, doc.y, { width });
        body();
      }
      doc.moveDown(0.6);
    },
    space(points = 12) {
      doc.y += points;
      if (doc.y > bottom()) doc.addPage();
    },
    pageBreak() {
      doc.addPage();
      body();
    },
    bullets(items) {
      for (const item of items) {
        body();
        const t = safeText(item);
        ensure(doc.heightOfString(t, { width: width - 14 }) + 2);
        const y = doc.y;
        doc.text('-', left, y, { width: 10 });
        doc.text(t, left + 14, y, { width: width - 14 });
        doc.moveDown(0.2);
      }
      doc.x = left;
      doc.moveDown(0.4);
    },
  };

  draw(writer);

  const range = doc.bufferedPageRange();
  const footer = safeText(`${options.school.name} - ${options.title}`);
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const y = doc.page.height - MARGIN - 10;
    // Writing below the bottom margin would add a page: lift the margin while the footer is drawn.
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('Helvetica').fontSize(8).fillColor(MUTED);
    doc.text(footer, left, y, { width: width * 0.75, lineBreak: false });
    doc.text(`Page ${i - range.start + 1} of ${range.count}`, left, y, { width, align: 'right', lineBreak: false });
    doc.page.margins.bottom = saved;
  }
  doc.end();
  return done;
}

/**
 * The text of a PDF built with `compress: false`, one line per text-showing operation (for tests
 * and checks). Reads the hex strings pdfkit writes for the standard fonts.
 */
export function readPdfText(pdf: Buffer): string {
  const src = pdf.toString('latin1');
  const lines: string[] = [];
  for (const m of src.matchAll(/\[((?:<[0-9a-fA-F]*>\s*-?[\d.]*\s*)+)\]\s*TJ/g)) {
    let line = '';
    for (const h of m[1]!.matchAll(/<([0-9a-fA-F]*)>/g)) line += Buffer.from(h[1]!, 'hex').toString('latin1');
    lines.push(line);
  }
  return lines.join('\n');
}

/** The number of pages in a PDF built by {@link buildPdf}. */
export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
}

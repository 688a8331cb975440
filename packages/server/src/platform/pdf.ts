/**
 * Shared PDF building blocks for letters, certificates, evidence packs, returns and reports:
 * an A4 document with the school's header, headings, paragraphs, key-value tables, data tables
 * that break across pages (repeating their header row), signature lines and page numbers.
 *
 * Every PDF embeds Noto Sans (regular and bold, from the `@expo-google-fonts/noto-sans` package,
 * SIL Open Font License), subset to the characters used: Latin with every European accent,
 * Vietnamese, Greek and Cyrillic print as written ("Łukasz", "Şükrü", "Nguyễn", "Αλέξανδρος",
 * "Дмитрий"). Characters the font has no glyph for (Arabic and Urdu script, CJK, emoji) print as
 * `?` ({@link pdfText}); letters refuse them before that happens (see letters.ts).
 *
 * Deterministic: the same content and `createdAt` give the same bytes (pdfkit's file id is a
 * hash of the document info, which holds only what is passed in, and its font subset tags are
 * derived from the font's id).
 *
 *   const pdf = await buildPdf({ title: 'Attendance certificate', school, createdAt: now }, (doc) => {
 *     doc.heading('Attendance certificate');
 *     doc.keyValues([['Pupil', 'Ada Lovelace'], ['Period', '1 to 30 September 2026']]);
 *     doc.table([{ header: 'Date' }, { header: 'AM' }, { header: 'PM' }], rows);
 *     doc.signature(['Headteacher', 'Date']);
 *   });
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';

const require = createRequire(import.meta.url);
/** The little of fontkit (pdfkit's font engine) used here: which characters a font can draw. */
interface FontCoverage {
  hasGlyphForCodePoint(codePoint: number): boolean;
}
const fontkit = require('fontkit') as { create(buffer: Buffer): FontCoverage };
const FONT_FILES = {
  regular: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
} as const;

/** The registered names of the embedded fonts. */
export const FONT = { regular: 'NotoSans', bold: 'NotoSans-Bold' } as const;

let fontCache: { regular: Buffer; bold: Buffer; coverage: FontCoverage } | null = null;

function fonts(): { regular: Buffer; bold: Buffer; coverage: FontCoverage } {
  if (!fontCache) {
    const regular = readFileSync(require.resolve(FONT_FILES.regular));
    const bold = readFileSync(require.resolve(FONT_FILES.bold));
    fontCache = { regular, bold, coverage: fontkit.create(regular) };
  }
  return fontCache;
}

/** Registers the embedded fonts on a pdfkit document and selects the regular one. */
export function useFonts(doc: PDFKit.PDFDocument): void {
  const f = fonts();
  doc.registerFont(FONT.regular, f.regular);
  doc.registerFont(FONT.bold, f.bold);
  for (const name of [FONT.bold, FONT.regular]) {
    doc.font(name);
    // Shaping with `ccmp` splits "ị" into "i" and a combining dot, and the ToUnicode map then reads
    // every "i" of the document as "ị": keep precomposed letters whole (Noto has them all).
    const shaper = (doc as unknown as { _font?: { font?: { layout?: ShapeFn } } })._font?.font;
    if (shaper?.layout) {
      const layout = shaper.layout.bind(shaper);
      shaper.layout = (text, features) => layout(text, features ?? NO_DECOMPOSITION);
    }
  }
}

type ShapeFn = (text: string, features?: unknown) => unknown;
const NO_DECOMPOSITION = { ccmp: false } as const;

/** The distinct characters of `text` the embedded font cannot draw (in order of first use). */
export function unprintableCharacters(text: string): string[] {
  const { coverage } = fonts();
  const out: string[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x0a || cp === 0x09 || cp === 0x0d) continue;
    if (!coverage.hasGlyphForCodePoint(cp) && !out.includes(ch)) out.push(ch);
  }
  return out;
}

/** Right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko and their presentation forms). */
const RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/u;

/** Whether the text holds right-to-left script (Arabic, Urdu, Hebrew…). */
export function hasRightToLeft(text: string): boolean {
  return RTL.test(text);
}

/**
 * Text made printable with the embedded font: line ends made `\n`, no-break spaces plain spaces,
 * and every character the font cannot draw replaced with `?`.
 */
export function pdfText(text: string): string {
  const normal = text
    .replace(/\r\n?/g, '\n')
    .replace(/\u00A0/g, ' ')
    .normalize('NFC');
  const missing = unprintableCharacters(normal);
  if (missing.length === 0) return normal;
  let out = '';
  for (const ch of normal) out += missing.includes(ch) ? '?' : ch;
  return out;
}

/** The old name of {@link pdfText}, kept for callers. */
export const safeText = pdfText;

export interface PdfSchool {
  readonly name: string;
  /** Printed under the name, one line per `\n` or `, `-separated part. */
  readonly address?: string | null | undefined;
  readonly phone?: string | null | undefined;
  readonly email?: string | null | undefined;
  /** The school's logo (PNG or JPEG), printed at the top right of the letterhead. */
  readonly logo?: Buffer | null | undefined;
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

/**
 * The school's letterhead at the top of the current page: the name, then the address on one line
 * and the telephone and email on the next, the logo (if any) at the top right, and a rule under
 * it all. Leaves `doc.y` below the rule.
 */
export function letterhead(doc: PDFKit.PDFDocument, school: PdfSchool): void {
  const left = MARGIN;
  const width = doc.page.width - MARGIN * 2;
  const top = MARGIN - 20;
  let textWidth = width;
  if (school.logo) {
    const size = 56;
    try {
      doc.image(school.logo, left + width - size, top, { fit: [size, size], align: 'right' });
      textWidth = width - size - 12;
    } catch {
      // An image pdfkit cannot read is left out (the details page only accepts PNG and JPEG).
    }
  }
  doc.font(FONT.bold).fontSize(14).fillColor('black').text(pdfText(school.name), left, top, { width: textWidth });
  const address = (school.address ?? '').trim();
  doc.font(FONT.regular).fontSize(9).fillColor(MUTED);
  if (address) doc.text(pdfText(address.replace(/\s*\n\s*/g, ', ')), { width: textWidth });
  const reach = [school.phone ? `Telephone ${school.phone}` : '', school.email ? `Email ${school.email}` : '']
    .filter((x) => x !== '')
    .join('   ');
  if (reach) doc.text(pdfText(reach), { width: textWidth });
  if (school.logo) doc.y = Math.max(doc.y, top + 56);
  doc.moveDown(0.3);
  doc
    .moveTo(left, doc.y)
    .lineTo(left + width, doc.y)
    .lineWidth(0.8)
    .strokeColor(LINE)
    .stroke();
  doc.moveDown(0.8);
  doc.fillColor('black');
}

/** Builds a PDF and resolves to its bytes. */
export function buildPdf(options: PdfOptions, draw: (doc: PdfWriter) => void): Promise<Buffer> {
  const doc = new PDFDocument({
    size: A4,
    margins: { top: MARGIN, bottom: MARGIN + FOOTER_SPACE, left: MARGIN, right: MARGIN },
    bufferPages: true,
    compress: options.compress ?? true,
    info: {
      Title: pdfText(options.title),
      Author: pdfText(options.school.name),
      Producer: 'Rollcall',
      Creator: 'Rollcall',
      CreationDate: new Date(options.createdAt),
      ModDate: new Date(options.createdAt),
    },
  });
  useFonts(doc);
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
    doc.font(FONT.regular).fontSize(BODY_SIZE).fillColor('black');
  };

  if (options.header !== false) {
    letterhead(doc, options.school);
    body();
  }

  const writer: PdfWriter = {
    heading(text, level = 2) {
      const size = level === 1 ? 16 : level === 2 ? 13 : 11;
      ensure(size * 3);
      doc.moveDown(level === 1 ? 0.2 : 0.6);
      doc.font(FONT.bold).fontSize(size).fillColor('black').text(pdfText(text), left, doc.y, { width });
      doc.moveDown(0.3);
      body();
    },
    paragraph(text, opts = {}) {
      const paras = pdfText(text)
        .split(/\n\s*\n/)
        .map((p) => p.replace(/\s+$/g, ''))
        .filter((p) => p.trim() !== '');
      for (const p of paras) {
        doc
          .font(opts.bold ? FONT.bold : FONT.regular)
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
        const v = pdfText(value === '' ? '-' : value);
        const h = Math.max(
          doc.font(FONT.bold).heightOfString(pdfText(label), { width: labelWidth - 8 }),
          doc.font(FONT.regular).heightOfString(v, { width: width - labelWidth }),
        );
        ensure(h + 6);
        const y = doc.y;
        doc.font(FONT.bold).text(pdfText(label), left, y, { width: labelWidth - 8 });
        doc.font(FONT.regular).text(v, left + labelWidth, y, { width: width - labelWidth });
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
        doc.font(bold ? FONT.bold : FONT.regular).fontSize(size);
        return (
          Math.max(
            ...columns.map((_, i) => doc.heightOfString(pdfText(cells[i] ?? ''), { width: widths[i]! - pad * 2 })),
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
            .font(bold ? FONT.bold : FONT.regular)
            .fontSize(size)
            .fillColor('black')
            .text(pdfText(cells[i] ?? ''), x + pad, y + pad, {
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
        doc.font(FONT.regular).fontSize(9).fillColor(MUTED).text(pdfText(label), left, doc.y, { width });
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
        const t = pdfText(item);
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
  const footer = pdfText(`${options.school.name} - ${options.title}`);
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const y = doc.page.height - MARGIN - 10;
    // Writing below the bottom margin would add a page: lift the margin while the footer is drawn.
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font(FONT.regular).fontSize(8).fillColor(MUTED);
    doc.text(footer, left, y, { width: width * 0.75, lineBreak: false });
    doc.text(`Page ${i - range.start + 1} of ${range.count}`, left, y, { width, align: 'right', lineBreak: false });
    doc.page.margins.bottom = saved;
  }
  doc.end();
  return done;
}

/**
 * The text of a PDF built by pdfkit (compressed or not), one line per text-showing operation, for
 * tests and checks. Glyphs of the embedded fonts are read back through each font's ToUnicode map,
 * so what comes out is the text as written; standard-font strings are read as Latin-1.
 */
export function readPdfText(pdf: Buffer): string {
  const src = pdf.toString('latin1');
  const objects = new Map<string, { dict: string; stream: string | null }>();
  const objRe = /(\d+) 0 obj\s*([\s\S]*?)endobj/g;
  for (const m of src.matchAll(objRe)) {
    const content = m[2]!;
    const si = content.indexOf('stream');
    if (si < 0 || !/^\s*<</.test(content)) {
      objects.set(m[1]!, { dict: content, stream: null });
      continue;
    }
    const dict = content.slice(0, si);
    let start = si + 'stream'.length;
    if (content[start] === '\r') start++;
    if (content[start] === '\n') start++;
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1] ?? '0');
    let raw = Buffer.from(content.slice(start, start + length), 'latin1');
    if (/\/FlateDecode/.test(dict)) raw = inflateSync(raw);
    objects.set(m[1]!, { dict, stream: raw.toString('latin1') });
  }
  // Font resource name -> ToUnicode map (code -> text) for the embedded (Type0) fonts.
  const maps = new Map<string, Map<number, string>>();
  const fontMap = (ref: string): Map<number, string> | null => {
    const font = objects.get(ref);
    const tu = font ? /\/ToUnicode (\d+) 0 R/.exec(font.dict) : null;
    const cmap = tu ? objects.get(tu[1]!)?.stream : null;
    if (!cmap) return null;
    const map = new Map<number, string>();
    for (const r of cmap.matchAll(/<([0-9a-fA-F]+)> <([0-9a-fA-F]+)> \[([^\]]*)\]/g)) {
      let code = parseInt(r[1]!, 16);
      for (const e of r[3]!.matchAll(/<([0-9a-fA-F ]*)>/g)) {
        const units = e[1]!
          .split(' ')
          .filter((u) => u !== '')
          .map((u) => parseInt(u, 16));
        map.set(code++, String.fromCharCode(...units));
      }
    }
    return map;
  };
  for (const o of objects.values()) {
    for (const fm of o.dict.matchAll(/\/Font\s*<<([^>]*)>>/g)) {
      for (const f of fm[1]!.matchAll(/\/([A-Za-z0-9]+) (\d+) 0 R/g)) {
        if (maps.has(f[1]!)) continue;
        const map = fontMap(f[2]!);
        if (map) maps.set(f[1]!, map);
      }
    }
  }
  const lines: string[] = [];
  const contents = [...objects.values()].filter((o) => o.stream !== null && /\bTJ\b/.test(o.stream));
  if (objects.size === 0) contents.push({ dict: '', stream: src });
  for (const o of contents) {
    let font: Map<number, string> | null = null;
    let line: string | null = null;
    const ops = /\/([A-Za-z0-9]+) [\d.]+ Tf|\[((?:<[0-9a-fA-F]*>\s*-?[\d.]*\s*)+)\]\s*TJ|\b(BT|ET)\b/g;
    for (const m of o.stream!.matchAll(ops)) {
      if (m[1] !== undefined) {
        font = maps.get(m[1]) ?? null;
      } else if (m[3] === 'BT') {
        line = '';
      } else if (m[3] === 'ET') {
        if (line !== null) lines.push(line);
        line = null;
      } else if (m[2] !== undefined) {
        let run = '';
        for (const h of m[2].matchAll(/<([0-9a-fA-F]*)>/g)) {
          if (font) {
            for (let i = 0; i + 4 <= h[1]!.length; i += 4) run += font.get(parseInt(h[1]!.slice(i, i + 4), 16)) ?? '?';
          } else {
            run += Buffer.from(h[1]!, 'hex').toString('latin1');
          }
        }
        if (line === null) lines.push(run);
        else line += run;
      }
    }
  }
  // Marks the font places separately (the dot of "ị") come back as combining characters.
  return lines.join('\n').normalize('NFC');
}

/** The number of pages in a PDF built by {@link buildPdf}. */
export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
}

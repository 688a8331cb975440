/**
 * XML parsing that keeps the line of every element, so a problem found later in a value can be
 * reported as `file:line` on the element that holds it (the Common Transfer File import reads
 * through this). Built on saxes, a maintained streaming parser that checks well-formedness; the
 * tree is built without recursion, so deep nesting cannot overflow the stack.
 */
import { SaxesParser } from 'saxes';

/** One element: its name, the line its start tag is on, its attributes, text and child elements. */
export interface XmlElement {
  readonly name: string;
  readonly line: number;
  readonly attributes: Readonly<Record<string, string>>;
  /** The element's own text (character data and CDATA, not its children's), as written. */
  text: string;
  readonly children: XmlElement[];
}

export type XmlParse = { ok: true; root: XmlElement } | { ok: false; line: number; message: string };

/** Elements nested deeper than this are refused (a CTF is about 8 deep). */
export const MAX_XML_DEPTH = 200;

/**
 * Parses XML text. A byte-order mark is ignored. Errors come back with their line, never thrown.
 *
 * @example parseXmlWithLines('<a>\n<b>x</b></a>') // { ok: true, root: { name: 'a', children: [{ name: 'b', line: 2, text: 'x' }] } }
 */
export function parseXmlWithLines(text: string): XmlParse {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = /\S/.exec(src);
  if (!first) return { ok: false, line: 1, message: 'the file is empty' };
  if (first[0] !== '<') {
    const line = src.slice(0, first.index).split('\n').length;
    return { ok: false, line, message: `this is not XML: it starts with "${first[0]}", not "<"` };
  }
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: { line: number; message: string } | undefined;
  parser.on('error', (e) => {
    if (!failure) failure = { line: parser.line, message: e.message.replace(/^\d+:\d+: /, '') };
  });
  parser.on('opentag', (tag) => {
    if (failure) return;
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes) as [string, string | { value: string }][]) {
      attributes[k] = typeof v === 'string' ? v : v.value;
    }
    const el: XmlElement = { name: tag.name, line: parser.line, attributes, text: '', children: [] };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
    if (stack.length > MAX_XML_DEPTH) {
      failure = { line: parser.line, message: `elements are nested more than ${MAX_XML_DEPTH} deep` };
    }
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const addText = (t: string): void => {
    const el = stack[stack.length - 1];
    if (el) el.text += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  try {
    // Write in slices so that a refused file (e.g. too deep) stops early.
    const SLICE = 1 << 20;
    for (let i = 0; i < src.length && !failure; i += SLICE) parser.write(src.slice(i, i + SLICE));
    if (!failure) parser.close();
  } catch (e) {
    if (!failure) failure = { line: parser.line, message: e instanceof Error ? e.message : String(e) };
  }
  if (failure) return { ok: false, ...failure };
  if (!root) return { ok: false, line: 1, message: 'the file holds no XML element' };
  return { ok: true, root };
}

/** The first child element with this name. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** Every child element with this name. */
export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** The trimmed text of the first child with this name ('' when absent). */
export function childText(el: XmlElement | undefined, name: string): string {
  return child(el, name)?.text.trim() ?? '';
}

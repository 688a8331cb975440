/**
 * Text that came from outside (imports, forms, the API) on its way to places that interpret
 * characters: spreadsheets, email headers, the operator's terminal. See docs/security.md.
 *
 * - `cleanText` removes what never belongs in a name, an address or a note: NUL and the other
 *   control characters (tab and line breaks are kept), and the bidirectional embedding,
 *   override and isolate characters that make text display in an order other than it is read
 *   (the "Trojan Source" trick: a name that shows as one pupil and sorts as another). The
 *   left-to-right and right-to-left marks (U+200E, U+200F), which Arabic and Hebrew names
 *   legitimately need, are kept.
 * - `oneLine` is `cleanText` for a single-line field such as an email subject: line breaks
 *   and tabs become spaces.
 * - `terminalSafe` is for text printed to a terminal: escape sequences (ESC, CSI) and the other
 *   control characters are shown as visible `\x1b`-style escapes instead of being obeyed.
 */

// C0 controls except tab (09), line feed (0A) and carriage return (0D); DEL; C1 controls.
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
/** LRE, RLE, PDF, LRO, RLO (U+202A–U+202E) and LRI, RLI, FSI, PDI (U+2066–U+2069). */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/g;

/** The text without NUL, control characters (but tab and line breaks) and bidi overrides. */
export function cleanText(text: string): string {
  return text.replace(CONTROL, '').replace(BIDI_CONTROL, '');
}

/** `cleanText` on one line: tabs and line breaks become single spaces. */
export function oneLine(text: string): string {
  return cleanText(text)
    .replace(/[\t\r\n]+/g, ' ')
    .trim();
}

// Everything a terminal might obey: C0 (but tab and line feed), DEL, C1, and a carriage return
// not followed by a line feed (which would let text overwrite what was printed before it).
// eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;

/**
 * The text with every character a terminal would act on written out visibly, so a pupil named
 * `"\u001b]0;pwned\u0007"` prints as `\x1b]0;pwned\x07` rather than retitling the window.
 *
 * @example terminalSafe('Ann\u001b[2J') // 'Ann\\x1b[2J'
 */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

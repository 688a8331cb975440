/**
 * Languages of letters: a contact's preferred language is an ISO 639-1 code (`pl`, `ro`…; null or
 * `en` is English). A school may keep a template in several languages; a letter goes in the
 * contact's language when the school has that version, else in English.
 *
 * Right-to-left languages (Arabic, Urdu, Persian, Pashto, Hebrew, Kurdish Sorani, Yiddish) are
 * refused with a clear message: Rollcall's PDFs lay text out left to right and the embedded font
 * has no Arabic or Hebrew script, so a letter in them would print wrongly (see docs/letters.md).
 */
import { AppError } from '../../errors.js';

/** Names in English of the languages families in English schools most often speak at home. */
export const LANGUAGES: Readonly<Record<string, string>> = {
  en: 'English',
  pl: 'Polish',
  ro: 'Romanian',
  lt: 'Lithuanian',
  lv: 'Latvian',
  cs: 'Czech',
  sk: 'Slovak',
  bg: 'Bulgarian',
  hu: 'Hungarian',
  pt: 'Portuguese',
  es: 'Spanish',
  it: 'Italian',
  fr: 'French',
  de: 'German',
  nl: 'Dutch',
  el: 'Greek',
  tr: 'Turkish',
  ru: 'Russian',
  uk: 'Ukrainian',
  sq: 'Albanian',
  vi: 'Vietnamese',
  so: 'Somali',
  sw: 'Swahili',
  yo: 'Yoruba',
  ig: 'Igbo',
  tl: 'Tagalog',
  ar: 'Arabic',
  ur: 'Urdu',
  fa: 'Persian',
  ps: 'Pashto',
  he: 'Hebrew',
  ckb: 'Kurdish (Sorani)',
  yi: 'Yiddish',
  pa: 'Punjabi',
  bn: 'Bengali',
  gu: 'Gujarati',
  hi: 'Hindi',
  ta: 'Tamil',
  zh: 'Chinese',
};

/** Languages written right to left: refused for letters. */
export const RIGHT_TO_LEFT = new Set(['ar', 'ur', 'fa', 'ps', 'he', 'ckb', 'yi']);

/** Scripts the embedded font (Noto Sans) has no glyphs for: refused too, with their own message. */
const OTHER_SCRIPTS = new Set(['pa', 'bn', 'gu', 'hi', 'ta', 'zh']);

export function languageName(code: string | null | undefined): string {
  return LANGUAGES[code ?? 'en'] ?? code ?? 'English';
}

/**
 * A language as stored: a known code, or a known name in any case (`Polish` → `pl`), or null for
 * English/empty. Returns undefined when it is not a language we know.
 */
export function normaliseLanguage(input: string | null | undefined): string | null | undefined {
  const s = (input ?? '').trim();
  if (s === '') return null;
  const lower = s.toLowerCase();
  if (lower === 'en' || lower === 'english') return null;
  if (LANGUAGES[lower]) return lower;
  const byName = Object.entries(LANGUAGES).find(([, name]) => name.toLowerCase() === lower);
  if (byName) return byName[0] === 'en' ? null : byName[0];
  // MIS exports often give a DfE code such as "POL", "RRO" or "URD".
  const dfe: Record<string, string> = {
    pol: 'pl',
    rom: 'ro',
    rro: 'ro',
    lit: 'lt',
    lat: 'lv',
    cze: 'cs',
    slo: 'sk',
    bul: 'bg',
    hun: 'hu',
    por: 'pt',
    spa: 'es',
    ita: 'it',
    fre: 'fr',
    ger: 'de',
    gre: 'el',
    tur: 'tr',
    rus: 'ru',
    ukr: 'uk',
    alb: 'sq',
    vie: 'vi',
    som: 'so',
    ara: 'ar',
    urd: 'ur',
    prs: 'fa',
    fas: 'fa',
    pas: 'ps',
    heb: 'he',
    pan: 'pa',
    pnj: 'pa',
    ben: 'bn',
    guj: 'gu',
    hin: 'hi',
    tam: 'ta',
    chi: 'zh',
    eng: 'en',
  };
  const code = dfe[lower];
  if (code === 'en') return null;
  return code ?? undefined;
}

/** The message for a language letters cannot be printed in, or null when they can. */
export function unsupportedLanguage(code: string): string | null {
  if (RIGHT_TO_LEFT.has(code))
    return `Letters in ${languageName(code)} cannot be made yet: ${languageName(code)} is written right to left, which Rollcall's PDFs do not lay out. Keep the English version, and arrange a translation or an interpreter.`;
  if (OTHER_SCRIPTS.has(code))
    return `Letters in ${languageName(code)} cannot be made yet: the letter font has no ${languageName(code)} script. Keep the English version, and arrange a translation or an interpreter.`;
  return null;
}

/** Throws VALIDATION (naming `field`) if a language cannot be printed. */
export function refuseRightToLeft(code: string, field: string): void {
  const message = unsupportedLanguage(code);
  if (message) throw new AppError('VALIDATION', message, { fields: [{ field, message }] });
}

/**
 * The words Rollcall prints around a letter, in the letter's language: the greeting ("Dear …"),
 * "Our reference:", the sign-off ("Yours sincerely"), "Page n of m", and the words it merges into
 * the text ("Year 7", "1 September 2026 to 7 December 2026", "not yet measured", the sentence of
 * `{{explanation}}`, the names of bands and roles). Dates are written in full in the language
 * (`Intl.DateTimeFormat`: Polish "7 grudnia 2026"), rates with its decimal sign.
 *
 * Where the words come from, first found: the school's version of the template in that language
 * (edited with it, checked, audited), Rollcall's suggested words for the language (Polish and
 * Romanian, written for Rollcall and not checked by a native speaker), else English, and the
 * compose page says so. See docs/letters.md.
 */
import { dateInWords, type PlainDate } from '@rollcall/domain';
import type { FieldError } from '../../errors.js';
import { languageName } from './languages.js';

export const FRAME_FIELDS = [
  'dear',
  'reference',
  'signOff',
  'page',
  'year',
  'period',
  'notYetMeasured',
  'explanation',
] as const;
export type FrameField = (typeof FRAME_FIELDS)[number];

export type LetterFrame = { readonly [K in FrameField]: string } & {
  /** English words Rollcall merges (band names, role names) → the same in this language. */
  readonly words: Readonly<Record<string, string>>;
};

/** What each field is, and the placeholders it may (and must) hold. */
export const FRAME_FIELD_INFO: Readonly<
  Record<FrameField, { label: string; hint: string; allowed: readonly string[]; required: readonly string[] }>
> = {
  dear: {
    label: 'Greeting',
    hint: '{name} is the recipient ("Mrs Kowalska" when the name starts with a title, else the full name).',
    allowed: ['name'],
    required: [],
  },
  reference: {
    label: 'Before the reference',
    hint: 'Printed above the pupil and letter reference.',
    allowed: [],
    required: [],
  },
  signOff: { label: 'Sign-off', hint: 'Printed before the signature.', allowed: [], required: [] },
  page: {
    label: 'Page numbers',
    hint: 'Must hold {n} (this page) and {m} (the pages of the letter).',
    allowed: ['n', 'm'],
    required: ['n', 'm'],
  },
  year: {
    label: 'Year group',
    hint: 'Must hold {n}, the year group ({{pupil.yearGroup}}).',
    allowed: ['n'],
    required: ['n'],
  },
  period: {
    label: 'A period',
    hint: 'Must hold {from} and {to}, two dates ({{attendance.period}}).',
    allowed: ['from', 'to'],
    required: ['from', 'to'],
  },
  notYetMeasured: {
    label: 'No band yet',
    hint: 'The band ({{attendance.band}}) of a pupil with no school sessions yet.',
    allowed: [],
    required: [],
  },
  explanation: {
    label: 'The explanation',
    hint: '{{explanation}}: may use {from}, {pupil}, {missed}, {possible}, {unauthorised}, {weeks} and {schoolWeeks}.',
    allowed: ['from', 'pupil', 'missed', 'possible', 'unauthorised', 'weeks', 'schoolWeeks'],
    required: [],
  },
};

/**
 * The role words Rollcall merges into a letter and a school may translate under "Other words":
 * the senders' roles (`ROLE_LABELS` of those who may send letters), the signer of a bulk letter
 * (the attendance lead, else the headteacher) and "The attendance team" when nobody is named.
 */
export const MERGED_ROLE_WORDS = [
  'Attendance officer',
  'Senior leader / headteacher',
  'Administrator',
  'Attendance lead',
  'Headteacher',
  'The attendance team',
] as const;

export const ENGLISH_FRAME: LetterFrame = {
  dear: 'Dear {name}',
  reference: 'Our reference:',
  signOff: 'Yours sincerely',
  page: 'Page {n} of {m}',
  year: 'Year {n}',
  period: '{from} to {to}',
  notYetMeasured: 'not yet measured (no school sessions yet)',
  explanation:
    'Since {from}, {pupil} has missed {missed} of {possible} possible sessions ({unauthorised} unauthorised), with absence in {weeks} of {schoolWeeks} school weeks.',
  words: {},
};

/**
 * Rollcall's suggested words, written for Rollcall and NOT checked by a native speaker: a school
 * sees them on the template's version in that language and can change them there. "Year {n}"
 * stays as English schools name year groups.
 */
export const SUGGESTED_FRAMES: Readonly<Record<string, LetterFrame>> = {
  pl: {
    dear: 'Szanowni Państwo',
    reference: 'Nasz znak:',
    signOff: 'Z poważaniem',
    page: 'Strona {n} z {m}',
    year: 'Year {n}',
    period: 'od {from} do {to}',
    notYetMeasured: 'jeszcze nieobliczona (nie było jeszcze zajęć w szkole)',
    explanation:
      'Od {from} {pupil} opuścił(a) {missed} z {possible} możliwych sesji szkolnych (sesja to pół dnia), w tym {unauthorised} bez usprawiedliwienia; nieobecności były w {weeks} z {schoolWeeks} tygodni szkolnych.',
    words: {
      'Attendance officer': 'Koordynator ds. frekwencji',
      'Attendance lead': 'Osoba odpowiedzialna za frekwencję',
      Headteacher: 'Dyrektor szkoły',
      'Senior leader / headteacher': 'Dyrekcja szkoły',
      Administrator: 'Administrator',
      'The attendance team': 'Zespół ds. frekwencji',
    },
  },
  ro: {
    dear: 'Stimate părinte',
    reference: 'Referința noastră:',
    signOff: 'Cu stimă',
    page: 'Pagina {n} din {m}',
    year: 'Year {n}',
    period: 'de la {from} până la {to}',
    notYetMeasured: 'încă necalculată (nu au avut loc încă ore de școală)',
    explanation:
      'Din {from}, {pupil} a lipsit de la {missed} din {possible} sesiuni școlare posibile (o sesiune este o jumătate de zi), dintre care {unauthorised} nemotivate, cu absențe în {weeks} din {schoolWeeks} săptămâni de școală.',
    words: {
      'Attendance officer': 'Responsabil cu frecvența',
      'Attendance lead': 'Coordonator pentru frecvență',
      Headteacher: 'Director',
      'Senior leader / headteacher': 'Conducerea școlii',
      Administrator: 'Administrator',
      'The attendance team': 'Echipa pentru frecvență',
    },
  },
};

/** Where a letter's frame words came from. */
export type FrameSource = 'english' | 'school' | 'suggested' | 'missing';

/**
 * The frame for a letter in `language`: the school's words for it, else Rollcall's suggested
 * words, else English (`missing`: the compose page says the frame stays English).
 */
export function frameFor(
  language: string,
  schoolFrame: LetterFrame | null,
): { frame: LetterFrame; source: FrameSource } {
  if (language === 'en') return { frame: ENGLISH_FRAME, source: 'english' };
  if (schoolFrame) return { frame: schoolFrame, source: 'school' };
  const suggested = SUGGESTED_FRAMES[language];
  if (suggested) return { frame: suggested, source: 'suggested' };
  return { frame: ENGLISH_FRAME, source: 'missing' };
}

/** The compose page's words on the frame of a letter in `language`. */
export function frameNote(language: string, source: FrameSource): string {
  const name = languageName(language);
  switch (source) {
    case 'english':
      return '';
    case 'school':
      return `The words around it (greeting, date, reference, sign-off, page numbers) are in ${name} too, as the school's ${name} version gives them.`;
    case 'suggested':
      return `The words around it (greeting, date, reference, sign-off, page numbers) are in ${name} too, in Rollcall's suggested wording, which no ${name} speaker has checked: check them on the template's ${name} version.`;
    case 'missing':
      return `The words around it (greeting, reference, sign-off, page numbers) stay in English: the school's ${name} version does not give them in ${name}; add them on the template's ${name} version. The date is in ${name}.`;
  }
}

/** `{name}`-style placeholders filled from `values` (an unknown one is left as written). */
export function fillFrame(text: string, values: Readonly<Record<string, string | number>>): string {
  return text.replace(/\{([a-zA-Z]+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** A word Rollcall merges (a band or role name) in the frame's language, else as it is. */
export function wordIn(frame: LetterFrame, word: string): string {
  return frame.words[word] ?? word;
}

/** A date written in full in the language: English "7 December 2026", Polish "7 grudnia 2026". */
export function dateIn(language: string, date: PlainDate, opts: { weekday?: boolean } = {}): string {
  if (language === 'en') return dateInWords(date, opts.weekday ? { weekday: true } : {});
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(language, {
    ...(opts.weekday ? { weekday: 'long' as const } : {}),
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** A rate (0.945) as a percentage with one decimal in the language's way ("94.5%", Polish "94,5%"). */
export function rateIn(language: string, rate: number | null): string {
  if (rate === null) return 'n/a';
  if (language === 'en') return `${(rate * 100).toFixed(1)}%`;
  const n = new Intl.NumberFormat(language, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(
    Number((rate * 100).toFixed(1)),
  );
  return `${n}%`;
}

const TITLE = /^(Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+(.+)$/i;

/**
 * The name a formal letter greets: "Mrs Kowalska" when the contact's name starts with a title
 * (Mr, Mrs, Ms, Miss, Mx, Dr, Prof) and has a surname after it, else the name as recorded.
 * Contacts keep one name field (MIS exports give "Contact Name"); the title is read from it.
 */
export function greetingName(name: string): string {
  const trimmed = name.trim().replace(/\s+/g, ' ');
  const m = TITLE.exec(trimmed);
  if (!m) return trimmed;
  const words = m[2]!.split(' ');
  const surname = words[words.length - 1]!;
  const title = m[1]!.charAt(0).toUpperCase() + m[1]!.slice(1).toLowerCase();
  return `${title} ${surname}`;
}

/** The greeting for a recipient ("Dear Mrs Kowalska"), without the comma. */
export function salutationFor(frame: LetterFrame, contactName: string): string {
  return fillFrame(frame.dear, { name: greetingName(contactName) }).trim();
}

/** A stored frame (JSON) read back; null when absent or not a frame. */
export function parseFrame(json: string | null | undefined): LetterFrame | null {
  if (!json) return null;
  try {
    const v = JSON.parse(json) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of FRAME_FIELDS) {
      if (typeof v[f] !== 'string') return null;
      out[f] = v[f];
    }
    const words: Record<string, string> = {};
    if (v.words && typeof v.words === 'object')
      for (const [k, w] of Object.entries(v.words as Record<string, unknown>)) if (typeof w === 'string') words[k] = w;
    return { ...(out as { [K in FrameField]: string }), words };
  } catch {
    return null;
  }
}

/** A frame as stored. */
export function frameJson(frame: LetterFrame): string {
  const out: Record<string, unknown> = {};
  for (const f of FRAME_FIELDS) out[f] = frame[f];
  out.words = frame.words;
  return JSON.stringify(out);
}

/** What the template form sends for the frame: each field as typed, and the other words, one a line. */
export type FrameInput = Partial<Record<FrameField, string>> & { readonly words?: string };

/** The other words as the form shows them: `English = translation`, one a line. */
export function wordsText(words: Readonly<Record<string, string>>): string {
  return Object.entries(words)
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
}

/**
 * Checks the frame a school typed for a language version. All empty: no frame of its own (null).
 * Otherwise every field is needed, each at most 300 characters (the explanation 600), with only
 * its placeholders and all those it requires; the other words are `English = translation` lines
 * whose English side is a word Rollcall merges (`knownWords`: the policy's band names and the role
 * names). Each problem names its field (`frame.<field>`, `frame.words` with the line).
 */
export function checkFrame(
  input: FrameInput,
  knownWords: readonly string[],
): { frame: LetterFrame | null; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const values: Partial<Record<FrameField, string>> = {};
  for (const f of FRAME_FIELDS) values[f] = (input[f] ?? '').replace(/\s+/g, ' ').trim();
  const wordsRaw = (input.words ?? '').replace(/\r\n?/g, '\n');
  if (FRAME_FIELDS.every((f) => values[f] === '') && wordsRaw.trim() === '') return { frame: null, errors };
  for (const f of FRAME_FIELDS) {
    const v = values[f]!;
    const info = FRAME_FIELD_INFO[f];
    if (v === '') {
      errors.push({
        field: `frame.${f}`,
        message: `${info.label}: enter the words, or leave every one of them empty.`,
      });
      continue;
    }
    const max = f === 'explanation' ? 600 : 300;
    if (v.length > max) errors.push({ field: `frame.${f}`, message: `${info.label}: at most ${max} characters.` });
    const used = [...v.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!);
    for (const u of used)
      if (!info.allowed.includes(u))
        errors.push({
          field: `frame.${f}`,
          message: `${info.label}: {${u}} is not a placeholder here${info.allowed.length > 0 ? ` (use ${info.allowed.map((a) => `{${a}}`).join(', ')})` : ''}.`,
        });
    for (const r of info.required)
      if (!used.includes(r)) errors.push({ field: `frame.${f}`, message: `${info.label}: must hold {${r}}.` });
  }
  const known = new Set(knownWords);
  const words: Record<string, string> = {};
  wordsRaw.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const at = line.indexOf('=');
    const english = at < 0 ? '' : line.slice(0, at).trim();
    const theirs = at < 0 ? '' : line.slice(at + 1).trim();
    if (!english || !theirs) {
      errors.push({
        field: 'frame.words',
        message: `Other words, line ${i + 1}: write the English word, "=", then the same in this language.`,
      });
    } else if (!known.has(english)) {
      errors.push({
        field: 'frame.words',
        message: `Other words, line ${i + 1}: "${english}" is not a word Rollcall merges into letters (${[...known].join(', ')}).`,
      });
    } else if (theirs.length > 200) {
      errors.push({ field: 'frame.words', message: `Other words, line ${i + 1}: at most 200 characters.` });
    } else words[english] = theirs;
  });
  if (errors.length > 0) return { frame: null, errors };
  return { frame: { ...(values as { [K in FrameField]: string }), words }, errors };
}

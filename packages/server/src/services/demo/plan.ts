/**
 * Long on purpose: one deterministic generator: the order of its random draws is what
 * makes the demo the same for a seed, so its steps read in one place; it builds plain data and has
 * no I/O.
 *
 * The demo trust as plain data, before anything is written: the schools, their groups and
 * timetable, staff accounts, families, pupils and contacts. Deterministic for a seed (ids aside).
 */
import {
  addDays,
  isoWeekday,
  upnCheckLetter,
  type PlainDate,
  type RegisterTimes,
  type Session,
} from '@rollcall/domain';
import { newId } from '../../platform/ids.js';
import type { Role } from '../authz.js';
import type { DemoYear } from './calendar.js';
import {
  ADULT_NAMES,
  BACKGROUNDS,
  SHORT_FORMS,
  isFamous,
  type Background,
  type Gender,
  type NamePool,
} from './names.js';
import type { Rng } from './random.js';

export type SchoolKey = 'primary' | 'secondary';

export const TRUST_NAME = 'Northfield Learning Trust';
export const LA_CODE = '999';
export const LA_NAME = 'Demo Borough';
export const TRUST_DOMAIN = 'northfield-trust.test';
export const LA_DOMAIN = 'demo-borough.test';
const DEMO_PARENT_EMAILS = ['parent@example.test', 'parent2@example.test'] as const;

/**
 * The memorable demo accounts, one per role and school, the trust's and the LA's, and the two
 * parents: fixed addresses whatever the seed (printed by `npm start`).
 */
export function demoSignInEmails(): { role: Role; email: string }[] {
  const signIns: { role: Role; email: string }[] = [];
  for (const spec of [SCHOOL_SPECS.primary, SCHOOL_SPECS.secondary]) {
    signIns.push(
      { role: 'teacher', email: `teacher@${spec.domain}` },
      { role: 'office', email: `office@${spec.domain}` },
      { role: 'attendance_officer', email: `attendance@${spec.domain}` },
      { role: 'senco', email: `senco@${spec.domain}` },
      { role: 'senior_leader', email: `head@${spec.domain}` },
      { role: 'governor', email: `governor@${spec.domain}` },
      { role: 'admin', email: `admin@${spec.domain}` },
    );
  }
  for (const spec of [SCHOOL_SPECS.primary, SCHOOL_SPECS.secondary]) {
    signIns.push(
      { role: 'dsl', email: `dsl@${spec.domain}` },
      { role: 'deputy_dsl', email: `deputy.dsl@${spec.domain}` },
    );
  }
  signIns.push(
    { role: 'trust_lead', email: `trust.lead@${TRUST_DOMAIN}` },
    { role: 'la_officer', email: `officer@${LA_DOMAIN}` },
  );
  for (const email of DEMO_PARENT_EMAILS) signIns.push({ role: 'parent', email });
  return signIns;
}

export interface SchoolSpec {
  readonly key: SchoolKey;
  readonly name: string;
  readonly urn: string;
  /** DfE establishment number (4 digits) used in the school's UPNs. */
  readonly establishment: string;
  readonly phase: 'primary' | 'secondary';
  /** Staff e-mail domain (a reserved `.test` name). */
  readonly domain: string;
  readonly registerTimes: RegisterTimes;
}

export const SCHOOL_SPECS: Readonly<Record<SchoolKey, SchoolSpec>> = {
  primary: {
    key: 'primary',
    name: 'Northfield Primary School',
    urn: '990101',
    establishment: '2101',
    phase: 'primary',
    domain: 'northfield-primary.test',
    registerTimes: { AM: { opens: '08:50', closes: '09:20' }, PM: { opens: '13:00', closes: '13:10' } },
  },
  secondary: {
    key: 'secondary',
    name: 'Northfield Academy',
    urn: '990102',
    establishment: '4101',
    phase: 'secondary',
    domain: 'northfield-academy.test',
    registerTimes: { AM: { opens: '08:40', closes: '09:10' }, PM: { opens: '12:50', closes: '13:00' } },
  },
};

export interface PlannedUser {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: Role;
  readonly school: SchoolKey | null;
  readonly trust: boolean;
  readonly laCode: string | null;
  /** Secondary teachers: their department. */
  readonly subject: string | null;
  readonly groups: PlannedGroup[];
}

export interface PlannedLesson {
  readonly id: string;
  readonly group: PlannedGroup;
  readonly weekday: number;
  readonly period: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly session: Session;
}

export interface PlannedGroup {
  readonly id: string;
  readonly school: SchoolKey;
  readonly kind: 'registration' | 'teaching';
  readonly name: string;
  readonly yearIndex: number;
  readonly yearGroup: string;
  readonly subject: string | null;
  teacher: PlannedUser | null;
  readonly members: PlannedPupil[];
  readonly lessons: PlannedLesson[];
}

export type Relationship = 'Mother' | 'Father' | 'Carer' | 'Grandparent';

export interface FamilyAdult {
  readonly name: string;
  readonly relationship: Relationship;
  readonly parentalResponsibility: boolean;
  readonly livesWithPupil: boolean;
  readonly mobile: string | null;
  readonly home: string | null;
  readonly work: string | null;
  readonly email: string | null;
}

export interface Family {
  readonly index: number;
  readonly background: Background;
  readonly surname: string;
  readonly fsm: boolean;
  readonly eal: boolean;
  readonly adults: FamilyAdult[];
  readonly children: PlannedPupil[];
  /** Families behind the demo parent accounts take no random siblings. */
  readonly reserved: boolean;
  readonly foster: boolean;
  /** The family home (made-up streets in a made-up town; derived from the index, not the random stream). */
  readonly address: string;
  readonly postcode: string;
}

export interface PlannedContact extends FamilyAdult {
  readonly id: string;
  readonly priority: number;
}

export type SenStatus = 'N' | 'K' | 'E';

export interface PlannedPupil {
  readonly id: string;
  readonly school: SchoolKey;
  readonly upn: string;
  readonly legalForename: string;
  readonly legalSurname: string;
  readonly preferredForename: string | null;
  readonly dateOfBirth: PlainDate;
  readonly gender: Gender;
  /** 0 = Reception … 11 = Year 11. */
  readonly yearIndex: number;
  readonly yearGroup: string;
  readonly regGroup: PlannedGroup;
  readonly teachingGroups: PlannedGroup[];
  readonly admissionDate: PlainDate;
  leavingDate: PlainDate | null;
  /** Joined during this academic year, after the first day of term. */
  readonly midYear: boolean;
  sen: SenStatus;
  fsm: boolean;
  pupilPremium: boolean;
  eal: boolean;
  cin: boolean;
  cp: boolean;
  lac: boolean;
  previouslyLac: boolean;
  youngCarer: boolean;
  socialWorker: string | null;
  readonly ethnicity: string;
  readonly family: Family;
  readonly contacts: PlannedContact[];
}

export interface SchoolPlan {
  readonly spec: SchoolSpec;
  readonly groups: PlannedGroup[];
  readonly lessons: PlannedLesson[];
  readonly users: PlannedUser[];
  readonly pupils: PlannedPupil[];
}

export interface ParentAccount {
  readonly user: PlannedUser;
  readonly links: readonly { readonly pupil: PlannedPupil; readonly contact: PlannedContact }[];
}

export interface Plan {
  readonly primary: SchoolPlan;
  readonly secondary: SchoolPlan;
  /** The trust attendance lead and the local authority officer. */
  readonly trustUsers: readonly PlannedUser[];
  readonly parents: readonly ParentAccount[];
  /** The sign-ins worth printing, in order. */
  readonly signIns: readonly { role: Role; email: string }[];
}

export interface PlanOptions {
  readonly year: DemoYear;
  /** School days before today (the first mid-year admissions and the leaver are placed among them). */
  readonly pastSchoolDays: readonly PlainDate[];
  /** 1 = full size (~210 + ~1,000 pupils); 0.1 for fast tests. */
  readonly scale: number;
}

// ---------------------------------------------------------------------------------------------

const PRIMARY_CLASSES = [
  'Reception Willow',
  'Year 1 Rowan',
  'Year 2 Beech',
  'Year 3 Oak',
  'Year 4 Ash',
  'Year 5 Birch',
  'Year 6 Cedar',
];
/** The class whose teacher signs in as `teacher@…`. */
const PRIMARY_DEMO_CLASS = 3;
const FORM_LETTERS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];

interface Subject {
  readonly code: string;
  readonly name: string;
  readonly periods: number;
  /** Taught in ability sets across half a year group; otherwise in form groups. */
  readonly setted: boolean;
}

/** 25 periods a week. */
export const SUBJECTS: readonly Subject[] = [
  { code: 'En', name: 'English', periods: 4, setted: true },
  { code: 'Ma', name: 'Maths', periods: 4, setted: true },
  { code: 'Sc', name: 'Science', periods: 4, setted: true },
  { code: 'Hi', name: 'History', periods: 2, setted: false },
  { code: 'Gg', name: 'Geography', periods: 2, setted: false },
  { code: 'Fr', name: 'French', periods: 2, setted: false },
  { code: 'PE', name: 'PE', periods: 2, setted: false },
  { code: 'Cp', name: 'Computing', periods: 1, setted: false },
  { code: 'Ar', name: 'Art', periods: 1, setted: false },
  { code: 'Mu', name: 'Music', periods: 1, setted: false },
  { code: 'RE', name: 'RE', periods: 1, setted: false },
  { code: 'Ps', name: 'PSHE', periods: 1, setted: false },
];

/** The secondary day: registration, then periods 1–3 in the morning and 4–5 in the afternoon. */
export const PERIODS: readonly { period: string; startsAt: string; endsAt: string; session: Session }[] = [
  { period: 'P1', startsAt: '09:00', endsAt: '10:00', session: 'AM' },
  { period: 'P2', startsAt: '10:00', endsAt: '11:00', session: 'AM' },
  { period: 'P3', startsAt: '11:20', endsAt: '12:20', session: 'AM' },
  { period: 'P4', startsAt: '13:00', endsAt: '14:00', session: 'PM' },
  { period: 'P5', startsAt: '14:00', endsAt: '15:00', session: 'PM' },
];

/** Most periods a secondary teacher teaches in a week. */
const MAX_TEACHING_PERIODS = 22;
/** A teacher takes a class outside their subject only while their timetable is this light. */
const SECOND_SUBJECT_LOAD = 18;

function yearLabel(yearIndex: number): string {
  return yearIndex === 0 ? 'R' : String(yearIndex);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function slug(s: string): string {
  return s
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

function firstWeekdayOnOrAfter(d: PlainDate): PlainDate {
  const wd = isoWeekday(d);
  return wd >= 6 ? addDays(d, 8 - wd) : d;
}

function plainDateOf(year: number, month: number, day: number): PlainDate {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}` as PlainDate;
}

/** A valid permanent UPN: check letter, LA, establishment, two-digit year, serial. */
export function makeUpn(laCode: string, establishment: string, year: number, serial: number): string {
  const rest = `${laCode}${establishment}${pad(year % 100, 2)}${pad(serial, 3)}`;
  return `${upnCheckLetter(rest)}${rest}`;
}

// ---------------------------------------------------------------------------------------------
// People

const DEMO_STREETS = [
  'Orchard Road',
  'Mill Lane',
  'Chapel Street',
  'Station Road',
  'Beech Grove',
  'Victoria Terrace',
  'Meadow Close',
  'Church View',
  'Willow Way',
  'Park Crescent',
  'Foundry Row',
  'Canal Side',
] as const;

/**
 * A made-up address for the n-th household: made-up streets in the made-up town of Exampleton,
 * with postcodes in the unused ZX area so that none is anybody's real address.
 */
export function demoAddress(n: number): { address: string; postcode: string } {
  const street = DEMO_STREETS[n % DEMO_STREETS.length]!;
  const number = 1 + ((n * 7) % 140);
  return {
    address: `${number} ${street}\nExampleton`,
    postcode: `ZX${1 + (n % 9)} ${(n * 3) % 10}${'ABDEFGHJLNPQRSTUWXYZ'[n % 20]!}${'ABDEFGHJLNPQRSTUWXYZ'[(n * 7) % 20]!}`,
  };
}

class People {
  readonly families: Family[] = [];
  private readonly staffNames = new Set<string>();

  constructor(private readonly rng: Rng) {}

  private nameFrom(pool: NamePool, gender: Gender): { forename: string; surname: string } {
    for (;;) {
      const forename = this.rng.pick(gender === 'F' ? pool.female : pool.male);
      const surname = this.rng.pick(pool.surnames);
      if (!isFamous(forename, surname)) return { forename, surname };
    }
  }

  private adultForename(background: Background, gender: Gender, surname: string): string {
    const british = background.names.surnames === ADULT_NAMES.surnames;
    const pool = british ? ADULT_NAMES : background.names;
    for (;;) {
      const forename = this.rng.pick(gender === 'F' ? pool.female : pool.male);
      if (!isFamous(forename, surname)) return forename;
    }
  }

  private mobile(): string {
    return `07700 900${pad(this.rng.int(0, 999), 3)}`;
  }

  private landline(): string {
    return `01632 960${pad(this.rng.int(0, 999), 3)}`;
  }

  private email(forename: string, surname: string): string {
    return `${slug(forename)}.${slug(surname)}${this.rng.int(1, 99)}@${this.rng.chance(0.6) ? 'example.com' : 'example.org'}`;
  }

  private adult(
    background: Background,
    relationship: Relationship,
    gender: Gender,
    surname: string,
    pr: boolean,
    lives: boolean,
    home: string | null,
  ): FamilyAdult {
    const forename = this.adultForename(background, gender, surname);
    const grand = relationship === 'Grandparent';
    return {
      name: `${forename} ${surname}`,
      relationship,
      parentalResponsibility: pr,
      livesWithPupil: lives,
      mobile: grand && this.rng.chance(0.3) ? null : this.mobile(),
      home: lives ? home : this.rng.chance(0.3) ? this.landline() : null,
      work: !grand && this.rng.chance(0.2) ? this.landline() : null,
      email: this.rng.chance(grand ? 0.4 : 0.85) ? this.email(forename, surname) : null,
    };
  }

  newFamily(opts: { reserved?: boolean; foster?: boolean } = {}): Family {
    const rng = this.rng;
    const background = rng.weighted(BACKGROUNDS.map((b) => [b, b.weight] as const));
    const surname = this.rng.pick(background.names.surnames);
    const home = rng.chance(0.5) ? this.landline() : null;
    const other = (): string => (rng.chance(0.8) ? surname : rng.pick(background.names.surnames));
    const adults: FamilyAdult[] = [];
    if (opts.foster) {
      adults.push(
        this.adult(
          rng.pick(BACKGROUNDS.slice(0, 1)),
          'Carer',
          rng.chance(0.7) ? 'F' : 'M',
          rng.pick(ADULT_NAMES.surnames),
          false,
          true,
          this.landline(),
        ),
      );
      adults.push(this.adult(background, 'Mother', 'F', other(), true, false, null));
    } else {
      const pattern = rng.weighted([
        ['two-parents', 58],
        ['separated', 25],
        ['father-resident', 7],
        ['mother-only', 7],
        ['kinship', 3],
      ] as const);
      switch (pattern) {
        case 'two-parents':
          adults.push(this.adult(background, 'Mother', 'F', other(), true, true, home));
          adults.push(this.adult(background, 'Father', 'M', surname, true, true, home));
          break;
        case 'separated':
          adults.push(this.adult(background, 'Mother', 'F', other(), true, true, home));
          adults.push(this.adult(background, 'Father', 'M', surname, true, false, null));
          break;
        case 'father-resident':
          adults.push(this.adult(background, 'Father', 'M', surname, true, true, home));
          adults.push(this.adult(background, 'Mother', 'F', other(), true, false, null));
          break;
        case 'mother-only':
          adults.push(this.adult(background, 'Mother', 'F', surname, true, true, home));
          break;
        case 'kinship':
          adults.push(this.adult(background, 'Grandparent', 'F', surname, true, true, home));
          adults.push(this.adult(background, 'Mother', 'F', other(), true, false, null));
          break;
      }
      if (adults.length < 3 && rng.chance(0.3)) {
        adults.push(
          this.adult(
            background,
            'Grandparent',
            rng.chance(0.65) ? 'F' : 'M',
            rng.chance(0.5) ? surname : rng.pick(background.names.surnames),
            false,
            false,
            null,
          ),
        );
      }
    }
    const family: Family = {
      index: this.families.length,
      background,
      surname,
      fsm: rng.chance(0.24),
      eal: rng.chance(background.eal),
      adults,
      children: [],
      reserved: opts.reserved ?? false,
      foster: opts.foster ?? false,
      ...demoAddress(this.families.length),
    };
    this.families.push(family);
    return family;
  }

  /** An existing family for a sibling (none in the same school year), or undefined. */
  siblingFamily(school: SchoolKey, yearIndex: number): Family | undefined {
    if (this.families.length === 0) return undefined;
    for (let tries = 0; tries < 6; tries++) {
      const f = this.rng.pick(this.families);
      if (f.reserved || f.foster || f.children.length >= 3) continue;
      if (f.children.some((c) => c.school === school && Math.abs(c.yearIndex - yearIndex) < 1)) continue;
      return f;
    }
    return undefined;
  }

  childName(family: Family, gender: Gender): { forename: string; preferred: string | null } {
    for (;;) {
      const { forename } = this.nameFrom(family.background.names, gender);
      if (family.children.some((c) => c.legalForename === forename)) continue;
      const short = SHORT_FORMS[forename];
      const preferred = short !== undefined && this.rng.chance(0.5) && !isFamous(short, family.surname) ? short : null;
      if (isFamous(forename, family.surname)) continue;
      return { forename, preferred };
    }
  }

  staffName(): string {
    for (;;) {
      const gender: Gender = this.rng.chance(0.7) ? 'F' : 'M';
      const { forename, surname } = this.nameFrom(ADULT_NAMES, gender);
      const title = gender === 'M' ? 'Mr' : this.rng.pick(['Mrs', 'Ms', 'Miss']);
      const name = `${title} ${forename} ${surname}`;
      if (this.staffNames.has(`${forename} ${surname}`)) continue;
      this.staffNames.add(`${forename} ${surname}`);
      return name;
    }
  }

  socialWorker(): string {
    return `${this.staffName().replace(/^\S+ /, '')}, ${LA_NAME} Children's Services`;
  }
}

// ---------------------------------------------------------------------------------------------
// Groups and timetable

function newGroup(
  school: SchoolKey,
  kind: PlannedGroup['kind'],
  name: string,
  yearIndex: number,
  subject: string | null,
): PlannedGroup {
  return {
    id: newId(),
    school,
    kind,
    name,
    yearIndex,
    yearGroup: yearLabel(yearIndex),
    subject,
    teacher: null,
    members: [],
    lessons: [],
  };
}

function user(
  email: string,
  displayName: string,
  role: Role,
  school: SchoolKey | null,
  extra: Partial<Pick<PlannedUser, 'trust' | 'laCode' | 'subject'>> = {},
): PlannedUser {
  return {
    id: newId(),
    email,
    displayName,
    role,
    school,
    trust: extra.trust ?? false,
    laCode: extra.laCode ?? null,
    subject: extra.subject ?? null,
    groups: [],
  };
}

/**
 * The base week of a half year group (four forms): which slots hold the setted subjects, taught
 * to the whole half at once, and which ('F') hold foundation subjects, taught to each form on its
 * own. Slot = (weekday - 1) * 5 + period index. Filling slots day by day spreads each subject's
 * lessons over different days.
 */
function baseWeek(): string[] {
  const setted = SUBJECTS.filter((s) => s.setted).flatMap((s) => new Array<string>(s.periods).fill(s.code));
  const foundation = SUBJECTS.filter((s) => !s.setted).reduce((n, s) => n + s.periods, 0);
  const sequence = [...setted, ...new Array<string>(foundation).fill('F')];
  const week = new Array<string>(25);
  sequence.forEach((code, i) => {
    week[(i % 5) * 5 + Math.floor(i / 5)] = code;
  });
  return week;
}

/** The order foundation lessons fill a form's 'F' slots (two-lesson subjects kept apart). */
const FOUNDATION_ORDER = ['Hi', 'Gg', 'Fr', 'PE', 'Cp', 'Hi', 'Gg', 'Fr', 'PE', 'Ar', 'Mu', 'RE', 'Ps'];

interface Block {
  readonly yearIndex: number;
  readonly half: number;
  readonly forms: PlannedGroup[];
  /** Slot → setted subject code, or 'F'. */
  readonly week: string[];
}

/** Each of the ten half-year blocks gets the base week shifted by a different (day, period) pair. */
function blockWeek(base: readonly string[], b: number): string[] {
  const dayShift = b % 5;
  const periodShift = (3 * b + Math.floor(b / 5)) % 5;
  const out = new Array<string>(25);
  for (let day = 0; day < 5; day++) {
    for (let p = 0; p < 5; p++) {
      out[((day + dayShift) % 5) * 5 + ((p + periodShift) % 5)] = base[day * 5 + p]!;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

export function buildPlan(rng: Rng, opts: PlanOptions): Plan {
  const people = new People(rng.fork('people'));
  const year = opts.year;
  const startYear = Number(year.start.slice(0, 4));
  const firstDay = year.terms[0]!.start;
  const past = opts.pastSchoolDays;
  const pastAt = (share: number): PlainDate | null =>
    past.length >= 10 ? past[Math.min(past.length - 1, Math.floor(past.length * share))]! : null;

  const primaryGroups = PRIMARY_CLASSES.map((name, y) => newGroup('primary', 'registration', name, y, null));
  const forms: PlannedGroup[] = [];
  for (let y = 7; y <= 11; y++)
    for (const letter of FORM_LETTERS) forms.push(newGroup('secondary', 'registration', `${y}${letter}`, y, null));

  const classSize = Math.max(2, Math.round(30 * opts.scale));
  const formSize = Math.max(2, Math.round(25 * opts.scale));

  const serials = new Map<string, number>();
  const nextUpn = (spec: SchoolSpec, entryYear: number): string => {
    const key = `${spec.key}/${entryYear}`;
    const n = (serials.get(key) ?? 0) + 1;
    serials.set(key, n);
    return makeUpn(LA_CODE, spec.establishment, entryYear, n);
  };

  const reservedFamilies = new Map<string, Family>();
  /** Families behind the demo parent accounts: A has two primary children, B one in each school. */
  const forced: Record<string, { label: string; create: boolean }> = {
    'Year 1 Rowan/0': { label: 'A', create: true },
    'Year 3 Oak/0': { label: 'A', create: false },
    'Year 5 Birch/1': { label: 'B', create: true },
    '8A/0': { label: 'B', create: false },
  };

  const makePupil = (
    spec: SchoolSpec,
    group: PlannedGroup,
    index: number,
    midYearOn: PlainDate | null,
  ): PlannedPupil => {
    const y = group.yearIndex;
    const force = forced[`${group.name}/${index}`];
    const lacRoll = !force && rng.chance(0.007);
    let family: Family | undefined;
    if (force) {
      family = force.create ? people.newFamily({ reserved: true }) : reservedFamilies.get(force.label);
      if (family && force.create) reservedFamilies.set(force.label, family);
    } else if (!lacRoll && rng.chance(0.22)) {
      family = people.siblingFamily(spec.key, y);
    }
    family ??= people.newFamily({ foster: lacRoll });
    const gender: Gender = rng.chance(0.51) ? 'M' : 'F';
    const { forename, preferred } = people.childName(family, gender);
    // Born between 1 September and 31 August of the cohort's year.
    const bornFrom = plainDateOf(startYear - 5 - y, 9, 1);
    const dateOfBirth = addDays(bornFrom, rng.int(0, 364));
    const entryYear = spec.key === 'primary' ? startYear - y : startYear - (y - 7);
    const newCohort = (spec.key === 'primary' && y === 0) || (spec.key === 'secondary' && y === 7);
    const admissionDate = midYearOn ?? (newCohort ? firstDay : firstWeekdayOnOrAfter(plainDateOf(entryYear, 9, 3)));
    const boy = gender === 'M';
    const ehcp = rng.chance(boy ? 0.033 : 0.015);
    const sen: SenStatus = ehcp ? 'E' : rng.chance(boy ? 0.15 : 0.09) ? 'K' : 'N';
    const cp = !lacRoll && rng.chance(0.008);
    const cin = cp || (!lacRoll && rng.chance(0.025));
    const previouslyLac = !lacRoll && rng.chance(0.008);
    const youngCarer = rng.chance(spec.key === 'secondary' ? 0.03 : 0.015);
    const fsm = family.fsm;
    const pupil: PlannedPupil = {
      id: newId(),
      school: spec.key,
      upn: nextUpn(spec, entryYear),
      legalForename: forename,
      legalSurname: family.surname,
      preferredForename: preferred,
      dateOfBirth,
      gender,
      yearIndex: y,
      yearGroup: yearLabel(y),
      regGroup: group,
      teachingGroups: [],
      admissionDate,
      leavingDate: null,
      midYear: midYearOn !== null,
      sen,
      fsm,
      pupilPremium: fsm || lacRoll || previouslyLac || rng.chance(0.05),
      eal: family.eal,
      cin,
      cp,
      lac: lacRoll,
      previouslyLac,
      youngCarer,
      socialWorker: cin || lacRoll ? people.socialWorker() : null,
      ethnicity: family.background.ethnicity,
      family,
      contacts: family.adults.map((a, i) => ({ ...a, id: newId(), priority: i + 1 })),
    };
    family.children.push(pupil);
    group.members.push(pupil);
    return pupil;
  };

  // Primary: one class of 30 per year; Year 3 and Year 5 each gain a pupil during the year, Year 4 loses one.
  const primaryPupils: PlannedPupil[] = [];
  const primaryJoins: Record<number, number> = { 3: 0.45, 5: 0.7 };
  for (const group of primaryGroups) {
    const join = primaryJoins[group.yearIndex];
    const joinOn = join !== undefined ? pastAt(join) : null;
    const n = joinOn ? classSize - 1 : classSize;
    for (let i = 0; i < n; i++) primaryPupils.push(makePupil(SCHOOL_SPECS.primary, group, i, null));
    if (joinOn) primaryPupils.push(makePupil(SCHOOL_SPECS.primary, group, n, joinOn));
  }
  // Secondary: eight forms of 25 per year; three forms gain a pupil during the year, one loses one.
  const secondaryPupils: PlannedPupil[] = [];
  const secondaryJoins: Record<string, number> = { '7C': 0.3, '9E': 0.55, '10B': 0.8 };
  for (const group of forms) {
    const join = secondaryJoins[group.name];
    const joinOn = join !== undefined ? pastAt(join) : null;
    const n = joinOn ? formSize - 1 : formSize;
    for (let i = 0; i < n; i++) secondaryPupils.push(makePupil(SCHOOL_SPECS.secondary, group, i, null));
    if (joinOn) secondaryPupils.push(makePupil(SCHOOL_SPECS.secondary, group, n, joinOn));
  }
  const leaveOn = pastAt(0.6);
  if (leaveOn) {
    const pick = (group: PlannedGroup | undefined): void => {
      const p = group?.members.find((m) => !m.midYear && !m.family.reserved);
      if (p) p.leavingDate = leaveOn;
    };
    pick(primaryGroups[4]);
    pick(forms.find((f) => f.name === '9B'));
  }

  // Make sure each school has at least one pupil in each group the pages filter by.
  for (const pupils of [primaryPupils, secondaryPupils]) {
    const ensure = (has: (p: PlannedPupil) => boolean, set: (p: PlannedPupil) => void): void => {
      if (pupils.some(has)) return;
      const candidates = pupils.filter(
        (p) => !p.family.reserved && !p.midYear && p.leavingDate === null && !p.lac && !p.cin,
      );
      const p = rng.pick(candidates.length > 0 ? candidates : pupils);
      set(p);
    };
    ensure(
      (p) => p.sen === 'E',
      (p) => (p.sen = 'E'),
    );
    ensure(
      (p) => p.sen === 'K',
      (p) => (p.sen = 'K'),
    );
    ensure(
      (p) => p.fsm,
      (p) => ((p.fsm = true), (p.pupilPremium = true)),
    );
    ensure(
      (p) => p.eal,
      (p) => (p.eal = true),
    );
    ensure(
      (p) => p.youngCarer,
      (p) => (p.youngCarer = true),
    );
    ensure(
      (p) => p.previouslyLac,
      (p) => ((p.previouslyLac = true), (p.pupilPremium = true)),
    );
    ensure(
      (p) => p.cp,
      (p) => ((p.cp = true), (p.cin = true), (p.socialWorker = people.socialWorker())),
    );
    ensure(
      (p) => p.cin && !p.cp,
      (p) => ((p.cin = true), (p.socialWorker = people.socialWorker())),
    );
  }

  // ------------------------------------------------------------------------------ secondary timetable
  const base = baseWeek();
  const teachingGroups: PlannedGroup[] = [];
  const lessons: PlannedLesson[] = [];
  const blocks: Block[] = [];
  for (let y = 7; y <= 11; y++) {
    for (let half = 0; half < 2; half++) {
      const b = (y - 7) * 2 + half;
      blocks.push({
        yearIndex: y,
        half,
        forms: forms.filter((f) => f.yearIndex === y).slice(half * 4, half * 4 + 4),
        week: blockWeek(base, b),
      });
    }
  }
  const groupSlots = new Map<PlannedGroup, number[]>();
  const timetableRng = rng.fork('timetable');
  for (const block of blocks) {
    const halfName = `${block.yearIndex}${block.half === 0 ? 'X' : 'Y'}`;
    const pupils = block.forms.flatMap((f) => f.members);
    const ability = new Map(pupils.map((p) => [p, timetableRng.next()]));
    const foundationSlots = block.week.flatMap((code, slot) => (code === 'F' ? [slot] : []));
    for (const subject of SUBJECTS) {
      const groups: { group: PlannedGroup; slots: number[] }[] = [];
      if (subject.setted) {
        const slots = block.week.flatMap((code, slot) => (code === subject.code ? [slot] : []));
        const ranked = [...pupils].sort(
          (a, b) => ability.get(b)! + timetableRng.next() * 0.4 - (ability.get(a)! + timetableRng.next() * 0.4),
        );
        const per = Math.ceil(ranked.length / 4);
        for (let s = 0; s < 4; s++) {
          const g = newGroup(
            'secondary',
            'teaching',
            `${halfName}/${subject.code}${s + 1}`,
            block.yearIndex,
            subject.name,
          );
          for (const p of ranked.slice(s * per, (s + 1) * per)) g.members.push(p);
          groups.push({ group: g, slots });
        }
      } else {
        block.forms.forEach((form, f) => {
          const slots = foundationSlots.filter(
            (_, j) => FOUNDATION_ORDER[(j + 3 * f) % FOUNDATION_ORDER.length] === subject.code,
          );
          const g = newGroup('secondary', 'teaching', `${form.name}/${subject.code}`, block.yearIndex, subject.name);
          for (const p of form.members) g.members.push(p);
          groups.push({ group: g, slots });
        });
      }
      for (const { group: g, slots } of groups) {
        for (const p of g.members) p.teachingGroups.push(g);
        for (const slot of slots) {
          const period = PERIODS[slot % 5]!;
          const lesson: PlannedLesson = { id: newId(), group: g, weekday: Math.floor(slot / 5) + 1, ...period };
          g.lessons.push(lesson);
          lessons.push(lesson);
        }
        groupSlots.set(g, slots);
        teachingGroups.push(g);
      }
    }
  }

  // ------------------------------------------------------------------------------ staff
  const staffFor = (spec: SchoolSpec): PlannedUser[] => [
    user(`office@${spec.domain}`, people.staffName(), 'office', spec.key),
    user(`attendance@${spec.domain}`, people.staffName(), 'attendance_officer', spec.key),
    user(`senco@${spec.domain}`, people.staffName(), 'senco', spec.key),
    user(`head@${spec.domain}`, people.staffName(), 'senior_leader', spec.key),
    user(`governor@${spec.domain}`, people.staffName(), 'governor', spec.key),
    user(`admin@${spec.domain}`, people.staffName(), 'admin', spec.key),
  ];

  const primarySpec = SCHOOL_SPECS.primary;
  const primaryUsers: PlannedUser[] = [];
  primaryGroups.forEach((g, i) => {
    const email =
      i === PRIMARY_DEMO_CLASS
        ? `teacher@${primarySpec.domain}`
        : `teacher.${slug(g.name.split(' ').pop() ?? g.name)}@${primarySpec.domain}`;
    const t = user(email, people.staffName(), 'teacher', 'primary');
    g.teacher = t;
    t.groups.push(g);
    primaryUsers.push(t);
  });
  primaryUsers.push(...staffFor(primarySpec));

  // Secondary teachers: each teaching group gets a teacher of its subject who is free at all its
  // slots; a department hires another teacher when nobody is.
  const secondarySpec = SCHOOL_SPECS.secondary;
  const teachers: { user: PlannedUser; busy: Set<number> }[] = [];
  const deptCount = new Map<string, number>();
  const hire = (subject: string): { user: PlannedUser; busy: Set<number> } => {
    const n = (deptCount.get(subject) ?? 0) + 1;
    deptCount.set(subject, n);
    const t = {
      user: user(`teacher.${slug(subject)}${n}@${secondarySpec.domain}`, people.staffName(), 'teacher', 'secondary', {
        subject,
      }),
      busy: new Set<number>(),
    };
    teachers.push(t);
    return t;
  };
  // Departments sized for their lessons at about 20 periods a teacher.
  for (const subject of SUBJECTS) {
    const periods = teachingGroups.filter((g) => g.subject === subject.name).reduce((n, g) => n + g.lessons.length, 0);
    for (let i = Math.ceil(periods / 20); i > 0; i--) hire(subject.name);
  }
  for (const g of teachingGroups) {
    const slots = groupSlots.get(g) ?? [];
    const fits = (t: { busy: Set<number> }, max: number): boolean =>
      t.busy.size + slots.length <= max && slots.every((s) => !t.busy.has(s));
    // A specialist if one is free; else a colleague with a light timetable teaches it as a second subject.
    const specialists = teachers.filter((t) => t.user.subject === g.subject && fits(t, MAX_TEACHING_PERIODS));
    const others = teachers.filter((t) => t.user.subject !== g.subject && fits(t, SECOND_SUBJECT_LOAD));
    const candidates = (specialists.length > 0 ? specialists : others).sort((a, b) => b.busy.size - a.busy.size);
    const t = candidates[0] ?? hire(g.subject ?? 'Staff');
    for (const s of slots) t.busy.add(s);
    g.teacher = t.user;
    t.user.groups.push(g);
  }
  // Form tutors: a teacher who teaches the form already where possible. Tutors' addresses name
  // their form (7A's tutor is the memorable `teacher@`).
  const tutors = new Map<PlannedGroup, PlannedUser>();
  const taken = new Set<PlannedUser>();
  for (const form of forms) {
    const teachesForm = teachers.find(
      (t) => !taken.has(t.user) && t.user.groups.some((g) => g.members.some((m) => m.regGroup === form)),
    );
    const any = teachesForm ?? teachers.find((t) => !taken.has(t.user));
    let tutor = any?.user;
    if (!tutor) {
      tutor = user(`tutor.${slug(form.name)}@${secondarySpec.domain}`, people.staffName(), 'teacher', 'secondary', {
        subject: 'Pastoral',
      });
      teachers.push({ user: tutor, busy: new Set() });
    }
    taken.add(tutor);
    tutors.set(form, tutor);
  }
  const renamed = new Map<PlannedUser, PlannedUser>();
  for (const [form, tutor] of tutors) {
    const email =
      form.name === '7A' ? `teacher@${secondarySpec.domain}` : `tutor.${slug(form.name)}@${secondarySpec.domain}`;
    const r: PlannedUser = { ...tutor, email, groups: [form, ...tutor.groups] };
    renamed.set(tutor, r);
    form.teacher = r;
  }
  for (const g of teachingGroups) if (g.teacher && renamed.has(g.teacher)) g.teacher = renamed.get(g.teacher)!;
  const secondaryUsers: PlannedUser[] = [
    ...teachers.map((t) => renamed.get(t.user) ?? t.user),
    ...staffFor(secondarySpec),
  ];

  const trustUsers = [
    user(`trust.lead@${TRUST_DOMAIN}`, people.staffName(), 'trust_lead', null, { trust: true }),
    user(`officer@${LA_DOMAIN}`, people.staffName(), 'la_officer', null, { laCode: LA_CODE }),
  ];

  // ------------------------------------------------------------------------------ parents
  const parents: ParentAccount[] = [];
  for (const [label, email] of [
    ['A', DEMO_PARENT_EMAILS[0]],
    ['B', DEMO_PARENT_EMAILS[1]],
  ] as const) {
    const family = reservedFamilies.get(label);
    const adult = family?.adults[0];
    if (!family || !adult) continue;
    const account = user(email, adult.name, 'parent', 'primary');
    parents.push({
      user: account,
      links: family.children.map((pupil) => ({ pupil, contact: pupil.contacts[0]! })),
    });
  }

  const parentEmails = new Set(parents.map((p) => p.user.email));
  const signIns = demoSignInEmails().filter((u) => u.role !== 'parent' || parentEmails.has(u.email));
  // Each school's designated safeguarding lead and deputy (issue 16), drawn last so every other demo name stays as it was.
  for (const [spec, users] of [
    [primarySpec, primaryUsers],
    [secondarySpec, secondaryUsers],
  ] as const) {
    users.push(user(`dsl@${spec.domain}`, people.staffName(), 'dsl', spec.key));
    users.push(user(`deputy.dsl@${spec.domain}`, people.staffName(), 'deputy_dsl', spec.key));
  }

  return {
    primary: { spec: primarySpec, groups: primaryGroups, lessons: [], users: primaryUsers, pupils: primaryPupils },
    secondary: {
      spec: secondarySpec,
      groups: [...forms, ...teachingGroups],
      lessons,
      users: secondaryUsers,
      pupils: secondaryPupils,
    },
    trustUsers,
    parents,
    signIns,
  };
}

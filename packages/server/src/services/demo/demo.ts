/**
 * Long on purpose: it turns the demo plan into rows table by table (a few lines per table) in
 * one transaction for the trust; the generators are in plan.ts and attendance.ts, the writer in
 * db/demo/demo.ts.
 *
 * The demo trust `npm start` creates on an empty database: a primary and a secondary school with
 * pupils, families, staff, a timetable, and this academic year's registers up to this morning.
 *
 *   if (await isDatabaseEmpty(db)) printDemo(await createDemo(db, { today, now }));
 *
 * Everything is written in one transaction, through the bulk writer of db/demo/demo.ts (100-row
 * statements prepared on SQLite's handle, COPY on PostgreSQL), marks and history in the order of
 * their keys. The password is hashed once and shared by every demo account.
 */
import { compileCalendar, lastDayOnOrBefore, type PlainDate, type SchoolCalendar } from '@rollcall/domain';
import type { Db, DbOrTrx } from '../../db/connect.js';
import {
  activeAccountsByEmail,
  anySchoolExists,
  demoTransaction,
  insertClosures,
  insertDemoRows,
  insertSchool,
  insertTerms,
  insertTrust,
} from '../../db/demo/demo.js';
import { newId } from '../../platform/ids.js';
import { hashPassword } from '../../platform/passwords.js';
import { audit } from '../audit.js';
import { SYSTEM_ACTOR, type Role } from '../authz.js';
import { AppError } from '../errors.js';
import { schoolPolicySchema } from '../policy/school-policy.js';
import { setSchoolDetails, type SchoolDetailsInput } from '../school/school-details.js';
import {
  generateAttendance,
  generateLessonMarks,
  markWindow,
  type LessonMark,
  type MarkWindow,
  type SchoolAttendance,
} from './attendance.js';
import { demoYear, londonToUtc, type DemoYear } from './calendar.js';
import {
  buildPlan,
  demoAddress,
  demoSignInEmails,
  LA_CODE,
  LA_NAME,
  TRUST_NAME,
  type Plan,
  type PlannedGroup,
  type PlannedLesson,
  type PlannedUser,
  type SchoolKey,
  type SchoolPlan,
} from './plan.js';
import { createRng } from './random.js';

/** The one password of every demo account. */
export const DEMO_PASSWORD = 'rollcall-demo-2026';
export const DEFAULT_DEMO_SEED = 20260901;

export interface DemoOptions {
  /**
   * The day the demo is built for. On a school day its AM registers are taken and its PM ones are
   * not; on a day without school (a weekend, a holiday) the demo is built up to the latest school
   * day before it instead (see {@link demoSchoolDay}), so there is always a school day to work in.
   */
  readonly today: PlainDate;
  /** The current instant (ISO 8601 UTC): the accounts' creation time. */
  readonly now: string;
  /** The seed of the generator: the same seed gives the same pupils and marks. */
  readonly seed?: number | undefined;
  /** A ready-made hash for every account (tests); by default {@link DEMO_PASSWORD} is hashed once. */
  readonly passwordHash?: string | undefined;
  /** Size of the schools: 1 (default) ≈ 210 + 1,000 pupils; 0.1 for fast tests. */
  readonly scale?: number | undefined;
  /**
   * Called as each step of the build ends (`plan`, `password`, then per school `<key>: generated`,
   * `people`, `registers`, `session marks`, `lessons`, `mark history`), for the benchmark to time them.
   */
  readonly onStep?: ((step: string) => void) | undefined;
}

export interface DemoSchoolSummary {
  readonly id: string;
  readonly name: string;
  readonly urn: string;
  readonly pupils: number;
  readonly sessionMarks: number;
  readonly lessonMarks: number;
}

export interface DemoSummary {
  readonly trust: { readonly id: string; readonly name: string };
  readonly schools: readonly DemoSchoolSummary[];
  /** The memorable accounts, one per role and school, to print. */
  readonly signIns: readonly { readonly role: Role; readonly email: string }[];
  /** The shared password, or null when the caller supplied the hash. */
  readonly password: string | null;
  /** The demo's "today": the school day it was built up to (`opts.today` on a school day). */
  readonly today: PlainDate;
}

/**
 * The demo's "today": `day` itself when it is a school day, otherwise the latest school day of
 * the demo year before it (a Saturday gives the Friday before, the Christmas holiday the last day
 * of the autumn term). Before the year's first day of term (the summer holiday) there is none
 * and `day` is kept: the demo then has no marks yet.
 */
export function demoSchoolDay(cal: SchoolCalendar, day: PlainDate): PlainDate {
  if (cal.dayByDate.has(day)) return day;
  const last = lastDayOnOrBefore(cal, day);
  return last < 0 ? day : cal.dayDate[last]!;
}

/** True when the database holds no school (the demo may be created). */
export async function isDatabaseEmpty(db: DbOrTrx): Promise<boolean> {
  return !(await anySchoolExists(db));
}

const flag = (b: boolean): number => (b ? 1 : 0);

// ---------------------------------------------------------------------------------------------

interface Ids {
  readonly trust: string;
  readonly schools: Readonly<Record<SchoolKey, string>>;
}

function userRow(u: PlannedUser, ids: Ids, passwordHash: string, now: string) {
  return {
    id: u.id,
    email: u.email,
    display_name: u.displayName,
    password_hash: passwordHash,
    role: u.role,
    school_id: u.school ? ids.schools[u.school] : null,
    trust_id: u.trust ? ids.trust : null,
    la_code: u.laCode,
    created_at: now,
  };
}

/** When a group's register was taken: a few minutes after it opened (or after the close, for a late one). */
function registerTime(school: SchoolPlan, cal: SchoolCalendar, s: number, groupIndex: number, late: boolean): string {
  const session = cal.sessionIsPM[s] ? 'PM' : 'AM';
  const window = school.spec.registerTimes[session];
  const [oh, om] = window.opens.split(':').map(Number) as [number, number];
  const [ch, cm] = window.closes.split(':').map(Number) as [number, number];
  const length = ch * 60 + cm - (oh * 60 + om);
  const offset = late ? length + 12 : 1 + (groupIndex % Math.max(1, Math.min(7, length - 1)));
  return londonToUtc(cal.sessionDate[s]!, window.opens, offset);
}

async function writeSchool(
  trx: DbOrTrx,
  ctx: {
    plan: Plan;
    school: SchoolPlan;
    ids: Ids;
    cal: SchoolCalendar;
    w: MarkWindow;
    att: SchoolAttendance;
    lessonMarks: readonly LessonMark[];
    passwordHash: string;
    now: string;
    year: DemoYear;
    step: (name: string) => void;
  },
): Promise<DemoSchoolSummary> {
  const { plan, school, ids, cal, w, att, lessonMarks, passwordHash, now, step } = ctx;
  const key = school.spec.key;
  const schoolId = ids.schools[key];
  const policy = schoolPolicySchema.parse({ registerTimes: school.spec.registerTimes });
  await insertSchool(trx, {
    id: schoolId,
    urn: school.spec.urn,
    name: school.spec.name,
    phase: school.spec.phase,
    la_code: LA_CODE,
    la_name: LA_NAME,
    trust_id: ids.trust,
    time_zone: 'Europe/London',
    policy_json: JSON.stringify(policy),
  });
  await setSchoolDetails(trx, schoolId, demoSchoolDetails(school));
  await insertTerms(
    trx,
    ctx.year.terms.map((t) => ({
      id: newId(),
      school_id: schoolId,
      name: t.name,
      start_date: t.start,
      end_date: t.end,
    })),
  );
  await insertClosures(
    trx,
    ctx.year.closures.map((c) => ({
      id: newId(),
      school_id: schoolId,
      date: c.date,
      session: c.session,
      reason: c.reason,
    })),
  );
  await insertDemoRows(
    trx,
    'groups',
    school.groups.map((g) => ({
      id: g.id,
      school_id: schoolId,
      kind: g.kind,
      name: g.name,
      year_group: g.yearGroup,
      subject: g.subject,
    })),
  );

  // Accounts: the school's staff; with the first school the trust lead and the LA officer; parents
  // once every child of theirs exists.
  const parentsHere = plan.parents.filter((p) => {
    const last: SchoolKey = p.links.some((l) => l.pupil.school === 'secondary') ? 'secondary' : 'primary';
    return last === key;
  });
  const users = [...school.users, ...(key === 'primary' ? plan.trustUsers : []), ...parentsHere.map((p) => p.user)];
  await insertDemoRows(
    trx,
    'users',
    users.map((u) => userRow(u, ids, passwordHash, now)),
  );
  await insertDemoRows(
    trx,
    'group_staff',
    school.users.flatMap((u) => u.groups.map((g) => ({ group_id: g.id, user_id: u.id }))),
  );
  await insertDemoRows(
    trx,
    'lessons',
    school.lessons.map((l) => ({
      id: l.id,
      school_id: schoolId,
      group_id: l.group.id,
      weekday: l.weekday,
      period: l.period,
      starts_at: l.startsAt,
      ends_at: l.endsAt,
      session: l.session,
    })),
  );

  // Pupils, contacts, group membership.
  await insertDemoRows(
    trx,
    'pupils',
    school.pupils.map((p) => ({
      id: p.id,
      school_id: schoolId,
      upn: p.upn,
      legal_surname: p.legalSurname,
      legal_forename: p.legalForename,
      preferred_surname: null,
      preferred_forename: p.preferredForename,
      date_of_birth: p.dateOfBirth,
      gender: p.gender,
      year_group: p.yearGroup,
      reg_group_id: p.regGroup.id,
      admission_date: p.admissionDate,
      leaving_date: p.leavingDate,
      sen_status: p.sen,
      ehcp: flag(p.sen === 'E'),
      fsm: flag(p.fsm),
      pupil_premium: flag(p.pupilPremium),
      eal: flag(p.eal),
      cin: flag(p.cin),
      cp: flag(p.cp),
      lac: flag(p.lac),
      previously_lac: flag(p.previouslyLac),
      young_carer: flag(p.youngCarer),
      social_worker: p.socialWorker,
      ethnicity: p.ethnicity,
      address: p.family.address,
      postcode: p.family.postcode,
    })),
  );
  await insertDemoRows(
    trx,
    'contacts',
    school.pupils.flatMap((p) =>
      p.contacts.map((c) => ({
        id: c.id,
        pupil_id: p.id,
        name: c.name,
        relationship: c.relationship,
        parental_responsibility: flag(c.parentalResponsibility),
        lives_with_pupil: flag(c.livesWithPupil),
        priority: c.priority,
        mobile_phone: c.mobile,
        home_phone: c.home,
        work_phone: c.work,
        email: c.email,
        // A parent who lives elsewhere has a home of their own (another made-up address).
        ...(c.livesWithPupil
          ? { address: p.family.address, postcode: p.family.postcode }
          : demoAddress(10_000 + p.family.index)),
      })),
    ),
  );
  await insertDemoRows(
    trx,
    'group_members',
    school.groups.flatMap((g) => g.members.map((p) => ({ group_id: g.id, pupil_id: p.id }))),
  );
  await insertDemoRows(
    trx,
    'parent_links',
    parentsHere.flatMap((p) =>
      p.links.map((l) => ({ user_id: p.user.id, pupil_id: l.pupil.id, contact_id: l.contact.id })),
    ),
  );

  step('people');

  // Registers: every registration group's session so far, taken by its teacher (bar a couple this morning).
  const registration = school.groups.filter((g) => g.kind === 'registration');
  const takenTimes = new Map<PlannedGroup, string[]>();
  registration.forEach((g, i) => {
    const times: string[] = [];
    for (let s = 0; s <= w.lastSession; s++)
      times.push(registerTime(school, cal, s, i, s === w.todayAm && att.takenLateToday.has(g)));
    takenTimes.set(g, times);
  });
  function* registerRows() {
    for (let s = 0; s <= w.lastSession; s++) {
      for (const g of registration) {
        if (s === w.todayAm && att.notTakenToday.has(g)) continue;
        const at = takenTimes.get(g)![s]!;
        const by = g.teacher?.id ?? null;
        yield {
          id: newId(),
          school_id: schoolId,
          group_id: g.id,
          date: cal.sessionDate[s]!,
          session: cal.sessionIsPM[s] ? 'PM' : 'AM',
          lesson_id: null,
          version: 1,
          taken_at: at,
          taken_by: by,
          updated_at: at,
          updated_by: by,
        };
      }
    }
  }
  await insertDemoRows(trx, 'registers', registerRows());
  step('registers');

  // Session marks, each with the one history row of the register that recorded it; lesson
  // registers and marks for the last two school weeks, each mark with its history row too.
  // Written pupil by pupil in id order (the order of their keys), and each pupil's history in
  // the order of date and session (lessons after their session's mark), so that the history's
  // new ids and its index by pupil, date and session both grow as the rows go in: SQLite then
  // appends to each index rather than inserting all over it.
  const pupilsInIdOrder = [...att.pupils].sort((a, b) => (a.pupil.id < b.pupil.id ? -1 : 1));
  const sessionOf = (s: number): 'AM' | 'PM' => (cal.sessionIsPM[s] ? 'PM' : 'AM');
  const minutesOf = (a: (typeof pupilsInIdOrder)[number], s: number, code: string): number | null =>
    code === 'L' || code === 'U' ? a.minutes[s]! : null;
  const sessionMarks = await insertDemoRows(
    trx,
    'session_marks',
    (function* () {
      for (const a of pupilsInIdOrder) {
        const times = takenTimes.get(a.pupil.regGroup)!;
        const by = a.pupil.regGroup.teacher?.id ?? null;
        for (let s = Math.max(0, a.from); s <= a.to; s++) {
          const code = a.codes[s];
          if (!code) continue;
          yield {
            pupil_id: a.pupil.id,
            date: cal.sessionDate[s]!,
            session: sessionOf(s),
            code,
            minutes_late: minutesOf(a, s, code),
            updated_at: times[s]!,
            updated_by: by,
          };
        }
      }
    })(),
  );
  step('session marks');

  // Lesson registers: when each lesson was taken (in the order the marks were generated), one a
  // lesson a day.
  interface LessonTaken {
    readonly at: string;
    readonly by: PlannedUser | null;
    readonly lessonId: string;
    readonly groupId: string;
    readonly date: PlainDate;
  }
  const lessonRegisters: LessonTaken[] = [];
  const takenOf = new Map<PlannedLesson, Map<PlainDate, LessonTaken>>();
  for (const m of lessonMarks) {
    let days = takenOf.get(m.lesson);
    if (!days) takenOf.set(m.lesson, (days = new Map<PlainDate, LessonTaken>()));
    if (!days.has(m.date)) {
      const taken: LessonTaken = {
        at: londonToUtc(m.date, m.lesson.startsAt, 2 + (lessonRegisters.length % 5)),
        by: m.lesson.group.teacher,
        lessonId: m.lesson.id,
        groupId: m.lesson.group.id,
        date: m.date,
      };
      days.set(m.date, taken);
      lessonRegisters.push(taken);
    }
  }
  await insertDemoRows(
    trx,
    'registers',
    lessonRegisters.map((r) => ({
      id: newId(),
      school_id: schoolId,
      group_id: r.groupId,
      date: r.date,
      session: `lesson:${r.lessonId}`,
      lesson_id: r.lessonId,
      version: 1,
      taken_at: r.at,
      taken_by: r.by?.id ?? null,
      updated_at: r.at,
      updated_by: r.by?.id ?? null,
    })),
  );
  const lessonRows = lessonMarks.map((m) => ({ m, taken: takenOf.get(m.lesson)!.get(m.date)! }));
  // In the order of the table's key (lesson, pupil, date): ids ranked once, compared as numbers.
  const rankOf = (ids: readonly string[]): Map<string, number> =>
    new Map([...ids].sort().map((id, i) => [id, i] as const));
  const lessonRank = rankOf(school.lessons.map((l) => l.id));
  const pupilRank = rankOf(att.pupils.map((a) => a.pupil.id));
  const byKey = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  const keyed = lessonRows.map((r) => ({
    r,
    lesson: lessonRank.get(r.m.lesson.id) ?? -1,
    pupil: pupilRank.get(r.m.pupil.id) ?? -1,
  }));
  keyed.sort((x, y) => x.lesson - y.lesson || x.pupil - y.pupil || byKey(x.r.m.date, y.r.m.date));
  const lessonCount = await insertDemoRows(
    trx,
    'lesson_marks',
    keyed
      .map((x) => x.r)
      .map(({ m, taken }) => ({
        lesson_id: m.lesson.id,
        pupil_id: m.pupil.id,
        date: m.date,
        code: m.code,
        minutes_late: m.minutes,
        updated_at: taken.at,
        updated_by: taken.by?.id ?? null,
      })),
  );
  step('lessons');

  // Every mark's history row, pupil by pupil: the sessions' and the lessons' merged by date and session.
  const lessonsOf = new Map<string, typeof lessonRows>();
  for (const r of lessonRows) {
    const list = lessonsOf.get(r.m.pupil.id);
    if (list) list.push(r);
    else lessonsOf.set(r.m.pupil.id, [r]);
  }
  for (const list of lessonsOf.values())
    list.sort((x, y) => byKey(x.m.date, y.m.date) || byKey(x.m.lesson.session, y.m.lesson.session));
  const lessonHistory = ({ m, taken }: (typeof lessonRows)[number]) => ({
    id: newId(),
    pupil_id: m.pupil.id,
    date: m.date,
    session: m.lesson.session,
    lesson_id: m.lesson.id,
    previous_code: null,
    new_code: m.code,
    previous_minutes_late: null,
    new_minutes_late: m.minutes,
    reason: null,
    user_id: taken.by?.id ?? null,
    user_name: taken.by?.displayName ?? 'Teacher',
    user_role: 'teacher',
    at: taken.at,
    source: 'register',
  });
  await insertDemoRows(
    trx,
    'mark_history',
    (function* () {
      for (const a of pupilsInIdOrder) {
        const g = a.pupil.regGroup;
        const times = takenTimes.get(g)!;
        const lessons = lessonsOf.get(a.pupil.id) ?? [];
        let l = 0;
        /** Whether the pupil's next lesson mark comes before a session's mark (by date and session). */
        const lessonFirst = (date: PlainDate, session: 'AM' | 'PM'): boolean => {
          const m = lessons[l]?.m;
          return m !== undefined && (m.date < date || (m.date === date && m.lesson.session < session));
        };
        for (let s = Math.max(0, a.from); s <= a.to; s++) {
          const code = a.codes[s];
          if (!code) continue;
          const date = cal.sessionDate[s]!;
          const session = sessionOf(s);
          while (lessonFirst(date, session)) yield lessonHistory(lessons[l++]!);
          yield {
            id: newId(),
            pupil_id: a.pupil.id,
            date,
            session,
            lesson_id: null,
            previous_code: null,
            new_code: code,
            previous_minutes_late: null,
            new_minutes_late: minutesOf(a, s, code),
            reason: null,
            user_id: g.teacher?.id ?? null,
            user_name: g.teacher?.displayName ?? 'Class teacher',
            user_role: 'teacher',
            at: times[s]!,
            source: 'register',
          };
        }
        while (l < lessons.length) yield lessonHistory(lessons[l++]!);
      }
      // (Lesson marks are only for pupils on roll, who all have attendance; none is left out regardless.)
      const written = new Set(pupilsInIdOrder.map((a) => a.pupil.id));
      for (const [pupilId, lessons] of lessonsOf)
        if (!written.has(pupilId)) for (const r of lessons) yield lessonHistory(r);
    })(),
  );
  step('mark history');

  await audit(trx, SYSTEM_ACTOR, now, {
    action: 'demo.create',
    entityType: 'school',
    entityId: schoolId,
    schoolId,
    details: { pupils: school.pupils.length, sessionMarks, lessonMarks: lessonCount, today: w.today },
  });
  return {
    id: schoolId,
    name: school.spec.name,
    urn: school.spec.urn,
    pupils: school.pupils.length,
    sessionMarks,
    lessonMarks: lessonCount,
  };
}

/**
 * Made-up details for a demo school: a street in the fictional town of Exampleton with a ZX
 * postcode (no such postcode area exists), a telephone number from Ofcom's range kept for drama,
 * the staff email domain, and the head's and attendance officer's generated names (the demo's
 * name generator, as for every demo account).
 */
export function demoSchoolDetails(school: SchoolPlan): SchoolDetailsInput {
  const nameOf = (local: string): string | undefined =>
    school.users.find((u) => u.email === `${local}@${school.spec.domain}`)?.displayName;
  const primary = school.spec.key === 'primary';
  return {
    address: primary ? '14 Orchard Way\nNorthfield\nExampleton' : '2 Beacon Road\nNorthfield\nExampleton',
    postcode: primary ? 'ZX1 4AB' : 'ZX1 7CD',
    phone: primary ? '01632 960101' : '01632 960102',
    email: `office@${school.spec.domain}`,
    headteacherName: nameOf('head'),
    attendanceLeadName: nameOf('attendance'),
  };
}

/**
 * Creates the demo trust in an empty database (throws CONFLICT otherwise) and returns what to
 * print: the schools with their counts, the sign-ins, and the password.
 */
export async function createDemo(db: Db, opts: DemoOptions): Promise<DemoSummary> {
  if (!(await isDatabaseEmpty(db))) {
    throw new AppError(
      'CONFLICT',
      'The database already holds schools: the demo is only created in an empty database.',
    );
  }
  const year = demoYear(opts.today);
  const compiled = compileCalendar({ terms: year.terms, closures: year.closures });
  if (!compiled.ok)
    throw new Error(`demo calendar does not compile: ${compiled.issues.map((i) => i.message).join('; ')}`);
  const cal = compiled.value;
  const today = demoSchoolDay(cal, opts.today);
  const w = markWindow(cal, today);
  const rng = createRng(opts.seed ?? DEFAULT_DEMO_SEED);
  const plan = buildPlan(rng.fork('plan'), {
    year,
    pastSchoolDays: w.pastDays.map((d) => cal.dayDate[d]!),
    scale: opts.scale ?? 1,
  });
  const onStep = opts.onStep ?? (() => undefined);
  onStep('plan');
  const passwordHash = opts.passwordHash ?? (await hashPassword(DEMO_PASSWORD));
  onStep('password');
  const ids: Ids = { trust: newId(), schools: { primary: newId(), secondary: newId() } };

  // One transaction for the whole trust: a failure part way leaves the database empty, so the
  // next `npm start` simply tries again.
  const schools = await demoTransaction(db, async (trx) => {
    const out: DemoSchoolSummary[] = [];
    await insertTrust(trx, { id: ids.trust, name: TRUST_NAME });
    for (const school of [plan.primary, plan.secondary]) {
      const att = generateAttendance(rng, cal, w, school, plan);
      const lessonMarks = generateLessonMarks(rng, cal, w, school, att);
      const key = school.spec.key;
      onStep(`${key}: generated`);
      const step = (name: string): void => onStep(`${key}: ${name}`);
      out.push(
        await writeSchool(trx, {
          plan,
          school,
          ids,
          cal,
          w,
          att,
          lessonMarks,
          passwordHash,
          now: opts.now,
          year,
          step,
        }),
      );
    }
    return out;
  });
  return {
    trust: { id: ids.trust, name: TRUST_NAME },
    schools,
    signIns: plan.signIns,
    password: opts.passwordHash === undefined ? DEMO_PASSWORD : null,
    today,
  };
}

/**
 * The demo's memorable sign-ins that are still active accounts in this database (empty when the
 * database is not the demo's): what `npm start` prints on every start, not only the first.
 */
export async function existingDemoSignIns(db: DbOrTrx): Promise<{ role: string; email: string }[]> {
  const wanted = demoSignInEmails();
  const found = new Map(
    (
      await activeAccountsByEmail(
        db,
        wanted.map((s) => s.email),
      )
    ).map((r) => [r.email, r]),
  );
  return wanted.filter((s) => found.get(s.email)?.role === s.role);
}

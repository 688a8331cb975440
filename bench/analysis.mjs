// (f) Attendance figures at scale, in process (the app built with buildApp, requests injected,
// so the time is the server's own: routing, authz, the cached cohort, measuring, rendering):
//   - the school dashboard GET /analysis of a 1,500-pupil secondary with a full year of marks
//     (2025/26, as of the last day), cold (first request: reads the marks) and warm;
//   - the LA view GET /la over 60,000 pupils in 100 schools (the secondary and 99 others), a
//     full year each, cold and warm; and a warm /la after one school's marks changed (one
//     school reloaded, the other 99 from the cache);
//   - the pages a head opens every day (trends, patterns, the PA list, the register audit): their
//     size in KB, first request and warm;
//   - then a restart (the in-memory cache dropped, the snapshots kept): the first dashboard and
//     the first LA view from the persisted cohort snapshots (services/analysis/snapshots.ts),
//     with the one mark written since laid over its school's snapshot;
//   - then the restart mid-morning: every school's AM register taken since the snapshots (60,000
//     marks with their history), the first LA view (the registers laid over the stored figures),
//     and the same view with the stored pupils' counts removed (every school measured, as before).
// Marks are generated in the database by INSERT … SELECT (about 8% absence, more for a fifth of
// the pupils, so there are persistent and severe absentees). Runs on SQLite and PostgreSQL.
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import { DIALECT_LABEL, DIALECTS, load, ms, percentile, server, sessionToken } from './harness.mjs';
import { int, lines, pct, seconds } from './format.mjs';
import { summariseProfile } from './cpu-profile.mjs';

const AS_OF = '2026-07-22';
// BENCH_F_SCHOOLS=2 (say) for a quick look at the school pages: the LA then has that many schools and
// proportionally fewer pupils. The printed targets are for the default, 100 schools.
const SCHOOLS = Math.max(2, Number(process.env.BENCH_F_SCHOOLS ?? 100));
// BENCH_F_PROFILE=1: a V8 CPU profile (in process, node:inspector) of the two mid-morning LA views,
// printed by area and function after the case (the profiler slows what it profiles).
const PROFILE = process.env.BENCH_F_PROFILE === '1';
const SECONDARY = 1500;
const LA_TOTAL = new RegExp(`All ${SCHOOLS} schools</th>\\s*<td[^>]*>([\\d,]+)<`);
const PUPILS = SCHOOLS === 100 ? 60_000 : SECONDARY + (SCHOOLS - 1) * 590;
const WARM = 30;
const PAGE_WARM = 10;
/** The pages a head opens every day besides the dashboard: [name, url, text the page must show]. */
const PAGES = [
  ['trends', '/analysis/trends', 'Bench Secondary'],
  ['patterns', '/analysis/patterns', 'Bench Secondary'],
  ['PA list', '/analysis/lists/persistent', 'Bench Secondary'],
  ['register audit (6 weeks)', `/register-audit?from=2026-06-10&to=${AS_OF}`, 'Register audit'],
];
const TARGET_SCHOOL_MS = 100;
/** A page a head opens every day stays under 300 KB (issue 17: /analysis/patterns was 2.5 MB). */
const TARGET_PAGE_KB = 300;
const TARGET_LA_MS = 1000;
const LA = '901';
const TERMS = [
  ['Autumn 1', '2025-09-03', '2025-10-24'],
  ['Autumn 2', '2025-11-03', '2025-12-19'],
  ['Spring 1', '2026-01-05', '2026-02-13'],
  ['Spring 2', '2026-02-23', '2026-03-27'],
  ['Summer 1', '2026-04-13', '2026-05-22'],
  ['Summer 2', '2026-06-01', '2026-07-22'],
];

function schoolDays() {
  const out = [];
  for (const [, start, end] of TERMS)
    for (let t = Date.parse(`${start}T12:00:00Z`); t <= Date.parse(`${end}T12:00:00Z`); t += 86_400_000) {
      const d = new Date(t);
      if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
    }
  return out;
}

export async function seed(db, dialect) {
  const { DEFAULT_POLICY } = await server('services/policy/school-policy.js');
  const { hashToken } = await server('platform/ids.js');
  const { insertRows } = await import('./harness.mjs');
  const schools = [];
  for (let s = 0; s < SCHOOLS; s++) {
    const secondary = s === 0;
    const id = `bench-school-${String(s).padStart(3, '0')}`;
    schools.push({ id, pupils: secondary ? SECONDARY : Math.round((PUPILS - SECONDARY) / (SCHOOLS - 1)) });
    await db
      .insertInto('schools')
      .values({
        id,
        urn: String(800000 + s),
        name: secondary ? 'Bench Secondary' : `Bench School ${s}`,
        phase: secondary ? 'secondary' : s % 5 === 0 ? 'secondary' : 'primary',
        la_code: LA,
        la_name: 'Bench Borough',
        trust_id: null,
        policy_json: JSON.stringify(DEFAULT_POLICY),
      })
      .execute();
    await insertRows(
      db,
      'terms',
      TERMS.map(([name, start, end], i) => ({
        id: `${id}-t${i}`,
        school_id: id,
        name,
        start_date: start,
        end_date: end,
      })),
    );
  }
  // The last school takes the rounding so that the total is exactly 60,000.
  schools[SCHOOLS - 1].pupils += PUPILS - schools.reduce((n, s) => n + s.pupils, 0);
  for (const school of schools) {
    const years = school.id.endsWith('000') ? ['7', '8', '9', '10', '11'] : ['1', '2', '3', '4', '5', '6'];
    const groups = years.flatMap((y) =>
      ['A', 'B', 'C'].map((c) => ({ id: `${school.id}-g${y}${c}`, year: y, name: `${y}${c}` })),
    );
    await insertRows(
      db,
      'groups',
      groups.map((g) => ({
        id: g.id,
        school_id: school.id,
        kind: 'registration',
        name: g.name,
        year_group: g.year,
        subject: null,
      })),
    );
    const rows = [];
    for (let i = 0; i < school.pupils; i++) {
      const g = groups[i % groups.length];
      rows.push({
        id: `${school.id}-p${String(i).padStart(5, '0')}`,
        school_id: school.id,
        upn: `B${String(school.id.slice(-3))}${String(i).padStart(8, '0')}`,
        legal_surname: `Surname${i}`,
        legal_forename: `Forename${i}`,
        preferred_surname: null,
        preferred_forename: null,
        date_of_birth: null,
        gender: i % 2 ? 'F' : 'M',
        year_group: g.year,
        reg_group_id: g.id,
        admission_date: '2025-09-01',
        leaving_date: null,
        fsm: i % 5 === 0 ? 1 : 0,
        pupil_premium: i % 4 === 0 ? 1 : 0,
        sen_status: i % 7 === 0 ? 'K' : 'N',
        eal: i % 6 === 0 ? 1 : 0,
        ethnicity: ['WBRI', 'ABAN', 'BAFR', 'MWBC'][i % 4],
      });
    }
    await insertRows(db, 'pupils', rows);
  }
  const days = schoolDays();
  const rnd = dialect === 'sqlite' ? sql`(abs(random()) % 1000)` : sql`floor(random() * 1000)`;
  const values = sql.join(days.map((d) => sql`(${d})`));
  for (const school of schools) {
    await sql`
      insert into session_marks (pupil_id, date, session, code, minutes_late, updated_at, updated_by)
      with d(date) as (values ${values}), s(session) as (values ('AM'), ('PM')),
           -- Materialized: SQLite otherwise inlines r and draws a new random() at each use below
           -- (the SQLite data then had about three times PostgreSQL's absence).
           m(pupil_id, fsm, date, session, r) as materialized (
             select p.id, p.fsm, d.date, s.session, ${rnd} from pupils p cross join d cross join s where p.school_id = ${school.id})
      select pupil_id, date, session,
        case
          when r < (case when fsm = 1 then 120 else 40 end) then 'I'
          when r < (case when fsm = 1 then 170 else 55 end) then 'O'
          when r < (case when fsm = 1 then 185 else 65 end) then 'M'
          when r < (case when fsm = 1 then 195 else 75 end) then 'G'
          when r < (case when fsm = 1 then 215 else 85 end) then 'L'
          when session = 'AM' then '/' else '\\' end,
        null, ${`${AS_OF}T16:00:00.000Z`}, null
      from m`.execute(db);
  }
  // The secondary's registers, taken a few minutes after they opened (the register audit reads
  // them: without them every register would be "not taken").
  const secondaryGroups = await db.selectFrom('groups').select('id').where('school_id', '=', schools[0].id).execute();
  const registers = [];
  for (const g of secondaryGroups)
    for (const d of days)
      for (const [session, local] of [
        ['AM', 8 * 60 + 55],
        ['PM', 13 * 60 + 2],
      ]) {
        // Five minutes after the register opened, London time (UTC+1 in summer time).
        const summer = d < '2025-10-26' || d >= '2026-03-29';
        const minutes = local - (summer ? 60 : 0);
        const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00`;
        const at = `${d}T${time}.000Z`;
        registers.push({
          id: `${g.id}-${d}-${session}`,
          school_id: schools[0].id,
          group_id: g.id,
          date: d,
          session,
          lesson_id: null,
          version: 1,
          taken_at: at,
          taken_by: null,
          updated_at: at,
          updated_by: null,
        });
      }
  await insertRows(db, 'registers', registers);
  const marks = await db
    .selectFrom('session_marks')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  // An attendance officer of the secondary and an LA officer, signed in.
  const users = [
    { id: 'bench-officer', role: 'attendance_officer', school_id: schools[0].id, la_code: null },
    { id: 'bench-la', role: 'la_officer', school_id: null, la_code: LA },
  ];
  const tokens = {};
  for (const u of users) {
    await db
      .insertInto('users')
      .values({
        ...u,
        email: `${u.id}@bench.test`,
        display_name: u.id,
        password_hash: '!',
        trust_id: null,
        created_at: `${AS_OF}T07:00:00.000Z`,
      })
      .execute();
    const s = sessionToken(hashToken);
    await db
      .insertInto('auth_sessions')
      .values({
        id: s.id,
        user_id: u.id,
        csrf_token: s.csrf,
        created_at: `${AS_OF}T07:00:00.000Z`,
        expires_at: '2099-01-01T00:00:00.000Z',
      })
      .execute();
    tokens[u.role] = s.token;
  }
  return { schools, marks: Number(marks.n), tokens, secondaryId: schools[0].id };
}

/** `timed`, under the V8 profiler when BENCH_F_PROFILE=1 (its summary printed at once). */
async function profiledTimed(label, app, url, token, expect) {
  if (!PROFILE) return timed(app, url, token, expect);
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  await session.post('Profiler.start');
  try {
    return await timed(app, url, token, expect);
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    const p = summariseProfile(profile);
    const share = (t) => pct(t / p.busyUs);
    lines([
      [
        `  profile: ${label}`,
        `${ms(p.busyUs / 1000)} busy; self by area: ${p.selfByArea
          .slice(0, 8)
          .map(([a, t]) => `${a} ${share(t)}`)
          .join(', ')}`,
      ],
      ...p.byFunction.slice(0, 12).map(([fn, t]) => ['', `${share(t).padStart(6)}  ${fn}`]),
    ]);
  }
}

async function timed(app, url, token, expect) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const res = await app.inject({ method: 'GET', url, cookies: { rollcall_session: token } });
  const took = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  if (res.statusCode !== 200 || !res.body.includes(expect))
    throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body.slice(0, 1500)}`);
  // CPU: this process's user + system time during the request (the machine is shared, so wall
  // time includes waiting for a core; PostgreSQL's own time is not in it).
  return { ms: took, cpuMs: (cpu.user + cpu.system) / 1000, body: res.body };
}

async function benchDialect(context, dialect) {
  const s0 = performance.now();
  const database = await context.database(dialect, 'f');
  const db = database.first.db;
  try {
    const data = await seed(db, dialect);
    const setupMs = performance.now() - s0;
    const { buildApp } = await server('http/app.js');
    const { analysisRoutes } = await server('web/analysis/analysis-routes.js');
    const { analysisMoreRoutes } = await server('web/analysis/analysis-more-routes.js');
    const { registerAuditRoutes } = await server('web/duties/register-audit-routes.js');
    const { fixedClock } = await server('platform/clock.js');
    const { createLogger } = await server('platform/logger.js');
    const { loadConfig } = await server('config/config.js');
    const { writeSessionMarks } = await server('db/registers/registers.js');
    const { flushSnapshots } = await server('services/analysis/snapshots.js');
    const { forgetCohorts } = await server('services/analysis/cohort.js');
    // Snapshots are written after the request; waited for here so the warm figures are not theirs.
    const flushed = async () => {
      const t0 = performance.now();
      await flushSnapshots(db);
      return performance.now() - t0;
    };
    const deps = {
      db,
      dialect,
      clock: fixedClock(`${AS_OF}T15:00:00.000Z`),
      logger: createLogger('silent'),
      config: loadConfig({ ...database.env, NODE_ENV: 'production' }),
    };
    const app = await buildApp(deps, { routes: [analysisRoutes, analysisMoreRoutes, registerAuditRoutes] });
    try {
      const schoolUrl = '/analysis';
      globalThis.gc?.();
      const schoolCold = await timed(app, schoolUrl, data.tokens.attendance_officer, 'Bench Secondary');
      const schoolSnapshotMs = await flushed();
      globalThis.gc?.(); // the cold read's garbage is not the warm page's
      const schoolWarm = [];
      const schoolCpu = [];
      for (let i = 0; i < WARM; i++) {
        const t = await timed(app, schoolUrl, data.tokens.attendance_officer, 'Bench Secondary');
        schoolWarm.push(t.ms);
        schoolCpu.push(t.cpuMs);
      }
      const schoolLoad = loadavg()[0];
      const filtered = [];
      for (const q of ['?yearGroup=9', '?group=fsm', `?regGroup=${data.secondaryId}-g10B`])
        for (let i = 0; i < 10; i++)
          filtered.push((await timed(app, schoolUrl + q, data.tokens.attendance_officer, 'Bench Secondary')).ms);
      const pupilsShown = /Whole school: ([\d,]+) pupils/.exec(schoolCold.body)?.[1] ?? '?';
      // The other pages a head opens every day: first request, then warm.
      const pages = {};
      for (const [name, url, expect] of PAGES) {
        globalThis.gc?.();
        const first = await timed(app, url, data.tokens.attendance_officer, expect);
        const warm = [];
        const warmCpu = [];
        for (let i = 0; i < PAGE_WARM; i++) {
          const t = await timed(app, url, data.tokens.attendance_officer, expect);
          warm.push(t.ms);
          warmCpu.push(t.cpuMs);
        }
        pages[name] = {
          cold: first.ms,
          kb: Buffer.byteLength(first.body) / 1024,
          p50: percentile(warm, 50),
          p95: percentile(warm, 95),
          cpuP95: percentile(warmCpu, 95),
          load: loadavg()[0],
        };
      }

      globalThis.gc?.();
      const laCold = await timed(app, '/la', data.tokens.la_officer, 'Bench Borough');
      const laSnapshotMs = await flushed();
      const snapshotBytes = await db
        .selectFrom('cohort_snapshots')
        .select((eb) => eb.fn.sum(sql`length(payload)`).as('n'))
        .executeTakeFirst();
      globalThis.gc?.();
      const laWarm = [];
      const laCpu = [];
      for (let i = 0; i < WARM; i++) {
        const t = await timed(app, '/la', data.tokens.la_officer, 'Bench Borough');
        laWarm.push(t.ms);
        laCpu.push(t.cpuMs);
      }
      const laLoad = loadavg()[0];
      const laPupils = LA_TOTAL.exec(laCold.body)?.[1] ?? '?';
      // One mark changes in one school: the next LA view reloads that school only.
      await writeSessionMarks(
        db,
        [
          {
            pupilId: `${data.schools[Math.min(5, SCHOOLS - 1)].id}-p00001`,
            date: AS_OF,
            session: 'PM',
            code: 'I',
            minutesLate: null,
            previousCode: '\\',
            previousMinutesLate: null,
            reason: 'bench',
          },
        ],
        { userId: null, userName: 'bench', userRole: 'admin', at: `${AS_OF}T15:30:00.000Z`, source: 'office' },
      );
      const laAfterWrite = (await timed(app, '/la', data.tokens.la_officer, 'Bench Borough')).ms;
      const tsm = await timed(app, '/la/tsm', data.tokens.la_officer, 'Targeting support');

      // A restart: nothing in memory, the snapshots in the database (one school a mark behind).
      await flushed();
      forgetCohorts(db);
      globalThis.gc?.();
      const schoolRestart = await timed(app, schoolUrl, data.tokens.attendance_officer, 'Bench Secondary');
      for (const [name, url, expect] of PAGES) {
        forgetCohorts(db);
        globalThis.gc?.();
        const t = await timed(app, url, data.tokens.attendance_officer, expect);
        pages[name].restart = t.ms;
        pages[name].restartCpu = t.cpuMs;
      }
      forgetCohorts(db);
      globalThis.gc?.();
      const laRestart = await timed(app, '/la', data.tokens.la_officer, 'Bench Borough');
      const laRestartLoad = loadavg()[0];
      const laRestartPupils = LA_TOTAL.exec(laRestart.body)?.[1] ?? '?';
      await flushed();

      // The realistic restart, mid-morning: every school has taken its AM register since the
      // night's snapshot (a history row for each of the 60,000 pupils, written by the same writer
      // as the register page's; the previous code is "none", as at 8:50). Then a restart and the
      // LA view: the registers laid over the snapshots' figures (the pupils' counts kept with
      // them), then, for comparison in the same run, the same view with those counts removed, so
      // that every school is measured from its cohort (snapshot and history) as before.
      const amMarks = await db
        .selectFrom('session_marks')
        .select(['pupil_id'])
        .where('date', '=', AS_OF)
        .where('session', '=', 'AM')
        .orderBy('pupil_id')
        .execute();
      const REGISTER = [
        '/',
        '/',
        '/',
        '/',
        '/',
        '/',
        '/',
        '/',
        '/',
        'I',
        '/',
        '/',
        'O',
        '/',
        'L',
        '/',
        '/',
        'M',
        '/',
        '/',
        '/',
        'G',
      ];
      const registerAuthor = {
        userId: null,
        userName: 'bench',
        userRole: 'teacher',
        at: `${AS_OF}T08:55:00.000Z`,
        source: 'register',
      };
      const r0 = performance.now();
      for (let i = 0; i < amMarks.length; i += 600)
        await writeSessionMarks(
          db,
          amMarks.slice(i, i + 600).map((m, k) => {
            const code = REGISTER[(i + k) % REGISTER.length];
            return {
              pupilId: m.pupil_id,
              date: AS_OF,
              session: 'AM',
              code,
              minutesLate: code === 'L' ? 4 + ((i + k) % 20) : null,
              previousCode: null,
              previousMinutesLate: null,
              reason: null,
            };
          }),
          registerAuthor,
        );
      const registersMs = performance.now() - r0;
      forgetCohorts(db);
      globalThis.gc?.();
      const laMorning = await profiledTimed(
        `${dialect} LA view mid-morning`,
        app,
        '/la',
        data.tokens.la_officer,
        'Bench Borough',
      );
      const laMorningLoad = loadavg()[0];
      await flushed();
      await db.updateTable('cohort_snapshots').set({ pupil_counts: null }).execute();
      forgetCohorts(db);
      globalThis.gc?.();
      const laMorningMeasured = await profiledTimed(
        `${dialect} LA view mid-morning, measured`,
        app,
        '/la',
        data.tokens.la_officer,
        'Bench Borough',
      );
      const laMorningMeasuredLoad = loadavg()[0];
      await flushed();
      return {
        dialect,
        setupMs,
        marks: data.marks,
        pupilsShown,
        laPupils,
        schoolCold: schoolCold.ms,
        schoolP50: percentile(schoolWarm, 50),
        schoolP95: percentile(schoolWarm, 95),
        schoolCpuP95: percentile(schoolCpu, 95),
        schoolLoad,
        laCpuP95: percentile(laCpu, 95),
        laLoad,
        laRestartCpu: laRestart.cpuMs,
        laRestartLoad,
        schoolRestartCpu: schoolRestart.cpuMs,
        filteredP95: percentile(filtered, 95),
        laCold: laCold.ms,
        laP50: percentile(laWarm, 50),
        laP95: percentile(laWarm, 95),
        laAfterWrite,
        tsmMs: tsm.ms,
        schoolSnapshotMs,
        laSnapshotMs,
        snapshotMiB: Number(snapshotBytes?.n ?? 0) / 1048576,
        schoolRestart: schoolRestart.ms,
        laRestart: laRestart.ms,
        laRestartPupils,
        registers: amMarks.length,
        registersMs,
        laMorning: laMorning.ms,
        laMorningCpu: laMorning.cpuMs,
        laMorningLoad,
        laMorningPupils: LA_TOTAL.exec(laMorning.body)?.[1] ?? '?',
        laMorningMeasured: laMorningMeasured.ms,
        laMorningMeasuredCpu: laMorningMeasured.cpuMs,
        laMorningMeasuredLoad,
        laMorningSame: laMorning.body === laMorningMeasured.body,
        pages,
        heapMiB: process.memoryUsage().heapUsed / 1048576,
      };
    } finally {
      await app.close();
    }
  } finally {
    await database.first.close();
  }
}

export async function benchAnalysis(context) {
  const results = [];
  let ok = true;
  const only = (process.env.BENCH_F_DIALECTS ?? DIALECTS.join(',')).split(',');
  for (const dialect of DIALECTS.filter((d) => only.includes(d))) {
    if (context.aborted) break;
    try {
      const r = await benchDialect(context, dialect);
      results.push(r);
      // Printed as each dialect finishes: the PostgreSQL set-up is long on a busy machine.
      lines(detail(r));
    } catch (e) {
      ok = false;
      if (!context.aborted)
        console.error(`(f) attendance figures on ${DIALECT_LABEL[dialect]} failed: ${e?.stack ?? e}`);
    }
  }
  console.log(
    `(f) attendance figures: school dashboard (1,500 pupils, full year) and LA view (60,000 pupils, 100 schools), warm  ` +
      results
        .map(
          (r) =>
            `${DIALECT_LABEL[r.dialect]} school p95 ${ms(r.schoolP95)} ${r.schoolP95 < TARGET_SCHOOL_MS ? 'ok' : 'MISSED'}, ` +
            `LA p95 ${ms(r.laP95)} ${r.laP95 < TARGET_LA_MS ? 'ok' : 'MISSED'}`,
        )
        .join('  ') +
      `  (targets < ${TARGET_SCHOOL_MS} ms and < ${TARGET_LA_MS} ms server time)`,
  );
  console.log(
    `    in process: buildApp + inject (routing, authz, cache check, measuring, rendering); cold = first request ` +
      `(reads every mark of the period); warm = ${WARM} requests after it; ${load()}`,
  );
  return { ok };
}

function detail(r) {
  return [
    [
      DIALECT_LABEL[r.dialect],
      `school: cold ${ms(r.schoolCold)}, warm p50 ${ms(r.schoolP50)} p95 ${ms(r.schoolP95)} (CPU p95 ${ms(r.schoolCpuP95)}, load ${r.schoolLoad.toFixed(1)}), filtered (year, group, class) p95 ${ms(r.filteredP95)}; ` +
        `LA: cold ${ms(r.laCold)}, warm p50 ${ms(r.laP50)} p95 ${ms(r.laP95)} (CPU p95 ${ms(r.laCpuP95)}, load ${r.laLoad.toFixed(1)}), after one mark changed ${ms(r.laAfterWrite)}; TSM list ${ms(r.tsmMs)}`,
    ],
    [
      '  restart',
      `from snapshots: school dashboard ${ms(r.schoolRestart)} (CPU ${ms(r.schoolRestartCpu)}), LA view ${ms(r.laRestart)} ${r.laRestart < TARGET_LA_MS ? 'ok' : 'MISSED'} ` +
        `(CPU ${ms(r.laRestartCpu)}, load ${r.laRestartLoad.toFixed(1)}) ` +
        `(${r.laRestartPupils} pupils); snapshots written after the cold reads in ${seconds(r.schoolSnapshotMs)} (school) and ` +
        `${seconds(r.laSnapshotMs)} (LA), ${r.snapshotMiB.toFixed(1)} MiB in all`,
    ],
    [
      '  restart mid-morning',
      `every school's AM register taken since the snapshot (${int(r.registers)} marks written in ${seconds(r.registersMs)}): ` +
        `LA view ${ms(r.laMorning)} ${r.laMorning < TARGET_LA_MS ? 'ok' : 'MISSED'} (CPU ${ms(r.laMorningCpu)}, load ${r.laMorningLoad.toFixed(1)}; ` +
        `${r.laMorningPupils} pupils), registers laid over the stored figures; measuring every school's pupils instead ` +
        `(counts removed) ${ms(r.laMorningMeasured)} (CPU ${ms(r.laMorningMeasuredCpu)}, load ${r.laMorningMeasuredLoad.toFixed(1)}); ` +
        `same page: ${r.laMorningSame ? 'yes' : 'NO'}`,
    ],
    ...Object.entries(r.pages).map(([name, p]) => [
      `  ${name}`,
      `${p.kb.toFixed(0)} KB${p.kb < TARGET_PAGE_KB ? '' : ` (over ${TARGET_PAGE_KB} KB: MISSED)`}; ` +
        `first ${ms(p.cold)}, warm p50 ${ms(p.p50)} p95 ${ms(p.p95)} ${p.p95 < TARGET_SCHOOL_MS ? 'ok' : 'MISSED'} ` +
        `(CPU p95 ${ms(p.cpuP95)}, load ${p.load.toFixed(1)}); ` +
        `first after a restart ${ms(p.restart)} ${p.restart < TARGET_LA_MS ? 'ok' : 'MISSED'} (CPU ${ms(p.restartCpu)})`,
    ]),
    [
      '  data',
      `${int(r.marks)} session marks; dashboard shows ${r.pupilsShown} pupils, LA view ${r.laPupils}; set up in ${seconds(r.setupMs)}; heap ${r.heapMiB.toFixed(0)} MiB`,
    ],
  ];
}

// (c) The 8:50 rush: every form tutor of a large school saves the morning register at once.
// A school of 200 registration groups of 30 pupils (6,000 pupils) with a calendar, one teacher
// per group and a signed-in session per teacher (written straight into the database: no
// argon2 sign-ins), served by the real `rollcall serve` in a child process, so that the clients
// and the server use separate cores. Each round is one school day: 200 clients, one keep-alive
// connection each (a lean HTTP/1.1 client, bench/raw-http.mjs), fire their PUT
// /api/registers/:group/:date/AM at the same moment, a first save (version 0) of 30 marks each;
// the bench waits for all of them. One warm-up round, then ROUNDS measured rounds, on SQLite (a
// file, WAL) and on PostgreSQL.
//
// The clients share the machine's two cores with the server, so part of every latency is theirs:
// each dialect first runs FLOOR_ROUNDS rounds of 200 GET /healthz (no database, no session)
// through the same connections, and prints that floor beside the result. (Node's own clients cost
// far more per request: through node:http, 200 requests at once to a server that does nothing
// take a p99 of ~45 ms on this machine, ~23 ms through the lean client; through fetch, ~60 ms.)
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { calendarInput, compiledCalendar, makeUpn, mulberry32 } from './data.mjs';
import {
  DIALECT_LABEL,
  DIALECTS,
  insertRows,
  load,
  ms,
  percentile,
  server,
  sessionToken,
  startServer,
} from './harness.mjs';
import { int, lines, median, seconds } from './format.mjs';
import { RawConnection } from './raw-http.mjs';
import { serverCpuMark, serverCpuSince } from './cpu-time.mjs';

const GROUPS = 200;
const PER_GROUP = 30;
// BENCH_C_ROUNDS, BENCH_C_SPREAD_ROUNDS and BENCH_C_SPREAD_MS change the rounds for profiling
// (a longer spread measures a save on its own); the targets are for the defaults.
const ROUNDS = Number(process.env.BENCH_C_ROUNDS ?? 5);
const WARM_UP_ROUNDS = 1;
const FLOOR_ROUNDS = 3;
/**
 * Then the same 200 saves spread evenly over one second (one every 5 ms), SPREAD_ROUNDS times:
 * still a far sharper rush than a real school's (tutors save over several minutes before the
 * register closes), and what each teacher then waits.
 */
const SPREAD_ROUNDS = Number(process.env.BENCH_C_SPREAD_ROUNDS ?? 2);
const SPREAD_OVER_MS = Number(process.env.BENCH_C_SPREAD_MS ?? 1000);
/** Issue 18's targets: the rush within 1.3× its floor, spread p99 under 20 ms, PostgreSQL within 1.5× of SQLite. */
const TARGET_FLOOR_RATIO = 1.3;
const TARGET_SPREAD_P99_MS = 20;
const TARGET_POSTGRES_RATIO = 1.5;
/** The first school day of the rounds (a Monday in the 2025/26 calendar). */
const FIRST_DAY = '2025-10-06';

const SURNAMES = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Khan'];
const FORENAMES = ['Alex', 'Sam', 'Jordan', 'Charlie', 'Jamie', 'Riley', 'Morgan', 'Aisha', 'Noah', 'Olivia'];

/** Writes the school, its calendar, groups, pupils, teachers and their sessions; returns the clients. */
export async function seedSchool(db) {
  const { DEFAULT_POLICY } = await server('services/policy/school-policy.js');
  const { hashToken } = await server('platform/ids.js');
  const now = new Date().toISOString();
  const expires = new Date(Date.now() + 24 * 3600_000).toISOString();
  const schoolId = randomUUID();
  await db
    .insertInto('schools')
    .values({
      id: schoolId,
      urn: '199001',
      name: 'Rollcall Bench Academy',
      phase: 'secondary',
      la_code: '330',
      la_name: 'Birmingham',
      trust_id: null,
      time_zone: 'Europe/London',
      policy_json: JSON.stringify(DEFAULT_POLICY),
    })
    .execute();
  const cal = calendarInput();
  await insertRows(
    db,
    'terms',
    cal.terms.map((t) => ({
      id: randomUUID(),
      school_id: schoolId,
      name: t.name,
      start_date: t.start,
      end_date: t.end,
    })),
  );
  await insertRows(
    db,
    'closures',
    cal.closures.map((c) => ({
      id: randomUUID(),
      school_id: schoolId,
      date: c.date,
      session: c.session,
      reason: c.reason,
    })),
  );
  const groups = [];
  const users = [];
  const staff = [];
  const sessions = [];
  const pupils = [];
  const members = [];
  const clients = [];
  for (let g = 0; g < GROUPS; g++) {
    const yearGroup = 7 + Math.floor(g / (GROUPS / 5));
    const groupId = randomUUID();
    const userId = randomUUID();
    groups.push({
      id: groupId,
      school_id: schoolId,
      kind: 'registration',
      name: `${yearGroup}-${String((g % (GROUPS / 5)) + 1).padStart(2, '0')}`,
      year_group: String(yearGroup),
      subject: null,
    });
    users.push({
      id: userId,
      email: `tutor${g + 1}@bench.example.org`,
      display_name: `Form Tutor ${g + 1}`,
      password_hash: '!no-sign-in',
      role: 'teacher',
      school_id: schoolId,
      trust_id: null,
      la_code: null,
      disabled: 0,
      created_at: now,
    });
    staff.push({ group_id: groupId, user_id: userId });
    const s = sessionToken(hashToken);
    sessions.push({ id: s.id, user_id: userId, csrf_token: s.csrf, created_at: now, expires_at: expires });
    const pupilIds = [];
    for (let k = 0; k < PER_GROUP; k++) {
      const i = g * PER_GROUP + k;
      const id = randomUUID();
      pupilIds.push(id);
      pupils.push({
        id,
        school_id: schoolId,
        upn: makeUpn(i, yearGroup),
        legal_surname: SURNAMES[i % SURNAMES.length],
        legal_forename: `${FORENAMES[(i * 7) % FORENAMES.length]} ${i}`,
        year_group: String(yearGroup),
        reg_group_id: groupId,
        admission_date: '2025-09-03',
        leaving_date: null,
      });
      members.push({ group_id: groupId, pupil_id: id });
    }
    clients.push({ groupId, schoolId, userId, token: s.token, csrf: s.csrf, pupilIds });
  }
  await insertRows(db, 'groups', groups);
  await insertRows(db, 'users', users);
  await insertRows(db, 'group_staff', staff);
  await insertRows(db, 'auth_sessions', sessions);
  await insertRows(db, 'pupils', pupils);
  await insertRows(db, 'group_members', members);
  return clients;
}

/**
 * PostgreSQL's planner statistics for the tables just filled, as autovacuum gathers them on any
 * server within a minute or so of a large write. Without them, right after the seed, PostgreSQL
 * guesses a few hundred pupils and reads a group's pupils on roll by scanning all 6,000
 * (1.5–2 ms a save instead of ~0.1). SQLite keeps no statistics unless asked (`ANALYZE`), and
 * Rollcall never asks, so it is left as it is.
 */
export async function analyseIfPostgres(db, dialect) {
  if (dialect === 'postgres') await sql`analyze`.execute(db);
}

/** The bodies of one round: mostly present, some late (with minutes), ill, appointments, N. */
function bodiesFor(clients, date, seed) {
  const rng = mulberry32(seed);
  return clients.map((c) =>
    JSON.stringify({
      version: 0,
      marks: c.pupilIds.map((pupilId) => {
        const r = rng();
        if (r < 0.03) return { pupilId, code: 'L', minutesLate: 1 + Math.floor(rng() * 20) };
        if (r < 0.05) return { pupilId, code: 'I' };
        if (r < 0.06) return { pupilId, code: 'M' };
        if (r < 0.07) return { pupilId, code: 'N' };
        return { pupilId, code: '/' };
      }),
    }),
  );
}

/** One round: every client's PUT at once; resolves to each request's latency and outcome. */
async function runRound(conns, clients, date, bodies, spreadMs = 0) {
  const t0 = performance.now();
  const results = await Promise.all(
    clients.map(async (c, i) => {
      if (spreadMs > 0) await new Promise((r) => setTimeout(r, (i * spreadMs) / clients.length));
      const start = performance.now();
      const at = start - t0;
      try {
        const res = await conns[i].request(
          'PUT',
          `/api/registers/${c.groupId}/${date}/AM`,
          {
            'content-type': 'application/json',
            cookie: `rollcall_session=${c.token}`,
            'x-csrf-token': c.csrf,
          },
          bodies[i],
        );
        const latency = performance.now() - start;
        let ok = res.status === 200;
        if (ok) {
          try {
            const r = JSON.parse(res.text);
            ok = r.version === 1 && r.changed === PER_GROUP;
          } catch {
            ok = false;
          }
        }
        return { ms: latency, at, ok, error: ok ? undefined : `HTTP ${res.status}: ${res.text.slice(0, 2000)}` };
      } catch (e) {
        return { ms: performance.now() - start, at, ok: false, error: `request failed: ${e?.message ?? e}` };
      }
    }),
  );
  return { results, wallMs: performance.now() - t0 };
}

/** The harness's own floor: 200 GET /healthz at once through the same connections. */
async function floorRound(conns) {
  const lat = await Promise.all(
    conns.map(async (conn) => {
      const start = performance.now();
      const res = await conn.request('GET', '/healthz');
      if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
      return performance.now() - start;
    }),
  );
  return lat;
}

async function benchDialect(context, dialect, cpuProfDir) {
  const s0 = performance.now();
  const database = await context.database(dialect, 'c');
  const clients = await seedSchool(database.first.db);
  await analyseIfPostgres(database.first.db, dialect);
  await database.first.close();
  const setupMs = performance.now() - s0;

  const cal = compiledCalendar();
  let day = cal.dayDate.indexOf(FIRST_DAY);
  if (day < 0) throw new Error(`${FIRST_DAY} is not a school day of the calendar`);
  const rounds = [];
  for (let r = 0; r < WARM_UP_ROUNDS + ROUNDS; r++) rounds.push(cal.dayDate[day++]);
  const spreadDays = [];
  for (let r = 0; r < SPREAD_ROUNDS; r++) spreadDays.push(cal.dayDate[day++]);

  const srv = await startServer(context, { env: database.env, cpuProfDir });
  // One connection per client, kept open between rounds, as tablets on a school's wifi would.
  const conns = clients.map(() => new RawConnection(new URL(srv.url)));
  const floor = [];
  const spread = [];
  const spreadSlowest = [];
  let spreadServerMs = [];
  let spreadCpu;
  let spreadStalls = [];
  const latencies = [];
  const errors = [];
  const roundWall = [];
  let warmUp;
  let serverMs = [];
  let cpuMark;
  let cpu;
  try {
    await Promise.all(conns.map((c) => c.connect()));
    await floorRound(conns); // warms the server's HTTP path
    for (let r = 0; r < FLOOR_ROUNDS; r++) floor.push(...(await floorRound(conns)));
    for (let r = 0; r < rounds.length; r++) {
      const bodies = bodiesFor(clients, rounds[r], 1000 + r);
      const { results, wallMs } = await runRound(conns, clients, rounds[r], bodies);
      const failed = results.filter((x) => !x.ok);
      if (r < WARM_UP_ROUNDS) {
        warmUp = {
          wallMs,
          p99: percentile(
            results.map((x) => x.ms),
            99,
          ),
          failed: failed.length,
        };
        if (failed.length > 0) errors.push(...failed.map((x) => x.error));
        await srv.timings(); // cleared: only measured rounds count
        cpuMark = serverCpuMark(srv.pid);
        continue;
      }
      roundWall.push(wallMs);
      for (const x of results) latencies.push(x.ms);
      errors.push(...failed.map((x) => x.error));
    }
    cpu = serverCpuSince(cpuMark, srv.pid);
    serverMs = (await srv.timings()).filter((t) => t.method === 'PUT').map((t) => t.ms);
    await srv.timings(); // cleared: the spread rounds' own server times follow
    const spreadCpuMark = serverCpuMark(srv.pid);
    const spreadStart = Date.now();
    for (let r = 0; r < spreadDays.length; r++) {
      const bodies = bodiesFor(clients, spreadDays[r], 2000 + r);
      const { results } = await runRound(conns, clients, spreadDays[r], bodies, SPREAD_OVER_MS);
      for (const x of results) spread.push(x.ms);
      for (const x of results) spreadSlowest.push({ round: r, at: x.at, ms: x.ms });
      errors.push(...results.filter((x) => !x.ok).map((x) => x.error));
    }
    const spreadTimings = await srv.timings();
    spreadServerMs = spreadTimings.filter((t) => t.method === 'PUT').map((t) => t.ms);
    spreadStalls = spreadTimings.stalls.map((x) => ({ ms: x.ms, at: x.endedAt - spreadStart }));
    spreadCpu = serverCpuSince(spreadCpuMark, srv.pid);
  } finally {
    for (const c of conns) c.close();
    const stopped = await srv.stop();
    if (stopped.code !== 0 && stopped.code !== null)
      console.error(`(c) server exited with ${stopped.code}: ${srv.stderr()}`);
  }

  // Everything saved, once: registers, marks and their history.
  const check = database.open();
  let stored;
  try {
    const count = async (table) =>
      Number(
        (
          await check.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    stored = {
      registers: await count('registers'),
      marks: await count('session_marks'),
      history: await count('mark_history'),
    };
  } finally {
    await check.close();
  }
  const saves = latencies.length;
  const totalWall = roundWall.reduce((a, b) => a + b, 0);
  return {
    dialect,
    setupMs,
    where: database.where,
    saves,
    savesPerSecond: saves / (totalWall / 1000),
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
    floorP50: percentile(floor, 50),
    floorP99: percentile(floor, 99),
    serverP50: percentile(serverMs, 50),
    serverP99: percentile(serverMs, 99),
    roundWall,
    warmUp,
    errors,
    stored,
    expected: (WARM_UP_ROUNDS + ROUNDS + SPREAD_ROUNDS) * GROUPS,
    // CPU milliseconds a save in the measured rounds: the server's, and PostgreSQL's processes'.
    cpuServerMs: (cpu.serverS * 1000) / saves,
    cpuDatabaseMs: (cpu.databaseS * 1000) / saves,
    spreadP50: percentile(spread, 50),
    spreadP99: percentile(spread, 99),
    spreadServerP50: percentile(spreadServerMs, 50),
    spreadCpuServerMs: (spreadCpu.serverS * 1000) / spread.length,
    spreadCpuDatabaseMs: (spreadCpu.databaseS * 1000) / spread.length,
    spreadServerP99: percentile(spreadServerMs, 99),
    // The five slowest spread saves: when in their round they were sent (a stall shows as several together).
    spreadSlowest: spreadSlowest.sort((a, b) => b.ms - a.ms).slice(0, 5),
    spreadStalls,
  };
}

export async function benchRegisterRush(context, { cpuProfDir } = {}) {
  const results = [];
  let ok = true;
  // BENCH_C_DIALECTS=sqlite (or postgres) runs one database only, for quicker profiling; the
  // floors' and PostgreSQL's targets then print only what was measured.
  const only = process.env.BENCH_C_DIALECTS?.split(',').filter(Boolean);
  for (const dialect of DIALECTS.filter((d) => !only?.length || only.includes(d))) {
    try {
      results.push(await benchDialect(context, dialect, cpuProfDir?.(dialect)));
    } catch (e) {
      ok = false;
      if (!context.aborted) console.error(`(c) 8:50 rush on ${DIALECT_LABEL[dialect]} failed: ${e?.stack ?? e}`);
    }
  }
  console.log(
    `(c) 8:50 rush: ${GROUPS} clients at once, each saving a ${PER_GROUP}-pupil register, ${ROUNDS} rounds  ` +
      results.map((r) => `${DIALECT_LABEL[r.dialect]} p99 ${ms(r.p99)}`).join('  ') +
      '  (the p99 < 50 ms target for all 200 in one instant was withdrawn by issue 18: see the floors below)',
  );
  const rows = [];
  for (const r of results) {
    const label = DIALECT_LABEL[r.dialect];
    rows.push([
      label,
      `${int(r.savesPerSecond)} saves/s, ${int(r.savesPerSecond * PER_GROUP)} marks/s; ` +
        `latency p50 ${ms(r.p50)}  p90 ${ms(r.p90)}  p99 ${ms(r.p99)}  max ${ms(r.max)}; ` +
        `errors ${r.errors.length}`,
    ]);
    rows.push([
      `  rounds`,
      `${r.roundWall.map((w) => w.toFixed(0)).join(', ')} ms for ${GROUPS} saves each ` +
        `(warm-up round ${r.warmUp.wallMs.toFixed(0)} ms, p99 ${ms(r.warmUp.p99)}); ` +
        `server time per save p50 ${ms(r.serverP50)}  p99 ${ms(r.serverP99)} (headers parsed → response sent)`,
    ]);
    rows.push([
      `  CPU`,
      `${r.cpuServerMs.toFixed(2)} ms a save in the server` +
        (r.dialect === 'postgres' ? ` + ${r.cpuDatabaseMs.toFixed(2)} ms in PostgreSQL` : '') +
        ` = ${(r.cpuServerMs + r.cpuDatabaseMs).toFixed(2)} ms (measured rounds; hardly depends on the machine's load, unlike wall time)`,
    ]);
    rows.push([
      `  spread`,
      `the same ${GROUPS} saves spread evenly over ${SPREAD_OVER_MS / 1000} s (${SPREAD_ROUNDS} rounds): ` +
        `latency p50 ${ms(r.spreadP50)}  p99 ${ms(r.spreadP99)}; server time per save p50 ${ms(r.spreadServerP50)}  ` +
        `p99 ${ms(r.spreadServerP99)}; CPU a save ${r.spreadCpuServerMs.toFixed(2)} ms in the server` +
        (r.dialect === 'postgres' ? ` + ${r.spreadCpuDatabaseMs.toFixed(2)} ms in PostgreSQL` : '') +
        `; slowest ${r.spreadSlowest
          .map((x) => `${ms(x.ms)} (round ${x.round + 1} at ${x.at.toFixed(0)} ms)`)
          .join(', ')}; server's event loop held over 15 ms: ${
          r.spreadStalls.length === 0
            ? 'never'
            : r.spreadStalls.map((x) => `${ms(x.ms)} (ending ${x.at.toFixed(0)} ms into the spread)`).join(', ')
        }`,
    ]);
    rows.push([
      `  floor`,
      `${GROUPS} GET /healthz at once through the same connections: p50 ${ms(r.floorP50)}  p99 ${ms(r.floorP99)} ` +
        `(the harness and HTTP alone, no database)`,
    ]);
    const storedOk =
      r.stored.registers === r.expected &&
      r.stored.marks === r.expected * PER_GROUP &&
      r.stored.history === r.expected * PER_GROUP;
    rows.push([
      `  checked`,
      `${int(r.stored.registers)} registers, ${int(r.stored.marks)} marks, ${int(r.stored.history)} history rows ` +
        `${storedOk ? '(as expected)' : `(EXPECTED ${int(r.expected)} registers and ${int(r.expected * PER_GROUP)} marks)`}; ` +
        `set up in ${seconds(r.setupMs)} (${r.where.includes('/') ? 'temp file' : r.where})`,
    ]);
    if (r.errors.length > 0) rows.push([`  first error`, r.errors[0]]);
    if (r.errors.length > 0 || !storedOk) ok = false;
  }
  if (rows.length > 0) lines(rows);
  // The rush against its floors, in this run (decision 0004): SQLite's own writing of the same 200
  // saves (bench/storage-floor.mjs: the batch writer's statements, no HTTP, no application code)
  // plus HTTP alone (200 GET /healthz at once, above).
  const sqlite = results.find((r) => r.dialect === 'sqlite');
  const postgres = results.find((r) => r.dialect === 'postgres');
  if (sqlite && !context.aborted) {
    try {
      const { storageFloor } = await import('./storage-floor.mjs');
      const floor = await storageFloor();
      const storageMs = floor['a first save (every statement)'].perSaveMs * GROUPS;
      const narrowMs = floor['marks, history and read'].perSaveMs * GROUPS;
      const floorMs = storageMs + sqlite.floorP99;
      const total = median(sqlite.roundWall);
      const ratio = total / floorMs;
      const share = Math.max(0, total - floorMs);
      console.log(
        `(c) floors (SQLite, this run): storage ${ms(storageMs)} (the batch writer's own statements for ${GROUPS} ` +
          `first saves, no HTTP, no application code) + HTTP ${ms(sqlite.floorP99)} (${GROUPS} GET /healthz at once, ` +
          `p99) = ${ms(floorMs)}; ${GROUPS} saves at once take ${ms(total)} (median round): the server's share above ` +
          `the floors ${ms(share)} (${((share / GROUPS) * 1000).toFixed(0)} µs a save)`,
      );
      console.log(
        `(c) the floor as counted before 7 December 2026 (marks, history and the read of what is stored; no ` +
          `register or audit row): ${ms(narrowMs)} + HTTP = ${ms(narrowMs + sqlite.floorP99)}: ` +
          `${(total / (narrowMs + sqlite.floorP99)).toFixed(2)}×`,
      );
      console.log(
        `(c) target: ${GROUPS} saves at once within ${TARGET_FLOOR_RATIO}× the floor: ${ratio.toFixed(2)}× ` +
          `${ratio <= TARGET_FLOOR_RATIO ? 'met' : 'MISSED'}`,
      );
    } catch (e) {
      console.error(`(c) storage floor failed: ${e?.stack ?? e}`);
    }
  }
  for (const r of results) {
    console.log(
      `(c) target: ${GROUPS} saves spread over ${SPREAD_OVER_MS / 1000} s, p99 under ${TARGET_SPREAD_P99_MS} ms ` +
        `(${DIALECT_LABEL[r.dialect]}): ${ms(r.spreadP99)} ${r.spreadP99 < TARGET_SPREAD_P99_MS ? 'met' : 'MISSED'}`,
    );
  }
  if (sqlite && postgres) {
    const x = sqlite.savesPerSecond / postgres.savesPerSecond;
    const cpuX = (postgres.cpuServerMs + postgres.cpuDatabaseMs) / (sqlite.cpuServerMs + sqlite.cpuDatabaseMs);
    console.log(
      `(c) target: PostgreSQL within ${TARGET_POSTGRES_RATIO}× of SQLite's throughput: ${int(postgres.savesPerSecond)} ` +
        `saves/s against ${int(sqlite.savesPerSecond)}, SQLite ${x.toFixed(2)}× ${x <= TARGET_POSTGRES_RATIO ? 'met' : 'MISSED'}; ` +
        `CPU a save (server and database) ` +
        `${(postgres.cpuServerMs + postgres.cpuDatabaseMs).toFixed(2)} ms against ` +
        `${(sqlite.cpuServerMs + sqlite.cpuDatabaseMs).toFixed(2)} ms: ${cpuX.toFixed(2)}×`,
    );
  }
  console.log(
    `    setup: ${int(GROUPS * PER_GROUP)} pupils, ${GROUPS} groups, a teacher and a session each; server ` +
      `\`rollcall serve\` (NODE_ENV=production, LOG_LEVEL=warn) in a child process; latency = client wall time ` +
      `from sending the request to the full response (lean HTTP/1.1 client, keep-alive), all ${GROUPS} requests sent at once; ${load()}`,
  );
  return { ok };
}

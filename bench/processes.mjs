// (m) Several Rollcall processes behind one PostgreSQL: 1, 2 and 4 `rollcall serve` children on
// the same database, the rush's 200 registers of 30 pupils sent round-robin across them.
//   - throughput: 200 saves at once, three rounds per configuration (after one warm-up round);
//   - conflicts: every register saved twice at the same instant through two different processes,
//     both from version 0: exactly one save may win, the other must be told of the conflict;
//   - jobs: `rollcall jobs run register-close` started once per process at the same instant for
//     the same date: the job must run once;
//   - sessions: a teacher signs in through one process (the real form), uses the session through
//     another, signs out there, and the first process must refuse the session;
//   - the analysis cache: a senior leader's dashboard read through one process, a register of
//     unauthorised absences saved through another, the dashboard read again through the first:
//     it must show the new figure (each process keeps its own cache, kept fresh from the history);
//   - then the database is counted: every register, mark and history row exactly once.
// Printed, never asserted (an unexpected count is printed as such and fails the bench).
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { compiledCalendar } from './data.mjs';
import { randomUUID } from 'node:crypto';
import { BIN, ROOT, insertRows, load, ms, percentile, server, sessionToken, startServer } from './harness.mjs';
import { int, lines } from './format.mjs';
import { RawConnection } from './raw-http.mjs';
import { seedSchool } from './register-rush.mjs';

const CONFIGS = [1, 2, 4];
const ROUNDS = 3;
const PER_GROUP = 30;
const FIRST_DAY = '2025-11-10';

function bodiesFor(clients, code) {
  return clients.map((c) => JSON.stringify({ version: 0, marks: c.pupilIds.map((pupilId) => ({ pupilId, code })) }));
}

/** One PUT per client at once, client i through connection i; each result's status and latency. */
async function round(conns, clients, date, bodies) {
  const t0 = performance.now();
  const results = await Promise.all(
    clients.map(async (c, i) => {
      const start = performance.now();
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
        return { status: res.status, ms: performance.now() - start, text: res.text };
      } catch (e) {
        return { status: 0, ms: performance.now() - start, text: String(e?.message ?? e) };
      }
    }),
  );
  return { results, wallMs: performance.now() - t0 };
}

/** `rollcall jobs run <job> --date <date>` in a child process; resolves to its exit code and output. */
function jobRun(env, job, date) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'jobs', 'run', job, '--date', date], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const SHARED_EMAIL = 'shared.sessions@bench.example.org';
const SHARED_PASSWORD = 'bench-sessions-2026-password';

/** A teacher who signs in with a password, and a senior leader's session (as if signed in). */
async function seedPeople(db) {
  const { hashPassword } = await server('platform/passwords.js');
  const { hashToken } = await server('platform/ids.js');
  const school = await db.selectFrom('schools').select('id').where('urn', '=', '199001').executeTakeFirstOrThrow();
  const now = new Date().toISOString();
  const teacher = randomUUID();
  const leader = randomUUID();
  const common = { school_id: school.id, trust_id: null, la_code: null, disabled: 0, created_at: now };
  await insertRows(db, 'users', [
    {
      id: teacher,
      email: SHARED_EMAIL,
      display_name: 'Shared Session Teacher',
      password_hash: await hashPassword(SHARED_PASSWORD),
      role: 'teacher',
      ...common,
    },
    {
      id: leader,
      email: 'leader@bench.example.org',
      display_name: 'Bench Senior Leader',
      password_hash: '!no-sign-in',
      role: 'senior_leader',
      ...common,
    },
  ]);
  const s = sessionToken(hashToken);
  const expires = new Date(Date.now() + 24 * 3600_000).toISOString();
  await insertRows(db, 'auth_sessions', [
    { id: s.id, user_id: leader, csrf_token: s.csrf, created_at: now, expires_at: expires },
  ]);
  return { leaderCookie: `rollcall_session=${s.token}` };
}

/** The session cookie a response sets, or null. */
function sessionCookie(res) {
  for (const c of res.headers.getSetCookie()) if (c.startsWith('rollcall_session=')) return c.split(';')[0];
  return null;
}

/**
 * Signs in through process a, uses the session through b, signs out through b, and asks a again.
 * Each step's status; ok when a's session works on b and the sign-out on b ends it on a.
 */
async function sessionsAcross(a, b) {
  const manual = { redirect: 'manual' };
  const signIn = await fetch(`${a}/sign-in`, {
    ...manual,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: SHARED_EMAIL, password: SHARED_PASSWORD }).toString(),
  });
  const cookie = sessionCookie(signIn);
  if (signIn.status !== 303 || cookie === null)
    return { ok: false, text: `sign-in through one process answered ${signIn.status}` };
  const onB = await fetch(`${b}/`, { ...manual, headers: { cookie } });
  const page = await onB.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  const signOut = await fetch(`${b}/sign-out`, {
    ...manual,
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf ?? '' }).toString(),
  });
  const after = await fetch(`${a}/`, { ...manual, headers: { cookie } });
  const afterTo = after.headers.get('location') ?? '';
  const ok =
    onB.status === 200 &&
    signOut.status === 303 &&
    after.status >= 300 &&
    after.status < 400 &&
    afterTo.startsWith('/sign-in');
  return {
    ok,
    text:
      `signed in through one process (303), home page through another ${onB.status}, signed out there ${signOut.status}, ` +
      `the first process then answered ${after.status}${afterTo ? ` to ${afterTo}` : ''}`,
  };
}

/** The dashboard's "Unauthorised absence" figure for the school as of a date, through one process. */
async function unauthorised(base, cookie, asOf) {
  const res = await fetch(`${base}/analysis?asOf=${asOf}`, { redirect: 'manual', headers: { cookie } });
  const html = await res.text();
  const m = /Unauthorised absence<\/th>\s*<td[^>]*>([^<]+)<\/td>/.exec(html);
  return { status: res.status, value: m ? m[1].trim() : null };
}

export async function benchProcesses(context) {
  const s0 = performance.now();
  const database = await context.database('postgres', 'm');
  const clients = await seedSchool(database.first.db);
  const { leaderCookie } = await seedPeople(database.first.db);
  await database.first.close();
  const setupMs = performance.now() - s0;
  const cal = compiledCalendar();
  let day = cal.dayDate.indexOf(FIRST_DAY);
  const rows = [];
  let expectedRegisters = 0;
  let ok = true;
  const jobDates = [];
  const summary = [];
  for (const n of CONFIGS) {
    if (context.aborted) break;
    const servers = await Promise.all(Array.from({ length: n }, () => startServer(context, { env: database.env })));
    // Client i talks to process i mod n; its rival in the contended round to process i + 1 mod n.
    const conns = clients.map((_, i) => new RawConnection(new URL(servers[i % n].url)));
    const rivals = clients.map((_, i) => new RawConnection(new URL(servers[(i + 1) % n].url)));
    try {
      await Promise.all([...conns, ...rivals].map((c) => c.connect()));
      const walls = [];
      const latencies = [];
      let failed = 0;
      for (let r = 0; r < 1 + ROUNDS; r++) {
        const date = cal.dayDate[day++];
        const { results, wallMs } = await round(conns, clients, date, bodiesFor(clients, '/'));
        expectedRegisters += clients.length;
        const bad = results.filter((x) => x.status !== 200);
        failed += bad.length;
        if (bad.length > 0) rows.push([`  ${n} failed`, `${bad[0].status}: ${bad[0].text.slice(0, 300)}`]);
        if (r === 0) continue; // warm-up
        walls.push(wallMs);
        for (const x of results) latencies.push(x.ms);
      }
      // The contended round: each register saved twice at once, through two processes.
      const date = cal.dayDate[day++];
      const [a, b] = await Promise.all([
        round(conns, clients, date, bodiesFor(clients, '/')),
        round(rivals, clients, date, bodiesFor(clients, 'L')),
      ]);
      expectedRegisters += clients.length;
      let oneWon = 0;
      for (let i = 0; i < clients.length; i++) {
        const s = [a.results[i].status, b.results[i].status].sort().join(',');
        if (s === '200,409') oneWon++;
      }
      // The same job, once per process, at the same instant.
      const jobDate = cal.dayDate[day++];
      jobDates.push(jobDate);
      const jobs = await Promise.all(Array.from({ length: n }, () => jobRun(database.env, 'register-close', jobDate)));
      const saves = latencies.length;
      const rate = saves / (walls.reduce((x, y) => x + y, 0) / 1000);
      summary.push({ n, rate });
      rows.push([
        `${n} process${n > 1 ? 'es' : ''}`,
        `${int(rate)} saves/s (${int(rate * PER_GROUP)} marks/s); rounds ${walls.map((w) => w.toFixed(0)).join(', ')} ms ` +
          `for ${clients.length} saves; latency p50 ${ms(percentile(latencies, 50))} p99 ${ms(percentile(latencies, 99))}; ` +
          `failed ${failed}`,
      ]);
      rows.push([
        `  conflicts`,
        `${oneWon} of ${clients.length} registers saved twice at once ${n > 1 ? 'through two processes' : 'through the one process'} had exactly one save ` +
          `accepted and one told of the conflict ${oneWon === clients.length ? 'ok' : 'UNEXPECTED'}`,
      ]);
      rows.push([
        `  jobs`,
        `register-close for ${jobDate} started by ${n} process${n > 1 ? 'es' : ''} at once: exit codes ` +
          `${jobs.map((j) => j.code).join(', ')}`,
      ]);
      if (failed > 0 || oneWon !== clients.length) ok = false;
      if (n > 1) {
        const sessions = await sessionsAcross(servers[0].url, servers[1].url);
        rows.push([`  sessions`, `${sessions.text} ${sessions.ok ? 'ok' : 'UNEXPECTED'}`]);
        // A register of unauthorised absences saved through process 0 after process 1 has read the
        // dashboard: process 1's next dashboard must count it.
        const cacheDate = cal.dayDate[day++];
        const before = await unauthorised(servers[1].url, leaderCookie, cacheDate);
        const mine = clients.filter((_, i) => i % n === 0);
        const viaFirst = conns.filter((_, i) => i % n === 0);
        const { results: saved } = await round(viaFirst, mine, cacheDate, bodiesFor(mine, 'O'));
        expectedRegisters += mine.length;
        const savedOk = saved.every((x) => x.status === 200);
        const after = await unauthorised(servers[1].url, leaderCookie, cacheDate);
        const cacheOk =
          before.status === 200 &&
          after.status === 200 &&
          savedOk &&
          before.value !== null &&
          after.value !== before.value;
        rows.push([
          `  analysis`,
          `dashboard through process 2: unauthorised absence ${before.value ?? `(none: ${before.status})`}; ` +
            `${int(mine.length * PER_GROUP)} unauthorised absences saved through process 1 (${savedOk ? 'every save 200' : 'NOT every save 200'}); ` +
            `dashboard through process 2 again: ${after.value ?? `(none: ${after.status})`} ${cacheOk ? 'ok' : 'UNEXPECTED'}`,
        ]);
        if (!sessions.ok || !cacheOk) ok = false;
      }
    } finally {
      for (const c of [...conns, ...rivals]) c.close();
      await Promise.all(servers.map((s) => s.stop()));
    }
  }

  // Everything exactly once.
  const check = database.open();
  try {
    const one = async (q) => Number((await q.executeTakeFirstOrThrow()).n);
    const registers = await one(check.db.selectFrom('registers').select((eb) => eb.fn.countAll().as('n')));
    const marks = await one(check.db.selectFrom('session_marks').select((eb) => eb.fn.countAll().as('n')));
    const history = await one(check.db.selectFrom('mark_history').select((eb) => eb.fn.countAll().as('n')));
    const runs = await check.db
      .selectFrom('job_runs')
      .select(['run_date', 'scope', (eb) => eb.fn.countAll().as('n')])
      .where('job', '=', 'register-close')
      .where('run_date', 'in', jobDates)
      .groupBy(['run_date', 'scope'])
      .execute();
    const runsOk = runs.length > 0 && runs.every((r) => Number(r.n) === 1);
    const countsOk =
      registers === expectedRegisters &&
      marks === expectedRegisters * PER_GROUP &&
      history === expectedRegisters * PER_GROUP;
    if (!countsOk || !runsOk) ok = false;
    rows.push([
      'checked',
      `${int(registers)} registers, ${int(marks)} marks, ${int(history)} history rows ` +
        `(${countsOk ? 'each exactly once, as expected' : `EXPECTED ${int(expectedRegisters)} registers`}); ` +
        `register-close runs per date and scope: ${runs.map((r) => Number(r.n)).join(', ') || 'none'} ` +
        `${runsOk ? '(once each)' : 'UNEXPECTED'}`,
    ]);
  } finally {
    await check.close();
  }
  const base = summary.find((s) => s.n === 1)?.rate;
  console.log(
    `(m) ${CONFIGS.join(', ')} Rollcall processes behind one PostgreSQL, ${clients.length} registers of ${PER_GROUP} ` +
      `at once, round-robin: ` +
      summary.map((s) => `${s.n}: ${int(s.rate)} saves/s${base ? ` (${(s.rate / base).toFixed(2)}×)` : ''}`).join('  '),
  );
  lines(rows);
  console.log(
    `    every process, PostgreSQL and the load generator share this machine's ${cpus().length} cores, so more ` +
      `processes cannot add throughput here: the run checks correctness and shows the cost of several processes; ` +
      `set up in ${(setupMs / 1000).toFixed(1)} s; ${load()}`,
  );
  return { ok };
}

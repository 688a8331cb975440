// (d) The pupil page: GET /pupils/:id, rendered on the server (marks, measures, findings, the
// year's heat map, the mark history), for the secondary pupil of the demo trust with the most
// marks in a complete academic year, viewed by the school's attendance officer. The demo is
// built with createDemo at a late-July `today` (scale 0.3), and the server runs in a child
// process on a clock set to that July (bench/serve-at.mjs), since the page's period is the
// academic year containing the server's today. 5 warm-up requests, then 50 one after another.
import { fileURLToPath } from 'node:url';
import { DIALECT_LABEL, DIALECTS, load, ms, percentile, server, sessionToken, startServer } from './harness.mjs';
import { int, lines, mib, seconds } from './format.mjs';

const TODAY = '2026-07-24';
const SERVER_NOW = `${TODAY}T09:30:00.000Z`;
const SCALE = 0.3;
const WARM_UP = 5;
const REQUESTS = 200;
const TARGET_MS = 100;
const SERVE_AT = fileURLToPath(new URL('./serve-at.mjs', import.meta.url));

async function seed(db) {
  const { createDemo } = await server('services/demo/index.js');
  const { hashToken } = await server('platform/ids.js');
  const summary = await createDemo(db, {
    today: TODAY,
    now: `${TODAY}T07:00:00.000Z`,
    scale: SCALE,
    passwordHash: '!no-sign-in',
  });
  const school = await db
    .selectFrom('schools')
    .select(['id', 'name'])
    .where('phase', '=', 'secondary')
    .executeTakeFirstOrThrow();
  const top = await db
    .selectFrom('session_marks')
    .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
    .select(['pupils.id', 'pupils.legal_surname', (eb) => eb.fn.countAll().as('n')])
    .where('pupils.school_id', '=', school.id)
    .groupBy(['pupils.id', 'pupils.legal_surname'])
    .orderBy('n', 'desc')
    .orderBy('pupils.id')
    .limit(1)
    .executeTakeFirstOrThrow();
  const history = await db
    .selectFrom('mark_history')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('pupil_id', '=', top.id)
    .executeTakeFirstOrThrow();
  const officer = await db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'attendance_officer')
    .where('school_id', '=', school.id)
    .executeTakeFirstOrThrow();
  const s = sessionToken(hashToken);
  await db
    .insertInto('auth_sessions')
    .values({
      id: s.id,
      user_id: officer.id,
      csrf_token: s.csrf,
      created_at: new Date(Date.parse(SERVER_NOW) - 3600_000).toISOString(),
      expires_at: new Date(Date.now() + 24 * 3600_000).toISOString(),
    })
    .execute();
  const secondary = summary.schools.find((x) => x.id === school.id);
  return {
    token: s.token,
    pupilId: top.id,
    surname: top.legal_surname,
    marks: Number(top.n),
    history: Number(history.n),
    schoolPupils: secondary?.pupils ?? 0,
    schoolMarks: secondary?.sessionMarks ?? 0,
  };
}

async function get(url, token) {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { cookie: `rollcall_session=${token}`, accept: 'text/html' } });
  const text = await res.text();
  return { ms: performance.now() - t0, status: res.status, text };
}

async function benchDialect(context, dialect, cpuProfDir) {
  const s0 = performance.now();
  const database = await context.database(dialect, 'd');
  let subject;
  try {
    subject = await seed(database.first.db);
  } finally {
    await database.first.close();
  }
  const setupMs = performance.now() - s0;
  const srv = await startServer(context, {
    entry: SERVE_AT,
    args: [],
    env: { ...database.env, ROLLCALL_BENCH_NOW: SERVER_NOW },
    cpuProfDir,
  });
  const url = `${srv.url}/pupils/${subject.pupilId}`;
  const wall = [];
  let serverMs = [];
  let page;
  try {
    for (let i = 0; i < WARM_UP + REQUESTS; i++) {
      const r = await get(url, subject.token);
      if (r.status !== 200 || !r.text.includes(subject.surname)) {
        throw new Error(`GET /pupils/:id answered ${r.status}: ${r.text.slice(0, 2000)}`);
      }
      if (i === WARM_UP - 1) await srv.timings(); // cleared: only measured requests count
      if (i >= WARM_UP) wall.push(r.ms);
      page = r.text;
    }
    serverMs = (await srv.timings())
      .filter((t) => t.method === 'GET' && t.path.startsWith('/pupils/'))
      .map((t) => t.ms);
  } finally {
    await srv.stop();
  }
  const period = /From ([^<]+?) to ([^<]+?)\./.exec(page);
  const possible = /Possible sessions\s*<\/dt>\s*<dd[^>]*>\s*([\d,]+)/.exec(page);
  return {
    dialect,
    setupMs,
    subject,
    pageBytes: Buffer.byteLength(page),
    period: period ? `${period[1]} to ${period[2]}` : 'not found on the page',
    possible: possible ? possible[1] : '?',
    p50: percentile(wall, 50),
    p99: percentile(wall, 99),
    max: Math.max(...wall),
    serverP50: percentile(serverMs, 50),
    serverP99: percentile(serverMs, 99),
  };
}

export async function benchPupilPage(context, { cpuProfDir } = {}) {
  const results = [];
  let ok = true;
  for (const dialect of DIALECTS) {
    try {
      results.push(await benchDialect(context, dialect, cpuProfDir?.(dialect)));
    } catch (e) {
      ok = false;
      if (!context.aborted) console.error(`(d) pupil page on ${DIALECT_LABEL[dialect]} failed: ${e?.stack ?? e}`);
    }
  }
  console.log(
    `(d) pupil page: GET /pupils/:id, a full year of marks, ${REQUESTS} requests after ${WARM_UP} warm-ups  ` +
      results
        .map(
          (r) =>
            `${DIALECT_LABEL[r.dialect]} server p50 ${ms(r.serverP50)} p99 ${ms(r.serverP99)} ${r.serverP99 < TARGET_MS ? 'ok' : 'MISSED'}`,
        )
        .join('  ') +
      `  (target < ${TARGET_MS} ms server time, as the issue sets it; wall time on loopback below)`,
  );
  const rows = [];
  for (const r of results) {
    rows.push([
      DIALECT_LABEL[r.dialect],
      `wall p50 ${ms(r.p50)}  p99 ${ms(r.p99)}  max ${ms(r.max)}; server p50 ${ms(r.serverP50)}  p99 ${ms(r.serverP99)}; ` +
        `page ${mib(r.pageBytes)}, period ${r.period}, ${r.possible} possible sessions`,
    ]);
    rows.push([
      '  data',
      `pupil with ${int(r.subject.marks)} session marks and ${int(r.subject.history)} history rows, of ` +
        `${int(r.subject.schoolPupils)} pupils (${int(r.subject.schoolMarks)} marks) in the secondary; ` +
        `demo (scale ${SCALE}, both schools) set up in ${seconds(r.setupMs)}`,
    ]);
  }
  if (rows.length > 0) lines(rows);
  console.log(
    `    wall = client time on loopback from fetch to the full page, one request at a time; server = from ` +
      `headers parsed to response sent, timed in the child through Node's http diagnostics channels; ` +
      `server on a clock set to ${TODAY} (NODE_ENV=production: templates cached); ${load()}`,
  );
  return { ok };
}

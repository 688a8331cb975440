/**
 * Keeping authorisation true (issue 16): every route of the application, from Fastify's own route
 * table, × every role × a pupil of their own school and a pupil of a school outside their trust and
 * local authority. The table below gives each route's expected answers; a route added without an
 * entry fails the first test, so no route ships without saying who may use it.
 *
 * An entry is `public`, or a kind followed by each role's exact answer on their own school:
 *
 * - `public`: answers without a session.
 * - `api`: the JSON API (a session or an API key): without either, 401.
 * - `session`: needs a signed-in person; without a session, never 2xx.
 * - `pupil`: about one pupil: never 2xx for a pupil of a school outside the person's scope.
 *
 * and then `STATUS role role…` groups separated by commas, `*` standing for every role not named:
 * `'session: 200 office admin, 403 *'` means office staff and administrators get 200, everyone
 * else 403. Own-school requests use the small test school's first pupil, its first group, a school
 * day (Monday 8 September 2025, AM) and `x` for any other id; state-changing routes are posted an
 * empty body with the session's CSRF token, after every GET, in the route table's order (so a
 * 400 is "allowed to ask, but the form is empty", a 403 "not for this role", a 404 "no such `x`"),
 * and signing out last. Changing who may do what therefore changes a line here, in review.
 *
 * Every signed-in GET is asked as every role; none may answer 5xx. State-changing routes are asked
 * without a session (never 2xx) and, as every role, for another school's pupil (never 2xx).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, type PagesHarness, type PageSession } from '../../test/web-pages.js';
import { ROUTES } from '../cli/server.js';
import { ROLES, type Role } from '../services/authz.js';
import { DEFAULT_POLICY } from '../services/policy/school-policy.js';

type Kind = 'public' | 'api' | 'session' | 'pupil';

const EXPECTED: Readonly<Record<string, string>> = {
  'GET /assets/*': 'public',
  'GET /public/*': 'public',
  'GET /healthz': 'public',
  'GET /favicon.ico': 'public',
  'GET /manifest.webmanifest': 'public',
  'GET /sw.js': 'public',
  'GET /sign-in': 'public',
  'POST /sign-in': 'public',
  'POST /sign-out': 'session: 303 *',
  'GET /sign-in/mfa': 'public',
  'POST /sign-in/mfa': 'public',
  'GET /account/mfa': 'session: 200 *',
  'GET /account/mfa/totp': 'session: 200 *',
  'POST /account/mfa/totp': 'session: 400 *',
  'POST /account/mfa/totp/remove': 'session: 303 teacher office senco governor parent, 409 *',
  'POST /account/mfa/recovery-codes': 'session: 409 *',
  'GET /account/mfa/passkeys': 'session: 200 *',
  'POST /account/mfa/passkeys': 'session: 400 *',
  'POST /account/mfa/passkeys/:passkeyId/remove': 'session: 404 *',
  'POST /sign-in/passkey': 'session: 303 *',
  'GET /account/confirm': 'session: 200 *',
  'POST /account/confirm': 'session: 400 *',
  'GET /admin/sign-in-security': 'session: 200 admin, 403 *',
  'POST /admin/sign-in-security': 'session: 200 admin, 404 trust_lead la_officer, 403 *',
  'POST /admin/users/:userId/reset-mfa': 'session: 404 *',
  'GET /sign-in/sso/:providerId': 'public',
  'GET /sign-in/sso/callback': 'public',
  'GET /sign-in/sso': 'public',
  'GET /account/sso': 'session: 200 *',
  'POST /account/sso/:providerId/unlink': 'session: 404 *',
  'GET /account/sso/:providerId': 'session: 404 *',
  'GET /admin/sso': 'session: 200 admin, 404 trust_lead la_officer, 403 *',
  'POST /admin/sso': 'session: 400 admin, 404 trust_lead la_officer, 403 *',
  'GET /': 'session: 200 *',
  'GET /registers': 'session: 403 trust_lead la_officer, 200 *',
  'GET /registers/:groupId': 'session: 303 *',
  'GET /registers/:groupId/:date/:session': 'session: 200 teacher office attendance_officer senior_leader admin, 403 *',
  'POST /registers/:groupId/:date/:session':
    'session: 303 teacher, 409 office attendance_officer senior_leader admin, 403 *',
  'GET /board': 'session: 200 office attendance_officer senior_leader admin, 403 *',
  'GET /office': 'session: 200 office attendance_officer senior_leader admin, 403 *',
  'POST /office/late-arrivals': 'session: 400 office attendance_officer senior_leader admin, 403 *',
  'POST /office/early-leavers': 'session: 400 office attendance_officer senior_leader admin, 403 *',
  'GET /pupils': 'session: 403 governor la_officer parent, 200 *',
  'GET /pupils/suggest': 'session: 403 governor parent, 400 trust_lead la_officer, 200 *',
  'GET /pupils/:id': 'pupil: 303 la_officer, 403 governor, 200 *',
  'POST /pupils/:id/amend': 'pupil: 400 office attendance_officer senior_leader admin, 403 *',
  'GET /outbox': 'session: 200 office attendance_officer senior_leader admin, 403 *',
  'GET /worklist': 'session: 403 teacher governor trust_lead la_officer parent, 200 *',
  'POST /worklist/texts': 'session: 403 teacher governor trust_lead la_officer parent, 303 *',
  'POST /worklist/attempts': 'session: 403 trust_lead la_officer, 404 *',
  'POST /worklist/resolve': 'session: 403 trust_lead la_officer, 404 *',
  'GET /pupils/:id/home-visits': 'pupil: 403 teacher governor la_officer parent, 200 *',
  'POST /pupils/:id/home-visits/plan': 'pupil: 400 office attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:id/home-visits': 'pupil: 400 office attendance_officer senior_leader admin, 403 *',
  'GET /casework': 'session: 200 attendance_officer senco senior_leader dsl deputy_dsl admin, 403 *',
  'POST /casework/suggestions/:id': 'session: 404 *',
  'POST /casework/accept-selected': 'session: 400 attendance_officer senco senior_leader dsl deputy_dsl admin, 403 *',
  'POST /casework/dismiss-selected': 'session: 400 attendance_officer senco senior_leader dsl deputy_dsl admin, 403 *',
  'POST /casework/open': 'session: 400 attendance_officer senco senior_leader dsl deputy_dsl admin, 403 *',
  'GET /pupils/:pupilId/case': 'pupil: 200 attendance_officer senco senior_leader dsl deputy_dsl admin, 403 *',
  'POST /pupils/:pupilId/case/close': 'pupil: 409 attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:pupilId/case/stage': 'pupil: 400 attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:pupilId/case/meetings': 'pupil: 400 attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:pupilId/case/meetings/:itemId': 'pupil: 404 attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:pupilId/case/actions': 'pupil: 400 attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:pupilId/case/actions/:itemId': 'pupil: 404 attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:pupilId/case/plans': 'pupil: 400 attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:pupilId/case/plans/:itemId': 'pupil: 404 attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:pupilId/case/referrals': 'pupil: 400 attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:pupilId/case/referrals/:itemId': 'pupil: 404 attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:pupilId/case/contracts': 'pupil: 400 attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:pupilId/case/contracts/:itemId': 'pupil: 404 attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:pupilId/case/notices': 'pupil: 400 attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:pupilId/case/notices/:itemId': 'pupil: 404 attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:pupilId/case/penalty-notices': 'pupil: 400 attendance_officer senior_leader admin, 403 *',
  'POST /pupils/:pupilId/case/penalty-notices/:itemId': 'pupil: 404 attendance_officer senior_leader admin, 403 *',
  'GET /pupils/:id/report-absence': 'pupil: 200 parent, 403 *',
  'POST /pupils/:id/report-absence': 'pupil: 400 parent, 403 *',
  'GET /absence-reports': 'session: 200 office attendance_officer senior_leader admin, 403 *',
  'POST /absence-reports/:id': 'session: 404 *',
  'GET /pupils/:id/leave': 'pupil: 403 governor la_officer, 200 *',
  'POST /pupils/:id/leave': 'pupil: 400 parent, 403 *',
  'GET /leave': 'session: 200 senior_leader admin, 403 *',
  'POST /leave/:id': 'session: 404 *',
  'GET /school/letters': 'session: 200 attendance_officer senco senior_leader dsl deputy_dsl admin, 403 *',
  'GET /school/letters/bulk': 'session: 200 attendance_officer senior_leader admin, 403 *',
  'POST /school/letters/bulk': 'session: 400 *',
  'GET /school/letters/:key': 'session: 200 attendance_officer senco senior_leader dsl deputy_dsl admin, 403 *',
  'POST /school/letters/:key': 'session: 400 attendance_officer senior_leader admin, 403 *',
  'GET /pupils/:pupilId/letters': 'pupil: 200 attendance_officer senco senior_leader dsl deputy_dsl admin, 403 *',
  'GET /pupils/:pupilId/letters/new': 'pupil: 400 *',
  'POST /pupils/:pupilId/letters': 'pupil: 400 *',
  'POST /pupils/:pupilId/contacts/:contactId/language': 'pupil: 400 *',
  'GET /letters/:file': 'session: 404 *',
  'GET /pupils/:pupilId/certificate.pdf':
    'pupil: 200 attendance_officer senco senior_leader dsl deputy_dsl admin, 403 *',
  'GET /pupils/:pupilId/evidence-pack': 'pupil: 200 attendance_officer senco senior_leader dsl deputy_dsl admin, 403 *',
  'POST /pupils/:pupilId/evidence-pack': 'pupil: 404 *',
  'GET /evidence-packs/:file': 'session: 404 *',
  'POST /evidence-packs/:id/sent': 'session: 404 *',
  'GET /analysis': 'session: 303 trust_lead la_officer, 403 teacher office parent, 200 *',
  'GET /trust': 'session: 200 trust_lead, 403 *',
  'GET /la': 'session: 200 la_officer, 403 *',
  'GET /la/pupils': 'session: 200 la_officer, 403 *',
  'GET /la/tsm': 'session: 200 la_officer, 403 *',
  'GET /analysis/export': 'session: 303 trust_lead la_officer, 403 teacher office parent, 200 *',
  'GET /analysis/trends': 'session: 303 trust_lead la_officer, 403 teacher office parent, 200 *',
  'GET /analysis/patterns': 'session: 303 trust_lead la_officer, 403 teacher office parent, 200 *',
  'GET /analysis/lists/:kind': 'session: 303 trust_lead la_officer, 403 teacher governor parent, 200 *',
  'POST /analysis/lists/letters': 'session: 200 *',
  'GET /analysis/governors': 'session: 303 trust_lead la_officer, 403 teacher office parent, 200 *',
  'GET /admin/api-keys': 'session: 200 admin, 403 *',
  'POST /admin/api-keys': 'session: 400 trust_lead la_officer admin, 403 *',
  'POST /admin/api-keys/:id/revoke': 'session: 404 *',
  'GET /admin/webhooks': 'session: 200 admin, 403 *',
  'POST /admin/webhooks': 'session: 400 admin, 403 *',
  'POST /admin/webhooks/:id/disable': 'session: 404 *',
  'GET /admin/webhooks/:id': 'session: 404 *',
  'POST /admin/webhooks/:id/rotate': 'session: 404 *',
  'GET /admin/audit': 'session: 200 admin, 403 *',
  'GET /pupils/:id/subject-access': 'pupil: 200 senior_leader admin, 403 *',
  'GET /register-audit': 'session: 200 attendance_officer senior_leader trust_lead admin, 403 *',
  'GET /returns': 'session: 200 office attendance_officer senior_leader admin, 403 *',
  'POST /returns/ctf': 'session: 400 *',
  'POST /returns/ctf/:exportId/sent': 'session: 404 attendance_officer senior_leader admin, 403 *',
  'POST /returns/prepare': 'session: 303 attendance_officer senior_leader admin, 403 *',
  'GET /returns/:id': 'session: 404 *',
  'GET /returns/:id/csv': 'session: 404 *',
  'GET /returns/:id/pdf': 'session: 404 *',
  'POST /returns/:id/sent': 'session: 404 *',
  'GET /admissions': 'session: 200 office attendance_officer senior_leader admin, 403 *',
  'POST /admissions/admit': 'session: 400 attendance_officer senior_leader admin, 403 *',
  'POST /admissions/delete': 'session: 400 office attendance_officer senior_leader admin, 403 *',
  'POST /admissions/la-contacts': 'session: 400 office attendance_officer senior_leader admin, 403 *',
  'GET /admissions/pupils/:id/moving-form': 'pupil: 200 office attendance_officer senior_leader admin, 403 *',
  'GET /admissions/pupils/:id/items': 'pupil: 200 office attendance_officer senior_leader admin, 403 *',
  'POST /admissions/pupils/:id/items': 'pupil: 400 office attendance_officer senior_leader admin, 403 *',
  'GET /admin/jobs': 'session: 200 admin, 403 *',
  'POST /admin/jobs/run': 'session: 400 *',
  'GET /school/policy': 'session: 200 attendance_officer senior_leader admin, 403 *',
  'POST /school/policy': 'session: 400 attendance_officer senior_leader admin, 403 *',
  'GET /school/policy/form': 'session: 200 attendance_officer senior_leader admin, 403 *',
  'POST /school/policy/form': 'session: 400 attendance_officer senior_leader admin, 403 *',
  'GET /pupils/:pupilId/integration': 'pupil: 200 attendance_officer senco senior_leader admin, 403 *',
  'POST /pupils/:pupilId/integration': 'pupil: 400 attendance_officer senco senior_leader admin, 403 *',
  'GET /school/details': 'session: 200 senior_leader admin, 403 *',
  'POST /school/details': 'session: 303 senior_leader admin, 403 *',
  'GET /school/details/logo': 'session: 404 senior_leader admin, 403 *',
  'POST /school/details/logo': 'session: 400 senior_leader admin, 403 *',
  'POST /school/details/logo/remove': 'session: 303 senior_leader admin, 403 *',
  'GET /school/codes': 'session: 200 admin, 403 *',
  'POST /school/codes': 'session: 400 admin, 403 *',
  'POST /school/codes/remove': 'session: 404 admin, 403 *',
  'GET /account/password': 'session: 200 *',
  'POST /account/password': 'session: 400 *',
  'GET /admin/users': 'session: 200 admin, 403 *',
  'GET /admin/users/new': 'session: 200 admin, 403 *',
  'POST /admin/users/new': 'session: 400 admin, 403 *',
  'GET /admin/users/:id': 'session: 404 admin, 403 *',
  'POST /admin/users/:id': 'session: 404 admin, 403 *',
  'POST /admin/users/:id/disable': 'session: 404 admin, 403 *',
  'POST /admin/users/:id/enable': 'session: 404 admin, 403 *',
  'POST /admin/users/:id/password': 'session: 404 admin, 403 *',
  'POST /admin/users/:id/children': 'session: 404 admin, 403 *',
  'POST /admin/users/:id/children/:pupilId/remove': 'pupil: 404 admin, 403 *',
  'GET /roll-call': 'session: 403 governor trust_lead la_officer parent, 200 *',
  'POST /roll-call': 'session: 403 governor trust_lead la_officer parent, 303 *',
  'GET /roll-call/:id': 'session: 404 *',
  'POST /roll-call/:id/tick': 'session: 400 *',
  'POST /roll-call/:id/close': 'session: 404 *',
  'GET /dsl': 'session: 200 dsl deputy_dsl, 403 *',
  'POST /dsl/alerts/:id/acknowledge': 'session: 404 *',
  'GET /pupils/:id/access-reason': 'pupil: 200 la_officer, 403 *',
  'POST /pupils/:id/access-reason': 'pupil: 400 la_officer, 403 *',
  'POST /pupils/:id/contacts/:contactId/restriction':
    'pupil: 404 attendance_officer senco senior_leader dsl deputy_dsl admin, 403 *',
  'GET /api/openapi.json': 'public',
  'GET /api/registers/:groupId/:date/:session': 'api: 200 teacher office attendance_officer senior_leader admin, 403 *',
  'PUT /api/registers/:groupId/:date/:session': 'api: 400 *',
  'GET /api/board': 'api: 200 office attendance_officer senior_leader admin, 404 trust_lead la_officer, 403 *',
  'POST /api/late-arrivals': 'api: 400 *',
  'POST /api/early-leavers': 'api: 400 *',
  'POST /api/amendments': 'api: 400 *',
  'GET /api/pupils': 'api: 400 *',
  'GET /api/pupils/:id': 'pupil: 403 governor la_officer, 200 *',
  'GET /api/exports/daily-attendance': 'api: 400 *',
  'GET /api/exports/dfe-daily': 'api: 400 *',
  'GET /api/exports/census-attendance':
    'api: 400 attendance_officer senior_leader admin, 404 trust_lead la_officer, 403 *',
};

/** A route's kind (`public`, `api`, `session` or `pupil`). */
function kindOf(key: string): Kind {
  return (EXPECTED[key] ?? 'public').split(':')[0] as Kind;
}

/** Each role's expected answer on their own school, from an entry's `STATUS role…, STATUS *` groups. */
function ownAnswers(key: string): ReadonlyMap<Role, number> | null {
  const entry = EXPECTED[key] ?? '';
  const colon = entry.indexOf(':');
  if (colon < 0) return null;
  const answers = new Map<Role, number>();
  let rest: number | null = null;
  for (const group of entry.slice(colon + 1).split(',')) {
    const [status, ...roles] = group.trim().split(/\s+/);
    const code = Number(status);
    if (!Number.isInteger(code)) throw new Error(`${key}: "${group}" does not start with a status`);
    for (const role of roles) {
      if (role === '*') rest = code;
      else if ((ROLES as readonly string[]).includes(role)) answers.set(role as Role, code);
      else throw new Error(`${key}: no role "${role}"`);
    }
  }
  for (const role of ROLES)
    if (!answers.has(role)) {
      if (rest === null) throw new Error(`${key}: no answer for ${role} (add "STATUS *")`);
      answers.set(role, rest);
    }
  return answers;
}

/** Answers as a table entry (the largest group as `*`): what to review and write for a new route. */
function entryFor(kind: Kind, answers: ReadonlyMap<Role, number>): string {
  const groups = new Map<number, Role[]>();
  for (const role of ROLES) groups.set(answers.get(role)!, [...(groups.get(answers.get(role)!) ?? []), role]);
  const sorted = [...groups].sort((a, b) => b[1].length - a[1].length);
  const [rest, ...named] = sorted;
  const parts = named.sort((a, b) => a[0] - b[0]).map(([status, roles]) => `${status} ${roles.join(' ')}`);
  return `${kind}: ${[...parts, `${rest![0]} *`].join(', ')}`;
}

/** Compares a route's answers with its entry; a route without answers gets the entry to review. */
function compare(key: string, observed: ReadonlyMap<Role, number>, problems: string[]): void {
  const expected = ownAnswers(key);
  if (!expected) {
    problems.push(`${key}: no answers in the table; as asked today it would be '${entryFor(kindOf(key), observed)}'`);
    return;
  }
  for (const role of ROLES)
    if (observed.get(role) !== expected.get(role))
      problems.push(`${role} ${key} (own school): ${observed.get(role)}, expected ${expected.get(role)}`);
}

let t: PagesHarness;
const sessions = new Map<Role, PageSession>();
const FAR_PUPIL = 'far-pupil-routes';
const counts = { routes: 0, roles: ROLES.length, cases: 0, anonymous: 0, own: 0, other: 0 };

beforeAll(async () => {
  t = await pagesHarness(ROUTES, 'routes');
  // A school outside the small school's trust and local authority, with one pupil.
  await t.open.db
    .insertInto('schools')
    .values({
      id: 'far-school-routes',
      urn: '999111',
      name: 'Far School',
      phase: 'primary',
      la_code: '998',
      la_name: 'Far Borough',
      trust_id: null,
      policy_json: JSON.stringify(DEFAULT_POLICY),
    })
    .execute();
  await t.open.db
    .insertInto('pupils')
    .values({
      id: FAR_PUPIL,
      school_id: 'far-school-routes',
      upn: 'A123456789012',
      legal_forename: 'Far',
      legal_surname: 'Pupil',
      preferred_forename: null,
      preferred_surname: null,
      date_of_birth: '2017-05-01',
      gender: 'F',
      year_group: '3',
      reg_group_id: null,
      admission_date: '2025-09-01',
      leaving_date: null,
      social_worker: null,
      ethnicity: 'WBRI',
      cp: 0,
    })
    .execute();
  for (const role of ROLES) sessions.set(role, await t.signInAs(role));
}, 120_000);

afterAll(async () => {
  await t.close();
});

/** A concrete URL for a route pattern: the pupil given for pupil parameters, plausible values for the rest. */
function urlFor(pattern: string, pupilId: string): string {
  return pattern
    .replace('*', 'x')
    .replace(/:(id|pupilId)\b/g, pupilId)
    .replace(':groupId', t.school.groupA)
    .replace(':date', '2025-09-08')
    .replace(':session', 'AM')
    .replace(':kind', 'persistent')
    .replace(/:[A-Za-z]+/g, 'x');
}

describe('the route table', () => {
  it('has an expected answer for every route, and no expectation for a route that is gone', () => {
    const routes = t.app.routeTable.map((r) => `${r.method} ${r.url}`);
    counts.routes = routes.length;
    expect([...new Set(routes)].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('every entry names a kind and, for signed-in routes, an answer for every role', () => {
    for (const key of Object.keys(EXPECTED)) {
      expect(['public', 'api', 'session', 'pupil'], key).toContain(kindOf(key));
      if (kindOf(key) !== 'public')
        expect(
          ownAnswers(key)?.size,
          `${key}: give each role's answer on their own school (the tests below say what each gets today)`,
        ).toBe(ROLES.length);
    }
  });

  it('without a session: only public routes answer 2xx', async () => {
    const leaks: string[] = [];
    for (const r of t.app.routeTable) {
      const key = `${r.method} ${r.url}`;
      if (kindOf(key) === 'public') continue;
      const res = await t.app.inject({ method: r.method as 'GET', url: urlFor(r.url, t.school.pupilsA[0]!) });
      counts.cases++;
      counts.anonymous++;
      if (res.statusCode < 300 || res.statusCode >= 500) leaks.push(`${key}: ${res.statusCode}`);
      if (kindOf(key) === 'api' && res.statusCode !== 401) leaks.push(`${key}: ${res.statusCode}, not 401`);
    }
    expect(leaks).toEqual([]);
  });

  const ask = (r: { method: string; url: string }, role: Role, pupilId: string) => {
    const s = sessions.get(role)!;
    const cookies = { rollcall_session: s.cookie };
    counts.cases++;
    return r.method === 'GET'
      ? t.app.inject({ method: 'GET', url: urlFor(r.url, pupilId), cookies })
      : t.app.inject({
          method: r.method as 'POST',
          url: urlFor(r.url, pupilId),
          cookies,
          headers: { 'x-csrf-token': s.csrf },
          payload: {},
        });
  };

  it('as every role: each GET answers exactly as the table says on their own school; no pupil route answers 2xx for a pupil outside their scope', async () => {
    const problems: string[] = [];
    for (const r of t.app.routeTable) {
      const key = `${r.method} ${r.url}`;
      const kind = kindOf(key);
      if (kind === 'public') continue;
      const observed = new Map<Role, number>();
      for (const role of ROLES) {
        if (r.method === 'GET') {
          const own = await ask(r, role, t.school.pupilsA[0]!);
          counts.own++;
          observed.set(role, own.statusCode);
        }
        if (kind === 'pupil') {
          const far = await ask(r, role, FAR_PUPIL);
          counts.other++;
          if (far.statusCode < 300) problems.push(`${role} ${key} (a pupil of another school): ${far.statusCode}`);
          if (far.statusCode >= 500) problems.push(`${role} ${key} (another school): ${far.statusCode}`);
        }
      }
      if (r.method === 'GET') compare(key, observed, problems);
    }
    expect(problems).toEqual([]);
  }, 600_000);

  it('as every role: each state-changing route answers exactly as the table says on their own school (signing out last)', async () => {
    const problems: string[] = [];
    const changing = t.app.routeTable.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
    const signOut = changing.filter((r) => r.url === '/sign-out');
    for (const r of [...changing.filter((r) => r.url !== '/sign-out'), ...signOut]) {
      const key = `${r.method} ${r.url}`;
      if (kindOf(key) === 'public') continue;
      const observed = new Map<Role, number>();
      for (const role of ROLES) {
        const own = await ask(r, role, t.school.pupilsA[0]!);
        counts.own++;
        observed.set(role, own.statusCode);
      }
      compare(key, observed, problems);
    }
    expect(problems).toEqual([]);
  }, 600_000);

  it('reports the counts', () => {
    console.log(
      `route-level authorisation: ${counts.routes} routes × ${counts.roles} roles: ${counts.cases} requests ` +
        `(${counts.anonymous} without a session, ${counts.own} on their own school with exact answers, ` +
        `${counts.other} for a pupil of another school)`,
    );
    expect(counts.own).toBeGreaterThan(counts.routes * (counts.roles - 1));
  });
});

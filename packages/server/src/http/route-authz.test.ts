/**
 * Keeping authorisation true (issue 16): every route of the application, from Fastify's own route
 * table, × every role × a pupil of their own school and a pupil of a school outside their trust and
 * local authority. The table below gives each route's expected answer; a route added without an
 * entry fails the first test, so no route ships without saying who may use it.
 *
 * - `public`: answers without a session.
 * - `api`: the JSON API (a session or an API key): without either, 401.
 * - `session`: any signed-in person may ask (the route itself refuses by permission); without a session, never 2xx.
 * - `pupil`: about one pupil: never 2xx for a pupil of a school outside the person's scope.
 *
 * Every signed-in GET is asked as every role; none may answer 5xx. State-changing routes are asked
 * without a session (never 2xx) and, as every role, for another school's pupil (never 2xx).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, type PagesHarness, type PageSession } from '../../test/web-pages.js';
import { ROUTES } from '../cli/server.js';
import { ROLES, type Role } from '../services/authz.js';
import { DEFAULT_POLICY } from '../services/school-policy.js';

type Expectation = 'public' | 'api' | 'session' | 'pupil';

const EXPECTED: Readonly<Record<string, Expectation>> = {
  'GET /assets/*': 'public',
  'GET /public/*': 'public',
  'GET /healthz': 'public',
  'GET /favicon.ico': 'public',
  'GET /sign-in': 'public',
  'POST /sign-in': 'public',
  'POST /sign-out': 'session',
  'GET /sign-in/mfa': 'public',
  'POST /sign-in/mfa': 'public',
  'GET /account/mfa': 'session',
  'GET /account/mfa/totp': 'session',
  'POST /account/mfa/totp': 'session',
  'POST /account/mfa/totp/remove': 'session',
  'POST /account/mfa/recovery-codes': 'session',
  'GET /account/mfa/passkeys': 'session',
  'POST /account/mfa/passkeys': 'session',
  'POST /account/mfa/passkeys/:passkeyId/remove': 'session',
  'POST /sign-in/passkey': 'session',
  'GET /account/confirm': 'session',
  'POST /account/confirm': 'session',
  'GET /admin/sign-in-security': 'session',
  'POST /admin/sign-in-security': 'session',
  'POST /admin/users/:userId/reset-mfa': 'session',
  'GET /sign-in/sso/:providerId': 'public',
  'GET /sign-in/sso/callback': 'public',
  'GET /account/sso/:providerId': 'session',
  'GET /admin/sso': 'session',
  'POST /admin/sso': 'session',
  'GET /': 'session',
  'GET /registers': 'session',
  'GET /registers/:groupId': 'session',
  'GET /registers/:groupId/:date/:session': 'session',
  'POST /registers/:groupId/:date/:session': 'session',
  'GET /board': 'session',
  'GET /office': 'session',
  'POST /office/late-arrivals': 'session',
  'POST /office/early-leavers': 'session',
  'GET /pupils': 'session',
  'GET /pupils/:id': 'pupil',
  'POST /pupils/:id/amend': 'pupil',
  'GET /outbox': 'session',
  'GET /worklist': 'session',
  'POST /worklist/texts': 'session',
  'POST /worklist/attempts': 'session',
  'POST /worklist/resolve': 'session',
  'GET /pupils/:id/home-visits': 'pupil',
  'POST /pupils/:id/home-visits/plan': 'pupil',
  'POST /pupils/:id/home-visits': 'pupil',
  'GET /casework': 'session',
  'POST /casework/suggestions/:id': 'session',
  'POST /casework/accept-selected': 'session',
  'POST /casework/dismiss-selected': 'session',
  'POST /casework/open': 'session',
  'GET /pupils/:pupilId/case': 'pupil',
  'POST /pupils/:pupilId/case/close': 'pupil',
  'POST /pupils/:pupilId/case/stage': 'pupil',
  'POST /pupils/:pupilId/case/meetings': 'pupil',
  'POST /pupils/:pupilId/case/meetings/:itemId': 'pupil',
  'POST /pupils/:pupilId/case/actions': 'pupil',
  'POST /pupils/:pupilId/case/actions/:itemId': 'pupil',
  'POST /pupils/:pupilId/case/plans': 'pupil',
  'POST /pupils/:pupilId/case/plans/:itemId': 'pupil',
  'POST /pupils/:pupilId/case/referrals': 'pupil',
  'POST /pupils/:pupilId/case/referrals/:itemId': 'pupil',
  'POST /pupils/:pupilId/case/contracts': 'pupil',
  'POST /pupils/:pupilId/case/contracts/:itemId': 'pupil',
  'POST /pupils/:pupilId/case/notices': 'pupil',
  'POST /pupils/:pupilId/case/notices/:itemId': 'pupil',
  'POST /pupils/:pupilId/case/penalty-notices': 'pupil',
  'POST /pupils/:pupilId/case/penalty-notices/:itemId': 'pupil',
  'GET /pupils/:id/report-absence': 'pupil',
  'POST /pupils/:id/report-absence': 'pupil',
  'GET /absence-reports': 'session',
  'POST /absence-reports/:id': 'session',
  'GET /pupils/:id/leave': 'pupil',
  'POST /pupils/:id/leave': 'pupil',
  'GET /leave': 'session',
  'POST /leave/:id': 'session',
  'GET /school/letters': 'session',
  'GET /school/letters/bulk': 'session',
  'POST /school/letters/bulk': 'session',
  'GET /school/letters/:key': 'session',
  'POST /school/letters/:key': 'session',
  'GET /pupils/:pupilId/letters': 'pupil',
  'GET /pupils/:pupilId/letters/new': 'pupil',
  'POST /pupils/:pupilId/letters': 'pupil',
  'POST /pupils/:pupilId/contacts/:contactId/language': 'pupil',
  'GET /letters/:file': 'session',
  'GET /pupils/:pupilId/certificate.pdf': 'pupil',
  'GET /pupils/:pupilId/evidence-pack': 'pupil',
  'POST /pupils/:pupilId/evidence-pack': 'pupil',
  'GET /evidence-packs/:file': 'session',
  'POST /evidence-packs/:id/sent': 'session',
  'GET /analysis': 'session',
  'GET /trust': 'session',
  'GET /la': 'session',
  'GET /la/tsm': 'session',
  'GET /analysis/export': 'session',
  'GET /analysis/trends': 'session',
  'GET /analysis/patterns': 'session',
  'GET /analysis/lists/:kind': 'session',
  'POST /analysis/lists/letters': 'session',
  'GET /analysis/governors': 'session',
  'GET /admin/api-keys': 'session',
  'POST /admin/api-keys': 'session',
  'POST /admin/api-keys/:id/revoke': 'session',
  'GET /admin/audit': 'session',
  'GET /pupils/:id/subject-access': 'pupil',
  'GET /register-audit': 'session',
  'GET /returns': 'session',
  'POST /returns/ctf': 'session',
  'POST /returns/prepare': 'session',
  'GET /returns/:id': 'session',
  'GET /returns/:id/csv': 'session',
  'GET /returns/:id/pdf': 'session',
  'POST /returns/:id/sent': 'session',
  'GET /admissions': 'session',
  'POST /admissions/admit': 'session',
  'POST /admissions/delete': 'session',
  'POST /admissions/la-contacts': 'session',
  'GET /admissions/pupils/:id/moving-form': 'pupil',
  'GET /admin/jobs': 'session',
  'POST /admin/jobs/run': 'session',
  'GET /school/policy': 'session',
  'POST /school/policy': 'session',
  'GET /school/policy/form': 'session',
  'POST /school/policy/form': 'session',
  'GET /pupils/:pupilId/integration': 'pupil',
  'POST /pupils/:pupilId/integration': 'pupil',
  'GET /school/details': 'session',
  'POST /school/details': 'session',
  'GET /school/codes': 'session',
  'POST /school/codes': 'session',
  'POST /school/codes/remove': 'session',
  'GET /account/password': 'session',
  'POST /account/password': 'session',
  'GET /admin/users': 'session',
  'GET /admin/users/new': 'session',
  'POST /admin/users/new': 'session',
  'GET /admin/users/:id': 'session',
  'POST /admin/users/:id': 'session',
  'POST /admin/users/:id/disable': 'session',
  'POST /admin/users/:id/enable': 'session',
  'POST /admin/users/:id/password': 'session',
  'POST /admin/users/:id/children': 'session',
  'POST /admin/users/:id/children/:pupilId/remove': 'pupil',
  'GET /roll-call': 'session',
  'POST /roll-call': 'session',
  'GET /roll-call/:id': 'session',
  'POST /roll-call/:id/tick': 'session',
  'POST /roll-call/:id/close': 'session',
  'GET /dsl': 'session',
  'POST /dsl/alerts/:id/acknowledge': 'session',
  'GET /pupils/:id/access-reason': 'pupil',
  'POST /pupils/:id/access-reason': 'pupil',
  'POST /pupils/:id/contacts/:contactId/restriction': 'pupil',
  'GET /api/openapi.json': 'public',
  'GET /api/registers/:groupId/:date/:session': 'api',
  'PUT /api/registers/:groupId/:date/:session': 'api',
  'GET /api/board': 'api',
  'POST /api/late-arrivals': 'api',
  'POST /api/early-leavers': 'api',
  'POST /api/amendments': 'api',
  'GET /api/pupils': 'api',
  'GET /api/pupils/:id': 'pupil',
  'GET /api/exports/daily-attendance': 'api',
  'GET /api/exports/census-attendance': 'api',
};

let t: PagesHarness;
const sessions = new Map<Role, PageSession>();
const FAR_PUPIL = 'far-pupil-routes';
const counts = { routes: 0, roles: ROLES.length, cases: 0 };

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

  it('without a session: only public routes answer 2xx', async () => {
    const leaks: string[] = [];
    for (const r of t.app.routeTable) {
      const key = `${r.method} ${r.url}`;
      if (EXPECTED[key] === 'public') continue;
      const res = await t.app.inject({ method: r.method as 'GET', url: urlFor(r.url, t.school.pupilsA[0]!) });
      counts.cases++;
      if (res.statusCode < 300 || res.statusCode >= 500) leaks.push(`${key}: ${res.statusCode}`);
      if (EXPECTED[key] === 'api' && res.statusCode !== 401) leaks.push(`${key}: ${res.statusCode}, not 401`);
    }
    expect(leaks).toEqual([]);
  });

  it('as every role: no GET answers 5xx, and no pupil route answers 2xx for a pupil outside their scope', async () => {
    const problems: string[] = [];
    for (const r of t.app.routeTable) {
      const key = `${r.method} ${r.url}`;
      const kind = EXPECTED[key];
      if (kind === 'public' || r.url.startsWith('/assets/') || r.url.startsWith('/public/')) continue;
      for (const role of ROLES) {
        const s = sessions.get(role)!;
        const cookies = { rollcall_session: s.cookie };
        const ask = async (pupilId: string) => {
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
        if (r.method === 'GET') {
          const own = await ask(t.school.pupilsA[0]!);
          if (own.statusCode >= 500) problems.push(`${role} ${key} (own school): ${own.statusCode}`);
        }
        if (kind === 'pupil') {
          const far = await ask(FAR_PUPIL);
          if (far.statusCode < 300) problems.push(`${role} ${key} (a pupil of another school): ${far.statusCode}`);
          if (r.method === 'GET' && far.statusCode >= 500)
            problems.push(`${role} ${key} (another school): ${far.statusCode}`);
        }
      }
    }
    expect(problems).toEqual([]);
  }, 600_000);

  it('reports the counts', () => {
    console.log(`route-level authorisation: ${counts.routes} routes, ${counts.roles} roles, ${counts.cases} cases`);
    expect(counts.cases).toBeGreaterThan(counts.routes);
  });
});

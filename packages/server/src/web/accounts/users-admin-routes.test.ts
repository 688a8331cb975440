import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  pagesHarness,
  section,
  textOf,
  type PageSession,
  type PagesHarness,
} from '../../../test/web-pages.js';
import { passSecondFactor } from '../../../test/fixtures.js';
import { SESSION_COOKIE } from '../../services/accounts/auth.js';
import { accountRoutes } from './account-routes.js';
import { usersAdminRoutes } from './users-admin-routes.js';

const TEMPORARY = 'temporary passphrase';

describe('account management pages', () => {
  let t: PagesHarness;
  let admin: PageSession;
  beforeAll(async () => {
    t = await pagesHarness([accountRoutes, usersAdminRoutes], 'uadm');
    admin = await t.signInAs('admin');
  });
  afterAll(async () => {
    await t.close();
  });

  const userId = async (email: string): Promise<string> =>
    (await t.open.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

  const signIn = (email: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/sign-in', payload: { email, password } });

  it('administrators have Accounts in the navigation; nobody else may see the pages', async () => {
    expect((await t.get('/', admin)).body).toContain('href="/admin/users"');
    for (const who of ['senior_leader', 'office', 'teacher', 'parent', 'trust_lead'] as const) {
      const s = await t.signInAs(who);
      expect((await t.get('/', s)).body, who).not.toContain('href="/admin/users"');
      expect((await t.get('/admin/users', s)).statusCode, who).toBe(403);
      expect((await t.get(`/admin/users/${t.school.actors.office.userId}`, s)).statusCode, who).toBe(403);
      expect((await t.post('/admin/users/new', s, { name: 'X', email: 'x@x.test', role: 'office' })).statusCode).toBe(
        403,
      );
    }
  });

  it('lists the school’s accounts with roles in words, groups and children; filters by role and text; pages', async () => {
    const page = await t.get('/admin/users', admin);
    expect(page.statusCode).toBe(200);
    const teacher = textOf(section(page.body, `account-${t.school.actors.teacher.userId}`));
    expect(teacher).toContain('Test teacher teacher-uadm@school.test Teacher 3 Maths, Year 3 Oak Active');
    expect(textOf(section(page.body, `account-${t.school.parent.userId}`))).toContain('Parent Alex Able');
    expect(textOf(section(page.body, `account-${t.school.actors.senior_leader.userId}`))).toContain(
      'Senior leader / headteacher',
    );
    const teachers = textOf((await t.get('/admin/users?role=teacher', admin)).body);
    expect(teachers).toContain('Showing 1 to 2 of 2 accounts');
    expect(teachers).not.toContain('office-uadm@school.test');
    const search = textOf((await t.get('/admin/users?q=SENCO-UADM', admin)).body);
    expect(search).toContain('Showing 1 to 1 of 1 account');
    // Long lists are paged.
    const hash = (
      await t.open.db
        .selectFrom('users')
        .select('password_hash')
        .where('id', '=', t.school.actors.office.userId)
        .executeTakeFirstOrThrow()
    ).password_hash;
    await t.open.db
      .insertInto('users')
      .values(
        Array.from({ length: 55 }, (_, i) => ({
          id: `bulk-${i}`,
          email: `bulk${String(i).padStart(2, '0')}@school.test`,
          display_name: `Bulk ${String(i).padStart(2, '0')}`,
          password_hash: hash,
          role: 'governor',
          school_id: t.school.schoolId,
          trust_id: null,
          la_code: null,
          created_at: '2025-09-01T00:00:00.000Z',
        })),
      )
      .execute();
    const first = await t.get('/admin/users?role=governor', admin);
    expect(textOf(first.body)).toContain('Showing 1 to 50 of 56 accounts');
    expect(first.body).toContain('href="/admin/users?role=governor&amp;page=2"');
    const second = textOf((await t.get('/admin/users?role=governor&page=2', admin)).body);
    expect(second).toContain('Showing 51 to 56 of 56 accounts');
    // Reading the list is audited.
    const audited = await t.open.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'user.list')
      .execute();
    expect(audited.length).toBeGreaterThanOrEqual(5);
  });

  it('refuses a new account with every problem named and linked, keeping what was typed but never the password', async () => {
    const form = await t.get('/admin/users/new', admin);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="groups"');
    expect(textOf(form.body)).not.toContain('Trust attendance lead');
    const res = await t.post('/admin/users/new', admin, {
      name: 'Nia New',
      email: 'not an email',
      role: '',
      password: 'short',
      confirmPassword: 'other',
    });
    expect(res.statusCode).toBe(400);
    const text = textOf(res.body);
    expect(text).toContain('The account was not created: there is a problem');
    // Named in the order of the form, each linked to its field.
    const links = [...res.body.matchAll(/href="#(new-[A-Za-z]+)"/g)].map((m) => m[1]);
    expect(links).toEqual(['new-email', 'new-role', 'new-password', 'new-confirmPassword']);
    expect(res.body).toContain('id="new-role"');
    expect(res.body).toContain('value="Nia New"');
    expect(res.body).not.toContain('value="short"');
    const taken = await t.post('/admin/users/new', admin, {
      name: 'Again',
      email: 'OFFICE-uadm@school.test',
      role: 'office',
      password: TEMPORARY,
      confirmPassword: TEMPORARY,
    });
    expect(taken.statusCode).toBe(409);
    expect(textOf(taken.body)).toContain('An account with this email address already exists');
  });

  it('creates a teacher with a group: they must choose their own password at first sign-in', async () => {
    const res = await t.post('/admin/users/new', admin, {
      name: 'Tara Teacher',
      email: 'Tara@School.test',
      role: 'teacher',
      groups: [t.school.groupB],
      password: TEMPORARY,
      confirmPassword: TEMPORARY,
    });
    expect(res.statusCode).toBe(303);
    const id = await userId('tara@school.test');
    expect(res.headers.location).toBe(`/admin/users/${id}?done=created`);
    const page = await t.get(res.headers.location as string, admin);
    expect(textOf(page.body)).toContain('Account created');
    expect(textOf(section(page.body, 'account-summary'))).toContain(
      'Temporary: they must choose their own when they next sign in',
    );
    expect(page.body).toMatch(new RegExp(`value="${t.school.groupB}" checked`));
    const signedIn = await signIn('tara@school.test', TEMPORARY);
    expect(signedIn.statusCode).toBe(303);
    const cookie = signedIn.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
    const home = await t.app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: cookie } });
    expect(home.headers.location).toBe('/account/password');
  });

  it('edits the name, role and groups; says plainly that an administrator cannot demote themselves', async () => {
    const id = await userId('tara@school.test');
    const saved = await t.post(`/admin/users/${id}`, admin, {
      name: 'Tara T',
      role: 'teacher',
      groups: [t.school.groupA, t.school.teachingGroup],
    });
    expect(saved.statusCode).toBe(303);
    expect(textOf((await t.get('/admin/users?role=teacher', admin)).body)).toContain(
      'Tara T tara@school.test Teacher 3 Maths, Year 3 Oak',
    );
    const self = t.school.actors.admin.userId;
    const demote = await t.post(`/admin/users/${self}`, admin, { name: 'Test admin', role: 'office' });
    expect(demote.statusCode).toBe(400);
    expect(textOf(demote.body)).toContain('You cannot remove your own administrator role');
    expect(demote.body).toContain('href="#edit-role"');
    const empty = await t.post(`/admin/users/${id}`, admin, { name: ' ', role: 'teacher' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('href="#edit-name"');
  });

  it('gives a teacher groups by search: their groups ticked, the others in one "Add a group" type-ahead, never a checkbox each', async () => {
    const id = await userId('tara@school.test');
    const page = await t.get(`/admin/users/${id}`, admin);
    const picker = section(page.body, 'group-picker');
    // Tara has Year 3 Oak and 3 Maths: two ticked checkboxes, the rest only as options of the select.
    expect([...picker.matchAll(/type="checkbox"/g)]).toHaveLength(2);
    expect(picker).toMatch(new RegExp(`value="${t.school.groupA}" checked`));
    expect(picker).toMatch(
      /<select[^>]*id="edit-groups"[^>]*name="groups"[^>]*data-type-ahead data-type-ahead-adds="edit-groups-list"/,
    );
    expect(picker).toContain(`<option value="${t.school.groupB}">`);
    expect(picker).not.toContain(`<option value="${t.school.groupA}">`);
    expect(page.body).toContain('/public/assets/type-ahead.js');
    // Without JavaScript: untick one, add one with the select; an empty choice adds nothing.
    const saved = await t.post(`/admin/users/${id}`, admin, {
      name: 'Tara T',
      role: 'teacher',
      groups: [t.school.groupA, t.school.groupB],
    });
    expect(saved.statusCode).toBe(303);
    expect(textOf((await t.get('/admin/users?role=teacher', admin)).body)).toContain(
      'Tara T tara@school.test Teacher Year 3 Oak, Year 4 Ash',
    );
    const again = await t.post(`/admin/users/${id}`, admin, {
      name: 'Tara T',
      role: 'teacher',
      groups: [t.school.groupA, ''],
    });
    expect(again.statusCode).toBe(303);
    const after = section((await t.get(`/admin/users/${id}`, admin)).body, 'group-picker');
    expect([...after.matchAll(/type="checkbox"/g)]).toHaveLength(1);
    expect(after).toContain(`<option value="${t.school.groupB}">`);
  });

  it('disabling ends the person’s open session at once; an administrator cannot disable themselves', async () => {
    const office = await t.signInAs('office');
    expect((await t.get('/', office)).statusCode).toBe(200);
    const res = await t.post(`/admin/users/${t.school.actors.office.userId}/disable`, admin, {});
    expect(res.statusCode).toBe(303);
    expect(textOf((await t.get(res.headers.location as string, admin)).body)).toContain('Account disabled');
    const refused = await t.get('/', office);
    expect(refused.statusCode).toBe(302);
    expect(refused.headers.location).toMatch(/^\/sign-in/);
    expect((await signIn('office-uadm@school.test', PASSWORD)).statusCode).toBe(401);
    expect((await t.post(`/admin/users/${t.school.actors.office.userId}/enable`, admin, {})).statusCode).toBe(303);
    expect((await signIn('office-uadm@school.test', PASSWORD)).statusCode).toBe(303);

    const page = await t.get(`/admin/users/${t.school.actors.admin.userId}`, admin);
    expect(textOf(page.body)).toContain('You cannot disable your own account');
    expect(page.body).not.toContain('data-testid="disable"');
    const self = await t.post(`/admin/users/${t.school.actors.admin.userId}/disable`, admin, {});
    expect(self.statusCode).toBe(400);
    expect(textOf(self.body)).toContain('You cannot disable your own account');
  });

  it('resets a password: sessions end, the temporary password signs in and must be changed', async () => {
    const senco = await t.signInAs('senco');
    const bad = await t.post(`/admin/users/${t.school.actors.senco.userId}/password`, admin, {
      password: TEMPORARY,
      confirmPassword: 'something else',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#reset-confirmPassword"');
    const res = await t.post(`/admin/users/${t.school.actors.senco.userId}/password`, admin, {
      password: TEMPORARY,
      confirmPassword: TEMPORARY,
    });
    expect(res.statusCode).toBe(303);
    expect(textOf((await t.get(res.headers.location as string, admin)).body)).toContain('Temporary password set');
    expect((await t.get('/', senco)).headers.location).toMatch(/^\/sign-in/);
    const again = await signIn('senco-uadm@school.test', TEMPORARY);
    expect(again.statusCode).toBe(303);
  });

  it('creates a parent, then finds and links their children, and removes one', async () => {
    const res = await t.post('/admin/users/new', admin, {
      name: 'Pat Parent',
      email: 'parent@example.org',
      role: 'parent',
      password: TEMPORARY,
      confirmPassword: TEMPORARY,
    });
    expect(res.statusCode).toBe(303);
    const id = await userId('parent@example.org');
    expect(res.headers.location).toBe(`/admin/users/${id}?done=created-parent`);
    const found = await t.get(`/admin/users/${id}?pupilq=able`, admin);
    expect(textOf(section(found.body, 'found-children'))).toContain('Alex Able');
    const linked = await t.post(`/admin/users/${id}/children`, admin, { pupilId: t.school.pupilsA[0]! });
    expect(linked.statusCode).toBe(303);
    const page = await t.get(`/admin/users/${id}`, admin);
    expect(textOf(section(page.body, 'children'))).toContain('Alex Able');
    // Linked through Alex's contact with this email, as the contacts import links parents.
    const link = await t.open.db
      .selectFrom('parent_links')
      .select('contact_id')
      .where('user_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(link.contact_id).toBe('contact0-uadm');
    const removed = await t.post(`/admin/users/${id}/children/${t.school.pupilsA[0]!}/remove`, admin, {});
    expect(removed.statusCode).toBe(303);
    expect(textOf(section((await t.get(`/admin/users/${id}`, admin)).body, 'children'))).toContain(
      'No children linked yet',
    );
  });

  it('an installation administrator chooses a school or the trust and LA accounts, and creates a trust lead', async () => {
    const hash = (
      await t.open.db
        .selectFrom('users')
        .select('password_hash')
        .where('id', '=', t.school.actors.admin.userId)
        .executeTakeFirstOrThrow()
    ).password_hash;
    await t.open.db
      .insertInto('users')
      .values({
        id: 'u-installation',
        email: 'installation@rollcall.test',
        display_name: 'Installation admin',
        password_hash: hash,
        role: 'admin',
        school_id: null,
        trust_id: null,
        la_code: null,
        created_at: '2025-09-01T00:00:00.000Z',
      })
      .execute();
    const signedIn = await signIn('installation@rollcall.test', PASSWORD);
    const cookie = signedIn.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
    // An installation administrator must set up a second factor first (tested in mfa-routes.test.ts).
    expect(signedIn.headers.location).toBe('/account/mfa/totp');
    await passSecondFactor(t.open.db, cookie);
    const home = await t.app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.body)![1]!;
    const s = { cookie, csrf };
    const choose = await t.get('/admin/users', s);
    expect(textOf(choose.body)).toContain('Trust, local authority and installation accounts');
    const other = await t.get(`/admin/users?school=${t.school.otherSchoolId}`, s);
    expect(textOf(other.body)).toContain('Other Primary');
    const wide = await t.get('/admin/users?school=none', s);
    expect(textOf(wide.body)).toContain('Trust attendance lead');
    const form = await t.get('/admin/users/new?school=none', s);
    expect(textOf(form.body)).toContain('Test Trust');
    const res = await t.post('/admin/users/new', s, {
      school: 'none',
      name: 'Lee Lead',
      email: 'lee@trust.test',
      role: 'trust_lead',
      trustId: 'trust-uadm',
      password: TEMPORARY,
      confirmPassword: TEMPORARY,
    });
    expect(res.statusCode).toBe(303);
    const lead = await t.open.db
      .selectFrom('users')
      .select(['role', 'trust_id', 'school_id', 'must_change_password'])
      .where('email', '=', 'lee@trust.test')
      .executeTakeFirstOrThrow();
    expect(lead).toEqual({ role: 'trust_lead', trust_id: 'trust-uadm', school_id: null, must_change_password: 1 });
    // A school's administrator may not see these.
    expect((await t.get('/admin/users?school=none', admin)).statusCode).toBe(200); // their own school: the parameter is ignored
    expect(textOf((await t.get('/admin/users?school=none', admin)).body)).not.toContain('lee@trust.test');
  });
});

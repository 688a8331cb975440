import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { addDays, compileCalendar, plainDate, validateUpn, type PlainDate } from '@rollcall/domain';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../authz.js';
import { markWindow } from './attendance.js';
import { demoYear } from './calendar.js';
import { isFamous } from './names.js';
import { buildPlan, PERIODS, type Plan, type PlannedPupil } from './plan.js';
import { createRng } from './random.js';

const TODAY = plainDate('2026-11-25');

function planFor(today: PlainDate, seed = 7, scale = 1): Plan {
  const year = demoYear(today);
  const r = compileCalendar({ terms: year.terms, closures: year.closures });
  if (!r.ok) throw new Error('calendar');
  const w = markWindow(r.value, today);
  return buildPlan(createRng(seed).fork('plan'), {
    year,
    pastSchoolDays: w.pastDays.map((x) => r.value.dayDate[x]!),
    scale,
  });
}

const plan = planFor(TODAY);
const pupils = [...plan.primary.pupils, ...plan.secondary.pupils];
const users = [...plan.primary.users, ...plan.secondary.users, ...plan.trustUsers, ...plan.parents.map((p) => p.user)];

describe('the demo plan', () => {
  it('has about 210 primary and 1,000 secondary pupils in the groups the brief describes', () => {
    expect(plan.primary.pupils).toHaveLength(210);
    expect(plan.secondary.pupils).toHaveLength(1000);
    expect(plan.primary.groups.map((g) => g.name)).toEqual([
      'Reception Willow',
      'Year 1 Rowan',
      'Year 2 Beech',
      'Year 3 Oak',
      'Year 4 Ash',
      'Year 5 Birch',
      'Year 6 Cedar',
    ]);
    for (const g of plan.primary.groups) expect(g.members).toHaveLength(30);
    const forms = plan.secondary.groups.filter((g) => g.kind === 'registration');
    expect(forms.map((f) => f.name).slice(0, 8)).toEqual(['7A', '7B', '7C', '7D', '7E', '7F', '7G', '7H']);
    expect(forms).toHaveLength(40);
    for (const f of forms) expect(f.members).toHaveLength(25);
  });

  it('gives every pupil a valid, unique UPN of LA 999 and the school', () => {
    const seen = new Set<string>();
    for (const p of pupils) {
      expect(validateUpn(p.upn)).toMatchObject({ valid: true, temporary: false });
      expect(p.upn.slice(1, 8)).toBe(p.school === 'primary' ? '9992101' : '9994101');
      expect(seen.has(p.upn)).toBe(false);
      seen.add(p.upn);
    }
  });

  it('gives dates of birth that match the year group (1 September to 31 August)', () => {
    for (const p of pupils) {
      const from = plainDate(`${2026 - 5 - p.yearIndex}-09-01`);
      expect(p.dateOfBirth >= from && p.dateOfBirth <= addDays(plainDate(`${2026 - 4 - p.yearIndex}-09-01`), -1)).toBe(
        true,
      );
      expect(['M', 'F']).toContain(p.gender);
      expect(p.ethnicity).toMatch(/^[A-Z]{4}$/);
    }
  });

  it('admits a few pupils during the year and has one leaver per school', () => {
    expect(plan.primary.pupils.filter((p) => p.midYear)).toHaveLength(2);
    expect(plan.secondary.pupils.filter((p) => p.midYear)).toHaveLength(3);
    for (const s of [plan.primary, plan.secondary]) {
      const leavers = s.pupils.filter((p) => p.leavingDate !== null);
      expect(leavers).toHaveLength(1);
      expect(leavers[0]!.leavingDate! < TODAY).toBe(true);
      for (const p of s.pupils.filter((x) => x.midYear))
        expect(p.admissionDate > '2026-09-01' && p.admissionDate < TODAY).toBe(true);
    }
  });

  it('gives every pupil one to three contacts in priority order, with drama-range numbers and example addresses', () => {
    for (const p of pupils) {
      expect(p.contacts.length).toBeGreaterThanOrEqual(1);
      expect(p.contacts.length).toBeLessThanOrEqual(3);
      expect(p.contacts.map((c) => c.priority)).toEqual(p.contacts.map((_, i) => i + 1));
      expect(p.contacts.some((c) => c.parentalResponsibility)).toBe(true);
      for (const c of p.contacts) {
        expect(['Mother', 'Father', 'Carer', 'Grandparent']).toContain(c.relationship);
        if (c.mobile) expect(c.mobile).toMatch(/^07700 900\d{3}$/);
        for (const n of [c.home, c.work]) if (n) expect(n).toMatch(/^01632 960\d{3}$/);
        if (c.email) expect(c.email).toMatch(/^[a-z0-9.]+@example\.(com|org)$/);
      }
      if (p.lac) expect(p.contacts[0]!.relationship).toBe('Carer');
    }
  });

  it('includes every vulnerable group in each school, with a social worker for children in care or in need', () => {
    for (const s of [plan.primary, plan.secondary]) {
      const has = (f: (p: PlannedPupil) => boolean): boolean => s.pupils.some(f);
      expect(has((p) => p.sen === 'K')).toBe(true);
      expect(has((p) => p.sen === 'E')).toBe(true);
      expect(has((p) => p.fsm && p.pupilPremium)).toBe(true);
      expect(has((p) => p.eal)).toBe(true);
      expect(has((p) => p.cin)).toBe(true);
      expect(has((p) => p.cp)).toBe(true);
      expect(has((p) => p.youngCarer)).toBe(true);
      expect(has((p) => p.previouslyLac)).toBe(true);
      for (const p of s.pupils)
        if (p.cin || p.cp || p.lac) expect(p.socialWorker).toMatch(/Demo Borough Children's Services$/);
    }
    expect(pupils.some((p) => p.lac)).toBe(true);
  });

  it('timetables every secondary pupil for 25 lessons a week, one at a time, with no teacher in two places', () => {
    for (const p of plan.secondary.pupils) {
      const slots = p.teachingGroups.flatMap((g) => g.lessons.map((l) => `${l.weekday}/${l.period}`));
      expect(slots).toHaveLength(25);
      expect(new Set(slots).size).toBe(25);
    }
    expect(plan.secondary.lessons).toHaveLength(1000);
    for (const l of plan.secondary.lessons) expect(PERIODS.find((x) => x.period === l.period)?.session).toBe(l.session);
    const teachers = plan.secondary.users.filter((u) => u.role === 'teacher');
    for (const t of teachers) {
      const slots = t.groups.flatMap((g) => g.lessons.map((l) => `${l.weekday}/${l.period}`));
      expect(new Set(slots).size).toBe(slots.length);
      expect(slots.length).toBeLessThanOrEqual(22);
    }
    for (const g of plan.secondary.groups) expect(g.teacher?.role).toBe('teacher');
    // One tutor per form, each a different teacher who also teaches.
    const forms = plan.secondary.groups.filter((g) => g.kind === 'registration');
    expect(new Set(forms.map((f) => f.teacher)).size).toBe(40);
    expect(teachers.length).toBeGreaterThanOrEqual(40);
    expect(teachers.length).toBeLessThan(70);
  });

  it('has an account for every role, unique e-mails, and the memorable sign-ins', () => {
    expect(new Set(users.map((u) => u.role))).toEqual(new Set(ROLES));
    expect(new Set(users.map((u) => u.email)).size).toBe(users.length);
    for (const s of plan.signIns) expect(users.find((u) => u.email === s.email)?.role).toBe(s.role);
    expect(users.find((u) => u.email === 'teacher@northfield-primary.test')?.groups.map((g) => g.name)).toEqual([
      'Year 3 Oak',
    ]);
    expect(users.find((u) => u.email === 'teacher@northfield-academy.test')?.groups[0]?.name).toBe('7A');
    for (const u of users) expect(u.email).toMatch(/\.test$/);
  });

  it('links the demo parents to two primary children, and to a child at each school', () => {
    const [a, b] = plan.parents;
    expect(a?.user.email).toBe('parent@example.test');
    expect(a?.links.map((l) => l.pupil.school)).toEqual(['primary', 'primary']);
    expect(b?.user.email).toBe('parent2@example.test');
    expect(b?.links.map((l) => l.pupil.school).sort()).toEqual(['primary', 'secondary']);
    for (const p of [a, b]) for (const l of p!.links) expect(l.pupil.contacts).toContain(l.contact);
  });

  it('invents names: none of a well-known person, none from the seed policies', () => {
    const names = new Set<string>();
    for (const p of pupils) {
      expect(isFamous(p.legalForename, p.legalSurname)).toBe(false);
      names.add(`${p.legalForename} ${p.legalSurname}`);
      if (p.preferredForename) names.add(`${p.preferredForename} ${p.legalSurname}`);
      for (const c of p.contacts) names.add(c.name);
      if (p.socialWorker) names.add(p.socialWorker.split(',')[0]!);
    }
    for (const u of users) names.add(u.displayName.replace(/^(Mr|Mrs|Ms|Miss) /, ''));
    for (const n of names) {
      const [first, ...rest] = n.split(' ');
      expect(isFamous(first!, rest.join(' '))).toBe(false);
    }
    const seeds = fileURLToPath(new URL('../../../../../../shared/seeds/', import.meta.url));
    if (!existsSync(seeds)) return;
    const text = readdirSync(seeds)
      .map((f) => readFileSync(`${seeds}/${f}`, 'utf8'))
      .join('\n')
      .toLowerCase();
    const found = [...names].filter((n) => text.includes(n.toLowerCase()));
    expect(found).toEqual([]);
  });

  it('is the same for the same seed (ids aside), and different for another', () => {
    const again = planFor(TODAY);
    const key = (p: Plan): string[] =>
      [...p.primary.pupils, ...p.secondary.pupils].map(
        (x) => `${x.upn} ${x.legalForename} ${x.legalSurname} ${x.dateOfBirth} ${x.regGroup.name}`,
      );
    expect(key(again)).toEqual(key(plan));
    expect(key(planFor(TODAY, 8))).not.toEqual(key(plan));
  });

  it('scales down for fast tests', () => {
    const small = planFor(TODAY, 7, 0.1);
    expect(small.primary.pupils.length).toBe(21);
    expect(small.secondary.pupils.length).toBe(120);
    expect(small.parents).toHaveLength(2);
  });
});

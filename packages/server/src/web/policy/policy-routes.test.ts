import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHarness, section, textOf, type PagesHarness, type PageSession } from '../../../test/web-pages.js';
import { parseSchoolPolicy } from '../../services/policy/school-policy.js';
import { policyRoutes } from './policy-routes.js';

let t: PagesHarness;
let officer: PageSession;
let teacher: PageSession;

beforeAll(async () => {
  t = await pagesHarness([policyRoutes], 'policy');
  officer = await t.signInAs('attendance_officer');
  teacher = await t.signInAs('teacher');
});

afterAll(async () => {
  await t.close();
});

async function stored() {
  const row = await t.open.db
    .selectFrom('schools')
    .select('policy_json')
    .where('id', '=', t.school.schoolId)
    .executeTakeFirstOrThrow();
  return row.policy_json;
}

describe('the attendance policy page', () => {
  it('shows the policy readably, the default twin-track stages as a table', async () => {
    const res = await t.get('/school/policy', officer);
    expect(res.statusCode).toBe(200);
    const summary = textOf(section(res.body, 'settings'));
    expect(summary).toContain('opens 08:50, closes 09:20');
    expect(summary).toContain('the default, until you choose one');
    expect(summary).toContain('(the school’s written policy §5.3 Twin-Track Model');
    expect(summary).not.toMatch(/seeds? 0\d\d/);
    const stages = textOf(section(res.body, 'stages'));
    expect(stages).toContain('Track 1: attendance support meeting');
    expect(stages).toContain('attendance below 95%');
    expect(stages).toContain('every 6 school weeks');
    expect(res.body).toContain('id="policy-text"');
  });

  it('refuses a teacher', async () => {
    expect((await t.get('/school/policy', teacher)).statusCode).toBe(403);
    expect((await t.post('/school/policy', teacher, { policy: 'preset: stockton-tiers' })).statusCode).toBe(403);
  });

  it('loads a preset into the editor without saving it', async () => {
    const before = await stored();
    const res = await t.get('/school/policy?preset=stockport-staged', officer);
    expect(res.statusCode).toBe(200);
    expect(textOf(res.body)).toContain('not saved');
    expect(textOf(section(res.body, 'stages'))).toContain('Stage 3A: Notice to Improve');
    expect(res.body).toContain('preset: stockport-staged');
    expect(await stored()).toBe(before);
    expect((await t.get('/school/policy?preset=nope', officer)).statusCode).toBe(400);
  });

  it('lists every problem by field and keeps what was typed', async () => {
    const typed = 'preset: stockton-tiers\ntarget: 96\nletters:\n  - { key: a, title: T, body: "{{pupil.surname}}" }\n';
    const res = await t.post('/school/policy', officer, { policy: typed });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('govuk-error-summary');
    const errors = textOf(section(res.body, 'field-errors'));
    expect(errors).toContain('target: must be a fraction from 0 to 1');
    expect(errors).toContain('letters.0.body: unknown merge field {{pupil.surname}}');
    expect(res.body).toContain('target: 96');
  });

  it('answers a YAML alias bomb with a validation error (400), nothing saved', async () => {
    const before = await stored();
    let bomb = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n';
    for (let i = 0; i < 9; i++) {
      const prev = i === 0 ? 'a' : `b${i - 1}`;
      bomb += `b${i}: &b${i} [${Array<string>(9).fill(`*${prev}`).join(', ')}]\n`;
    }
    const res = await t.post('/school/policy', officer, { policy: bomb });
    expect(res.statusCode).toBe(400);
    expect(textOf(section(res.body, 'field-errors'))).toContain('YAML aliases (*name) too many times');
    const huge = await t.post('/school/policy', officer, { policy: `# ${'x'.repeat(200_001)}\ntarget: 0.9\n` });
    expect(huge.statusCode).toBe(400);
    expect(await stored()).toBe(before);
  });

  it('saves a preset, audited, and shows it', async () => {
    const res = await t.post('/school/policy', officer, {
      policy:
        'preset: james-marks-adjusted\ntarget: 0.95\nregisterTimes: { AM: { opens: "08:45", closes: "09:15" }, PM: { opens: "13:00", closes: "13:10" } }\n',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/school/policy?saved=1');
    const parsed = parseSchoolPolicy(await stored());
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    expect(parsed.policy.casework?.id).toBe('james-marks-adjusted');
    expect(parsed.policy.registerTimes.AM.opens).toBe('08:45');
    const audit = await t.open.db
      .selectFrom('audit_log')
      .select(['action', 'details', 'school_id'])
      .where('action', '=', 'policy.update')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.school_id).toBe(t.school.schoolId);
    expect(JSON.parse(audit[0]!.details!)).toMatchObject({
      preset: 'james-marks-adjusted',
      casework: 'james-marks-adjusted',
    });
    const page = await t.get('/school/policy?saved=1', officer);
    expect(textOf(page.body)).toContain('The attendance policy has been saved.');
    expect(textOf(section(page.body, 'settings'))).toContain('first 6 school weeks on roll');
    expect(textOf(section(page.body, 'bands'))).toContain('Expected (95% and above, adjusted) 95% green');
    expect(textOf(section(page.body, 'stages'))).toContain('Contact with home');
    expect(textOf(section(page.body, 'letters'))).toContain('letter:contact');
    expect(page.body).toContain('preset: james-marks-adjusted');
  });

  it('shows the cap on new entries into staged casework, or that there is none', async () => {
    const settings = async () => textOf(section((await t.get('/school/policy', officer)).body, 'settings'));
    await t.post('/school/policy', officer, { policy: 'preset: stockport-staged\n' });
    expect(await settings()).toContain('New entries into staged casework No cap on new entries');

    const capped = await t.post('/school/policy', officer, {
      policy: 'preset: stockport-staged\nmaxNewEntriesPerRun: 25\n',
    });
    expect(capped.statusCode).toBe(303);
    expect(await settings()).toContain(
      'New entries into staged casework At most 25 new entries per evaluation, the most serious (lowest attendance) first',
    );

    // Written in the casework section, and a cap of one.
    const own = await t.post('/school/policy', officer, {
      policy:
        'casework:\n  id: own\n  name: Own\n  source: test\n  maxNewEntriesPerRun: 1\n  stages:\n    - { id: s1, name: Stage one, order: 1, triggers: [{ kind: rateBelow, rate: 0.9 }], actions: [], reviewAfterSchoolWeeks: 6 }\n',
    });
    expect(own.statusCode).toBe(303);
    expect(await settings()).toContain('At most 1 new entry per evaluation');

    // A cap of 0 is refused, with the field named.
    const editing = await t.post('/school/policy', officer, { policy: 'maxNewEntriesPerRun: 0\n' });
    expect(editing.statusCode).toBe(400);
    expect(textOf(section(editing.body, 'field-errors'))).toContain(
      'maxNewEntriesPerRun: must be at least 1 (leave it out for no cap)',
    );
  });

  it('choosing a preset shows what will change, field by field, before anything is saved; confirming saves it, audited', async () => {
    const before = await stored();
    const page = await t.get('/school/policy?preset=all-saints-stages', officer);
    expect(page.statusCode).toBe(200);
    const changes = textOf(section(page.body, 'changes'));
    expect(changes).toContain('What will change when you save');
    expect(changes).toContain('Morning register: opens 08:50, closes 09:20 → opens 08:55, closes 09:25');
    expect(changes).toContain('Minimum sessions before PA/SA: none → 20 possible sessions');
    expect(changes).toContain('Unresolved N becomes O: never → after 5 school days');
    expect(changes).toContain('First-day calls by: not set → 09:30');
    expect(changes).toContain('Notice for religious observance: 7 days → 28 days');
    expect(changes).toContain('Performance absence not authorised below: 90% → 96%');
    expect(changes).toContain('Staged casework:');
    expect(await stored()).toBe(before);

    // The confirm form carries the document shown in the editor.
    const value = /name="policy" value="([^"]*)"/.exec(page.body)?.[1];
    if (value === undefined) throw new Error('no confirm form');
    const text = value
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    expect(text).toContain('preset: all-saints-stages');
    const saved = await t.post('/school/policy', officer, { policy: text });
    expect(saved.statusCode).toBe(303);
    const parsed = parseSchoolPolicy(await stored());
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    expect(parsed.policy.registerTimes.AM).toEqual({ opens: '08:55', closes: '09:25' });
    expect(parsed.policy.leave.noticeDays.religious).toBe(28);
    const audits = await t.open.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'policy.update')
      .execute();
    const last = audits
      .map((a) => JSON.parse(a.details!) as { preset: string | null; changes?: string[] })
      .filter((d) => d.preset === 'all-saints-stages');
    expect(last).toHaveLength(1);
    expect(last[0]!.changes).toContain('Performance absence not authorised below: 90% → 96%');
    const shown = await t.get('/school/policy', officer);
    expect(textOf(section(shown.body, 'leave-rules'))).toContain(
      'Leave is not granted when your child has any unauthorised absence this school year, when their authorised absence is already above 10%.',
    );
    expect(textOf(section(shown.body, 'half-termly-bands'))).toContain('Green 96%');
    // Nothing left to change: the preset again says so.
    const again = await t.get('/school/policy?preset=all-saints-stages', officer);
    expect(textOf(section(again.body, 'changes'))).toContain('Nothing the school runs on changes.');
  });
});

describe('the policy as a form', () => {
  it('shows the common settings, names the field of every problem, shows what would change, then saves the same document', async () => {
    await t.post('/school/policy', officer, { policy: 'preset: all-saints-stages\n' });
    const before = await stored();
    const page = await t.get('/school/policy/form', officer);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="registerTimes.AM.closes" type="text" value="09:20"');
    expect(page.body).toContain('name="target" type="text" value="96"');
    expect(page.body).toContain('name="leave.noticeDays.religious" type="text" value="7"');
    const values = Object.fromEntries(
      [...page.body.matchAll(/name="([\w.]+)" (?:type="text" )?value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    // The selects send their chosen option, as a browser does.
    for (const m of page.body.matchAll(/name="(bands\.\d\.colour)"[^>]*>([\s\S]*?)<\/select>/g)) {
      const chosen = /value="(\w+)" selected/.exec(m[2]!);
      if (chosen) values[m[1]!] = chosen[1]!;
    }
    const radios = {
      'leave.refuseWithAnyUnauthorisedAbsence': 'yes',
      'leave.lunchtimePasses.offered': 'yes',
      'leave.lunchtimePasses.renewTermly': 'no',
    };

    // Bad input: each problem names its field; nothing is stored.
    const bad = await t.post('/school/policy/form', officer, {
      ...values,
      ...radios,
      'registerTimes.AM.closes': '09:45',
      target: '960',
      'leave.noticeDays.religious': 'four weeks',
      'leave.assessmentPeriods.0.name': 'Tests',
      step: 'check',
    });
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('target: Enter a percentage from 0 to 100, for example 96 (not “960”)');
    expect(textOf(bad.body)).toContain('leave.noticeDays.religious: Enter a whole number, not “four weeks”');
    expect(textOf(bad.body)).toContain(
      'leave.assessmentPeriods.0.from: Fill in the name, first and last day, or clear the row.',
    );
    // What was typed is kept.
    expect(bad.body).toContain('name="leave.noticeDays.religious" type="text" value="four weeks"');
    expect(await stored()).toBe(before);

    const tooLong = await t.post('/school/policy/form', officer, {
      ...values,
      ...radios,
      'registerTimes.AM.closes': '09:45',
      step: 'check',
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain('href="#f-registerTimes-AM-closes"');
    expect(textOf(tooLong.body)).toContain('registerTimes.AM: the register may be open for at most 30 minutes, not 55');

    // A good edit: checked first (what would change), stored only on save.
    const edit = {
      ...values,
      ...radios,
      'registerTimes.AM.closes': '09:15',
      'leave.noticeDays.religious': '28',
      'leave.assessmentPeriods.0.name': 'Key stage 2 tests',
      'leave.assessmentPeriods.0.from': '2026-05-07',
      'leave.assessmentPeriods.0.to': '2026-05-14',
    };
    const checked = await t.post('/school/policy/form', officer, { ...edit, step: 'check' });
    expect(checked.statusCode).toBe(200);
    const changes = textOf(section(checked.body, 'changes'));
    expect(changes).toContain('Morning register: opens 08:50, closes 09:20 → opens 08:50, closes 09:15');
    expect(changes).toContain('Notice for religious observance: 7 days → 28 days');
    expect(changes).toContain(
      'Statutory assessment periods (leave refused): none → Key stage 2 tests (2026-05-07 to 2026-05-14)',
    );
    expect(changes).not.toContain('Attendance target');
    expect(await stored()).toBe(before);

    const saved = await t.post('/school/policy/form', officer, { ...edit, step: 'save' });
    expect(saved.statusCode).toBe(303);
    const doc = JSON.parse(await stored()) as Record<string, unknown>;
    // The rest of the document is kept as written: still the preset, no bands or target copied in.
    expect(doc.preset).toBe('all-saints-stages');
    expect(doc.bands).toBeUndefined();
    expect(doc.target).toBeUndefined();
    const parsed = parseSchoolPolicy(await stored());
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    expect(parsed.policy.registerTimes.AM.closes).toBe('09:15');
    expect(parsed.policy.leave.assessmentPeriods).toEqual([
      { name: 'Key stage 2 tests', from: '2026-05-07', to: '2026-05-14' },
    ]);
    const audits = await t.open.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'policy.update')
      .execute();
    expect(
      audits.some((a) =>
        (JSON.parse(a.details!) as { changes?: string[] }).changes?.includes(
          'Notice for religious observance: 7 days → 28 days',
        ),
      ),
    ).toBe(true);

    // A teacher may not see or use it.
    expect((await t.get('/school/policy/form', teacher)).statusCode).toBe(403);
  });
});

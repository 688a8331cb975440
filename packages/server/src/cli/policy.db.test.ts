import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import YAML from 'yaml';
import { describeEachDialect } from '../../test/databases.js';
import { seedSmallSchool, testDeps, type SmallSchool } from '../../test/fixtures.js';
import { runPolicySet, runPolicyShow } from './policy.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) }, out, err };
}

let dir: string;
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollcall-policy-'));
});

describeEachDialect('rollcall policy show|set', (ctx) => {
  let school: SmallSchool;
  let urn: string;
  const deps = () => testDeps(ctx.db, ctx.dialect);
  const stored = async () =>
    (
      await ctx.db
        .selectFrom('schools')
        .select('policy_json')
        .where('id', '=', school.schoolId)
        .executeTakeFirstOrThrow()
    ).policy_json;
  const audits = async () =>
    ctx.db
      .selectFrom('audit_log')
      .select(['user_id', 'details'])
      .where('action', '=', 'policy.update')
      .where('entity_id', '=', school.schoolId)
      .orderBy('id')
      .execute();

  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    urn = (await ctx.db.selectFrom('schools').select('urn').where('id', '=', school.schoolId).executeTakeFirstOrThrow())
      .urn;
  });

  it('set --preset stores the preset’s whole policy, audited as the system, and prints what changed; show prints it as YAML', async () => {
    const set = capture();
    expect(await runPolicySet(deps(), set.io, { schoolUrn: urn, preset: 'all-saints-stages' })).toBe(0);
    const printed = set.out.join('');
    expect(printed).toContain(
      `Stored the attendance policy of Test Primary (${urn}) from the preset all-saints-stages`,
    );
    expect(printed).toContain('  Morning register: opens 08:50, closes 09:20 → opens 08:55, closes 09:25\n');
    expect(printed).toContain('  Minimum sessions before PA/SA: none → 20 possible sessions\n');
    expect(printed).toContain('  Notice for religious observance: 7 days → 28 days\n');
    expect(set.err).toEqual([]);
    const [audit] = await audits();
    expect(audit?.user_id).toBe('system');
    expect((JSON.parse(audit!.details!) as { preset: string }).preset).toBe('all-saints-stages');

    const show = capture();
    expect(await runPolicyShow(deps(), show.io, { schoolUrn: urn })).toBe(0);
    const doc = YAML.parse(show.out.join('')) as {
      preset: string;
      registerTimes: { AM: { closes: string } };
      leave: { performanceAttendanceLimit: number };
    };
    expect(doc.preset).toBe('all-saints-stages');
    expect(doc.registerTimes.AM.closes).toBe('09:25');
    expect(doc.leave.performanceAttendanceLimit).toBe(0.96);
    expect(JSON.parse(await stored())).toEqual(doc);
  });

  it('set --file stores a YAML or JSON document; the same again changes nothing', async () => {
    const show = capture();
    await runPolicyShow(deps(), show.io, { schoolUrn: urn });
    const doc = YAML.parse(show.out.join('')) as { registerTimes: { AM: { opens: string; closes: string } } };
    doc.registerTimes.AM = { opens: '08:45', closes: '09:10' };
    const yamlFile = file('policy.yaml', YAML.stringify(doc));
    const set = capture();
    expect(await runPolicySet(deps(), set.io, { schoolUrn: urn, file: yamlFile })).toBe(0);
    expect(set.out.join('')).toContain('Morning register: opens 08:55, closes 09:25 → opens 08:45, closes 09:10');
    const again = capture();
    expect(
      await runPolicySet(deps(), again.io, { schoolUrn: urn, file: file('policy.json', JSON.stringify(doc)) }),
    ).toBe(0);
    expect(again.out.join('')).toContain('Nothing the school runs on changed.');
  });

  it('a document with problems: every problem names its field, exit 2, nothing stored', async () => {
    const before = await stored();
    const count = (await audits()).length;
    const bad = file(
      'bad.yaml',
      [
        'registerTimes: { AM: { opens: "08:50", closes: "09:40" }, PM: { opens: "13:00", closes: "13:10" } }',
        'leave:',
        '  noticeDays: { religious: -1 }',
        '  authorisedAbsenceLimit: 10',
        '  assessmentPeriods: [{ name: SATs, from: 2026-05-15, to: 2026-05-11 }]',
        'halfTermlyLetter: { bands: [{ from: 0.9, label: A, advice: a }, { from: 0.95, label: B, advice: b }] }',
        '',
      ].join('\n'),
    );
    const c = capture();
    expect(await runPolicySet(deps(), c.io, { schoolUrn: urn, file: bad })).toBe(2);
    const err = c.err.join('');
    expect(err).toContain('rollcall policy set: The policy has problems: see each field.');
    expect(err).toContain(`${bad}: registerTimes.AM: the register may be open for at most 30 minutes, not 50`);
    expect(err).toContain(`${bad}: leave.noticeDays.religious: must be 0 or more calendar days`);
    expect(err).toContain(`${bad}: leave.authorisedAbsenceLimit: must be a fraction from 0 to 1`);
    expect(err).toContain(
      `${bad}: leave.assessmentPeriods.0.to: the period must end on or after it starts (2026-05-15)`,
    );
    expect(err).toContain(`${bad}: halfTermlyLetter.bands.1.from: list the bands highest first`);
    expect(err).toContain('Nothing was stored.');
    expect(c.out).toEqual([]);
    expect(await stored()).toBe(before);
    expect(await audits()).toHaveLength(count);

    const syntax = capture();
    expect(await runPolicySet(deps(), syntax.io, { schoolUrn: urn, file: file('broken.yaml', 'leave: [\n') })).toBe(2);
    expect(syntax.err.join('')).toMatch(/broken\.yaml: line \d+, column \d+: /);
    expect(await stored()).toBe(before);
  });

  it('an unknown URN, an unknown preset, a missing file, or not exactly one of --preset/--file: exit 2 with a clear message', async () => {
    const before = await stored();
    const cases: [Parameters<typeof runPolicySet>[2], string][] = [
      [{ schoolUrn: 'nope', preset: 'all-saints-stages' }, 'rollcall policy set: No school with URN nope.\n'],
      [{ schoolUrn: urn, preset: 'st-elsewhere' }, 'rollcall policy set: There is no preset "st-elsewhere".\n'],
      [
        { schoolUrn: urn, file: join(dir, 'missing.yaml') },
        `rollcall policy set: ${join(dir, 'missing.yaml')}: no such file. Nothing was stored.\n`,
      ],
      [{ schoolUrn: urn }, 'rollcall policy set: give exactly one of --preset <id> or --file <policy.yaml|json>\n'],
      [
        { schoolUrn: urn, preset: 'all-saints-stages', file: join(dir, 'policy.yaml') },
        'rollcall policy set: give exactly one of --preset <id> or --file <policy.yaml|json>\n',
      ],
    ];
    for (const [opts, message] of cases) {
      const c = capture();
      expect(await runPolicySet(deps(), c.io, opts)).toBe(2);
      expect(c.err[0]).toBe(message);
    }
    const preset = capture();
    await runPolicySet(deps(), preset.io, { schoolUrn: urn, preset: 'st-elsewhere' });
    expect(preset.err.join('')).toContain('  preset: must be one of stockton-tiers, all-saints-stages');
    const show = capture();
    expect(await runPolicyShow(deps(), show.io, { schoolUrn: 'nope' })).toBe(2);
    expect(show.err.join('')).toBe('rollcall policy show: No school with URN nope.\n');
    expect(await stored()).toBe(before);
  });
});

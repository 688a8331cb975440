import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.js';
import { rejection, seedSmallSchool, testDeps, type SmallSchool } from '../../../test/fixtures.js';
import { createItem, getCase, updateItem } from './case-record.js';
import { RECORD_KINDS, type AnyRecordKind } from './record-kinds.js';
import { CASE_ITEM_LISTS, type CaseRecord } from './record.js';

/** Monday 15 September 2025, 9:00 in London. */
const NOW = '2025-09-15T08:00:00Z';

/** A good create input for each kind (by the kind's name). */
const GOOD: Record<string, Record<string, unknown>> = {
  meeting: { kind: 'attendance support', date: '2025-09-15', invited: 'Parent' },
  action: { description: 'Call', owner: 'Officer', dueOn: '2025-09-19' },
  plan: {
    kind: 'attendance-support',
    startsOn: '2025-09-15',
    endsOn: '2025-10-24',
    targets: [{ text: 'In by 8:50', measure: 'No late marks' }],
    reviewDates: ['2025-10-03'],
  },
  referral: { agency: 'early-help', madeOn: '2025-09-15', reason: 'Family support' },
  contract: {
    parentName: 'Parent',
    agreedOn: '2025-09-15',
    parentCommitments: 'On time',
    supportOffered: 'Breakfast club',
    reviewOn: '2025-10-06',
    endsOn: '2025-10-24',
  },
  nti: { parentName: 'Parent', issuedOn: '2025-09-15', expectations: 'No unauthorised absence' },
  penaltyNotice: { parentKey: 'other', parentName: 'Parent', issuedOn: '2025-09-01', reason: 'Holiday in term time' },
};

it('names each kind once, with its own table, list, audit actions and the manage permission', () => {
  const names = RECORD_KINDS.map((k) => k.name);
  expect(names).toEqual(['meeting', 'action', 'plan', 'referral', 'contract', 'nti', 'penaltyNotice']);
  expect(new Set(RECORD_KINDS.map((k) => k.table)).size).toBe(RECORD_KINDS.length);
  const actions = RECORD_KINDS.flatMap((k) => [k.create.action, k.update.action]);
  expect(new Set(actions).size).toBe(actions.length);
  for (const k of RECORD_KINDS) {
    expect(k.create.action.startsWith(`casework.${k.name}.`), k.name).toBe(true);
    expect(k.update.action.startsWith(`casework.${k.name}.`), k.name).toBe(true);
    expect(k.permission, k.name).toBe('casework.manage');
    expect(k.list.table, k.name).toBe(k.table);
    expect(Object.values(CASE_ITEM_LISTS), k.name).toContain(k.list);
  }
  // Every list of the case record belongs to a kind.
  expect(
    Object.values(CASE_ITEM_LISTS)
      .map((l) => l.table)
      .sort(),
  ).toEqual(RECORD_KINDS.map((k) => k.table).sort());
});

describeEachDialect('every kind of case record, through the shared code', (ctx) => {
  let school: SmallSchool;
  let pupilId: string;
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);
  const rows = (k: AnyRecordKind) =>
    ctx.db
      .selectFrom(k.table as 'case_meetings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('pupil_id', '=', pupilId)
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  const audited = (action: string) =>
    ctx.db
      .selectFrom('audit_log')
      .select(['entity_type', 'entity_id'])
      .where('action', '=', action)
      .where('pupil_id', '=', pupilId)
      .execute();

  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    pupilId = school.pupilsA[0]!;
  });

  it('refuses a blank form with the kind’s message, each problem naming its field, writing nothing', async () => {
    const officer = school.actors.attendance_officer;
    for (const k of RECORD_KINDS) {
      const before = await rows(k);
      const e = await rejection(createItem(k, deps(), officer, { pupilId }));
      expect([e.code, e.message], k.name).toEqual(['VALIDATION', k.create.failed]);
      const fields = e.details?.fields ?? [];
      expect(fields.length, k.name).toBeGreaterThan(0);
      for (const f of fields) {
        expect(f.field, k.name).toMatch(/^[a-zA-Z]+(\.\d+(\.[a-zA-Z]+)?)?$/);
        expect(f.message, k.name).toMatch(/^[A-Z].*\.$/);
      }
      expect(await rows(k), k.name).toBe(before);
      expect(await audited(k.create.action), k.name).toEqual([]);
    }
  });

  it('refuses input of the wrong shape as a validation error naming the field, not a crash', async () => {
    const e = await rejection(
      createItem(RECORD_KINDS[0]!, deps(), school.actors.attendance_officer, { pupilId, date: 20250915 }),
    );
    expect(e.code).toBe('VALIDATION');
    expect((e.details?.fields ?? []).map((f) => f.field)).toEqual(['date']);
  });

  it('keeps a teacher out of every kind, before looking at the form', async () => {
    for (const k of RECORD_KINDS) {
      expect((await rejection(createItem(k, deps(), school.actors.teacher, { pupilId }))).code, k.name).toBe(
        'FORBIDDEN',
      );
      const update = updateItem(k, deps(), school.actors.teacher, { pupilId, [k.update.idField]: 'x' });
      expect((await rejection(update)).code, k.name).toBe('FORBIDDEN');
    }
  });

  it('creates each kind, audits it under its entity, lists it on the case, and finds no other pupil’s', async () => {
    const officer = school.actors.attendance_officer;
    const view = async () => (await getCase(deps(), officer, pupilId)).record;
    for (const k of RECORD_KINDS) {
      const id = await createItem(k, deps(), officer, { pupilId, ...GOOD[k.name] });
      const entries = await audited(k.create.action);
      expect(
        entries.map((a) => a.entity_type),
        k.name,
      ).toEqual([k.entityType]);
      expect(entries[0]!.entity_id, k.name).toBe(k.create.auditEntityId ?? id);
      const key = Object.entries(CASE_ITEM_LISTS).find(([, l]) => l === k.list)![0] as keyof CaseRecord;
      const listed = (await view())[key] as readonly { id: string }[];
      expect(
        listed.map((r) => r.id),
        k.name,
      ).toContain(id);
      const missing = await rejection(
        updateItem(k, deps(), officer, { pupilId: school.pupilsA[1]!, [k.update.idField]: id }),
      );
      expect([missing.code, missing.message], k.name).toEqual(['NOT_FOUND', k.update.missing]);
    }
  });
});

import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.js';
import { seedSmallSchool, type SmallSchool } from '../../test/fixtures.js';
import { audit } from '../services/audit.js';
import { searchAudit } from '../services/accounts/audit-search.js';
import { escapeLike } from './like.js';
import { searchPupils } from './pupils/pupils.js';
import { searchAccounts } from './accounts/users.js';

it('escapes the wildcards and the escape character', () => {
  expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b');
});

describeEachDialect('searches match % and _ as typed', (ctx) => {
  let school: SmallSchool;
  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db, `like-${ctx.dialect}`);
    await ctx.db.updateTable('pupils').set({ legal_surname: 'O_Hara' }).where('id', '=', school.pupilsA[0]!).execute();
    await ctx.db
      .updateTable('users')
      .set({ display_name: '100% Office' })
      .where('id', '=', school.actors.office.userId)
      .execute();
    await audit(ctx.db, school.actors.office, '2025-09-08T08:00:00.000Z', {
      action: 'pupil.view',
      entityType: 'pupil',
      entityId: school.pupilsA[0]!,
      pupilId: school.pupilsA[0]!,
      schoolId: school.schoolId,
    });
    await audit(ctx.db, school.actors.teacher, '2025-09-08T08:01:00.000Z', {
      action: 'pupil.view',
      entityType: 'pupil',
      entityId: school.pupilsA[1]!,
      pupilId: school.pupilsA[1]!,
      schoolId: school.schoolId,
    });
  });

  it('pupil search: "%" and "_" match nothing, "o_" only the name with an underscore', async () => {
    expect(await searchPupils(ctx.db, school.schoolId, '%')).toEqual([]);
    expect(await searchPupils(ctx.db, school.schoolId, '_')).toEqual([]);
    expect((await searchPupils(ctx.db, school.schoolId, 'o_')).map((p) => p.id)).toEqual([school.pupilsA[0]]);
    expect((await searchPupils(ctx.db, school.schoolId, 'O_H')).map((p) => p.id)).toEqual([school.pupilsA[0]]);
  });

  it('account search: "%" matches only the name with a percent sign', async () => {
    const all = await searchAccounts(ctx.db, { schoolId: school.schoolId, limit: 100, offset: 0 });
    expect(all.total).toBeGreaterThan(2);
    const pct = await searchAccounts(ctx.db, { schoolId: school.schoolId, query: '%', limit: 100, offset: 0 });
    expect(pct.users.map((u) => u.id)).toEqual([school.actors.office.userId]);
    const underscore = await searchAccounts(ctx.db, { schoolId: school.schoolId, query: '_', limit: 100, offset: 0 });
    expect(underscore.total).toBeGreaterThan(0);
    expect(underscore.total).toBeLessThan(all.total);
    expect(underscore.users.every((u) => `${u.name}${u.email}`.includes('_'))).toBe(true);
  });

  it('audit search by person and pupil: wildcards are literal', async () => {
    const q = { schoolId: school.schoolId };
    const byUser = await searchAudit({ db: ctx.db }, school.actors.admin, { ...q, user: '%' });
    expect(byUser.rows.map((r) => r.userId)).toEqual([school.actors.office.userId]);
    const byPupil = await searchAudit({ db: ctx.db }, school.actors.admin, { ...q, pupil: '_' });
    expect(byPupil.rows.map((r) => r.pupilId)).toEqual([school.pupilsA[0]]);
    expect((await searchAudit({ db: ctx.db }, school.actors.admin, { ...q, action: '%.' })).rows).toEqual([]);
  });
});

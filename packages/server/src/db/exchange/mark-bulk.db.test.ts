import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/databases.js';
import type { Db, DbOrTrx, OpenDatabase } from '../connect.js';
import { MARK_PUPIL_FOREIGN_KEYS, dropMarkPupilForeignKeysForBulk, restoreMarkPupilForeignKeys } from './mark-bulk.js';

// PostgreSQL only: SQLite checks its foreign keys row by row at little cost, and cannot turn them
// off inside a transaction.
describe('the keys from marks and history to pupils, checked once for a bulk import [postgres]', () => {
  let open: OpenDatabase | undefined;
  const db = (): Db => open!.db;
  let original: Record<string, string>;

  async function keys(d: DbOrTrx = db()): Promise<Record<string, string>> {
    const r = await sql<{ name: string; def: string; valid: boolean }>`
      select conname as name, pg_get_constraintdef(oid) as def, convalidated as valid from pg_constraint
      where conname in (${sql.join(MARK_PUPIL_FOREIGN_KEYS.map((k) => k.name))})`.execute(d);
    return Object.fromEntries(r.rows.map((k) => [k.name, `${k.def}${k.valid ? '' : ' (NOT VALID)'}`]));
  }

  async function mark(d: DbOrTrx, pupilId: string, date: string): Promise<void> {
    await sql`insert into session_marks (pupil_id, date, session, code, updated_at)
      values (${pupilId}, ${date}, 'AM', '/', '2025-09-01T08:00:00Z')`.execute(d);
    await sql`insert into mark_history (id, pupil_id, date, session, new_code, user_name, user_role, at, source)
      values (${`h-${pupilId}-${date}`}, ${pupilId}, ${date}, 'AM', '/', 'x', 'admin', '2025-09-01T08:00:00Z', 'import')`.execute(
      d,
    );
  }

  beforeAll(async () => {
    open = await freshDatabase('postgres');
    await sql`insert into schools (id, urn, name, phase, la_code, la_name, policy_json, time_zone)
      values ('s1', '100001', 'School', 'secondary', '330', 'LA', '{}', 'Europe/London')`.execute(db());
    await sql`insert into pupils (id, school_id, upn, legal_surname, legal_forename, date_of_birth, gender, year_group, admission_date)
      values ('p1', 's1', 'A123456789012', 'Surname', 'Forename', '2012-01-01', 'F', '8', '2025-09-01')`.execute(db());
    original = await keys();
  });
  afterAll(async () => {
    await open?.close();
  });

  it('are both there, valid, as the migration made them', () => {
    expect(original).toEqual({
      session_marks_pupil_id_fkey: 'FOREIGN KEY (pupil_id) REFERENCES pupils(id)',
      mark_history_pupil_id_fkey: 'FOREIGN KEY (pupil_id) REFERENCES pupils(id)',
    });
  });

  it('are dropped inside the transaction and added back, validated, before it commits', async () => {
    await db()
      .transaction()
      .execute(async (trx) => {
        expect(await dropMarkPupilForeignKeysForBulk(trx, 10, 1)).toBe(true);
        expect(await keys(trx)).toEqual({});
        await mark(trx, 'p1', '2025-09-01');
        await restoreMarkPupilForeignKeys(trx);
      });
    expect(await keys()).toEqual(original);
  });

  it('refuse a mark for no pupil when added back: the whole transaction goes', async () => {
    const error = await db()
      .transaction()
      .execute(async (trx) => {
        expect(await dropMarkPupilForeignKeysForBulk(trx, 10, 1)).toBe(true);
        await mark(trx, 'no-such-pupil', '2025-09-02');
        await restoreMarkPupilForeignKeys(trx);
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(String(error)).toMatch(/violates foreign key constraint "session_marks_pupil_id_fkey"/);
    expect(await keys()).toEqual(original);
    const left = await sql<{
      n: number;
    }>`select count(*)::int as n from session_marks where date = '2025-09-02'`.execute(db());
    expect(left.rows[0]?.n).toBe(0);
  });

  it('stay, checked row by row, for a small import or when the tables hold more than twice its rows', async () => {
    await db()
      .transaction()
      .execute(async (trx) => {
        expect(await dropMarkPupilForeignKeysForBulk(trx, 10)).toBe(false); // under the minimum
        expect(await dropMarkPupilForeignKeysForBulk(trx, 1, 1)).toBe(true); // 1 mark held, 2 allowed
        await restoreMarkPupilForeignKeys(trx);
      });
    await mark(db(), 'p1', '2025-09-03');
    await mark(db(), 'p1', '2025-09-04');
    await db()
      .transaction()
      .execute(async (trx) => {
        expect(await dropMarkPupilForeignKeysForBulk(trx, 1, 1)).toBe(false); // 3 held, 2 allowed
        expect(await keys(trx)).toEqual(original);
      });
  });

  it('stay, checked row by row, when another transaction holds the tables', async () => {
    const other = await db()
      .connection()
      .execute(async (conn) => {
        await sql`begin`.execute(conn);
        await sql`select count(*) from session_marks`.execute(conn); // holds ACCESS SHARE until it ends
        try {
          return await db()
            .transaction()
            .execute(async (trx) => {
              const dropped = await dropMarkPupilForeignKeysForBulk(trx, 100, 1);
              // The transaction goes on after the savepoint is rolled back.
              await mark(trx, 'p1', '2025-09-05');
              return { dropped, keys: await keys(trx) };
            });
        } finally {
          await sql`rollback`.execute(conn);
        }
      });
    expect(other).toEqual({ dropped: false, keys: original });
  });
});

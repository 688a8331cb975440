/**
 * Every row held about one pupil, table by table, for a subject access request: found by the
 * schema itself (every table with a `pupil_id` column, then every table with a `case_id` column
 * for the pupil's cases), so tables added later are included without anyone remembering to.
 */
import { sql } from 'kysely';
import type { DbOrTrx } from '../connect.js';

/** Columns never exported, whatever table they are in. */
const SECRET_COLUMNS = new Set(['password_hash', 'token_hash', 'secret_hash', 'csrf_token']);

export type TableRows = Record<string, Record<string, unknown>[]>;

function clean(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !SECRET_COLUMNS.has(k))));
}

export async function rowsAboutPupil(db: DbOrTrx, pupilId: string): Promise<TableRows> {
  const tables = await db.introspection.getTables();
  const out: TableRows = {};
  const pupil = await sql<Record<string, unknown>>`select * from pupils where id = ${pupilId}`.execute(db);
  out['pupils'] = clean(pupil.rows);
  const byPupil = tables.filter((t) => t.name !== 'pupils' && t.columns.some((c) => c.name === 'pupil_id'));
  for (const t of byPupil.sort((a, b) => a.name.localeCompare(b.name))) {
    const rows = await sql<
      Record<string, unknown>
    >`select * from ${sql.table(t.name)} where pupil_id = ${pupilId}`.execute(db);
    if (rows.rows.length > 0) out[t.name] = clean(rows.rows);
  }
  const caseIds = (out['cases'] ?? []).map((c) => String(c['id']));
  if (caseIds.length > 0) {
    const byCase = tables.filter(
      (t) =>
        !(t.name in out) &&
        t.columns.some((c) => c.name === 'case_id') &&
        !t.columns.some((c) => c.name === 'pupil_id'),
    );
    for (const t of byCase.sort((a, b) => a.name.localeCompare(b.name))) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(t.name)} where case_id in (${sql.join(
        caseIds,
      )})`.execute(db);
      if (rows.rows.length > 0) out[t.name] = clean(rows.rows);
    }
  }
  return out;
}

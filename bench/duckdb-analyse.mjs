// The comparison for (b): DuckDB (`@duckdb/node-api`, a dev dependency) in process over the same
// marks.csv, computing per pupil what a general SQL engine can easily: sessions possible, present,
// authorised and unauthorised absence, the rates and the persistent/severe absence flags over the
// statistics period, printed as JSON like `rollcall analyse --format json`. It is a subset of
// Rollcall's work (no runs of days, penalty-notice window, sickness return, unresolved N, broken
// weeks or roll dates), so the comparison flatters DuckDB. Run as a child process, start-up included.
//   node bench/duckdb-analyse.mjs <marks.csv> <period start YYYY-MM-DD> <as of YYYY-MM-DD> <codes.json>
// codes.json: [[code, code set, statistical category], ...] from Rollcall's code table, written by
// the bench so that this process loads nothing of Rollcall.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [marks, from, asOf, codesFile] = process.argv.slice(2);
const quote = (s) => `'${String(s).replace(/'/g, "''")}'`;
const categories = JSON.parse(readFileSync(codesFile, 'utf8'))
  .map(([code, set, category]) => `(${quote(code)}, ${quote(set)}, ${quote(category)})`)
  .join(', ');
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const sql = `
  WITH codes(code, code_set, category) AS (VALUES ${categories}),
  marks AS (
    SELECT trim(upn) AS upn, CAST(trim(date) AS DATE) AS date, upper(trim(code)) AS code
    FROM read_csv(${quote(marks)}, header = true, all_varchar = true)
  ),
  counted AS (
    SELECT m.upn,
      count(*) FILTER (WHERE c.category IN ('present', 'approvedActivity', 'authorised', 'unauthorised')) AS possible,
      count(*) FILTER (WHERE c.category = 'present') AS present,
      count(*) FILTER (WHERE c.category = 'approvedActivity') AS aea,
      count(*) FILTER (WHERE c.category = 'authorised') AS authorised,
      count(*) FILTER (WHERE c.category = 'unauthorised') AS unauthorised
    FROM marks m JOIN codes c
      ON c.code = m.code AND c.code_set = CASE WHEN m.date >= DATE '2024-08-19' THEN '2024' ELSE '2006' END
    WHERE m.date BETWEEN DATE '${from}' AND DATE '${asOf}'
    GROUP BY m.upn
  )
  SELECT upn, possible::INTEGER AS possible, present::INTEGER AS present, aea::INTEGER AS aea,
    authorised::INTEGER AS authorised, unauthorised::INTEGER AS unauthorised,
    CASE WHEN possible > 0 THEN (present + aea) / possible END AS attendance_rate,
    CASE WHEN possible > 0 THEN (authorised + unauthorised) / possible END AS absence_rate,
    possible > 0 AND (authorised + unauthorised) * 10 >= possible AS persistent_absence,
    possible > 0 AND (authorised + unauthorised) * 2 >= possible AS severe_absence
  FROM counted ORDER BY upn`;
const reader = await connection.runAndReadAll(sql);
const pupils = reader.getRowObjectsJson();
process.stdout.write(`${JSON.stringify({ asOf, periodStart: from, pupils }, null, 2)}\n`);
connection.closeSync();
instance.closeSync();

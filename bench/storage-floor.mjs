// The floor under the 8:50 rush on SQLite: what 200 first saves of 30 pupils cost SQLite itself,
// with no HTTP and no application code: every statement the batch writer runs for a first save
// (db/registers/register-batch.ts: the register's version, what is stored, the register row, the
// 30 marks and their history, the audit row), run in one transaction per school day on the
// bench's school (bench/register-rush.mjs), on a file in WAL. Until 7 December 2026 the floor
// counted only the marks, their history and the read of what is stored ("marks, history and
// read" below), which left a save's register and audit rows on the server's side of the ratio.
// `node bench/storage-floor.mjs` after `npm run build`; decision 0003 quotes its numbers. Bench (c)
// runs `storageFloor()` in the same run as the rush and prints the rush against it (decision 0004).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { server } from './harness.mjs';
import { seedSchool } from './register-rush.mjs';

/**
 * Measures the floor; returns, per part, the mean ms a save over the measured days (and prints the
 * table when `say` is console.log, as when this file is run by itself).
 */
export async function storageFloor(say = () => {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-storage-floor-'));
  const file = join(dir, 'db.sqlite');
  const { openDatabase, migrateToLatest } = await server('db/connect.js');
  const { loadConfig } = await server('config/config.js');
  const { newId } = await server('platform/ids.js');
  const opened = openDatabase(loadConfig({ SQLITE_PATH: file, LOG_LEVEL: 'silent' }).database);
  await migrateToLatest(opened.db);
  const clients = await seedSchool(opened.db);
  await opened.close();

  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const version = db.prepare('select version from registers where group_id = ? and date = ? and session = ?').pluck();
  const register = db.prepare(
    'insert into registers (id, school_id, group_id, date, session, lesson_id, version, taken_at, taken_by, ' +
      'updated_at, updated_by) values (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)',
  );
  const audit = db.prepare(
    'insert into audit_log (id, at, user_id, user_role, action, entity_type, entity_id, pupil_id, school_id, ' +
      'details) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const read = db.prepare(
    'select pupil_id, code, minutes_late, updated_by from session_marks ' +
      'where date = ? and session = ? and pupil_id in (select value from json_each(?))',
  );
  const mark = db.prepare(
    'insert into session_marks (pupil_id, date, session, code, minutes_late, updated_at, updated_by) ' +
      'values (?, ?, ?, ?, ?, ?, ?) on conflict (pupil_id, date, session) do update set ' +
      'code = excluded.code, minutes_late = excluded.minutes_late, updated_at = excluded.updated_at, ' +
      'updated_by = excluded.updated_by',
  );
  const history = db.prepare(
    'insert into mark_history (id, pupil_id, date, session, lesson_id, previous_code, new_code, ' +
      'previous_minutes_late, new_minutes_late, reason, user_id, user_name, user_role, at, source) ' +
      'values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );

  const DAYS = 6; // school days a part, the first two to warm up
  // The two first saves first, day by day in turn on the fresh tables (so both write into tables
  // of the same size), then the parts one after another on the tables they have grown (the parts
  // add up to less than the whole: together, the tables' B-trees share SQLite's page cache).
  const parts = {
    'a first save (every statement)': { read: true, marks: true, history: true, register: true },
    'marks, history and read': { read: true, marks: true, history: true },
    'read what is stored': { read: true },
    '30 marks': { marks: true },
    '30 history rows': { history: true },
  };
  let day = 0;
  say(`${clients.length} registers of 30 pupils, one transaction per day, ms per save (two warm-up days):`);
  const result = {};
  const times = Object.fromEntries(Object.keys(parts).map((label) => [label, []]));
  const [whole, narrow, ...rest] = Object.keys(parts);
  for (const group of [[whole, narrow], ...rest.map((label) => [label])]) {
    for (let i = 0; i < DAYS; i++) {
      for (const label of group) {
        const what = parts[label];
        const date = `2026-0${1 + Math.floor(day / 28)}-${String(1 + (day % 28)).padStart(2, '0')}`;
        day++;
        const at = new Date().toISOString();
        const t0 = performance.now();
        db.transaction(() => {
          for (const c of clients) {
            if (what.register) version.get(c.groupId, date, 'AM');
            if (what.read) read.all(date, 'AM', JSON.stringify(c.pupilIds));
            if (what.register)
              register.run(newId(), c.schoolId, c.groupId, date, 'AM', null, at, c.userId, at, c.userId);
            for (const pupilId of c.pupilIds) {
              if (what.marks) mark.run(pupilId, date, 'AM', '/', null, at, c.userId);
              if (what.history)
                history.run(
                  newId(),
                  pupilId,
                  date,
                  'AM',
                  null,
                  null,
                  '/',
                  null,
                  null,
                  null,
                  c.userId,
                  'T',
                  'teacher',
                  at,
                  'register',
                );
            }
            if (what.register)
              audit.run(
                newId(),
                at,
                c.userId,
                'teacher',
                'register.save',
                'register',
                `${c.groupId}/${date}/AM`,
                null,
                c.schoolId,
                JSON.stringify({ group: '7-01', date, session: 'AM', lesson: null, changed: c.pupilIds.length }),
              );
          }
        })();
        times[label].push((performance.now() - t0) / clients.length);
      }
    }
  }
  for (const label of Object.keys(parts)) {
    const measured = times[label].slice(2);
    const mean = measured.reduce((a, b) => a + b, 0) / measured.length;
    result[label] = { perSaveMs: mean, min: Math.min(...measured), max: Math.max(...measured), saves: clients.length };
    say(
      `  ${label.padEnd(26)} ${mean.toFixed(3)} ms a save (${Math.min(...measured).toFixed(3)}–${Math.max(...measured).toFixed(3)}); ` +
        `${(mean * clients.length).toFixed(0)} ms for ${clients.length}`,
    );
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await storageFloor(console.log);

/**
 * The full-size demo (≈ 210 + 1,000 pupils), on SQLite only: its attendance, measured with the
 * domain from the stored marks, looks like a school's in England.
 */
import {
  analysisContext,
  createScratch,
  firstSessionOnOrAfter,
  lastSessionOnOrBefore,
  lookupCode,
  measurePupil,
  plainDate,
  sessionIndex,
  summarise,
  type PlainDate,
  type PupilMeasures,
  type Session,
} from '@rollcall/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/databases.js';
import type { OpenDatabase } from '../../db/connect.js';
import { loadCalendar } from '../school/schools.js';
import { verifyPassword } from '../../platform/passwords.js';
import { createDemo, DEMO_PASSWORD, type DemoSummary } from './demo.js';

const TODAY = plainDate('2026-11-25');

interface Measured {
  readonly m: PupilMeasures;
  readonly vulnerable: boolean;
}

describe('the full demo [sqlite]', () => {
  let open: OpenDatabase;
  let summary: DemoSummary;
  const measured: Measured[] = [];

  beforeAll(async () => {
    open = await freshDatabase('sqlite');
    summary = await createDemo(open.db, { today: TODAY, now: '2026-11-25T10:30:00.000Z' });
    for (const school of summary.schools) {
      const cal = await loadCalendar(open.db, school.id);
      const ctx = analysisContext(cal, { asOf: TODAY });
      const scratch = createScratch(cal);
      const pupils = await open.db
        .selectFrom('pupils')
        .select([
          'id',
          'admission_date',
          'leaving_date',
          'sen_status',
          'fsm',
          'pupil_premium',
          'eal',
          'cin',
          'cp',
          'lac',
          'previously_lac',
          'young_carer',
        ])
        .where('school_id', '=', school.id)
        .execute();
      const marks = await open.db
        .selectFrom('session_marks')
        .innerJoin('pupils', 'pupils.id', 'session_marks.pupil_id')
        .select([
          'session_marks.pupil_id',
          'session_marks.date',
          'session_marks.session',
          'session_marks.code',
          'session_marks.minutes_late',
        ])
        .where('pupils.school_id', '=', school.id)
        .execute();
      const byPupil = new Map(
        pupils.map((p) => [
          p.id,
          { codes: new Uint8Array(cal.sessionCount), minutes: new Uint16Array(cal.sessionCount) },
        ]),
      );
      for (const r of marks) {
        const s = sessionIndex(cal, r.date as PlainDate, r.session as Session);
        const found = lookupCode(r.code, r.date as PlainDate);
        if (s < 0 || !found.ok) throw new Error(`bad mark ${r.date} ${r.session} ${r.code}`);
        const arrays = byPupil.get(r.pupil_id)!;
        arrays.codes[s] = found.definition.id;
        arrays.minutes[s] = r.minutes_late ?? 0;
      }
      for (const p of pupils) {
        const arrays = byPupil.get(p.id)!;
        const m = measurePupil(
          cal,
          ctx,
          {
            codes: arrays.codes,
            minutesLate: arrays.minutes,
            rollFrom: firstSessionOnOrAfter(cal, p.admission_date as PlainDate),
            rollTo: p.leaving_date ? lastSessionOnOrBefore(cal, p.leaving_date as PlainDate) : cal.sessionCount - 1,
          },
          scratch,
        );
        const vulnerable =
          p.sen_status !== 'N' ||
          [p.fsm, p.pupil_premium, p.eal, p.cin, p.cp, p.lac, p.previously_lac, p.young_carer].some(
            (f) => Number(f) === 1,
          );
        measured.push({ m: { ...m, codeCounts: { ...m.codeCounts } }, vulnerable });
      }
    }
  }, 120_000);

  afterAll(async () => {
    await open.close();
  });

  it('has about 210 and 1,000 pupils, with marks and lesson marks', () => {
    expect(summary.schools.map((s) => s.pupils)).toEqual([210, 1000]);
    expect(summary.schools[0]!.sessionMarks).toBeGreaterThan(200 * 100);
    expect(summary.schools[1]!.lessonMarks).toBeGreaterThan(1000 * 45);
    expect(summary.password).toBe(DEMO_PASSWORD);
  });

  it('has a fifth or so of pupils persistently absent (12–30%) and a few severely (0.5–5%)', () => {
    const s = summarise(measured.map((x) => x.m));
    expect(s.persistentAbsenceRate).toBeGreaterThanOrEqual(0.12);
    expect(s.persistentAbsenceRate).toBeLessThanOrEqual(0.3);
    expect(s.severeAbsenceRate).toBeGreaterThanOrEqual(0.005);
    expect(s.severeAbsenceRate).toBeLessThanOrEqual(0.05);
  });

  it('gives vulnerable groups lower attendance than other pupils', () => {
    const rate = (ms: Measured[]): number => summarise(ms.map((x) => x.m)).attendanceRate ?? 0;
    expect(rate(measured.filter((x) => x.vulnerable))).toBeLessThan(rate(measured.filter((x) => !x.vulnerable)));
  });

  it('hashes the demo password once, for every account', async () => {
    const hashes = await open.db.selectFrom('users').select('password_hash').distinct().execute();
    expect(hashes).toHaveLength(1);
    expect(await verifyPassword(hashes[0]!.password_hash, DEMO_PASSWORD)).toBe(true);
  });
});

/**
 * The facts a return is made from: each pupil on roll with their address, contacts and the
 * year's measures, read for one school as of a date.
 */
import {
  analysisContext,
  firstSessionOnOrAfter,
  lastSessionOnOrBefore,
  lookupCode,
  measurePupil,
  type AnalysisContext,
  type PlainDate,
  type PupilMarks,
  type PupilMeasures,
  type SchoolCalendar,
  type Session,
} from '@rollcall/domain';
import type { DbOrTrx } from '../../../db/connect.js';
import { returnContactRows, returnPupilRows, schoolSessionCodesBetween } from '../../../db/duties/returns.js';
import type { MarkRow } from '../../../db/pupils/pupils.js';
import { layMarks } from '../../pupils/pupils.js';

export interface ReturnContact {
  readonly name: string;
  readonly relationship: string;
  readonly parentalResponsibility: boolean;
  readonly phone: string | null;
  readonly email: string | null;
  readonly address: string | null;
  readonly postcode: string | null;
}

/** What a return says about a pupil: who they are, where they live, who to contact. */
export interface ReturnPupil {
  readonly pupilId: string;
  readonly upn: string;
  readonly surname: string;
  readonly forename: string;
  readonly dateOfBirth: string | null;
  readonly yearGroup: string | null;
  readonly admissionDate: PlainDate;
  readonly leavingDate: PlainDate | null;
  readonly address: string | null;
  readonly postcode: string | null;
  readonly contacts: readonly ReturnContact[];
}

export interface PupilFacts {
  readonly pupil: ReturnPupil;
  readonly marks: PupilMarks;
  readonly measures: PupilMeasures;
  /** Every mark of the year to date, by date (for runs the domain does not return). */
  readonly byDate: ReadonlyMap<PlainDate, ReadonlyMap<Session, string>>;
}

export async function pupilDetails(
  db: DbOrTrx,
  schoolId: string,
  pupilIds?: readonly string[],
): Promise<ReturnPupil[]> {
  const rows = await returnPupilRows(db, schoolId, pupilIds);
  const contacts = rows.length === 0 ? [] : await returnContactRows(db, schoolId);
  const byPupil = new Map<string, ReturnContact[]>();
  for (const c of contacts) {
    const list = byPupil.get(c.pupil_id) ?? [];
    list.push({
      name: c.name,
      relationship: c.relationship,
      parentalResponsibility: c.parental_responsibility === 1,
      phone: c.mobile_phone ?? c.home_phone,
      email: c.email,
      address: c.address,
      postcode: c.postcode,
    });
    byPupil.set(c.pupil_id, list);
  }
  return rows.map((r) => ({
    pupilId: r.id,
    upn: r.upn,
    surname: r.legal_surname,
    forename: r.legal_forename,
    dateOfBirth: r.date_of_birth,
    yearGroup: r.year_group,
    admissionDate: r.admission_date as PlainDate,
    leavingDate: r.leaving_date as PlainDate | null,
    address: r.address,
    postcode: r.postcode,
    contacts: byPupil.get(r.id) ?? [],
  }));
}

/** Every pupil on roll on some day of the year to `asOf`, with their measures. */
export async function gatherFacts(
  db: DbOrTrx,
  cal: SchoolCalendar,
  schoolId: string,
  asOf: PlainDate,
  minPossibleSessions: number | null,
): Promise<{ ctx: AnalysisContext; facts: PupilFacts[] }> {
  const ctx = analysisContext(cal, { asOf, minPossibleSessions: minPossibleSessions ?? 0 });
  const pupils = (await pupilDetails(db, schoolId)).filter(
    (p) => p.admissionDate <= asOf && (p.leavingDate === null || p.leavingDate >= ctx.periodStart),
  );
  const rows = await schoolSessionCodesBetween(db, schoolId, ctx.periodStart, asOf);
  const marksBy = new Map<string, MarkRow[]>();
  for (const r of rows) {
    const list = marksBy.get(r.pupil_id) ?? [];
    list.push({
      pupilId: r.pupil_id,
      date: r.date as PlainDate,
      session: r.session as Session,
      code: r.code,
      minutesLate: null,
      updatedAt: '',
      updatedBy: null,
    });
    marksBy.set(r.pupil_id, list);
  }
  const facts = pupils.map((pupil) => {
    const list = marksBy.get(pupil.pupilId) ?? [];
    const laid = layMarks(cal, list);
    const marks: PupilMarks = {
      codes: laid.codes,
      minutesLate: laid.minutesLate,
      rollFrom: firstSessionOnOrAfter(cal, pupil.admissionDate),
      rollTo: pupil.leavingDate ? lastSessionOnOrBefore(cal, pupil.leavingDate) : cal.sessionCount - 1,
    };
    const byDate = new Map<PlainDate, Map<Session, string>>();
    for (const m of list) {
      const day = byDate.get(m.date) ?? new Map<Session, string>();
      day.set(m.session, m.code);
      byDate.set(m.date, day);
    }
    return { pupil, marks, measures: measurePupil(cal, ctx, marks), byDate };
  });
  return { ctx, facts };
}

/** True when the code counts as a possible session on the date. */
export function isPossible(code: string, date: PlainDate): boolean {
  const found = lookupCode(code, date);
  return found.ok && found.definition.category !== 'notPossible';
}

/** A pupil's record: details (by permission), the year's measures, a calendar of marks, and the history. */
import {
  analysisContext,
  findingsFor,
  firstSessionOnOrAfter,
  lastSessionOnOrBefore,
  lookupCode,
  measurePupil,
  sessionIndex,
  type Finding,
  type PlainDate,
  type PupilMeasures,
  type SchoolCalendar,
  type StatisticalCategory,
} from '@rollcall/domain';
import {
  contactsOfPupil,
  findPupil,
  pupilGroupIds,
  pupilHistory,
  pupilIdsWithUpns,
  pupilMarks,
  searchPupils,
  type HistoryRow,
  type MarkRow,
  type PupilDetails,
  type PupilSummary,
} from '../../db/pupils/pupils.js';
import { getSchool, type School } from '../school/schools.js';
import { audit } from '../audit.js';
import { authorise, can, type Actor, type Resource } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { schoolCalendar } from '../registers/registers.js';
import { withLaReason } from '../safeguarding/safeguarding.js';

export interface Contact {
  readonly id: string;
  /** `no_contact` or `court_order` (shown to staff only; a parent sees their own details only). */
  readonly restriction: string | null;
  readonly name: string;
  readonly relationship: string;
  readonly parentalResponsibility: boolean;
  readonly livesWithPupil: boolean;
  readonly priority: number;
  readonly mobilePhone: string | null;
  readonly homePhone: string | null;
  readonly workPhone: string | null;
  readonly email: string | null;
}

export interface DayCell {
  readonly date: PlainDate;
  readonly am: { code: string; category: StatisticalCategory } | null;
  readonly pm: { code: string; category: StatisticalCategory } | null;
}

export interface PupilRecord {
  readonly school: School;
  readonly pupil: Omit<PupilDetails, 'safeguarding'> & { safeguarding: PupilDetails['safeguarding'] | null };
  readonly contacts: readonly Contact[] | null;
  readonly asOf: PlainDate;
  readonly periodStart: PlainDate;
  readonly measures: PupilMeasures;
  readonly findings: readonly Finding[];
  /** Every school day of the statistics period up to "as of", with its AM and PM marks. */
  readonly days: readonly DayCell[];
  readonly history: readonly HistoryRow[];
  readonly permissions: { readonly amend: boolean; readonly safeguarding: boolean; readonly contacts: boolean };
}

export function pupilResource(school: School, pupilId: string, groupIds: readonly string[]): Resource {
  return { kind: 'pupil', pupilId, groupIds, schoolId: school.id, trustId: school.trustId, laCode: school.laCode };
}

/** Lays stored marks over the calendar as the domain's compact arrays. */
export function layMarks(
  cal: SchoolCalendar,
  marks: readonly MarkRow[],
): { codes: Uint8Array; minutesLate: Uint16Array } {
  const codes = new Uint8Array(cal.sessionCount);
  const minutesLate = new Uint16Array(cal.sessionCount);
  for (const m of marks) {
    const s = sessionIndex(cal, m.date, m.session);
    if (s < 0) continue;
    const found = lookupCode(m.code, m.date);
    if (!found.ok) continue;
    codes[s] = found.definition.id;
    if (m.minutesLate) minutesLate[s] = m.minutesLate;
  }
  return { codes, minutesLate };
}

/** Reads a pupil's record; audited. */
export async function getPupilRecord(
  deps: Deps,
  actor: Actor,
  pupilId: string,
  asOfInput?: PlainDate,
): Promise<PupilRecord> {
  const pupil = await findPupil(deps.db, pupilId);
  if (!pupil) throw new AppError('PUPIL_NOT_FOUND', 'No such pupil.');
  const school = await getSchool(deps.db, pupil.schoolId);
  const resource = await withLaReason(
    deps,
    actor,
    pupilResource(school, pupil.id, await pupilGroupIds(deps.db, pupil.id)),
  );
  authorise(actor, 'pupil.view', resource);
  const permissions = {
    amend: can(actor, 'mark.amend', resource),
    safeguarding: can(actor, 'pupil.viewSafeguarding', resource),
    contacts: can(actor, 'pupil.viewContacts', resource),
  };
  const asOf = asOfInput ?? deps.clock.today(school.timeZone);
  const cal = await schoolCalendar(deps, school.id);
  const [marks, history, contactRows] = await Promise.all([
    pupilMarks(deps.db, pupil.id),
    pupilHistory(deps.db, pupil.id),
    permissions.contacts
      ? contactsOfPupil(deps.db, pupil.id, actor.role === 'parent' ? actor.userId : undefined)
      : Promise.resolve(null),
  ]);
  const laid = layMarks(cal, marks);
  const pupilMarksArr = {
    codes: laid.codes,
    minutesLate: laid.minutesLate,
    rollFrom: firstSessionOnOrAfter(cal, pupil.admissionDate),
    rollTo: pupil.leavingDate ? lastSessionOnOrBefore(cal, pupil.leavingDate) : cal.sessionCount - 1,
  };
  const ctx = analysisContext(cal, { asOf, minPossibleSessions: school.policy.minPossibleSessions });
  const measures = measurePupil(cal, ctx, pupilMarksArr);
  const findings = findingsFor(cal, ctx, pupilMarksArr, measures);

  const byKey = new Map(marks.map((m) => [`${m.date}/${m.session}`, m]));
  const cell = (date: PlainDate, session: 'AM' | 'PM'): DayCell['am'] => {
    const m = byKey.get(`${date}/${session}`);
    if (!m) return null;
    const found = lookupCode(m.code, date);
    return { code: m.code, category: found.ok ? found.definition.category : 'notPossible' };
  };
  const days: DayCell[] = [];
  for (let d = 0; d < cal.dayCount; d++) {
    const date = cal.dayDate[d]!;
    if (date < ctx.periodStart || date > asOf) continue;
    days.push({ date, am: cell(date, 'AM'), pm: cell(date, 'PM') });
  }

  await audit(deps.db, actor, deps.clock.now(), {
    action: 'pupil.view',
    entityType: 'pupil',
    entityId: pupil.id,
    pupilId: pupil.id,
    schoolId: school.id,
  });
  return {
    school,
    pupil: { ...pupil, safeguarding: permissions.safeguarding ? pupil.safeguarding : null },
    contacts: contactRows
      ? contactRows.map((c) => ({
          name: c.name,
          relationship: c.relationship,
          parentalResponsibility: c.parental_responsibility === 1,
          livesWithPupil: c.lives_with_pupil === 1,
          priority: Number(c.priority),
          id: c.id,
          restriction: c.restriction,
          mobilePhone: c.mobile_phone,
          homePhone: c.home_phone,
          workPhone: c.work_phone,
          email: c.email,
        }))
      : null,
    asOf,
    periodStart: ctx.periodStart,
    measures,
    findings,
    days,
    history,
    permissions,
  };
}

/** Finds pupils by name or UPN within the actor's school; results only include pupils the actor may view. */
export async function findPupils(deps: Deps, actor: Actor, schoolId: string, query: string): Promise<PupilSummary[]> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'school.viewPupilLists', {
    kind: 'school',
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  });
  return searchPupils(deps.db, school.id, query);
}

/**
 * The school's pupils named by UPN (as typed: trimmed, any case), for a list given by UPN such
 * as `rollcall letters print --upn`: each UPN's pupil id, and the UPNs no pupil of the school has.
 */
export async function pupilsNamedByUpn(
  deps: Pick<Deps, 'db'>,
  actor: Actor,
  schoolId: string,
  upns: readonly string[],
): Promise<{ ids: Map<string, string>; missing: string[] }> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'school.viewPupilLists', {
    kind: 'school',
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  });
  const wanted = upns.map((u) => u.trim().toUpperCase());
  const found = await pupilIdsWithUpns(deps.db, school.id, wanted);
  const byUpn = new Map(found.map((p) => [p.upn.toUpperCase(), p.id]));
  const ids = new Map<string, string>();
  const missing: string[] = [];
  for (const upn of wanted) {
    const id = byUpn.get(upn);
    if (id === undefined) missing.push(upn);
    else ids.set(upn, id);
  }
  return { ids, missing };
}

export type { PupilSummary } from '../../db/pupils/pupils.js';

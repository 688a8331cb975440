/**
 * The local authority's targeting-support-meeting (TSM) list, school by school: who is on it and
 * why. Shown by dashboard.ts (`tsmList`, with its permission checks) and read by
 * services/safeguarding/safeguarding.ts as one of the LA's reasons to see a pupil's record.
 */
import type { PlainDate } from '@rollcall/domain';
import { getSchool, type School } from '../school/schools.js';
import type { Deps } from '../deps.js';
import { liveReferralAgencies } from '../../db/safeguarding/safeguarding.js';
import { schoolVersions } from './cohort.js';
import { measuredPupils } from './measured.js';

export interface TsmPupil {
  readonly pupilId: string;
  readonly upn: string;
  readonly name: string;
  readonly yearGroup: string | null;
  readonly attendanceRate: number | null;
  readonly severe: boolean;
  /** Why the pupil is on the list, in words. */
  readonly reasons: readonly string[];
}

/**
 * One school's pupils on the targeting-support-meeting list as of a date, with why (no permission
 * check: the callers check, or use it as the LA's reason to see a pupil).
 */
export async function tsmPupilsOf(deps: Pick<Deps, 'db'>, school: School, asOf: PlainDate): Promise<TsmPupil[]> {
  const { pupils } = await measuredPupils(deps, school, asOf, undefined, { checked: true });
  const pa = pupils.filter((m) => m.pa);
  const referred = await liveReferralAgencies(
    deps.db,
    pa.filter((m) => !m.sa).map((m) => m.pupil.id),
  );
  const list: TsmPupil[] = [];
  for (const m of pa) {
    const p = m.pupil;
    const reasons: string[] = [];
    if (m.sa) reasons.push('severely absent (50% or more of sessions missed)');
    else {
      const agencies = referred.get(p.id);
      if (agencies) reasons.push(`persistently absent, referred to ${[...new Set(agencies)].join(', ')}`);
      if (p.cin || p.cp || p.lac || p.socialWorker) reasons.push('persistently absent, with a social worker');
      if (p.ehcp || p.senStatus === 'E') reasons.push('persistently absent, with an EHC plan');
      if (reasons.length === 0) continue;
    }
    list.push({
      pupilId: p.id,
      upn: p.upn,
      name: `${p.forename} ${p.surname}`,
      yearGroup: p.yearGroup,
      attendanceRate: m.rate,
      severe: m.sa,
      reasons,
    });
  }
  list.sort((a, b) => Number(b.severe) - Number(a.severe) || (a.attendanceRate ?? 1) - (b.attendanceRate ?? 1));
  return list;
}

/**
 * Why a pupil is on the LA's targeting-support-meeting list today, or null when they are not: the
 * local authority's reason to see the pupil's record (services/safeguarding/safeguarding.ts).
 */
export async function tsmReasonsFor(
  deps: Pick<Deps, 'db'>,
  schoolId: string,
  pupilId: string,
  asOf: PlainDate,
): Promise<readonly string[] | null> {
  await schoolVersions(deps.db);
  const school = await getSchool(deps.db, schoolId);
  const found = (await tsmPupilsOf(deps, school, asOf)).find((p) => p.pupilId === pupilId);
  return found ? found.reasons : null;
}

/** The TSM list of each of these schools, as of a date (no permission check: the caller checks). */
export async function tsmOfSchools(
  deps: Pick<Deps, 'db'>,
  schools: readonly School[],
  asOf: PlainDate,
): Promise<{ school: School; pupils: TsmPupil[] }[]> {
  await schoolVersions(deps.db);
  const out: { school: School; pupils: TsmPupil[] }[] = [];
  for (const school of schools) out.push({ school, pupils: await tsmPupilsOf(deps, school, asOf) });
  return out;
}

/**
 * A pupil, their school, and the resource every authorisation check of a pupil needs: the one
 * lookup most pupil services start with (kept on its own so services that import each other's
 * work, such as home visits and safeguarding alerts, need not import each other for it).
 */
import type { DbOrTrx } from '../db/connect.js';
import { findPupil, pupilGroupIds } from '../db/pupils/pupils.js';
import { getSchool } from './school/schools.js';
import type { Resource } from './authz.js';
import { AppError } from './errors.js';

/** A pupil, their school, and the resource for authorisation; PUPIL_NOT_FOUND when there is none. */
export async function loadPupilScope(db: DbOrTrx, pupilId: string) {
  const pupil = await findPupil(db, pupilId);
  if (!pupil) throw new AppError('PUPIL_NOT_FOUND', 'No such pupil.');
  const school = await getSchool(db, pupil.schoolId);
  const resource: Resource = {
    kind: 'pupil',
    pupilId,
    groupIds: await pupilGroupIds(db, pupilId),
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  };
  return { pupil, school, resource };
}

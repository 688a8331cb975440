/**
 * A subject access export: everything Rollcall holds about a pupil, as JSON, for a request under
 * UK GDPR article 15 (made by the pupil or, for most pupils, their parent). Only senior leaders
 * and administrators may make one, and every export is itself audited. See docs/privacy.md.
 */
import { findPupil, pupilGroupIds } from '../../db/pupils/pupils.js';
import { rowsAboutPupil, type TableRows } from '../../db/pupils/pupil-data.js';
import { getSchool } from '../school/schools.js';
import { audit } from '../audit.js';
import { authorise, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { pupilResource } from './pupils.js';

export interface SubjectAccessExport {
  readonly about: { readonly pupilId: string; readonly upn: string; readonly name: string };
  readonly school: { readonly urn: string; readonly name: string };
  readonly exportedAt: string;
  readonly exportedBy: string;
  /** How to read it: one key per table, rows as stored (dates YYYY-MM-DD, instants ISO, flags 0/1). */
  readonly notes: readonly string[];
  readonly data: TableRows;
}

export async function subjectAccessExport(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Actor,
  pupilId: string,
): Promise<SubjectAccessExport> {
  const pupil = await findPupil(deps.db, pupilId);
  if (!pupil) throw new AppError('PUPIL_NOT_FOUND', 'No such pupil.');
  const school = await getSchool(deps.db, pupil.schoolId);
  authorise(actor, 'pupil.subjectAccess', pupilResource(school, pupil.id, await pupilGroupIds(deps.db, pupil.id)));
  const at = deps.clock.now();
  const data = await deps.db.transaction().execute(async (trx) => {
    // Read first, so the export's own audit row is not part of it.
    const rows = await rowsAboutPupil(trx, pupil.id);
    await audit(trx, actor, at, {
      action: 'pupil.subjectAccess',
      entityType: 'pupil',
      entityId: pupil.id,
      pupilId: pupil.id,
      schoolId: school.id,
      details: { tables: Object.keys(rows), rows: Object.values(rows).reduce((n, r) => n + r.length, 0) },
    });
    return rows;
  });
  const name = `${pupil.legalForename} ${pupil.legalSurname}`.trim();
  return {
    about: { pupilId: pupil.id, upn: pupil.upn, name },
    school: { urn: school.urn, name: school.name },
    exportedAt: at,
    exportedBy: actor.name,
    notes: [
      'Every record Rollcall holds about the pupil, one key per table, rows exactly as stored.',
      'Dates are YYYY-MM-DD, times ISO 8601 in UTC, yes/no values 1/0.',
      'audit_log lists who viewed or changed the pupil’s record, and when.',
      'mark_history is every change to a mark: the code before and after, the reason, who and when.',
      'Marks and their history are kept for 6 years after the academic year they belong to, then removed.',
    ],
    data,
  };
}

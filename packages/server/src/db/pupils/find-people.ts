/**
 * Finding people fast (issue 17): pupils found by the name of one of their contacts, so that the
 * office finds the child of the parent on the telephone. Any word of the contact's name may start
 * with what was typed ("able" finds "Mrs Jane Able"); `%` and `_` are matched as typed.
 */
import type { PlainDate } from '@rollcall/domain';
import type { DbOrTrx } from '../connect.js';
import { lowerLike, prefixPattern } from '../like.js';
import type { PupilSummary } from './pupils.js';

export interface PupilByContact {
  readonly pupil: PupilSummary;
  readonly contactName: string;
  readonly relationship: string;
}

export async function pupilsByContactName(
  db: DbOrTrx,
  schoolId: string,
  query: string,
  limit = 10,
): Promise<PupilByContact[]> {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  const rows = await db
    .selectFrom('contacts')
    .innerJoin('pupils', 'pupils.id', 'contacts.pupil_id')
    .select([
      'pupils.id',
      'pupils.school_id',
      'pupils.upn',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'pupils.preferred_forename',
      'pupils.preferred_surname',
      'pupils.year_group',
      'pupils.reg_group_id',
      'pupils.admission_date',
      'pupils.leaving_date',
      'contacts.name as contact_name',
      'contacts.relationship',
    ])
    .where('pupils.school_id', '=', schoolId)
    .where((eb) =>
      eb.or([lowerLike('contacts.name', prefixPattern(q)), lowerLike('contacts.name', `% ${prefixPattern(q)}`)]),
    )
    .orderBy('contacts.name')
    .orderBy('pupils.legal_surname')
    .orderBy('pupils.legal_forename')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    pupil: {
      id: r.id,
      schoolId: r.school_id,
      upn: r.upn,
      forename: r.preferred_forename ?? r.legal_forename,
      surname: r.preferred_surname ?? r.legal_surname,
      yearGroup: r.year_group,
      regGroupId: r.reg_group_id,
      admissionDate: r.admission_date as PlainDate,
      leavingDate: r.leaving_date as PlainDate | null,
    },
    contactName: r.contact_name,
    relationship: r.relationship,
  }));
}

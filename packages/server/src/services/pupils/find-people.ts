/**
 * Finding people fast (issue 17, item 4): what the "Find a pupil" type-ahead suggests as someone
 * types: pupils by forename, surname or UPN, and pupils by the name of one of their contacts (the
 * office finds the child of the parent on the telephone). Each suggestion opens the pupil's page.
 * For those who may see the school's pupil lists (a teacher's own pupils are found on the pupils page).
 */
import { pupilsByContactName, type PupilByContact } from '../../db/pupils/find-people.js';
import { searchPupils, type PupilSummary } from '../../db/pupils/pupils.js';
import { listGroups } from '../../db/registers/registers.js';
import { getSchool } from '../school/schools.js';
import { authorise, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';

export interface FoundPerson {
  readonly href: string;
  /** What the list says, e.g. "Alex Able (Year 3 Oak)" or "Alex Able (Year 3 Oak): contact Jane Able, Mother". */
  readonly label: string;
}

/** At most this many pupils and as many contacts. */
const LIMIT = 10;

/** Suggestions for what was typed; nothing under two characters. */
export async function findPeople(deps: Deps, actor: Actor, schoolId: string, query: string): Promise<FoundPerson[]> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'school.viewPupilLists', {
    kind: 'school',
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  });
  const q = query.trim();
  if (q.length < 2) return [];
  const [pupils, byContact, registration] = await Promise.all([
    searchPupils(deps.db, school.id, q, LIMIT),
    pupilsByContactName(deps.db, school.id, q, LIMIT),
    listGroups(deps.db, school.id, 'registration'),
  ]);
  const groupName = new Map(registration.map((g) => [g.id, g.name]));
  const today = deps.clock.today(school.timeZone);
  const pupilLabel = (p: PupilSummary): string => {
    const where =
      (p.regGroupId ? groupName.get(p.regGroupId) : undefined) ?? (p.yearGroup ? `Year ${p.yearGroup}` : null);
    const left = p.leavingDate !== null && p.leavingDate < today ? 'left' : null;
    const notes = [where, left].filter(Boolean).join(', ');
    return `${p.forename} ${p.surname}${notes ? ` (${notes})` : ''}`;
  };
  const href = (p: PupilSummary): string => `/pupils/${encodeURIComponent(p.id)}`;
  const out: FoundPerson[] = pupils.map((p) => ({ href: href(p), label: pupilLabel(p) }));
  for (const c of byContact)
    out.push({ href: href(c.pupil), label: `${pupilLabel(c.pupil)}: contact ${c.contactName}, ${c.relationship}` });
  // Two contacts of one pupil with the same name read the same: keep one.
  return out.filter((f, i) => out.findIndex((g) => g.label === f.label) === i);
}

/** Pupils by the name of one of their contacts, for the pupils page's search (the form without the type-ahead). */
export async function findPupilsByContact(
  deps: Deps,
  actor: Actor,
  schoolId: string,
  query: string,
): Promise<PupilByContact[]> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'school.viewPupilLists', {
    kind: 'school',
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  });
  return query.trim().length < 2 ? [] : pupilsByContactName(deps.db, school.id, query, 50);
}

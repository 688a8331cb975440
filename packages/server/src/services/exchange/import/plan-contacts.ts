/**
 * The import's contacts file: contacts to add, change or remove, and restrictions set or cleared.
 */
import { newId } from '../../../platform/ids.js';
import { contactKey, type ContactRow } from './files.js';
import type { EntityCounts } from './report.js';
import type { ContactRecord } from '../../../db/exchange/import-store.js';

export interface ContactsPlan {
  created: ContactRecord[];
  updated: ContactRecord[];
  removed: string[];
  /** Contacts whose restriction the file sets or clears (each audited as on the pupil page). */
  restrictions: RestrictionChange[];
}

export interface RestrictionChange {
  readonly contactId: string;
  readonly pupilId: string;
  readonly name: string;
  readonly restriction: string | null;
}

export function diffContacts(
  rows: readonly ContactRow[],
  stored: readonly ContactRecord[],
  idByUpn: ReadonlyMap<string, string>,
  counts: EntityCounts,
): ContactsPlan {
  const storedByPupil = new Map<string, ContactRecord[]>();
  for (const c of stored) {
    const list = storedByPupil.get(c.pupil_id) ?? [];
    list.push(c);
    storedByPupil.set(c.pupil_id, list);
  }
  const created: ContactRecord[] = [];
  const updated: ContactRecord[] = [];
  const kept = new Set<string>();
  const pupils = new Set<string>();
  const restrictions: RestrictionChange[] = [];
  for (const r of rows) {
    const pupilId = idByUpn.get(r.upn);
    if (pupilId === undefined) continue;
    pupils.add(pupilId);
    const match = (storedByPupil.get(pupilId) ?? []).find(
      (c) => !kept.has(c.id) && contactKey(c.name) === contactKey(r.name),
    );
    const next: ContactRecord = {
      id: match?.id ?? newId(),
      pupil_id: pupilId,
      name: r.name,
      relationship: r.relationship,
      parental_responsibility: r.parentalResponsibility ? 1 : 0,
      lives_with_pupil: r.livesWithPupil === undefined ? (match?.lives_with_pupil ?? 0) : r.livesWithPupil ? 1 : 0,
      priority: r.priority,
      mobile_phone: r.mobilePhone,
      home_phone: r.homePhone,
      work_phone: r.workPhone,
      email: r.email,
      address: r.address === undefined ? (match?.address ?? null) : r.address,
      postcode: r.postcode === undefined ? (match?.postcode ?? null) : r.postcode,
      preferred_language: r.preferredLanguage === undefined ? (match?.preferred_language ?? null) : r.preferredLanguage,
      restriction: r.restriction === undefined ? (match?.restriction ?? null) : r.restriction,
    };
    if ((match?.restriction ?? null) !== next.restriction)
      restrictions.push({ contactId: next.id, pupilId, name: r.name, restriction: next.restriction });
    if (!match) {
      created.push(next);
      continue;
    }
    kept.add(match.id);
    const same = (Object.keys(next) as (keyof ContactRecord)[]).every((k) => next[k] === match[k]);
    if (same) counts.unchanged++;
    else updated.push(next);
  }
  // Contacts of the file's pupils that the file no longer lists are removed.
  const removed: string[] = [];
  for (const pupilId of pupils)
    for (const c of storedByPupil.get(pupilId) ?? []) if (!kept.has(c.id)) removed.push(c.id);
  counts.created = created.length;
  counts.updated = updated.length;
  counts.removed = removed.length;
  return { created, updated, removed, restrictions };
}

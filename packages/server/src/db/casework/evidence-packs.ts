/**
 * Queries of the evidence packs (services/casework/evidence-pack/pack.ts): the packs produced and
 * sent, and what a pack gathers beyond the case record (the pupil's contacts, home visits,
 * contact attempts and the days with marks).
 */
import type { Insertable } from 'kysely';
import type { DbOrTrx, Trx } from '../connect.js';
import type { EvidencePacksTable } from '../schema.js';

/** A produced pack with its PDF and what it was missing; undefined when there is no such pack. */
export async function findEvidencePack(db: DbOrTrx, packId: string) {
  return db
    .selectFrom('evidence_packs')
    .select(['id', 'pupil_id', 'school_id', 'kind', 'missing', 'status', 'pdf_base64', 'produced_at'])
    .where('id', '=', packId)
    .executeTakeFirst();
}

/** Whose pack it is, of which kind and for which period (not the PDF); undefined when there is none. */
export async function findEvidencePackPlace(db: DbOrTrx, packId: string) {
  return db
    .selectFrom('evidence_packs')
    .select(['pupil_id', 'kind', 'period_from', 'period_to'])
    .where('id', '=', packId)
    .executeTakeFirst();
}

/** Marks a produced pack sent (a pack already sent is left as it was). */
export async function markEvidencePackSent(
  db: DbOrTrx,
  packId: string,
  sent: { at: string; by: string; to: string },
): Promise<void> {
  await db
    .updateTable('evidence_packs')
    .set({ status: 'sent', sent_at: sent.at, sent_by: sent.by, sent_to: sent.to })
    .where('id', '=', packId)
    .where('status', '=', 'produced')
    .execute();
}

/** The pupil's packs (not their PDFs), the newest first. */
export async function evidencePacksOf(db: DbOrTrx, pupilId: string) {
  return db
    .selectFrom('evidence_packs')
    .select([
      'id',
      'kind',
      'period_from',
      'period_to',
      'missing',
      'status',
      'produced_by_name',
      'produced_at',
      'sent_at',
      'sent_to',
    ])
    .where('pupil_id', '=', pupilId)
    .orderBy('produced_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export async function insertEvidencePack(trx: Trx, values: Insertable<EvidencePacksTable>): Promise<void> {
  await trx.insertInto('evidence_packs').values(values).execute();
}

/** The pupil's contacts as a pack lists them, in priority order. */
export async function packContacts(db: DbOrTrx, pupilId: string) {
  return db
    .selectFrom('contacts')
    .select([
      'name',
      'relationship',
      'parental_responsibility',
      'address',
      'postcode',
      'mobile_phone',
      'home_phone',
      'email',
    ])
    .where('pupil_id', '=', pupilId)
    .orderBy('priority')
    .orderBy('id')
    .execute();
}

/** The pupil's home visits as a pack lists them, the earliest planned first. */
export async function packHomeVisits(db: DbOrTrx, pupilId: string) {
  return db
    .selectFrom('home_visits')
    .select(['status', 'planned_for', 'visited_at', 'reason', 'discussed', 'next_steps', 'child_seen'])
    .where('pupil_id', '=', pupilId)
    .orderBy('planned_for')
    .orderBy('id')
    .execute();
}

/** The attempts to reach the pupil's family as a pack lists them, the earliest first. */
export async function packContactAttempts(db: DbOrTrx, pupilId: string) {
  return db
    .selectFrom('contact_attempts')
    .select(['absence_date', 'method', 'contact_name', 'outcome', 'made_at', 'notes'])
    .where('pupil_id', '=', pupilId)
    .orderBy('made_at')
    .orderBy('id')
    .execute();
}

/** The days on which the pupil has any session mark (unordered). */
export async function markedDaysOf(db: DbOrTrx, pupilId: string): Promise<string[]> {
  return (await db.selectFrom('session_marks').select('date').distinct().where('pupil_id', '=', pupilId).execute()).map(
    (m) => m.date,
  );
}

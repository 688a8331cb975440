/** Queries of the evidence packs (services/casework/evidence-pack/pack.ts). */
import type { DbOrTrx } from '../connect.js';

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

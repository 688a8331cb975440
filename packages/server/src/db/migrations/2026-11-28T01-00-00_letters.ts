/**
 * Letters (issue 5): each school's letter templates (overrides of the policy's defaults), every
 * letter composed for a pupil (how it went: email through the outbox, or printed), and evidence
 * packs for a local-authority referral or a penalty-notice request, with the PDF as produced.
 * Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('letter_templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('key', 'text', (c) => c.notNull()) // e.g. meeting-invitation, stage-1a
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull()) // plain text with {{field}} merge fields
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('letter_templates_key')
    .on('letter_templates')
    .columns(['school_id', 'key'])
    .unique()
    .execute();

  await db.schema
    .createTable('letters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('template_key', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull()) // the letter as sent, merged and edited
    .addColumn('contact_id', 'text') // the recipient, when a contact
    .addColumn('recipient_name', 'text', (c) => c.notNull())
    .addColumn('recipient_address', 'text')
    .addColumn('method', 'text', (c) => c.notNull()) // email | print
    .addColumn('email_to', 'text')
    .addColumn('message_id', 'text') // the outbox message, when emailed
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('letters_pupil').on('letters').columns(['pupil_id', 'created_at']).execute();

  await db.schema
    .createTable('evidence_packs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('pupil_id', 'text', (c) => c.notNull().references('pupils.id'))
    .addColumn('kind', 'text', (c) => c.notNull()) // la-referral | penalty-notice
    .addColumn('period_from', 'text', (c) => c.notNull()) // date: the certificate's period
    .addColumn('period_to', 'text', (c) => c.notNull())
    .addColumn('missing', 'text', (c) => c.notNull()) // JSON: required items missing when produced
    .addColumn('contents', 'text', (c) => c.notNull()) // JSON: what the pack holds, section by section
    .addColumn('pdf_base64', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // produced | sent
    .addColumn('produced_by', 'text', (c) => c.notNull())
    .addColumn('produced_by_name', 'text', (c) => c.notNull())
    .addColumn('produced_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('sent_by', 'text')
    .addColumn('sent_to', 'text')
    .execute();
  await db.schema
    .createIndex('evidence_packs_pupil')
    .on('evidence_packs')
    .columns(['pupil_id', 'produced_at'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['evidence_packs', 'letters', 'letter_templates']) await db.schema.dropTable(t).execute();
}

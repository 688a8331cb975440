/**
 * Issue 15: a webhook's signing secret can be rotated. The new secret signs at once; the previous
 * one may keep signing beside it (a second `v1=` in the signature header) until a set time, so a
 * receiver can change its secret without refusing deliveries meanwhile. Frozen once committed.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webhook_subscriptions').addColumn('previous_secret_enc', 'text').execute();
  await db.schema.alterTable('webhook_subscriptions').addColumn('previous_secret_until', 'text').execute();
  await db.schema.alterTable('webhook_subscriptions').addColumn('secret_rotated_at', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and typed loosely on purpose
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webhook_subscriptions').dropColumn('secret_rotated_at').execute();
  await db.schema.alterTable('webhook_subscriptions').dropColumn('previous_secret_until').execute();
  await db.schema.alterTable('webhook_subscriptions').dropColumn('previous_secret_enc').execute();
}

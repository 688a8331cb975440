/**
 * `rollcall start` and `serve`: opening the configured database, migrating it, creating the demo
 * trust on an empty database (cli/demo.ts), and listening.
 */
import { buildApp } from '../http/app.js';
import { apiRoutes } from '../http/api.js';
import type { Config } from '../config/config.js';
import { migrateDatabase, migrationsBehind } from '../services/database.js';
import { createMailer } from '../platform/mail.js';
import { createSmsSender } from '../platform/sms.js';
import { holdServerLock } from '../platform/server-lock.js';
import { startScheduler } from '../services/duties/jobs/scheduler.js';
import { DEMO_PASSWORD, existingDemoSignIns, isDatabaseEmpty } from '../services/demo/index.js';
import { enrolDemoSecondFactors } from '../services/accounts/mfa.js';
import { demoSecondStepLines, runDemo } from './demo.js';
import { adminRoutes } from '../web/accounts/admin-routes.js';
import { webhookRoutes } from '../web/exchange/webhook-routes.js';
import { registerAuditRoutes } from '../web/duties/register-audit-routes.js';
import { boardRoutes } from '../web/registers/board-routes.js';
import { caseRoutes } from '../web/casework/case-routes.js';
import { analysisRoutes } from '../web/analysis/analysis-routes.js';
import { analysisMoreRoutes } from '../web/analysis/analysis-more-routes.js';
import { leaveRoutes } from '../web/leave/leave-routes.js';
import { letterRoutes } from '../web/casework/letter-routes.js';
import { officeRoutes } from '../web/office-desk/office-routes.js';
import { parentRoutes } from '../web/follow-up/parent-routes.js';
import { pupilRoutes } from '../web/pupils/pupil-routes.js';
import { registerRoutes } from '../web/registers/register-routes.js';
import { worklistRoutes } from '../web/follow-up/worklist-routes.js';
import { policyRoutes } from '../web/policy/policy-routes.js';
import { integrationRoutes } from '../web/pupils/integration-routes.js';
import { schoolDetailsRoutes } from '../web/school/school-details-routes.js';
import { schoolCodesRoutes } from '../web/exchange/school-codes-routes.js';
import { admissionsRoutes } from '../web/duties/admissions-routes.js';
import { jobsRoutes } from '../web/duties/jobs-routes.js';
import { returnsRoutes } from '../web/duties/returns-routes.js';
import { accountRoutes } from '../web/accounts/account-routes.js';
import { usersAdminRoutes } from '../web/accounts/users-admin-routes.js';
import { rollCallRoutes } from '../web/duties/roll-call-routes.js';
import { safeguardingRoutes } from '../web/safeguarding/safeguarding-routes.js';
import { offlineRoutes } from '../web/registers/offline-routes.js';
import type { CliIO } from './io.js';
import type { OpenedDeps } from './deps.js';
import { warmCohorts } from '../services/analysis/warm.js';

// Kept here too for the callers that open and serve in one import (bench/serve-at.mjs).
export { openDeps, runMigrate, type OpenedDeps } from './deps.js';

/** Every page and API plugin of the application, in one list. */
export const ROUTES = [
  registerRoutes,
  boardRoutes,
  officeRoutes,
  pupilRoutes,
  worklistRoutes,
  caseRoutes,
  parentRoutes,
  leaveRoutes,
  letterRoutes,
  analysisRoutes,
  analysisMoreRoutes,
  adminRoutes,
  webhookRoutes,
  registerAuditRoutes,
  returnsRoutes,
  admissionsRoutes,
  jobsRoutes,
  policyRoutes,
  integrationRoutes,
  schoolDetailsRoutes,
  schoolCodesRoutes,
  accountRoutes,
  usersAdminRoutes,
  rollCallRoutes,
  safeguardingRoutes,
  offlineRoutes,
  apiRoutes,
];

function describeDatabase(config: Config): string {
  return config.database.kind === 'sqlite' ? `SQLite at ${config.database.path}` : 'PostgreSQL (DATABASE_URL)';
}

/** `rollcall serve`'s exit code when the database needs migrating first. */
export const SERVE_NOT_MIGRATED = 6;

/**
 * Listens until stopped. With `prepare`, first migrates and, on an empty database, creates the
 * demo trust (this is what `npm start` does).
 */
export async function runServe(opened: OpenedDeps, io: CliIO, opts: { prepare: boolean }): Promise<number> {
  const { deps } = opened;
  if (opts.prepare) {
    await migrateDatabase(deps);
    if (await isDatabaseEmpty(deps.db)) {
      io.stdout('Empty database: creating the demo trust (a primary and a secondary with a year of marks)…\n');
      await runDemo(deps, io);
    } else {
      // Every start, not only the first, says how to sign in to the demo (while its accounts exist).
      const signIns = await existingDemoSignIns(deps.db);
      if (signIns.length > 0) {
        // A demo made before second factors: its leads get the demo key now.
        await enrolDemoSecondFactors(
          deps,
          signIns.map((u) => u.email),
        );
        io.stdout(
          [
            'Demo sign-ins (invented people; the password is the same for all unless it was changed):',
            ...signIns.map((u) => `  ${u.role.padEnd(20)} ${u.email}`),
            `  password: ${DEMO_PASSWORD}`,
            ...demoSecondStepLines(),
            '',
          ].join('\n') + '\n',
        );
      }
    }
  } else {
    // A database behind this version (an upgrade deployed without `rollcall migrate`) would fail
    // on every request that reads a new column: refuse to start, and say what to do.
    const pending = await migrationsBehind(deps);
    if (pending.length > 0) {
      io.stderr(
        `rollcall serve: ${describeDatabase(deps.config)} is ${pending.length} migration(s) behind this version of ` +
          `Rollcall (${pending.join(', ')}). Run \`rollcall migrate\` first (\`npm start\` migrates by itself); ` +
          'nothing was changed.\n',
      );
      await opened.close();
      return SERVE_NOT_MIGRATED;
    }
  }
  const app = await buildApp(deps, { routes: ROUTES });
  const address = await app.listen({ port: deps.config.port, host: deps.config.host });
  // While it serves, `rollcall restore` refuses to replace the database (platform/server-lock.ts).
  const database = deps.config.database;
  const releaseLock = database.kind === 'sqlite' && database.path !== ':memory:' ? holdServerLock(database.path) : null;
  // The scheduled jobs (services/jobs): register close, daily evaluation, N ageing, the message
  // outbox every minute, reports and returns due. See docs/jobs.md.
  const mailer = createMailer(deps.config.mail);
  const sms = createSmsSender(deps.config.sms, deps.logger, deps.clock);
  const scheduler = startScheduler(deps, { mailer, sms });
  // The analysis cache, school by school in the background (docs/analysis.md): the first trust or
  // LA view after a restart is then answered from memory.
  void warmCohorts(deps).catch((e: unknown) => deps.logger.warn({ err: e }, 'could not warm the analysis cache'));
  const shown = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
  io.stdout(`Rollcall is running at ${shown} on ${describeDatabase(deps.config)}. Stop it with Ctrl+C.\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  scheduler.stop();
  await app.close();
  releaseLock?.();
  mailer?.close();
  await opened.close();
  return 0;
}

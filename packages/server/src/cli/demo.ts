/**
 * `rollcall demo` and `demo-code`, and the demo's lines `npm start` prints: kept apart from
 * cli/server.ts so that building the demo from the command line loads no web server (its routes,
 * views and PDF fonts cost about 0.5 s of CPU to load; issue 18).
 */
import { createDemo, isDatabaseEmpty, type DemoSummary } from '../services/demo/index.js';
import { DEMO_TOTP_SECRET, enrolDemoSecondFactors, MFA_DEFAULT_ROLES, totpCode } from '../services/accounts/mfa.js';
import { addDemoCasework } from '../services/demo/casework.js';
import type { Deps } from '../services/deps.js';
import type { CliIO } from './io.js';

/** How the demo's leads pass the second step (docs/demo.md). */
export function demoSecondStepLines(): string[] {
  return [
    `  second step for ${MFA_DEFAULT_ROLES.join(', ')}: add this key to an authenticator app`,
    `    ${DEMO_TOTP_SECRET.replace(/(.{4})/g, '$1 ').trim()}`,
    '    (or run `npx rollcall demo-code` for the current code)',
  ];
}

export function printDemo(summary: DemoSummary, io: CliIO): void {
  const lines = [
    `Created the demo trust "${summary.trust.name}":`,
    ...summary.schools.map(
      (s) =>
        `  ${s.name} (URN ${s.urn}): ${s.pupils} pupils, ${s.sessionMarks.toLocaleString('en-GB')} session marks, ${s.lessonMarks.toLocaleString('en-GB')} lesson marks`,
    ),
    '',
    'Demo sign-ins (invented people; every account has the same password):',
    ...summary.signIns.map((u) => `  ${u.role.padEnd(20)} ${u.email}`),
    ...(summary.password ? [`  password: ${summary.password}`] : []),
    ...demoSecondStepLines(),
    '',
  ];
  io.stdout(`${lines.join('\n')}\n`);
}

export async function runDemo(deps: Deps, io: CliIO): Promise<number> {
  if (!(await isDatabaseEmpty(deps.db))) {
    io.stderr('rollcall demo: the database already has a school; the demo is only created on an empty database.\n');
    return 5;
  }
  const t0 = performance.now();
  const summary = await createDemo(deps.db, { today: deps.clock.today(deps.config.timeZone), now: deps.clock.now() });
  await addDemoCasework(deps, summary); // presets and live casework (services/demo/casework.ts)
  await enrolDemoSecondFactors(deps); // the roles that must use a second factor (docs/demo.md)
  printDemo(summary, io);
  io.stdout(`(demo created in ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  return 0;
}

/** The demo's current sign-in code (the demo key is public, like its password). */
export function runDemoCode(deps: Deps, io: CliIO): number {
  const now = deps.clock.now();
  const left = 30 - (Math.floor(Date.parse(now) / 1000) % 30);
  io.stdout(`${totpCode(DEMO_TOTP_SECRET, now)}  (for ${left} more seconds)\n`);
  return 0;
}

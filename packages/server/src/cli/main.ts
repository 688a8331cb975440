/** The `rollcall` command line: thin commands over the domain and services. */
// Commands load only what they use: each action imports its module when it runs, so `rollcall
// analyse` or `rollcall upn` never loads the server, the database drivers or the PDF fonts
// (decision 0004). Only types are imported here at the top.
import { Command, CommanderError, Option } from 'commander';
import { systemClock } from '../platform/clock.js';
import type { AnalyseArgs } from './analyse.js';
import type { CliIO } from './io.js';
import type { ImportArgs } from './import.js';
import type { ExportArgs, ExportCtfArgs, ExportDfeArgs } from './export.js';
import type { AuditRegistersArgs } from './audit-registers.js';
import type { OpenedDeps } from './deps.js';
import { terminalSafe } from '../services/text-safety.js';

export type { CliIO } from './io.js';

/** Exit code for a command line that is wrong (unknown option, missing argument). */
export const EXIT_USAGE = 2;

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  today: () => systemClock.today(),
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs the CLI with the given arguments (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], rawIO: CliIO = processIO): Promise<number> {
  // Names and notes come from imports and forms: whatever a command prints, a terminal escape
  // sequence in them is shown, never obeyed (services/text-safety.ts).
  const io: CliIO = {
    stdout: (text) => rawIO.stdout(terminalSafe(text)),
    stderr: (text) => rawIO.stderr(terminalSafe(text)),
    today: () => rawIO.today(),
  };
  let exitCode = 0;
  const program = new Command('rollcall')
    .description('Rollcall: school attendance for England')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(add --help for usage)');

  program
    .command('analyse')
    .alias('analyze')
    .description('Measures and statutory findings per pupil from a calendar and a marks export')
    .requiredOption('--calendar <file>', 'calendar.json: {"terms": [...], "closures": [...]}')
    .requiredOption('--marks <file>', 'marks.csv: upn,date,session,code[,minutes_late]')
    .option('--pupils <file>', 'pupils.csv: upn and optional details and on-roll dates')
    .option('--as-of <date>', 'analyse as of this date (YYYY-MM-DD); default today')
    .option('--from <date>', 'start of the statistics period; default the start of the academic year')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table', 'csv']).default('json'))
    .option('--min-possible-sessions <n>', 'policy minimum of possible sessions for PA/SA (default none)')
    .option('--explain', "add each pupil's findings with their explanation to the JSON")
    .exitOverride()
    .action(async (opts: AnalyseArgs) => {
      exitCode = await (await import('./analyse.js')).runAnalyse(opts, io);
    });

  program
    .command('upn')
    .description('Checks Unique Pupil Numbers (check letter, format); exit 1 if any is invalid')
    .argument('<upn...>', 'one or more UPNs')
    .exitOverride()
    .action(async (upns: string[]) => {
      exitCode = (await import('./upn.js')).runUpn(upns, io);
    });

  /** Opens the configured database for a command, closes it afterwards, and reports a bad configuration. */
  const withDeps = async (run: (opened: OpenedDeps) => Promise<number>, keepOpen = false): Promise<void> => {
    const [{ openDeps }, { processEnv }] = await Promise.all([import('./deps.js'), import('../config/config.js')]);
    const opened = openDeps(processEnv(), io);
    if (!opened) {
      exitCode = EXIT_USAGE;
      return;
    }
    try {
      exitCode = await run(opened);
    } finally {
      if (!keepOpen) await opened.close();
    }
  };

  program
    .command('start')
    .description('Migrate, create the demo trust on an empty database, and serve (what `npm start` runs)')
    .action(() =>
      withDeps(async (opened) => (await import('./server.js')).runServe(opened, io, { prepare: true }), true),
    );

  program
    .command('serve')
    .description('Serve Rollcall on PORT (default 3000) without migrating or creating data')
    .action(() =>
      withDeps(async (opened) => (await import('./server.js')).runServe(opened, io, { prepare: false }), true),
    );

  program
    .command('migrate')
    .description('Bring the database schema up to date')
    .action(() => withDeps(async ({ deps }) => (await import('./deps.js')).runMigrate(deps, io)));

  program
    .command('demo')
    .description('Create the demo trust (a primary and a secondary with a year of marks) on an empty database')
    .action(() =>
      withDeps(async ({ deps }) => {
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./demo.js')).runDemo(deps, io);
      }),
    );

  program
    .command('demo-code')
    .description("The demo's current second-step code for its administrators and leads (the demo key is public)")
    .action(() => withDeps(async ({ deps }) => (await import('./demo.js')).runDemoCode(deps, io)));

  program
    .command('import')
    .description(
      "Load a school's calendar, pupils, marks, contacts and groups into the database (all or nothing; see docs/cli/import.md)",
    )
    .requiredOption('--school <urn>', "the school's URN")
    .option('--calendar <file>', 'calendar.json, as for analyse')
    .option('--pupils <file>', 'pupils.csv, as for analyse plus surname and forename')
    .option('--marks <file>', 'marks.csv, as for analyse')
    .option('--contacts <file>', 'contacts.csv')
    .option('--groups <file>', 'groups.csv')
    .option('--ctf <file>', 'a Common Transfer File (XML): pupils, contacts, history and marks (docs/ctf.md)')
    .option('--school-name <name>', 'to create the school when the URN is new')
    .option('--phase <phase>', 'primary, secondary, special or all-through (a new school)')
    .option('--la-code <code>', 'local authority number (a new school)')
    .option('--la-name <name>', 'local authority name (a new school)')
    .option('--estab <number>', "the school's 4-digit DfE establishment number (with the LA code, its DfE number)")
    .option(
      '--week-commencing <date>',
      'YYYY-MM-DD, the Monday of a weekly marks grid whose columns name weekdays (Mon AM…) and not dates',
    )
    .option('--dry-run', 'check everything and report what would change, writing nothing')
    .addOption(
      new Option('--mis <mis>', 'the MIS whose export column names the CSV files use (see docs/mis-import.md)')
        .choices(['auto', 'sims', 'arbor', 'bromcom', 'none'])
        .default('auto'),
    )
    .addOption(new Option('--format <format>', 'report format').choices(['table', 'json']).default('table'))
    .action((opts: ImportArgs) =>
      withDeps(async ({ deps }) => {
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./import.js')).runImport(opts, io, {
          db: deps.db,
          dialect: deps.dialect,
          clock: deps.clock,
        });
      }),
    );

  const messages = program.command('messages').description('The message outbox: emails and texts to families');
  messages
    .command('deliver')
    .description('Send the messages that are due (retrying failures with increasing delays)')
    .option('--limit <n>', 'at most this many messages', '500')
    .action((opts: { limit: string }) =>
      withDeps(async ({ deps }) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) {
          io.stderr(`rollcall messages deliver: --limit must be a whole number of 1 or more, got "${opts.limit}"\n`);
          return EXIT_USAGE;
        }
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./messages.js')).runDeliver(deps, io, { limit });
      }),
    );
  messages
    .command('summaries')
    .description("Queue the half-termly attendance summary to every parent of a school's pupils")
    .requiredOption('--school <urn>', "the school's URN")
    .option('--as-of <date>', 'figures as of this date (default today)')
    .action((opts: { school: string; asOf?: string }) =>
      withDeps(async ({ deps }) => {
        const asOf = opts.asOf ?? deps.clock.today(deps.config.timeZone);
        if (!(await import('@rollcall/domain')).isPlainDate(asOf)) {
          io.stderr(`rollcall messages summaries: --as-of "${asOf}" is not a date: write it as YYYY-MM-DD\n`);
          return EXIT_USAGE;
        }
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./messages.js')).runSummaries(deps, io, { schoolUrn: opts.school, asOf });
      }),
    );

  program
    .command('convert-stale-n')
    .description("Turn N marks older than the school policy's limit into O (with the reason), telling parents")
    .requiredOption('--school <urn>', "the school's URN")
    .option('--as-of <date>', 'as of this date (default today)')
    .action((opts: { school: string; asOf?: string }) =>
      withDeps(async ({ deps }) => {
        const asOf = opts.asOf ?? deps.clock.today(deps.config.timeZone);
        if (!(await import('@rollcall/domain')).isPlainDate(asOf)) {
          io.stderr(`rollcall convert-stale-n: --as-of "${asOf}" is not a date: write it as YYYY-MM-DD\n`);
          return EXIT_USAGE;
        }
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./messages.js')).runConvertStaleN(deps, io, { schoolUrn: opts.school, asOf });
      }),
    );

  const letters = program.command('letters').description('Letters to families');
  letters
    .command('print')
    .description(
      "One template's letter to every family (all pupils on roll, or those named), one per contact with parental responsibility and a postal address, as one PDF",
    )
    .requiredOption('--school <urn>', "the school's URN")
    .requiredOption('--template <key>', 'the letter template, e.g. attendance-summary')
    .option('--upn <upn...>', 'only these pupils (default every pupil on roll)')
    .option('--date <date>', "the letter's date (YYYY-MM-DD, default today)")
    .requiredOption('--out <file>', 'the PDF to write')
    .action((opts: { school: string; template: string; upn?: string[]; date?: string; out: string }) =>
      withDeps(async ({ deps }) => {
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./letters.js')).runLettersPrint(deps, io, opts);
      }),
    );

  const casework = program.command('casework').description('Staged attendance casework');
  casework
    .command('evaluate')
    .description("Evaluate every pupil on roll against the school's casework policy and store suggestions")
    .requiredOption('--date <date>', 'the day of the evaluation (YYYY-MM-DD)')
    .option('--school <urn>', "one school's URN (default every school)")
    .action((opts: { date: string; school?: string }) =>
      withDeps(async ({ deps }) => {
        if (!(await import('@rollcall/domain')).isPlainDate(opts.date)) {
          io.stderr(`rollcall casework evaluate: --date "${opts.date}" is not a date: write it as YYYY-MM-DD\n`);
          return EXIT_USAGE;
        }
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./casework.js')).runCaseworkEvaluate(deps, io, {
          schoolUrn: opts.school,
          asOf: opts.date,
        });
      }),
    );

  program
    .command('backup <file>')
    .description(
      'Copy the whole database to <file> (SQLite online backup; PostgreSQL: prints pg_dump guidance, exit 2)',
    )
    .action(async (file: string) => {
      exitCode = await (
        await import('./backup.js')
      ).runBackup((await import('../config/config.js')).processEnv(), file, io);
    });
  program
    .command('restore <file>')
    .description(
      'Replace the database with the backup <file> (stop the server first; PostgreSQL: prints pg_restore guidance, exit 2)',
    )
    .action(async (file: string) => {
      exitCode = await (
        await import('./backup.js')
      ).runRestore((await import('../config/config.js')).processEnv(), file, io);
    });

  const jobs = program.command('jobs').description('Scheduled jobs: the schedule table and running a job by hand');
  jobs
    .command('list')
    .description('Every job, when it runs, and its latest run')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((opts: { format: 'table' | 'json' }) =>
      withDeps(async ({ deps }) => {
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./jobs.js')).runJobsList(deps, io, opts);
      }),
    );
  jobs
    .command('run')
    .description('Run a job for a date (once per job and date: running it again does nothing new)')
    .argument('<name>', 'the job (see `rollcall jobs list`)')
    .option('--date <date>', 'the date to run it for (default today)')
    .option('--school <urn>', 'run it for this school alone (default: every school)')
    .action((name: string, opts: { date?: string; school?: string }) =>
      withDeps(async ({ deps }) => {
        const date = opts.date ?? deps.clock.today(deps.config.timeZone);
        if (!(await import('@rollcall/domain')).isPlainDate(date)) {
          io.stderr(`rollcall jobs run: --date "${date}" is not a date: write it as YYYY-MM-DD\n`);
          return EXIT_USAGE;
        }
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./jobs.js')).runJobsRun(deps, io, { name, date, school: opts.school });
      }),
    );

  const exportCommand = program.command('export').description('Attendance files for the DfE (docs/exports.md)');
  exportCommand
    .command('daily')
    .description(
      "The DfE daily pupil-level file: every pupil item, each session of the day and the last 7 days' changed codes",
    )
    .requiredOption('--school <urn>', "the school's URN")
    .option('--date <date>', 'the school day (YYYY-MM-DD; default today)')
    .option('--out <file>', 'write the CSV to a file instead of standard output')
    .action((opts: ExportArgs) =>
      withDeps(async ({ deps }) => (await import('./export.js')).runExport('daily', opts, io, deps)),
    );
  exportCommand
    .command('census')
    .description(
      'The census attendance file for a DfE census period (--period), or counts per pupil over a term or dates',
    )
    .requiredOption('--school <urn>', "the school's URN")
    .option('--period <period>', 'autumn (1 Aug–31 Dec), spring (to Easter Sunday), summer-1 or summer-2')
    .option(
      '--year <year>',
      'with --period: the academic year by the year it starts, e.g. 2025 (default: the current one)',
    )
    .option('--term <name>', 'the term\'s name in the school calendar (e.g. "Autumn 1")')
    .option('--from <date>', 'first date (YYYY-MM-DD), instead of --term')
    .option('--to <date>', 'last date (YYYY-MM-DD), instead of --term')
    .option('--out <file>', 'write the CSV to a file instead of standard output')
    .action((opts: ExportArgs) =>
      withDeps(async ({ deps }) => (await import('./export.js')).runExport('census', opts, io, deps)),
    );
  exportCommand
    .command('census-return')
    .description('The census attendance file for a DfE census period, per pupil of census age (= census --period)')
    .requiredOption('--school <urn>', "the school's URN")
    .requiredOption('--period <period>', 'autumn (1 Aug–31 Dec), spring (to Easter Sunday), summer-1 or summer-2')
    .option('--year <year>', 'the academic year by the year it starts, e.g. 2025 (default: the current one)')
    .option('--out <file>', 'write the CSV to a file instead of standard output')
    .action((opts: ExportDfeArgs) =>
      withDeps(async ({ deps }) => (await import('./export.js')).runExportDfe('census-return', opts, io, deps)),
    );
  exportCommand
    .command('dfe-daily')
    .description('The DfE daily pupil-level file (the same as export daily)')
    .requiredOption('--school <urn>', "the school's URN")
    .option('--date <date>', 'the school day (YYYY-MM-DD; default today)')
    .option('--out <file>', 'write the CSV to a file instead of standard output')
    .action((opts: ExportDfeArgs) =>
      withDeps(async ({ deps }) => (await import('./export.js')).runExportDfe('dfe-daily', opts, io, deps)),
    );
  exportCommand
    .command('ctf')
    .description('A Common Transfer File (XML) for leavers, or of attendance for the MIS (docs/ctf.md)')
    .requiredOption('--school <urn>', "the school's URN")
    .option('--upn <upn...>', 'the pupils (default: those who left in the last 15 school days)')
    .option('--destination <la/estab>', "the destination school's LA and establishment numbers, e.g. 330/2001")
    .option('--attendance', 'attendance only, for every pupil on roll in --from … --to (marks back to the MIS)')
    .option('--from <date>', 'with --attendance: first date (default: the start of the academic year)')
    .option('--to <date>', 'with --attendance: last date (default: today)')
    .requiredOption('--out <file>', 'the file to write (a folder: the DfE file name inside it)')
    .action((opts: ExportCtfArgs) =>
      withDeps(async ({ deps }) => {
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./export.js')).runExportCtf(opts, io, deps);
      }),
    );

  program
    .command('audit-registers')
    .description(
      'The register audit: registers not taken, missing marks, stale N, unusual codes… (docs/register-audit.md)',
    )
    .requiredOption('--school <urn>', "the school's URN")
    .requiredOption('--from <date>', 'first date (YYYY-MM-DD)')
    .requiredOption('--to <date>', 'last date (YYYY-MM-DD)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((opts: AuditRegistersArgs) =>
      withDeps(async ({ deps }) => (await import('./audit-registers.js')).runAuditRegisters(opts, io, deps)),
    );

  const policy = program.command('policy').description("A school's attendance policy document (docs/policy.md)");
  policy
    .command('show')
    .description("Print the school's policy document (YAML)")
    .requiredOption('--school <urn>', "the school's URN")
    .action((opts: { school: string }) =>
      withDeps(async ({ deps }) => {
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./policy.js')).runPolicyShow(deps, io, { schoolUrn: opts.school });
      }),
    );
  policy
    .command('set')
    .description(
      "Check and store the school's policy: a preset's whole policy, or a YAML/JSON document " +
        '(audited as the system; every problem names its field; nothing is stored unless it is clean)',
    )
    .requiredOption('--school <urn>', "the school's URN")
    .option(
      '--preset <id>',
      'a preset: stockton-tiers, all-saints-stages, stoccat-twin-track, stockport-staged, james-marks-adjusted',
    )
    .option('--file <file>', 'a policy document, policy.yaml or policy.json')
    .action(async (opts: { school: string; preset?: string; file?: string }) => {
      if (!(await import('./policy-args.js')).oneSource(opts, io)) {
        exitCode = EXIT_USAGE;
        return;
      }
      await withDeps(async ({ deps }) => {
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./policy.js')).runPolicySet(deps, io, {
          schoolUrn: opts.school,
          preset: opts.preset,
          file: opts.file,
        });
      });
    });

  const codes = program
    .command('codes')
    .description("A school's own attendance codes and the national code each is imported as (docs/mis-import.md)");
  codes
    .command('list')
    .description("Print the school's own codes")
    .requiredOption('--school <urn>', "the school's URN")
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((opts: { school: string; format: string }) =>
      withDeps(async ({ deps }) => {
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./codes.js')).runCodesList(deps, io, opts);
      }),
    );
  codes
    .command('set')
    .description('Add a code of the school, or change the national code it stands for (audited)')
    .requiredOption('--school <urn>', "the school's URN")
    .requiredOption('--code <code>', "the school's own code, as its MIS writes it")
    .requiredOption('--as <code>', 'the national code it stands for (the 2024 set)')
    .option('--meaning <text>', 'what the school uses it for')
    .action((opts: { school: string; code: string; as: string; meaning?: string }) =>
      withDeps(async ({ deps }) => {
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./codes.js')).runCodesSet(deps, io, opts);
      }),
    );
  codes
    .command('remove')
    .description('Remove a code of the school (marks already imported keep their national code; audited)')
    .requiredOption('--school <urn>', "the school's URN")
    .requiredOption('--code <code>', "the school's own code")
    .action((opts: { school: string; code: string }) =>
      withDeps(async ({ deps }) => {
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./codes.js')).runCodesRemove(deps, io, opts);
      }),
    );

  const users = program.command('users').description('Manage accounts');
  users
    .command('create')
    .description('Create an account; the password is read from standard input (--password-stdin)')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--name <name>', 'display name')
    .requiredOption(
      '--role <role>',
      'teacher, office, attendance_officer, senco, senior_leader, governor, trust_lead, la_officer, parent or admin',
    )
    .option('--school-urn <urn>', 'the school, for school roles')
    .option('--trust-id <id>', 'the trust, for a trust attendance lead')
    .option('--la-code <code>', 'the local authority, for a local authority officer')
    .option('--password-stdin', 'read the password from standard input (at least 12 characters)')
    .action(
      (opts: {
        email: string;
        name: string;
        role: string;
        schoolUrn?: string;
        trustId?: string;
        laCode?: string;
        passwordStdin?: boolean;
      }) =>
        withDeps(async ({ deps }) => {
          if (!opts.passwordStdin) {
            io.stderr(
              'rollcall users create: give the password on standard input with --password-stdin (it is never taken as an argument)\n',
            );
            return EXIT_USAGE;
          }
          const password = (await readStdin()).replace(/\r?\n$/, '');
          await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
          return (await import('./users.js')).usersCreateCommand(deps, { ...opts, password }, io);
        }),
    );
  users
    .command('reset-password')
    .description(
      'Set a temporary password (read from standard input with --password-stdin): every session ends, ' +
        'and the person must choose their own at their next sign-in',
    )
    .requiredOption('--email <email>', 'the account’s sign-in email')
    .option('--password-stdin', 'read the temporary password from standard input (at least 12 characters)')
    .action((opts: { email: string; passwordStdin?: boolean }) =>
      withDeps(async ({ deps }) => {
        if (!opts.passwordStdin) {
          io.stderr(
            'rollcall users reset-password: give the password on standard input with --password-stdin (it is never taken as an argument)\n',
          );
          return EXIT_USAGE;
        }
        const password = (await readStdin()).replace(/\r?\n$/, '');
        await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
        return (await import('./users.js')).usersResetPasswordCommand(deps, { email: opts.email, password }, io);
      }),
    );
  for (const disabled of [true, false]) {
    users
      .command(disabled ? 'disable' : 'enable')
      .description(
        disabled
          ? 'Disable an account: it cannot sign in, and every session of it ends at once'
          : 'Enable a disabled account again',
      )
      .requiredOption('--email <email>', 'the account’s sign-in email')
      .action((opts: { email: string }) =>
        withDeps(async ({ deps }) => {
          await (await import('./deps.js')).runMigrate(deps, { ...io, stdout: () => {} });
          return (await import('./users.js')).usersSetDisabledCommand(deps, { email: opts.email, disabled }, io);
        }),
      );
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error.
      return e.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    io.stderr(`rollcall: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  return exitCode;
}

/** The `rollcall` command line: thin commands over the domain and services. */
import { Command, CommanderError, Option } from 'commander';
import { systemClock } from '../platform/clock.js';
import { runAnalyse, type AnalyseArgs } from './analyse.js';
import type { CliIO } from './io.js';
import { runUpn } from './upn.js';

export type { CliIO } from './io.js';

/** Exit code for a command line that is wrong (unknown option, missing argument). */
export const EXIT_USAGE = 2;

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  today: () => systemClock.today(),
};

/** Runs the CLI with the given arguments (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
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
    .option('--explain', 'add each pupil\'s findings with their explanation to the JSON')
    .exitOverride()
    .action(async (opts: AnalyseArgs) => {
      exitCode = await runAnalyse(opts, io);
    });

  program
    .command('upn')
    .description('Checks Unique Pupil Numbers (check letter, format); exit 1 if any is invalid')
    .argument('<upn...>', 'one or more UPNs')
    .exitOverride()
    .action((upns: string[]) => {
      exitCode = runUpn(upns, io);
    });

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

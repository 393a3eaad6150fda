#!/usr/bin/env node
/**
 * The `simdnet` command line: train a network on a CSV file, predict,
 * evaluate, inspect a saved model, show the platform, run the benchmark.
 *
 * Commands are loaded on demand, so `--help` does not compile the kernels.
 * Errors the user can fix are one line on stderr and exit code 1 (2 for a bad
 * command line); set SIMDNET_DEBUG=1 for stack traces.
 */
import { CliError, UsageError, packageVersion } from './util.js';

const HELP = `Usage: simdnet <command> [options]

Commands
  train DATA.csv --target COLUMN [options]   train a network on a CSV file and save it
  predict DIR DATA.csv [--out FILE]          predictions (labels and probabilities, or values)
  evaluate DIR DATA.csv                      loss and metrics on a CSV with the target column
  summary DIR                                the saved model's layers and expected columns
  info                                       version, backend, SIMD / relaxed SIMD, threads
  bench                                      the quick benchmark

Run simdnet <command> --help for a command's options.
  -h, --help       this help
  -V, --version    the version

Examples
  simdnet train examples/data/pima-indians-diabetes.csv --no-header --target last \\
    --out pima-model --plot pima.svg
  simdnet predict pima-model new-patients.csv --out predictions.csv
  simdnet train penguins.csv --target species --ignore id --impute median

The defaults (standardized numeric features, text columns one-hot encoded, one
hidden layer of 32 units, adam at 0.005, early stopping after 30 epochs without
improvement) are meant to work on small tabular data without flags.
`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  train: async () => (await import('./commands/train.js')).train,
  predict: async () => (await import('./commands/predict.js')).predict,
  evaluate: async () => (await import('./commands/evaluate.js')).evaluate,
  summary: async () => (await import('./commands/summary.js')).summary,
  info: async () => (await import('./commands/info.js')).info,
  bench: async () => (await import('./commands/bench.js')).bench,
};

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '-h' || cmd === '--help') {
    process.stdout.write(HELP);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '-V' || cmd === '--version') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (cmd === 'help') {
    const sub = rest[0];
    if (sub === undefined) {
      process.stdout.write(HELP);
      return 0;
    }
    if (!Object.prototype.hasOwnProperty.call(COMMANDS, sub)) throw new UsageError(`unknown command '${sub}'`);
    return (await COMMANDS[sub]!())(['--help']);
  }
  if (!Object.prototype.hasOwnProperty.call(COMMANDS, cmd)) {
    throw new UsageError(
      cmd.startsWith('-')
        ? `unknown option '${cmd}' (a command comes first)`
        : `unknown command '${cmd}'. Commands: ${Object.keys(COMMANDS).join(', ')}`,
    );
  }
  return (await COMMANDS[cmd]!())(rest);
}

function report(e: unknown): number {
  const debug = !!process.env.SIMDNET_DEBUG;
  if (e instanceof UsageError) {
    process.stderr.write(
      `simdnet: error: ${e.message}\nRun 'simdnet ${e.command ? `${e.command} ` : ''}--help' for usage.\n`,
    );
    if (debug) process.stderr.write(`${e.stack}\n`);
    return e.exitCode;
  }
  if (e instanceof CliError) {
    process.stderr.write(`simdnet: error: ${e.message}\n`);
    if (debug) process.stderr.write(`${e.stack}\n`);
    return e.exitCode;
  }
  // The library's own errors (ValueError, DataError, …) carry messages meant for users too.
  const err = e instanceof Error ? e : new Error(String(e));
  const ours = /^(SimdnetError|ValueError|DataError|NotSupportedError)$/.test(err.name);
  process.stderr.write(`simdnet: error: ${ours ? err.message : `${err.name}: ${err.message}`}\n`);
  if (debug || !ours) process.stderr.write(`${err.stack}\n`);
  return 1;
}

// Writing to a closed pipe (simdnet predict … | head) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = report(e);
  },
);

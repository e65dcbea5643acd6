// recomp's command-line entry: dispatches to one module per subcommand.
import { readFileSync } from 'node:fs';
import { failure, WriteError } from '../common/fs.js';
import { UsageError } from './command.js';
import { commands, printHelp } from './commands.js';
import { codeHash } from '../common/versions.js';
import { VERSION } from './version.js';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0] !== undefined) return main([rest[0], '--help']);
    printHelp(process.stdout);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`recomp ${VERSION} (code ${codeHash().slice(0, 12)}, node ${process.versions.node})\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`recomp: unknown command '${name}'\nRun 'recomp --help' for the list of commands.\n`);
    return 2;
  }
  try {
    return await (await command.load())(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`recomp ${name}: ${e.message}\nRun 'recomp ${name} --help' for usage.\n`);
      return 2;
    }
    if (e instanceof WriteError) {
      process.stderr.write(`recomp ${name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

// A reader that stops early (`recomp analyze ... | head`) closes the pipe: stop quietly, as
// the classic tools do, instead of failing on the next write.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

/**
 * Bazel hands long command lines over in a param file: `recomp @FILE` alone, FILE holding one
 * argument per line (Args.use_param_file with the "multiline" format).
 */
function commandLine(argv: string[]): string[] {
  if (argv.length !== 1 || !argv[0].startsWith('@')) return argv;
  const text = readFileSync(argv[0].slice(1), 'utf8');
  return text.split('\n').slice(0, text.endsWith('\n') ? -1 : undefined);
}

/** the process's arguments: one command, a param file of one, or Bazel's worker mode */
async function entry(args: string[]): Promise<number> {
  if (args.includes('--persistent_worker')) {
    // Bazel's persistent worker (rules/private/action.bzl, with --@rules_recomp//rules:worker)
    const { serveWorker } = await import('../worker/worker.js');
    return serveWorker((request) => main(commandLine(request)));
  }
  let argv: string[];
  try {
    argv = commandLine(args);
  } catch (e) {
    process.stderr.write(`recomp: cannot read the param file ${args[0].slice(1)}: ${failure(e)}\n`);
    return 2;
  }
  return main(argv);
}

entry(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (e: unknown) => {
    // An unexpected failure is our bug; say so plainly, with the trace only on request.
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`recomp: internal error: ${msg}\n`);
    if (process.env.RECOMP_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exitCode = 70;
  },
);

// `recomp aot INPUT --target ARCH -o BLOB`: a native, sandboxed executable from a module
// translated --for aot (or from the ELF, translated on the way), with its manifest.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { checkOutputDir, failure, writeAtomic } from '../common/fs.js';
import { hasElfMagic } from '../elf/index.js';
import { AotError, compileAot, TARGETS, type Target } from '../aot/index.js';
import { COLD_LEVEL, type HotSet } from '../aot/cold.js';
import { checkProfileOf, ProfileError, ranFunctions, readProfile } from '../profile/index.js';
import { fileRef, manifestPathOf, readManifest, serializeManifest, stampNow, toolchain, TrustError, type FileRef, type Manifest } from '../manifest/manifest.js';
import { signOutput } from '../manifest/attestation.js';
import { loadSigningKey } from '../manifest/keys.js';
import { parseFlags } from './args.js';
import { phaseLine } from './progress.js';
import { UsageError } from './command.js';
import { VERSION } from './version.js';

const HELP = `Usage: recomp aot INPUT --target x86_64|aarch64 -o BLOB [options]

Compiles a module ahead of time into BLOB, a standalone static Linux executable for the
target architecture (no Node needed to run it), and writes BLOB.manifest.json beside it
(trust level aot: the module it came from, wasm2c's version, the C compiler, every flag and
the host system calls its seccomp filter allows).
INPUT is a module made by 'recomp translate --for aot' (its manifest beside it), or an ELF
executable, which is translated --for aot first (the module is kept as BLOB.wasm).

The blob keeps the wasm sandbox: the guest's memory is the module's linear memory behind
guard pages, and its system calls go through a native vkernel with the same rules as
'recomp run': only directories granted with --dir are visible, nothing of the host's
environment passes unless given with --env, and a signal N that ends the guest gives exit
status 128+N. Run './BLOB --help' for its options, or 'recomp run BLOB --trusted-key KEY'
to check its signature first.

Under the sandbox, before the guest's first instruction, the blob installs a seccomp filter
on itself: its process may make only the host system calls that its handlers for the
module's syscall set make (every handler's when the set is incomplete) and that its runtime
needs; the manifest lists them (aot.seccomp.allowed). Any other call stops the blob with a
message naming it and exit status 125 (a recomp bug). Where the kernel has no seccomp
filters (or under qemu-user), the blob warns and runs unfiltered.

The C comes from wasm2c (npm wabt); the compiler is gcc for the host's own architecture and
the Debian cross compiler (x86_64-linux-gnu-gcc, aarch64-linux-gnu-gcc) for the other. The
same module, recomp and compiler give the same bytes on any host, from any directory.

Options:
  -o, --output FILE   the blob to write (required)
  --target ARCH       the architecture of the host that will run the blob (required)
  --cc COMMAND        the C compiler (default: as above)
  -O LEVEL            for an ELF INPUT: the translation's -O level (default 2)
  --keep-c DIR        also write the generated C (module, glue) into DIR, for audits
  --profile FILE      an execution profile of this module ('recomp run MODULE --profile
                      FILE'): the guest functions that ran are compiled with the full flags,
                      the others at -O1, which cuts the compile time of a large program
                      (a third of gcc's time for a glibc benchmark) and not its speed on
                      the paths the profile saw. A profile of other bytes is refused
  --hot-only          not possible, refused: it would compile only the hot functions and
                      leave the rest as wasm, but a blob has no WebAssembly engine to run
                      them (wasm2c turns every function into C); use --profile
  --sign-key KEY      sign the blob's manifest (BLOB.dsse.json; see recomp keygen)
  --stamp             add the time and host name to the manifest (outside what reproduces)
  --json              print a report (outputs, compiler, filter, seconds) on stdout
  -q, --quiet         print nothing on success
  -h, --help          this help

Exit status: 0 on success, 1 when the input cannot be compiled (the message says why), 2 on
bad usage.

Example:
  recomp translate --for aot ./app -o app.wasm
  recomp aot app.wasm --target x86_64 -o app.x86_64 && ./app.x86_64 --dir . -- --help
  recomp run app.wasm --profile app.profile.json -- typical input
  recomp aot app.wasm --profile app.profile.json --target x86_64 -o app.x86_64
`;

export async function aot(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    output: { type: 'string', short: 'o' },
    target: { type: 'string' },
    cc: { type: 'string' },
    O: { type: 'string', short: 'O' },
    'keep-c': { type: 'string' },
    profile: { type: 'string' },
    'hot-only': { type: 'boolean' },
    'sign-key': { type: 'string' },
    stamp: { type: 'boolean' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('aot takes one module or ELF file (see recomp aot --help)');
  if (!values.output) throw new UsageError('aot needs -o BLOB');
  if (!values.target) throw new UsageError(`aot needs --target (${TARGETS.join(' or ')})`);
  if (!TARGETS.includes(values.target as Target)) throw new UsageError(`--target takes ${TARGETS.join(' or ')}, not '${values.target}'`);
  const target = values.target as Target;
  const level = values.O ?? '2';
  if (!/^[0-3]$/.test(level)) throw new UsageError(`-O takes 0, 1, 2 or 3, not '${level}'`);
  if (values['hot-only'])
    throw new UsageError(
      "--hot-only cannot be done: it would leave the functions the profile did not see as wasm, but a blob has no WebAssembly engine to run them (wasm2c compiles every function to C, and no engine that could live inside a static blob is at hand). --profile FILE compiles those functions cheaply (-O1) instead",
    );
  if (values['keep-c'] && !existsSync(values['keep-c'])) throw new UsageError(`--keep-c ${values['keep-c']}: no such directory`);
  const [input] = positionals;
  const output = values.output;
  // an output that cannot be written fails before the long compilation, not after
  checkOutputDir(output);
  const started = Date.now();
  const phase = values.quiet ? undefined : phaseLine('aot');
  try {
    const signer = values['sign-key'] ? loadSigningKey(values['sign-key']) : undefined;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(input);
    } catch (e) {
      throw new AotError(`cannot read ${input}: ${failure(e)}`);
    }
    // the module and the manifest that says what it was made from
    let modulePath = input;
    let moduleManifest: Manifest;
    const fromElf = hasElfMagic(bytes);
    if (fromElf) {
      const [{ translateFile }, { TranslateError }] = await Promise.all([import('./translate.js'), import('../translate/index.js')]);
      modulePath = `${output}.wasm`;
      try {
        ({ manifest: moduleManifest } = translateFile(input, modulePath, { optimize: Number(level), flavour: 'aot', onPhase: phase?.show }));
      } catch (e) {
        if (e instanceof TranslateError) throw new AotError(e.message);
        throw e;
      }
      bytes = readFileSync(modulePath);
    } else {
      const mpath = manifestPathOf(input);
      if (!existsSync(mpath)) throw new AotError(`${input}: its manifest ${basename(mpath)} is missing (recomp translate writes it beside the module); the blob's manifest names the ELF it came from`);
      moduleManifest = readManifest(mpath);
      if (moduleManifest.outputs[0].sha256 !== fileRef('', bytes).sha256) throw new AotError(`${input}: its manifest ${basename(mpath)} describes other bytes (the module changed after it was made)`);
    }
    const profile = values.profile ? profileFor(values.profile, bytes) : undefined;
    const result = await compileAot(bytes, { target, cc: values.cc, keepC: values['keep-c'], hot: profile?.hot, onPhase: phase?.show });
    phase?.clear();
    const outName = basename(output);
    const manifest: Manifest = {
      schema: 'recomp.manifest/v1',
      trust: 'aot',
      input: moduleManifest.input,
      options: moduleManifest.options,
      toolchain: toolchain(VERSION),
      outputs: [{ ...fileRef(outName, result.blob), mediaType: 'application/x-executable' }],
      syscalls: moduleManifest.syscalls,
      policy: moduleManifest.policy,
      aot: {
        target,
        module: fileRef(basename(modulePath), bytes),
        wasm2c: result.wasm2c,
        compiler: result.compiler,
        flags: result.flags,
        seccomp: { allowed: result.hostSyscalls },
        ...(profile && result.split ? { profile: { ...profile.ref, ...result.split, coldOptimize: COLD_LEVEL } } : {}),
      },
      build: { command: ['recomp', 'aot', basename(input), '--target', target, ...(fromElf ? [`-O${level}`] : []), ...(profile ? ['--profile', profile.ref.name] : []), '-o', outName] },
      ...(values.stamp ? { stamp: stampNow() } : {}),
    };
    writeAtomic(output, result.blob, 0o755);
    writeAtomic(manifestPathOf(output), serializeManifest(manifest));
    const signed = signer ? signOutput(output, signer) : undefined;
    const seconds = (Date.now() - started) / 1000;
    if (values.json) {
      process.stdout.write(JSON.stringify({ schema: 'recomp.aot-report/v1', input: manifest.input, outputs: manifest.outputs, aot: manifest.aot, ...(signed ? { signature: signed } : {}), seconds }, null, 2) + '\n');
    } else if (!values.quiet) {
      process.stderr.write(
        `recomp aot: ${output}: ${target} executable, ${result.blob.length} bytes, from ${basename(modulePath)} by ${result.compiler.command} in ${seconds.toFixed(1)} s` +
          (signed ? `; signed by key ${signed.keyid.slice(0, 16)} (${signed.path})` : '') +
          '\n',
      );
    }
    return 0;
  } catch (e) {
    phase?.clear();
    if (e instanceof AotError || e instanceof TrustError || e instanceof ProfileError) {
      process.stderr.write(`recomp aot: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** the profile at `path`, checked to be one of `module`'s bytes: the functions that ran, and the file as the manifest names it */
function profileFor(path: string, module: Uint8Array): { hot: HotSet; ref: FileRef } {
  const { bytes, profile } = readProfile(path);
  checkProfileOf(profile, module, path);
  return { hot: { hot: ranFunctions(profile), functions: profile.totals.functions }, ref: fileRef(basename(path), bytes) };
}

// `recomp run MODULE [--dir PATH[:GUEST]]... [--env NAME=VALUE]... [--] ARGS...` and
// `recomp exec ELF ...`: run a translated module (exec translates first, cached).
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import os, { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { failure, makeDirs, writeAtomic } from '../common/fs.js';
import { codeHash } from '../common/versions.js';
import { hasElfMagic } from '../elf/index.js';
import { ModuleError, runModule, type Grant, type RunOptions, type RunResult } from '../vkernel/index.js';
import { parseFlags } from './args.js';
import { UsageError } from './command.js';
import { VERSION } from './version.js';

const RUN_OPTIONS = `Options:
  --dir PATH[:GUEST]  grant the guest PATH and everything below it, at the same path in
                      the guest (or at GUEST); repeatable. Nothing else of the host's
                      file system is visible; '..' and symlinks cannot leave a grant
  --env NAME=VALUE    set a guest environment variable; repeatable. No host variable
                      passes unless given
  --argv0 NAME        the guest's argv[0] (default: the module's or the ELF's file name,
                      without .wasm); multi-call programs such as busybox choose by it
  --trace             print every syscall with its arguments and result on stderr
  -h, --help          this help
`;

const PROFILE_OPTIONS = `  --profile OUT       count how often each guest function is entered and how often its
                      loop heads pass, and write the counts to OUT (JSON, schema
                      recomp.profile/v1) when the guest ends, for 'recomp aot --profile'.
                      The counting runs in a copy of the module (its file is unchanged)
                      and slows the run a little; modules only, not native blobs
`;

const TRUST_OPTIONS = `  --trusted-key KEY.pub
                      run the module only if MODULE.dsse.json holds a valid signature by
                      this key over its manifest and the manifest names the module's exact
                      bytes (see recomp sign); repeatable: any one of the keys will do
  --policy FILE       a run policy (JSON, schema recomp.policy/v1; default $RECOMP_POLICY):
                      {"schema": "recomp.policy/v1", "requireSignature": true,
                       "trustedKeys": ["release.pub"]} makes the check mandatory for every
                      module, with key paths relative to the policy file
`;

const RUN_NOTES = `
The guest's stdin, stdout and stderr are recomp's. It starts in the host's current
directory when that is granted, else in '/'. Exit status: the guest's; 128+N when a signal
N ends it (named on stderr); 1 when the module cannot be run; 2 on bad usage.
Arguments for the guest go after '--' when they start with '-'.
RECOMP_FMA=emulate makes fused multiply-adds take their exact emulation even on a host whose
engine fuses them (a check: the results are the same bits, only slower).`;

const RUN_HELP = `Usage: recomp run MODULE [options] [--] ARGS...

Runs a module made by 'recomp translate' under the vkernel (Linux system calls on Node), or
a native blob made by 'recomp aot' for this host's architecture (its own process, with the
same options, after the same signature check: --trusted-key refuses a blob whose bytes are
not the ones its signed manifest names).

${RUN_OPTIONS}${PROFILE_OPTIONS}${TRUST_OPTIONS}
${RUN_NOTES}
A module refused by the signature check exits with status 1 before any guest code runs.

Examples:
  recomp run hello.wasm
  recomp run busybox.wasm --dir . -- ls -l
  recomp run app.wasm --dir /data:/srv --env LANG=C.UTF-8 -- --verbose
  recomp run app.wasm --profile app.profile.json -- typical input
`;

const EXEC_HELP = `Usage: recomp exec ELF [options] [--] ARGS...

Translates ELF (cached by content: the same file and the same build of recomp translate
once) and runs it. The cache lives in $RECOMP_CACHE, else ~/.cache/recomp/modules.

  -O LEVEL            optimisation level for the translation (default 2)
${RUN_OPTIONS}
${RUN_NOTES}
A run policy that requires signatures ($RECOMP_POLICY) refuses exec: its translations are
not signed. Translate, sign and run instead.

Example:
  recomp exec /bin/busybox --dir . -- wc -l README.md
`;

const FLAGS = {
  dir: { type: 'string', multiple: true },
  argv0: { type: 'string' },
  env: { type: 'string', multiple: true },
  trace: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const RUN_FLAGS = { ...FLAGS, 'trusted-key': { type: 'string', multiple: true }, policy: { type: 'string' }, profile: { type: 'string' } } as const;

function grantsOf(dirs: string[] | undefined): Grant[] {
  return (dirs ?? []).map((d) => {
    const at = d.lastIndexOf(':');
    const host = at > 0 ? d.slice(0, at) : d;
    const full = resolve(host);
    if (!existsSync(full) || !statSync(full).isDirectory()) throw new UsageError(`--dir ${d}: ${host} is not a directory`);
    const guest = at > 0 ? d.slice(at + 1) : full;
    if (!guest.startsWith('/')) throw new UsageError(`--dir ${d}: the guest path must be absolute`);
    return { host: full, guest };
  });
}

function envOf(env: string[] | undefined): string[] {
  for (const e of env ?? []) if (!/^[^=]+=/.test(e)) throw new UsageError(`--env ${e}: expected NAME=VALUE`);
  return env ?? [];
}

async function runAndReport(bytes: Uint8Array, programName: string, guestArgs: string[], values: { dir?: string[]; env?: string[]; trace?: boolean; profile?: string }): Promise<number> {
  const opts: RunOptions = {
    args: guestArgs,
    env: envOf(values.env),
    grants: grantsOf(values.dir),
    hostCwd: process.cwd(),
    trace: values.trace ?? false,
    programName,
    emulateFma: process.env.RECOMP_FMA === 'emulate',
  };
  const result = values.profile ? await profiledRunTo(values.profile, bytes, opts) : await runModule(bytes, opts);
  if (result.message) process.stderr.write(result.message + '\n');
  return result.status;
}

/** runs the module with its functions counted and writes the profile to `out` (loaded only when asked) */
async function profiledRunTo(out: string, bytes: Uint8Array, opts: RunOptions): Promise<RunResult> {
  const { profiledRun, serializeProfile, ProfileError } = await import('../profile/index.js');
  try {
    const { result, profile } = await profiledRun(bytes, opts);
    try {
      writeAtomic(out, serializeProfile(profile));
    } catch (e) {
      throw new ModuleError(`cannot write the profile ${out}: ${failure(e)}`);
    }
    return result;
  } catch (e) {
    if (e instanceof ProfileError) throw new ModuleError(e.message);
    throw e;
  }
}

const VALUED = new Set(['--dir', '--env', '--argv0', '-O', '--trusted-key', '--policy', '--profile']);

/** splits recomp's own flags from the guest's: everything after '--' or after the first positional past the module */
function split(args: string[], modulePositionals = 1): [string[], string[]] {
  const dd = args.indexOf('--');
  if (dd >= 0) return [args.slice(0, dd), args.slice(dd + 1)];
  // without '--': recomp's flags until the module's path and any flags right after it
  const mine: string[] = [];
  let seen = 0;
  let k = 0;
  for (; k < args.length; k++) {
    const a = args[k];
    if (a.startsWith('-')) {
      mine.push(a);
      if (VALUED.has(a) && k + 1 < args.length) mine.push(args[++k]);
      continue;
    }
    if (seen === modulePositionals) break;
    mine.push(a);
    seen++;
  }
  return [mine, args.slice(k)];
}

export async function run(args: string[]): Promise<number> {
  const [mine, guestArgs] = split(args);
  const { values, positionals } = parseFlags(mine, RUN_FLAGS);
  if (values.help) {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  if (positionals.length < 1) throw new UsageError('run takes a module (see recomp run --help)');
  const [module, ...rest] = positionals;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(module);
  } catch (e) {
    process.stderr.write(`recomp run: cannot read ${module}: ${failure(e)}\n`);
    return 1;
  }
  const refused = await checkTrust(module, bytes, values['trusted-key'] ?? [], values.policy ?? process.env.RECOMP_POLICY);
  if (refused) {
    process.stderr.write(`recomp run: refused ${module}: ${refused}\n`);
    return 1;
  }
  if (values.profile && !existsSync(dirname(resolve(values.profile)))) throw new UsageError(`--profile ${values.profile}: no such directory`);
  if (hasElfMagic(bytes)) {
    if (values.profile) throw new UsageError(`--profile counts a module's functions under the vkernel; ${module} is a native blob, which has no counters: profile the module it was made from`);
    return runBlob(module, bytes, [...rest, ...guestArgs], values);
  }
  try {
    return await runAndReport(bytes, values.argv0 ?? basename(module).replace(/\.wasm$/, ''), [...rest, ...guestArgs], values);
  } catch (e) {
    if (e instanceof ModuleError) {
      process.stderr.write(`recomp run: ${module}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/**
 * Checks a module against the trusted keys (given and from the policy) before it runs: the
 * reason it may not run, or undefined. `bytes` are the bytes that will run, so nothing can
 * change between the check and the start. Without keys or policy there is nothing to check.
 */
async function checkTrust(module: string, bytes: Uint8Array, keys: string[], policyPath: string | undefined): Promise<string | undefined> {
  if (!keys.length && !policyPath) return undefined;
  // loaded only when asked: a plain run does not pay for zod and the schemas
  const [{ verifyOutput }, { loadPublicKey }, { readPolicy }, { TrustError }] = await Promise.all([
    import('../manifest/attestation.js'),
    import('../manifest/keys.js'),
    import('../manifest/policy.js'),
    import('../manifest/manifest.js'),
  ]);
  try {
    const policy = policyPath ? readPolicy(policyPath) : undefined;
    // --trusted-key asks for the check on this run; a policy can ask for it on every run
    if (!keys.length && !policy?.requireSignature) return undefined;
    const trusted = [...keys, ...(policy?.trustedKeys ?? [])];
    verifyOutput(module, trusted.map(loadPublicKey), { bytes });
    return undefined;
  } catch (e) {
    if (e instanceof TrustError) return e.message;
    throw e;
  }
}

/**
 * An AOT blob (recomp aot) runs as its own process with the same options. Its bytes were
 * checked above; it runs from a private copy of them (0700, in a fresh directory), so the
 * file cannot change between the check and the start.
 */
async function runBlob(path: string, bytes: Uint8Array, guestArgs: string[], values: { dir?: string[]; env?: string[]; trace?: boolean; argv0?: string }): Promise<number> {
  const e_machine = bytes.length > 20 ? bytes[18] | (bytes[19] << 8) : 0;
  const machine = e_machine === 62 ? 'x64' : e_machine === 183 ? 'arm64' : undefined;
  if (machine !== process.arch) {
    process.stderr.write(`recomp run: ${path} is a native executable for ${e_machine === 183 ? 'aarch64' : e_machine === 62 ? 'x86_64' : `machine ${e_machine}`}, not for this ${process.arch} host\n`);
    return 1;
  }
  const { chmodSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { spawn } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'recomp-blob-'));
  try {
    const copy = join(dir, basename(path));
    writeFileSync(copy, bytes, { mode: 0o700 });
    chmodSync(copy, 0o700);
    const flags = [
      ...(values.dir ?? []).flatMap((d) => ['--dir', d]),
      ...(values.env ?? []).flatMap((e) => ['--env', e]),
      '--argv0', values.argv0 ?? basename(path),
      ...(values.trace ? ['--trace'] : []),
    ];
    return await new Promise<number>((resolvePromise, reject) => {
      const child = spawn(copy, [...flags, '--', ...guestArgs], { stdio: 'inherit', env: {} });
      child.on('error', reject);
      child.on('close', (code, signal) => resolvePromise(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0)));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function exec(args: string[]): Promise<number> {
  const [mine, guestArgs] = split(args);
  const { values, positionals } = parseFlags(mine, { ...FLAGS, O: { type: 'string', short: 'O' } });
  if (values.help) {
    process.stdout.write(EXEC_HELP);
    return 0;
  }
  if (positionals.length < 1) throw new UsageError('exec takes an ELF file (see recomp exec --help)');
  const [elf, ...rest] = positionals;
  const level = values.O ?? '2';
  if (!/^[0-3]$/.test(level)) throw new UsageError(`-O takes 0, 1, 2 or 3, not '${level}'`);
  let input: Uint8Array;
  try {
    input = readFileSync(elf);
  } catch (e) {
    process.stderr.write(`recomp exec: cannot read ${elf}: ${failure(e)}\n`);
    return 1;
  }
  const policyPath = process.env.RECOMP_POLICY;
  if (policyPath) {
    const [{ readPolicy }, { TrustError }] = await Promise.all([import('../manifest/policy.js'), import('../manifest/manifest.js')]);
    try {
      if (readPolicy(policyPath).requireSignature) {
        process.stderr.write(`recomp exec: refused: the run policy ${policyPath} requires signed modules and exec's translations are not signed; use recomp translate --sign-key, then recomp run\n`);
        return 1;
      }
    } catch (e) {
      if (!(e instanceof TrustError)) throw e;
      process.stderr.write(`recomp exec: ${e.message}\n`);
      return 1;
    }
  }
  const cacheDir = process.env.RECOMP_CACHE ?? join(homedir(), '.cache', 'recomp', 'modules');
  try {
    makeDirs(cacheDir);
    accessSync(cacheDir, constants.W_OK);
  } catch (e) {
    process.stderr.write(`recomp exec: cannot use the cache directory ${cacheDir}: ${failure(e)} (set RECOMP_CACHE to a writable directory)\n`);
    return 1;
  }
  const key = createHash('sha256').update(input).update(`\0recomp ${VERSION} ${codeHash()} -O${level}`).digest('hex');
  const cached = join(cacheDir, `${key}.wasm`);
  if (!existsSync(cached)) {
    // the translator (and binaryen) load only on a cache miss
    const [{ translateFile }, { TranslateError }] = await Promise.all([import('./translate.js'), import('../translate/index.js')]);
    try {
      translateFile(elf, cached, { optimize: Number(level) });
    } catch (e) {
      if (e instanceof TranslateError) {
        process.stderr.write(`recomp exec: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  }
  return runAndReport(readFileSync(cached), values.argv0 ?? basename(elf), [...rest, ...guestArgs], values);
}

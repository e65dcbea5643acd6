// `recomp keygen`, `recomp sign` and `recomp verify`: Ed25519 keys, DSSE signatures over
// manifests, and the release engineer's check that the bytes rebuild.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { envelopePathOf, outputOf, signOutput, verifyOutput } from '../manifest/attestation.js';
import { failure, writeAtomic } from '../common/fs.js';
import { generateKeys, loadPublicKey, loadSigningKey } from '../manifest/keys.js';
import { manifestPathOf, readManifest, reproduciblePart, sha256, toolchain, TrustError, type Manifest } from '../manifest/manifest.js';
import { canonicalJson } from '../common/json.js';
import { parseFlags } from './args.js';
import { phaseLine } from './progress.js';
import { UsageError } from './command.js';
import { VERSION } from './version.js';

const KEYGEN_HELP = `Usage: recomp keygen -o KEY [--force] [--json]

Creates an Ed25519 key pair for signing manifests: KEY holds the private key (PEM, PKCS#8,
file mode 0600) and KEY.pub the public key (PEM, SPKI) that hosts pass to
'recomp run --trusted-key' and 'recomp verify --key'. A key's id is the sha256 of its
public key (DER); signatures name the key by it.

Options:
  -o, --output KEY    where to write the private key (KEY.pub beside it)
  --force             replace existing key files (by default they are never overwritten)
  --json              print {keyid, private, public} on stdout
  -h, --help          this help

Example:
  recomp keygen -o release.key && recomp translate app -o app.wasm --sign-key release.key
`;

const SIGN_HELP = `Usage: recomp sign FILE --key KEY [--json]

Signs the manifest of an output made by recomp (FILE is the module, e.g. app.wasm, or its
app.wasm.manifest.json). It first checks that every output the manifest lists still has the
recorded sha256, then writes app.wasm.dsse.json: a DSSE envelope (payload type
application/vnd.in-toto+json) holding an in-toto Statement v1 whose subjects are the outputs
by sha256 and whose predicate is the whole manifest. Signing again with another key adds a
signature to the same envelope; with the same key, it replaces that key's signature.

Options:
  --key KEY           the Ed25519 private key (from recomp keygen)
  --json              print {file, envelope, keyid} on stdout
  -q, --quiet         print nothing on success (build actions)
  -h, --help          this help

Exit status: 0 signed; 1 when the manifest or the key cannot be used (the message says why).
`;

const VERIFY_HELP = `Usage: recomp verify FILE --key KEY.pub [--key ...] [--json]
       recomp verify --rebuild MANIFEST [--input ELF] [--key KEY.pub] [--json]

The first form checks a signed output (FILE: the module, its manifest or its .dsse.json):
a signature in FILE.dsse.json by one of the given public keys verifies, the manifest beside
the module is the signed one, and every output it lists has the sha256 it records.

--rebuild re-translates the manifest's input with the recorded options and reports whether
the module and the manifest come out byte for byte the same (the stamp aside): what a
release engineer runs on another host. The input is looked for beside the manifest under
its recorded name, unless --input names it; its sha256 must be the recorded one. A
toolchain that differs from the recorded one (recomp, Node, binaryen versions) is reported,
since it may change the bytes.

Options:
  --key KEY.pub       a trusted public key; repeatable
  --rebuild           rebuild and compare instead of (or, with --key, as well as) checking
                      the signature
  --input ELF         the input to rebuild from
  --json              print the result as JSON (schema recomp.verify/v1)
  -h, --help          this help

Exit status: 0 when everything checked holds; 1 when something does not (the message says
what); 2 on bad usage.
`;

function fail(cmd: string, e: unknown, json: boolean | undefined, extra: object = {}): number {
  if (!(e instanceof TrustError)) throw e;
  if (json) process.stdout.write(JSON.stringify({ ...extra, ok: false, error: e.message }, null, 2) + '\n');
  process.stderr.write(`recomp ${cmd}: ${e.message}\n`);
  return 1;
}

export async function keygen(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    output: { type: 'string', short: 'o' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(KEYGEN_HELP);
    return 0;
  }
  if (positionals.length) throw new UsageError(`keygen takes no arguments (did you mean -o ${positionals[0]}?)`);
  if (!values.output) throw new UsageError('keygen needs -o KEY');
  const priv = values.output;
  const pub = `${priv}.pub`;
  for (const f of [priv, pub]) {
    if (existsSync(f) && !values.force) {
      process.stderr.write(`recomp keygen: ${f} exists; keys are never overwritten unless --force is given\n`);
      return 1;
    }
  }
  if (!existsSync(dirname(priv) || '.')) {
    process.stderr.write(`recomp keygen: the directory ${dirname(priv)} does not exist\n`);
    return 1;
  }
  const k = generateKeys();
  writeAtomic(priv, k.privatePem, 0o600);
  writeAtomic(pub, k.publicPem, 0o644);
  if (values.json) process.stdout.write(JSON.stringify({ keyid: k.keyid, private: priv, public: pub }, null, 2) + '\n');
  else process.stderr.write(`recomp keygen: wrote ${priv} (private, keep it secret) and ${pub} (public); key id ${k.keyid}\n`);
  return 0;
}

export async function sign(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    key: { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(SIGN_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('sign takes one FILE (a module or its manifest)');
  if (!values.key) throw new UsageError('sign needs --key KEY (make one with recomp keygen)');
  const output = outputOf(positionals[0]);
  try {
    const signed = signOutput(output, loadSigningKey(values.key));
    if (values.json) process.stdout.write(JSON.stringify({ file: output, envelope: signed.path, keyid: signed.keyid }, null, 2) + '\n');
    else if (!values.quiet) process.stderr.write(`recomp sign: ${output}: signed by key ${signed.keyid.slice(0, 16)} (${signed.path})\n`);
    return 0;
  } catch (e) {
    return fail('sign', e, values.json, { file: output });
  }
}

interface RebuildResult {
  input: string;
  match: boolean;
  module: { recorded: string; rebuilt: string; file?: string };
  manifest: { match: boolean; differing: string[] };
  toolchain: { recorded: Manifest['toolchain']; current: Manifest['toolchain']; same: boolean };
  seconds: number;
}

/** re-translates the manifest's input into a temporary directory and compares */
async function rebuild(manifestPath: string, inputArg: string | undefined, onPhase?: (p: string) => void): Promise<RebuildResult> {
  const recorded = readManifest(manifestPath);
  if (recorded.trust !== 'recompiled') throw new TrustError(`${manifestPath}: only recompiled modules can be rebuilt by this version (trust level ${recorded.trust})`);
  const input = inputArg ?? join(dirname(manifestPath), recorded.input.name);
  let bytes: Buffer;
  try {
    bytes = readFileSync(input);
  } catch (e) {
    throw new TrustError(`cannot read the input ${input} (${failure(e)})${inputArg ? '' : `: the manifest's input ${recorded.input.name} is looked for beside the manifest; name it with --input ELF`}`);
  }
  const got = sha256(bytes);
  if (got !== recorded.input.sha256) throw new TrustError(`${input} is not the recorded input: its sha256 is ${got}, the manifest records ${recorded.input.sha256}`);
  const current = toolchain(VERSION);
  const primary = recorded.outputs[0];
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'recomp-rebuild-'));
  try {
    // the translator (and binaryen) load only here: keygen, sign and verify start fast
    const [{ translateFile }, { TranslateError }] = await Promise.all([import('./translate.js'), import('../translate/index.js')]);
    const out = join(dir, primary.name);
    let manifest: Manifest;
    try {
      ({ manifest } = translateFile(input, out, { optimize: recorded.options.optimize, flavour: recorded.options.for ?? 'engine', inputName: recorded.input.name, onPhase }));
    } catch (e) {
      if (e instanceof TranslateError) throw new TrustError(`the rebuild failed: ${e.message}`);
      throw e;
    }
    const rebuilt = manifest.outputs[0].sha256;
    const [a, b] = [reproduciblePart(recorded), reproduciblePart(manifest)];
    const differing = Object.keys({ ...a, ...b }).filter((k) => canonicalJson(a[k as keyof Manifest]) !== canonicalJson(b[k as keyof Manifest]));
    const beside = join(dirname(manifestPath), primary.name);
    const file = existsSync(beside) ? sha256(readFileSync(beside)) : undefined;
    return {
      input,
      match: rebuilt === primary.sha256 && !differing.length && (file === undefined || file === primary.sha256),
      module: { recorded: primary.sha256, rebuilt, ...(file ? { file } : {}) },
      manifest: { match: !differing.length, differing },
      toolchain: { recorded: recorded.toolchain, current, same: canonicalJson(recorded.toolchain) === canonicalJson(current) },
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    key: { type: 'string', multiple: true },
    rebuild: { type: 'boolean' },
    input: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(VERIFY_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('verify takes one FILE (a module, its manifest or its .dsse.json)');
  if (!values.rebuild && !values.key?.length) throw new UsageError('verify needs --key KEY.pub (a trusted public key), or --rebuild');
  if (values.input && !values.rebuild) throw new UsageError('--input goes with --rebuild');
  const output = outputOf(positionals[0]);
  const result: Record<string, unknown> = { schema: 'recomp.verify/v1', file: output };
  const phase = values.json ? undefined : phaseLine('rebuild');
  try {
    if (values.key?.length) {
      const { keyid } = verifyOutput(output, values.key.map(loadPublicKey), { manifestFile: true });
      result.signature = { keyid, envelope: envelopePathOf(output) };
      if (!values.json) process.stderr.write(`recomp verify: ${output}: signed by key ${keyid.slice(0, 16)}; manifest and outputs match\n`);
    }
    if (values.rebuild) {
      const r = await rebuild(manifestPathOf(output), values.input, phase?.show);
      phase?.clear();
      result.rebuild = r;
      result.ok = r.match;
      if (!values.json) {
        const tc = r.toolchain.same ? '' : `; note: recorded toolchain ${canonicalJson(r.toolchain.recorded)}, current ${canonicalJson(r.toolchain.current)}`;
        if (r.match) process.stderr.write(`recomp verify: ${output}: rebuilt from ${r.input} in ${r.seconds.toFixed(1)} s: module and manifest are identical (sha256 ${r.module.rebuilt})${tc}\n`);
        else {
          const what = [
            r.module.rebuilt !== r.module.recorded ? `the module differs (recorded ${r.module.recorded}, rebuilt ${r.module.rebuilt})` : '',
            r.module.file && r.module.file !== r.module.recorded ? `the module file beside the manifest is not the recorded one (sha256 ${r.module.file})` : '',
            r.manifest.differing.length ? `the manifest differs in ${r.manifest.differing.join(', ')}` : '',
          ].filter(Boolean);
          process.stderr.write(`recomp verify: ${output}: rebuild does NOT match: ${what.join('; ')}${tc}\n`);
        }
      }
    } else result.ok = true;
    if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return result.ok ? 0 : 1;
  } catch (e) {
    phase?.clear();
    return fail('verify', e, values.json, result);
  }
}

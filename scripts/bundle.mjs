// Bundles the toolchain into dist/bundle/ for the Bazel toolchain: recomp.mjs (the CLI and
// everything it imports, npm packages included), worker.js (the analysis pool's thread),
// capstone.wasm (loaded from beside the bundle by capstone-wasm), and for `recomp aot`
// wasm2c.cjs (wabt's wasm2c, one self-contained script, with wabt.LICENSE) and aot/ (the C
// sources of the blobs' host and runtime: tools/aot/{host,runtime}). Actions then need these
// files and a node, not a node_modules tree or the source tree. The package versions the
// manifests record and the code hash (tools/common/versions.ts) are written in, since no
// package.json or dist/tools travels with the bundle. Deterministic: esbuild's output depends
// only on the sources and its options.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// built just before by tsc (npm run build): the bundle's code hash is that of the dist/tools
// compiled from the same sources
import { codeHash } from '../dist/tools/common/versions.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
const version = (rel) => JSON.parse(readFileSync(join(root, rel, 'package.json'), 'utf8')).version;
const versions = { recomp: version('.'), binaryen: version('node_modules/binaryen'), capstone: version('node_modules/capstone-wasm') };

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  absWorkingDir: root,
  entryPoints: { recomp: 'tools/cli/main.ts', worker: 'tools/analyze/worker.ts' },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // the CommonJS packages (tar-stream, protobufjs) call require(); give the ES module one
  banner: { js: "import { createRequire as __recompRequire } from 'node:module'; const require = __recompRequire(import.meta.url);" },
  define: { RECOMP_BUNDLED_VERSIONS: JSON.stringify(versions), RECOMP_BUNDLED_CODE_HASH: JSON.stringify(codeHash()) },
  legalComments: 'eof',
  logLevel: 'warning',
});
copyFileSync(join(root, 'node_modules/capstone-wasm/dist/capstone.wasm'), join(out, 'capstone.wasm'));
copyFileSync(join(root, 'node_modules/wabt/bin/wasm2c'), join(out, 'wasm2c.cjs'));
copyFileSync(join(root, 'node_modules/wabt/LICENSE'), join(out, 'wabt.LICENSE'));
for (const dir of ['host', 'runtime']) {
  mkdirSync(join(out, 'aot', dir), { recursive: true });
  for (const f of readdirSync(join(root, 'tools/aot', dir)).filter((n) => /\.[ch]$/.test(n))) copyFileSync(join(root, 'tools/aot', dir, f), join(out, 'aot', dir, f));
}

// Execution profiles: `recomp run --profile` counts, in a copy of the module, how often each
// guest function runs (instrument.ts) and writes them as a recomp.profile/v1 file
// (profile.ts); `recomp aot --profile` compiles the functions that ran with full
// optimisation and the rest cheaply.
import { runModule, type RunOptions, type RunResult } from '../vkernel/index.js';
import { instrumentModule, readCounts } from './instrument.js';
import { buildProfile, type Profile } from './profile.js';

export { ProfileError } from './instrument.js';
export { checkProfileOf, profileJsonSchema, ranFunctions, readProfile, serializeProfile, type Profile } from './profile.js';

/** runs `module` under the vkernel with its functions counted: the run's result and its profile */
export async function profiledRun(module: Uint8Array, opts: RunOptions): Promise<{ result: RunResult; profile: Profile }> {
  const counting = instrumentModule(module);
  let instance: WebAssembly.Instance | undefined;
  const result = await runModule(counting.bytes, { ...opts, onInstance: (i) => (instance = i) });
  if (!instance) throw new Error('the vkernel ran the module without instantiating it');
  const profile = buildProfile(module, readCounts(instance, counting.entries), { argv: [opts.programName, ...opts.args], status: result.status });
  return { result, profile };
}

// Reads a Bazel execution log (--execution_log_json_file: JSON objects one after another)
// and prints one line per recomp spawn: its mnemonic, its outputs, 'hit' when it came from a
// cache (Bazel 7 says cacheHit, older ones remoteCacheHit) or 'ran', and the runner (worker,
// processwrapper-sandbox, disk cache hit...).
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2], 'utf8');
let depth = 0;
let start = -1;
let inString = false;
for (let i = 0; i < text.length; i++) {
  const c = text[i];
  if (inString) {
    if (c === '\\') i++;
    else if (c === '"') inString = false;
    continue;
  }
  if (c === '"') inString = true;
  else if (c === '{' && depth++ === 0) start = i;
  else if (c === '}' && --depth === 0) {
    const spawn = JSON.parse(text.slice(start, i + 1));
    if (spawn.mnemonic?.startsWith('Recomp')) {
      const outputs = (spawn.actualOutputs ?? []).map((o) => o.path.split('/').pop()).join(',');
      console.log(`${spawn.mnemonic} ${outputs} ${spawn.cacheHit || spawn.remoteCacheHit ? 'hit' : 'ran'} ${spawn.runner ?? '?'}`);
    }
  }
}

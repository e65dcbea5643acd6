// How the corpus tests call each case: build.sh's benchmark sizes and argument words.

/** the benchmark sizes build.sh uses when it records expectations */
export const SMALL: Record<string, string> = { nbody: '20000', fannkuch: '8', spectral: '200', sha256: '2', qsort: '100000', bintrees: '10', mandel: '200', wordfreq: '100000' };

/** build.sh's argument words: the shell words of the cases.tsv field */
export function words(s: string): string[] {
  if (s === '-') return [];
  return [...s.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

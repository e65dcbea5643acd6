// One-line progress on stderr, only when stderr is a terminal (never in logs or CI): a bar
// for counted work, a phase line for work that goes through named phases.
export function progressBar(label: string): ((done: number, total: number, what: string) => void) | undefined {
  const tty = process.stderr;
  if (!tty.isTTY) return undefined;
  let last = 0;
  return (done, total, what) => {
    const now = Date.now();
    if (done < total && now - last < 80) return;
    last = now;
    const width = 24;
    const fill = total ? Math.round((done / total) * width) : 0;
    const name = what.length > 40 ? '…' + what.slice(-39) : what;
    tty.write(`\r\x1b[K${label} [${'#'.repeat(fill)}${' '.repeat(width - fill)}] ${done}/${total} ${name}`);
    if (done >= total) tty.write('\r\x1b[K');
  };
}

/** `label: phase...` on one line, replaced by each next phase; clear() removes it */
export function phaseLine(label: string): { show: (phase: string) => void; clear: () => void } | undefined {
  const tty = process.stderr;
  if (!tty.isTTY) return undefined;
  return { show: (phase) => tty.write(`\r\x1b[K${label}: ${phase}...`), clear: () => tty.write('\r\x1b[K') };
}

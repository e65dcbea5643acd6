// A one-line progress bar on stderr, only when stderr is a terminal (never in logs or CI).
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

/** Output for people (aligned tables, a progress line on a terminal) and for scripts (`--json`). */

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** A table with a header row; columns as wide as their widest cell. */
export function printTable(headers: string[], rows: (string | number | undefined)[][]): void {
  if (rows.length === 0) return void console.log('(none)');
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === undefined ? '' : String(cell))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  for (const row of cells) console.log(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}

/**
 * Shows "<what>..." with a spinner on stderr while `work` runs, when stderr is a terminal; nothing
 * otherwise, so that piped output stays clean.
 */
export async function withProgress<T>(what: string, work: () => Promise<T>): Promise<T> {
  if (!process.stderr.isTTY) return work();
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let frame = 0;
  const draw = () => process.stderr.write(`\r${frames[frame++ % frames.length]} ${what}...`);
  const timer = setInterval(draw, 80);
  draw();
  try {
    return await work();
  } finally {
    clearInterval(timer);
    process.stderr.write('\r\x1b[2K');
  }
}

/** "in 2 d 3 h", "3 h ago": how far an instant is from now. */
export function relative(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const span = days ? `${days} d ${hours} h` : hours ? `${hours} h ${minutes} min` : `${minutes} min`;
  return ms >= 0 ? `in ${span}` : `${span} ago`;
}

// Progress on stderr: a redrawn bar on a terminal, plain lines in pipelines and logs.
export class Progress {
  private lastLine = '';
  private drawn = false;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  private get tty(): boolean {
    return Boolean(this.out.isTTY);
  }

  /** A step with no known size. */
  step(message: string): void {
    this.clear();
    this.out.write(`${message}\n`);
  }

  /** A step of known size: redrawn in place on a terminal, one line per message otherwise. */
  update(done: number, total: number, message: string): void {
    if (!this.tty) {
      const line = `${message} (${done}/${total})`;
      if (line !== this.lastLine) this.out.write(line + '\n');
      this.lastLine = line;
      return;
    }
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const cols = this.out.columns ?? 100;
    this.out.write(`\r${`${bar} ${done}/${total} ${message}`.slice(0, cols - 1)}\x1b[K`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** The bar of announced detail reads: every read on a terminal, every 5 % in a log. */
export function detailBar(progress: Progress): (done: number, total: number) => void {
  return (done, total) => {
    const step = Math.max(1, Math.ceil(total / 20));
    if (done === total || done % step === 0) progress.update(done, total, 'Halo records read one by one');
  };
}

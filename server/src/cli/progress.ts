/** A one-line progress bar on a TTY; silent when output goes to a file or a pipe (batch jobs). */
export interface Progress {
  update(message: string, fraction?: number): void;
  clear(): void;
}

export function createProgress(stream: NodeJS.WriteStream): Progress {
  if (!stream.isTTY) return { update() {}, clear() {} };
  let shown = false;
  let last = 0;
  return {
    update(message, fraction) {
      const now = Date.now();
      if (now - last < 80 && fraction !== 1) return;
      last = now;
      const width = 24;
      const bar =
        fraction === undefined ? '' : `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
      const columns = stream.columns ?? 80;
      stream.write(`\r${(bar + message).slice(0, columns - 1).padEnd(columns - 1)}`);
      shown = true;
    },
    clear() {
      if (!shown) return;
      stream.write(`\r${' '.repeat((stream.columns ?? 80) - 1)}\r`);
      shown = false;
    },
  };
}

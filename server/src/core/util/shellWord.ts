/**
 * Text as one word of a POSIX shell command line: left bare when it holds only characters no
 * shell treats specially, else single-quoted (a `'` inside becomes `'\''`). Commands that medseg
 * prints for the user to paste, and the job scripts it writes, quote every path this way, so a
 * folder named `my study (v2)` or `$HOME` reaches the program as it is.
 */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Words joined into a command line, each quoted as `shellWord` does. */
export function shellLine(words: readonly string[]): string {
  return words.map(shellWord).join(' ');
}

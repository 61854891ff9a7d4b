/** CSV text for the demo's label and split files (RFC 4180 quoting, `\n` line ends). */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

function quote(cell: string): string {
  return /[",\n\r]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((row) => row.map(quote).join(',')).join('\n') + '\n';
}

export async function writeCsv(path: string, header: readonly string[], rows: readonly (readonly string[])[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, toCsv(header, rows));
}

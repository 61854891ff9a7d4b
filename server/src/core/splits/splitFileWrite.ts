/**
 * A split as the CSV that `splits.file` reads back: `image_id,split`, one row per image, or one
 * per volume for axial slices (the reader gives a volume's row to all its slices).
 */
import { dirname } from 'node:path';
import type { SplitName } from '../config/types';
import type { DatasetCase } from '../dataset/types';
import { writeFileAtomic } from '../io/atomic';
import { writingInto } from '../io/writeErrors';

function quote(cell: string): string {
  return /[",\n\r]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function splitCsvText(cases: readonly DatasetCase[], assignment: ReadonlyMap<string, SplitName>): string {
  const lines = ['image_id,split'];
  const written = new Set<string>();
  for (const c of cases) {
    const split = assignment.get(c.id);
    if (split === undefined) continue;
    const id = c.volume ?? c.id;
    if (written.has(id)) continue;
    written.add(id);
    lines.push(`${quote(id)},${split}`);
  }
  return lines.join('\n') + '\n';
}

/** Writes atomically: a reader (the editor re-validating) never sees half a split file. */
export async function writeSplitCsv(file: string, cases: readonly DatasetCase[], assignment: ReadonlyMap<string, SplitName>): Promise<number> {
  const text = splitCsvText(cases, assignment);
  const destination = { dir: dirname(file), fix: 'Write the split file somewhere writable: `medseg split --out FILE`, or `splits.file` in the config.', configPath: ['splits', 'file'] };
  await writingInto(destination, () => writeFileAtomic(file, text), { probe: false });
  return text.split('\n').length - 2;
}

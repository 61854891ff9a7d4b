/** Dice per (image, model) from a results folder's `per_image.csv`, when an evaluation wrote one. */
import { readCsvTable } from '../../dataset';

export async function readDiceByImage(resultsDir: string, models: readonly string[]): Promise<Map<string, Record<string, number>> | undefined> {
  let table;
  try {
    table = await readCsvTable(`${resultsDir}/per_image.csv`);
  } catch {
    return undefined;
  }
  const col = (name: string) => table.header.indexOf(name);
  const [idCol, methodCol, diceCol] = [col('image_id'), col('method'), col('dice')];
  if (idCol < 0 || methodCol < 0 || diceCol < 0) return undefined;
  const wanted = new Set(models);
  const out = new Map<string, Record<string, number>>();
  for (const r of table.rows) {
    const method = r.cells[methodCol] ?? '';
    const cell = r.cells[diceCol];
    if (!wanted.has(method) || cell === undefined || cell === '') continue;
    const id = r.cells[idCol] ?? '';
    let entry = out.get(id);
    if (!entry) out.set(id, (entry = {}));
    entry[method] = Number(cell);
  }
  return out;
}

/** The per-modality CSVs: clinical labels, the planted split and the clean split. */
import { join } from 'node:path';
import type { DemoCase, DemoSplit } from './cohort';
import { writeCsv } from './csv';
import type { SplitPlan } from './splitPlan';

function byId(cases: readonly DemoCase[]): DemoCase[] {
  return [...cases].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function splitRows(cases: readonly DemoCase[], splits: ReadonlyMap<string, DemoSplit>): string[][] {
  return byId(cases).map((c) => [c.id, splits.get(c.id)!]);
}

export async function writeCohortFiles(folder: string, cases: readonly DemoCase[], labelColumns: readonly string[], plan: SplitPlan): Promise<void> {
  const clinical = byId(cases).map((c) => [c.id, c.patientId, ...labelColumns.map((k) => c.labels[k])]);
  await writeCsv(join(folder, 'clinical.csv'), ['image_id', 'patient_id', ...labelColumns], clinical);
  await writeCsv(join(folder, 'splits.csv'), ['image_id', 'split'], splitRows(cases, plan.planted));
  await writeCsv(join(folder, 'splits_clean.csv'), ['image_id', 'split'], splitRows(cases, plan.clean));
}

/**
 * Two split files per data set: a clean one (patients never cross splits, every label in about
 * the same proportion in each split) and a planted one with the problems split diagnostics must
 * catch: a patient leak, a label drifting towards the test split, a rare label kept out of train,
 * and (dermoscopy) an exact duplicate image in train and test.
 */
import type { DemoCase, DemoSplit } from './cohort';
import type { SeededRandom } from './random';

export const SPLIT_RATIOS: Readonly<Record<DemoSplit, number>> = { train: 0.7, val: 0.15, test: 0.15 };
const SPLITS: readonly DemoSplit[] = ['train', 'val', 'test'];

export interface PlantedProblems {
  /** The label column the drift and the rare label live in; also the clean split's stratum. */
  column: string;
  /** Value moved towards test until it makes up `driftShare` of the test split. */
  drift: string;
  driftShare: number;
  /** Where drift patients that do not fit in test go: train keeps the label seen in training. */
  driftRest: DemoSplit;
  /** Value present in test and absent from train. */
  rare: string;
  /** The case to leak into test while its patient's other cases stay in train; default: one picked here. */
  leakCase?: string;
  /** Case ids of an exact pixel copy: the original goes to train, the copy to test. */
  duplicate?: { original: string; copy: string };
}

export interface SplitPlan {
  clean: Map<string, DemoSplit>;
  planted: Map<string, DemoSplit>;
  /** The patient with images in both train and test of the planted split. */
  leakPatient: string;
}

interface PatientGroup {
  patients: string[];
  cases: DemoCase[];
  label: string;
}

/** Patients whose cases must share a split: one per patient, except a duplicate's two patients. */
function patientGroups(cases: readonly DemoCase[], column: string, duplicate: PlantedProblems['duplicate']): PatientGroup[] {
  const byPatient = new Map<string, DemoCase[]>();
  for (const c of cases) byPatient.set(c.patientId, [...(byPatient.get(c.patientId) ?? []), c]);
  const patientOf = (id: string): string | undefined => cases.find((c) => c.id === id)?.patientId;
  const tied = duplicate ? [patientOf(duplicate.original), patientOf(duplicate.copy)] : [];
  const groups: PatientGroup[] = [];
  for (const [patient, own] of byPatient) {
    if (tied.includes(patient) && patient !== tied[0]) continue;
    const patients = patient === tied[0] ? (tied as string[]) : [patient];
    const members = patients.flatMap((p) => byPatient.get(p) ?? []);
    groups.push({ patients, cases: members, label: own[0].labels[column] });
  }
  return groups;
}

/**
 * Stratified by `column`, grouped by patient. A local search over whole groups (move one to
 * another split, or swap two) minimises Σ (count − expected)² / expected over label × split, with
 * the expected counts taken from the target ratios, so it balances the labels and the split sizes
 * at once. A label held by a single group stays in train, where a model needs it most.
 */
export function cleanSplit(rng: SeededRandom, cases: readonly DemoCase[], problems: PlantedProblems): Map<string, DemoSplit> {
  const groups = patientGroups(cases, problems.column, problems.duplicate);
  const labels = [...new Set(groups.map((g) => g.label))].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const totals = labels.map((l) => groups.filter((g) => g.label === l).reduce((sum, g) => sum + g.cases.length, 0));
  const groupsPerLabel = labels.map((l) => groups.filter((g) => g.label === l).length);
  const counts = labels.map(() => [0, 0, 0]);
  const assignment = groups.map((g, i) => {
    const split = groupsPerLabel[labelIndex.get(g.label)!] === 1 ? 0 : i % 3;
    counts[labelIndex.get(g.label)!][split] += g.cases.length;
    return split;
  });
  const ratios = SPLITS.map((s) => SPLIT_RATIOS[s]);
  const cost = (): number =>
    counts.reduce((sum, row, l) => sum + row.reduce((acc, c, s) => acc + (c - ratios[s] * totals[l]) ** 2 / (ratios[s] * totals[l]), 0), 0);
  const place = (g: number, split: number): void => {
    const l = labelIndex.get(groups[g].label)!;
    counts[l][assignment[g]] -= groups[g].cases.length;
    counts[l][split] += groups[g].cases.length;
    assignment[g] = split;
  };
  const movable = groups.map((_, i) => i).filter((i) => groupsPerLabel[labelIndex.get(groups[i].label)!] > 1);
  let current = cost();
  for (let step = 0; step < 4000 && movable.length > 1; step++) {
    const a = rng.pick(movable);
    const from = assignment[a];
    if (rng.chance(0.5)) {
      const to = (from + rng.int(1, 2)) % 3;
      place(a, to);
      const next = cost();
      if (next <= current) current = next;
      else place(a, from);
    } else {
      const b = rng.pick(movable);
      const other = assignment[b];
      if (other === from) continue;
      place(a, other);
      place(b, from);
      const next = cost();
      if (next <= current) current = next;
      else {
        place(a, from);
        place(b, other);
      }
    }
  }
  const out = new Map<string, DemoSplit>();
  groups.forEach((g, i) => g.cases.forEach((c) => out.set(c.id, SPLITS[assignment[i]])));
  return out;
}

export function planSplits(rng: SeededRandom, cases: readonly DemoCase[], problems: PlantedProblems): SplitPlan {
  const clean = cleanSplit(rng, cases, problems);
  const planted = new Map(clean);
  const { column } = problems;
  const byPatient = new Map<string, DemoCase[]>();
  for (const c of cases) byPatient.set(c.patientId, [...(byPatient.get(c.patientId) ?? []), c]);
  const move = (patient: string, split: DemoSplit): void => byPatient.get(patient)!.forEach((c) => planted.set(c.id, split));
  const splitOf = (patient: string): DemoSplit => planted.get(byPatient.get(patient)![0].id)!;
  const labelOf = (patient: string): string => byPatient.get(patient)![0].labels[column];
  const testSize = (): number => [...planted.values()].filter((s) => s === 'test').length;
  const targetTest = Math.round(SPLIT_RATIOS.test * cases.length);

  const duplicatePatients = problems.duplicate
    ? [problems.duplicate.original, problems.duplicate.copy].map((id) => cases.find((c) => c.id === id)!.patientId)
    : [];
  const patients = rng.shuffled([...byPatient.keys()]);
  const ordinary = (p: string): boolean => labelOf(p) !== problems.drift && labelOf(p) !== problems.rare && !duplicatePatients.includes(p);

  for (const p of patients) if (labelOf(p) === problems.rare) move(p, 'test');

  const driftPatients = patients.filter((p) => labelOf(p) === problems.drift).sort((a, b) => Number(splitOf(b) === 'test') - Number(splitOf(a) === 'test'));
  let driftInTest = 0;
  const driftGoal = problems.driftShare * targetTest;
  for (const p of driftPatients) {
    const size = byPatient.get(p)!.length;
    // Skipping a patient that would overshoot keeps test near its share of the images.
    if (driftInTest === 0 || (driftInTest < driftGoal && driftInTest + size <= driftGoal + 2)) {
      move(p, 'test');
      driftInTest += size;
    } else {
      move(p, problems.driftRest);
    }
  }

  // Room for the leaked image and the duplicate's copy, so test stays near its share.
  const reserved = 1 + (problems.duplicate ? 1 : 0);
  const inTest = patients.filter((p) => splitOf(p) === 'test' && ordinary(p)).sort((a, b) => byPatient.get(a)!.length - byPatient.get(b)!.length);
  for (const p of inTest) if (testSize() > targetTest - reserved) move(p, 'train');

  if (problems.duplicate) {
    move(duplicatePatients[0], 'train');
    move(duplicatePatients[1], 'test');
  }

  const leakCandidates = patients.filter((p) => splitOf(p) === 'train' && byPatient.get(p)!.length >= 2);
  const chosenLeak = cases.find((c) => c.id === problems.leakCase);
  const leakPatient = chosenLeak?.patientId ?? leakCandidates.find(ordinary) ?? leakCandidates[0];
  if (leakPatient === undefined) throw new Error('planSplits: no patient with two images to leak');
  move(leakPatient, 'train');

  // Small data sets can lose their whole val split to the moves above: refill it from train.
  const valSize = (): number => [...planted.values()].filter((s) => s === 'val').length;
  const targetVal = Math.round(SPLIT_RATIOS.val * cases.length);
  const spare = patients.filter((p) => splitOf(p) === 'train' && ordinary(p) && p !== leakPatient).sort((a, b) => byPatient.get(a)!.length - byPatient.get(b)!.length);
  for (const p of spare) if (valSize() < 0.6 * targetVal) move(p, 'val');

  const leaked = chosenLeak ?? [...byPatient.get(leakPatient)!].sort((a, b) => (a.id < b.id ? -1 : 1)).at(-1)!;
  planted.set(leaked.id, 'test');
  return { clean, planted, leakPatient };
}

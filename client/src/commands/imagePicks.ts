/**
 * The order of Open Preview's "Which image?" list (no vscode import, so it is tested in Node):
 * after an evaluation, its images first, worst Dice of the best model first, with that Dice;
 * then every other image, grouped by split. Before any evaluation, all images by split.
 */
import type { ImageEntryData, ImagesResult } from '../../../server/src/protocol';

export type ImagePick = { kind: 'separator'; label: string } | { kind: 'image'; id: string; label: string; description: string; dice?: number };

const SPLIT_ORDER = ['train', 'val', 'test'];

function splitRank(split: string | undefined): number {
  const i = SPLIT_ORDER.indexOf(split ?? '');
  return i < 0 ? SPLIT_ORDER.length : i;
}

function volumeNote(e: ImageEntryData): string | undefined {
  return e.depth > 1 ? `${e.depth} slices` : undefined;
}

export function imagePicks(result: ImagesResult): ImagePick[] {
  const model = result.rankedBy;
  const diceOf = (e: ImageEntryData) => (model ? e.dice?.[model] : undefined);
  const evaluated = result.images.filter((e) => e.dice !== undefined);
  const others = result.images.filter((e) => e.dice === undefined);
  const picks: ImagePick[] = [];
  if (evaluated.length > 0) {
    // Worst first; images whose Dice is undefined (a failed case) after the ranked ones.
    const ranked = [...evaluated].sort((a, b) => {
      const da = diceOf(a);
      const db = diceOf(b);
      if (da === undefined || db === undefined) return da === db ? 0 : da === undefined ? 1 : -1;
      return da - db || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
    const where = result.evaluatedSplit && result.evaluatedSplit !== 'all' ? ` on ${result.evaluatedSplit}` : '';
    picks.push({ kind: 'separator', label: `evaluated${where}${model ? ` · worst Dice of ${model} first` : ''}` });
    for (const e of ranked) {
      const dice = diceOf(e);
      const description = [e.split, dice === undefined ? (model ? `no Dice for ${model}` : undefined) : `Dice ${dice.toFixed(3)}`, volumeNote(e)].filter(Boolean).join(' · ');
      picks.push({ kind: 'image', id: e.id, label: e.id, description, ...(dice !== undefined ? { dice } : {}) });
    }
  }
  // The rest by split (train, val, test, then images without one), in dataset order within each.
  const groups = new Map<string, ImageEntryData[]>();
  for (const e of [...others].sort((a, b) => splitRank(a.split) - splitRank(b.split))) {
    const key = e.split ?? '';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(e);
  }
  for (const [split, entries] of groups) {
    const name = split || 'no split';
    picks.push({ kind: 'separator', label: evaluated.length > 0 ? `${name} · not evaluated` : name });
    for (const e of entries) picks.push({ kind: 'image', id: e.id, label: e.id, description: [e.split, volumeNote(e)].filter(Boolean).join(' · ') });
  }
  return picks;
}

/**
 * The split file (`splits.file`): a CSV with a `split` column (train | val | test) and an id
 * column (`dataset.id_column`, `image_id` or `id`). For axial slices a row may name the volume
 * (all its slices) or one slice.
 */
import { SPLIT_NAMES, type MedsegConfig, type SplitName } from '../config/types';
import type { Finding } from '../findings';
import { pushAll } from '../util/arrays';
import { CaseLookup, displayIdOf } from './caseLookup';
import { describeHeader, headerLocation, rowLocation, sortByLine, type CsvRow } from './csvTable';
import { displayPath, perItemOrAggregated, previewList } from './findingHelpers';
import { readDatasetCsv } from './readDatasetCsv';
import type { DatasetCase } from './types';

/** Other names for the splits that tools write (nnU-Net, Kaggle, scikit-learn users). */
const SPLIT_ALIASES = new Map<string, SplitName>([
  ['training', 'train'],
  ['validation', 'val'],
  ['valid', 'val'],
  ['testing', 'test'],
]);

/** Sets `split` on the cases the file names; returns false when the file could not be used. */
export async function applySplitFile(config: MedsegConfig, cases: readonly DatasetCase[], findings: Finding[], signal?: AbortSignal): Promise<boolean> {
  const file = config.splits!.file!;
  const csvName = displayPath(config.dir, file);
  const table = await readDatasetCsv(config, file, findings, {
    configPath: ['splits', 'file'],
    missingCode: 'dataset/split-file-missing',
    missingMessage: `The split file \`${csvName}\` does not exist: create it with the "Generate split" action (\`medseg split\`), or use \`splits.generate\` instead of \`splits.file\`.`,
    fix: { action: 'generate-split', file },
  });
  if (!table) return false;
  signal?.throwIfAborted();

  const splitIndex = table.header.indexOf('split');
  const idCandidates = [...new Set([config.dataset.idColumn, 'image_id', 'id'])];
  const idIndex = idCandidates.map((name) => table.header.indexOf(name)).find((i) => i >= 0) ?? -1;
  if (splitIndex < 0 || idIndex < 0) {
    const missing = [splitIndex < 0 ? '`split`' : undefined, idIndex < 0 ? `an id column (${idCandidates.map((c) => `\`${c}\``).join(', ')})` : undefined].filter(Boolean);
    findings.push({
      code: 'dataset/split-missing-column',
      severity: 'error',
      message: `The split file \`${csvName}\` needs ${missing.join(' and ')} (header, ${describeHeader(table)}).`,
      location: { file: config.file },
      configPath: ['splits', 'file'],
      related: [{ message: 'the CSV header', location: headerLocation(table) }],
    });
    return false;
  }

  const lookup = new CaseLookup(cases);
  const assignedBy = new Map<DatasetCase, CsvRow>();
  const unknownSplits: { value: string; row: CsvRow }[] = [];
  const unknownIds: { id: string; row: CsvRow }[] = [];
  const conflicts: { id: string; split: SplitName; row: CsvRow; earlier: CsvRow; earlierSplit: SplitName }[] = [];
  const aliasesUsed = new Map<string, CsvRow>();
  for (const row of table.rows) {
    const id = row.cells[idIndex] ?? '';
    const value = (row.cells[splitIndex] ?? '').toLowerCase();
    if (id === '' || value === '') continue; // an empty split leaves the image unsplit, reported below
    const split: SplitName | undefined = (SPLIT_NAMES as readonly string[]).includes(value) ? (value as SplitName) : SPLIT_ALIASES.get(value);
    if (split === undefined) {
      unknownSplits.push({ value: row.cells[splitIndex], row });
      continue;
    }
    if (!(SPLIT_NAMES as readonly string[]).includes(value) && !aliasesUsed.has(value)) aliasesUsed.set(value, row);
    const target = lookup.find(id);
    if (!target) {
      unknownIds.push({ id, row });
      continue;
    }
    const taken = target.cases.find((c) => assignedBy.has(c) && c.split !== split);
    if (taken) {
      conflicts.push({ id, split, row, earlier: assignedBy.get(taken)!, earlierSplit: taken.split! });
      continue;
    }
    for (const c of target.cases) {
      if (!assignedBy.has(c)) assignedBy.set(c, row);
      c.split = split;
    }
  }

  const validNames = SPLIT_NAMES.map((s) => `\`${s}\``).join(', ');
  const rowFindings: Finding[] = [];
  pushAll(
    rowFindings,
    perItemOrAggregated(
      unknownSplits,
      ({ value, row }) => ({
        code: 'dataset/unknown-split',
        severity: 'error',
        message: `\`${value}\` is not a split: use ${validNames}.`,
        location: rowLocation(table, row),
      }),
      (all) => ({
        code: 'dataset/unknown-split',
        severity: 'error',
        message: `${all.length} rows of \`${csvName}\` name no known split (${previewList([...new Set(all.map((u) => u.value))])}): use ${validNames}.`,
        location: rowLocation(table, all[0].row),
      }),
    ),
    perItemOrAggregated(
      unknownIds,
      ({ id, row }) => ({
        code: 'dataset/split-unknown-id',
        severity: 'warning',
        message: `\`${id}\` is not an image of the dataset; this row of \`${csvName}\` is ignored.`,
        location: rowLocation(table, row),
      }),
      (all) => ({
        code: 'dataset/split-unknown-id',
        severity: 'warning',
        message: `${all.length} rows of \`${csvName}\` name no image of the dataset and are ignored: ${previewList(all.map((u) => u.id))}.`,
        location: rowLocation(table, all[0].row),
      }),
    ),
    conflicts.map(({ id, split, row, earlier, earlierSplit }) => ({
      code: 'dataset/split-conflict',
      severity: 'error' as const,
      message: `\`${id}\` is put in \`${split}\` here but in \`${earlierSplit}\` on line ${earlier.line + 1}: an image belongs to one split (this row is ignored).`,
      location: rowLocation(table, row),
      related: [{ message: `\`${earlierSplit}\` assignment`, location: rowLocation(table, earlier) }],
    })),
  );
  if (aliasesUsed.size > 0) {
    const [firstRow] = [...aliasesUsed.values()].sort((a, b) => a.line - b.line);
    rowFindings.push({
      code: 'dataset/split-alias',
      severity: 'info',
      message: `Split names read as aliases: ${[...aliasesUsed.keys()].map((a) => `\`${a}\` as \`${SPLIT_ALIASES.get(a)}\``).join(', ')}.`,
      location: rowLocation(table, firstRow),
    });
  }
  pushAll(findings, sortByLine(rowFindings));
  const unsplit = [...new Set(cases.filter((c) => c.split === undefined).map(displayIdOf))];
  pushAll(
    findings,
    perItemOrAggregated(
      unsplit,
      (id) => ({
        code: 'dataset/unsplit-image',
        severity: 'warning',
        message: `Image \`${id}\` has no split in \`${csvName}\`; it is in no split.`,
        location: { file: config.file },
        configPath: ['splits', 'file'],
      }),
      (all) => ({
        code: 'dataset/unsplit-image',
        severity: 'warning',
        message: `${all.length} images have no split in \`${csvName}\` and are in no split: ${previewList(all)}.`,
        location: { file: config.file },
        configPath: ['splits', 'file'],
      }),
    ),
  );
  return true;
}

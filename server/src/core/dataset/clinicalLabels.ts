/**
 * The clinical CSV (`dataset.labels`): one row per image giving its group (patient) and clinical
 * labels. For axial slices a row may name the volume (it applies to every slice) or one slice (it
 * wins over its volume's row).
 */
import type { MedsegConfig } from '../config/types';
import { didYouMean } from '../config/schemaFindings';
import type { ConfigPath, Finding } from '../findings';
import { pushAll } from '../util/arrays';
import { CaseLookup, displayIdOf } from './caseLookup';
import { describeHeader, headerLocation, rowLocation, sortByLine, type CsvRow, type CsvTable } from './csvTable';
import { readDatasetCsv } from './readDatasetCsv';
import { displayPath, perItemOrAggregated, plural, previewList } from './findingHelpers';
import type { DatasetCase } from './types';

/** Reads the CSV into `cases` (group, labels); returns the label columns the CSV has. */
export async function applyClinicalLabels(
  config: MedsegConfig,
  cases: readonly DatasetCase[],
  findings: Finding[],
  signal?: AbortSignal,
): Promise<string[]> {
  const file = config.dataset.labels!;
  const table = await readDatasetCsv(config, file, findings, {
    configPath: ['dataset', 'labels'],
    missingCode: 'dataset/labels-missing',
    missingMessage: `The clinical CSV \`${displayPath(config.dir, file)}\` (\`dataset.labels\`) does not exist.`,
  });
  if (!table) return [];
  signal?.throwIfAborted();

  const column = (name: string, configPath: ConfigPath, severity: Finding['severity'], role: string): number | undefined => {
    const index = table.header.indexOf(name);
    if (index < 0) findings.push(missingColumnFinding(config, table, name, configPath, severity, role));
    return index < 0 ? undefined : index;
  };
  const idIndex = column(config.dataset.idColumn, ['dataset', 'id_column'], 'error', 'The `id_column`');
  const groupIndex = config.dataset.groupColumn !== undefined ? column(config.dataset.groupColumn, ['dataset', 'group_column'], 'error', 'The `group_column`') : undefined;
  const labelIndex = new Map<string, number>();
  config.dataset.labelColumns.forEach((name, i) => {
    const index = column(name, ['dataset', 'label_columns', i], 'error', 'The `label_columns` entry');
    if (index !== undefined) labelIndex.set(name, index);
  });
  // Stratify columns missing from `label_columns` are read all the same (the config warns).
  config.splits?.generate?.stratify.forEach((name, i) => {
    if (config.dataset.labelColumns.includes(name)) return;
    const index = column(name, ['splits', 'generate', 'stratify', i], 'warning', 'The `stratify` entry');
    if (index !== undefined) labelIndex.set(name, index);
  });
  if (idIndex === undefined) return [...labelIndex.keys()];

  const lookup = new CaseLookup(cases);
  const firstRowOf = new Map<string, CsvRow>();
  /** Which cases a slice row has set, so a volume row does not overwrite them. */
  const setBySliceRow = new Set<DatasetCase>();
  const covered = new Set<DatasetCase>();
  const unknown: { id: string; row: CsvRow }[] = [];
  const rowFindings: Finding[] = [];
  for (const row of table.rows) {
    const id = row.cells[idIndex] ?? '';
    if (id === '') continue; // nothing to match; such rows are usually trailing notes
    const first = firstRowOf.get(id);
    if (first) {
      rowFindings.push({
        code: 'dataset/csv-duplicate-id',
        severity: 'error',
        message: `\`${id}\` has a second row in \`${displayPath(config.dir, file)}\` (first on line ${first.line + 1}); only the first is used. Keep one row per image.`,
        location: rowLocation(table, row),
        related: [{ message: `first row of \`${id}\``, location: rowLocation(table, first) }],
      });
      continue;
    }
    firstRowOf.set(id, row);
    const target = lookup.find(id);
    if (!target) {
      unknown.push({ id, row });
      continue;
    }
    for (const c of target.cases) {
      if (target.wholeVolume && setBySliceRow.has(c)) continue;
      if (!target.wholeVolume) setBySliceRow.add(c);
      covered.add(c);
      const group = groupIndex !== undefined ? row.cells[groupIndex] : undefined;
      if (group) c.group = group;
      else delete c.group;
      const labels: Record<string, string> = {};
      for (const [name, index] of labelIndex) {
        const value = row.cells[index];
        if (value) labels[name] = value;
      }
      c.labels = labels;
    }
  }

  const csvName = displayPath(config.dir, file);
  pushAll(
    rowFindings,
    perItemOrAggregated(
      unknown,
      ({ id, row }) => ({
        code: 'dataset/csv-unknown-id',
        severity: 'warning',
        message: `\`${id}\` is not an image of the dataset; this row of \`${csvName}\` is ignored.`,
        location: rowLocation(table, row),
      }),
      (all) => ({
        code: 'dataset/csv-unknown-id',
        severity: 'warning',
        message: `${all.length} rows of \`${csvName}\` name no image of the dataset and are ignored: ${previewList(all.map((u) => u.id))}.`,
        location: rowLocation(table, all[0].row),
      }),
    ),
  );
  pushAll(findings, sortByLine(rowFindings));
  const uncovered = [...new Set(cases.filter((c) => !covered.has(c)).map(displayIdOf))];
  if (uncovered.length > 0) {
    findings.push({
      code: 'dataset/csv-missing-row',
      severity: 'warning',
      message: `${plural(uncovered.length, 'image')} ${uncovered.length === 1 ? 'has' : 'have'} no row in \`${csvName}\` (no group, no clinical labels): ${previewList(uncovered)}.`,
      location: { file: config.file },
      configPath: ['dataset', 'labels'],
    });
  }
  return [...labelIndex.keys()];
}

export function missingColumnFinding(config: MedsegConfig, table: CsvTable, name: string, configPath: ConfigPath, severity: Finding['severity'], role: string): Finding {
  const suggestion = didYouMean(name, table.header);
  return {
    code: 'dataset/csv-missing-column',
    severity,
    message:
      `${role} \`${name}\` is not a column of \`${displayPath(config.dir, table.file)}\` (header, ${describeHeader(table)})` +
      (suggestion ? `: did you mean \`${suggestion}\`?` : '.'),
    location: { file: config.file },
    configPath,
    related: [{ message: 'the CSV header', location: headerLocation(table) }],
    ...(suggestion ? { fix: { replacement: suggestion } } : {}),
  };
}

/** After a run, each model's mean Dice (with its 95 % interval in the tooltip) beside its name. */
import { MarkupKind, type InlayHint, type Range } from 'vscode-languageserver/node';
import type { OpenConfig } from '../documents';
import { meanMetricOf, readSummary, resultsDirOf } from '../results';

function inRange(line: number, range: Range): boolean {
  return line >= range.start.line && line <= range.end.line;
}

export async function configInlayHints(open: OpenConfig, range: Range): Promise<InlayHint[]> {
  const config = open.parsed.config;
  if (!config) return [];
  const summary = await readSummary(resultsDirOf(config));
  if (!summary) return [];
  const hints: InlayHint[] = [];
  const doc = open.parsed.document;
  for (const model of config.models) {
    const dice = meanMetricOf(summary, model.name);
    if (!dice) continue;
    const anchorKey = doc.yaml.hasIn(['models', model.index, 'name']) ? 'name' : model.path ? 'path' : 'predictions';
    const at = doc.rangeOf(['models', model.index, anchorKey]).end;
    if (!inRange(at.line, range)) continue;
    const ci = dice.ci95 ? ` (95 % CI ${dice.ci95[0].toFixed(3)}–${dice.ci95[1].toFixed(3)})` : '';
    const split = typeof summary.split === 'string' ? `, split \`${summary.split}\`` : '';
    const time = typeof summary.time === 'string' ? `, run ${summary.time}` : '';
    hints.push({
      position: at,
      label: `Dice ${dice.mean.toFixed(3)}`,
      paddingLeft: true,
      tooltip: { kind: MarkupKind.Markdown, value: `Mean Dice of \`${model.name}\`: ${dice.mean.toFixed(4)}${ci}${dice.n !== undefined ? `, n = ${dice.n}` : ''}${split}${time}.` },
    });
  }
  return hints;
}

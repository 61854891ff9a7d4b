import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../../server/src/core/config';
import type { Finding } from '../../../server/src/core/findings';

const FILE = '/work/exp/isic.medseg.yaml';

/** [code, severity, first line, last line] (one-based, as an editor shows them). */
function placed(findings: Finding[]): [string, string, number, number][] {
  return findings.map((f) => [f.code, f.severity, f.location!.range!.start.line + 1, f.location!.range!.end.line + 1]);
}

describe('missing and misspelt keys (schemaFindings)', () => {
  const body = ['# an experiment', '', 'name: isic', 'dataset:', '  images: data/*.png', '  masks: data/{stem}_mask.png'];

  test('a misspelt required key is one error on the typo, with the quick fix, and no finding across the file', () => {
    const text = [...body, 'modles:', '  - path: m.onnx', 'evaluation:', '  metrics: [dice]', ''].join('\n');
    const r = parseConfig(text, FILE);
    assert.equal(r.config, undefined);
    assert.deepEqual(placed(r.findings), [['config/unknown-key', 'error', 7, 7]]);
    const [typo] = r.findings;
    assert.equal(typo.message, 'Unknown key `modles`: did you mean `models`? The config needs `models` (models to evaluate).');
    assert.deepEqual(typo.location!.range, { start: { line: 6, character: 0 }, end: { line: 6, character: 6 } });
    assert.deepEqual(typo.fix, { replacement: 'models', key: 'modles' });
  });

  test('a missing required key without a near miss sits on the first line of the mapping, past comments', () => {
    const text = [...body, 'evaluation:', '  metrics: [dice]', ''].join('\n');
    const r = parseConfig(text, FILE);
    assert.deepEqual(placed(r.findings), [['config/missing-key', 'error', 3, 3]]);
    assert.deepEqual(r.findings[0].location!.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 10 } });
    assert.equal(r.findings[0].message, 'The config needs `models` (models to evaluate): add it.');
  });

  test('an unrelated unknown key stays a warning beside the missing key', () => {
    const text = [...body, 'extras:', '  - path: m.onnx', ''].join('\n');
    const r = parseConfig(text, FILE);
    assert.deepEqual(placed(r.findings), [
      ['config/missing-key', 'error', 3, 3],
      ['config/unknown-key', 'warning', 7, 7],
    ]);
  });

  test('a typo of an optional key stays a warning; Windows line ends do not widen the range', () => {
    const text = [...body, 'models:', '  - path: m.onnx', 'evalution:', '  metrics: [dice]', ''].join('\r\n');
    const r = parseConfig(text, FILE);
    assert.deepEqual(placed(r.findings), [['config/unknown-key', 'warning', 9, 9]]);
    assert.match(r.findings[0].message, /^Unknown key `evalution`: did you mean `evaluation`\?$/);
    const missing = parseConfig(['name: a', 'dataset:', '  images: x/*.png', '  masks: m/{stem}.png', ''].join('\r\n'), FILE).findings;
    assert.deepEqual(missing[0].location!.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 7 } });
  });
});

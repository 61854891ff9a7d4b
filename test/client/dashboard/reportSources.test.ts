import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResultsData } from '../../../server/src/protocol';
import { extractReportData, reportDataFromResults, withCurrentExplain, withCurrentSections, withCurrentStress } from '../../../client/src/dashboard/reportSources';
import type { ReportData } from '../../../server/src/protocol/reportData';

describe('extractReportData', () => {
  test('reads the JSON report.html embeds, with the writer\'s script-safe escapes', () => {
    // As server/src/core/report/html.ts writes it: `<` as \u003c so a label cannot close the script.
    const data = { experiment: 'x</script><b>', methods: [{ name: 'm' }], split: 'test' };
    const json = JSON.stringify(data).replace(/</g, '\\u003c');
    const html = `<!doctype html><html><head><script>var a = 1;</script></head><body><main id="medseg-report"></main>\n<script id="medseg-data" type="application/json">${json}</script>\n<script>/* bundle */</script></body></html>`;
    const parsed = extractReportData(html);
    assert.ok(parsed);
    assert.equal(parsed.experiment, 'x</script><b>');
    assert.deepEqual(parsed.methods, [{ name: 'm' }]);
  });

  test('no data element, broken JSON, or JSON that is not a report: undefined', () => {
    assert.equal(extractReportData('<html><body>nothing</body></html>'), undefined);
    assert.equal(extractReportData('<script id="medseg-data" type="application/json">{oops</script>'), undefined);
    assert.equal(extractReportData('<script id="medseg-data" type="application/json">[1,2]</script>'), undefined);
  });
});

describe('reportDataFromResults', () => {
  const results: ResultsData = {
    outputDir: '/r/demo',
    summary: {
      experiment: 'demo',
      time: '2026-11-27T00:00:00Z',
      engine_version: '0.1.0',
      split: 'test',
      images: 2,
      provider: { used: 'cpu', attempts: [] },
      methods: {
        a: { kind: 'model', family: 'TII', n: 2, metrics: { dice: { n: 2, excluded: 0, mean: 0.75, median: 0.75, std: 0.1, ci95: [0.7, 0.8] }, hd95: { n: 1, excluded: 1, mean: 3 } }, pooled: { dice: 0.76, auroc: 0.9 }, roc: { fpr: [0, 1], tpr: [0, 1] } },
        'fusion:best': { kind: 'fusion', n: 2, metrics: { dice: { n: 2, excluded: 0, mean: 0.8 } }, pooled: {} },
      },
      comparisons: [{ a: 'a', b: 'fusion:best', metric: 'dice', test: 'wilcoxon', statistic: 1.5, p: 0.04, p_adjusted: 0.08, effect_size: 0.3 }, { bogus: true }],
      selection: { best_method: 'a', correct_images: { a: 1 } },
      splits: [{ code: 'split/patient-leak', severity: 'warning', message: 'leak' }],
    },
    rows: [
      { imageId: 'i1', split: 'test', method: 'a', metrics: { dice: 0.7 } },
      { imageId: 'i2', split: 'test', method: 'a', metrics: { dice: undefined } },
    ],
  };

  test('skipped models and failed image results stay visible (summary.json skipped_models, failures)', () => {
    const failures = Array.from({ length: 130 }, (_, i) => ({ image_id: `i${i}`, method: 'a', code: 'io/unreadable', message: `m${i}` }));
    const r = reportDataFromResults({ ...results, summary: { ...results.summary, skipped_models: [{ name: 'b', code: 'model/unreadable', reason: 'b.onnx is not an ONNX model' }, { bogus: 1 }], failures } });
    assert.deepEqual(r.skippedModels, [{ name: 'b', code: 'model/unreadable', reason: 'b.onnx is not an ONNX model' }]);
    assert.equal(r.failureCount, 130);
    assert.equal(r.failures!.length, 100);
    assert.deepEqual(r.failures![99], { imageId: 'i99', method: 'a', code: 'io/unreadable', message: 'm99' });
    // A summary written before skipped_models existed reads as nothing skipped.
    assert.deepEqual(reportDataFromResults(results).skippedModels, []);
    assert.equal(reportDataFromResults(results).failureCount, 0);
  });

  test('maps summary.json (snake_case) to the report views', () => {
    const r = reportDataFromResults(results);
    assert.equal(r.experiment, 'demo');
    assert.equal(r.provider, 'cpu');
    assert.equal(r.images, 2);
    assert.equal(r.primaryMetric, 'dice');
    assert.deepEqual(r.metrics, ['dice', 'hd95']);
    assert.deepEqual(
      r.methods.map((m) => [m.name, m.kind, m.upperBound ?? false, m.metrics.dice.mean]),
      [
        ['a', 'model', false, 0.75],
        ['fusion:best', 'fusion', true, 0.8],
      ],
    );
    assert.deepEqual(r.methods[0].metrics.dice.ci95, [0.7, 0.8]);
    assert.deepEqual(r.methods[0].roc, { fpr: [0, 1], tpr: [0, 1] });
    assert.deepEqual(r.perImage, [
      { imageId: 'i1', method: 'a', value: 0.7 },
      { imageId: 'i2', method: 'a', value: undefined },
    ]);
    assert.deepEqual(r.comparisons, [{ a: 'a', b: 'fusion:best', metric: 'dice', test: 'wilcoxon', statistic: 1.5, p: 0.04, pAdjusted: 0.08, effectSize: 0.3, effectName: undefined }]);
    assert.deepEqual(r.selection, { bestMethod: 'a', note: undefined, correctImages: { a: 1 } });
    assert.deepEqual(r.splits, [{ code: 'split/patient-leak', severity: 'warning', message: 'leak' }]);
    assert.deepEqual(r.gallery, { best: [], worst: [] });
  });

  test('an empty summary still gives a drawable report', () => {
    const r = reportDataFromResults({ outputDir: '/r', summary: {}, rows: [{ imageId: 'x', split: 'test', method: 'm', metrics: {} }] });
    assert.equal(r.images, 1);
    assert.equal(r.primaryMetric, 'dice');
    assert.deepEqual(r.methods, []);
    assert.equal(r.selection, undefined);
  });

  test('the stress section the server shaped from stress.json is drawn as it came', () => {
    const stress = { experiment: 'demo', split: 'test', time: 't', seed: 1, repeats: 2, dropThreshold: 0.05, labelMixes: [], perturbations: [], notes: ['n'] };
    assert.deepEqual(reportDataFromResults({ ...results, stress }).stress, stress);
    assert.equal(reportDataFromResults(results).stress, undefined);
  });
});

describe('withCurrentStress', () => {
  const embedded = { experiment: 'demo', stress: { time: 'old' } } as unknown as ReportData;
  test('the results folder\'s stress.json wins over the one embedded in an older report.html', () => {
    const current = { experiment: 'demo', split: 'test', time: 'new', seed: 1, repeats: 2, dropThreshold: 0.05, labelMixes: [], perturbations: [], notes: [] };
    assert.equal(withCurrentStress(embedded, { outputDir: '/r', summary: {}, rows: [], stress: current }).stress, current);
  });
  test('without stress.json in the folder the report is drawn as embedded', () => {
    assert.equal(withCurrentStress(embedded, { outputDir: '/r', summary: {}, rows: [] }), embedded);
  });
});

describe('withCurrentExplain', () => {
  const embedded = { experiment: 'demo', stress: { time: 'old stress' }, explain: { experiment: 'demo', methods: [], galleryPerList: 4, notes: ['old'], problems: [] } } as unknown as ReportData;
  const explain = {
    experiment: 'demo',
    galleryPerList: 4,
    notes: [],
    problems: [],
    methods: [{ method: 'gradcam', label: 'Grad-CAM', time: 'new', split: 'test', target: 'prediction', imageRule: '', layerRule: '', inputGradient: false, models: [], families: [], comparisons: [], comparisonCount: 0, failures: [], failureCount: 0, notes: [] }],
  };
  const stress = { experiment: 'demo', split: 'test', time: 'new stress', seed: 1, repeats: 2, dropThreshold: 0.05, labelMixes: [], perturbations: [], notes: [] };

  test("the results folder's explain.json files win over the section embedded in an older report.html", () => {
    assert.equal(withCurrentExplain(embedded, { outputDir: '/r', summary: {}, rows: [], explain }).explain, explain);
    assert.equal(withCurrentExplain(embedded, { outputDir: '/r', summary: {}, rows: [] }), embedded);
  });

  test('both server-shaped sections at once, each only when the server sent it', () => {
    const both = withCurrentSections(embedded, { outputDir: '/r', summary: {}, rows: [], stress, explain });
    assert.equal(both.stress, stress);
    assert.equal(both.explain, explain);
    const onlyExplain = withCurrentSections(embedded, { outputDir: '/r', summary: {}, rows: [], explain });
    assert.equal(onlyExplain.stress, embedded.stress);
    assert.equal(onlyExplain.explain, explain);
  });

  test('without report.html the dashboard draws the section from medseg/results', () => {
    assert.equal(reportDataFromResults({ outputDir: '/r', summary: {}, rows: [], explain }).explain, explain);
    assert.equal(reportDataFromResults({ outputDir: '/r', summary: {}, rows: [] }).explain, undefined);
  });
});

/**
 * Issue 13, items 4, 5, 6 and 9 end to end — data destroyed or lost: names that are `..` or `.`
 * (they once wrote predictions over the reference masks), a results folder equal to or above the
 * dataset, ids that differ only in characters file systems refuse, two runs into one folder, a
 * stale lock of a killed run, and temp files left by reruns. Each test asserts the finding code,
 * the exit status and that every input file is byte-identical afterwards.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { buildDemoModel } from '../../server/src/demo/models';
import { assertInputsUnchanged, discMask, makeWorkspace, predictionsConfig, runMedseg, snapshotFiles, startMedseg, waitFor, type Workspace } from './workspace';

const LOCK = '.medseg.lock';
const codeIn = (text: string, code: string) => assert.ok(text.includes(`[${code}]`), `expected [${code}] in:\n${text}`);

/** Every file under `dir`, relative, `/`-separated (hidden ones included). */
function allFiles(dir: string): string[] {
  return [...snapshotFiles(dir).keys()];
}

describe('item 4: names that are path segments, and results folders that hold the dataset', () => {
  const cases: [string, string, string][] = [
    ['experiment `..` with a model `.` (wrote predictions over masks/{stem}.png)', 'name: ".."\n' + predictionsConfig(['.']), 'exp.medseg.yaml'],
    ['experiment `..`', 'name: ".."\n' + predictionsConfig(['exact']), 'exp.medseg.yaml'],
    ['a model named `.`', predictionsConfig(['.']), 'exp.medseg.yaml'],
    ['a config file `..medseg.yaml`, whose default name is `.`', predictionsConfig(['exact']), '..medseg.yaml'],
  ];
  for (const [what, config, file] of cases) {
    test(`${what}: config/unsafe-name, exit 1, nothing written`, async () => {
      const ws = await makeWorkspace({ cases: 3, predictionModels: [{ name: '.', shift: 1 }, { name: 'exact', shift: 0 }] });
      try {
        ws.write(file, config.replaceAll('{CACHE}', ws.path('.cache')));
        const inputs = snapshotFiles(ws.dir);
        const r = runMedseg(ws.dir, 'evaluate', file);
        assert.equal(r.code, 1, r.stderr + r.stdout);
        codeIn(r.stdout, 'config/unsafe-name');
        assertInputsUnchanged(inputs, ws.dir);
        assert.deepEqual(allFiles(ws.dir), [...inputs.keys()], 'no file was added anywhere');
      } finally {
        ws.remove();
      }
    });
  }

  describe('a results folder equal to or above the images and masks folders', () => {
    let ws: Workspace;
    before(async () => {
      ws = await makeWorkspace({ cases: 3, predictionModels: [{ name: 'exact', shift: 0 }], config: predictionsConfig(['exact']) });
      ws.write('at-masks.medseg.yaml', predictionsConfig(['exact'], 'output: "."\nname: masks').replaceAll('{CACHE}', ws.path('.cache')));
    });
    after(() => ws.remove());

    for (const [what, args] of [
      ['--output masks (the masks folder itself)', ['evaluate', 'exp.medseg.yaml', '--output', 'masks']],
      ['--output . (the folder holding images/ and masks/)', ['evaluate', 'exp.medseg.yaml', '--output', '.']],
      ['--output images/.. (the same, spelt otherwise)', ['evaluate', 'exp.medseg.yaml', '--output', 'images/..']],
      ['output: "." with name: masks in the config', ['evaluate', 'at-masks.medseg.yaml']],
      ['medseg stress --output masks', ['stress', 'exp.medseg.yaml', '--output', 'masks', '--perturbations', 'none']],
    ] as const) {
      test(`${what}: results/holds-inputs naming both, exit 1, nothing written`, () => {
        const inputs = snapshotFiles(ws.dir);
        const r = runMedseg(ws.dir, ...args);
        assert.equal(r.code, 1, r.stderr + r.stdout);
        codeIn(r.stderr, 'results/holds-inputs');
        assert.match(r.stderr, /The results folder \S+ holds dataset inputs \(\S+(images|masks)\/case_000\.png\)/);
        assertInputsUnchanged(inputs, ws.dir);
        assert.deepEqual(allFiles(ws.dir), [...inputs.keys()], 'no file was added anywhere (no lock file either)');
      });
    }

    test('beside the dataset (the default medseg-results/<name>) it runs', () => {
      const inputs = snapshotFiles(ws.dir);
      const r = runMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml');
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assertInputsUnchanged(inputs, ws.dir);
      assert.ok(existsSync(ws.path('medseg-results/exp/masks/exact/case_000.png')));
      assert.ok(!existsSync(ws.path(`medseg-results/exp/${LOCK}`)), 'the lock is released');
    });
  });
});

describe('item 5: ids that differ only in <>:"|?* get files of their own', () => {
  const ids = ['a<1', 'a>1', 'a_1', '12:30'];
  const files = { 'a<1': 'a%3C1', 'a>1': 'a%3E1', a_1: 'a_1', '12:30': '12%3A30' } as Record<string, string>;
  let ws: Workspace;
  before(async () => {
    ws = await makeWorkspace({ ids, predictionModels: [{ name: 'exact', shift: 0 }, { name: 'shifted', shift: 2 }], config: predictionsConfig(['exact', 'shifted']) });
  });
  after(() => ws.remove());

  test('evaluate: exit 0, one mask per id holding that id’s own prediction, and file_names.csv records the mapping', async () => {
    const inputs = snapshotFiles(ws.dir);
    const r = runMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml', '--output', 'out');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.doesNotMatch(r.stderr, /error/);
    assertInputsUnchanged(inputs, ws.dir);
    assert.deepEqual(readdirSync(ws.path('out/masks/exact')).sort(), ['12%3A30.png', 'a%3C1.png', 'a%3E1.png', 'a_1.png']);
    for (const c of ws.cases) {
      // The exact model's mask of each id is that id's reference disc (the discs differ between ids).
      const { data, info } = await sharp(ws.path(`out/masks/exact/${files[c.id]}.png`)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      const want = discMask(c, info.width, info.height);
      assert.ok(data.every((v, i) => (v > 0 ? 1 : 0) === want[i]), `masks/exact/${files[c.id]}.png is ${c.id}'s`);
      assert.ok(existsSync(ws.path(`out/prob/shifted/${files[c.id]}.png`)) && existsSync(ws.path(`out/errors/fusion:union/${files[c.id]}.png`)));
    }
    assert.equal(readFileSync(ws.path('out/file_names.csv'), 'utf8'), 'image_id,file\n12:30,12%3A30\na<1,a%3C1\na>1,a%3E1\na_1,a_1\n');
    const csv = readFileSync(ws.path('out/per_image.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const exact = csv.filter((row) => row[2] === 'exact');
    assert.deepEqual(exact.map((row) => [row[0], Number(row[3])]), ['12:30', 'a<1', 'a>1', 'a_1'].map((id) => [id, 1]));
  });
});

describe('item 6: two runs into one results folder', () => {
  let ws: Workspace;
  before(async () => {
    // Enough cases that a run holds its lock for a while; the first run is frozen while it holds it.
    ws = await makeWorkspace({ cases: 40, predictionModels: [{ name: 'exact', shift: 0 }, { name: 'shifted', shift: 2 }], config: predictionsConfig(['exact']) });
    ws.write('other.medseg.yaml', predictionsConfig(['shifted']).replaceAll('{CACHE}', ws.path('.cache')));
  });
  after(() => ws.remove());

  test('the second run is refused with results/locked naming the first (pid, command); the first finishes alone', { skip: process.platform === 'win32' }, async () => {
    const inputs = snapshotFiles(ws.dir);
    const first = startMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml', '--output', 'out');
    let stopped = false;
    try {
      await waitFor(() => existsSync(ws.path(`out/${LOCK}`)), 'the first run to take the lock');
      process.kill(first.pid, 'SIGSTOP');
      stopped = true;
      const second = runMedseg(ws.dir, 'evaluate', 'other.medseg.yaml', '--output', 'out');
      assert.equal(second.code, 1, second.stderr + second.stdout);
      codeIn(second.stderr, 'results/locked');
      assert.match(second.stderr, new RegExp(`in use by another run: medseg evaluate exp\\.medseg\\.yaml --output out \\(pid ${first.pid}, since `));
    } finally {
      if (stopped) process.kill(first.pid, 'SIGCONT');
    }
    const r = await first.done;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assertInputsUnchanged(inputs, ws.dir);
    assert.ok(!existsSync(ws.path(`out/${LOCK}`)));
    assert.ok(!existsSync(ws.path('out/masks/shifted')), 'the refused run wrote nothing');
    const methods = new Set(readFileSync(ws.path('out/per_image.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[2]));
    assert.deepEqual([...methods], ['exact']);
  });

  test('a run killed with -9 leaves a stale lock: the next run takes it over, removes the dead run’s temp files and finishes', { skip: process.platform === 'win32' }, async () => {
    const inputs = snapshotFiles(ws.dir);
    const killed = startMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml', '--output', 'killed');
    await waitFor(() => existsSync(ws.path(`killed/${LOCK}`)), 'the run to take the lock');
    process.kill(killed.pid, 'SIGSTOP');
    process.kill(killed.pid, 'SIGKILL');
    assert.equal((await killed.done).signal, 'SIGKILL');
    const stale = JSON.parse(readFileSync(ws.path(`killed/${LOCK}`), 'utf8'));
    assert.equal(stale.pid, killed.pid);
    // What a write interrupted by the kill leaves: a hidden temp named after the dead pid.
    writeFileSync(ws.path(`killed/.summary.json.${killed.pid}.0123abcd.0.tmp`), '{"half');
    const r = runMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml', '--output', 'killed');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assertInputsUnchanged(inputs, ws.dir);
    assert.deepEqual(allFiles(ws.path('killed')).filter((f) => f.endsWith('.tmp') || f.includes(LOCK)), []);
    assert.equal(JSON.parse(readFileSync(ws.path('killed/summary.json'), 'utf8')).images, 40);
  });
});

describe('item 9: reruns leave no temporary file', () => {
  let ws: Workspace;
  before(async () => {
    ws = await makeWorkspace({
      cases: 4,
      predictionModels: [{ name: 'exact', shift: 0 }],
      config: [
        'dataset:',
        '  images: images/*.png',
        '  masks: masks/{stem}.png',
        'models:',
        '  - name: net',
        '    path: net.onnx',
        '  - name: exact',
        '    predictions: preds/exact/{stem}.png',
        'evaluation: { bootstrap: 20 }',
        'runtime: { cache: "{CACHE}", threads: 1 }',
      ].join('\n'),
    });
    ws.write('net.onnx', buildDemoModel('dermoscopy', 'tii-sharp'));
  });
  after(() => ws.remove());

  test('three reruns into one folder: the same files each time, no .tmp, and each prob/ PNG linked only from the cache', () => {
    const inputs = snapshotFiles(ws.dir, ['.cache']);
    const listings: string[][] = [];
    for (let run = 0; run < 3; run++) {
      const r = runMedseg(ws.dir, 'evaluate', 'exp.medseg.yaml', '--output', 'out');
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.doesNotMatch(r.stderr, /error/);
      listings.push(allFiles(ws.path('out')));
      assert.deepEqual(listings[run].filter((f) => f.endsWith('.tmp') || f.startsWith('.') || f.includes('/.')), [], `run ${run + 1}: hidden files left`);
    }
    assert.deepEqual(listings[1], listings[0]);
    assert.deepEqual(listings[2], listings[0]);
    // 4 images: masks and errors of net, exact and 5 fusions, prob of both models; 5 files at the top.
    assert.equal(listings[0].filter((f) => f.startsWith('masks/')).length, 4 * 7);
    assert.equal(listings[0].filter((f) => f.startsWith('prob/')).length, 4 * 2);
    for (const c of ws.cases) assert.equal(statSync(ws.path(`out/prob/net/${c.id}.png`)).nlink, 2, `prob/net/${c.id}.png: the cache entry and the result, no hidden third link`);
    assertInputsUnchanged(inputs, ws.dir, ['.cache', 'out']);
  });
});

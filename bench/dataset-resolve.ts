/**
 * Times `resolveDataset` on N template-paired empty files (default 60,000 images + 60,000 masks)
 * and the split generator on the resulting cases. Run: npx tsx bench/dataset-resolve.ts [N]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDataset } from '../server/src/core/dataset';
import { generateBestSplits } from '../server/src/core/splits';
import type { MedsegConfig } from '../server/src/core/config/types';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 60000);
  const dir = mkdtempSync(join(tmpdir(), 'medseg-bench-'));
  try {
    mkdirSync(join(dir, 'images'));
    mkdirSync(join(dir, 'masks'));
    let t = performance.now();
    for (let i = 0; i < n; i++) {
      const id = `ISIC_${String(i).padStart(7, '0')}`;
      writeFileSync(join(dir, 'images', `${id}.jpg`), '');
      writeFileSync(join(dir, 'masks', `${id}_segmentation.png`), '');
    }
    const createMs = performance.now() - t;
    const config = {
      file: join(dir, 'bench.medseg.yaml'),
      dir,
      name: 'bench',
      dataset: { images: 'images/*.jpg', masks: 'masks/{stem}_segmentation.png', idColumn: 'image_id', labelColumns: [], foreground: { kind: 'nonzero' }, volumes: '3d' },
      models: [],
    } as unknown as MedsegConfig;
    t = performance.now();
    const ds = await resolveDataset(config);
    const resolveMs = performance.now() - t;
    ds.cases.forEach((c, i) => {
      c.group = `p${i % Math.ceil(n / 3)}`;
      c.labels = { diagnosis: ['mel', 'nev', 'bkl', 'rare'][i % 97 === 0 ? 3 : i % 3] };
    });
    t = performance.now();
    generateBestSplits(ds.cases, { ratios: { train: 0.7, val: 0.15, test: 0.15 }, stratify: ['diagnosis'], seed: 1, tries: 5 });
    const splitMs = performance.now() - t;
    process.stdout.write(
      `${n} images: create files ${createMs.toFixed(0)} ms, resolveDataset ${resolveMs.toFixed(0)} ms ` +
        `(${ds.cases.length} cases, ${ds.findings.length} findings), generateBestSplits(5 tries) ${splitMs.toFixed(0)} ms\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();

/**
 * `npm run demo`: writes the synthetic demo workspace (data and models, deterministic, no download)
 * and runs the main jobs on every demo config, as a new user would.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDemoData } from '../demo';
import { writeDemoModels } from '../demo/models';
import { main } from './main';

const MODALITIES = ['dermoscopy', 'histology', 'ct'] as const;

async function demo(root: string): Promise<number> {
  process.stderr.write(`Writing the synthetic demo workspace to ${root} …\n`);
  const summary = await createDemoData(root);
  for (const modality of MODALITIES) await writeDemoModels(join(root, modality), modality);
  process.stderr.write(`${JSON.stringify(summary, null, 2)}\n`);
  // The clean configs' split is the engine's own: `medseg split` keeps the best of 20 seeds.
  for (const modality of MODALITIES) {
    const dir = join(root, modality);
    process.stderr.write(`\n== medseg split ${join(dir, `${modality}-clean.medseg.yaml`)}\n`);
    const code = await main(['split', join(dir, `${modality}-clean.medseg.yaml`), '--out', join(dir, 'splits_clean.csv')]);
    if (code !== 0) return code;
  }
  let worst = 0;
  for (const modality of MODALITIES) {
    const dir = join(root, modality);
    const configs = readdirSync(dir).filter((f) => f.endsWith('.medseg.yaml')).sort();
    for (const config of configs) {
      const path = join(dir, config);
      process.stderr.write(`\n== medseg validate ${path}\n`);
      // Validation findings are the demo's point (planted leak, drift, rare labels): report, don't fail.
      const code = await main(['validate', path]);
      if (code > 1) worst = Math.max(worst, code);
    }
    // The planted config, the trained real model's where the demo could add it (dermoscopy), and
    // the per-region one where the masks are label maps (CT: KiTS's kidney and tumour regions).
    for (const name of [`${modality}.medseg.yaml`, `${modality}-trained.medseg.yaml`, `${modality}-regions.medseg.yaml`].filter((f) => configs.includes(f))) {
      const path = join(dir, name);
      process.stderr.write(`\n== medseg evaluate ${path}\n`);
      worst = Math.max(worst, await main(['evaluate', path]));
    }
  }
  return worst;
}

demo(resolve(process.argv[2] ?? 'demo')).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`demo failed: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  },
);

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; walkthroughs: { id: string; steps: { id: string; completionEvents?: string[]; media: { markdown?: string; image?: string } }[] }[] };
};
const steps = manifest.contributes.walkthroughs.flatMap((w) => w.steps);

/**
 * The completion events VS Code 1.100 accepts (gettingStartedService: anything else is logged as
 * "Unknown completionEvent" and the step never ticks, as `onLanguage:` did).
 */
const KINDS = ['onLink', 'onEvent', 'onView', 'onSettingChanged', 'onContext', 'onStepSelected', 'stepSelected', 'onCommand', 'onExtensionInstalled', 'extensionInstalled'];
/** Workbench commands, views and context keys the steps complete on, besides the extension's own. */
const WORKBENCH = ['workbench.actions.view.problems', 'workbench.panel.markers.view'];
const WORKBENCH_CONTEXT_KEYS = ['resourceLangId'];

test('every walkthrough completion event is of a kind VS Code knows, naming something that exists', () => {
  const commands = new Set(manifest.contributes.commands.map((c) => c.command));
  const contextSource = readFileSync(join(root, 'client', 'src', 'walkthrough.ts'), 'utf8');
  for (const step of steps) {
    assert.ok(step.completionEvents?.length, `step ${step.id} names how it completes`);
    for (const event of step.completionEvents!) {
      const [, kind, arg] = /^([^:]*):?(.*)$/.exec(event)!;
      assert.ok(KINDS.includes(kind), `${step.id}: ${event} is not a completion event VS Code knows`);
      if (kind === 'onCommand') assert.ok(commands.has(arg) || WORKBENCH.includes(arg), `${step.id}: ${arg} is no contributed command`);
      if (kind === 'onView') assert.ok(WORKBENCH.includes(arg), `${step.id}: ${arg} is no known view`);
      if (kind === 'onContext') {
        const key = /^[\w.]+/.exec(arg)?.[0] ?? '';
        assert.ok(WORKBENCH_CONTEXT_KEYS.includes(key) || contextSource.includes(`'${key}'`), `${step.id}: nothing sets the context key ${key}`);
      }
    }
  }
});

test('every walkthrough step shows an image (in its markdown page) that ships in media/', () => {
  for (const step of steps) {
    const md = step.media.markdown;
    if (step.media.image) {
      assert.ok(existsSync(join(root, step.media.image)), `${step.id}: ${step.media.image}`);
      continue;
    }
    assert.ok(md && md.startsWith('media/'), `${step.id} has an image or a markdown page under media/`);
    const images = [...readFileSync(join(root, md), 'utf8').matchAll(/!\[([^\]]+)\]\(([^)]+)\)/g)];
    assert.ok(images.length > 0, `${md} shows an image`);
    for (const [, alt, src] of images) {
      assert.ok(alt.length > 10, `${md}: ${src} has a description`);
      const file = join(root, dirname(md), src);
      assert.ok(existsSync(file), `${md}: ${src} exists`);
      assert.deepEqual([...readFileSync(file).subarray(1, 4)], [0x50, 0x4e, 0x47], `${src} is a PNG`);
    }
  }
});

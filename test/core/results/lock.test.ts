// One writer per results folder (issue 13, item 6): two runs into one folder mixed their files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InputError } from '../../../server/src/core/findings';
import { acquireResultsLock, LOCK_FILE, withResultsLock } from '../../../server/src/core/results/lock';

/** The pid of a process that has exited (so it is dead on this host). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('results folder lock', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'medseg-lock-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the lock file names pid, host, start time and command; it is gone after release', async () => {
    const out = join(dir, 'a');
    const lock = await acquireResultsLock(out, 'medseg evaluate exp.medseg.yaml');
    const held = JSON.parse(readFileSync(join(out, LOCK_FILE), 'utf8'));
    assert.equal(held.pid, process.pid);
    assert.equal(held.host, hostname());
    assert.equal(held.command, 'medseg evaluate exp.medseg.yaml');
    assert.ok(Math.abs(Date.parse(held.started) - Date.now()) < 60_000);
    lock.release();
    assert.deepEqual(readdirSync(out), []);
  });

  test('a second writer is refused with results/locked naming the holder, while the first holds it', async () => {
    const out = join(dir, 'b');
    const first = await acquireResultsLock(out, 'medseg evaluate one.medseg.yaml');
    await assert.rejects(acquireResultsLock(out, 'medseg evaluate two.medseg.yaml'), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.code, 'results/locked');
      assert.equal(err.file, join(out, LOCK_FILE));
      assert.match(err.message, new RegExp(`in use by another run: medseg evaluate one\\.medseg\\.yaml \\(pid ${process.pid}, since `));
      return true;
    });
    first.release();
    (await acquireResultsLock(out, 'medseg evaluate two.medseg.yaml')).release();
  });

  test('a caller holding the folder passes its lock down; the inner release leaves it held', async () => {
    const out = join(dir, 'c');
    const outer = await acquireResultsLock(out, 'medseg stress');
    const inner = await acquireResultsLock(out, 'medseg evaluate', outer);
    inner.release();
    assert.ok(existsSync(join(out, LOCK_FILE)));
    await assert.rejects(acquireResultsLock(out, 'another'), { code: 'results/locked' });
    outer.release();
    assert.ok(!existsSync(join(out, LOCK_FILE)));
  });

  test('withResultsLock releases on errors', async () => {
    const out = join(dir, 'd');
    await assert.rejects(withResultsLock(out, 'x', async () => { throw new Error('boom'); }), /boom/);
    assert.ok(!existsSync(join(out, LOCK_FILE)));
  });

  test('a lock of a dead pid on this host is stale: taken over, and the dead run’s temp files are removed (a live one’s stay)', async () => {
    const out = join(dir, 'e');
    const pid = deadPid();
    mkdirSync(join(out, 'masks', 'm'), { recursive: true });
    writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid, host: hostname(), started: '2024-01-01T00:00:00.000Z', command: 'medseg evaluate killed.medseg.yaml', token: 'dead' }));
    writeFileSync(join(out, 'masks', 'm', `.a.png.${pid}.0123abcd.7.tmp`), 'half');
    writeFileSync(join(out, 'masks', 'm', `.b.png.${process.pid}.0123abcd.8.tmp`), 'in flight');
    writeFileSync(join(out, 'masks', 'm', 'a.png'), 'result');
    const lock = await acquireResultsLock(out, 'medseg evaluate again.medseg.yaml');
    assert.equal(lock.staleTempsRemoved, 1);
    assert.equal(JSON.parse(readFileSync(join(out, LOCK_FILE), 'utf8')).pid, process.pid);
    assert.deepEqual(readdirSync(join(out, 'masks', 'm')).sort(), [`.b.png.${process.pid}.0123abcd.8.tmp`, 'a.png']);
    lock.release();
  });

  test('a lock held on another host is not judged from here: refused, naming the host', async () => {
    const out = join(dir, 'f');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid: deadPid(), host: 'gpu-node-7', started: '2024-01-01T00:00:00.000Z', command: 'medseg evaluate x', token: 't' }));
    await assert.rejects(acquireResultsLock(out, 'y'), (err: unknown) => err instanceof InputError && /on gpu-node-7/.test(err.message) && err.message.includes(`delete ${join(out, LOCK_FILE)}`));
  });

  test('two lock attempts at once: exactly one wins', async () => {
    const out = join(dir, 'g');
    const tries = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => acquireResultsLock(out, `run ${i}`)));
    assert.equal(tries.filter((t) => t.status === 'fulfilled').length, 1);
    for (const t of tries) if (t.status === 'fulfilled') t.value.release();
  });
});

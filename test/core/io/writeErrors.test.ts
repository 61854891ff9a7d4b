/**
 * The write-failure classifier (issue 13, item 7): which system errors are a destination's fault,
 * what the user is told, and that the writers raise it. Real failures where the file system gives
 * them to root as well (ENOTDIR, EEXIST, EISDIR, /dev/full's ENOSPC); the rest (EROFS, EACCES,
 * EDQUOT, …) injected at the write call, since a test cannot make a read-only or full disk.
 */
import assert from 'node:assert/strict';
import fs, { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, mock, test } from 'node:test';
import { writeFileAtomic } from '../../../server/src/core/io/atomic';
import { CACHE_NOT_SAVED, cacheNotSavedFinding, classifyWriteError, IO_DISK_FULL, IO_UNWRITABLE, probeWritable, toWriteError, writingInto, WriteError } from '../../../server/src/core/io/writeErrors';
import { writeChunksAtomic } from '../../../server/src/core/results/spoolFile';

function errno(code: string, syscall: string, path?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected, ${syscall}`), { code, syscall, ...(path ? { path } : {}) });
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'medseg-write-errors-'));
  writeFileSync(join(dir, 'file.txt'), 'a regular file\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('classifyWriteError: the causes a user can act on', () => {
  test('each destination errno has its code and reason; other errors are not classified', () => {
    const table: [string, string, string][] = [
      ['ENOSPC', IO_DISK_FULL, 'no space is left on the device'],
      ['EDQUOT', IO_DISK_FULL, 'the disk quota is used up'],
      ['EROFS', IO_UNWRITABLE, 'the file system is read-only'],
      ['EACCES', IO_UNWRITABLE, 'permission denied'],
      ['EPERM', IO_UNWRITABLE, 'the operation is not permitted'],
      ['ENOTDIR', IO_UNWRITABLE, 'a part of the path is a file, not a folder'],
      ['EISDIR', IO_UNWRITABLE, 'a folder is in the place of the file'],
      ['EEXIST', IO_UNWRITABLE, 'a file is in the place of a folder'],
      ['ENAMETOOLONG', IO_UNWRITABLE, 'the path is too long for the file system'],
    ];
    for (const [code, finding, reason] of table) assert.deepEqual(classifyWriteError(errno(code, 'open')), { code: finding, reason, errno: code }, code);
    for (const other of ['EMFILE', 'ENOENT', 'EIO']) assert.equal(classifyWriteError(errno(other, 'open')), undefined, other);
    assert.equal(classifyWriteError(new TypeError('a bug')), undefined);
    assert.equal(classifyWriteError({ code: 'ENOSPC' }), undefined, 'only Error objects');
  });

  test('a real ENOSPC (/dev/full) becomes io/disk-full naming the target, the cause and the fix', (t) => {
    if (!existsSync('/dev/full')) return t.skip('no /dev/full on this system');
    let raw: unknown;
    try {
      writeFileSync('/dev/full', 'x');
    } catch (err) {
      raw = err;
    }
    const w = toWriteError(raw, '/results/exp/per_image.csv');
    assert.ok(w instanceof WriteError);
    assert.equal(w.code, IO_DISK_FULL);
    assert.equal(w.file, '/results/exp/per_image.csv');
    assert.equal(w.message, '/results/exp/per_image.csv cannot be written: no space is left on the device (ENOSPC). Free space on that disk, or write somewhere else.');
  });

  test('without a target, only calls that write are attributed (an `open` may be a read)', () => {
    assert.ok(toWriteError(errno('EACCES', 'mkdir', '/r/out')) instanceof WriteError);
    assert.ok(toWriteError(errno('ENOSPC', 'rename', '/r/out/a')) instanceof WriteError);
    const read = errno('EACCES', 'open', '/data/image.png');
    assert.equal(toWriteError(read), read);
    const bug = new RangeError('x');
    assert.equal(toWriteError(bug, '/r/a'), bug);
  });

  test('a failure of a folder above the target names that folder; a temp file beside it names the target', () => {
    assert.equal((toWriteError(errno('ENOTDIR', 'mkdir', '/r/file.txt/out'), '/r/file.txt/out/masks/a.png') as WriteError).file, '/r/file.txt/out');
    assert.equal((toWriteError(errno('ENOSPC', 'write', '/r/out/.a.png.123.tmp'), '/r/out/a.png') as WriteError).file, '/r/out/a.png');
  });
});

describe('the writers raise WriteError, and a destination gives it its own fix', () => {
  test('writeFileAtomic under a regular file: io/unwritable (ENOTDIR), the file left as it was', async () => {
    const target = join(dir, 'file.txt', 'out', 'summary.json');
    await assert.rejects(writeFileAtomic(target, '{}'), (err: unknown) => {
      assert.ok(err instanceof WriteError);
      assert.equal(err.code, IO_UNWRITABLE);
      assert.equal(err.errno, 'ENOTDIR');
      assert.equal(err.file, join(dir, 'file.txt', 'out'));
      return true;
    });
    assert.equal(fs.readFileSync(join(dir, 'file.txt'), 'utf8'), 'a regular file\n');
  });

  test('writeFileAtomic onto a folder: io/unwritable (EISDIR), no temp file left', async () => {
    const target = join(dir, 'a-folder');
    mkdirSync(target);
    await assert.rejects(writeFileAtomic(target, 'x'), (err: unknown) => err instanceof WriteError && err.errno === 'EISDIR' && err.file === target);
    assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
  });

  test('a read-only file system (EROFS injected at writeFileSync): io/unwritable, no temp file left', async (t) => {
    const target = join(dir, 'ro', 'a.json');
    mkdirSync(join(dir, 'ro'));
    t.mock.method(fs, 'writeFileSync', (path: string) => {
      throw errno('EROFS', 'open', path);
    });
    await assert.rejects(writeFileAtomic(target, '{}'), (err: unknown) => err instanceof WriteError && err.code === IO_UNWRITABLE && err.errno === 'EROFS' && err.file === target);
    mock.restoreAll();
    assert.deepEqual(readdirSync(join(dir, 'ro')), []);
  });

  test('a quota used up while a spooled file is written (EDQUOT injected at the handle): io/disk-full for the target', async (t) => {
    const target = join(dir, 'spool', 'per_image.csv');
    const real = fs.promises.open;
    t.mock.method(fs.promises, 'open', async (path: string, flags: string) => {
      const handle = await real(path, flags);
      return Object.assign(Object.create(handle) as object, {
        writeFile: async () => {
          throw errno('EDQUOT', 'write');
        },
        close: () => handle.close(),
      });
    });
    await assert.rejects(writeChunksAtomic(target, ['image_id,dice\n', 'a,1\n']), (err: unknown) => err instanceof WriteError && err.code === IO_DISK_FULL && err.errno === 'EDQUOT' && err.file === target);
    mock.restoreAll();
    assert.deepEqual(readdirSync(join(dir, 'spool')), [], 'the temp file is removed');
  });

  test('writingInto: the destination fix replaces the general one, once; other errors pass unchanged', async () => {
    const dest = { dir: join(dir, 'file.txt', 'results'), fix: 'Use --output DIR.' };
    await assert.rejects(writingInto(dest, async () => undefined), (err: unknown) => {
      assert.ok(err instanceof WriteError);
      assert.equal(err.message, `${join(dir, 'file.txt', 'results')} cannot be written: a part of the path is a file, not a folder (ENOTDIR). Use --output DIR.`);
      return true;
    });
    // An inner destination's fix is kept by an outer one (stress evaluating into the same folder).
    const inner = new WriteError('/r/a', IO_DISK_FULL, 'ENOSPC', 'no space is left on the device').withFix('Inner fix.');
    await assert.rejects(writingInto({ dir: '/r', fix: 'Outer fix.' }, () => Promise.reject(inner), { probe: false }), (err: unknown) => (err as WriteError).fix === 'Inner fix.');
    // A raw failure on a path inside the destination (a lock file's open) is attributed to it.
    await assert.rejects(writingInto({ dir: '/r', fix: 'Outer fix.' }, () => Promise.reject(errno('EROFS', 'open', '/r/.medseg.lock')), { probe: false }), (err: unknown) => err instanceof WriteError && err.fix === 'Outer fix.' && err.file === '/r/.medseg.lock');
    const bug = new TypeError('a bug');
    await assert.rejects(writingInto({ dir: '/r', fix: 'x' }, () => Promise.reject(bug), { probe: false }), (err: unknown) => err === bug);
  });

  test('probeWritable creates the folder and leaves nothing in it', async () => {
    const target = join(dir, 'probed', 'deep');
    await probeWritable({ dir: target, fix: 'x' });
    assert.deepEqual(readdirSync(target), []);
  });

  test('withNote appends what the failure did; toFinding places a cache failure on runtime.cache', () => {
    const w = new WriteError('/r/out/per_image.csv', IO_DISK_FULL, 'ENOSPC', 'no space is left on the device').withFix('Use --output DIR.').withNote('The previous report.html was removed.');
    assert.equal(w.message, '/r/out/per_image.csv cannot be written: no space is left on the device (ENOSPC). Use --output DIR. The previous report.html was removed.');
    assert.deepEqual(w.toFinding(), { code: IO_DISK_FULL, severity: 'error', message: w.message, location: { file: '/r/out/per_image.csv' } });
    const cache = cacheNotSavedFinding(new WriteError('/share/.medseg-cache/scan-v2.json', IO_UNWRITABLE, 'EROFS', 'the file system is read-only'), 'scan cache', '/share/.medseg-cache', '/share/exp.medseg.yaml');
    assert.equal(cache.code, CACHE_NOT_SAVED);
    assert.equal(cache.severity, 'warning');
    assert.deepEqual(cache.configPath, ['runtime', 'cache']);
    assert.match(cache.message, /^The scan cache was not saved in \/share\/\.medseg-cache: .* \(the file system is read-only, EROFS\)\. This run is complete; .*Set `runtime\.cache`/);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { constants } from 'node:buffer';
import { join } from 'node:path';
import { InputError } from '../../../server/src/core/findings';
import { readShardDescription } from '../../../server/src/core/evaluate/shardParts';
import { gzipBomb, makeTempDir } from '../io/helpers';

test('a parts.json.gz that inflates beyond the longest string is refused as not a shard, naming the limit', async () => {
  const { dir, cleanup } = makeTempDir();
  try {
    mkdirSync(join(dir, 'shard'));
    // 600 MiB of zeros after `{"a":`: more than V8's longest string (2^29 - 24 characters).
    writeFileSync(join(dir, 'shard', 'parts.json.gz'), gzipBomb(Buffer.from('{"a":'), 600));
    await assert.rejects(readShardDescription(dir), (e) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.code, 'merge/not-a-shard');
      assert.equal(constants.MAX_STRING_LENGTH, 2 ** 29 - 24);
      assert.ok(e.message.includes(`parts.json.gz: it inflates to more than ${2 ** 29 - 24} bytes`), e.message);
      return true;
    });
  } finally {
    cleanup();
  }
});

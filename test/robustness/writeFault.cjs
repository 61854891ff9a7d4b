// Preloaded (`node --require`) into a medseg child process by the fault tests: makes the file
// system refuse writes as a full disk or a read-only share would, for paths containing a marker.
// MEDSEG_TEST_WRITE_FAULT="ENOSPC:per_image.csv" fails every write whose path contains
// `per_image.csv` with ENOSPC. Writes only: reads of the same paths go through.
// Root ignores permissions and CI has no full disk at hand, so the fault is injected at the calls
// medseg writes with (writeFileSync, the promise API's open/writeFile, mkdir, rename, link).
'use strict';
const fs = require('node:fs');

const spec = process.env.MEDSEG_TEST_WRITE_FAULT;
if (spec) {
  const colon = spec.indexOf(':');
  const code = spec.slice(0, colon);
  const marker = spec.slice(colon + 1);
  const messages = { ENOSPC: 'no space left on device', EROFS: 'read-only file system', EDQUOT: 'disk quota exceeded', EACCES: 'permission denied' };
  const fault = (syscall, path) =>
    Object.assign(new Error(`${code}: ${messages[code] ?? 'injected'}, ${syscall} '${path}'`), { code, syscall, path: String(path) });
  const hits = (path) => typeof path === 'string' && path.includes(marker);
  const writing = (flags) => typeof flags === 'string' && /[wa+]/.test(flags);

  const { writeFileSync, mkdirSync, renameSync, linkSync, openSync } = fs;
  fs.writeFileSync = function (path, ...rest) {
    if (hits(path)) throw fault('open', path);
    return writeFileSync.call(this, path, ...rest);
  };
  fs.openSync = function (path, flags, ...rest) {
    if (hits(path) && writing(flags)) throw fault('open', path);
    return openSync.call(this, path, flags, ...rest);
  };
  fs.mkdirSync = function (path, ...rest) {
    if (hits(path)) throw fault('mkdir', path);
    return mkdirSync.call(this, path, ...rest);
  };
  fs.renameSync = function (from, to) {
    if (hits(to)) throw fault('rename', to);
    return renameSync.call(this, from, to);
  };
  fs.linkSync = function (existing, created) {
    if (hits(created)) throw fault('link', created);
    return linkSync.call(this, existing, created);
  };

  const p = fs.promises;
  const { open, writeFile, mkdir, rename } = p;
  p.open = async function (path, flags, ...rest) {
    if (hits(path) && writing(flags)) throw fault('open', path);
    return open.call(this, path, flags, ...rest);
  };
  p.writeFile = async function (path, ...rest) {
    if (hits(path)) throw fault('open', path);
    return writeFile.call(this, path, ...rest);
  };
  p.mkdir = async function (path, ...rest) {
    if (hits(path)) throw fault('mkdir', path);
    return mkdir.call(this, path, ...rest);
  };
  p.rename = async function (from, to) {
    if (hits(to)) throw fault('rename', to);
    return rename.call(this, from, to);
  };
}

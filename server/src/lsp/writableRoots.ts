/**
 * Where a job may write while the workspace is untrusted: inside the workspace folders, links
 * followed. Kept apart from trust.ts (which answers protocol errors) so the engine workers use it
 * without loading the language server library.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * Whether `path` lies inside one of `roots`, following symbolic links of the part that exists
 * (a link in the workspace to `/etc` is not inside it). `roots` undefined: anywhere.
 */
export function isWithinRoots(path: string, roots: readonly string[] | undefined): boolean {
  if (!roots) return true;
  const real = realpathOfExistingPart(resolve(path));
  return roots.some((root) => {
    const rel = relative(realpathOfExistingPart(resolve(root)), real);
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
  });
}

function realpathOfExistingPart(path: string): string {
  const rest: string[] = [];
  for (let p = path; ; p = dirname(p)) {
    try {
      return rest.reduceRight((at, part) => join(at, part), realpathSync(p));
    } catch {
      if (dirname(p) === p) return path;
      rest.push(basename(p));
    }
  }
}

import { readFile } from 'node:fs/promises';
import { InputError } from '../findings';

/**
 * A JSON file's parsed content, or undefined when the file does not exist; an InputError with
 * `code` naming the file and the fix (`remedy`, e.g. "run `medseg stress` again") when it cannot
 * be read or is not JSON. Callers check the shape of what they get.
 */
export async function readJsonIfPresent(file: string, code: string, remedy: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(file, `${file} cannot be read (${(err as Error).message}); check its permissions or ${remedy}.`, code);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(file, `${file} is not valid JSON (${(err as Error).message}); ${remedy}.`, code);
  }
}

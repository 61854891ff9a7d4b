import { InputError } from '../findings';
import { IMAGE_EXTENSIONS } from './extensions';

/**
 * One place that words I/O errors, so every message names the file and says what to do, and no
 * decoder stack (sharp, fflate, fs) ever reaches a user.
 */

export const IO_UNREADABLE = 'io/unreadable';
export const IO_NOT_FOUND = 'io/not-found';
export const IO_UNSUPPORTED = 'io/unsupported';
export const IO_SLICE_OUT_OF_RANGE = 'io/slice-out-of-range';

/** The first line of a library's error message, without its stack: enough to tell causes apart. */
export function causeOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].trim();
}

export function unreadable(file: string, what: string, error?: unknown): InputError {
  const cause = error === undefined ? '' : ` (${causeOf(error)})`;
  return new InputError(
    file,
    `${file} is not a readable ${what} (corrupt or truncated?)${cause}: re-export it or remove it from the dataset`,
    IO_UNREADABLE,
  );
}

export function unsupportedExtension(file: string): InputError {
  return new InputError(
    file,
    `${file} is not an image type MedSeg Eval reads: supported extensions are ${IMAGE_EXTENSIONS.join(', ')}`,
    IO_UNSUPPORTED,
  );
}

export function unsupportedContent(file: string, detail: string, fix: string): InputError {
  return new InputError(file, `${file}: ${detail}: ${fix}`, IO_UNSUPPORTED);
}

export function sliceOutOfRange(file: string, slice: number, depth: number): InputError {
  return new InputError(
    file,
    `${file} has ${depth} axial slice${depth === 1 ? '' : 's'}, so slice ${slice} does not exist: ` +
      `use a slice index from 0 to ${depth - 1}`,
    IO_SLICE_OUT_OF_RANGE,
  );
}

/** Turns a failed file-system call into an InputError; anything else is rethrown as a bug. */
export function fileSystemError(file: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new InputError(file, `${file} does not exist: check the path or the dataset pattern`, IO_NOT_FOUND);
  }
  if (code === 'EISDIR') {
    return new InputError(file, `${file} is a folder, not an image file: check the dataset pattern`, IO_UNREADABLE);
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new InputError(file, `${file} cannot be read (permission denied): fix its permissions`, IO_UNREADABLE);
  }
  return new InputError(file, `${file} cannot be read (${causeOf(error)}): check the file`, IO_UNREADABLE);
}

export function isInputError(error: unknown): error is InputError {
  return error instanceof InputError;
}

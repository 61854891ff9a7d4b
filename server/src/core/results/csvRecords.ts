/**
 * The records of a results CSV, read as a stream (one record in memory at a time, quoting handled
 * by csv-parse), with problems reported as InputErrors that name the file and the fix.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { InputError } from '../findings';

export interface CsvRecordsOptions {
  /** What the error message tells the user to do about a missing or broken file. */
  fix: string;
}

/** Every record, the header first; an InputError when the file is missing or not CSV. */
export async function* csvRecords(file: string, options: CsvRecordsOptions): AsyncGenerator<string[]> {
  try {
    await access(file);
  } catch {
    throw new InputError(file, `${file} does not exist: ${options.fix}`, 'results/not-found');
  }
  const source = createReadStream(file);
  const parser = source.pipe(parse({ bom: true, skip_empty_lines: true }));
  source.on('error', (err) => parser.destroy(err)); // pipe does not pass read errors on
  try {
    for await (const record of parser as AsyncIterable<string[]>) yield record;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(file, `${file} is not a readable CSV (${(err as Error).message}): ${options.fix}`, 'results/unreadable');
  } finally {
    source.destroy();
    parser.destroy();
  }
}

/** Column positions by name from a header record; an InputError naming the missing ones. */
export function columnIndex(header: readonly string[], required: readonly string[], file: string, fix: string): Map<string, number> {
  const index = new Map(header.map((name, i) => [name, i]));
  const missing = required.filter((c) => !index.has(c));
  if (missing.length) throw new InputError(file, `${file} lacks the column(s) ${missing.join(', ')}: it was not written by medseg evaluate; ${fix}`, 'results/unreadable');
  return index;
}

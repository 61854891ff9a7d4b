/**
 * The records of a results CSV, read as a stream (one record in memory at a time, quoting handled
 * by csv-parse), with problems reported as InputErrors that name the file and the fix.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';
import { InputError } from '../findings';
import { completeUtf8Prefix, lineAndColumnOf, surveyUtf8 } from '../util/utf8';

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
  const check = new Utf8Check(file, options.fix);
  const parser = source.pipe(check).pipe(parse({ bom: true, skip_empty_lines: true }));
  source.on('error', (err) => parser.destroy(err)); // pipe does not pass read errors on
  check.on('error', (err) => parser.destroy(err));
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

/**
 * Passes the bytes on unchanged and fails at the first one that is not UTF-8: csv-parse would
 * turn it into U+FFFD, and an image id read back as `M�ller` matches nothing (a results CSV saved
 * again by a spreadsheet in its own code page is the usual cause).
 */
class Utf8Check extends Transform {
  private carry: Buffer = Buffer.alloc(0);
  private lines = 0;

  constructor(
    private readonly file: string,
    private readonly fix: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const complete = completeUtf8Prefix(data);
    const head = data.subarray(0, complete);
    if (!isUtf8(head)) return done(this.notUtf8(head));
    for (let i = head.indexOf(10); i !== -1; i = head.indexOf(10, i + 1)) this.lines++;
    this.carry = Buffer.from(data.subarray(complete));
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(this.carry.length > 0 ? this.notUtf8(this.carry) : null);
  }

  private notUtf8(bytes: Buffer): InputError {
    const at = lineAndColumnOf(bytes, Math.max(0, surveyUtf8(bytes).invalidAt));
    return new InputError(this.file, `${this.file} is not UTF-8 (line ${this.lines + at.line + 1}): it was saved again in another encoding (a spreadsheet does this); ${this.fix}`, 'results/unreadable');
  }
}

/** Column positions by name from a header record; an InputError naming the missing ones. */
export function columnIndex(header: readonly string[], required: readonly string[], file: string, fix: string): Map<string, number> {
  const index = new Map(header.map((name, i) => [name, i]));
  const missing = required.filter((c) => !index.has(c));
  if (missing.length) throw new InputError(file, `${file} lacks the column(s) ${missing.join(', ')}: it was not written by medseg evaluate; ${fix}`, 'results/unreadable');
  return index;
}

import type { FindingData } from '../../protocol';
import type { Finding } from '../../core/findings';

/** A finding as plain data for the client (a file and a zero-based line where it has them). */
export function toFindingData(f: Finding): FindingData {
  return {
    code: f.code,
    severity: f.severity,
    message: f.message,
    ...(f.location?.file ? { file: f.location.file } : {}),
    ...(f.location?.range ? { line: f.location.range.start.line } : {}),
  };
}

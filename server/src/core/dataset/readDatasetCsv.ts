import type { MedsegConfig } from '../config/types';
import type { ConfigPath, Finding } from '../findings';
import { InputError } from '../findings';
import { readCsvTable, type CsvTable } from './csvTable';
import { csvTableFindings } from './csvTableFindings';
import { displayPath } from './findingHelpers';

export interface DatasetCsvRole {
  /** The config node that names the CSV. */
  configPath: ConfigPath;
  missingCode: string;
  missingMessage: string;
  fix?: Finding['fix'];
}

/**
 * Reads a CSV the config names. A missing file is a finding on the config node that names it; a
 * malformed one, a guessed encoding and ragged rows (left out of the table) are findings on the CSV itself.
 */
export async function readDatasetCsv(config: MedsegConfig, file: string, findings: Finding[], role: DatasetCsvRole): Promise<CsvTable | undefined> {
  try {
    const table = await readCsvTable(file);
    for (const f of csvTableFindings(table, displayPath(config.dir, file))) findings.push(f);
    return table;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    if (err.code === 'io/not-found') {
      findings.push({ code: role.missingCode, severity: 'error', message: role.missingMessage, location: { file: config.file }, configPath: role.configPath, ...(role.fix ? { fix: role.fix } : {}) });
    } else {
      findings.push({ code: err.code, severity: 'error', message: err.message, location: { file: err.file } });
    }
    return undefined;
  }
}

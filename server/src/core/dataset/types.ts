import type { SplitName } from '../config/types';
import type { Finding } from '../findings';

/** One evaluation case: a 2D image, a 3D volume, or one axial slice of a volume. */
export interface DatasetCase {
  /** The id used in CSVs, split files and result rows (CONFIG.md "Image ids"); `<stem>#<z>` for slices. */
  id: string;
  /** Absolute image path (for MSD multi-channel cases: the `_0000` channel). */
  image: string;
  /** Absolute reference mask path; undefined when none was found (a finding says so). */
  mask?: string;
  /** Axial slice index when `volumes: axial`. */
  slice?: number;
  /** For an axial slice: its volume's id (what a CSV row may name; slices of one volume never cross splits). */
  volume?: string;
  /** Patient / group id from the clinical CSV's `group_column`. */
  group?: string;
  /** Clinical label values from `label_columns`, as strings; missing cells are absent. */
  labels: Record<string, string>;
  /** Split from the split file or the generator; undefined without a splits section. */
  split?: SplitName;
  /** Precomputed prediction file per model name (models with `predictions:`). */
  predictions: Record<string, string>;
}

export interface ResolvedDataset {
  /** Cases in a stable order: sorted by id (slices of a volume by slice number, `a#2` before `a#10`). */
  cases: DatasetCase[];
  /** Where the splits came from. */
  splitSource: 'file' | 'generated' | 'none';
  /** Label columns actually present in the CSV. */
  labelColumns: string[];
  findings: Finding[];
}

/** Messages between the extension host and the results-dashboard webview. */
import type { PreviewLayerKind, UmapResult } from '../../../server/src/protocol';
import type { ReportData } from '../../../server/src/protocol/reportData';

export type HostToDashboard =
  | { type: 'report'; data: ReportData; source: string; focus?: string }
  /** The UMAP maps (umapView.ts), and the answer to a thumbnail request (no dataUri: none could be made). */
  | { type: 'umap'; title: string; result: UmapResult }
  | { type: 'thumbnail'; imageId: string; dataUri?: string }
  | { type: 'empty'; message: string };

export type DashboardToHost =
  | { type: 'ready' }
  /** Posted after a draw with the ids of the sections on screen (the tests wait for it). */
  | { type: 'rendered'; sections: string[] }
  /** `focusKind`: layers the preview shows besides the user's defaults (an explanation thumbnail asks for the heatmaps). */
  | { type: 'openImage'; imageId: string; method: string; focusKind?: PreviewLayerKind }
  /** The UMAP view asks for the picture of the point under the cursor. */
  | { type: 'thumbnail'; imageId: string }
  | { type: 'cspViolation'; directive: string; blocked: string };

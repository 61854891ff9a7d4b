/** Messages between the extension host and the results-dashboard webview. */
import type { PreviewLayerKind } from '../protocol';
import type { ReportData } from './reportData';

/** A 2-D embedding of the evaluated images (UMAP), one point per image. */
export interface EmbeddingPoint {
  imageId: string;
  x: number;
  y: number;
  /** The category to colour by (split, label value, best method …). */
  group?: string;
  dice?: number;
}

export type HostToDashboard =
  | { type: 'report'; data: ReportData; source: string; focus?: string }
  | { type: 'embedding'; title: string; colourBy: string; points: EmbeddingPoint[] }
  | { type: 'empty'; message: string };

export type DashboardToHost =
  | { type: 'ready' }
  /** Posted after a draw with the ids of the sections on screen (the tests wait for it). */
  | { type: 'rendered'; sections: string[] }
  /** `focusKind`: layers the preview shows besides the user's defaults (an explanation thumbnail asks for the heatmaps). */
  | { type: 'openImage'; imageId: string; method: string; focusKind?: PreviewLayerKind }
  | { type: 'cspViolation'; directive: string; blocked: string };

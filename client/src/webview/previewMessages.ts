/**
 * Messages between the extension host and the mask-preview webview. The webview is a pure
 * renderer: every pixel it draws arrives in one of these messages; it never reads a file.
 */
import type { PreviewDataResult, PreviewLayerKind } from '../../../server/src/protocol';

/** Colour overrides (CSS hex, empty = the server's colour-blind-safe palette) and defaults. */
export interface PreviewSettings {
  colours: { reference: string; truePositive: string; falsePositive: string; falseNegative: string };
  /** Opacity of overlay layers when a preview opens, 0–1. */
  opacity: number;
  /** Layer kinds visible when a preview opens. */
  visibleKinds: PreviewLayerKind[];
}

export type HostToPreview =
  | { type: 'settings'; settings: PreviewSettings }
  | { type: 'loading'; label: string }
  /** The image of a config's dataset with its layers; `method` preselects the model picker. */
  | { type: 'data'; data: PreviewDataResult; method?: string; focusKind?: PreviewLayerKind }
  /** An image file that belongs to no config: shown alone, read by the host through workspace.fs. */
  | { type: 'raw'; label: string; dataUri?: string; note: string }
  | { type: 'error'; message: string };

export interface RenderedLayer {
  id: string;
  kind: PreviewLayerKind;
  label: string;
  visible: boolean;
}

/** Controls the side panel drew for the image: a slice slider (volumes), window sliders (scalar images). */
export type PreviewControl = 'slice' | 'window';

export type PreviewToHost =
  | { type: 'ready' }
  /** Posted after every draw: what is on screen (the tests wait for it). */
  | { type: 'rendered'; imageId: string; title: string; slice: number; layers: RenderedLayer[]; controls: PreviewControl[]; note?: string }
  | { type: 'navigate'; target: 'previous' | 'next' | 'nextWorst' }
  | { type: 'slice'; slice: number }
  | { type: 'window'; window: [number, number] }
  | { type: 'openDashboard' }
  /** The page's CSP blocked something (reported so a too-strict or too-loose policy shows in tests and logs). */
  | { type: 'cspViolation'; directive: string; blocked: string };

/**
 * The mask preview's DOM: a stack of canvases (one per layer) that zoom and pan together with
 * nearest-neighbour pixels, a side panel with layer toggles, opacity sliders, a model picker,
 * the slice and window sliders of volumes, and the image's metrics. Draws what messages carry.
 */
import type { PreviewDataResult, PreviewLayer, PreviewLayerKind } from '../../../server/src/protocol';
import { h, setChildren } from './dom';
import { colourMapFor, defaultMethod, fitZoom, formatMetric, initialVisibility, layerMethod, nextZoom, noResultsNote, pickableMethods, recolour, sortLayers } from './previewLayers';
import type { HostToPreview, PreviewSettings, PreviewToHost, PreviewControl, RenderedLayer } from './previewMessages';

interface LayerView {
  layer: PreviewLayer;
  canvas: HTMLCanvasElement;
  visible: boolean;
  opacity: number;
  toggle: HTMLInputElement;
  slider: HTMLInputElement;
  row: HTMLElement;
  key: HTMLElement;
}

const DEFAULT_SETTINGS: PreviewSettings = {
  colours: { reference: '', truePositive: '', falsePositive: '', falseNegative: '' },
  opacity: 0.6,
  visibleKinds: ['image', 'reference', 'errors', 'fusion'],
};

async function decodeToCanvas(png: string, width: number, height: number, map: ReturnType<typeof colourMapFor>): Promise<HTMLCanvasElement> {
  const img = new Image();
  img.src = png;
  await img.decode();
  const canvas = h('canvas', { width: String(width), height: String(height) });
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(img, 0, 0, width, height);
  if (map.length) {
    const pixels = ctx.getImageData(0, 0, width, height);
    recolour(pixels.data, map);
    ctx.putImageData(pixels, 0, 0);
  }
  return canvas;
}

export class PreviewView {
  private settings = DEFAULT_SETTINGS;
  private data: PreviewDataResult | undefined;
  private layers: LayerView[] = [];
  private method: string | undefined;
  private zoom = 1;
  private pan = { x: 0, y: 0 };
  private generation = 0;
  /** The user zoomed or panned: a resize keeps their view instead of fitting again. */
  private userMoved = false;
  /** Size of what is drawn, for fitting. */
  private extent: { width: number; height: number } | undefined;

  private readonly title = h('h1', { class: 'title' });
  private readonly subtitle = h('span', { class: 'subtitle' });
  private readonly notice = h('div', { class: 'notice', role: 'status' });
  private readonly stack = h('div', { class: 'stack' });
  private readonly viewport = h('div', { class: 'viewport', tabindex: '0' }, this.stack);
  private readonly methodPicker = h('select', { 'aria-label': 'Model' });
  private readonly zoomLabel = h('span', { class: 'zoom' });
  private readonly layerList = h('div', { class: 'layers' });
  private readonly volumeBox = h('div', { class: 'volume' });
  private readonly metricsBox = h('div', { class: 'metrics' });
  private readonly nav: Record<'previous' | 'next' | 'nextWorst', HTMLButtonElement>;

  constructor(
    root: HTMLElement,
    private readonly post: (message: PreviewToHost) => void,
  ) {
    this.nav = {
      previous: h('button', { title: 'Previous image of the split (←)' }, '← Previous'),
      next: h('button', { title: 'Next image of the split (→)' }, 'Next →'),
      nextWorst: h('button', { title: 'Next image by ascending Dice of the best model (W)' }, 'Next worst'),
    };
    for (const [target, button] of Object.entries(this.nav)) button.addEventListener('click', () => this.post({ type: 'navigate', target: target as keyof typeof this.nav }));
    const zoomOut = h('button', { title: 'Zoom out (−)' }, '−');
    const zoomIn = h('button', { title: 'Zoom in (+)' }, '+');
    const zoomFit = h('button', { title: 'Fit (0)' }, 'Fit');
    zoomOut.addEventListener('click', () => this.setZoom(nextZoom(this.zoom, -1)));
    zoomIn.addEventListener('click', () => this.setZoom(nextZoom(this.zoom, 1)));
    zoomFit.addEventListener('click', () => this.fit());
    this.methodPicker.addEventListener('change', () => this.pickMethod(this.methodPicker.value || undefined));
    const toolbar = h('header', { class: 'toolbar' }, this.title, this.subtitle, h('span', { class: 'spacer' }), this.nav.previous, this.nav.next, this.nav.nextWorst, h('label', {}, 'Model ', this.methodPicker), zoomOut, this.zoomLabel, zoomIn, zoomFit);
    const side = h(
      'aside',
      { class: 'side' },
      h('h2', {}, 'Layers'),
      this.layerList,
      this.volumeBox,
      h('h2', {}, 'Metrics of this image'),
      this.metricsBox,
      h('p', { class: 'help' }, '← → step · W next worst · ↑ ↓ slice · + − 0 zoom · drag to pan · 1–9 toggle a layer · M next model'),
    );
    root.replaceChildren(toolbar, this.notice, h('div', { class: 'main' }, this.viewport, side));
    this.bindPointer();
    window.addEventListener('keydown', (e) => this.onKey(e));
    // The viewport gets its final size only after layout: fit again until the user moves the view.
    new ResizeObserver(() => (this.userMoved ? this.applyTransform() : this.fit())).observe(this.viewport);
  }

  handle(message: HostToPreview): void {
    switch (message.type) {
      case 'settings':
        this.settings = message.settings;
        break;
      case 'loading':
        this.notice.textContent = `Loading ${message.label} …`;
        break;
      case 'error':
        this.notice.textContent = message.message;
        this.notice.classList.add('error');
        break;
      case 'data':
        void this.show(message.data, message.method, message.focusKind);
        break;
      case 'raw':
        void this.showRaw(message.label, message.dataUri, message.note);
        break;
    }
  }

  private async show(data: PreviewDataResult, method: string | undefined, focusKind: PreviewLayerKind | undefined): Promise<void> {
    const generation = ++this.generation;
    const keepView = this.data !== undefined && this.data.width === data.width && this.data.height === data.height;
    const sorted = sortLayers(data.layers);
    const canvases = await Promise.all(sorted.map((l) => decodeToCanvas(l.png, data.width, data.height, colourMapFor(l, this.settings.colours))));
    if (generation !== this.generation) return; // a newer image arrived while decoding
    this.data = data;
    this.notice.textContent = '';
    this.notice.classList.remove('error');
    this.method = defaultMethod(sorted, method ?? this.method);
    const kinds = focusKind ? [...new Set([...this.settings.visibleKinds, focusKind])] : this.settings.visibleKinds;
    const visibility = initialVisibility(sorted, kinds, this.method);
    if (focusKind) for (const l of sorted) if (l.kind === focusKind && layerMethod(l) === this.method) visibility.set(l.id, true);
    this.layers = sorted.map((layer, i) => {
      const canvas = canvases[i];
      canvas.classList.add('layer', `layer-${layer.kind}`);
      return this.layerView(layer, canvas, visibility.get(layer.id) ?? false);
    });
    setChildren(this.stack, this.layers.map((l) => l.canvas));
    this.stack.style.width = `${data.width}px`;
    this.stack.style.height = `${data.height}px`;
    this.title.textContent = data.imageId;
    this.subtitle.textContent = [data.split ? `split ${data.split}` : undefined, `${data.width}×${data.height}${data.depth > 1 ? `×${data.depth}` : ''}`].filter(Boolean).join(' · ');
    document.title = data.imageId;
    this.nav.previous.disabled = data.previous === undefined;
    this.nav.next.disabled = data.next === undefined;
    this.nav.nextWorst.disabled = data.nextWorst === undefined;
    this.renderMethodPicker();
    this.renderLayerList();
    this.renderVolumeControls(data);
    this.renderMetrics(data);
    if (!keepView) this.fitTo(data.width, data.height);
    else this.applyTransform();
    this.postRendered();
  }

  private async showRaw(label: string, dataUri: string | undefined, note: string): Promise<void> {
    const generation = ++this.generation;
    this.data = undefined;
    this.layers = [];
    this.title.textContent = label;
    document.title = label;
    this.subtitle.textContent = '';
    this.notice.textContent = note;
    this.methodPicker.replaceChildren();
    this.layerList.replaceChildren();
    this.volumeBox.replaceChildren();
    this.metricsBox.replaceChildren();
    for (const b of Object.values(this.nav)) b.disabled = true;
    if (!dataUri) {
      this.stack.replaceChildren();
      this.post({ type: 'rendered', imageId: label, title: this.title.textContent ?? '', slice: 0, layers: [], controls: [] });
      return;
    }
    const img = new Image();
    img.src = dataUri;
    try {
      await img.decode();
    } catch {
      this.notice.textContent = `${note} This file could not be decoded as an image.`;
    }
    if (generation !== this.generation) return;
    const canvas = h('canvas', { width: String(img.naturalWidth || 1), height: String(img.naturalHeight || 1), class: 'layer layer-image' });
    canvas.getContext('2d')?.drawImage(img, 0, 0);
    this.stack.replaceChildren(canvas);
    this.stack.style.width = `${canvas.width}px`;
    this.stack.style.height = `${canvas.height}px`;
    this.fitTo(canvas.width, canvas.height);
    this.post({ type: 'rendered', imageId: label, title: this.title.textContent ?? '', slice: 0, layers: [{ id: 'image', kind: 'image', label, visible: true }], controls: [] });
  }

  private postRendered(): void {
    if (!this.data) return;
    const layers: RenderedLayer[] = this.layers.map((l) => ({ id: l.layer.id, kind: l.layer.kind, label: l.layer.label, visible: l.visible }));
    const controls = Array.from(this.volumeBox.querySelectorAll<HTMLElement>('[data-control]'), (e) => e.dataset.control as PreviewControl);
    const note = this.metricsBox.querySelector('[data-note]')?.textContent ?? undefined;
    this.post({ type: 'rendered', imageId: this.data.imageId, title: this.title.textContent ?? '', slice: this.data.slice, layers, controls, ...(note ? { note } : {}) });
  }

  private renderMethodPicker(): void {
    const methods = pickableMethods(this.layers.map((l) => l.layer));
    setChildren(this.methodPicker, h('option', { value: '' }, 'all methods'), methods.map((m) => h('option', { value: m }, m)));
    this.methodPicker.value = this.method ?? '';
    this.methodPicker.disabled = methods.length === 0;
  }

  private pickMethod(method: string | undefined): void {
    this.method = method;
    const visibleKinds = new Set(this.layers.filter((l) => l.visible && l.layer.kind !== 'image').map((l) => l.layer.kind));
    const kinds = visibleKinds.size ? [...visibleKinds] : this.settings.visibleKinds;
    const visibility = initialVisibility(
      this.layers.map((l) => l.layer),
      kinds,
      method,
    );
    for (const l of this.layers) if (layerMethod(l.layer) !== undefined) l.visible = visibility.get(l.layer.id) ?? false;
    this.methodPicker.value = method ?? '';
    this.renderLayerList();
    this.renderMetrics(this.data);
    this.postRendered();
  }

  private layerView(layer: PreviewLayer, canvas: HTMLCanvasElement, visible: boolean): LayerView {
    const toggle = h('input', { type: 'checkbox', 'aria-label': `Show ${layer.label}` });
    const slider = h('input', { type: 'range', min: '0', max: '1', step: '0.05', 'aria-label': `Opacity of ${layer.label}` });
    const key = h('span', { class: 'key' });
    const legend = (layer.legend ?? []).filter((entry) => layer.kind === 'errors' || entry.label !== layer.label).map((entry) => h('span', { class: 'legend-entry' }, this.swatch(entry.colour), entry.label));
    const swatch = layer.kind === 'prediction' && layer.legend?.[0] ? this.swatch(layer.legend[0].colour) : undefined;
    const row = h(
      'div',
      { class: `layer-row kind-${layer.kind}` },
      h('label', { class: 'layer-name', title: layer.label }, toggle, key, swatch, layer.label),
      slider,
      legend.length ? h('div', { class: 'legend' }, legend) : undefined,
    );
    const view: LayerView = { layer, canvas, visible, opacity: layer.kind === 'image' ? 1 : this.settings.opacity, toggle, slider, row, key };
    slider.value = String(view.opacity);
    toggle.addEventListener('change', () => {
      view.visible = toggle.checked;
      this.syncLayers();
      this.postRendered();
    });
    slider.addEventListener('input', () => {
      view.opacity = Number(slider.value);
      this.syncLayers();
    });
    return view;
  }

  /** Layers the side panel lists: the image and reference, and the picked method's layers (all with "all methods"). */
  private listedLayers(): LayerView[] {
    return this.layers.filter((l) => {
      const m = layerMethod(l.layer);
      return m === undefined || this.method === undefined || m === this.method;
    });
  }

  private renderLayerList(): void {
    const listed = this.listedLayers();
    listed.forEach((l, i) => (l.key.textContent = i < 9 ? String(i + 1) : ''));
    const hidden = this.layers.length - listed.length;
    setChildren(this.layerList, listed.map((l) => l.row), hidden ? h('p', { class: 'note' }, `${hidden} layers of other methods: pick "all methods" or another model to see them.`) : undefined);
    this.syncLayers();
  }

  private swatch(colour: string): HTMLElement {
    const s = h('span', { class: 'swatch' });
    s.style.backgroundColor = colour; // CSSOM, allowed under the strict style CSP
    return s;
  }

  private syncLayers(): void {
    for (const l of this.layers) {
      l.toggle.checked = l.visible;
      l.canvas.style.display = l.visible ? 'block' : 'none';
      l.canvas.style.opacity = String(l.opacity);
    }
  }

  private renderVolumeControls(data: PreviewDataResult): void {
    const parts: HTMLElement[] = [];
    if (data.depth > 1) {
      const slider = h('input', { type: 'range', min: '0', max: String(data.depth - 1), step: '1', 'aria-label': 'Slice' });
      slider.value = String(data.slice);
      const label = h('span', {}, `${data.slice + 1} / ${data.depth}`);
      slider.addEventListener('input', () => (label.textContent = `${Number(slider.value) + 1} / ${data.depth}`));
      slider.addEventListener('change', () => this.post({ type: 'slice', slice: Number(slider.value) }));
      parts.push(h('h2', { 'data-control': 'slice' }, 'Slice'), h('div', { class: 'control' }, slider, label));
    }
    // The server sends a window for scalar images only (CT, grey, 16-bit): photographs get no sliders.
    if (data.window) {
      const [centre, width] = data.window;
      const span = Math.max(Math.abs(width), 1);
      const c = h('input', { type: 'range', min: String(centre - 2 * span), max: String(centre + 2 * span), step: String(span / 100), 'aria-label': 'Window centre' });
      const w = h('input', { type: 'range', min: String(span / 50), max: String(4 * span), step: String(span / 100), 'aria-label': 'Window width' });
      c.value = String(centre);
      w.value = String(width);
      const label = h('span', {}, `C ${centre.toPrecision(4)} · W ${width.toPrecision(4)}`);
      const send = () => this.post({ type: 'window', window: [Number(c.value), Number(w.value)] });
      for (const input of [c, w]) {
        input.addEventListener('input', () => (label.textContent = `C ${Number(c.value).toPrecision(4)} · W ${Number(w.value).toPrecision(4)}`));
        input.addEventListener('change', send);
      }
      parts.push(h('h2', { 'data-control': 'window' }, 'Window'), h('div', { class: 'control' }, h('span', { class: 'caption' }, 'centre'), c), h('div', { class: 'control' }, h('span', { class: 'caption' }, 'width'), w), label);
    }
    setChildren(this.volumeBox, parts);
  }

  /** The picked method's metrics (metric → value), then every method's Dice, best first; a click picks a method. */
  private renderMetrics(data: PreviewDataResult | undefined): void {
    if (!data) return;
    const methods = Object.keys(data.metrics);
    if (methods.length === 0) {
      this.metricsBox.replaceChildren(h('p', { class: 'note', 'data-note': '' }, noResultsNote(data)));
      return;
    }
    const parts: HTMLElement[] = [];
    const picked = this.method !== undefined ? data.metrics[this.method] : undefined;
    if (picked) {
      const rows = Object.entries(picked).map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', { class: 'num' }, formatMetric(k, v))));
      parts.push(h('table', { class: 'metrics-table' }, h('thead', {}, h('tr', {}, h('th', {}, this.method!), h('th', { class: 'num' }, ''))), h('tbody', {}, rows)));
    }
    const pickable = pickableMethods(this.layers.map((l) => l.layer));
    const byDice = methods.map((m) => ({ m, dice: data.metrics[m].dice })).sort((a, b) => (b.dice ?? -1) - (a.dice ?? -1));
    const rows = byDice.map(({ m, dice }) => {
      const row = h('tr', m === this.method ? { class: 'picked' } : {}, h('td', {}, m), h('td', { class: 'num' }, formatMetric('dice', dice)));
      if (pickable.includes(m)) row.addEventListener('click', () => this.pickMethod(m));
      return row;
    });
    parts.push(h('table', { class: 'metrics-table' }, h('thead', {}, h('tr', {}, h('th', {}, 'method'), h('th', { class: 'num' }, 'dice'))), h('tbody', {}, rows)));
    setChildren(this.metricsBox, parts);
  }

  private onKey(e: KeyboardEvent): void {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    const key = e.key;
    const step = (target: 'previous' | 'next' | 'nextWorst') => {
      if (!this.nav[target].disabled) this.post({ type: 'navigate', target });
    };
    if (key === 'ArrowRight' || key === 'n') step('next');
    else if (key === 'ArrowLeft' || key === 'p') step('previous');
    else if (key === 'w' || key === 'W') step('nextWorst');
    else if (key === '+' || key === '=') this.setZoom(nextZoom(this.zoom, 1));
    else if (key === '-') this.setZoom(nextZoom(this.zoom, -1));
    else if (key === '0') this.fit();
    else if ((key === 'ArrowUp' || key === 'ArrowDown' || key === 'PageUp' || key === 'PageDown') && this.data && this.data.depth > 1) {
      const delta = key === 'ArrowUp' || key === 'PageUp' ? 1 : -1;
      const slice = Math.min(this.data.depth - 1, Math.max(0, this.data.slice + delta));
      if (slice !== this.data.slice) this.post({ type: 'slice', slice });
    } else if (/^[1-9]$/.test(key)) {
      const l = this.listedLayers()[Number(key) - 1];
      if (!l) return;
      l.visible = !l.visible;
      this.syncLayers();
      this.postRendered();
    } else if (key === 'm' || key === 'M') {
      const methods = pickableMethods(this.layers.map((l) => l.layer));
      if (methods.length === 0) return;
      const i = this.method === undefined ? -1 : methods.indexOf(this.method);
      this.pickMethod(methods[(i + 1) % methods.length]);
    } else return;
    e.preventDefault();
  }

  private bindPointer(): void {
    let drag: { x: number; y: number; panX: number; panY: number } | undefined;
    this.viewport.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY, panX: this.pan.x, panY: this.pan.y };
      this.viewport.setPointerCapture(e.pointerId);
      this.viewport.focus();
    });
    this.viewport.addEventListener('pointermove', (e) => {
      if (!drag) return;
      this.pan = { x: drag.panX + e.clientX - drag.x, y: drag.panY + e.clientY - drag.y };
      this.userMoved = true;
      this.applyTransform();
    });
    const end = () => (drag = undefined);
    this.viewport.addEventListener('pointerup', end);
    this.viewport.addEventListener('pointercancel', end);
    this.viewport.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const rect = this.viewport.getBoundingClientRect();
        this.setZoom(nextZoom(this.zoom, e.deltaY < 0 ? 1 : -1), { x: e.clientX - rect.left, y: e.clientY - rect.top });
      },
      { passive: false },
    );
  }

  /** Zooms keeping the image point under `anchor` (viewport pixels) in place. */
  private setZoom(zoom: number, anchor?: { x: number; y: number }): void {
    const a = anchor ?? { x: this.viewport.clientWidth / 2, y: this.viewport.clientHeight / 2 };
    const ix = (a.x - this.pan.x) / this.zoom;
    const iy = (a.y - this.pan.y) / this.zoom;
    this.zoom = zoom;
    this.pan = { x: a.x - ix * zoom, y: a.y - iy * zoom };
    this.userMoved = true;
    this.applyTransform();
  }

  private fit(): void {
    if (this.extent) this.fitTo(this.extent.width, this.extent.height);
  }

  private fitTo(width: number, height: number): void {
    this.extent = { width, height };
    this.userMoved = false;
    const vw = this.viewport.clientWidth || 640;
    const vh = this.viewport.clientHeight || 480;
    this.zoom = fitZoom(width, height, vw - 16, vh - 16);
    this.pan = { x: Math.round((vw - width * this.zoom) / 2), y: Math.round((vh - height * this.zoom) / 2) };
    this.applyTransform();
  }

  private applyTransform(): void {
    this.stack.style.transform = `translate(${this.pan.x}px, ${this.pan.y}px) scale(${this.zoom})`;
    this.zoomLabel.textContent = `${this.zoom >= 1 ? this.zoom : `1/${Math.round(1 / this.zoom)}`}×`;
  }
}

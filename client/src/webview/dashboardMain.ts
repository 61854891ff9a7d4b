/**
 * Entry of the results-dashboard webview: draws the same views as report.html (shared
 * `renderReport`) from a posted `ReportData`, with VS Code theme colours, and asks the host to
 * open the preview when a gallery image is clicked.
 */
import * as Plot from '@observablehq/plot';
import { renderReport } from './charts';
import type { DashboardToHost, EmbeddingPoint, HostToDashboard } from './dashboardMessages';
import { h } from './dom';
import { reportCspViolations, vscodeApi } from './vscodeApi';

const api = vscodeApi();
const root = document.getElementById('medseg-report')!;
const post = (message: DashboardToHost) => api.postMessage(message);
reportCspViolations(post);

function sectionsOnScreen(): string[] {
  return Array.from(root.querySelectorAll('section[id]'), (s) => s.id);
}

function embeddingSection(title: string, colourBy: string, points: EmbeddingPoint[]): HTMLElement {
  const plot = Plot.plot({
    width: Math.max(480, Math.min(900, root.clientWidth || 800)),
    height: 480,
    x: { label: 'UMAP 1', ticks: [] },
    y: { label: 'UMAP 2', ticks: [] },
    color: { legend: true, label: colourBy },
    marks: [Plot.dot(points, { x: 'x', y: 'y', fill: 'group', r: 4, title: (p: EmbeddingPoint) => `${p.imageId}${p.dice === undefined ? '' : ` · dice ${p.dice.toFixed(3)}`}` })],
  });
  return h('section', { id: 'embedding', class: 'medseg-section' }, h('h2', {}, title), plot);
}

window.addEventListener('message', (event: MessageEvent<HostToDashboard>) => {
  const message = event.data;
  if (message.type === 'report') {
    renderReport(root, message.data, { onImageClick: (imageId, method, focusKind) => post({ type: 'openImage', imageId, method, ...(focusKind ? { focusKind } : {}) }) });
    root.append(h('p', { class: 'note source' }, `Source: ${message.source}`));
    if (message.focus) document.getElementById(message.focus)?.scrollIntoView();
  } else if (message.type === 'embedding') {
    document.getElementById('embedding')?.remove();
    const section = embeddingSection(message.title, message.colourBy, message.points);
    root.prepend(section);
    section.scrollIntoView();
  } else {
    root.replaceChildren(h('p', { class: 'empty' }, message.message));
  }
  document.body.dataset.rendered = 'true';
  post({ type: 'rendered', sections: sectionsOnScreen() });
});
post({ type: 'ready' });

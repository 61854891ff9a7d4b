/**
 * Entry of the results-dashboard webview: draws the same views as report.html (shared
 * `renderReport`) from a posted `ReportData`, with VS Code theme colours, and asks the host to
 * open the preview when a gallery image is clicked.
 */
import { renderReport } from './charts';
import type { DashboardToHost, HostToDashboard } from './dashboardMessages';
import { h } from './dom';
import { UmapView } from './umapView';
import { reportCspViolations, vscodeApi } from './vscodeApi';

const api = vscodeApi();
const root = document.getElementById('medseg-report')!;
const post = (message: DashboardToHost) => api.postMessage(message);
reportCspViolations(post);
let umap: UmapView | undefined;

function sectionsOnScreen(): string[] {
  return Array.from(root.querySelectorAll('section[id]'), (s) => s.id);
}

window.addEventListener('message', (event: MessageEvent<HostToDashboard>) => {
  const message = event.data;
  if (message.type === 'report') {
    renderReport(root, message.data, { onImageClick: (imageId, method, focusKind) => post({ type: 'openImage', imageId, method, ...(focusKind ? { focusKind } : {}) }) });
    root.append(h('p', { class: 'note source' }, `Source: ${message.source}`));
    // A redraw of the results keeps the map shown above them.
    if (umap) {
      root.prepend(umap.element);
      umap.fit();
    }
    if (message.focus) document.getElementById(message.focus)?.scrollIntoView();
  } else if (message.type === 'umap') {
    document.getElementById('umap')?.remove();
    umap?.dispose();
    umap = new UmapView(message.result, message.title, { requestThumbnail: (imageId) => post({ type: 'thumbnail', imageId }), openImage: (imageId, method) => post({ type: 'openImage', imageId, method }) });
    root.prepend(umap.element);
    umap.fit();
    umap.element.scrollIntoView();
  } else if (message.type === 'thumbnail') {
    umap?.thumbnail(message.imageId, message.dataUri);
    return;
  } else {
    root.replaceChildren(h('p', { class: 'empty' }, message.message));
  }
  document.body.dataset.rendered = 'true';
  post({ type: 'rendered', sections: sectionsOnScreen() });
});
post({ type: 'ready' });

/** Entry of the mask-preview webview: wires the host channel to the view. */
import type { HostToPreview, PreviewToHost } from './previewMessages';
import { PreviewView } from './previewView';
import { reportCspViolations, vscodeApi } from './vscodeApi';

const api = vscodeApi();
const view = new PreviewView(document.getElementById('medseg-preview')!, (message: PreviewToHost) => api.postMessage(message));
reportCspViolations((m) => api.postMessage(m));
window.addEventListener('message', (event: MessageEvent<HostToPreview>) => view.handle(event.data));
api.postMessage({ type: 'ready' } satisfies PreviewToHost);

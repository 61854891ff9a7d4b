export { previewCase, findCase, type PreviewRequest } from './previewCase';

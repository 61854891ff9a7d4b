export { cursorContext, nodeAt, type CursorContext, type KeyContext, type ValueContext, type NodeAtPosition, type ConfigPathSegments } from './cursorContext';
export { tokenizeLine, TokenizedText, containerPath, siblingKeys, stripComment, type LineToken } from './lineTokens';
export { setKeyEdits, removeKeyEdit, replacePairEdit, type TextEdit } from './edits';

/**
 * DOM building for the webviews. Text always goes in as text nodes and attributes through
 * setAttribute, never through innerHTML: file names and labels come from the user's disk
 * (`<img src=x onerror=alert(1)>.png` is a valid file name).
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: (Node | string | undefined)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) node.setAttribute(k, v);
  for (const c of children) if (c !== undefined) node.append(c);
  return node;
}

/**
 * DOM building for the webviews. Text always goes in as text nodes and attributes through
 * setAttribute, never through innerHTML: file names and labels come from the user's disk
 * (`<img src=x onerror=alert(1)>.png` is a valid file name).
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: Children[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) node.setAttribute(k, v);
  appendAll(node, children);
  return node;
}

export type Child = Node | string | undefined;
/** A child, or a list of them: lists are passed as they are, never spread into a call (a long list would overflow the stack). */
export type Children = Child | readonly Child[];

/** Appends children one by one (`parent.append(...list)` passes every element as an argument). */
export function appendAll(parent: ParentNode, children: readonly Children[]): void {
  for (const c of children) {
    if (Array.isArray(c)) for (const x of c as readonly Child[]) appendOne(parent, x);
    else appendOne(parent, c as Child);
  }
}

function appendOne(parent: ParentNode, c: Child): void {
  if (c !== undefined) parent.append(c);
}

/** `parent.replaceChildren(...children)` for lists of any length. */
export function setChildren(parent: ParentNode, ...children: Children[]): void {
  parent.replaceChildren();
  appendAll(parent, children);
}

// Custom events: every lvt:* event bubbles, so a listener on document sees it.

/** emit dispatches lvt:<name> on target if it is still in the document, else on the document. */
export function emit(doc: Document, target: Element | null, name: string, detail: object): void {
  const to: EventTarget = target && target.isConnected ? target : doc;
  to.dispatchEvent(new CustomEvent('lvt:' + name, { bubbles: true, detail }));
}

/** report hands an exception thrown by user code (a hook) to the browser's
 * error reporting without stopping the client. */
export function report(e: unknown): void {
  setTimeout(() => {
    throw e;
  });
}

/** within lists n itself (if it is an element matching sel) and, if deep,
 * its descendants matching sel. */
export function within(n: Node, sel: string, deep = true): Element[] {
  if (n.nodeType !== 1) return [];
  const el = n as Element;
  const out = deep ? Array.from(el.querySelectorAll(sel)) : [];
  if (el.matches(sel)) out.unshift(el);
  return out;
}

// DOM morphing. The client aligns the nodes of a marked region itself (the
// markers tell it exactly what changed), so the morph library only has to
// bring one element in line with its new rendering, or the whole body when a
// change could not be located; morphdom does that. Around it this module
// keeps what the user owns: the value, selection and checked state of the
// focused field, whether a <details>/<dialog> is open (the server decides it
// when the element is created, the user after that), and every element the
// server did not change (skipped whole, so unfocused fields keep what was
// typed too).

import morphdom from 'morphdom';

/** Observers of what a morph does to the DOM. */
export interface Watch {
  /** A node was inserted; deep: its subtree too (else it is reported node by node). */
  added(n: Node, deep: boolean): void;
  /** A node is about to be removed; deep as for added. */
  removing(n: Node, deep: boolean): void;
  /** An element is about to be morphed. */
  morphing(el: Element): void;
  /** An element was morphed; changed is false when it was already equal. */
  morphed(el: Element, changed: boolean): void;
}

const key = (n: Node) =>
  n.nodeType === 1 ? (n as Element).getAttribute('id') || (n as Element).getAttribute('data-key') : null;

const isMarker = (n: Node) => n.nodeType === 8 && /^\/?lvt:/.test(n.nodeValue!);

const LOOKAHEAD = 8;

export class Morph {
  private readonly opts_: object;

  constructor(
    private readonly doc_: Document,
    private readonly watch_: Watch,
  ) {
    this.opts_ = {
      getNodeKey: (n: Node) => key(n) || undefined,
      onNodeAdded: (n: Node) => {
        watch_.added(n, false);
        return n;
      },
      onBeforeNodeDiscarded: () => true,
      onNodeDiscarded: (n: Node) => watch_.removing(n, false),
      onBeforeElUpdated: (from: Element, to: Element) => {
        watch_.morphing(from);
        // A <details>/<dialog> stays as open or closed as the user left it.
        if (/^D(ETAILS|IALOG)$/.test(from.tagName)) to.toggleAttribute('open', from.hasAttribute('open'));
        if (from.isEqualNode(to)) {
          watch_.morphed(from, false);
          return false;
        }
        if (from === doc_.activeElement) keepState(from, to);
        return true;
      },
      onElUpdated: (el: Element) => watch_.morphed(el, true),
    };
  }

  /** added reports a subtree inserted outside a morph. */
  added(n: Node): void {
    this.watch_.added(n, true);
  }

  /** removing reports a subtree about to be removed outside a morph. */
  removing(n: Node): void {
    this.watch_.removing(n, true);
  }

  /** element morphs old into nw (same tag). */
  element(old: Element, nw: Element): void {
    morphdom(old, nw, this.opts_);
  }

  /** page morphs the document's body into the body of an HTML document. */
  page(html: string): void {
    const next = new DOMParser().parseFromString(html, 'text/html');
    weave(this.doc_.body, next.body, this.doc_);
    this.element(this.doc_.body, next.body);
    const title = next.querySelector('title');
    if (title && this.doc_.title !== title.textContent) this.doc_.title = title.textContent || '';
  }

  /** parse turns HTML into nodes as the parser would make them inside parent. */
  parse(html: string, parent: Element): Node[] {
    const r = this.doc_.createRange();
    r.selectNodeContents(parent);
    return Array.from(r.createContextualFragment(html).childNodes);
  }


  /** region makes the nodes between a and b (exclusive) equal to fresh:
   * keyed elements (id, data-key) match by key, others by kind within a few
   * siblings (and move into place); unmatched old nodes are removed,
   * unmatched new ones inserted. */
  region(a: Node, b: Node, fresh: Node[]): void {
    const parent = a.parentNode!;
    const keyed = new Map<string, Node>();
    for (let c = a.nextSibling; c && c !== b; c = c.nextSibling) {
      const k = key(c);
      if (k) keyed.set(k, c);
    }
    const keep = new Set<Node>();
    let cur = a.nextSibling!;
    for (const n of fresh) {
      let m: Node | null | undefined = null;
      const k = key(n);
      if (k) {
        m = keyed.get(k);
        if (m && (keep.has(m) || (m as Element).tagName !== (n as Element).tagName)) m = null;
      } else {
        for (let c: Node | null = cur, i = 0; c && c !== b && i < LOOKAHEAD; c = c.nextSibling, i++) {
          if (similar(c, n)) {
            m = c;
            break;
          }
        }
      }
      if (!m) {
        const x = this.doc_.importNode(n, true);
        parent.insertBefore(x, cur);
        keep.add(x);
        this.added(x);
        continue;
      }
      if (m === cur) cur = m.nextSibling!;
      else parent.insertBefore(m, cur);
      keep.add(m);
      if (m.nodeType === 1) this.element(m as Element, n as Element);
      else if (m.nodeValue !== n.nodeValue) m.nodeValue = n.nodeValue;
    }
    for (let c = a.nextSibling; c && c !== b; ) {
      const next = c.nextSibling;
      if (!keep.has(c)) {
        this.removing(c);
        parent.removeChild(c);
      }
      c = next;
    }
  }

}

function similar(o: Node, n: Node): boolean {
  if (o.nodeType !== n.nodeType) return false;
  if (o.nodeType === 1) return (o as Element).tagName === (n as Element).tagName && !key(o);
  return o.nodeType !== 8 || o.nodeValue === n.nodeValue;
}

/** keepState makes the new rendering of the focused field carry what the
 * user is typing, so the morph leaves value, caret and checked state alone. */
function keepState(from: Element, to: Element): void {
  const f = from as HTMLInputElement;
  const t = to as HTMLInputElement;
  if ('value' in f) {
    t.value = f.value;
    t.checked = f.checked;
  }
}

/** weave inserts into the live DOM the markers of a fresh rendering of the
 * same content, so that a page rendered by the server (without markers) and
 * the client's rendering line up before they are morphed. It stops at the
 * first difference, leaving the rest to the morph. */
export function weave(live: Node, fresh: Node, doc: Document): boolean {
  let c = live.firstChild;
  for (let n = fresh.firstChild; n; n = n.nextSibling) {
    if (isMarker(n)) {
      if (c && c.nodeType === 8 && c.nodeValue === n.nodeValue) c = c.nextSibling;
      else live.insertBefore(doc.importNode(n, true), c);
      continue;
    }
    if (!c || isMarker(c) || c.nodeType !== n.nodeType) return false;
    if (n.nodeType === 3) {
      const t = n.nodeValue!;
      if (c.nodeValue !== t) {
        if (!c.nodeValue!.startsWith(t)) return false;
        (c as Text).splitText(t.length);
      }
    } else if (n.nodeType === 1 && ((c as Element).tagName !== (n as Element).tagName || !weave(c, n, doc))) {
      return false;
    }
    c = c.nextSibling;
  }
  return true;
}

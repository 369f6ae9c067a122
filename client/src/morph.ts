// DOM morphing. The client aligns the nodes of a marked region itself (the
// markers tell it exactly what changed), so the morph only has to bring one
// element in line with its new rendering, or the whole body when a change
// could not be located. It does that itself (align, element): children are
// matched by key (id, data-key) or by kind within a few siblings, matched
// elements are morphed in place, and an element equal to its new rendering
// is skipped whole. Around it this module keeps what the user owns: the
// value, selection and checked state of the focused field, whether a
// <details>/<dialog> is open (the server decides it when the element is
// created, the user after that), and every element the server did not change
// (skipped whole, so unfocused fields keep what was typed too).

import { isMarker } from './markers';

/** Observers of what a morph does to the DOM. */
export interface Watch {
  /** A node was inserted; deep: its subtree too (else it is reported node by node). */
  added(n: Node, deep: boolean): void;
  /** An element is about to be morphed. */
  morphing(el: Element): void;
  /** An element was morphed; changed is false when it was already equal. */
  morphed(el: Element, changed: boolean): void;
}

export interface Morph {
  /** added reports a subtree inserted outside a morph. */
  added(n: Node): void;
  /** page morphs the document's body into the body of an HTML document. */
  page(html: string): void;
  /** parse turns HTML into nodes as the parser would make them inside parent. */
  parse(html: string, parent: Element): Node[];
  /** region makes the nodes between a and b (exclusive) equal to fresh:
   * keyed elements (id, data-key) match by key, others by kind within a few
   * siblings (and move into place); unmatched old nodes are removed,
   * unmatched new ones inserted. */
  region(a: Node, b: Node, fresh: Node[]): void;
}

type El = HTMLInputElement & HTMLOptionElement;

const key = (n: Node) =>
  n.nodeType === 1 ? (n as Element).getAttribute('id') || (n as Element).getAttribute('data-key') : null;

const LOOKAHEAD = 8;

export function morph(doc: Document, watch: Watch): Morph {
  /** element morphs old into nw (same tag): its attributes, its children
   * and the state of a form field. Removals are not reported: hooks and
   * scroll find what left the page when they settle. */
  const element = (old: Element, nw: Element): void => {
    watch.morphing(old);
    const tag = old.tagName;
    // A <details>/<dialog> stays as open or closed as the user left it.
    if (/^D(ETAILS|IALOG)$/.test(tag)) nw.toggleAttribute('open', old.hasAttribute('open'));
    if (old.isEqualNode(nw)) return watch.morphed(old, false);
    // The focused field keeps what the user is typing: value, caret, checked.
    const f = old as El;
    const t = nw as El;
    if (old === doc.activeElement && 'value' in f) {
      t.value = f.value;
      t.checked = f.checked;
    }
    for (const a of Array.from(old.attributes))
      if (!nw.hasAttributeNS(a.namespaceURI, a.localName)) old.removeAttributeNode(a);
    for (const a of Array.from(nw.attributes))
      if (old.getAttributeNS(a.namespaceURI, a.localName) !== a.value) old.setAttributeNS(a.namespaceURI, a.name, a.value);
    // lvt-ignore: the browser owns the children (the attributes follow the server).
    if (!old.hasAttribute('lvt-ignore')) align(old, null, null, Array.from(nw.childNodes));
    // What the attributes no longer decide once the user changed it.
    if (tag === 'INPUT' || tag === 'TEXTAREA') {
      if (f.value !== t.value) f.value = t.value;
      if (tag === 'INPUT') f.checked = t.checked;
    } else if (tag === 'OPTION') f.selected = t.selected;
    watch.morphed(old, true);
  };

  /** align makes the children of parent after prev (from the first one
   * when prev is null) up to end (exclusive; to the last when null) equal
   * to fresh (see region). */
  const align = (parent: Node, prev: Node | null, end: Node | null, fresh: Node[]): void => {
    const first = () => (prev ? prev.nextSibling : parent.firstChild);
    const keyed = new Map<string, Node>();
    for (let c = first(); c && c !== end; c = c.nextSibling) {
      const k = key(c);
      if (k) keyed.set(k, c);
    }
    const keep = new Set<Node>();
    let cur = first();
    for (const n of fresh) {
      let m: Node | null | undefined = null;
      const k = key(n);
      if (k) {
        m = keyed.get(k);
        if (m && (keep.has(m) || m.nodeName !== n.nodeName)) m = null;
      } else {
        for (let c = cur, i = 0; c && c !== end && i < LOOKAHEAD; c = c.nextSibling, i++) {
          if (similar(c, n)) {
            m = c;
            break;
          }
        }
      }
      if (!m) {
        const x = doc.importNode(n, true);
        parent.insertBefore(x, cur);
        keep.add(x);
        watch.added(x, true);
        continue;
      }
      if (m === cur) cur = m.nextSibling;
      else parent.insertBefore(m, cur);
      keep.add(m);
      if (m.nodeType === 1) element(m as Element, n as Element);
      else if (m.nodeValue !== n.nodeValue) m.nodeValue = n.nodeValue;
    }
    for (let c = first(), next; c && c !== end; c = next) {
      next = c.nextSibling;
      if (!keep.has(c)) parent.removeChild(c);
    }
  };

  return {
    added: (n) => watch.added(n, true),
    page(html) {
      const next = new DOMParser().parseFromString(html, 'text/html');
      const title = next.querySelector('title');
      const t = title && title.textContent;
      weave(doc.body, next.body, doc);
      element(doc.body, next.body);
      if (title && doc.title !== t) doc.title = t!;
    },
    parse(html, parent) {
      const r = doc.createRange();
      r.selectNodeContents(parent);
      return Array.from(r.createContextualFragment(html).childNodes);
    },
    region: (a, b, fresh) => align(a.parentNode!, a, b, fresh),
  };
}

function similar(o: Node, n: Node): boolean {
  if (o.nodeType !== n.nodeType) return false;
  if (o.nodeType === 1) return (o as Element).tagName === (n as Element).tagName && !key(o);
  return o.nodeType !== 8 || o.nodeValue === n.nodeValue;
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
    } else if (n.nodeType === 1 && ((c as Element).tagName !== (n as Element).tagName || (!(c as Element).hasAttribute('lvt-ignore') && !weave(c, n, doc)))) {
      return false;
    }
    c = c.nextSibling;
  }
  return true;
}

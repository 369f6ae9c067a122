// A streaming, approximate HTML tokenizer. The renderer feeds it the statics
// and dynamics in order and asks, around every dynamic part, whether that part
// sits in element content and is balanced (every element it opens, it closes,
// and it closes nothing it did not open). Only such parts can be bracketed by
// comment markers that the browser's parser keeps in place. It errs on the
// side of "not balanced": a part it is unsure of is simply not marked, and
// updates to it re-render the nearest marked part around it.

// A start or end tag (quoted attribute values may hold ">"), a comment, or
// another markup declaration; matched only where it begins ("y").
const TOKEN = /<(\/?)([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<!--[\s\S]*?-->|<(?!!--)[!?/][^>]*>/y;
const VOID = /^(area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr|keygen)$/;
const RAW = /^(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext)$/;
const TABLE = /^(table|tbody|thead|tfoot|tr)$/;
const IN_TABLE = /^(tr|td|th|tbody|thead|tfoot|caption|colgroup|col|script|style|template|form|input)$/;

// Elements the parser inserts on its own carry a "+" on the stack.
const bare = (e = '') => e.replace('+', '');

/** A saved position: what begin() returns and end() checks (depth, low, breaks). */
export type Mark = [number, number, number];

export interface Scan {
  /** Whether a marker may be placed at this point. */
  canMark(): boolean;
  begin(): Mark;
  /** end reports whether everything fed since m is balanced element content. */
  end(m: Mark): boolean;
  feed(s: string): void;
}

/** scan makes a scanner for a part rendered into parent (or a whole page). */
export function scan(parent?: Element): Scan {
  /** An unfinished tag, comment or raw-text element, waiting for more input. */
  let buf = '';
  /** The raw-text element we are in (script, style, textarea, title …). */
  let raw = '';
  const stack: string[] = parent ? [parent.localName] : [];
  let low = 0;
  /** Depth in SVG or MathML. */
  let foreign = parent && /\/(svg|MathML)$/.test(parent.namespaceURI!) ? 1 : 0;
  /** Counts everything that makes the enclosing parts unbalanced. */
  let breaks = 0;
  /** Just after a <pre>/<listing> start tag: a leading newline would be dropped. */
  let pre = false;
  /** Number of open <head> elements. */
  let head = 0;

  const top = () => bare(stack[stack.length - 1]);
  const fosters = () => TABLE.test(top());
  const text = (t: string) => {
    pre = false;
    if (fosters() && /\S/.test(t)) breaks++;
  };
  const count = (name: string, d: number) => {
    if (name === 'svg' || name === 'math') foreign += d;
    if (name === 'head') head += d;
  };

  const tag = (name: string, closing: boolean, selfClosing: boolean) => {
    if (closing) {
      let i = stack.length;
      while (i-- && bare(stack[i]) !== name);
      // Closing what was not opened, or skipping over open elements that the
      // template did not close: the DOM nests differently than the text.
      if (i < 0 || stack.slice(i + 1).some((e) => e[0] !== '+')) breaks++;
      if (i >= 0) {
        for (let k = stack.length - 1; k >= i; k--) count(bare(stack[k]), -1);
        stack.length = i;
        if (i < low) low = i;
      }
      return;
    }
    let t = top();
    // Table parts the parser adds: <tbody> for a <tr> in a <table>, …
    if (t === 'table' && /^(tr|td|th)$/.test(name)) stack.push((t = '+tbody'));
    if (/^(tbody|thead|tfoot|\+tbody)$/.test(t) && /^t[dh]$/.test(name)) stack.push('+tr');
    if (t === 'table' && name === 'col') stack.push('+colgroup');
    if (VOID.test(name) || (selfClosing && foreign)) return; // <path/> in svg or math
    if (fosters() && !IN_TABLE.test(name)) breaks++;
    stack.push(name);
    count(name, 1);
    pre = name === 'pre' || name === 'listing';
    if (RAW.test(name) && !foreign) raw = name;
  };

  return {
    canMark: () => !buf && !raw && !pre && !head,
    begin() {
      const m: Mark = [stack.length, low, breaks];
      low = stack.length;
      return m;
    },
    end([depth, l, b]) {
      const ok = !buf && !raw && low >= depth && stack.length === depth && breaks === b;
      low = Math.min(l, low);
      return ok;
    },
    feed(s) {
      if (!s) return;
      const b = buf + s;
      buf = '';
      let i = 0;
      for (;;) {
        if (raw) {
          const close = new RegExp('</' + raw + '[\\s/>]', 'ig');
          close.lastIndex = i;
          const m = close.exec(b);
          if (!m) {
            buf = b.slice(i);
            return;
          }
          raw = '';
          i = m.index;
        }
        const lt = b.indexOf('<', i);
        const t = b.slice(i, lt < 0 ? b.length : lt);
        if (t) text(t);
        if (lt < 0) return;
        TOKEN.lastIndex = lt;
        const m = TOKEN.exec(b);
        if (!m) {
          if (/^<([a-zA-Z/!?]|$)/.test(b.slice(lt, lt + 2))) {
            buf = b.slice(lt); // a tag that the next chunks will finish
            return;
          }
          text('<'); // a lone "<" is text
          i = lt + 1;
          continue;
        }
        i = TOKEN.lastIndex;
        pre = false;
        if (m[2]) tag(m[2].toLowerCase(), !!m[1], /\/\s*$/.test(m[3]));
        else if (m[0][1] === '/') breaks++; // "</>" or "</ …>": unsure
      }
    },
  };
}

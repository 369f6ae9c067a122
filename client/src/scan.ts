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

/** A saved position: what begin() returns and end() checks. */
export interface Mark {
  depth: number;
  low: number;
  breaks: number;
}

export class Scan {
  /** An unfinished tag, comment or raw-text element, waiting for more input. */
  private buf_ = '';
  /** The raw-text element we are in (script, style, textarea, title …). */
  private raw_ = '';
  private stack_: string[] = [];
  private low_ = 0;
  private foreign_ = 0;
  /** Counts everything that makes the enclosing parts unbalanced. */
  private breaks_ = 0;
  /** Just after a <pre>/<listing> start tag: a leading newline would be dropped. */
  private pre_ = false;
  /** Number of open <head> elements. */
  head = 0;

  /** A scanner for a part whose parent element is given (lower-case tag name). */
  constructor(parent?: string, foreign?: boolean) {
    if (parent) this.stack_.push(parent);
    if (foreign) this.foreign_ = 1;
  }

  /** Whether a marker may be placed at this point. */
  canMark(): boolean {
    return !this.buf_ && !this.raw_ && !this.pre_ && !this.head;
  }

  begin(): Mark {
    const m = { depth: this.stack_.length, low: this.low_, breaks: this.breaks_ };
    this.low_ = this.stack_.length;
    return m;
  }

  /** end reports whether everything fed since m is balanced element content. */
  end(m: Mark): boolean {
    const ok =
      !this.buf_ && !this.raw_ && this.low_ >= m.depth && this.stack_.length === m.depth && this.breaks_ === m.breaks;
    this.low_ = Math.min(m.low, this.low_);
    return ok;
  }

  feed(s: string): void {
    if (!s) return;
    const b = this.buf_ + s;
    this.buf_ = '';
    let i = 0;
    for (;;) {
      if (this.raw_) {
        const close = new RegExp('</' + this.raw_ + '[\\s/>]', 'ig');
        close.lastIndex = i;
        const m = close.exec(b);
        if (!m) {
          this.buf_ = b.slice(i);
          return;
        }
        this.raw_ = '';
        i = m.index;
      }
      const lt = b.indexOf('<', i);
      const text = b.slice(i, lt < 0 ? b.length : lt);
      if (text) this.text_(text);
      if (lt < 0) return;
      TOKEN.lastIndex = lt;
      const m = TOKEN.exec(b);
      if (!m) {
        if (/^<([a-zA-Z/!?]|$)/.test(b.slice(lt, lt + 2))) {
          this.buf_ = b.slice(lt); // a tag that the next chunks will finish
          return;
        }
        this.text_('<'); // a lone "<" is text
        i = lt + 1;
        continue;
      }
      i = TOKEN.lastIndex;
      this.pre_ = false;
      if (m[2]) this.tag_(m[2].toLowerCase(), !!m[1], /\/\s*$/.test(m[3]));
      else if (m[0][1] === '/') this.breaks_++; // "</>" or "</ …>": unsure
    }
  }

  private text_(t: string): void {
    this.pre_ = false;
    if (this.fosters_() && /\S/.test(t)) this.breaks_++;
  }

  private top_(): string {
    return bare(this.stack_[this.stack_.length - 1]);
  }

  private fosters_(): boolean {
    return TABLE.test(this.top_());
  }

  private pop_(i: number): void {
    const stack = this.stack_;
    for (let k = stack.length - 1; k >= i; k--) this.count_(bare(stack[k]), -1);
    stack.length = i;
    if (i < this.low_) this.low_ = i;
  }

  private tag_(name: string, closing: boolean, selfClosing: boolean): void {
    const stack = this.stack_;
    if (closing) {
      let i = stack.length;
      while (i-- && bare(stack[i]) !== name);
      // Closing what was not opened, or skipping over open elements that the
      // template did not close: the DOM nests differently than the text.
      if (i < 0 || stack.slice(i + 1).some((e) => e[0] !== '+')) this.breaks_++;
      if (i >= 0) this.pop_(i);
      return;
    }
    let top = this.top_();
    // Table parts the parser adds: <tbody> for a <tr> in a <table>, …
    if (top === 'table' && /^(tr|td|th)$/.test(name)) stack.push((top = '+tbody'));
    if (/^(tbody|thead|tfoot|\+tbody)$/.test(top) && /^t[dh]$/.test(name)) stack.push('+tr');
    if (top === 'table' && name === 'col') stack.push('+colgroup');
    if (VOID.test(name) || (selfClosing && this.foreign_)) return; // <path/> in svg or math
    if (this.fosters_() && !IN_TABLE.test(name)) this.breaks_++;
    stack.push(name);
    this.count_(name, 1);
    this.pre_ = name === 'pre' || name === 'listing';
    if (RAW.test(name) && !this.foreign_) this.raw_ = name;
  }

  private count_(name: string, d: number): void {
    if (name === 'svg' || name === 'math') this.foreign_ += d;
    if (name === 'head') this.head += d;
  }
}

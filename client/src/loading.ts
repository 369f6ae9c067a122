// What an element shows while its action is in flight: the class lvt-loading
// (also on <html>), and for lvt-disable-with="Saving…" the element disabled
// with that text. Morphs never see these decorations: they are taken off
// before an element is morphed and put back after.

const CLASS = 'lvt-loading';

interface State {
  html: string;
  value: string;
  disabled: boolean;
}

interface Saved extends State {
  n: number; // actions in flight for this element
}

export class Loading {
  private count_ = 0;
  private saved_ = new Map<Element, Saved>();

  constructor(private readonly root_: Element) {}

  /** start decorates els for one action; the returned function undoes it once. */
  start(els: Element[]): () => void {
    this.count_++;
    this.root_.classList.add(CLASS);
    const mine = Array.from(new Set(els));
    for (const el of mine) {
      const s = this.saved_.get(el);
      if (s) s.n++;
      else {
        this.saved_.set(el, { n: 1, ...this.save_(el) });
        this.apply_(el);
      }
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.count_ === 0) this.root_.classList.remove(CLASS);
      for (const el of mine) {
        const s = this.saved_.get(el);
        if (s && --s.n === 0) {
          this.restore_(el, s);
          this.saved_.delete(el);
        }
      }
    };
  }

  /** suspend takes the decorations off an element about to be morphed. */
  suspend(el: Element): void {
    const s = this.saved_.get(el);
    if (s) this.restore_(el, s);
  }

  /** resume puts them back after the morph, keeping what the server sent. */
  resume(el: Element): void {
    const s = this.saved_.get(el);
    if (!s) return;
    Object.assign(s, this.save_(el));
    this.apply_(el);
  }

  private save_(el: Element): State {
    const f = el as HTMLInputElement;
    return { html: el.innerHTML, value: f.value, disabled: !!f.disabled };
  }

  private apply_(el: Element): void {
    el.classList.add(CLASS);
    const text = el.getAttribute('lvt-disable-with');
    if (text === null) return;
    if ('disabled' in el) (el as HTMLButtonElement).disabled = true;
    if (el instanceof HTMLInputElement) el.value = text;
    else el.textContent = text;
  }

  private restore_(el: Element, s: Saved): void {
    el.classList.remove(CLASS);
    if (!el.classList.length) el.removeAttribute('class');
    if (el.getAttribute('lvt-disable-with') === null) return;
    if ('disabled' in el) (el as HTMLButtonElement).disabled = s.disabled;
    if (el instanceof HTMLInputElement) el.value = s.value;
    else if (el.innerHTML !== s.html) el.innerHTML = s.html;
  }
}

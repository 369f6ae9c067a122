import { afterEach, describe, expect, it } from 'vitest';
import { $, type Setup, doc, partsAsked, start, stop, treeOf } from './harness';

let s: Setup;
afterEach(() => stop(s));

const ROW = ['<li data-key="', '"><label>', '</label><input name="', '"></li>'];
const [pre, mid1, mid2, post] = doc('<ul>|</ul><details><summary>|</summary><p>|</p></details>').split('|');
const row = (k: string, label: string) => ({ 0: k, 1: label, 2: 'f' + k });
const tree = (rows: object[]) => ({ s: [pre, mid1, mid2, post], 0: { s: ROW, r: rows }, 1: 'More', 2: 'text' });
const rows = ['a', 'b', 'c', 'd'].map((k) => row(k, 'L' + k));

describe('morphing keeps what the user owns', () => {
  it('keeps focus, caret and typed value in a row that the patch re-renders', () => {
    s = start('', { tree: tree(rows) });
    const input = $<HTMLInputElement>('[name=fb]');
    input.focus();
    input.value = 'hello';
    input.setSelectionRange(2, 4);
    s.ws().receive({ t: 'patch', seq: 2, patch: { 0: [1, [{ 1: 'changed' }]], 2: 'x' } });
    expect($('[data-key=b] label').textContent).toBe('changed');
    expect(document.activeElement).toBe(input);
    expect(input.value).toBe('hello');
    expect([input.selectionStart, input.selectionEnd]).toEqual([2, 4]);
  });

  it('keeps focus and value when the row moves and others are inserted and removed', () => {
    s = start('', { tree: tree(rows) });
    const input = $<HTMLInputElement>('[name=fc]');
    input.focus();
    input.value = 'typed';
    input.setSelectionRange(1, 1);
    s.ws().receive({ t: 'patch', seq: 2, patch: { 0: [-2, 1, row('n', 'new'), [0, 1]] } });
    expect(Array.from(document.querySelectorAll('li')).map((li) => li.getAttribute('data-key'))).toEqual(['c', 'n', 'a', 'd']);
    expect($('[name=fc]')).toBe(input);
    expect(document.activeElement).toBe(input);
    expect(input.value).toBe('typed');
    expect(input.selectionStart).toBe(1);
  });

  it('keeps what was typed into an unfocused field the server did not change', () => {
    s = start('', { tree: tree(rows) });
    const input = $<HTMLInputElement>('[name=fa]');
    input.value = 'draft';
    s.ws().receive({ t: 'tree', seq: 5, tree: tree(rows.map((r, i) => (i === 3 ? row('d', 'other') : r))) });
    expect($('[data-key=d] label').textContent).toBe('other');
    expect($<HTMLInputElement>('[name=fa]').value).toBe('draft');
  });

  it('keeps a <details> the user opened until the server changes it', () => {
    s = start('', { tree: tree(rows) });
    const d = $<HTMLDetailsElement>('details');
    d.open = true; // the user opens it
    s.ws().receive({ t: 'patch', seq: 2, patch: { 1: 'Still more', 2: 'changed' } });
    expect($('summary').textContent).toBe('Still more');
    expect(d.open).toBe(true);
    // a full tree (every part re-rendered) keeps it too
    s.ws().receive({ t: 'tree', seq: 9, tree: tree(rows) });
    expect($('details')).toBe(d);
    expect(d.open).toBe(true);
  });

  it('does not touch the elements of unchanged rows', () => {
    s = start('', { tree: tree(rows) });
    const lis = Array.from(document.querySelectorAll('li'));
    const seen: MutationRecord[] = [];
    const mo = new MutationObserver((r) => seen.push(...r));
    mo.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    s.ws().receive({ t: 'patch', seq: 2, patch: { 0: [2, [{ 1: 'new c' }]] } });
    const records = mo.takeRecords().concat(seen);
    mo.disconnect();
    expect(Array.from(document.querySelectorAll('li'))).toEqual(lis);
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(lis[2].contains(r.target)).toBe(true);
  });
});

describe('hooks', () => {
  it('mounted, updated and destroyed follow the element', () => {
    const calls: string[] = [];
    s = start('', { connect: false });
    s.hooks.Chart = {
      mounted(el) {
        calls.push('mounted ' + el.textContent + ' ' + (this.el === el));
      },
      updated(el) {
        calls.push('updated ' + el.textContent);
      },
      destroyed() {
        calls.push('destroyed');
      },
    };
    const item = ['<div lvt-hook="Chart">', '</div>'];
    const [a, b] = doc('<main>|</main>').split('|');
    s.ws().open();
    s.ws().receive({ t: 'tree', seq: 1, tree: { s: [a, b], 0: { s: item, r: [{ 0: 'one' }] } } });
    s.ws().receive({ t: 'patch', seq: 2, patch: { 0: [[{ 0: 'two' }]] } });
    s.ws().receive({ t: 'patch', seq: 3, patch: { 0: { r: [] } } });
    expect(calls).toEqual(['mounted one true', 'updated two', 'destroyed']);
  });

  it('a hook can send actions', async () => {
    s = start('<div lvt-hook="H"></div>', { connect: false });
    let inst: { action(n: string, d?: object): Promise<unknown> } | null = null;
    s.hooks.H = {
      mounted() {
        inst = this;
      },
    };
    s.ws().open();
    s.ws().receive({ t: 'tree', seq: 1, tree: { s: [doc('<div lvt-hook="H"></div>')] } });
    const p = inst!.action('chart.zoom', { level: '2' });
    expect(s.actions()).toEqual([{ t: 'action', ref: 1, name: 'chart.zoom', data: { level: '2' } }]);
    s.ws().receive({ t: 'reply', ref: 1, seq: 2, patch: {} });
    await expect(p).resolves.toEqual({ ok: true });
  });
});

describe('lvt-scroll="bottom"', () => {
  it('keeps a container at its bottom unless the user scrolled up', async () => {
    const [a, b] = doc('<div id="log" lvt-scroll="bottom">|</div>').split('|');
    const t = (n: number) => ({ s: [a, b], 0: { s: ['<p>', '</p>'], r: Array.from({ length: n }, (_, i) => ({ 0: String(i) })) } });
    s = start('', { tree: t(1) });
    expect(partsAsked).toEqual(['scroll']);
    await Promise.resolve(); // the part is in
    const log = $('#log');
    let height = 100;
    Object.defineProperty(log, 'scrollHeight', { get: () => height });
    Object.defineProperty(log, 'clientHeight', { get: () => 50 });
    height = 200;
    s.ws().receive({ t: 'patch', seq: 2, patch: { 0: [1, { 0: 'x' }] } });
    expect(log.scrollTop).toBe(200);
    log.scrollTop = 20; // the user scrolls up
    log.dispatchEvent(new Event('scroll'));
    height = 300;
    s.ws().receive({ t: 'patch', seq: 3, patch: { 0: [2, { 0: 'y' }] } });
    expect(log.scrollTop).toBe(20);
    log.scrollTop = 250; // back at the bottom
    log.dispatchEvent(new Event('scroll'));
    height = 400;
    s.ws().receive({ t: 'patch', seq: 4, patch: { 0: [3, { 0: 'z' }] } });
    expect(log.scrollTop).toBe(400);
    expect(partsAsked).toEqual(['scroll']);
  });

  it('is a part, loaded only by pages that have such a container', async () => {
    s = start('<p>nothing to pin</p>');
    s.ws().receive({ t: 'tree', seq: 2, tree: treeOf('<ul lvt-scroll="bottom"><li>x</li></ul>') });
    expect(partsAsked).toEqual(['scroll']);
    s = start('<p>nothing to pin</p>');
    s.ws().receive({ t: 'tree', seq: 2, tree: treeOf('<ul><li>x</li></ul>') });
    expect(partsAsked).toEqual([]);
  });
});

describe('morphing applies what the server changed', () => {
  // A page whose only dynamic is the markup of one element.
  const [a, b] = doc('<main>|</main>').split('|');
  const t = (html: string) => ({ s: [a, b], 0: { s: ['<form>' + html + '</form>'] } });
  const swap = (html: string, seq: number) => s.ws().receive({ t: 'tree', seq, tree: t(html) });

  it('sets and removes attributes, namespaced ones too', () => {
    const svg = (href: string, extra: string) =>
      `<svg><use xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="${href}" ${extra}></use></svg>`;
    s = start('', { tree: t('<p id="p" class="a" title="x">p</p>' + svg('#a', 'x="1"')) });
    const p = $('#p');
    const use = $('use');
    swap('<p id="p" class="b" lang="en">p</p>' + svg('#b', ''), 2);
    expect($('#p')).toBe(p);
    expect(p.getAttribute('class')).toBe('b');
    expect(p.getAttribute('lang')).toBe('en');
    expect(p.hasAttribute('title')).toBe(false);
    expect($('use')).toBe(use);
    expect(use.getAttributeNS('http://www.w3.org/1999/xlink', 'href')).toBe('#b');
    expect(use.hasAttribute('x')).toBe(false);
  });

  it('a field the server changed shows the server’s value, even after the user typed', () => {
    s = start('', { tree: t('<input name="q" value="a"><textarea name="m">one</textarea>') });
    const q = $<HTMLInputElement>('[name=q]');
    const m = $<HTMLTextAreaElement>('[name=m]');
    q.value = 'typed';
    m.value = 'typed too';
    swap('<input name="q" value=""><textarea name="m">two</textarea>', 2);
    expect($('[name=q]')).toBe(q);
    expect(q.value).toBe('');
    expect(m.value).toBe('two');
  });

  it('checked and selected follow the server when it changes them, and only then', () => {
    const html = (c: string, sel: [string, string]) =>
      `<input type="checkbox" name="c" ${c}><select name="s"><option value="1" ${sel[0]}>1</option><option value="2" ${sel[1]}>2</option></select>` +
      `<select name="m" multiple><option>x</option><option>y</option></select>`;
    s = start('', { tree: t(html('', ['', 'selected'])) });
    const c = $<HTMLInputElement>('[name=c]');
    const sel = $<HTMLSelectElement>('[name=s]');
    const multi = $<HTMLSelectElement>('[name=m]');
    expect(sel.value).toBe('2');
    c.checked = true; // the user's choices
    multi.options[1].selected = true;
    swap(html('', ['', 'selected']) + '<p>other</p>', 2); // the fields unchanged
    expect(c.checked).toBe(true);
    expect(multi.options[1].selected).toBe(true);
    swap(html('checked', ['selected', '']), 3); // the server changes them
    expect($('[name=c]')).toBe(c);
    expect(c.checked).toBe(true);
    expect(sel.value).toBe('1');
    swap(html('', ['selected', '']), 4);
    expect(c.checked).toBe(false);
  });

  it('keeps the nodes it can and replaces the ones of another kind', () => {
    s = start('', { tree: t('<b>1</b><i>2</i>text<span id="k">3</span>') });
    const bold = $('b');
    const k = $('#k');
    swap('<span id="k">3!</span><b>1!</b><u>new</u>text', 2);
    expect(Array.from($('form').childNodes, (n) => n.nodeName)).toEqual(['SPAN', 'B', 'U', '#text']);
    expect($('#k')).toBe(k);
    expect($('b')).toBe(bold);
    expect($('form').textContent).toBe('3!1!newtext');
  });
});

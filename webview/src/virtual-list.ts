// A fixed-row-height virtual list: a spacer gives the scroll container its full height and a window
// element, moved with a transform, holds only the rows in view plus an overscan. Row elements are
// pooled and re-filled, never recreated, while scrolling.
import './virtual-list.css';

export interface VirtualListOptions {
  rowHeight: number;
  overscan: number;
  /** Creates one pooled row element (its inner structure is filled later by renderRow). */
  createRow(): HTMLElement;
  /** Fills a pooled element with the row at a flat index. */
  renderRow(el: HTMLElement, index: number): void;
  /** Called after each render with the rendered range. */
  onRendered?(first: number, last: number): void;
}

export class VirtualList {
  readonly spacer: HTMLElement;
  readonly window: HTMLElement;
  private pool: HTMLElement[] = [];
  private count = 0;
  private frame = 0;
  private first = 0;
  private last = -1;

  constructor(readonly scroller: HTMLElement, private opts: VirtualListOptions) {
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    this.spacer.setAttribute('role', 'none');
    this.window = document.createElement('div');
    this.window.className = 'vlist-window';
    this.window.setAttribute('role', 'none');
    this.spacer.appendChild(this.window);
    scroller.appendChild(this.spacer);
    scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(scroller);
  }

  get rowHeight(): number {
    return this.opts.rowHeight;
  }

  /** Rows that fit in the viewport (at least 1). */
  get pageSize(): number {
    return Math.max(1, Math.floor(this.scroller.clientHeight / this.opts.rowHeight));
  }

  setCount(n: number): void {
    this.count = n;
    this.spacer.style.height = `${n * this.opts.rowHeight}px`;
  }

  /** Re-renders on the next frame (coalesced). */
  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Renders the visible window now. */
  render(): void {
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    const h = this.opts.rowHeight;
    const top = this.scroller.scrollTop;
    const viewport = this.scroller.clientHeight || h * 40;
    const first = Math.max(0, Math.floor(top / h) - this.opts.overscan);
    const last = Math.min(this.count - 1, Math.ceil((top + viewport) / h) + this.opts.overscan);
    const needed = Math.max(0, last - first + 1);
    while (this.pool.length < needed) {
      const el = this.opts.createRow();
      this.pool.push(el);
      this.window.appendChild(el);
    }
    this.window.style.transform = `translateY(${first * h}px)`;
    for (let k = 0; k < this.pool.length; k++) {
      const el = this.pool[k];
      if (k < needed) {
        el.hidden = false;
        this.opts.renderRow(el, first + k);
      } else if (!el.hidden) {
        // Spare rows keep nothing of what they showed: no stale ids, text or state.
        el.hidden = true;
        el.removeAttribute('id');
        el.className = 'row';
        el.replaceChildren();
      }
    }
    this.first = first;
    this.last = last;
    this.opts.onRendered?.(first, last);
  }

  /** The first row whose top is in view. */
  firstVisible(): number {
    return Math.min(Math.ceil(this.scroller.scrollTop / this.opts.rowHeight), Math.max(0, this.count - 1));
  }

  /** The pooled element showing a flat index, if rendered. */
  elementAt(index: number): HTMLElement | undefined {
    if (index < this.first || index > this.last) return undefined;
    return this.pool[index - this.first];
  }

  /** Flat index of a pooled element (for clicks). */
  indexOf(el: HTMLElement): number {
    const k = this.pool.indexOf(el);
    return k < 0 || el.hidden ? -1 : this.first + k;
  }

  /** Scrolls the least amount that brings a row fully into view; true when it scrolled. */
  reveal(index: number): boolean {
    const h = this.opts.rowHeight;
    const top = index * h;
    const view = this.scroller.clientHeight;
    const before = this.scroller.scrollTop;
    if (top < before) this.scroller.scrollTop = top;
    else if (top + h > before + view) this.scroller.scrollTop = top + h - view;
    return this.scroller.scrollTop !== before || !this.elementAt(index);
  }
}

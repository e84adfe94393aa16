/**
 * Fixed-size byte pages carved out of large shared buffers, for the bytes of open series heads
 * (open-heads.ts). A head's bytes are a chain of pages linked by page number, so a series costs
 * its encoded bytes plus at most one partly filled page and a 4-byte link per page, instead of
 * an ArrayBuffer of its own (about a hundred bytes of bookkeeping each, plus up to half its
 * capacity unused when buffers grow by doubling).
 *
 * Limitation: the pool never shrinks. Freed pages are reused by the next heads, but the slabs
 * stay allocated at the peak number of pages ever in use (about the bytes of all open heads).
 */

/** Bytes per page. A power of two. */
export const PAGE_BYTES = 64;
/** Bits per page. */
export const PAGE_BITS = PAGE_BYTES * 8;
const PAGE_SHIFT = 6;
/** Pages per slab (one 64 KiB buffer). */
const SLAB_PAGES = 1024;
const SLAB_SHIFT = 10;
const SLAB_MASK = SLAB_PAGES - 1;
/** End of a chain, and of the free list. */
export const NO_PAGE = -1;

/** Pages with a free list; page numbers are stable for as long as the page is in use. */
export class PagePool {
  private readonly slabs: Uint8Array[] = [];
  /** Next page in the chain of each page (NO_PAGE at the end); free pages chain the free list. */
  private next = new Int32Array(SLAB_PAGES);
  private freeHead = NO_PAGE;
  /** Pages handed out and not freed. */
  pagesInUse = 0;

  /** Bytes reserved for pages (in use or free). */
  reservedBytes(): number {
    return this.slabs.length * SLAB_PAGES * PAGE_BYTES;
  }

  /** A zero-filled page, linked after `previous` unless that is NO_PAGE. */
  alloc(previous: number): number {
    let page = this.freeHead;
    if (page === NO_PAGE) page = this.grow();
    this.freeHead = this.next[page] as number;
    this.next[page] = NO_PAGE;
    if (previous !== NO_PAGE) this.next[previous] = page;
    const offset = (page & SLAB_MASK) << PAGE_SHIFT;
    (this.slabs[page >>> SLAB_SHIFT] as Uint8Array).fill(0, offset, offset + PAGE_BYTES);
    this.pagesInUse++;
    return page;
  }

  /** Returns every page of the chain starting at `first` (NO_PAGE: nothing) to the pool. */
  freeChain(first: number): void {
    let page = first;
    while (page !== NO_PAGE) {
      const following = this.next[page] as number;
      this.next[page] = this.freeHead;
      this.freeHead = page;
      this.pagesInUse--;
      page = following;
    }
  }

  /**
   * ORs the low `count` bits of `value` (1..32, already masked), most significant first, into
   * `page` from bit `bitInPage` on; they must fit in the page.
   */
  orBits(page: number, bitInPage: number, value: number, count: number): void {
    const slab = this.slabs[page >>> SLAB_SHIFT] as Uint8Array;
    let at = ((page & SLAB_MASK) << PAGE_SHIFT) + (bitInPage >>> 3);
    let free = 8 - (bitInPage & 7);
    let left = count;
    while (left > 0) {
      const take = free < left ? free : left;
      const chunk = (value >>> (left - take)) & ((1 << take) - 1);
      slab[at] = (slab[at] as number) | (chunk << (free - take));
      left -= take;
      at++;
      free = 8;
    }
  }

  /** Copies the first `byteLength` bytes of the chain starting at `first` into `out` at 0. */
  copyChain(first: number, byteLength: number, out: Uint8Array): void {
    let page = first;
    for (let done = 0; done < byteLength && page !== NO_PAGE; done += PAGE_BYTES) {
      const offset = (page & SLAB_MASK) << PAGE_SHIFT;
      const take = Math.min(PAGE_BYTES, byteLength - done);
      out.set(
        (this.slabs[page >>> SLAB_SHIFT] as Uint8Array).subarray(offset, offset + take),
        done,
      );
      page = this.next[page] as number;
    }
  }

  /** Adds a slab and puts its pages on the free list; returns the first of them. */
  private grow(): number {
    const base = this.slabs.length * SLAB_PAGES;
    this.slabs.push(new Uint8Array(SLAB_PAGES * PAGE_BYTES));
    if (this.next.length < base + SLAB_PAGES) {
      const grown = new Int32Array(this.next.length * 2);
      grown.set(this.next);
      this.next = grown;
    }
    for (let i = 0; i < SLAB_PAGES - 1; i++) this.next[base + i] = base + i + 1;
    this.next[base + SLAB_PAGES - 1] = this.freeHead;
    this.freeHead = base;
    return base;
  }
}

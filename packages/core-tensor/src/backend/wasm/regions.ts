/**
 * Regions of the wasm memory that outlive a kernel call: what a fused sequence's forward keeps for
 * its backward (the saved activations and the states), so that neither pass copies them across the
 * wasm boundary. The pool hands out 64-byte aligned blocks of the area above the work areas, reuses
 * released ones (best fit, neighbours merged), and lowers its top when the highest block is
 * released; the per-call scratch (`WasmRuntime.reserve`) starts at the top, so it never overlaps a
 * live region. Regions never move: their addresses stay valid when the memory grows.
 */
import { BackendError } from '../../errors.js';

/** A block of the wasm memory handed out by `RegionPool.take`, valid until released. */
export interface Region {
  /** Byte address of the block's start (64-byte aligned). */
  readonly address: number;
  /** Bytes it holds (a multiple of 64). */
  readonly bytes: number;
}

interface Block {
  start: number;
  end: number;
}

const ALIGN = 64;

function alignUp(x: number): number {
  return Math.ceil(x / ALIGN) * ALIGN;
}

/** The region allocator of a runtime's memory (see the file comment). */
export class RegionPool {
  /** Released blocks below `top`, sorted by start, never adjacent to each other or to `top`. */
  private readonly free: Block[] = [];
  private readonly live = new Set<Region>();
  private top: number;

  /**
   * A pool over `[base, …)`; `ensure(end)` grows the memory to at least `end` bytes and says whether it
   * could (false: the memory's maximum is reached or refused).
   */
  constructor(
    private readonly base: number,
    private readonly ensure: (end: number) => boolean,
  ) {
    this.top = alignUp(base);
  }

  /** The end of the highest live region (where the scratch of a call may start). */
  get end(): number {
    return this.top;
  }

  /** Bytes held by live regions. */
  liveBytes(): number {
    let bytes = 0;
    for (const r of this.live) bytes += r.bytes;
    return bytes;
  }

  /** Number of live regions. */
  liveCount(): number {
    return this.live.size;
  }

  /**
   * A region of at least `bytes` bytes, or null when the memory cannot hold it. Reuses the smallest
   * released block that fits, else extends the top. A region taken during a call must be taken
   * before that call's `reserve` (the scratch starts at the top).
   */
  take(bytes: number): Region | null {
    const size = alignUp(Math.max(bytes, 1));
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!;
      if (b.end - b.start >= size && (best < 0 || b.end - b.start < this.free[best]!.end - this.free[best]!.start)) best = i;
    }
    let address: number;
    if (best >= 0) {
      const b = this.free[best]!;
      address = b.start;
      b.start += size;
      if (b.start === b.end) this.free.splice(best, 1);
    } else {
      address = this.top;
      if (!this.ensure(address + size)) return null;
      this.top = address + size;
    }
    const region = { address, bytes: size };
    this.live.add(region);
    return region;
  }

  /** Gives `region` back to the pool. Throws `BackendError` for a region that is not live (released twice, or another pool's). */
  release(region: Region): void {
    if (!this.live.delete(region)) throw new BackendError('wasm backend: a region was released twice, or is not from this pool');
    let start = region.address;
    let end = start + region.bytes;
    // Merge with the free neighbours; a block that reaches the top lowers the top instead.
    let i = this.free.findIndex((b) => b.start > start);
    if (i < 0) i = this.free.length;
    const before = this.free[i - 1];
    if (before !== undefined && before.end === start) {
      start = before.start;
      this.free.splice(--i, 1);
    }
    const after = this.free[i];
    if (after !== undefined && after.start === end) {
      end = after.end;
      this.free.splice(i, 1);
    }
    if (end === this.top) this.top = start;
    else this.free.splice(i, 0, { start, end });
  }
}

//! The allocator the binary (and the benchmark's examples) run with:
//! mimalloc, asked for a plain block whenever a plain block already has the
//! alignment wanted.
//!
//! mimalloc aligns every block of 16 bytes or more to 16 bytes, and a
//! smaller one to 8 (`MI_MAX_ALIGN_SIZE`). So a layout whose alignment is
//! at most 16 and at most its size is served by `mi_malloc` as it is, the
//! rule the standard library's `System` allocator follows with `malloc`.
//! The `mimalloc` crate calls `mi_malloc_aligned` for every layout, whose
//! fast path gives up on blocks over 1 KiB and on an empty free list, and
//! whose slow path then over-allocates: a fifth of the allocator's
//! instructions in a fleet run (docs/performance.md).

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc,
    mi_zalloc_aligned,
};
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// The alignment every mimalloc block of at least that size has.
const PLAIN_ALIGNMENT: usize = 16;

pub struct Mimalloc;

/// Whether a plain block of `size` bytes is aligned enough for `align`.
fn plain_block_will_do(align: usize, size: usize) -> bool {
    align <= PLAIN_ALIGNMENT && align <= size
}

// SAFETY: every block comes from mimalloc and goes back to it (`mi_free`
// frees plain and aligned blocks alike); a plain block is asked for only
// when mimalloc gives it the alignment wanted (see the module docs).
unsafe impl GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: plain FFI allocation calls.
        unsafe {
            if plain_block_will_do(layout.align(), layout.size()) {
                mi_malloc(layout.size()).cast()
            } else {
                mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: plain FFI allocation calls.
        unsafe {
            if plain_block_will_do(layout.align(), layout.size()) {
                mi_zalloc(layout.size()).cast()
            } else {
                mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator (the caller's contract).
        unsafe { mi_free(ptr.cast::<c_void>()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` was allocated by this allocator with `layout` (the
        // caller's contract); mimalloc keeps its contents up to the smaller size.
        unsafe {
            if plain_block_will_do(layout.align(), new_size) {
                mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every size up to 4 KiB and a few larger, at every alignment up to
    /// 64: each block has its alignment, holds its bytes through a realloc,
    /// and zeroed blocks are zero.
    #[test]
    fn every_layout_gets_its_alignment_and_keeps_its_bytes() {
        let sizes = (1..=4096).chain([8191, 8192, 65_536, 1 << 20]);
        for size in sizes {
            for align in [1, 2, 4, 8, 16, 32, 64] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: non-zero sizes; each block freed once, by this allocator.
                unsafe {
                    let zeroed = Mimalloc.alloc_zeroed(layout);
                    assert_eq!(zeroed as usize % align, 0, "{size} {align}");
                    assert!((0..size).all(|i| *zeroed.add(i) == 0), "{size} {align}");
                    Mimalloc.dealloc(zeroed, layout);
                    let block = Mimalloc.alloc(layout);
                    assert_eq!(block as usize % align, 0, "{size} {align}");
                    for i in 0..size {
                        *block.add(i) = (i % 251) as u8;
                    }
                    let grown = Mimalloc.realloc(block, layout, size * 3);
                    assert_eq!(grown as usize % align, 0, "{size} {align}");
                    assert!((0..size).all(|i| *grown.add(i) == (i % 251) as u8));
                    let grown_layout = Layout::from_size_align(size * 3, align).unwrap();
                    let shrunk = Mimalloc.realloc(grown, grown_layout, size.div_ceil(2));
                    assert_eq!(shrunk as usize % align, 0, "{size} {align}");
                    let kept = size.div_ceil(2);
                    assert!((0..kept).all(|i| *shrunk.add(i) == (i % 251) as u8));
                    Mimalloc.dealloc(shrunk, Layout::from_size_align(kept, align).unwrap());
                }
            }
        }
    }
}

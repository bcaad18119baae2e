//! Large reports written on the run's threads: the report cut into pieces,
//! each rendered into its own bytes in the current rayon pool, the pieces
//! written in order. Writing (the kernel copying the bytes into the file)
//! is serial; it overlaps the rendering of the next pieces.

use rayon::prelude::*;
use std::io::{self, Write};

/// Pieces rendered at once: two batches are held at a time.
const BATCH: usize = 16;

/// Writes `render(0)`, `render(1)`, … `render(count - 1)` to `out`, in that
/// order. A batch of pieces is rendered in parallel, and it is written
/// while the next batch is rendered: both run in the pool, so that `-j1`
/// still does one thing at a time and `-j2` writes on one thread while the
/// other renders.
pub fn write_pieces<R>(count: usize, render: R, out: &mut (dyn Write + Send)) -> io::Result<()>
where
    R: Fn(usize) -> io::Result<Vec<u8>> + Sync,
{
    let batches = count.div_ceil(BATCH);
    let batch = |b: usize| -> io::Result<Vec<Vec<u8>>> {
        if b == batches {
            return Ok(Vec::new());
        }
        (b * BATCH..((b + 1) * BATCH).min(count))
            .into_par_iter()
            .map(&render)
            .collect()
    };
    let mut ready = batch(0)?;
    for b in 1..=batches {
        let (written, next) = rayon::join(
            || ready.iter().try_for_each(|piece| out.write_all(piece)),
            || batch(b),
        );
        written?;
        ready = next?;
    }
    Ok(())
}

/// Elements rendered as one piece.
const PIECE: usize = 256;

/// `[`, the elements, `]`, as serde_json's pretty printer writes an array
/// whose elements stand `depth` levels deep, the elements rendered in
/// pieces ([`write_pieces`]). `element(i, buf)` writes the `i`th element
/// alone, as [`nested_formatter`]`(depth)` indents it.
pub fn write_array<E>(
    count: usize,
    depth: usize,
    element: E,
    out: &mut (dyn Write + Send),
) -> io::Result<()>
where
    E: Fn(usize, &mut Vec<u8>) -> io::Result<()> + Sync,
{
    if count == 0 {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    let indent = b" ".repeat(2 * depth);
    let render = |piece: usize| {
        let part = piece * PIECE..((piece + 1) * PIECE).min(count);
        let mut buf = Vec::with_capacity(part.len() * 512);
        for i in part {
            buf.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            buf.extend_from_slice(&indent);
            element(i, &mut buf)?;
        }
        Ok(buf)
    };
    write_pieces(count.div_ceil(PIECE), render, out)?;
    out.write_all(b"\n")?;
    // The closing bracket stands a level above the elements.
    out.write_all(indent.get(2..).unwrap_or_default())?;
    out.write_all(b"]")
}

/// What serde wrote, as text: UTF-8 as it is, without a copy.
pub fn text_of(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// serde_json's pretty printer as it stands `depth` levels deep (inside
/// as many arrays and objects): it indents an element's lines as it
/// writes them, instead of a pass over the text after it.
pub fn nested_formatter(depth: usize) -> io::Result<serde_json::ser::PrettyFormatter<'static>> {
    use serde_json::ser::Formatter;
    let mut formatter = serde_json::ser::PrettyFormatter::new();
    // Each array it opens is one level deeper; what they write goes nowhere.
    for _ in 0..depth {
        formatter.begin_array(&mut io::sink())?;
    }
    Ok(formatter)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(count: usize, threads: usize) -> Vec<u8> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut out = Vec::new();
        pool.install(|| write_pieces(count, |i| Ok(format!("{i},").into_bytes()), &mut out))
            .unwrap();
        out
    }

    #[test]
    fn pieces_are_written_once_each_in_order_whatever_the_threads() {
        for count in [0, 1, BATCH - 1, BATCH, BATCH + 1, 5 * BATCH + 3] {
            let expected: Vec<u8> = (0..count)
                .flat_map(|i| format!("{i},").into_bytes())
                .collect();
            for threads in [1, 2, 8] {
                assert!(
                    written(count, threads) == expected,
                    "{count} pieces, {threads} threads"
                );
            }
        }
    }

    #[test]
    fn an_error_of_a_piece_is_the_error_of_the_whole() {
        let mut out = Vec::new();
        let failed = write_pieces(
            40,
            |i| match i {
                33 => Err(io::Error::other("piece 33")),
                _ => Ok(vec![b'x']),
            },
            &mut out,
        );
        assert_eq!(failed.unwrap_err().to_string(), "piece 33");
        assert!(out.len() <= 33, "nothing after the failed piece is written");
    }
}

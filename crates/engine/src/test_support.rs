//! Helpers the engine's unit tests share (`cfg(test)` only).

use crate::core::io::Sink;

/// A sink that keeps every output sample.
pub struct Collect(pub Vec<f32>);

impl Sink for Collect {
    fn accept(&mut self, x: &[f32]) {
        self.0.extend_from_slice(x);
    }
}

/// `len` samples of a deterministic full-scale pseudo-random signal.
pub fn test_signal(len: usize) -> Vec<f32> {
    (0..len)
        .map(|i| ((i * 7919 % 2001) as f32 - 1000.0) / 1000.0)
        .collect()
}

/// Whether `a` and `b` are the same samples, bit for bit.
pub fn same_bits(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

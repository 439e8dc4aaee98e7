//! The `L` phases of one design, built once and shared through a
//! process-wide cache of [`Arc`]s (weak for every live table, strong for the
//! 8 most recent).

use std::sync::{Arc, Mutex};

use aligned_vec::{ABox, AVec, ConstAlign};

use crate::core::shared_cache::{get_or_make, SharedCache};
use crate::design::spec::Spec;

/// Alignment of the coefficients, bytes: a cache line, an AVX-512 vector.
const TABLE_ALIGN: usize = 64;

/// Tables kept alive after their last user is dropped.
const RECENT_TABLES: usize = 8;

/// The `L` phases of one design.
pub struct Table {
    pub(super) up: usize,
    pub(super) down: usize,
    /// Taps per phase `K`.
    pub(super) taps: usize,
    /// Half-length `H` of the prototype, taps at `L · input_rate`.
    pub(super) half: u64,
    /// Phase `p` at `p·K .. (p+1)·K`, oldest tap first: `c_p[j] = h[p + (K−1−j)·L]`.
    /// On a cache-line boundary, so where a phase starts within a line (and
    /// whether a kernel's loads split lines) is the same in every build and
    /// process, not wherever the allocator put the table.
    pub(super) coeffs: ABox<[f32], ConstAlign<TABLE_ALIGN>>,
    pub(super) spec: Spec,
}

type Key = (usize, usize, u8, u64, u64, u64);

static CACHE: Mutex<SharedCache<Key, Table>> = Mutex::new(SharedCache::new(RECENT_TABLES));

pub fn table_for(up: usize, down: usize, spec: Spec) -> Arc<Table> {
    let key = match spec {
        Spec::LowPass {
            pass,
            stop,
            atten_db,
        } => (
            up,
            down,
            0,
            pass.to_bits(),
            stop.to_bits(),
            atten_db.to_bits(),
        ),
        Spec::Hann { taps, cutoff } => (up, down, 1, taps as u64, cutoff.to_bits(), 0),
    };
    get_or_make(&CACHE, key, || Table::design(up, down, spec))
}

impl Table {
    fn design(up: usize, down: usize, spec: Spec) -> Table {
        let (l, m) = (up as u64, down as u64);
        let half = spec.half_taps(l, m);
        let taps = spec.taps_per_phase(l, m) as usize;
        let h = half as usize;
        // One side of the symmetric prototype, centre first; mirrored below.
        let (side, gain) = spec.half_prototype(l, m);
        // Unit passband gain per output frame: the L phases sum to about L.
        let scale = up as f64 / gain;
        let n = 2 * h + 1;
        let proto = |idx: usize| -> f32 {
            if idx >= n {
                0.0
            } else {
                (side[idx.abs_diff(h)] * scale) as f32
            }
        };
        let mut coeffs = AVec::<f32, ConstAlign<TABLE_ALIGN>>::from_iter(
            TABLE_ALIGN,
            std::iter::repeat_n(0.0, up * taps),
        )
        .into_boxed_slice();
        // Column by column: the prototype is read in order and the writes stay
        // within `up` cache lines per column (row by row, the reads stride
        // `up` taps apart and miss the cache and TLB on megabyte tables).
        for j in 0..taps {
            let base = (taps - 1 - j) * up;
            for p in 0..up {
                coeffs[p * taps + j] = proto(base + p);
            }
        }
        Table {
            up,
            down,
            taps,
            half,
            coeffs,
            spec,
        }
    }

    pub fn bytes(&self) -> usize {
        self.coeffs.len() * 4 + std::mem::size_of::<Table>()
    }

    /// Outputs due when the next output's window end (phase `phase`) has been
    /// reached and `beyond` more frames follow it: output `j` ends
    /// `⌊(phase + j·M) / L⌋` frames after the next one's, so those with
    /// `phase + j·M < (beyond + 1) · L` are due. The one rule behind
    /// `PolyCore::max_output_frames` and the feed loop's batches.
    pub fn outputs_due(&self, phase: usize, beyond: u64) -> u128 {
        let room = (beyond as u128 + 1) * self.up as u128 - phase as u128;
        room.div_ceil(self.down as u128)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEDIUM: Spec = Spec::LowPass {
        pass: 0.936,
        stop: 1.0,
        atten_db: 126.0,
    };
    const MEDIUM_DB: f64 = 126.0;
    const MEDIUM_PASS: f64 = 0.936;

    /// Magnitude response of the prototype (all phases) at `f` cycles per tap.
    fn response(t: &Table, f: f64) -> f64 {
        let (mut re, mut im) = (0.0, 0.0);
        for p in 0..t.up {
            for j in 0..t.taps {
                let n = (p + (t.taps - 1 - j) * t.up) as f64;
                let c = t.coeffs[p * t.taps + j] as f64;
                re += c * (std::f64::consts::TAU * f * n).cos();
                im -= c * (std::f64::consts::TAU * f * n).sin();
            }
        }
        re.hypot(im) / t.up as f64
    }

    #[test]
    fn coefficients_start_on_a_cache_line() {
        for (up, down) in [(1usize, 3usize), (2, 1), (160, 147)] {
            let t = Table::design(up, down, MEDIUM);
            assert_eq!(t.coeffs.as_ptr() as usize % TABLE_ALIGN, 0, "{up}/{down}");
        }
    }

    #[test]
    fn prototype_meets_its_spec() {
        for (up, down) in [(1u64, 3u64), (3, 1), (160, 147), (1, 6)] {
            let t = Table::design(up as usize, down as usize, MEDIUM);
            let nyq = 0.5 / up.max(down) as f64;
            let db = |f: f64| 20.0 * response(&t, f).log10();
            // Equiripple designs ripple by ±0.005 dB around unit gain
            // (windowed sincs are flat at DC); f32 rounding adds a little.
            for frac in [0.0, 0.3, 0.6, 0.9, MEDIUM_PASS] {
                assert!(
                    db(frac * nyq).abs() < 6e-3,
                    "{up}/{down} at {frac}: {}",
                    db(frac * nyq)
                );
            }
            // The stopband from the lower Nyquist on, densely near its start
            // (the first sidelobes are the highest).
            let mut frac = 1.0;
            while frac * nyq < 0.5 && frac < 4.0 {
                let f = frac * nyq;
                assert!(db(f) <= -MEDIUM_DB, "{up}/{down} at {frac}: {}", db(f));
                frac += if frac < 1.05 { 0.0005 } else { 0.01 };
            }
        }
    }
}

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

/// Zeros a paired table adds to each phase ([`Role`]); the most frames a
/// window reaches past its output's own end.
pub const PAIR_PAD: usize = 8;
/// The shortest phases that are paired: 8 zero taps cost at most an eighth
/// more multiply-adds there, and the pairs halve the window loads.
const PAIR_MIN_TAPS: usize = 64;

/// How a phase's outputs are computed in a paired table (see [`Table::roles`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// On its own.
    Alone,
    /// With the next output's (phase `(p + M) mod L`, a [`Role::Second`]): both
    /// read one window, which ends `ahead` frames after this output's own end
    /// (where the next output's ends), zero taps covering the difference.
    First { ahead: usize },
    /// With the previous output's, whose phase is a [`Role::First`].
    Second,
}

/// The `L` phases of one design.
pub struct Table {
    pub(super) up: usize,
    pub(super) down: usize,
    /// Taps per stored phase `K`: the filter's taps per phase, plus
    /// [`PAIR_PAD`] zeros in a paired table.
    pub(super) taps: usize,
    /// The filter's taps per phase.
    pub(super) filter_taps: usize,
    /// Half-length `H` of the prototype, taps at `L · input_rate`.
    pub(super) half: u64,
    /// Empty (every phase alone, unpadded), or each phase's [`Role`]: in
    /// tables with long phases, `L ≥ 2` and `M ≥ 2`, consecutive outputs are
    /// paired along the cycle of phases `0, M, 2M, … (mod L)`, so that one load
    /// of each window serves two phases (`Kernel::dot2p`). A first's taps are
    /// followed by `ahead` zeros and a second's preceded by [`PAIR_PAD`]: both
    /// then read the window ending where the second's does. A window reads
    /// up to `ahead` frames its output does not depend on (times zero: exact,
    /// as every history sample is finite), which need not have arrived yet.
    pub(super) roles: Box<[Role]>,
    /// Phase `p` at `p·K .. (p+1)·K`, oldest tap first: `c_p[j] = h[p + (K−1−j)·L]`
    /// (in a paired table, from [`offset`] on).
    /// On a cache-line boundary, so where a phase starts within a line (and
    /// whether a kernel's loads split lines) is the same in every build and
    /// process, not wherever the allocator put the table.
    pub(super) coeffs: ABox<[f32], ConstAlign<TABLE_ALIGN>>,
    /// Empty, or for one long phase (`L = 1`, `M ≥ 2`) that phase between
    /// two runs of `lag · M` zeros, `lag` the fewest outputs whose windows
    /// start a whole number of 16-tap blocks apart ([`Table::lagged`]).
    lagged: ABox<[f32], ConstAlign<TABLE_ALIGN>>,
    lag: usize,
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
        Table::build(up, down, spec, true)
    }

    /// The table of the design, its phases paired where [`pair_roles`] pairs
    /// them if `pairing`, else each alone.
    fn build(up: usize, down: usize, spec: Spec, pairing: bool) -> Table {
        let (l, m) = (up as u64, down as u64);
        let half = spec.half_taps(l, m);
        let filter_taps = spec.taps_per_phase(l, m) as usize;
        let roles = if pairing {
            pair_roles(up, down, filter_taps)
        } else {
            Box::default()
        };
        let taps = filter_taps + if roles.is_empty() { 0 } else { PAIR_PAD };
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
        let mut coeffs = aligned(std::iter::repeat_n(0.0, up * taps));
        let starts: Vec<usize> = (0..up).map(|p| p * taps + offset(&roles, p)).collect();
        // Column by column: the prototype is read in order and the writes stay
        // within `up` cache lines per column (row by row, the reads stride
        // `up` taps apart and miss the cache and TLB on megabyte tables).
        for j in 0..filter_taps {
            let base = (filter_taps - 1 - j) * up;
            for (p, start) in starts.iter().enumerate() {
                coeffs[start + j] = proto(base + p);
            }
        }
        let lag = lag_for(up, down, filter_taps);
        let zeros = lag * down;
        let phase = if lag == 0 { &[][..] } else { &coeffs[..taps] };
        let lagged = aligned(
            std::iter::repeat_n(0.0, zeros)
                .chain(phase.iter().copied())
                .chain(std::iter::repeat_n(0.0, zeros)),
        );
        Table {
            up,
            down,
            taps,
            filter_taps,
            half,
            roles,
            coeffs,
            lagged,
            lag,
            spec,
        }
    }

    /// Phase `p`'s role (all [`Role::Alone`] in an unpaired table).
    #[inline(always)]
    pub fn role(&self, p: usize) -> Role {
        self.roles.get(p).copied().unwrap_or(Role::Alone)
    }

    /// How far phase `p`'s window reaches past its output's own end
    /// ([`Role::First`]; 0 for the others).
    #[inline(always)]
    pub fn ahead(&self, p: usize) -> usize {
        match self.role(p) {
            Role::First { ahead } => ahead,
            _ => 0,
        }
    }

    /// Whether phases are paired ([`Table::roles`]).
    pub fn paired(&self) -> bool {
        !self.roles.is_empty()
    }

    /// For one long phase and `M ≥ 2` ([`lag_for`]): `lag` and the phase
    /// followed by, and preceded by, `lag · M` zeros. Output `q + lag`'s window starts `lag · M` frames after output
    /// `q`'s, so one window of `K + lag · M` frames serves both, each load
    /// for two outputs (`Kernel::dot2p`), as in upsampling. Decimation's
    /// outputs otherwise share nothing but the phase, and a load per
    /// multiply-add bounds them. `lag · M` is a multiple of 16, so every tap
    /// keeps its lane in every kernel, and the zeros add exact zeros: the
    /// same bits.
    #[inline(always)]
    pub fn lagged(&self) -> Option<(usize, [&[f32]; 2])> {
        (self.lag > 0).then(|| {
            let span = self.taps + self.lag * self.down;
            let first = &self.lagged[self.lag * self.down..][..span];
            (self.lag, [first, &self.lagged[..span]])
        })
    }

    /// Phase `p` as stored, [`Table::taps`] long.
    #[inline(always)]
    pub fn phase(&self, p: usize) -> &[f32] {
        &self.coeffs[p * self.taps..(p + 1) * self.taps]
    }

    /// Phase `p`'s filter taps, without the zeros of a paired table.
    #[cfg(test)]
    pub fn filter_phase(&self, p: usize) -> &[f32] {
        &self.phase(p)[offset(&self.roles, p)..][..self.filter_taps]
    }

    pub fn bytes(&self) -> usize {
        (self.coeffs.len() + self.lagged.len()) * 4
            + self.roles.len() * std::mem::size_of::<Role>()
            + std::mem::size_of::<Table>()
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

/// The roles of a table's phases ([`Table::roles`]); empty where phases are
/// not paired: short phases, integer ratios (`L = 1` has one phase; `M = 1`
/// pairs phases without zeros, `schedule::by_phase_pairs`), outputs more
/// than [`PAIR_PAD`] frames apart, or upsampling where the outputs that share
/// a window anyway (a fraction `2(L − M)/L` of them, paired by
/// `schedule::by_phase_pairs`) fall short of the pairs' by less than a quarter:
/// there the zeros cost more than the few pairs they add (16k → 24k, `L = 3`,
/// `M = 2`: 0.88× the speed).
fn pair_roles(up: usize, down: usize, filter_taps: usize) -> Box<[Role]> {
    let paired_anyway = 2 * up.saturating_sub(down);
    let more_pairs = 8 * (2 * (up / 2)).saturating_sub(paired_anyway) >= up;
    if up < 2
        || down < 2
        || down.div_ceil(up) > PAIR_PAD
        || filter_taps < PAIR_MIN_TAPS
        || !more_pairs
    {
        return Box::default();
    }
    let mut roles = vec![Role::Alone; up];
    // The cycle of phases that consecutive outputs take (M and L are coprime),
    // cut into pairs; with an odd L, the last phase stays alone.
    let mut p = 0;
    for _ in 0..up / 2 {
        let (ahead, next) = ((p + down) / up, (p + down) % up);
        roles[p] = Role::First { ahead };
        roles[next] = Role::Second;
        p = (next + down) % up;
    }
    roles.into_boxed_slice()
}

/// [`Table::lagged`]'s `lag`: the fewest outputs whose windows start a
/// multiple of 16 frames apart, `16 / gcd(M, 16)`. 0 (none) for several
/// phases (`L ≥ 2`: paired, or read together in upsampling), integer
/// upsampling (`M = 1`), and phases shorter than 8 times the zeros, where
/// these would cost more than an eighth more multiply-adds (as
/// [`PAIR_MIN_TAPS`] bounds them in paired tables).
fn lag_for(up: usize, down: usize, filter_taps: usize) -> usize {
    if up != 1 || down < 2 {
        return 0;
    }
    let lag = 16 >> down.trailing_zeros().min(4);
    if filter_taps < 8 * lag * down {
        return 0;
    }
    lag
}

/// `v` at a cache-line boundary.
fn aligned(v: impl IntoIterator<Item = f32>) -> ABox<[f32], ConstAlign<TABLE_ALIGN>> {
    AVec::<f32, ConstAlign<TABLE_ALIGN>>::from_iter(TABLE_ALIGN, v).into_boxed_slice()
}

/// Where phase `p`'s filter taps start within its stored phase.
fn offset(roles: &[Role], p: usize) -> usize {
    match roles.get(p) {
        None => 0,
        Some(Role::First { ahead }) => PAIR_PAD - ahead,
        Some(_) => PAIR_PAD,
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
            for (j, c) in t.filter_phase(p).iter().enumerate() {
                let n = (p + (t.filter_taps - 1 - j) * t.up) as f64;
                let c = *c as f64;
                re += c * (std::f64::consts::TAU * f * n).cos();
                im -= c * (std::f64::consts::TAU * f * n).sin();
            }
        }
        re.hypot(im) / t.up as f64
    }

    /// Consecutive outputs are paired along the cycle of phases: each first's
    /// successor is a second, its window reaches exactly to the successor's
    /// end, and at most one phase (odd `L`) is alone. Outside its filter taps
    /// a stored phase is zero, and the taps are the unpaired table's.
    #[test]
    fn paired_phases_share_windows_and_keep_their_taps() {
        for (up, down) in [(2usize, 3usize), (160, 147), (147, 160), (4, 3), (3, 8)] {
            let t = Table::design(up, down, MEDIUM);
            assert!(t.paired(), "{up}/{down}");
            assert_eq!(t.taps, t.filter_taps + PAIR_PAD);
            let alone = (0..up).filter(|&p| t.role(p) == Role::Alone).count();
            assert_eq!(alone, up % 2, "{up}/{down}");
            for p in 0..up {
                if let Role::First { ahead } = t.role(p) {
                    assert_eq!(t.role((p + down) % up), Role::Second, "{up}/{down} {p}");
                    assert_eq!(ahead, (p + down) / up, "{up}/{down} {p}");
                }
                let stored = t.phase(p);
                let at = offset(&t.roles, p);
                let outside = stored[..at].iter().chain(&stored[at + t.filter_taps..]);
                assert!(outside.into_iter().all(|c| *c == 0.0), "{up}/{down} {p}");
            }
            let plain = Table::build(up, down, MEDIUM, false);
            for p in 0..up {
                assert_eq!(t.filter_phase(p), plain.filter_phase(p), "{up}/{down} {p}");
            }
        }
        // Not paired: integer ratios, short phases, and 16k → 24k (L = 3, M = 2),
        // whose outputs mostly share windows unpadded.
        for (up, down, spec) in [(1usize, 3usize, MEDIUM), (3, 1, MEDIUM), (3, 2, MEDIUM)] {
            assert!(!Table::design(up, down, spec).paired(), "{up}/{down}");
        }
    }

    /// A long single phase in decimation is stored lagged: the first phase
    /// is the phase then `lag · M` zeros, the second those zeros then the
    /// phase, `lag · M` a multiple of 16 (each tap keeps its lane), and both
    /// at a cache-line boundary. Short phases, several phases and
    /// upsampling have none.
    #[test]
    fn lagged_phases_pad_the_phase_by_whole_blocks() {
        for (down, lag) in [(2usize, 8usize), (3, 16), (4, 4), (6, 8)] {
            let t = Table::design(1, down, MEDIUM);
            let (got, [first, second]) = t.lagged().expect("lagged");
            assert_eq!(got, lag, "M {down}");
            let zeros = lag * down;
            assert_eq!(zeros % 16, 0, "M {down}");
            let c = t.phase(0);
            assert_eq!(first.len(), c.len() + zeros);
            assert_eq!(&first[..c.len()], c);
            assert_eq!(&second[zeros..], c);
            assert!(first[c.len()..]
                .iter()
                .chain(&second[..zeros])
                .all(|x| *x == 0.0));
            for p in [first, second] {
                assert_eq!(p.as_ptr() as usize % TABLE_ALIGN, 0, "M {down}");
            }
        }
        let short = Spec::LowPass {
            pass: 0.624,
            stop: 1.333,
            atten_db: 126.0,
        };
        for (up, down, spec) in [(1usize, 2usize, short), (2, 3, MEDIUM), (2, 1, MEDIUM)] {
            assert!(
                Table::design(up, down, spec).lagged().is_none(),
                "{up}/{down}"
            );
        }
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

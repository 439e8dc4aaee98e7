//! Stored equiripple (Parks–McClellan) prototypes: the low-pass responses the
//! presets ask for at the common pairs, each designed once, offline, as the
//! shortest filter with the same stopband, a passband ripple of at most
//! ±0.005 dB and a −0.1 dB edge no lower than the Kaiser design's. They are
//! about 0.8× as long as the Kaiser designs, so they cost that much less per
//! output frame and hold back that much less audio.
//!
//! Designing one takes 40 ms to seconds (a search over lengths and band
//! edges), too slow for a constructor, so `tables.rs` holds the results and
//! `generate` (a test module) checks that they still cover every response the
//! presets use, meet their spec, and come out of `pm-remez` (to 1e-12).
//! Where a response's own prototype is too long to design (huge `L`), the
//! stored design is the same response at `max(L, M) = 2` (or 3), which
//! [`interpolate`] carries to the `L` asked for when the table is built.

#[cfg(test)]
mod generate;
mod interpolate;
mod tables;

pub(crate) use interpolate::{coarse_big, Interpolated};

/// One stored design: a low-pass response at one `big = max(L, M)` (its
/// frequencies scale with `1 / big`), and its prototype.
pub(crate) struct Stored {
    pub big: u64,
    pub pass: f64,
    pub stop: f64,
    pub atten_db: f64,
    /// The passband edge the design was run with, cycles per tap: only
    /// `generate`'s check that the design is reproducible reads it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub edge: f64,
    /// The prototype's centre tap and one side, `H + 1` taps; empty where no
    /// equiripple design is shorter than the Kaiser one.
    pub side: &'static [f64],
}

/// What a stored design is found by: `big` and the bits of the response.
pub(crate) type Key = (u64, u64, u64, u64);

/// The [`Key`] of a low-pass response at `big = max(L, M)`.
pub(crate) fn key(big: u64, pass: f64, stop: f64, atten_db: f64) -> Key {
    (big, pass.to_bits(), stop.to_bits(), atten_db.to_bits())
}

impl Stored {
    pub(crate) fn key(&self) -> Key {
        key(self.big, self.pass, self.stop, self.atten_db)
    }
}

/// An equiripple prototype for a low-pass response at `big = max(L, M)`.
pub(crate) enum Prototype {
    /// Designed for this `big` (centre first).
    Stored(&'static [f64]),
    /// The design at [`coarse_big`], carried to this `big`.
    Interpolated(Interpolated<'static>),
}

/// The stored entry for a response at `big`, if the search ran for it.
fn stored(big: u64, pass: f64, stop: f64, atten_db: f64) -> Option<&'static Stored> {
    let wanted = key(big, pass, stop, atten_db);
    tables::STORED.iter().find(|s| s.key() == wanted)
}

/// The equiripple prototype for a low-pass response at `big`: its own stored
/// design, else (where none was searched for: long prototypes) the response's
/// design at [`coarse_big`] interpolated, if one is stored. The caller keeps
/// Kaiser's design where it is shorter.
pub(crate) fn prototype(big: u64, pass: f64, stop: f64, atten_db: f64) -> Option<Prototype> {
    match stored(big, pass, stop, atten_db) {
        Some(s) if s.side.is_empty() => None,
        Some(s) => Some(Prototype::Stored(s.side)),
        None => {
            let coarse = stored(coarse_big(big, stop)?, pass, stop, atten_db)?;
            Interpolated::new(coarse.side, big, stop, atten_db).map(Prototype::Interpolated)
        }
    }
}

impl Prototype {
    /// Half-length `H` (taps on each side of the centre).
    pub(crate) fn half_taps(&self) -> u64 {
        match self {
            Prototype::Stored(side) => side.len() as u64 - 1,
            Prototype::Interpolated(i) => i.half_taps(),
        }
    }

    /// The taps at offsets `0..=H`, unit gain in the passband.
    pub(crate) fn side(&self) -> Vec<f64> {
        match self {
            Prototype::Stored(side) => side.to_vec(),
            Prototype::Interpolated(i) => i.side(),
        }
    }
}

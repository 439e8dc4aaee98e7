//! Where `tables.rs` comes from, and the checks that keep it honest.
//!
//! The targets are every low-pass stage the presets may build at the common
//! pairs ([`RATES`]; `presets::candidate_stages`) whose Kaiser prototype is at
//! most [`MAX_KAISER_TAPS`] long. For each, the search finds the shortest odd
//! length `N` for which some passband edge gives a Parks–McClellan design with
//! passband ripple ≤ ±[`RIPPLE_DB`], stopband ≥ the spec + [`MARGIN_DB`] (the
//! f32 table rounds the taps), and a gain ≥ [`EDGE_DB`] relative to DC where
//! the Kaiser design falls 0.1 dB (so the −0.1 dB edge does not move down;
//! the rest is left for the ripple). `RTC_RESAMPLER_WRITE_TABLES=1` runs the search and
//! rewrites `tables.rs` (minutes); without it the tests check the stored data.

use std::collections::BTreeMap;

use pm_remez::{constant, pm_parameters, pm_remez, BandSetting};

use super::{key, tables::STORED, Key, Stored};
use crate::design::presets::{candidate_stages, Quality};
use crate::design::spec::Spec;
use crate::rate::RatePair;

/// The rates whose pairs get stored designs.
const RATES: [u32; 11] = [
    8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000,
];
/// Longest Kaiser prototype replaced (taps): bounds the search's time and the
/// stored data.
const MAX_KAISER_TAPS: u64 = 1024;
/// Deepest stopband designed, dB: `pm-remez` in `f64` may not return once a
/// trial design's error nears 1e-9 (VERY_HIGH's 150 dB plus the margin and
/// a trial's excess), so VERY_HIGH keeps its Kaiser designs.
const MAX_ATTEN_DB: f64 = 140.0;
/// Passband ripple bound, ± dB.
const RIPPLE_DB: f64 = 0.005;
/// Stopband designed this much below the spec.
const MARGIN_DB: f64 = 1.0;
/// Least gain at the Kaiser design's −0.1 dB frequency, dB.
const EDGE_DB: f64 = -0.095;

/// A search's result: the passband edge and the prototype (centre first).
type Design = (f64, Vec<f64>);

/// A response at one `big = max(L, M)`: the key of a stored design.
#[derive(Debug, Clone, Copy)]
struct Target {
    big: u64,
    pass: f64,
    stop: f64,
    atten_db: f64,
}

impl Target {
    fn key(&self) -> Key {
        key(self.big, self.pass, self.stop, self.atten_db)
    }

    fn spec(&self) -> Spec {
        Spec::LowPass {
            pass: self.pass,
            stop: self.stop,
            atten_db: self.atten_db,
        }
    }

    /// The same response at [`super::coarse_big`], which
    /// [`super::Interpolated`] carries to this `big`: for a `big` whose
    /// Kaiser design is too long to search.
    fn coarse(&self) -> Option<Target> {
        let coarse = Target {
            big: super::coarse_big(self.big, self.stop)?,
            ..*self
        };
        (coarse.kaiser_taps() <= MAX_KAISER_TAPS).then_some(coarse)
    }

    /// The lower Nyquist, cycles per tap.
    fn nyquist(&self) -> f64 {
        0.5 / self.big as f64
    }

    fn kaiser_taps(&self) -> u64 {
        2 * self.spec().windowed_half_taps(self.big, 1) + 1
    }

    /// Where the Kaiser design's gain falls 0.1 dB, cycles per tap.
    fn kaiser_edge(&self) -> f64 {
        let side = self.spec().windowed_sinc(self.big, 1);
        let dc = gain(&side, 0.0);
        let target = dc * 10f64.powf(-0.1 / 20.0);
        let (mut lo, mut hi) = (self.pass * self.nyquist(), self.stop * self.nyquist());
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if gain(&side, mid) >= target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

impl Stored {
    fn target(&self) -> Target {
        Target {
            big: self.big,
            pass: self.pass,
            stop: self.stop,
            atten_db: self.atten_db,
        }
    }
}

/// Every low-pass response the presets ask for at the common pairs, up to
/// [`MAX_ATTEN_DB`], once, in a stable order.
fn responses() -> Vec<Target> {
    let pairs = RATES
        .iter()
        .flat_map(|&a| RATES.iter().map(move |&b| (a, b)))
        .filter(|(a, b)| a != b);
    responses_of(pairs)
}

/// [`responses`] at the given pairs.
fn responses_of(pairs: impl Iterator<Item = (u32, u32)>) -> Vec<Target> {
    let mut all = BTreeMap::new();
    for (a, b) in pairs {
        let pair = RatePair::new(a, b);
        for quality in [
            Quality::Low,
            Quality::Medium,
            Quality::High,
            Quality::VeryHigh,
        ] {
            for stage in candidate_stages(quality, &pair) {
                let Spec::LowPass {
                    pass,
                    stop,
                    atten_db,
                } = stage.spec
                else {
                    continue;
                };
                let p = stage.pair();
                let t = Target {
                    big: p.up().max(p.down()),
                    pass,
                    stop,
                    atten_db,
                };
                if t.atten_db <= MAX_ATTEN_DB {
                    all.insert(t.key(), t);
                }
            }
        }
    }
    all.into_values().collect()
}

/// Every design to store, once, in a stable order: each response's own, or
/// for a long one its coarse design.
fn targets() -> Vec<Target> {
    let mut all = BTreeMap::new();
    for t in responses() {
        if t.kaiser_taps() <= MAX_KAISER_TAPS {
            all.insert(t.key(), t);
        } else if let Some(coarse) = t.coarse() {
            all.insert(coarse.key(), coarse);
        }
    }
    all.into_values().collect()
}

/// Whether a design of `t` is worth storing: `t` is a response the presets
/// ask for, or, as a coarse design, interpolated to some response's `big` it
/// is shorter than that response's Kaiser design.
fn useful(t: &Target, side: &[f64]) -> bool {
    responses().iter().any(|r| {
        if r.key() == t.key() && r.kaiser_taps() <= MAX_KAISER_TAPS {
            return true;
        }
        r.coarse().is_some_and(|c| c.key() == t.key())
            && super::Interpolated::new(side, r.big, r.stop, r.atten_db)
                .is_some_and(|i| 2 * i.half_taps() + 1 < r.kaiser_taps())
    })
}

/// Gain of a symmetric prototype given by its centre and one side.
fn gain(side: &[f64], f: f64) -> f64 {
    let w = std::f64::consts::TAU * f;
    side[0]
        + 2.0
            * side[1..]
                .iter()
                .enumerate()
                .map(|(k, &c)| c * (w * (k + 1) as f64).cos())
                .sum::<f64>()
}

fn ripple() -> f64 {
    10f64.powf(RIPPLE_DB / 20.0) - 1.0
}

/// One Parks–McClellan run: `n` taps, passband to `edge`; the centre tap and
/// one side, and whether its weighted error meets the ripple bound.
fn run(t: &Target, n: usize, edge: f64) -> Option<(Vec<f64>, bool)> {
    let dp = ripple();
    let ds = 10f64.powf(-(t.atten_db + MARGIN_DB) / 20.0);
    let stop = t.stop * t.nyquist();
    let design = move || {
        let bands = [
            BandSetting::new(0.0, edge, constant(1.0)).ok()?,
            BandSetting::with_weight(stop, 0.5, constant(0.0), constant(dp / ds)).ok()?,
        ];
        let parameters = pm_parameters(n, &bands).ok()?;
        pm_remez(&parameters).ok()
    };
    // A run that has not returned in a while never will (see `search`): it
    // counts as a failed length and its thread is left behind.
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(design());
    });
    let design = receive.recv_timeout(RUN_TIMEOUT).ok()??;
    let h = design.impulse_response;
    Some((h[n / 2..].to_vec(), design.weighted_error <= dp))
}

/// See [`run`].
const RUN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The widest passband edge at which `n` taps meet the ripple bound, if its
/// gain at the Kaiser edge is high enough: `(edge, side)`.
fn best_at(t: &Target, n: usize, kaiser_edge: f64) -> Option<Design> {
    let (mut lo, mut hi) = (t.pass * t.nyquist(), kaiser_edge);
    let mut best = match run(t, n, lo)? {
        (side, true) => side,
        _ => return None,
    };
    for _ in 0..10 {
        let mid = 0.5 * (lo + hi);
        match run(t, n, mid) {
            Some((side, true)) => {
                lo = mid;
                best = side;
            }
            _ => hi = mid,
        }
    }
    let db = 20.0 * (gain(&best, kaiser_edge) / gain(&best, 0.0)).log10();
    (db >= EDGE_DB).then_some((lo, best))
}

/// The shortest design for a target, or `None` where none is shorter than
/// the Kaiser one. Lengths are tried from below, 2 % apart, then bisected:
/// `pm-remez` may not return for a length far beyond the one needed (an error
/// near the limits of `f64`), so none is ever tried.
fn search(t: &Target) -> Option<Design> {
    let kaiser = t.kaiser_taps() as usize / 2;
    let edge = t.kaiser_edge();
    // Index i is an odd length 2i + 1.
    let step = (kaiser / 50).max(1);
    let mut bad = kaiser * 13 / 20;
    let (mut good, mut found) = loop {
        let i = bad + step;
        if i >= kaiser {
            return None;
        }
        match best_at(t, 2 * i + 1, edge) {
            Some(d) => break (i, d),
            None => bad = i,
        }
    };
    while good - bad > 1 {
        let mid = (good + bad) / 2;
        match best_at(t, 2 * mid + 1, edge) {
            Some(d) => {
                good = mid;
                found = d;
            }
            None => bad = mid,
        }
    }
    eprintln!(
        "equiripple: big {} pass {:.4} stop {:.4} {} dB: {} taps (Kaiser {})",
        t.big,
        t.pass,
        t.stop,
        t.atten_db,
        2 * good + 1,
        t.kaiser_taps()
    );
    Some(found)
}

/// Response checks of one design against its spec (f64, dense FFT grid),
/// the passband ripple within ±([`RIPPLE_DB`] + `slack_db`).
fn check(t: &Target, side: &[f64], slack_db: f64) -> Result<(), String> {
    use realfft::RealFftPlanner;
    let h = side.len() - 1;
    if (2 * h + 1) as u64 >= t.kaiser_taps() {
        return Err(format!("{} taps, Kaiser {}", 2 * h + 1, t.kaiser_taps()));
    }
    let len = ((2 * h + 1) * 32).next_power_of_two().max(1 << 14);
    let mut taps = vec![0.0f64; len];
    for (k, &c) in side.iter().enumerate() {
        taps[h + k] = c;
        taps[h - k] = c;
    }
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(len);
    let mut spectrum = fft.make_output_vec();
    fft.process(&mut taps, &mut spectrum)
        .map_err(|e| e.to_string())?;
    // The passband ripple is centred on unit gain (see `Spec::half_prototype`).
    let db = |bin: usize| 20.0 * spectrum[bin].norm().log10();
    let bin_of = |f: f64| f * len as f64;
    let pass_end = bin_of(t.pass * t.nyquist()).floor() as usize;
    let (lo, hi) = (0..=pass_end)
        .map(db)
        .fold((f64::MAX, f64::MIN), |(a, b), d| (a.min(d), b.max(d)));
    if hi > RIPPLE_DB + slack_db || lo < -RIPPLE_DB - slack_db {
        return Err(format!("passband {lo:.5} to {hi:.5} dB"));
    }
    let stop_start = bin_of(t.stop * t.nyquist()).ceil() as usize;
    let worst = (stop_start..spectrum.len())
        .map(db)
        .fold(f64::MIN, f64::max);
    if worst > -t.atten_db {
        return Err(format!("stopband {worst:.2} dB"));
    }
    // The search held the gain relative to DC at EDGE_DB; at unit passband
    // gain it is within the ripple of that, and never below −0.1 dB.
    let edge_db = 20.0 * gain(side, t.kaiser_edge()).log10();
    if edge_db < -0.1 {
        return Err(format!(
            "{edge_db:.4} dB at the Kaiser design's −0.1 dB edge"
        ));
    }
    Ok(())
}

fn render(designs: &[(Target, Option<Design>)]) -> String {
    let mut out = String::from(
        "//! Generated by `RTC_RESAMPLER_WRITE_TABLES=1 cargo test -p rtc-resampler-engine\n\
         //! --lib equiripple` (see `generate.rs`); do not edit.\n\n\
         use super::Stored;\n\n\
         pub(super) static STORED: &[Stored] = &[\n",
    );
    for (t, d) in designs {
        let (edge, side) = d.clone().unwrap_or((0.0, Vec::new()));
        out += &format!(
            "    Stored {{\n        big: {},\n        pass: {:?},\n        stop: {:?},\n        atten_db: {:?},\n        edge: {:?},\n        side: &[",
            t.big, t.pass, t.stop, t.atten_db, edge
        );
        // One tap per line, as `cargo fmt` lays the array out.
        for c in &side {
            out += &format!("\n            {c:?},");
        }
        out += if side.is_empty() {
            "],\n    },\n"
        } else {
            "\n        ],\n    },\n"
        };
    }
    out += "];\n";
    out
}

/// Runs every search, shortest first, on two threads, and rewrites
/// `tables.rs` after each. A target already in `tables.rs` keeps its design,
/// so an interrupted run resumes (empty `STORED` to redesign them all).
fn write_tables(targets: &[Target]) {
    use std::sync::Mutex;
    let mut order: Vec<usize> = (0..targets.len()).collect();
    order.sort_by_key(|&i| targets[i].kaiser_taps());
    let queue = Mutex::new(order.into_iter());
    let done: Mutex<Vec<Option<Option<Design>>>> = Mutex::new(vec![None; targets.len()]);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/design/equiripple/tables.rs"
    );
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let Some(i) = queue.lock().unwrap().next() else {
                    return;
                };
                let t = &targets[i];
                let design = match STORED.iter().find(|s| s.key() == t.key()) {
                    Some(s) if !s.side.is_empty() => Some((s.edge, s.side.to_vec())),
                    Some(_) => None,
                    None => {
                        eprintln!("equiripple: {t:?}, Kaiser {} taps", t.kaiser_taps());
                        search(t).filter(|(_, side)| useful(t, side))
                    }
                };
                let mut done = done.lock().unwrap();
                done[i] = Some(design);
                let finished: Vec<_> = targets
                    .iter()
                    .zip(done.iter())
                    .filter_map(|(t, d)| d.clone().map(|d| (*t, d)))
                    .collect();
                std::fs::write(path, render(&finished)).unwrap();
            });
        }
    });
}

/// With `RTC_RESAMPLER_WRITE_TABLES=1`, runs every search and rewrites
/// `tables.rs`; either way, the stored designs are exactly the targets.
#[test]
fn stored_designs_cover_every_target() {
    let targets = targets();
    if std::env::var_os("RTC_RESAMPLER_WRITE_TABLES").is_some_and(|v| v == "1") {
        write_tables(&targets);
        return;
    }
    let stored: Vec<_> = STORED.iter().map(Stored::target).collect();
    let missing: Vec<_> = targets
        .iter()
        .filter(|t| !stored.iter().any(|s| s.key() == t.key()))
        .collect();
    let extra: Vec<_> = stored
        .iter()
        .filter(|s| !targets.iter().any(|t| s.key() == t.key()))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "tables.rs is stale (regenerate it): missing {missing:?}, not needed {extra:?}"
    );
}

#[test]
fn stored_designs_meet_their_spec() {
    for s in STORED.iter().filter(|s| !s.side.is_empty()) {
        if let Err(e) = check(&s.target(), s.side, 1e-5) {
            panic!(
                "big {} pass {} stop {} {} dB: {e}",
                s.big, s.pass, s.stop, s.atten_db
            );
        }
    }
}

/// Each stored design is what `pm-remez` gives for its length and edge (the
/// search only chose those two).
#[test]
fn stored_designs_come_from_pm_remez() {
    for s in STORED.iter().filter(|s| !s.side.is_empty()) {
        let n = 2 * s.side.len() - 1;
        let (side, ok) = run(&s.target(), n, s.edge).expect("design runs");
        assert!(ok, "big {} pass {}: ripple bound missed", s.big, s.pass);
        let worst = side
            .iter()
            .zip(s.side)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst <= 1e-12, "big {} pass {}: {worst:e}", s.big, s.pass);
    }
}

/// Where a response's own design was too long to search, the prototype the
/// engine builds (its coarse design interpolated, unless Kaiser's is
/// shorter) meets the response's spec at its own `big`.
#[test]
fn interpolated_designs_meet_their_spec() {
    let mut checked = 0;
    // The common pairs, and a rare one the golden test runs (`big` = 525).
    let mut all = responses();
    all.extend(responses_of([(11025, 672)].into_iter()));
    for t in all.iter().filter(|t| t.kaiser_taps() > MAX_KAISER_TAPS) {
        let spec = t.spec();
        if spec.family(t.big, 1) != "interpolated equiripple" {
            continue;
        }
        let (side, unit) = spec.half_prototype(t.big, 1);
        assert_eq!(unit, 1.0);
        // The image filter's own ripple (±1e-5 dB at most) comes on top.
        if let Err(e) = check(t, &side, 2e-5) {
            panic!(
                "big {} pass {} stop {} {} dB: {e}",
                t.big, t.pass, t.stop, t.atten_db
            );
        }
        // The search's own edge rule, relative to DC, at this `big`'s Kaiser edge.
        let db = 20.0 * (gain(&side, t.kaiser_edge()) / gain(&side, 0.0)).log10();
        assert!(
            db >= EDGE_DB,
            "big {} pass {}: {db:.4} dB at the edge",
            t.big,
            t.pass
        );
        checked += 1;
    }
    // 44.1k ↔ 48k at LOW and MEDIUM at least.
    assert!(checked >= 2, "{checked} interpolated designs");
}

/// Every stored design is used: a response's own, or interpolated to a
/// shorter prototype than Kaiser's for some response.
#[test]
fn every_stored_design_is_used() {
    for s in STORED.iter().filter(|s| !s.side.is_empty()) {
        assert!(
            useful(&s.target(), s.side),
            "big {} pass {} stop {} {} dB: stored but never used",
            s.big,
            s.pass,
            s.stop,
            s.atten_db
        );
    }
}

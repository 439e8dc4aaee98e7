//! Empty: this package exists only for `benches/engine.rs`.

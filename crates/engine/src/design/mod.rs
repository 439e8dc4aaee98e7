//! What to compute: the filter responses and the presets' choice of core.

pub mod presets;

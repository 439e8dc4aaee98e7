//! A process-wide cache of immutable, expensive values (FFT plans, polyphase
//! tables) shared by every resampler of the same configuration.
//!
//! Values live as long as a resampler uses them, plus while they are among the
//! `keep` most recently requested, so a create/close cycle does not rebuild
//! them every time and an idle process holds at most `keep` of them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, Weak};

/// See the module comment. Use it in a `static Mutex<SharedCache<…>>`.
pub struct SharedCache<K, V> {
    /// Every value that is alive somewhere (weak, so it does not keep them alive).
    all: Vec<(K, Weak<V>)>,
    /// The most recently requested values (strong, bounded).
    recent: VecDeque<Arc<V>>,
    keep: usize,
}

impl<K: PartialEq, V> SharedCache<K, V> {
    /// An empty cache that keeps the `keep` most recent values alive.
    pub const fn new(keep: usize) -> SharedCache<K, V> {
        SharedCache {
            all: Vec::new(),
            recent: VecDeque::new(),
            keep,
        }
    }
}

/// The value for `key` from `cache`, built by `make` if no resampler holds one.
/// `make` runs under the lock: two threads never build the same value twice.
pub fn get_or_make<K: PartialEq, V>(
    cache: &Mutex<SharedCache<K, V>>,
    key: K,
    make: impl FnOnce() -> V,
) -> Arc<V> {
    // A poisoned lock only means another thread panicked mid-update; the cache
    // is still a valid set of Arcs/Weaks, so keep using it.
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache.all.retain(|(_, w)| w.strong_count() > 0);
    let found = cache
        .all
        .iter()
        .find(|(k, _)| *k == key)
        .and_then(|(_, w)| w.upgrade());
    let value = match found {
        Some(v) => v,
        None => {
            let v = Arc::new(make());
            cache.all.push((key, Arc::downgrade(&v)));
            v
        }
    };
    if let Some(i) = cache.recent.iter().position(|v| Arc::ptr_eq(v, &value)) {
        cache.recent.remove(i);
    }
    cache.recent.push_front(value.clone());
    let keep = cache.keep;
    cache.recent.truncate(keep);
    value
}

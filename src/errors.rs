//! The one mapping from engine errors and panics to JS errors (the policy is
//! written in the README: `TypeError` / `RangeError` naming the argument,
//! `Error` with a code for what is not the caller's fault).

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::bindgen_prelude::*;

use crate::engine::EngineError;

/// Converts an engine error: `RangeError` (code `ERR_OUT_OF_RANGE`) for an
/// unsupported rate pair or too small an output, `Error` (code
/// `ERR_MEMORY_ALLOCATION_FAILED`) for an output too large to allocate,
/// `Error` otherwise.
pub fn engine_error(env: &Env, e: EngineError) -> Error {
    match e {
        EngineError::InvalidArgument(msg) => Error::new(Status::InvalidArg, msg),
        EngineError::OutputTooSmall(msg) | EngineError::OutOfRange(msg) => range_error(env, &msg),
        EngineError::TooLarge(msg) => pending(
            env.throw_error(&msg, Some("ERR_MEMORY_ALLOCATION_FAILED")),
            msg,
        ),
        EngineError::Internal(_) => Error::from_reason(e.to_string()),
    }
}

/// Throws a `RangeError` with code `ERR_OUT_OF_RANGE`.
pub fn range_error(env: &Env, msg: &str) -> Error {
    pending(
        env.throw_range_error(msg, Some("ERR_OUT_OF_RANGE")),
        msg.to_string(),
    )
}

/// Throws a `TypeError` with code `ERR_INVALID_ARG_TYPE`.
pub fn type_error(env: &Env, msg: &str) -> Error {
    pending(
        env.throw_type_error(msg, Some("ERR_INVALID_ARG_TYPE")),
        msg.to_string(),
    )
}

/// The error to return after throwing a JS exception (napi-rs does not throw again).
fn pending(thrown: Result<()>, msg: String) -> Error {
    match thrown {
        Ok(()) => Error::new(Status::PendingException, msg),
        Err(e) => e,
    }
}

/// Runs engine code; an engine error or a panic becomes a JS error.
pub fn guard<T>(env: &Env, f: impl FnOnce() -> std::result::Result<T, EngineError>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(engine_error(env, e)),
        Err(panic) => Err(panic_error(&panic)),
    }
}

/// The Error for a panic inside the engine; the resampler it happened in is retired.
pub fn panic_error(panic: &Box<dyn Any + Send>) -> Error {
    Error::from_reason(format!(
        "the resampler failed internally ({}); it is now closed",
        panic_detail(panic)
    ))
}

/// The panic's message, if it has one.
pub fn panic_detail(panic: &Box<dyn Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// The Error for a call on a closed (or retired) resampler. The JS classes
/// check `close()` themselves, so users see this only after a panic.
pub fn closed_error(failed: bool) -> Error {
    if failed {
        Error::from_reason(
            "the resampler failed internally earlier and is closed; create a new one",
        )
    } else {
        Error::from_reason("the resampler is closed")
    }
}

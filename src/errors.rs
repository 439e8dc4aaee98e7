//! The one mapping from engine errors and panics to JS errors, with the codes
//! of the JS layer (lib/errors.js; the policy is in lib/validate.js and the
//! README): `TypeError` / `RangeError` naming the argument, `Error` with a code
//! for state and resources.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::bindgen_prelude::*;
use napi::JsValue;

use crate::engine::EngineError;

/// Converts an engine error: `RangeError` (code `ERR_INVALID_ARG_VALUE`) for
/// an argument that does not fit (a length that is not a whole number of
/// frames), `RangeError` (code `ERR_OUT_OF_RANGE`) for an unsupported rate pair
/// or too small an output, `Error` (code `ERR_MEMORY_ALLOCATION_FAILED`) for an
/// output too large to allocate, `Error` otherwise (an internal failure).
pub fn engine_error(env: &Env, e: EngineError) -> Error {
    match e {
        EngineError::InvalidArgument(msg) => invalid_value(env, &msg),
        EngineError::OutputTooSmall(msg) | EngineError::OutOfRange(msg) => range_error(env, &msg),
        EngineError::TooLarge(msg) => memory_error(env, &msg),
        EngineError::Internal(_) => Error::from_reason(e.to_string()),
    }
}

/// An `Error` with code `ERR_MEMORY_ALLOCATION_FAILED`.
pub fn memory_error(env: &Env, msg: &str) -> Error {
    coded(env, Class::Error, msg, "ERR_MEMORY_ALLOCATION_FAILED")
}

/// A `RangeError` with code `ERR_OUT_OF_RANGE`.
pub fn range_error(env: &Env, msg: &str) -> Error {
    coded(env, Class::Range, msg, "ERR_OUT_OF_RANGE")
}

/// A `RangeError` with code `ERR_INVALID_ARG_VALUE`: a value that is not one
/// of those accepted (a quality preset, a format).
pub fn invalid_value(env: &Env, msg: &str) -> Error {
    coded(env, Class::Range, msg, "ERR_INVALID_ARG_VALUE")
}

/// A `TypeError` with code `ERR_INVALID_ARG_TYPE`.
pub fn type_error(env: &Env, msg: &str) -> Error {
    coded(env, Class::Type, msg, "ERR_INVALID_ARG_TYPE")
}

/// The JS class of a coded error.
enum Class {
    Error,
    Range,
    Type,
}

/// A JS error object of `class` with `code`, held as the returned `Error` and
/// not thrown: napi-rs throws it when a call returns it, and an async task can
/// reject its promise with it (a pending exception there would be uncaught and
/// leave the promise unsettled).
fn coded(env: &Env, class: Class, msg: &str, code: &str) -> Error {
    let error = Error::new(code, msg);
    let value = match class {
        Class::Error => JsError::from(error).into_unknown(*env),
        Class::Range => JsRangeError::from(error).into_unknown(*env),
        Class::Type => JsTypeError::from(error).into_unknown(*env),
    };
    // A null value: the env could not make the object (it is shutting down).
    if value.raw().is_null() {
        return Error::from_reason(msg.to_string());
    }
    Error::from(value)
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

/// Throws the Error (code `ERR_INVALID_STATE`, as the JS classes' "is closed")
/// for a call on a closed (or retired) resampler. The JS classes check
/// `close()` themselves, so users see this only after a panic.
pub fn closed_error(env: &Env, failed: bool) -> Error {
    let msg = if failed {
        "the resampler failed internally earlier and is closed; create a new one"
    } else {
        "the resampler is closed"
    };
    coded(env, Class::Error, msg, "ERR_INVALID_STATE")
}

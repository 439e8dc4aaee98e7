//! Every direct N-API call of the binding (`napi::sys`), each behind a safe
//! function; the rest of the binding goes through napi-rs.
//!
//! * `pcmPush` and `pcmPushInto`, the calls made on every push, are plain
//!   N-API callbacks registered by hand: napi-rs 3.16's generated wrapper for a
//!   function with arguments allocates a borrow scope on the heap and frees it
//!   on every call, and the package allocates nothing per push beyond the
//!   output it returns (`docs/decisions/hand-registered-push.md`). These
//!   callbacks read the two or three arguments, check the state with napi-rs's
//!   own registry of live externals (`External::inner_from_raw_mut`, the check
//!   a generated wrapper makes), and run [`push`] or [`push_into`]
//!   (`crate::resampler`). Every error is thrown as a JS error and a panic
//!   never crosses the boundary. Their typings are in `src/raw.d.ts`, which
//!   `napi build` puts at the top of the generated `binding.d.ts`
//!   (`dtsHeaderFile` in package.json).
//! * [`typed_array_info`] reads a typed array of any kind in one query, so
//!   that a wrong kind gets the package's own `TypeError`.
//! * [`construct_typed_array`] makes a large output through its global
//!   constructor and clears the exception it throws when it cannot allocate,
//!   which napi-rs has no call for.

// napi-rs registers `module_exports` functions only outside `cfg(test)`, so in
// the crate's test build the callbacks are never called.
#![cfg_attr(test, allow(dead_code))]

use std::ffi::CStr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;

use crate::errors::{panic_error, type_error};
use crate::resampler::{push, push_into, PcmState};

/// Registers the callbacks on the addon's exports (napi-rs runs this at load,
/// next to the generated registrations).
#[napi(module_exports)]
pub fn register_push_calls(exports: Object, env: Env) -> Result<()> {
    define(&env, &exports, c"pcmPush", pcm_push_callback)?;
    define(&env, &exports, c"pcmPushInto", pcm_push_into_callback)
}

type Callback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

fn define(env: &Env, exports: &Object, name: &CStr, callback: Callback) -> Result<()> {
    let mut function = ptr::null_mut();
    // SAFETY: plain N-API calls during module registration, on its thread.
    let status = unsafe {
        sys::napi_create_function(
            env.raw(),
            name.as_ptr(),
            name.count_bytes() as isize,
            Some(callback),
            ptr::null_mut(),
            &mut function,
        )
    };
    check_status!(status, "creating {:?}", name)?;
    // SAFETY: as above; `exports` is the module's exports object.
    let status =
        unsafe { sys::napi_set_named_property(env.raw(), exports.raw(), name.as_ptr(), function) };
    check_status!(status, "exporting {:?}", name)
}

/// `pcmPush(state, samples)`: see [`push`].
unsafe extern "C" fn pcm_push_callback(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: called by N-API with a live env and callback info.
    unsafe {
        call::<2>(env, info, |env, state, args| {
            let out = push(env, state, args[1])?;
            ToNapiValue::to_napi_value(env.raw(), out)
        })
    }
}

/// `pcmPushInto(state, samples, out)`: see [`push_into`].
unsafe extern "C" fn pcm_push_into_callback(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: called by N-API with a live env and callback info.
    unsafe {
        call::<3>(env, info, |env, state, args| {
            let written = push_into(env, state, args[1], args[2])?;
            ToNapiValue::to_napi_value(env.raw(), written)
        })
    }
}

/// Reads `N` arguments (missing ones are `undefined`), the first being the
/// state, runs `body`, and turns an error or a panic into a thrown JS error
/// (returning `NULL`, which N-API reads as `undefined` with the exception
/// pending).
///
/// SAFETY: `env` and `info` must be the live arguments of an N-API callback.
unsafe fn call<const N: usize>(
    raw_env: sys::napi_env,
    info: sys::napi_callback_info,
    body: impl FnOnce(&Env, &mut PcmState, [Unknown; N]) -> Result<sys::napi_value>,
) -> sys::napi_value {
    let env = Env::from_raw(raw_env);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut argc = N;
        let mut argv = [ptr::null_mut(); N];
        // SAFETY: `argv` has room for `argc` values; N-API fills the missing ones with `undefined`.
        let status = unsafe {
            sys::napi_get_cb_info(
                raw_env,
                info,
                &mut argc,
                argv.as_mut_ptr(),
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        check_status!(status, "reading the arguments")?;
        // SAFETY: each value is a live argument of this call.
        let args = argv.map(|v| unsafe { Unknown::from_raw_unchecked(raw_env, v) });
        let state = state_of(&env, argv[0])?;
        body(&env, state, args)
    }));
    let error = match outcome {
        Ok(Ok(value)) => return value,
        Ok(Err(e)) => e,
        Err(panic) => panic_error(&panic),
    };
    // SAFETY: on this callback's thread, with its env; a pending exception is kept.
    unsafe { JsError::from(error).throw_into(raw_env) };
    ptr::null_mut()
}

/// The resampler state an `External` made by `pcmNew` holds, or a `TypeError`.
fn state_of<'a>(env: &Env, value: sys::napi_value) -> Result<&'a mut PcmState> {
    let mut data = ptr::null_mut();
    // SAFETY: a plain N-API query; it fails for anything but an External.
    let status = unsafe { sys::napi_get_value_external(env.raw(), value, &mut data) };
    // SAFETY: `inner_from_raw_mut` dereferences `data` only if napi-rs registered
    // it as a live `External<PcmState>` of this addon.
    let state = (status == sys::Status::napi_ok)
        .then(|| unsafe { External::<PcmState>::inner_from_raw_mut(data) })
        .flatten();
    state.ok_or_else(|| type_error(env, "state must be a resampler state made by pcmNew"))
}

/// A typed array's kind (`napi_typedarray_type`), data (its `byteOffset`
/// applied; null when detached) and length in elements, or `None` for anything
/// but a typed array.
pub fn typed_array_info(env: &Env, value: &Unknown) -> Option<(i32, *mut u8, usize)> {
    let (mut kind, mut len, mut data) = (-1, 0usize, ptr::null_mut());
    let (mut buffer, mut offset) = (ptr::null_mut(), 0usize);
    // SAFETY: a plain N-API query on a live value of this call; it fails for
    // anything but a typed array.
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env.raw(),
            value.raw(),
            &mut kind,
            &mut len,
            &mut data,
            &mut buffer,
            &mut offset,
        )
    };
    (status == sys::Status::napi_ok).then_some((kind, data.cast(), len))
}

/// `new globalThis[ctor](len)`, or `None` with the exception it threw (V8's
/// "Array buffer allocation failed" RangeError) cleared.
pub fn construct_typed_array<'env>(
    env: &'env Env,
    ctor: &CStr,
    len: usize,
) -> Option<Unknown<'env>> {
    let raw = env.raw();
    let mut array = ptr::null_mut();
    let made = (|| {
        let mut global = ptr::null_mut();
        let mut constructor = ptr::null_mut();
        let mut length = ptr::null_mut();
        // SAFETY: plain N-API calls on this call's env; each output is checked.
        unsafe {
            check_status!(sys::napi_get_global(raw, &mut global))?;
            check_status!(sys::napi_get_named_property(
                raw,
                global,
                ctor.as_ptr(),
                &mut constructor
            ))?;
            check_status!(sys::napi_create_double(raw, len as f64, &mut length))?;
            check_status!(sys::napi_new_instance(
                raw,
                constructor,
                1,
                &length,
                &mut array
            ))
        }
    })();
    if made.is_err() {
        let mut ignored = ptr::null_mut();
        // SAFETY: as above; clears the exception if one is pending.
        unsafe { sys::napi_get_and_clear_last_exception(raw, &mut ignored) };
        return None;
    }
    // SAFETY: `array` is the live value just made.
    Some(unsafe { Unknown::from_raw_unchecked(raw, array) })
}

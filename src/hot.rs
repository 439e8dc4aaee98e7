//! `pcmPush` and `pcmPushInto`, the calls made on every push, as plain N-API
//! callbacks registered by hand.
//!
//! A `#[napi]` function with arguments costs more than its work here: napi-rs
//! 3.16's generated wrapper opens a borrow scope (a heap allocation and free
//! per call), and an `&External` argument is looked up in two process-wide
//! mutex-guarded maps (shared by every worker thread). A `pcmPushInto` of an
//! empty array took 0.58 µs through the generated wrapper and takes 0.32 µs
//! through this one (2 GHz Zen 1, 2026-12-04, medians of three 1.5 s loops).
//! These callbacks do only what the call needs: read the two or three
//! arguments, check the state with napi-rs's own registry of live externals
//! (`External::inner_from_raw_mut`, the same soundness check a generated
//! wrapper makes), and run [`push`] or [`push_into`] (`crate::resampler`). Every
//! error is thrown as a JS error and a panic never crosses the boundary.
//!
//! Their typings are in `src/hot.d.ts`, which `napi build` puts at the top of
//! the generated `binding.d.ts` (`dtsHeaderFile` in package.json).

// napi-rs registers `module_exports` functions only outside `cfg(test)`, so in
// the crate's test build nothing here is called.
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
pub fn register_hot_calls(exports: Object, env: Env) -> Result<()> {
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

//! Typed arrays across the boundary: reading any kind at any `byteOffset`
//! without a copy, making V8-owned outputs, and reserving room for large
//! outputs before the engine runs, so that no allocation failure aborts.

use napi::bindgen_prelude::*;
use napi::JsValue;
use std::ptr;

use crate::engine::{too_large_error, Input, Output, OutputMut, OwnedOutput, SampleFormat};
use crate::errors::{engine_error, type_error};
use crate::raw::{construct_typed_array, typed_array_info};

/// Output size (bytes) from which a call reserves room for its output before
/// the engine runs, and makes the JS array through its constructor: V8 aborts
/// the process when `napi_create_arraybuffer` cannot allocate, while `new
/// Int16Array(n)` throws. Smaller outputs take the faster path.
const LARGE_BYTES: u64 = 1 << 20;
/// Room a call must find besides its output and the JS copy: what the engine
/// may allocate on the way without being able to fail cleanly (building a
/// resampler, at most 64 MB, or growing this thread's working buffers).
const WORKING_BYTES: u64 = 64 << 20;
/// Longest typed array V8 creates (`new Int16Array(2 ** 32)` works, one more does not).
const MAX_TYPED_ARRAY_LENGTH: u64 = 1 << 32;

/// One output block of any format, copied into a new V8-owned typed array.
pub type TypedOut<'env> =
    Either3<Int16ArraySlice<'env>, Float32ArraySlice<'env>, Uint8ArraySlice<'env>>;

const NAPI_UINT8_ARRAY: i32 = 1;
const NAPI_INT16_ARRAY: i32 = 3;
const NAPI_FLOAT32_ARRAY: i32 = 7;

/// A typed array's memory as seen by `napi_get_typedarray_info` (its
/// `byteOffset` already applied). Valid for the current synchronous call only.
pub struct RawArray {
    kind: i32,
    data: *mut u8,
    /// Elements (not bytes).
    pub len: usize,
}

impl RawArray {
    pub fn read(env: &Env, value: &Unknown, name: &str, format: SampleFormat) -> Result<RawArray> {
        let wanted = match format {
            SampleFormat::S16 => NAPI_INT16_ARRAY,
            SampleFormat::F32 => NAPI_FLOAT32_ARRAY,
            SampleFormat::Mulaw | SampleFormat::Alaw => NAPI_UINT8_ARRAY,
        };
        let (kind, data, len) = typed_array_info(env, value).unwrap_or((-1, ptr::null_mut(), 0));
        let mut arr = RawArray { kind, data, len };
        if arr.kind != wanted {
            let msg = format!(
                "{name} must be a {} for format '{}'",
                format.array_name(),
                format.name()
            );
            return Err(type_error(env, &msg));
        }
        if arr.data.is_null() {
            arr.len = 0; // detached
        }
        Ok(arr)
    }

    pub fn bytes(&self) -> usize {
        let size = match self.kind {
            NAPI_INT16_ARRAY => 2,
            NAPI_FLOAT32_ARRAY => 4,
            _ => 1,
        };
        self.len * size
    }

    pub fn overlaps(&self, other: &RawArray) -> bool {
        let (a, b) = (self.data as usize, other.data as usize);
        self.bytes() > 0 && other.bytes() > 0 && a < b + other.bytes() && b < a + self.bytes()
    }

    /// The samples as engine input.
    ///
    /// SAFETY: the caller keeps the JS value alive for the borrow (this call) and
    /// no `&mut` to the same memory exists.
    pub unsafe fn input<'a>(&self, format: SampleFormat) -> Input<'a> {
        unsafe {
            match format {
                SampleFormat::S16 => Input::S16(slice(self.data.cast(), self.len)),
                SampleFormat::F32 => Input::F32(slice(self.data.cast(), self.len)),
                SampleFormat::Mulaw => Input::Mulaw(slice(self.data, self.len)),
                SampleFormat::Alaw => Input::Alaw(slice(self.data, self.len)),
            }
        }
    }

    /// The array as an engine output buffer.
    ///
    /// SAFETY: as [`RawArray::input`], and no other borrow of the memory exists.
    pub unsafe fn output<'a>(&self, format: SampleFormat) -> OutputMut<'a> {
        unsafe {
            match format {
                SampleFormat::S16 => OutputMut::S16(slice_mut(self.data.cast(), self.len)),
                SampleFormat::F32 => OutputMut::F32(slice_mut(self.data.cast(), self.len)),
                SampleFormat::Mulaw => OutputMut::Mulaw(slice_mut(self.data, self.len)),
                SampleFormat::Alaw => OutputMut::Alaw(slice_mut(self.data, self.len)),
            }
        }
    }
}

/// SAFETY: `data` points to `len` initialised, aligned `T`s (typed arrays of
/// `T`'s kind always are), or `len` is 0.
unsafe fn slice<'a, T>(data: *const T, len: usize) -> &'a [T] {
    if len == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(data, len) }
    }
}

/// SAFETY: as [`slice`], with exclusive access.
unsafe fn slice_mut<'a, T>(data: *mut T, len: usize) -> &'a mut [T] {
    if len == 0 {
        &mut []
    } else {
        unsafe { std::slice::from_raw_parts_mut(data, len) }
    }
}

/// Address space held for the JS copy of a large output while the engine
/// runs (reserved, never touched), given back just before that copy is made.
pub struct Room(#[allow(dead_code)] Vec<u8>);

/// Fails (with nothing consumed) unless `samples` of output in `format` can be
/// made: returns, for large outputs, room held for the JS copy, after checking
/// that the engine's own output buffer and working memory fit besides it.
pub fn reserve(env: &Env, call: &str, samples: u64, format: SampleFormat) -> Result<Option<Room>> {
    let bytes = samples.saturating_mul(format.bytes_per_sample() as u64);
    if bytes < LARGE_BYTES {
        return Ok(None);
    }
    let refuse = || engine_error(env, too_large_error(call, samples));
    if samples > MAX_TYPED_ARRAY_LENGTH {
        return Err(refuse());
    }
    let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    let mut room = Vec::new();
    room.try_reserve_exact(size(bytes)).map_err(|_| refuse())?;
    let mut rest: Vec<u8> = Vec::new();
    rest.try_reserve_exact(size(bytes.saturating_add(WORKING_BYTES)))
        .map_err(|_| refuse())?;
    Ok(Some(Room(room)))
}

/// An engine output copied into a new V8-owned typed array of its format
/// (`byteOffset` 0, its own buffer). `room` (from [`reserve`]) is released
/// first; a large array that cannot be allocated is an
/// `ERR_MEMORY_ALLOCATION_FAILED` error naming `call`.
pub fn typed_out<'env>(
    env: &'env Env,
    call: &str,
    out: Output<'_>,
    room: Option<Room>,
) -> Result<TypedOut<'env>> {
    drop(room);
    let bytes = out.len() as u64 * format_of(&out).bytes_per_sample() as u64;
    if bytes >= LARGE_BYTES {
        return large_out(env, call, out);
    }
    Ok(match out {
        Output::S16(s) => Either3::A(Int16ArraySlice::copy_from(env, s)?),
        Output::F32(s) => Either3::B(Float32ArraySlice::copy_from(env, s)?),
        Output::Mulaw(s) | Output::Alaw(s) => Either3::C(Uint8ArraySlice::copy_from(env, s)?),
    })
}

/// `out` copied into a typed array made by its global constructor, whose
/// allocation failure is a JS exception (cleared here) instead of an abort.
fn large_out<'env>(env: &'env Env, call: &str, out: Output<'_>) -> Result<TypedOut<'env>> {
    let (name, kind) = match format_of(&out) {
        SampleFormat::S16 => (c"Int16Array", NAPI_INT16_ARRAY),
        SampleFormat::F32 => (c"Float32Array", NAPI_FLOAT32_ARRAY),
        SampleFormat::Mulaw | SampleFormat::Alaw => (c"Uint8Array", NAPI_UINT8_ARRAY),
    };
    let len = out.len();
    // The kind and length are checked before any write, whatever the global
    // constructor turned out to be.
    let made = construct_typed_array(env, name, len).and_then(|array| {
        typed_array_info(env, &array)
            .filter(|&(k, data, n)| k == kind && n == len && !data.is_null())
            .map(|(_, data, _)| (array, data))
    });
    // The constructor's RangeError ("Array buffer allocation failed") is
    // replaced by the package's error.
    let Some((array, data)) = made else {
        return Err(engine_error(env, too_large_error(call, len as u64)));
    };
    let (src, size): (*const u8, usize) = match out {
        Output::S16(s) => (s.as_ptr().cast(), 2),
        Output::F32(s) => (s.as_ptr().cast(), 4),
        Output::Mulaw(s) | Output::Alaw(s) => (s.as_ptr(), 1),
    };
    // SAFETY: `data` is a new typed array of `out`'s element kind and length
    // (checked above), so both hold `len * size` bytes and do not overlap.
    unsafe { std::ptr::copy_nonoverlapping(src, data, len * size) };
    let (raw, array) = (env.raw(), array.raw());
    // SAFETY: `array` is a live typed array of this call.
    Ok(match kind {
        NAPI_INT16_ARRAY => Either3::A(unsafe { Int16ArraySlice::from_napi_value(raw, array)? }),
        NAPI_FLOAT32_ARRAY => {
            Either3::B(unsafe { Float32ArraySlice::from_napi_value(raw, array)? })
        }
        _ => Either3::C(unsafe { Uint8ArraySlice::from_napi_value(raw, array)? }),
    })
}

fn format_of(out: &Output<'_>) -> SampleFormat {
    match out {
        Output::S16(_) => SampleFormat::S16,
        Output::F32(_) => SampleFormat::F32,
        Output::Mulaw(_) => SampleFormat::Mulaw,
        Output::Alaw(_) => SampleFormat::Alaw,
    }
}

/// A whole one-shot output, copied into a new typed array (see [`typed_out`]).
pub fn owned_out<'env>(
    env: &'env Env,
    call: &str,
    out: &OwnedOutput,
    room: Option<Room>,
) -> Result<TypedOut<'env>> {
    typed_out(
        env,
        call,
        match out {
            OwnedOutput::S16(v) => Output::S16(v),
            OwnedOutput::F32(v) => Output::F32(v),
            OwnedOutput::Mulaw(v) => Output::Mulaw(v),
            OwnedOutput::Alaw(v) => Output::Alaw(v),
        },
        room,
    )
}

/// `s` copied into a new `Vec`, or an `ERR_MEMORY_ALLOCATION_FAILED` error.
pub fn copy_vec<T: Copy>(env: &Env, s: &[T]) -> Result<Vec<T>> {
    let mut v = Vec::new();
    if v.try_reserve_exact(s.len()).is_err() {
        return Err(engine_error(
            env,
            too_large_error("resampleAsync", s.len() as u64),
        ));
    }
    v.extend_from_slice(s);
    Ok(v)
}

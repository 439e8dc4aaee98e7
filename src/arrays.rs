//! Typed arrays across the boundary: reading any kind at any `byteOffset`
//! without a copy, making V8-owned outputs, and refusing outputs V8 could not
//! allocate before the engine runs.

use napi::bindgen_prelude::*;
use napi::JsValue;

use crate::engine::{too_large_error, Input, Output, OutputMut, OwnedOutput, SampleFormat};
use crate::errors::{engine_error, type_error};

/// Output size (bytes) above which a call first checks that both its output
/// buffer and the JS copy can be allocated. V8 aborts the process when it cannot
/// allocate an `ArrayBuffer` (`napi_create_arraybuffer`), so this must be known
/// before the engine runs; smaller outputs are not worth the check.
const PROBE_BYTES: u64 = 16 << 20;
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
        let (raw_env, raw) = (env.raw(), value.raw());
        let wanted = match format {
            SampleFormat::S16 => NAPI_INT16_ARRAY,
            SampleFormat::F32 => NAPI_FLOAT32_ARRAY,
            SampleFormat::Mulaw | SampleFormat::Alaw => NAPI_UINT8_ARRAY,
        };
        let mut arr = RawArray {
            kind: -1,
            data: std::ptr::null_mut(),
            len: 0,
        };
        let mut data = std::ptr::null_mut();
        let mut buffer = std::ptr::null_mut();
        let mut offset = 0usize;
        // SAFETY: a plain N-API query on a live value of this call; it fails
        // (leaving `kind` at -1) for anything but a typed array.
        let status = unsafe {
            napi::sys::napi_get_typedarray_info(
                raw_env,
                raw,
                &mut arr.kind,
                &mut arr.len,
                &mut data,
                &mut buffer,
                &mut offset,
            )
        };
        if status != napi::sys::Status::napi_ok {
            arr.kind = -1;
        }
        arr.data = data.cast();
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

/// An engine output copied into a new V8-owned typed array of its format
/// (`byteOffset` 0, its own buffer).
pub fn typed_out<'env>(env: &'env Env, out: Output<'_>) -> Result<TypedOut<'env>> {
    Ok(match out {
        Output::S16(s) => Either3::A(Int16ArraySlice::copy_from(env, s)?),
        Output::F32(s) => Either3::B(Float32ArraySlice::copy_from(env, s)?),
        Output::Mulaw(s) | Output::Alaw(s) => Either3::C(Uint8ArraySlice::copy_from(env, s)?),
    })
}

/// Fails (with nothing consumed) unless `samples` of output in `format`, plus
/// their JS copy, can be allocated. Large requests only: it reserves and frees
/// address space for both copies, so that neither the engine nor V8 meets an
/// allocation failure afterwards (V8 would abort the process).
pub fn probe(env: &Env, call: &str, samples: u64, format: SampleFormat) -> Result<()> {
    let bytes = samples.saturating_mul(format.bytes_per_sample() as u64);
    if bytes < PROBE_BYTES {
        return Ok(());
    }
    if samples > MAX_TYPED_ARRAY_LENGTH {
        return Err(engine_error(env, too_large_error(call, samples)));
    }
    let both = usize::try_from(bytes.saturating_mul(2)).unwrap_or(usize::MAX);
    let mut room: Vec<u8> = Vec::new();
    if room.try_reserve_exact(both).is_err() {
        return Err(engine_error(env, too_large_error(call, samples)));
    }
    Ok(())
}

/// A whole one-shot output, copied into a new typed array.
pub fn owned_out<'env>(env: &'env Env, out: &OwnedOutput) -> Result<TypedOut<'env>> {
    typed_out(
        env,
        match out {
            OwnedOutput::S16(v) => Output::S16(v),
            OwnedOutput::F32(v) => Output::F32(v),
            OwnedOutput::Mulaw(v) => Output::Mulaw(v),
            OwnedOutput::Alaw(v) => Output::Alaw(v),
        },
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

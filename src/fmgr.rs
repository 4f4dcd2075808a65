//! The version-1 calling convention written by hand, for functions PostgreSQL calls
//! once per row (hashes, aggregate support, cardinality): pgrx's generated wrapper
//! costs about 20 ns a call, more than the work itself, and `#[pg_guard]` another
//! out-of-line call. Each such function is an `extern "C"` function whose body runs in
//! [`guarded`] (so a Rust panic becomes an ERROR and nothing unwinds into PostgreSQL),
//! declared by hand in `sql/`. Arguments are read only after checking the call has
//! them, so a function declared in SQL with fewer arguments than its C function reads
//! gets an ERROR, not memory past the call's arguments.

use pgrx::pg_sys;

/// Declares `pg_finfo_<name>`, which tells PostgreSQL to use the version-1 convention.
macro_rules! v1_function_info {
    ($($finfo:ident),* $(,)?) => {
        $(
            #[doc(hidden)]
            #[no_mangle]
            pub extern "C" fn $finfo() -> &'static pgrx::pg_sys::Pg_finfo_record {
                const V1: pgrx::pg_sys::Pg_finfo_record =
                    pgrx::pg_sys::Pg_finfo_record { api_version: 1 };
                &V1
            }
        )*
    };
}
pub(crate) use v1_function_info;

/// Argument `n`, or `None` when it is SQL NULL.
///
/// # Safety
/// `fcinfo` must be a valid call.
#[inline(always)]
pub unsafe fn arg(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> Option<pg_sys::Datum> {
    unsafe {
        check_index(fcinfo, n);
        let a = *(*fcinfo).args.as_ptr().add(n);
        (!a.isnull).then_some(a.value)
    }
}

/// Argument `n` of a STRICT function (never NULL).
///
/// # Safety
/// `fcinfo` must be a valid call of a STRICT function.
#[inline(always)]
pub unsafe fn strict_arg(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> pg_sys::Datum {
    unsafe {
        check_index(fcinfo, n);
        (*(*fcinfo).args.as_ptr().add(n)).value
    }
}

#[inline(always)]
unsafe fn check_index(fcinfo: pg_sys::FunctionCallInfo, n: usize) {
    if n >= unsafe { nargs(fcinfo) } {
        missing_argument(n, unsafe { nargs(fcinfo) });
    }
}

#[cold]
#[inline(never)]
fn missing_argument(n: usize, given: usize) -> ! {
    crate::sqlstate::error(
        pgrx::PgSqlErrorCode::ERRCODE_INVALID_FUNCTION_DEFINITION,
        &format!(
            "function called with {given} arguments, but its C function reads argument {}",
            n + 1
        ),
    )
}

/// Number of arguments of this call.
///
/// # Safety
/// `fcinfo` must be a valid call.
#[inline(always)]
pub unsafe fn nargs(fcinfo: pg_sys::FunctionCallInfo) -> usize {
    unsafe { (*fcinfo).nargs as usize }
}

/// Returns SQL NULL.
///
/// # Safety
/// `fcinfo` must be a valid call.
#[inline(always)]
pub unsafe fn return_null(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe { (*fcinfo).isnull = true };
    pg_sys::Datum::from(0usize)
}

/// A `double precision` result.
#[inline(always)]
pub fn float8(value: f64) -> pg_sys::Datum {
    pg_sys::Datum::from(value.to_bits())
}

/// Runs `body`, turning a Rust panic (including a PostgreSQL error that pgrx caught at
/// an FFI boundary) into a PostgreSQL ERROR, as `#[pg_guard]` does, but inlined: the
/// non-panicking path costs nothing, where `#[pg_guard]` costs a call per row.
#[inline(always)]
pub fn guarded<R>(body: impl FnOnce() -> R) -> R {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => report_panic(payload),
    }
}

/// Hands a caught panic to pgrx's guard, which reports it as a PostgreSQL ERROR.
///
/// A PostgreSQL error caught at an FFI boundary and an `ereport!` keep their SQLSTATE,
/// message, DETAIL and HINT. A Rust panic proper (a bug: its payload is a `&str` or
/// `String`) reaches the client as a plain XX000 "internal error"; its text and
/// source location go to the server log only, as Rust internals are of no use to the
/// client and tell it about the server's code.
#[cold]
#[inline(never)]
fn report_panic(payload: Box<dyn std::any::Any + Send>) -> ! {
    let payload = match panic_text(payload.as_ref()) {
        Some(text) => internal_error(&text),
        None => payload,
    };
    // SAFETY: called from a function PostgreSQL called, as `#[pg_guard]` would be.
    unsafe {
        pgrx::pg_sys::submodules::panic::pgrx_extern_c_guard(move || {
            std::panic::resume_unwind(payload)
        })
    }
}

/// The text of a Rust panic proper; `None` for pgrx's own payloads (an `ereport!`, or a
/// PostgreSQL error caught at an FFI boundary), which are errors meant for the client.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> Option<String> {
    if let Some(text) = payload.downcast_ref::<&str>() {
        Some((*text).to_owned())
    } else {
        payload.downcast_ref::<String>().cloned()
    }
}

/// Writes a Rust panic to the server log and returns the payload of the ERROR the
/// client gets instead: XX000 (what pgrx reports for a panic), a fixed message.
fn internal_error(text: &str) -> Box<dyn std::any::Any + Send> {
    use pgrx::pg_sys::panic::ErrorReport;
    use pgrx::{PgLogLevel, PgSqlErrorCode};
    let place = LAST_PANIC.with(|p| p.take()).unwrap_or_default();
    ErrorReport::new(
        PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
        format!("hyperloglog: Rust panic{place}: {text}"),
        "hyperloglog",
    )
    .report(PgLogLevel::LOG_SERVER_ONLY);
    Box::new(ErrorReport::new(
        PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
        "internal error in the hyperloglog library (the server log has the details)",
        "hyperloglog",
    ))
}

std::thread_local! {
    /// Where the last Rust panic proper happened (" at file:line:col"), for the server
    /// log line [`internal_error`] writes.
    static LAST_PANIC: std::cell::Cell<Option<String>> = const { std::cell::Cell::new(None) };
}

/// Replaces pgrx's panic hook; called from `_PG_init` (after PostgreSQL has called
/// `Pg_magic_func`, which installs pgrx's).
///
/// pgrx's hook captures a `std::backtrace::Backtrace` at every panic, and every ERROR
/// raised in Rust or caught at an FFI boundary is a panic. With `RUST_BACKTRACE` in the
/// server's environment the capture is real, and pgrx then writes it into the DETAIL
/// of any PostgreSQL error re-raised through a `#[pg_guard]`, `#[pg_extern]` or
/// [`guarded`] function (an ERROR during constant folding under the planner hook, a
/// typmod check, ...): the client got a Rust stack as DETAIL. This hook captures no
/// backtrace, so none reaches a message (and an ERROR costs no stack walk); it only
/// notes where a Rust panic proper happened, for the server log. The hook is this
/// library's alone (each shared library links its own Rust runtime), and the library
/// starts no threads, so every panic it sees is on the backend's thread: nothing needs
/// printing to stderr either.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if panic_text(info.payload()).is_some() {
            let place = info
                .location()
                .map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()));
            LAST_PANIC.with(|p| p.set(place));
        }
    }));
}

/// A `cstring` result: `text` copied into a palloc'd, NUL-terminated buffer.
pub fn cstring(text: &[u8]) -> pg_sys::Datum {
    // SAFETY: palloc returns `len + 1` writable bytes or raises an ERROR.
    unsafe {
        let p = pg_sys::palloc(text.len() + 1).cast::<u8>();
        core::ptr::copy_nonoverlapping(text.as_ptr(), p, text.len());
        *p.add(text.len()) = 0;
        pg_sys::Datum::from(p)
    }
}

/// A composite result (a function with OUT parameters) holding `values`, none NULL.
///
/// # Safety
/// `fcinfo` must be a valid call of a function whose result type is a row of
/// `values.len()` columns of the types the datums have.
pub unsafe fn record(
    fcinfo: pg_sys::FunctionCallInfo,
    values: &mut [pg_sys::Datum],
) -> pg_sys::Datum {
    unsafe {
        let mut tupdesc: pg_sys::TupleDesc = core::ptr::null_mut();
        if pg_sys::get_call_result_type(fcinfo, core::ptr::null_mut(), &mut tupdesc)
            != pg_sys::TypeFuncClass::TYPEFUNC_COMPOSITE
        {
            crate::sqlstate::error(
                pgrx::PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
                "function returning record called in a context that cannot accept it",
            );
        }
        let tupdesc = pg_sys::BlessTupleDesc(tupdesc);
        let mut nulls = vec![false; values.len()];
        let tuple = pg_sys::heap_form_tuple(tupdesc, values.as_mut_ptr(), nulls.as_mut_ptr());
        pg_sys::HeapTupleHeaderGetDatum((*tuple).t_data)
    }
}

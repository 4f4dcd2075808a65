//! Reading PostgreSQL `List`s of pointers (argument lists, path lists, the window
//! node's calls). A NULL list is the empty list, as in PostgreSQL.

use pgrx::pg_sys;

/// The number of elements of `list`.
///
/// # Safety
/// `list` must be NULL or a valid `List`.
pub unsafe fn len(list: *mut pg_sys::List) -> usize {
    if list.is_null() {
        0
    } else {
        unsafe { (*list).length as usize }
    }
}

/// The pointer elements of `list`, in order.
///
/// # Safety
/// `list` must be NULL or a valid `List` of pointers that outlives the iterator and is
/// not changed while it is read.
pub unsafe fn pointers(list: *mut pg_sys::List) -> impl Iterator<Item = *mut core::ffi::c_void> {
    let len = unsafe { len(list) };
    (0..len).map(move |i| unsafe { (*(*list).elements.add(i)).ptr_value })
}

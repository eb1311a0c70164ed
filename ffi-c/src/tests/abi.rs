//! The library's constants and lookups, and the committed header's macros, equal the core's; the
//! handle registry and the blocking calls refuse what they must.

use sbcore::ErrorCode;

use super::manifest_dir;

/// `#define NAME VALUE` lines of the committed header.
fn header_defines() -> Vec<(String, String)> {
    let header = manifest_dir().join("../include/signbridge.h");
    let text = std::fs::read_to_string(&header).expect("include/signbridge.h exists");
    text.lines()
        .filter_map(|l| l.strip_prefix("#define "))
        .filter_map(|l| {
            let mut it = l.splitn(2, ' ');
            Some((it.next()?.to_string(), it.next()?.trim().to_string()))
        })
        .collect()
}

fn c_str(p: *const std::ffi::c_char) -> String {
    assert!(!p.is_null());
    // SAFETY: the functions under test return NUL-terminated strings.
    unsafe { std::ffi::CStr::from_ptr(p) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn header_version_macros_equal_the_crate_version() {
    let defs = header_defines();
    let get = |name: &str| {
        defs.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{name} is not defined in include/signbridge.h"))
    };
    assert_eq!(
        get("SIGNBRIDGE_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MAJOR")
    );
    assert_eq!(
        get("SIGNBRIDGE_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_MINOR")
    );
    assert_eq!(
        get("SIGNBRIDGE_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION_PATCH")
    );
    // The string form is built by the preprocessor from the three numbers (cbindgen cannot emit
    // string constants); the C tests compare it with sb_version().
    let s = get("SIGNBRIDGE_VERSION");
    for part in ["MAJOR", "MINOR", "PATCH"] {
        assert!(s.contains(&format!("SIGNBRIDGE_VERSION_{part})")), "{s}");
    }
    assert_eq!(env!("CARGO_PKG_VERSION"), sbcore::VERSION);
}

#[test]
fn header_error_codes_equal_the_core() {
    let defs = header_defines();
    let header_codes: Vec<(String, String)> = defs
        .into_iter()
        .filter(|(n, _)| n.starts_with("SB_OK") || n.starts_with("SB_ERR_"))
        .collect();
    assert_eq!(header_codes.len(), ErrorCode::ALL.len());
    for &code in ErrorCode::ALL {
        let v = header_codes
            .iter()
            .find(|(n, _)| n == code.name())
            .map(|(_, v)| v.as_str());
        assert_eq!(
            v,
            Some(code.as_i32().to_string().as_str()),
            "{}",
            code.name()
        );
    }
}

#[test]
fn header_string_macros_equal_the_library() {
    // cbindgen cannot emit string constants: this macro is written in cbindgen.toml and must
    // equal the core's header name.
    let defs = header_defines();
    let get = |name: &str| {
        defs.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{name} is not defined in include/signbridge.h"))
    };
    let quoted = |s: &str| format!("\"{s}\"");
    assert_eq!(
        get("SB_WEBHOOK_SIGNATURE_HEADER"),
        quoted(sbcore::webhook::SIGNATURE_HEADER)
    );
    assert_eq!(
        crate::webhook::SB_WEBHOOK_SIGNATURE_HEADER,
        sbcore::webhook::SIGNATURE_HEADER
    );
}

#[test]
fn code_lookups_equal_the_core_and_accept_any_integer() {
    use crate::error::{sb_code_is_retryable, sb_code_message, sb_code_name};
    for &code in ErrorCode::ALL {
        let n = code.as_i32();
        assert_eq!(c_str(sb_code_name(n)), code.name());
        assert_eq!(c_str(sb_code_message(n)), code.message());
        assert_eq!(sb_code_is_retryable(n), code.is_retryable());
    }
    for n in [i32::MIN, -1, 1, 7, 99, 999, 7000, i32::MAX] {
        if ErrorCode::from_i32(n).is_none() {
            assert_eq!(c_str(sb_code_name(n)), "SB_ERR_UNKNOWN");
            assert_eq!(c_str(sb_code_message(n)), "unknown signbridge error code");
            assert!(!sb_code_is_retryable(n));
        }
    }
    assert_eq!(c_str(crate::error::sb_version()), env!("CARGO_PKG_VERSION"));
}

#[test]
fn a_blocking_call_from_inside_a_runtime_is_wrong_context() {
    use crate::client::{sb_client, sb_client_free, sb_client_new, sb_session_status};
    use crate::error::{sb_error, sb_error_free};
    use crate::status::sb_status;
    let cfg = c"{\"zignsec\": {\"base_url\": \"http://127.0.0.1:9\", \"keys\": [\"k\"]}}";
    let mut client: *mut sb_client = std::ptr::null_mut();
    // SAFETY: valid arguments.
    let rc = unsafe { sb_client_new(cfg.as_ptr(), &mut client, std::ptr::null_mut()) };
    assert_eq!(rc, crate::SB_OK);
    let client_addr = client as usize;
    // A callback-style caller: a thread of some tokio runtime calls the C API.
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (rc, msg) = rt.block_on(async move {
        let mut st: *mut sb_status = std::ptr::null_mut();
        let mut err: *mut sb_error = std::ptr::null_mut();
        // SAFETY: valid arguments.
        let rc = unsafe {
            sb_session_status(
                client_addr as *const sb_client,
                c"abc".as_ptr(),
                &mut st,
                &mut err,
            )
        };
        assert!(st.is_null());
        // SAFETY: filled by the call.
        let msg = c_str(unsafe { (*err).message });
        // SAFETY: live error.
        unsafe { sb_error_free(err) };
        (rc, msg)
    });
    assert_eq!(rc, crate::SB_ERR_WRONG_CONTEXT, "{msg}");
    sb_client_free(client);
}

#[test]
fn stale_and_foreign_handles_are_refused_without_being_read() {
    use crate::client::{sb_client, sb_client_free, sb_client_new, sb_session_create};
    use crate::handles::{live_count, Kind};
    let cfg = c"{\"zignsec\": {\"base_url\": \"http://127.0.0.1:9\", \"keys\": [\"k\"]}}";
    let mut client: *mut sb_client = std::ptr::null_mut();
    // SAFETY: valid arguments.
    assert_eq!(
        unsafe { sb_client_new(cfg.as_ptr(), &mut client, std::ptr::null_mut()) },
        crate::SB_OK
    );
    let before = live_count(Kind::Client);
    sb_client_free(client);
    assert_eq!(live_count(Kind::Client), before - 1);
    sb_client_free(client); // double free: ignored
    let mut id = std::ptr::null_mut();
    for bad in [client, 0x10 as *mut sb_client, std::ptr::null_mut()] {
        // SAFETY: the registry refuses the handle before any read.
        let rc = unsafe { sb_session_create(bad, std::ptr::null(), &mut id, std::ptr::null_mut()) };
        assert_eq!(rc, crate::SB_ERR_INVALID_ARGUMENT);
        assert!(id.is_null());
    }
}

#[test]
fn webhook_sign_helpers_are_the_cores() {
    use crate::memory::sb_string_free;
    use crate::webhook::{sb_webhook_sign_legacy, sb_webhook_sign_v5};
    let body = b"{\"event\":\"x\"}";
    let mut out = std::ptr::null_mut();
    // SAFETY: valid arguments.
    let rc = unsafe {
        sb_webhook_sign_v5(
            c"s".as_ptr(),
            1_700_000_000,
            body.as_ptr(),
            body.len(),
            &mut out,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(rc, crate::SB_OK);
    assert_eq!(
        c_str(out),
        sbcore::webhook::sign_v5("s", 1_700_000_000, body)
    );
    // SAFETY: a live string.
    unsafe { sb_string_free(out) };
    // SAFETY: valid arguments.
    let rc = unsafe {
        sb_webhook_sign_legacy(
            c"s".as_ptr(),
            body.as_ptr(),
            body.len(),
            &mut out,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(rc, crate::SB_OK);
    assert_eq!(c_str(out), sbcore::webhook::sign_legacy("s", body));
    // SAFETY: a live string.
    unsafe { sb_string_free(out) };
}

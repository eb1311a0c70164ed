/*
 * signbridge.h: the C API of signbridge, one client for Nordic eID and e-signature services
 * (ZignSec gateway: BankID Norway PDF signing; browser-based eID with BankID SE/NO, MitID and
 * Freja; webhook verification), OneSpan Sign, one provider-neutral document signing session over
 * both (sb_signing_*: the provider is chosen by the configuration), and the Securosys Primus HSM
 * (keys, signing with and without approvals, certificates). eID sessions, OneSpan's own
 * transactions and the Securosys API are reached through sb_call (below). Link with -lsignbridge
 * (pkg-config signbridge); with the static library also -lpthread -ldl -lm.
 *
 * A typical program (error handling shortened; see examples/c/sign.c for a complete one):
 *
 *     sb_client *client = NULL;
 *     sb_error *err = NULL;
 *     if (sb_client_new_from_env(&client, &err) != SB_OK) { ...; sb_error_free(err); }
 *     sb_document doc = { .path = "contract.pdf" };
 *     char *session_id = NULL, *url = NULL;
 *     sb_sign_documents(client, NULL, &doc, 1, &session_id, &url, &err);
 *     printf("send the signer to %s\n", url);
 *     sb_status *done = NULL;
 *     sb_session_wait(client, session_id, 0, 600000, NULL, &done, &err);
 *     sb_save_signed_files(client, done, "signed", NULL, &err);
 *     sb_status_free(done); sb_string_free(url); sb_string_free(session_id);
 *     sb_client_free(client);
 *
 * TYPED FUNCTIONS AND sb_call
 *
 * The main flows have typed functions of their own: the client (sb_client_*), document signing
 *   (sb_sign_documents, sb_session_*, sb_download_* and sb_save_signed_files for ZignSec;
 *   sb_signing_* for the provider-neutral session over ZignSec and OneSpan), verification of
 *   incoming deliveries, done locally (sb_webhook_* for ZignSec webhooks,
 *   sb_onespan_callback_* for OneSpan callbacks), errors (sb_error, sb_code_*), cancel tokens
 *   (sb_cancel_token_*), progress callbacks and memory (sb_*_free). Every other operation of
 *   the library is reached by name through one generic entry: sb_call() with a JSON request
 *   and a JSON result, and sb_call_with() for the operations that wait (a cancel token and a
 *   progress callback). That is the browser-based eID ("zignsec.eid_create",
 *   "zignsec.eid_wait", "zignsec.eid_complete_redirect", and "zignsec.parse_redirect", which
 *   needs no client: pass NULL), OneSpan Sign's own transactions ("onespan.create_package",
 *   "onespan.wait", "onespan.download", "onespan.list", "onespan.register_callback", ...) and
 *   the whole Securosys Primus HSM API ("securosys.create_key", "securosys.sign",
 *   "securosys.approve", ...).
 *   sb_operations_json() lists every operation with its request and result JSON Schemas, as
 *   does `signbridge call --list` / `signbridge call --help-op NAME` on the command line.
 *   Bytes travel as base64 text in fields named *_base64.
 *
 *   A synchronous call: a P-256 key, then a signature with it.
 *
 *     char *result = NULL;
 *     sb_error *err = NULL;
 *     if (sb_call(client, "securosys.create_key",
 *                 "{\"label\": \"invoices\", \"algorithm\": \"EC\", "
 *                 "\"curve_oid\": \"1.2.840.10045.3.1.7\"}", &result, &err) != SB_OK) {
 *         fprintf(stderr, "%s: %s\n", sb_code_name(err->code), err->message);
 *         sb_error_free(err);
 *         return 1;
 *     }
 *     sb_string_free(result);  // {"label": "invoices", "algorithm": "EC", ...}
 *     sb_call(client, "securosys.synchronous_sign",
 *             "{\"label\": \"invoices\", \"payload_base64\": \"aGVsbG8=\", "
 *             "\"algorithm\": \"SHA256_WITH_ECDSA\"}", &result, &err);
 *     printf("%s\n", result);  // {"signature_base64": "MEUCIQ..."}
 *     sb_string_free(result);
 *
 *   A wait, with a cancel token (another thread may cancel it: SB_ERR_ABORTED) and progress:
 *
 *     static void on_progress(const char *state_json, void *user_data) {
 *         (void)user_data;
 *         printf("state: %s\n", state_json);  // {"id": "...", "status": "PENDING", ...}
 *     }
 *     ...
 *     sb_cancel_token *cancel = sb_cancel_token_new();  // sb_cancel_token_cancel(cancel, NULL)
 *     char request[256];
 *     snprintf(request, sizeof request,
 *              "{\"id\": \"%s\", \"interval_ms\": 500, \"timeout_ms\": 600000}", request_id);
 *     if (sb_call_with(client, "securosys.wait_request", request, cancel, on_progress, NULL,
 *                      &result, &err) == SB_OK)
 *         printf("%s\n", result);  // {"result_base64": "..."}: the approved signature
 *     sb_string_free(result);
 *     sb_cancel_token_free(cancel);
 *
 * CONVENTIONS
 *
 * Results. Every fallible function returns an sb_code: SB_OK (0) or an SB_ERR_* value. Those
 *   are the numbers of the core's error table, shared with the Python and Node bindings; a
 *   program may also meet numbers added by later versions: sb_code_name() and sb_code_message()
 *   accept any int. The last parameter, `sb_error **out_error`, is optional (NULL: no details).
 *   When given, it is set to NULL on success and to a new sb_error on failure (code, message,
 *   HTTP status, provider code and description, retry-after); free it with sb_error_free().
 *   There is no thread-local "last error".
 *
 * Outputs. Other out-parameters are required (NULL is SB_ERR_INVALID_ARGUMENT and nothing is
 *   done) unless documented as optional. They are set to NULL / 0 / {NULL, 0} first, so on
 *   failure there is nothing to free.
 *
 * Ownership. `char *` results are yours: free them with sb_string_free(). sb_bytes results:
 *   sb_bytes_free() (which zeroes the buffer). sb_strings lists: sb_strings_free(). Handles:
 *   their own _free function. `const char *` results (accessors,
 *   sb_code_name, sb_version, sb_error fields) are borrowed from their object (or static) and
 *   must not be freed. Input strings and buffers are copied; you can free them once the call
 *   returns. Every free function accepts NULL.
 *
 * Strings. Input strings are NUL-terminated UTF-8 (paths: any bytes). NULL where a string is
 *   required, invalid UTF-8, malformed JSON and unknown JSON fields are SB_ERR_INVALID_ARGUMENT
 *   (configuration: SB_ERR_INVALID_CONFIG); a zero-length document is SB_ERR_INVALID_DOCUMENT.
 *
 * Handles. sb_client, sb_status, sb_webhook_verifier, sb_cancel_token, sb_signing_session,
 *   sb_signing_state, sb_signing_completed and sb_onespan_callback_verifier are opaque.
 *   signbridge keeps a registry of the objects it handed out: a NULL, freed, foreign or
 *   wrong-type handle passed to a function is refused with SB_ERR_INVALID_ARGUMENT (accessors
 *   return NULL / 0 / false) instead of being read, and freeing such a pointer (or freeing
 *   twice) does nothing. Limit: after a free, the
 *   same address may be reused by a newer object of the same kind, which a stale pointer would
 *   then reach. Other pointers (strings, arrays, out-parameters) must be valid or NULL.
 *
 * Threads. All functions are thread-safe. One sb_client should be shared by all threads (it
 *   pools connections); sb_status and sb_signing_* results are immutable; an
 *   sb_onespan_callback_verifier may be shared; one sb_webhook_verifier
 *   should be shared by all threads serving an endpoint (it refuses replays across them);
 *   sb_cancel_token may be cancelled from any thread while another waits. A handle freed by one thread while another thread uses it stays
 *   alive until that call returns.
 *
 * Blocking. Network calls block the calling thread; they run on signbridge's one internal
 *   runtime (2 worker threads, created on first use, kept until exit). A call made from inside
 *   that runtime returns SB_ERR_WRONG_CONTEXT. After fork() the child builds its own runtime on
 *   first use. Do not dlclose() the library while it is in use.
 *
 * Panics. A bug inside signbridge is contained and returned as SB_ERR_PANIC; it never unwinds
 *   into C and never aborts the process.
 *
 * Secrets. Keys, tokens and private keys never appear in errors or logs, and are sent only to
 *   the configured service (a Securosys call carries only the API key of its endpoint's role).
 */

#ifndef SIGNBRIDGE_H
#define SIGNBRIDGE_H

/* Generated by cbindgen 0.29.4 from ffi-c/ (cbindgen.toml). Do not edit: run `make header-c`. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SIGNBRIDGE_VERSION: the version of this header as a string literal, e.g. "0.1.0", built from
 * the three SIGNBRIDGE_VERSION_* numbers below. It equals sb_version() when header and library match. */
#define SIGNBRIDGE_VERSION_STR_(x) #x
#define SIGNBRIDGE_VERSION_STR(x) SIGNBRIDGE_VERSION_STR_(x)
#define SIGNBRIDGE_VERSION SIGNBRIDGE_VERSION_STR(SIGNBRIDGE_VERSION_MAJOR) "." SIGNBRIDGE_VERSION_STR(SIGNBRIDGE_VERSION_MINOR) "." SIGNBRIDGE_VERSION_STR(SIGNBRIDGE_VERSION_PATCH)

/* The HTTP header a webhook delivery's signature comes in (for sb_webhook_verify). */
#define SB_WEBHOOK_SIGNATURE_HEADER "X-ZignSec-Hmac-SHA256"

// Major version of this header (the library's is `sb_version()`).
#define SIGNBRIDGE_VERSION_MAJOR 0

// Minor version of this header.
#define SIGNBRIDGE_VERSION_MINOR 1

// Patch version of this header.
#define SIGNBRIDGE_VERSION_PATCH 0

// A cancel token (opaque). Create with `sb_cancel_token_new`, pass to `sb_session_wait`, cancel
// from any thread with `sb_cancel_token_cancel`, free with `sb_cancel_token_free`.
//
// Thread-safe: one token may be used by any number of threads at once. Once cancelled it stays
// cancelled; use a new token for the next operation.
typedef struct sb_cancel_token sb_cancel_token;

// A signbridge client (opaque): configuration, credentials and connections. Create it with
// `sb_client_new` or `sb_client_new_from_env`, free it with `sb_client_free`.
//
// Thread-safe: one client may be used by any number of threads at once, and should be shared
// (connections are pooled per client).
typedef struct sb_client sb_client;

// A OneSpan callback verifier (opaque): the callback key(s) of one endpoint. Create with
// `sb_onespan_callback_verifier_new`, free with `sb_onespan_callback_verifier_free`.
//
// Thread-safe: one verifier may be shared by every thread serving the endpoint.
typedef struct sb_onespan_callback_verifier sb_onespan_callback_verifier;

// A finished session and its signed documents (opaque), returned by `sb_signing_wait` and
// `sb_signing_result`. Read it with the `sb_signing_completed_*` accessors, save its documents
// with `sb_signing_save_all` or `sb_signing_download`; free it with `sb_signing_completed_free`.
//
// Immutable, so thread-safe.
typedef struct sb_signing_completed sb_signing_completed;

// A started signing session (opaque), returned by `sb_signing_start`: its reference, provider
// and where each signer signs. Read it with the `sb_signing_session_*` accessors; free it with
// `sb_signing_session_free`.
//
// Immutable, so thread-safe. Strings returned by its accessors are owned by it and valid until
// `sb_signing_session_free`.
typedef struct sb_signing_session sb_signing_session;

// The state of a signing session (opaque), returned by `sb_signing_status` and given to a
// wait's progress callback as JSON. Read it with the `sb_signing_state_*` accessors; free it
// with `sb_signing_state_free`.
//
// Immutable, so thread-safe.
typedef struct sb_signing_state sb_signing_state;

// The state of a signing session (opaque), returned by `sb_session_status` and
// `sb_session_wait`. Read it with the `sb_status_*` accessors; free it with `sb_status_free`.
//
// Immutable, so thread-safe: any number of threads may read one status at once. Strings
// returned by its accessors are owned by it and valid until `sb_status_free`.
typedef struct sb_status sb_status;

// A webhook verifier (opaque): the secrets of one endpoint, the timestamp tolerance and the
// memory of accepted deliveries (to refuse replays). Create with `sb_webhook_verifier_new`,
// free with `sb_webhook_verifier_free`.
//
// Thread-safe: one verifier may be used by any number of threads at once, and should be shared
// by every thread serving the endpoint (replays are detected across all of them).
typedef struct sb_webhook_verifier sb_webhook_verifier;

// A result code: `SB_OK` (0) or one of the `SB_ERR_*` values below, which equal the core's
// `ErrorCode` numbers. Numbers are grouped by range: 1xx bad input, 2xx authentication,
// 3xx transport, 4xx the provider answered with an error, 5xx the session ended without
// success, 9xx a bug in signbridge. Numbers are never reused. Use `sb_code_name` and
// `sb_code_message` for any integer, `sb_code_is_retryable` to decide on a retry.
typedef int32_t sb_code;

// Details of a failed call. Created by signbridge, read by you, freed with `sb_error_free`.
//
// All strings are NUL-terminated, owned by the error and valid until `sb_error_free`. Do not
// modify the fields or free the strings yourself.
typedef struct sb_error {
    // The code the call returned (one of the `SB_ERR_*` values).
    sb_code code;
    // The code's stable name, e.g. `"SB_ERR_AUTH"` (a static string).
    const char *name;
    // What went wrong and what to do about it (never NULL, never contains a credential).
    const char *message;
    // The HTTP status of the provider's answer, or 0 when there was no answer.
    uint16_t http_status;
    // The provider's own error code (e.g. `"CANCELLED_BY_USER"`), or NULL.
    const char *provider_code;
    // The provider's own error description, or NULL.
    const char *provider_description;
    // How long the provider asked to wait before retrying, in milliseconds, or -1 when it did
    // not say.
    int64_t retry_after_ms;
    // Whether retrying the same call later can succeed without changing anything.
    bool retryable;
} sb_error;

// A progress callback for the waits that take one: called with every state polled, as JSON
// (the same schema as the state's `_json` accessor; valid only during the call), and the
// `user_data` given to the wait. It is called on the thread that called the wait, before that
// call returns. Inside it, accessors, frees and `sb_cancel_token_cancel` work; network calls
// return `SB_ERR_WRONG_CONTEXT` (the callback runs inside the wait). It must not throw a C++
// exception or `longjmp` out.
typedef void (*sb_progress_fn)(const char *state_json,
                               void *user_data);

// Where the visible signature goes on a document. `page` starts at 1; `x` and `y` are PDF
// points from the bottom-left corner of the page (0 to 14400).
typedef struct sb_placement {
    // Page number, 1-based.
    uint32_t page;
    // Horizontal position in points.
    double x;
    // Vertical position in points.
    double y;
} sb_placement;

// One document for `sb_sign_documents`: either a file (`path`), or a name and bytes in memory
// (`name`, `data`, `len`; `path` NULL). `placement` may be NULL (the provider's default).
typedef struct sb_document {
    // Read the PDF from this file; NULL to use `name` + `data` instead.
    const char *path;
    // File name shown to the signer (with `data`); ignored with `path` (its file name is used).
    const char *name;
    // The PDF bytes (with `name`); NULL with `path`.
    const uint8_t *data;
    // The number of bytes at `data`.
    size_t len;
    // Where the signature goes, or NULL.
    const struct sb_placement *placement;
} sb_document;

// An owned byte buffer returned by signbridge. Free it with `sb_bytes_free`.
//
// `data` is NULL when `len` is 0.
typedef struct sb_bytes {
    // The bytes (owned by signbridge until `sb_bytes_free`).
    uint8_t *data;
    // The number of bytes at `data`.
    size_t len;
} sb_bytes;

// A list of strings returned by signbridge (e.g. key labels). Free it with `sb_strings_free`.
//
// `items` is NULL when `len` is 0. Each string is NUL-terminated UTF-8, owned by the list.
typedef struct sb_strings {
    // The strings (owned by signbridge until `sb_strings_free`; do not free them one by one).
    const char *const *items;
    // The number of strings at `items`.
    size_t len;
} sb_strings;

// SB_OK (0): success.
#define SB_OK 0

// SB_ERR_INVALID_ARGUMENT (100): an argument is missing or invalid; check the call's arguments.
#define SB_ERR_INVALID_ARGUMENT 100

// SB_ERR_INVALID_DOCUMENT (101): the document is empty or not a PDF; only non-empty PDF files can be signed.
#define SB_ERR_INVALID_DOCUMENT 101

// SB_ERR_INVALID_CONFIG (102): the configuration is invalid; fix the named field.
#define SB_ERR_INVALID_CONFIG 102

// SB_ERR_WRONG_CONTEXT (103): a blocking call was made inside the async runtime; use the async API from async code.
#define SB_ERR_WRONG_CONTEXT 103

// SB_ERR_IO (104): a local file could not be read or written; check the path and its permissions.
#define SB_ERR_IO 104

// SB_ERR_AUTH (200): the provider rejected every configured credential; check or rotate your keys.
#define SB_ERR_AUTH 200

// SB_ERR_AUTH_CONFIG_MISSING (201): no credentials are configured for this provider; add them to the configuration or environment.
#define SB_ERR_AUTH_CONFIG_MISSING 201

// SB_ERR_FORBIDDEN (202): the credentials are not allowed to do this; ask the provider for the right role or product.
#define SB_ERR_FORBIDDEN 202

// SB_ERR_WEBHOOK_INVALID (203): the delivery's signature does not verify; reject it (HTTP 401) and check the webhook secret.
#define SB_ERR_WEBHOOK_INVALID 203

// SB_ERR_WEBHOOK_REPLAY (204): the delivery is too old or was already processed; reject it (HTTP 400) and do not act on it again.
#define SB_ERR_WEBHOOK_REPLAY 204

// SB_ERR_NETWORK (300): the connection to the provider failed; check the URL and network, then retry. Retryable.
#define SB_ERR_NETWORK 300

// SB_ERR_TLS (301): the TLS handshake failed; check the server certificate, the CA configured and the client certificate.
#define SB_ERR_TLS 301

// SB_ERR_TIMEOUT (302): the operation timed out; retry, or allow more time. Retryable.
#define SB_ERR_TIMEOUT 302

// SB_ERR_PROTOCOL (303): the provider's answer could not be understood; report it with the request id if it persists.
#define SB_ERR_PROTOCOL 303

// SB_ERR_INTEGRITY (304): a downloaded file does not match the provider's checksum; nothing was saved, download it again. Retryable.
#define SB_ERR_INTEGRITY 304

// SB_ERR_OUTCOME_UNKNOWN (305): the request may have been carried out although no answer arrived; check (e.g. by relay_state) before retrying.
#define SB_ERR_OUTCOME_UNKNOWN 305

// SB_ERR_PROVIDER (400): the provider refused the request; see the provider code and description.
#define SB_ERR_PROVIDER 400

// SB_ERR_NOT_FOUND (401): the provider does not know this session or file; check the id.
#define SB_ERR_NOT_FOUND 401

// SB_ERR_RATE_LIMITED (402): the provider is rate limiting; wait for retry-after, then retry. Retryable.
#define SB_ERR_RATE_LIMITED 402

// SB_ERR_INVALID_STATE (403): the session is not in a state that allows this; check its status first.
#define SB_ERR_INVALID_STATE 403

// SB_ERR_PROVIDER_UNAVAILABLE (404): the provider failed or is unavailable; retry later. Retryable.
#define SB_ERR_PROVIDER_UNAVAILABLE 404

// SB_ERR_CANCELLED (500): the signer cancelled the signing session; start a new one if needed.
#define SB_ERR_CANCELLED 500

// SB_ERR_REJECTED (501): the signing session was declined; start a new one if needed.
#define SB_ERR_REJECTED 501

// SB_ERR_SESSION_EXPIRED (502): the session or its files expired at the provider; start a new session.
#define SB_ERR_SESSION_EXPIRED 502

// SB_ERR_SIGNING_FAILED (503): the signing session failed at the provider; start a new one.
#define SB_ERR_SIGNING_FAILED 503

// SB_ERR_ABORTED (510): the operation was aborted by the caller.
#define SB_ERR_ABORTED 510

// SB_ERR_INTERNAL (900): internal error in signbridge; please report it.
#define SB_ERR_INTERNAL 900

// SB_ERR_PANIC (901): signbridge panicked and contained it; please report it.
#define SB_ERR_PANIC 901

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

// Run the operation `operation` (e.g. `"securosys.create_key"`; `sb_operations_json` lists
// them) with the JSON object `request_json` (NULL: `{}`), blocking the calling thread. Stores
// the JSON result in `*out_result_json` (free with `sb_string_free`). Bytes travel as base64
// text in fields named `*_base64`.
//
// `client` may be NULL for the operations that need no client (nothing is sent anywhere):
// `sb_call(NULL, "pdf.verify", request_json, &result_json, &err)` verifies a signed PDF
// without configuring any provider.
//
// Errors: `SB_ERR_INVALID_ARGUMENT` (unknown operation, a request that is not JSON, or a field
// that is unknown, missing or of the wrong type — the message names its path, never its
// value; NULL `client` for an operation that needs one), and every code the operation itself
// documents.
//
// # Safety
//
// Strings must be NULL or NUL-terminated; out pointers NULL or writable; `client` NULL or a
// live client.
sb_code sb_call(const struct sb_client *client,
                const char *operation,
                const char *request_json,
                char **out_result_json,
                struct sb_error **out_error);

// `sb_call` for long-running operations (waits): `cancel` (may be NULL) aborts it from another
// thread (`SB_ERR_ABORTED`); `progress` (may be NULL) is called with every polled state as JSON
// and `user_data`, on the calling thread, before this function returns.
//
// # Safety
//
// Strings must be NULL or NUL-terminated; out pointers NULL or writable; `cancel` NULL or a
// token from `sb_cancel_token_new`.
sb_code sb_call_with(const struct sb_client *client,
                     const char *operation,
                     const char *request_json,
                     const struct sb_cancel_token *cancel,
                     sb_progress_fn progress,
                     void *user_data,
                     char **out_result_json,
                     struct sb_error **out_error);

// The operations `sb_call` knows, as a JSON array of `{"name", "summary", "request",
// "result", "long_running", "needs_client"}` (free with `sb_string_free`; an operation with
// `needs_client` false runs with a NULL client). Never NULL unless signbridge failed
// internally.
char *sb_operations_json(void);

// A new, not yet cancelled token. Returns NULL only if signbridge failed internally.
struct sb_cancel_token *sb_cancel_token_new(void);

// Cancel every operation using `token`, now and later: a wait using it returns
// `SB_ERR_ABORTED` promptly (nothing is cancelled at the provider; the session goes on).
// Safe to call from any thread, any number of times.
//
// Returns `SB_OK`, or `SB_ERR_INVALID_ARGUMENT` when `token` is NULL, freed or not a token.
//
// # Safety
//
// `out_error` must be NULL or valid for writing a pointer; `token` is checked before use.
sb_code sb_cancel_token_cancel(const struct sb_cancel_token *token,
                               struct sb_error **out_error);

// Whether `token` was cancelled. False for NULL, freed or foreign pointers.
bool sb_cancel_token_is_cancelled(const struct sb_cancel_token *token);

// Free a token. NULL and pointers that are not live tokens are ignored. A wait still using the
// token keeps working (it holds its own reference) and can no longer be cancelled through it.
void sb_cancel_token_free(struct sb_cancel_token *token);

// Create a client from configuration JSON text (the one schema shared with Rust, Python and
// Node), e.g.
// `{"zignsec": {"base_url": "http://127.0.0.1:8089", "keys": ["<primary>", "<secondary>"]}}`.
// Nothing is sent. Unknown fields are refused.
//
// Returns `SB_OK` and stores the client in `*out_client`; `SB_ERR_INVALID_ARGUMENT` (NULL or
// non-UTF-8 text, NULL `out_client`), `SB_ERR_INVALID_CONFIG` (malformed JSON, unknown field,
// bad URL, unreadable CA file) or `SB_ERR_AUTH_CONFIG_MISSING` (no provider configured).
//
// # Safety
//
// `config_json` must be NULL or a NUL-terminated string; `out_client` and `out_error` must be
// NULL or valid for writing a pointer.
sb_code sb_client_new(const char *config_json,
                      struct sb_client **out_client,
                      struct sb_error **out_error);

// Create a client from `SIGNBRIDGE_*` environment variables: `SIGNBRIDGE_ZIGNSEC_KEY`,
// `SIGNBRIDGE_ZIGNSEC_SECONDARY_KEY`, `SIGNBRIDGE_ZIGNSEC_ENV` (`test`/`prod`),
// `SIGNBRIDGE_ZIGNSEC_URL` (overrides the environment, e.g. the simulator),
// `SIGNBRIDGE_ZIGNSEC_KEY_HEADER`, `SIGNBRIDGE_CA_FILE`, `SIGNBRIDGE_REQUEST_TIMEOUT_MS`.
//
// Returns as `sb_client_new`.
//
// # Safety
//
// `out_client` and `out_error` must be NULL or valid for writing a pointer.
sb_code sb_client_new_from_env(struct sb_client **out_client,
                               struct sb_error **out_error);

// Free a client. NULL and pointers that are not live clients are ignored. Calls still running on
// other threads finish normally (they hold their own reference).
void sb_client_free(struct sb_client *client);

// Create a signing session. `request_json` is NULL (defaults) or a JSON object with any of
// `locale`, `redirect_success`, `redirect_failure`, `relay_state`, `gdpr_user_id`, `webhook`,
// `metadata`. Stores the new session id in `*out_session_id` (free with `sb_string_free`).
//
// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, malformed JSON, unknown field, non-absolute
// redirect URL), the auth, transport and provider codes.
//
// # Safety
//
// String arguments must be NULL or NUL-terminated; out pointers NULL or writable.
sb_code sb_session_create(const struct sb_client *client,
                          const char *request_json,
                          char **out_session_id,
                          struct sb_error **out_error);

// Upload a PDF file into a created session. Stores the file id in `*out_file_id` (free with
// `sb_string_free`). The file is checked locally first: a missing/unreadable file is
// `SB_ERR_IO`, an empty file or not a PDF is `SB_ERR_INVALID_DOCUMENT` (nothing is sent).
//
// # Safety
//
// String arguments must be NULL or NUL-terminated; out pointers NULL or writable.
sb_code sb_session_upload_path(const struct sb_client *client,
                               const char *session_id,
                               const char *path,
                               char **out_file_id,
                               struct sb_error **out_error);

// Upload a PDF from memory (`len` bytes at `data`, shown to the signer as `name`). Stores the
// file id in `*out_file_id` (free with `sb_string_free`). `len` 0 (with any `data`, even NULL)
// is `SB_ERR_INVALID_DOCUMENT`; NULL `data` with `len` > 0 is `SB_ERR_INVALID_ARGUMENT`. The
// bytes are copied; the buffer can be reused when the call returns.
//
// # Safety
//
// `data` must be NULL or point to `len` readable bytes; strings NUL-terminated or NULL; out
// pointers NULL or writable.
sb_code sb_session_upload_buffer(const struct sb_client *client,
                                 const char *session_id,
                                 const char *name,
                                 const uint8_t *data,
                                 size_t len,
                                 char **out_file_id,
                                 struct sb_error **out_error);

// Start signing `n_files` uploaded files (`file_ids`, in the order the signer sees them), with
// one placement per file (`placements`, an array of `n_files`) or the provider's default
// placement for all (`placements` NULL). Stores the URL to send the signer's browser to in
// `*out_redirect_url` (free with `sb_string_free`).
//
// Errors: `SB_ERR_INVALID_ARGUMENT` (no files, bad id, placement off the page), the auth,
// transport and provider codes (`SB_ERR_INVALID_STATE` when already started).
//
// # Safety
//
// `file_ids` must be NULL or point to `n_files` string pointers; `placements` NULL or point to
// `n_files` placements; strings NUL-terminated; out pointers NULL or writable.
sb_code sb_session_start(const struct sb_client *client,
                         const char *session_id,
                         const char *const *file_ids,
                         const struct sb_placement *placements,
                         size_t n_files,
                         char **out_redirect_url,
                         struct sb_error **out_error);

// Start signing with a JSON request: `{"files": [{"file_id": "...", "placement": {"page": 1,
// "x": 60, "y": 80}}], "redirect_success": "...", "redirect_failure": "..."}`. Otherwise as
// `sb_session_start`.
//
// # Safety
//
// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
sb_code sb_session_start_json(const struct sb_client *client,
                              const char *session_id,
                              const char *request_json,
                              char **out_redirect_url,
                              struct sb_error **out_error);

// Create a session, upload `n_docs` documents and start signing, in one call. `create_json` is
// as for `sb_session_create` (NULL for defaults). Every document is checked locally before the
// first request. Stores the session id and the signer's URL (free both with `sb_string_free`).
//
// # Safety
//
// `docs` must be NULL or point to `n_docs` documents whose pointers follow `sb_document`'s
// documentation; strings NUL-terminated or NULL; out pointers NULL or writable.
sb_code sb_sign_documents(const struct sb_client *client,
                          const char *create_json,
                          const struct sb_document *docs,
                          size_t n_docs,
                          char **out_session_id,
                          char **out_redirect_url,
                          struct sb_error **out_error);

// Read a session's state once. Stores a new `sb_status` in `*out_status` (free with
// `sb_status_free`). A cancelled, failed or expired session is a successful call here (its
// state says so); `sb_session_wait` turns those into errors.
//
// # Safety
//
// `session_id` must be NULL or NUL-terminated; out pointers NULL or writable.
sb_code sb_session_status(const struct sb_client *client,
                          const char *session_id,
                          struct sb_status **out_status,
                          struct sb_error **out_error);

// Poll a session every `interval_ms` (0: the default, 2000; at least 50) until it is final,
// for at most `timeout_ms` (0: no limit), blocking the calling thread. `cancel` (may be NULL)
// aborts the wait when another thread cancels it.
//
// Returns `SB_OK` with the Finished state in `*out_status` (free with `sb_status_free`), or:
// `SB_ERR_CANCELLED`, `SB_ERR_REJECTED`, `SB_ERR_SIGNING_FAILED`, `SB_ERR_SESSION_EXPIRED` when
// the session ended without success (the error carries the provider's code, e.g.
// `CANCELLED_BY_USER`); `SB_ERR_TIMEOUT` after `timeout_ms`; `SB_ERR_ABORTED` when `cancel` was
// cancelled (the session itself goes on); `SB_ERR_INVALID_ARGUMENT` for a bad handle, id or
// interval; non-retryable errors of a poll. Retryable poll errors do not end the wait.
//
// # Safety
//
// `session_id` must be NULL or NUL-terminated; out pointers NULL or writable; `client` and
// `cancel` are checked before use.
sb_code sb_session_wait(const struct sb_client *client,
                        const char *session_id,
                        uint32_t interval_ms,
                        uint64_t timeout_ms,
                        const struct sb_cancel_token *cancel,
                        struct sb_status **out_status,
                        struct sb_error **out_error);

// Download signed file `index` of a Finished `status` to `path`, verified against the md5 the
// provider reported and written atomically (on any error nothing is left at `path`; an existing
// file there is untouched). Stores the number of bytes written in `*out_len` when it is not NULL.
//
// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, index out of range), `SB_ERR_INTEGRITY`
// (checksum mismatch), `SB_ERR_IO`, the auth, transport and provider codes.
//
// # Safety
//
// `path` must be NULL or NUL-terminated; `out_len` NULL or writable; `out_error` NULL or
// writable; handles are checked before use.
sb_code sb_download_to_path(const struct sb_client *client,
                            const struct sb_status *status,
                            size_t index,
                            const char *path,
                            uint64_t *out_len,
                            struct sb_error **out_error);

// Download signed file `index` of a Finished `status` into memory, verified against the md5 the
// provider reported. Stores the bytes in `*out_bytes` (free with `sb_bytes_free`).
//
// # Safety
//
// `out_bytes` must be NULL or writable; `out_error` NULL or writable; handles are checked.
sb_code sb_download_to_buffer(const struct sb_client *client,
                              const struct sb_status *status,
                              size_t index,
                              struct sb_bytes *out_bytes,
                              struct sb_error **out_error);

// Save every signed file of a Finished `status` into directory `dir` (created if missing), under
// the provider's file names made safe (no directories; `-2`, `-3`... on clashes), each verified
// and written atomically. Stores the number of files written in `*out_count` when not NULL.
//
// Errors: `SB_ERR_INVALID_STATE` when the session is not Finished, otherwise as
// `sb_download_to_path`.
//
// # Safety
//
// `dir` must be NULL or NUL-terminated; `out_count` NULL or writable; `out_error` NULL or
// writable; handles are checked before use.
sb_code sb_save_signed_files(const struct sb_client *client,
                             const struct sb_status *status,
                             const char *dir,
                             size_t *out_count,
                             struct sb_error **out_error);

// Free an error returned through `out_error`. NULL, and pointers that are not live errors (freed
// already, or not from signbridge), are ignored.
//
// # Safety
//
// `error` must be NULL or a pointer received from signbridge (checked against its registry
// before use).
void sb_error_free(struct sb_error *error);

// The stable name of any integer code: `"SB_OK"`, `"SB_ERR_AUTH"`, ... and `"SB_ERR_UNKNOWN"`
// for a number that is not a signbridge code. Never NULL; a static string (do not free).
const char *sb_code_name(int code);

// A one-line description of any integer code that says what to do about it;
// `"unknown signbridge error code"` for a number that is not a signbridge code. Never NULL; a
// static string (do not free).
const char *sb_code_message(int code);

// Whether retrying a call that failed with `code` can succeed without changing anything
// (network, timeout, rate limit, provider unavailable, integrity). False for unknown numbers.
bool sb_code_is_retryable(int code);

// The version of the linked library, e.g. `"0.1.0"` (compare with `SIGNBRIDGE_VERSION`, the
// version of the header you compiled against). A static string (do not free).
const char *sb_version(void);

// Free a string returned by signbridge through a `char **out_...` parameter. NULL, and pointers
// that are not live signbridge strings (already freed, or not from signbridge), are ignored.
//
// Do not use it on the `const char *` strings returned by accessors (`sb_status_*`, `sb_code_*`,
// `sb_version`) or held by an `sb_error`: those are owned by their object.
//
// # Safety
//
// `s` must be NULL or a pointer (checked against signbridge's registry before use).
void sb_string_free(char *s);

// Free a list of strings and reset it to `{NULL, 0}`. NULL, `{NULL, 0}` and lists that are not
// live signbridge lists (already freed) are ignored. The strings it held become invalid.
//
// # Safety
//
// `strings` must be NULL or point to a readable and writable `sb_strings`.
void sb_strings_free(struct sb_strings *strings);

// Free the buffer of `bytes` and reset it to `{NULL, 0}`. NULL, `{NULL, 0}`, and buffers that
// are not live signbridge buffers (already freed) are ignored. The length freed is the one
// signbridge recorded, whatever `bytes->len` says. The buffer is overwritten with zeros before
// it is released (it may hold secret bytes, e.g. a downloaded document).
//
// # Safety
//
// `bytes` must be NULL or point to a readable and writable `sb_bytes`.
void sb_bytes_free(struct sb_bytes *bytes);

// The number of objects signbridge has handed out and not yet taken back: clients, statuses,
// cancel tokens, errors, strings, string lists, byte buffers and every other handle. A program (or its tests) can check that it
// reaches 0 after everything was freed. (Every such object stays registered until freed, so a
// leak checker such as valgrind reports a forgotten one as "still reachable", not "lost".)
size_t sb_live_objects(void);

// Create a verifier accepting deliveries that carry any of `n_keys` callback keys (the one
// registered with the operation `onespan.register_callback` through `sb_call`; give the old and
// the new one while rotating). The keys are kept only as SHA-256 digests. Stores it in
// `*out_verifier` (free with `sb_onespan_callback_verifier_free`).
//
// Errors: `SB_ERR_INVALID_ARGUMENT` (NULL array with `n_keys` > 0, a NULL or non-UTF-8 key, NULL
// `out_verifier`), `SB_ERR_AUTH_CONFIG_MISSING` (no key).
//
// # Safety
//
// `keys` must be NULL or point to `n_keys` string pointers; out pointers NULL or writable.
sb_code sb_onespan_callback_verifier_new(const char *const *keys,
                                         size_t n_keys,
                                         struct sb_onespan_callback_verifier **out_verifier,
                                         struct sb_error **out_error);

// Authenticate and parse one callback delivery: `authorization` is the request's
// `Authorization` header value (`Basic <key>`; NULL when it had none), `body` the raw body
// (`body_len` bytes). Returns `SB_OK` (answer HTTP 200 and act on it: fetch the package) and,
// when `out_event_json` is not NULL, the event as JSON (free with `sb_string_free`): `{"name",
// "package_id", "session_user", "message" (a decline reason), "document_id", "created_date",
// "raw"}`. Otherwise: `SB_ERR_WEBHOOK_INVALID` (no or wrong key: answer 401), `SB_ERR_PROTOCOL`
// (authentic but not a OneSpan event: answer 400), `SB_ERR_INVALID_ARGUMENT` (bad verifier
// handle, NULL `body` with `body_len` > 0). OneSpan does not re-send deliveries and signs no
// timestamp: make the handler idempotent per (name, package id, created date).
//
// # Safety
//
// `authorization` must be NULL or NUL-terminated; `body` NULL or `body_len` readable bytes; out
// pointers NULL or writable; `verifier` is checked before use.
sb_code sb_onespan_callback_verify(const struct sb_onespan_callback_verifier *verifier,
                                   const char *authorization,
                                   const uint8_t *body,
                                   size_t body_len,
                                   char **out_event_json,
                                   struct sb_error **out_error);

// Parse a callback body that was authenticated otherwise (e.g. OneSpan's OAuth 2.0 callback
// option checked by your own server): the event as JSON in `*out_event_json` (free with
// `sb_string_free`), or `SB_ERR_PROTOCOL` when it is not a OneSpan event.
//
// # Safety
//
// `body` must be NULL or point to `body_len` readable bytes; out pointers NULL or writable.
sb_code sb_onespan_parse_callback(const uint8_t *body,
                                  size_t body_len,
                                  char **out_event_json,
                                  struct sb_error **out_error);

// Free a callback verifier. NULL and pointers that are not live verifiers are ignored.
void sb_onespan_callback_verifier_free(struct sb_onespan_callback_verifier *verifier);

// Handle the signer's browser coming back to your redirect URL of signing session
// `session_id`. `returned_url` is the URL it came back to (full, or just its `?query`). A
// success is checked (its `relay_state` must equal `expected_relay_state` when that is not
// NULL, and so must the session's own; a `session_id` in the URL must be `session_id`), then the
// finished session's state is stored in `*out_status` (free with `sb_status_free`).
//
// An error in the URL returns its code without any request: `errorCode=CANCELLED` and the
// OAuth-style `error=access_denied` are `SB_ERR_CANCELLED` ("the signer cancelled the
// signing"), `DECLINED` is `SB_ERR_REJECTED`, `EXPIRED` is `SB_ERR_SESSION_EXPIRED`, other codes
// `SB_ERR_SIGNING_FAILED` (the error's `provider_code` and `provider_description` carry
// `errorCode`/`error` and `errorText`/`error_description`). A foreign relay state or session
// id, or an unparseable URL, is `SB_ERR_INVALID_ARGUMENT`. Otherwise as `sb_session_wait`.
//
// # Safety
//
// Strings must be NULL or NUL-terminated (`expected_relay_state` may be NULL); out pointers
// NULL or writable.
sb_code sb_session_complete_redirect(const struct sb_client *client,
                                     const char *session_id,
                                     const char *returned_url,
                                     const char *expected_relay_state,
                                     struct sb_status **out_status,
                                     struct sb_error **out_error);

// Describe, create and start a signing session in one call: every PDF is checked locally first
// (nothing is sent for a bad session), then the provider creates the session, receives the PDFs
// and starts it. `provider` is NULL (the configuration's choice: `{"signing": {"provider":
// "onespan"}}`, or the only document-signing provider configured) or `"zignsec"` /
// `"onespan"`. `session_json` describes the session (the one schema of every language):
//
// ```json
// {"title": "Employment contract",
//  "documents": [{"path": "contract.pdf", "fields": [{"signer": 0, "page": 1, "left": 60,
//                 "top": 650, "width": 200, "height": 50}]},
//                {"name": "annex.pdf", "base64": "JVBERi0..."}],
//  "signers": [{"id": "employee", "first_name": "Ann", "last_name": "Smith",
//               "email": "ann@example.com"}],
//  "redirects": {"success": "https://app.example/ok", "cancel": "...", "error": "..."},
//  "locale": "en",
//  "zignsec": {"relay_state": "...", "webhook": "...", "metadata": {}},
//  "onespan": {"description": "...", "email_message": "...", "due": "2030-01-31T12:00:00"}}
// ```
//
// (Field positions are PDF points from the page's top-left corner, pages from 1; ZignSec has
// one signer per session, OneSpan several, who sign in the order given.) Stores the started
// session in `*out_session` (free with `sb_signing_session_free`): its reference for every later
// call and each signer's URL.
//
// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, malformed JSON, unknown field, no document or
// signer, a field off the page or for an unknown signer, several signers for ZignSec, an unknown
// provider name), `SB_ERR_INVALID_DOCUMENT` (empty or not a PDF), `SB_ERR_IO` (a path cannot be
// read), `SB_ERR_AUTH_CONFIG_MISSING` (the provider is not configured), `SB_ERR_INVALID_CONFIG`
// (several providers configured and none chosen), the auth, transport and provider codes.
//
// # Safety
//
// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
sb_code sb_signing_start(const struct sb_client *client,
                         const char *provider,
                         const char *session_json,
                         struct sb_signing_session **out_session,
                         struct sb_error **out_error);

// The provider `sb_signing_start` uses with a NULL `provider`: `"zignsec"` or `"onespan"` in
// `*out_provider` (a static string: do not free). Errors as `sb_signing_start` for the choice.
//
// # Safety
//
// Out pointers must be NULL or writable.
sb_code sb_signing_provider(const struct sb_client *client,
                            const char **out_provider,
                            struct sb_error **out_error);

// The session's reference, `"zignsec:<id>"` or `"onespan:<id>"`: keep it (it is a plain string)
// and pass it to every later `sb_signing_*` call. NULL when `session` is NULL, freed or not an
// `sb_signing_session` (as for every accessor below).
const char *sb_signing_session_ref(const struct sb_signing_session *session);

// The provider that runs the session: `"zignsec"` or `"onespan"`.
const char *sb_signing_session_provider(const struct sb_signing_session *session);

// The provider's own id of the session (the reference without its `provider:` prefix): the
// OneSpan package id for the `onespan.*` operations of `sb_call`.
const char *sb_signing_session_provider_id(const struct sb_signing_session *session);

// The number of signers (0 for an invalid handle).
size_t sb_signing_session_signer_count(const struct sb_signing_session *session);

// Signer `index`'s id (given in the request, or `signer1`, `signer2`...; for OneSpan the role
// id). NULL when out of range.
const char *sb_signing_session_signer_id(const struct sb_signing_session *session,
                                         size_t index);

// Signer `index`'s full name. NULL when out of range.
const char *sb_signing_session_signer_name(const struct sb_signing_session *session,
                                           size_t index);

// Signer `index`'s signing page: send their browser there. NULL when out of range.
const char *sb_signing_session_signer_url(const struct sb_signing_session *session,
                                          size_t index);

// The whole started session as JSON: `{"id": "<ref>", "provider", "signers": [{"signer_id",
// "name", "url"}]}`.
const char *sb_signing_session_json(const struct sb_signing_session *session);

// Free a started session. NULL and pointers that are not live sessions are ignored.
void sb_signing_session_free(struct sb_signing_session *session);

// Read a session's state once. Stores it in `*out_state` (free with `sb_signing_state_free`). A
// declined, cancelled or expired session is a successful call here (its status says so);
// `sb_signing_wait` turns those into errors.
//
// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, malformed reference), `SB_ERR_NOT_FOUND`,
// `SB_ERR_AUTH_CONFIG_MISSING` (the reference's provider is not configured), the auth,
// transport and provider codes.
//
// # Safety
//
// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
sb_code sb_signing_status(const struct sb_client *client,
                          const char *session_ref,
                          struct sb_signing_state **out_state,
                          struct sb_error **out_error);

// The session's reference. NULL when `state` is NULL, freed or not an `sb_signing_state` (as for
// every accessor below).
const char *sb_signing_state_ref(const struct sb_signing_state *state);

// The session's status, the same words for every provider: `"Created"`, `"Pending"`,
// `"Finished"`, `"Cancelled"`, `"Rejected"` (declined or opted out), `"Failed"`, `"Expired"`, or
// the provider's own word for a state this version does not know.
const char *sb_signing_state_status(const struct sb_signing_state *state);

// Whether the status is final. False for an invalid handle.
bool sb_signing_state_is_final(const struct sb_signing_state *state);

// The number of signers (0 for an invalid handle).
size_t sb_signing_state_signer_count(const struct sb_signing_state *state);

// Signer `index`'s id; NULL when out of range.
const char *sb_signing_state_signer_id(const struct sb_signing_state *state,
                                       size_t index);

// Whether signer `index` has signed; false when out of range or `state` is invalid.
bool sb_signing_state_signer_signed(const struct sb_signing_state *state,
                                    size_t index);

// The whole state as JSON: `{"id": "<ref>", "status", "signers": [{"signer_id", "signed"}]}`.
const char *sb_signing_state_json(const struct sb_signing_state *state);

// Free a state. NULL and pointers that are not live states are ignored.
void sb_signing_state_free(struct sb_signing_state *state);

// Poll a session every `interval_ms` (0: the provider's recommended interval; at least 50)
// until it is final, for at most `timeout_ms` (0: no limit), blocking the calling thread.
// `cancel` (may be NULL) aborts the wait from another thread; `progress` (may be NULL) is called
// with each state polled (as `sb_signing_state_json` renders it) and `user_data`.
//
// Returns `SB_OK` with the finished session in `*out_completed` (free with
// `sb_signing_completed_free`), or the same codes for every provider: `SB_ERR_REJECTED`
// (declined or opted out; the message carries the signer's reason when the provider gives one),
// `SB_ERR_CANCELLED`, `SB_ERR_SESSION_EXPIRED`, `SB_ERR_SIGNING_FAILED`; `SB_ERR_TIMEOUT` after
// `timeout_ms`; `SB_ERR_ABORTED` when `cancel` was cancelled (the session goes on);
// `SB_ERR_INVALID_ARGUMENT` for a bad handle, reference or interval; non-retryable errors of a
// poll.
//
// # Safety
//
// Strings must be NULL or NUL-terminated; out pointers NULL or writable; `client` and `cancel`
// are checked before use; `progress`, when not NULL, must be a function of this signature.
sb_code sb_signing_wait(const struct sb_client *client,
                        const char *session_ref,
                        uint32_t interval_ms,
                        uint64_t timeout_ms,
                        const struct sb_cancel_token *cancel,
                        sb_progress_fn progress,
                        void *user_data,
                        struct sb_signing_completed **out_completed,
                        struct sb_error **out_error);

// The outcome of a session, read once without waiting: `SB_OK` with the finished session in
// `*out_completed`, the error its unsuccessful final state maps to (as `sb_signing_wait`), or
// `SB_ERR_INVALID_STATE` while it is still going on.
//
// # Safety
//
// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
sb_code sb_signing_result(const struct sb_client *client,
                          const char *session_ref,
                          struct sb_signing_completed **out_completed,
                          struct sb_error **out_error);

// The session's reference. NULL when `completed` is NULL, freed or not an
// `sb_signing_completed` (as for every accessor below).
const char *sb_signing_completed_ref(const struct sb_signing_completed *completed);

// The number of signed documents (0 for an invalid handle).
size_t sb_signing_completed_file_count(const struct sb_signing_completed *completed);

// Signed document `index`'s id, for `sb_signing_download`. NULL when out of range.
const char *sb_signing_completed_document_id(const struct sb_signing_completed *completed,
                                             size_t index);

// Signed document `index`'s name. NULL when out of range.
const char *sb_signing_completed_file_name(const struct sb_signing_completed *completed,
                                           size_t index);

// The whole result as JSON: `{"id": "<ref>", "files": [{"document_id", "name"}]}`.
const char *sb_signing_completed_json(const struct sb_signing_completed *completed);

// Free a result. NULL and pointers that are not live results are ignored.
void sb_signing_completed_free(struct sb_signing_completed *completed);

// Download one signed document (`document_id` from `sb_signing_completed_document_id`) into
// `*out_bytes` (free with `sb_bytes_free`), verified against the provider's checksum when it
// reports one (`SB_ERR_INTEGRITY` otherwise).
//
// # Safety
//
// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
sb_code sb_signing_download(const struct sb_client *client,
                            const char *session_ref,
                            const char *document_id,
                            struct sb_bytes *out_bytes,
                            struct sb_error **out_error);

// Save every signed document of `completed` into directory `dir` (created if missing), under
// the documents' names made safe (no directories, no clashes), each verified and written
// atomically. When `out_paths` is not NULL, stores the paths written, in order (free with
// `sb_strings_free`).
//
// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handles, NULL or empty `dir`), `SB_ERR_INTEGRITY`,
// `SB_ERR_IO`, the auth, transport and provider codes.
//
// # Safety
//
// `dir` must be NULL or NUL-terminated; out pointers NULL or writable; handles are checked.
sb_code sb_signing_save_all(const struct sb_client *client,
                            const struct sb_signing_completed *completed,
                            const char *dir,
                            struct sb_strings *out_paths,
                            struct sb_error **out_error);

// Stop a session that is still waiting for signers, where the provider allows it: OneSpan moves
// the transaction to the trash (its signing links stop working). ZignSec has no cancel call:
// `SB_ERR_INVALID_ARGUMENT` (its session ends when the signer cancels or it expires).
//
// # Safety
//
// Strings must be NULL or NUL-terminated; `out_error` NULL or writable.
sb_code sb_signing_cancel(const struct sb_client *client,
                          const char *session_ref,
                          struct sb_error **out_error);

// The session id. NULL when `status` is NULL, freed or not a status.
const char *sb_status_session_id(const struct sb_status *status);

// The session's state: `"Created"`, `"Pending"`, `"Finished"`, `"Cancelled"`, `"Rejected"`,
// `"Failed"`, `"Expired"`, or the provider's own spelling of a state this version does not know.
// NULL when `status` is NULL, freed or not a status.
const char *sb_status_state(const struct sb_status *status);

// Whether the state is final (Finished, Cancelled, Rejected, Failed or Expired).
// False when `status` is NULL, freed or not a status.
bool sb_status_is_final(const struct sb_status *status);

// Your `relay_state`, echoed by the provider; NULL when there is none (or `status` is invalid).
const char *sb_status_relay_state(const struct sb_status *status);

// The signer's name when the provider reports it (finished sessions); else NULL.
const char *sb_status_signer_name(const struct sb_status *status);

// The number of signed files (0 until the session is Finished, or when `status` is invalid).
size_t sb_status_signed_file_count(const struct sb_status *status);

// The file name of signed file `index` (0-based); NULL when out of range or `status` is invalid.
const char *sb_status_signed_file_name(const struct sb_status *status,
                                       size_t index);

// The file id of signed file `index` (0-based); NULL when out of range or `status` is invalid.
const char *sb_status_signed_file_id(const struct sb_status *status,
                                     size_t index);

// The md5 of signed file `index` (0-based) as the gateway reported it, as 32 lowercase hex
// digits (`md5sum`'s form; the JSON of `sb_status_json` has it in base64 as reported). NULL when
// no md5 was reported, `index` is out of range or `status` is invalid.
const char *sb_status_signed_file_md5_hex(const struct sb_status *status,
                                          size_t index);

// The whole status as JSON (the core's schema: `id`, `status`, `relay_state`, `errors`,
// `input_files`, `signed_files`, `signer`). NULL when `status` is invalid.
const char *sb_status_json(const struct sb_status *status);

// Free a status. NULL and pointers that are not live statuses are ignored. Strings previously
// returned by its accessors become invalid.
void sb_status_free(struct sb_status *status);

// Create a verifier accepting any of `n_secrets` secrets (give the old and the new one during a
// rotation). `tolerance_s` is the accepted distance in seconds between a delivery's timestamp
// and now (0: the default, 300; at most 86400, one day). Stores it in `*out_verifier` (free
// with `sb_webhook_verifier_free`). The secrets are copied.
//
// Errors: `SB_ERR_INVALID_ARGUMENT` (NULL array with `n_secrets` > 0, a NULL or non-UTF-8
// secret, NULL `out_verifier`, a tolerance above 86400 s), `SB_ERR_AUTH_CONFIG_MISSING` (no
// secret, or an empty one).
//
// # Safety
//
// `secrets` must be NULL or point to `n_secrets` string pointers (each NULL or NUL-terminated);
// out pointers NULL or writable.
sb_code sb_webhook_verifier_new(const char *const *secrets,
                                size_t n_secrets,
                                uint32_t tolerance_s,
                                struct sb_webhook_verifier **out_verifier,
                                struct sb_error **out_error);

// Like `sb_webhook_verifier_new`, remembering accepted deliveries in the store
// `replay_store_url` names, shared by every instance behind a load balancer:
// `redis://[:password@]host[:port][/db]` (NULL or `memory:`: this process's memory). A
// delivery the store cannot be reached for is refused (`SB_ERR_NETWORK`/`SB_ERR_TIMEOUT`:
// answer 5xx, the provider delivers it again).
//
// Errors: those of `sb_webhook_verifier_new`, and `SB_ERR_INVALID_CONFIG` for a URL that is
// not a replay store's (never repeated in the message: it may carry a password).
//
// # Safety
//
// As `sb_webhook_verifier_new`; `replay_store_url` NULL or NUL-terminated.
sb_code sb_webhook_verifier_new_shared(const char *const *secrets,
                                       size_t n_secrets,
                                       uint32_t tolerance_s,
                                       const char *replay_store_url,
                                       struct sb_webhook_verifier **out_verifier,
                                       struct sb_error **out_error);

// Authenticate a v5 delivery: `signature_header` is the value of the `X-ZignSec-Hmac-SHA256`
// header (`SB_WEBHOOK_SIGNATURE_HEADER`; NULL when the request had none), `body` the raw request
// body exactly as received (`body_len` bytes, before any parsing). Checks the HMAC-SHA256 over
// `t + "." + body` against every secret in constant time, the timestamp against the tolerance,
// and that this delivery was not accepted before.
//
// Returns `SB_OK` (answer HTTP 200 and act on it) and, when `out_event_json` is not NULL, the
// parsed event as JSON (free with `sb_string_free`): `{"event", "session_id", "integration_id",
// "relay_state", "status", "errors", "identity", "workflow_session_id", "raw"}`. Otherwise:
// `SB_ERR_WEBHOOK_INVALID` (no or malformed header, tampered body, wrong secret: answer 401),
// `SB_ERR_WEBHOOK_REPLAY` (timestamp outside the tolerance, or a delivery already accepted:
// answer 400 and do not act on it), `SB_ERR_PROTOCOL` (authentic but not the documented JSON),
// `SB_ERR_INVALID_ARGUMENT` (bad verifier handle, NULL `body` with `body_len` > 0).
//
// Thread-safe: call it from any number of threads with one shared verifier.
//
// # Safety
//
// `signature_header` must be NULL or NUL-terminated; `body` NULL or `body_len` readable bytes;
// out pointers NULL or writable; `verifier` is checked before use.
sb_code sb_webhook_verify(const struct sb_webhook_verifier *verifier,
                          const char *signature_header,
                          const uint8_t *body,
                          size_t body_len,
                          char **out_event_json,
                          struct sb_error **out_error);

// Authenticate a legacy (v2) delivery, whose header is `hex(HMAC-SHA256(secret, body))`. There
// is no timestamp, so no replay check: deduplicate by the event's session id yourself. Returns
// as `sb_webhook_verify` (never `SB_ERR_WEBHOOK_REPLAY`).
//
// # Safety
//
// As `sb_webhook_verify`.
sb_code sb_webhook_verify_legacy(const struct sb_webhook_verifier *verifier,
                                 const char *signature_header,
                                 const uint8_t *body,
                                 size_t body_len,
                                 char **out_event_json,
                                 struct sb_error **out_error);

// For tests and local simulators: the `X-ZignSec-Hmac-SHA256` value ZignSec v5 would send for
// `body` signed with `secret` at `timestamp` (Unix seconds, e.g. `time(NULL)`):
// `t=<timestamp>,v1=<hex>`. Stores it in `*out_header` (free with `sb_string_free`).
//
// Errors: `SB_ERR_INVALID_ARGUMENT` (NULL or non-UTF-8 secret, NULL `body` with `body_len` > 0,
// NULL `out_header`).
//
// # Safety
//
// `secret` must be NULL or NUL-terminated; `body` NULL or `body_len` readable bytes; out
// pointers NULL or writable.
sb_code sb_webhook_sign_v5(const char *secret,
                           uint64_t timestamp,
                           const uint8_t *body,
                           size_t body_len,
                           char **out_header,
                           struct sb_error **out_error);

// For tests and local simulators: the legacy (v2) signature of `body` with `secret`,
// `hex(HMAC-SHA256(secret, body))`. Otherwise as `sb_webhook_sign_v5`.
//
// # Safety
//
// As `sb_webhook_sign_v5`.
sb_code sb_webhook_sign_legacy(const char *secret,
                               const uint8_t *body,
                               size_t body_len,
                               char **out_header,
                               struct sb_error **out_error);

// Free a verifier. NULL and pointers that are not live verifiers are ignored. Calls still
// running on other threads finish normally (they hold their own reference).
void sb_webhook_verifier_free(struct sb_webhook_verifier *verifier);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* SIGNBRIDGE_H */

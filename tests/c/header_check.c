/* Compiled as C99 (-pedantic) and as C++ by scripts/c-test.sh: the header must be valid in both,
 * with C linkage for every function. Also linked into the install check (version_main.c). */
#include <signbridge.h>
#include <signbridge.h> /* twice: the include guard holds */

#ifdef __cplusplus
static_assert(sizeof(sb_code) == 4, "sb_code is int32_t");
#endif

/* Refer to every type and a function so that a broken declaration fails to compile. */
const char *header_check(void);
const char *header_check(void) {
    sb_error e;
    sb_bytes b;
    sb_placement p;
    sb_document d;
    sb_client *c = NULL;
    sb_status *s = NULL;
    sb_cancel_token *t = NULL;
    sb_webhook_verifier *v = NULL;
    sb_strings l;
    sb_progress_fn f = NULL;
    sb_signing_session *ss = NULL;
    sb_signing_state *st = NULL;
    sb_signing_completed *sc = NULL;
    sb_onespan_callback_verifier *ocv = NULL;
    (void)v;
    (void)l;
    (void)f;
    (void)ss;
    (void)st;
    (void)sc;
    (void)ocv;
    (void)e;
    (void)b;
    (void)p;
    (void)d;
    (void)c;
    (void)s;
    (void)t;
    if (SB_OK != 0 || SB_ERR_PANIC != 901 || SB_ERR_WEBHOOK_INVALID != 203) {
        return "bad codes";
    }
    if (sizeof SB_WEBHOOK_SIGNATURE_HEADER != sizeof "X-ZignSec-Hmac-SHA256") {
        return "bad codes";
    }
    if (0) { /* the generic entry points are declared as documented */
        char *out = NULL;
        sb_call(c, "securosys.list_keys", "{}", &out, NULL);
        sb_call_with(c, "securosys.wait_request", "{}", t, f, NULL, &out, NULL);
        sb_call(NULL, "zignsec.parse_redirect", "{\"returned_url\": \"?a=b\"}", &out, NULL);
        sb_string_free(sb_operations_json());
    }
    return sb_version() != NULL ? SIGNBRIDGE_VERSION : "no version";
}

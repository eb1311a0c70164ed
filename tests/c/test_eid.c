/* Browser-based eID sessions (the zignsec.eid_* operations through sb_call) and webhooks through
 * the C API, against the simulator: polling two (and more) products to an identity, the
 * browser's return (success, cancel, DECLINED, access_denied, a foreign relay state), and
 * webhook verification (a real delivery, its redelivery after a 500, tampered, wrong secret,
 * stale, replayed, legacy, shared by threads). */
#include "call.h"

#include <poll.h>
#include <pthread.h>
#include <strings.h>

static char g_resp[65536];

/* The path of an absolute URL on the simulator ("http://HOST:PORT/ui/eid/ID" -> "/ui/eid/ID"). */
static const char *url_path(const char *url) {
    const char *p = strstr(url, "://");
    return p != NULL && (p = strchr(p + 3, '/')) != NULL ? p : url;
}

/* The user opens the hosted page and identifies (or cancels) as `personal_number`; copies the
 * Location the browser is sent back to into `back` ("" when there is none). Returns the status. */
static int browser(const char *redirect_url, const char *personal_number, const char *action,
                   char *back, size_t cap) {
    char form[256];
    const char *loc;
    int status;
    back[0] = '\0';
    if (!CHECK(sim_request("GET", url_path(redirect_url), NULL, NULL, g_resp, sizeof g_resp) == 200)) {
        return -1;
    }
    CHECK(strstr(g_resp, personal_number) != NULL); /* the page lists the test user */
    snprintf(form, sizeof form, "personal_number=%s&action=%s", personal_number, action);
    status = sim_request("POST", url_path(redirect_url), "application/x-www-form-urlencoded", form,
                         g_resp, sizeof g_resp);
    loc = strstr(g_resp, "\r\nlocation: ");
    if (loc == NULL) {
        loc = strstr(g_resp, "\r\nLocation: ");
    }
    if (loc != NULL) {
        size_t n;
        loc += 12;
        n = strcspn(loc, "\r\n");
        if (n >= cap) {
            n = cap - 1;
        }
        memcpy(back, loc, n);
        back[n] = '\0';
    }
    return status;
}

/* POST /_sim/zignsec/sessions/{id}/{action} (complete, cancel, fail, expire). */
static int sim_eid(const char *session_id, const char *action, const char *json) {
    char path[512];
    snprintf(path, sizeof path, "/_sim/zignsec/sessions/%s/%s", session_id, action);
    return sim_control("POST", path, json ? json : "{}");
}

/* The products, as the eID operations name them: by name, or any gateway product by its path. */
#define P_BANKID_SE "\"product\": \"bankid_se\""
#define P_MITID "\"product\": \"mitid\""
#define P_MITID_CPR_MATCH "\"product\": \"mitid_cpr_match\""
#define P_FREJA "\"product\": \"freja\""
/* Freja's options, needed to create a session. */
#define FREJA_OPTIONS "\"freja\": {\"country\": \"SE\", \"ssn\": \"198212121236\"}"
#define P_BANKID_NO "\"product\": \"bankid_no\""
#define P_CORE_BANKID_SE "\"core\": {\"category\": \"identity_verification\", \"product\": \"bankid_se\"}"
#define P_V5_MITID "\"v5\": {\"provider\": \"mitid\", \"operation\": \"auth\"}"

/* zignsec.eid_create for `product` with the session envelope `session` (NULL: the defaults);
 * the session id (free it) and, in *url, the page to send the browser to (free it). */
static char *create(sb_client *c, const char *product, const char *session, char **url) {
    sb_error *err = NULL;
    cJSON *r = NULL;
    char *id = NULL;
    *url = NULL;
    CHECK_CODE(session != NULL ? callj(c, &r, &err, "zignsec.eid_create", "{%s, \"session\": %s}", product, session)
                               : callj(c, &r, &err, "zignsec.eid_create", "{%s}", product),
               SB_OK, err, product);
    if (jstr(r, "id") != NULL && jstr(r, "redirect_url") != NULL) {
        id = strdup(jstr(r, "id"));
        *url = strdup(jstr(r, "redirect_url"));
    }
    cJSON_Delete(r);
    return id;
}

/* zignsec.eid_result of session `id` (the result, cJSON_Delete it; NULL on failure). */
static cJSON *get_result(sb_client *c, const char *product, const char *id, sb_error **err) {
    cJSON *r = NULL;
    CHECK_CODE(callj(c, &r, err, "zignsec.eid_result", "{%s, \"session_id\": \"%s\"}", product, id), SB_OK, *err,
               "eid_result");
    return r;
}

/* zignsec.eid_wait through sb_call_with (`cancel` may be NULL); the result in *out when it is
 * not NULL (cJSON_Delete it). */
static sb_code wait_eid(sb_client *c, const char *product, const char *id, unsigned interval_ms, unsigned timeout_ms,
                        const sb_cancel_token *cancel, cJSON **out, sb_error **err) {
    return callw(c, out, err, cancel, NULL, NULL, "zignsec.eid_wait",
                 "{%s, \"session_id\": \"%s\", \"interval_ms\": %u, \"timeout_ms\": %u}", product, id, interval_ms,
                 timeout_ms);
}

/* zignsec.eid_complete_redirect (`expected` NULL: not given). */
static sb_code complete_redirect(sb_client *c, const char *product, const char *id, const char *returned,
                                 const char *expected, cJSON **out, sb_error **err) {
    char *url = jquote(returned);
    sb_code rc;
    if (expected != NULL) {
        rc = callj(c, out, err, "zignsec.eid_complete_redirect",
                   "{%s, \"session_id\": \"%s\", \"returned_url\": %s, \"expected_relay_state\": \"%s\"}", product, id,
                   url, expected);
    } else {
        rc = callj(c, out, err, "zignsec.eid_complete_redirect", "{%s, \"session_id\": \"%s\", \"returned_url\": %s}",
                   product, id, url);
    }
    free(url);
    return rc;
}

/* zignsec.parse_redirect, which needs no client. */
static cJSON *parse_redirect(const char *returned) {
    sb_error *err = NULL;
    cJSON *r = NULL;
    char *url = jquote(returned);
    CHECK_CODE(callj(NULL, &r, &err, "zignsec.parse_redirect", "{\"returned_url\": %s}", url), SB_OK, err,
               "parse_redirect");
    free(url);
    return r;
}

/* A status the session can no longer leave. */
static int is_final(const cJSON *r) {
    const char *s = jstr(r, "status");
    return s != NULL && (streq(s, "Finished") || streq(s, "Cancelled") || streq(s, "Rejected") || streq(s, "Failed") ||
                         streq(s, "Expired"));
}

/* A field of the identified person ("identity"), or NULL. */
static const char *who(const cJSON *r, const char *field) { return jstr(jget(r, "identity"), field); }

#define ENVELOPE(relay, extra)                                                                     \
    "{\"redirect_success\": \"https://app.example/ok\","                                         \
    " \"redirect_failure\": \"https://app.example/fail\", \"relay_state\": \"" relay "\"" extra "}"

/* Polling: BankID SE on the hosted page, MitID and the v5 MitID through the control API. */
static void test_polling(sb_client *c) {
    sb_error *err = NULL;
    cJSON *r = NULL;
    char *url = NULL, back[1024];
    char *id = create(c, P_BANKID_SE, ENVELOPE("se-1", ", \"locale\": \"En\""), &url);
    CHECK(id != NULL && url != NULL && strstr(url, "/ui/eid/") != NULL);

    r = get_result(c, P_BANKID_SE, id, &err);
    CHECK(streq(jstr(r, "id"), id));
    CHECK(streq(jstr(r, "status"), "Created"));
    CHECK(!is_final(r));
    CHECK(streq(jstr(r, "relay_state"), "se-1"));
    CHECK(who(r, "full_name") == NULL && who(r, "personal_number") == NULL);
    cJSON_Delete(r);
    r = NULL;

    CHECK(browser(url, "199001011234", "identify", back, sizeof back) == 303);
    CHECK(strncmp(back, "https://app.example/ok", 22) == 0);
    CHECK_CODE(wait_eid(c, P_BANKID_SE, id, 100, 20000, NULL, &r, &err), SB_OK, err, "wait se");
    CHECK(streq(jstr(r, "status"), "Finished") && is_final(r));
    CHECK(streq(jstr(r, "relay_state"), "se-1"));
    CHECK(streq(who(r, "full_name"), "Astrid Lindqvist"));
    CHECK(streq(who(r, "first_name"), "Astrid"));
    CHECK(streq(who(r, "last_name"), "Lindqvist"));
    CHECK(streq(who(r, "personal_number"), "199001011234"));
    CHECK(streq(who(r, "date_of_birth"), "1990-01-01"));
    CHECK(streq(who(r, "country_code"), "SE"));
    CHECK(cJSON_IsObject(jget(jget(r, "raw_result"), "identity")));
    CHECK(streq(who(r, "gender"), "female"));
    cJSON_Delete(r);
    r = NULL;
    /* The same session read through the product's path. */
    r = get_result(c, P_CORE_BANKID_SE, id, &err);
    CHECK(streq(jstr(r, "status"), "Finished"));
    cJSON_Delete(r);
    r = NULL;
    free(id);
    free(url);

    /* MitID, completed through the control API as the page would. */
    id = create(c, P_MITID, ENVELOPE("dk-1", ", \"metadata\": {\"level\": \"Substantial\"}"), &url);
    CHECK(sim_eid(id, "complete", "{\"personal_number\": \"0101901234\"}") == 200);
    CHECK_CODE(wait_eid(c, P_MITID, id, 100, 20000, NULL, &r, &err), SB_OK, err, "wait mitid");
    CHECK(streq(who(r, "full_name"), "Mette Hansen"));
    CHECK(streq(who(r, "country_code"), "DK"));
    CHECK(streq(jstr(r, "relay_state"), "dk-1"));
    cJSON_Delete(r);
    r = NULL;
    free(id);
    free(url);

    /* A v5 product by its path, created with the defaults (no session envelope). */
    id = create(c, P_V5_MITID, NULL, &url);
    CHECK(sim_eid(id, "complete", NULL) == 200);
    CHECK_CODE(wait_eid(c, P_V5_MITID, id, 100, 20000, NULL, &r, &err), SB_OK, err, "wait v5");
    CHECK(streq(jstr(r, "status"), "Finished"));
    CHECK(cJSON_IsNull(jget(r, "relay_state")));
    CHECK(streq(who(r, "personal_number"), "0101901234"));
    cJSON_Delete(r);
    r = NULL;
    free(id);
    free(url);

    /* An unknown product path: the gateway answers 404. */
    CHECK(callj(c, &r, &err, "zignsec.eid_create",
                "{\"core\": {\"category\": \"identity_verification\", \"product\": \"nope\"}}") == SB_ERR_NOT_FOUND);
    CHECK(r == NULL && err != NULL && err->http_status == 404);
    sb_error_free(err);
}

/* The browser's return: success, a foreign relay state, cancel, DECLINED, access_denied. */
static void test_redirects(sb_client *c) {
    sb_error *err = NULL;
    cJSON *r = NULL, *parsed;
    char *url = NULL, back[1024], forged[512];
    char *id = create(c, P_FREJA ", " FREJA_OPTIONS, ENVELOPE("fr-1", ""), &url);
    CHECK(browser(url, "198212121236", "identify", back, sizeof back) == 303);
    CHECK(strstr(back, "relay_state=fr-1") != NULL && id != NULL && strstr(back, id) != NULL);
    CHECK_CODE(complete_redirect(c, P_FREJA, id, back, "fr-1", &r, &err), SB_OK, err, "complete_redirect (success)");
    CHECK(streq(who(r, "full_name"), "Karin Berg"));
    CHECK(streq(jstr(r, "relay_state"), "fr-1"));
    cJSON_Delete(r);
    r = NULL;
    /* No expected relay state: not checked. */
    CHECK_CODE(complete_redirect(c, P_FREJA, id, back, NULL, &r, &err), SB_OK, err,
               "complete_redirect (no relay check)");
    cJSON_Delete(r);
    r = NULL;
    /* A relay state that is not ours: refused. */
    CHECK(complete_redirect(c, P_FREJA, id, back, "someone-else", &r, &err) == SB_ERR_INVALID_ARGUMENT);
    CHECK(r == NULL && err != NULL && strstr(err->message, "relay_state") != NULL);
    sb_error_free(err);
    err = NULL;
    /* Login CSRF: a crafted URL to this (someone else's) finished session, without a relay state
       or with the one the application expects, is refused: the session was created with another. */
    snprintf(forged, sizeof forged, "https://app.example/ok?session_id=%s", id);
    CHECK(complete_redirect(c, P_FREJA, id, forged, "victim", &r, &err) == SB_ERR_INVALID_ARGUMENT);
    CHECK(r == NULL && err != NULL && strstr(err->message, "relay_state") != NULL);
    sb_error_free(err);
    err = NULL;
    snprintf(forged, sizeof forged, "https://app.example/ok?session_id=%s&relay_state=victim", id);
    CHECK(complete_redirect(c, P_FREJA, id, forged, "victim", &r, &err) == SB_ERR_INVALID_ARGUMENT);
    CHECK(r == NULL && err != NULL && strstr(err->message, "relay_state") != NULL);
    sb_error_free(err);
    err = NULL;
    /* The URL names another session: refused. */
    CHECK(complete_redirect(c, P_FREJA, "another-session", back, NULL, &r, NULL) == SB_ERR_INVALID_ARGUMENT);
    parsed = parse_redirect(back);
    CHECK(cJSON_IsTrue(jget(parsed, "success")) && streq(jstr(parsed, "relay_state"), "fr-1"));
    cJSON_Delete(parsed);
    free(id);
    free(url);

    /* Cancel on the page: errorCode=CANCELLED, no request needed; polling says CANCELLED_BY_USER. */
    id = create(c, P_BANKID_SE, ENVELOPE("se-2", ""), &url);
    CHECK(browser(url, "199001011234", "cancel", back, sizeof back) == 303);
    CHECK(strncmp(back, "https://app.example/fail", 24) == 0 && strstr(back, "errorCode=CANCELLED") != NULL);
    CHECK(complete_redirect(c, P_BANKID_SE, id, back, "se-2", &r, &err) == SB_ERR_CANCELLED);
    CHECK(r == NULL && err != NULL && streq(err->provider_code, "CANCELLED"));
    CHECK(err != NULL && err->provider_description != NULL && strstr(err->provider_description, "cancelled") != NULL);
    sb_error_free(err);
    CHECK(wait_eid(c, P_BANKID_SE, id, 100, 20000, NULL, &r, &err) == SB_ERR_CANCELLED);
    CHECK(r == NULL && err != NULL && streq(err->provider_code, "CANCELLED_BY_USER") && err->http_status == 410);
    sb_error_free(err);
    r = get_result(c, P_BANKID_SE, id, &err);
    CHECK(streq(jstr(r, "status"), "Cancelled") && is_final(r));
    {
        char *text = jtext(r);
        CHECK(text != NULL && strstr(text, "CANCELLED_BY_USER") != NULL);
        free(text);
    }
    cJSON_Delete(r);
    r = NULL;
    parsed = parse_redirect(back);
    CHECK(cJSON_IsFalse(jget(parsed, "success")) && streq(jstr(parsed, "error_code"), "CANCELLED"));
    cJSON_Delete(parsed);
    free(id);
    free(url);

    /* MitID CPR match with another person: DECLINED is SB_ERR_REJECTED, from the URL and polling. */
    id = create(c, P_MITID_CPR_MATCH, ENVELOPE("dk-2", ", \"metadata\": {\"cpr_number\": \"0101901234\"}"), &url);
    CHECK(browser(url, "1505851237", "identify", back, sizeof back) == 303);
    CHECK(strstr(back, "errorCode=DECLINED") != NULL);
    CHECK(complete_redirect(c, P_MITID_CPR_MATCH, id, back, "dk-2", &r, &err) == SB_ERR_REJECTED);
    CHECK(err != NULL && streq(err->provider_code, "DECLINED"));
    sb_error_free(err);
    CHECK(wait_eid(c, P_MITID_CPR_MATCH, id, 100, 20000, NULL, &r, &err) == SB_ERR_REJECTED);
    CHECK(err != NULL && streq(err->provider_code, "DECLINED") && err->http_status == 403);
    sb_error_free(err);
    free(id);
    free(url);

    /* BankID NO: the OAuth-style error=access_denied is a cancel. */
    id = create(c, P_BANKID_NO, ENVELOPE("no-1", ""), &url);
    CHECK(browser(url, "06046517928", "cancel", back, sizeof back) == 303);
    CHECK(strstr(back, "error=access_denied") != NULL);
    CHECK(complete_redirect(c, P_BANKID_NO, id, back, "no-1", &r, &err) == SB_ERR_CANCELLED);
    CHECK(err != NULL && streq(err->provider_code, "access_denied"));
    sb_error_free(err);
    /* Only the query: also accepted; an unknown error word is a failure. */
    CHECK(complete_redirect(c, P_BANKID_NO, id, "?errorCode=SOMETHING", NULL, &r, NULL) == SB_ERR_SIGNING_FAILED);
    CHECK(complete_redirect(c, P_BANKID_NO, id, "?errorCode=EXPIRED", NULL, &r, NULL) == SB_ERR_SESSION_EXPIRED);
    free(id);
    free(url);
}

/* Timeout, abort through a cancel token, expiry. */
static void test_wait_endings(sb_client *c) {
    sb_error *err = NULL;
    cJSON *r = NULL;
    sb_cancel_token *t = sb_cancel_token_new();
    char *url = NULL;
    char *id = create(c, P_FREJA ", " FREJA_OPTIONS, NULL, &url);
    double t0 = now_s();
    CHECK(wait_eid(c, P_FREJA, id, 50, 300, NULL, &r, &err) == SB_ERR_TIMEOUT);
    CHECK(r == NULL && now_s() - t0 < 10.0);
    sb_error_free(err);
    CHECK(sb_cancel_token_cancel(t, NULL) == SB_OK);
    CHECK(callw(c, &r, NULL, t, NULL, NULL, "zignsec.eid_wait", "{%s, \"session_id\": \"%s\", \"interval_ms\": 50}",
                P_FREJA, id) == SB_ERR_ABORTED);
    CHECK(sim_eid(id, "expire", NULL) == 200);
    CHECK(wait_eid(c, P_FREJA, id, 50, 20000, NULL, &r, &err) == SB_ERR_SESSION_EXPIRED);
    CHECK(err != NULL && streq(err->provider_code, "SESSION_EXPIRED"));
    sb_error_free(err);
    sb_cancel_token_free(t);
    free(id);
    free(url);
}

/* ---- webhooks ---- */

static const char BODY[] =
    "{\"event\":\"session_finished\",\"id\":\"s1\",\"integration_id\":\"Zignsec.v5.bankid_se\","
    "\"relay_state\":\"order-7\",\"result\":{\"errors\":[],\"status\":\"Finished\","
    "\"eventSpecificData\":{\"identity\":{\"fullName\":\"Astrid Lindqvist\","
    "\"personalNumber\":\"199001011234\",\"countryCode\":\"SE\"}}},\"workflow_session_id\":null}";

static char *sign_at(const char *secret, uint64_t t, const char *body) {
    char *h = NULL;
    sb_error *err = NULL;
    CHECK_CODE(sb_webhook_sign_v5(secret, t, (const uint8_t *)body, strlen(body), &h, &err), SB_OK, err,
               "sign_v5");
    sb_error_free(err);
    return h;
}

static sb_webhook_verifier *verifier(const char *const *secrets, size_t n, uint32_t tolerance) {
    sb_webhook_verifier *v = NULL;
    sb_error *err = NULL;
    CHECK_CODE(sb_webhook_verifier_new(secrets, n, tolerance, &v, &err), SB_OK, err, "verifier_new");
    sb_error_free(err);
    return v;
}

static sb_code verify(sb_webhook_verifier *v, const char *header, const char *body, char **json) {
    return sb_webhook_verify(v, header, (const uint8_t *)body, strlen(body), json, NULL);
}

/* Deliveries built here with known timestamps. */
static void test_verify_local(void) {
    const char *secrets[2] = {"an-old-secret", "whsec-sim-0001"};
    const char *wrong[1] = {"wrong"};
    sb_webhook_verifier *v = verifier(secrets, 2, 0);
    sb_webhook_verifier *w = verifier(wrong, 1, 0);
    sb_webhook_verifier *lenient = verifier(secrets + 1, 1, 3600);
    uint64_t now = (uint64_t)time(NULL);
    char *good = sign_at("whsec-sim-0001", now, BODY);
    char *old = sign_at("an-old-secret", now - 5, BODY); /* the other secret of a rotation */
    char *stale = sign_at("whsec-sim-0001", now - 1000, BODY);
    char *future = sign_at("whsec-sim-0001", now + 1000, BODY);
    char *json = NULL, *legacy = NULL, tampered[sizeof BODY];
    sb_error *err = NULL;

    CHECK_CODE(sb_webhook_verify(v, good, (const uint8_t *)BODY, strlen(BODY), &json, &err), SB_OK, err, "verify");
    CHECK(json != NULL && strstr(json, "\"event\":\"session_finished\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"relay_state\":\"order-7\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"full_name\":\"Astrid Lindqvist\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"status\":\"Finished\"") != NULL);
    sb_string_free(json);
    json = NULL;
    /* The same delivery again: a replay. */
    CHECK(sb_webhook_verify(v, good, (const uint8_t *)BODY, strlen(BODY), &json, &err) == SB_ERR_WEBHOOK_REPLAY);
    CHECK(json == NULL && err != NULL && streq(err->name, "SB_ERR_WEBHOOK_REPLAY"));
    sb_error_free(err);
    CHECK(verify(v, old, BODY, NULL) == SB_OK); /* out_event_json is optional */
    /* Tampered body, wrong secret, stale and future timestamps, replay across a rotation. */
    memcpy(tampered, BODY, sizeof BODY);
    tampered[strlen(BODY) - 30] ^= 1;
    {
        char *fresh = sign_at("whsec-sim-0001", now - 1, BODY);
        CHECK(sb_webhook_verify(v, fresh, (const uint8_t *)tampered, strlen(tampered), NULL, &err) ==
              SB_ERR_WEBHOOK_INVALID);
        CHECK(err != NULL && strstr(err->message, "401") != NULL && !err->retryable);
        sb_error_free(err);
        CHECK(verify(w, fresh, BODY, NULL) == SB_ERR_WEBHOOK_INVALID); /* wrong secret */
        CHECK(verify(v, fresh, BODY, NULL) == SB_OK);                  /* untouched: fine */
        sb_string_free(fresh);
    }
    CHECK(verify(v, stale, BODY, NULL) == SB_ERR_WEBHOOK_REPLAY);
    CHECK(verify(v, future, BODY, NULL) == SB_ERR_WEBHOOK_REPLAY);
    CHECK(verify(lenient, stale, BODY, NULL) == SB_OK); /* tolerance 3600 s */
    CHECK(verify(lenient, stale, BODY, NULL) == SB_ERR_WEBHOOK_REPLAY);
    /* A missing, empty or malformed header is an invalid delivery (401), not a bad argument. */
    CHECK(verify(v, NULL, BODY, NULL) == SB_ERR_WEBHOOK_INVALID);
    CHECK(verify(v, "", BODY, NULL) == SB_ERR_WEBHOOK_INVALID);
    CHECK(verify(v, "t=abc,v1=00", BODY, NULL) == SB_ERR_WEBHOOK_INVALID);
    CHECK(verify(v, "t=1,v1=zz", BODY, NULL) == SB_ERR_WEBHOOK_INVALID);
    CHECK(verify(v, "\xff\xfe", BODY, NULL) == SB_ERR_WEBHOOK_INVALID);
    /* An authentic body that is not the documented JSON. */
    {
        char *h = sign_at("whsec-sim-0001", now, "not json");
        CHECK(verify(v, h, "not json", NULL) == SB_ERR_PROTOCOL);
        sb_string_free(h);
    }
    /* The legacy scheme: hex(HMAC(secret, body)), no timestamp. */
    CHECK_CODE(sb_webhook_sign_legacy("an-old-secret", (const uint8_t *)BODY, strlen(BODY), &legacy, &err), SB_OK,
               err, "sign_legacy");
    CHECK(legacy != NULL && strlen(legacy) == 64);
    CHECK(sb_webhook_verify_legacy(v, legacy, (const uint8_t *)BODY, strlen(BODY), &json, &err) == SB_OK);
    CHECK(json != NULL && strstr(json, "\"session_id\":\"s1\"") != NULL);
    sb_string_free(json);
    CHECK(sb_webhook_verify_legacy(w, legacy, (const uint8_t *)BODY, strlen(BODY), NULL, NULL) == SB_ERR_WEBHOOK_INVALID);
    CHECK(sb_webhook_verify_legacy(v, legacy, (const uint8_t *)tampered, strlen(tampered), NULL, NULL) ==
          SB_ERR_WEBHOOK_INVALID);
    CHECK(sb_webhook_verify_legacy(v, "zz", (const uint8_t *)BODY, strlen(BODY), NULL, NULL) == SB_ERR_WEBHOOK_INVALID);
    CHECK(sb_webhook_verify_legacy(v, good, (const uint8_t *)BODY, strlen(BODY), NULL, NULL) == SB_ERR_WEBHOOK_INVALID);
    CHECK(strcmp(SB_WEBHOOK_SIGNATURE_HEADER, "X-ZignSec-Hmac-SHA256") == 0);

    sb_string_free(legacy);
    sb_string_free(good);
    sb_string_free(old);
    sb_string_free(stale);
    sb_string_free(future);
    sb_webhook_verifier_free(v);
    sb_webhook_verifier_free(w);
    sb_webhook_verifier_free(lenient);
}

/* One verifier shared by threads: each fresh delivery is accepted once, the same delivery
 * presented by every thread is accepted by exactly one of them. */
#define THREADS 4
#define PER_THREAD 8
static sb_webhook_verifier *g_shared;
static char *g_same;
static int g_accepted_same;
static uint64_t g_base; /* one clock reading for all threads, so their timestamps never collide */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static void *verify_worker(void *arg) {
    int k = *(int *)arg, i, ok = 1;
    for (i = 0; i < PER_THREAD; i++) {
        /* Distinct timestamps make distinct deliveries of the same body. */
        char *h = NULL;
        if (sb_webhook_sign_v5("whsec-sim-0001", g_base - 100 - (uint64_t)(k * PER_THREAD + i), (const uint8_t *)BODY,
                               strlen(BODY), &h, NULL) != SB_OK ||
            verify(g_shared, h, BODY, NULL) != SB_OK) {
            ok = 0;
        }
        sb_string_free(h);
    }
    if (verify(g_shared, g_same, BODY, NULL) == SB_OK) {
        pthread_mutex_lock(&g_lock);
        g_accepted_same++;
        pthread_mutex_unlock(&g_lock);
    }
    *(int *)arg = ok;
    return NULL;
}

static void test_verify_threads(void) {
    const char *secrets[1] = {"whsec-sim-0001"};
    pthread_t th[THREADS];
    int args[THREADS], i;
    g_shared = verifier(secrets, 1, 0);
    g_base = (uint64_t)time(NULL);
    g_same = sign_at("whsec-sim-0001", g_base - 50, BODY);
    for (i = 0; i < THREADS; i++) {
        args[i] = i;
        CHECK(pthread_create(&th[i], NULL, verify_worker, &args[i]) == 0);
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        CHECK(args[i] == 1);
    }
    CHECK(g_accepted_same == 1);
    sb_string_free(g_same);
    sb_webhook_verifier_free(g_shared);
}

/* ---- a real delivery from the simulator, to a receiver on a socket of this process ---- */

typedef struct {
    char signature[256];
    char *body;
    size_t len;
} delivery_t;

/* Accept one delivery on `listener` (waiting up to 15 s), answer `status`, fill `d`. */
static int receive(int listener, int status, delivery_t *d) {
    struct pollfd pfd;
    char head[8192], answer[128];
    size_t got = 0, clen = 0, hlen;
    char *end, *p;
    ssize_t n;
    int fd;
    memset(d, 0, sizeof *d);
    pfd.fd = listener;
    pfd.events = POLLIN;
    if (poll(&pfd, 1, 15000) != 1 || (fd = accept(listener, NULL, NULL)) < 0) {
        return 0;
    }
    /* Read the head, then the body by Content-Length. */
    while ((end = (got > 0 ? strstr(head, "\r\n\r\n") : NULL)) == NULL) {
        if (got >= sizeof head - 1 || (n = read(fd, head + got, sizeof head - 1 - got)) <= 0) {
            close(fd);
            return 0;
        }
        got += (size_t)n;
        head[got] = '\0';
    }
    hlen = (size_t)(end - head) + 4;
    for (p = head; p != NULL && p < end; p = strstr(p, "\r\n") ? strstr(p, "\r\n") + 2 : NULL) {
        if (strncasecmp(p, "content-length:", 15) == 0) {
            clen = (size_t)strtoul(p + 15, NULL, 10);
        } else if (strncasecmp(p, SB_WEBHOOK_SIGNATURE_HEADER ":", strlen(SB_WEBHOOK_SIGNATURE_HEADER) + 1) == 0) {
            const char *v = p + strlen(SB_WEBHOOK_SIGNATURE_HEADER) + 1;
            size_t vl;
            while (*v == ' ') {
                v++;
            }
            vl = strcspn(v, "\r\n");
            if (vl < sizeof d->signature) {
                memcpy(d->signature, v, vl);
                d->signature[vl] = '\0';
            }
        }
    }
    d->body = (char *)malloc(clen + 1);
    if (d->body == NULL) {
        abort();
    }
    d->len = got - hlen < clen ? got - hlen : clen;
    memcpy(d->body, head + hlen, d->len);
    while (d->len < clen && (n = read(fd, d->body + d->len, clen - d->len)) > 0) {
        d->len += (size_t)n;
    }
    d->body[d->len] = '\0';
    snprintf(answer, sizeof answer, "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
    if (write(fd, answer, strlen(answer)) < 0) {
        /* the sender gave up: nothing to do */
    }
    close(fd);
    return d->len == clen;
}

static void test_real_delivery(sb_client *c) {
    const char *secrets[2] = {"an-old-secret", "whsec-sim-0001"};
    sb_webhook_verifier *v = verifier(secrets, 2, 0);
    struct sockaddr_in addr;
    socklen_t alen = sizeof addr;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    char req[512], *url = NULL, *id = NULL, *json = NULL;
    delivery_t created, first, again;
    sb_error *err = NULL;

    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(listener >= 0 && bind(listener, (struct sockaddr *)&addr, sizeof addr) == 0 && listen(listener, 8) == 0);
    CHECK(getsockname(listener, (struct sockaddr *)&addr, &alen) == 0);
    snprintf(req, sizeof req, "{\"relay_state\": \"hook-se\", \"webhook\": \"http://127.0.0.1:%d/hook\"}",
             (int)ntohs(addr.sin_port));
    id = create(c, P_BANKID_SE, req, &url);

    CHECK(receive(listener, 200, &created));
    CHECK_CODE(sb_webhook_verify(v, created.signature, (const uint8_t *)created.body, created.len, &json, &err), SB_OK,
               err, "verify session_created");
    CHECK(json != NULL && strstr(json, "\"event\":\"session_created\"") != NULL);
    sb_string_free(json);
    json = NULL;

    /* The user identifies; the receiver fails the first finished delivery with a 500. */
    CHECK(sim_eid(id, "complete", NULL) == 200);
    CHECK(receive(listener, 500, &first));
    CHECK(verify(v, first.signature, first.body, NULL) == SB_OK);
    /* It comes again (1 s later on the simulated clock), signed anew: not a replay. */
    CHECK(receive(listener, 200, &again));
    CHECK(again.len == first.len && again.body != NULL && first.body != NULL &&
          memcmp(again.body, first.body, first.len) == 0);
    CHECK(!streq(again.signature, first.signature));
    CHECK_CODE(sb_webhook_verify(v, again.signature, (const uint8_t *)again.body, again.len, &json, &err), SB_OK, err,
               "verify redelivery");
    CHECK(json != NULL && strstr(json, "\"event\":\"session_finished\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"relay_state\":\"hook-se\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"personal_number\":\"199001011234\"") != NULL);
    CHECK(json != NULL && strstr(json, id) != NULL);
    sb_string_free(json);
    /* Presented twice: a replay. Tampered: invalid. */
    CHECK(verify(v, again.signature, again.body, NULL) == SB_ERR_WEBHOOK_REPLAY);
    if (again.body != NULL && again.len > 20) {
        again.body[again.len - 20] ^= 1;
        CHECK(verify(v, again.signature, again.body, NULL) == SB_ERR_WEBHOOK_INVALID);
    }
    {
        /* The simulator's log saw a 500 then a 200 for the finished event. */
        char path[256];
        CHECK(sim_request("GET", "/_sim/webhooks", NULL, NULL, g_resp, sizeof g_resp) == 200);
        snprintf(path, sizeof path, "\"session_id\":\"%s\"", id);
        CHECK(strstr(g_resp, path) != NULL && strstr(g_resp, "\"status\":500") != NULL);
    }
    free(created.body);
    free(first.body);
    free(again.body);
    close(listener);
    free(id);
    free(url);
    sb_webhook_verifier_free(v);
}

int main(void) {
    sb_client *client = sim_client();
    test_polling(client);
    test_redirects(client);
    test_wait_endings(client);
    test_verify_local();
    test_verify_threads();
    test_real_delivery(client);
    sb_client_free(client);
    return finish("test_eid");
}

/* Securosys Primus HSM (TSB REST API) through sb_call / sb_call_with, against the simulator (real keys and
 * signatures): every key type creates, signs, verifies here and with `openssl` from the exported
 * public key; a tampered payload fails; a key with a 2-of-3 quorum signs asynchronously after the
 * second approval (approvers act through sb_call, with keys made by "securosys.approver_key") and is rejected when approvers reject; a
 * deleted key is not found; the wrong role's key fails before anything is sent (the simulator's
 * request log proves it); a JWT required by the simulator works (static, from a file, or from an
 * OAuth2 token source), a wrong one is SB_ERR_AUTH; no secret appears in an error; certificates
 * and CSRs made by the HSM (synchronously and with approvals) pass openssl's checks.
 *
 * Environment: harness.h's; SIGNBRIDGE_TEST_RSA4096=1 adds RSA 4096 (slow to generate in the
 * simulator's debug build: scripts/c-test.sh sets it for the plain suite only). */
#include "call.h"

#include <openssl/sha.h>
#include <pthread.h>

static char g_resp[65536];
static int g_local_marker;
static char g_dir[512];
static char g_label_prefix[64];

/* A label unique to this run: "<prefix>-<name>". */
static const char *label(char *buf, size_t cap, const char *name) {
    snprintf(buf, cap, "%s-%s", g_label_prefix, name);
    return buf;
}

/* Does `s` contain any of the configured secrets? */
static int has_secret(const char *s) {
    const char *envs[5] = {"SECUROSYS_KEY_MANAGEMENT_KEY", "SECUROSYS_KEY_OPERATION_KEY",
                           "SECUROSYS_APPROVER_KEY", "SECUROSYS_SERVICE_KEY", "SECUROSYS_JWT"};
    int i;
    if (s == NULL) {
        return 0;
    }
    for (i = 0; i < 5; i++) {
        const char *v = tsb_key(envs[i]);
        if (v[0] != '\0' && strstr(s, v) != NULL) {
            return 1;
        }
    }
    return strstr(s, "wrong-jwt-") != NULL || strstr(s, "TOPSECRET") != NULL;
}

/* No field of `err` carries a secret. */
static void check_no_secret(const sb_error *err, const char *what) {
    if (!CHECK(err == NULL || (!has_secret(err->message) && !has_secret(err->provider_code) &&
                               !has_secret(err->provider_description)))) {
        fprintf(stderr, "  %s: a secret in the error: %s\n", what, err->message);
    }
}

/* Write `len` bytes to DIR/name; the path in `path`. */
static void put_file(char *path, size_t cap, const char *name, const void *data, size_t len) {
    snprintf(path, cap, "%s/%s", g_dir, name);
    if (!write_file(path, data, len)) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
}

/* Does `openssl <args>` on the PEM text (as -in) print something containing `needle`? */
static int openssl_says(const char *pem, const char *args, const char *needle) {
    char p[600], cmd[1400], out[8192];
    size_t got = 0, n;
    FILE *f;
    put_file(p, sizeof p, "in.pem", pem, strlen(pem));
    snprintf(cmd, sizeof cmd, "openssl %s -in '%s' 2>&1", args, p);
    f = popen(cmd, "r");
    if (f == NULL) {
        return 0;
    }
    while (got < sizeof out - 1 && (n = fread(out + got, 1, sizeof out - 1 - got, f)) > 0) {
        got += n;
    }
    out[got] = '\0';
    if (pclose(f) != 0 || strstr(out, needle) == NULL) {
        fprintf(stderr, "  openssl %s: %s (wanted %s)\n", args, out, needle);
        return 0;
    }
    return 1;
}

/* Does the simulator's request log (GET /_sim/securosys/requests) have no entry? */
static int tsb_log_is_empty(void) {
    return sim_get_body("/_sim/securosys/requests", g_resp, sizeof g_resp) == 200 && streq(g_resp, "[]");
}

static void tsb_log_clear(void) { CHECK(sim_control("DELETE", "/_sim/securosys/requests", NULL) == 204); }

static void test_service_info(sb_client *c) {
    sb_error *err = NULL;
    cJSON *r = NULL;
    sb_strings empty = {NULL, 0};
    CHECK_CODE(callj(c, &r, &err, "securosys.version_info", NULL), SB_OK, err, "version_info");
    CHECK(jstr(r, "version") != NULL && strlen(jstr(r, "version")) > 0);
    CHECK(streq(jstr(r, "vendor"), "Securosys SA"));
    cJSON_Delete(r);
    CHECK_CODE(callj(c, &r, &err, "securosys.version_info", "{}"), SB_OK, err, "version_info({})");
    cJSON_Delete(r);
    CHECK_CODE(callj(c, &r, &err, "securosys.license_info", NULL), SB_OK, err, "license_info");
    CHECK(jlen(r, "client_flags") > 0 && jhas(r, "client_flags", "REST_API"));
    cJSON_Delete(r);
    sb_strings_free(&empty); /* freeing {NULL, 0}: nothing */
    CHECK(empty.items == NULL && empty.len == 0);
}

/* A new key `lbl` of type `spec` ("p256", ...) with the policy JSON `policy` (NULL: none); its
 * description (cJSON_Delete it) or NULL. The usual signature algorithm in alg (when not NULL). */
static cJSON *create_key(sb_client *c, const char *lbl, const char *spec, const char *policy, char *alg,
                         size_t alg_cap, sb_code want, sb_error **err) {
    cJSON *fields = NULL, *key = NULL;
    char *text;
    sb_error *e = NULL;
    CHECK_CODE(callj(NULL, &fields, &e, "securosys.key_spec", "{\"key_spec\": \"%s\"}", spec), SB_OK, e, spec);
    sb_error_free(e);
    if (fields == NULL) {
        return NULL;
    }
    if (alg != NULL) {
        snprintf(alg, alg_cap, "%s", jstr(fields, "signature_algorithm"));
    }
    cJSON_DeleteItemFromObject(fields, "signature_algorithm");
    cJSON_AddStringToObject(fields, "label", lbl);
    if (policy != NULL) {
        cJSON_AddItemToObject(fields, "policy", cJSON_Parse(policy));
    }
    text = jtext(fields);
    CHECK_CODE(callj(c, &key, err, "securosys.create_key", "%s", text), want, *err, lbl);
    free(text);
    cJSON_Delete(fields);
    return key;
}

/* Does `openssl` verify `sig` over `data` with the PEM public key? spec picks the command. */
static int openssl_verifies(const char *spec, const char *pem, const void *data, size_t len, const void *sig,
                            size_t sig_len) {
    char p[600], d[600], s[600], cmd[2400];
    put_file(p, sizeof p, "pub.pem", pem, strlen(pem));
    put_file(d, sizeof d, "data", data, len);
    put_file(s, sizeof s, "sig", sig, sig_len);
    if (streq(spec, "ed25519")) {
        snprintf(cmd, sizeof cmd, "openssl pkeyutl -verify -pubin -inkey '%s' -rawin -in '%s' -sigfile '%s'"
                 " >/dev/null 2>&1", p, d, s);
    } else {
        snprintf(cmd, sizeof cmd, "openssl dgst -%s -verify '%s' -signature '%s' '%s' >/dev/null 2>&1",
                 streq(spec, "p384") ? "sha384" : "sha256", p, s, d);
    }
    return system(cmd) == 0;
}

/* Sign (synchronous_sign) or verify `payload` (JSON fields: "payload_base64": ... or "path": ...)
 * with key `lbl`; the result (cJSON_Delete it). */
static cJSON *sign_or_verify(sb_client *c, const char *op, const char *lbl, const char *payload, const char *kind,
                             const char *alg, const char *sig_b64, sb_code want, sb_error **err) {
    cJSON *r = NULL;
    char sig_field[1200] = "";
    if (sig_b64 != NULL) {
        snprintf(sig_field, sizeof sig_field, ", \"signature_base64\": \"%s\"", sig_b64);
    }
    CHECK_CODE(callj(c, &r, err, op, "{\"label\": \"%s\", %s, \"payload_kind\": \"%s\", \"algorithm\": \"%s\"%s}",
                     lbl, payload, kind, alg, sig_field),
               want, *err, op);
    return r;
}

/* Is the verification result `r` {"valid": true}? Frees it. */
static int valid_and_free(cJSON *r) {
    int ok = cJSON_IsTrue(jget(r, "valid"));
    cJSON_Delete(r);
    return ok;
}

/* Create, sign, verify (here and with openssl), tamper; digest signing; files. */
static void one_key_type(sb_client *c, const char *spec) {
    static const char data[] = "the document to sign";
    sb_error *err = NULL;
    cJSON *key, *again = NULL, *labels = NULL, *pub = NULL, *r;
    char lbl[128], alg[64] = "", path[600], payload[700], tampered[200], *data_b64, *tampered_b64;
    const char *pem = NULL;
    unsigned char *sig = NULL, *der = NULL;
    size_t sig_len = 0, der_len = 0;

    label(lbl, sizeof lbl, spec);
    key = create_key(c, lbl, spec, NULL, alg, sizeof alg, SB_OK, &err);
    if (key == NULL) {
        sb_error_free(err);
        return;
    }
    CHECK(streq(jstr(key, "label"), lbl));
    CHECK(jget(key, "policy") == NULL || cJSON_IsNull(jget(key, "policy")));
    CHECK(jnum(key, "key_size") > 0);
    CHECK(streq(jstr(key, "algorithm"), streq(spec, "ed25519") ? "ED" : spec[0] == 'p' ? "EC" : "RSA"));
    CHECK((jstr(key, "curve_oid") != NULL) == (spec[0] == 'p' || streq(spec, "ed25519")));
    CHECK(jstr(key, "public_key") != NULL);
    CHECK_CODE(callj(c, &labels, &err, "securosys.list_keys", NULL), SB_OK, err, "list_keys");
    CHECK(jhas(labels, "labels", lbl));
    cJSON_Delete(labels);
    CHECK_CODE(callj(c, &again, &err, "securosys.get_key", "{\"label\": \"%s\"}", lbl), SB_OK, err, "get_key");
    CHECK(cJSON_Compare(again, key, 1));
    CHECK_CODE(callj(c, &pub, &err, "securosys.public_key", "{\"label\": \"%s\"}", lbl), SB_OK, err, "public_key");
    pem = jstr(pub, "pem");
    CHECK(pem != NULL && strncmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27) == 0);
    der = b64_decode(jstr(pub, "der_base64"), &der_len);
    CHECK(der_len > 32);

    /* raw data, the algorithm hashes it */
    data_b64 = b64_encode(data, sizeof data - 1);
    tampered_b64 = b64_encode("the document to sigN", sizeof data - 1);
    snprintf(payload, sizeof payload, "\"payload_base64\": \"%s\"", data_b64);
    snprintf(tampered, sizeof tampered, "\"payload_base64\": \"%s\"", tampered_b64);
    r = sign_or_verify(c, "securosys.synchronous_sign", lbl, payload, "raw", alg, NULL, SB_OK, &err);
    sig = b64_decode(jstr(r, "signature_base64"), &sig_len);
    CHECK(sig_len > 0 && (!streq(spec, "ed25519") || sig_len == 64));
    CHECK(valid_and_free(sign_or_verify(c, "securosys.verify", lbl, payload, "raw", alg, jstr(r, "signature_base64"),
                                        SB_OK, &err)));
    CHECK(!valid_and_free(sign_or_verify(c, "securosys.verify", lbl, tampered, "raw", alg,
                                         jstr(r, "signature_base64"), SB_OK, &err)));
    if (pem != NULL && !CHECK(openssl_verifies(spec, pem, data, sizeof data - 1, sig, sig_len))) {
        fprintf(stderr, "  openssl rejects the %s signature\n", spec);
    }
    if (pem != NULL) {
        CHECK(!openssl_verifies(spec, pem, "the document to sigN", sizeof data - 1, sig, sig_len));
    }
    cJSON_Delete(r);
    free(sig);
    sig = NULL;

    /* a file */
    put_file(path, sizeof path, "doc.txt", data, sizeof data - 1);
    snprintf(payload, sizeof payload, "\"path\": \"%s\"", path);
    r = sign_or_verify(c, "securosys.synchronous_sign", lbl, payload, "raw", alg, NULL, SB_OK, &err);
    CHECK(valid_and_free(sign_or_verify(c, "securosys.verify", lbl, payload, "raw", alg, jstr(r, "signature_base64"),
                                        SB_OK, &err)));
    cJSON_Delete(r);

    /* a digest computed here: the same signature scheme, so openssl verifies it over the data */
    if (!streq(spec, "ed25519")) {
        unsigned char digest[SHA384_DIGEST_LENGTH];
        size_t dlen = streq(spec, "p384") ? SHA384_DIGEST_LENGTH : SHA256_DIGEST_LENGTH;
        char *digest_b64, *short_b64;
        if (streq(spec, "p384")) {
            SHA384((const unsigned char *)data, sizeof data - 1, digest);
        } else {
            SHA256((const unsigned char *)data, sizeof data - 1, digest);
        }
        digest_b64 = b64_encode(digest, dlen);
        short_b64 = b64_encode(digest, dlen - 1);
        snprintf(payload, sizeof payload, "\"payload_base64\": \"%s\"", digest_b64);
        r = sign_or_verify(c, "securosys.synchronous_sign", lbl, payload, "digest", alg, NULL, SB_OK, &err);
        CHECK(valid_and_free(sign_or_verify(c, "securosys.verify", lbl, payload, "digest", alg,
                                            jstr(r, "signature_base64"), SB_OK, &err)));
        sig = b64_decode(jstr(r, "signature_base64"), &sig_len);
        if (pem != NULL && !CHECK(openssl_verifies(spec, pem, data, sizeof data - 1, sig, sig_len))) {
            fprintf(stderr, "  openssl rejects the %s digest signature\n", spec);
        }
        cJSON_Delete(r);
        free(sig);
        sig = NULL;
        /* a digest of the wrong length is refused before sending */
        snprintf(payload, sizeof payload, "\"payload_base64\": \"%s\"", short_b64);
        expect_invalid(callj(c, NULL, &err, "securosys.synchronous_sign",
                             "{\"label\": \"%s\", %s, \"payload_kind\": \"digest\", \"algorithm\": \"%s\"}", lbl,
                             payload, alg),
                       &err, "digest of the wrong length", "digest");
        free(digest_b64);
        free(short_b64);
    } else {
        char *b = b64_encode(data, 32);
        expect_invalid(callj(c, NULL, &err, "securosys.synchronous_sign",
                             "{\"label\": \"%s\", \"payload_base64\": \"%s\", \"payload_kind\": \"digest\","
                             " \"algorithm\": \"%s\"}",
                             lbl, b, alg),
                       &err, "EdDSA digest", "EDDSA");
        free(b);
    }
    free(data_b64);
    free(tampered_b64);
    free(der);
    cJSON_Delete(pub);
    cJSON_Delete(again);
    cJSON_Delete(key);
}

static void test_every_key_type(sb_client *c) {
    one_key_type(c, "rsa2048");
    one_key_type(c, "rsa3072");
    if (streq(getenv("SIGNBRIDGE_TEST_RSA4096"), "1")) {
        one_key_type(c, "rsa4096");
    }
    one_key_type(c, "p256");
    one_key_type(c, "p384");
    one_key_type(c, "ed25519");
}

/* An approver: its private key as a JSON string literal (for requests) and its public key. */
typedef struct {
    char *pem_json;
    char *pub;
} approver_t;

static void approver_from(approver_t *a, const cJSON *pair) {
    a->pem_json = jquote(jstr(pair, "pem") != NULL ? jstr(pair, "pem") : "");
    a->pub = strdup(jstr(pair, "public_key_base64") != NULL ? jstr(pair, "public_key_base64") : "");
}

/* The task for request `id` among `approver`'s pending sign tasks (cJSON_Delete it), or NULL. */
static cJSON *task_for(sb_client *c, const approver_t *approver, const char *id) {
    sb_error *err = NULL;
    cJSON *r = NULL, *found = NULL, *t;
    CHECK_CODE(callj(c, &r, &err, "securosys.list_approval_tasks",
                     "{\"approver_key_pem\": %s, \"kind\": \"sign\", \"page_size\": 25}", approver->pem_json),
               SB_OK, err, "list_approval_tasks");
    sb_error_free(err);
    cJSON_ArrayForEach(t, jget(r, "tasks")) {
        if (streq(jstr(t, "id"), id)) {
            found = cJSON_Duplicate(t, 1);
        }
    }
    cJSON_Delete(r);
    return found;
}

/* Approve or reject (`op`) the task of request `id` as `approver`. */
static void decide(sb_client *c, const char *op, const approver_t *approver, const char *id) {
    sb_error *err = NULL;
    cJSON *task = task_for(c, approver, id);
    if (CHECK(task != NULL)) {
        char *text = jtext(task);
        CHECK_CODE(callj(c, NULL, &err, op, "{\"approver_key_pem\": %s, \"task\": %s}", approver->pem_json, text),
                   SB_OK, err, op);
        sb_error_free(err);
        free(text);
    }
    cJSON_Delete(task);
}

static void approve_as(sb_client *c, const approver_t *approver, const char *id, const char *payload_type) {
    cJSON *task = task_for(c, approver, id);
    if (CHECK(task != NULL)) {
        char *metadata = jtext(jget(task, "metadata"));
        CHECK(payload_type == NULL || streq(jstr(task, "payload_type"), payload_type));
        CHECK(metadata != NULL && strstr(metadata, "\"contract-7\"") != NULL);
        CHECK(jstr(task, "approval_to_be_signed") != NULL);
        free(metadata);
    }
    cJSON_Delete(task);
    decide(c, "securosys.approve", approver, id);
}

static void approve(sb_client *c, const approver_t *approver, const char *id) {
    approve_as(c, approver, id, "PDF");
}

static void reject(sb_client *c, const approver_t *approver, const char *id) {
    decide(c, "securosys.reject", approver, id);
}

typedef struct {
    int calls;
    char last[32];
} progress_t;

static void on_progress(const char *state_json, void *user_data) {
    progress_t *p = (progress_t *)user_data;
    cJSON *state = cJSON_Parse(state_json);
    p->calls++;
    if (jstr(state, "status") != NULL) {
        snprintf(p->last, sizeof p->last, "%s", jstr(state, "status"));
    }
    cJSON_Delete(state);
}

typedef struct {
    sb_client *client;
    const char *id;
    progress_t progress;
    cJSON *result;
    sb_code rc;
    sb_error *err;
} waiter_t;

static void *wait_thread(void *arg) {
    waiter_t *w = (waiter_t *)arg;
    w->rc = callw(w->client, &w->result, &w->err, NULL, on_progress, &w->progress, "securosys.wait_request",
                  "{\"id\": \"%s\", \"interval_ms\": 50, \"timeout_ms\": 120000}", w->id);
    return NULL;
}

/* Can the state no longer change? */
static int is_terminal(const char *state) {
    return streq(state, "EXECUTED") || streq(state, "FAILED") || streq(state, "EXPIRED") ||
           streq(state, "REJECTED") || streq(state, "CANCELLED");
}

/* A request's state, its approval counts. */
static void check_state(sb_client *c, const char *id, const char *state, int approved, int rejected) {
    sb_error *err = NULL;
    cJSON *st = NULL;
    CHECK_CODE(callj(c, &st, &err, "securosys.request_status", "{\"id\": \"%s\"}", id), SB_OK, err, "request_status");
    sb_error_free(err);
    if (!CHECK(streq(jstr(st, "status"), state))) {
        fprintf(stderr, "  request %s is %s, expected %s\n", id, jstr(st, "status"), state);
    }
    CHECK(streq(jstr(st, "id"), id));
    CHECK(jlen(st, "approved_by") == approved);
    CHECK(jlen(st, "rejected_by") == rejected);
    CHECK(is_terminal(jstr(st, "status")) == (strcmp(state, "PENDING") != 0 && strcmp(state, "APPROVED") != 0));
    if (streq(state, "PENDING")) {
        CHECK(jlen(st, "not_yet_approved_by") == 3 - approved - rejected);
    }
    cJSON_Delete(st);
}

/* The base64 body of a PEM text, decoded (free it); its length in *len. */
static unsigned char *pem_body(const char *pem, size_t *len) {
    char *b64 = (char *)calloc(strlen(pem) + 1, 1);
    const char *p = strchr(pem, '\n');
    size_t n = 0;
    unsigned char *out;
    for (p = p != NULL ? p + 1 : pem; *p != '\0' && *p != '-'; p++) {
        if (*p != '\n') {
            b64[n++] = *p;
        }
    }
    out = b64_decode(b64, len);
    free(b64);
    return out;
}

static void test_quorum(sb_client *c) {
    static const char doc[] = "%PDF-1.4 contract 7: pay 100 CHF";
    const char *opts = "{\"metadata\": {\"contract\": \"contract-7\"}, \"payload_type\": \"PDF\"}";
    sb_error *err = NULL;
    approver_t ap[3];
    cJSON *pair = NULL, *reloaded = NULL, *policy = NULL, *key = NULL, *r = NULL;
    const char *names[3] = {"alice", "bob", "carol"};
    char *id = NULL, *pem_text = NULL, *policy_text = NULL, lbl[128], pem_path[600], cmd[1400], payload[200];
    unsigned char digest[SHA256_DIGEST_LENGTH], *pkcs8 = NULL;
    char *digest_b64;
    size_t pkcs8_len = 0;
    const char *alg = "SHA256_WITH_ECDSA";
    pthread_t th;
    waiter_t w;
    int i, have = 0;

    memset(ap, 0, sizeof ap);
    /* approvers: alice generated here (and reloaded from her PKCS#8 DER), bob from an openssl PEM,
     * carol generated */
    CHECK_CODE(callj(NULL, &pair, &err, "securosys.approver_key", "{}"), SB_OK, err, "generate alice");
    if (pair != NULL) {
        char *der_b64;
        approver_from(&ap[0], pair);
        pkcs8 = pem_body(jstr(pair, "pem"), &pkcs8_len);
        CHECK(pkcs8_len > 100);
        der_b64 = b64_encode(pkcs8, pkcs8_len);
        CHECK_CODE(callj(NULL, &reloaded, &err, "securosys.approver_key", "{\"pkcs8_der_base64\": \"%s\"}", der_b64),
                   SB_OK, err, "from pkcs8 der");
        CHECK(streq(jstr(reloaded, "public_key_base64"), ap[0].pub));
        CHECK(streq(jstr(reloaded, "pem"), jstr(pair, "pem")));
        free(der_b64);
        free(pkcs8);
        cJSON_Delete(reloaded);
        cJSON_Delete(pair);
        pair = NULL;
        have++;
    }
    snprintf(pem_path, sizeof pem_path, "%s/bob.pem", g_dir);
    snprintf(cmd, sizeof cmd, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out '%s' 2>/dev/null",
             pem_path);
    if (CHECK(system(cmd) == 0)) {
        size_t n = 0;
        unsigned char *raw = read_file(pem_path, &n);
        char *quoted;
        pem_text = (char *)calloc(n + 1, 1);
        if (raw != NULL && pem_text != NULL) {
            memcpy(pem_text, raw, n);
        }
        free(raw);
        quoted = jquote(pem_text);
        CHECK_CODE(callj(c, &pair, &err, "securosys.approver_key", "{\"pem\": %s}", quoted), SB_OK, err, "from pem");
        if (pair != NULL) {
            approver_from(&ap[1], pair);
            CHECK(streq(jstr(pair, "pem"), pem_text));
            have++;
        }
        cJSON_Delete(pair);
        pair = NULL;
        free(quoted);
        free(pem_text);
    }
    CHECK_CODE(callj(NULL, &pair, &err, "securosys.approver_key", NULL), SB_OK, err, "generate carol");
    if (pair != NULL) {
        approver_from(&ap[2], pair);
        have++;
    }
    cJSON_Delete(pair);
    if (have < 3) {
        fprintf(stderr, "no approvers: skipping the quorum test\n");
        goto out;
    }

    /* a P-256 key needing 2 of the 3, requests valid for an hour */
    CHECK_CODE(callj(NULL, &policy, &err, "securosys.quorum_policy",
                     "{\"quorum\": 2, \"timeout_s\": 3600, \"approvers\": [{\"name\": \"%s\", \"public_key_base64\": "
                     "\"%s\"}, {\"name\": \"%s\", \"public_key_base64\": \"%s\"}, {\"name\": \"%s\", "
                     "\"public_key_base64\": \"%s\"}]}",
                     names[0], ap[0].pub, names[1], ap[1].pub, names[2], ap[2].pub),
               SB_OK, err, "quorum_policy");
    policy_text = jtext(jget(policy, "policy"));
    CHECK(policy_text != NULL && strstr(policy_text, "\"quorum\":2") != NULL && strstr(policy_text, ap[1].pub) != NULL);
    label(lbl, sizeof lbl, "quorum");
    key = create_key(c, lbl, "p256", policy_text, NULL, 0, SB_OK, &err);
    CHECK(cJSON_IsObject(jget(key, "policy")));
    SHA256((const unsigned char *)doc, sizeof doc - 1, digest);
    digest_b64 = b64_encode(digest, sizeof digest);
    snprintf(payload, sizeof payload, "\"payload_base64\": \"%s\", \"payload_kind\": \"digest\"", digest_b64);

    /* a key with a policy does not sign synchronously */
    CHECK_CODE(callj(c, NULL, &err, "securosys.synchronous_sign", "{\"label\": \"%s\", %s, \"algorithm\": \"%s\"}", lbl,
                     payload, alg),
               SB_ERR_PROVIDER, err, "synchronous sign of a quorum key");
    sb_error_free(err);
    err = NULL;

    /* 2 of 3: pending after one approval, executed after the second, while a thread waits */
    CHECK_CODE(callj(c, &r, &err, "securosys.sign", "{\"label\": \"%s\", %s, \"algorithm\": \"%s\", \"options\": %s}",
                     lbl, payload, alg, opts),
               SB_OK, err, "sign (async)");
    id = jstr(r, "id") != NULL ? strdup(jstr(r, "id")) : NULL;
    cJSON_Delete(r);
    r = NULL;
    if (id != NULL) {
        memset(&w, 0, sizeof w);
        w.client = c;
        w.id = id;
        check_state(c, id, "PENDING", 0, 0);
        CHECK(pthread_create(&th, NULL, wait_thread, &w) == 0);
        approve(c, &ap[0], id);
        check_state(c, id, "PENDING", 1, 0);
        approve(c, &ap[2], id);
        pthread_join(th, NULL);
        CHECK_CODE(w.rc, SB_OK, w.err, "wait_request after two approvals");
        sb_error_free(w.err);
        CHECK(jstr(w.result, "result_base64") != NULL && w.progress.calls >= 1 &&
              streq(w.progress.last, "EXECUTED"));
        check_state(c, id, "EXECUTED", 2, 0);
        {
            cJSON *st = NULL;
            unsigned char *a, *b;
            size_t alen = 0, blen = 0;
            CHECK_CODE(callj(c, &st, &err, "securosys.request_status", "{\"id\": \"%s\"}", id), SB_OK, err, "status");
            a = b64_decode(jstr(st, "result"), &alen);
            b = b64_decode(jstr(w.result, "result_base64"), &blen);
            CHECK(alen > 0 && alen == blen && memcmp(a, b, alen) == 0);
            free(a);
            free(b);
            cJSON_Delete(st);
        }
        CHECK(valid_and_free(sign_or_verify(c, "securosys.verify", lbl, strchr(payload, '"'), "digest", alg,
                                            jstr(w.result, "result_base64"), SB_OK, &err)));
        {
            cJSON *pub = NULL;
            unsigned char *sig;
            size_t sig_len = 0;
            CHECK_CODE(callj(c, &pub, &err, "securosys.public_key", "{\"label\": \"%s\"}", lbl), SB_OK, err, "pem");
            sig = b64_decode(jstr(w.result, "result_base64"), &sig_len);
            CHECK(jstr(pub, "pem") != NULL && openssl_verifies("p256", jstr(pub, "pem"), doc, sizeof doc - 1, sig,
                                                               sig_len));
            free(sig);
            cJSON_Delete(pub);
        }
        /* no task is left for the third approver */
        {
            cJSON *task = task_for(c, &ap[1], id);
            CHECK(task == NULL);
            cJSON_Delete(task);
        }
        cJSON_Delete(w.result);
        free(id);
        id = NULL;
    }

    /* a self-signed certificate for the quorum key needs the approvals too */
    CHECK_CODE(callj(c, &r, &err, "securosys.request_self_signed_certificate",
                     "{\"label\": \"%s\", \"certificate\": {\"common_name\": \"approved cert\", "
                     "\"signature_algorithm\": \"SHA256_WITH_ECDSA\"}, "
                     "\"options\": {\"metadata\": {\"contract\": \"contract-7\"}}}",
                     lbl),
               SB_OK, err, "request_self_signed_certificate");
    id = jstr(r, "id") != NULL ? strdup(jstr(r, "id")) : NULL;
    cJSON_Delete(r);
    r = NULL;
    if (id != NULL) {
        cJSON *cert = NULL;
        unsigned char *der;
        size_t der_len = 0;
        const char *pem;
        approve_as(c, &ap[1], id, NULL);
        approve_as(c, &ap[2], id, NULL);
        CHECK_CODE(callj(c, &cert, &err, "securosys.wait_certificate",
                         "{\"id\": \"%s\", \"interval_ms\": 50, \"timeout_ms\": 120000}", id),
                   SB_OK, err, "wait_certificate");
        der = b64_decode(jstr(cert, "der_base64"), &der_len);
        pem = jstr(cert, "pem");
        CHECK(der_len > 100 && pem != NULL && strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
        if (pem != NULL) {
            CHECK(openssl_says(pem, "x509 -noout -subject", "approved cert"));
        }
        free(der);
        cJSON_Delete(cert);
        free(id);
        id = NULL;
    }

    /* rejected: one rejection leaves 2 possible approvals, the second makes the quorum
     * unreachable */
    CHECK_CODE(callj(c, &r, &err, "securosys.sign", "{\"label\": \"%s\", %s, \"algorithm\": \"%s\", \"options\": %s}",
                     lbl, payload, alg, opts),
               SB_OK, err, "sign (to reject)");
    id = jstr(r, "id") != NULL ? strdup(jstr(r, "id")) : NULL;
    cJSON_Delete(r);
    r = NULL;
    if (id != NULL) {
        reject(c, &ap[1], id);
        check_state(c, id, "PENDING", 0, 1);
        reject(c, &ap[2], id);
        CHECK_CODE(callj(c, &r, &err, "securosys.wait_request",
                         "{\"id\": \"%s\", \"interval_ms\": 50, \"timeout_ms\": 120000}", id),
                   SB_ERR_REJECTED, err, "wait for a rejected request");
        CHECK(err != NULL && streq(err->provider_code, "REJECTED") && strstr(err->message, id) != NULL);
        CHECK(r == NULL);
        sb_error_free(err);
        err = NULL;
        check_state(c, id, "REJECTED", 0, 2);
        free(id);
        id = NULL;
    }

    /* cancelled by the requester; a wait that times out first; a wait aborted by a token */
    CHECK_CODE(callj(c, &r, &err, "securosys.sign", "{\"label\": \"%s\", %s, \"algorithm\": \"%s\"}", lbl, payload,
                     alg),
               SB_OK, err, "sign (to cancel)");
    id = jstr(r, "id") != NULL ? strdup(jstr(r, "id")) : NULL;
    cJSON_Delete(r);
    r = NULL;
    if (id != NULL) {
        sb_cancel_token *token = sb_cancel_token_new();
        CHECK_CODE(callj(c, NULL, &err, "securosys.wait_request",
                         "{\"id\": \"%s\", \"interval_ms\": 50, \"timeout_ms\": 200}", id),
                   SB_ERR_TIMEOUT, err, "wait with a short timeout");
        sb_error_free(err);
        CHECK(sb_cancel_token_cancel(token, NULL) == SB_OK);
        CHECK_CODE(callw(c, NULL, &err, token, NULL, NULL, "securosys.wait_request",
                         "{\"id\": \"%s\", \"interval_ms\": 50}", id),
                   SB_ERR_ABORTED, err, "wait with a cancelled token");
        sb_error_free(err);
        sb_cancel_token_free(token);
        CHECK_CODE(callj(c, NULL, &err, "securosys.cancel_request", "{\"id\": \"%s\"}", id), SB_OK, err,
                   "cancel_request");
        CHECK_CODE(callj(c, NULL, &err, "securosys.wait_request",
                         "{\"id\": \"%s\", \"interval_ms\": 50, \"timeout_ms\": 120000}", id),
                   SB_ERR_CANCELLED, err, "wait for a cancelled request");
        sb_error_free(err);
        err = NULL;
        free(id);
        id = NULL;
    }

    /* a file, signed asynchronously with the raw document (the HSM hashes it); then the key is
     * deleted: its pending request is cancelled */
    {
        char path[600];
        put_file(path, sizeof path, "contract.pdf", doc, sizeof doc - 1);
        CHECK_CODE(callj(c, &r, &err, "securosys.sign",
                         "{\"label\": \"%s\", \"path\": \"%s\", \"algorithm\": \"%s\", \"options\": %s}", lbl, path,
                         alg, opts),
                   SB_OK, err, "sign a file (async)");
        id = jstr(r, "id") != NULL ? strdup(jstr(r, "id")) : NULL;
        cJSON_Delete(r);
        r = NULL;
        CHECK_CODE(callj(c, NULL, &err, "securosys.delete_key", "{\"label\": \"%s\"}", lbl), SB_OK, err,
                   "delete quorum key");
        if (id != NULL) {
            CHECK_CODE(callj(c, NULL, &err, "securosys.wait_request",
                             "{\"id\": \"%s\", \"interval_ms\": 50, \"timeout_ms\": 120000}", id),
                       SB_ERR_CANCELLED, err, "wait after the key was deleted");
            sb_error_free(err);
            err = NULL;
        }
        free(id);
        id = NULL;
    }
    free(digest_b64);
out:
    free(policy_text);
    cJSON_Delete(policy);
    cJSON_Delete(key);
    for (i = 0; i < 3; i++) {
        free(ap[i].pem_json);
        free(ap[i].pub);
    }
}

/* Certificates made by the HSM, checked by openssl: a self-signed CA certificate (its public key
 * is the HSM key's, it verifies itself), a CSR with a subject (its signature verifies). */
static void test_certificates(sb_client *c) {
    sb_error *err = NULL;
    cJSON *ec, *rsa, *cert = NULL, *pub = NULL;
    unsigned char *der = NULL;
    size_t der_len = 0;
    const char *pem;
    char lbl_ec[128], lbl_rsa[128], path[600], cmd[1400];
    label(lbl_ec, sizeof lbl_ec, "cert-ec");
    label(lbl_rsa, sizeof lbl_rsa, "cert-rsa");
    ec = create_key(c, lbl_ec, "p256", NULL, NULL, 0, SB_OK, &err);
    rsa = create_key(c, lbl_rsa, "rsa2048", NULL, NULL, 0, SB_OK, &err);

    CHECK_CODE(callj(c, &cert, &err, "securosys.self_signed_certificate",
                     "{\"label\": \"%s\", \"certificate\": {\"common_name\": \"signbridge C test CA\","
                     " \"signature_algorithm\": \"SHA256_WITH_ECDSA\", \"validity_days\": 30,"
                     " \"certificate_authority\": true, \"key_usage\": [\"DIGITAL_SIGNATURE\", \"KEY_CERT_SIGN\"]}}",
                     lbl_ec),
               SB_OK, err, "self_signed_certificate");
    pem = jstr(cert, "pem");
    if (pem != NULL) {
        der = b64_decode(jstr(cert, "der_base64"), &der_len);
        CHECK(der_len > 100 && strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
        CHECK(der != NULL && der[0] == 0x30);
        CHECK(openssl_says(pem, "x509 -noout -subject", "signbridge C test CA"));
        CHECK(openssl_says(pem, "x509 -noout -text", "CA:TRUE"));
        CHECK_CODE(callj(c, &pub, &err, "securosys.public_key", "{\"label\": \"%s\"}", lbl_ec), SB_OK, err,
                   "key pem");
        if (jstr(pub, "pem") != NULL) {
            CHECK(openssl_says(pem, "x509 -noout -pubkey", jstr(pub, "pem"))); /* the HSM key's public key */
        }
        put_file(path, sizeof path, "ca.pem", pem, strlen(pem));
        snprintf(cmd, sizeof cmd, "openssl verify -CAfile '%s' '%s' >/dev/null 2>&1", path, path);
        CHECK(system(cmd) == 0);
        free(der);
        der = NULL;
    }
    cJSON_Delete(pub);
    cJSON_Delete(cert);
    cert = NULL;

    CHECK_CODE(callj(c, &cert, &err, "securosys.certificate_signing_request",
                     "{\"label\": \"%s\", \"csr\": {\"subject\": {\"common_name\": \"Doc Signer\", \"country\": \"CH\","
                     " \"organization_name\": \"Example AG\"}, \"signature_algorithm\": \"SHA256_WITH_RSA\"}}",
                     lbl_rsa),
               SB_OK, err, "certificate_signing_request");
    pem = jstr(cert, "pem");
    if (pem != NULL) {
        CHECK(strncmp(pem, "-----BEGIN CERTIFICATE REQUEST-----\n", 36) == 0);
        CHECK(openssl_says(pem, "req -noout -verify", "verif")); /* "verify OK" / "Certificate request self-signature verify OK" */
        CHECK(openssl_says(pem, "req -noout -subject", "Example AG"));
    }
    cJSON_Delete(cert);
    cert = NULL;

    /* refused locally: an algorithm that cannot sign a certificate, an unknown field, no key */
    expect_invalid(callj(c, &cert, &err, "securosys.self_signed_certificate",
                         "{\"label\": \"%s\", \"certificate\": {\"common_name\": \"x\","
                         " \"signature_algorithm\": \"NONE_WITH_ECDSA\"}}",
                         lbl_ec),
                   &err, "certificate with a pre-hashed algorithm", "certificate");
    expect_invalid(callj(c, &cert, &err, "securosys.certificate_signing_request",
                         "{\"label\": \"%s\", \"csr\": {\"subject\": {\"cn\": \"x\"},"
                         " \"signature_algorithm\": \"SHA256_WITH_RSA\"}}",
                         lbl_rsa),
                   &err, "CSR with an unknown subject field", "cn");
    CHECK_CODE(callj(c, &cert, &err, "securosys.self_signed_certificate",
                     "{\"label\": \"no-such-key\", \"certificate\": {\"common_name\": \"x\","
                     " \"signature_algorithm\": \"SHA256_WITH_ECDSA\"}}"),
               SB_ERR_NOT_FOUND, err, "certificate for an unknown key");
    sb_error_free(err);
    err = NULL;
    CHECK(cert == NULL);
    CHECK(callj(c, NULL, NULL, "securosys.delete_key", "{\"label\": \"%s\"}", lbl_ec) == SB_OK &&
          callj(c, NULL, NULL, "securosys.delete_key", "{\"label\": \"%s\"}", lbl_rsa) == SB_OK);
    cJSON_Delete(ec);
    cJSON_Delete(rsa);
}

static void test_delete_then_sign(sb_client *c) {
    sb_error *err = NULL;
    cJSON *key;
    char lbl[128], *result = (char *)&g_local_marker;
    label(lbl, sizeof lbl, "deleted");
    key = create_key(c, lbl, "ed25519", NULL, NULL, 0, SB_OK, &err);
    cJSON_Delete(key);
    key = NULL;
    CHECK_CODE(callj(c, NULL, &err, "securosys.delete_key", "{\"label\": \"%s\"}", lbl), SB_OK, err, "delete");
    CHECK_CODE(callj(c, NULL, &err, "securosys.synchronous_sign",
                     "{\"label\": \"%s\", \"payload_base64\": \"eA==\", \"algorithm\": \"EDDSA\"}", lbl),
               SB_ERR_NOT_FOUND, err, "sign with a deleted key");
    CHECK(err != NULL && err->http_status == 404);
    sb_error_free(err);
    CHECK_CODE(callj(c, &key, &err, "securosys.get_key", "{\"label\": \"%s\"}", lbl), SB_ERR_NOT_FOUND, err,
               "get a deleted key");
    CHECK(key == NULL);
    sb_error_free(err);
    CHECK_CODE(callj(c, NULL, &err, "securosys.delete_key", "{\"label\": \"%s\"}", lbl), SB_ERR_NOT_FOUND, err,
               "delete twice");
    sb_error_free(err);
    CHECK_CODE(sb_call(c, "securosys.request_status", "{\"id\": \"00000000-0000-4000-8000-000000000000\"}", NULL, &err),
               SB_ERR_INVALID_ARGUMENT, err, "status(out NULL)");
    sb_error_free(err);
    CHECK_CODE(sb_call(c, "securosys.request_status", "{\"id\": \"00000000-0000-4000-8000-000000000000\"}", &result,
                       &err),
               SB_ERR_NOT_FOUND, err, "status of an unknown request");
    CHECK(result == NULL);
    sb_error_free(err);
}

/* Only the wrong role's key: refused before anything is sent, naming the missing role. */
static void test_wrong_role(void) {
    char keys[512], cfg[2048];
    sb_client *only_op, *only_service, *none;
    sb_error *err = NULL;

    snprintf(keys, sizeof keys, "{\"key_operation\": [\"%s\"]}", tsb_key("SECUROSYS_KEY_OPERATION_KEY"));
    tsb_config(cfg, sizeof cfg, keys, NULL);
    only_op = client_from_json(cfg);
    snprintf(keys, sizeof keys, "{\"service\": [\"%s\"]}", tsb_key("SECUROSYS_SERVICE_KEY"));
    tsb_config(cfg, sizeof cfg, keys, NULL);
    only_service = client_from_json(cfg);

    tsb_log_clear();
    CHECK_CODE(callj(only_op, NULL, &err, "securosys.create_key",
                     "{\"label\": \"never-created\", \"algorithm\": \"EC\", \"curve_oid\": \"1.2.840.10045.3.1.7\"}"),
               SB_ERR_AUTH_CONFIG_MISSING, err, "create_key with only a key-operation key");
    CHECK(err != NULL && strstr(err->message, "key_management") != NULL &&
          strstr(err->message, "keyManagementToken") != NULL && err->http_status == 0);
    check_no_secret(err, "missing role");
    sb_error_free(err);
    CHECK_CODE(callj(only_op, NULL, &err, "securosys.list_keys", NULL), SB_ERR_AUTH_CONFIG_MISSING, err, "list_keys");
    sb_error_free(err);
    CHECK_CODE(callj(only_op, NULL, &err, "securosys.version_info", NULL), SB_ERR_AUTH_CONFIG_MISSING, err,
               "version_info with only a key-operation key");
    CHECK(err != NULL && strstr(err->message, "service") != NULL);
    sb_error_free(err);
    CHECK_CODE(callj(only_service, NULL, &err, "securosys.synchronous_sign",
                     "{\"label\": \"k\", \"payload_base64\": \"eA==\", \"algorithm\": \"SHA256_WITH_ECDSA\"}"),
               SB_ERR_AUTH_CONFIG_MISSING, err, "sign with only a service key");
    CHECK(err != NULL && strstr(err->message, "key_operation") != NULL);
    sb_error_free(err);
    {
        cJSON *pair = NULL;
        char *pem;
        CHECK(callj(only_op, &pair, NULL, "securosys.approver_key", NULL) == SB_OK); /* local: nothing is sent */
        pem = jquote(jstr(pair, "pem") != NULL ? jstr(pair, "pem") : "");
        CHECK_CODE(callj(only_op, NULL, &err, "securosys.list_approval_tasks",
                         "{\"approver_key_pem\": %s, \"kind\": \"sign\", \"page_size\": 10}", pem),
                   SB_ERR_AUTH_CONFIG_MISSING, err, "tasks with only a key-operation key");
        CHECK(err != NULL && strstr(err->message, "approver") != NULL);
        sb_error_free(err);
        free(pem);
        cJSON_Delete(pair);
    }
    if (!CHECK(tsb_log_is_empty())) {
        fprintf(stderr, "  requests reached the simulator: %s\n", g_resp);
    }
    /* the role that is configured works, and carries only its own key */
    CHECK_CODE(callj(only_service, NULL, &err, "securosys.version_info", NULL), SB_OK, err, "version_info");
    CHECK(sim_get_body("/_sim/securosys/requests", g_resp, sizeof g_resp) == 200 &&
          strstr(g_resp, "\"api_key_roles\":[\"serviceToken\"]") != NULL &&
          strstr(g_resp, "keyOperationToken") == NULL);

    /* no securosys section at all */
    none = sim_client();
    CHECK_CODE(callj(none, NULL, &err, "securosys.list_keys", NULL), SB_ERR_AUTH_CONFIG_MISSING, err, "no securosys section");
    CHECK(err != NULL && strstr(err->message, "securosys") != NULL);
    sb_error_free(err);
    sb_client_free(none);
    sb_client_free(only_op);
    sb_client_free(only_service);
}

/* A JWT required by the simulator: with it, calls work; without it or with a wrong one, SB_ERR_AUTH;
 * no secret in any error. */
static void test_jwt(void) {
    char keys[1024], cfg[3072], extra[700], path[600];
    const char *jwt = tsb_key("SECUROSYS_JWT");
    sb_client *c;
    sb_error *err = NULL;
    cJSON *labels = NULL;

    tsb_all_keys(keys, sizeof keys);
    CHECK(sim_control("PUT", "/_sim/securosys/auth", "{\"require_jwt\": true}") == 204);

    c = tsb_client(); /* keys only */
    CHECK_CODE(callj(c, &labels, &err, "securosys.list_keys", NULL), SB_ERR_AUTH, err, "no JWT");
    CHECK(err != NULL && err->http_status == 401);
    check_no_secret(err, "no JWT");
    sb_error_free(err);
    sb_client_free(c);

    snprintf(extra, sizeof extra, "\"jwt\": \"wrong-jwt-%s\"", "0123456789");
    tsb_config(cfg, sizeof cfg, keys, extra);
    c = client_from_json(cfg);
    CHECK_CODE(callj(c, &labels, &err, "securosys.list_keys", NULL), SB_ERR_AUTH, err, "wrong JWT");
    CHECK(err != NULL && err->http_status == 401 && !err->retryable);
    check_no_secret(err, "wrong JWT");
    sb_error_free(err);
    sb_client_free(c);

    snprintf(extra, sizeof extra, "\"jwt\": \"%s\"", jwt);
    tsb_config(cfg, sizeof cfg, keys, extra);
    c = client_from_json(cfg);
    tsb_log_clear();
    CHECK_CODE(callj(c, &labels, &err, "securosys.list_keys", NULL), SB_OK, err, "the right JWT");
    CHECK(jlen(labels, "labels") >= 0);
    cJSON_Delete(labels);
    labels = NULL;
    CHECK(sim_get_body("/_sim/securosys/requests", g_resp, sizeof g_resp) == 200 &&
          strstr(g_resp, "\"bearer\":true") != NULL);
    sb_client_free(c);

    /* the JWT from a file */
    put_file(path, sizeof path, "tsb.jwt", jwt, strlen(jwt));
    snprintf(extra, sizeof extra, "\"jwt\": {\"file\": \"%s\"}", path);
    tsb_config(cfg, sizeof cfg, keys, extra);
    c = client_from_json(cfg);
    CHECK_CODE(callj(c, &labels, &err, "securosys.list_keys", NULL), SB_OK, err, "the JWT from a file");
    CHECK(jlen(labels, "labels") >= 0);
    cJSON_Delete(labels);
    labels = NULL;
    sb_client_free(c);

    /* a wrong API key with the right JWT: SB_ERR_AUTH (631), no secret in the error */
    snprintf(extra, sizeof extra, "\"jwt\": \"%s\"", jwt);
    tsb_config(cfg, sizeof cfg, "{\"key_management\": [\"TOPSECRET-not-a-key\"]}", extra);
    c = client_from_json(cfg);
    CHECK_CODE(callj(c, &labels, &err, "securosys.list_keys", NULL), SB_ERR_AUTH, err, "wrong API key");
    CHECK(err != NULL && streq(err->provider_code, "631"));
    check_no_secret(err, "wrong API key");
    sb_error_free(err);
    sb_client_free(c);

    /* the JWT from an OAuth2 token source (the simulator's token endpoint); a wrong client
     * secret is SB_ERR_AUTH and never shown */
    CHECK(sim_control("PUT", "/_sim/securosys/auth", "{\"require_jwt\": true, \"accept_oauth\": true}") == 204);
    snprintf(extra, sizeof extra,
             "\"oauth2\": {\"client_id\": \"signbridge-sim-client\", \"client_secret\": \"sim-client-secret-0001\","
             " \"token_url\": \"%s/auth/realms/zignsec/protocol/openid-connect/token\"}", sim_url());
    tsb_config(cfg, sizeof cfg, keys, extra);
    c = client_from_json(cfg);
    tsb_log_clear();
    CHECK_CODE(callj(c, &labels, &err, "securosys.list_keys", NULL), SB_OK, err, "JWT from OAuth2");
    CHECK(jlen(labels, "labels") >= 0);
    cJSON_Delete(labels);
    labels = NULL;
    CHECK_CODE(callj(c, NULL, &err, "securosys.version_info", NULL), SB_OK, err, "JWT from OAuth2, again");
    CHECK(sim_get_body("/_sim/securosys/requests", g_resp, sizeof g_resp) == 200 &&
          strstr(g_resp, "\"bearer\":false") == NULL && strstr(g_resp, "\"bearer\":true") != NULL);
    sb_client_free(c);
    snprintf(extra, sizeof extra,
             "\"oauth2\": {\"client_id\": \"signbridge-sim-client\", \"client_secret\": \"TOPSECRET-client\","
             " \"token_url\": \"%s/auth/realms/zignsec/protocol/openid-connect/token\"}", sim_url());
    tsb_config(cfg, sizeof cfg, keys, extra);
    c = client_from_json(cfg);
    CHECK_CODE(callj(c, &labels, &err, "securosys.list_keys", NULL), SB_ERR_AUTH, err, "OAuth2 with a wrong client secret");
    check_no_secret(err, "OAuth2 with a wrong client secret");
    sb_error_free(err);
    sb_client_free(c);

    CHECK(sim_control("PUT", "/_sim/securosys/auth", "{\"require_jwt\": false}") == 204);

    /* secrets in a malformed configuration are not echoed */
    {
        sb_client *bad = NULL;
        snprintf(extra, sizeof extra, "\"jwt\": \"%s\"", jwt);
        tsb_config(cfg, sizeof cfg, "{\"key_operation\": \"TOPSECRET-not-a-list\"}", extra);
        CHECK_CODE(sb_client_new(cfg, &bad, &err), SB_ERR_INVALID_CONFIG, err, "malformed api_keys");
        check_no_secret(err, "malformed api_keys");
        sb_error_free(err);
        tsb_config(cfg, sizeof cfg, "{\"key_operation\": [\"x\"], \"nonrole\": [\"TOPSECRET-unknown-role\"]}", extra);
        CHECK_CODE(sb_client_new(cfg, &bad, &err), SB_ERR_INVALID_CONFIG, err, "unknown role");
        check_no_secret(err, "unknown role");
        sb_error_free(err);
        CHECK(bad == NULL);
    }
}

int main(void) {
    sb_client *c;
    snprintf(g_label_prefix, sizeof g_label_prefix, "c%ld", (long)getpid());
    temp_dir(g_dir, sizeof g_dir, "tsb");
    c = tsb_client();
    test_service_info(c);
    test_every_key_type(c);
    test_quorum(c);
    test_certificates(c);
    test_delete_then_sign(c);
    test_wrong_role();
    test_jwt();
    sb_client_free(c);
    {
        char cmd[700];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
        CHECK(system(cmd) == 0);
    }
    return finish("test_securosys");
}

/* Securosys Primus HSM (TSB REST API) through the C API, against the simulator (real keys and
 * signatures): every key type creates, signs, verifies here and with `openssl` from the exported
 * public key; a tampered payload fails; a key with a 2-of-3 quorum signs asynchronously after the
 * second approval (approvers act through this API) and is rejected when approvers reject; a
 * deleted key is not found; the wrong role's key fails before anything is sent (the simulator's
 * request log proves it); a JWT required by the simulator works (static, from a file, or from an
 * OAuth2 token source), a wrong one is SB_ERR_AUTH; no secret appears in an error; certificates
 * and CSRs made by the HSM (synchronously and with approvals) pass openssl's checks.
 *
 * Environment: harness.h's; SIGNBRIDGE_TEST_RSA4096=1 adds RSA 4096 (slow to generate in the
 * simulator's debug build: scripts/c-test.sh sets it for the plain suite only). */
#include "harness.h"

#include <openssl/sha.h>
#include <pthread.h>

static char g_resp[65536];
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

/* Does `openssl` verify `sig` over `data` with the PEM public key? spec picks the command. */
static int openssl_verifies(sb_key_spec spec, const char *pem, const void *data, size_t len,
                            const sb_bytes *sig) {
    char p[600], d[600], s[600], cmd[2400];
    put_file(p, sizeof p, "pub.pem", pem, strlen(pem));
    put_file(d, sizeof d, "data", data, len);
    put_file(s, sizeof s, "sig", sig->data, sig->len);
    if (spec == SB_KEY_ED25519) {
        snprintf(cmd, sizeof cmd, "openssl pkeyutl -verify -pubin -inkey '%s' -rawin -in '%s' -sigfile '%s'"
                 " >/dev/null 2>&1", p, d, s);
    } else {
        snprintf(cmd, sizeof cmd, "openssl dgst -%s -verify '%s' -signature '%s' '%s' >/dev/null 2>&1",
                 spec == SB_KEY_P384 ? "sha384" : "sha256", p, s, d);
    }
    return system(cmd) == 0;
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
    char *version = NULL, *vendor = NULL;
    sb_strings flags = {NULL, 0};
    size_t i;
    int rest = 0;
    CHECK_CODE(sb_securosys_version_info(c, &version, &vendor, &err), SB_OK, err, "version_info");
    CHECK(version != NULL && strlen(version) > 0);
    CHECK(streq(vendor, "Securosys SA"));
    sb_string_free(version);
    sb_string_free(vendor);
    CHECK_CODE(sb_securosys_version_info(c, &version, NULL, &err), SB_OK, err, "version_info(no vendor)");
    sb_string_free(version);
    CHECK_CODE(sb_securosys_license_info(c, &flags, &err), SB_OK, err, "license_info");
    for (i = 0; i < flags.len; i++) {
        rest |= streq(flags.items[i], "REST_API");
    }
    CHECK(flags.len > 0 && rest);
    sb_strings_free(&flags);
    CHECK(flags.items == NULL && flags.len == 0);
    sb_strings_free(&flags); /* freeing {NULL, 0}: nothing */
}

/* Create, sign, verify (here and with openssl), tamper; digest signing; files. */
static void one_key_type(sb_client *c, sb_key_spec spec, const char *name) {
    static const char data[] = "the document to sign";
    sb_error *err = NULL;
    sb_key_info *key = NULL, *again = NULL;
    sb_bytes sig = {NULL, 0}, der = {NULL, 0};
    sb_strings labels = {NULL, 0};
    char lbl[128], *pem = NULL, path[600];
    const char *alg = sb_securosys_default_algorithm(spec);
    bool valid = false;
    size_t i;
    int listed = 0;

    label(lbl, sizeof lbl, name);
    CHECK_CODE(sb_securosys_create_key(c, lbl, spec, NULL, &key, &err), SB_OK, err, name);
    if (key == NULL) {
        sb_error_free(err);
        return;
    }
    CHECK(streq(sb_key_info_label(key), lbl));
    CHECK(!sb_key_info_has_policy(key));
    CHECK(sb_key_info_key_size(key) > 0);
    CHECK(streq(sb_key_info_algorithm(key),
                spec == SB_KEY_ED25519 ? "ED" : (spec == SB_KEY_P256 || spec == SB_KEY_P384) ? "EC" : "RSA"));
    CHECK((sb_key_info_curve_oid(key) != NULL) == (spec == SB_KEY_P256 || spec == SB_KEY_P384 || spec == SB_KEY_ED25519));
    CHECK(strstr(sb_key_info_json(key), "\"public_key\"") != NULL);
    CHECK_CODE(sb_securosys_list_keys(c, &labels, &err), SB_OK, err, "list_keys");
    for (i = 0; i < labels.len; i++) {
        listed |= streq(labels.items[i], lbl);
    }
    CHECK(listed);
    sb_strings_free(&labels);
    CHECK_CODE(sb_securosys_get_key(c, lbl, &again, &err), SB_OK, err, "get_key");
    CHECK(streq(sb_key_info_json(again), sb_key_info_json(key)));
    CHECK_CODE(sb_key_info_public_key_pem(again, &pem, &err), SB_OK, err, "public_key_pem");
    CHECK(pem != NULL && strncmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27) == 0);
    CHECK_CODE(sb_securosys_public_key(c, lbl, &der, &err), SB_OK, err, "public_key");
    CHECK(der.len > 32);

    /* raw data, the algorithm hashes it */
    CHECK_CODE(sb_securosys_synchronous_sign(c, lbl, (const uint8_t *)data, sizeof data - 1, SB_PAYLOAD_RAW, alg,
                                             &sig, &err),
               SB_OK, err, "synchronous_sign");
    CHECK(sig.len > 0 && (spec != SB_KEY_ED25519 || sig.len == 64));
    CHECK_CODE(sb_securosys_verify(c, lbl, (const uint8_t *)data, sizeof data - 1, SB_PAYLOAD_RAW, alg, sig.data,
                                   sig.len, &valid, &err),
               SB_OK, err, "verify");
    CHECK(valid);
    valid = true;
    CHECK_CODE(sb_securosys_verify(c, lbl, (const uint8_t *)"the document to sigN", sizeof data - 1,
                                   SB_PAYLOAD_RAW, alg, sig.data, sig.len, &valid, &err),
               SB_OK, err, "verify tampered");
    CHECK(!valid);
    if (pem != NULL && !CHECK(openssl_verifies(spec, pem, data, sizeof data - 1, &sig))) {
        fprintf(stderr, "  openssl rejects the %s signature\n", name);
    }
    if (pem != NULL) {
        CHECK(!openssl_verifies(spec, pem, "the document to sigN", sizeof data - 1, &sig));
    }
    sb_bytes_free(&sig);

    /* a file */
    put_file(path, sizeof path, "doc.txt", data, sizeof data - 1);
    CHECK_CODE(sb_securosys_synchronous_sign_file(c, lbl, path, SB_PAYLOAD_RAW, alg, &sig, &err), SB_OK, err,
               "synchronous_sign_file");
    valid = false;
    CHECK_CODE(sb_securosys_verify_file(c, lbl, path, SB_PAYLOAD_RAW, alg, sig.data, sig.len, &valid, &err), SB_OK,
               err, "verify_file");
    CHECK(valid);
    sb_bytes_free(&sig);

    /* a digest computed here: the same signature scheme, so openssl verifies it over the data */
    if (spec != SB_KEY_ED25519) {
        unsigned char digest[SHA384_DIGEST_LENGTH];
        size_t dlen = spec == SB_KEY_P384 ? SHA384_DIGEST_LENGTH : SHA256_DIGEST_LENGTH;
        if (spec == SB_KEY_P384) {
            SHA384((const unsigned char *)data, sizeof data - 1, digest);
        } else {
            SHA256((const unsigned char *)data, sizeof data - 1, digest);
        }
        CHECK_CODE(sb_securosys_synchronous_sign(c, lbl, digest, dlen, SB_PAYLOAD_DIGEST, alg, &sig, &err), SB_OK,
                   err, "sign digest");
        valid = false;
        CHECK_CODE(sb_securosys_verify(c, lbl, digest, dlen, SB_PAYLOAD_DIGEST, alg, sig.data, sig.len, &valid, &err),
                   SB_OK, err, "verify digest");
        CHECK(valid);
        if (pem != NULL && !CHECK(openssl_verifies(spec, pem, data, sizeof data - 1, &sig))) {
            fprintf(stderr, "  openssl rejects the %s digest signature\n", name);
        }
        sb_bytes_free(&sig);
        /* a digest of the wrong length is refused before sending */
        expect_invalid(sb_securosys_synchronous_sign(c, lbl, digest, dlen - 1, SB_PAYLOAD_DIGEST, alg, &sig, &err),
                       &err, "digest of the wrong length", "digest");
    } else {
        expect_invalid(sb_securosys_synchronous_sign(c, lbl, (const uint8_t *)data, 32, SB_PAYLOAD_DIGEST, alg, &sig,
                                                     &err),
                       &err, "EdDSA digest", "EDDSA");
    }
    sb_bytes_free(&der);
    sb_string_free(pem);
    sb_key_info_free(again);
    sb_key_info_free(key);
}

static void test_every_key_type(sb_client *c) {
    one_key_type(c, SB_KEY_RSA_2048, "rsa2048");
    one_key_type(c, SB_KEY_RSA_3072, "rsa3072");
    if (streq(getenv("SIGNBRIDGE_TEST_RSA4096"), "1")) {
        one_key_type(c, SB_KEY_RSA_4096, "rsa4096");
    }
    one_key_type(c, SB_KEY_P256, "p256");
    one_key_type(c, SB_KEY_P384, "p384");
    one_key_type(c, SB_KEY_ED25519, "ed25519");
}

/* The index of the task for request `id` in `approver`'s pending sign tasks, or -1; the list in
 * *out (free it). */
static long task_for(sb_client *c, const sb_approver_key *approver, const char *id, sb_approval_tasks **out) {
    sb_error *err = NULL;
    size_t i, n;
    *out = NULL;
    CHECK_CODE(sb_securosys_list_approval_tasks(c, approver, SB_TASKS_SIGN, 25, out, &err), SB_OK, err,
               "list_approval_tasks");
    sb_error_free(err);
    n = sb_approval_tasks_count(*out);
    for (i = 0; i < n; i++) {
        if (streq(sb_approval_tasks_id(*out, i), id)) {
            return (long)i;
        }
    }
    return -1;
}

static void approve_as(sb_client *c, const sb_approver_key *approver, const char *id, const char *payload_type) {
    sb_error *err = NULL;
    sb_approval_tasks *tasks = NULL;
    long i = task_for(c, approver, id, &tasks);
    if (CHECK(i >= 0)) {
        CHECK(payload_type == NULL || streq(sb_approval_tasks_payload_type(tasks, (size_t)i), payload_type));
        CHECK(strstr(sb_approval_tasks_metadata_json(tasks, (size_t)i), "\"contract-7\"") != NULL);
        CHECK(strstr(sb_approval_tasks_json(tasks), "approval_to_be_signed") != NULL);
        CHECK_CODE(sb_securosys_approve(c, approver, tasks, (size_t)i, &err), SB_OK, err, "approve");
        sb_error_free(err);
    }
    sb_approval_tasks_free(tasks);
}

static void approve(sb_client *c, const sb_approver_key *approver, const char *id) {
    approve_as(c, approver, id, "PDF");
}

static void reject(sb_client *c, const sb_approver_key *approver, const char *id) {
    sb_error *err = NULL;
    sb_approval_tasks *tasks = NULL;
    long i = task_for(c, approver, id, &tasks);
    if (CHECK(i >= 0)) {
        CHECK_CODE(sb_securosys_reject(c, approver, sb_approval_tasks_id(tasks, (size_t)i), &err), SB_OK, err,
                   "reject");
        sb_error_free(err);
    }
    sb_approval_tasks_free(tasks);
}

typedef struct {
    int calls;
    char last[32];
} progress_t;

static void on_progress(const char *state_json, void *user_data) {
    progress_t *p = (progress_t *)user_data;
    const char *s = strstr(state_json, "\"status\":\"");
    p->calls++;
    if (s != NULL) {
        snprintf(p->last, sizeof p->last, "%.*s", (int)strcspn(s + 10, "\""), s + 10);
    }
}

typedef struct {
    sb_client *client;
    const char *id;
    progress_t progress;
    sb_bytes sig;
    sb_code rc;
    sb_error *err;
} waiter_t;

static void *wait_thread(void *arg) {
    waiter_t *w = (waiter_t *)arg;
    w->rc = sb_securosys_wait_request(w->client, w->id, 50, 120000, NULL, on_progress, &w->progress, &w->sig,
                                      &w->err);
    return NULL;
}

/* A request's state, its approval counts. */
static void check_state(sb_client *c, const char *id, const char *state, size_t approved, size_t rejected) {
    sb_error *err = NULL;
    sb_request_status *st = NULL;
    CHECK_CODE(sb_securosys_request_status(c, id, &st, &err), SB_OK, err, "request_status");
    sb_error_free(err);
    if (!CHECK(streq(sb_request_status_state(st), state))) {
        fprintf(stderr, "  request %s is %s, expected %s\n", id, sb_request_status_state(st), state);
    }
    CHECK(streq(sb_request_status_id(st), id));
    CHECK(sb_request_status_approved_count(st) == approved);
    CHECK(sb_request_status_rejected_count(st) == rejected);
    CHECK(sb_request_status_is_terminal(st) == (strcmp(state, "PENDING") != 0 && strcmp(state, "APPROVED") != 0));
    if (streq(state, "PENDING")) {
        CHECK(sb_request_status_pending_count(st) == 3 - approved - rejected);
    }
    sb_request_status_free(st);
}

static void test_quorum(sb_client *c) {
    static const char doc[] = "%PDF-1.4 contract 7: pay 100 CHF";
    const char *opts = "{\"metadata\": {\"contract\": \"contract-7\"}, \"payload_type\": \"PDF\"}";
    sb_error *err = NULL;
    sb_approver_key *ap[3] = {NULL, NULL, NULL}, *reloaded = NULL;
    sb_bytes pkcs8 = {NULL, 0}, sig = {NULL, 0};
    const char *names[3] = {"alice", "bob", "carol"};
    const char *pubs[3];
    char *policy = NULL, *id = NULL, *pem_text = NULL, lbl[128], pem_path[600], cmd[1400];
    sb_key_info *key = NULL;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    const char *alg = sb_securosys_default_algorithm(SB_KEY_P256);
    bool valid = false;
    pthread_t th;
    waiter_t w;
    int i;

    /* approvers: alice generated here (and reloaded from her PKCS#8), bob from an openssl PEM,
     * carol generated */
    CHECK_CODE(sb_approver_key_generate_p256(&ap[0], &pkcs8, &err), SB_OK, err, "generate alice");
    CHECK(pkcs8.len > 100);
    CHECK_CODE(sb_approver_key_from_pkcs8_der(pkcs8.data, pkcs8.len, &reloaded, &err), SB_OK, err, "from_pkcs8_der");
    CHECK(streq(sb_approver_key_public_key_b64(reloaded), sb_approver_key_public_key_b64(ap[0])));
    sb_approver_key_free(reloaded);
    sb_bytes_free(&pkcs8);
    snprintf(pem_path, sizeof pem_path, "%s/bob.pem", g_dir);
    snprintf(cmd, sizeof cmd, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out '%s' 2>/dev/null",
             pem_path);
    if (CHECK(system(cmd) == 0)) {
        size_t n = 0;
        unsigned char *raw = read_file(pem_path, &n);
        pem_text = (char *)calloc(n + 1, 1);
        if (raw != NULL && pem_text != NULL) {
            memcpy(pem_text, raw, n);
        }
        free(raw);
        CHECK_CODE(sb_approver_key_from_pem(pem_text, &ap[1], &err), SB_OK, err, "from_pem");
        free(pem_text);
    }
    CHECK_CODE(sb_approver_key_generate_p256(&ap[2], NULL, &err), SB_OK, err, "generate carol");
    for (i = 0; i < 3; i++) {
        if (ap[i] == NULL) {
            fprintf(stderr, "no approver %d: skipping the quorum test\n", i);
            goto out;
        }
        pubs[i] = sb_approver_key_public_key_b64(ap[i]);
    }

    /* a P-256 key needing 2 of the 3, requests valid for an hour */
    CHECK_CODE(sb_securosys_quorum_policy(2, names, pubs, 3, 3600, &policy, &err), SB_OK, err, "quorum_policy");
    CHECK(policy != NULL && strstr(policy, "\"quorum\":2") != NULL && strstr(policy, pubs[1]) != NULL);
    label(lbl, sizeof lbl, "quorum");
    CHECK_CODE(sb_securosys_create_key(c, lbl, SB_KEY_P256, policy, &key, &err), SB_OK, err, "create quorum key");
    CHECK(sb_key_info_has_policy(key));
    SHA256((const unsigned char *)doc, sizeof doc - 1, digest);

    /* a key with a policy does not sign synchronously */
    CHECK_CODE(sb_securosys_synchronous_sign(c, lbl, digest, sizeof digest, SB_PAYLOAD_DIGEST, alg, &sig, &err),
               SB_ERR_PROVIDER, err, "synchronous sign of a quorum key");
    sb_error_free(err);
    err = NULL;

    /* 2 of 3: pending after one approval, executed after the second, while a thread waits */
    CHECK_CODE(sb_securosys_sign(c, lbl, digest, sizeof digest, SB_PAYLOAD_DIGEST, alg, opts, &id, &err), SB_OK, err,
               "sign (async)");
    if (id != NULL) {
        memset(&w, 0, sizeof w);
        w.client = c;
        w.id = id;
        check_state(c, id, "PENDING", 0, 0);
        CHECK(pthread_create(&th, NULL, wait_thread, &w) == 0);
        approve(c, ap[0], id);
        check_state(c, id, "PENDING", 1, 0);
        approve(c, ap[2], id);
        pthread_join(th, NULL);
        CHECK_CODE(w.rc, SB_OK, w.err, "wait_request after two approvals");
        sb_error_free(w.err);
        CHECK(w.sig.len > 0 && w.progress.calls >= 1 && streq(w.progress.last, "EXECUTED"));
        check_state(c, id, "EXECUTED", 2, 0);
        {
            sb_request_status *st = NULL;
            sb_bytes result = {NULL, 0};
            CHECK_CODE(sb_securosys_request_status(c, id, &st, &err), SB_OK, err, "status");
            CHECK_CODE(sb_request_status_result(st, &result, &err), SB_OK, err, "result");
            CHECK(result.len == w.sig.len && memcmp(result.data, w.sig.data, result.len) == 0);
            sb_bytes_free(&result);
            sb_request_status_free(st);
        }
        CHECK_CODE(sb_securosys_verify(c, lbl, digest, sizeof digest, SB_PAYLOAD_DIGEST, alg, w.sig.data, w.sig.len,
                                       &valid, &err),
                   SB_OK, err, "verify the approved signature");
        CHECK(valid);
        {
            char *pem = NULL;
            CHECK_CODE(sb_key_info_public_key_pem(key, &pem, &err), SB_OK, err, "pem");
            CHECK(pem != NULL && openssl_verifies(SB_KEY_P256, pem, doc, sizeof doc - 1, &w.sig));
            sb_string_free(pem);
        }
        /* no task is left for the third approver */
        {
            sb_approval_tasks *tasks = NULL;
            CHECK(task_for(c, ap[1], id, &tasks) == -1);
            sb_approval_tasks_free(tasks);
        }
        sb_bytes_free(&w.sig);
        sb_string_free(id);
        id = NULL;
    }

    /* a self-signed certificate for the quorum key needs the approvals too */
    CHECK_CODE(sb_securosys_request_self_signed_certificate(
                   c, lbl, "{\"common_name\": \"approved cert\", \"signature_algorithm\": \"SHA256_WITH_ECDSA\"}",
                   "{\"metadata\": {\"contract\": \"contract-7\"}}", &id, &err),
               SB_OK, err, "request_self_signed_certificate");
    if (id != NULL) {
        sb_bytes der = {NULL, 0};
        char *pem = NULL;
        approve_as(c, ap[1], id, NULL);
        approve_as(c, ap[2], id, NULL);
        CHECK_CODE(sb_securosys_wait_certificate(c, id, 50, 120000, NULL, NULL, NULL, &der, &pem, &err), SB_OK, err,
                   "wait_certificate");
        CHECK(der.len > 100 && pem != NULL && strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
        if (pem != NULL) {
            CHECK(openssl_says(pem, "x509 -noout -subject", "approved cert"));
        }
        sb_string_free(pem);
        sb_bytes_free(&der);
        sb_string_free(id);
        id = NULL;
    }

    /* rejected: one rejection leaves 2 possible approvals, the second makes the quorum
     * unreachable */
    CHECK_CODE(sb_securosys_sign(c, lbl, digest, sizeof digest, SB_PAYLOAD_DIGEST, alg, opts, &id, &err), SB_OK, err,
               "sign (to reject)");
    if (id != NULL) {
        reject(c, ap[1], id);
        check_state(c, id, "PENDING", 0, 1);
        reject(c, ap[2], id);
        CHECK_CODE(sb_securosys_wait_request(c, id, 50, 120000, NULL, NULL, NULL, &sig, &err), SB_ERR_REJECTED, err,
                   "wait for a rejected request");
        CHECK(err != NULL && streq(err->provider_code, "REJECTED") && strstr(err->message, id) != NULL);
        CHECK(sig.data == NULL && sig.len == 0);
        sb_error_free(err);
        err = NULL;
        check_state(c, id, "REJECTED", 0, 2);
        sb_string_free(id);
        id = NULL;
    }

    /* cancelled by the requester; a wait that times out first; a wait aborted by a token */
    CHECK_CODE(sb_securosys_sign(c, lbl, digest, sizeof digest, SB_PAYLOAD_DIGEST, alg, NULL, &id, &err), SB_OK, err,
               "sign (to cancel)");
    if (id != NULL) {
        sb_cancel_token *token = sb_cancel_token_new();
        CHECK_CODE(sb_securosys_wait_request(c, id, 50, 200, NULL, NULL, NULL, &sig, &err), SB_ERR_TIMEOUT, err,
                   "wait with a short timeout");
        sb_error_free(err);
        CHECK(sb_cancel_token_cancel(token, NULL) == SB_OK);
        CHECK_CODE(sb_securosys_wait_request(c, id, 50, 0, token, NULL, NULL, &sig, &err), SB_ERR_ABORTED, err,
                   "wait with a cancelled token");
        sb_error_free(err);
        sb_cancel_token_free(token);
        CHECK_CODE(sb_securosys_cancel_request(c, id, &err), SB_OK, err, "cancel_request");
        CHECK_CODE(sb_securosys_wait_request(c, id, 50, 120000, NULL, NULL, NULL, &sig, &err), SB_ERR_CANCELLED, err,
                   "wait for a cancelled request");
        sb_error_free(err);
        err = NULL;
        sb_string_free(id);
        id = NULL;
    }

    /* a file, signed asynchronously with the raw document (the HSM hashes it); then the key is
     * deleted: its pending request is cancelled */
    {
        char path[600];
        put_file(path, sizeof path, "contract.pdf", doc, sizeof doc - 1);
        CHECK_CODE(sb_securosys_sign_file(c, lbl, path, SB_PAYLOAD_RAW, alg, opts, &id, &err), SB_OK, err,
                   "sign_file (async)");
        CHECK_CODE(sb_securosys_delete_key(c, lbl, &err), SB_OK, err, "delete quorum key");
        if (id != NULL) {
            CHECK_CODE(sb_securosys_wait_request(c, id, 50, 120000, NULL, NULL, NULL, &sig, &err), SB_ERR_CANCELLED,
                       err, "wait after the key was deleted");
            sb_error_free(err);
            err = NULL;
        }
        sb_string_free(id);
        id = NULL;
    }
out:
    sb_string_free(policy);
    sb_key_info_free(key);
    for (i = 0; i < 3; i++) {
        sb_approver_key_free(ap[i]);
    }
}

/* Certificates made by the HSM, checked by openssl: a self-signed CA certificate (its public key
 * is the HSM key's, it verifies itself), a CSR with a subject (its signature verifies). */
static void test_certificates(sb_client *c) {
    sb_error *err = NULL;
    sb_key_info *ec = NULL, *rsa = NULL;
    sb_bytes der = {NULL, 0};
    char lbl_ec[128], lbl_rsa[128], *pem = NULL, *key_pem = NULL, path[600], cmd[1400];
    label(lbl_ec, sizeof lbl_ec, "cert-ec");
    label(lbl_rsa, sizeof lbl_rsa, "cert-rsa");
    CHECK_CODE(sb_securosys_create_key(c, lbl_ec, SB_KEY_P256, NULL, &ec, &err), SB_OK, err, "create ec");
    CHECK_CODE(sb_securosys_create_key(c, lbl_rsa, SB_KEY_RSA_2048, NULL, &rsa, &err), SB_OK, err, "create rsa");

    CHECK_CODE(sb_securosys_self_signed_certificate(
                   c, lbl_ec,
                   "{\"common_name\": \"signbridge C test CA\", \"signature_algorithm\": \"SHA256_WITH_ECDSA\","
                   " \"validity_days\": 30, \"certificate_authority\": true,"
                   " \"key_usage\": [\"DIGITAL_SIGNATURE\", \"KEY_CERT_SIGN\"]}",
                   &der, &pem, &err),
               SB_OK, err, "self_signed_certificate");
    if (pem != NULL) {
        CHECK(der.len > 100 && strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
        CHECK(openssl_says(pem, "x509 -noout -subject", "signbridge C test CA"));
        CHECK(openssl_says(pem, "x509 -noout -text", "CA:TRUE"));
        CHECK_CODE(sb_key_info_public_key_pem(ec, &key_pem, &err), SB_OK, err, "key pem");
        if (key_pem != NULL) {
            CHECK(openssl_says(pem, "x509 -noout -pubkey", key_pem)); /* the HSM key's public key */
        }
        put_file(path, sizeof path, "ca.pem", pem, strlen(pem));
        snprintf(cmd, sizeof cmd, "openssl verify -CAfile '%s' '%s' >/dev/null 2>&1", path, path);
        CHECK(system(cmd) == 0);
    }
    sb_string_free(pem);
    sb_string_free(key_pem);
    sb_bytes_free(&der);
    pem = NULL;
    /* DER only (out_pem NULL) */
    CHECK_CODE(sb_securosys_self_signed_certificate(
                   c, lbl_ec, "{\"common_name\": \"der only\", \"signature_algorithm\": \"SHA256_WITH_ECDSA\"}",
                   &der, NULL, &err),
               SB_OK, err, "self_signed_certificate (DER only)");
    CHECK(der.len > 100 && der.data[0] == 0x30);
    sb_bytes_free(&der);

    CHECK_CODE(sb_securosys_certificate_signing_request(
                   c, lbl_rsa,
                   "{\"subject\": {\"common_name\": \"Doc Signer\", \"country\": \"CH\","
                   " \"organization_name\": \"Example AG\"}, \"signature_algorithm\": \"SHA256_WITH_RSA\"}",
                   &der, &pem, &err),
               SB_OK, err, "certificate_signing_request");
    if (pem != NULL) {
        CHECK(strncmp(pem, "-----BEGIN CERTIFICATE REQUEST-----\n", 36) == 0);
        CHECK(openssl_says(pem, "req -noout -verify", "verif")); /* "verify OK" / "Certificate request self-signature verify OK" */
        CHECK(openssl_says(pem, "req -noout -subject", "Example AG"));
    }
    sb_string_free(pem);
    pem = NULL;
    sb_bytes_free(&der);

    /* refused locally: an algorithm that cannot sign a certificate, an unknown field, no key */
    expect_invalid(sb_securosys_self_signed_certificate(
                       c, lbl_ec, "{\"common_name\": \"x\", \"signature_algorithm\": \"NONE_WITH_ECDSA\"}", &der,
                       &pem, &err),
                   &err, "certificate with a pre-hashed algorithm", "certificate");
    expect_invalid(sb_securosys_certificate_signing_request(
                       c, lbl_rsa, "{\"subject\": {\"cn\": \"x\"}, \"signature_algorithm\": \"SHA256_WITH_RSA\"}",
                       &der, &pem, &err),
                   &err, "CSR with an unknown subject field", "cn");
    CHECK_CODE(sb_securosys_self_signed_certificate(
                   c, "no-such-key", "{\"common_name\": \"x\", \"signature_algorithm\": \"SHA256_WITH_ECDSA\"}",
                   &der, &pem, &err),
               SB_ERR_NOT_FOUND, err, "certificate for an unknown key");
    sb_error_free(err);
    err = NULL;
    CHECK(der.data == NULL && pem == NULL);
    CHECK(sb_securosys_delete_key(c, lbl_ec, NULL) == SB_OK && sb_securosys_delete_key(c, lbl_rsa, NULL) == SB_OK);
    sb_key_info_free(ec);
    sb_key_info_free(rsa);
}

static void test_delete_then_sign(sb_client *c) {
    sb_error *err = NULL;
    sb_key_info *key = NULL;
    sb_bytes sig = {NULL, 0};
    char lbl[128];
    const char *alg = sb_securosys_default_algorithm(SB_KEY_ED25519);
    label(lbl, sizeof lbl, "deleted");
    CHECK_CODE(sb_securosys_create_key(c, lbl, SB_KEY_ED25519, NULL, &key, &err), SB_OK, err, "create");
    sb_key_info_free(key);
    key = NULL;
    CHECK_CODE(sb_securosys_delete_key(c, lbl, &err), SB_OK, err, "delete");
    CHECK_CODE(sb_securosys_synchronous_sign(c, lbl, (const uint8_t *)"x", 1, SB_PAYLOAD_RAW, alg, &sig, &err),
               SB_ERR_NOT_FOUND, err, "sign with a deleted key");
    CHECK(err != NULL && err->http_status == 404);
    sb_error_free(err);
    CHECK_CODE(sb_securosys_get_key(c, lbl, &key, &err), SB_ERR_NOT_FOUND, err, "get a deleted key");
    CHECK(key == NULL);
    sb_error_free(err);
    CHECK_CODE(sb_securosys_delete_key(c, lbl, &err), SB_ERR_NOT_FOUND, err, "delete twice");
    sb_error_free(err);
    CHECK_CODE(sb_securosys_request_status(c, "00000000-0000-4000-8000-000000000000", NULL, &err),
               SB_ERR_INVALID_ARGUMENT, err, "status(out NULL)");
    sb_error_free(err);
    {
        sb_request_status *st = NULL;
        CHECK_CODE(sb_securosys_request_status(c, "00000000-0000-4000-8000-000000000000", &st, &err),
                   SB_ERR_NOT_FOUND, err, "status of an unknown request");
        sb_error_free(err);
    }
}

/* Only the wrong role's key: refused before anything is sent, naming the missing role. */
static void test_wrong_role(void) {
    char keys[512], cfg[2048];
    sb_client *only_op, *only_service, *none;
    sb_error *err = NULL;
    sb_key_info *key = NULL;
    sb_bytes sig = {NULL, 0};
    sb_strings labels = {NULL, 0};
    char *version = NULL;

    snprintf(keys, sizeof keys, "{\"key_operation\": [\"%s\"]}", tsb_key("SECUROSYS_KEY_OPERATION_KEY"));
    tsb_config(cfg, sizeof cfg, keys, NULL);
    only_op = client_from_json(cfg);
    snprintf(keys, sizeof keys, "{\"service\": [\"%s\"]}", tsb_key("SECUROSYS_SERVICE_KEY"));
    tsb_config(cfg, sizeof cfg, keys, NULL);
    only_service = client_from_json(cfg);

    tsb_log_clear();
    CHECK_CODE(sb_securosys_create_key(only_op, "never-created", SB_KEY_P256, NULL, &key, &err),
               SB_ERR_AUTH_CONFIG_MISSING, err, "create_key with only a key-operation key");
    CHECK(err != NULL && strstr(err->message, "key_management") != NULL &&
          strstr(err->message, "keyManagementToken") != NULL && err->http_status == 0);
    check_no_secret(err, "missing role");
    sb_error_free(err);
    CHECK_CODE(sb_securosys_list_keys(only_op, &labels, &err), SB_ERR_AUTH_CONFIG_MISSING, err, "list_keys");
    sb_error_free(err);
    CHECK_CODE(sb_securosys_version_info(only_op, &version, NULL, &err), SB_ERR_AUTH_CONFIG_MISSING, err,
               "version_info with only a key-operation key");
    CHECK(err != NULL && strstr(err->message, "service") != NULL);
    sb_error_free(err);
    CHECK_CODE(sb_securosys_synchronous_sign(only_service, "k", (const uint8_t *)"x", 1, SB_PAYLOAD_RAW,
                                             "SHA256_WITH_ECDSA", &sig, &err),
               SB_ERR_AUTH_CONFIG_MISSING, err, "sign with only a service key");
    CHECK(err != NULL && strstr(err->message, "key_operation") != NULL);
    sb_error_free(err);
    {
        sb_approver_key *ap = NULL;
        sb_approval_tasks *tasks = NULL;
        CHECK(sb_approver_key_generate_p256(&ap, NULL, NULL) == SB_OK);
        CHECK_CODE(sb_securosys_list_approval_tasks(only_op, ap, SB_TASKS_SIGN, 10, &tasks, &err),
                   SB_ERR_AUTH_CONFIG_MISSING, err, "tasks with only a key-operation key");
        CHECK(err != NULL && strstr(err->message, "approver") != NULL);
        sb_error_free(err);
        sb_approver_key_free(ap);
    }
    if (!CHECK(tsb_log_is_empty())) {
        fprintf(stderr, "  requests reached the simulator: %s\n", g_resp);
    }
    /* the role that is configured works, and carries only its own key */
    CHECK_CODE(sb_securosys_version_info(only_service, &version, NULL, &err), SB_OK, err, "version_info");
    sb_string_free(version);
    CHECK(sim_get_body("/_sim/securosys/requests", g_resp, sizeof g_resp) == 200 &&
          strstr(g_resp, "\"api_key_roles\":[\"serviceToken\"]") != NULL &&
          strstr(g_resp, "keyOperationToken") == NULL);

    /* no securosys section at all */
    none = sim_client();
    CHECK_CODE(sb_securosys_list_keys(none, &labels, &err), SB_ERR_AUTH_CONFIG_MISSING, err, "no securosys section");
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
    sb_strings labels = {NULL, 0};
    char *version = NULL;

    tsb_all_keys(keys, sizeof keys);
    CHECK(sim_control("PUT", "/_sim/securosys/auth", "{\"require_jwt\": true}") == 204);

    c = tsb_client(); /* keys only */
    CHECK_CODE(sb_securosys_list_keys(c, &labels, &err), SB_ERR_AUTH, err, "no JWT");
    CHECK(err != NULL && err->http_status == 401);
    check_no_secret(err, "no JWT");
    sb_error_free(err);
    sb_client_free(c);

    snprintf(extra, sizeof extra, "\"jwt\": \"wrong-jwt-%s\"", "0123456789");
    tsb_config(cfg, sizeof cfg, keys, extra);
    c = client_from_json(cfg);
    CHECK_CODE(sb_securosys_list_keys(c, &labels, &err), SB_ERR_AUTH, err, "wrong JWT");
    CHECK(err != NULL && err->http_status == 401 && !err->retryable);
    check_no_secret(err, "wrong JWT");
    sb_error_free(err);
    sb_client_free(c);

    snprintf(extra, sizeof extra, "\"jwt\": \"%s\"", jwt);
    tsb_config(cfg, sizeof cfg, keys, extra);
    c = client_from_json(cfg);
    tsb_log_clear();
    CHECK_CODE(sb_securosys_list_keys(c, &labels, &err), SB_OK, err, "the right JWT");
    sb_strings_free(&labels);
    CHECK(sim_get_body("/_sim/securosys/requests", g_resp, sizeof g_resp) == 200 &&
          strstr(g_resp, "\"bearer\":true") != NULL);
    sb_client_free(c);

    /* the JWT from a file */
    put_file(path, sizeof path, "tsb.jwt", jwt, strlen(jwt));
    snprintf(extra, sizeof extra, "\"jwt\": {\"file\": \"%s\"}", path);
    tsb_config(cfg, sizeof cfg, keys, extra);
    c = client_from_json(cfg);
    CHECK_CODE(sb_securosys_list_keys(c, &labels, &err), SB_OK, err, "the JWT from a file");
    sb_strings_free(&labels);
    sb_client_free(c);

    /* a wrong API key with the right JWT: SB_ERR_AUTH (631), no secret in the error */
    snprintf(extra, sizeof extra, "\"jwt\": \"%s\"", jwt);
    tsb_config(cfg, sizeof cfg, "{\"key_management\": [\"TOPSECRET-not-a-key\"]}", extra);
    c = client_from_json(cfg);
    CHECK_CODE(sb_securosys_list_keys(c, &labels, &err), SB_ERR_AUTH, err, "wrong API key");
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
    CHECK_CODE(sb_securosys_list_keys(c, &labels, &err), SB_OK, err, "JWT from OAuth2");
    sb_strings_free(&labels);
    CHECK_CODE(sb_securosys_version_info(c, &version, NULL, &err), SB_OK, err, "JWT from OAuth2, again");
    sb_string_free(version);
    CHECK(sim_get_body("/_sim/securosys/requests", g_resp, sizeof g_resp) == 200 &&
          strstr(g_resp, "\"bearer\":false") == NULL && strstr(g_resp, "\"bearer\":true") != NULL);
    sb_client_free(c);
    snprintf(extra, sizeof extra,
             "\"oauth2\": {\"client_id\": \"signbridge-sim-client\", \"client_secret\": \"TOPSECRET-client\","
             " \"token_url\": \"%s/auth/realms/zignsec/protocol/openid-connect/token\"}", sim_url());
    tsb_config(cfg, sizeof cfg, keys, extra);
    c = client_from_json(cfg);
    CHECK_CODE(sb_securosys_list_keys(c, &labels, &err), SB_ERR_AUTH, err, "OAuth2 with a wrong client secret");
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

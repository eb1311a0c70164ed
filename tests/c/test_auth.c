/* ZignSec authentication beyond the subscription key through the C API (config JSON given to
 * sb_client_new), against a simulator started with --tls-dir: OAuth2 client credentials (bearer
 * token + product key, one token for many calls, a wrong secret, the secret from a file) and
 * two-way TLS (client certificate + ca_file, combined PEM, PEM values, no certificate, a
 * certificate from another CA, the server's CA not trusted), and both together.
 *
 * Environment, besides harness.h's: SIGNBRIDGE_TLS_URL (the simulator's two-way TLS listener,
 * https://localhost:PORT) and SIGNBRIDGE_TLS_DIR (its --tls-dir: ca.pem, client.pem, ...). */
#include "harness.h"

#define CLIENT_ID "signbridge-sim-client"
#define CLIENT_SECRET "sim-client-secret-0001"

static char g_resp[16384];

static const char *tls_url(void) { return env_or("SIGNBRIDGE_TLS_URL", ""); }

/* DIR/name (static buffer per call: copy it or use it before the next call with the same buf). */
static const char *pki(char *buf, size_t cap, const char *name) {
    snprintf(buf, cap, "%s/%s", env_or("SIGNBRIDGE_TLS_DIR", "."), name);
    return buf;
}

/* A client from `cfg`, or NULL with the code in *rc and details in *err. */
static sb_client *client_from(const char *cfg, sb_code *rc, sb_error **err) {
    sb_client *client = NULL;
    *rc = sb_client_new(cfg, &client, err);
    return client;
}

/* A client from `cfg` that must build; exits the program otherwise. */
static sb_client *must_client(const char *cfg) {
    sb_error *err = NULL;
    sb_code rc;
    sb_client *client = client_from(cfg, &rc, &err);
    if (rc != SB_OK) {
        fprintf(stderr, "cannot create a client (%s): %s\nconfig: %s\n", sb_code_name(rc),
                err ? err->message : "?", cfg);
        sb_error_free(err);
        exit(2);
    }
    return client;
}

/* The simulator's {"tokens_issued": N}, or -1. */
static long tokens_issued(void) {
    const char *p;
    if (sim_request("GET", "/_sim/oauth", NULL, NULL, g_resp, sizeof g_resp) != 200) {
        return -1;
    }
    p = strstr(g_resp, "\"tokens_issued\"");
    if (p == NULL || (p = strchr(p, ':')) == NULL) {
        return -1;
    }
    return strtol(p + 1, NULL, 10);
}

/* OAuth2 config on the plain listener: `secret_json` is a JSON value ("\"...\"" or a file object),
 * `extra` more members of the oauth2 object (or ""). */
static void oauth_config(char *out, size_t cap, const char *secret_json, const char *extra) {
    snprintf(out, cap,
             "{\"zignsec\": {\"base_url\": \"%s\", \"keys\": [\"%s\"],"
             " \"oauth2\": {\"client_id\": \"" CLIENT_ID "\", \"client_secret\": %s%s}},"
             " \"transport\": {\"backoff_base_ms\": 10, \"backoff_max_ms\": 50}}",
             sim_url(), sim_key(), secret_json, extra);
}

/* A control call answered with 2xx. */
static int ok2xx(int status) { return status >= 200 && status < 300; }

static void require_bearer(int on) {
    CHECK(ok2xx(sim_control("PUT", "/_sim/zignsec/auth",
                            on ? "{\"require_bearer\": true}" : "{\"require_bearer\": false}")));
}

static void test_oauth2_bearer_and_key(void) {
    char cfg[2048];
    sb_client *client;
    sb_error *err = NULL;
    char *id = NULL;
    sb_status *st = NULL;
    int i;

    require_bearer(1);
    /* Keys alone are now refused. */
    client = sim_client();
    CHECK_CODE(sb_session_create(client, NULL, &id, &err), SB_ERR_AUTH, err, "keys only, bearer required");
    CHECK(id == NULL);
    sb_error_free(err);
    err = NULL;
    sb_client_free(client);

    CHECK(ok2xx(sim_control("DELETE", "/_sim/oauth", NULL)));
    CHECK(tokens_issued() == 0);
    oauth_config(cfg, sizeof cfg, "\"" CLIENT_SECRET "\"", ", \"client_auth\": \"basic\"");
    client = must_client(cfg);
    CHECK_CODE(sb_session_create(client, NULL, &id, &err), SB_OK, err, "create with bearer + key");
    sb_error_free(err);
    err = NULL;
    for (i = 0; i < 5 && id != NULL; i++) {
        CHECK_CODE(sb_session_status(client, id, &st, &err), SB_OK, err, "status with bearer + key");
        CHECK(st != NULL && streq(sb_status_session_id(st), id));
        sb_status_free(st);
        st = NULL;
        sb_error_free(err);
        err = NULL;
    }
    {
        long n = tokens_issued();
        if (!CHECK(n == 1)) {
            fprintf(stderr, "  tokens_issued = %ld (the token is not cached)\n", n);
        }
    }
    sb_string_free(id);
    sb_client_free(client);
    require_bearer(0);
}

static void test_oauth2_wrong_secret(void) {
    const char *secret = "definitely-wrong-client-secret-42";
    char cfg[2048], quoted[128];
    sb_client *client;
    sb_error *err = NULL;
    char *id = NULL;

    require_bearer(1);
    snprintf(quoted, sizeof quoted, "\"%s\"", secret);
    oauth_config(cfg, sizeof cfg, quoted, "");
    client = must_client(cfg);
    CHECK_CODE(sb_session_create(client, NULL, &id, &err), SB_ERR_AUTH, err, "wrong client secret");
    CHECK(id == NULL);
    if (CHECK(err != NULL)) {
        CHECK(streq(err->name, "SB_ERR_AUTH"));
        CHECK(streq(err->provider_code, "invalid_client"));
        CHECK(err->http_status == 401);
        CHECK(!err->retryable);
        CHECK(strstr(err->message, "oauth2.client_secret") != NULL);
        CHECK(strstr(err->message, secret) == NULL);
        CHECK(err->provider_description == NULL || strstr(err->provider_description, secret) == NULL);
    }
    sb_error_free(err);
    sb_client_free(client);
    require_bearer(0);
}

static void test_oauth2_secret_from_file(void) {
    char dir[512], path[600], secret_json[700], cfg[2048];
    const char *text = CLIENT_SECRET "\n";
    sb_client *client;
    sb_error *err = NULL;
    sb_code rc;
    char *id = NULL;

    require_bearer(1);
    temp_dir(dir, sizeof dir, "auth");
    snprintf(path, sizeof path, "%s/client-secret", dir);
    CHECK(write_file(path, text, strlen(text)));
    snprintf(secret_json, sizeof secret_json, "{\"file\": \"%s\"}", path);
    /* client_secret_post this time. */
    oauth_config(cfg, sizeof cfg, secret_json, ", \"client_auth\": \"post\"");
    client = must_client(cfg);
    CHECK_CODE(sb_session_create(client, NULL, &id, &err), SB_OK, err, "secret read from a file");
    CHECK(id != NULL);
    sb_string_free(id);
    sb_error_free(err);
    err = NULL;
    sb_client_free(client);
    unlink(path);

    /* A missing secret file is a configuration error (at construction or at first use). */
    client = client_from(cfg, &rc, &err);
    if (rc == SB_OK) {
        id = NULL;
        rc = sb_session_create(client, NULL, &id, &err);
        sb_string_free(id);
    }
    CHECK_CODE(rc, SB_ERR_INVALID_CONFIG, err, "missing secret file");
    CHECK(err != NULL && strstr(err->message, "oauth2.client_secret") != NULL);
    sb_error_free(err);
    sb_client_free(client);
    rmdir(dir);
    require_bearer(0);
}

/* Two-way TLS config: `cert_json` is the client_cert object (or NULL: none), `ca` the ca_file (or
 * NULL: none), `oauth` adds the OAuth2 client. */
static void mtls_config(char *out, size_t cap, const char *cert_json, const char *ca, int oauth) {
    char cert_part[8192] = "", ca_part[700] = "";
    if (cert_json != NULL) {
        snprintf(cert_part, sizeof cert_part, ", \"client_cert\": %s", cert_json);
    }
    if (ca != NULL) {
        snprintf(ca_part, sizeof ca_part, ", \"ca_file\": \"%s\"", ca);
    }
    snprintf(out, cap,
             "{\"zignsec\": {\"base_url\": \"%s\", \"keys\": [\"%s\"]%s%s},"
             " \"transport\": {\"max_attempts\": 1%s}}",
             tls_url(), sim_key(), cert_part,
             oauth ? ", \"oauth2\": {\"client_id\": \"" CLIENT_ID "\", \"client_secret\": \"" CLIENT_SECRET "\"}"
                   : "",
             ca_part);
}

/* The contents of `path` as a JSON string literal (with quotes), into `out`. */
static int json_string_of_file(const char *path, char *out, size_t cap) {
    size_t len = 0, i, o = 0;
    unsigned char *data = read_file(path, &len);
    if (data == NULL) {
        return 0;
    }
    out[o++] = '"';
    for (i = 0; i < len && o + 4 < cap; i++) {
        if (data[i] == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (data[i] == '\r') {
            continue;
        } else {
            out[o++] = (char)data[i];
        }
    }
    free(data);
    if (i < len) {
        return 0;
    }
    out[o++] = '"';
    out[o] = '\0';
    return 1;
}

static void test_mtls_success(void) {
    char ca[600], c[600], k[600], cert_json[8192], cfg[16384];
    char certv[4096], keyv[2048];
    sb_client *client;
    sb_error *err = NULL;
    char *id = NULL;
    sb_status *st = NULL;

    if (!CHECK(tls_url()[0] != '\0')) {
        fprintf(stderr, "  SIGNBRIDGE_TLS_URL is not set (start the simulator with --tls-dir)\n");
        return;
    }
    pki(ca, sizeof ca, "ca.pem");
    pki(c, sizeof c, "client.pem");
    pki(k, sizeof k, "client-key.pem");
    CHECK(file_exists(ca) && file_exists(c) && file_exists(k));

    /* Certificate and key from files. */
    snprintf(cert_json, sizeof cert_json, "{\"cert\": {\"file\": \"%s\"}, \"key\": {\"file\": \"%s\"}}", c, k);
    mtls_config(cfg, sizeof cfg, cert_json, ca, 0);
    client = must_client(cfg);
    CHECK_CODE(sb_session_create(client, NULL, &id, &err), SB_OK, err, "create over two-way TLS");
    sb_error_free(err);
    err = NULL;
    if (id != NULL) {
        CHECK_CODE(sb_session_status(client, id, &st, &err), SB_OK, err, "status over two-way TLS");
        sb_status_free(st);
        st = NULL;
        sb_error_free(err);
        err = NULL;
    }
    sb_client_free(client);

    /* The combined PEM (certificate then key, one file). */
    snprintf(cert_json, sizeof cert_json, "{\"cert\": {\"file\": \"%s\"}}",
             pki(c, sizeof c, "client-combined.pem"));
    mtls_config(cfg, sizeof cfg, cert_json, ca, 0);
    client = must_client(cfg);
    CHECK_CODE(sb_session_status(client, id, &st, &err), SB_OK, err, "combined PEM");
    sb_status_free(st);
    st = NULL;
    sb_error_free(err);
    err = NULL;
    sb_client_free(client);

    /* PEM text as values. */
    CHECK(json_string_of_file(pki(c, sizeof c, "client.pem"), certv, sizeof certv));
    CHECK(json_string_of_file(pki(k, sizeof k, "client-key.pem"), keyv, sizeof keyv));
    snprintf(cert_json, sizeof cert_json, "{\"cert\": %s, \"key\": %s}", certv, keyv);
    mtls_config(cfg, sizeof cfg, cert_json, ca, 0);
    client = must_client(cfg);
    CHECK_CODE(sb_session_status(client, id, &st, &err), SB_OK, err, "PEM values");
    sb_status_free(st);
    sb_error_free(err);
    sb_client_free(client);
    sb_string_free(id);
}

/* Expect SB_ERR_TLS from a create with `cfg`; `needle` (or NULL) must be in the message. */
static void expect_tls_error(const char *cfg, const char *needle, const char *what) {
    sb_client *client = must_client(cfg);
    sb_error *err = NULL;
    char *id = NULL;
    CHECK_CODE(sb_session_create(client, NULL, &id, &err), SB_ERR_TLS, err, what);
    CHECK(id == NULL);
    if (needle != NULL && !CHECK(err != NULL && strstr(err->message, needle) != NULL)) {
        fprintf(stderr, "  %s: message without \"%s\": %s\n", what, needle, err ? err->message : "(none)");
    }
    CHECK(err != NULL && err->http_status == 0);
    sb_error_free(err);
    sb_string_free(id);
    sb_client_free(client);
}

static void test_mtls_failures(void) {
    char ca[600], c[600], k[600], cert_json[2048], cfg[4096];
    if (tls_url()[0] == '\0') {
        return; /* reported by test_mtls_success */
    }
    pki(ca, sizeof ca, "ca.pem");

    mtls_config(cfg, sizeof cfg, NULL, ca, 0);
    expect_tls_error(cfg, "CertificateRequired", "no client certificate");

    snprintf(cert_json, sizeof cert_json, "{\"cert\": {\"file\": \"%s\"}, \"key\": {\"file\": \"%s\"}}",
             pki(c, sizeof c, "other-client.pem"), pki(k, sizeof k, "other-client-key.pem"));
    mtls_config(cfg, sizeof cfg, cert_json, ca, 0);
    expect_tls_error(cfg, NULL, "client certificate from another CA");

    /* The right client certificate, but the simulator's CA is not trusted. */
    snprintf(cert_json, sizeof cert_json, "{\"cert\": {\"file\": \"%s\"}, \"key\": {\"file\": \"%s\"}}",
             pki(c, sizeof c, "client.pem"), pki(k, sizeof k, "client-key.pem"));
    mtls_config(cfg, sizeof cfg, cert_json, NULL, 0);
    expect_tls_error(cfg, NULL, "server CA not trusted");

    /* A key file that is not a key: a configuration error at construction. */
    {
        sb_error *err = NULL;
        sb_code rc;
        sb_client *client;
        snprintf(cert_json, sizeof cert_json, "{\"cert\": {\"file\": \"%s\"}, \"key\": {\"file\": \"%s\"}}",
                 pki(c, sizeof c, "client.pem"), ca);
        mtls_config(cfg, sizeof cfg, cert_json, ca, 0);
        client = client_from(cfg, &rc, &err);
        CHECK_CODE(rc, SB_ERR_INVALID_CONFIG, err, "a certificate given as the key");
        CHECK(client == NULL);
        sb_error_free(err);
    }
}

static void test_oauth2_over_mtls(void) {
    char ca[600], c[600], k[600], cert_json[2048], cfg[4096];
    sb_client *client;
    sb_error *err = NULL;
    char *id = NULL;
    if (tls_url()[0] == '\0') {
        return;
    }
    require_bearer(1);
    pki(ca, sizeof ca, "ca.pem");
    snprintf(cert_json, sizeof cert_json, "{\"cert\": {\"file\": \"%s\"}, \"key\": {\"file\": \"%s\"}}",
             pki(c, sizeof c, "client.pem"), pki(k, sizeof k, "client-key.pem"));
    mtls_config(cfg, sizeof cfg, cert_json, ca, 1);
    client = must_client(cfg);
    CHECK_CODE(sb_session_create(client, NULL, &id, &err), SB_OK, err,
               "OAuth2 token fetched and used over two-way TLS");
    sb_string_free(id);
    sb_error_free(err);
    sb_client_free(client);
    require_bearer(0);
}

int main(void) {
    test_oauth2_bearer_and_key();
    test_oauth2_wrong_secret();
    test_oauth2_secret_from_file();
    test_mtls_success();
    test_mtls_failures();
    test_oauth2_over_mtls();
    return finish("test_auth");
}

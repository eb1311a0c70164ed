/* Every error class of the core that a C program can reach, against the simulator: the code,
 * and the details carried by sb_error (HTTP status, provider code, retry-after, message). */
#include "harness.h"

static sb_client *client_with(const char *keys_json, const char *transport_extra) {
    char cfg[1024];
    sb_client *client = NULL;
    sb_error *err = NULL;
    config_json(cfg, sizeof cfg, keys_json, transport_extra);
    if (sb_client_new(cfg, &client, &err) != SB_OK) {
        fprintf(stderr, "client: %s\n", err ? err->message : "?");
        sb_error_free(err);
        exit(2);
    }
    return client;
}

/* A started session with one document; returns its id (sb_string_free). */
static char *started_session(sb_client *client) {
    size_t len = 0;
    unsigned char *pdf = make_pdf("Errors", 1, &len);
    sb_document doc;
    char *id = NULL, *url = NULL;
    sb_error *err = NULL;
    memset(&doc, 0, sizeof doc);
    doc.name = "e.pdf";
    doc.data = pdf;
    doc.len = len;
    CHECK_CODE(sb_sign_documents(client, NULL, &doc, 1, &id, &url, &err), SB_OK, err, "sign");
    sb_error_free(err);
    sb_string_free(url);
    free(pdf);
    return id;
}

static void test_config_errors(void) {
    sb_client *client = NULL;
    sb_error *err = NULL;
    sb_code rc;

    rc = sb_client_new("{}", &client, &err);
    CHECK_CODE(rc, SB_ERR_AUTH_CONFIG_MISSING, err, "empty config");
    CHECK(client == NULL && err != NULL && err->code == SB_ERR_AUTH_CONFIG_MISSING);
    CHECK(err != NULL && streq(err->name, "SB_ERR_AUTH_CONFIG_MISSING"));
    sb_error_free(err);

    rc = sb_client_new("{\"zignsec\": {", &client, &err);
    CHECK_CODE(rc, SB_ERR_INVALID_CONFIG, err, "malformed JSON");
    sb_error_free(err);

    rc = sb_client_new("{\"zignsec\": {\"kyes\": [\"s3cr3t-value\"]}}", &client, &err);
    CHECK_CODE(rc, SB_ERR_INVALID_CONFIG, err, "unknown field");
    CHECK(err != NULL && strstr(err->message, "kyes") != NULL);
    CHECK(err != NULL && strstr(err->message, "s3cr3t") == NULL);
    sb_error_free(err);

    rc = sb_client_new("{\"zignsec\": {\"base_url\": \"http://gateway.example.com\", \"keys\": [\"k\"]}}",
                       &client, &err);
    CHECK_CODE(rc, SB_ERR_INVALID_CONFIG, err, "plain http to a remote host");
    sb_error_free(err);
    CHECK(client == NULL);
}

static void test_auth(void) {
    sb_client *client = client_with("[\"wrong-key-aaaaaaaa\", \"wrong-key-bbbbbbbb\"]", NULL);
    sb_error *err = NULL;
    char *id = NULL;
    sb_code rc = sb_session_create(client, NULL, &id, &err);
    CHECK_CODE(rc, SB_ERR_AUTH, err, "create with wrong keys");
    CHECK(id == NULL);
    CHECK(err != NULL && err->http_status == 403);
    CHECK(err != NULL && strstr(err->message, "SIGNBRIDGE_ZIGNSEC_KEY") != NULL);
    CHECK(err != NULL && strstr(err->message, "wrong-key") == NULL);
    CHECK(err != NULL && !err->retryable && err->retry_after_ms == -1);
    sb_error_free(err);
    sb_client_free(client);
}

static void test_documents_and_io(sb_client *client) {
    sb_error *err = NULL;
    char *session = NULL, *file = NULL;
    const char text[] = "just some text\n";
    unsigned char one = 0;
    sb_code rc;

    CHECK_CODE(sb_session_create(client, NULL, &session, &err), SB_OK, err, "create");
    rc = sb_session_upload_buffer(client, session, "notes.txt", (const uint8_t *)text, sizeof text - 1,
                                  &file, &err);
    CHECK_CODE(rc, SB_ERR_INVALID_DOCUMENT, err, "text upload");
    CHECK(err != NULL && strstr(err->message, "notes.txt") != NULL && err->http_status == 0);
    CHECK(file == NULL);
    sb_error_free(err);

    rc = sb_session_upload_buffer(client, session, "empty.pdf", &one, 0, &file, &err);
    CHECK_CODE(rc, SB_ERR_INVALID_DOCUMENT, err, "zero-length buffer");
    sb_error_free(err);
    rc = sb_session_upload_buffer(client, session, "empty.pdf", NULL, 0, &file, &err);
    CHECK_CODE(rc, SB_ERR_INVALID_DOCUMENT, err, "NULL, 0 buffer");
    sb_error_free(err);

    rc = sb_session_upload_path(client, session, "/nonexistent/dir/contract.pdf", &file, &err);
    CHECK_CODE(rc, SB_ERR_IO, err, "missing file");
    CHECK(err != NULL && strstr(err->message, "/nonexistent/dir/contract.pdf") != NULL);
    sb_error_free(err);
    sb_string_free(session);
}

static void test_not_found_and_bad_ids(sb_client *client) {
    sb_error *err = NULL;
    sb_status *st = NULL;
    sb_code rc = sb_session_status(client, "00000000-0000-4000-8000-000000000000", &st, &err);
    CHECK_CODE(rc, SB_ERR_NOT_FOUND, err, "unknown session");
    CHECK(st == NULL);
    CHECK(err != NULL && err->http_status == 404);
    CHECK(err != NULL && err->provider_code != NULL && streq(err->provider_code, "NOT_FOUND"));
    CHECK(err != NULL && err->provider_description != NULL);
    sb_error_free(err);

    rc = sb_session_status(client, "../../admin", &st, &err);
    CHECK_CODE(rc, SB_ERR_INVALID_ARGUMENT, err, "path-changing id");
    sb_error_free(err);
}

static void test_rate_limit_unavailable_protocol_provider(sb_client *client) {
    sb_error *err = NULL;
    sb_status *st = NULL;
    char *session = NULL, *other = NULL;
    sb_code rc;

    CHECK_CODE(sb_session_create(client, NULL, &session, &err), SB_OK, err, "create");

    CHECK(sim_fault("{\"kind\": \"rate_limit\", \"retry_after\": 3600, \"count\": 1, \"method\": \"GET\"}") == 204);
    rc = sb_session_status(client, session, &st, &err);
    CHECK_CODE(rc, SB_ERR_RATE_LIMITED, err, "rate limited");
    CHECK(err != NULL && err->http_status == 429 && err->retry_after_ms == 3600000);
    CHECK(err != NULL && err->retryable);
    CHECK(err != NULL && err->provider_code != NULL && streq(err->provider_code, "TOO_MANY_REQUESTS"));
    sb_error_free(err);

    CHECK(sim_fault("{\"kind\": \"status\", \"status\": 503, \"count\": 1, \"method\": \"POST\"}") == 204);
    rc = sb_session_create(client, NULL, &other, &err);
    CHECK_CODE(rc, SB_ERR_PROVIDER_UNAVAILABLE, err, "503 on create");
    CHECK(err != NULL && err->http_status == 503 && err->retryable);
    sb_error_free(err);

    CHECK(sim_fault("{\"kind\": \"malformed\", \"count\": 1, \"method\": \"POST\"}") == 204);
    rc = sb_session_create(client, NULL, &other, &err);
    /* The provider said it created the session: an unreadable answer is an unknown outcome. */
    CHECK_CODE(rc, SB_ERR_OUTCOME_UNKNOWN, err, "malformed answer to a create");
    sb_error_free(err);

    CHECK(sim_fault("{\"kind\": \"status\", \"status\": 400, \"count\": 1, \"method\": \"POST\"}") == 204);
    rc = sb_session_create(client, NULL, &other, &err);
    CHECK_CODE(rc, SB_ERR_PROVIDER, err, "400 on create");
    CHECK(err != NULL && err->http_status == 400);
    sb_error_free(err);
    CHECK(other == NULL);

    CHECK(sim_clear_faults() == 204);
    sb_string_free(session);
}

static void test_timeouts(sb_client *client) {
    sb_error *err = NULL;
    sb_status *st = NULL;
    char *session = started_session(client), *other = NULL;
    double t0;
    sb_code rc;
    sb_client *slow;

    t0 = now_s();
    rc = sb_session_wait(client, session, 100, 400, NULL, &st, &err);
    CHECK_CODE(rc, SB_ERR_TIMEOUT, err, "wait deadline");
    CHECK(st == NULL);
    CHECK(now_s() - t0 < 10.0);
    CHECK(err != NULL && strstr(err->message, "wait again") != NULL);
    sb_error_free(err);

    {
        char keys[256];
        snprintf(keys, sizeof keys, "[\"%s\"]", sim_key());
        slow = client_with(keys, "\"request_timeout_ms\": 300, \"max_attempts\": 1");
    }
    /* A GET that times out: SB_ERR_TIMEOUT (retryable). */
    CHECK(sim_fault("{\"kind\": \"delay\", \"delay_ms\": 2000, \"count\": 1, \"method\": \"GET\"}") == 204);
    rc = sb_session_status(slow, session, &st, &err);
    CHECK_CODE(rc, SB_ERR_TIMEOUT, err, "request timeout (GET)");
    CHECK(err != NULL && err->retryable);
    sb_error_free(err);
    /* A create that times out may have been carried out: SB_ERR_OUTCOME_UNKNOWN, not resent. */
    CHECK(sim_fault("{\"kind\": \"delay\", \"delay_ms\": 2000, \"count\": 1, \"method\": \"POST\"}") == 204);
    rc = sb_session_create(slow, NULL, &other, &err);
    CHECK_CODE(rc, SB_ERR_OUTCOME_UNKNOWN, err, "request timeout (POST)");
    CHECK(other == NULL);
    sb_error_free(err);
    sb_client_free(slow);
    sb_string_free(session);
}

static void test_network_and_tls(void) {
    sb_error *err = NULL;
    sb_client *client = NULL;
    char cfg[512], *id = NULL;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;
    struct sockaddr_in addr;
    socklen_t alen = sizeof addr;
    sb_code rc;

    /* A port nobody listens on: bind, read the port, close. */
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &alen) == 0) {
        port = ntohs(addr.sin_port);
    }
    if (fd >= 0) {
        close(fd);
    }
    CHECK(port > 0);
    snprintf(cfg, sizeof cfg,
             "{\"zignsec\": {\"base_url\": \"http://127.0.0.1:%d\", \"keys\": [\"k\"]},"
             " \"transport\": {\"max_attempts\": 2, \"backoff_base_ms\": 10}}", port);
    CHECK_CODE(sb_client_new(cfg, &client, &err), SB_OK, err, "client");
    rc = sb_session_create(client, NULL, &id, &err);
    CHECK_CODE(rc, SB_ERR_NETWORK, err, "connection refused");
    CHECK(err != NULL && err->retryable && err->http_status == 0);
    sb_error_free(err);
    sb_client_free(client);

    /* TLS to the plain-HTTP simulator: the handshake fails with a clean error (and the C host is
     * not killed by SIGPIPE when the TLS alert hits the closed socket). The core classifies this
     * "not TLS at all" answer as a network error; a certificate problem would be SB_ERR_TLS. */
    {
        int sim_port = 0;
        sscanf(sim_url(), "http://%*[^:]:%d", &sim_port);
        snprintf(cfg, sizeof cfg,
                 "{\"zignsec\": {\"base_url\": \"https://127.0.0.1:%d\", \"keys\": [\"k\"]},"
                 " \"transport\": {\"max_attempts\": 1}}", sim_port);
    }
    client = NULL;
    CHECK_CODE(sb_client_new(cfg, &client, &err), SB_OK, err, "tls client");
    rc = sb_session_create(client, NULL, &id, &err);
    if (!CHECK(rc == SB_ERR_TLS || rc == SB_ERR_NETWORK)) {
        fprintf(stderr, "  TLS to plain HTTP: %s\n", sb_code_name(rc));
    }
    sb_error_free(err);
    sb_client_free(client);
}

static void test_session_outcomes(sb_client *client) {
    const char *actions[3] = {"cancel", "fail", "expire"};
    const sb_code codes[3] = {SB_ERR_CANCELLED, SB_ERR_SIGNING_FAILED, SB_ERR_SESSION_EXPIRED};
    const char *provider[3] = {"CANCELLED_BY_USER", "SIGNING_FAILED", "SESSION_EXPIRED"};
    int i;
    for (i = 0; i < 3; i++) {
        sb_error *err = NULL;
        sb_status *st = NULL;
        char *session = started_session(client);
        sb_code rc;
        CHECK(sim_session(session, actions[i]) == 200);
        rc = sb_session_wait(client, session, 100, 20000, NULL, &st, &err);
        CHECK_CODE(rc, codes[i], err, actions[i]);
        CHECK(st == NULL);
        CHECK(err != NULL && err->provider_code != NULL && streq(err->provider_code, provider[i]));
        CHECK(err != NULL && !err->retryable);
        sb_error_free(err);

        /* sb_session_status reports the final state as a successful read... */
        rc = sb_session_status(client, session, &st, &err);
        CHECK_CODE(rc, SB_OK, err, "status of an ended session");
        CHECK(st != NULL && sb_status_is_final(st) && sb_status_signed_file_count(st) == 0);
        /* ...and there is nothing to save (invalid state) nor to download (index out of range). */
        if (i == 0) {
            sb_bytes b = {NULL, 0};
            CHECK(streq(sb_status_state(st), "Cancelled"));
            rc = sb_save_signed_files(client, st, "/tmp/sbtest-never-created", NULL, &err);
            CHECK_CODE(rc, SB_ERR_INVALID_STATE, err, "save from a cancelled session");
            CHECK(!file_exists("/tmp/sbtest-never-created"));
            sb_error_free(err);
            rc = sb_download_to_buffer(client, st, 0, &b, &err);
            CHECK_CODE(rc, SB_ERR_INVALID_ARGUMENT, err, "download index out of range");
            CHECK(b.data == NULL && b.len == 0);
            sb_error_free(err);
        }
        if (i == 0) {
            /* The signer's return to the redirect URL (seeds 002/001): the cancel in the URL is
               SB_ERR_CANCELLED without a request; the finished state is not there to take. */
            sb_status *back = NULL;
            rc = sb_session_complete_redirect(client, session,
                                              "https://app.example/fail?error=access_denied&error_description=User+left",
                                              NULL, &back, &err);
            CHECK_CODE(rc, SB_ERR_CANCELLED, err, "complete_redirect after a cancel");
            CHECK(back == NULL);
            CHECK(err != NULL && err->provider_code != NULL && streq(err->provider_code, "access_denied"));
            CHECK(err != NULL && strstr(err->message, "the signer cancelled the signing") != NULL);
            sb_error_free(err);
        }
        sb_status_free(st);
        sb_string_free(session);
    }
}

static void test_integrity(sb_client *client) {
    sb_error *err = NULL;
    sb_status *done = NULL;
    sb_bytes b = {NULL, 0};
    char *session = started_session(client);
    char dir[256], path[512];
    sb_code rc;

    CHECK(sim_session(session, "complete") == 200);
    CHECK_CODE(sb_session_wait(client, session, 100, 20000, NULL, &done, &err), SB_OK, err, "wait");
    temp_dir(dir, sizeof dir, "integrity");
    snprintf(path, sizeof path, "%s/signed.pdf", dir);

    CHECK(sim_fault("{\"kind\": \"corrupt\", \"count\": 1, \"path_prefix\": \"/folders/\"}") == 204);
    rc = sb_download_to_path(client, done, 0, path, NULL, &err);
    CHECK_CODE(rc, SB_ERR_INTEGRITY, err, "corrupted download to path");
    CHECK(err != NULL && err->retryable);
    CHECK(!file_exists(path));
    sb_error_free(err);
    CHECK(rmdir(dir) == 0); /* empty: no temporary file left behind */

    CHECK(sim_fault("{\"kind\": \"corrupt\", \"count\": 1, \"path_prefix\": \"/folders/\"}") == 204);
    rc = sb_download_to_buffer(client, done, 0, &b, &err);
    CHECK_CODE(rc, SB_ERR_INTEGRITY, err, "corrupted download to memory");
    CHECK(b.data == NULL && b.len == 0);
    sb_error_free(err);

    rc = sb_download_to_buffer(client, done, 0, &b, &err);
    CHECK_CODE(rc, SB_OK, err, "download without the fault");
    CHECK(b.len > 0);
    sb_bytes_free(&b);
    sb_status_free(done);
    sb_string_free(session);
}

static void test_aborted(sb_client *client) {
    sb_error *err = NULL;
    sb_status *st = NULL;
    sb_cancel_token *token = sb_cancel_token_new();
    char *session = started_session(client);
    sb_code rc;

    CHECK(token != NULL && !sb_cancel_token_is_cancelled(token));
    CHECK_CODE(sb_cancel_token_cancel(token, &err), SB_OK, err, "cancel");
    CHECK(sb_cancel_token_is_cancelled(token));
    rc = sb_session_wait(client, session, 100, 20000, token, &st, &err);
    CHECK_CODE(rc, SB_ERR_ABORTED, err, "wait with a cancelled token");
    CHECK(st == NULL);
    sb_error_free(err);
    sb_cancel_token_free(token);
    sb_string_free(session);
}

int main(void) {
    sb_client *client = sim_client();
    CHECK(sim_clear_faults() == 204);
    test_config_errors();
    test_auth();
    test_documents_and_io(client);
    test_not_found_and_bad_ids(client);
    test_rate_limit_unavailable_protocol_provider(client);
    test_timeouts(client);
    test_network_and_tls();
    test_session_outcomes(client);
    test_integrity(client);
    test_aborted(client);
    sb_client_free(client);
    return finish("test_errors");
}

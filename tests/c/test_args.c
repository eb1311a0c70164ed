/* NULL, garbage, stale and wrong-type arguments to every function (ZignSec signing, webhooks, the
 * neutral signing session, the OneSpan callback verifier) and bad clients and requests to the
 * operations reached through sb_call (eID, Securosys, OneSpan): each gives its documented answer
 * (SB_ERR_INVALID_ARGUMENT, NULL, 0, false, or nothing) and never crashes. Run under valgrind and
 * ASan too: refused handles are never read. */
#include "call.h"

#define BAD_UTF8 "\xff\xfe\xfd"

static sb_client *g_client;
static sb_client *g_stale_client;
static sb_status *g_status; /* a live status, also used as a wrong-type handle */
static sb_status *g_stale_status;
static char *g_eid_id;        /* a BankID SE eID session */
static int g_local;          /* its address is a foreign pointer of any type */

static void test_codes_and_version(void) {
    int weird[6] = {-2147483647 - 1, -1, 1, 99, 7000, 2147483647};
    int i;
    for (i = 0; i < 6; i++) {
        CHECK(streq(sb_code_name(weird[i]), "SB_ERR_UNKNOWN"));
        CHECK(streq(sb_code_message(weird[i]), "unknown signbridge error code"));
        CHECK(!sb_code_is_retryable(weird[i]));
    }
    CHECK(sb_version() != NULL && strlen(sb_version()) >= 5);
}

static void test_frees(void) {
    char local_string[8] = "abc";
    sb_bytes b = {(uint8_t *)local_string, 3};
    sb_error_free(NULL);
    sb_error_free((sb_error *)&g_local);
    sb_string_free(NULL);
    sb_string_free(local_string);
    sb_bytes_free(NULL);
    sb_bytes_free(&b);
    CHECK(b.data == (uint8_t *)local_string); /* not ours: left alone */
    sb_client_free(NULL);
    sb_client_free((sb_client *)&g_local);
    sb_client_free((sb_client *)g_status); /* wrong type: ignored, the status stays valid */
    CHECK(streq(sb_status_state(g_status), "Created"));
    sb_client_free(g_stale_client);        /* double free: ignored */
    sb_status_free(NULL);
    sb_status_free((sb_status *)&g_local);
    sb_status_free(g_stale_status);
    sb_cancel_token_free(NULL);
    sb_cancel_token_free((sb_cancel_token *)g_client); /* wrong type: ignored */
    sb_webhook_verifier_free(NULL);
    sb_webhook_verifier_free((sb_webhook_verifier *)g_status); /* wrong type: ignored */
    CHECK(streq(sb_status_state(g_status), "Created"));
    {
        /* A string freed twice: the second free is ignored. */
        char *id = NULL;
        sb_error *err = NULL;
        CHECK_CODE(sb_session_create(g_client, NULL, &id, &err), SB_OK, err, "create");
        sb_string_free(id);
        sb_string_free(id);
        /* An error freed twice. */
        CHECK(sb_session_create(NULL, NULL, &id, &err) == SB_ERR_INVALID_ARGUMENT);
        sb_error_free(err);
        sb_error_free(err);
    }
    CHECK(1); /* reached: nothing crashed */
}

static void test_cancel_token(void) {
    sb_error *err = NULL;
    sb_cancel_token *t = sb_cancel_token_new(), *stale = sb_cancel_token_new();
    sb_cancel_token_free(stale);
    expect_invalid(sb_cancel_token_cancel(NULL, &err), &err, "cancel(NULL)", "cancel token");
    expect_invalid(sb_cancel_token_cancel(stale, &err), &err, "cancel(stale)", "cancel token");
    expect_invalid(sb_cancel_token_cancel((sb_cancel_token *)g_client, &err), &err, "cancel(client)", NULL);
    CHECK(sb_cancel_token_cancel(NULL, NULL) == SB_ERR_INVALID_ARGUMENT); /* out_error optional */
    CHECK(!sb_cancel_token_is_cancelled(NULL));
    CHECK(!sb_cancel_token_is_cancelled(stale));
    CHECK(!sb_cancel_token_is_cancelled((sb_cancel_token *)&g_local));
    CHECK(sb_cancel_token_cancel(t, NULL) == SB_OK && sb_cancel_token_is_cancelled(t));
    CHECK(sb_cancel_token_cancel(t, NULL) == SB_OK); /* twice: fine */
    sb_cancel_token_free(t);
}

static void test_client_new(void) {
    sb_error *err = NULL;
    sb_client *c = (sb_client *)&g_local; /* must be overwritten with NULL on failure */
    expect_invalid(sb_client_new(NULL, &c, &err), &err, "client_new(NULL)", "config_json");
    CHECK(c == NULL);
    expect_invalid(sb_client_new("{}", NULL, &err), &err, "client_new(out NULL)", "out_client");
    expect_invalid(sb_client_new("{\"zignsec\": {\"base_url\": \"" BAD_UTF8 "\"}}", &c, &err), &err,
                   "client_new(bad utf-8)", "UTF-8");
    CHECK(sb_client_new("", &c, &err) == SB_ERR_INVALID_CONFIG);
    sb_error_free(err);
    CHECK(sb_client_new("[1, 2]", &c, &err) == SB_ERR_INVALID_CONFIG);
    sb_error_free(err);
    CHECK(sb_client_new("{\"zignsec\": {\"keys\": \"not-a-list\"}}", &c, NULL) == SB_ERR_INVALID_CONFIG);
    expect_invalid(sb_client_new_from_env(NULL, &err), &err, "from_env(out NULL)", "out_client");
}

/* Every operation of the table (sb_operations_json) whose name starts with `prefix`, with each of
 * the 4 bad clients: SB_ERR_INVALID_ARGUMENT naming the client, no result (also through
 * sb_call_with with a cancel token for the long-running ones). Returns how many operations. */
static int ops_refuse_bad_clients(const char *prefix, sb_client *const *bad, const char *const *names) {
    char *list = sb_operations_json();
    cJSON *ops = cJSON_Parse(list), *op;
    int i, n = 0;
    cJSON_ArrayForEach(op, ops) {
        const char *name = jstr(op, "name");
        if (name == NULL || strncmp(name, prefix, strlen(prefix)) != 0 || cJSON_IsFalse(jget(op, "needs_client"))) {
            continue; /* another prefix, or an operation that runs without a client */
        }
        n++;
        for (i = 0; i < 4; i++) {
            sb_error *err = NULL;
            char *result = (char *)&g_local;
            expect_invalid(sb_call(bad[i], name, "{}", &result, &err), &err, names[i], "client");
            CHECK(result == NULL);
            if (cJSON_IsTrue(jget(op, "long_running"))) {
                sb_cancel_token *token = sb_cancel_token_new();
                result = (char *)&g_local;
                expect_invalid(sb_call_with(bad[i], name, "{}", token, NULL, NULL, &result, &err), &err, names[i],
                               "client");
                CHECK(result == NULL);
                sb_cancel_token_free(token);
            }
        }
    }
    cJSON_Delete(ops);
    sb_string_free(list);
    return n;
}

/* Every operation with a NULL, stale, foreign and wrong-type client. */
static void test_bad_clients(void) {
    sb_client *bad[4];
    const char *names[4] = {"NULL client", "freed client", "foreign pointer", "status as client"};
    int i;
    bad[0] = NULL;
    bad[1] = g_stale_client;
    bad[2] = (sb_client *)&g_local;
    bad[3] = (sb_client *)g_status;
    for (i = 0; i < 4; i++) {
        sb_error *err = NULL;
        char *s = NULL;
        char *s2 = NULL;
        sb_status *st = NULL;
        sb_bytes b = {NULL, 0};
        const char *ids[1] = {"f"};
        sb_document doc = {"/tmp/x.pdf", NULL, NULL, 0, NULL};
        expect_invalid(sb_session_create(bad[i], NULL, &s, &err), &err, names[i], "client");
        expect_invalid(sb_session_upload_path(bad[i], "abc", "/tmp/x.pdf", &s, &err), &err, names[i], "client");
        expect_invalid(sb_session_upload_buffer(bad[i], "abc", "x.pdf", (const uint8_t *)"%PDF-", 5, &s, &err),
                       &err, names[i], "client");
        expect_invalid(sb_session_start(bad[i], "abc", ids, NULL, 1, &s, &err), &err, names[i], "client");
        expect_invalid(sb_session_start_json(bad[i], "abc", "{}", &s, &err), &err, names[i], "client");
        expect_invalid(sb_sign_documents(bad[i], NULL, &doc, 1, &s, &s2, &err), &err, names[i], "client");
        expect_invalid(sb_session_status(bad[i], "abc", &st, &err), &err, names[i], "client");
        expect_invalid(sb_session_wait(bad[i], "abc", 0, 0, NULL, &st, &err), &err, names[i], "client");
        expect_invalid(sb_download_to_path(bad[i], g_status, 0, "/tmp/x.pdf", NULL, &err), &err, names[i], "client");
        expect_invalid(sb_download_to_buffer(bad[i], g_status, 0, &b, &err), &err, names[i], "client");
        expect_invalid(sb_save_signed_files(bad[i], g_status, "/tmp/sbtest-x", NULL, &err), &err, names[i], "client");
        CHECK(s == NULL && s2 == NULL && st == NULL && b.data == NULL && b.len == 0);
    }
    /* the eID operations */
    CHECK(ops_refuse_bad_clients("zignsec.eid_", bad, names) == 4);
    {
        /* zignsec.parse_redirect needs no client; one given must still be a live one */
        sb_error *err = NULL;
        cJSON *r = NULL;
        for (i = 1; i < 4; i++) {
            expect_invalid(callj(bad[i], &r, &err, "zignsec.parse_redirect", "{\"returned_url\": \"?a=b\"}"), &err,
                           names[i], "client");
            CHECK(r == NULL);
        }
        CHECK_CODE(callj(NULL, &r, &err, "zignsec.parse_redirect", "{\"returned_url\": \"?a=b\"}"), SB_OK, err,
                   "parse_redirect (no client)");
        CHECK(cJSON_IsTrue(jget(r, "success")));
        cJSON_Delete(r);
    }
}

/* Every operation with NULL / invalid strings, bad JSON, bad buffers and NULL outputs. */
static void test_bad_arguments(void) {
    sb_client *c = g_client;
    sb_error *err = NULL;
    char *s = NULL, *s2 = NULL, *session = NULL;
    sb_status *st = NULL;
    sb_bytes b = {NULL, 0};
    const char *ids_null[1] = {NULL};
    const char *ids_bad[1] = {BAD_UTF8};
    sb_document doc;
    CHECK_CODE(sb_session_create(c, NULL, &session, &err), SB_OK, err, "create");

    /* create */
    expect_invalid(sb_session_create(c, NULL, NULL, &err), &err, "create(out NULL)", "out_session_id");
    expect_invalid(sb_session_create(c, "{not json", &s, &err), &err, "create(malformed)", "request_json");
    expect_invalid(sb_session_create(c, "{\"lokale\": \"En\"}", &s, &err), &err, "create(unknown field)", "lokale");
    expect_invalid(sb_session_create(c, "42", &s, &err), &err, "create(number)", "request_json");
    expect_invalid(sb_session_create(c, BAD_UTF8, &s, &err), &err, "create(bad utf-8)", "UTF-8");
    expect_invalid(sb_session_create(c, "{\"redirect_success\": \"/relative\"}", &s, &err), &err,
                   "create(relative url)", "redirect_success");
    CHECK(sb_session_create(c, "{not json", &s, NULL) == SB_ERR_INVALID_ARGUMENT);

    /* upload_path */
    expect_invalid(sb_session_upload_path(c, NULL, "/tmp/x.pdf", &s, &err), &err, "upload_path(id NULL)", "session_id");
    expect_invalid(sb_session_upload_path(c, BAD_UTF8, "/tmp/x.pdf", &s, &err), &err, "upload_path(bad id)", "UTF-8");
    expect_invalid(sb_session_upload_path(c, "a/../b", "/tmp/x.pdf", &s, &err), &err, "upload_path(path id)", "session id");
    expect_invalid(sb_session_upload_path(c, session, NULL, &s, &err), &err, "upload_path(path NULL)", "path");
    expect_invalid(sb_session_upload_path(c, session, "", &s, &err), &err, "upload_path(path empty)", "path");
    expect_invalid(sb_session_upload_path(c, session, "/tmp/x.pdf", NULL, &err), &err, "upload_path(out NULL)", "out_file_id");
    /* A non-UTF-8 path is a valid Unix path: it simply does not exist. */
    CHECK(sb_session_upload_path(c, session, "/tmp/" BAD_UTF8 ".pdf", &s, &err) == SB_ERR_IO);
    sb_error_free(err);

    /* upload_buffer */
    expect_invalid(sb_session_upload_buffer(c, session, NULL, (const uint8_t *)"%PDF-", 5, &s, &err), &err,
                   "upload_buffer(name NULL)", "name");
    expect_invalid(sb_session_upload_buffer(c, session, BAD_UTF8, (const uint8_t *)"%PDF-", 5, &s, &err), &err,
                   "upload_buffer(bad name)", "UTF-8");
    expect_invalid(sb_session_upload_buffer(c, session, "x.pdf", NULL, 10, &s, &err), &err,
                   "upload_buffer(NULL data, len 10)", "data");
    expect_invalid(sb_session_upload_buffer(c, session, "x.pdf", (const uint8_t *)"%PDF-", (size_t)-1, &s, &err),
                   &err, "upload_buffer(huge len)", "data");
    expect_invalid(sb_session_upload_buffer(c, session, "x.pdf", (const uint8_t *)"%PDF-", 5, NULL, &err), &err,
                   "upload_buffer(out NULL)", "out_file_id");
    CHECK(sb_session_upload_buffer(c, session, "x.pdf", NULL, 0, &s, NULL) == SB_ERR_INVALID_DOCUMENT);

    /* start */
    expect_invalid(sb_session_start(c, session, NULL, NULL, 0, &s, &err), &err, "start(no files)", "file");
    expect_invalid(sb_session_start(c, session, NULL, NULL, 2, &s, &err), &err, "start(NULL ids, n 2)", "file_ids");
    expect_invalid(sb_session_start(c, session, ids_null, NULL, 1, &s, &err), &err, "start(ids[0] NULL)", "file_ids[0]");
    expect_invalid(sb_session_start(c, session, ids_bad, NULL, 1, &s, &err), &err, "start(ids[0] bad)", "UTF-8");
    {
        const char *ids[1] = {"abc"};
        sb_placement p0 = {0, 1.0, 1.0};
        sb_placement pnan = {1, 0.0 / 0.0, 1.0};
        sb_placement pfar = {1, 1e9, 1.0};
        expect_invalid(sb_session_start(c, session, ids, &p0, 1, &s, &err), &err, "start(page 0)", "page");
        expect_invalid(sb_session_start(c, session, ids, &pnan, 1, &s, &err), &err, "start(NaN)", "placement.x");
        expect_invalid(sb_session_start(c, session, ids, &pfar, 1, &s, &err), &err, "start(off page)", "placement.x");
        expect_invalid(sb_session_start(c, NULL, ids, NULL, 1, &s, &err), &err, "start(id NULL)", "session_id");
        expect_invalid(sb_session_start(c, session, ids, NULL, 1, NULL, &err), &err, "start(out NULL)", "out_redirect_url");
    }
    expect_invalid(sb_session_start_json(c, session, NULL, &s, &err), &err, "start_json(NULL)", "request_json");
    expect_invalid(sb_session_start_json(c, session, "{\"files\": 3}", &s, &err), &err, "start_json(wrong type)", "request_json");
    expect_invalid(sb_session_start_json(c, session, "{\"files\": []}", &s, &err), &err, "start_json(no files)", "file");
    expect_invalid(sb_session_start_json(c, session, "{", &s, &err), &err, "start_json(malformed)", "request_json");
    expect_invalid(sb_session_start_json(c, session, "{\"files\": []}", NULL, &err), &err, "start_json(out NULL)", "out_redirect_url");

    /* sign_documents */
    memset(&doc, 0, sizeof doc);
    expect_invalid(sb_sign_documents(c, NULL, NULL, 0, &s, &s2, &err), &err, "sign(no docs)", "document");
    expect_invalid(sb_sign_documents(c, NULL, NULL, 3, &s, &s2, &err), &err, "sign(NULL docs, n 3)", "docs");
    expect_invalid(sb_sign_documents(c, NULL, &doc, 1, &s, &s2, &err), &err, "sign(empty doc)", "docs[0].name");
    doc.path = "/tmp/x.pdf";
    doc.data = (const uint8_t *)"%PDF-";
    doc.len = 5;
    expect_invalid(sb_sign_documents(c, NULL, &doc, 1, &s, &s2, &err), &err, "sign(path and data)", "both");
    doc.path = NULL;
    doc.name = "x.pdf";
    doc.data = NULL;
    expect_invalid(sb_sign_documents(c, NULL, &doc, 1, &s, &s2, &err), &err, "sign(NULL data, len 5)", "docs[0].data");
    doc.len = 0;
    CHECK(sb_sign_documents(c, NULL, &doc, 1, &s, &s2, NULL) == SB_ERR_INVALID_DOCUMENT);
    expect_invalid(sb_sign_documents(c, "{bad", &doc, 1, &s, &s2, &err), &err, "sign(bad create json)", "create_json");
    expect_invalid(sb_sign_documents(c, NULL, &doc, 1, NULL, &s2, &err), &err, "sign(out id NULL)", "out_session_id");
    expect_invalid(sb_sign_documents(c, NULL, &doc, 1, &s, NULL, &err), &err, "sign(out url NULL)", "out_redirect_url");

    /* status / wait */
    expect_invalid(sb_session_status(c, NULL, &st, &err), &err, "status(id NULL)", "session_id");
    expect_invalid(sb_session_status(c, "", &st, &err), &err, "status(id empty)", "session id");
    expect_invalid(sb_session_status(c, session, NULL, &err), &err, "status(out NULL)", "out_status");
    expect_invalid(sb_session_wait(c, NULL, 100, 100, NULL, &st, &err), &err, "wait(id NULL)", "session_id");
    expect_invalid(sb_session_wait(c, session, 1, 100, NULL, &st, &err), &err, "wait(interval 1 ms)", "interval");
    expect_invalid(sb_session_wait(c, session, 100, 100, (sb_cancel_token *)g_client, &st, &err), &err,
                   "wait(client as token)", "cancel");
    expect_invalid(sb_session_wait(c, session, 100, 100, NULL, NULL, &err), &err, "wait(out NULL)", "out_status");

    /* downloads with bad statuses, indexes, paths, outputs */
    expect_invalid(sb_download_to_path(c, NULL, 0, "/tmp/x.pdf", NULL, &err), &err, "download(status NULL)", "status");
    expect_invalid(sb_download_to_path(c, g_stale_status, 0, "/tmp/x.pdf", NULL, &err), &err, "download(stale)", "status");
    expect_invalid(sb_download_to_path(c, (sb_status *)c, 0, "/tmp/x.pdf", NULL, &err), &err, "download(client)", "status");
    expect_invalid(sb_download_to_path(c, g_status, 0, "/tmp/x.pdf", NULL, &err), &err, "download(index 0 of 0)", "index");
    expect_invalid(sb_download_to_path(c, g_status, (size_t)-1, "/tmp/x.pdf", NULL, &err), &err, "download(index max)", "index");
    expect_invalid(sb_download_to_buffer(c, g_status, 0, NULL, &err), &err, "download_buffer(out NULL)", "out_bytes");
    expect_invalid(sb_download_to_buffer(c, (sb_status *)&g_local, 0, &b, &err), &err, "download_buffer(foreign)", "status");
    expect_invalid(sb_save_signed_files(c, NULL, "/tmp/sbtest-x", NULL, &err), &err, "save(status NULL)", "status");
    expect_invalid(sb_save_signed_files(c, g_status, NULL, NULL, &err), &err, "save(dir NULL)", "dir");
    CHECK(s == NULL && s2 == NULL && st == NULL && b.data == NULL);
    sb_string_free(session);
}

/* A request given to `op` on client `c`: SB_ERR_INVALID_ARGUMENT whose message names `needle`. */
#define BAD_CALL(c, op, needle, ...)                                                                 \
    do {                                                                                             \
        sb_error *bad_err_ = NULL;                                                                   \
        cJSON *bad_r_ = (cJSON *)&g_local;                                                           \
        expect_invalid(callj((c), &bad_r_, &bad_err_, (op), __VA_ARGS__), &bad_err_, (op), (needle)); \
        CHECK(bad_r_ == NULL);                                                                       \
    } while (0)

/* The eID operations with bad products, ids, JSON, URLs and outputs. */
static void test_eid_arguments(void) {
    sb_client *c = g_client;
    sb_error *err = NULL;
    char *s = (char *)&g_local;
    const char *ops[4] = {"zignsec.eid_create", "zignsec.eid_result", "zignsec.eid_wait",
                          "zignsec.eid_complete_redirect"};
    const char *products[7] = {"", "\"product\": \"nope\", ", "\"core\": {\"category\": \"x\"}, ",
                               "\"v5\": {\"provider\": \"\", \"operation\": \"auth\"}, ",
                               "\"core\": {\"category\": \"..\", \"product\": \"x\"}, ",
                               "\"v5\": {\"provider\": \"mitid\", \"operation\": \"a/b\"}, ",
                               "\"product\": \"bankid_se\", \"core\": {\"category\": \"a\", \"product\": \"b\"}, "};
    const char *needles[7] = {"product", "product", "product", "provider", "category", "operation", "exactly one"};
    const char *rest[4] = {"\"session\": {}", "\"session_id\": \"%s\"", "\"session_id\": \"%s\"",
                           "\"session_id\": \"%s\", \"returned_url\": \"?a=b\""};
    int i, k;
    for (i = 0; i < 7; i++) {
        for (k = 0; k < 4; k++) {
            char fmt[256];
            snprintf(fmt, sizeof fmt, "{%s%s}", products[i], rest[k]);
            BAD_CALL(c, ops[k], needles[i], fmt, g_eid_id);
        }
    }
    /* create */
    expect_invalid(sb_call(c, "zignsec.eid_create", "{\"product\": \"mitid\"}", NULL, &err), &err,
                   "eid_create(out NULL)", "out_result_json");
    BAD_CALL(c, "zignsec.eid_create", "request_json", "{not json");
    BAD_CALL(c, "zignsec.eid_create", "relay", "{\"product\": \"mitid\", \"session\": {\"relay\": \"x\"}}");
    BAD_CALL(c, "zignsec.eid_create", "metadata", "{\"product\": \"mitid\", \"session\": {\"metadata\": 3}}");
    BAD_CALL(c, "zignsec.eid_create", "webhook", "{\"product\": \"mitid\", \"session\": {\"webhook\": \"/hook\"}}");
    BAD_CALL(c, "zignsec.eid_create", "UTF-8", BAD_UTF8);
    BAD_CALL(c, "zignsec.eid_create", "request", "42");
    BAD_CALL(c, "zignsec.eid_create", "freja", "{\"product\": \"freja\"}");
    BAD_CALL(c, "zignsec.eid_create", "bankid_se", "{\"product\": \"mitid\", \"bankid_se\": {}}");
    /* result / wait */
    BAD_CALL(c, "zignsec.eid_result", "session_id", "{\"product\": \"bankid_se\"}");
    BAD_CALL(c, "zignsec.eid_result", "session id", "{\"product\": \"bankid_se\", \"session_id\": \"\"}");
    BAD_CALL(c, "zignsec.eid_result", "session id", "{\"product\": \"bankid_se\", \"session_id\": \"a/../b\"}");
    BAD_CALL(c, "zignsec.eid_result", "UTF-8", "{\"product\": \"bankid_se\", \"session_id\": \"" BAD_UTF8 "\"}");
    expect_invalid(sb_call(c, "zignsec.eid_result", "{\"product\": \"bankid_se\", \"session_id\": \"x\"}", NULL, &err),
                   &err, "eid_result(out NULL)", "out_result_json");
    BAD_CALL(c, "zignsec.eid_wait", "session_id", "{\"product\": \"bankid_se\"}");
    BAD_CALL(c, "zignsec.eid_wait", "interval", "{\"product\": \"bankid_se\", \"session_id\": \"%s\", \"interval_ms\": 1}",
             g_eid_id);
    {
        cJSON *r = (cJSON *)&g_local;
        expect_invalid(callw(c, &r, &err, (sb_cancel_token *)g_client, NULL, NULL, "zignsec.eid_wait",
                             "{\"product\": \"bankid_se\", \"session_id\": \"%s\", \"timeout_ms\": 100}", g_eid_id),
                       &err, "eid_wait(client as token)", "cancel");
        CHECK(r == NULL);
    }
    /* complete_redirect / parse_redirect */
    BAD_CALL(c, "zignsec.eid_complete_redirect", "session_id", "{\"product\": \"bankid_se\", \"returned_url\": \"?a=b\"}");
    BAD_CALL(c, "zignsec.eid_complete_redirect", "returned_url", "{\"product\": \"bankid_se\", \"session_id\": \"%s\"}",
             g_eid_id);
    BAD_CALL(c, "zignsec.eid_complete_redirect", "UTF-8",
             "{\"product\": \"bankid_se\", \"session_id\": \"%s\", \"returned_url\": \"" BAD_UTF8 "\"}", g_eid_id);
    BAD_CALL(c, "zignsec.eid_complete_redirect", "URL",
             "{\"product\": \"bankid_se\", \"session_id\": \"%s\", \"returned_url\": \"http://[\"}", g_eid_id);
    BAD_CALL(c, "zignsec.eid_complete_redirect", "expected_relay_state",
             "{\"product\": \"bankid_se\", \"session_id\": \"%s\", \"returned_url\": \"?a=b\", \"expected_relay_state\": 7}",
             g_eid_id);
    BAD_CALL(NULL, "zignsec.parse_redirect", "returned_url", "{}");
    BAD_CALL(NULL, "zignsec.parse_redirect", "returned_url", NULL);
    BAD_CALL(NULL, "zignsec.parse_redirect", "UTF-8", "{\"returned_url\": \"" BAD_UTF8 "\"}");
    BAD_CALL(NULL, "zignsec.parse_redirect", "URL", "{\"returned_url\": \"http://[\"}");
    expect_invalid(sb_call(NULL, "zignsec.parse_redirect", "{\"returned_url\": \"?a=b\"}", NULL, &err), &err,
                   "parse_redirect(out NULL)", "out_result_json");
    /* parse_redirect of garbage that is still a relative URL: a success without any field */
    CHECK(sb_call(NULL, "zignsec.parse_redirect", "{\"returned_url\": \"garbage\"}", &s, NULL) == SB_OK &&
          streq(s, "{\"error_code\":null,\"error_text\":null,\"relay_state\":null,\"session_id\":null,"
                   "\"success\":true}"));
    sb_string_free(s);
    /* the session is there, not identified yet */
    {
        cJSON *r = NULL;
        CHECK_CODE(callj(c, &r, &err, "zignsec.eid_result", "{\"product\": \"bankid_se\", \"session_id\": \"%s\"}",
                         g_eid_id),
                   SB_OK, err, "eid_result");
        CHECK(streq(jstr(r, "id"), g_eid_id) && cJSON_IsNull(jget(r, "identity")));
        cJSON_Delete(r);
    }
}

/* The webhook functions with bad verifiers, secrets, bodies and outputs. */
static void test_webhook_arguments(void) {
    const char *ok[1] = {"s3cret"};
    const char *null_secret[2] = {"s3cret", NULL};
    const char *bad_secret[1] = {BAD_UTF8};
    const char *empty_secret[1] = {""};
    sb_webhook_verifier *v = (sb_webhook_verifier *)&g_local, *stale = NULL, *bad[5];
    sb_error *err = NULL;
    char *json = (char *)&g_local, *h = (char *)&g_local;
    const uint8_t *body = (const uint8_t *)"{}";
    int i;

    expect_invalid(sb_webhook_verifier_new(ok, 1, 0, NULL, &err), &err, "verifier_new(out NULL)", "out_verifier");
    expect_invalid(sb_webhook_verifier_new(NULL, 1, 0, &v, &err), &err, "verifier_new(NULL, 1)", "secrets");
    CHECK(v == NULL);
    expect_invalid(sb_webhook_verifier_new(ok, (size_t)-1, 0, &v, &err), &err, "verifier_new(huge n)", "secrets");
    expect_invalid(sb_webhook_verifier_new(null_secret, 2, 0, &v, &err), &err, "verifier_new(secrets[1] NULL)", "secrets[1]");
    expect_invalid(sb_webhook_verifier_new(bad_secret, 1, 0, &v, &err), &err, "verifier_new(bad utf-8)", "UTF-8");
    CHECK(sb_webhook_verifier_new(NULL, 0, 0, &v, &err) == SB_ERR_AUTH_CONFIG_MISSING && v == NULL);
    sb_error_free(err);
    CHECK(sb_webhook_verifier_new(empty_secret, 1, 0, &v, NULL) == SB_ERR_AUTH_CONFIG_MISSING && v == NULL);
    CHECK(sb_webhook_verifier_new(ok, 1, 0, &stale, NULL) == SB_OK);
    sb_webhook_verifier_free(stale);
    /* A tolerance above one day would accept replays of old deliveries: refused. */
    expect_invalid(sb_webhook_verifier_new(ok, 1, 4000000000u, &v, &err), &err, "verifier_new(tolerance 4e9 s)",
                   "tolerance");
    CHECK(v == NULL);
    CHECK(sb_webhook_verifier_new(ok, 1, 86400, &v, NULL) == SB_OK);
    /* A shared replay store: a URL that is not one is a configuration error that never shows it
     * (it may carry a password); NULL and "memory:" are this process's memory. */
    {
        sb_webhook_verifier *shared = NULL;
        CHECK(sb_webhook_verifier_new_shared(ok, 1, 0, "http://u:pw@host/", &shared, &err) == SB_ERR_INVALID_CONFIG);
        CHECK(shared == NULL && err != NULL && strstr(err->message, "pw") == NULL);
        sb_error_free(err);
        err = NULL;
        CHECK(sb_webhook_verifier_new_shared(ok, 1, 0, NULL, &shared, NULL) == SB_OK && shared != NULL);
        sb_webhook_verifier_free(shared);
        CHECK(sb_webhook_verifier_new_shared(ok, 1, 0, "memory:", &shared, NULL) == SB_OK && shared != NULL);
        sb_webhook_verifier_free(shared);
    }

    bad[0] = NULL;
    bad[1] = stale;
    bad[2] = (sb_webhook_verifier *)&g_local;
    bad[3] = (sb_webhook_verifier *)g_client;
    bad[4] = (sb_webhook_verifier *)g_status;
    for (i = 0; i < 5; i++) {
        expect_invalid(sb_webhook_verify(bad[i], "t=1,v1=00", body, 2, &json, &err), &err, "verify(bad verifier)", "verifier");
        CHECK(json == NULL);
        json = (char *)&g_local;
        expect_invalid(sb_webhook_verify_legacy(bad[i], "00", body, 2, &json, &err), &err, "verify_legacy(bad verifier)",
                       "verifier");
        CHECK(json == NULL);
        sb_webhook_verifier_free(bad[i]); /* ignored */
    }
    expect_invalid(sb_webhook_verify(v, "t=1,v1=00", NULL, 5, &json, &err), &err, "verify(NULL body, 5)", "body");
    expect_invalid(sb_webhook_verify(v, "t=1,v1=00", body, (size_t)-1, &json, &err), &err, "verify(huge len)", "body");
    expect_invalid(sb_webhook_verify_legacy(v, "00", NULL, 5, &json, &err), &err, "verify_legacy(NULL body, 5)", "body");
    /* NULL body with length 0 is an empty body: the delivery is then just not authentic. */
    CHECK(sb_webhook_verify(v, "t=1,v1=00", NULL, 0, &json, NULL) == SB_ERR_WEBHOOK_INVALID ||
          sb_webhook_verify(v, "t=1,v1=00", NULL, 0, &json, NULL) == SB_ERR_WEBHOOK_REPLAY);
    CHECK(sb_webhook_verify_legacy(v, NULL, NULL, 0, NULL, NULL) == SB_ERR_WEBHOOK_INVALID);
    CHECK(json == NULL);

    expect_invalid(sb_webhook_sign_v5(NULL, 1, body, 2, &h, &err), &err, "sign_v5(secret NULL)", "secret");
    CHECK(h == NULL);
    expect_invalid(sb_webhook_sign_v5("s", 1, body, 2, NULL, &err), &err, "sign_v5(out NULL)", "out_header");
    expect_invalid(sb_webhook_sign_v5("s", 1, NULL, 2, &h, &err), &err, "sign_v5(NULL body, 2)", "body");
    expect_invalid(sb_webhook_sign_v5(BAD_UTF8, 1, body, 2, &h, &err), &err, "sign_v5(bad secret)", "UTF-8");
    expect_invalid(sb_webhook_sign_legacy(NULL, body, 2, &h, &err), &err, "sign_legacy(secret NULL)", "secret");
    expect_invalid(sb_webhook_sign_legacy("s", body, 2, NULL, &err), &err, "sign_legacy(out NULL)", "out_header");
    expect_invalid(sb_webhook_sign_legacy("s", NULL, 2, &h, &err), &err, "sign_legacy(NULL body, 2)", "body");
    CHECK(sb_webhook_sign_v5("s", 0, NULL, 0, &h, NULL) == SB_OK && h != NULL && strncmp(h, "t=0,v1=", 7) == 0);
    sb_string_free(h);
    sb_webhook_verifier_free(v);
    sb_webhook_verifier_free(v); /* double free: ignored */
}

static void test_accessors(void) {
    sb_status *bad[4];
    int i;
    bad[0] = NULL;
    bad[1] = g_stale_status;
    bad[2] = (sb_status *)&g_local;
    bad[3] = (sb_status *)g_client;
    for (i = 0; i < 4; i++) {
        CHECK(sb_status_session_id(bad[i]) == NULL);
        CHECK(sb_status_state(bad[i]) == NULL);
        CHECK(!sb_status_is_final(bad[i]));
        CHECK(sb_status_relay_state(bad[i]) == NULL);
        CHECK(sb_status_signer_name(bad[i]) == NULL);
        CHECK(sb_status_signed_file_count(bad[i]) == 0);
        CHECK(sb_status_signed_file_name(bad[i], 0) == NULL);
        CHECK(sb_status_signed_file_id(bad[i], 0) == NULL);
        CHECK(sb_status_signed_file_md5_hex(bad[i], 0) == NULL);
        CHECK(sb_status_json(bad[i]) == NULL);
    }
    CHECK(sb_status_signed_file_name(g_status, (size_t)-1) == NULL);
    CHECK(sb_status_relay_state(g_status) == NULL);
    CHECK(sb_status_json(g_status) != NULL);
}

/* ---- Securosys through sb_call: bad clients, bad requests, every rule named in the message ---- */

static sb_client *g_tsb;        /* a client with the simulator's TSB keys */
static char g_tsb_label[64];    /* a plain P-256 key of this run */
static char *g_approver_pem;    /* an approver's private key, as a JSON string literal */

static void tsb_setup(void) {
    sb_error *err = NULL;
    cJSON *r = NULL;
    g_tsb = tsb_client();
    snprintf(g_tsb_label, sizeof g_tsb_label, "args-%ld", (long)getpid());
    CHECK_CODE(callj(g_tsb, NULL, &err, "securosys.create_key",
                     "{\"label\": \"%s\", \"algorithm\": \"EC\", \"curve_oid\": \"1.2.840.10045.3.1.7\"}", g_tsb_label),
               SB_OK, err, "create_key");
    CHECK_CODE(callj(NULL, &r, &err, "securosys.approver_key", NULL), SB_OK, err, "approver_key");
    g_approver_pem = jquote(jstr(r, "pem") != NULL ? jstr(r, "pem") : "");
    cJSON_Delete(r);
    /* the new approver has no task of any kind */
    CHECK_CODE(callj(g_tsb, &r, &err, "securosys.list_approval_tasks",
                     "{\"approver_key_pem\": %s, \"kind\": \"all\", \"page_size\": 5}", g_approver_pem),
               SB_OK, err, "list_approval_tasks");
    CHECK(jlen(r, "tasks") == 0);
    cJSON_Delete(r);
}

static void tsb_teardown(void) {
    CHECK(callj(g_tsb, NULL, NULL, "securosys.delete_key", "{\"label\": \"%s\"}", g_tsb_label) == SB_OK);
    free(g_approver_pem);
    sb_client_free(g_tsb);
}

/* Every Securosys operation of the table (sb_operations_json) with a NULL, freed, foreign and
 * wrong-type client: SB_ERR_INVALID_ARGUMENT naming the client, no result. The local helpers
 * need no client. */
static void test_tsb_bad_clients(void) {
    sb_client *bad[4];
    const char *names[4] = {"NULL client", "freed client", "foreign pointer", "status as client"};
    char *list = sb_operations_json();
    cJSON *ops = cJSON_Parse(list), *op;
    int i, n = 0, local = 0;
    bad[0] = NULL;
    bad[1] = g_stale_client;
    bad[2] = (sb_client *)&g_local;
    bad[3] = (sb_client *)g_status;
    cJSON_ArrayForEach(op, ops) {
        const char *name = jstr(op, "name");
        if (name == NULL || strncmp(name, "securosys.", 10) != 0) {
            continue;
        }
        if (streq(name, "securosys.key_spec") || streq(name, "securosys.quorum_policy") ||
            streq(name, "securosys.approver_key")) {
            local++;
            for (i = 1; i < 4; i++) { /* a client must still be a live one when given */
                sb_error *err = NULL;
                expect_invalid(callj(bad[i], NULL, &err, name, "{}"), &err, names[i], "client");
            }
            continue;
        }
        n++;
        for (i = 0; i < 4; i++) {
            sb_error *err = NULL;
            char *result = (char *)&g_local;
            expect_invalid(sb_call(bad[i], name, "{}", &result, &err), &err, names[i], "client");
            CHECK(result == NULL);
            if (cJSON_IsTrue(jget(op, "long_running"))) {
                sb_cancel_token *token = sb_cancel_token_new();
                expect_invalid(sb_call_with(bad[i], name, "{}", token, NULL, NULL, &result, &err), &err, names[i],
                               "client");
                sb_cancel_token_free(token);
            }
        }
    }
    CHECK(n >= 20 && local == 3);
    /* the local helpers run without a client */
    {
        sb_error *err = NULL;
        cJSON *r = NULL;
        CHECK_CODE(callj(NULL, &r, &err, "securosys.key_spec", "{\"key_spec\": \"p256\"}"), SB_OK, err, "key_spec");
        CHECK(streq(jstr(r, "signature_algorithm"), "SHA256_WITH_ECDSA"));
        cJSON_Delete(r);
        expect_invalid(sb_call(NULL, "securosys.quorum_policy", "{\"quorum\": 1, \"approvers\": []}", NULL, &err), &err,
                       "quorum_policy(out NULL)", "out_result_json");
    }
    cJSON_Delete(ops);
    sb_string_free(list);
}

/* A request given to `op`: SB_ERR_INVALID_ARGUMENT whose message names `needle`. */
#define BAD_REQUEST(op, needle, ...)                                                                  \
    do {                                                                                              \
        sb_error *bad_err_ = NULL;                                                                    \
        expect_invalid(callj(c, NULL, &bad_err_, (op), __VA_ARGS__), &bad_err_, (op), (needle));      \
    } while (0)

static void test_tsb_bad_requests(void) {
    sb_client *c = g_tsb;
    const char *l = g_tsb_label;
    const char *ap = g_approver_pem;
    sb_error *err = NULL;
    sb_cancel_token *stale_token = sb_cancel_token_new();
    char *s = NULL;
    sb_cancel_token_free(stale_token);

    /* key types and their usual algorithms */
    {
        const char *specs[5] = {"rsa2048", "rsa4096", "p256", "p384", "ed25519"};
        const char *algs[5] = {"SHA256_WITH_RSA", "SHA256_WITH_RSA", "SHA256_WITH_ECDSA", "SHA384_WITH_ECDSA", "EDDSA"};
        int i;
        for (i = 0; i < 5; i++) {
            cJSON *r = NULL;
            CHECK(callj(NULL, &r, NULL, "securosys.key_spec", "{\"key_spec\": \"%s\"}", specs[i]) == SB_OK);
            CHECK(streq(jstr(r, "signature_algorithm"), algs[i]));
            cJSON_Delete(r);
        }
    }
    BAD_REQUEST("securosys.key_spec", "key_spec", "{\"key_spec\": \"rsa1024\"}");
    BAD_REQUEST("securosys.key_spec", "key_spec", "{\"key_spec\": 0}");
    BAD_REQUEST("securosys.key_spec", "key_spec", NULL);

    /* the generic entry's own arguments */
    expect_invalid(sb_call(c, "securosys.version_info", NULL, NULL, &err), &err, "version_info(out NULL)",
                   "out_result_json");
    expect_invalid(sb_call(c, NULL, "{}", &s, &err), &err, "operation NULL", "operation");
    expect_invalid(sb_call(c, BAD_UTF8, "{}", &s, &err), &err, "operation not UTF-8", "UTF-8");
    expect_invalid(sb_call(c, "securosys.create_kee", "{}", &s, &err), &err, "unknown operation",
                   "securosys.create_key");
    expect_invalid(sb_call(c, "securosys.list_keys", "{bad", &s, &err), &err, "request not JSON", "request_json");
    expect_invalid(sb_call(c, "securosys.list_keys", BAD_UTF8, &s, &err), &err, "request not UTF-8", "UTF-8");
    BAD_REQUEST("securosys.list_keys", "request", "[1]");
    BAD_REQUEST("securosys.list_keys", "colour", "{\"colour\": 1}");
    CHECK(s == NULL);

    /* quorum policy: built locally, checked when the key is created */
    BAD_REQUEST("securosys.quorum_policy", "name", "{\"quorum\": 1, \"approvers\": [{\"public_key_base64\": \"k1\"}]}");
    BAD_REQUEST("securosys.quorum_policy", "public_key_base64", "{\"quorum\": 1, \"approvers\": [{\"name\": \"a\"}]}");
    BAD_REQUEST("securosys.quorum_policy", "approvers[1]",
                "{\"quorum\": 1, \"approvers\": [{\"name\": \"a\", \"public_key_base64\": \"k1\"},"
                " {\"name\": null, \"public_key_base64\": \"k2\"}]}");
    BAD_REQUEST("securosys.quorum_policy", "UTF-8",
                "{\"quorum\": 1, \"approvers\": [{\"name\": \"a\", \"public_key_base64\": \"" BAD_UTF8 "\"}]}");
    BAD_REQUEST("securosys.quorum_policy", "approvers", "{\"quorum\": 1, \"approvers\": \"a\"}");
    BAD_REQUEST("securosys.quorum_policy", "quorum", "{\"quorum\": -1, \"approvers\": []}");
    {
        cJSON *r = NULL;
        char *policy;
        CHECK(callj(NULL, &r, NULL, "securosys.quorum_policy",
                    "{\"quorum\": 3, \"approvers\": [{\"name\": \"a\", \"public_key_base64\": \"k1\"},"
                    " {\"name\": \"b\", \"public_key_base64\": \"k2\"}]}") == SB_OK);
        policy = jtext(jget(r, "policy"));
        BAD_REQUEST("securosys.create_key", "quorum",
                    "{\"label\": \"args-never\", \"algorithm\": \"EC\", \"curve_oid\": \"1.2.840.10045.3.1.7\","
                    " \"policy\": %s}",
                    policy);
        free(policy);
        cJSON_Delete(r);
        CHECK(callj(NULL, &r, NULL, "securosys.quorum_policy",
                    "{\"quorum\": 1, \"timeout_s\": 61, \"approvers\": [{\"name\": \"a\", \"public_key_base64\": "
                    "\"k1\"}, {\"name\": \"b\", \"public_key_base64\": \"k2\"}]}") == SB_OK);
        policy = jtext(jget(r, "policy"));
        BAD_REQUEST("securosys.create_key", "multiple of 60",
                    "{\"label\": \"args-never\", \"algorithm\": \"EC\", \"curve_oid\": \"1.2.840.10045.3.1.7\","
                    " \"policy\": %s}",
                    policy);
        free(policy);
        cJSON_Delete(r);
    }

    /* create_key */
#define EC_KEY "\"algorithm\": \"EC\", \"curve_oid\": \"1.2.840.10045.3.1.7\""
    expect_invalid(sb_call(c, "securosys.create_key", "{\"label\": \"k\", " EC_KEY "}", NULL, &err), &err,
                   "create_key(out NULL)", "out_result_json");
    BAD_REQUEST("securosys.create_key", "label", "{" EC_KEY "}");
    BAD_REQUEST("securosys.create_key", "label", NULL);
    BAD_REQUEST("securosys.create_key", "UTF-8", "{\"label\": \"" BAD_UTF8 "\", " EC_KEY "}");
    BAD_REQUEST("securosys.create_key", "label", "{\"label\": \"\", " EC_KEY "}");
    BAD_REQUEST("securosys.create_key", "label", "{\"label\": \"a\\nb\", " EC_KEY "}");
    BAD_REQUEST("securosys.create_key", "policy", "{\"label\": \"k\", " EC_KEY ", \"policy\": \"{not json\"}");
    BAD_REQUEST("securosys.create_key", "policy", "{\"label\": \"k\", " EC_KEY ", \"policy\": [1]}");
    BAD_REQUEST("securosys.create_key", "algorithm", "{\"label\": \"k\"}");
    BAD_REQUEST("securosys.create_key", "colour", "{\"label\": \"k\", " EC_KEY ", \"colour\": 1}");
    BAD_REQUEST("securosys.create_key", "key_size", "{\"label\": \"k\", \"algorithm\": \"RSA\"}");

    /* get_key / public_key / list_keys / delete_key */
    BAD_REQUEST("securosys.get_key", "label", "{}");
    BAD_REQUEST("securosys.get_key", "label", "{\"label\": 42}");
    BAD_REQUEST("securosys.get_key", "UTF-8", "{\"label\": \"" BAD_UTF8 "\"}");
    expect_invalid(sb_call(c, "securosys.get_key", "{\"label\": \"k\"}", NULL, &err), &err, "get_key(out NULL)",
                   "out_result_json");
    BAD_REQUEST("securosys.public_key", "label", "{}");
    expect_invalid(sb_call(c, "securosys.list_keys", NULL, NULL, &err), &err, "list_keys(out NULL)",
                   "out_result_json");
    BAD_REQUEST("securosys.delete_key", "label", "{}");
    BAD_REQUEST("securosys.delete_key", "label", "{\"label\": \"\"}");

    /* synchronous_sign, with the payload inline or from a file */
#define SIGN(extra) "{\"label\": \"%s\", \"algorithm\": \"SHA256_WITH_ECDSA\"" extra "}", l
    BAD_REQUEST("securosys.synchronous_sign", "label",
                "{\"payload_base64\": \"cGF5bG9hZA==\", \"algorithm\": \"SHA256_WITH_ECDSA\"}");
    BAD_REQUEST("securosys.synchronous_sign", "payload_kind", SIGN(", \"payload_base64\": \"cGF5bG9hZA==\", \"payload_kind\": \"hashed\""));
    BAD_REQUEST("securosys.synchronous_sign", "payload_kind", SIGN(", \"payload_base64\": \"cGF5bG9hZA==\", \"payload_kind\": 7"));
    BAD_REQUEST("securosys.synchronous_sign", "algorithm", "{\"label\": \"%s\", \"payload_base64\": \"cGF5bG9hZA==\"}", l);
    BAD_REQUEST("securosys.synchronous_sign", "UTF-8",
                "{\"label\": \"%s\", \"payload_base64\": \"cGF5bG9hZA==\", \"algorithm\": \"" BAD_UTF8 "\"}", l);
    BAD_REQUEST("securosys.synchronous_sign", "exactly one of request.payload_base64 and request.path", SIGN(""));
    BAD_REQUEST("securosys.synchronous_sign", "exactly one of request.payload_base64 and request.path",
                SIGN(", \"payload_base64\": \"cGF5bG9hZA==\", \"path\": \"/tmp/x\""));
    BAD_REQUEST("securosys.synchronous_sign", "payload_base64", SIGN(", \"payload_base64\": \"%%%% not base64\""));
    BAD_REQUEST("securosys.synchronous_sign", "empty", SIGN(", \"payload_base64\": \"\""));
    BAD_REQUEST("securosys.synchronous_sign", "32 bytes",
                SIGN(", \"payload_base64\": \"cGF5bG9hZA==\", \"payload_kind\": \"digest\""));
    BAD_REQUEST("securosys.synchronous_sign", "path", SIGN(", \"path\": \"\""));
    CHECK_CODE(callj(c, NULL, &err, "securosys.synchronous_sign", SIGN(", \"path\": \"/nonexistent/x\"")), SB_ERR_IO,
               err, "sign a missing file");
    sb_error_free(err);
    err = NULL;

    /* verify */
    BAD_REQUEST("securosys.verify", "signature_base64", SIGN(", \"payload_base64\": \"cGF5bG9hZA==\""));
    BAD_REQUEST("securosys.verify", "signature",
                SIGN(", \"payload_base64\": \"cGF5bG9hZA==\", \"signature_base64\": \"\""));
    BAD_REQUEST("securosys.verify", "signature_base64",
                SIGN(", \"payload_base64\": \"cGF5bG9hZA==\", \"signature_base64\": \"%%%%\""));
    BAD_REQUEST("securosys.verify", "payload_kind",
                SIGN(", \"payload_base64\": \"cGF5bG9hZA==\", \"payload_kind\": 5, \"signature_base64\": \"AA==\""));
    BAD_REQUEST("securosys.verify", "exactly one of request.payload_base64 and request.path",
                SIGN(", \"signature_base64\": \"AA==\""));
    BAD_REQUEST("securosys.verify", "label",
                "{\"path\": \"/tmp/x\", \"algorithm\": \"SHA256_WITH_ECDSA\", \"signature_base64\": \"AA==\"}");

    /* sign (asynchronous) and its options */
    BAD_REQUEST("securosys.sign", "options", SIGN(", \"payload_base64\": \"cGF5bG9hZA==\", \"options\": \"{bad\""));
    BAD_REQUEST("securosys.sign", "meta", SIGN(", \"payload_base64\": \"cGF5bG9hZA==\", \"options\": {\"meta\": {}}"));
    BAD_REQUEST("securosys.sign", "metadata",
                SIGN(", \"payload_base64\": \"cGF5bG9hZA==\", \"options\": {\"metadata\": [1]}"));
    BAD_REQUEST("securosys.sign", "UTF-8",
                SIGN(", \"payload_base64\": \"cGF5bG9hZA==\", \"options\": {\"metadata\": {\"a\": \"" BAD_UTF8 "\"}}"));
    BAD_REQUEST("securosys.sign", "exactly one of request.payload_base64 and request.path", SIGN(""));
    BAD_REQUEST("securosys.sign", "payload_kind", SIGN(", \"payload_base64\": \"cGF5bG9hZA==\", \"payload_kind\": 9"));
    BAD_REQUEST("securosys.sign", "options", SIGN(", \"path\": \"/tmp/x\", \"options\": 42"));

    /* request_status / cancel_request / wait_request */
    BAD_REQUEST("securosys.request_status", "id", "{}");
    BAD_REQUEST("securosys.request_status", "request id", "{\"id\": \"\"}");
    BAD_REQUEST("securosys.request_status", "request id", "{\"id\": \"a/../b\"}");
    BAD_REQUEST("securosys.request_status", "UTF-8", "{\"id\": \"" BAD_UTF8 "\"}");
    expect_invalid(sb_call(c, "securosys.request_status", "{\"id\": \"abc\"}", NULL, &err), &err,
                   "request_status(out NULL)", "out_result_json");
    BAD_REQUEST("securosys.cancel_request", "id", "{}");
    BAD_REQUEST("securosys.cancel_request", "request id", "{\"id\": \"a?b\"}");
    BAD_REQUEST("securosys.wait_request", "id", "{\"interval_ms\": 100, \"timeout_ms\": 100}");
    BAD_REQUEST("securosys.wait_request", "interval", "{\"id\": \"abc\", \"interval_ms\": 1, \"timeout_ms\": 100}");
    expect_invalid(callw(c, NULL, &err, stale_token, NULL, NULL, "securosys.wait_request",
                         "{\"id\": \"abc\", \"interval_ms\": 100, \"timeout_ms\": 100}"),
                   &err, "wait_request(stale token)", "cancel");
    expect_invalid(callw(c, NULL, &err, (sb_cancel_token *)g_status, NULL, NULL, "securosys.wait_request",
                         "{\"id\": \"abc\", \"interval_ms\": 100, \"timeout_ms\": 100}"),
                   &err, "wait_request(status as token)", "cancel");
    expect_invalid(sb_call_with(c, "securosys.wait_request", "{\"id\": \"abc\"}", NULL, NULL, NULL, NULL, &err), &err,
                   "wait_request(out NULL)", "out_result_json");

    /* certificates */
#define CERT "{\"common_name\": \"c\", \"signature_algorithm\": \"SHA256_WITH_ECDSA\"}"
#define CSR "{\"subject\": {\"common_name\": \"c\"}, \"signature_algorithm\": \"SHA256_WITH_ECDSA\"}"
    BAD_REQUEST("securosys.self_signed_certificate", "label", "{\"certificate\": " CERT "}");
    BAD_REQUEST("securosys.self_signed_certificate", "certificate", "{\"label\": \"%s\"}", l);
    BAD_REQUEST("securosys.self_signed_certificate", "certificate", "{\"label\": \"%s\", \"certificate\": \"{bad\"}", l);
    BAD_REQUEST("securosys.self_signed_certificate", "UTF-8",
                "{\"label\": \"%s\", \"certificate\": {\"common_name\": \"" BAD_UTF8 "\"}}", l);
    BAD_REQUEST("securosys.self_signed_certificate", "signature_algorithm",
                "{\"label\": \"%s\", \"certificate\": {\"common_name\": \"c\"}}", l);
    BAD_REQUEST("securosys.self_signed_certificate", "validity_days",
                "{\"label\": \"%s\", \"certificate\": {\"common_name\": \"c\", \"signature_algorithm\": \"EDDSA\","
                " \"validity_days\": 0}}",
                l);
    BAD_REQUEST("securosys.self_signed_certificate", "common_name",
                "{\"label\": \"%s\", \"certificate\": {\"common_name\": \"\", \"signature_algorithm\": \"EDDSA\"}}", l);
    BAD_REQUEST("securosys.certificate_signing_request", "csr", "{\"label\": \"%s\"}", l);
    BAD_REQUEST("securosys.certificate_signing_request", "csr", "{\"label\": \"%s\", \"csr\": " CERT "}", l);
    BAD_REQUEST("securosys.certificate_signing_request", "country",
                "{\"label\": \"%s\", \"csr\": {\"subject\": {\"common_name\": \"c\", \"country\": \"Schweiz\"},"
                " \"signature_algorithm\": \"SHA256_WITH_ECDSA\"}}",
                l);
    BAD_REQUEST("securosys.request_self_signed_certificate", "options",
                "{\"label\": \"%s\", \"certificate\": " CERT ", \"options\": \"{bad\"}", l);
    BAD_REQUEST("securosys.request_self_signed_certificate", "certificate", "{\"label\": \"%s\"}", l);
    BAD_REQUEST("securosys.request_certificate_signing_request", "label", "{\"csr\": " CSR "}");
    BAD_REQUEST("securosys.request_certificate_signing_request", "options",
                "{\"label\": \"%s\", \"csr\": " CSR ", \"options\": 42}", l);
    BAD_REQUEST("securosys.wait_certificate", "id", "{\"interval_ms\": 100, \"timeout_ms\": 100}");
    BAD_REQUEST("securosys.wait_certificate", "interval", "{\"id\": \"abc\", \"interval_ms\": 1, \"timeout_ms\": 100}");
    expect_invalid(callw(c, NULL, &err, stale_token, NULL, NULL, "securosys.wait_certificate",
                         "{\"id\": \"abc\", \"interval_ms\": 100, \"timeout_ms\": 100}"),
                   &err, "wait_certificate(stale token)", "cancel");
    BAD_REQUEST("securosys.wait_certificate_signing_request", "request id",
                "{\"id\": \"a/b\", \"interval_ms\": 100, \"timeout_ms\": 100}");

    /* approver keys */
    expect_invalid(sb_call(NULL, "securosys.approver_key", NULL, NULL, &err), &err, "approver_key(out NULL)",
                   "out_result_json");
    BAD_REQUEST("securosys.approver_key", "pem", "{\"pem\": 5}");
    BAD_REQUEST("securosys.approver_key", "UTF-8", "{\"pem\": \"" BAD_UTF8 "\"}");
    BAD_REQUEST("securosys.approver_key", "approver key",
                "{\"pem\": \"-----BEGIN PRIVATE KEY-----\\nTOPSECRETx\\n-----END PRIVATE KEY-----\\n\"}");
    {
        /* the message never contains the key text */
        sb_error *e2 = NULL;
        CHECK(callj(c, NULL, &e2, "securosys.approver_key",
                    "{\"pem\": \"-----BEGIN PRIVATE KEY-----\\nTOPSECRETx\\n-----END PRIVATE KEY-----\\n\"}") ==
                  SB_ERR_INVALID_ARGUMENT &&
              e2 != NULL && strstr(e2->message, "TOPSECRET") == NULL);
        sb_error_free(e2);
    }
    BAD_REQUEST("securosys.approver_key", "PEM", "{\"pem\": \"not pem\"}");
    BAD_REQUEST("securosys.approver_key", "pkcs8_der_base64", "{\"pkcs8_der_base64\": \"%%%%\"}");
    BAD_REQUEST("securosys.approver_key", "PKCS#8", "{\"pkcs8_der_base64\": \"\"}");
    BAD_REQUEST("securosys.approver_key", "PKCS#8", "{\"pkcs8_der_base64\": \"cGF5bG9hZA==\"}");

    /* tasks, approve, reject */
    BAD_REQUEST("securosys.list_approval_tasks", "page_size",
                "{\"approver_key_pem\": %s, \"kind\": \"sign\", \"page_size\": 0}", ap);
    BAD_REQUEST("securosys.list_approval_tasks", "kind", "{\"approver_key_pem\": %s, \"kind\": \"everything\"}", ap);
    expect_invalid(sb_call(c, "securosys.list_approval_tasks", "{\"approver_key_pem\": \"x\"}", NULL, &err), &err,
                   "tasks(out NULL)", "out_result_json");
    BAD_REQUEST("securosys.approve", "task", "{\"approver_key_pem\": %s}", ap);
    BAD_REQUEST("securosys.approve", "task", "{\"approver_key_pem\": %s, \"task\": {\"id\": \"t\"}}", ap);
    BAD_REQUEST("securosys.reject", "task", "{\"approver_key_pem\": %s}", ap);
    BAD_REQUEST("securosys.reject", "task id",
                "{\"approver_key_pem\": %s, \"task\": {\"id\": \"\", \"approvalToBeSigned\": \"eA==\"}}", ap);
    BAD_REQUEST("securosys.reject", "UTF-8",
                "{\"approver_key_pem\": %s, \"task\": {\"id\": \"" BAD_UTF8 "\", \"approvalToBeSigned\": \"eA==\"}}",
                ap);
    {
        /* no approver key, or one that is not a key */
        const char *keys[3] = {NULL, "\"\"", "\"not a key\""};
        const char *needles[3] = {"approver_key_pem", "approver key", "approver key"};
        int i;
        for (i = 0; i < 3; i++) {
            char field[64] = "";
            if (keys[i] != NULL) {
                snprintf(field, sizeof field, "\"approver_key_pem\": %s, ", keys[i]);
            }
            BAD_REQUEST("securosys.list_approval_tasks", needles[i], "{%s\"kind\": \"sign\"}", field);
            BAD_REQUEST("securosys.approve", needles[i], "{%s\"task\": {\"id\": \"t\", \"approvalToBeSigned\": \"eA==\"}}",
                        field);
            BAD_REQUEST("securosys.reject", needles[i], "{%s\"task\": {\"id\": \"t\", \"approvalToBeSigned\": \"eA==\"}}",
                        field);
        }
    }
#undef EC_KEY
#undef SIGN
#undef CERT
#undef CSR
}

/* ---- the neutral signing session and OneSpan: NULL, garbage, stale and wrong-type arguments ---- */

static sb_client *g_os;                   /* a client with the simulator's OneSpan API key */
static sb_signing_session *g_sess;        /* a finished ZignSec session */
static sb_signing_session *g_stale_sess;
static sb_signing_state *g_state;
static sb_signing_state *g_stale_state;
static sb_signing_completed *g_done;
static sb_signing_completed *g_stale_done;
static sb_onespan_callback_verifier *g_cbv;
static sb_onespan_callback_verifier *g_stale_cbv;
static char g_pkg_id[128];               /* a sent OneSpan package */
static char g_sig_dir[256];

static void sig_setup(void) {
    char cfg[1024], session[1024], path[400], id[256];
    sb_error *err = NULL;
    sb_signing_session *os_sess = NULL;
    size_t len = 0;
    unsigned char *pdf = make_pdf("Args", 1, &len);
    const char *keys[1] = {"cb-key"};
    temp_dir(g_sig_dir, sizeof g_sig_dir, "sigargs");
    snprintf(path, sizeof path, "%s/a.pdf", g_sig_dir);
    CHECK(write_file(path, pdf, len));
    free(pdf);
    snprintf(session, sizeof session,
             "{\"documents\": [{\"path\": \"%s\"}], \"signers\": [{\"first_name\": \"A\", \"last_name\": \"B\","
             " \"email\": \"a@example.com\"}]}",
             path);
    CHECK_CODE(sb_signing_start(g_client, NULL, session, &g_sess, &err), SB_OK, err, "start (zignsec)");
    CHECK_CODE(sb_signing_start(g_client, NULL, session, &g_stale_sess, &err), SB_OK, err, "start (zignsec)");
    sb_signing_session_free(g_stale_sess);
    snprintf(id, sizeof id, "/_sim/zignsec/signing/%s/complete", sb_signing_session_provider_id(g_sess));
    CHECK(sim_control("POST", id, "{}") == 200);
    CHECK_CODE(sb_signing_status(g_client, sb_signing_session_ref(g_sess), &g_state, &err), SB_OK, err, "status");
    CHECK(sb_signing_status(g_client, sb_signing_session_ref(g_sess), &g_stale_state, NULL) == SB_OK);
    sb_signing_state_free(g_stale_state);
    CHECK_CODE(sb_signing_wait(g_client, sb_signing_session_ref(g_sess), 50, 60000, NULL, NULL, NULL, &g_done, &err),
               SB_OK, err, "wait");
    CHECK(sb_signing_result(g_client, sb_signing_session_ref(g_sess), &g_stale_done, NULL) == SB_OK);
    sb_signing_completed_free(g_stale_done);

    snprintf(cfg, sizeof cfg, "{\"onespan\": {\"base_url\": \"%s\", \"api_key\": \"%s\"}}", sim_url(),
             env_or("ONESPAN_API_KEY", ""));
    g_os = client_from_json(cfg);
    CHECK_CODE(sb_signing_start(g_os, NULL, session, &os_sess, &err), SB_OK, err, "start (onespan)");
    snprintf(g_pkg_id, sizeof g_pkg_id, "%s", os_sess ? sb_signing_session_provider_id(os_sess) : "none=");
    sb_signing_session_free(os_sess);
    {
        cJSON *pkg = NULL;
        CHECK_CODE(callj(g_os, &pkg, &err, "onespan.get_package", "{\"package_id\": \"%s\"}", g_pkg_id), SB_OK, err,
                   "get_package");
        CHECK(streq(jstr(pkg, "id"), g_pkg_id) && streq(jstr(pkg, "status"), "SENT"));
        cJSON_Delete(pkg);
    }
    CHECK(sb_onespan_callback_verifier_new(keys, 1, &g_cbv, NULL) == SB_OK);
    CHECK(sb_onespan_callback_verifier_new(keys, 1, &g_stale_cbv, NULL) == SB_OK);
    sb_onespan_callback_verifier_free(g_stale_cbv);
}

static void sig_teardown(void) {
    char cmd[400];
    CHECK(callj(g_os, NULL, NULL, "onespan.delete", "{\"package_id\": \"%s\"}", g_pkg_id) == SB_OK);
    sb_onespan_callback_verifier_free(g_cbv);
    sb_signing_completed_free(g_done);
    sb_signing_state_free(g_state);
    sb_signing_session_free(g_sess);
    sb_client_free(g_os);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_sig_dir);
    CHECK(system(cmd) == 0);
}

static void test_sig_bad_clients(void) {
    sb_client *bad[4];
    const char *names[4] = {"NULL client", "freed client", "foreign pointer", "state as client"};
    int i;
    bad[0] = NULL;
    bad[1] = g_stale_client;
    bad[2] = (sb_client *)&g_local;
    bad[3] = (sb_client *)g_state;
    for (i = 0; i < 4; i++) {
        sb_error *err = NULL;
        sb_signing_session *s = NULL;
        sb_signing_state *st = NULL;
        sb_signing_completed *d = NULL;
        const char *prov = NULL;
        sb_bytes b = {NULL, 0};
        sb_strings l = {NULL, 0};
        expect_invalid(sb_signing_start(bad[i], NULL, "{}", &s, &err), &err, names[i], "client");
        expect_invalid(sb_signing_provider(bad[i], &prov, &err), &err, names[i], "client");
        expect_invalid(sb_signing_status(bad[i], "zignsec:abc", &st, &err), &err, names[i], "client");
        expect_invalid(sb_signing_wait(bad[i], "zignsec:abc", 0, 0, NULL, NULL, NULL, &d, &err), &err, names[i],
                       "client");
        expect_invalid(sb_signing_result(bad[i], "zignsec:abc", &d, &err), &err, names[i], "client");
        expect_invalid(sb_signing_download(bad[i], "zignsec:abc", "f", &b, &err), &err, names[i], "client");
        expect_invalid(sb_signing_save_all(bad[i], g_done, "/tmp/sbtest-x", &l, &err), &err, names[i], "client");
        expect_invalid(sb_signing_cancel(bad[i], "onespan:abc", &err), &err, names[i], "client");
        CHECK(s == NULL && st == NULL && d == NULL && prov == NULL && b.data == NULL && l.items == NULL);
    }
    /* every OneSpan operation of the table */
    CHECK(ops_refuse_bad_clients("onespan.", bad, names) >= 20);
}

static void test_sig_bad_arguments(void) {
    sb_client *c = g_client, *o = g_os;
    const char *ref = sb_signing_session_ref(g_sess);
    sb_error *err = NULL;
    sb_signing_session *s = NULL;
    sb_signing_state *st = NULL;
    sb_signing_completed *d = NULL;
    sb_onespan_callback_verifier *v = NULL;
    sb_cancel_token *stale_token = sb_cancel_token_new();
    char *str = NULL;
    sb_bytes b = {NULL, 0};
    sb_strings l = {NULL, 0};
    const char *prov = NULL;
    const char *ev[1] = {"PACKAGE_COMPLETE"};
    const char *keys_null[1] = {NULL}, *keys_bad[1] = {BAD_UTF8};
    const uint8_t *body = (const uint8_t *)"{\"name\":\"PACKAGE_COMPLETE\"}";
    sb_cancel_token_free(stale_token);

    /* start / provider */
    expect_invalid(sb_signing_start(c, NULL, "{}", NULL, &err), &err, "start(out NULL)", "out_session");
    expect_invalid(sb_signing_start(c, NULL, NULL, &s, &err), &err, "start(json NULL)", "session_json");
    expect_invalid(sb_signing_start(c, NULL, "{bad", &s, &err), &err, "start(malformed)", "session_json");
    expect_invalid(sb_signing_start(c, NULL, BAD_UTF8, &s, &err), &err, "start(bad utf-8)", "UTF-8");
    expect_invalid(sb_signing_start(c, NULL, "{\"documentz\": []}", &s, &err), &err, "start(unknown field)",
                   "documentz");
    expect_invalid(sb_signing_start(c, NULL, "{\"documents\": [{\"name\": \"a.pdf\"}]}", &s, &err), &err,
                   "start(document without content)", "path");
    expect_invalid(sb_signing_start(c, BAD_UTF8, "{}", &s, &err), &err, "start(bad provider)", "UTF-8");
    expect_invalid(sb_signing_start(c, "paper", "{}", &s, &err), &err, "start(unknown provider)", "paper");
    expect_invalid(sb_signing_start(c, NULL, "{}", &s, &err), &err, "start(empty session)", "no documents");
    CHECK(sb_signing_start(c, "onespan", "{}", &s, NULL) == SB_ERR_AUTH_CONFIG_MISSING); /* not configured */
    expect_invalid(sb_signing_provider(c, NULL, &err), &err, "provider(out NULL)", "out_provider");
    CHECK(sb_signing_provider(c, &prov, NULL) == SB_OK && streq(prov, "zignsec"));
    CHECK(s == NULL);

    /* references */
    expect_invalid(sb_signing_status(c, NULL, &st, &err), &err, "status(NULL ref)", "session_ref");
    expect_invalid(sb_signing_status(c, BAD_UTF8, &st, &err), &err, "status(bad utf-8)", "UTF-8");
    expect_invalid(sb_signing_status(c, "no-prefix", &st, &err), &err, "status(no prefix)", "provider prefix");
    expect_invalid(sb_signing_status(c, "paper:abc", &st, &err), &err, "status(unknown provider)", "paper");
    expect_invalid(sb_signing_status(c, "zignsec:a/../b", &st, &err), &err, "status(path in id)", "session");
    expect_invalid(sb_signing_status(c, "onespan:a b", &st, &err), &err, "status(space in id)", "OneSpan");
    expect_invalid(sb_signing_status(c, ref, NULL, &err), &err, "status(out NULL)", "out_state");
    expect_invalid(sb_signing_wait(c, ref, 1, 100, NULL, NULL, NULL, &d, &err), &err, "wait(interval 1)", "interval");
    /* Numbers beyond any sensible wait (a deadline that would overflow) are
     * SB_ERR_INVALID_ARGUMENT from the core's range check, not a panic. */
    expect_invalid(sb_signing_wait(c, ref, 100, UINT64_MAX, NULL, NULL, NULL, &d, &err), &err, "wait(timeout UINT64_MAX)",
                   "timeout");
    expect_invalid(sb_signing_wait(c, ref, 100, 100, stale_token, NULL, NULL, &d, &err), &err, "wait(stale token)",
                   "cancel");
    expect_invalid(sb_signing_wait(c, ref, 100, 100, (sb_cancel_token *)g_done, NULL, NULL, &d, &err), &err,
                   "wait(result as token)", "cancel");
    expect_invalid(sb_signing_wait(c, ref, 100, 100, NULL, NULL, NULL, NULL, &err), &err, "wait(out NULL)",
                   "out_completed");
    expect_invalid(sb_signing_wait(c, "x", 100, 100, NULL, NULL, NULL, &d, &err), &err, "wait(bad ref)", "session");
    expect_invalid(sb_signing_result(c, ref, NULL, &err), &err, "result(out NULL)", "out_completed");
    expect_invalid(sb_signing_result(c, "", &d, &err), &err, "result(empty ref)", "session");
    expect_invalid(sb_signing_download(c, ref, NULL, &b, &err), &err, "download(doc NULL)", "document_id");
    expect_invalid(sb_signing_download(c, ref, "", &b, &err), &err, "download(doc empty)", "document_id");
    expect_invalid(sb_signing_download(c, ref, "f", NULL, &err), &err, "download(out NULL)", "out_bytes");
    expect_invalid(sb_signing_download(c, NULL, "f", &b, &err), &err, "download(ref NULL)", "session_ref");
    expect_invalid(sb_signing_cancel(c, NULL, &err), &err, "cancel(ref NULL)", "session_ref");
    CHECK(sb_signing_cancel(c, "onespan:abc=", NULL) == SB_ERR_AUTH_CONFIG_MISSING);
    CHECK(st == NULL && d == NULL && b.data == NULL);

    /* save_all */
    expect_invalid(sb_signing_save_all(c, NULL, g_sig_dir, &l, &err), &err, "save_all(NULL)", "completed");
    expect_invalid(sb_signing_save_all(c, g_stale_done, g_sig_dir, &l, &err), &err, "save_all(freed)", "completed");
    expect_invalid(sb_signing_save_all(c, (sb_signing_completed *)g_state, g_sig_dir, &l, &err), &err,
                   "save_all(state as result)", "completed");
    expect_invalid(sb_signing_save_all(c, g_done, NULL, &l, &err), &err, "save_all(dir NULL)", "dir");
    expect_invalid(sb_signing_save_all(c, g_done, "", NULL, &err), &err, "save_all(dir empty)", "dir");
    CHECK(l.items == NULL);

    /* OneSpan packages, through sb_call */
#define PKG "\"package_id\": \"%s\""
    BAD_CALL(o, "onespan.get_package", "package_id", "{}");
    BAD_CALL(o, "onespan.get_package", "package_id", NULL);
    BAD_CALL(o, "onespan.get_package", "UTF-8", "{\"package_id\": \"" BAD_UTF8 "\"}");
    BAD_CALL(o, "onespan.get_package", "package_id", "{\"package_id\": 7}");
    expect_invalid(sb_call(o, "onespan.get_package", "{\"package_id\": \"x\"}", NULL, &err), &err,
                   "get_package(out NULL)", "out_result_json");
    BAD_CALL(o, "onespan.signing_url", "role_id", "{" PKG "}", g_pkg_id);
    BAD_CALL(o, "onespan.audit", "package_id", "{}");
    BAD_CALL(o, "onespan.trash", "package_id", "{}");
    BAD_CALL(o, "onespan.restore", "package_id", "{}");
    BAD_CALL(o, "onespan.archive", "UTF-8", "{\"package_id\": \"" BAD_UTF8 "\"}");
    BAD_CALL(o, "onespan.delete", "package_id", "{}");
    BAD_CALL(o, "onespan.delete", "colour", "{" PKG ", \"colour\": 1}", g_pkg_id);

    /* OneSpan transactions from JSON: nothing reaches the service */
    BAD_CALL(o, "onespan.create_package", "name", NULL);
    BAD_CALL(o, "onespan.create_package", "UTF-8", BAD_UTF8);
    BAD_CALL(o, "onespan.create_package_in_steps", "request_json", "{bad");
    BAD_CALL(o, "onespan.create_package", "JSON object", "[]");
    BAD_CALL(o, "onespan.create_package", "name must be a string", "{\"name\": 1}");
    BAD_CALL(o, "onespan.create_package", "signers[0].email", "{\"name\": \"n\", \"signers\": [{\"role_id\": \"a\"}]}");
    BAD_CALL(o, "onespan.create_package_in_steps", "signers[0].email",
             "{\"name\": \"n\", \"signers\": [{\"role_id\": \"a\"}]}");
    expect_invalid(sb_call(o, "onespan.create_package", "{\"name\": \"n\", \"signers\": []}", NULL, &err), &err,
                   "create_package(out NULL)", "out_result_json");
    BAD_CALL(o, "onespan.add_document", "package_id", "{\"document\": {}}");
    BAD_CALL(o, "onespan.add_document", "document", "{" PKG "}", g_pkg_id);
    BAD_CALL(o, "onespan.add_document", "UTF-8", "{" PKG ", \"document\": {\"name\": \"" BAD_UTF8 "\"}}", g_pkg_id);
    BAD_CALL(o, "onespan.add_document", "path", "{" PKG ", \"document\": {\"fields\": []}}", g_pkg_id);
    BAD_CALL(o, "onespan.add_document", "fields[0].role_id",
             "{" PKG ", \"document\": {\"path\": \"/x.pdf\", \"fields\": [{\"page\": 0}]}}", g_pkg_id);
    BAD_CALL(o, "onespan.update_package", "package_id", "{\"name\": \"n\"}");
    BAD_CALL(o, "onespan.update_package", "changes nothing", "{" PKG "}", g_pkg_id);
    BAD_CALL(o, "onespan.update_package", "autocomplete", "{" PKG ", \"autocomplete\": \"yes\"}", g_pkg_id);
    BAD_CALL(o, "onespan.send", "package_id", "{}");
    BAD_CALL(o, "onespan.send", "UTF-8", "{\"package_id\": \"" BAD_UTF8 "\"}");
    BAD_CALL(o, "onespan.status", "package_id", "{}");
    expect_invalid(sb_call(o, "onespan.status", "{\"package_id\": \"x\"}", NULL, &err), &err, "status(out NULL)",
                   "out_result_json");
    BAD_CALL(o, "onespan.signing_status", "package_id", "{}");
    BAD_CALL(o, "onespan.signing_status", "UTF-8", "{" PKG ", \"signer_id\": \"" BAD_UTF8 "\"}", g_pkg_id);
    BAD_CALL(o, "onespan.signing_status", "document_id", "{" PKG ", \"document_id\": 3}", g_pkg_id);
    BAD_CALL(o, "onespan.signing_status", "signer id", "{" PKG ", \"signer_id\": \"\"}", g_pkg_id);
    BAD_CALL(o, "onespan.wait", "package_id", "{}");
    BAD_CALL(o, "onespan.wait", "interval", "{" PKG ", \"interval_ms\": 1, \"timeout_ms\": 100}", g_pkg_id);
    {
        cJSON *r = (cJSON *)&g_local;
        expect_invalid(callw(o, &r, &err, stale_token, NULL, NULL, "onespan.wait", "{" PKG ", \"timeout_ms\": 100}",
                             g_pkg_id),
                       &err, "onespan_wait(stale token)", "cancel");
        CHECK(r == NULL);
        r = (cJSON *)&g_local;
        expect_invalid(callw(o, &r, &err, (sb_cancel_token *)g_state, NULL, NULL, "onespan.wait",
                             "{" PKG ", \"timeout_ms\": 100}", g_pkg_id),
                       &err, "onespan_wait(state as token)", "cancel");
        CHECK(r == NULL);
    }

    /* downloads */
    expect_invalid(sb_call(o, "onespan.download", "{\"package_id\": \"x\", \"kind\": \"zip\"}", NULL, &err), &err,
                   "download(out NULL)", "out_result_json");
    BAD_CALL(o, "onespan.download", "kind", "{" PKG "}", g_pkg_id);
    BAD_CALL(o, "onespan.download", "kind", "{" PKG ", \"kind\": \"everything\"}", g_pkg_id);
    BAD_CALL(o, "onespan.download", "kind", "{" PKG ", \"kind\": 4}", g_pkg_id);
    BAD_CALL(o, "onespan.download", "document_id", "{" PKG ", \"kind\": \"document\"}", g_pkg_id);
    BAD_CALL(o, "onespan.download", "document_id", "{" PKG ", \"kind\": \"original\"}", g_pkg_id);
    BAD_CALL(o, "onespan.download", "document_id", "{" PKG ", \"kind\": \"zip\", \"document_id\": \"doc\"}", g_pkg_id);
    BAD_CALL(o, "onespan.download", "document_id",
             "{" PKG ", \"kind\": \"evidence_summary\", \"document_id\": \"doc\"}", g_pkg_id);
    BAD_CALL(o, "onespan.download", "UTF-8", "{" PKG ", \"kind\": \"document\", \"document_id\": \"" BAD_UTF8 "\"}",
             g_pkg_id);
    BAD_CALL(o, "onespan.download", "package_id", "{\"kind\": \"zip\"}");
    BAD_CALL(o, "onespan.download", "path", "{" PKG ", \"kind\": \"zip\", \"path\": \"\"}", g_pkg_id);
    BAD_CALL(o, "onespan.download", "path", "{" PKG ", \"kind\": \"zip\", \"path\": 9}", g_pkg_id);
    BAD_CALL(o, "onespan.download", "dir", "{" PKG ", \"kind\": \"zip\", \"path\": \"/tmp/x\", \"dir\": \"/tmp\"}",
             g_pkg_id);
    BAD_CALL(o, "onespan.download", "document_id", "{" PKG ", \"kind\": \"document\", \"dir\": \"/tmp\"}", g_pkg_id);

    /* listing */
    expect_invalid(sb_call(o, "onespan.list", "{}", NULL, &err), &err, "list(out NULL)", "out_result_json");
    BAD_CALL(o, "onespan.list", "status", "{\"status\": 5}");
    BAD_CALL(o, "onespan.list", "UTF-8", "{\"search\": \"" BAD_UTF8 "\"}");
    BAD_CALL(o, "onespan.list", "sort", "{\"sort\": [1]}");
    BAD_CALL(o, "onespan.list", "sort_order", "{\"sort\": \"name\", \"sort_order\": \"sideways\"}");
    BAD_CALL(o, "onespan.list", "page", "{\"page_size\": 101}");
    BAD_CALL(o, "onespan.list", "1-based", "{\"from\": 0}");
    BAD_CALL(o, "onespan.list_all", "from", "{\"from\": 3}");

    /* callbacks */
#define CB_URL "\"url\": \"http://127.0.0.1:1/h\""
    BAD_CALL(o, "onespan.register_callback", "url", "{\"key\": \"k\", \"events\": [\"PACKAGE_COMPLETE\"]}");
    BAD_CALL(o, "onespan.register_callback", "key", "{" CB_URL ", \"events\": [\"PACKAGE_COMPLETE\"]}");
    BAD_CALL(o, "onespan.register_callback", "events", "{" CB_URL ", \"key\": \"k\"}");
    BAD_CALL(o, "onespan.register_callback", "events[1]", "{" CB_URL ", \"key\": \"k\", \"events\": [\"PACKAGE_COMPLETE\", null]}");
    BAD_CALL(o, "onespan.register_callback", "UTF-8", "{" CB_URL ", \"key\": \"k\", \"events\": [\"" BAD_UTF8 "\"]}");
    BAD_CALL(o, "onespan.register_callback", "callback URL",
             "{\"url\": \"/relative\", \"key\": \"k\", \"events\": [\"PACKAGE_COMPLETE\"]}");
    BAD_CALL(o, "onespan.register_callback", "callback key", "{" CB_URL ", \"key\": \"\", \"events\": [\"PACKAGE_COMPLETE\"]}");
    BAD_CALL(o, "onespan.register_callback", "callback key",
             "{" CB_URL ", \"key\": \" k \", \"events\": [\"PACKAGE_COMPLETE\"]}");
    BAD_CALL(o, "onespan.register_callback", "events", "{" CB_URL ", \"key\": \"k\", \"events\": []}");
    {
        /* the key is never shown in an error */
        sb_error *e = NULL;
        CHECK(callj(o, NULL, &e, "onespan.register_callback", "{" CB_URL ", \"key\": \"s3cret-key\", \"events\": 1}") ==
              SB_ERR_INVALID_ARGUMENT);
        CHECK(e != NULL && strstr(e->message, "s3cret-key") == NULL);
        sb_error_free(e);
    }
    expect_invalid(sb_call(o, "onespan.get_callback", NULL, NULL, &err), &err, "get_callback(out NULL)",
                   "out_result_json");
    BAD_CALL(o, "onespan.get_callback", "colour", "{\"colour\": 1}");
    CHECK(str == NULL);

    /* callback verifier */
    expect_invalid(sb_onespan_callback_verifier_new(NULL, 1, &v, &err), &err, "verifier(NULL, 1)", "keys");
    expect_invalid(sb_onespan_callback_verifier_new(keys_null, 1, &v, &err), &err, "verifier(keys[0] NULL)", "keys[0]");
    expect_invalid(sb_onespan_callback_verifier_new(keys_bad, 1, &v, &err), &err, "verifier(bad key)", "UTF-8");
    expect_invalid(sb_onespan_callback_verifier_new(ev, (size_t)-1, &v, &err), &err, "verifier(huge n)", "keys");
    expect_invalid(sb_onespan_callback_verifier_new(ev, 1, NULL, &err), &err, "verifier(out NULL)", "out_verifier");
    CHECK(sb_onespan_callback_verifier_new(NULL, 0, &v, NULL) == SB_ERR_AUTH_CONFIG_MISSING && v == NULL);
    {
        sb_onespan_callback_verifier *bad[4];
        int i;
        bad[0] = NULL;
        bad[1] = g_stale_cbv;
        bad[2] = (sb_onespan_callback_verifier *)&g_local;
        bad[3] = (sb_onespan_callback_verifier *)g_state;
        for (i = 0; i < 4; i++) {
            str = (char *)&g_local;
            expect_invalid(sb_onespan_callback_verify(bad[i], "Basic cb-key", body, 27, &str, &err), &err,
                           "verify(bad verifier)", "verifier");
            CHECK(str == NULL);
        }
    }
    expect_invalid(sb_onespan_callback_verify(g_cbv, "Basic cb-key", NULL, 5, &str, &err), &err,
                   "verify(NULL body, 5)", "body");
    expect_invalid(sb_onespan_callback_verify(g_cbv, "Basic cb-key", body, (size_t)-1, &str, &err), &err,
                   "verify(huge body)", "body");
    CHECK(sb_onespan_callback_verify(g_cbv, "Basic cb-key", body, 27, NULL, NULL) == SB_OK); /* event optional */
    CHECK(sb_onespan_callback_verify(g_cbv, BAD_UTF8, body, 27, &str, NULL) == SB_ERR_WEBHOOK_INVALID && str == NULL);
    CHECK(sb_onespan_callback_verify(g_cbv, "Basic cb-key", NULL, 0, &str, NULL) == SB_ERR_PROTOCOL && str == NULL);
    expect_invalid(sb_onespan_parse_callback(NULL, 3, &str, &err), &err, "parse(NULL body, 3)", "body");
    expect_invalid(sb_onespan_parse_callback(body, 27, NULL, &err), &err, "parse(out NULL)", "out_event_json");
    CHECK(sb_onespan_parse_callback((const uint8_t *)"{}", 2, &str, NULL) == SB_ERR_PROTOCOL && str == NULL);
}

static void test_sig_accessors(void) {
    sb_signing_session *bs[4];
    sb_signing_state *bst[4];
    sb_signing_completed *bd[4];
    int i;
    bs[0] = NULL, bs[1] = g_stale_sess, bs[2] = (sb_signing_session *)&g_local, bs[3] = (sb_signing_session *)g_state;
    bst[0] = NULL, bst[1] = g_stale_state, bst[2] = (sb_signing_state *)&g_local, bst[3] = (sb_signing_state *)g_done;
    bd[0] = NULL, bd[1] = g_stale_done, bd[2] = (sb_signing_completed *)&g_local, bd[3] = (sb_signing_completed *)g_sess;
    for (i = 0; i < 4; i++) {
        CHECK(sb_signing_session_ref(bs[i]) == NULL && sb_signing_session_provider(bs[i]) == NULL);
        CHECK(sb_signing_session_provider_id(bs[i]) == NULL && sb_signing_session_signer_count(bs[i]) == 0);
        CHECK(sb_signing_session_signer_id(bs[i], 0) == NULL && sb_signing_session_signer_name(bs[i], 0) == NULL);
        CHECK(sb_signing_session_signer_url(bs[i], 0) == NULL && sb_signing_session_json(bs[i]) == NULL);
        CHECK(sb_signing_state_ref(bst[i]) == NULL && sb_signing_state_status(bst[i]) == NULL);
        CHECK(!sb_signing_state_is_final(bst[i]) && sb_signing_state_signer_count(bst[i]) == 0);
        CHECK(sb_signing_state_signer_id(bst[i], 0) == NULL && !sb_signing_state_signer_signed(bst[i], 0));
        CHECK(sb_signing_state_json(bst[i]) == NULL);
        CHECK(sb_signing_completed_ref(bd[i]) == NULL && sb_signing_completed_file_count(bd[i]) == 0);
        CHECK(sb_signing_completed_document_id(bd[i], 0) == NULL && sb_signing_completed_file_name(bd[i], 0) == NULL);
        CHECK(sb_signing_completed_json(bd[i]) == NULL);
    }
    /* live ones; out-of-range indexes */
    CHECK(streq(sb_signing_session_provider(g_sess), "zignsec") && sb_signing_session_signer_count(g_sess) == 1);
    CHECK(sb_signing_session_signer_id(g_sess, 1) == NULL && sb_signing_session_signer_url(g_sess, (size_t)-1) == NULL);
    CHECK(streq(sb_signing_state_status(g_state), "Finished") && sb_signing_state_signer_id(g_state, 5) == NULL);
    CHECK(!sb_signing_state_signer_signed(g_state, 5));
    CHECK(sb_signing_completed_file_count(g_done) == 1 && sb_signing_completed_file_name(g_done, 1) == NULL);
}

static void test_sig_frees(void) {
    sb_signing_session_free(NULL);
    sb_signing_session_free((sb_signing_session *)&g_local);
    sb_signing_session_free(g_stale_sess);
    sb_signing_session_free((sb_signing_session *)g_state);
    sb_signing_state_free(NULL);
    sb_signing_state_free(g_stale_state);
    sb_signing_state_free((sb_signing_state *)g_done);
    sb_signing_completed_free(NULL);
    sb_signing_completed_free(g_stale_done);
    sb_signing_completed_free((sb_signing_completed *)g_sess);
    sb_onespan_callback_verifier_free(NULL);
    sb_onespan_callback_verifier_free(g_stale_cbv);
    sb_onespan_callback_verifier_free((sb_onespan_callback_verifier *)g_state);
    /* every wrong-type free above left its object intact */
    CHECK(sb_signing_state_ref(g_state) != NULL && sb_signing_completed_ref(g_done) != NULL);
    CHECK(sb_signing_session_ref(g_sess) != NULL);
    CHECK(sb_onespan_callback_verify(g_cbv, "Basic cb-key", (const uint8_t *)"{\"name\":\"X\"}", 12, NULL, NULL) ==
          SB_OK);
    /* sb_strings lists: NULL and foreign ones are ignored, a freed one is cleared, a double free ignored */
    {
        char local[8] = "abc", dir[400];
        const char *items[1] = {local};
        sb_strings foreign = {items, 1}, l = {NULL, 0};
        sb_strings_free(NULL);
        sb_strings_free(&foreign);
        CHECK(foreign.items == items && foreign.len == 1); /* not ours: left alone */
        snprintf(dir, sizeof dir, "%s/strings", g_sig_dir);
        CHECK(sb_signing_save_all(g_client, g_done, dir, &l, NULL) == SB_OK && l.len >= 1);
        {
            sb_strings copy = l;
            sb_strings_free(&l);
            CHECK(l.items == NULL && l.len == 0);
            sb_strings_free(&copy); /* double free: ignored */
        }
    }
}

int main(void) {
    sb_error *err = NULL;
    char *id = NULL;
    g_client = sim_client();
    g_stale_client = sim_client();
    sb_client_free(g_stale_client);
    CHECK_CODE(sb_session_create(g_client, NULL, &id, &err), SB_OK, err, "create");
    CHECK_CODE(sb_session_status(g_client, id, &g_status, &err), SB_OK, err, "status");
    CHECK_CODE(sb_session_status(g_client, id, &g_stale_status, &err), SB_OK, err, "status");
    sb_status_free(g_stale_status);
    sb_string_free(id);
    {
        cJSON *r = NULL;
        CHECK_CODE(callj(g_client, &r, &err, "zignsec.eid_create", "{\"product\": \"bankid_se\"}"), SB_OK, err,
                   "eid_create");
        g_eid_id = strdup(jstr(r, "id") != NULL ? jstr(r, "id") : "none");
        cJSON_Delete(r);
    }

    test_codes_and_version();
    test_cancel_token();
    test_client_new();
    test_bad_clients();
    test_bad_arguments();
    test_accessors();
    test_eid_arguments();
    test_webhook_arguments();
    tsb_setup();
    test_tsb_bad_clients();
    test_tsb_bad_requests();
    tsb_teardown();
    sig_setup();
    test_sig_bad_clients();
    test_sig_bad_arguments();
    test_sig_accessors();
    test_sig_frees();
    sig_teardown();
    test_frees();

    free(g_eid_id);
    sb_status_free(g_status);
    sb_client_free(g_client);
    return finish("test_args");
}

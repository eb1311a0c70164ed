/* NULL, garbage, stale and wrong-type arguments to every function (ZignSec signing, eID, webhooks,
 * Securosys, the neutral signing session, OneSpan): each gives its documented answer (SB_ERR_INVALID_ARGUMENT, NULL, 0, false, or
 * nothing) and never crashes. Run under valgrind and ASan too: refused handles are never read. */
#include "harness.h"

#define BAD_UTF8 "\xff\xfe\xfd"

static sb_client *g_client;
static sb_client *g_stale_client;
static sb_status *g_status; /* a live status, also used as a wrong-type handle */
static sb_status *g_stale_status;
static sb_eid_result *g_eid;  /* a live eID result */
static sb_eid_result *g_stale_eid;
static char *g_eid_id;        /* its session id (BankID SE) */
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
    sb_eid_result_free(NULL);
    sb_eid_result_free((sb_eid_result *)&g_local);
    sb_eid_result_free((sb_eid_result *)g_status); /* wrong type: ignored */
    CHECK(streq(sb_status_state(g_status), "Created"));
    sb_eid_result_free(g_stale_eid);               /* double free: ignored */
    sb_status_free((sb_status *)g_eid);            /* wrong type: ignored */
    CHECK(streq(sb_eid_result_id(g_eid), g_eid_id));
    sb_webhook_verifier_free(NULL);
    sb_webhook_verifier_free((sb_webhook_verifier *)g_eid);
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
        {
            sb_eid_result *r = NULL;
            expect_invalid(sb_eid_create(bad[i], SB_EID_BANKID_SE, NULL, &s, &s2, &err), &err, names[i], "client");
            expect_invalid(sb_eid_get_result(bad[i], SB_EID_BANKID_SE, "abc", &r, &err), &err, names[i], "client");
            expect_invalid(sb_eid_wait(bad[i], SB_EID_BANKID_SE, "abc", 0, 0, NULL, &r, &err), &err, names[i], "client");
            expect_invalid(sb_eid_complete_redirect(bad[i], SB_EID_BANKID_SE, "abc", "?x=1", NULL, &r, &err), &err,
                           names[i], "client");
            CHECK(s == NULL && s2 == NULL && r == NULL);
        }
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

/* The eID functions with bad products, ids, JSON, URLs and outputs. */
static void test_eid_arguments(void) {
    sb_client *c = g_client;
    sb_error *err = NULL;
    sb_eid_result *r = (sb_eid_result *)&g_local; /* must be overwritten with NULL */
    char *s = (char *)&g_local, *s2 = (char *)&g_local;
    const char *products[7] = {NULL, "nope", "core/x", "v5/", "core/../x/y", "v5/mitid/a/b", BAD_UTF8};
    const char *needles[7] = {"product", "product", "product", "product", "category", "operation", "UTF-8"};
    int i;
    for (i = 0; i < 7; i++) {
        expect_invalid(sb_eid_create(c, products[i], NULL, &s, &s2, &err), &err, "eid_create(bad product)", needles[i]);
        CHECK(s == NULL && s2 == NULL);
        expect_invalid(sb_eid_get_result(c, products[i], g_eid_id, &r, &err), &err, "eid_get_result(bad product)",
                       needles[i]);
        CHECK(r == NULL);
        expect_invalid(sb_eid_wait(c, products[i], g_eid_id, 100, 100, NULL, &r, &err), &err, "eid_wait(bad product)",
                       needles[i]);
        expect_invalid(sb_eid_complete_redirect(c, products[i], g_eid_id, "?a=b", NULL, &r, &err), &err,
                       "eid_complete_redirect(bad product)", needles[i]);
    }
    /* create */
    expect_invalid(sb_eid_create(c, SB_EID_MITID, NULL, NULL, &s2, &err), &err, "eid_create(out id NULL)", "out_session_id");
    expect_invalid(sb_eid_create(c, SB_EID_MITID, NULL, &s, NULL, &err), &err, "eid_create(out url NULL)", "out_redirect_url");
    expect_invalid(sb_eid_create(c, SB_EID_MITID, "{not json", &s, &s2, &err), &err, "eid_create(malformed)", "request_json");
    expect_invalid(sb_eid_create(c, SB_EID_MITID, "{\"relay\": \"x\"}", &s, &s2, &err), &err, "eid_create(unknown)", "relay");
    expect_invalid(sb_eid_create(c, SB_EID_MITID, "{\"metadata\": 3}", &s, &s2, &err), &err, "eid_create(metadata)", "metadata");
    expect_invalid(sb_eid_create(c, SB_EID_MITID, "{\"webhook\": \"/hook\"}", &s, &s2, &err), &err, "eid_create(webhook)",
                   "webhook");
    expect_invalid(sb_eid_create(c, SB_EID_MITID, BAD_UTF8, &s, &s2, &err), &err, "eid_create(bad utf-8)", "UTF-8");
    CHECK(sb_eid_create(c, SB_EID_MITID, "42", &s, &s2, NULL) == SB_ERR_INVALID_ARGUMENT);
    /* get_result / wait */
    expect_invalid(sb_eid_get_result(c, SB_EID_BANKID_SE, NULL, &r, &err), &err, "eid_get_result(id NULL)", "session_id");
    expect_invalid(sb_eid_get_result(c, SB_EID_BANKID_SE, "", &r, &err), &err, "eid_get_result(id empty)", "session id");
    expect_invalid(sb_eid_get_result(c, SB_EID_BANKID_SE, "a/../b", &r, &err), &err, "eid_get_result(path id)", "session id");
    expect_invalid(sb_eid_get_result(c, SB_EID_BANKID_SE, BAD_UTF8, &r, &err), &err, "eid_get_result(bad id)", "UTF-8");
    expect_invalid(sb_eid_get_result(c, SB_EID_BANKID_SE, g_eid_id, NULL, &err), &err, "eid_get_result(out NULL)", "out_result");
    expect_invalid(sb_eid_wait(c, SB_EID_BANKID_SE, NULL, 100, 100, NULL, &r, &err), &err, "eid_wait(id NULL)", "session_id");
    expect_invalid(sb_eid_wait(c, SB_EID_BANKID_SE, g_eid_id, 1, 100, NULL, &r, &err), &err, "eid_wait(interval 1)", "interval");
    expect_invalid(sb_eid_wait(c, SB_EID_BANKID_SE, g_eid_id, 100, 100, (sb_cancel_token *)g_client, &r, &err), &err,
                   "eid_wait(client as token)", "cancel");
    expect_invalid(sb_eid_wait(c, SB_EID_BANKID_SE, g_eid_id, 100, 100, NULL, NULL, &err), &err, "eid_wait(out NULL)", "out_result");
    /* complete_redirect / parse_redirect */
    expect_invalid(sb_eid_complete_redirect(c, SB_EID_BANKID_SE, NULL, "?a=b", NULL, &r, &err), &err,
                   "complete_redirect(id NULL)", "session_id");
    expect_invalid(sb_eid_complete_redirect(c, SB_EID_BANKID_SE, g_eid_id, NULL, NULL, &r, &err), &err,
                   "complete_redirect(url NULL)", "returned_url");
    expect_invalid(sb_eid_complete_redirect(c, SB_EID_BANKID_SE, g_eid_id, BAD_UTF8, NULL, &r, &err), &err,
                   "complete_redirect(bad url)", "UTF-8");
    expect_invalid(sb_eid_complete_redirect(c, SB_EID_BANKID_SE, g_eid_id, "http://[", NULL, &r, &err), &err,
                   "complete_redirect(unparseable)", "URL");
    expect_invalid(sb_eid_complete_redirect(c, SB_EID_BANKID_SE, g_eid_id, "?a=b", BAD_UTF8, &r, &err), &err,
                   "complete_redirect(bad relay)", "expected_relay_state");
    expect_invalid(sb_eid_complete_redirect(c, SB_EID_BANKID_SE, g_eid_id, "?a=b", NULL, NULL, &err), &err,
                   "complete_redirect(out NULL)", "out_result");
    expect_invalid(sb_eid_parse_redirect(NULL, &s, &err), &err, "parse_redirect(NULL)", "returned_url");
    expect_invalid(sb_eid_parse_redirect(BAD_UTF8, &s, &err), &err, "parse_redirect(bad utf-8)", "UTF-8");
    expect_invalid(sb_eid_parse_redirect("http://[", &s, &err), &err, "parse_redirect(unparseable)", "URL");
    expect_invalid(sb_eid_parse_redirect("?a=b", NULL, &err), &err, "parse_redirect(out NULL)", "out_json");
    CHECK(s == NULL && s2 == NULL && r == NULL);
    /* parse_redirect of garbage that is still a relative URL: a success without any field */
    CHECK(sb_eid_parse_redirect("garbage", &s, NULL) == SB_OK && streq(s, "{\"success\":true,\"relay_state\":null,"
                                                                        "\"session_id\":null,\"error_code\":null,"
                                                                        "\"error_text\":null}"));
    sb_string_free(s);
}

static void test_eid_accessors(void) {
    sb_eid_result *bad[5];
    int i;
    bad[0] = NULL;
    bad[1] = g_stale_eid;
    bad[2] = (sb_eid_result *)&g_local;
    bad[3] = (sb_eid_result *)g_client;
    bad[4] = (sb_eid_result *)g_status;
    for (i = 0; i < 5; i++) {
        CHECK(sb_eid_result_id(bad[i]) == NULL);
        CHECK(sb_eid_result_status(bad[i]) == NULL);
        CHECK(!sb_eid_result_is_final(bad[i]));
        CHECK(sb_eid_result_relay_state(bad[i]) == NULL);
        CHECK(sb_eid_result_full_name(bad[i]) == NULL);
        CHECK(sb_eid_result_first_name(bad[i]) == NULL);
        CHECK(sb_eid_result_last_name(bad[i]) == NULL);
        CHECK(sb_eid_result_personal_number(bad[i]) == NULL);
        CHECK(sb_eid_result_date_of_birth(bad[i]) == NULL);
        CHECK(sb_eid_result_country_code(bad[i]) == NULL);
        CHECK(sb_eid_result_json(bad[i]) == NULL);
    }
    /* A status is not an eID result, nor the reverse. */
    CHECK(sb_status_state((sb_status *)g_eid) == NULL);
    CHECK(streq(sb_eid_result_id(g_eid), g_eid_id));
    CHECK(sb_eid_result_full_name(g_eid) == NULL); /* not identified yet */
    CHECK(sb_eid_result_json(g_eid) != NULL);
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
    bad[4] = (sb_webhook_verifier *)g_eid;
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

/* ---- Securosys: every function with NULL, garbage, stale and wrong-type arguments ---- */

static sb_client *g_tsb;             /* a client with the simulator's TSB keys */
static char g_tsb_label[64];         /* a plain P-256 key of this run */
static sb_key_info *g_key;           /* its description */
static sb_key_info *g_stale_key;
static sb_request_status *g_req;     /* an executed request */
static sb_request_status *g_stale_req;
static sb_approver_key *g_approver;
static sb_approver_key *g_stale_approver;
static sb_approval_tasks *g_tasks;   /* g_approver's (empty) task list */
static sb_approval_tasks *g_stale_tasks;

static void tsb_setup(void) {
    sb_error *err = NULL;
    char *id = NULL;
    g_tsb = tsb_client();
    snprintf(g_tsb_label, sizeof g_tsb_label, "args-%ld", (long)getpid());
    CHECK_CODE(sb_securosys_create_key(g_tsb, g_tsb_label, SB_KEY_P256, NULL, &g_key, &err), SB_OK, err, "create_key");
    CHECK_CODE(sb_securosys_get_key(g_tsb, g_tsb_label, &g_stale_key, &err), SB_OK, err, "get_key");
    sb_key_info_free(g_stale_key);
    CHECK_CODE(sb_securosys_sign(g_tsb, g_tsb_label, (const uint8_t *)"x", 1, SB_PAYLOAD_RAW, "SHA256_WITH_ECDSA", NULL,
                                 &id, &err),
               SB_OK, err, "sign");
    CHECK_CODE(sb_securosys_request_status(g_tsb, id, &g_req, &err), SB_OK, err, "request_status");
    CHECK_CODE(sb_securosys_request_status(g_tsb, id, &g_stale_req, &err), SB_OK, err, "request_status");
    sb_request_status_free(g_stale_req);
    sb_string_free(id);
    CHECK(sb_approver_key_generate_p256(&g_approver, NULL, NULL) == SB_OK);
    CHECK(sb_approver_key_generate_p256(&g_stale_approver, NULL, NULL) == SB_OK);
    sb_approver_key_free(g_stale_approver);
    CHECK_CODE(sb_securosys_list_approval_tasks(g_tsb, g_approver, SB_TASKS_ALL, 5, &g_tasks, &err), SB_OK, err,
               "list_approval_tasks");
    CHECK(sb_securosys_list_approval_tasks(g_tsb, g_approver, SB_TASKS_SIGN, 5, &g_stale_tasks, NULL) == SB_OK);
    sb_approval_tasks_free(g_stale_tasks);
}

static void tsb_teardown(void) {
    CHECK(sb_securosys_delete_key(g_tsb, g_tsb_label, NULL) == SB_OK);
    sb_approval_tasks_free(g_tasks);
    sb_approver_key_free(g_approver);
    sb_request_status_free(g_req);
    sb_key_info_free(g_key);
    sb_client_free(g_tsb);
}

#define CERT_REQ "{\"common_name\": \"c\", \"signature_algorithm\": \"SHA256_WITH_ECDSA\"}"
#define CSR_REQ "{\"subject\": {\"common_name\": \"c\"}, \"signature_algorithm\": \"SHA256_WITH_ECDSA\"}"

/* Every Securosys operation with a NULL, stale, foreign and wrong-type client. */
static void test_tsb_bad_clients(void) {
    sb_client *bad[4];
    const char *names[4] = {"NULL client", "freed client", "foreign pointer", "key info as client"};
    const char *n1[1] = {"a"}, *k1[1] = {"b"};
    int i;
    bad[0] = NULL;
    bad[1] = g_stale_client;
    bad[2] = (sb_client *)&g_local;
    bad[3] = (sb_client *)g_key;
    for (i = 0; i < 4; i++) {
        sb_error *err = NULL;
        char *s = NULL, *s2 = NULL;
        sb_strings l = {NULL, 0};
        sb_key_info *k = NULL;
        sb_bytes b = {NULL, 0};
        bool valid = true;
        sb_request_status *st = NULL;
        sb_approval_tasks *t = NULL;
        const uint8_t *p = (const uint8_t *)"x";
        expect_invalid(sb_securosys_version_info(bad[i], &s, &s2, &err), &err, names[i], "client");
        expect_invalid(sb_securosys_license_info(bad[i], &l, &err), &err, names[i], "client");
        expect_invalid(sb_securosys_create_key(bad[i], "k", SB_KEY_P256, NULL, &k, &err), &err, names[i], "client");
        expect_invalid(sb_securosys_create_key_json(bad[i], "{}", &k, &err), &err, names[i], "client");
        expect_invalid(sb_securosys_get_key(bad[i], "k", &k, &err), &err, names[i], "client");
        expect_invalid(sb_securosys_public_key(bad[i], "k", &b, &err), &err, names[i], "client");
        expect_invalid(sb_securosys_list_keys(bad[i], &l, &err), &err, names[i], "client");
        expect_invalid(sb_securosys_delete_key(bad[i], "k", &err), &err, names[i], "client");
        expect_invalid(sb_securosys_synchronous_sign(bad[i], "k", p, 1, SB_PAYLOAD_RAW, "EDDSA", &b, &err), &err,
                       names[i], "client");
        expect_invalid(sb_securosys_synchronous_sign_file(bad[i], "k", "/tmp/x", SB_PAYLOAD_RAW, "EDDSA", &b, &err),
                       &err, names[i], "client");
        expect_invalid(sb_securosys_verify(bad[i], "k", p, 1, SB_PAYLOAD_RAW, "EDDSA", p, 1, &valid, &err), &err,
                       names[i], "client");
        expect_invalid(sb_securosys_verify_file(bad[i], "k", "/tmp/x", SB_PAYLOAD_RAW, "EDDSA", p, 1, &valid, &err),
                       &err, names[i], "client");
        expect_invalid(sb_securosys_sign(bad[i], "k", p, 1, SB_PAYLOAD_RAW, "EDDSA", NULL, &s, &err), &err, names[i],
                       "client");
        expect_invalid(sb_securosys_sign_file(bad[i], "k", "/tmp/x", SB_PAYLOAD_RAW, "EDDSA", NULL, &s, &err), &err,
                       names[i], "client");
        expect_invalid(sb_securosys_request_status(bad[i], "abc", &st, &err), &err, names[i], "client");
        expect_invalid(sb_securosys_cancel_request(bad[i], "abc", &err), &err, names[i], "client");
        expect_invalid(sb_securosys_wait_request(bad[i], "abc", 0, 0, NULL, NULL, NULL, &b, &err), &err, names[i],
                       "client");
        expect_invalid(sb_securosys_list_approval_tasks(bad[i], g_approver, SB_TASKS_SIGN, 1, &t, &err), &err,
                       names[i], "client");
        expect_invalid(sb_securosys_approve(bad[i], g_approver, g_tasks, 0, &err), &err, names[i], "client");
        expect_invalid(sb_securosys_reject(bad[i], g_approver, "abc", &err), &err, names[i], "client");
        expect_invalid(sb_securosys_self_signed_certificate(bad[i], "k", CERT_REQ, &b, &s, &err), &err, names[i],
                       "client");
        expect_invalid(sb_securosys_certificate_signing_request(bad[i], "k", CSR_REQ, &b, &s, &err), &err, names[i],
                       "client");
        expect_invalid(sb_securosys_request_self_signed_certificate(bad[i], "k", CERT_REQ, NULL, &s, &err), &err,
                       names[i], "client");
        expect_invalid(sb_securosys_request_certificate_signing_request(bad[i], "k", CSR_REQ, NULL, &s, &err), &err,
                       names[i], "client");
        expect_invalid(sb_securosys_wait_certificate(bad[i], "abc", 0, 0, NULL, NULL, NULL, &b, &s, &err), &err,
                       names[i], "client");
        expect_invalid(sb_securosys_wait_certificate_signing_request(bad[i], "abc", 0, 0, NULL, NULL, NULL, &b, &s,
                                                                     &err),
                       &err, names[i], "client");
        CHECK(s == NULL && s2 == NULL && l.items == NULL && l.len == 0 && k == NULL && b.data == NULL && !valid &&
              st == NULL && t == NULL);
    }
    /* the pure functions need no client, and check their own arguments */
    {
        sb_error *err = NULL;
        expect_invalid(sb_securosys_quorum_policy(1, n1, k1, 1, 0, NULL, &err), &err, "quorum_policy(out NULL)",
                       "out_policy_json");
    }
}

static void test_tsb_bad_arguments(void) {
    sb_client *c = g_tsb;
    const char *l = g_tsb_label;
    sb_error *err = NULL;
    char *s = NULL, *s2 = NULL;
    sb_key_info *k = NULL;
    sb_bytes b = {NULL, 0};
    bool valid = false;
    sb_request_status *st = NULL;
    sb_approval_tasks *t = NULL;
    sb_approver_key *a = NULL;
    sb_cancel_token *stale_token = sb_cancel_token_new();
    const uint8_t *p = (const uint8_t *)"payload";
    const char *alg = "SHA256_WITH_ECDSA";
    sb_cancel_token_free(stale_token);

    /* default algorithm */
    CHECK(streq(sb_securosys_default_algorithm(SB_KEY_RSA_2048), "SHA256_WITH_RSA"));
    CHECK(streq(sb_securosys_default_algorithm(SB_KEY_RSA_4096), "SHA256_WITH_RSA"));
    CHECK(streq(sb_securosys_default_algorithm(SB_KEY_P256), "SHA256_WITH_ECDSA"));
    CHECK(streq(sb_securosys_default_algorithm(SB_KEY_P384), "SHA384_WITH_ECDSA"));
    CHECK(streq(sb_securosys_default_algorithm(SB_KEY_ED25519), "EDDSA"));
    CHECK(sb_securosys_default_algorithm(0) == NULL);
    CHECK(sb_securosys_default_algorithm(7) == NULL);
    CHECK(sb_securosys_default_algorithm(0xffffffffu) == NULL);

    /* service */
    expect_invalid(sb_securosys_version_info(c, NULL, &s2, &err), &err, "version_info(out NULL)", "out_version");
    expect_invalid(sb_securosys_license_info(c, NULL, &err), &err, "license_info(out NULL)", "out_flags");

    /* quorum policy */
    {
        const char *names[2] = {"a", "b"}, *keys[2] = {"k1", "k2"};
        const char *null_name[2] = {"a", NULL}, *bad_key[2] = {"k1", BAD_UTF8};
        expect_invalid(sb_securosys_quorum_policy(1, NULL, keys, 2, 0, &s, &err), &err, "policy(names NULL)", "names");
        expect_invalid(sb_securosys_quorum_policy(1, names, NULL, 2, 0, &s, &err), &err, "policy(keys NULL)",
                       "public_keys_b64");
        expect_invalid(sb_securosys_quorum_policy(1, null_name, keys, 2, 0, &s, &err), &err, "policy(names[1] NULL)",
                       "names[1]");
        expect_invalid(sb_securosys_quorum_policy(1, names, bad_key, 2, 0, &s, &err), &err, "policy(bad key)", "UTF-8");
        expect_invalid(sb_securosys_quorum_policy(1, names, keys, (size_t)-1, 0, &s, &err), &err, "policy(huge n)",
                       "names");
        CHECK(s == NULL);
        /* nothing is checked before the key is created: a quorum of 3 among 2 is refused there */
        CHECK(sb_securosys_quorum_policy(3, names, keys, 2, 0, &s, NULL) == SB_OK && s != NULL);
        expect_invalid(sb_securosys_create_key(c, "args-never", SB_KEY_P256, s, &k, &err), &err,
                       "create_key(quorum 3 of 2)", "quorum");
        sb_string_free(s);
        s = NULL;
        CHECK(sb_securosys_quorum_policy(1, names, keys, 2, 61, &s, NULL) == SB_OK);
        expect_invalid(sb_securosys_create_key(c, "args-never", SB_KEY_P256, s, &k, &err), &err,
                       "create_key(timeout 61 s)", "multiple of 60");
        sb_string_free(s);
        s = NULL;
    }

    /* create_key / create_key_json */
    expect_invalid(sb_securosys_create_key(c, l, SB_KEY_P256, NULL, NULL, &err), &err, "create_key(out NULL)", "out_key");
    expect_invalid(sb_securosys_create_key(c, NULL, SB_KEY_P256, NULL, &k, &err), &err, "create_key(label NULL)", "label");
    expect_invalid(sb_securosys_create_key(c, BAD_UTF8, SB_KEY_P256, NULL, &k, &err), &err, "create_key(bad label)",
                   "UTF-8");
    expect_invalid(sb_securosys_create_key(c, "", SB_KEY_P256, NULL, &k, &err), &err, "create_key(empty label)",
                   "label");
    expect_invalid(sb_securosys_create_key(c, "a\nb", SB_KEY_P256, NULL, &k, &err), &err, "create_key(control char)",
                   "label");
    expect_invalid(sb_securosys_create_key(c, "k", 0, NULL, &k, &err), &err, "create_key(spec 0)", "SB_KEY_");
    expect_invalid(sb_securosys_create_key(c, "k", 99, NULL, &k, &err), &err, "create_key(spec 99)", "key spec");
    expect_invalid(sb_securosys_create_key(c, "k", SB_KEY_P256, "{not json", &k, &err), &err,
                   "create_key(malformed policy)", "policy_json");
    expect_invalid(sb_securosys_create_key(c, "k", SB_KEY_P256, "[1]", &k, &err), &err, "create_key(policy array)",
                   "policy_json");
    expect_invalid(sb_securosys_create_key(c, "k", SB_KEY_P256, BAD_UTF8, &k, &err), &err, "create_key(bad policy)",
                   "UTF-8");
    expect_invalid(sb_securosys_create_key_json(c, NULL, &k, &err), &err, "create_key_json(NULL)", "request_json");
    expect_invalid(sb_securosys_create_key_json(c, "{\"label\": \"k\"}", &k, &err), &err,
                   "create_key_json(no algorithm)", "algorithm");
    expect_invalid(sb_securosys_create_key_json(c, "{\"label\": \"k\", \"algorithm\": \"EC\", \"colour\": 1}", &k,
                                                &err),
                   &err, "create_key_json(unknown field)", "colour");
    expect_invalid(sb_securosys_create_key_json(c, "{\"label\": \"k\", \"algorithm\": \"RSA\"}", &k, &err), &err,
                   "create_key_json(no key_size)", "key_size");
    expect_invalid(sb_securosys_create_key_json(c, "{\"label\": \"k\", \"algorithm\": \"EC\"}", NULL, &err), &err,
                   "create_key_json(out NULL)", "out_key");
    CHECK(k == NULL);

    /* get_key / public_key / list_keys / delete_key */
    expect_invalid(sb_securosys_get_key(c, NULL, &k, &err), &err, "get_key(NULL)", "label");
    expect_invalid(sb_securosys_get_key(c, BAD_UTF8, &k, &err), &err, "get_key(bad)", "UTF-8");
    expect_invalid(sb_securosys_get_key(c, l, NULL, &err), &err, "get_key(out NULL)", "out_key");
    expect_invalid(sb_securosys_public_key(c, NULL, &b, &err), &err, "public_key(NULL)", "label");
    expect_invalid(sb_securosys_public_key(c, l, NULL, &err), &err, "public_key(out NULL)", "out_der");
    expect_invalid(sb_securosys_list_keys(c, NULL, &err), &err, "list_keys(out NULL)", "out_labels");
    expect_invalid(sb_securosys_delete_key(c, NULL, &err), &err, "delete_key(NULL)", "label");
    expect_invalid(sb_securosys_delete_key(c, "", &err), &err, "delete_key(empty)", "label");
    CHECK(sb_securosys_delete_key(c, BAD_UTF8, NULL) == SB_ERR_INVALID_ARGUMENT);

    /* synchronous_sign / _file */
    expect_invalid(sb_securosys_synchronous_sign(c, l, p, 7, SB_PAYLOAD_RAW, alg, NULL, &err), &err,
                   "sync_sign(out NULL)", "out_signature");
    expect_invalid(sb_securosys_synchronous_sign(c, NULL, p, 7, SB_PAYLOAD_RAW, alg, &b, &err), &err,
                   "sync_sign(label NULL)", "label");
    expect_invalid(sb_securosys_synchronous_sign(c, l, p, 7, 2, alg, &b, &err), &err, "sync_sign(kind 2)",
                   "payload kind");
    expect_invalid(sb_securosys_synchronous_sign(c, l, p, 7, 0xffffffffu, alg, &b, &err), &err,
                   "sync_sign(kind max)", "SB_PAYLOAD_RAW");
    expect_invalid(sb_securosys_synchronous_sign(c, l, p, 7, SB_PAYLOAD_RAW, NULL, &b, &err), &err,
                   "sync_sign(algorithm NULL)", "algorithm");
    expect_invalid(sb_securosys_synchronous_sign(c, l, p, 7, SB_PAYLOAD_RAW, BAD_UTF8, &b, &err), &err,
                   "sync_sign(bad algorithm)", "UTF-8");
    expect_invalid(sb_securosys_synchronous_sign(c, l, NULL, 7, SB_PAYLOAD_RAW, alg, &b, &err), &err,
                   "sync_sign(NULL payload, 7)", "payload");
    expect_invalid(sb_securosys_synchronous_sign(c, l, p, (size_t)-1, SB_PAYLOAD_RAW, alg, &b, &err), &err,
                   "sync_sign(huge len)", "payload");
    expect_invalid(sb_securosys_synchronous_sign(c, l, NULL, 0, SB_PAYLOAD_RAW, alg, &b, &err), &err,
                   "sync_sign(empty payload)", "empty");
    expect_invalid(sb_securosys_synchronous_sign(c, l, p, 7, SB_PAYLOAD_DIGEST, alg, &b, &err), &err,
                   "sync_sign(7-byte digest)", "32 bytes");
    expect_invalid(sb_securosys_synchronous_sign_file(c, l, NULL, SB_PAYLOAD_RAW, alg, &b, &err), &err,
                   "sync_sign_file(path NULL)", "path");
    expect_invalid(sb_securosys_synchronous_sign_file(c, l, "", SB_PAYLOAD_RAW, alg, &b, &err), &err,
                   "sync_sign_file(path empty)", "path");
    expect_invalid(sb_securosys_synchronous_sign_file(c, l, "/tmp/x", SB_PAYLOAD_RAW, alg, NULL, &err), &err,
                   "sync_sign_file(out NULL)", "out_signature");
    CHECK(sb_securosys_synchronous_sign_file(c, l, "/nonexistent/" BAD_UTF8, SB_PAYLOAD_RAW, alg, &b, &err) == SB_ERR_IO);
    sb_error_free(err);
    err = NULL;
    CHECK(b.data == NULL && b.len == 0);

    /* verify / _file */
    expect_invalid(sb_securosys_verify(c, l, p, 7, SB_PAYLOAD_RAW, alg, p, 7, NULL, &err), &err, "verify(out NULL)",
                   "out_valid");
    expect_invalid(sb_securosys_verify(c, l, p, 7, SB_PAYLOAD_RAW, alg, NULL, 7, &valid, &err), &err,
                   "verify(NULL signature, 7)", "signature");
    expect_invalid(sb_securosys_verify(c, l, p, 7, SB_PAYLOAD_RAW, alg, NULL, 0, &valid, &err), &err,
                   "verify(empty signature)", "signature");
    expect_invalid(sb_securosys_verify(c, l, p, 7, SB_PAYLOAD_RAW, alg, p, (size_t)-1, &valid, &err), &err,
                   "verify(huge signature)", "signature");
    expect_invalid(sb_securosys_verify(c, l, p, 7, 5, alg, p, 7, &valid, &err), &err, "verify(kind 5)", "payload kind");
    expect_invalid(sb_securosys_verify_file(c, l, NULL, SB_PAYLOAD_RAW, alg, p, 7, &valid, &err), &err,
                   "verify_file(path NULL)", "path");
    expect_invalid(sb_securosys_verify_file(c, l, "/tmp/x", SB_PAYLOAD_RAW, alg, p, 7, NULL, &err), &err,
                   "verify_file(out NULL)", "out_valid");
    expect_invalid(sb_securosys_verify_file(c, NULL, "/tmp/x", SB_PAYLOAD_RAW, alg, p, 7, &valid, &err), &err,
                   "verify_file(label NULL)", "label");
    CHECK(!valid);

    /* sign / sign_file (asynchronous) */
    expect_invalid(sb_securosys_sign(c, l, p, 7, SB_PAYLOAD_RAW, alg, NULL, NULL, &err), &err, "sign(out NULL)",
                   "out_request_id");
    expect_invalid(sb_securosys_sign(c, l, p, 7, SB_PAYLOAD_RAW, alg, "{bad", &s, &err), &err, "sign(malformed options)",
                   "options_json");
    expect_invalid(sb_securosys_sign(c, l, p, 7, SB_PAYLOAD_RAW, alg, "{\"meta\": {}}", &s, &err), &err,
                   "sign(unknown option)", "meta");
    expect_invalid(sb_securosys_sign(c, l, p, 7, SB_PAYLOAD_RAW, alg, "{\"metadata\": [1]}", &s, &err), &err,
                   "sign(metadata not an object)", "metadata");
    expect_invalid(sb_securosys_sign(c, l, p, 7, SB_PAYLOAD_RAW, alg, BAD_UTF8, &s, &err), &err, "sign(bad options)",
                   "UTF-8");
    expect_invalid(sb_securosys_sign(c, l, NULL, 3, SB_PAYLOAD_RAW, alg, NULL, &s, &err), &err,
                   "sign(NULL payload, 3)", "payload");
    expect_invalid(sb_securosys_sign(c, l, p, 7, 9, alg, NULL, &s, &err), &err, "sign(kind 9)", "payload kind");
    expect_invalid(sb_securosys_sign_file(c, l, NULL, SB_PAYLOAD_RAW, alg, NULL, &s, &err), &err,
                   "sign_file(path NULL)", "path");
    expect_invalid(sb_securosys_sign_file(c, l, "/tmp/x", SB_PAYLOAD_RAW, alg, "{bad", &s, &err), &err,
                   "sign_file(malformed options)", "options_json");
    expect_invalid(sb_securosys_sign_file(c, l, "/tmp/x", SB_PAYLOAD_RAW, alg, NULL, NULL, &err), &err,
                   "sign_file(out NULL)", "out_request_id");
    CHECK(s == NULL);

    /* request_status / cancel_request / wait_request */
    expect_invalid(sb_securosys_request_status(c, NULL, &st, &err), &err, "request_status(NULL)", "request_id");
    expect_invalid(sb_securosys_request_status(c, "", &st, &err), &err, "request_status(empty)", "request id");
    expect_invalid(sb_securosys_request_status(c, "a/../b", &st, &err), &err, "request_status(path)", "request id");
    expect_invalid(sb_securosys_request_status(c, BAD_UTF8, &st, &err), &err, "request_status(bad)", "UTF-8");
    expect_invalid(sb_securosys_request_status(c, "abc", NULL, &err), &err, "request_status(out NULL)", "out_status");
    expect_invalid(sb_securosys_cancel_request(c, NULL, &err), &err, "cancel_request(NULL)", "request_id");
    expect_invalid(sb_securosys_cancel_request(c, "a?b", &err), &err, "cancel_request(query)", "request id");
    expect_invalid(sb_securosys_wait_request(c, NULL, 100, 100, NULL, NULL, NULL, &b, &err), &err,
                   "wait_request(NULL)", "request_id");
    expect_invalid(sb_securosys_wait_request(c, "abc", 1, 100, NULL, NULL, NULL, &b, &err), &err,
                   "wait_request(interval 1)", "interval");
    expect_invalid(sb_securosys_wait_request(c, "abc", 100, 100, stale_token, NULL, NULL, &b, &err), &err,
                   "wait_request(stale token)", "cancel");
    expect_invalid(sb_securosys_wait_request(c, "abc", 100, 100, (sb_cancel_token *)g_key, NULL, NULL, &b, &err), &err,
                   "wait_request(key as token)", "cancel");
    expect_invalid(sb_securosys_wait_request(c, "abc", 100, 100, NULL, NULL, NULL, NULL, &err), &err,
                   "wait_request(out NULL)", "out_result");
    CHECK(st == NULL && b.data == NULL);

    /* certificates */
    expect_invalid(sb_securosys_self_signed_certificate(c, l, CERT_REQ, NULL, &s, &err), &err, "selfsign(out NULL)",
                   "out_der");
    expect_invalid(sb_securosys_self_signed_certificate(c, NULL, CERT_REQ, &b, &s, &err), &err, "selfsign(label NULL)",
                   "label");
    expect_invalid(sb_securosys_self_signed_certificate(c, l, NULL, &b, &s, &err), &err, "selfsign(request NULL)",
                   "request_json");
    expect_invalid(sb_securosys_self_signed_certificate(c, l, "{bad", &b, &s, &err), &err, "selfsign(malformed)",
                   "request_json");
    expect_invalid(sb_securosys_self_signed_certificate(c, l, BAD_UTF8, &b, &s, &err), &err, "selfsign(bad utf-8)",
                   "UTF-8");
    expect_invalid(sb_securosys_self_signed_certificate(c, l, "{\"common_name\": \"c\"}", &b, &s, &err), &err,
                   "selfsign(no algorithm)", "signature_algorithm");
    expect_invalid(sb_securosys_self_signed_certificate(
                       c, l, "{\"common_name\": \"c\", \"signature_algorithm\": \"EDDSA\", \"validity_days\": 0}",
                       &b, &s, &err),
                   &err, "selfsign(validity 0)", "validity_days");
    expect_invalid(sb_securosys_self_signed_certificate(
                       c, l, "{\"common_name\": \"\", \"signature_algorithm\": \"EDDSA\"}", &b, &s, &err),
                   &err, "selfsign(empty CN)", "common_name");
    expect_invalid(sb_securosys_certificate_signing_request(c, l, CSR_REQ, NULL, &s, &err), &err, "csr(out NULL)",
                   "out_der");
    expect_invalid(sb_securosys_certificate_signing_request(c, l, NULL, &b, &s, &err), &err, "csr(request NULL)",
                   "request_json");
    expect_invalid(sb_securosys_certificate_signing_request(c, l, CERT_REQ, &b, &s, &err), &err,
                   "csr(a certificate request)", "request_json");
    expect_invalid(sb_securosys_certificate_signing_request(
                       c, l,
                       "{\"subject\": {\"common_name\": \"c\", \"country\": \"Schweiz\"},"
                       " \"signature_algorithm\": \"SHA256_WITH_ECDSA\"}",
                       &b, &s, &err),
                   &err, "csr(bad country)", "country");
    expect_invalid(sb_securosys_request_self_signed_certificate(c, l, CERT_REQ, NULL, NULL, &err), &err,
                   "request_selfsign(out NULL)", "out_request_id");
    expect_invalid(sb_securosys_request_self_signed_certificate(c, l, CERT_REQ, "{bad", &s, &err), &err,
                   "request_selfsign(bad options)", "options_json");
    expect_invalid(sb_securosys_request_self_signed_certificate(c, l, NULL, NULL, &s, &err), &err,
                   "request_selfsign(request NULL)", "request_json");
    expect_invalid(sb_securosys_request_certificate_signing_request(c, l, CSR_REQ, NULL, NULL, &err), &err,
                   "request_csr(out NULL)", "out_request_id");
    expect_invalid(sb_securosys_request_certificate_signing_request(c, NULL, CSR_REQ, NULL, &s, &err), &err,
                   "request_csr(label NULL)", "label");
    expect_invalid(sb_securosys_request_certificate_signing_request(c, l, CSR_REQ, "42", &s, &err), &err,
                   "request_csr(options a number)", "options_json");
    expect_invalid(sb_securosys_wait_certificate(c, "abc", 100, 100, NULL, NULL, NULL, NULL, &s, &err), &err,
                   "wait_certificate(out NULL)", "out_der");
    expect_invalid(sb_securosys_wait_certificate(c, NULL, 100, 100, NULL, NULL, NULL, &b, &s, &err), &err,
                   "wait_certificate(id NULL)", "request_id");
    expect_invalid(sb_securosys_wait_certificate(c, "abc", 1, 100, NULL, NULL, NULL, &b, &s, &err), &err,
                   "wait_certificate(interval 1)", "interval");
    expect_invalid(sb_securosys_wait_certificate(c, "abc", 100, 100, stale_token, NULL, NULL, &b, NULL, &err), &err,
                   "wait_certificate(stale token)", "cancel");
    expect_invalid(sb_securosys_wait_certificate_signing_request(c, "abc", 100, 100, NULL, NULL, NULL, NULL, &s, &err),
                   &err, "wait_csr(out NULL)", "out_der");
    expect_invalid(sb_securosys_wait_certificate_signing_request(c, "a/b", 100, 100, NULL, NULL, NULL, &b, &s, &err),
                   &err, "wait_csr(bad id)", "request id");
    CHECK(s == NULL && b.data == NULL);

    /* approvers */
    expect_invalid(sb_approver_key_generate_p256(NULL, NULL, &err), &err, "generate(out NULL)", "out_key");
    expect_invalid(sb_approver_key_from_pem(NULL, &a, &err), &err, "from_pem(NULL)", "pem");
    expect_invalid(sb_approver_key_from_pem(BAD_UTF8, &a, &err), &err, "from_pem(bad)", "UTF-8");
    expect_invalid(sb_approver_key_from_pem("-----BEGIN PRIVATE KEY-----\nTOPSECRETx\n-----END PRIVATE KEY-----\n",
                                            &a, &err),
                   &err, "from_pem(garbage)", "approver key");
    {
        /* the message never contains the key text */
        sb_error *e2 = NULL;
        CHECK(sb_approver_key_from_pem("-----BEGIN PRIVATE KEY-----\nTOPSECRETx\n-----END PRIVATE KEY-----\n", &a,
                                       &e2) == SB_ERR_INVALID_ARGUMENT &&
              e2 != NULL && strstr(e2->message, "TOPSECRET") == NULL);
        sb_error_free(e2);
    }
    expect_invalid(sb_approver_key_from_pem("not pem", &a, &err), &err, "from_pem(not pem)", "PEM");
    expect_invalid(sb_approver_key_from_pem("x", NULL, &err), &err, "from_pem(out NULL)", "out_key");
    expect_invalid(sb_approver_key_from_pkcs8_der(NULL, 5, &a, &err), &err, "from_der(NULL, 5)", "der");
    expect_invalid(sb_approver_key_from_pkcs8_der(p, (size_t)-1, &a, &err), &err, "from_der(huge)", "der");
    expect_invalid(sb_approver_key_from_pkcs8_der(NULL, 0, &a, &err), &err, "from_der(empty)", "PKCS#8");
    expect_invalid(sb_approver_key_from_pkcs8_der(p, 7, &a, &err), &err, "from_der(garbage)", "PKCS#8");
    expect_invalid(sb_approver_key_from_pkcs8_der(p, 7, NULL, &err), &err, "from_der(out NULL)", "out_key");
    CHECK(a == NULL);

    /* tasks, approve, reject */
    expect_invalid(sb_securosys_list_approval_tasks(c, g_approver, SB_TASKS_SIGN, 0, &t, &err), &err,
                   "tasks(page 0)", "page_size");
    expect_invalid(sb_securosys_list_approval_tasks(c, g_approver, 7, 10, &t, &err), &err, "tasks(kind 7)",
                   "SB_TASKS_");
    expect_invalid(sb_securosys_list_approval_tasks(c, g_approver, SB_TASKS_SIGN, 10, NULL, &err), &err,
                   "tasks(out NULL)", "out_tasks");
    expect_invalid(sb_securosys_approve(c, g_approver, g_tasks, 0, &err), &err, "approve(index 0 of empty)",
                   "out of range");
    expect_invalid(sb_securosys_approve(c, g_approver, g_tasks, (size_t)-1, &err), &err, "approve(index max)",
                   "out of range");
    expect_invalid(sb_securosys_reject(c, g_approver, NULL, &err), &err, "reject(NULL)", "task_id");
    expect_invalid(sb_securosys_reject(c, g_approver, "", &err), &err, "reject(empty)", "task id");
    expect_invalid(sb_securosys_reject(c, g_approver, BAD_UTF8, &err), &err, "reject(bad)", "UTF-8");
    {
        sb_approver_key *bad_ap[4];
        sb_approval_tasks *bad_t[4];
        const char *what[4] = {"NULL", "freed", "foreign", "wrong type"};
        int i;
        bad_ap[0] = NULL;
        bad_ap[1] = g_stale_approver;
        bad_ap[2] = (sb_approver_key *)&g_local;
        bad_ap[3] = (sb_approver_key *)g_tasks;
        bad_t[0] = NULL;
        bad_t[1] = g_stale_tasks;
        bad_t[2] = (sb_approval_tasks *)&g_local;
        bad_t[3] = (sb_approval_tasks *)g_approver;
        for (i = 0; i < 4; i++) {
            expect_invalid(sb_securosys_list_approval_tasks(c, bad_ap[i], SB_TASKS_SIGN, 10, &t, &err), &err, what[i],
                           "approver");
            expect_invalid(sb_securosys_approve(c, bad_ap[i], g_tasks, 0, &err), &err, what[i], "approver");
            expect_invalid(sb_securosys_reject(c, bad_ap[i], "abc", &err), &err, what[i], "approver");
            expect_invalid(sb_securosys_approve(c, g_approver, bad_t[i], 0, &err), &err, what[i], "tasks");
        }
    }
    CHECK(t == NULL);
}

static void test_tsb_accessors(void) {
    sb_key_info *bad_k[5];
    sb_request_status *bad_r[5];
    sb_approver_key *bad_a[5];
    sb_approval_tasks *bad_t[5];
    int i;
    bad_k[0] = NULL, bad_k[1] = g_stale_key, bad_k[2] = (sb_key_info *)&g_local, bad_k[3] = (sb_key_info *)g_req;
    bad_k[4] = (sb_key_info *)g_client;
    bad_r[0] = NULL, bad_r[1] = g_stale_req, bad_r[2] = (sb_request_status *)&g_local;
    bad_r[3] = (sb_request_status *)g_key, bad_r[4] = (sb_request_status *)g_status;
    bad_a[0] = NULL, bad_a[1] = g_stale_approver, bad_a[2] = (sb_approver_key *)&g_local;
    bad_a[3] = (sb_approver_key *)g_key, bad_a[4] = (sb_approver_key *)g_eid;
    bad_t[0] = NULL, bad_t[1] = g_stale_tasks, bad_t[2] = (sb_approval_tasks *)&g_local;
    bad_t[3] = (sb_approval_tasks *)g_req, bad_t[4] = (sb_approval_tasks *)g_approver;
    for (i = 0; i < 5; i++) {
        sb_error *err = NULL;
        char *pem = (char *)&g_local;
        sb_bytes b = {(uint8_t *)&g_local, 1};
        CHECK(sb_key_info_label(bad_k[i]) == NULL);
        CHECK(sb_key_info_algorithm(bad_k[i]) == NULL);
        CHECK(sb_key_info_key_size(bad_k[i]) == 0);
        CHECK(sb_key_info_curve_oid(bad_k[i]) == NULL);
        CHECK(!sb_key_info_has_policy(bad_k[i]));
        CHECK(sb_key_info_json(bad_k[i]) == NULL);
        expect_invalid(sb_key_info_public_key_pem(bad_k[i], &pem, &err), &err, "public_key_pem(bad key)", "key");
        CHECK(pem == NULL);
        CHECK(sb_request_status_id(bad_r[i]) == NULL);
        CHECK(sb_request_status_state(bad_r[i]) == NULL);
        CHECK(!sb_request_status_is_terminal(bad_r[i]));
        CHECK(sb_request_status_approved_count(bad_r[i]) == 0);
        CHECK(sb_request_status_pending_count(bad_r[i]) == 0);
        CHECK(sb_request_status_rejected_count(bad_r[i]) == 0);
        CHECK(sb_request_status_json(bad_r[i]) == NULL);
        expect_invalid(sb_request_status_result(bad_r[i], &b, &err), &err, "result(bad status)", "status");
        CHECK(b.data == NULL && b.len == 0);
        CHECK(sb_approver_key_public_key_b64(bad_a[i]) == NULL);
        CHECK(sb_approval_tasks_count(bad_t[i]) == 0);
        CHECK(sb_approval_tasks_id(bad_t[i], 0) == NULL);
        CHECK(sb_approval_tasks_payload_type(bad_t[i], 0) == NULL);
        CHECK(sb_approval_tasks_metadata_json(bad_t[i], 0) == NULL);
        CHECK(sb_approval_tasks_json(bad_t[i]) == NULL);
    }
    {
        sb_error *err = NULL;
        sb_bytes b = {NULL, 0};
        expect_invalid(sb_key_info_public_key_pem(g_key, NULL, &err), &err, "public_key_pem(out NULL)", "out_pem");
        expect_invalid(sb_request_status_result(g_req, NULL, &err), &err, "result(out NULL)", "out_result");
        CHECK(sb_request_status_result(g_req, &b, NULL) == SB_OK && b.len > 0); /* executed at once: no policy */
        sb_bytes_free(&b);
    }
    /* the live ones answer, out-of-range indexes are NULL */
    CHECK(streq(sb_key_info_label(g_key), g_tsb_label));
    CHECK(streq(sb_request_status_state(g_req), "EXECUTED") && sb_request_status_is_terminal(g_req));
    CHECK(sb_approver_key_public_key_b64(g_approver) != NULL);
    CHECK(sb_approval_tasks_count(g_tasks) == 0 && streq(sb_approval_tasks_json(g_tasks), "[]"));
    CHECK(sb_approval_tasks_id(g_tasks, 0) == NULL && sb_approval_tasks_id(g_tasks, (size_t)-1) == NULL);
}

static void test_tsb_frees(void) {
    char local[8] = "abc";
    const char *items[1] = {local};
    sb_strings foreign = {items, 1};
    sb_key_info_free(NULL);
    sb_key_info_free((sb_key_info *)&g_local);
    sb_key_info_free(g_stale_key);
    sb_key_info_free((sb_key_info *)g_req);      /* wrong type: ignored */
    CHECK(streq(sb_request_status_state(g_req), "EXECUTED"));
    sb_request_status_free(NULL);
    sb_request_status_free((sb_request_status *)&g_local);
    sb_request_status_free(g_stale_req);
    sb_request_status_free((sb_request_status *)g_key);
    CHECK(streq(sb_key_info_label(g_key), g_tsb_label));
    sb_approver_key_free(NULL);
    sb_approver_key_free((sb_approver_key *)&g_local);
    sb_approver_key_free(g_stale_approver);
    sb_approver_key_free((sb_approver_key *)g_tasks);
    sb_approval_tasks_free(NULL);
    sb_approval_tasks_free((sb_approval_tasks *)&g_local);
    sb_approval_tasks_free(g_stale_tasks);
    sb_approval_tasks_free((sb_approval_tasks *)g_approver);
    CHECK(sb_approver_key_public_key_b64(g_approver) != NULL && sb_approval_tasks_json(g_tasks) != NULL);
    sb_strings_free(NULL);
    sb_strings_free(&foreign);
    CHECK(foreign.items == items && foreign.len == 1); /* not ours: left alone */
    {
        sb_strings l = {NULL, 0};
        CHECK(sb_securosys_list_keys(g_tsb, &l, NULL) == SB_OK && l.len >= 1);
        {
            sb_strings copy = l;
            sb_strings_free(&l);
            CHECK(l.items == NULL && l.len == 0);
            sb_strings_free(&copy); /* double free: ignored */
        }
    }
    CHECK(1); /* reached: nothing crashed */
}

/* ---- the neutral signing session and OneSpan: NULL, garbage, stale and wrong-type arguments ---- */

static sb_client *g_os;                   /* a client with the simulator's OneSpan API key */
static sb_signing_session *g_sess;        /* a finished ZignSec session */
static sb_signing_session *g_stale_sess;
static sb_signing_state *g_state;
static sb_signing_state *g_stale_state;
static sb_signing_completed *g_done;
static sb_signing_completed *g_stale_done;
static sb_onespan_package *g_pkg;         /* a OneSpan package */
static sb_onespan_package *g_stale_pkg;
static sb_onespan_packages *g_iter;
static sb_onespan_packages *g_stale_iter;
static sb_onespan_callback_verifier *g_cbv;
static sb_onespan_callback_verifier *g_stale_cbv;
static char g_pkg_id[128];
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
    CHECK_CODE(sb_onespan_get_package(g_os, g_pkg_id, &g_pkg, &err), SB_OK, err, "get_package");
    CHECK(sb_onespan_get_package(g_os, g_pkg_id, &g_stale_pkg, NULL) == SB_OK);
    sb_onespan_package_free(g_stale_pkg);
    CHECK(sb_onespan_list(g_os, NULL, NULL, 0, NULL, false, &g_iter, NULL) == SB_OK);
    CHECK(sb_onespan_list(g_os, NULL, NULL, 0, NULL, false, &g_stale_iter, NULL) == SB_OK);
    sb_onespan_packages_free(g_stale_iter);
    CHECK(sb_onespan_callback_verifier_new(keys, 1, &g_cbv, NULL) == SB_OK);
    CHECK(sb_onespan_callback_verifier_new(keys, 1, &g_stale_cbv, NULL) == SB_OK);
    sb_onespan_callback_verifier_free(g_stale_cbv);
}

static void sig_teardown(void) {
    char cmd[400];
    CHECK(sb_onespan_delete(g_os, g_pkg_id, NULL) == SB_OK);
    sb_onespan_callback_verifier_free(g_cbv);
    sb_onespan_packages_free(g_iter);
    sb_onespan_package_free(g_pkg);
    sb_signing_completed_free(g_done);
    sb_signing_state_free(g_state);
    sb_signing_session_free(g_sess);
    sb_client_free(g_os);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_sig_dir);
    CHECK(system(cmd) == 0);
}

static void test_sig_bad_clients(void) {
    sb_client *bad[4];
    const char *names[4] = {"NULL client", "freed client", "foreign pointer", "package as client"};
    const char *ev[1] = {"PACKAGE_COMPLETE"};
    int i;
    bad[0] = NULL;
    bad[1] = g_stale_client;
    bad[2] = (sb_client *)&g_local;
    bad[3] = (sb_client *)g_pkg;
    for (i = 0; i < 4; i++) {
        sb_error *err = NULL;
        sb_signing_session *s = NULL;
        sb_signing_state *st = NULL;
        sb_signing_completed *d = NULL;
        sb_onespan_package *p = NULL;
        sb_onespan_packages *it = NULL;
        const char *prov = NULL;
        char *str = NULL;
        sb_bytes b = {NULL, 0};
        sb_strings l = {NULL, 0};
        uint64_t n = 7;
        expect_invalid(sb_signing_start(bad[i], NULL, "{}", &s, &err), &err, names[i], "client");
        expect_invalid(sb_signing_provider(bad[i], &prov, &err), &err, names[i], "client");
        expect_invalid(sb_signing_status(bad[i], "zignsec:abc", &st, &err), &err, names[i], "client");
        expect_invalid(sb_signing_wait(bad[i], "zignsec:abc", 0, 0, NULL, NULL, NULL, &d, &err), &err, names[i],
                       "client");
        expect_invalid(sb_signing_result(bad[i], "zignsec:abc", &d, &err), &err, names[i], "client");
        expect_invalid(sb_signing_download(bad[i], "zignsec:abc", "f", &b, &err), &err, names[i], "client");
        expect_invalid(sb_signing_save_all(bad[i], g_done, "/tmp/sbtest-x", &l, &err), &err, names[i], "client");
        expect_invalid(sb_signing_cancel(bad[i], "onespan:abc", &err), &err, names[i], "client");
        expect_invalid(sb_onespan_get_package(bad[i], "abc", &p, &err), &err, names[i], "client");
        expect_invalid(sb_onespan_signing_url(bad[i], "abc", "r", &str, &err), &err, names[i], "client");
        expect_invalid(sb_onespan_audit(bad[i], "abc", &str, &err), &err, names[i], "client");
        expect_invalid(sb_onespan_trash(bad[i], "abc", &err), &err, names[i], "client");
        expect_invalid(sb_onespan_restore(bad[i], "abc", &err), &err, names[i], "client");
        expect_invalid(sb_onespan_archive(bad[i], "abc", &err), &err, names[i], "client");
        expect_invalid(sb_onespan_delete(bad[i], "abc", &err), &err, names[i], "client");
        expect_invalid(sb_onespan_download(bad[i], "abc", SB_ONESPAN_DOWNLOAD_ZIP, NULL, &b, &str, &err), &err,
                       names[i], "client");
        expect_invalid(sb_onespan_download_to_path(bad[i], "abc", SB_ONESPAN_DOWNLOAD_ZIP, NULL, "/tmp/x.zip", &n, &err),
                       &err, names[i], "client");
        expect_invalid(sb_onespan_download_into(bad[i], "abc", SB_ONESPAN_DOWNLOAD_ZIP, NULL, "/tmp", &str, &err), &err,
                       names[i], "client");
        expect_invalid(sb_onespan_list(bad[i], NULL, NULL, 0, NULL, false, &it, &err), &err, names[i], "client");
        expect_invalid(sb_onespan_register_callback(bad[i], "http://127.0.0.1:1/h", "k", ev, 1, &err), &err, names[i],
                       "client");
        expect_invalid(sb_onespan_get_callback(bad[i], &str, &l, &err), &err, names[i], "client");
        expect_invalid(sb_onespan_create_package(bad[i], "{}", false, &str, &err), &err, names[i], "client");
        expect_invalid(sb_onespan_add_document(bad[i], "abc", "{}", &str, &err), &err, names[i], "client");
        expect_invalid(sb_onespan_update_package(bad[i], "abc", "{\"name\": \"n\"}", &err), &err, names[i], "client");
        expect_invalid(sb_onespan_send(bad[i], "abc", &err), &err, names[i], "client");
        expect_invalid(sb_onespan_status(bad[i], "abc", &str, &err), &err, names[i], "client");
        expect_invalid(sb_onespan_signing_status(bad[i], "abc", NULL, NULL, &str, &err), &err, names[i], "client");
        expect_invalid(sb_onespan_wait(bad[i], "abc", 0, 0, NULL, NULL, NULL, &p, &err), &err, names[i], "client");
        CHECK(s == NULL && st == NULL && d == NULL && p == NULL && it == NULL && prov == NULL && str == NULL &&
              b.data == NULL && l.items == NULL && n == 0);
    }
}

static void test_sig_bad_arguments(void) {
    sb_client *c = g_client, *o = g_os;
    const char *ref = sb_signing_session_ref(g_sess);
    sb_error *err = NULL;
    sb_signing_session *s = NULL;
    sb_signing_state *st = NULL;
    sb_signing_completed *d = NULL;
    sb_onespan_package *p = NULL;
    sb_onespan_packages *it = NULL;
    sb_onespan_callback_verifier *v = NULL;
    sb_cancel_token *stale_token = sb_cancel_token_new();
    char *str = NULL;
    sb_bytes b = {NULL, 0};
    sb_strings l = {NULL, 0};
    const char *prov = NULL;
    const char *ev_null[2] = {"PACKAGE_COMPLETE", NULL}, *ev_bad[1] = {BAD_UTF8}, *ev[1] = {"PACKAGE_COMPLETE"};
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

    /* OneSpan packages */
    expect_invalid(sb_onespan_get_package(o, NULL, &p, &err), &err, "get_package(NULL)", "package_id");
    expect_invalid(sb_onespan_get_package(o, BAD_UTF8, &p, &err), &err, "get_package(bad)", "UTF-8");
    expect_invalid(sb_onespan_get_package(o, g_pkg_id, NULL, &err), &err, "get_package(out NULL)", "out_package");
    expect_invalid(sb_onespan_signing_url(o, g_pkg_id, NULL, &str, &err), &err, "signing_url(role NULL)", "role_id");
    expect_invalid(sb_onespan_signing_url(o, g_pkg_id, "signer1", NULL, &err), &err, "signing_url(out NULL)", "out_url");
    expect_invalid(sb_onespan_audit(o, g_pkg_id, NULL, &err), &err, "audit(out NULL)", "out_json");
    expect_invalid(sb_onespan_audit(o, NULL, &str, &err), &err, "audit(NULL)", "package_id");
    expect_invalid(sb_onespan_trash(o, NULL, &err), &err, "trash(NULL)", "package_id");
    expect_invalid(sb_onespan_restore(o, NULL, &err), &err, "restore(NULL)", "package_id");
    expect_invalid(sb_onespan_archive(o, BAD_UTF8, &err), &err, "archive(bad)", "UTF-8");
    expect_invalid(sb_onespan_delete(o, NULL, &err), &err, "delete(NULL)", "package_id");

    /* OneSpan transactions from JSON: nothing reaches the service */
    expect_invalid(sb_onespan_create_package(o, NULL, false, &str, &err), &err, "create_package(NULL)", "package_json");
    expect_invalid(sb_onespan_create_package(o, BAD_UTF8, false, &str, &err), &err, "create_package(bad)", "UTF-8");
    expect_invalid(sb_onespan_create_package(o, "{bad", true, &str, &err), &err, "create_package(malformed)",
                   "not valid JSON");
    expect_invalid(sb_onespan_create_package(o, "[]", false, &str, &err), &err, "create_package(array)", "JSON object");
    expect_invalid(sb_onespan_create_package(o, "{\"name\": 1}", false, &str, &err), &err,
                   "create_package(name 1)", "name must be a string");
    expect_invalid(sb_onespan_create_package(o, "{\"name\": \"n\", \"signers\": [{\"role_id\": \"a\"}]}", false,
                                             &str, &err),
                   &err, "create_package(signer without email)", "signers[0].email");
    expect_invalid(sb_onespan_create_package(o, "{\"name\": \"n\", \"signers\": []}", false, NULL, &err), &err,
                   "create_package(out NULL)", "out_package_id");
    expect_invalid(sb_onespan_add_document(o, NULL, "{}", &str, &err), &err, "add_document(package NULL)",
                   "package_id");
    expect_invalid(sb_onespan_add_document(o, g_pkg_id, NULL, &str, &err), &err, "add_document(json NULL)",
                   "document_json");
    expect_invalid(sb_onespan_add_document(o, g_pkg_id, BAD_UTF8, &str, &err), &err, "add_document(bad)", "UTF-8");
    expect_invalid(sb_onespan_add_document(o, g_pkg_id, "{\"fields\": []}", NULL, &err), &err,
                   "add_document(no content)", "path");
    expect_invalid(sb_onespan_add_document(o, g_pkg_id, "{\"path\": \"/x.pdf\", \"fields\": [{\"page\": 0}]}", NULL,
                                           &err),
                   &err, "add_document(field without role)", "fields[0].role_id");
    expect_invalid(sb_onespan_update_package(o, NULL, "{\"name\": \"n\"}", &err), &err, "update(package NULL)",
                   "package_id");
    expect_invalid(sb_onespan_update_package(o, g_pkg_id, NULL, &err), &err, "update(json NULL)", "update_json");
    expect_invalid(sb_onespan_update_package(o, g_pkg_id, "{}", &err), &err, "update(nothing)", "changes nothing");
    expect_invalid(sb_onespan_update_package(o, g_pkg_id, "{\"autocomplete\": \"yes\"}", &err), &err,
                   "update(autocomplete string)", "autocomplete");
    expect_invalid(sb_onespan_send(o, NULL, &err), &err, "send(NULL)", "package_id");
    expect_invalid(sb_onespan_send(o, BAD_UTF8, &err), &err, "send(bad)", "UTF-8");
    expect_invalid(sb_onespan_status(o, NULL, &str, &err), &err, "status(NULL)", "package_id");
    expect_invalid(sb_onespan_status(o, g_pkg_id, NULL, &err), &err, "status(out NULL)", "out_status");
    expect_invalid(sb_onespan_signing_status(o, NULL, NULL, NULL, &str, &err), &err, "signing_status(NULL)",
                   "package_id");
    expect_invalid(sb_onespan_signing_status(o, g_pkg_id, BAD_UTF8, NULL, &str, &err), &err,
                   "signing_status(bad signer)", "signer");
    expect_invalid(sb_onespan_signing_status(o, g_pkg_id, NULL, BAD_UTF8, &str, &err), &err,
                   "signing_status(bad document)", "document");
    expect_invalid(sb_onespan_signing_status(o, g_pkg_id, "", NULL, &str, &err), &err, "signing_status(empty signer)",
                   "signer id");
    expect_invalid(sb_onespan_signing_status(o, g_pkg_id, NULL, NULL, NULL, &err), &err, "signing_status(out NULL)",
                   "out_status");
    expect_invalid(sb_onespan_wait(o, NULL, 0, 0, NULL, NULL, NULL, &p, &err), &err, "onespan_wait(NULL)", "package_id");
    expect_invalid(sb_onespan_wait(o, g_pkg_id, 0, 0, NULL, NULL, NULL, NULL, &err), &err, "onespan_wait(out NULL)",
                   "out_package");
    expect_invalid(sb_onespan_wait(o, g_pkg_id, 1, 100, NULL, NULL, NULL, &p, &err), &err, "onespan_wait(interval 1)",
                   "interval");
    expect_invalid(sb_onespan_wait(o, g_pkg_id, 100, 100, stale_token, NULL, NULL, &p, &err), &err,
                   "onespan_wait(stale token)", "cancel");
    expect_invalid(sb_onespan_wait(o, g_pkg_id, 100, 100, (sb_cancel_token *)g_pkg, NULL, NULL, &p, &err), &err,
                   "onespan_wait(package as token)", "cancel");
    CHECK(str == NULL && p == NULL);

    /* downloads */
    expect_invalid(sb_onespan_download(o, g_pkg_id, SB_ONESPAN_DOWNLOAD_ZIP, NULL, NULL, &str, &err), &err,
                   "download(out NULL)", "out_data");
    expect_invalid(sb_onespan_download(o, g_pkg_id, 4, NULL, &b, &str, &err), &err, "download(kind 4)",
                   "SB_ONESPAN_DOWNLOAD_");
    expect_invalid(sb_onespan_download(o, g_pkg_id, 0xffffffffu, NULL, &b, &str, &err), &err, "download(kind max)",
                   "download kind");
    expect_invalid(sb_onespan_download(o, g_pkg_id, SB_ONESPAN_DOWNLOAD_DOCUMENT, NULL, &b, &str, &err), &err,
                   "download(document without id)", "document_id");
    expect_invalid(sb_onespan_download(o, g_pkg_id, SB_ONESPAN_DOWNLOAD_ORIGINAL, NULL, &b, &str, &err), &err,
                   "download(original without id)", "document_id");
    expect_invalid(sb_onespan_download(o, g_pkg_id, SB_ONESPAN_DOWNLOAD_ZIP, "doc", &b, &str, &err), &err,
                   "download(zip with an id)", "document_id");
    expect_invalid(sb_onespan_download(o, g_pkg_id, SB_ONESPAN_DOWNLOAD_EVIDENCE, "doc", &b, &str, &err), &err,
                   "download(evidence with an id)", "document_id");
    expect_invalid(sb_onespan_download(o, g_pkg_id, SB_ONESPAN_DOWNLOAD_DOCUMENT, BAD_UTF8, &b, &str, &err), &err,
                   "download(bad id)", "UTF-8");
    expect_invalid(sb_onespan_download(o, NULL, SB_ONESPAN_DOWNLOAD_ZIP, NULL, &b, &str, &err), &err,
                   "download(package NULL)", "package_id");
    expect_invalid(sb_onespan_download_to_path(o, g_pkg_id, SB_ONESPAN_DOWNLOAD_ZIP, NULL, NULL, NULL, &err), &err,
                   "download_to_path(path NULL)", "path");
    expect_invalid(sb_onespan_download_to_path(o, g_pkg_id, SB_ONESPAN_DOWNLOAD_ZIP, NULL, "", NULL, &err), &err,
                   "download_to_path(path empty)", "path");
    expect_invalid(sb_onespan_download_to_path(o, g_pkg_id, 9, NULL, "/tmp/x", NULL, &err), &err,
                   "download_to_path(kind 9)", "download kind");
    expect_invalid(sb_onespan_download_into(o, g_pkg_id, SB_ONESPAN_DOWNLOAD_ZIP, NULL, NULL, &str, &err), &err,
                   "download_into(dir NULL)", "dir");
    expect_invalid(sb_onespan_download_into(o, g_pkg_id, SB_ONESPAN_DOWNLOAD_DOCUMENT, NULL, "/tmp", NULL, &err), &err,
                   "download_into(document without id)", "document_id");
    CHECK(b.data == NULL && str == NULL);

    /* listing */
    expect_invalid(sb_onespan_list(o, NULL, NULL, 0, NULL, false, NULL, &err), &err, "list(out NULL)", "out_packages");
    expect_invalid(sb_onespan_list(o, BAD_UTF8, NULL, 0, NULL, false, &it, &err), &err, "list(bad status)", "status");
    expect_invalid(sb_onespan_list(o, NULL, BAD_UTF8, 0, NULL, false, &it, &err), &err, "list(bad search)", "search");
    expect_invalid(sb_onespan_list(o, NULL, NULL, 0, BAD_UTF8, false, &it, &err), &err, "list(bad sort)", "sort");
    expect_invalid(sb_onespan_packages_next(g_iter, NULL, &err), &err, "next(out NULL)", "out_package");
    {
        sb_onespan_packages *bad[4];
        int i;
        bad[0] = NULL;
        bad[1] = g_stale_iter;
        bad[2] = (sb_onespan_packages *)&g_local;
        bad[3] = (sb_onespan_packages *)g_pkg;
        for (i = 0; i < 4; i++) {
            expect_invalid(sb_onespan_packages_next(bad[i], &p, &err), &err, "next(bad iterator)", "packages");
            CHECK(sb_onespan_packages_total(bad[i]) == -1);
        }
    }
    CHECK(it == NULL && p == NULL);

    /* callbacks */
    expect_invalid(sb_onespan_register_callback(o, NULL, "k", ev, 1, &err), &err, "register(url NULL)", "url");
    expect_invalid(sb_onespan_register_callback(o, "http://127.0.0.1:1/h", NULL, ev, 1, &err), &err,
                   "register(key NULL)", "key");
    expect_invalid(sb_onespan_register_callback(o, "http://127.0.0.1:1/h", "k", NULL, 1, &err), &err,
                   "register(events NULL, 1)", "events");
    expect_invalid(sb_onespan_register_callback(o, "http://127.0.0.1:1/h", "k", ev_null, 2, &err), &err,
                   "register(events[1] NULL)", "events[1]");
    expect_invalid(sb_onespan_register_callback(o, "http://127.0.0.1:1/h", "k", ev_bad, 1, &err), &err,
                   "register(bad event)", "UTF-8");
    expect_invalid(sb_onespan_register_callback(o, "/relative", "k", ev, 1, &err), &err, "register(relative url)",
                   "callback URL");
    expect_invalid(sb_onespan_register_callback(o, "http://127.0.0.1:1/h", "", ev, 1, &err), &err,
                   "register(empty key)", "callback key");
    expect_invalid(sb_onespan_register_callback(o, "http://127.0.0.1:1/h", " k ", ev, 1, &err), &err,
                   "register(spaced key)", "callback key");
    expect_invalid(sb_onespan_register_callback(o, "http://127.0.0.1:1/h", "k", NULL, 0, &err), &err,
                   "register(no events)", "events");
    expect_invalid(sb_onespan_get_callback(o, NULL, &l, &err), &err, "get_callback(out NULL)", "out_url");

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
        bad[3] = (sb_onespan_callback_verifier *)g_eid;
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
    sb_onespan_package *bp[4];
    int i;
    bs[0] = NULL, bs[1] = g_stale_sess, bs[2] = (sb_signing_session *)&g_local, bs[3] = (sb_signing_session *)g_state;
    bst[0] = NULL, bst[1] = g_stale_state, bst[2] = (sb_signing_state *)&g_local, bst[3] = (sb_signing_state *)g_done;
    bd[0] = NULL, bd[1] = g_stale_done, bd[2] = (sb_signing_completed *)&g_local, bd[3] = (sb_signing_completed *)g_sess;
    bp[0] = NULL, bp[1] = g_stale_pkg, bp[2] = (sb_onespan_package *)&g_local, bp[3] = (sb_onespan_package *)g_iter;
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
        CHECK(sb_onespan_package_id(bp[i]) == NULL && sb_onespan_package_name(bp[i]) == NULL);
        CHECK(sb_onespan_package_status(bp[i]) == NULL && !sb_onespan_package_is_terminal(bp[i]));
        CHECK(!sb_onespan_package_trashed(bp[i]) && sb_onespan_package_last_message(bp[i]) == NULL);
        CHECK(sb_onespan_package_json(bp[i]) == NULL);
    }
    /* live ones; out-of-range indexes */
    CHECK(streq(sb_signing_session_provider(g_sess), "zignsec") && sb_signing_session_signer_count(g_sess) == 1);
    CHECK(sb_signing_session_signer_id(g_sess, 1) == NULL && sb_signing_session_signer_url(g_sess, (size_t)-1) == NULL);
    CHECK(streq(sb_signing_state_status(g_state), "Finished") && sb_signing_state_signer_id(g_state, 5) == NULL);
    CHECK(!sb_signing_state_signer_signed(g_state, 5));
    CHECK(sb_signing_completed_file_count(g_done) == 1 && sb_signing_completed_file_name(g_done, 1) == NULL);
    CHECK(streq(sb_onespan_package_id(g_pkg), g_pkg_id) && streq(sb_onespan_package_status(g_pkg), "SENT"));
    CHECK(sb_onespan_package_last_message(g_pkg) == NULL);
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
    sb_onespan_package_free(NULL);
    sb_onespan_package_free(g_stale_pkg);
    sb_onespan_package_free((sb_onespan_package *)g_iter);
    sb_onespan_packages_free(NULL);
    sb_onespan_packages_free(g_stale_iter);
    sb_onespan_packages_free((sb_onespan_packages *)g_pkg);
    sb_onespan_callback_verifier_free(NULL);
    sb_onespan_callback_verifier_free(g_stale_cbv);
    sb_onespan_callback_verifier_free((sb_onespan_callback_verifier *)g_pkg);
    /* every wrong-type free above left its object intact */
    CHECK(sb_signing_state_ref(g_state) != NULL && sb_signing_completed_ref(g_done) != NULL);
    CHECK(sb_signing_session_ref(g_sess) != NULL && sb_onespan_package_id(g_pkg) != NULL);
    CHECK(sb_onespan_packages_total(g_iter) == -1);
    CHECK(sb_onespan_callback_verify(g_cbv, "Basic cb-key", (const uint8_t *)"{\"name\":\"X\"}", 12, NULL, NULL) ==
          SB_OK);
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
        char *url = NULL;
        CHECK_CODE(sb_eid_create(g_client, SB_EID_BANKID_SE, NULL, &g_eid_id, &url, &err), SB_OK, err, "eid_create");
        CHECK_CODE(sb_eid_get_result(g_client, SB_EID_BANKID_SE, g_eid_id, &g_eid, &err), SB_OK, err, "eid_get_result");
        CHECK_CODE(sb_eid_get_result(g_client, SB_EID_BANKID_SE, g_eid_id, &g_stale_eid, &err), SB_OK, err,
                   "eid_get_result");
        sb_eid_result_free(g_stale_eid);
        sb_string_free(url);
    }

    test_codes_and_version();
    test_cancel_token();
    test_client_new();
    test_bad_clients();
    test_bad_arguments();
    test_accessors();
    test_eid_arguments();
    test_eid_accessors();
    test_webhook_arguments();
    tsb_setup();
    test_tsb_bad_clients();
    test_tsb_bad_arguments();
    test_tsb_accessors();
    test_tsb_frees();
    tsb_teardown();
    sig_setup();
    test_sig_bad_clients();
    test_sig_bad_arguments();
    test_sig_accessors();
    test_sig_frees();
    sig_teardown();
    test_frees();

    sb_eid_result_free(g_eid);
    sb_string_free(g_eid_id);
    sb_status_free(g_status);
    sb_client_free(g_client);
    return finish("test_args");
}

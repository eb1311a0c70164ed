/* The whole BankID Norway signing flow through the C API, against the simulator. */
#include "harness.h"

static void test_version_and_codes(void) {
    CHECK(streq(SIGNBRIDGE_VERSION, sb_version()));
    CHECK(SB_OK == 0);
    CHECK(streq(sb_code_name(SB_OK), "SB_OK"));
    CHECK(streq(sb_code_name(SB_ERR_AUTH), "SB_ERR_AUTH"));
    CHECK(streq(sb_code_name(SB_ERR_RATE_LIMITED), "SB_ERR_RATE_LIMITED"));
    CHECK(sb_code_is_retryable(SB_ERR_RATE_LIMITED));
    CHECK(!sb_code_is_retryable(SB_ERR_AUTH));
    CHECK(strlen(sb_code_message(SB_ERR_INTEGRITY)) > 10);
}

/* create with a request → upload from path and from memory → typed start → complete → wait →
 * accessors → download to path, to buffer, save all. */
static void test_step_by_step(sb_client *client) {
    sb_error *err = (sb_error *)1; /* must be reset to NULL on success */
    char *session_id = NULL, *file1 = NULL, *file2 = NULL, *url = NULL;
    char dir[256], path[512], out[512];
    size_t len1 = 0, len2 = 0, n = 0, i;
    unsigned char *pdf1 = make_pdf("Contract", 1, &len1);
    unsigned char *pdf2 = make_pdf("Appendix", 2, &len2);
    sb_status *st = NULL, *done = NULL;
    sb_bytes bytes = {NULL, 0};
    uint64_t written = 0;
    sb_code rc;

    temp_dir(dir, sizeof dir, "flow");
    snprintf(path, sizeof path, "%s/contract.pdf", dir);
    CHECK(write_file(path, pdf1, len1));

    rc = sb_session_create(client,
                           "{\"relay_state\": \"order-42\", \"locale\": \"En\","
                           " \"redirect_success\": \"https://app.example/ok\"}",
                           &session_id, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_session_create");
    CHECK(err == NULL);
    CHECK(session_id != NULL && strlen(session_id) > 0);

    rc = sb_session_upload_path(client, session_id, path, &file1, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_session_upload_path");
    rc = sb_session_upload_buffer(client, session_id, "appendix.pdf", pdf2, len2, &file2, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_session_upload_buffer");
    CHECK(file1 != NULL && file2 != NULL && !streq(file1, file2));

    rc = sb_session_status(client, session_id, &st, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_session_status (created)");
    CHECK(st != NULL && streq(sb_status_state(st), "Created"));
    CHECK(!sb_status_is_final(st));
    CHECK(sb_status_signed_file_count(st) == 0);
    CHECK(sb_status_signed_file_name(st, 0) == NULL);
    sb_status_free(st);
    st = NULL;

    {
        const char *ids[2];
        sb_placement places[2] = {{1, 72.0, 100.0}, {2, 300.0, 120.0}};
        ids[0] = file1;
        ids[1] = file2;
        rc = sb_session_start(client, session_id, ids, places, 2, &url, &err);
        CHECK_CODE(rc, SB_OK, err, "sb_session_start");
        CHECK(url != NULL && strstr(url, "/ui/") != NULL && strstr(url, session_id) != NULL);
    }

    rc = sb_session_status(client, session_id, &st, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_session_status (pending)");
    CHECK(streq(sb_status_state(st), "Pending"));
    CHECK(streq(sb_status_session_id(st), session_id));
    CHECK(sb_status_relay_state(st) != NULL && streq(sb_status_relay_state(st), "order-42"));
    sb_status_free(st);

    /* The signer signs (through the simulator's control API instead of the browser page). */
    CHECK(sim_session(session_id, "complete") == 200);

    rc = sb_session_wait(client, session_id, 100, 20000, NULL, &done, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_session_wait");
    CHECK(done != NULL);
    CHECK(streq(sb_status_state(done), "Finished"));
    CHECK(sb_status_is_final(done));
    CHECK(sb_status_signed_file_count(done) == 2);
    CHECK(streq(sb_status_signed_file_name(done, 0), "contract.pdf"));
    CHECK(streq(sb_status_signed_file_name(done, 1), "appendix.pdf"));
    CHECK(sb_status_signed_file_id(done, 1) != NULL);
    CHECK(sb_status_signed_file_id(done, 2) == NULL);
    CHECK(sb_status_signer_name(done) != NULL &&
          streq(sb_status_signer_name(done), "Aksel Herseth"));
    CHECK(sb_status_json(done) && strstr(sb_status_json(done), "\"status\":\"Finished\"") != NULL);
    CHECK(sb_status_json(done) && strstr(sb_status_json(done), "\"signed_files\"") != NULL);

    /* Download to a path: verified, atomic; the signed file keeps the original as a prefix. */
    snprintf(out, sizeof out, "%s/signed-contract.pdf", dir);
    rc = sb_download_to_path(client, done, 0, out, &written, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_download_to_path");
    {
        size_t got = 0;
        unsigned char *signed_pdf = read_file(out, &got);
        CHECK(signed_pdf != NULL && got == written && got > len1);
        CHECK(signed_pdf != NULL && memcmp(signed_pdf, pdf1, len1) == 0);
        free(signed_pdf);
    }
    /* The reported md5 in hex (the JSON has it in base64, as reported) is md5sum's. */
    {
        const char *hex = sb_status_signed_file_md5_hex(done, 0);
        char cmd[700], line[64] = {0};
        FILE *p;
        CHECK(hex != NULL && strlen(hex) == 32 && strspn(hex, "0123456789abcdef") == 32);
        CHECK(sb_status_signed_file_md5_hex(done, 2) == NULL);
        snprintf(cmd, sizeof cmd, "md5sum '%s'", out);
        p = popen(cmd, "r");
        CHECK(p != NULL && fgets(line, sizeof line, p) != NULL);
        if (p) pclose(p);
        CHECK(hex != NULL && strncmp(line, hex, 32) == 0);
    }

    /* Download to memory. */
    rc = sb_download_to_buffer(client, done, 1, &bytes, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_download_to_buffer");
    CHECK(bytes.data != NULL && bytes.len > len2 && memcmp(bytes.data, "%PDF-", 5) == 0);
    CHECK(memcmp(bytes.data, pdf2, len2) == 0);
    sb_bytes_free(&bytes);
    CHECK(bytes.data == NULL && bytes.len == 0);
    sb_bytes_free(&bytes); /* again: a no-op */

    /* Save all into a new directory. */
    snprintf(out, sizeof out, "%s/all", dir);
    rc = sb_save_signed_files(client, done, out, &n, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_save_signed_files");
    CHECK(n == 2);
    for (i = 0; i < 2; i++) {
        char p[700];
        snprintf(p, sizeof p, "%s/%s", out, sb_status_signed_file_name(done, i));
        CHECK(file_exists(p));
        remove(p);
    }
    rmdir(out);
    snprintf(out, sizeof out, "%s/signed-contract.pdf", dir);
    remove(out);
    remove(path);
    rmdir(dir);

    sb_status_free(done);
    sb_string_free(url);
    sb_string_free(file1);
    sb_string_free(file2);
    sb_string_free(session_id);
    free(pdf1);
    free(pdf2);
}

/* One call: sign_documents with a file and a buffer; start via JSON on a second session. */
static void test_one_call_and_json_start(sb_client *client) {
    sb_error *err = NULL;
    char *session_id = NULL, *url = NULL, *file_id = NULL, *url2 = NULL, *session2 = NULL;
    char dir[256], path[512], req[512];
    size_t len = 0;
    unsigned char *pdf = make_pdf("One call", 1, &len);
    sb_placement place = {1, 60.0, 80.0};
    sb_document docs[2];
    sb_status *done = NULL;
    size_t n = 0;
    sb_code rc;

    temp_dir(dir, sizeof dir, "one");
    snprintf(path, sizeof path, "%s/from-file.pdf", dir);
    CHECK(write_file(path, pdf, len));
    memset(docs, 0, sizeof docs);
    docs[0].path = path;
    docs[0].placement = &place;
    docs[1].name = "from-memory.pdf";
    docs[1].data = pdf;
    docs[1].len = len;

    rc = sb_sign_documents(client, NULL, docs, 2, &session_id, &url, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_sign_documents");
    CHECK(session_id != NULL && url != NULL);
    CHECK(sim_session(session_id, "complete") == 200);
    rc = sb_session_wait(client, session_id, 100, 20000, NULL, &done, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_session_wait");
    CHECK(sb_status_signed_file_count(done) == 2);
    CHECK(streq(sb_status_signed_file_name(done, 0), "from-file.pdf"));
    rc = sb_save_signed_files(client, done, dir, &n, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_save_signed_files");
    CHECK(n == 2);
    sb_status_free(done);

    /* JSON start request. */
    rc = sb_session_create(client, NULL, &session2, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_session_create (defaults)");
    rc = sb_session_upload_buffer(client, session2, "x.pdf", pdf, len, &file_id, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_session_upload_buffer");
    snprintf(req, sizeof req,
             "{\"files\": [{\"file_id\": \"%s\", \"placement\": {\"page\": 1, \"x\": 10, \"y\": 20}}],"
             " \"redirect_success\": \"https://app.example/done\"}",
             file_id);
    rc = sb_session_start_json(client, session2, req, &url2, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_session_start_json");
    CHECK(url2 != NULL);
    /* Starting twice: the provider refuses (invalid state). */
    {
        char *again = NULL;
        rc = sb_session_start_json(client, session2, req, &again, &err);
        CHECK_CODE(rc, SB_ERR_INVALID_STATE, err, "second start");
        CHECK(again == NULL);
        CHECK(err != NULL && err->http_status == 409);
        sb_error_free(err);
        err = NULL;
    }

    {
        char p[700];
        snprintf(p, sizeof p, "%s/from-file.pdf", dir);
        remove(p);
        snprintf(p, sizeof p, "%s/from-memory.pdf", dir);
        remove(p);
        rmdir(dir);
    }
    sb_string_free(session_id);
    sb_string_free(url);
    sb_string_free(session2);
    sb_string_free(file_id);
    sb_string_free(url2);
    free(pdf);
}

static void test_from_env(void) {
    sb_client *client = NULL;
    sb_error *err = NULL;
    char *id = NULL;
    sb_code rc = sb_client_new_from_env(&client, &err);
    CHECK_CODE(rc, SB_OK, err, "sb_client_new_from_env");
    rc = sb_session_create(client, NULL, &id, &err);
    CHECK_CODE(rc, SB_OK, err, "create with the env client");
    sb_string_free(id);
    sb_client_free(client);
}

int main(void) {
    sb_client *client = sim_client();
    test_version_and_codes();
    test_step_by_step(client);
    test_one_call_and_json_start(client);
    test_from_env();
    sb_client_free(client);
    return finish("test_flow");
}

/* The provider-neutral signing session (sb_signing_*) and OneSpan Sign (sb_onespan_*) through the
 * C API, against the simulator: one flow function run over ZignSec and over OneSpan with only the
 * configuration differing; OneSpan with two signers who sign in turn; a decline is
 * SB_ERR_REJECTED with the signer's reason; downloads (signed, original, ZIP, evidence summary)
 * are valid; audit, listing page by page, trash / restore / delete; a callback delivered by the
 * simulator verifies with the right key and not with a wrong one; every OneSpan authentication
 * method (API key, Client App, OAuth2) signs, wrong credentials are SB_ERR_AUTH without the
 * secret in the error. Transactions built from JSON (sb_onespan_create_package in one request and
 * in steps, add_document, update_package, send, status, signing_status, wait): two signers in
 * order, edits after sending are SB_ERR_INVALID_STATE, bad JSON is SB_ERR_INVALID_ARGUMENT naming
 * the JSON path.
 *
 * Signing is driven by the simulator's control API, as a signer on the hosted page would.
 * Environment: harness.h's, and ONESPAN_API_KEY, ONESPAN_CLIENT_APP_ID, ONESPAN_CLIENT_APP_SECRET,
 * ONESPAN_OAUTH_CLIENT_ID, ONESPAN_OAUTH_CLIENT_SECRET (the simulator's constants). */
#include "harness.h"

#include <poll.h>
#include <pthread.h>

static char g_dir[512];
static int g_run; /* makes titles unique per program run */

static const char *os_env(const char *name) { return env_or(name, ""); }

/* ---- configurations: only these differ between the providers ---- */

static void zignsec_section(char *out, size_t cap) {
    snprintf(out, cap, "\"zignsec\": {\"base_url\": \"%s\", \"keys\": [\"%s\"]}", sim_url(), sim_key());
}

/* `auth` is the OneSpan credential members, e.g. "\"api_key\": \"...\"". */
static void onespan_section(char *out, size_t cap, const char *auth) {
    snprintf(out, cap, "\"onespan\": {\"base_url\": \"%s\", %s}", sim_url(), auth);
}

static void api_key_auth(char *out, size_t cap) {
    snprintf(out, cap, "\"api_key\": \"%s\"", os_env("ONESPAN_API_KEY"));
}

/* A configuration of the given sections (and an optional "signing" choice). */
static void config_of(char *out, size_t cap, const char *section1, const char *section2, const char *provider) {
    char choice[128] = "";
    if (provider != NULL) {
        snprintf(choice, sizeof choice, ", \"signing\": {\"provider\": \"%s\"}", provider);
    }
    snprintf(out, cap, "{%s%s%s%s, \"transport\": {\"backoff_base_ms\": 20, \"backoff_max_ms\": 100}}", section1,
             section2 ? ", " : "", section2 ? section2 : "", choice);
}

/* ---- the simulator's control API ---- */

/* `id` percent-encoded for a path (OneSpan ids end with '='). */
static void path_escape(char *out, size_t cap, const char *id) {
    size_t n = 0;
    for (; *id != '\0' && n + 4 < cap; id++) {
        unsigned char c = (unsigned char)*id;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.') {
            out[n++] = (char)c;
        } else {
            n += (size_t)snprintf(out + n, cap - n, "%%%02X", c);
        }
    }
    out[n] = '\0';
}

/* Signer `index` of `s` acts (`action`: "sign", "decline" or "opt_out") the way the hosted page
 * would; returns the control call's HTTP status. ZignSec's one signer can only sign here. */
static int signer_acts(const sb_signing_session *s, size_t index, const char *action, const char *body) {
    char path[1024], id[512];
    path_escape(id, sizeof id, sb_signing_session_provider_id(s));
    if (streq(sb_signing_session_provider(s), "zignsec")) {
        snprintf(path, sizeof path, "/_sim/zignsec/signing/%s/complete", id);
    } else {
        snprintf(path, sizeof path, "/_sim/onespan/packages/%s/roles/%s/%s", id, sb_signing_session_signer_id(s, index),
                 action);
    }
    return sim_control("POST", path, body ? body : "{}");
}

static void set_onespan_auth(const char *method) {
    char body[128];
    snprintf(body, sizeof body, "{\"method\": \"%s\"}", method);
    CHECK(sim_control("PUT", "/_sim/onespan/auth", body) == 200);
}

/* A PDF written into the test directory; its path in `path`. */
static void pdf_file(char *path, size_t cap, const char *name, const char *title, int pages) {
    size_t len = 0;
    unsigned char *pdf = make_pdf(title, pages, &len);
    snprintf(path, cap, "%s/%s", g_dir, name);
    if (!write_file(path, pdf, len)) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    free(pdf);
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

static int starts_with(const sb_bytes *b, const char *prefix) {
    size_t n = strlen(prefix);
    return b->len >= n && memcmp(b->data, prefix, n) == 0;
}

/* ---- 1. one flow, whatever the provider: only `cfg` differs ---- */

/* Start a one-signer session for a PDF, the signer signs, wait, download, save all. Returns the
 * provider that ran it ("zignsec" / "onespan", static), or NULL on failure. */
static const char *signing_flow(const char *cfg, const char *tag) {
    char path[600], session[2048], out_dir[700];
    sb_client *client = client_from_json(cfg);
    sb_error *err = NULL;
    sb_signing_session *s = NULL;
    sb_signing_state *st = NULL;
    sb_signing_completed *done = NULL, *again = NULL;
    sb_bytes doc = {NULL, 0};
    sb_strings paths = {NULL, 0};
    const char *provider = NULL, *chosen = NULL;
    char *ref = NULL;
    progress_t progress = {0, ""};

    pdf_file(path, sizeof path, "flow.pdf", "Flow contract", 1);
    snprintf(session, sizeof session,
             "{\"title\": \"Flow %s %d\","
             " \"documents\": [{\"path\": \"%s\", \"fields\": [{\"page\": 1, \"left\": 60, \"top\": 650}]}],"
             " \"signers\": [{\"first_name\": \"Kari\", \"last_name\": \"Nordmann\", \"email\": \"kari@example.com\"}],"
             " \"redirects\": {\"success\": \"https://app.example/signed\"}}",
             tag, g_run, path);
    CHECK_CODE(sb_signing_provider(client, &chosen, &err), SB_OK, err, tag);
    CHECK_CODE(sb_signing_start(client, NULL, session, &s, &err), SB_OK, err, tag);
    if (s == NULL) {
        sb_error_free(err);
        sb_client_free(client);
        return NULL;
    }
    provider = streq(sb_signing_session_provider(s), "onespan") ? "onespan" : "zignsec";
    CHECK(streq(chosen, provider));
    ref = (char *)malloc(strlen(sb_signing_session_ref(s)) + 1);
    strcpy(ref, sb_signing_session_ref(s));
    CHECK(strncmp(ref, provider, strlen(provider)) == 0 && ref[strlen(provider)] == ':' &&
          streq(ref + strlen(provider) + 1, sb_signing_session_provider_id(s)));
    CHECK(sb_signing_session_signer_count(s) == 1);
    CHECK(streq(sb_signing_session_signer_id(s, 0), "signer1"));
    CHECK(streq(sb_signing_session_signer_name(s, 0), "Kari Nordmann"));
    CHECK(strncmp(sb_signing_session_signer_url(s, 0), "http", 4) == 0);
    CHECK(sb_signing_session_signer_url(s, 1) == NULL);
    CHECK(strstr(sb_signing_session_json(s), "\"signers\"") != NULL);

    CHECK_CODE(sb_signing_status(client, ref, &st, &err), SB_OK, err, "status (pending)");
    CHECK(streq(sb_signing_state_status(st), "Pending") && !sb_signing_state_is_final(st));
    CHECK(streq(sb_signing_state_ref(st), ref));
    CHECK(sb_signing_state_signer_count(st) == 1 && !sb_signing_state_signer_signed(st, 0));
    sb_signing_state_free(st);
    st = NULL;
    CHECK_CODE(sb_signing_result(client, ref, &done, &err), SB_ERR_INVALID_STATE, err, "result while pending");
    sb_error_free(err);
    err = NULL;

    CHECK(signer_acts(s, 0, "sign", NULL) == 200);
    CHECK_CODE(sb_signing_wait(client, ref, 50, 60000, NULL, on_progress, &progress, &done, &err), SB_OK, err,
               "wait");
    CHECK(progress.calls >= 1 && streq(progress.last, "Finished"));
    CHECK(streq(sb_signing_completed_ref(done), ref));
    CHECK(sb_signing_completed_file_count(done) == 1);
    CHECK(sb_signing_completed_file_name(done, 0) != NULL && sb_signing_completed_document_id(done, 0) != NULL);
    CHECK(sb_signing_completed_document_id(done, 1) == NULL);
    CHECK_CODE(sb_signing_download(client, ref, sb_signing_completed_document_id(done, 0), &doc, &err), SB_OK, err,
               "download");
    CHECK(starts_with(&doc, "%PDF-") && doc.len > 500);
    sb_bytes_free(&doc);
    snprintf(out_dir, sizeof out_dir, "%s/signed-%s", g_dir, tag);
    CHECK_CODE(sb_signing_save_all(client, done, out_dir, &paths, &err), SB_OK, err, "save_all");
    if (CHECK(paths.len == 1)) {
        size_t n = 0;
        unsigned char *saved = read_file(paths.items[0], &n);
        CHECK(saved != NULL && n > 5 && memcmp(saved, "%PDF-", 5) == 0);
        CHECK(strstr(paths.items[0], out_dir) == paths.items[0]);
        free(saved);
    }
    sb_strings_free(&paths);
    CHECK_CODE(sb_signing_result(client, ref, &again, &err), SB_OK, err, "result when finished");
    CHECK(streq(sb_signing_completed_json(again), sb_signing_completed_json(done)));
    CHECK_CODE(sb_signing_status(client, ref, &st, &err), SB_OK, err, "status (finished)");
    CHECK(streq(sb_signing_state_status(st), "Finished") && sb_signing_state_is_final(st) &&
          sb_signing_state_signer_signed(st, 0));
    sb_signing_state_free(st);
    sb_signing_completed_free(again);
    sb_signing_completed_free(done);
    sb_signing_session_free(s);
    free(ref);
    sb_client_free(client);
    return provider;
}

static void test_same_flow_both_providers(void) {
    char zs[512], os[512], auth[256], cfg[1400];
    zignsec_section(zs, sizeof zs);
    api_key_auth(auth, sizeof auth);
    onespan_section(os, sizeof os, auth);

    /* one provider configured: it is the one used */
    config_of(cfg, sizeof cfg, zs, NULL, NULL);
    CHECK(streq(signing_flow(cfg, "zignsec-only"), "zignsec"));
    config_of(cfg, sizeof cfg, os, NULL, NULL);
    CHECK(streq(signing_flow(cfg, "onespan-only"), "onespan"));
    /* both configured: "signing.provider" chooses */
    config_of(cfg, sizeof cfg, zs, os, "zignsec");
    CHECK(streq(signing_flow(cfg, "both-zignsec"), "zignsec"));
    config_of(cfg, sizeof cfg, zs, os, "onespan");
    CHECK(streq(signing_flow(cfg, "both-onespan"), "onespan"));
    /* both and no choice: refused, naming the setting */
    {
        sb_client *c;
        sb_error *err = NULL;
        sb_signing_session *s = NULL;
        const char *p = NULL;
        config_of(cfg, sizeof cfg, zs, os, NULL);
        c = client_from_json(cfg);
        CHECK_CODE(sb_signing_provider(c, &p, &err), SB_ERR_INVALID_CONFIG, err, "no choice");
        CHECK(err != NULL && strstr(err->message, "signing") != NULL && p == NULL);
        sb_error_free(err);
        /* an explicit provider argument works with both */
        CHECK_CODE(sb_signing_start(c, "zignsec", "{\"documents\": [], \"signers\": []}", &s, &err),
                   SB_ERR_INVALID_ARGUMENT, err, "explicit provider, empty session");
        CHECK(err != NULL && strstr(err->message, "no documents") != NULL);
        sb_error_free(err);
        CHECK_CODE(sb_signing_start(c, "docusign", "{}", &s, &err), SB_ERR_INVALID_ARGUMENT, err, "unknown provider");
        sb_error_free(err);
        sb_client_free(c);
    }
}

/* ---- 2. OneSpan specifics ---- */

static sb_client *onespan_client(void) {
    char os[512], auth[256], cfg[1024];
    api_key_auth(auth, sizeof auth);
    onespan_section(os, sizeof os, auth);
    config_of(cfg, sizeof cfg, os, NULL, NULL);
    return client_from_json(cfg);
}

/* Start a two-signer OneSpan session titled `title`; NULL on failure. */
static sb_signing_session *start_two_signers(sb_client *c, const char *title) {
    char p1[600], p2[600], session[3000];
    sb_error *err = NULL;
    sb_signing_session *s = NULL;
    pdf_file(p1, sizeof p1, "boat.pdf", "Sale of a boat", 1);
    pdf_file(p2, sizeof p2, "inventory.pdf", "Inventory", 2);
    snprintf(session, sizeof session,
             "{\"title\": \"%s\","
             " \"documents\": [{\"path\": \"%s\", \"fields\": [{\"signer\": \"buyer\", \"page\": 1, \"left\": 60,"
             " \"top\": 650}, {\"signer\": \"seller\", \"page\": 1, \"left\": 320, \"top\": 650}]},"
             " {\"path\": \"%s\"}],"
             " \"signers\": [{\"id\": \"buyer\", \"first_name\": \"Kari\", \"last_name\": \"Nordmann\","
             " \"email\": \"kari@example.com\"}, {\"id\": \"seller\", \"first_name\": \"Ola\","
             " \"last_name\": \"Hansen\", \"email\": \"ola@example.com\"}],"
             " \"onespan\": {\"description\": \"C test\", \"email_message\": \"Please sign\"}}",
             title, p1, p2);
    CHECK_CODE(sb_signing_start(c, NULL, session, &s, &err), SB_OK, err, "start two signers");
    sb_error_free(err);
    return s;
}

/* A zip archive's entry count by its end-of-central-directory record, or -1. */
static long zip_entries(const sb_bytes *b) {
    size_t i;
    if (b->len < 22 || memcmp(b->data, "PK\x03\x04", 4) != 0) {
        return -1;
    }
    for (i = b->len - 22;; i--) {
        if (memcmp(b->data + i, "PK\x05\x06", 4) == 0) {
            return (long)(b->data[i + 10] | (b->data[i + 11] << 8));
        }
        if (i == 0) {
            return -1;
        }
    }
}

static void test_onespan_two_signers_and_downloads(void) {
    sb_client *c = onespan_client();
    sb_error *err = NULL;
    sb_signing_session *s;
    sb_signing_state *st = NULL;
    sb_signing_completed *done = NULL;
    sb_onespan_package *pkg = NULL;
    sb_bytes b = {NULL, 0}, original = {NULL, 0};
    char title[128], *file_name = NULL, *url = NULL, *audit = NULL, *into = NULL, path[700];
    const char *pid, *doc_id;
    uint64_t written = 0;

    snprintf(title, sizeof title, "Sale of a boat %d", g_run);
    s = start_two_signers(c, title);
    if (s == NULL) {
        sb_client_free(c);
        return;
    }
    pid = sb_signing_session_provider_id(s);
    CHECK(sb_signing_session_signer_count(s) == 2);
    CHECK(streq(sb_signing_session_signer_id(s, 0), "buyer") && streq(sb_signing_session_signer_id(s, 1), "seller"));
    CHECK(!streq(sb_signing_session_signer_url(s, 0), sb_signing_session_signer_url(s, 1)));
    CHECK_CODE(sb_onespan_signing_url(c, pid, "seller", &url, &err), SB_OK, err, "signing_url");
    CHECK(streq(url, sb_signing_session_signer_url(s, 1)));
    sb_string_free(url);

    /* in order: the seller cannot sign before the buyer */
    CHECK(signer_acts(s, 1, "sign", NULL) == 400);
    CHECK(signer_acts(s, 0, "sign", NULL) == 200);
    CHECK_CODE(sb_signing_status(c, sb_signing_session_ref(s), &st, &err), SB_OK, err, "status after the buyer");
    CHECK(streq(sb_signing_state_status(st), "Pending"));
    CHECK(streq(sb_signing_state_signer_id(st, 0), "buyer") && sb_signing_state_signer_signed(st, 0));
    CHECK(streq(sb_signing_state_signer_id(st, 1), "seller") && !sb_signing_state_signer_signed(st, 1));
    sb_signing_state_free(st);
    CHECK(signer_acts(s, 1, "sign", NULL) == 200);
    CHECK_CODE(sb_signing_wait(c, sb_signing_session_ref(s), 50, 60000, NULL, NULL, NULL, &done, &err), SB_OK, err,
               "wait for both");
    CHECK(sb_signing_completed_file_count(done) == 2);
    CHECK(streq(sb_signing_completed_file_name(done, 0), "boat.pdf"));

    /* the package as OneSpan has it */
    CHECK_CODE(sb_onespan_get_package(c, pid, &pkg, &err), SB_OK, err, "get_package");
    CHECK(streq(sb_onespan_package_id(pkg), pid) && streq(sb_onespan_package_name(pkg), title));
    CHECK(streq(sb_onespan_package_status(pkg), "COMPLETED") && sb_onespan_package_is_terminal(pkg));
    CHECK(!sb_onespan_package_trashed(pkg) && strstr(sb_onespan_package_json(pkg), "\"roles\"") != NULL);
    sb_onespan_package_free(pkg);
    pkg = NULL;

    /* downloads: signed and original documents, ZIP, evidence summary */
    doc_id = sb_signing_completed_document_id(done, 0);
    CHECK_CODE(sb_onespan_download(c, pid, SB_ONESPAN_DOWNLOAD_DOCUMENT, doc_id, &b, &file_name, &err), SB_OK, err,
               "download signed");
    CHECK_CODE(sb_onespan_download(c, pid, SB_ONESPAN_DOWNLOAD_ORIGINAL, doc_id, &original, NULL, &err), SB_OK, err,
               "download original");
    CHECK(starts_with(&b, "%PDF-") && starts_with(&original, "%PDF-"));
    /* signing appends incremental updates: the original is a strict prefix of the signed one */
    CHECK(b.len > original.len && original.len > 0 && memcmp(b.data, original.data, original.len) == 0);
    CHECK(file_name != NULL && strstr(file_name, ".pdf") != NULL && strchr(file_name, '/') == NULL);
    sb_string_free(file_name);
    file_name = NULL;
    sb_bytes_free(&b);
    sb_bytes_free(&original);
    CHECK_CODE(sb_onespan_download(c, pid, SB_ONESPAN_DOWNLOAD_ZIP, NULL, &b, &file_name, &err), SB_OK, err,
               "download zip");
    CHECK(zip_entries(&b) == 2);
    CHECK(file_name != NULL && strstr(file_name, ".zip") != NULL);
    sb_string_free(file_name);
    file_name = NULL;
    snprintf(path, sizeof path, "%s/docs.zip", g_dir);
    if (CHECK(write_file(path, b.data, b.len))) {
        char cmd[900];
        snprintf(cmd, sizeof cmd,
                 "python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None;"
                 " assert sorted(n.lower() for n in z.namelist()) == [\"boat.pdf\", \"inventory.pdf\"], z.namelist()'"
                 " '%s'",
                 path);
        CHECK(system(cmd) == 0);
    }
    sb_bytes_free(&b);
    CHECK_CODE(sb_onespan_download(c, pid, SB_ONESPAN_DOWNLOAD_EVIDENCE, NULL, &b, NULL, &err), SB_OK, err,
               "download evidence");
    CHECK(starts_with(&b, "%PDF-") && b.len > 200);
    sb_bytes_free(&b);
    snprintf(path, sizeof path, "%s/evidence.pdf", g_dir);
    CHECK_CODE(sb_onespan_download_to_path(c, pid, SB_ONESPAN_DOWNLOAD_EVIDENCE, NULL, path, &written, &err), SB_OK,
               err, "download_to_path");
    CHECK(written > 200 && file_exists(path));
    snprintf(path, sizeof path, "%s/into", g_dir);
    CHECK_CODE(sb_onespan_download_into(c, pid, SB_ONESPAN_DOWNLOAD_ZIP, NULL, path, &into, &err), SB_OK, err,
               "download_into");
    CHECK(into != NULL && strstr(into, path) == into && file_exists(into));
    sb_string_free(into);

    /* audit */
    CHECK_CODE(sb_onespan_audit(c, pid, &audit, &err), SB_OK, err, "audit");
    CHECK(audit != NULL && strstr(audit, "\"events\"") != NULL && strstr(audit, "\"kind\":\"Sign\"") != NULL);
    sb_string_free(audit);

    /* listing: the iterator finds it by its unique name, then ends */
    {
        sb_onespan_packages *it = NULL;
        sb_onespan_package *p = NULL;
        int found = 0, n = 0;
        CHECK_CODE(sb_onespan_list(c, "COMPLETED", title, 1, "updated", true, &it, &err), SB_OK, err, "list");
        CHECK(sb_onespan_packages_total(it) == -1); /* nothing fetched yet */
        for (;;) {
            CHECK_CODE(sb_onespan_packages_next(it, &p, &err), SB_OK, err, "next");
            if (p == NULL) {
                break;
            }
            n++;
            found |= streq(sb_onespan_package_id(p), pid);
            sb_onespan_package_free(p);
            p = NULL;
        }
        CHECK(found && n == 1 && sb_onespan_packages_total(it) == 1);
        CHECK(sb_onespan_packages_next(it, &p, NULL) == SB_OK && p == NULL); /* stays at the end */
        sb_onespan_packages_free(it);
        it = NULL;
        /* page by page: page size 1 over every completed package of this run */
        CHECK_CODE(sb_onespan_list(c, NULL, NULL, 1, NULL, false, &it, &err), SB_OK, err, "list all");
        n = 0;
        while (sb_onespan_packages_next(it, &p, NULL) == SB_OK && p != NULL) {
            n++;
            sb_onespan_package_free(p);
        }
        CHECK(n >= 2 && sb_onespan_packages_total(it) == n);
        sb_onespan_packages_free(it);
        it = NULL;
        /* a bad page size is reported by the first next() */
        CHECK_CODE(sb_onespan_list(c, NULL, NULL, 101, NULL, false, &it, &err), SB_OK, err, "list (page 101)");
        CHECK_CODE(sb_onespan_packages_next(it, &p, &err), SB_ERR_INVALID_ARGUMENT, err, "next (page 101)");
        sb_error_free(err);
        err = NULL;
        CHECK(p == NULL);
        sb_onespan_packages_free(it);
    }

    /* archive, then delete: gone */
    CHECK_CODE(sb_onespan_archive(c, pid, &err), SB_OK, err, "archive");
    CHECK_CODE(sb_onespan_delete(c, pid, &err), SB_OK, err, "delete");
    CHECK_CODE(sb_onespan_get_package(c, pid, &pkg, &err), SB_ERR_NOT_FOUND, err, "get deleted");
    sb_error_free(err);
    CHECK(pkg == NULL);
    sb_signing_completed_free(done);
    sb_signing_session_free(s);
    sb_client_free(c);
}

static void test_onespan_decline_and_cancel(void) {
    sb_client *c = onespan_client();
    sb_error *err = NULL;
    sb_signing_session *s;
    sb_signing_completed *done = NULL;
    sb_onespan_package *pkg = NULL;
    char title[128], *audit = NULL;

    snprintf(title, sizeof title, "Declined %d", g_run);
    s = start_two_signers(c, title);
    if (s != NULL) {
        CHECK(signer_acts(s, 0, "decline", "{\"reason\": \"the price is wrong\"}") == 200);
        CHECK_CODE(sb_signing_wait(c, sb_signing_session_ref(s), 50, 60000, NULL, NULL, NULL, &done, &err),
                   SB_ERR_REJECTED, err, "wait after a decline");
        CHECK(err != NULL && strstr(err->message, "the price is wrong") != NULL);
        sb_error_free(err);
        err = NULL;
        CHECK(done == NULL);
        CHECK_CODE(sb_signing_result(c, sb_signing_session_ref(s), &done, &err), SB_ERR_REJECTED, err, "result");
        sb_error_free(err);
        err = NULL;
        CHECK_CODE(sb_onespan_get_package(c, sb_signing_session_provider_id(s), &pkg, &err), SB_OK, err, "package");
        CHECK(streq(sb_onespan_package_status(pkg), "DECLINED"));
        CHECK(streq(sb_onespan_package_last_message(pkg), "the price is wrong"));
        sb_onespan_package_free(pkg);
        pkg = NULL;
        CHECK_CODE(sb_onespan_audit(c, sb_signing_session_provider_id(s), &audit, &err), SB_OK, err, "audit");
        CHECK(audit != NULL && strstr(audit, "the price is wrong") != NULL);
        sb_string_free(audit);
        sb_signing_session_free(s);
    }

    /* cancel (the neutral call) trashes a pending transaction; restore takes it back */
    snprintf(title, sizeof title, "Cancelled %d", g_run);
    s = start_two_signers(c, title);
    if (s != NULL) {
        const char *pid = sb_signing_session_provider_id(s);
        CHECK_CODE(sb_signing_cancel(c, sb_signing_session_ref(s), &err), SB_OK, err, "cancel");
        CHECK_CODE(sb_onespan_get_package(c, pid, &pkg, &err), SB_OK, err, "package");
        CHECK(sb_onespan_package_trashed(pkg));
        sb_onespan_package_free(pkg);
        pkg = NULL;
        CHECK_CODE(sb_onespan_restore(c, pid, &err), SB_OK, err, "restore");
        CHECK_CODE(sb_onespan_get_package(c, pid, &pkg, &err), SB_OK, err, "package");
        CHECK(!sb_onespan_package_trashed(pkg));
        sb_onespan_package_free(pkg);
        pkg = NULL;
        CHECK_CODE(sb_onespan_trash(c, pid, &err), SB_OK, err, "trash");
        CHECK_CODE(sb_onespan_delete(c, pid, &err), SB_OK, err, "delete");
        sb_signing_session_free(s);
    }

    /* ZignSec has no cancel call; an unknown reference is refused locally */
    {
        char zs[512], cfg[1024];
        sb_client *z;
        zignsec_section(zs, sizeof zs);
        config_of(cfg, sizeof cfg, zs, NULL, NULL);
        z = client_from_json(cfg);
        CHECK_CODE(sb_signing_cancel(z, "zignsec:0f7e4d3c-1111-4222-8333-944455556666", &err), SB_ERR_INVALID_ARGUMENT,
                   err, "ZignSec cancel");
        CHECK(err != NULL && strstr(err->message, "no call to cancel") != NULL);
        sb_error_free(err);
        CHECK_CODE(sb_signing_cancel(z, "onespan:abc=", &err), SB_ERR_AUTH_CONFIG_MISSING, err,
                   "a OneSpan reference on a ZignSec-only client");
        sb_error_free(err);
        sb_client_free(z);
    }
    sb_client_free(c);
}

/* ---- 3. callbacks: a delivery from the simulator, verified ---- */

typedef struct {
    int listen_fd;
    char authorization[256];
    char body[4096];
    size_t body_len;
    int received;
} receiver_t;

/* Accept one HTTP request, keep its Authorization header and body, answer 200. */
static void *receive_one(void *arg) {
    receiver_t *r = (receiver_t *)arg;
    struct pollfd pfd;
    char buf[8192];
    size_t got = 0;
    ssize_t n;
    int fd;
    char *end, *h, *cl;
    pfd.fd = r->listen_fd;
    pfd.events = POLLIN;
    if (poll(&pfd, 1, 60000) != 1) { /* a bound so a missing delivery fails instead of hanging */
        return NULL;
    }
    fd = accept(r->listen_fd, NULL, NULL);
    if (fd < 0) {
        return NULL;
    }
    while (got < sizeof buf - 1 && (n = read(fd, buf + got, sizeof buf - 1 - got)) > 0) {
        size_t want;
        got += (size_t)n;
        buf[got] = '\0';
        end = strstr(buf, "\r\n\r\n");
        if (end == NULL) {
            continue;
        }
        cl = strstr(buf, "Content-Length:");
        if (cl == NULL) {
            cl = strstr(buf, "content-length:");
        }
        want = (size_t)(end + 4 - buf) + (cl ? (size_t)strtoul(cl + 15, NULL, 10) : 0);
        if (got >= want) {
            break;
        }
    }
    buf[got] = '\0';
    end = strstr(buf, "\r\n\r\n");
    h = strstr(buf, "\r\nAuthorization: ");
    if (h == NULL) {
        h = strstr(buf, "\r\nauthorization: ");
    }
    if (h != NULL) {
        snprintf(r->authorization, sizeof r->authorization, "%.*s", (int)strcspn(h + 17, "\r"), h + 17);
    }
    if (end != NULL) {
        r->body_len = got - (size_t)(end + 4 - buf);
        memcpy(r->body, end + 4, r->body_len < sizeof r->body ? r->body_len : sizeof r->body - 1);
    }
    r->received = 1;
    {
        const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        if (write(fd, ok, strlen(ok)) < 0) {
            r->received = 1;
        }
    }
    close(fd);
    return NULL;
}

static void test_onespan_callbacks(void) {
    sb_client *c = onespan_client();
    sb_error *err = NULL;
    receiver_t r;
    pthread_t th;
    struct sockaddr_in addr;
    socklen_t alen = sizeof addr;
    char url[128], key[64], *got_url = NULL, *event = NULL;
    const char *events[2] = {"PACKAGE_COMPLETE", "PACKAGE_DECLINE"};
    sb_strings names = {NULL, 0};
    sb_onespan_callback_verifier *right = NULL, *wrong = NULL, *rotated = NULL;
    const char *right_keys[1], *wrong_keys[1] = {"not-the-callback-key"}, *rotated_keys[2];
    sb_signing_session *s = NULL;

    memset(&r, 0, sizeof r);
    r.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (!CHECK(r.listen_fd >= 0 && bind(r.listen_fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
               listen(r.listen_fd, 4) == 0 && getsockname(r.listen_fd, (struct sockaddr *)&addr, &alen) == 0)) {
        sb_client_free(c);
        return;
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%d/onespan-hook", (int)ntohs(addr.sin_port));
    snprintf(key, sizeof key, "cb-key-%d", g_run);
    right_keys[0] = key;
    rotated_keys[0] = "an-older-key";
    rotated_keys[1] = key;

    CHECK_CODE(sb_onespan_register_callback(c, url, key, events, 2, &err), SB_OK, err, "register_callback");
    CHECK_CODE(sb_onespan_get_callback(c, &got_url, &names, &err), SB_OK, err, "get_callback");
    CHECK(streq(got_url, url) && names.len == 2 && streq(names.items[0], "PACKAGE_COMPLETE"));
    sb_string_free(got_url);
    sb_strings_free(&names);

    /* a completed package: the simulator delivers PACKAGE_COMPLETE to our receiver */
    CHECK(pthread_create(&th, NULL, receive_one, &r) == 0);
    {
        char p[600], session[1200];
        pdf_file(p, sizeof p, "cb.pdf", "Callback", 1);
        snprintf(session, sizeof session,
                 "{\"title\": \"Callback %d\", \"documents\": [{\"path\": \"%s\"}],"
                 " \"signers\": [{\"first_name\": \"Ann\", \"last_name\": \"Smith\", \"email\": \"ann@example.com\"}]}",
                 g_run, p);
        CHECK_CODE(sb_signing_start(c, NULL, session, &s, &err), SB_OK, err, "start");
    }
    if (s != NULL) {
        CHECK(signer_acts(s, 0, "sign", NULL) == 200);
    }
    pthread_join(th, NULL);
    close(r.listen_fd);
    if (CHECK(r.received)) {
        CHECK_CODE(sb_onespan_callback_verifier_new(right_keys, 1, &right, &err), SB_OK, err, "verifier");
        CHECK_CODE(sb_onespan_callback_verifier_new(wrong_keys, 1, &wrong, &err), SB_OK, err, "wrong verifier");
        CHECK_CODE(sb_onespan_callback_verifier_new(rotated_keys, 2, &rotated, &err), SB_OK, err, "rotated verifier");
        CHECK_CODE(sb_onespan_callback_verify(right, r.authorization, (const uint8_t *)r.body, r.body_len, &event,
                                              &err),
                   SB_OK, err, "verify with the right key");
        CHECK(event != NULL && strstr(event, "\"name\":\"PACKAGE_COMPLETE\"") != NULL);
        if (s != NULL && event != NULL) {
            char want[256];
            snprintf(want, sizeof want, "\"package_id\":\"%s\"", sb_signing_session_provider_id(s));
            CHECK(strstr(event, want) != NULL);
        }
        sb_string_free(event);
        event = NULL;
        CHECK_CODE(sb_onespan_callback_verify(rotated, r.authorization, (const uint8_t *)r.body, r.body_len, NULL,
                                              &err),
                   SB_OK, err, "verify during a key rotation");
        CHECK_CODE(sb_onespan_callback_verify(wrong, r.authorization, (const uint8_t *)r.body, r.body_len, &event,
                                              &err),
                   SB_ERR_WEBHOOK_INVALID, err, "verify with a wrong key");
        CHECK(event == NULL && err != NULL && strstr(err->message, key) == NULL);
        sb_error_free(err);
        CHECK_CODE(sb_onespan_callback_verify(right, NULL, (const uint8_t *)r.body, r.body_len, &event, &err),
                   SB_ERR_WEBHOOK_INVALID, err, "no Authorization header");
        sb_error_free(err);
        CHECK_CODE(sb_onespan_callback_verify(right, r.authorization, (const uint8_t *)"[1, 2]", 6, &event, &err),
                   SB_ERR_PROTOCOL, err, "authentic but not an event");
        sb_error_free(err);
        CHECK_CODE(sb_onespan_parse_callback((const uint8_t *)r.body, r.body_len, &event, &err), SB_OK, err,
                   "parse_callback");
        CHECK(event != NULL && strstr(event, "PACKAGE_COMPLETE") != NULL);
        sb_string_free(event);
    }
    sb_onespan_callback_verifier_free(right);
    sb_onespan_callback_verifier_free(wrong);
    sb_onespan_callback_verifier_free(rotated);
    sb_signing_session_free(s);
    sb_client_free(c);
}

/* ---- 4. every OneSpan authentication method ---- */

static void test_onespan_auth_methods(void) {
    char os[700], auth[512], cfg[1400];
    sb_client *c;
    sb_error *err = NULL;
    sb_onespan_packages *it = NULL;
    sb_onespan_package *p = NULL;

    /* Client App */
    set_onespan_auth("client_app");
    snprintf(auth, sizeof auth, "\"client_app\": {\"client_id\": \"%s\", \"secret\": \"%s\"}",
             os_env("ONESPAN_CLIENT_APP_ID"), os_env("ONESPAN_CLIENT_APP_SECRET"));
    onespan_section(os, sizeof os, auth);
    config_of(cfg, sizeof cfg, os, NULL, NULL);
    CHECK(streq(signing_flow(cfg, "client-app"), "onespan"));
    /* the API key is refused while Client App is the active method */
    api_key_auth(auth, sizeof auth);
    onespan_section(os, sizeof os, auth);
    config_of(cfg, sizeof cfg, os, NULL, NULL);
    c = client_from_json(cfg);
    CHECK(sb_onespan_list(c, NULL, NULL, 5, NULL, false, &it, NULL) == SB_OK);
    CHECK_CODE(sb_onespan_packages_next(it, &p, &err), SB_ERR_AUTH, err, "API key while Client App is active");
    sb_error_free(err);
    sb_onespan_packages_free(it);
    it = NULL;
    sb_client_free(c);
    /* a wrong Client App secret */
    snprintf(auth, sizeof auth, "\"client_app\": {\"client_id\": \"%s\", \"secret\": \"TOPSECRET-app\"}",
             os_env("ONESPAN_CLIENT_APP_ID"));
    onespan_section(os, sizeof os, auth);
    config_of(cfg, sizeof cfg, os, NULL, NULL);
    c = client_from_json(cfg);
    CHECK(sb_onespan_list(c, NULL, NULL, 5, NULL, false, &it, NULL) == SB_OK);
    CHECK_CODE(sb_onespan_packages_next(it, &p, &err), SB_ERR_AUTH, err, "wrong Client App secret");
    CHECK(err != NULL && strstr(err->message, "TOPSECRET") == NULL);
    sb_error_free(err);
    sb_onespan_packages_free(it);
    it = NULL;
    sb_client_free(c);

    /* OAuth2 client credentials */
    set_onespan_auth("oauth2");
    snprintf(auth, sizeof auth, "\"oauth2\": {\"client_id\": \"%s\", \"client_secret\": \"%s\"}",
             os_env("ONESPAN_OAUTH_CLIENT_ID"), os_env("ONESPAN_OAUTH_CLIENT_SECRET"));
    onespan_section(os, sizeof os, auth);
    config_of(cfg, sizeof cfg, os, NULL, NULL);
    CHECK(streq(signing_flow(cfg, "oauth2"), "onespan"));
    snprintf(auth, sizeof auth, "\"oauth2\": {\"client_id\": \"%s\", \"client_secret\": \"TOPSECRET-oauth\"}",
             os_env("ONESPAN_OAUTH_CLIENT_ID"));
    onespan_section(os, sizeof os, auth);
    config_of(cfg, sizeof cfg, os, NULL, NULL);
    c = client_from_json(cfg);
    CHECK(sb_onespan_list(c, NULL, NULL, 5, NULL, false, &it, NULL) == SB_OK);
    CHECK_CODE(sb_onespan_packages_next(it, &p, &err), SB_ERR_AUTH, err, "wrong OAuth2 secret");
    CHECK(err != NULL && strstr(err->message, "TOPSECRET") == NULL);
    sb_error_free(err);
    sb_onespan_packages_free(it);
    sb_client_free(c);

    /* API key (the default method) again, and a wrong key */
    set_onespan_auth("api_key");
    api_key_auth(auth, sizeof auth);
    onespan_section(os, sizeof os, auth);
    config_of(cfg, sizeof cfg, os, NULL, NULL);
    CHECK(streq(signing_flow(cfg, "api-key"), "onespan"));
    onespan_section(os, sizeof os, "\"api_key\": \"TOPSECRET-key\"");
    config_of(cfg, sizeof cfg, os, NULL, NULL);
    c = client_from_json(cfg);
    CHECK_CODE(sb_onespan_get_package(c, "abc=", &p, &err), SB_ERR_AUTH, err, "wrong API key");
    CHECK(err != NULL && strstr(err->message, "TOPSECRET") == NULL);
    sb_error_free(err);
    sb_client_free(c);
    /* no onespan section */
    c = sim_client();
    CHECK_CODE(sb_onespan_get_package(c, "abc=", &p, &err), SB_ERR_AUTH_CONFIG_MISSING, err, "no onespan section");
    sb_error_free(err);
    sb_client_free(c);
}

/* ---- 3. OneSpan transactions built from JSON (sb_onespan_create_package and friends) ---- */

/* Role `role` of package `package_id` acts ("sign", "decline"...) as the hosted page would. */
static int role_acts(const char *package_id, const char *role, const char *action) {
    char path[1024], id[512];
    path_escape(id, sizeof id, package_id);
    snprintf(path, sizeof path, "/_sim/onespan/packages/%s/roles/%s/%s", id, role, action);
    return sim_control("POST", path, "{}");
}

/* Standard base64 of `len` bytes (free()). */
static char *base64_of(const unsigned char *data, size_t len) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = (char *)malloc(4 * ((len + 2) / 3) + 1), *o = out;
    size_t i;
    if (out == NULL) {
        abort();
    }
    for (i = 0; i < len; i += 3) {
        unsigned long v = (unsigned long)data[i] << 16;
        if (i + 1 < len) v |= (unsigned long)data[i + 1] << 8;
        if (i + 2 < len) v |= data[i + 2];
        *o++ = abc[(v >> 18) & 63];
        *o++ = abc[(v >> 12) & 63];
        *o++ = i + 1 < len ? abc[(v >> 6) & 63] : '=';
        *o++ = i + 2 < len ? abc[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

/* The two signers of the transactions below, the buyer first. */
#define TWO_SIGNERS                                                                                                    \
    "\"signers\": [{\"role_id\": \"buyer\", \"email\": \"kari@example.com\", \"first_name\": \"Kari\","                \
    " \"last_name\": \"Nordmann\", \"order\": 1}, {\"role_id\": \"seller\", \"email\": \"ola@example.com\","           \
    " \"first_name\": \"Ola\", \"last_name\": \"Hansen\", \"company\": \"Hansen AS\", \"order\": 2}]"

/* The package's status by sb_onespan_status (static copy; "" on failure). */
static const char *status_of(sb_client *c, const char *id) {
    static char out[64];
    char *s = NULL;
    sb_error *err = NULL;
    out[0] = '\0';
    CHECK_CODE(sb_onespan_status(c, id, &s, &err), SB_OK, err, "status");
    sb_error_free(err);
    if (s != NULL) {
        snprintf(out, sizeof out, "%s", s);
    }
    sb_string_free(s);
    return out;
}

static const char *signing_status_of(sb_client *c, const char *id, const char *signer) {
    static char out[64];
    char *s = NULL;
    sb_error *err = NULL;
    out[0] = '\0';
    CHECK_CODE(sb_onespan_signing_status(c, id, signer, NULL, &s, &err), SB_OK, err, "signing_status");
    sb_error_free(err);
    if (s != NULL) {
        snprintf(out, sizeof out, "%s", s);
    }
    sb_string_free(s);
    return out;
}

static void test_onespan_build_transactions(void) {
    sb_client *c = onespan_client();
    sb_error *err = NULL;
    sb_onespan_package *pkg = NULL;
    sb_cancel_token *token;
    progress_t prog = {0, ""};
    char p1[600], p2[600], json[8192], *id = NULL, *id2 = NULL, *doc_id = NULL, *b64;
    unsigned char *pdf;
    size_t pdf_len = 0;

    pdf_file(p1, sizeof p1, "lease.pdf", "Lease", 1);
    pdf_file(p2, sizeof p2, "annex.pdf", "Annex", 2);

    /* one multipart request, a draft: two documents, both signers sign the first one */
    snprintf(json, sizeof json,
             "{\"name\": \"Lease %d\", \"description\": \"C build test\", \"email_message\": \"Please sign\","
             " " TWO_SIGNERS ","
             " \"documents\": [{\"path\": \"%s\", \"id\": \"lease\", \"fields\": ["
             "{\"role_id\": \"buyer\", \"page\": 0, \"top\": 650, \"left\": 60},"
             " {\"role_id\": \"seller\", \"page\": 0, \"top\": 650, \"left\": 320, \"kind\": \"INITIALS\"}]},"
             " {\"path\": \"%s\", \"name\": \"Annex A\"}]}",
             g_run, p1, p2);
    CHECK_CODE(sb_onespan_create_package(c, json, false, &id, &err), SB_OK, err, "create (one request)");
    sb_error_free(err);
    err = NULL;
    if (id == NULL) {
        sb_client_free(c);
        return;
    }
    CHECK(streq(status_of(c, id), "DRAFT"));
    /* a draft can change: name, and one more document */
    CHECK_CODE(sb_onespan_update_package(c, id, "{\"name\": \"Lease (renamed)\", \"autocomplete\": true}", &err), SB_OK,
               err, "update draft");
    snprintf(json, sizeof json,
             "{\"path\": \"%s\", \"name\": \"Annex B\", \"fields\": [{\"role_id\": \"seller\", \"page\": 1, \"top\": 100,"
             " \"left\": 100}]}",
             p2);
    CHECK_CODE(sb_onespan_add_document(c, id, json, &doc_id, &err), SB_OK, err, "add document");
    CHECK(doc_id != NULL && doc_id[0] != '\0');
    CHECK_CODE(sb_onespan_get_package(c, id, &pkg, &err), SB_OK, err, "get draft");
    CHECK(streq(sb_onespan_package_name(pkg), "Lease (renamed)"));
    CHECK(pkg != NULL && strstr(sb_onespan_package_json(pkg), "\"Annex B\"") != NULL &&
          strstr(sb_onespan_package_json(pkg), doc_id) != NULL &&
          strstr(sb_onespan_package_json(pkg), "\"id\":\"lease\"") != NULL);
    sb_onespan_package_free(pkg);
    pkg = NULL;
    sb_string_free(doc_id);
    doc_id = NULL;
    /* nobody can sign a draft: waiting says so at once */
    CHECK_CODE(sb_onespan_wait(c, id, 50, 60000, NULL, NULL, NULL, &pkg, &err), SB_ERR_INVALID_STATE, err,
               "wait on a draft");
    sb_error_free(err);
    err = NULL;
    CHECK(pkg == NULL);

    /* send: no more edits */
    CHECK_CODE(sb_onespan_send(c, id, &err), SB_OK, err, "send");
    CHECK(streq(status_of(c, id), "SENT"));
    CHECK(streq(signing_status_of(c, id, NULL), "SIGNING_PENDING"));
    CHECK_CODE(sb_onespan_update_package(c, id, "{\"name\": \"Too late\"}", &err), SB_ERR_INVALID_STATE, err,
               "update after send");
    sb_error_free(err);
    err = NULL;
    snprintf(json, sizeof json, "{\"path\": \"%s\"}", p1);
    CHECK_CODE(sb_onespan_add_document(c, id, json, NULL, &err), SB_ERR_INVALID_STATE, err, "add after send");
    sb_error_free(err);
    err = NULL;

    /* not done yet: a wait ends by its timeout, or at once with a cancelled token */
    CHECK_CODE(sb_onespan_wait(c, id, 50, 300, NULL, NULL, NULL, &pkg, &err), SB_ERR_TIMEOUT, err, "wait (timeout)");
    sb_error_free(err);
    err = NULL;
    token = sb_cancel_token_new();
    CHECK(sb_cancel_token_cancel(token, NULL) == SB_OK);
    CHECK_CODE(sb_onespan_wait(c, id, 50, 0, token, NULL, NULL, &pkg, &err), SB_ERR_ABORTED, err, "wait (cancelled)");
    sb_error_free(err);
    err = NULL;
    sb_cancel_token_free(token);

    /* in order: the seller cannot sign before the buyer */
    CHECK(role_acts(id, "seller", "sign") == 400);
    CHECK(role_acts(id, "buyer", "sign") == 200);
    CHECK(streq(signing_status_of(c, id, "buyer"), "SIGNING_COMPLETED"));
    CHECK(streq(signing_status_of(c, id, "seller"), "SIGNING_PENDING"));
    CHECK(streq(status_of(c, id), "SENT"));
    CHECK(role_acts(id, "seller", "sign") == 200);
    CHECK_CODE(sb_onespan_wait(c, id, 50, 60000, NULL, on_progress, &prog, &pkg, &err), SB_OK, err, "wait");
    CHECK(streq(sb_onespan_package_status(pkg), "COMPLETED") && sb_onespan_package_is_terminal(pkg));
    CHECK(prog.calls >= 1 && streq(prog.last, "COMPLETED"));
    CHECK(streq(status_of(c, id), "COMPLETED"));
    sb_onespan_package_free(pkg);
    pkg = NULL;

    /* in steps (draft, then each document in its own request), sent on creation; content inline */
    pdf = make_pdf("Inline", 1, &pdf_len);
    b64 = base64_of(pdf, pdf_len);
    free(pdf);
    snprintf(json, sizeof json,
             "{\"name\": \"Steps %d\", \"send\": true, " TWO_SIGNERS ","
             " \"documents\": [{\"name\": \"inline\", \"content_base64\": \"%s\", \"fields\": ["
             "{\"role_id\": \"buyer\", \"page\": 0, \"top\": 600, \"left\": 60},"
             " {\"role_id\": \"seller\", \"page\": 0, \"top\": 700, \"left\": 60}]},"
             " {\"path\": \"%s\"}]}",
             g_run, b64, p2);
    free(b64);
    CHECK_CODE(sb_onespan_create_package(c, json, true, &id2, &err), SB_OK, err, "create (in steps)");
    sb_error_free(err);
    err = NULL;
    if (id2 != NULL) {
        CHECK(!streq(id, id2));
        CHECK(streq(status_of(c, id2), "SENT"));
        CHECK_CODE(sb_onespan_get_package(c, id2, &pkg, &err), SB_OK, err, "get in steps");
        CHECK(pkg != NULL && strstr(sb_onespan_package_json(pkg), "\"inline\"") != NULL &&
              strstr(sb_onespan_package_json(pkg), "\"annex\"") != NULL);
        sb_onespan_package_free(pkg);
        pkg = NULL;
        CHECK(role_acts(id2, "buyer", "sign") == 200);
        CHECK(role_acts(id2, "seller", "sign") == 200);
        CHECK_CODE(sb_onespan_wait(c, id2, 50, 60000, NULL, NULL, NULL, &pkg, &err), SB_OK, err, "wait (in steps)");
        CHECK(streq(sb_onespan_package_status(pkg), "COMPLETED"));
        sb_onespan_package_free(pkg);
        pkg = NULL;
        CHECK_CODE(sb_onespan_delete(c, id2, &err), SB_OK, err, "delete");
        sb_string_free(id2);
        id2 = NULL;
    }

    /* bad descriptions are refused before anything is sent, naming the JSON path */
    snprintf(json, sizeof json,
             "{\"name\": \"Bad\", " TWO_SIGNERS ", \"documents\": [{\"path\": \"%s\"},"
             " {\"path\": \"%s\", \"fields\": [{\"role_id\": \"buyer\", \"page\": -1, \"top\": 1, \"left\": 1}]}]}",
             p1, p2);
    expect_invalid(sb_onespan_create_package(c, json, false, &id2, &err), &err, "create (page -1)",
                   "documents[1].fields[0].page");
    CHECK(id2 == NULL);
    expect_invalid(sb_onespan_create_package(c, "{\"name\": ", false, &id2, &err), &err, "create (not JSON)",
                   "not valid JSON");
    CHECK(id2 == NULL);
    expect_invalid(sb_onespan_create_package(c, "{\"name\": \"x\", \"signers\": [], \"colour\": 1}", true, &id2, &err),
                   &err, "create (unknown field)", "colour");
    snprintf(json, sizeof json, "{\"name\": \"x\", " TWO_SIGNERS ", \"documents\": [{\"path\": \"%s\", \"fields\":"
             " [{\"role_id\": \"notary\", \"page\": 0, \"top\": 1, \"left\": 1}]}]}", p1);
    expect_invalid(sb_onespan_create_package(c, json, false, &id2, &err), &err, "create (unknown role)",
                   "documents[0].fields[0].role_id");
    expect_invalid(sb_onespan_update_package(c, id, "{\"status\": \"DRAFT\"}", &err), &err, "update (unknown field)",
                   "status");
    expect_invalid(sb_onespan_add_document(c, id, "{\"name\": \"x\", \"content_base64\": \"!!\"}", NULL, &err), &err,
                   "add (bad base64)", "content_base64");
    CHECK_CODE(sb_onespan_create_package(c, "{\"name\": \"x\", \"signers\": [], \"documents\": [{\"name\": \"t\","
                                            " \"content_base64\": \"aGVsbG8=\"}]}", false, &id2, &err),
               SB_ERR_INVALID_DOCUMENT, err, "create (not a PDF)");
    CHECK(err != NULL && strstr(err->message, "documents[0]") != NULL);
    sb_error_free(err);
    err = NULL;
    CHECK(id2 == NULL);

    CHECK_CODE(sb_onespan_delete(c, id, &err), SB_OK, err, "delete");
    sb_string_free(id);
    sb_client_free(c);
}

int main(void) {
    char cmd[700];
    g_run = (int)getpid();
    temp_dir(g_dir, sizeof g_dir, "signing");
    test_same_flow_both_providers();
    test_onespan_two_signers_and_downloads();
    test_onespan_decline_and_cancel();
    test_onespan_callbacks();
    test_onespan_auth_methods();
    test_onespan_build_transactions();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    CHECK(system(cmd) == 0);
    return finish("test_signing");
}

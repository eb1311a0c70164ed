/* The provider-neutral signing session (sb_signing_*) and OneSpan Sign (the onespan.* operations
 * through sb_call, the callback verifier sb_onespan_callback_*) through the C API, against the
 * simulator: one flow function run over ZignSec and over OneSpan with only the
 * configuration differing; OneSpan with two signers who sign in turn; a decline is
 * SB_ERR_REJECTED with the signer's reason; downloads (signed, original, ZIP, evidence summary)
 * are valid; audit, listing page by page, trash / restore / delete; a callback delivered by the
 * simulator verifies with the right key and not with a wrong one; every OneSpan authentication
 * method (API key, Client App, OAuth2) signs, wrong credentials are SB_ERR_AUTH without the
 * secret in the error. Transactions built from JSON (onespan.create_package in one request,
 * onespan.create_package_in_steps, add_document, update_package, send, status, signing_status,
 * wait): two signers in
 * order, edits after sending are SB_ERR_INVALID_STATE, bad JSON is SB_ERR_INVALID_ARGUMENT naming
 * the JSON path.
 *
 * Signing is driven by the simulator's control API, as a signer on the hosted page would.
 * Environment: harness.h's, and ONESPAN_API_KEY, ONESPAN_CLIENT_APP_ID, ONESPAN_CLIENT_APP_SECRET,
 * ONESPAN_OAUTH_CLIENT_ID, ONESPAN_OAUTH_CLIENT_SECRET (the simulator's constants). */
#include "call.h"

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

#define PKG "{\"package_id\": \"%s\"}"

/* onespan.get_package: the package as OneSpan describes it (cJSON_Delete it; NULL on failure). */
static cJSON *get_package(sb_client *c, const char *pid) {
    sb_error *err = NULL;
    cJSON *pkg = NULL;
    CHECK_CODE(callj(c, &pkg, &err, "onespan.get_package", PKG, pid), SB_OK, err, "get_package");
    return pkg;
}

/* The text of the package's most recent non-empty message (a decline reason), or NULL. */
static const char *last_message(const cJSON *pkg) {
    const cJSON *messages = jget(pkg, "messages");
    int i;
    for (i = cJSON_GetArraySize(messages) - 1; i >= 0; i--) {
        const char *text = jstr(cJSON_GetArrayItem(messages, i), "content");
        if (text != NULL && text[strspn(text, " \t\r\n")] != '\0') {
            return text;
        }
    }
    return NULL;
}

/* Whether signing can no longer change the package's status. */
static int is_terminal(const cJSON *pkg) {
    const char *s = jstr(pkg, "status");
    return s != NULL && (streq(s, "COMPLETED") || streq(s, "ARCHIVED") || streq(s, "DECLINED") ||
                         streq(s, "OPTED_OUT") || streq(s, "EXPIRED"));
}

/* onespan.download into memory: `kind` "document", "original", "zip" or "evidence_summary",
 * `doc_id` NULL for the last two. The bytes in *out (free(out->data)); when `file_name` is not
 * NULL, a copy of the name OneSpan suggested (free it; NULL when none). */
static sb_code download(sb_client *c, const char *pid, const char *kind, const char *doc_id, sb_bytes *out,
                        char **file_name, sb_error **err) {
    cJSON *r = NULL;
    sb_code rc;
    size_t len = 0;
    out->data = NULL;
    out->len = 0;
    if (doc_id != NULL) {
        rc = callj(c, &r, err, "onespan.download",
                   "{\"package_id\": \"%s\", \"kind\": \"%s\", \"document_id\": \"%s\"}", pid, kind, doc_id);
    } else {
        rc = callj(c, &r, err, "onespan.download", "{\"package_id\": \"%s\", \"kind\": \"%s\"}", pid, kind);
    }
    out->data = b64_decode(jstr(r, "content_base64"), &len);
    out->len = len;
    if (rc == SB_OK) {
        CHECK(out->data != NULL && jnum(r, "bytes") == (double)len);
    }
    if (file_name != NULL) {
        *file_name = jstr(r, "file_name") != NULL ? strdup(jstr(r, "file_name")) : NULL;
    }
    cJSON_Delete(r);
    return rc;
}

static void test_onespan_two_signers_and_downloads(void) {
    sb_client *c = onespan_client();
    sb_error *err = NULL;
    sb_signing_session *s;
    sb_signing_state *st = NULL;
    sb_signing_completed *done = NULL;
    cJSON *pkg = NULL, *r = NULL;
    sb_bytes b = {NULL, 0}, original = {NULL, 0};
    char title[128], *file_name = NULL, path[700];
    const char *pid, *doc_id;

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
    CHECK_CODE(callj(c, &r, &err, "onespan.signing_url", "{\"package_id\": \"%s\", \"role_id\": \"seller\"}", pid),
               SB_OK, err, "signing_url");
    CHECK(streq(jstr(r, "url"), sb_signing_session_signer_url(s, 1)));
    cJSON_Delete(r);
    r = NULL;

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
    pkg = get_package(c, pid);
    CHECK(streq(jstr(pkg, "id"), pid) && streq(jstr(pkg, "name"), title));
    CHECK(streq(jstr(pkg, "status"), "COMPLETED") && is_terminal(pkg));
    CHECK(cJSON_IsFalse(jget(pkg, "trashed")) && jlen(pkg, "roles") == 2);
    cJSON_Delete(pkg);
    pkg = NULL;

    /* downloads: signed and original documents, ZIP, evidence summary */
    doc_id = sb_signing_completed_document_id(done, 0);
    CHECK_CODE(download(c, pid, "document", doc_id, &b, &file_name, &err), SB_OK, err, "download signed");
    CHECK_CODE(download(c, pid, "original", doc_id, &original, NULL, &err), SB_OK, err, "download original");
    CHECK(starts_with(&b, "%PDF-") && starts_with(&original, "%PDF-"));
    /* signing appends incremental updates: the original is a strict prefix of the signed one */
    CHECK(b.len > original.len && original.len > 0 && memcmp(b.data, original.data, original.len) == 0);
    CHECK(file_name != NULL && strstr(file_name, ".pdf") != NULL && strchr(file_name, '/') == NULL);
    free(file_name);
    file_name = NULL;
    free(b.data);
    free(original.data);
    CHECK_CODE(download(c, pid, "zip", NULL, &b, &file_name, &err), SB_OK, err, "download zip");
    CHECK(zip_entries(&b) == 2);
    CHECK(file_name != NULL && strstr(file_name, ".zip") != NULL);
    free(file_name);
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
    free(b.data);
    CHECK_CODE(download(c, pid, "evidence_summary", NULL, &b, NULL, &err), SB_OK, err, "download evidence");
    CHECK(starts_with(&b, "%PDF-") && b.len > 200);
    free(b.data);
    snprintf(path, sizeof path, "%s/evidence.pdf", g_dir);
    CHECK_CODE(callj(c, &r, &err, "onespan.download",
                     "{\"package_id\": \"%s\", \"kind\": \"evidence_summary\", \"path\": \"%s\"}", pid, path),
               SB_OK, err, "download to a path");
    CHECK(jnum(r, "bytes") > 200 && streq(jstr(r, "path"), path) && file_exists(path));
    CHECK(jget(r, "content_base64") == NULL);
    cJSON_Delete(r);
    r = NULL;
    snprintf(path, sizeof path, "%s/into", g_dir);
    CHECK_CODE(callj(c, &r, &err, "onespan.download", "{\"package_id\": \"%s\", \"kind\": \"zip\", \"dir\": \"%s\"}",
                     pid, path),
               SB_OK, err, "download into a directory");
    CHECK(jstr(r, "path") != NULL && strstr(jstr(r, "path"), path) == jstr(r, "path") && file_exists(jstr(r, "path")));
    cJSON_Delete(r);
    r = NULL;

    /* audit */
    CHECK_CODE(callj(c, &r, &err, "onespan.audit", PKG, pid), SB_OK, err, "audit");
    CHECK(jlen(r, "events") > 0);
    {
        const cJSON *e;
        int signed_ = 0;
        cJSON_ArrayForEach(e, jget(r, "events")) { signed_ |= streq(jstr(e, "kind"), "Sign"); }
        CHECK(signed_);
    }
    cJSON_Delete(r);
    r = NULL;

    /* listing: page by page (one package a page), it is found by its unique name, then the pages end */
    {
        int found = 0, n = 0, from = 1, pages = 0;
        double total = -1;
        while (from > 0 && pages++ < 100) {
            cJSON *page = NULL;
            const cJSON *p;
            CHECK_CODE(callj(c, &page, &err, "onespan.list",
                             "{\"status\": \"COMPLETED\", \"search\": \"%s\", \"page_size\": 1, \"sort\": \"updated\","
                             " \"sort_order\": \"desc\", \"from\": %d}",
                             title, from),
                       SB_OK, err, "list");
            cJSON_ArrayForEach(p, jget(page, "packages")) {
                n++;
                found |= streq(jstr(p, "id"), pid);
            }
            total = jnum(page, "total");
            from = cJSON_IsNumber(jget(page, "next_from")) ? (int)jnum(page, "next_from") : 0;
            cJSON_Delete(page);
        }
        CHECK(found && n == 1 && total == 1 && from == 0);
        /* every package, one page at a time, and all at once */
        n = 0;
        from = 1;
        pages = 0;
        while (from > 0 && pages++ < 1000) {
            cJSON *page = NULL;
            if (callj(c, &page, NULL, "onespan.list", "{\"page_size\": 1, \"from\": %d}", from) != SB_OK) {
                CHECK(!"list page by page");
                break;
            }
            n += jlen(page, "packages");
            total = jnum(page, "total");
            from = cJSON_IsNumber(jget(page, "next_from")) ? (int)jnum(page, "next_from") : 0;
            cJSON_Delete(page);
        }
        CHECK(n >= 2 && total == n);
        CHECK_CODE(callj(c, &r, &err, "onespan.list_all", "{\"page_size\": 1}"), SB_OK, err, "list_all");
        CHECK(jlen(r, "packages") == n && jnum(r, "total") == n && cJSON_IsNull(jget(r, "next_from")));
        cJSON_Delete(r);
        r = NULL;
        /* a bad page size is refused */
        CHECK_CODE(callj(c, &r, &err, "onespan.list", "{\"page_size\": 101}"), SB_ERR_INVALID_ARGUMENT, err,
                   "list (page 101)");
        sb_error_free(err);
        err = NULL;
        CHECK(r == NULL);
    }

    /* archive, then delete: gone */
    CHECK_CODE(callj(c, NULL, &err, "onespan.archive", PKG, pid), SB_OK, err, "archive");
    CHECK_CODE(callj(c, NULL, &err, "onespan.delete", PKG, pid), SB_OK, err, "delete");
    CHECK_CODE(callj(c, &pkg, &err, "onespan.get_package", PKG, pid), SB_ERR_NOT_FOUND, err, "get deleted");
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
    cJSON *pkg = NULL;
    char title[128];

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
        pkg = get_package(c, sb_signing_session_provider_id(s));
        CHECK(streq(jstr(pkg, "status"), "DECLINED"));
        CHECK(streq(last_message(pkg), "the price is wrong"));
        cJSON_Delete(pkg);
        pkg = NULL;
        CHECK_CODE(callj(c, &pkg, &err, "onespan.audit", PKG, sb_signing_session_provider_id(s)), SB_OK, err, "audit");
        {
            char *audit = jtext(pkg);
            CHECK(audit != NULL && strstr(audit, "the price is wrong") != NULL);
            free(audit);
        }
        cJSON_Delete(pkg);
        pkg = NULL;
        sb_signing_session_free(s);
    }

    /* cancel (the neutral call) trashes a pending transaction; restore takes it back */
    snprintf(title, sizeof title, "Cancelled %d", g_run);
    s = start_two_signers(c, title);
    if (s != NULL) {
        const char *pid = sb_signing_session_provider_id(s);
        CHECK_CODE(sb_signing_cancel(c, sb_signing_session_ref(s), &err), SB_OK, err, "cancel");
        pkg = get_package(c, pid);
        CHECK(cJSON_IsTrue(jget(pkg, "trashed")));
        cJSON_Delete(pkg);
        CHECK_CODE(callj(c, NULL, &err, "onespan.restore", PKG, pid), SB_OK, err, "restore");
        pkg = get_package(c, pid);
        CHECK(cJSON_IsFalse(jget(pkg, "trashed")));
        cJSON_Delete(pkg);
        pkg = NULL;
        CHECK_CODE(callj(c, NULL, &err, "onespan.trash", PKG, pid), SB_OK, err, "trash");
        CHECK_CODE(callj(c, NULL, &err, "onespan.delete", PKG, pid), SB_OK, err, "delete");
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
    char url[128], key[64], *event = NULL;
    cJSON *cb = NULL;
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

    CHECK_CODE(callj(c, NULL, &err, "onespan.register_callback",
                     "{\"url\": \"%s\", \"key\": \"%s\", \"events\": [\"PACKAGE_COMPLETE\", \"PACKAGE_DECLINE\"]}", url,
                     key),
               SB_OK, err, "register_callback");
    CHECK_CODE(callj(c, &cb, &err, "onespan.get_callback", NULL), SB_OK, err, "get_callback");
    CHECK(streq(jstr(cb, "url"), url) && jlen(cb, "events") == 2 &&
          streq(cJSON_GetArrayItem(jget(cb, "events"), 0)->valuestring, "PACKAGE_COMPLETE"));
    {
        /* the key is never given back */
        char *text = jtext(cb);
        CHECK(text != NULL && strstr(text, key) == NULL);
        free(text);
    }
    cJSON_Delete(cb);

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
    cJSON *r = NULL;

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
    CHECK_CODE(callj(c, &r, &err, "onespan.list", "{\"page_size\": 5}"), SB_ERR_AUTH, err,
               "API key while Client App is active");
    sb_error_free(err);
    sb_client_free(c);
    /* a wrong Client App secret */
    snprintf(auth, sizeof auth, "\"client_app\": {\"client_id\": \"%s\", \"secret\": \"TOPSECRET-app\"}",
             os_env("ONESPAN_CLIENT_APP_ID"));
    onespan_section(os, sizeof os, auth);
    config_of(cfg, sizeof cfg, os, NULL, NULL);
    c = client_from_json(cfg);
    CHECK_CODE(callj(c, &r, &err, "onespan.list", "{\"page_size\": 5}"), SB_ERR_AUTH, err, "wrong Client App secret");
    CHECK(err != NULL && strstr(err->message, "TOPSECRET") == NULL);
    sb_error_free(err);
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
    CHECK_CODE(callj(c, &r, &err, "onespan.list", "{\"page_size\": 5}"), SB_ERR_AUTH, err, "wrong OAuth2 secret");
    CHECK(err != NULL && strstr(err->message, "TOPSECRET") == NULL);
    sb_error_free(err);
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
    CHECK_CODE(callj(c, &r, &err, "onespan.get_package", PKG, "abc="), SB_ERR_AUTH, err, "wrong API key");
    CHECK(err != NULL && strstr(err->message, "TOPSECRET") == NULL);
    sb_error_free(err);
    sb_client_free(c);
    /* no onespan section */
    c = sim_client();
    CHECK_CODE(callj(c, &r, &err, "onespan.get_package", PKG, "abc="), SB_ERR_AUTH_CONFIG_MISSING, err,
               "no onespan section");
    sb_error_free(err);
    CHECK(r == NULL);
    sb_client_free(c);
}

/* ---- 3. OneSpan transactions built from JSON (onespan.create_package and friends) ---- */

/* Role `role` of package `package_id` acts ("sign", "decline"...) as the hosted page would. */
static int role_acts(const char *package_id, const char *role, const char *action) {
    char path[1024], id[512];
    path_escape(id, sizeof id, package_id);
    snprintf(path, sizeof path, "/_sim/onespan/packages/%s/roles/%s/%s", id, role, action);
    return sim_control("POST", path, "{}");
}

/* The two signers of the transactions below, the buyer first. */
#define TWO_SIGNERS                                                                                                    \
    "\"signers\": [{\"role_id\": \"buyer\", \"email\": \"kari@example.com\", \"first_name\": \"Kari\","                \
    " \"last_name\": \"Nordmann\", \"order\": 1}, {\"role_id\": \"seller\", \"email\": \"ola@example.com\","           \
    " \"first_name\": \"Ola\", \"last_name\": \"Hansen\", \"company\": \"Hansen AS\", \"order\": 2}]"

/* The package's status by onespan.status (static copy; "" on failure). */
static const char *status_of(sb_client *c, const char *id) {
    static char out[64];
    cJSON *r = NULL;
    sb_error *err = NULL;
    out[0] = '\0';
    CHECK_CODE(callj(c, &r, &err, "onespan.status", PKG, id), SB_OK, err, "status");
    if (jstr(r, "status") != NULL) {
        snprintf(out, sizeof out, "%s", jstr(r, "status"));
    }
    cJSON_Delete(r);
    return out;
}

/* Its signing status by onespan.signing_status, of one signer (or all: NULL). */
static const char *signing_status_of(sb_client *c, const char *id, const char *signer) {
    static char out[64];
    cJSON *r = NULL;
    sb_error *err = NULL;
    out[0] = '\0';
    if (signer != NULL) {
        CHECK_CODE(callj(c, &r, &err, "onespan.signing_status", "{\"package_id\": \"%s\", \"signer_id\": \"%s\"}", id,
                         signer),
                   SB_OK, err, "signing_status");
    } else {
        CHECK_CODE(callj(c, &r, &err, "onespan.signing_status", PKG, id), SB_OK, err, "signing_status");
    }
    if (jstr(r, "status") != NULL) {
        snprintf(out, sizeof out, "%s", jstr(r, "status"));
    }
    cJSON_Delete(r);
    return out;
}

/* onespan.create_package (`op` names it, or onespan.create_package_in_steps) of the description
 * `json`: the new package id (free it), NULL on failure (its error in *err). */
static char *create_package(sb_client *c, const char *op, const char *json, sb_error **err) {
    cJSON *r = NULL;
    char *id = NULL;
    if (callj(c, &r, err, op, "%s", json) == SB_OK && jstr(r, "package_id") != NULL) {
        id = strdup(jstr(r, "package_id"));
    }
    cJSON_Delete(r);
    return id;
}

/* onespan.wait through sb_call_with; the package in *out (cJSON_Delete it). */
static sb_code wait_package(sb_client *c, const char *id, unsigned interval_ms, unsigned timeout_ms,
                            const sb_cancel_token *cancel, sb_progress_fn progress, void *user_data, cJSON **out,
                            sb_error **err) {
    return callw(c, out, err, cancel, progress, user_data, "onespan.wait",
                 "{\"package_id\": \"%s\", \"interval_ms\": %u, \"timeout_ms\": %u}", id, interval_ms, timeout_ms);
}

/* onespan.add_document of `document` (JSON) to draft `id`; the new document's id in *doc_id when
 * it is not NULL (free it). */
static sb_code add_document(sb_client *c, const char *id, const char *document, char **doc_id, sb_error **err) {
    cJSON *r = NULL;
    sb_code rc = callj(c, &r, err, "onespan.add_document", "{\"package_id\": \"%s\", \"document\": %s}", id, document);
    if (doc_id != NULL) {
        *doc_id = jstr(r, "id") != NULL ? strdup(jstr(r, "id")) : NULL;
    }
    cJSON_Delete(r);
    return rc;
}

static void test_onespan_build_transactions(void) {
    sb_client *c = onespan_client();
    sb_error *err = NULL;
    cJSON *pkg = NULL;
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
    id = create_package(c, "onespan.create_package", json, &err);
    CHECK_CODE(id != NULL ? SB_OK : err != NULL ? err->code : SB_ERR_INTERNAL, SB_OK, err, "create (one request)");
    sb_error_free(err);
    err = NULL;
    if (id == NULL) {
        sb_client_free(c);
        return;
    }
    CHECK(streq(status_of(c, id), "DRAFT"));
    /* a draft can change: name, and one more document */
    CHECK_CODE(callj(c, NULL, &err, "onespan.update_package",
                     "{\"package_id\": \"%s\", \"name\": \"Lease (renamed)\", \"autocomplete\": true}", id),
               SB_OK, err, "update draft");
    snprintf(json, sizeof json,
             "{\"path\": \"%s\", \"name\": \"Annex B\", \"fields\": [{\"role_id\": \"seller\", \"page\": 1, \"top\": 100,"
             " \"left\": 100}]}",
             p2);
    CHECK_CODE(add_document(c, id, json, &doc_id, &err), SB_OK, err, "add document");
    CHECK(doc_id != NULL && doc_id[0] != '\0');
    pkg = get_package(c, id);
    CHECK(streq(jstr(pkg, "name"), "Lease (renamed)"));
    {
        char *text = jtext(pkg);
        CHECK(text != NULL && strstr(text, "\"Annex B\"") != NULL && doc_id != NULL && strstr(text, doc_id) != NULL &&
              strstr(text, "\"id\":\"lease\"") != NULL);
        free(text);
    }
    cJSON_Delete(pkg);
    pkg = NULL;
    free(doc_id);
    doc_id = NULL;
    /* nobody can sign a draft: waiting says so at once */
    CHECK_CODE(wait_package(c, id, 50, 60000, NULL, NULL, NULL, &pkg, &err), SB_ERR_INVALID_STATE, err,
               "wait on a draft");
    sb_error_free(err);
    err = NULL;
    CHECK(pkg == NULL);

    /* send: no more edits */
    CHECK_CODE(callj(c, NULL, &err, "onespan.send", PKG, id), SB_OK, err, "send");
    CHECK(streq(status_of(c, id), "SENT"));
    CHECK(streq(signing_status_of(c, id, NULL), "SIGNING_PENDING"));
    CHECK_CODE(callj(c, NULL, &err, "onespan.update_package", "{\"package_id\": \"%s\", \"name\": \"Too late\"}", id),
               SB_ERR_INVALID_STATE, err, "update after send");
    sb_error_free(err);
    err = NULL;
    snprintf(json, sizeof json, "{\"path\": \"%s\"}", p1);
    CHECK_CODE(add_document(c, id, json, NULL, &err), SB_ERR_INVALID_STATE, err, "add after send");
    sb_error_free(err);
    err = NULL;

    /* not done yet: a wait ends by its timeout, or at once with a cancelled token */
    CHECK_CODE(wait_package(c, id, 50, 300, NULL, NULL, NULL, &pkg, &err), SB_ERR_TIMEOUT, err, "wait (timeout)");
    sb_error_free(err);
    err = NULL;
    token = sb_cancel_token_new();
    CHECK(sb_cancel_token_cancel(token, NULL) == SB_OK);
    CHECK_CODE(callw(c, &pkg, &err, token, NULL, NULL, "onespan.wait", "{\"package_id\": \"%s\", \"interval_ms\": 50}",
                     id),
               SB_ERR_ABORTED, err, "wait (cancelled)");
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
    CHECK_CODE(wait_package(c, id, 50, 60000, NULL, on_progress, &prog, &pkg, &err), SB_OK, err, "wait");
    CHECK(streq(jstr(pkg, "status"), "COMPLETED") && is_terminal(pkg));
    CHECK(prog.calls >= 1 && streq(prog.last, "COMPLETED"));
    CHECK(streq(status_of(c, id), "COMPLETED"));
    cJSON_Delete(pkg);
    pkg = NULL;

    /* in steps (draft, then each document in its own request), sent on creation; content inline */
    pdf = make_pdf("Inline", 1, &pdf_len);
    b64 = b64_encode(pdf, pdf_len);
    free(pdf);
    snprintf(json, sizeof json,
             "{\"name\": \"Steps %d\", \"send\": true, " TWO_SIGNERS ","
             " \"documents\": [{\"name\": \"inline\", \"content_base64\": \"%s\", \"fields\": ["
             "{\"role_id\": \"buyer\", \"page\": 0, \"top\": 600, \"left\": 60},"
             " {\"role_id\": \"seller\", \"page\": 0, \"top\": 700, \"left\": 60}]},"
             " {\"path\": \"%s\"}]}",
             g_run, b64, p2);
    free(b64);
    id2 = create_package(c, "onespan.create_package_in_steps", json, &err);
    CHECK_CODE(id2 != NULL ? SB_OK : err != NULL ? err->code : SB_ERR_INTERNAL, SB_OK, err, "create (in steps)");
    sb_error_free(err);
    err = NULL;
    if (id2 != NULL) {
        CHECK(!streq(id, id2));
        CHECK(streq(status_of(c, id2), "SENT"));
        pkg = get_package(c, id2);
        {
            char *text = jtext(pkg);
            CHECK(text != NULL && strstr(text, "\"inline\"") != NULL && strstr(text, "\"annex\"") != NULL);
            free(text);
        }
        cJSON_Delete(pkg);
        pkg = NULL;
        CHECK(role_acts(id2, "buyer", "sign") == 200);
        CHECK(role_acts(id2, "seller", "sign") == 200);
        CHECK_CODE(wait_package(c, id2, 50, 60000, NULL, NULL, NULL, &pkg, &err), SB_OK, err, "wait (in steps)");
        CHECK(streq(jstr(pkg, "status"), "COMPLETED"));
        cJSON_Delete(pkg);
        pkg = NULL;
        CHECK_CODE(callj(c, NULL, &err, "onespan.delete", PKG, id2), SB_OK, err, "delete");
        free(id2);
        id2 = NULL;
    }

    /* bad descriptions are refused before anything is sent, naming the JSON path */
    snprintf(json, sizeof json,
             "{\"name\": \"Bad\", " TWO_SIGNERS ", \"documents\": [{\"path\": \"%s\"},"
             " {\"path\": \"%s\", \"fields\": [{\"role_id\": \"buyer\", \"page\": -1, \"top\": 1, \"left\": 1}]}]}",
             p1, p2);
    id2 = create_package(c, "onespan.create_package", json, &err);
    expect_invalid(err != NULL ? err->code : SB_OK, &err, "create (page -1)", "documents[1].fields[0].page");
    CHECK(id2 == NULL);
    id2 = create_package(c, "onespan.create_package", "{\"name\": ", &err);
    expect_invalid(err != NULL ? err->code : SB_OK, &err, "create (not JSON)", "request_json is not JSON");
    CHECK(id2 == NULL);
    id2 = create_package(c, "onespan.create_package_in_steps", "{\"name\": \"x\", \"signers\": [], \"colour\": 1}", &err);
    expect_invalid(err != NULL ? err->code : SB_OK, &err, "create (unknown field)", "colour");
    snprintf(json, sizeof json, "{\"name\": \"x\", " TWO_SIGNERS ", \"documents\": [{\"path\": \"%s\", \"fields\":"
             " [{\"role_id\": \"notary\", \"page\": 0, \"top\": 1, \"left\": 1}]}]}", p1);
    id2 = create_package(c, "onespan.create_package", json, &err);
    expect_invalid(err != NULL ? err->code : SB_OK, &err, "create (unknown role)", "documents[0].fields[0].role_id");
    CHECK(id2 == NULL);
    expect_invalid(callj(c, NULL, &err, "onespan.update_package", "{\"package_id\": \"%s\", \"status\": \"DRAFT\"}", id),
                   &err, "update (unknown field)", "status");
    expect_invalid(add_document(c, id, "{\"name\": \"x\", \"content_base64\": \"!!\"}", NULL, &err), &err,
                   "add (bad base64)", "content_base64");
    id2 = create_package(c, "onespan.create_package",
                         "{\"name\": \"x\", \"signers\": [], \"documents\": [{\"name\": \"t\","
                         " \"content_base64\": \"aGVsbG8=\"}]}",
                         &err);
    CHECK_CODE(err != NULL ? err->code : SB_OK, SB_ERR_INVALID_DOCUMENT, err, "create (not a PDF)");
    CHECK(err != NULL && strstr(err->message, "documents[0]") != NULL);
    sb_error_free(err);
    err = NULL;
    CHECK(id2 == NULL);

    CHECK_CODE(callj(c, NULL, &err, "onespan.delete", PKG, id), SB_OK, err, "delete");
    free(id);
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

/* Several threads sharing one client (and one status) at once. */
#include "harness.h"

#include <pthread.h>

#define THREADS 16

static sb_client *g_client;
static sb_status *g_shared_status;
static unsigned char *g_pdf;
static size_t g_pdf_len;

typedef struct {
    int index;
    int ok;
    char why[256];
} job_t;

static void *signer(void *arg) {
    job_t *job = (job_t *)arg;
    sb_error *err = NULL;
    char *session = NULL, *file = NULL, *url = NULL, name[32];
    sb_status *st = NULL;
    sb_bytes b = {NULL, 0};
    const char *ids[1];
    sb_placement place = {1, 50.0, 50.0};
    int i;

    job->ok = 0;
    snprintf(name, sizeof name, "doc-%d.pdf", job->index);
    if (sb_session_create(g_client, NULL, &session, &err) != SB_OK) goto out;
    if (sb_session_upload_buffer(g_client, session, name, g_pdf, g_pdf_len, &file, &err) != SB_OK) goto out;
    ids[0] = file;
    if (sb_session_start(g_client, session, ids, &place, 1, &url, &err) != SB_OK) goto out;
    /* Read the shared status concurrently with the other threads. */
    for (i = 0; i < 50; i++) {
        if (!streq(sb_status_state(g_shared_status), "Created") || sb_status_json(g_shared_status) == NULL) {
            snprintf(job->why, sizeof job->why, "shared status read failed");
            goto out;
        }
    }
    if (sim_session(session, "complete") != 200) {
        snprintf(job->why, sizeof job->why, "complete failed");
        goto out;
    }
    if (sb_session_wait(g_client, session, 100, 30000, NULL, &st, &err) != SB_OK) goto out;
    if (sb_status_signed_file_count(st) != 1 || !streq(sb_status_signed_file_name(st, 0), name)) {
        snprintf(job->why, sizeof job->why, "unexpected signed files");
        goto out;
    }
    if (sb_download_to_buffer(g_client, st, 0, &b, &err) != SB_OK) goto out;
    if (b.len <= g_pdf_len || memcmp(b.data, g_pdf, g_pdf_len) != 0) {
        snprintf(job->why, sizeof job->why, "signed file does not start with the original");
        goto out;
    }
    job->ok = 1;
out:
    if (err != NULL) {
        snprintf(job->why, sizeof job->why, "%s: %s", err->name, err->message);
    }
    sb_error_free(err);
    sb_bytes_free(&b);
    sb_status_free(st);
    sb_string_free(url);
    sb_string_free(file);
    sb_string_free(session);
    return NULL;
}

/* Threads that create and free their own clients and tokens while others use theirs. */
static void *churn(void *arg) {
    job_t *job = (job_t *)arg;
    int i;
    job->ok = 1;
    for (i = 0; i < 20; i++) {
        sb_client *c = sim_client();
        sb_cancel_token *t = sb_cancel_token_new();
        sb_status *st = NULL;
        sb_error *err = NULL;
        char *id = NULL;
        if (sb_session_create(c, NULL, &id, &err) != SB_OK ||
            sb_session_status(c, id, &st, &err) != SB_OK || !streq(sb_status_session_id(st), id)) {
            job->ok = 0;
            snprintf(job->why, sizeof job->why, "churn: %s", err ? err->message : "status mismatch");
        }
        sb_error_free(err);
        sb_status_free(st);
        sb_string_free(id);
        sb_cancel_token_cancel(t, NULL);
        sb_cancel_token_free(t);
        sb_client_free(c);
    }
    return NULL;
}

int main(void) {
    pthread_t threads[THREADS + 2];
    job_t jobs[THREADS + 2];
    sb_error *err = NULL;
    char *id = NULL;
    int i;

    g_client = sim_client();
    g_pdf = make_pdf("Threads", 1, &g_pdf_len);
    CHECK_CODE(sb_session_create(g_client, NULL, &id, &err), SB_OK, err, "create");
    CHECK_CODE(sb_session_status(g_client, id, &g_shared_status, &err), SB_OK, err, "status");

    for (i = 0; i < THREADS + 2; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].index = i;
        CHECK(pthread_create(&threads[i], NULL, i < THREADS ? signer : churn, &jobs[i]) == 0);
    }
    for (i = 0; i < THREADS + 2; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        if (!CHECK(jobs[i].ok)) {
            fprintf(stderr, "  thread %d: %s\n", i, jobs[i].why);
        }
    }

    sb_status_free(g_shared_status);
    sb_string_free(id);
    sb_client_free(g_client);
    free(g_pdf);
    return finish("test_threads");
}

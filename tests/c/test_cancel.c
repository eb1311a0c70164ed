/* Cancelling a wait from another thread, and freeing handles while another thread uses them. */
#include "harness.h"

#include <pthread.h>

static sb_client *g_client;

typedef struct {
    sb_client *client;
    const char *session;
    sb_cancel_token *token;
    uint64_t timeout_ms;
    sb_code rc;
    char message[512];
    double elapsed;
} wait_job_t;

static void *waiter(void *arg) {
    wait_job_t *job = (wait_job_t *)arg;
    sb_error *err = NULL;
    sb_status *st = NULL;
    double t0 = now_s();
    job->rc = sb_session_wait(job->client, job->session, 100, job->timeout_ms, job->token, &st, &err);
    job->elapsed = now_s() - t0;
    snprintf(job->message, sizeof job->message, "%s", err ? err->message : "");
    sb_error_free(err);
    sb_status_free(st);
    return NULL;
}

static char *pending_session(void) {
    size_t len = 0;
    unsigned char *pdf = make_pdf("Cancel", 1, &len);
    sb_document doc;
    char *id = NULL, *url = NULL;
    sb_error *err = NULL;
    memset(&doc, 0, sizeof doc);
    doc.name = "c.pdf";
    doc.data = pdf;
    doc.len = len;
    CHECK_CODE(sb_sign_documents(g_client, NULL, &doc, 1, &id, &url, &err), SB_OK, err, "sign");
    sb_error_free(err);
    sb_string_free(url);
    free(pdf);
    return id;
}

/* A wait with no timeout is aborted promptly from another thread; the session goes on. */
static void test_cancel_from_another_thread(void) {
    char *session = pending_session();
    wait_job_t job;
    pthread_t t;
    sb_status *st = NULL;
    sb_error *err = NULL;

    memset(&job, 0, sizeof job);
    job.client = g_client;
    job.session = session;
    job.token = sb_cancel_token_new();
    job.timeout_ms = 0; /* no limit: only the token ends it */
    CHECK(pthread_create(&t, NULL, waiter, &job) == 0);
    sleep_ms(400);
    CHECK_CODE(sb_cancel_token_cancel(job.token, &err), SB_OK, err, "cancel");
    CHECK(pthread_join(t, NULL) == 0);
    CHECK_CODE(job.rc, SB_ERR_ABORTED, NULL, "aborted wait");
    CHECK(job.elapsed < 10.0);
    CHECK(strstr(job.message, "aborted") != NULL);
    CHECK_CODE(sb_session_status(g_client, session, &st, &err), SB_OK, err, "status after abort");
    CHECK(streq(sb_status_state(st), "Pending"));
    sb_status_free(st);
    sb_cancel_token_free(job.token);
    sb_string_free(session);
}

/* One token shared by three waits: one cancel ends all of them. */
static void test_one_token_many_waits(void) {
    char *sessions[3];
    wait_job_t jobs[3];
    pthread_t t[3];
    sb_cancel_token *token = sb_cancel_token_new();
    int i;
    for (i = 0; i < 3; i++) {
        sessions[i] = pending_session();
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].client = g_client;
        jobs[i].session = sessions[i];
        jobs[i].token = token;
        jobs[i].timeout_ms = 60000;
        CHECK(pthread_create(&t[i], NULL, waiter, &jobs[i]) == 0);
    }
    sleep_ms(300);
    CHECK(sb_cancel_token_cancel(token, NULL) == SB_OK);
    for (i = 0; i < 3; i++) {
        CHECK(pthread_join(t[i], NULL) == 0);
        CHECK_CODE(jobs[i].rc, SB_ERR_ABORTED, NULL, "shared-token wait");
        sb_string_free(sessions[i]);
    }
    sb_cancel_token_free(token);
}

/* The client is freed while another thread waits with it: the wait goes on unharmed, and the
 * freed handle is refused afterwards. */
static void test_free_client_during_wait(void) {
    sb_client *client = sim_client();
    char *session = pending_session();
    wait_job_t job;
    pthread_t t;
    sb_error *err = NULL;
    char *id = NULL;

    memset(&job, 0, sizeof job);
    job.client = client;
    job.session = session;
    job.token = sb_cancel_token_new();
    job.timeout_ms = 30000;
    CHECK(pthread_create(&t, NULL, waiter, &job) == 0);
    sleep_ms(300);
    sb_client_free(client);
    CHECK(sb_session_create(client, NULL, &id, &err) == SB_ERR_INVALID_ARGUMENT);
    sb_error_free(err);
    sleep_ms(300); /* the wait keeps polling with its own reference */
    CHECK(sim_session(session, "complete") == 200);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK_CODE(job.rc, SB_OK, NULL, "wait outliving its client handle");
    sb_cancel_token_free(job.token);
    sb_string_free(session);
}

/* The token is freed while a wait uses it: the wait goes on until its timeout. */
static void test_free_token_during_wait(void) {
    char *session = pending_session();
    wait_job_t job;
    pthread_t t;
    memset(&job, 0, sizeof job);
    job.client = g_client;
    job.session = session;
    job.token = sb_cancel_token_new();
    job.timeout_ms = 800;
    CHECK(pthread_create(&t, NULL, waiter, &job) == 0);
    sleep_ms(200);
    sb_cancel_token_free(job.token);
    CHECK(sb_cancel_token_cancel(job.token, NULL) == SB_ERR_INVALID_ARGUMENT);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK_CODE(job.rc, SB_ERR_TIMEOUT, NULL, "wait after its token was freed");
    sb_string_free(session);
}

int main(void) {
    g_client = sim_client();
    test_cancel_from_another_thread();
    test_one_token_many_waits();
    test_free_client_during_wait();
    test_free_token_during_wait();
    sb_client_free(g_client);
    return finish("test_cancel");
}

/* The C clients of the realistic-network suite (bench/net.py runs them, one fresh process per
 * scenario and implementation, and counts the TLS handshakes at the simulator around each).
 *
 *   bench-net SCENARIO IMPL
 *
 * IMPL: signbridge (libsignbridge, one sb_client shared by every thread) or libcurl (an easy
 * handle per thread, all attached to one share handle with CURL_LOCK_DATA_CONNECT,
 * CURL_LOCK_DATA_SSL_SESSION and CURL_LOCK_DATA_DNS: the connection cache is shared; libcurl's
 * default HTTP version, HTTP/2 over TLS where the server offers it; the body is collected, not
 * parsed; CURLOPT_MAXCONNECTS 64 instead of 5).
 * SCENARIO: threads (NET_THREADS=32 threads x NET_CALLS=20 calls, NET_THINK_MS=50 ms apart),
 * staggered (the same, threads started evenly over NET_RAMP_MS=3000 ms), tpr (NET_TPR=200
 * sequential calls, each on a new thread), cold (client -> first answer, once).
 *
 * Environment: NET_URL, NET_CA, NET_CERT, NET_KEY, SIM_KEY, NET_SID. Prints one JSON line. */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <pthread.h>
#include <signbridge.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *env(const char *k, const char *d) {
    const char *v = getenv(k);
    return v && *v ? v : d;
}

static long env_n(const char *k, long d) {
    const char *v = getenv(k);
    return v && *v ? strtol(v, NULL, 10) : d;
}

static void die(const char *what, const char *detail) {
    fprintf(stderr, "bench-net: %s failed%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static void sleep_ms(double ms) {
    if (ms <= 0) return;
    struct timespec ts = {(time_t)(ms / 1e3), (long)((ms - (double)(long)(ms / 1e3) * 1e3) * 1e6)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* ---- the implementations ---- */

static int use_curl;
static const char *sid;
static sb_client *sb;
static CURLSH *share;
static pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
static char status_url[1024], key_header[256];
static struct curl_slist *headers;

static void lock_cb(CURL *h, curl_lock_data d, curl_lock_access a, void *u) {
    (void)h, (void)a, (void)u;
    pthread_mutex_lock(&share_locks[d]);
}

static void unlock_cb(CURL *h, curl_lock_data d, void *u) {
    (void)h, (void)u;
    pthread_mutex_unlock(&share_locks[d]);
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *user) {
    (void)data;
    *(size_t *)user += size * nmemb;
    return size * nmemb;
}

static void make(const char *impl) {
    const char *url = env("NET_URL", ""), *key = env("SIM_KEY", "");
    sid = env("NET_SID", "");
    if (strcmp(impl, "signbridge") == 0) {
        char cfg[4096];
        snprintf(cfg, sizeof cfg,
                 "{\"zignsec\":{\"base_url\":\"%s\",\"keys\":[\"%s\"],\"client_cert\":"
                 "{\"cert\":{\"file\":\"%s\"},\"key\":{\"file\":\"%s\"}}},"
                 "\"transport\":{\"ca_file\":\"%s\"}}",
                 url, key, env("NET_CERT", ""), env("NET_KEY", ""), env("NET_CA", ""));
        sb_error *err = NULL;
        if (sb_client_new(cfg, &sb, &err) != SB_OK) die("sb_client_new", err ? err->message : NULL);
        return;
    }
    if (strcmp(impl, "libcurl") != 0) die("unknown implementation (signbridge | libcurl)", impl);
    use_curl = 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&share_locks[i], NULL);
    share = curl_share_init();
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, lock_cb);
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, unlock_cb);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    snprintf(status_url, sizeof status_url, "%s/api/v5/sessions/signing/%s", url, sid);
    snprintf(key_header, sizeof key_header, "Zs-Product-Key: %s", key);
    headers = curl_slist_append(NULL, key_header);
}

struct caller {
    CURL *h;
    size_t got;
};

static void caller_init(struct caller *c) {
    c->h = NULL;
    if (!use_curl) return;
    c->h = curl_easy_init();
    curl_easy_setopt(c->h, CURLOPT_URL, status_url);
    curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c->h, CURLOPT_WRITEDATA, &c->got);
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->h, CURLOPT_SSLCERT, env("NET_CERT", ""));
    curl_easy_setopt(c->h, CURLOPT_SSLKEY, env("NET_KEY", ""));
    curl_easy_setopt(c->h, CURLOPT_CAINFO, env("NET_CA", ""));
    curl_easy_setopt(c->h, CURLOPT_SHARE, share);
    /* The connection cache keeps CURLOPT_MAXCONNECTS (default 5) idle connections and closes the
     * oldest beyond that: with 32 threads nearly every call would open a connection. 64, as
     * signbridge's transport.max_requests_per_origin. */
    curl_easy_setopt(c->h, CURLOPT_MAXCONNECTS, 64L);
    if (strcmp(env("NET_CURL_HTTP", ""), "1.1") == 0)
        curl_easy_setopt(c->h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    if (getenv("NET_CURL_VERBOSE")) curl_easy_setopt(c->h, CURLOPT_VERBOSE, 1L);
}

static void caller_done(struct caller *c) {
    if (c->h) curl_easy_cleanup(c->h);
}

static void call(struct caller *c) {
    if (!use_curl) {
        sb_status *st = NULL;
        sb_error *err = NULL;
        if (sb_session_status(sb, sid, &st, &err) != SB_OK) die("sb_session_status", err ? err->message : NULL);
        sb_status_free(st);
        return;
    }
    c->got = 0;
    CURLcode rc = curl_easy_perform(c->h);
    if (rc != CURLE_OK) die("curl_easy_perform", curl_easy_strerror(rc));
    long code = 0;
    curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200 || c->got == 0) die("status call", "not a 200 with a body");
}

/* ---- the workloads ---- */

static int in_flight, peak;
static double *lat;
static int n_lat;
static pthread_mutex_t lat_lock = PTHREAD_MUTEX_INITIALIZER;

static void timed(struct caller *c) {
    int n = __atomic_add_fetch(&in_flight, 1, __ATOMIC_SEQ_CST);
    int p = __atomic_load_n(&peak, __ATOMIC_SEQ_CST);
    while (n > p && !__atomic_compare_exchange_n(&peak, &p, n, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    }
    double t = now_ms();
    call(c);
    double ms = now_ms() - t;
    __atomic_sub_fetch(&in_flight, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&lat_lock);
    lat[n_lat++] = ms;
    pthread_mutex_unlock(&lat_lock);
}

static long n_threads, n_calls;
static double think_ms, ramp_ms;
static pthread_barrier_t start;

static void *worker(void *arg) {
    long i = (long)arg;
    pthread_barrier_wait(&start);
    sleep_ms(ramp_ms * (double)i / (double)n_threads);
    struct caller c;
    caller_init(&c);
    for (long k = 0; k < n_calls; k++) {
        if (k) sleep_ms(think_ms);
        timed(&c);
    }
    caller_done(&c);
    return NULL;
}

static void *one_call(void *arg) {
    (void)arg;
    struct caller c;
    caller_init(&c);
    timed(&c);
    caller_done(&c);
    return NULL;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double p) {
    long i = (long)((p / 100.0) * n_lat + 0.999999);
    if (i < 1) i = 1;
    if (i > n_lat) i = n_lat;
    return lat[i - 1];
}

int main(int argc, char **argv) {
    double t_main = now_ms();
    if (argc != 3) {
        fprintf(stderr, "usage: bench-net threads|staggered|tpr|cold signbridge|libcurl\n");
        return 2;
    }
    const char *scenario = argv[1], *impl = argv[2];
    if (strcmp(scenario, "cold") == 0) {
        double t = now_ms();
        make(impl);
        double built = now_ms() - t;
        struct caller c;
        caller_init(&c);
        call(&c);
        double first = now_ms() - t;
        printf("{\"scenario\":\"cold\",\"lang\":\"c\",\"impl\":\"%s\",\"construct_ms\":%.3f,"
               "\"first_answer_ms\":%.3f,\"since_main_ms\":%.3f}\n",
               impl, built, first, now_ms() - t_main);
        return 0;
    }
    make(impl);
    n_threads = env_n("NET_THREADS", 32);
    n_calls = env_n("NET_CALLS", 20);
    think_ms = (double)env_n("NET_THINK_MS", 50);
    long tpr = env_n("NET_TPR", 200);
    double t0, wall;
    if (strcmp(scenario, "threads") == 0 || strcmp(scenario, "staggered") == 0) {
        ramp_ms = strcmp(scenario, "staggered") == 0 ? (double)env_n("NET_RAMP_MS", 3000) : 0;
        lat = malloc(sizeof(double) * (size_t)(n_threads * n_calls));
        pthread_t *ts = malloc(sizeof(pthread_t) * (size_t)n_threads);
        pthread_barrier_init(&start, NULL, (unsigned)n_threads + 1);
        for (long i = 0; i < n_threads; i++)
            if (pthread_create(&ts[i], NULL, worker, (void *)i) != 0) die("pthread_create", NULL);
        pthread_barrier_wait(&start);
        t0 = now_ms();
        for (long i = 0; i < n_threads; i++) pthread_join(ts[i], NULL);
        wall = now_ms() - t0;
        free(ts);
    } else if (strcmp(scenario, "tpr") == 0) {
        lat = malloc(sizeof(double) * (size_t)tpr);
        t0 = now_ms();
        for (long i = 0; i < tpr; i++) {
            pthread_t t;
            if (pthread_create(&t, NULL, one_call, NULL) != 0) die("pthread_create", NULL);
            pthread_join(t, NULL);
        }
        wall = now_ms() - t0;
    } else {
        die("unknown scenario", scenario);
        return 2;
    }
    qsort(lat, (size_t)n_lat, sizeof *lat, cmp_d);
    printf("{\"scenario\":\"%s\",\"lang\":\"c\",\"impl\":\"%s\",\"n\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
           "\"max_ms\":%.3f,\"wall_s\":%.4f,\"peak_in_flight\":%d}\n",
           scenario, impl, n_lat, pct(50), pct(99), lat[n_lat - 1], wall / 1e3, peak);
    if (sb) sb_client_free(sb);
    if (use_curl) {
        curl_slist_free_all(headers);
        curl_share_cleanup(share);
    }
    free(lat);
    return 0;
}

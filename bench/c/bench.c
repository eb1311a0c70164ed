/* The C measurements of `make bench`: one JSON line per result on stdout.
 *
 *   bench overhead   N sequential status reads of one session: libsignbridge (sb_session_status)
 *                    vs one reused libcurl easy handle (keep-alive), in alternating blocks
 *   bench flow PDF   complete signing flows per second through libsignbridge
 *
 * Environment: SIM_URL, SIM_KEY, BENCH_N (default 5000), BENCH_FLOWS (default 300). */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <signbridge.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Rounds of alternating blocks (many short ones: see ROUNDS in bench/rust/src/main.rs). */
#define ROUNDS 50

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void die(const char *what, sb_code rc, sb_error *err) {
    fprintf(stderr, "bench-c: %s failed: %d %s\n", what, (int)rc, err ? err->message : "");
    exit(1);
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double *s, size_t n, double p) {
    size_t i = (size_t)((p / 100.0) * (double)n + 0.999999);
    if (i < 1) i = 1;
    if (i > n) i = n;
    return s[i - 1];
}

static void emit(const char *bench, const char *impl, double *s, size_t n, double total_us,
                 const char *extra) {
    qsort(s, n, sizeof *s, cmp_d);
    printf("{\"bench\":\"%s\",\"lang\":\"c\",\"impl\":\"%s\",\"n\":%zu,\"median_us\":%.2f,"
           "\"p90_us\":%.2f,\"ops_per_s\":%.1f%s}\n",
           bench, impl, n, pct(s, n, 50), pct(s, n, 90), (double)n / (total_us / 1e6),
           extra ? extra : "");
    fflush(stdout);
}

struct buf {
    char *p;
    size_t len, cap;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *user) {
    struct buf *b = user;
    size_t n = size * nmemb;
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) return 0;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    return n;
}

static const char *env(const char *k, const char *d) {
    const char *v = getenv(k);
    return v && *v ? v : d;
}

static sb_client *new_client(const char *base, const char *key) {
    char cfg[1024];
    snprintf(cfg, sizeof cfg, "{\"zignsec\":{\"base_url\":\"%s\",\"keys\":[\"%s\"]}}", base, key);
    sb_client *c = NULL;
    sb_error *err = NULL;
    sb_code rc = sb_client_new(cfg, &c, &err);
    if (rc != SB_OK) die("sb_client_new", rc, err);
    return c;
}

static int overhead(const char *base, const char *key, size_t n) {
    sb_client *c = new_client(base, key);
    sb_error *err = NULL;
    char *sid = NULL;
    sb_code rc = sb_session_create(c, NULL, &sid, &err);
    if (rc != SB_OK) die("sb_session_create", rc, err);

    char url[1024], hdr[256];
    snprintf(url, sizeof url, "%s/api/v5/sessions/signing/%s", base, sid);
    snprintf(hdr, sizeof hdr, "Zs-Product-Key: %s", key);
    CURL *h = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, hdr);
    struct buf b = {0};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);

    size_t per = n / ROUNDS ? n / ROUNDS : 1;
    double *s_sb = malloc(sizeof(double) * per * ROUNDS);
    double *s_cu = malloc(sizeof(double) * per * ROUNDS);
    double t_sb = 0, t_cu = 0;
    size_t k_sb = 0, k_cu = 0;
    /* warm-up */
    for (int i = 0; i < 200; i++) {
        sb_status *st = NULL;
        if ((rc = sb_session_status(c, sid, &st, &err)) != SB_OK) die("sb_session_status", rc, err);
        sb_status_free(st);
        b.len = 0;
        if (curl_easy_perform(h) != CURLE_OK) die("curl_easy_perform", 0, NULL);
    }
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_us();
        for (size_t i = 0; i < per; i++) {
            double t = now_us();
            sb_status *st = NULL;
            if ((rc = sb_session_status(c, sid, &st, &err)) != SB_OK) die("sb_session_status", rc, err);
            sb_status_free(st);
            s_sb[k_sb++] = now_us() - t;
        }
        t_sb += now_us() - t0;
        t0 = now_us();
        for (size_t i = 0; i < per; i++) {
            double t = now_us();
            b.len = 0;
            if (curl_easy_perform(h) != CURLE_OK) die("curl_easy_perform", 0, NULL);
            long code = 0;
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
            if (code != 200) die("curl status", (sb_code)code, NULL);
            s_cu[k_cu++] = now_us() - t;
        }
        t_cu += now_us() - t0;
    }
    emit("overhead", "libsignbridge sb_session_status", s_sb, k_sb, t_sb, NULL);
    emit("overhead", "libcurl reused easy handle (body unparsed)", s_cu, k_cu, t_cu, ",\"floor\":true");
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    free(b.p);
    free(s_sb);
    free(s_cu);
    sb_string_free(sid);
    sb_client_free(c);
    return 0;
}

static void read_file(const char *path, unsigned char **data, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) die("open pdf", 0, NULL);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = malloc(*len);
    if (fread(*data, 1, *len, f) != *len) die("read pdf", 0, NULL);
    fclose(f);
}

static int flow(const char *base, const char *key, const char *pdf, size_t flows) {
    sb_client *c = new_client(base, key);
    unsigned char *data;
    size_t len;
    read_file(pdf, &data, &len);
    CURL *h = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    struct buf b = {0};
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, "{}");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    double *s = malloc(sizeof(double) * flows);
    double t0 = 0;
    for (size_t i = 0; i < flows + 10; i++) {
        if (i == 10) t0 = now_us();
        double t = now_us();
        sb_error *err = NULL;
        char *sid = NULL, *fid = NULL, *redirect = NULL;
        sb_code rc;
        if ((rc = sb_session_create(c, NULL, &sid, &err)) != SB_OK) die("create", rc, err);
        if ((rc = sb_session_upload_buffer(c, sid, "contract.pdf", data, len, &fid, &err)) != SB_OK)
            die("upload", rc, err);
        const char *ids[1] = {fid};
        if ((rc = sb_session_start(c, sid, ids, NULL, 1, &redirect, &err)) != SB_OK) die("start", rc, err);
        char url[1024];
        snprintf(url, sizeof url, "%s/_sim/zignsec/signing/%s/complete", base, sid);
        curl_easy_setopt(h, CURLOPT_URL, url);
        b.len = 0;
        if (curl_easy_perform(h) != CURLE_OK) die("complete", 0, NULL);
        sb_status *st = NULL;
        if ((rc = sb_session_status(c, sid, &st, &err)) != SB_OK) die("status", rc, err);
        sb_bytes out;
        if ((rc = sb_download_to_buffer(c, st, 0, &out, &err)) != SB_OK) die("download", rc, err);
        sb_bytes_free(&out);
        sb_status_free(st);
        sb_string_free(redirect);
        sb_string_free(fid);
        sb_string_free(sid);
        if (i >= 10) s[i - 10] = now_us() - t;
    }
    emit("flow", "libsignbridge, sequential", s, flows, now_us() - t0, ",\"concurrency\":1");
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    free(b.p);
    free(s);
    free(data);
    sb_client_free(c);
    return 0;
}

int main(int argc, char **argv) {
    const char *base = env("SIM_URL", "http://127.0.0.1:8089");
    const char *key = env("SIM_KEY", "5f1c7a2e-0d3b-4c8e-9a61-2b7e4d9f0a11");
    size_t n = (size_t)strtoul(env("BENCH_N", "5000"), NULL, 10);
    size_t flows = (size_t)strtoul(env("BENCH_FLOWS", "300"), NULL, 10);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (argc >= 2 && strcmp(argv[1], "overhead") == 0) return overhead(base, key, n);
    if (argc >= 3 && strcmp(argv[1], "flow") == 0) return flow(base, key, argv[2], flows);
    fprintf(stderr, "usage: bench overhead | bench flow PDF\n");
    return 2;
}

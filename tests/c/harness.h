/*
 * Shared helpers of the C test programs: counters, checks, a sample PDF writer and a tiny HTTP
 * client for the simulator's control API (/_sim/...). Header-only; include it first.
 *
 * Environment (set by scripts/c-test.sh): SIGNBRIDGE_ZIGNSEC_URL (the simulator, http://HOST:PORT)
 * and SIGNBRIDGE_ZIGNSEC_KEY (a key it accepts); for Securosys (the same simulator serves /v1/)
 * SECUROSYS_KEY_MANAGEMENT_KEY, SECUROSYS_KEY_OPERATION_KEY, SECUROSYS_APPROVER_KEY,
 * SECUROSYS_SERVICE_KEY and SECUROSYS_JWT (the simulator's constants of the same names).
 */
#ifndef SB_TEST_HARNESS_H
#define SB_TEST_HARNESS_H

#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "signbridge.h"

static int g_passed = 0;
static int g_failed = 0;

/* Record one check. */
static inline int check_at(int ok, const char *what, const char *file, int line) {
    if (ok) {
        g_passed++;
    } else {
        g_failed++;
        fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
    }
    return ok;
}
#define CHECK(cond) check_at((cond) ? 1 : 0, #cond, __FILE__, __LINE__)

/* Check a result code; on mismatch print both names and the error's message. */
static inline int check_code_at(sb_code got, sb_code want, const sb_error *err, const char *what,
                         const char *file, int line) {
    if (got == want) {
        g_passed++;
        return 1;
    }
    g_failed++;
    fprintf(stderr, "FAIL %s:%d: %s returned %s (%d), expected %s (%d)", file, line, what,
            sb_code_name(got), (int)got, sb_code_name(want), (int)want);
    if (err != NULL) {
        fprintf(stderr, ": %s", err->message);
    }
    fprintf(stderr, "\n");
    return 0;
}
/* `got` (often the call itself) is evaluated before `err` is read. */
#define CHECK_CODE(got, want, err, what)                                                          \
    do {                                                                                          \
        sb_code check_rc_ = (got);                                                                \
        check_code_at(check_rc_, (want), (err), (what), __FILE__, __LINE__);                      \
    } while (0)

/* Check that every signbridge object was freed, print the closing line, return the exit status. */
static inline int finish(const char *name) {
    if (!CHECK(sb_live_objects() == 0)) {
        fprintf(stderr, "  %lu signbridge objects were not freed\n", (unsigned long)sb_live_objects());
    }
    printf("%s: %d passed, %d failed\n", name, g_passed, g_failed);
    fflush(stdout);
    return g_failed == 0 ? 0 : 1;
}

/* strcmp that treats NULL as different from everything. */
static inline int streq(const char *a, const char *b) { return a != NULL && b != NULL && strcmp(a, b) == 0; }

static inline const char *env_or(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return (v != NULL && v[0] != '\0') ? v : fallback;
}

static inline const char *sim_url(void) { return env_or("SIGNBRIDGE_ZIGNSEC_URL", "http://127.0.0.1:8089"); }
static inline const char *sim_key(void) { return env_or("SIGNBRIDGE_ZIGNSEC_KEY", ""); }

/* Configuration JSON for the simulator with `keys_json` (e.g. "[\"k\"]") and short backoffs. */
static inline void config_json(char *out, size_t cap, const char *keys_json, const char *transport_extra) {
    snprintf(out, cap,
             "{\"zignsec\": {\"base_url\": \"%s\", \"keys\": %s},"
             " \"transport\": {\"backoff_base_ms\": 20, \"backoff_max_ms\": 100%s%s}}",
             sim_url(), keys_json, transport_extra ? ", " : "", transport_extra ? transport_extra : "");
}

/* A client on the simulator with its accepted key; aborts the test program on failure. */
static inline sb_client *sim_client(void) {
    char keys[256], cfg[1024];
    sb_client *client = NULL;
    sb_error *err = NULL;
    snprintf(keys, sizeof keys, "[\"%s\"]", sim_key());
    config_json(cfg, sizeof cfg, keys, NULL);
    if (sb_client_new(cfg, &client, &err) != SB_OK) {
        fprintf(stderr, "cannot create a client: %s\n", err ? err->message : "?");
        sb_error_free(err);
        exit(2);
    }
    return client;
}

/* Expect SB_ERR_INVALID_ARGUMENT with an error object naming `needle` (when not NULL); frees the
 * error and resets *errp. */
static inline void expect_invalid(sb_code rc, sb_error **errp, const char *what, const char *needle) {
    sb_error *err = *errp; /* read after the call (an argument could be evaluated before it) */
    *errp = NULL;
    CHECK_CODE(rc, SB_ERR_INVALID_ARGUMENT, err, what);
    CHECK(err != NULL && err->code == SB_ERR_INVALID_ARGUMENT && streq(err->name, "SB_ERR_INVALID_ARGUMENT"));
    CHECK(err != NULL && err->message != NULL && err->http_status == 0 && err->provider_code == NULL);
    if (needle != NULL && !(err != NULL && strstr(err->message, needle) != NULL)) {
        CHECK(!"message names the argument");
        fprintf(stderr, "  %s: message %s lacks %s\n", what, err ? err->message : "(none)", needle);
    } else if (needle != NULL) {
        CHECK(1);
    }
    sb_error_free(err);
}

/* ---- Securosys (TSB) on the simulator ---- */

static inline const char *tsb_key(const char *env) { return env_or(env, ""); }

/* The api_keys object with every role's simulator key. */
static inline void tsb_all_keys(char *out, size_t cap) {
    snprintf(out, cap,
             "{\"key_management\": [\"%s\"], \"key_operation\": [\"%s\"], \"approver\": [\"%s\"],"
             " \"service\": [\"%s\"]}",
             tsb_key("SECUROSYS_KEY_MANAGEMENT_KEY"), tsb_key("SECUROSYS_KEY_OPERATION_KEY"),
             tsb_key("SECUROSYS_APPROVER_KEY"), tsb_key("SECUROSYS_SERVICE_KEY"));
}

/* Configuration JSON for the simulator's TSB: `api_keys_json` is the api_keys object (NULL: none),
 * `extra` more members of the securosys object (NULL: none). Generous request timeout: the
 * simulator generates RSA keys in a debug build. */
static inline void tsb_config(char *out, size_t cap, const char *api_keys_json, const char *extra) {
    snprintf(out, cap,
             "{\"securosys\": {\"base_url\": \"%s\"%s%s%s%s},"
             " \"transport\": {\"backoff_base_ms\": 20, \"backoff_max_ms\": 100,"
             " \"request_timeout_ms\": 300000}}",
             sim_url(), api_keys_json ? ", \"api_keys\": " : "", api_keys_json ? api_keys_json : "",
             extra ? ", " : "", extra ? extra : "");
}

/* A client from configuration JSON; exits the test program when it cannot be built. */
static inline sb_client *client_from_json(const char *cfg) {
    sb_client *client = NULL;
    sb_error *err = NULL;
    if (sb_client_new(cfg, &client, &err) != SB_OK) {
        fprintf(stderr, "cannot create a client: %s\nconfig: %s\n", err ? err->message : "?", cfg);
        sb_error_free(err);
        exit(2);
    }
    return client;
}

/* A client on the simulator's TSB with every role's key. */
static inline sb_client *tsb_client(void) {
    char keys[1024], cfg[2048];
    tsb_all_keys(keys, sizeof keys);
    tsb_config(cfg, sizeof cfg, keys, NULL);
    return client_from_json(cfg);
}

/* ---- sample PDF (same structure as signbridge_sim::sample_pdf) ---- */

typedef struct {
    char *data;
    size_t len, cap;
} buf_t;

static inline void buf_add(buf_t *b, const char *fmt, ...) {
    va_list ap;
    int n;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)(n > 0 ? n : 64) + 64;
        b->data = (char *)realloc(b->data, b->cap);
        if (b->data == NULL) {
            abort();
        }
    }
}

/* A small valid PDF with `pages` pages; free() the result. */
static inline unsigned char *make_pdf(const char *title, int pages, size_t *out_len) {
    buf_t b = {NULL, 0, 0};
    size_t offsets[64];
    int nobj = 4 + 2 * pages, i;
    char body[256];
    b.cap = 4096;
    b.data = (char *)malloc(b.cap);
    if (b.data == NULL || pages < 1 || nobj > 64) {
        abort();
    }
    buf_add(&b, "%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n");
    offsets[0] = b.len;
    buf_add(&b, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    offsets[1] = b.len;
    buf_add(&b, "2 0 obj\n<< /Type /Pages /Kids [");
    for (i = 0; i < pages; i++) {
        buf_add(&b, "%s%d 0 R", i ? " " : "", 5 + 2 * i);
    }
    buf_add(&b, "] /Count %d /Resources 3 0 R /MediaBox [0 0 595 842] >>\nendobj\n", pages);
    offsets[2] = b.len;
    buf_add(&b, "3 0 obj\n<< /Font << /F1 4 0 R >> /ProcSet [/PDF /Text] >>\nendobj\n");
    offsets[3] = b.len;
    buf_add(&b, "4 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
                " /Encoding /WinAnsiEncoding >>\nendobj\n");
    for (i = 0; i < pages; i++) {
        int n = snprintf(body, sizeof body, "BT\n/F1 24 Tf\n72 760 Td\n(%s) Tj\n/F1 12 Tf\n0 -30 Td\n"
                                            "(Page %d of %d) Tj\nET\n", title, i + 1, pages);
        offsets[4 + 2 * i] = b.len;
        buf_add(&b, "%d 0 obj\n<< /Type /Page /Parent 2 0 R /Contents %d 0 R >>\nendobj\n",
                5 + 2 * i, 6 + 2 * i);
        offsets[5 + 2 * i] = b.len;
        buf_add(&b, "%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", 6 + 2 * i, n, body);
    }
    {
        size_t xref_at = b.len;
        buf_add(&b, "xref\n0 %d\n0000000000 65535 f\r\n", nobj + 1);
        for (i = 0; i < nobj; i++) {
            buf_add(&b, "%010lu 00000 n\r\n", (unsigned long)offsets[i]);
        }
        buf_add(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%lu\n%%%%EOF\n", nobj + 1,
                (unsigned long)xref_at);
    }
    *out_len = b.len;
    return (unsigned char *)b.data;
}

static inline int write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    int ok;
    if (f == NULL) {
        return 0;
    }
    ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* The contents of `path` (free()), or NULL. */
static inline unsigned char *read_file(const char *path, size_t *out_len) {
    FILE *f = fopen(path, "rb");
    unsigned char *data;
    long n;
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = (unsigned char *)malloc(n > 0 ? (size_t)n : 1);
    if (data == NULL || (n > 0 && fread(data, 1, (size_t)n, f) != (size_t)n)) {
        free(data);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *out_len = (size_t)n;
    return data;
}

static inline int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* A fresh temporary directory (static buffer per call site is the caller's). */
static inline void temp_dir(char *out, size_t cap, const char *tag) {
    snprintf(out, cap, "%s/sbtest-%s-XXXXXX", env_or("TMPDIR", "/tmp"), tag);
    if (mkdtemp(out) == NULL) {
        perror("mkdtemp");
        exit(2);
    }
}

static inline double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* ---- the simulator's control API: one HTTP/1.1 request over a plain socket ---- */

/* Send METHOD PATH with a JSON body (or none) to the simulator; returns the HTTP status, or -1. */
static inline int sim_control(const char *method, const char *path, const char *json) {
    const char *url = sim_url();
    char host[64] = "127.0.0.1", req[2048], resp[512];
    int port = 80, fd, status = -1;
    size_t got = 0;
    ssize_t n;
    struct sockaddr_in addr;
    if (sscanf(url, "http://%63[^:/]:%d", host, &port) < 1) {
        return -1;
    }
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1 ||
        connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    snprintf(req, sizeof req,
             "%s %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
             "Content-Length: %lu\r\nConnection: close\r\n\r\n%s",
             method, path, host, port, (unsigned long)(json ? strlen(json) : 0), json ? json : "");
    if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
        close(fd);
        return -1;
    }
    while (got < sizeof resp - 1 && (n = read(fd, resp + got, sizeof resp - 1 - got)) > 0) {
        got += (size_t)n;
    }
    resp[got] = '\0';
    close(fd);
    if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1) {
        return -1;
    }
    return status;
}

/* Send METHOD PATH with a body of `content_type` (or none) to the simulator and read the whole
 * answer (head and body) into `out` (NUL-terminated, truncated to `cap`); returns the HTTP status,
 * or -1. For the hosted pages (/ui/...) and control calls whose answer matters. */
static inline int sim_request(const char *method, const char *path, const char *content_type,
                              const char *body, char *out, size_t cap) {
    const char *url = sim_url();
    char host[64] = "127.0.0.1", head[1024];
    int port = 80, fd, status = -1;
    size_t got = 0, blen = body ? strlen(body) : 0;
    ssize_t n;
    struct sockaddr_in addr;
    if (cap == 0 || sscanf(url, "http://%63[^:/]:%d", host, &port) < 1) {
        return -1;
    }
    out[0] = '\0';
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1 ||
        connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    snprintf(head, sizeof head,
             "%s %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: %s\r\nContent-Length: %lu\r\n"
             "Connection: close\r\n\r\n",
             method, path, host, port, content_type ? content_type : "application/json",
             (unsigned long)blen);
    if (write(fd, head, strlen(head)) != (ssize_t)strlen(head) ||
        (blen > 0 && write(fd, body, blen) != (ssize_t)blen)) {
        close(fd);
        return -1;
    }
    while (got < cap - 1 && (n = read(fd, out + got, cap - 1 - got)) > 0) {
        got += (size_t)n;
    }
    out[got] = '\0';
    close(fd);
    if (sscanf(out, "HTTP/1.%*d %d", &status) != 1) {
        return -1;
    }
    return status;
}

/* POST /_sim/zignsec/signing/{id}/{action} (complete, cancel, fail, expire); returns the status. */
static inline int sim_session(const char *session_id, const char *action) {
    char path[512];
    snprintf(path, sizeof path, "/_sim/zignsec/signing/%s/%s", session_id, action);
    return sim_control("POST", path, "{}");
}

/* GET `path` from the simulator; the answer's body (after the head) in `out`; the HTTP status. */
static inline int sim_get_body(const char *path, char *out, size_t cap) {
    int status = sim_request("GET", path, NULL, NULL, out, cap);
    char *body = strstr(out, "\r\n\r\n");
    if (body != NULL) {
        memmove(out, body + 4, strlen(body + 4) + 1);
    }
    return status;
}

static inline int sim_fault(const char *json) { return sim_control("POST", "/_sim/faults", json); }
static inline int sim_clear_faults(void) { return sim_control("DELETE", "/_sim/faults", NULL); }

#endif

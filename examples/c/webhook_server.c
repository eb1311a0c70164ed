/*
 * webhook_server.c: receive ZignSec webhook deliveries and authenticate each with one call to
 * libsignbridge. A small blocking HTTP/1.1 server (POSIX sockets, one connection at a time).
 *
 *   export SIGNBRIDGE_WEBHOOK_SECRET=whsec-sim-0001          # the simulator's default secret
 *   export SIGNBRIDGE_WEBHOOK_PREVIOUS_SECRET=...            # optional, during a rotation
 *   ./webhook_server [PORT [MAX_REQUESTS]]                    # PORT 0 (default): any free port
 *
 * It prints "listening on http://127.0.0.1:PORT/hook", then one line per request:
 *   200 accepted: {"event":"session_finished","session_id":"...","relay_state":"...",...}
 *   401 refused: SB_ERR_WEBHOOK_INVALID: ...   (no, malformed or wrong signature, tampered body)
 *   400 refused: SB_ERR_WEBHOOK_REPLAY: ...    (stale timestamp, or a delivery already accepted)
 * and exits after MAX_REQUESTS requests (default: never).
 *
 * Give the URL as `webhook` when creating a session (e.g. the session envelope of
 * "zignsec.eid_create" through sb_call: {"product": "bankid_se", "session": {"webhook":
 * "http://127.0.0.1:PORT/hook", "relay_state": "order-42"}}). A delivery answered
 * with anything but 2xx is sent again later, signed anew.
 *
 * Build: cc -std=c99 webhook_server.c $(pkg-config --cflags --libs signbridge) -o webhook_server
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <signbridge.h>

#define MAX_HEAD 16384
#define MAX_BODY (1024 * 1024)

static void answer(int fd, int status, const char *reason) {
    char head[160];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status,
                     reason);
    /* MSG_NOSIGNAL: a client that hung up must not kill the server with SIGPIPE. */
    if (send(fd, head, (size_t)n, MSG_NOSIGNAL) < 0) {
        perror("send");
    }
}

/* The value of header `name` in `head` (lines ending in CRLF), trimmed, copied into `out`;
 * NULL when absent. */
static const char *header(const char *head, const char *name, char *out, size_t cap) {
    size_t len = strlen(name);
    const char *line = strstr(head, "\r\n");
    while (line != NULL && line[2] != '\r' && line[2] != '\0') {
        line += 2;
        if (strncasecmp(line, name, len) == 0 && line[len] == ':') {
            const char *v = line + len + 1;
            size_t n;
            while (*v == ' ' || *v == '\t') {
                v++;
            }
            n = strcspn(v, "\r\n");
            while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t')) {
                n--;
            }
            if (n >= cap) {
                return NULL;
            }
            memcpy(out, v, n);
            out[n] = '\0';
            return out;
        }
        line = strstr(line, "\r\n");
    }
    return NULL;
}

/* Read one request from `fd` and answer it: 200, 401 or 400. */
static void serve(int fd, sb_webhook_verifier *verifier) {
    static char buf[MAX_HEAD + MAX_BODY + 1];
    char signature[512], length[32], *end = NULL, *json = NULL;
    const char *sig;
    size_t got = 0, head_len, body_len;
    ssize_t n;
    sb_error *err = NULL;
    sb_code rc;

    /* The head, up to the blank line. */
    while (end == NULL) {
        if (got >= MAX_HEAD || (n = recv(fd, buf + got, MAX_HEAD - got, 0)) <= 0) {
            answer(fd, 400, "Bad Request");
            printf("400 refused: incomplete request head\n");
            return;
        }
        got += (size_t)n;
        buf[got] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    head_len = (size_t)(end - buf) + 4;
    if (strncmp(buf, "POST ", 5) != 0 || header(buf, "Content-Length", length, sizeof length) == NULL) {
        answer(fd, 400, "Bad Request");
        printf("400 refused: not a POST with a Content-Length\n");
        return;
    }
    body_len = (size_t)strtoul(length, NULL, 10);
    if (body_len > MAX_BODY) {
        answer(fd, 400, "Bad Request");
        printf("400 refused: body of %lu bytes is too large\n", (unsigned long)body_len);
        return;
    }
    /* The raw body, exactly as sent: the signature covers these bytes. */
    while (got < head_len + body_len) {
        if ((n = recv(fd, buf + got, head_len + body_len - got, 0)) <= 0) {
            answer(fd, 400, "Bad Request");
            printf("400 refused: incomplete body\n");
            return;
        }
        got += (size_t)n;
    }

    /* One call authenticates the delivery (signature, timestamp, replay) and parses it. A missing
     * header (NULL) is an invalid delivery like a wrong one. */
    sig = header(buf, SB_WEBHOOK_SIGNATURE_HEADER, signature, sizeof signature);
    rc = sb_webhook_verify(verifier, sig, (const uint8_t *)buf + head_len, body_len, &json, &err);
    if (rc == SB_OK) {
        answer(fd, 200, "OK");
        /* Act on the event here: json has event, session_id, relay_state (your correlation id),
         * status, errors, identity. Deliveries can repeat: make the action idempotent. */
        printf("200 accepted: %s\n", json);
    } else if (rc == SB_ERR_WEBHOOK_INVALID) {
        answer(fd, 401, "Unauthorized");
        printf("401 refused: %s: %s\n", sb_code_name(rc), err ? err->message : "");
    } else if (rc == SB_ERR_WEBHOOK_REPLAY || rc == SB_ERR_PROTOCOL) {
        answer(fd, 400, "Bad Request");
        printf("400 refused: %s: %s\n", sb_code_name(rc), err ? err->message : "");
    } else {
        answer(fd, 500, "Internal Server Error");
        printf("500 error: %s: %s\n", sb_code_name(rc), err ? err->message : "");
    }
    fflush(stdout);
    sb_string_free(json);
    sb_error_free(err);
}

int main(int argc, char **argv) {
    const char *secrets[2];
    size_t n_secrets = 0;
    int port = argc > 1 ? atoi(argv[1]) : 0;
    long max_requests = argc > 2 ? atol(argv[2]) : -1, served = 0;
    sb_webhook_verifier *verifier = NULL;
    sb_error *err = NULL;
    struct sockaddr_in addr;
    socklen_t addr_len = sizeof addr;
    struct timeval timeout = {5, 0};
    int listener, one = 1;

    secrets[n_secrets] = getenv("SIGNBRIDGE_WEBHOOK_SECRET");
    if (secrets[n_secrets] != NULL && secrets[n_secrets][0] != '\0') {
        n_secrets++;
    }
    secrets[n_secrets] = getenv("SIGNBRIDGE_WEBHOOK_PREVIOUS_SECRET");
    if (secrets[n_secrets] != NULL && secrets[n_secrets][0] != '\0') {
        n_secrets++;
    }
    /* One verifier for the endpoint, shared by every request (and thread, if you add some): it
     * remembers accepted deliveries to refuse replays. Tolerance 0: the default 300 s. */
    if (sb_webhook_verifier_new(secrets, n_secrets, 0, &verifier, &err) != SB_OK) {
        fprintf(stderr, "webhook secret: %s (set SIGNBRIDGE_WEBHOOK_SECRET)\n", err->message);
        sb_error_free(err);
        return 2;
    }

    listener = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((unsigned short)port);
    if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 16) != 0 ||
        getsockname(listener, (struct sockaddr *)&addr, &addr_len) != 0) {
        perror("listen");
        sb_webhook_verifier_free(verifier);
        return 1;
    }
    printf("listening on http://127.0.0.1:%d/hook\n", (int)ntohs(addr.sin_port));
    fflush(stdout);

    while (max_requests < 0 || served < max_requests) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) {
            perror("accept");
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        serve(fd, verifier);
        close(fd);
        served++;
    }
    close(listener);
    sb_webhook_verifier_free(verifier);
    return 0;
}

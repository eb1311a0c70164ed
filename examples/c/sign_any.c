/*
 * sign_any.c: have a PDF signed by one signer with whichever provider the configuration names
 * (ZignSec BankID Norway or OneSpan Sign), using libsignbridge's provider-neutral session. The
 * code is the same for both: only the configuration file differs.
 *
 *   ./sign_any CONFIG.json contract.pdf [OUT_DIR]
 *
 * CONFIG.json, e.g. for the local simulator (`signbridge sim --port 8089`):
 *   {"zignsec": {"base_url": "http://127.0.0.1:8089", "keys": ["<subscription key>"]}}
 * or
 *   {"onespan": {"base_url": "http://127.0.0.1:8089", "api_key": {"file": "/run/secrets/onespan"}}}
 * (with both sections, add {"signing": {"provider": "onespan"}} to choose).
 *
 * It starts the session, prints its reference ("provider:id") and the signer's URL, waits (up to
 * 10 minutes) until the session is final, then saves the signed PDF(s) into OUT_DIR (default
 * "signed").
 *
 * Build: cc -std=c99 sign_any.c $(pkg-config --cflags --libs signbridge) -o sign_any
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <signbridge.h>

/* Print a failed call's details, free the error, and return 1 (the process exit status). */
static int fail(const char *what, sb_code code, sb_error *err) {
    fprintf(stderr, "%s failed: %s (%d)", what, sb_code_name(code), (int)code);
    if (err != NULL) {
        fprintf(stderr, ": %s", err->message);
    }
    fprintf(stderr, "\n");
    sb_error_free(err);
    return 1;
}

/* The whole file as a NUL-terminated string (free()), or NULL. */
static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long n;
    if (f == NULL) {
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        text = (char *)malloc((size_t)n + 1);
        if (text != NULL && fread(text, 1, (size_t)n, f) == (size_t)n) {
            text[n] = '\0';
        } else {
            free(text);
            text = NULL;
        }
    }
    fclose(f);
    return text;
}

/* Append `s` to `out` as a JSON string literal (quotes and backslashes escaped). */
static void json_string(char *out, size_t cap, const char *s) {
    size_t n = strlen(out);
    if (n + 1 < cap) {
        out[n++] = '"';
    }
    for (; *s != '\0' && n + 3 < cap; s++) {
        if (*s == '"' || *s == '\\') {
            out[n++] = '\\';
        }
        out[n++] = *s;
    }
    if (n + 1 < cap) {
        out[n++] = '"';
    }
    out[n] = '\0';
}

int main(int argc, char **argv) {
    const char *out_dir = argc > 3 ? argv[3] : "signed";
    sb_client *client = NULL;
    sb_signing_session *session = NULL;
    sb_signing_completed *done = NULL;
    sb_strings saved = {NULL, 0};
    sb_error *err = NULL;
    char request[4096];
    char *config;
    size_t i;
    sb_code rc;
    int status = 1;

    if (argc < 3) {
        fprintf(stderr, "usage: %s CONFIG.json FILE.pdf [OUT_DIR]\n", argv[0]);
        return 2;
    }
    config = slurp(argv[1]);
    if (config == NULL) {
        perror(argv[1]);
        return 1;
    }
    rc = sb_client_new(config, &client, &err);
    free(config);
    if (rc != SB_OK) {
        return fail("configuration", rc, err);
    }

    /* The session: one PDF with a signature box near the bottom of page 1, one signer. */
    strcpy(request, "{\"documents\": [{\"path\": ");
    json_string(request, sizeof request, argv[2]);
    strncat(request,
            ", \"fields\": [{\"page\": 1, \"left\": 60, \"top\": 700}]}],"
            " \"signers\": [{\"first_name\": \"Kari\", \"last_name\": \"Nordmann\","
            " \"email\": \"kari@example.com\"}]}",
            sizeof request - strlen(request) - 1);
    rc = sb_signing_start(client, NULL /* the configuration's provider */, request, &session, &err);
    if (rc != SB_OK) {
        fail("start", rc, err);
        goto out;
    }
    printf("session: %s\n", sb_signing_session_ref(session)); /* keep it: every later call takes it */
    for (i = 0; i < sb_signing_session_signer_count(session); i++) {
        printf("signer %s signs at %s\n", sb_signing_session_signer_id(session, i),
               sb_signing_session_signer_url(session, i));
    }
    fflush(stdout);

    /* Wait: poll at the provider's pace, for up to 10 minutes. */
    rc = sb_signing_wait(client, sb_signing_session_ref(session), 0, 600000, NULL, NULL, NULL, &done, &err);
    if (rc == SB_ERR_REJECTED || rc == SB_ERR_CANCELLED || rc == SB_ERR_SESSION_EXPIRED) {
        fail("signing", rc, err); /* the same codes for every provider; a decline reason in the message */
        goto out;
    } else if (rc != SB_OK) {
        fail("wait", rc, err);
        goto out;
    }
    rc = sb_signing_save_all(client, done, out_dir, &saved, &err);
    if (rc != SB_OK) {
        fail("save", rc, err);
        goto out;
    }
    for (i = 0; i < saved.len; i++) {
        printf("signed: %s\n", saved.items[i]);
    }
    status = 0;

out:
    sb_strings_free(&saved);
    sb_signing_completed_free(done);
    sb_signing_session_free(session);
    sb_client_free(client);
    return status;
}

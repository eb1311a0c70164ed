/*
 * sign.c: sign a PDF with BankID Norway through the ZignSec gateway, using libsignbridge.
 *
 *   export SIGNBRIDGE_ZIGNSEC_URL=http://127.0.0.1:8089      # e.g. `signbridge sim`
 *   export SIGNBRIDGE_ZIGNSEC_KEY=<your subscription key>
 *   ./sign contract.pdf [OUT_DIR]
 *
 * It creates a signing session for the PDF, prints the session id and the URL to send the signer
 * to, waits (up to 10 minutes) until the session is final, then saves the signed PDF(s) into
 * OUT_DIR (default "signed"), verified against the provider's checksum.
 *
 * Build: cc -std=c99 sign.c $(pkg-config --cflags --libs signbridge) -o sign
 */
#include <stdio.h>
#include <stdlib.h>

#include <signbridge.h>

/* Print a failed call's details, free the error, and return 1 (the process exit status). */
static int fail(const char *what, sb_code code, sb_error *err) {
    fprintf(stderr, "%s failed: %s (%d)", what, sb_code_name(code), (int)code);
    if (err != NULL) {
        fprintf(stderr, ": %s", err->message);
        if (err->http_status != 0) {
            fprintf(stderr, " [HTTP %u%s%s]", (unsigned)err->http_status,
                    err->provider_code != NULL ? ", " : "",
                    err->provider_code != NULL ? err->provider_code : "");
        }
    }
    fprintf(stderr, "\n");
    sb_error_free(err);
    return 1;
}

int main(int argc, char **argv) {
    const char *out_dir = argc > 2 ? argv[2] : "signed";
    sb_client *client = NULL;
    sb_status *done = NULL;
    sb_error *err = NULL;
    char *session_id = NULL;
    char *signer_url = NULL;
    sb_placement placement = {1, 60.0, 80.0}; /* page 1, 60 pt from the left, 80 pt up */
    sb_document doc = {NULL, NULL, NULL, 0, NULL};
    size_t saved = 0, i;
    sb_code rc;
    int status = 1;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.pdf [OUT_DIR]\n", argv[0]);
        return 2;
    }
    printf("libsignbridge %s (header %s)\n", sb_version(), SIGNBRIDGE_VERSION);

    /* SIGNBRIDGE_ZIGNSEC_URL (or _ENV=test|prod), SIGNBRIDGE_ZIGNSEC_KEY [, _SECONDARY_KEY]. */
    rc = sb_client_new_from_env(&client, &err);
    if (rc != SB_OK) {
        return fail("configuration", rc, err);
    }

    /* Create the session, upload the PDF and start signing, in one call. */
    doc.path = argv[1];
    doc.placement = &placement;
    rc = sb_sign_documents(client, "{\"locale\": \"En\"}", &doc, 1, &session_id, &signer_url, &err);
    if (rc != SB_OK) {
        status = fail("starting the signing session", rc, err);
        goto out;
    }
    printf("session: %s\n", session_id);
    printf("send the signer to: %s\n", signer_url);
    fflush(stdout);

    /* Poll every 2 s (the provider's recommendation) for up to 10 minutes. */
    rc = sb_session_wait(client, session_id, 2000, 10 * 60 * 1000, NULL, &done, &err);
    if (rc != SB_OK) {
        /* SB_ERR_CANCELLED, SB_ERR_SESSION_EXPIRED, SB_ERR_TIMEOUT, ... */
        status = fail("waiting for the signer", rc, err);
        goto out;
    }
    printf("%s by %s\n", sb_status_state(done),
           sb_status_signer_name(done) != NULL ? sb_status_signer_name(done) : "(not reported)");

    rc = sb_save_signed_files(client, done, out_dir, &saved, &err);
    if (rc != SB_OK) {
        status = fail("saving the signed files", rc, err);
        goto out;
    }
    for (i = 0; i < saved; i++) {
        printf("signed: %s/%s (md5 verified)\n", out_dir, sb_status_signed_file_name(done, i));
    }
    status = 0;

out:
    sb_status_free(done);
    sb_string_free(signer_url);
    sb_string_free(session_id);
    sb_client_free(client);
    return status;
}

/*
 * eid.c: identify a person with a browser-based eID (BankID SE, MitID, Freja eID, BankID NO)
 * through the ZignSec gateway, using libsignbridge.
 *
 *   export SIGNBRIDGE_ZIGNSEC_URL=http://127.0.0.1:8089      # e.g. `signbridge sim`
 *   export SIGNBRIDGE_ZIGNSEC_KEY=<your subscription key>
 *   ./eid [PRODUCT [RELAY_STATE [WEBHOOK_URL]]]
 *
 * PRODUCT is bankid_se (default), mitid, mitid_cpr_match, freja, bankid_no, or any gateway
 * product as core/CATEGORY/PRODUCT or v5/PROVIDER/OPERATION. It creates a session, prints its id
 * and the URL to send the user's browser to, polls every 2 s (up to 10 minutes) until the user
 * identified or gave up, and prints the identity. With WEBHOOK_URL (e.g. examples/c/webhook_server.c)
 * the gateway also pushes the result there.
 *
 * Build: cc -std=c99 eid.c $(pkg-config --cflags --libs signbridge) -o eid
 */
#include <stdio.h>

#include <signbridge.h>

static const char *or_dash(const char *s) { return s != NULL ? s : "-"; }

int main(int argc, char **argv) {
    const char *product = argc > 1 ? argv[1] : SB_EID_BANKID_SE;
    const char *relay_state = argc > 2 ? argv[2] : "order-42";
    sb_client *client = NULL;
    sb_eid_result *result = NULL;
    sb_error *err = NULL;
    char *session_id = NULL, *url = NULL, request[1024];
    sb_code rc;
    int status = 1;

    rc = sb_client_new_from_env(&client, &err);
    if (rc != SB_OK) {
        fprintf(stderr, "configuration: %s\n", err->message);
        sb_error_free(err);
        return 1;
    }
    /* The envelope: relay_state is your correlation id, echoed in the result, the redirect and
     * webhooks. (Arguments are pasted as is: no JSON escaping in this example.) */
    if (argc > 3) {
        snprintf(request, sizeof request, "{\"relay_state\": \"%s\", \"webhook\": \"%s\"}", relay_state,
                 argv[3]);
    } else {
        snprintf(request, sizeof request, "{\"relay_state\": \"%s\"}", relay_state);
    }
    rc = sb_eid_create(client, product, request, &session_id, &url, &err);
    if (rc != SB_OK) {
        fprintf(stderr, "creating the session: %s: %s\n", sb_code_name(rc), err->message);
        goto out;
    }
    printf("session: %s\n", session_id);
    printf("send the user to: %s\n", url);
    fflush(stdout);

    /* Poll every 2 s (the provider's recommendation) for up to 10 minutes. */
    rc = sb_eid_wait(client, product, session_id, 2000, 10 * 60 * 1000, NULL, &result, &err);
    if (rc != SB_OK) {
        /* SB_ERR_CANCELLED (the user gave up), SB_ERR_REJECTED, SB_ERR_SESSION_EXPIRED, ... */
        fprintf(stderr, "%s: %s (%s)\n", sb_code_name(rc), err->message, or_dash(err->provider_code));
        goto out;
    }
    printf("identified: %s, %s, born %s, %s (relay_state %s)\n", or_dash(sb_eid_result_full_name(result)),
           or_dash(sb_eid_result_personal_number(result)), or_dash(sb_eid_result_date_of_birth(result)),
           or_dash(sb_eid_result_country_code(result)), or_dash(sb_eid_result_relay_state(result)));
    status = 0;

out:
    sb_error_free(err);
    sb_eid_result_free(result);
    sb_string_free(url);
    sb_string_free(session_id);
    sb_client_free(client);
    return status;
}

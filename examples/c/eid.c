/*
 * eid.c: identify a person with a browser-based eID (BankID SE, MitID, Freja eID, BankID NO)
 * through the ZignSec gateway, using libsignbridge.
 *
 *   export SIGNBRIDGE_ZIGNSEC_URL=http://127.0.0.1:8089      # e.g. `signbridge sim`
 *   export SIGNBRIDGE_ZIGNSEC_KEY=<your subscription key>
 *   ./eid [PRODUCT [RELAY_STATE [WEBHOOK_URL]]]
 *
 * PRODUCT is bankid_se (default), mitid, mitid_cpr_match, bankid_no, or any gateway product as
 * core/CATEGORY/PRODUCT or v5/PROVIDER/OPERATION (Freja eID needs its "freja" options: see
 * `signbridge call --help-op zignsec.eid_create`). It creates a session, prints its id and the
 * URL to send the user's browser to, polls every 2 s (up to 10 minutes) until the user
 * identified or gave up, and prints the identity. With WEBHOOK_URL (e.g.
 * examples/c/webhook_server.c) the gateway also pushes the result there.
 *
 * The eID operations are reached through sb_call (sb_call_with for the wait): each by name
 * ("zignsec.eid_create", "zignsec.eid_wait", ...) with a JSON request and a JSON result. This
 * program reads the few result fields it needs with a small helper below; a JSON parser (e.g.
 * cJSON) reads any result.
 *
 * Build: cc -std=c99 eid.c $(pkg-config --cflags --libs signbridge) -o eid
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <signbridge.h>

/* The string value of the first `key` in the compact JSON `json`, without its quotes and with
 * escapes dropped (enough for the ids, names and numbers printed here); NULL when absent or not a
 * string. Free with free(). */
static char *json_string(const char *json, const char *key) {
    char pattern[64];
    const char *p;
    char *out, *w;
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    p = json != NULL ? strstr(json, pattern) : NULL;
    if (p == NULL) {
        return NULL;
    }
    p += strlen(pattern);
    out = malloc(strlen(p) + 1);
    if (out == NULL) {
        return NULL;
    }
    for (w = out; *p != '\0' && *p != '"'; p++) {
        if (*p == '\\' && p[1] != '\0') {
            p++;
        }
        *w++ = *p;
    }
    *w = '\0';
    return out;
}

/* The product part of a request for PRODUCT: {"product": NAME}, or a product by its path. */
static void product_json(const char *product, char *out, size_t cap) {
    char a[128], b[128];
    if (sscanf(product, "core/%127[^/]/%127s", a, b) == 2) {
        snprintf(out, cap, "\"core\": {\"category\": \"%s\", \"product\": \"%s\"}", a, b);
    } else if (sscanf(product, "v5/%127[^/]/%127s", a, b) == 2) {
        snprintf(out, cap, "\"v5\": {\"provider\": \"%s\", \"operation\": \"%s\"}", a, b);
    } else {
        snprintf(out, cap, "\"product\": \"%s\"", product);
    }
}

/* Print one identity field ("-" when absent). */
static void print_field(const char *json, const char *key, const char *after) {
    char *v = json_string(json, key);
    printf("%s%s", v != NULL ? v : "-", after);
    free(v);
}

int main(int argc, char **argv) {
    const char *relay_state = argc > 2 ? argv[2] : "order-42";
    sb_client *client = NULL;
    sb_error *err = NULL;
    char product[300], request[2048], *created = NULL, *result = NULL, *session_id = NULL, *url = NULL;
    sb_code rc;
    int status = 1;

    product_json(argc > 1 ? argv[1] : "bankid_se", product, sizeof product);
    rc = sb_client_new_from_env(&client, &err);
    if (rc != SB_OK) {
        fprintf(stderr, "configuration: %s\n", err->message);
        sb_error_free(err);
        return 1;
    }
    /* The session envelope: relay_state is your correlation id, echoed in the result, the
     * redirect and webhooks. (Arguments are pasted as is: no JSON escaping in this example.) */
    if (argc > 3) {
        snprintf(request, sizeof request, "{%s, \"session\": {\"relay_state\": \"%s\", \"webhook\": \"%s\"}}", product,
                 relay_state, argv[3]);
    } else {
        snprintf(request, sizeof request, "{%s, \"session\": {\"relay_state\": \"%s\"}}", product, relay_state);
    }
    rc = sb_call(client, "zignsec.eid_create", request, &created, &err);
    if (rc != SB_OK) {
        fprintf(stderr, "creating the session: %s: %s\n", sb_code_name(rc), err->message);
        goto out;
    }
    /* {"id": "...", "redirect_url": "https://...", "status": "Created"} */
    session_id = json_string(created, "id");
    url = json_string(created, "redirect_url");
    if (session_id == NULL || url == NULL) {
        fprintf(stderr, "unexpected result: %s\n", created);
        goto out;
    }
    printf("session: %s\n", session_id);
    printf("send the user to: %s\n", url);
    fflush(stdout);

    /* Poll every 2 s (the provider's recommendation) for up to 10 minutes (no cancel token, no
     * progress callback). */
    snprintf(request, sizeof request, "{%s, \"session_id\": \"%s\", \"interval_ms\": 2000, \"timeout_ms\": 600000}",
             product, session_id);
    rc = sb_call_with(client, "zignsec.eid_wait", request, NULL, NULL, NULL, &result, &err);
    if (rc != SB_OK) {
        /* SB_ERR_CANCELLED (the user gave up), SB_ERR_REJECTED, SB_ERR_SESSION_EXPIRED, ... */
        fprintf(stderr, "%s: %s (%s)\n", sb_code_name(rc), err->message,
                err->provider_code != NULL ? err->provider_code : "-");
        goto out;
    }
    /* {"id", "status": "Finished", "relay_state", "errors", "identity": {"full_name", ...}, "raw_result"} */
    printf("identified: ");
    print_field(result, "full_name", ", ");
    print_field(result, "personal_number", ", born ");
    print_field(result, "date_of_birth", ", ");
    print_field(result, "country_code", " (relay_state ");
    print_field(result, "relay_state", ")\n");
    status = 0;

out:
    sb_error_free(err);
    sb_string_free(result);
    sb_string_free(created);
    free(url);
    free(session_id);
    sb_client_free(client);
    return status;
}

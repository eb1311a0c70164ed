/*
 * hsm_approval.c: sign a document's SHA-256 hash with a Securosys Primus HSM key that needs 2 of
 * 3 approvers, using libsignbridge.
 *
 *   export SECUROSYS_KEY_MANAGEMENT_KEY=<key of the keyManagementToken role>
 *   export SECUROSYS_KEY_OPERATION_KEY=<key of the keyOperationToken role>
 *   export SECUROSYS_APPROVER_KEY=<key of the approverToken role>
 *   ./hsm_approval BASE_URL DOCUMENT          # BASE_URL e.g. http://127.0.0.1:8089 (`signbridge sim`)
 *
 * It creates three approver keys and a P-256 key whose policy needs 2 of them, submits the
 * document's SHA-256 digest for signing (asynchronously: the HSM waits for approvals), lets two
 * approvers approve, waits for the signature, verifies it with the HSM, and writes DOCUMENT.sig
 * (DER) and DOCUMENT.pub.pem, so that `openssl dgst -sha256 -verify DOCUMENT.pub.pem -signature
 * DOCUMENT.sig DOCUMENT` verifies it too. The key is deleted at the end.
 *
 * The Securosys API is reached through sb_call (sb_call_with for the wait): each operation by
 * name ("securosys.create_key", ...) with a JSON request and a JSON result; `signbridge call
 * --help-op NAME` describes one. This program reads the few result fields it needs with a small
 * helper below; a JSON parser (e.g. cJSON) reads any result.
 *
 * In production each approver holds their own private key (read with "securosys.approver_key"
 * from its PEM) and only their public keys go into the policy.
 *
 * Build: cc -std=c99 hsm_approval.c $(pkg-config --cflags --libs signbridge) -lcrypto -o hsm_approval
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
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

/* The end of the JSON value starting at `p` (a string, object, array or scalar). */
static const char *value_end(const char *p) {
    int depth = 0, in_string = 0;
    for (; *p != '\0'; p++) {
        if (in_string) {
            if (*p == '\\' && p[1] != '\0') {
                p++;
            } else if (*p == '"') {
                in_string = 0;
                if (depth == 0) {
                    return p + 1;
                }
            }
        } else if (*p == '"') {
            in_string = 1;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (depth == 0) {
                return p;
            }
            if (--depth == 0) {
                return p + 1;
            }
        } else if (*p == ',' && depth == 0) {
            return p;
        }
    }
    return p;
}

/* A copy of the JSON text of `key`'s value in the compact JSON `json` (strings keep their quotes
 * and escapes, so the text can go into another request as it is): the first occurrence of the
 * key, enough for the results this program reads. NULL when absent. Free with free(). */
static char *json_value(const char *json, const char *key) {
    char pattern[64];
    const char *start, *end;
    char *out;
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    start = json != NULL ? strstr(json, pattern) : NULL;
    if (start == NULL) {
        return NULL;
    }
    start += strlen(pattern);
    end = value_end(start);
    out = malloc((size_t)(end - start) + 1);
    if (out != NULL) {
        memcpy(out, start, (size_t)(end - start));
        out[end - start] = '\0';
    }
    return out;
}

/* `key`'s string value, without its quotes and with \n, \" and \\ unescaped (enough for ids and
 * PEM text). NULL when absent. Free with free(). */
static char *json_string(const char *json, const char *key) {
    char *v = json_value(json, key), *r, *w;
    if (v == NULL || v[0] != '"') {
        free(v);
        return NULL;
    }
    for (r = v + 1, w = v; *r != '\0' && *r != '"'; r++, w++) {
        if (*r == '\\' && r[1] != '\0') {
            r++;
            *w = *r == 'n' ? '\n' : *r;
        } else {
            *w = *r;
        }
    }
    *w = '\0';
    return v;
}

/* Call `operation` with `request`; on failure print it and return 0. */
static int call(sb_client *client, const char *operation, const char *request, char **result) {
    sb_error *err = NULL;
    sb_code rc = sb_call(client, operation, request, result, &err);
    if (rc != SB_OK) {
        fail(operation, rc, err);
        return 0;
    }
    return 1;
}

/* Called with each state the wait polls (JSON: id, status, approved_by, ...). */
static void show_progress(const char *state_json, void *user_data) {
    char *status = json_string(state_json, "status");
    (void)user_data;
    if (status != NULL) {
        printf("  request state: %s\n", status);
    }
    free(status);
}

/* Approve, as the approver whose private key is `pem_json` (a JSON string), the pending task of
 * request `request_id`. */
static int approve(sb_client *client, const char *pem_json, const char *name, const char *request_id) {
    char *request, *tasks = NULL, *list, *task = NULL, *id = NULL, *metadata = NULL, *done = NULL;
    const char *p;
    size_t size = strlen(pem_json) + 128;
    int ok = 0;

    request = malloc(size);
    if (request == NULL) {
        return 0;
    }
    snprintf(request, size, "{\"approver_key_pem\": %s, \"kind\": \"sign\", \"page_size\": 25}", pem_json);
    if (!call(client, "securosys.list_approval_tasks", request, &tasks)) {
        free(request);
        return 0;
    }
    free(request);
    list = json_value(tasks, "tasks"); /* [{"id": ..., "metadata": {...}, ...}, ...] */
    for (p = list != NULL ? list + 1 : ""; *p == '{'; p = *p == ',' ? p + 1 : p) {
        const char *end = value_end(p);
        task = malloc((size_t)(end - p) + 1);
        if (task == NULL) {
            break;
        }
        memcpy(task, p, (size_t)(end - p));
        task[end - p] = '\0';
        id = json_string(task, "id");
        if (id != NULL && strcmp(id, request_id) == 0) {
            /* An approver should see what they approve: the requester's metadata. */
            metadata = json_value(task, "metadata");
            printf("%s approves %s\n", name, metadata != NULL ? metadata : "(no metadata)");
            size = strlen(pem_json) + strlen(task) + 64;
            request = malloc(size);
            if (request != NULL) {
                snprintf(request, size, "{\"approver_key_pem\": %s, \"task\": %s}", pem_json, task);
                ok = call(client, "securosys.approve", request, &done);
                free(request);
            }
            break;
        }
        free(id);
        free(task);
        id = task = NULL;
        p = end;
    }
    if (!ok && metadata == NULL) {
        fprintf(stderr, "%s has no task for request %s\n", name, request_id);
    }
    sb_string_free(done);
    free(metadata);
    free(id);
    free(task);
    free(list);
    sb_string_free(tasks);
    return ok;
}

static int write_all(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fwrite(data, 1, len, f) == len;
    return (f == NULL || fclose(f) == 0) && ok;
}

int main(int argc, char **argv) {
    const char *names[3] = {"alice", "bob", "carol"};
    char *approvers[3] = {NULL, NULL, NULL}; /* {"public_key_base64": ..., "pem": ...} */
    char *pems[3] = {NULL, NULL, NULL}, *pubs[3] = {NULL, NULL, NULL};
    sb_client *client = NULL;
    sb_error *err = NULL;
    char config[2048], label[64], request[4096], path[1024];
    char *spec = NULL, *algorithm = NULL, *curve = NULL, *policy_result = NULL, *policy = NULL;
    char *key = NULL, *requested = NULL, *request_id = NULL, *waited = NULL, *signature_b64 = NULL;
    char *verified = NULL, *public_key = NULL, *pem = NULL;
    unsigned char digest[32], buf[65536], signature[1024];
    char digest_b64[64];
    int signature_len = 0, created = 0;
    EVP_MD_CTX *sha = NULL;
    unsigned int digest_len = 0;
    FILE *doc;
    size_t n;
    sb_code rc;
    int status = 1, i;

    if (argc < 3) {
        fprintf(stderr, "usage: %s BASE_URL DOCUMENT\n", argv[0]);
        return 2;
    }

    /* One client; each call carries only the API key of the role its endpoint needs. */
    snprintf(config, sizeof config,
             "{\"securosys\": {\"base_url\": \"%s\", \"api_keys\": {"
             "\"key_management\": [\"%s\"], \"key_operation\": [\"%s\"], \"approver\": [\"%s\"]}}}",
             argv[1], getenv("SECUROSYS_KEY_MANAGEMENT_KEY") ? getenv("SECUROSYS_KEY_MANAGEMENT_KEY") : "",
             getenv("SECUROSYS_KEY_OPERATION_KEY") ? getenv("SECUROSYS_KEY_OPERATION_KEY") : "",
             getenv("SECUROSYS_APPROVER_KEY") ? getenv("SECUROSYS_APPROVER_KEY") : "");
    rc = sb_client_new(config, &client, &err);
    if (rc != SB_OK) {
        return fail("configuration", rc, err);
    }

    /* The document's SHA-256 (OpenSSL's libcrypto), base64 as requests carry bytes. */
    doc = fopen(argv[2], "rb");
    if (doc == NULL) {
        perror(argv[2]);
        goto out;
    }
    sha = EVP_MD_CTX_new();
    if (sha == NULL || EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1) {
        fclose(doc);
        goto out;
    }
    while ((n = fread(buf, 1, sizeof buf, doc)) > 0) {
        EVP_DigestUpdate(sha, buf, n);
    }
    fclose(doc);
    if (EVP_DigestFinal_ex(sha, digest, &digest_len) != 1 || digest_len != sizeof digest) {
        goto out;
    }
    EVP_EncodeBlock((unsigned char *)digest_b64, digest, (int)sizeof digest);

    /* Three approvers (new P-256 key pairs) and a key that needs two of them (requests valid
     * for an hour). Nothing is sent for the key pairs and the policy. */
    for (i = 0; i < 3; i++) {
        if (!call(client, "securosys.approver_key", "{}", &approvers[i])) {
            goto out;
        }
        pems[i] = json_value(approvers[i], "pem");
        pubs[i] = json_value(approvers[i], "public_key_base64");
    }
    snprintf(request, sizeof request,
             "{\"quorum\": 2, \"timeout_s\": 3600, \"approvers\": [{\"name\": \"%s\", \"public_key_base64\": %s}, "
             "{\"name\": \"%s\", \"public_key_base64\": %s}, {\"name\": \"%s\", \"public_key_base64\": %s}]}",
             names[0], pubs[0], names[1], pubs[1], names[2], pubs[2]);
    if (!call(client, "securosys.quorum_policy", request, &policy_result)) {
        goto out;
    }
    policy = json_value(policy_result, "policy");
    /* A P-256 key's fields and usual signature algorithm (SHA256_WITH_ECDSA). */
    if (!call(client, "securosys.key_spec", "{\"key_spec\": \"p256\"}", &spec)) {
        goto out;
    }
    algorithm = json_value(spec, "signature_algorithm");
    curve = json_value(spec, "curve_oid");
    snprintf(label, sizeof label, "signbridge-example-%ld", (long)getpid());
    snprintf(request, sizeof request, "{\"label\": \"%s\", \"algorithm\": \"EC\", \"curve_oid\": %s, \"policy\": %s}",
             label, curve, policy);
    if (!call(client, "securosys.create_key", request, &key)) {
        goto out;
    }
    created = 1;
    {
        char *key_algorithm = json_string(key, "algorithm"), *key_size = json_value(key, "key_size");
        printf("key: %s (%s, %s bits, approval policy: %s)\n", label, key_algorithm != NULL ? key_algorithm : "?",
               key_size != NULL ? key_size : "?", strstr(key, "\"policy\":{") != NULL ? "yes" : "no");
        free(key_algorithm);
        free(key_size);
    }

    /* Submit the digest; approvers see the metadata. */
    snprintf(request, sizeof request,
             "{\"label\": \"%s\", \"payload_base64\": \"%s\", \"payload_kind\": \"digest\", \"algorithm\": %s, "
             "\"options\": {\"metadata\": {\"document\": \"%s\"}}}",
             label, digest_b64, algorithm, argv[2]);
    if (!call(client, "securosys.sign", request, &requested)) {
        goto out;
    }
    request_id = json_string(requested, "id");
    printf("request: %s\n", request_id);

    /* Two of the three approve. */
    for (i = 0; i < 2; i++) {
        if (!approve(client, pems[i], names[i], request_id)) {
            goto out;
        }
    }

    /* Wait for the signature: poll every 500 ms, for at most a minute. */
    snprintf(request, sizeof request, "{\"id\": \"%s\", \"interval_ms\": 500, \"timeout_ms\": 60000}", request_id);
    rc = sb_call_with(client, "securosys.wait_request", request, NULL, show_progress, NULL, &waited, &err);
    if (rc == SB_ERR_REJECTED || rc == SB_ERR_SESSION_EXPIRED) {
        fail("approval", rc, err); /* rejected by approvers, or not approved in time */
        goto out;
    } else if (rc != SB_OK) {
        fail("wait", rc, err);
        goto out;
    }
    signature_b64 = json_string(waited, "result_base64"); /* DER, base64 */

    /* Verify with the HSM, and leave the signature and public key for openssl. */
    snprintf(request, sizeof request,
             "{\"label\": \"%s\", \"payload_base64\": \"%s\", \"payload_kind\": \"digest\", \"algorithm\": %s, "
             "\"signature_base64\": \"%s\"}",
             label, digest_b64, algorithm, signature_b64 != NULL ? signature_b64 : "");
    if (!call(client, "securosys.verify", request, &verified)) {
        goto out;
    }
    snprintf(request, sizeof request, "{\"label\": \"%s\"}", label);
    if (!call(client, "securosys.public_key", request, &public_key)) {
        goto out;
    }
    pem = json_string(public_key, "pem");
    n = signature_b64 != NULL ? strlen(signature_b64) : 0;
    if (n == 0 || n > 4 * sizeof signature / 3) {
        fprintf(stderr, "unexpected signature: %s\n", waited);
        goto out;
    }
    signature_len = EVP_DecodeBlock(signature, (const unsigned char *)signature_b64, (int)n);
    signature_len -= (signature_b64[n - 1] == '=') + (signature_b64[n - 2] == '='); /* padding */
    snprintf(path, sizeof path, "%s.sig", argv[2]);
    if (signature_len <= 0 || !write_all(path, signature, (size_t)signature_len)) {
        perror(path);
        goto out;
    }
    snprintf(path, sizeof path, "%s.pub.pem", argv[2]);
    if (pem == NULL || !write_all(path, pem, strlen(pem))) {
        perror(path);
        goto out;
    }
    printf("signature: %d bytes, valid: %s\n", signature_len, strstr(verified, "\"valid\":true") ? "yes" : "NO");
    printf("check it: openssl dgst -sha256 -verify %s.pub.pem -signature %s.sig %s\n", argv[2], argv[2], argv[2]);
    status = strstr(verified, "\"valid\":true") != NULL ? 0 : 1;

out:
    if (created) {
        char *deleted = NULL;
        snprintf(request, sizeof request, "{\"label\": \"%s\"}", label);
        if (!call(client, "securosys.delete_key", request, &deleted)) { /* a demo key; keep yours */
            status = 1;
        }
        sb_string_free(deleted);
    }
    free(pem);
    sb_string_free(public_key);
    sb_string_free(verified);
    free(signature_b64);
    sb_string_free(waited);
    free(request_id);
    sb_string_free(requested);
    sb_string_free(key);
    free(curve);
    free(algorithm);
    sb_string_free(spec);
    free(policy);
    sb_string_free(policy_result);
    for (i = 0; i < 3; i++) {
        free(pems[i]);
        free(pubs[i]);
        sb_string_free(approvers[i]);
    }
    sb_client_free(client);
    EVP_MD_CTX_free(sha);
    return status;
}

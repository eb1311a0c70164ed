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
 * In production each approver holds their own private key (e.g. loaded with
 * sb_approver_key_from_pem) and only their public keys go into the policy.
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

/* Called with each state the wait polls (JSON: id, status, approved_by, ...; a JSON parser would
 * read it all, the state is all this shows). */
static void show_progress(const char *state_json, void *user_data) {
    const char *s = strstr(state_json, "\"status\":\"");
    (void)user_data;
    if (s != NULL) {
        printf("  request state: %.*s\n", (int)strcspn(s + 10, "\""), s + 10);
    }
}

/* Approve, as `approver`, the pending task of request `request_id`. */
static sb_code approve(sb_client *client, const sb_approver_key *approver, const char *name,
                       const char *request_id, sb_error **err) {
    sb_approval_tasks *tasks = NULL;
    sb_code rc = sb_securosys_list_approval_tasks(client, approver, SB_TASKS_SIGN, 25, &tasks, err);
    size_t i, n = sb_approval_tasks_count(tasks);
    for (i = 0; rc == SB_OK && i < n; i++) {
        if (strcmp(sb_approval_tasks_id(tasks, i), request_id) == 0) {
            /* An approver should see what they approve: the requester's metadata. */
            printf("%s approves %s\n", name, sb_approval_tasks_metadata_json(tasks, i));
            rc = sb_securosys_approve(client, approver, tasks, i, err);
            break;
        }
    }
    sb_approval_tasks_free(tasks);
    return rc;
}

static int write_all(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fwrite(data, 1, len, f) == len;
    return (f == NULL || fclose(f) == 0) && ok;
}

int main(int argc, char **argv) {
    const char *names[3] = {"alice", "bob", "carol"};
    const char *keys[3];
    sb_approver_key *approvers[3] = {NULL, NULL, NULL};
    sb_client *client = NULL;
    sb_key_info *key = NULL;
    sb_error *err = NULL;
    sb_bytes signature = {NULL, 0};
    char config[2048], label[64], options[512], path[1024];
    char *policy = NULL, *request_id = NULL, *pem = NULL;
    unsigned char digest[32], buf[65536];
    const char *algorithm = sb_securosys_default_algorithm(SB_KEY_P256); /* SHA256_WITH_ECDSA */
    EVP_MD_CTX *sha = NULL;
    unsigned int digest_len = 0;
    FILE *doc;
    size_t n;
    bool valid = false;
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

    /* The document's SHA-256 (OpenSSL's libcrypto). */
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

    /* Three approvers and a key that needs two of them (requests valid for an hour). */
    for (i = 0; i < 3; i++) {
        rc = sb_approver_key_generate_p256(&approvers[i], NULL, &err);
        if (rc != SB_OK) {
            fail("approver key", rc, err);
            goto out;
        }
        keys[i] = sb_approver_key_public_key_b64(approvers[i]);
    }
    rc = sb_securosys_quorum_policy(2, names, keys, 3, 3600, &policy, &err);
    if (rc != SB_OK) {
        fail("policy", rc, err);
        goto out;
    }
    snprintf(label, sizeof label, "signbridge-example-%ld", (long)getpid());
    rc = sb_securosys_create_key(client, label, SB_KEY_P256, policy, &key, &err);
    if (rc != SB_OK) {
        fail("create key", rc, err);
        goto out;
    }
    printf("key: %s (%s, %u bits, approval policy: %s)\n", sb_key_info_label(key), sb_key_info_algorithm(key),
           sb_key_info_key_size(key), sb_key_info_has_policy(key) ? "yes" : "no");

    /* Submit the digest; approvers see the metadata. */
    snprintf(options, sizeof options, "{\"metadata\": {\"document\": \"%s\"}}", argv[2]);
    rc = sb_securosys_sign(client, label, digest, sizeof digest, SB_PAYLOAD_DIGEST, algorithm, options,
                           &request_id, &err);
    if (rc != SB_OK) {
        fail("sign", rc, err);
        goto out;
    }
    printf("request: %s\n", request_id);

    /* Two of the three approve. */
    for (i = 0; i < 2; i++) {
        rc = approve(client, approvers[i], names[i], request_id, &err);
        if (rc != SB_OK) {
            fail("approve", rc, err);
            goto out;
        }
    }

    /* Wait for the signature: poll every 500 ms, for at most a minute. */
    rc = sb_securosys_wait_request(client, request_id, 500, 60000, NULL, show_progress, NULL, &signature, &err);
    if (rc == SB_ERR_REJECTED || rc == SB_ERR_SESSION_EXPIRED) {
        fail("approval", rc, err); /* rejected by approvers, or not approved in time */
        goto out;
    } else if (rc != SB_OK) {
        fail("wait", rc, err);
        goto out;
    }

    /* Verify with the HSM, and leave the signature and public key for openssl. */
    rc = sb_securosys_verify(client, label, digest, sizeof digest, SB_PAYLOAD_DIGEST, algorithm, signature.data,
                             signature.len, &valid, &err);
    if (rc != SB_OK) {
        fail("verify", rc, err);
        goto out;
    }
    rc = sb_key_info_public_key_pem(key, &pem, &err);
    if (rc != SB_OK) {
        fail("public key", rc, err);
        goto out;
    }
    snprintf(path, sizeof path, "%s.sig", argv[2]);
    if (!write_all(path, signature.data, signature.len)) {
        perror(path);
        goto out;
    }
    snprintf(path, sizeof path, "%s.pub.pem", argv[2]);
    if (!write_all(path, pem, strlen(pem))) {
        perror(path);
        goto out;
    }
    printf("signature: %lu bytes, valid: %s\n", (unsigned long)signature.len, valid ? "yes" : "NO");
    printf("check it: openssl dgst -sha256 -verify %s.pub.pem -signature %s.sig %s\n", argv[2], argv[2], argv[2]);
    status = valid ? 0 : 1;

out:
    if (key != NULL) {
        rc = sb_securosys_delete_key(client, label, &err); /* a demo key; keep yours */
        if (rc != SB_OK) {
            status = fail("delete key", rc, err);
        }
    }
    sb_string_free(pem);
    sb_bytes_free(&signature);
    sb_string_free(request_id);
    sb_key_info_free(key);
    sb_string_free(policy);
    for (i = 0; i < 3; i++) {
        sb_approver_key_free(approvers[i]);
    }
    sb_client_free(client);
    EVP_MD_CTX_free(sha);
    return status;
}

/* Helpers for the C tests that reach operations through sb_call: requests written printf-style,
 * results read with cJSON, bytes moved in and out of base64 with libcrypto. */
#ifndef SB_TEST_CALL_H
#define SB_TEST_CALL_H

#include "harness.h"

#include <cjson/cJSON.h>
#include <openssl/evp.h>

/* printf into a new string (free it). */
static inline char *vformat(const char *fmt, va_list ap) {
    va_list ap2;
    int n;
    char *out;
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    out = (char *)malloc((size_t)n + 1);
    if (out == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    return out;
}

/* Run `op` on `c` with the request printf(fmt, ...) (fmt NULL: no request) through sb_call_with
 * (`cancel`, `progress` and `user_data` may be NULL). The parsed result in *out when `out` is not
 * NULL (cJSON_Delete it; NULL on failure); the error in *err (when `err` is not NULL). */
static inline sb_code callw(sb_client *c, cJSON **out, sb_error **err, const sb_cancel_token *cancel,
                            sb_progress_fn progress, void *user_data, const char *op, const char *fmt, ...) {
    char *request = NULL, *result = (char *)&g_failed; /* not NULL: the call must clear it */
    sb_code rc;
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        request = vformat(fmt, ap);
        va_end(ap);
    }
    rc = sb_call_with(c, op, request, cancel, progress, user_data, &result, err);
    free(request);
    if (rc != SB_OK && !CHECK(result == NULL)) {
        fprintf(stderr, "  %s failed but left a result\n", op);
    }
    if (out != NULL) {
        *out = result != NULL ? cJSON_Parse(result) : NULL;
        if (result != NULL && !CHECK(*out != NULL)) {
            fprintf(stderr, "  %s: the result is not JSON: %s\n", op, result);
        }
    }
    sb_string_free(result);
    return rc;
}

/* callw without cancel token or progress. */
#define callj(c, out, err, ...) callw((c), (out), (err), NULL, NULL, NULL, __VA_ARGS__)

/* The item at `key` of object `o` (NULL when `o` is not an object or has no such key). */
static inline const cJSON *jget(const cJSON *o, const char *key) {
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

/* The string at `key`, or NULL. */
static inline const char *jstr(const cJSON *o, const char *key) {
    const cJSON *v = jget(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The number at `key`, or -1. */
static inline double jnum(const cJSON *o, const char *key) {
    const cJSON *v = jget(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* The size of the array at `key`, or -1. */
static inline int jlen(const cJSON *o, const char *key) {
    const cJSON *v = jget(o, key);
    return cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
}

/* Does the array at `key` hold the string `s`? */
static inline int jhas(const cJSON *o, const char *key, const char *s) {
    const cJSON *v = jget(o, key), *item;
    cJSON_ArrayForEach(item, v) {
        if (cJSON_IsString(item) && streq(item->valuestring, s)) {
            return 1;
        }
    }
    return 0;
}

/* `v` as compact JSON text (free it). */
static inline char *jtext(const cJSON *v) { return cJSON_PrintUnformatted(v); }

/* `s` as a JSON string literal, quotes and escapes included (free it). */
static inline char *jquote(const char *s) {
    cJSON *v = cJSON_CreateString(s);
    char *out = cJSON_PrintUnformatted(v);
    cJSON_Delete(v);
    return out;
}

/* `len` bytes as base64 (free it). */
static inline char *b64_encode(const void *data, size_t len) {
    char *out = (char *)malloc(4 * ((len + 2) / 3) + 1);
    if (out == NULL) {
        exit(2);
    }
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)data, (int)len);
    return out;
}

/* The bytes of base64 text `s` (NULL when `s` is NULL or not base64); their number in *len. */
static inline unsigned char *b64_decode(const char *s, size_t *len) {
    size_t n = s != NULL ? strlen(s) : 0;
    unsigned char *out;
    int got;
    *len = 0;
    if (s == NULL || n % 4 != 0) {
        return NULL;
    }
    out = (unsigned char *)malloc(n / 4 * 3 + 1);
    if (out == NULL) {
        exit(2);
    }
    got = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
    if (got < 0) {
        free(out);
        return NULL;
    }
    *len = (size_t)got - (n > 0 && s[n - 1] == '=') - (n > 1 && s[n - 2] == '=');
    return out;
}

#endif

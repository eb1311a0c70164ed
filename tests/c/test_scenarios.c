/* The shared scenarios (the JSON files of tests/scenarios, see its README) through `sb_call`, against the
 * simulator — the same files the Rust, Python and Node suites run. JSON is read with cJSON. */
#include "harness.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <openssl/evp.h>

#define MAX_VARS 64

static char *g_var_names[MAX_VARS];
static cJSON *g_var_values[MAX_VARS];
static int g_nvars = 0;

static void set_var(const char *name, cJSON *value) { /* takes `value` */
    int i;
    for (i = 0; i < g_nvars; i++) {
        if (strcmp(g_var_names[i], name) == 0) {
            cJSON_Delete(g_var_values[i]);
            g_var_values[i] = value;
            return;
        }
    }
    if (g_nvars == MAX_VARS) {
        fprintf(stderr, "too many scenario variables\n");
        exit(2);
    }
    g_var_names[g_nvars] = strdup(name);
    g_var_values[g_nvars] = value;
    g_nvars++;
}

static void clear_vars(void) {
    int i;
    for (i = 0; i < g_nvars; i++) {
        free(g_var_names[i]);
        cJSON_Delete(g_var_values[i]);
    }
    g_nvars = 0;
}

/* A variable's text: a string as is, anything else as compact JSON (free it). */
static char *var_text(const cJSON *v) {
    return cJSON_IsString(v) ? strdup(v->valuestring) : cJSON_PrintUnformatted(v);
}

/* A deep copy of `v` with `${name}` replaced in every string (see the README). */
static cJSON *substitute(const cJSON *v) {
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        size_t len = strlen(s), cap = len + 1, n = 0;
        char *out;
        int i;
        if (len > 3 && s[0] == '$' && s[1] == '{' && s[len - 1] == '}' && strstr(s + 2, "${") == NULL) {
            for (i = 0; i < g_nvars; i++) {
                if (strlen(g_var_names[i]) == len - 3 && strncmp(g_var_names[i], s + 2, len - 3) == 0) {
                    return cJSON_Duplicate(g_var_values[i], 1);
                }
            }
        }
        out = malloc(cap);
        while (*s) {
            int replaced = 0;
            if (s[0] == '$' && s[1] == '{') {
                for (i = 0; i < g_nvars; i++) {
                    size_t nl = strlen(g_var_names[i]);
                    if (strncmp(s + 2, g_var_names[i], nl) == 0 && s[2 + nl] == '}') {
                        char *text = var_text(g_var_values[i]);
                        size_t tl = strlen(text);
                        while (n + tl + 1 > cap) {
                            cap *= 2;
                            out = realloc(out, cap);
                        }
                        memcpy(out + n, text, tl);
                        n += tl;
                        free(text);
                        s += nl + 3;
                        replaced = 1;
                        break;
                    }
                }
            }
            if (!replaced) {
                if (n + 2 > cap) {
                    cap *= 2;
                    out = realloc(out, cap);
                }
                out[n++] = *s++;
            }
        }
        out[n] = '\0';
        {
            cJSON *r = cJSON_CreateString(out);
            free(out);
            return r;
        }
    }
    if (cJSON_IsArray(v)) {
        cJSON *a = cJSON_CreateArray(), *item;
        cJSON_ArrayForEach(item, v) { cJSON_AddItemToArray(a, substitute(item)); }
        return a;
    }
    if (cJSON_IsObject(v)) {
        cJSON *o = cJSON_CreateObject(), *item;
        cJSON_ArrayForEach(item, v) { cJSON_AddItemToObject(o, item->string, substitute(item)); }
        return o;
    }
    return cJSON_Duplicate(v, 1);
}

/* 0 when `actual` matches the subset `expected`; else 1 with the reason in `why`. */
static int mismatch(const cJSON *e, const cJSON *a, const char *at, char *why, size_t cap) {
    char here[512];
    if (cJSON_IsString(e) && strcmp(e->valuestring, "<any>") == 0 && a != NULL) {
        return 0;
    }
    if (cJSON_IsString(e) && strcmp(e->valuestring, "<nonempty>") == 0 &&
        ((cJSON_IsString(a) && a->valuestring[0] != '\0') || (cJSON_IsArray(a) && cJSON_GetArraySize(a) > 0))) {
        return 0;
    }
    if (cJSON_IsObject(e) && cJSON_IsObject(a)) {
        const cJSON *item;
        cJSON_ArrayForEach(item, e) {
            const cJSON *got = cJSON_GetObjectItemCaseSensitive(a, item->string);
            snprintf(here, sizeof here, "%s.%s", at, item->string);
            if (got == NULL) {
                snprintf(why, cap, "%s is missing", here);
                return 1;
            }
            if (mismatch(item, got, here, why, cap)) {
                return 1;
            }
        }
        return 0;
    }
    if (cJSON_IsArray(e) && cJSON_IsArray(a) && cJSON_GetArraySize(e) == cJSON_GetArraySize(a)) {
        int i, n = cJSON_GetArraySize(e);
        for (i = 0; i < n; i++) {
            snprintf(here, sizeof here, "%s[%d]", at, i);
            if (mismatch(cJSON_GetArrayItem(e, i), cJSON_GetArrayItem(a, i), here, why, cap)) {
                return 1;
            }
        }
        return 0;
    }
    if (a != NULL && cJSON_Compare(e, a, 1)) {
        return 0;
    }
    {
        char *es = cJSON_PrintUnformatted(e), *as = a ? cJSON_PrintUnformatted(a) : NULL;
        snprintf(why, cap, "%s: expected %s, got %s", at, es ? es : "?", as ? as : "nothing");
        free(es);
        free(as);
    }
    return 1;
}

/* The value at a dotted path (`files.0.id`), or NULL. */
static const cJSON *lookup(const cJSON *v, const char *path) {
    char buf[256], *seg, *save = NULL;
    snprintf(buf, sizeof buf, "%s", path);
    for (seg = strtok_r(buf, ".", &save); seg != NULL && v != NULL; seg = strtok_r(NULL, ".", &save)) {
        v = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, atoi(seg)) : cJSON_GetObjectItemCaseSensitive(v, seg);
    }
    return v;
}

static cJSON *read_json(const char *path) {
    size_t len = 0;
    unsigned char *data = read_file(path, &len);
    cJSON *v;
    if (data == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    v = cJSON_ParseWithLength((const char *)data, len);
    free(data);
    if (v == NULL) {
        fprintf(stderr, "%s is not JSON\n", path);
        exit(2);
    }
    return v;
}

static void set_builtin_vars(const char *tag, const char *tmp) {
    char run[128];
    size_t len = 0;
    unsigned char *pdf = read_file("cli/assets/sample-contract.pdf", &len);
    char *b64;
    if (pdf == NULL) {
        fprintf(stderr, "cannot read cli/assets/sample-contract.pdf\n");
        exit(2);
    }
    b64 = malloc(4 * ((len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)b64, pdf, (int)len);
    free(pdf);
    snprintf(run, sizeof run, "c%dx%s", (int)getpid(), tag);
    set_var("sim", cJSON_CreateString(sim_url()));
    set_var("run", cJSON_CreateString(run));
    set_var("tmp", cJSON_CreateString(tmp));
    set_var("pdf", cJSON_CreateString("cli/assets/sample-contract.pdf"));
    set_var("pdf_base64", cJSON_CreateString(b64));
    free(b64);
}

static void run_step(sb_client *client, const char *file, int i, const cJSON *raw) {
    cJSON *step = substitute(raw);
    const cJSON *sim = cJSON_GetObjectItemCaseSensitive(step, "sim");
    const cJSON *call = cJSON_GetObjectItemCaseSensitive(step, "call");
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(step, "error");
    char what[512], why[1024];
    snprintf(what, sizeof what, "%s step %d (%s)", file, i,
             cJSON_IsString(call) ? call->valuestring : "sim");
    if (cJSON_IsString(sim)) {
        char method[16], path[400];
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(step, "body");
        char *body_text = body ? cJSON_PrintUnformatted(body) : NULL;
        int status;
        if (sscanf(sim->valuestring, "%15s %399s", method, path) != 2) {
            fprintf(stderr, "%s: bad sim step\n", what);
            exit(2);
        }
        status = sim_control(method, path, body_text);
        free(body_text);
        if (!check_at(status >= 200 && status < 300, what, file, i)) {
            fprintf(stderr, "  %s answered %d\n", sim->valuestring, status);
        }
    } else {
        const cJSON *request = cJSON_GetObjectItemCaseSensitive(step, "request");
        char *request_text = request ? cJSON_PrintUnformatted(request) : NULL;
        char *out = NULL;
        sb_error *err = NULL;
        sb_code rc = sb_call(client, call->valuestring, request_text, &out, &err);
        free(request_text);
        if (want != NULL) {
            const char *code = cJSON_GetObjectItemCaseSensitive(want, "code")->valuestring;
            const char *frag = cJSON_GetObjectItemCaseSensitive(want, "message")->valuestring;
            int ok = rc != SB_OK && err != NULL && strcmp(err->name, code) == 0 &&
                     strstr(err->message, frag) != NULL && out == NULL;
            if (!check_at(ok, what, file, i)) {
                fprintf(stderr, "  expected %s containing \"%s\", got %s: %s\n", code, frag,
                        err ? err->name : "SB_OK", err ? err->message : (out ? out : ""));
            }
        } else if (!check_at(rc == SB_OK && out != NULL, what, file, i)) {
            fprintf(stderr, "  %s: %s\n", err ? err->name : "?", err ? err->message : "");
        } else {
            cJSON *result = cJSON_Parse(out);
            const cJSON *expect = cJSON_GetObjectItemCaseSensitive(step, "expect");
            const cJSON *save = cJSON_GetObjectItemCaseSensitive(step, "save"), *item;
            if (!check_at(result != NULL, "the result is JSON", file, i)) {
                fprintf(stderr, "  %s\n", out);
            }
            if (result != NULL && expect != NULL &&
                !check_at(!mismatch(expect, result, "result", why, sizeof why), what, file, i)) {
                fprintf(stderr, "  %s\n", why);
            }
            if (result != NULL && save != NULL) {
                cJSON_ArrayForEach(item, save) {
                    const cJSON *v = lookup(result, item->valuestring);
                    if (check_at(v != NULL, what, file, i)) {
                        set_var(item->string, cJSON_Duplicate(v, 1));
                    } else {
                        fprintf(stderr, "  no %s to save\n", item->valuestring);
                    }
                }
            }
            cJSON_Delete(result);
        }
        sb_string_free(out);
        sb_error_free(err);
    }
    cJSON_Delete(step);
}

static int is_scenario(const struct dirent *e) {
    size_t n = strlen(e->d_name);
    return n > 5 && strcmp(e->d_name + n - 5, ".json") == 0 && strcmp(e->d_name, "config.json") != 0;
}

int main(void) {
    const char *dir = env_or("SIGNBRIDGE_SCENARIOS", "tests/scenarios");
    char path[1024], tmp[512];
    struct dirent **list = NULL;
    int n, i;
    cJSON *config, *resolved;
    char *config_text;
    sb_client *client;

    snprintf(path, sizeof path, "%s/config.json", dir);
    config = read_json(path);
    set_var("sim", cJSON_CreateString(sim_url()));
    resolved = substitute(config);
    config_text = cJSON_PrintUnformatted(resolved);
    client = client_from_json(config_text);
    free(config_text);
    cJSON_Delete(resolved);
    cJSON_Delete(config);
    clear_vars();

    n = scandir(dir, &list, is_scenario, alphasort);
    CHECK(n >= 2);
    for (i = 0; i < n; i++) {
        cJSON *scenario, *steps, *step;
        int k = 0;
        snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
        scenario = read_json(path);
        temp_dir(tmp, sizeof tmp, "scenario");
        set_builtin_vars(list[i]->d_name, tmp);
        steps = cJSON_GetObjectItemCaseSensitive(scenario, "steps");
        cJSON_ArrayForEach(step, steps) { run_step(client, list[i]->d_name, k++, step); }
        clear_vars();
        cJSON_Delete(scenario);
        free(list[i]);
    }
    free(list);

    {   /* sb_operations_json lists the table; sb_call refuses bad arguments clearly. */
        char *ops = sb_operations_json(), *out = NULL;
        sb_error *err = NULL;
        cJSON *parsed = ops ? cJSON_Parse(ops) : NULL;
        CHECK(cJSON_IsArray(parsed) && cJSON_GetArraySize(parsed) > 10);
        cJSON_Delete(parsed);
        sb_string_free(ops);
        CHECK_CODE(sb_call(client, NULL, "{}", &out, &err), SB_ERR_INVALID_ARGUMENT, err, "NULL operation");
        sb_error_free(err);
        err = NULL;
        CHECK_CODE(sb_call(client, "securosys.get_key", "{not json", &out, &err), SB_ERR_INVALID_ARGUMENT, err,
                   "request that is not JSON");
        CHECK(out == NULL && err != NULL && strstr(err->message, "not JSON") != NULL);
        sb_error_free(err);
        err = NULL;
        CHECK_CODE(sb_call(client, "securosys.version_info", NULL, NULL, &err), SB_ERR_INVALID_ARGUMENT, err,
                   "NULL out_result_json");
        sb_error_free(err);
    }
    sb_client_free(client);
    return finish("test_scenarios");
}

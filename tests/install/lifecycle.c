/* Creates a client and frees it, nothing else: the program of the README's valgrind command
 * (tests/install/run.sh runs it under exactly that command, against the packaged library). */
#include <stdio.h>
#include <signbridge.h>

int main(void) {
    sb_client *client = NULL;
    sb_error *err = NULL;
    if (sb_client_new("{\"zignsec\": {\"base_url\": \"https://api.zignsec.com\", "
                      "\"keys\": [\"5f1c7a2e-0d3b-4c8e-9a61-2b7e4d9f0a11\"]}}",
                      &client, &err) != SB_OK) {
        fprintf(stderr, "sb_client_new: %s\n", err ? err->message : "?");
        sb_error_free(err);
        return 1;
    }
    sb_client_free(client);
    puts("lifecycle: created and freed a client");
    return 0;
}

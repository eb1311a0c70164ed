/* A program built against an installed libsignbridge (pkg-config): header and library agree. */
#include <stdio.h>
#include <string.h>

#include <signbridge.h>

const char *header_check(void);

int main(void) {
    int ok = strcmp(header_check(), sb_version()) == 0 && strcmp(SIGNBRIDGE_VERSION, sb_version()) == 0;
    printf("installed libsignbridge %s, header %s: %s\n", sb_version(), SIGNBRIDGE_VERSION,
           ok ? "1 passed, 0 failed" : "0 passed, 1 failed");
    return ok ? 0 : 1;
}

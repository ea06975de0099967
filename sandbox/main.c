/*
 * main.c - gavel-sandbox: runs one command isolated under limits.
 *
 * Placeholder until its issue lands: answers --help and --version honestly and refuses the rest.
 */
#include "gv.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("gavel-sandbox %s\n", GAVEL_VERSION);
        return 0;
    }
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("gavel-sandbox %s: runs one command isolated under limits.\nNot implemented yet: only --help and --version work.\n", GAVEL_VERSION);
        return 0;
    }
    fprintf(stderr, "gavel-sandbox: not implemented yet (only --help and --version)\n");
    return 2;
}

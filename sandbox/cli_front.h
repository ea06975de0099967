/*
 * cli_front.h - gavel-sandbox (a small front) hands over to gavel-sandbox-core (cli_front.c).
 */
#ifndef GAVEL_CLI_FRONT_H
#define GAVEL_CLI_FRONT_H

/* The whole program's file name, in the front's folder. */
#define CLI_CORE_NAME "gavel-sandbox-core"

/* The core's path: the front's folder + CLI_CORE_NAME; NULL when it cannot be known. */
const char *cli_front_core_path(void);

/* execv of the core with argv. outcome >= 0: the server was offered the run and did not take it
 * (a cli_client_outcome); fds are the --stdin/--stdout/--stderr descriptors (-1: none), passed on
 * open. Returns only on failure (-1, errno). */
int cli_front_exec_core(char **argv, int outcome, const int fds[3]);

/* In the core: 1 when a front handed over after an offer (*outcome, fds filled), 0 when not,
 * -1 when what it said is malformed. */
int cli_front_handed_over(int *outcome, int fds[3]);

#endif

/*
 * cli_server.h - the sandbox server: a process that keeps a pool of ready boxes and runs
 * gavel-sandbox commands' programs in them (cli_server.c), and the command's side of it
 * (cli_client.c).
 */
#ifndef GAVEL_CLI_SERVER_H
#define GAVEL_CLI_SERVER_H

#include "sandbox.h"

#include <stdbool.h>

#define CLI_SERVER_IDLE_DEFAULT_S 60 /* an auto-started server exits after this long unused */

struct cli_server_options {
    struct sbx_config cfg; /* base_dir, and n_boxes (0: 2 per CPU, 2..16) */
    unsigned idle_exit_s;  /* 0: never */
};

/* Runs a server in the foreground until SIGTERM/SIGINT, a quit request or idleness. Returns the
 * exit status: 0 (also when another server of the same executable and base folder already
 * runs), 2 when it could not start. */
int cli_server_main(const struct cli_server_options *opt);

/*** The command's side (cli_client.c) ***/

enum cli_client_mode {
    CLI_CLIENT_AUTO,    /* use a server when one runs; start one for the default base folder */
    CLI_CLIENT_OFF,     /* never (GAVEL_SANDBOX_SERVER=0) */
    CLI_CLIENT_REQUIRE, /* only through a server: not served is a failure (for tests) */
};

/* The mode GAVEL_SANDBOX_SERVER asks for: "0"/"off" -> OFF, "require" -> REQUIRE, else AUTO. */
enum cli_client_mode cli_client_mode_from_env(void);

enum cli_client_outcome {
    CLI_SERVED,     /* *rc and *r are the run's */
    CLI_NOT_SERVED, /* a server runs but did not take this run (busy, too big, ...) */
    CLI_NO_SERVER,  /* no server listens */
    CLI_LOST,       /* the server took the run and went away: *r says so (JE) */
};

/* Offers spec to the server of base_dir. why gets a reason when not served. */
enum cli_client_outcome cli_client_run(const char *base_dir, const struct sbx_spec *spec,
                                       struct sbx_result *r, int *rc, char *why, size_t why_size);

/* Starts a server for base_dir in the background (double fork, setsid, /dev/null for 0/1/2),
 * exiting after CLI_SERVER_IDLE_DEFAULT_S idle; does not wait for it. 0 or -1. */
int cli_client_spawn_server(const char *base_dir);

/* Asks every server of base_dir (any executable) to quit and waits until they have, at most
 * CLI_STOP_WAIT_MS. 0, or -1 with err. */
int cli_client_stop_servers(const char *base_dir, char *err, size_t err_size);

#endif

/*
 * serve.h - `gavel-judge serve`: the worker daemon (judge/serve.c).
 *
 *   gavel-judge serve --redis URL --problems DIR [--slots N] [--id NAME]
 *                     [--heartbeat-ttl MS] [--grace MS] [--claim-timeout MS]
 *
 * N slots (default: number of cores) each claim a job from Redis, judge it with the engine of
 * judge.h and publish its events through a queue_outbox. A heartbeat thread keeps
 * gavel:worker:{NAME} alive and runs the reaper. SIGTERM/SIGINT: stop claiming, finish what runs
 * (hand it back to the queue past the grace period), flush the events, exit 0.
 * Environment overrides for tests: GAVEL_HEARTBEAT_TTL_MS, GAVEL_GRACE_MS.
 */
#ifndef GAVEL_JUDGE_SERVE_H
#define GAVEL_JUDGE_SERVE_H

/* Runs the daemon; argv[0] is "serve". Returns the process exit status (0 clean, 2 bad usage or
 * setup failure). */
int judge_serve_main(int argc, char **argv);

#endif

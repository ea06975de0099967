/*
 * sbx_standby.c - the pool's standby thread: starts boxes' next inits off the callers' threads.
 *
 * Theory of operation. sbx_box_prestart() only marks the box WANTED and wakes this thread,
 * which the pool makes on the first call and joins in sbx_pool_free. The thread takes WANTED
 * boxes one by one (STARTING), starts each one's init (sbx_run.c's sbx_init_start_ahead: reap
 * the last run's init, reclaim what it left charged, clone the new init into the box's cgroup)
 * and marks it NONE again; the init then prepares itself and waits for "go". A run on a box
 * first settles it (sbx_standby_settle): a start still only WANTED is withdrawn (the run starts
 * its own init, which costs the same), one under way is waited for, and the box is marked as in
 * a run, which the thread leaves alone until sbx_standby_run_over. All of it under the pool's
 * lock and one condition variable.
 *
 * A run that finds no init waiting asks this thread for one too (FOR_RUN, ahead of every
 * WANTED box) and waits for it: every init is started here.
 *
 * Why a thread of its own: an init's holder dies with the thread that cloned it, and the init
 * with its holder (PR_SET_PDEATHSIG, so that a caller killed with -9 takes its boxes along),
 * and callers' threads come and go (a judge's per-job threads, an interactive validator's
 * thread, a thread that ends while its run's init is still exiting); this one lives as long as
 * the pool. It also keeps the caller's reply or output check from waiting for the clone, and an
 * init that shares memory with its cloning thread (CLONE_VM) shares that thread's errno, which
 * then is this thread's.
 */
#include "sbx_internal.h"

#include "gv.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The next box whose run waits for its init, else the next one someone wants started and no
 * run uses, or NULL. Called with pool->lock held. */
static struct sbx_box *next_wanted(struct sbx_pool *pool)
{
    for (unsigned i = 0; i < pool->n_boxes; i++)
        if (pool->boxes[i].standby == SBX_STANDBY_FOR_RUN)
            return &pool->boxes[i];
    for (unsigned i = 0; i < pool->n_boxes; i++)
        if (pool->boxes[i].standby == SBX_STANDBY_WANTED && !pool->boxes[i].in_run)
            return &pool->boxes[i];
    return NULL;
}

static void *standby_main(void *arg)
{
    struct sbx_pool *pool = arg;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        struct sbx_box *box = pool->standby_quit ? NULL : next_wanted(pool);
        if (box == NULL) {
            if (pool->standby_exit)
                break;
            pthread_cond_wait(&pool->standby_cond, &pool->lock);
            continue;
        }
        bool for_run = box->standby == SBX_STANDBY_FOR_RUN;
        box->standby = SBX_STANDBY_STARTING;
        pthread_mutex_unlock(&pool->lock);
        char err[SBX_MESSAGE_MAX];
        if (for_run)
            box->start_rc = sbx_init_start(box, &box->start_result);
        else if (sbx_init_start_ahead(box, err, sizeof err) < 0)
            gv_warn("sandbox: box %u: start its next init: %s", box->id, err);
        pthread_mutex_lock(&pool->lock);
        box->standby = SBX_STANDBY_NONE;
        pthread_cond_broadcast(&pool->standby_cond);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

/* Makes the pool's standby thread if there is none yet. Called with pool->lock held. 0 or an
 * error number. */
static int thread_up(struct sbx_pool *pool)
{
    int rc = 0;
    if (!pool->standby_up) {
        rc = pthread_create(&pool->standby_thread, NULL, standby_main, pool);
        pool->standby_up = rc == 0;
    }
    return rc;
}

int sbx_standby_start_for_run(struct sbx_box *box, struct sbx_result *r)
{
    struct sbx_pool *pool = box->pool;
    pthread_mutex_lock(&pool->lock);
    int rc = thread_up(pool);
    if (rc == 0) {
        box->standby = SBX_STANDBY_FOR_RUN;
        pthread_cond_broadcast(&pool->standby_cond);
        while (box->standby != SBX_STANDBY_NONE)
            pthread_cond_wait(&pool->standby_cond, &pool->lock);
    }
    pthread_mutex_unlock(&pool->lock);
    if (rc != 0) {
        r->status = SBX_JE;
        snprintf(r->message, sizeof r->message, "pthread_create: %s", strerror(rc));
        return -1;
    }
    if (box->start_rc < 0)
        *r = box->start_result;
    return box->start_rc;
}

int sbx_box_prestart(struct sbx_box *box, char *err, size_t err_size)
{
    struct sbx_pool *pool = box->pool;
    pthread_mutex_lock(&pool->lock);
    /* A resident init stays (one found dead is replaced by the next run): nothing to wake the
     * thread for. With the box NONE the thread does not touch it, and the caller has the box,
     * so no run does either. */
    if (box->standby == SBX_STANDBY_NONE && box->c1_pidfd >= 0 && box->c1_resident) {
        pthread_mutex_unlock(&pool->lock);
        return 0;
    }
    int rc = thread_up(pool);
    if (rc == 0 && box->standby == SBX_STANDBY_NONE) {
        box->standby = SBX_STANDBY_WANTED;
        pthread_cond_broadcast(&pool->standby_cond);
    }
    pthread_mutex_unlock(&pool->lock);
    if (rc != 0) {
        snprintf(err, err_size, "pthread_create: %s", strerror(rc));
        return -1;
    }
    return 0;
}

void sbx_standby_settle(struct sbx_box *box)
{
    struct sbx_pool *pool = box->pool;
    pthread_mutex_lock(&pool->lock);
    if (box->standby == SBX_STANDBY_WANTED)
        box->standby = SBX_STANDBY_NONE;
    while (box->standby == SBX_STANDBY_STARTING)
        pthread_cond_wait(&pool->standby_cond, &pool->lock);
    box->in_run = true;
    pthread_mutex_unlock(&pool->lock);
}

void sbx_standby_run_over(struct sbx_box *box)
{
    struct sbx_pool *pool = box->pool;
    pthread_mutex_lock(&pool->lock);
    box->in_run = false;
    if (box->standby == SBX_STANDBY_WANTED) /* asked for during the run */
        pthread_cond_broadcast(&pool->standby_cond);
    pthread_mutex_unlock(&pool->lock);
}

/* Whether the thread is starting an init. Called with pool->lock held. */
static bool starting(const struct sbx_pool *pool)
{
    for (unsigned i = 0; i < pool->n_boxes; i++)
        if (pool->boxes[i].standby == SBX_STANDBY_STARTING)
            return true;
    return false;
}

/* The thread starts nothing more; the boxes' inits are stopped while it still lives (when it
 * ends, every holder it cloned is killed, and an init that outlives its holder goes to the
 * host's init, which may never reap it); then it ends. */
void sbx_standby_stop_thread(struct sbx_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    bool up = pool->standby_up;
    pool->standby_quit = true;
    for (unsigned i = 0; i < pool->n_boxes; i++)
        if (pool->boxes[i].standby == SBX_STANDBY_WANTED)
            pool->boxes[i].standby = SBX_STANDBY_NONE;
    pthread_cond_broadcast(&pool->standby_cond);
    while (starting(pool))
        pthread_cond_wait(&pool->standby_cond, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i < pool->n_boxes; i++)
        sbx_box_standby_stop(&pool->boxes[i]);
    pthread_mutex_lock(&pool->lock);
    pool->standby_exit = true;
    pthread_cond_broadcast(&pool->standby_cond);
    pthread_mutex_unlock(&pool->lock);
    if (up)
        pthread_join(pool->standby_thread, NULL);
    pool->standby_up = false;
}

/*
 * cross_core: how dear it is, right now, for one core to read what another
 * wrote. One thread fills 1,000,000 "frames" of 704 bytes in a ring of 8
 * batches of 512; a second thread reads 5 cache lines of each, the batches
 * changing hands through semaphores, as verify -j 2's two threads do. Prints
 * the milliseconds it took:
 *
 *     cross_core             ->  "cross_core_ms=N"
 *
 * On the 2-CPU VM of docs/PERFORMANCE.md this goes from about 20 ms to about
 * 100 ms and back within minutes, and verify -j 2 slows with it: the host
 * places the virtual CPUs, not the program. scripts/bench-compare.sh runs it
 * before every `verify -j 2` run and prints it beside the run's time.
 * Built with `cc -O2 -pthread -o cross_core cross_core.c`.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BATCHES = 8, PER_BATCH = 512, FRAME = 704, FRAMES = 1000000 };

static unsigned char *batch[BATCHES];
static sem_t full, empty;
static volatile unsigned long sink;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void *reader(void *unused)
{
    (void)unused;
    unsigned long sum = 0;
    for (long b = 0, n = 0; n < FRAMES; b++) {
        sem_wait(&full);
        const unsigned char *p = batch[b % BATCHES];
        for (int i = 0; i < PER_BATCH && n < FRAMES; i++, n++) {
            const unsigned char *f = p + (size_t)i * FRAME;
            sum += f[0] + f[64] + f[200] + f[400] + f[640];
        }
        sem_post(&empty);
    }
    sink = sum;
    return NULL;
}

int main(void)
{
    for (int i = 0; i < BATCHES; i++) {
        batch[i] = aligned_alloc(64, (size_t)PER_BATCH * FRAME);
        if (!batch[i]) return 1;
        memset(batch[i], 0, (size_t)PER_BATCH * FRAME);
    }
    sem_init(&full, 0, 0);
    sem_init(&empty, 0, BATCHES);
    double start = now();
    pthread_t thread;
    if (pthread_create(&thread, NULL, reader, NULL) != 0) return 1;
    for (long b = 0, n = 0; n < FRAMES; b++) {
        sem_wait(&empty);
        unsigned char *p = batch[b % BATCHES];
        for (int i = 0; i < PER_BATCH && n < FRAMES; i++, n++) memset(p + (size_t)i * FRAME, (int)n, FRAME);
        sem_post(&full);
    }
    pthread_join(thread, NULL);
    printf("cross_core_ms=%.1f\n", now() - start);
    return 0;
}

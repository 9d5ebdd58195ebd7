/*
 * bench_sim.c - the simulator against the bare host, side by side in one process.
 *
 * Every comparison alternates short blocks of A and B (A B B A ...) so that load from other processes
 * falls on both alike, takes the ratio of each adjacent pair, and reports the median ratio with the
 * spread of the middle half (quartiles). A target is "met" only when the whole middle half is inside it,
 * "missed" when the whole middle half is outside, and "inconclusive" otherwise: the noise is larger than
 * the margin. docs/benchmarks.md says what each line means and what was measured.
 *
 *   bench_sim [--quick] [--only TEXT] [--json FILE]
 *
 * --only runs the comparisons whose name contains TEXT ("flat" and "threads" select those groups).
 *
 * The bare host floor (resmap_sim_bench_host_*, bench_floor.c) is what the simulator must do for a map
 * + unmap at the least: one mmap(MAP_FIXED | MAP_SHARED) of each contiguous run of memfd pages and one
 * anonymous PROT_NONE mmap(MAP_FIXED) back over the range, at a place inside a larger PROT_NONE arena
 * (as a reservation lies inside the system PTE arena), so the host splits and merges alike for both.
 */
#define _GNU_SOURCE
#include <wdm.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "resmap_protocol.h"
#include "resmap_sim.h"

#define TAG 'BnCh'
#define MAX_PAGES 4096u
#define SCATTER_RUN 16u  /* the simulator scatters frames in runs of 16 (sim_frames.c) */
#define MAX_PAIRS 64

/* ------------------------------------------------------------------ timing */
static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* One thing to measure: run(ctx, n) does n operations. */
struct subject {
    const char *name;
    void (*run)(void *ctx, unsigned n);
    void *ctx;
};

static double block_ns(const struct subject *s, unsigned n)
{
    double t0 = now_ns();
    s->run(s->ctx, n);
    return (now_ns() - t0) / n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(const double *sorted, int n, double q)
{
    double pos = q * (n - 1);
    int lo = (int)pos;
    double frac = pos - lo;
    return lo + 1 < n ? sorted[lo] * (1 - frac) + sorted[lo + 1] * frac : sorted[lo];
}

struct result {
    double a_ns, b_ns;          /* medians of the blocks */
    double ratio, q1, q3;       /* ratio a / b: median and quartiles of the per-pair ratios */
};

static FILE *json;
static int json_first = 1;
static int quick;
static const char *only;   /* --only TEXT: run only the comparisons whose name contains TEXT */

static int wanted(const char *name)
{
    return only == NULL || strstr(name, only) != NULL;
}
static int pairs = 21;

static const char *verdict(double q1, double q3, double target, int at_least)
{
    if (at_least) {
        return q1 >= target ? "met" : q3 < target ? "missed" : "inconclusive";
    }
    return q3 <= target ? "met" : q1 > target ? "missed" : "inconclusive";
}

static void report(const char *group, const char *name, const char *unit, const struct result *r,
                   double target, int at_least)
{
    const char *v = target > 0 ? verdict(r->q1, r->q3, target, at_least) : "-";
    printf("%-44s %10.0f %10.0f %7.3f [%6.3f %6.3f]", name, r->a_ns, r->b_ns, r->ratio, r->q1, r->q3);
    if (target > 0) {
        printf(" target %s %.2f: %s", at_least ? ">=" : "<=", target, v);
    }
    printf("\n");
    if (json != NULL) {
        fprintf(json,
                "%s\n  {\"group\": \"%s\", \"name\": \"%s\", \"a\": %.1f, \"b\": %.1f, \"unit\": \"%s\", "
                "\"ratio\": %.4f, \"q1\": %.4f, \"q3\": %.4f, \"target\": %.2f, \"at_least\": %s, "
                "\"verdict\": \"%s\"}",
                json_first ? "" : ",", group, name, r->a_ns, r->b_ns, unit, r->ratio, r->q1, r->q3, target,
                at_least ? "true" : "false", v);
        json_first = 0;
    }
}

/* Alternates blocks of a and b; per-pair ratio a/b. Each block is sized to take ~ block_us. */
static struct result compare(const struct subject *a, const struct subject *b, double block_us)
{
    double ra[MAX_PAIRS], rb[MAX_PAIRS], ratio[MAX_PAIRS];
    struct result r;
    unsigned n;
    double probe;
    /* Warm up both, then size the block by the slower of the two. */
    block_ns(a, 50);
    block_ns(b, 50);
    probe = block_ns(a, 50);
    if (block_ns(b, 50) > probe) {
        probe = block_ns(b, 50);
    }
    n = (unsigned)(block_us * 1000.0 / (probe > 1 ? probe : 1));
    if (n < 5) {
        n = 5;
    }
    for (int i = 0; i < pairs; i++) {
        if (i % 2 == 0) {
            ra[i] = block_ns(a, n);
            rb[i] = block_ns(b, n);
        } else {
            rb[i] = block_ns(b, n);
            ra[i] = block_ns(a, n);
        }
        ratio[i] = ra[i] / rb[i];
    }
    qsort(ra, pairs, sizeof(double), cmp_double);
    qsort(rb, pairs, sizeof(double), cmp_double);
    qsort(ratio, pairs, sizeof(double), cmp_double);
    r.a_ns = quantile(ra, pairs, 0.5);
    r.b_ns = quantile(rb, pairs, 0.5);
    r.ratio = quantile(ratio, pairs, 0.5);
    r.q1 = quantile(ratio, pairs, 0.25);
    r.q3 = quantile(ratio, pairs, 0.75);
    return r;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_sim: %s\n", what);
    exit(2);
}

/* ------------------------------------------------------------------ the bare host pair */
/* The floor itself lives in the library (bench_floor.c), where the Java runner reaches it too. */
struct host {
    resmap_sim_host_floor *floor;
};

static void host_init(struct host *h, size_t pages, int scattered)
{
    h->floor = resmap_sim_bench_host_open((uint32_t)pages, scattered ? SCATTER_RUN : (uint32_t)pages);
    if (h->floor == NULL) {
        die("host floor");
    }
}

static void host_run(void *ctx, unsigned n)
{
    struct host *h = ctx;
    if (resmap_sim_bench_host_run(h->floor, n) != STATUS_SUCCESS) {
        die("host floor run");
    }
}

static void host_destroy(struct host *h)
{
    resmap_sim_bench_host_close(h->floor);
}

/* ------------------------------------------------------------------ the simulated kernel, called directly */
static resmap_sim_machine *new_machine(void)
{
    resmap_sim_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.struct_size = sizeof(cfg);
    cfg.physical_pages = 3 * MAX_PAGES;
    cfg.system_ptes = 3 * MAX_PAGES;
    resmap_sim_machine *m = resmap_sim_create(&cfg);
    if (m == NULL) {
        die("resmap_sim_create");
    }
    return m;
}

struct kernel {
    resmap_sim_machine *m;
    PVOID base;
    PMDL mdl;
    int ordinary;
};

static void kernel_init(struct kernel *k, resmap_sim_machine *m, size_t pages, int scattered, int ordinary)
{
    PHYSICAL_ADDRESS low, high, skip;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    k->m = m;
    k->ordinary = ordinary;
    resmap_sim_select(m);
    k->base = ordinary ? NULL : MmAllocateMappingAddress(pages * PAGE_SIZE, TAG);
    /* Contiguous frames only when required (PREFER_CONTIGUOUS promises nothing, and the simulator then
     * scatters them in runs of 16 as for no flag). */
    k->mdl = MmAllocatePagesForMdlEx(low, high, skip, pages * PAGE_SIZE, MmCached,
                                     scattered ? 0 : MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS);
    if ((!ordinary && k->base == NULL) || k->mdl == NULL) {
        die("kernel setup");
    }
}

static void kernel_run(void *ctx, unsigned n)
{
    struct kernel *k = ctx;
    resmap_sim_select(k->m);
    for (unsigned i = 0; i < n; i++) {
        if (k->ordinary) {
            PVOID va = MmMapLockedPagesSpecifyCache(k->mdl, KernelMode, MmCached, NULL, FALSE,
                                                    NormalPagePriority);
            if (va == NULL) {
                die("ordinary map");
            }
            MmUnmapLockedPages(va, k->mdl);
        } else {
            if (MmMapLockedPagesWithReservedMapping(k->base, TAG, k->mdl, MmCached) == NULL) {
                die("reserved map");
            }
            MmUnmapReservedMapping(k->base, TAG, k->mdl);
        }
    }
}

/* ------------------------------------------------------------------ the full request path */
struct request {
    resmap_sim_session *s;
    UINT64 reservation, page_set;
    int ordinary;
};

static UINT64 create_object(resmap_sim_session *s, uint32_t code, const void *in, uint32_t len)
{
    RESMAP_OBJECT_OUT out;
    uint32_t returned = 0;
    if (resmap_sim_ioctl(s, code, in, len, &out, sizeof(out), &returned) != STATUS_SUCCESS) {
        die("setup request");
    }
    return out.Handle;
}

static void request_init(struct request *q, resmap_sim_machine *m, size_t pages, int scattered, int ordinary)
{
    RESMAP_RESERVE_IN reserve;
    RESMAP_ALLOCATE_IN allocate;
    q->s = resmap_sim_open(m);
    if (q->s == NULL) {
        die("resmap_sim_open");
    }
    q->ordinary = ordinary;
    memset(&reserve, 0, sizeof(reserve));
    reserve.Bytes = pages * PAGE_SIZE;
    reserve.PoolTag = TAG;
    q->reservation = ordinary ? 0 : create_object(q->s, IOCTL_RESMAP_RESERVE, &reserve, sizeof(reserve));
    memset(&allocate, 0, sizeof(allocate));
    allocate.Bytes = pages * PAGE_SIZE;
    allocate.CachingType = 1; /* cached */
    allocate.Flags = scattered ? 0 : RESMAP_ALLOCATE_PREFER_CONTIGUOUS;
    q->page_set = create_object(q->s, IOCTL_RESMAP_ALLOCATE_PAGES, &allocate, sizeof(allocate));
}

static void request_run(void *ctx, unsigned n)
{
    struct request *q = ctx;
    if (resmap_sim_bench_cycles(q->s, q->ordinary, q->reservation, q->page_set, TAG, n) != STATUS_SUCCESS) {
        die("request cycle");
    }
}

/* ------------------------------------------------------------------ per page count */
static void page_counts(void)
{
    static const unsigned counts[] = { 1, 16, 256, 4096 };
    printf("\n%-44s %10s %10s %7s %15s\n", "sim / bare host pair", "sim ns", "host ns", "ratio",
           "quartiles");
    for (int scattered = 0; scattered < 2; scattered++) {
        for (int ordinary = 0; ordinary < 2; ordinary++) {
            for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
                unsigned pages = counts[c];
                struct host h, hq;
                struct kernel k;
                struct request q;
                resmap_sim_machine *m = new_machine();
                char name[96];
                host_init(&h, pages, scattered);
                /* A page set allocated through the protocol has its frames in runs of 16 whatever it
                 * asks for (the protocol can only prefer contiguity): its floor has the same runs. */
                host_init(&hq, pages, 1);
                kernel_init(&k, m, pages, scattered, ordinary);
                request_init(&q, m, pages, scattered, ordinary);
                struct subject hs = { "host", host_run, &h };
                struct subject hqs = { "host", host_run, &hq };
                struct subject ks = { "kernel", kernel_run, &k };
                struct subject qs = { "request", request_run, &q };
                struct result r;
                double t1 = pages == 1 && !ordinary ? 1.1 : (pages == 4096 && !scattered) ? 1.3 : 0;
                snprintf(name, sizeof(name), "kernel %s %u %s", ordinary ? "ordinary" : "reserved", pages,
                         scattered ? "scattered" : "contiguous");
                if (!(scattered && pages == 1) && wanted(name)) { /* one page is never scattered */
                    r = compare(&ks, &hs, 400);
                    report("pages", name, "x", &r, t1, 0);
                }
                double t2 = pages == 1 && !ordinary ? 1.2 : 0;
                snprintf(name, sizeof(name), "request %s %u (runs of %u)", ordinary ? "ordinary" : "reserved",
                         pages, SCATTER_RUN);
                if (scattered && wanted(name)) {
                    r = compare(&qs, &hqs, 400);
                    report("pages", name, "x", &r, t2, 0);
                }
                resmap_sim_close(q.s);
                resmap_sim_select(NULL);
                resmap_sim_destroy(m);
                host_destroy(&h);
                host_destroy(&hq);
            }
        }
    }
}

/* ------------------------------------------------------------------ flat in live objects and threads */
static void add_pool_objects(resmap_sim_machine *m, unsigned n)
{
    resmap_sim_select(m);
    for (unsigned i = 0; i < n; i++) {
        if (ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, TAG) == NULL) {
            die("pool object");
        }
    }
}

static void *touch_machine(void *arg)
{
    resmap_sim_select(arg);
    (void)KeGetCurrentIrql();
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    KeLowerIrql(old);
    resmap_sim_select(NULL);
    return NULL;
}

static void add_threads(resmap_sim_machine *m, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, touch_machine, m) != 0) {
            die("pthread_create");
        }
        pthread_join(t, NULL);
    }
}

/* A 1-page cycle on a machine with `many` of something against one with `few`, both directly on the
 * kernel and through the request path. add() runs after the cycle's own objects exist, so that a search
 * from the newest object (or thread record) would pass all the added ones. */
static void flat_pair(const char *what, unsigned few_n, unsigned many_n,
                      void (*add)(resmap_sim_machine *m, unsigned n))
{
    resmap_sim_machine *few = new_machine(), *many = new_machine();
    struct kernel kf, km;
    struct request qf, qm;
    char name[96];
    kernel_init(&kf, few, 1, 0, 0);
    kernel_init(&km, many, 1, 0, 0);
    request_init(&qf, few, 1, 0, 0);
    request_init(&qm, many, 1, 0, 0);
    add(few, few_n);
    add(many, many_n);
    struct subject a = { "many", kernel_run, &km }, b = { "few", kernel_run, &kf };
    struct subject c = { "many", request_run, &qm }, d = { "few", request_run, &qf };
    struct result r = compare(&a, &b, 400);
    snprintf(name, sizeof(name), "kernel, %u vs %u %s", many_n, few_n, what);
    report("flat", name, "x", &r, 1.1, 0);
    r = compare(&c, &d, 400);
    snprintf(name, sizeof(name), "request, %u vs %u %s", many_n, few_n, what);
    report("flat", name, "x", &r, 1.1, 0);
    resmap_sim_close(qf.s);
    resmap_sim_close(qm.s);
    resmap_sim_destroy(few);
    resmap_sim_destroy(many);
    resmap_sim_select(NULL);
}

static void flatness(void)
{
    printf("\n%-44s %10s %10s %7s %15s\n", "many / few (1-page reserved cycle)", "many ns", "few ns", "ratio",
           "quartiles");
    flat_pair("live pool objects", 10, quick ? 2000 : 10000, add_pool_objects);
    flat_pair("threads that touched it", 1, quick ? 200 : 1000, add_threads);
}

/* ------------------------------------------------------------------ two threads */
/* A subject run on two threads at once: each thread runs its own subject, both start together; the
 * block's time per operation is the wall time over both threads' operations. */
struct pair_ctx {
    struct subject *s[2];
    pthread_barrier_t start;
    unsigned n;
};

struct worker {
    struct pair_ctx *p;
    int index;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    pthread_barrier_wait(&w->p->start);
    w->p->s[w->index]->run(w->p->s[w->index]->ctx, w->p->n);
    return NULL;
}

static void two_threads_run(void *ctx, unsigned n)
{
    struct pair_ctx *p = ctx;
    pthread_t t;
    struct worker w0 = { p, 0 }, w1 = { p, 1 };
    p->n = n;
    pthread_barrier_init(&p->start, NULL, 2);
    if (pthread_create(&t, NULL, worker_main, &w1) != 0) {
        die("pthread_create");
    }
    worker_main(&w0);
    pthread_join(t, NULL);
    pthread_barrier_destroy(&p->start);
}

/* Speed-up of two subjects run on two threads at once over the first run alone: one block of n
 * operations on one thread takes T1, a block of n operations on each of two threads takes W of wall
 * time, and the throughput ratio is 2 * T1 / W (2.0 is perfect scaling, 1.0 none). */
static struct result scaling(struct subject *one, struct subject *other, double block_us)
{
    struct pair_ctx p = { { one, other }, {}, 0 };
    struct subject two = { "two", two_threads_run, &p };
    struct result r = compare(one, &two, block_us);
    r.ratio *= 2;
    r.q1 *= 2;
    r.q3 *= 2;
    r.b_ns /= 2;
    return r;
}

static void two_threads(void)
{
    struct host h0, h1;
    host_init(&h0, 1, 0);
    host_init(&h1, 1, 0);
    resmap_sim_machine *m = new_machine(), *m2 = new_machine();
    struct request q0, q1, q2;
    request_init(&q0, m, 1, 0, 0);
    request_init(&q1, m, 1, 0, 0);
    request_init(&q2, m2, 1, 0, 0);
    struct subject hs0 = { "host", host_run, &h0 }, hs1 = { "host", host_run, &h1 };
    struct subject qs0 = { "req", request_run, &q0 }, qs1 = { "req", request_run, &q1 };
    struct subject qs2 = { "req", request_run, &q2 };
    printf("\n%-44s %10s %10s %7s %15s\n", "two threads: throughput 2 threads / 1 thread", "1-thr ns",
           "2-thr ns", "scaling", "quartiles");
    /* The blocks of one thread and two threads alternate; the ratio is the speed-up (2 = perfect). */
    struct result host = scaling(&hs0, &hs1, 2000);
    report("threads", "bare host pair, two threads of one process", "x", &host, 0, 1);
    struct result sessions = scaling(&qs0, &qs1, 2000);
    report("threads", "two sessions of one machine", "x", &sessions, 0.9 * host.ratio, 1);
    struct result machines = scaling(&qs0, &qs2, 2000);
    report("threads", "two machines", "x", &machines, 0.9 * host.ratio, 1);
    resmap_sim_close(q0.s);
    resmap_sim_close(q1.s);
    resmap_sim_close(q2.s);
    resmap_sim_destroy(m);
    resmap_sim_destroy(m2);
    host_destroy(&h0);
    host_destroy(&h1);
}

int main(int argc, char **argv)
{
    const char *json_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            quick = 1;
            pairs = 7;
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
            json_path = argv[++i];
        } else {
            fprintf(stderr, "usage: bench_sim [--quick] [--only TEXT] [--json FILE]\n");
            return 2;
        }
    }
    if (json_path != NULL) {
        json = fopen(json_path, "w");
        if (json == NULL) {
            die("cannot write the JSON file");
        }
        fprintf(json, "{\"pairs\": %d, \"results\": [", pairs);
    }
    printf("resmap simulator benchmark: medians of %d alternating block pairs; ratio [quartiles]\n", pairs);
    page_counts();
    if (wanted("flat")) {
        flatness();
    }
    if (wanted("threads")) {
        two_threads();
    }
    if (json != NULL) {
        fprintf(json, "\n]}\n");
        fclose(json);
    }
    return 0;
}

/*
 * sim_machine.c - creating, selecting, inspecting and destroying simulated machines, and the
 * bookkeeping every simulated kernel call goes through (sim_enter / sim_leave).
 */
#include "sim_machine.h"
#include "sim_iohooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PHYSICAL_PAGES 8192u
#define DEFAULT_SYSTEM_PTES    4096u
#define DEFAULT_POOL_BYTES     (16u << 20)
#define MAX_POOL_BYTES         (256u << 20)

/* The calling thread's current machine: the one the exported kernel functions act on. */
static __thread resmap_sim_machine *current_machine;
/* The serial of the last machine made (machine serials are never reused). */
static uint64_t last_machine_serial;

static void apply_defaults(resmap_sim_config *c, const resmap_sim_config *given)
{
    memset(c, 0, sizeof(*c));
    if (given != NULL) {
        /* An older, shorter struct is read only as far as it goes. */
        size_t n = given->struct_size == 0 || given->struct_size > sizeof(*c) ? sizeof(*c)
                                                                             : given->struct_size;
        memcpy(c, given, n);
    }
    c->struct_size = sizeof(*c);
    if (c->windows_build == 0) {
        c->windows_build = RESMAP_SIM_BUILD_DEFAULT;
    }
    if (c->physical_pages == 0) {
        c->physical_pages = DEFAULT_PHYSICAL_PAGES;
    }
    if (c->system_ptes == 0) {
        c->system_ptes = DEFAULT_SYSTEM_PTES;
    }
    if (c->pool_bytes == 0) {
        c->pool_bytes = DEFAULT_POOL_BYTES;
    }
}

RESMAP_SIM_API resmap_sim_machine *resmap_sim_create(const resmap_sim_config *cfg)
{
    resmap_sim_machine *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return NULL;
    }
    apply_defaults(&m->config, cfg);
    m->serial = __atomic_add_fetch(&last_machine_serial, 1, __ATOMIC_RELAXED);
    /* Limits that keep one machine's host footprint bounded (256 MiB of frames, 1 GiB of PTE VA, and
     * a pool of 256 MiB whose arena takes twice that). */
    if (m->config.physical_pages > 65536u || m->config.system_ptes > 262144u ||
        m->config.system_ptes < 3u || m->config.pool_bytes > MAX_POOL_BYTES) {
        free(m);
        return NULL;
    }
    m->verifier = (m->config.flags & RESMAP_SIM_FLAG_NO_VERIFIER) == 0;
    m->tracing = (m->config.flags & RESMAP_SIM_FLAG_TRACE) != 0;
    m->memfd = -1;
    m->pool_head.next = m->pool_head.prev = &m->pool_head;
    m->next_block_number = 1;
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->host_idle, NULL);
    sim_process_init(m);
    if (sim_frames_init(m) != 0 || sim_pool_arena_init(m) != 0 || sim_ptes_init(m) != 0 ||
        sim_user_init(m) != 0) {
        sim_user_destroy(m);
        sim_ptes_destroy(m);
        sim_pool_arena_destroy(m);
        sim_frames_destroy(m);
        sim_host_uncharge(m->host_charged);
        pthread_cond_destroy(&m->host_idle);
        pthread_mutex_destroy(&m->lock);
        free(m);
        return NULL;
    }
    return m;
}

RESMAP_SIM_API void resmap_sim_destroy(resmap_sim_machine *m)
{
    if (m == NULL) {
        return;
    }
    if (m->io_on_destroy != NULL) {
        m->io_on_destroy(m->io_state, m->dead);
    }
    if (current_machine == m) {
        current_machine = NULL;
    }
    pthread_mutex_lock(&m->lock);
    sim_block_free_all_locked(m);
    while (m->reservations != NULL) {
        struct sim_reservation *r = m->reservations;
        m->reservations = r->next;
        sim_runs_free(&r->mapped);
        free(r);
    }
    while (m->ordinary != NULL) {
        struct sim_ordinary_mapping *o = m->ordinary;
        m->ordinary = o->next;
        sim_runs_free(&o->mapped);
        free(o);
    }
    pthread_mutex_unlock(&m->lock);
    sim_user_destroy(m);
    sim_ptes_destroy(m);
    sim_pool_arena_destroy(m);
    sim_frames_destroy(m);
    /* Every host mapping of the machine went with its arenas. */
    if (!m->host_leaked) {
        sim_host_uncharge(m->host_charged);
    }
    free(m->trace);
    pthread_cond_destroy(&m->host_idle);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

RESMAP_SIM_API void resmap_sim_select(resmap_sim_machine *m)
{
    current_machine = m;
}

RESMAP_SIM_API resmap_sim_machine *resmap_sim_current(void)
{
    return current_machine;
}

RESMAP_SIM_API int resmap_sim_bugcheck(resmap_sim_machine *m, uint32_t *code, uint64_t params[4])
{
    int dead;
    if (m == NULL) {
        return 0;
    }
    pthread_mutex_lock(&m->lock);
    dead = m->dead;
    if (dead) {
        if (code != NULL) {
            *code = m->bug_code;
        }
        if (params != NULL) {
            for (int i = 0; i < 4; i++) {
                params[i] = m->bug_params[i];
            }
        }
    }
    pthread_mutex_unlock(&m->lock);
    return dead;
}

RESMAP_SIM_API int resmap_sim_get_counters(resmap_sim_machine *m, resmap_sim_counters *out)
{
    if (m == NULL || out == NULL) {
        return -1;
    }
    pthread_mutex_lock(&m->lock);
    memset(out, 0, sizeof(*out));
    out->reservations = m->reservation_count;
    out->reserved_pages = m->reserved_pages;
    out->reserved_mapped_pages = m->reserved_mapped_pages;
    out->ordinary_mappings = m->ordinary_count;
    out->ordinary_mapped_pages = m->ordinary_mapped_pages;
    out->ptes_used = m->ptes_used;
    out->ptes_total = m->ptes_total;
    out->frames_allocated = m->frames_allocated;
    out->frames_user = m->frames_user;
    out->frames_locked = m->frames_locked;
    out->frames_total = m->frames_total;
    out->mdls = m->mdl_count;
    out->pool_allocations = m->pool_allocations;
    out->pool_bytes = m->pool_bytes;
    out->user_buffers = m->user_buffer_count;
    out->sessions = m->sessions;
    out->calls = __atomic_load_n(&m->calls, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&m->lock);
    return 0;
}

RESMAP_SIM_API int resmap_sim_fail_nth(resmap_sim_machine *m, int kind, uint32_t n)
{
    if (m == NULL || kind < 1 || kind >= SIM_FAULT_KINDS) {
        return -1;
    }
    pthread_mutex_lock(&m->lock);
    m->fail_at[kind] = n == 0 ? 0 : m->attempts[kind] + n;
    m->fail_on[kind] = 0;
    pthread_mutex_unlock(&m->lock);
    return 0;
}

RESMAP_SIM_API int resmap_sim_fail_from(resmap_sim_machine *m, int kind, uint32_t n)
{
    if (m == NULL || kind < 1 || kind >= SIM_FAULT_KINDS) {
        return -1;
    }
    pthread_mutex_lock(&m->lock);
    m->fail_at[kind] = n == 0 ? 0 : m->attempts[kind] + n;
    m->fail_on[kind] = n != 0;
    pthread_mutex_unlock(&m->lock);
    return 0;
}

RESMAP_SIM_API uint64_t resmap_sim_allocations(resmap_sim_machine *m, int kind)
{
    uint64_t n;
    if (m == NULL || kind < 1 || kind >= SIM_FAULT_KINDS) {
        return 0;
    }
    pthread_mutex_lock(&m->lock);
    n = m->attempts[kind];
    pthread_mutex_unlock(&m->lock);
    return n;
}

int sim_fault_locked(resmap_sim_machine *m, int kind)
{
    m->attempts[kind]++;
    if (m->fail_at[kind] != 0 && m->fail_on[kind] && m->attempts[kind] >= m->fail_at[kind]) {
        return 1; /* persistent: this one and every later one, until cancelled */
    }
    if (m->fail_at[kind] != 0 && m->attempts[kind] == m->fail_at[kind]) {
        m->fail_at[kind] = 0;
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ per-thread state */
/* Each thread keeps its records (one per machine it has touched) in its own list, most recently used
 * first. A record that holds nothing but the defaults (PASSIVE_LEVEL, not probing) says no more than no
 * record at all, so once the list grows past RECORDS_KEPT such records are dropped: a thread that
 * touches many machines one after the other keeps a short list. The rest go when the thread ends. */
#define RECORDS_KEPT 8

static __thread struct sim_thread *thread_records;
static uint64_t records_live;   /* all threads' records, for the tests */
static pthread_key_t records_key;
static pthread_once_t records_once = PTHREAD_ONCE_INIT;

/* The key's value is only a marker that makes the destructor run; the list is thread_records. */
static void free_records(void *marker)
{
    struct sim_thread *t = thread_records;
    (void)marker;
    while (t != NULL) {
        struct sim_thread *next = t->next;
        free(t);
        __atomic_sub_fetch(&records_live, 1, __ATOMIC_RELAXED);
        t = next;
    }
    thread_records = NULL;
}

static void make_records_key(void)
{
    pthread_key_create(&records_key, free_records);
}

static int record_is_default(const struct sim_thread *t)
{
    return t->irql == PASSIVE_LEVEL && !t->in_probe_wrapper;
}

static void drop_default_records(void)
{
    struct sim_thread **link = &thread_records;
    size_t kept = 0;
    while (*link != NULL) {
        struct sim_thread *t = *link;
        if (++kept > 1 && record_is_default(t)) {
            *link = t->next;
            free(t);
            __atomic_sub_fetch(&records_live, 1, __ATOMIC_RELAXED);
        } else {
            link = &t->next;
        }
    }
}

struct sim_thread *sim_thread(const resmap_sim_machine *m)
{
    struct sim_thread **link = &thread_records;
    struct sim_thread *t;
    size_t length = 0;
    for (t = thread_records; t != NULL; link = &t->next, t = t->next, length++) {
        if (t->machine == m && t->machine_serial == m->serial) {
            if (t != thread_records) {
                *link = t->next;
                t->next = thread_records;
                thread_records = t;
            }
            return t;
        }
    }
    t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    __atomic_add_fetch(&records_live, 1, __ATOMIC_RELAXED);
    t->machine = m;
    t->machine_serial = m->serial;
    t->irql = PASSIVE_LEVEL;
    t->next = thread_records;
    thread_records = t;
    if (t->next == NULL) {
        /* The thread's first record: have the list freed when the thread ends. */
        pthread_once(&records_once, make_records_key);
        pthread_setspecific(records_key, &thread_records);
    }
    if (length >= RECORDS_KEPT) {
        drop_default_records();
    }
    return t;
}

uint64_t sim_thread_records_live(void)
{
    return __atomic_load_n(&records_live, __ATOMIC_RELAXED);
}

KIRQL sim_irql(const resmap_sim_machine *m)
{
    struct sim_thread *t = sim_thread(m);
    return t != NULL ? t->irql : PASSIVE_LEVEL;
}

RESMAP_SIM_API uint8_t resmap_sim_irql(resmap_sim_machine *m)
{
    return m == NULL ? 0 : sim_irql(m);
}

RESMAP_SIM_API void resmap_sim_set_irql(resmap_sim_machine *m, uint8_t irql)
{
    struct sim_thread *t = m == NULL ? NULL : sim_thread(m);
    if (t != NULL) {
        t->irql = irql;
    }
}

/* ------------------------------------------------------------------ the I/O manager's seam */
void sim_set_io_state(resmap_sim_machine *m, void *state, void (*on_destroy)(void *state, int dead))
{
    if (m == NULL) {
        return;
    }
    pthread_mutex_lock(&m->lock);
    m->io_state = state;
    m->io_on_destroy = on_destroy;
    pthread_mutex_unlock(&m->lock);
}

void *sim_get_io_state(resmap_sim_machine *m)
{
    void *state;
    if (m == NULL) {
        return NULL;
    }
    pthread_mutex_lock(&m->lock);
    state = m->io_state;
    pthread_mutex_unlock(&m->lock);
    return state;
}

void sim_count_sessions(resmap_sim_machine *m, int delta)
{
    if (m == NULL) {
        return;
    }
    pthread_mutex_lock(&m->lock);
    m->sessions += (uint64_t)(int64_t)delta;
    pthread_mutex_unlock(&m->lock);
}

/* ------------------------------------------------------------------ one kernel call */
resmap_sim_machine *sim_enter(struct sim_call *call, const char *name,
                              const struct sim_irql_check *check)
{
    resmap_sim_machine *m = current_machine;
    KIRQL irql;
    /* Not a memset of the whole call: its text buffers are written only when the call is traced. */
    call->m = NULL;
    call->name = name;
    call->args[0] = '\0';
    call->result[0] = '\0';
    call->quiet = 0;
    call->bugcheck_pending = 0;
    if (m == NULL) {
        return NULL;
    }
    pthread_mutex_lock(&m->lock);
    if (m->dead) {
        pthread_mutex_unlock(&m->lock);
        sim_unwind_if_dead(m);
        return NULL;
    }
    call->m = m;
    __atomic_add_fetch(&m->calls, 1, __ATOMIC_RELAXED); /* sim_check_call counts without the lock */
    irql = sim_irql(m);
    if (check != NULL && irql > check->max && m->verifier) {
        sim_call_args(call, "at IRQL %u", irql);
        sim_call_bugcheck(call, check->code, check->p1, irql, check->p3, check->p4);
        sim_leave(call);
        return NULL;
    }
    return m;
}

resmap_sim_machine *sim_check_call(const char *name, const struct sim_irql_check *check)
{
    resmap_sim_machine *m = current_machine;
    struct sim_call call;
    if (m == NULL) {
        return NULL;
    }
    if (__atomic_load_n(&m->dead, __ATOMIC_ACQUIRE)) {
        sim_unwind_if_dead(m);
        return NULL;
    }
    if (m->verifier && check != NULL && sim_irql(m) > check->max) {
        /* The violation takes the ordinary path, which counts, traces and raises it. */
        if (sim_enter(&call, name, check) != NULL) {
            call.quiet = 1;
            sim_leave(&call);
        }
        return NULL;
    }
    __atomic_add_fetch(&m->calls, 1, __ATOMIC_RELAXED);
    return m;
}

void sim_call_bugcheck(struct sim_call *call, ULONG code, ULONG_PTR p1, ULONG_PTR p2, ULONG_PTR p3,
                       ULONG_PTR p4)
{
    if (call->bugcheck_pending) {
        return;
    }
    call->bugcheck_pending = 1;
    call->code = code;
    call->params[0] = p1;
    call->params[1] = p2;
    call->params[2] = p3;
    call->params[3] = p4;
}

void sim_call_args(struct sim_call *call, const char *fmt, ...)
{
    va_list ap;
    if (call->m == NULL || !call->m->tracing) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(call->args, sizeof(call->args), fmt, ap);
    va_end(ap);
}

void sim_call_result(struct sim_call *call, const char *fmt, ...)
{
    va_list ap;
    if (call->m == NULL || !call->m->tracing) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(call->result, sizeof(call->result), fmt, ap);
    va_end(ap);
}

void sim_leave(struct sim_call *call)
{
    resmap_sim_machine *m = call->m;
    if (m == NULL) {
        return;
    }
    if (m->tracing && (!call->quiet || call->bugcheck_pending)) {
        char line[512];
        if (call->bugcheck_pending) {
            char prefix[400];
            snprintf(prefix, sizeof(prefix), "%s(%s) -> BUGCHECK ", call->name, call->args);
            sim_format_bugcheck_locked(m, prefix, call->code, call->params, line, sizeof(line));
        } else if (call->result[0] != '\0') {
            snprintf(line, sizeof(line), "%s(%s) = %s\n", call->name, call->args, call->result);
        } else {
            snprintf(line, sizeof(line), "%s(%s)\n", call->name, call->args);
        }
        sim_trace_line_locked(m, line);
    }
    pthread_mutex_unlock(&m->lock);
    if (call->bugcheck_pending) {
        sim_bugcheck(m, call->code, call->params[0], call->params[1], call->params[2],
                     call->params[3]);
    }
}

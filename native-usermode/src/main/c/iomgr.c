/*
 * iomgr.c - the simulated I/O manager: what the Windows I/O manager and the KMDF layer give the
 * driver core, given to it on a simulated machine.
 *
 *   resmap_sim_open   = IRP_MJ_CREATE on the resmap device: a new core session;
 *   resmap_sim_ioctl  = IRP_MJ_DEVICE_CONTROL, METHOD_BUFFERED: one system buffer of max(in, out)
 *                       bytes holds the input on entry and the output on return; only the bytes the
 *                       core reports (never more than out_len) are copied back, and none for an error;
 *   resmap_sim_close  = the last handle closed: IRP_MJ_CLEANUP at once, IRP_MJ_CLOSE once the
 *                       requests in flight on the session have completed.
 *
 * A session has the lifetime Windows gives a file object: a request that arrives after the close has
 * begun gets STATUS_FILE_CLOSED and never reaches the driver; requests already in flight run to
 * completion (one that gets the session lock after the cleanup finds the session empty, and whatever
 * it makes is torn down by the close); resmap_sim_close returns only once IRP_MJ_CLOSE has run. The
 * closed session's record stays, refusing every request, until its machine is destroyed, so a thread
 * that still holds the pointer gets a status rather than freed memory (as a closed handle value gets
 * STATUS_INVALID_HANDLE on Windows rather than another file's object).
 *
 * Every entry into the core runs inside sim_guarded_call, so a simulated bugcheck abandons the
 * request the way the real kernel would, and is reported as RESMAP_SIM_STATUS_BUGCHECKED. Once the
 * machine is dead the core never runs again; only host memory is released.
 *
 * The core's device (one per machine) is created on the first open. The sessions of a machine are
 * kept on a list so that destroying the machine can release their host memory.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "resmap_core.h"
#include "resmap_sim.h"
#include "sim_iohooks.h"

enum session_state {
    SESSION_OPEN,
    SESSION_CLOSING,    /* resmap_sim_close has begun: no new request */
    SESSION_CLOSED      /* IRP_MJ_CLOSE has run: the core session is gone */
};

struct resmap_sim_session {
    resmap_sim_machine *machine;
    PRESMAP_SESSION core;
    struct resmap_sim_session *next;
    struct resmap_sim_session *prev;
    pthread_mutex_t lock;           /* guards state and in_flight */
    pthread_cond_t idle;            /* signalled when in_flight drops to 0 */
    enum session_state state;
    unsigned in_flight;             /* requests inside the core on this session */
};

/* Per machine, owned through sim_set_io_state. */
typedef struct iomgr_state {
    resmap_sim_machine *machine;
    PRESMAP_DEVICE device;          /* NULL until the first open succeeds in creating it */
    struct resmap_sim_session *sessions;
    struct resmap_sim_session *closed;  /* closed sessions, kept until the machine goes (see above) */
} iomgr_state;

/* Guards every machine's iomgr_state (its creation and its session list). Host-side bookkeeping
 * only: the driver core itself keeps no global state. */
static pthread_mutex_t iomgr_lock = PTHREAD_MUTEX_INITIALIZER;

static void iomgr_close_in_kernel(void *ctx);

static void free_session(struct resmap_sim_session *s)
{
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static void iomgr_delete_device_in_kernel(void *ctx)
{
    ResmapCoreDeviceDelete(ctx);
}

/*
 * Destroying a live machine plays what Windows does when the last process using the device exits and
 * the driver is then stopped: every session still open is cleaned up and closed, then the driver's
 * device is deleted, all through the real core, so its teardown and unload paths run here too. Once
 * the machine is dead (before or during this), the core is not entered again and the kernel model
 * reclaims the pool behind the device and sessions itself; only host memory is freed here.
 */
static void iomgr_on_destroy(void *state, int dead)
{
    iomgr_state *io = state;
    struct resmap_sim_session *s;
    struct resmap_sim_session *open_sessions;

    pthread_mutex_lock(&iomgr_lock);
    open_sessions = io->sessions;
    io->sessions = NULL;
    pthread_mutex_unlock(&iomgr_lock);
    while ((s = open_sessions) != NULL) {
        open_sessions = s->next;
        if (!dead) {
            dead = sim_guarded_call(io->machine, iomgr_close_in_kernel, s->core);
        }
        free_session(s);
    }
    while ((s = io->closed) != NULL) {
        io->closed = s->next;
        free_session(s);
    }
    if (!dead && io->device != NULL) {
        sim_guarded_call(io->machine, iomgr_delete_device_in_kernel, io->device);
    }
    free(io);
}

/* Returns the machine's state, creating it on first use; NULL if the host has no memory. */
static iomgr_state *iomgr_state_of(resmap_sim_machine *m)
{
    iomgr_state *io;

    pthread_mutex_lock(&iomgr_lock);
    io = sim_get_io_state(m);
    if (io == NULL) {
        io = calloc(1, sizeof(*io));
        if (io != NULL) {
            io->machine = m;
            sim_set_io_state(m, io, iomgr_on_destroy);
        }
    }
    pthread_mutex_unlock(&iomgr_lock);
    return io;
}

typedef struct open_call {
    iomgr_state *io;
    PRESMAP_SESSION core;
    NTSTATUS status;
} open_call;

static void iomgr_open_in_kernel(void *ctx)
{
    open_call *call = ctx;

    call->status = STATUS_SUCCESS;
    if (call->io->device == NULL) {
        PRESMAP_DEVICE device;
        call->status = ResmapCoreDeviceCreate(&device);
        if (!NT_SUCCESS(call->status)) {
            return;
        }
        call->io->device = device;
    }
    call->status = ResmapCoreSessionOpen(call->io->device, &call->core);
}

RESMAP_SIM_API resmap_sim_session *resmap_sim_open(resmap_sim_machine *m)
{
    iomgr_state *io;
    struct resmap_sim_session *s;
    open_call call = { 0 };

    if (m == NULL || (io = iomgr_state_of(m)) == NULL) {
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->idle, NULL);
    s->state = SESSION_OPEN;

    /* Opens on one machine are serialized so that two first opens cannot both create the device. */
    pthread_mutex_lock(&iomgr_lock);
    call.io = io;
    if (sim_guarded_call(m, iomgr_open_in_kernel, &call) != 0 || !NT_SUCCESS(call.status)) {
        pthread_mutex_unlock(&iomgr_lock);
        free_session(s);
        return NULL;
    }
    s->machine = m;
    s->core = call.core;
    s->next = io->sessions;
    if (io->sessions != NULL) {
        io->sessions->prev = s;
    }
    io->sessions = s;
    pthread_mutex_unlock(&iomgr_lock);

    sim_count_sessions(m, 1);
    return s;
}

typedef struct ioctl_call {
    PRESMAP_SESSION core;
    ULONG code;
    PVOID system_buffer;
    ULONG in_len;
    ULONG out_len;
    ULONG_PTR information;
    NTSTATUS status;
} ioctl_call;

static void iomgr_ioctl_in_kernel(void *ctx)
{
    ioctl_call *call = ctx;

    call->status = ResmapCoreDispatch(call->core, call->code, call->system_buffer, call->in_len,
                                      call->out_len, &call->information);
}

/* One request on a session that is open and counted in flight. */
static int32_t iomgr_ioctl(resmap_sim_session *s, uint32_t code, const void *in, uint32_t in_len, void *out,
                           uint32_t out_len, uint32_t *bytes_returned)
{
    ioctl_call call = { 0 };
    uint32_t system_len = in_len > out_len ? in_len : out_len;
    uint32_t copied;

    if (resmap_sim_bugcheck(s->machine, NULL, NULL)) {
        return RESMAP_SIM_STATUS_BUGCHECKED;
    }

    /* The I/O manager's system buffer; zeroed, so bytes the core never writes cannot carry anything. */
    if (system_len != 0) {
        call.system_buffer = calloc(1, system_len);
        if (call.system_buffer == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        if (in_len != 0) {
            memcpy(call.system_buffer, in, in_len);
        }
    }
    call.core = s->core;
    call.code = code;
    call.in_len = in_len;
    call.out_len = out_len;

    if (sim_guarded_call(s->machine, iomgr_ioctl_in_kernel, &call) != 0) {
        free(call.system_buffer);
        return RESMAP_SIM_STATUS_BUGCHECKED;
    }

    /* As IoCompleteRequest does for METHOD_BUFFERED: nothing is copied back for an error status, and
     * never more than the caller's output length. */
    copied = 0;
    if (call.status >= 0 && out_len != 0) {
        copied = call.information < out_len ? (uint32_t)call.information : out_len;
        memcpy(out, call.system_buffer, copied);
    }
    if (bytes_returned != NULL) {
        *bytes_returned = copied;
    }
    free(call.system_buffer);
    return call.status;
}

RESMAP_SIM_API int32_t resmap_sim_ioctl(resmap_sim_session *s, uint32_t code, const void *in,
                                        uint32_t in_len, void *out, uint32_t out_len,
                                        uint32_t *bytes_returned)
{
    int32_t status;

    if (bytes_returned != NULL) {
        *bytes_returned = 0;
    }
    if (s == NULL || (in == NULL && in_len != 0) || (out == NULL && out_len != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    pthread_mutex_lock(&s->lock);
    if (s->state != SESSION_OPEN) {
        pthread_mutex_unlock(&s->lock);
        return STATUS_FILE_CLOSED;
    }
    s->in_flight++;
    pthread_mutex_unlock(&s->lock);

    status = iomgr_ioctl(s, code, in, in_len, out, out_len, bytes_returned);

    pthread_mutex_lock(&s->lock);
    if (--s->in_flight == 0) {
        pthread_cond_broadcast(&s->idle);
    }
    pthread_mutex_unlock(&s->lock);
    return status;
}

static void iomgr_cleanup_in_kernel(void *ctx)
{
    ResmapCoreSessionCleanup(ctx);
}

static void iomgr_only_close_in_kernel(void *ctx)
{
    ResmapCoreSessionClose(ctx);
}

/* Both at once, for a session whose requests are known to be over (the machine is being destroyed). */
static void iomgr_close_in_kernel(void *ctx)
{
    PRESMAP_SESSION core = ctx;

    ResmapCoreSessionCleanup(core);
    ResmapCoreSessionClose(core);
}

RESMAP_SIM_API void resmap_sim_close(resmap_sim_session *s)
{
    iomgr_state *io;

    if (s == NULL) {
        return;
    }
    pthread_mutex_lock(&s->lock);
    if (s->state != SESSION_OPEN) {
        pthread_mutex_unlock(&s->lock);
        return; /* closed already, or being closed by another thread */
    }
    s->state = SESSION_CLOSING;
    pthread_mutex_unlock(&s->lock);

    /* IRP_MJ_CLEANUP at once: the core's session lock makes it wait for the request that holds it.
     * On a dead machine the core is not entered; its pool goes with the machine. */
    sim_guarded_call(s->machine, iomgr_cleanup_in_kernel, s->core);
    pthread_mutex_lock(&s->lock);
    while (s->in_flight != 0) {
        pthread_cond_wait(&s->idle, &s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    /* IRP_MJ_CLOSE once the last request has completed; it tears down what those made. */
    sim_guarded_call(s->machine, iomgr_only_close_in_kernel, s->core);

    pthread_mutex_lock(&iomgr_lock);
    io = sim_get_io_state(s->machine);
    if (s->prev != NULL) {
        s->prev->next = s->next;
    } else {
        io->sessions = s->next;
    }
    if (s->next != NULL) {
        s->next->prev = s->prev;
    }
    s->prev = NULL;
    s->next = io->closed;
    io->closed = s;
    pthread_mutex_unlock(&iomgr_lock);

    pthread_mutex_lock(&s->lock);
    s->state = SESSION_CLOSED;
    s->core = NULL;
    pthread_mutex_unlock(&s->lock);
    sim_count_sessions(s->machine, -1);
}

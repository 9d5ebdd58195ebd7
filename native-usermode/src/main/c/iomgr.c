/*
 * iomgr.c - the simulated I/O manager: what the Windows I/O manager and the KMDF layer give the
 * driver core, given to it on a simulated machine.
 *
 *   resmap_sim_open   = IRP_MJ_CREATE on the resmap device: a new file object (a core session) and a
 *                       handle to it in the calling thread's process;
 *   resmap_sim_duplicate = DuplicateHandle into another process: one more handle to the file object;
 *   resmap_sim_ioctl  = IRP_MJ_DEVICE_CONTROL, METHOD_BUFFERED: one system buffer of max(in, out)
 *                       bytes holds the input on entry and the output on return; only the bytes the
 *                       core reports (never more than out_len) are copied back, and none for an error;
 *   resmap_sim_close  = CloseHandle; on the file object's last handle, IRP_MJ_CLEANUP at once and
 *                       IRP_MJ_CLOSE once the requests in flight on it have completed, in the
 *                       closing process;
 *   process exit      = the driver's process-notify routine (ResmapCoreProcessExit) runs in the
 *                       exiting process, then every handle that process holds is closed.
 * A request runs in the process that holds the handle it is sent on, as a handle is used in its own
 * process.
 *
 * A file object has the lifetime Windows gives it: a request that arrives after the close has
 * begun gets STATUS_FILE_CLOSED and never reaches the driver; requests already in flight run to
 * completion (one that gets the session lock after the cleanup finds the session empty, and whatever
 * it makes is torn down by the close); resmap_sim_close returns only once IRP_MJ_CLOSE has run. The
 * closed handle's record (and its file object's) stays, refusing every request, until its machine is
 * destroyed, so a thread that still holds the pointer gets a status rather than freed memory (as a
 * closed handle value gets STATUS_INVALID_HANDLE on Windows rather than another file's object).
 *
 * Every entry into the core runs inside sim_guarded_call, so a simulated bugcheck abandons the
 * request the way the real kernel would, and is reported as RESMAP_SIM_STATUS_BUGCHECKED. Once the
 * machine is dead the core never runs again; only host memory is released.
 *
 * The core's device (one per machine) is created on the first open. The handles of a machine are kept
 * on a list so that destroying the machine, or a process's exit, can close them.
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

/* A file object on the resmap device: one core session, shared by every handle to it. */
typedef struct iomgr_file {
    resmap_sim_machine *machine;
    PRESMAP_SESSION core;
    unsigned handles;               /* open handles to it; under iomgr_lock */
    unsigned handles_records;       /* handle records (open or closed) that point to it */
    pthread_mutex_t lock;           /* guards state and in_flight */
    pthread_cond_t idle;            /* signalled when in_flight drops to 0 */
    enum session_state state;
    unsigned in_flight;             /* requests inside the core on this file object */
} iomgr_file;

/* A handle, held by one simulated process. */
struct resmap_sim_session {
    resmap_sim_machine *machine;
    iomgr_file *file;
    uint32_t process;
    int closed;                     /* under iomgr_lock */
    struct resmap_sim_session *next;
    struct resmap_sim_session *prev;
};

/* Per machine, owned through sim_set_io_state. */
typedef struct iomgr_state {
    resmap_sim_machine *machine;
    PRESMAP_DEVICE device;          /* NULL until the first open succeeds in creating it */
    struct resmap_sim_session *sessions;    /* open handles */
    struct resmap_sim_session *closed;      /* closed handles, kept until the machine goes (see above) */
} iomgr_state;

/* Guards every machine's iomgr_state (its creation and its session list). Host-side bookkeeping
 * only: the driver core itself keeps no global state. */
static pthread_mutex_t iomgr_lock = PTHREAD_MUTEX_INITIALIZER;

static void iomgr_close_in_kernel(void *ctx);
static void iomgr_on_process_exit(void *state, uint32_t process);

static void free_file(iomgr_file *f)
{
    pthread_cond_destroy(&f->idle);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

/* A handle's file object is freed with its last handle record. Caller holds no lock. */
static void free_handle(struct resmap_sim_session *s)
{
    if (--s->file->handles_records == 0) {
        free_file(s->file);
    }
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
        if (--s->file->handles == 0 && !dead) {
            uint32_t previous = sim_switch_process(io->machine, s->process);
            dead = sim_guarded_call(io->machine, iomgr_close_in_kernel, s->file->core);
            sim_switch_process(io->machine, previous);
        }
        free_handle(s);
    }
    while ((s = io->closed) != NULL) {
        io->closed = s->next;
        free_handle(s);
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
            sim_set_io_process_exit(m, iomgr_on_process_exit);
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
    s->file = calloc(1, sizeof(*s->file));
    if (s->file == NULL) {
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->file->lock, NULL);
    pthread_cond_init(&s->file->idle, NULL);
    s->file->state = SESSION_OPEN;
    s->file->machine = m;
    s->file->handles = s->file->handles_records = 1;
    s->process = resmap_sim_process_current(m);

    /* Opens on one machine are serialized so that two first opens cannot both create the device. */
    pthread_mutex_lock(&iomgr_lock);
    call.io = io;
    if (sim_guarded_call(m, iomgr_open_in_kernel, &call) != 0 || !NT_SUCCESS(call.status)) {
        pthread_mutex_unlock(&iomgr_lock);
        free_handle(s);
        return NULL;
    }
    s->machine = m;
    s->file->core = call.core;
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

/* One request on a file object that is open and counted in flight, from the handle's process. */
static int32_t iomgr_ioctl(resmap_sim_session *s, uint32_t code, const void *in, uint32_t in_len, void *out,
                           uint32_t out_len, uint32_t *bytes_returned)
{
    ioctl_call call = { 0 };
    uint32_t system_len = in_len > out_len ? in_len : out_len;
    uint32_t copied;
    uint32_t previous;
    int dead;

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
    call.core = s->file->core;
    call.code = code;
    call.in_len = in_len;
    call.out_len = out_len;

    previous = sim_switch_process(s->machine, s->process);
    dead = sim_guarded_call(s->machine, iomgr_ioctl_in_kernel, &call);
    sim_switch_process(s->machine, previous);
    if (dead) {
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
    iomgr_file *f;
    int32_t status;
    int closed;

    if (bytes_returned != NULL) {
        *bytes_returned = 0;
    }
    if (s == NULL || (in == NULL && in_len != 0) || (out == NULL && out_len != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    f = s->file;
    pthread_mutex_lock(&iomgr_lock);
    closed = s->closed;
    pthread_mutex_unlock(&iomgr_lock);
    pthread_mutex_lock(&f->lock);
    if (closed || f->state != SESSION_OPEN) {
        pthread_mutex_unlock(&f->lock);
        return STATUS_FILE_CLOSED;
    }
    f->in_flight++;
    pthread_mutex_unlock(&f->lock);

    status = iomgr_ioctl(s, code, in, in_len, out, out_len, bytes_returned);

    pthread_mutex_lock(&f->lock);
    if (--f->in_flight == 0) {
        pthread_cond_broadcast(&f->idle);
    }
    pthread_mutex_unlock(&f->lock);
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

/* The last handle of f went away in process `process`: IRP_MJ_CLEANUP at once, IRP_MJ_CLOSE once the
 * requests in flight have completed, both in that process. */
static void iomgr_close_file(iomgr_file *f, uint32_t process)
{
    uint32_t previous;

    pthread_mutex_lock(&f->lock);
    f->state = SESSION_CLOSING;
    pthread_mutex_unlock(&f->lock);

    /* IRP_MJ_CLEANUP at once: the core's session lock makes it wait for the request that holds it.
     * On a dead machine the core is not entered; its pool goes with the machine. */
    previous = sim_switch_process(f->machine, process);
    sim_guarded_call(f->machine, iomgr_cleanup_in_kernel, f->core);
    pthread_mutex_lock(&f->lock);
    while (f->in_flight != 0) {
        pthread_cond_wait(&f->idle, &f->lock);
    }
    pthread_mutex_unlock(&f->lock);
    /* IRP_MJ_CLOSE once the last request has completed; it tears down what those made. */
    sim_guarded_call(f->machine, iomgr_only_close_in_kernel, f->core);
    sim_switch_process(f->machine, previous);

    pthread_mutex_lock(&f->lock);
    f->state = SESSION_CLOSED;
    f->core = NULL;
    pthread_mutex_unlock(&f->lock);
    sim_count_sessions(f->machine, -1);
}

/* Marks handle s closed and moves it to the closed list; returns its file object if that was the
 * file's last open handle, else NULL (also when s was closed already). Caller holds iomgr_lock. */
static iomgr_file *iomgr_close_handle_locked(iomgr_state *io, struct resmap_sim_session *s)
{
    if (s->closed) {
        return NULL;
    }
    s->closed = 1;
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
    return --s->file->handles == 0 ? s->file : NULL;
}

RESMAP_SIM_API void resmap_sim_close(resmap_sim_session *s)
{
    iomgr_file *last;

    if (s == NULL) {
        return;
    }
    pthread_mutex_lock(&iomgr_lock);
    last = iomgr_close_handle_locked(sim_get_io_state(s->machine), s);
    pthread_mutex_unlock(&iomgr_lock);
    if (last != NULL) {
        iomgr_close_file(last, s->process);
    }
}

RESMAP_SIM_API resmap_sim_session *resmap_sim_duplicate(resmap_sim_session *s, uint32_t process)
{
    resmap_sim_session *copy;
    iomgr_state *io;
    uint32_t previous;

    if (s == NULL) {
        return NULL;
    }
    /* Attaching is how the kernel model says whether the process exists and is alive. */
    previous = resmap_sim_process_current(s->machine);
    if (resmap_sim_process_attach(s->machine, process) != 0) {
        return NULL;
    }
    sim_switch_process(s->machine, previous);
    copy = calloc(1, sizeof(*copy));
    if (copy == NULL) {
        return NULL;
    }
    copy->machine = s->machine;
    copy->process = process;
    copy->file = s->file;
    pthread_mutex_lock(&iomgr_lock);
    if (s->closed) {
        pthread_mutex_unlock(&iomgr_lock);
        free(copy);
        return NULL;
    }
    io = sim_get_io_state(s->machine);
    s->file->handles++;
    s->file->handles_records++;
    copy->next = io->sessions;
    if (io->sessions != NULL) {
        io->sessions->prev = copy;
    }
    io->sessions = copy;
    pthread_mutex_unlock(&iomgr_lock);
    return copy;
}

typedef struct process_exit_call {
    PRESMAP_DEVICE device;
} process_exit_call;

static void iomgr_process_exit_in_kernel(void *ctx)
{
    process_exit_call *call = ctx;

    ResmapCoreProcessExit(call->device, PsGetCurrentProcess());
}

/*
 * A process exits: the driver's process-notify routine runs in it (the core releases everything its
 * sessions hold), then every handle it holds is closed, as Windows then closes an exiting process's
 * handle table.
 */
static void iomgr_on_process_exit(void *state, uint32_t process)
{
    iomgr_state *io = state;
    process_exit_call call = { 0 };
    struct resmap_sim_session *s;
    uint32_t previous;

    pthread_mutex_lock(&iomgr_lock);
    call.device = io->device;
    pthread_mutex_unlock(&iomgr_lock);
    if (call.device != NULL) {
        previous = sim_switch_process(io->machine, process);
        sim_guarded_call(io->machine, iomgr_process_exit_in_kernel, &call);
        sim_switch_process(io->machine, previous);
    }

    for (;;) {
        iomgr_file *last = NULL;
        pthread_mutex_lock(&iomgr_lock);
        for (s = io->sessions; s != NULL && s->process != process; s = s->next) {
        }
        if (s != NULL) {
            last = iomgr_close_handle_locked(io, s);
        }
        pthread_mutex_unlock(&iomgr_lock);
        if (s == NULL) {
            break;
        }
        if (last != NULL) {
            iomgr_close_file(last, process);
        }
    }
}

/*
 * iomgr.c - the simulated I/O manager: what the Windows I/O manager and the KMDF layer give the
 * driver core, given to it on a simulated machine.
 *
 *   resmap_sim_open   = IRP_MJ_CREATE on the resmap device: a new core session;
 *   resmap_sim_ioctl  = IRP_MJ_DEVICE_CONTROL, METHOD_BUFFERED: one system buffer of max(in, out)
 *                       bytes holds the input on entry and the output on return; only the bytes the
 *                       core reports (never more than out_len) are copied back, and none for an error;
 *   resmap_sim_close  = IRP_MJ_CLEANUP then IRP_MJ_CLOSE.
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

struct resmap_sim_session {
    resmap_sim_machine *machine;
    PRESMAP_SESSION core;
    struct resmap_sim_session *next;
    struct resmap_sim_session *prev;
};

/* Per machine, owned through sim_set_io_state. */
typedef struct iomgr_state {
    resmap_sim_machine *machine;
    PRESMAP_DEVICE device;          /* NULL until the first open succeeds in creating it */
    struct resmap_sim_session *sessions;
} iomgr_state;

/* Guards every machine's iomgr_state (its creation and its session list). Host-side bookkeeping
 * only: the driver core itself keeps no global state. */
static pthread_mutex_t iomgr_lock = PTHREAD_MUTEX_INITIALIZER;

static void iomgr_close_in_kernel(void *ctx);

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
        free(s);
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

    /* Opens on one machine are serialized so that two first opens cannot both create the device. */
    pthread_mutex_lock(&iomgr_lock);
    call.io = io;
    if (sim_guarded_call(m, iomgr_open_in_kernel, &call) != 0 || !NT_SUCCESS(call.status)) {
        pthread_mutex_unlock(&iomgr_lock);
        free(s);
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

RESMAP_SIM_API int32_t resmap_sim_ioctl(resmap_sim_session *s, uint32_t code, const void *in,
                                        uint32_t in_len, void *out, uint32_t out_len,
                                        uint32_t *bytes_returned)
{
    ioctl_call call = { 0 };
    uint32_t system_len = in_len > out_len ? in_len : out_len;
    uint32_t copied;

    if (bytes_returned != NULL) {
        *bytes_returned = 0;
    }
    if (s == NULL || (in == NULL && in_len != 0) || (out == NULL && out_len != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
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
    /* On a dead machine the core is not entered; its pool goes with the machine. */
    sim_guarded_call(s->machine, iomgr_close_in_kernel, s->core);

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
    pthread_mutex_unlock(&iomgr_lock);

    sim_count_sessions(s->machine, -1);
    free(s);
}

/*
 * sim_system.c - the rest of the kernel surface: MmGetSystemRoutineAddress (which is how a driver
 * learns whether this build has MmAllocateMappingAddressEx), RtlInitUnicodeString, DbgPrintEx, and
 * resmap_sim_touch, the checked read of a system address.
 */
#include "sim_machine.h"

#include <stdio.h>
#include <string.h>

struct routine {
    const char *name;
    void (*address)(void);
    ULONG first_build;  /* the first Windows build that exports it */
};

/* Function pointers of different types share one table; the driver casts the PVOID back. */
#define ROUTINE(fn, build) { #fn, (void (*)(void))(fn), (build) }

static const struct routine routines[] = {
    ROUTINE(MmAllocateMappingAddress, 0),
    ROUTINE(MmAllocateMappingAddressEx, RESMAP_SIM_BUILD_WIN10_2004),
    ROUTINE(MmMapLockedPagesWithReservedMapping, 0),
    ROUTINE(MmUnmapReservedMapping, 0),
    ROUTINE(MmFreeMappingAddress, 0),
    ROUTINE(MmAllocatePagesForMdl, 0),
    ROUTINE(MmAllocatePagesForMdlEx, 0),
    ROUTINE(MmFreePagesFromMdl, 0),
    ROUTINE(IoAllocateMdl, 0),
    ROUTINE(IoBuildPartialMdl, 0),
    ROUTINE(IoFreeMdl, 0),
    ROUTINE(MmProbeAndLockPages, 0),
    ROUTINE(MmUnlockPages, 0),
    ROUTINE(MmMapLockedPagesSpecifyCache, 0),
    ROUTINE(MmUnmapLockedPages, 0),
    ROUTINE(ExAllocatePool2, RESMAP_SIM_BUILD_WIN10_2004),
    ROUTINE(ExAllocatePoolWithTag, 0),
    ROUTINE(ExFreePoolWithTag, 0),
    ROUTINE(ExFreePool, 0),
    ROUTINE(KeBugCheckEx, 0),
};

/* Compares a counted UTF-16 name with an ASCII one. */
static int name_equals(const UNICODE_STRING *u, const char *ascii)
{
    size_t n = strlen(ascii);
    if (u->Buffer == NULL || u->Length != n * sizeof(WCHAR)) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (u->Buffer[i] != (WCHAR)(unsigned char)ascii[i]) {
            return 0;
        }
    }
    return 1;
}

PVOID MmGetSystemRoutineAddress(PUNICODE_STRING SystemRoutineName)
{
    struct sim_call call;
    resmap_sim_machine *m = sim_enter(&call, "MmGetSystemRoutineAddress",
                                      SIM_KERNEL_IRQL_FAULT(PASSIVE_LEVEL, MmGetSystemRoutineAddress));
    PVOID address = NULL;
    const char *found = NULL;
    if (m == NULL) {
        return NULL;
    }
    if (SystemRoutineName == NULL) {
        sim_call_bugcheck(&call, PAGE_FAULT_IN_NONPAGED_AREA, 0, 0, 0, 0);
        sim_leave(&call);
        return NULL;
    }
    for (size_t i = 0; i < sizeof(routines) / sizeof(routines[0]); i++) {
        if (name_equals(SystemRoutineName, routines[i].name)) {
            found = routines[i].name;
            if (m->config.windows_build >= routines[i].first_build) {
                address = (PVOID)routines[i].address;
            }
        }
    }
    sim_call_args(&call, "%s", found != NULL ? found : "(unknown)");
    sim_call_result(&call, "%s", address != NULL ? "found" : "NULL");
    sim_leave(&call);
    return address;
}

VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    size_t n = 0;
    if (SourceString != NULL) {
        while (SourceString[n] != 0 && n < 0x7FFE) {
            n++;
        }
    }
    DestinationString->Length = (USHORT)(n * sizeof(WCHAR));
    DestinationString->MaximumLength = SourceString != NULL ? (USHORT)((n + 1) * sizeof(WCHAR)) : 0;
    DestinationString->Buffer = (PWSTR)SourceString;
}

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, const char *Format, ...)
{
    resmap_sim_machine *m = resmap_sim_current();
    char text[256], line[300];
    va_list ap;
    UNREFERENCED_PARAMETER(ComponentId);
    if (m == NULL || Format == NULL) {
        return 0;
    }
    va_start(ap, Format);
    vsnprintf(text, sizeof(text), Format, ap);
    va_end(ap);
    text[strcspn(text, "\n")] = '\0';
    snprintf(line, sizeof(line), "DbgPrintEx[%u]: %s\n", Level, text);
    pthread_mutex_lock(&m->lock);
    if (m->tracing) {
        sim_trace_line_locked(m, line);
    }
    pthread_mutex_unlock(&m->lock);
    return 0;
}

/* Reads one byte of a page that is really mapped; anything else is what a kernel access to it would
 * be: a page fault in nonpaged area (P2 0 = read). */
RESMAP_SIM_API int resmap_sim_touch(resmap_sim_machine *m, const void *va, uint8_t *value)
{
    size_t index;
    int readable;
    if (m == NULL || value == NULL) {
        return -1;
    }
    pthread_mutex_lock(&m->lock);
    if (m->dead) {
        pthread_mutex_unlock(&m->lock);
        return -1;
    }
    index = sim_pte_index(m, va);
    /* A page whose map or unmap is still with the host is read once the host shows what the
     * bookkeeping says. */
    while (index != (size_t)-1 && sim_pte_busy_locked(m, index)) {
        sim_wait_idle_locked(m);
    }
    if (index != (size_t)-1) {
        readable = sim_pte_frame_locked(m, index, NULL) != SIM_NO_FRAME;
    } else {
        readable = sim_user_frame_locked(m, va) != SIM_NO_FRAME ||
                   sim_block_containing_locked(m, va) != NULL;
    }
    if (readable) {
        *value = *(const volatile uint8_t *)va;
    }
    pthread_mutex_unlock(&m->lock);
    if (!readable) {
        sim_bugcheck(m, PAGE_FAULT_IN_NONPAGED_AREA, (ULONG_PTR)va, 0, 0, 0);
        return -1;
    }
    return 0;
}

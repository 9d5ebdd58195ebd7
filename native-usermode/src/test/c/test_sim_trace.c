/*
 * test_sim_trace.c - the call trace: one line per kernel call with its name, its arguments (addresses
 * as offsets into the machine's arenas, MDLs by number, tags as text) and its result; bugchecks with
 * their parameters shown the same way; never a host address.
 */
#include "sim_fixture.h"

#define TRACE_LIMIT (1u << 20)

static char text[TRACE_LIMIT + 1];

static const char *read_all(resmap_sim_machine *m)
{
    resmap_sim_trace_read(m, text, sizeof(text));
    return text;
}

static int mentions(const char *trace, const void *host_address)
{
    char hex[32];
    snprintf(hex, sizeof(hex), "%llX", (unsigned long long)(uintptr_t)host_address);
    return strstr(trace, hex) != NULL;
}

/* The narration of a reserved-mapping lifecycle, line for line. */
static void a_lifecycle_is_narrated_line_by_line(void)
{
    resmap_sim_machine *m = machine();
    PUCHAR user = resmap_sim_user_alloc(m, PAGE_SIZE);
    resmap_sim_trace_enable(m, 1);
    PVOID base = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_A);
    PMDL mdl = IoAllocateMdl(user + 0x10, 100, FALSE, FALSE, NULL);
    MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    PVOID va = MmMapLockedPagesWithReservedMapping(base, TAG_A, mdl, MmCached);
    MmUnmapReservedMapping(va, TAG_A, mdl);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    MmFreeMappingAddress(base, TAG_A);
    CHECK(MmAllocateMappingAddress(PAGE_SIZE, 0) == NULL, "%s", "a reservation with tag 0");
    const char *expected =
        "MmAllocateMappingAddress(8192, 'RsMp') = sysva+0x2000\n"
        "IoAllocateMdl(user+0x10, 100) = mdl#1\n"
        "MmProbeAndLockPages(mdl#1, UserMode, IoWriteAccess)\n"
        "MmMapLockedPagesWithReservedMapping(sysva+0x2000, 'RsMp', mdl#1, MmCached) = sysva+0x2010\n"
        "MmUnmapReservedMapping(sysva+0x2010, 'RsMp', mdl#1)\n"
        "MmUnlockPages(mdl#1)\n"
        "IoFreeMdl(mdl#1)\n"
        "MmFreeMappingAddress(sysva+0x2000, 'RsMp')\n"
        "MmAllocateMappingAddress(4096, 0x0) = NULL\n";
    const char *trace = read_all(m);
    CHECK(strcmp(trace, expected) == 0, "\n%s", trace);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* A bugcheck is traced on the call that raised it and as the STOP that followed, with parameters
 * that point into the machine shown as offsets - no host address anywhere. */
static void a_bugcheck_is_traced_without_host_addresses(void)
{
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    resmap_sim_trace_enable(m, 1);
    MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached);
    MmFreeMappingAddress(base, TAG_A);
    const char *trace = read_all(m);
    CHECK(strstr(trace, "MmFreeMappingAddress(sysva+0x2000, 'RsMp') -> BUGCHECK 0xDA (0x103, "
                        "sysva+0x2000, 0x52734D70, 0x1)\n") != NULL, "\n%s", trace);
    CHECK(strstr(trace, "*** STOP 0xDA (0x103, sysva+0x2000, 0x52734D70, 0x1)\n") != NULL, "\n%s", trace);
    CHECK(!mentions(trace, base) && !mentions(trace, pages), "\n%s", trace);
    resmap_sim_destroy(m);

    m = machine_with(0, RESMAP_SIM_FLAG_TRACE);
    PMDL never_locked = IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL);
    MmMapLockedPagesSpecifyCache(never_locked, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    trace = read_all(m);
    CHECK(strstr(trace, "*** STOP 0xC4 (0x85, mdl#1, 0x1, 0xBADBADBADBAD)\n") != NULL, "\n%s", trace);
    CHECK(!mentions(trace, never_locked), "\n%s", trace);
    resmap_sim_destroy(m);
}

/* Pages, ordinary mappings and an IRQL violation, as the trace tells them. */
static void pages_mappings_and_irql_violations_are_narrated(void)
{
    resmap_sim_machine *m = machine();
    PHYSICAL_ADDRESS low, high, skip;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    resmap_sim_trace_enable(m, 1);
    PMDL pages = MmAllocatePagesForMdlEx(low, high, skip, 2 * PAGE_SIZE, MmWriteCombined, 0);
    PVOID va = MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    MmUnmapLockedPages(va, pages);
    resmap_sim_set_irql(m, DISPATCH_LEVEL + 1);
    MmFreePagesFromMdl(pages);
    const char *expected =
        "MmAllocatePagesForMdlEx(8192, MmWriteCombined, 0x0) = mdl#1 (8192 bytes)\n"
        "MmMapLockedPagesSpecifyCache(mdl#1, KernelMode, MmCached, NULL, FALSE, 0x10) = sysva+0x0\n"
        "MmUnmapLockedPages(sysva+0x0, mdl#1)\n"
        "MmFreePagesFromMdl(at IRQL 3) -> BUGCHECK 0xC4 (0x7E, 0x3, 0x2, 0x0)\n"
        "*** STOP 0xC4 (0x7E, 0x3, 0x2, 0x0)\n";
    const char *trace = read_all(m);
    CHECK(strcmp(trace, expected) == 0, "\n%s", trace);
    resmap_sim_destroy(m);
}

/* Nothing is recorded until tracing is on (or the machine was created with RESMAP_SIM_FLAG_TRACE);
 * spin locks, IRQL changes and PAGED_CODE stay out of the narration; DbgPrintEx goes in. */
static void only_narrated_calls_are_recorded_while_tracing(void)
{
    KSPIN_LOCK lock;
    KIRQL old;
    resmap_sim_machine *m = machine();
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    CHECK(resmap_sim_trace_read(m, text, sizeof(text)) == 0 && text[0] == '\0', "%s", text);
    resmap_sim_trace_enable(m, 1);
    KeInitializeSpinLock(&lock);
    KeAcquireSpinLock(&lock, &old);
    KeReleaseSpinLock(&lock, old);
    PAGED_CODE();
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "freeing %d\n", 1);
    MmFreeMappingAddress(base, TAG_A);
    resmap_sim_trace_enable(m, 0);
    MmAllocateMappingAddress(PAGE_SIZE, 0);
    const char *trace = read_all(m);
    CHECK(strcmp(trace, "DbgPrintEx[3]: freeing 1\nMmFreeMappingAddress(sysva+0x2000, 'RsMp')\n") == 0,
          "\n%s", trace);
    resmap_sim_destroy(m);

    m = machine_with(0, RESMAP_SIM_FLAG_TRACE);
    MmAllocateMappingAddress(PAGE_SIZE, 0);
    trace = read_all(m);
    CHECK(strcmp(trace, "MmAllocateMappingAddress(4096, 0x0) = NULL\n") == 0, "\n%s", trace);
    resmap_sim_destroy(m);
}

/* Untraced calls format nothing, yet tracing switched on later names the objects made before it by the
 * same numbers a trace from the start would have used. */
static void objects_made_before_tracing_keep_their_names(void)
{
    resmap_sim_machine *m = machine();
    PVOID pool = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, TAG_A);
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    resmap_sim_trace_enable(m, 1);
    PVOID va = MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached);
    MmUnmapReservedMapping(base, TAG_A, pages);
    ExFreePoolWithTag(pool, TAG_A);
    const char *trace = read_all(m);
    CHECK(va != NULL && strcmp(trace,
                               "MmMapLockedPagesWithReservedMapping(sysva+0x2000, 'RsMp', mdl#2, MmCached)"
                               " = sysva+0x2000\n"
                               "MmUnmapReservedMapping(sysva+0x2000, 'RsMp', mdl#2)\n"
                               "ExFreePoolWithTag(pool#1+0x0, 'RsMp')\n") == 0,
          "\n%s", trace);
    resmap_sim_trace_enable(m, 0);
    MmFreeMappingAddress(base, TAG_A);
    free_pages(pages);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* resmap_sim_trace_read hands out whole lines only, keeps the rest for the next read, and writes a
 * NUL even when no line fits. */
static void reads_take_whole_lines_and_leave_the_rest(void)
{
    char small[48];
    resmap_sim_machine *m = machine_with(0, RESMAP_SIM_FLAG_TRACE);
    MmAllocateMappingAddress(PAGE_SIZE, 0);
    MmAllocateMappingAddress(2 * PAGE_SIZE, 0);
    const char *line1 = "MmAllocateMappingAddress(4096, 0x0) = NULL\n";
    const char *line2 = "MmAllocateMappingAddress(8192, 0x0) = NULL\n";
    CHECK(resmap_sim_trace_read(m, small, 10) == 0 && small[0] == '\0', "%s", small);
    CHECK(resmap_sim_trace_read(m, small, sizeof(small)) == strlen(line1) && strcmp(small, line1) == 0,
          "%s", small);
    CHECK(resmap_sim_trace_read(m, small, sizeof(small)) == strlen(line2) && strcmp(small, line2) == 0,
          "%s", small);
    CHECK(resmap_sim_trace_read(m, small, sizeof(small)) == 0, "%s", small);
    CHECK(resmap_sim_trace_read(m, NULL, 10) == 0 && resmap_sim_trace_read(NULL, small, 10) == 0, "%s",
          "bytes from nowhere");
    resmap_sim_destroy(m);
}

/* The trace keeps its newest MiB: the oldest whole lines make room. */
static void the_trace_keeps_its_newest_whole_lines(void)
{
    resmap_sim_machine *m = machine_with(0, RESMAP_SIM_FLAG_TRACE);
    for (int i = 0; i < 30000; i++) {
        MmAllocateMappingAddress((SIZE_T)i + 1, 0);
    }
    size_t n = resmap_sim_trace_read(m, text, sizeof(text));
    CHECK(n <= TRACE_LIMIT && n > TRACE_LIMIT - 100, "%zu bytes", n);
    CHECK(strncmp(text, "MmAllocateMappingAddress(", 25) == 0, "%.60s", text);
    CHECK(strstr(text, "MmAllocateMappingAddress(30000, 0x0) = NULL\n") != NULL &&
          strstr(text, "MmAllocateMappingAddress(1, 0x0)") == NULL, "%s", "the wrong end kept");
    resmap_sim_destroy(m);
}

/* Pages from MmAllocatePagesForMdlEx have no virtual address (StartVa NULL), so a sub-range of them is
 * addressed by its offset from NULL, and the trace says so rather than calling it foreign. */
static void a_sub_range_of_allocated_pages_is_an_offset_from_null(void)
{
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(2 * PAGE_SIZE, 0);
    PVOID sub_va = (PUCHAR)MmGetMdlVirtualAddress(pages) + PAGE_SIZE + 0x10;
    resmap_sim_trace_enable(m, 1);
    PMDL partial = IoAllocateMdl(sub_va, 256, FALSE, FALSE, NULL);
    IoBuildPartialMdl(pages, partial, sub_va, 256);
    IoFreeMdl(partial);
    const char *trace = read_all(m);
    CHECK(strstr(trace, "IoAllocateMdl(NULL+0x1010, 256) = mdl#") != NULL, "\n%s", trace);
    CHECK(strstr(trace, ", NULL+0x1010, 256)\n") != NULL, "\n%s", trace);
    CHECK(strstr(trace, "foreign") == NULL, "\n%s", trace);
    free_pages(pages);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(a_lifecycle_is_narrated_line_by_line);
    RUN(a_bugcheck_is_traced_without_host_addresses);
    RUN(a_sub_range_of_allocated_pages_is_an_offset_from_null);
    RUN(pages_mappings_and_irql_violations_are_narrated);
    RUN(only_narrated_calls_are_recorded_while_tracing);
    RUN(reads_take_whole_lines_and_leave_the_rest);
    RUN(objects_made_before_tracing_keep_their_names);
    RUN(the_trace_keeps_its_newest_whole_lines);
    return CHECK_DONE();
}

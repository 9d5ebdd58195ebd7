/*
 * test_sim_page_faults.c - "0x50 PAGE_FAULT_IN_NONPAGED_AREA: touching a reserved page that is not
 * mapped; SEH cannot catch it [K]" and "Unmapped reserved pages have empty PTEs ... the unmap empties
 * them again [K]", seen two ways: a real access from a child process, which the host kills with
 * SIGSEGV (so the test process itself never faults), and resmap_sim_touch, which records the
 * bugcheck the kernel would raise.
 */
#include "sim_fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child's exit status when its access faulted; a handler of our own rather than the default
 * action, because the sanitizers' SIGSEGV handler would otherwise report and exit with 1. */
#define FAULTED 77
#define READ_OK 0

static void exit_faulted(int sig)
{
    (void)sig;
    _exit(FAULTED);
}

/* Reads one byte at va in a child process: FAULTED, READ_OK, or -1 if the child did neither. */
static int read_in_child(const volatile uint8_t *va)
{
    int status;
    pid_t pid;
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = exit_faulted;
        sigaction(SIGSEGV, &sa, NULL);
        sigaction(SIGBUS, &sa, NULL);
        (void)*va;
        _exit(READ_OK);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
        return -1;
    }
    return WEXITSTATUS(status) == FAULTED || WEXITSTATUS(status) == READ_OK ? WEXITSTATUS(status) : -1;
}

/* Reserved pages fault until mapped, read while mapped, and fault again once unmapped; pages of the
 * range the MDL does not reach stay unmapped. */
static void unmapped_reserved_pages_fault_and_mapped_ones_read(void)
{
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PUCHAR base = MmAllocateMappingAddress(2 * PAGE_SIZE, TAG_A);
    CHECK(read_in_child(base) == FAULTED, "%s", "no fault before the map");
    MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached);
    CHECK(read_in_child(base) == READ_OK, "%s", "a fault on the mapped page");
    CHECK(read_in_child(base + PAGE_SIZE) == FAULTED, "%s", "no fault on the page the MDL does not reach");
    MmUnmapReservedMapping(base, TAG_A, pages);
    CHECK(read_in_child(base) == FAULTED, "%s", "no fault after the unmap");
    free_pages(pages);
    MmFreeMappingAddress(base, TAG_A);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* The kernel's view of the same access: 0x50 with P1 the address and P2 0 for a read. */
static void touching_an_unmapped_reserved_page_is_page_fault_in_nonpaged_area(void)
{
    uint64_t p[4];
    uint8_t value = 0;
    resmap_sim_machine *m = machine();
    PMDL pages = allocate_pages(PAGE_SIZE, 0);
    PUCHAR base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    PUCHAR va = MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached);
    va[7] = 0x42;
    CHECK(resmap_sim_touch(m, base + 7, &value) == 0 && value == 0x42, "value 0x%X", value);
    MmUnmapReservedMapping(base, TAG_A, pages);
    CHECK(resmap_sim_touch(m, base + 7, &value) == -1, "%s", "a read of an unmapped page");
    CHECK_BUGCHECK(m, PAGE_FAULT_IN_NONPAGED_AREA, (uintptr_t)(base + 7), p);
    CHECK(p[1] == 0, "P2 %llu", (unsigned long long)p[1]);
    CHECK_STAYS_DEAD(m, PAGE_FAULT_IN_NONPAGED_AREA);
    resmap_sim_destroy(m);
}

/* The header PTEs in front of a reservation are never mapped either. */
static void touching_a_header_page_is_page_fault_in_nonpaged_area(void)
{
    uint64_t p[4];
    uint8_t value;
    resmap_sim_machine *m = machine();
    PUCHAR base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    CHECK(resmap_sim_touch(m, base - 1, &value) == -1, "%s", "a read of a header page");
    CHECK_BUGCHECK(m, PAGE_FAULT_IN_NONPAGED_AREA, (uintptr_t)(base - 1), p);
    resmap_sim_destroy(m);
}

/* Simulated user memory and pool are mapped memory: touching them is fine. */
static void user_memory_and_pool_can_be_touched(void)
{
    uint8_t value = 0;
    resmap_sim_machine *m = machine();
    PUCHAR user = resmap_sim_user_alloc(m, PAGE_SIZE);
    PUCHAR block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, TAG_A);
    user[5] = 9;
    block[31] = 8;
    CHECK(resmap_sim_touch(m, user + 5, &value) == 0 && value == 9, "value %u", value);
    CHECK(resmap_sim_touch(m, block + 31, &value) == 0 && value == 8, "value %u", value);
    ExFreePoolWithTag(block, TAG_A);
    resmap_sim_user_free(m, user);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(unmapped_reserved_pages_fault_and_mapped_ones_read);
    RUN(touching_an_unmapped_reserved_page_is_page_fault_in_nonpaged_area);
    RUN(touching_a_header_page_is_page_fault_in_nonpaged_area);
    RUN(user_memory_and_pool_can_be_touched);
    return CHECK_DONE();
}

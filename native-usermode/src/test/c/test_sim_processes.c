/*
 * test_sim_processes.c - the kernel model's processes: user memory belongs to one process, a probe
 * sees only its own process's memory, and a process that exits with pages still locked bugchecks
 * 0x76 PROCESS_HAS_LOCKED_PAGES with the documented parameters (0, the process, the locked pages, 0).
 */
#include "sim_fixture.h"

#include "sim_bugcodes.h"

/* Locks `pages` pages of a fresh buffer of process `process`, from a thread attached to it. */
static PMDL lock_in_process(resmap_sim_machine *m, uint32_t process, size_t pages, void **buffer)
{
    PMDL mdl;
    CHECK(resmap_sim_process_attach(m, process) == 0, "attach to %u failed", process);
    *buffer = resmap_sim_user_alloc(m, pages * PAGE_SIZE);
    CHECK(*buffer != NULL, "user_alloc returned NULL%s", "");
    mdl = IoAllocateMdl(*buffer, (ULONG)(pages * PAGE_SIZE), FALSE, FALSE, NULL);
    CHECK(ResmapProbeAndLockPages(mdl, UserMode, IoModifyAccess) == STATUS_SUCCESS, "probe failed%s", "");
    return mdl;
}

static void exit_with_locked_pages_is_0x76(void)
{
    resmap_sim_machine *m = resmap_sim_create(NULL);
    uint32_t p = resmap_sim_process_create(m);
    uint32_t code = 0;
    uint64_t params[4] = { 0 };
    void *buffer;

    resmap_sim_select(m);
    CHECK(p == 2, "second process id %u", p);
    lock_in_process(m, p, 3, &buffer);
    CHECK(PsGetCurrentProcess() != NULL, "no current process%s", "");
    resmap_sim_process_attach(m, RESMAP_SIM_PROCESS_FIRST);

    CHECK(resmap_sim_process_exit(m, p) == 1, "exit did not report the bugcheck%s", "");
    CHECK(resmap_sim_bugcheck(m, &code, params) == 1, "no bugcheck%s", "");
    CHECK(code == PROCESS_HAS_LOCKED_PAGES, "code 0x%x", code);
    CHECK(params[0] == 0, "P1 0x%llx", (unsigned long long)params[0]);
    CHECK(params[1] != 0, "P2 (the process) 0x%llx", (unsigned long long)params[1]);
    CHECK(params[2] == 3, "P3 (locked pages) %llu", (unsigned long long)params[2]);
    CHECK(params[3] == 0, "P4 0x%llx", (unsigned long long)params[3]);
    resmap_sim_destroy(m);
}

static void unlocked_pages_exit_cleanly_and_free_the_memory(void)
{
    resmap_sim_machine *m = resmap_sim_create(NULL);
    uint32_t p = resmap_sim_process_create(m);
    resmap_sim_counters c;
    void *buffer;
    PMDL mdl;

    resmap_sim_select(m);
    mdl = lock_in_process(m, p, 2, &buffer);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    resmap_sim_process_attach(m, RESMAP_SIM_PROCESS_FIRST);
    CHECK(resmap_sim_process_exit(m, p) == 0, "exit failed%s", "");
    CHECK(resmap_sim_bugcheck(m, NULL, NULL) == 0, "bugchecked%s", "");
    resmap_sim_get_counters(m, &c);
    CHECK(c.user_buffers == 0, "user buffers left %llu", (unsigned long long)c.user_buffers);
    CHECK(c.frames_user == 0, "user frames left %llu", (unsigned long long)c.frames_user);
    CHECK(resmap_sim_process_attach(m, p) == -1, "attached to an exited process%s", "");
    CHECK(resmap_sim_process_exit(m, p) == -1, "exited twice%s", "");
    resmap_sim_destroy(m);
}

static void a_probe_sees_only_its_own_process(void)
{
    resmap_sim_machine *m = resmap_sim_create(NULL);
    uint32_t p = resmap_sim_process_create(m);
    void *theirs;
    PMDL mdl;

    resmap_sim_select(m);
    CHECK(resmap_sim_process_attach(m, p) == 0, "attach failed%s", "");
    theirs = resmap_sim_user_alloc(m, PAGE_SIZE);
    resmap_sim_process_attach(m, RESMAP_SIM_PROCESS_FIRST);
    mdl = IoAllocateMdl(theirs, PAGE_SIZE, FALSE, FALSE, NULL);
    CHECK(ResmapProbeAndLockPages(mdl, UserMode, IoReadAccess) == STATUS_ACCESS_VIOLATION,
          "process 1 locked process %u's page", p);
    IoFreeMdl(mdl);
    CHECK(resmap_sim_bugcheck(m, NULL, NULL) == 0, "bugchecked%s", "");
    resmap_sim_destroy(m);
}

static void the_first_process_never_exits_and_ids_are_checked(void)
{
    resmap_sim_machine *m = resmap_sim_create(NULL);
    CHECK(resmap_sim_process_current(m) == RESMAP_SIM_PROCESS_FIRST, "current %u", resmap_sim_process_current(m));
    CHECK(resmap_sim_process_exit(m, RESMAP_SIM_PROCESS_FIRST) == -1, "process 1 exited%s", "");
    CHECK(resmap_sim_process_exit(m, 9) == -1, "unknown process exited%s", "");
    CHECK(resmap_sim_process_attach(m, 0) == -1, "attached to process 0%s", "");
    CHECK(resmap_sim_process_exit(NULL, 2) == -1, "NULL machine%s", "");
    CHECK(resmap_sim_process_create(NULL) == 0, "NULL machine%s", "");
    for (int i = 2; i <= 64; i++) {
        CHECK(resmap_sim_process_create(m) == (uint32_t)i, "process %d not created", i);
    }
    CHECK(resmap_sim_process_create(m) == 0, "a 65th process%s", "");
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(exit_with_locked_pages_is_0x76);
    RUN(unlocked_pages_exit_cleanly_and_free_the_memory);
    RUN(a_probe_sees_only_its_own_process);
    RUN(the_first_process_never_exits_and_ids_are_checked);
    return CHECK_DONE();
}

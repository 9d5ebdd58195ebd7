/*
 * sim_fixture.h - what the simulator's own tests (test_sim_*.c) share: a fresh machine per scenario,
 * page sets, and the checks that a machine bugchecked with a given code or is still alive and clean.
 */
#ifndef SIM_FIXTURE_H
#define SIM_FIXTURE_H

#include <wdm.h>

#include <string.h>

#include "check.h"
#include "resmap_sim.h"
#include "sim_bugcodes.h"

#define TAG_A 'RsMp'
#define TAG_B 'RsMq'   /* differs from TAG_A only in bit 0, which header-based builds ignore */

/* A machine of the given build (0 = default) and flags, selected on the calling thread. */
static inline resmap_sim_machine *machine_with(uint32_t build, uint32_t flags)
{
    resmap_sim_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.struct_size = sizeof(cfg);
    cfg.windows_build = build;
    cfg.physical_pages = 1024;
    cfg.system_ptes = 256;
    cfg.flags = flags;
    resmap_sim_machine *m = resmap_sim_create(&cfg);
    resmap_sim_select(m);
    return m;
}

static inline resmap_sim_machine *machine(void)
{
    return machine_with(0, 0);
}

/* Zeroed frames for an MDL, failing the test if the simulator refuses. */
static inline PMDL allocate_pages(SIZE_T bytes, ULONG flags)
{
    PHYSICAL_ADDRESS low, high, skip;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    PMDL mdl = MmAllocatePagesForMdlEx(low, high, skip, bytes, MmCached, flags);
    CHECK(mdl != NULL, "MmAllocatePagesForMdlEx(%llu) returned NULL", (unsigned long long)bytes);
    return mdl;
}

/* Zeroed frames with no caching type of their own (MmAllocatePagesForMdl), anywhere in memory; NULL if
 * the simulator has none. */
static inline PMDL allocate_untyped_pages(SIZE_T bytes)
{
    PHYSICAL_ADDRESS low, high, skip;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    return MmAllocatePagesForMdl(low, high, skip, bytes);
}

static inline void free_pages(PMDL mdl)
{
    MmFreePagesFromMdl(mdl);
    ExFreePool(mdl);
}

/* Simulated user memory, locked into a new MDL that starts `offset` bytes into the buffer. */
static inline PMDL lock_user(void *user, ULONG offset, ULONG bytes)
{
    PMDL mdl = IoAllocateMdl((PUCHAR)user + offset, bytes, FALSE, FALSE, NULL);
    CHECK(mdl != NULL, "IoAllocateMdl(user+%u, %u) returned NULL", offset, bytes);
    if (mdl != NULL) {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
        CHECK((mdl->MdlFlags & MDL_PAGES_LOCKED) != 0, "MdlFlags 0x%X", (unsigned)mdl->MdlFlags);
    }
    return mdl;
}

static inline void unlock_user(PMDL mdl)
{
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

/* The simulator's stand-in for the driver's SEH wrapper around MmProbeAndLockPages (sim_lock.c);
 * the real declaration is in the driver core's header, which simulator tests do not include. */
NTSTATUS ResmapProbeAndLockPages(PMDL Mdl, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation);

static inline int counters_idle(resmap_sim_machine *m)
{
    resmap_sim_counters c;
    resmap_sim_get_counters(m, &c);
    return c.reservations == 0 && c.reserved_pages == 0 && c.reserved_mapped_pages == 0 &&
           c.ordinary_mappings == 0 && c.ordinary_mapped_pages == 0 && c.ptes_used == 0 &&
           c.frames_allocated == 0 && c.frames_user == 0 && c.frames_locked == 0 && c.mdls == 0 &&
           c.pool_allocations == 0 && c.pool_bytes == 0 && c.user_buffers == 0 && c.sessions == 0;
}

/* The machine is alive and holds nothing: every resource went back. */
#define CHECK_CLEAN(m)                                                                             \
    do {                                                                                           \
        uint32_t code_ = 0;                                                                        \
        uint64_t p_[4] = { 0, 0, 0, 0 };                                                           \
        CHECK(!resmap_sim_bugcheck((m), &code_, p_), "bugcheck 0x%X (0x%llX, 0x%llX)", code_,      \
              (unsigned long long)p_[0], (unsigned long long)p_[1]);                               \
        CHECK(counters_idle(m), "%s", "some counter is not back to zero");                        \
    } while (0)

/* The machine bugchecked with this code and first parameter; fills p_ for further checks. */
#define CHECK_BUGCHECK(m, code, p1, p_)                                                            \
    do {                                                                                           \
        uint32_t code_ = 0;                                                                        \
        memset((p_), 0, sizeof(uint64_t) * 4);                                                     \
        int dead_ = resmap_sim_bugcheck((m), &code_, (p_));                                        \
        CHECK(dead_ && code_ == (code) && (p_)[0] == (uint64_t)(p1),                               \
              "dead %d, bugcheck 0x%X (0x%llX, 0x%llX, 0x%llX, 0x%llX)", dead_, code_,            \
              (unsigned long long)(p_)[0], (unsigned long long)(p_)[1],                            \
              (unsigned long long)(p_)[2], (unsigned long long)(p_)[3]);                           \
    } while (0)

/* After a bugcheck the machine is dead: every kernel call fails without touching anything, a second
 * violation does not replace the first bugcheck, and the host process goes on. */
#define CHECK_STAYS_DEAD(m, code)                                                                  \
    do {                                                                                           \
        resmap_sim_counters before_, after_;                                                       \
        uint32_t again_ = 0;                                                                       \
        uint8_t byte_ = 0;                                                                         \
        resmap_sim_get_counters((m), &before_);                                                    \
        CHECK(MmAllocateMappingAddress(PAGE_SIZE, TAG_A) == NULL, "%s", "a reservation");          \
        CHECK(IoAllocateMdl(NULL, PAGE_SIZE, FALSE, FALSE, NULL) == NULL, "%s", "an MDL");         \
        CHECK(ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, TAG_A) == NULL, "%s", "a pool block");     \
        MmFreeMappingAddress(NULL, TAG_B);                                                         \
        CHECK(resmap_sim_touch((m), NULL, &byte_) == -1, "%s", "a successful touch");             \
        resmap_sim_get_counters((m), &after_);                                                     \
        CHECK(after_.calls == before_.calls && after_.mdls == before_.mdls &&                      \
              after_.reservations == before_.reservations, "calls %llu -> %llu",                  \
              (unsigned long long)before_.calls, (unsigned long long)after_.calls);               \
        CHECK(resmap_sim_bugcheck((m), &again_, NULL) && again_ == (code), "bugcheck 0x%X",       \
              again_);                                                                             \
    } while (0)

#endif /* SIM_FIXTURE_H */

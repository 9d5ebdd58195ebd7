/*
 * test_sim_inspect.c - the read-only views that tools draw a machine from: each system PTE's kind,
 * owner and frame, each frame's holder, and values described the way the trace describes them.
 */
#include "sim_fixture.h"

#include <stdint.h>

#define VIEW_PTES 16

/* A reservation is two header PTEs then its pages; a map fills its pages with the MDL's frames in
 * order, and the frames name the MDL that holds them, so two maps of the same frames are visible. */
static void ptes_show_headers_pages_and_the_frames_behind_them(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_pte_view ptes[VIEW_PTES];
    resmap_sim_frame_view frame;
    PMDL pages = allocate_pages(2 * PAGE_SIZE, 0);
    PVOID base = MmAllocateMappingAddress(3 * PAGE_SIZE, TAG_A);
    /* The same frames twice: an ordinary mapping of a partial MDL of them, made while the source has no
     * system mapping (a partial MDL of a mapped source would share its mapping), then the source in the
     * reservation. */
    PMDL partial = IoAllocateMdl(MmGetMdlVirtualAddress(pages), 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    IoBuildPartialMdl(pages, partial, MmGetMdlVirtualAddress(pages), 2 * PAGE_SIZE);
    PVOID ordinary = MmMapLockedPagesSpecifyCache(partial, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    PVOID va = MmMapLockedPagesWithReservedMapping(base, TAG_A, pages, MmCached);
    size_t n = resmap_sim_view_ptes(m, 0, ptes, VIEW_PTES);
    PPFN_NUMBER frames = MmGetMdlPfnArray(pages);

    CHECK(n == VIEW_PTES, "%zu views", n);
    CHECK(ptes[0].kind == RESMAP_SIM_PTE_HEADER && ptes[1].kind == RESMAP_SIM_PTE_HEADER, "kinds %u %u",
          ptes[0].kind, ptes[1].kind);
    CHECK(ptes[0].owner == 2 && ptes[0].tag == TAG_A, "owner %llu tag 0x%X", (unsigned long long)ptes[0].owner,
          ptes[0].tag);
    CHECK(base == (PVOID)((uintptr_t)va) && ptes[2].kind == RESMAP_SIM_PTE_RESERVED && ptes[2].owner == 2,
          "kind %u owner %llu", ptes[2].kind, (unsigned long long)ptes[2].owner);
    CHECK(ptes[2].frame == frames[0] && ptes[3].frame == frames[1], "frames %llu %llu",
          (unsigned long long)ptes[2].frame, (unsigned long long)ptes[3].frame);
    CHECK(ptes[4].kind == RESMAP_SIM_PTE_RESERVED && ptes[4].frame == UINT64_MAX, "kind %u frame %llu",
          ptes[4].kind, (unsigned long long)ptes[4].frame);
    CHECK(ptes[5].kind == RESMAP_SIM_PTE_ORDINARY && ptes[5].owner == 5 && ptes[6].owner == 5 &&
          ptes[6].frame == frames[1], "kind %u owner %llu frame %llu", ptes[5].kind,
          (unsigned long long)ptes[6].owner, (unsigned long long)ptes[6].frame);
    CHECK(ptes[7].kind == RESMAP_SIM_PTE_FREE && ptes[7].frame == UINT64_MAX, "kind %u", ptes[7].kind);

    CHECK(resmap_sim_view_frames(m, frames[1], &frame, 1) == 1, "no frame view");
    CHECK(frame.use == RESMAP_SIM_FRAME_ALLOCATED && frame.page == 1 && frame.maps == 2 && frame.mdl != 0,
          "use %u page %llu maps %u mdl %u", frame.use, (unsigned long long)frame.page, frame.maps, frame.mdl);

    MmUnmapLockedPages(ordinary, partial);
    IoFreeMdl(partial);
    MmUnmapReservedMapping(base, TAG_A, pages);
    MmFreeMappingAddress(base, TAG_A);
    free_pages(pages);
    CHECK(resmap_sim_view_ptes(m, 0, ptes, VIEW_PTES) == VIEW_PTES && ptes[2].kind == RESMAP_SIM_PTE_FREE,
          "kind %u after the free", ptes[2].kind);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* Frames of user memory name their page in user memory (user+page*4096); locks are counted. */
static void user_frames_name_their_page(void)
{
    resmap_sim_machine *m = machine();
    uint8_t *first = resmap_sim_user_alloc(m, PAGE_SIZE); /* so the buffer below starts at user page 1 */
    uint8_t *user = resmap_sim_user_alloc(m, 2 * PAGE_SIZE);
    PMDL mdl = lock_user(user, PAGE_SIZE, PAGE_SIZE);
    resmap_sim_frame_view frame;
    CHECK(resmap_sim_view_frames(m, MmGetMdlPfnArray(mdl)[0], &frame, 1) == 1, "no frame view");
    CHECK(frame.use == RESMAP_SIM_FRAME_USER && frame.page == 2 && frame.locks == 1 && frame.mdl == 0,
          "use %u page %llu locks %u", frame.use, (unsigned long long)frame.page, frame.locks);
    unlock_user(mdl);
    resmap_sim_user_free(m, user);
    resmap_sim_user_free(m, first);
    CHECK_CLEAN(m);
    resmap_sim_destroy(m);
}

/* Past the end there is nothing to fill, and NULL arguments fill nothing. */
static void views_stop_at_the_end(void)
{
    resmap_sim_machine *m = machine();
    resmap_sim_pte_view ptes[VIEW_PTES];
    resmap_sim_frame_view frames[VIEW_PTES];
    char text[48];
    resmap_sim_counters c;
    resmap_sim_get_counters(m, &c);
    CHECK(resmap_sim_view_ptes(m, c.ptes_total - 3, ptes, VIEW_PTES) == 3, "not 3 PTEs");
    CHECK(resmap_sim_view_frames(m, c.frames_total, frames, VIEW_PTES) == 0, "frames past the end");
    CHECK(resmap_sim_view_ptes(NULL, 0, ptes, VIEW_PTES) == 0, "a NULL machine");
    CHECK(resmap_sim_view_frames(m, 0, NULL, VIEW_PTES) == 0, "a NULL buffer");
    CHECK(resmap_sim_describe(m, 0x704D7352, NULL, sizeof(text)) == 0, "a NULL text");
    resmap_sim_destroy(m);
}

/* The description of a value is the trace's: system addresses as sysva offsets, numbers in hex. */
static void values_are_described_as_the_trace_writes_them(void)
{
    resmap_sim_machine *m = machine();
    char text[48];
    PVOID base = MmAllocateMappingAddress(PAGE_SIZE, TAG_A);
    CHECK(resmap_sim_describe(m, (uint64_t)(uintptr_t)base, text, sizeof(text)) > 0 &&
          strcmp(text, "sysva+0x2000") == 0, "%s", text);
    CHECK(resmap_sim_describe(m, 0x704D7352, text, sizeof(text)) > 0 && strcmp(text, "0x704D7352") == 0, "%s",
          text);
    MmFreeMappingAddress(base, TAG_A);
    resmap_sim_destroy(m);
}

int main(void)
{
    RUN(ptes_show_headers_pages_and_the_frames_behind_them);
    RUN(user_frames_name_their_page);
    RUN(views_stop_at_the_end);
    RUN(values_are_described_as_the_trace_writes_them);
    return CHECK_DONE();
}

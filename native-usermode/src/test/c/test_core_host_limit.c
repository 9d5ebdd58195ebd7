/*
 * test_core_host_limit.c - the host's mapping limit (vm.max_map_count). One session, within its own
 * quotas, maps a page set ordinarily again and again; the simulator's budget of host mappings (here
 * lowered through resmap_sim_set_host_budget rather than the sysctl) must refuse the map that would
 * pass it the way Windows refuses a map it cannot make (STATUS_INSUFFICIENT_RESOURCES), with nothing
 * changed, and afterwards every page the simulator thinks mapped must be mapped by the host to that
 * very frame, every page it thinks empty must be PROT_NONE, and the host mappings in its arenas must
 * stay within what it charged.
 */
#include "test_core_client.h"
#include "host_maps.h"
#include "sim_machine.h"

#define MEMFD_NAME "resmap-sim-physical-memory"

/* The simulator's view of one arena page against the host's. */
static int page_agrees(const host_maps *maps, const void *va, PFN_NUMBER frame, const char *writable_perms)
{
    const host_mapping *h = host_maps_find(maps, va);
    if (h == NULL) {
        return 0;
    }
    if (frame == SIM_NO_FRAME) {
        return strcmp(h->perms, "---p") == 0 && strstr(h->path, MEMFD_NAME) == NULL;
    }
    return strcmp(h->perms, writable_perms) == 0 && strstr(h->path, MEMFD_NAME) != NULL &&
           h->offset + ((uintptr_t)va - h->start) == (unsigned long long)frame * PAGE;
}

/* Every system PTE and every user page, as the simulator sees it, against /proc/self/maps. */
static void check_views_agree(resmap_sim_machine *m, const char *when)
{
    host_maps maps = host_maps_read();
    size_t wrong = 0, first_wrong = (size_t)-1;
    CHECK(maps.count > 0, "%s: /proc/self/maps unreadable", when);
    for (size_t i = 0; i < m->ptes_total; i++) {
        if (!page_agrees(&maps, m->sysva + i * PAGE, sim_pte_frame_locked(m, i, NULL), "rw-s")) {
            first_wrong = first_wrong == (size_t)-1 ? i : first_wrong;
            wrong++;
        }
    }
    for (size_t i = 0; i < m->user_pages; i++) {
        PFN_NUMBER frame = sim_user_frame_locked(m, m->userva + i * PAGE);
        if (!page_agrees(&maps, m->userva + i * PAGE, frame, "rw-s")) {
            first_wrong = first_wrong == (size_t)-1 ? m->ptes_total + i : first_wrong;
            wrong++;
        }
    }
    CHECK(wrong == 0, "%s: %zu pages where the host disagrees, the first is page %zu", when, wrong, first_wrong);
    size_t in_arenas = host_maps_within(&maps, m->sysva, m->ptes_total * PAGE) +
                       host_maps_within(&maps, m->userva, m->user_pages * PAGE);
    CHECK(in_arenas <= m->host_charged, "%s: %zu host mappings in the arenas, %llu charged", when, in_arenas,
          (unsigned long long)m->host_charged);
    host_maps_free(&maps);
}

static void check_nothing_changed(fixture *f, const RESMAP_INFO *info_before, const resmap_sim_counters *before)
{
    RESMAP_INFO info;
    resmap_sim_counters now;
    CHECK_STATUS(get_info(f->s, &info), STATUS_SUCCESS);
    CHECK(memcmp(&info, info_before, sizeof(info)) == 0, "%s", "GET_INFO changed");
    resmap_sim_get_counters(f->m, &now);
    now.calls = before->calls;
    CHECK(memcmp(&now, before, sizeof(now)) == 0, "%s", "the machine's counters changed");
}

static void a_session_driven_to_the_host_limit_is_refused_and_the_views_still_agree(void)
{
    resmap_sim_config cfg = { .struct_size = sizeof(cfg), .physical_pages = 2048, .system_ptes = 8192 };
    fixture f = fixture_open_config(&cfg);
    RESMAP_OBJECT_OUT pages, big, refused, mapping[64];
    RESMAP_INFO info;
    resmap_sim_counters counters;
    uint64_t used, limit, used_before;
    int mapped = 0;
    int32_t status;

    /* 256 pages: 16 runs of scattered frames, so each ordinary mapping is charged 32 host mappings. */
    CHECK_STATUS(allocate_pages(f.s, 256 * PAGE, MmCached, 0, &pages), STATUS_SUCCESS);
    resmap_sim_host_budget(&used_before, &limit);
    resmap_sim_set_host_budget(used_before + 300);

    while ((status = map_ordinary(f.s, pages.Handle, 0, 0, &mapping[mapped])) == STATUS_SUCCESS && mapped < 63) {
        mapped++;
    }
    CHECK(status == STATUS_INSUFFICIENT_RESOURCES && mapped == 9, "map %d: 0x%08X", mapped + 1, (unsigned)status);
    resmap_sim_host_budget(&used, NULL);
    CHECK(used <= used_before + 300, "%llu host mappings charged, budget %llu", (unsigned long long)used,
          (unsigned long long)(used_before + 300));
    check_alive(f.m);
    check_views_agree(f.m, "at the limit");

    /* Refused before anything changes: another ordinary map, a reservation whose mappings could pass
     * the budget, a user buffer the host cannot map. */
    CHECK_STATUS(get_info(f.s, &info), STATUS_SUCCESS);
    resmap_sim_get_counters(f.m, &counters);
    CHECK_STATUS(map_ordinary(f.s, pages.Handle, 0, 0, &refused), STATUS_INSUFFICIENT_RESOURCES);
    CHECK_STATUS(reserve(f.s, 256 * PAGE, TAG_A, 0, &refused), STATUS_INSUFFICIENT_RESOURCES);
    check_nothing_changed(&f, &info, &counters);
    CHECK(resmap_sim_user_alloc(f.m, 256 * PAGE) == NULL, "%s", "a user buffer past the budget");
    check_nothing_changed(&f, &info, &counters);
    check_alive(f.m);

    /* Everything mapped still reads and writes; unmapping gives the budget back, and then a large
     * reservation fits and maps. */
    for (int i = 0; i < mapped; i++) {
        uint8_t back = 0;
        CHECK_STATUS(write_bytes(f.s, mapping[i].Handle, (uint64_t)i * PAGE, &(uint8_t){ (uint8_t)(i + 1) }, 1),
                     STATUS_SUCCESS);
        CHECK_STATUS(read_bytes(f.s, mapping[0].Handle, (uint64_t)i * PAGE, &back, 1), STATUS_SUCCESS);
        CHECK(back == i + 1, "mapping 0 reads %u at page %d, mapping %d wrote %d", back, i, i, i + 1);
    }
    for (int i = 0; i < mapped; i++) {
        CHECK_STATUS(unmap_ordinary(f.s, mapping[i].Handle), STATUS_SUCCESS);
    }
    check_views_agree(f.m, "after the unmaps");
    CHECK_STATUS(reserve(f.s, 128 * PAGE, TAG_A, 0, &big), STATUS_SUCCESS);
    CHECK_STATUS(map_reserved(f.s, pages.Handle, 0, 128 * PAGE, big.Handle, 0, TAG_A, &mapping[0]), STATUS_SUCCESS);
    check_views_agree(f.m, "with a reserved mapping");
    CHECK_STATUS(unmap_reserved(f.s, mapping[0].Handle, TAG_A), STATUS_SUCCESS);
    CHECK_STATUS(free_reservation(f.s, big.Handle, TAG_A), STATUS_SUCCESS);
    CHECK_STATUS(release_pages(f.s, pages.Handle), STATUS_SUCCESS);
    resmap_sim_host_budget(&used, NULL);
    CHECK(used == used_before, "%llu host mappings charged after the release, %llu before",
          (unsigned long long)used, (unsigned long long)used_before);
    check_views_agree(f.m, "after the release");
    resmap_sim_set_host_budget(0);
    fixture_close(&f);
}

/* A machine gives its whole charge back when destroyed, whatever it still held. */
static void a_destroyed_machine_gives_its_host_mappings_back(void)
{
    uint64_t before, after;
    resmap_sim_host_budget(&before, NULL);
    {
        fixture f = fixture_open();
        RESMAP_OBJECT_OUT pages, reservation, mapping;
        CHECK_STATUS(allocate_pages(f.s, 64 * PAGE, MmCached, 0, &pages), STATUS_SUCCESS);
        CHECK_STATUS(map_ordinary(f.s, pages.Handle, 0, 0, &mapping), STATUS_SUCCESS);
        CHECK_STATUS(reserve(f.s, 64 * PAGE, TAG_A, 0, &reservation), STATUS_SUCCESS);
        CHECK(resmap_sim_user_alloc(f.m, 8 * PAGE) != NULL, "%s", "no user buffer");
        resmap_sim_destroy(f.m);
    }
    resmap_sim_host_budget(&after, NULL);
    CHECK(after == before, "%llu host mappings charged, %llu before", (unsigned long long)after,
          (unsigned long long)before);
}

int main(void)
{
    RUN(a_session_driven_to_the_host_limit_is_refused_and_the_views_still_agree);
    RUN(a_destroyed_machine_gives_its_host_mappings_back);
    return CHECK_DONE();
}

/*
 * test_core_processes.c - a locked user buffer never outlives its process. A session serves only the
 * process that opened it: a handle duplicated into another process gets STATUS_ACCESS_DENIED for every
 * request and can only be closed. When the opener exits while the other process still holds the
 * handle, the driver's process-exit routine unmaps and unlocks everything first, so the exit does not
 * bugcheck (0x76 PROCESS_HAS_LOCKED_PAGES), and the last close later releases nothing twice.
 */
#include "test_core_client.h"

#define OPENER_LOCKS_AND_MAPS(f, opener, buffer, page_set, reservation, mapping)                    \
    do {                                                                                           \
        CHECK(resmap_sim_process_attach((f).m, (opener)) == 0, "attach failed%s", "");            \
        (buffer) = resmap_sim_user_alloc((f).m, 2 * PAGE);                                         \
        CHECK((buffer) != NULL, "user_alloc returned NULL%s", "");                                 \
        (f).s = resmap_sim_open((f).m);                                                            \
        CHECK_STATUS(lock_buffer((f).s, (buffer), 2 * PAGE, RESMAP_ACCESS_READ_WRITE, &(page_set)), 0); \
        CHECK_STATUS(reserve((f).s, 4 * PAGE, TAG_A, 0, &(reservation)), 0);                       \
        CHECK_STATUS(map_reserved((f).s, (page_set).Handle, 0, 2 * PAGE, (reservation).Handle, 0,  \
                                  TAG_A, &(mapping)), 0);                                          \
        resmap_sim_process_attach((f).m, RESMAP_SIM_PROCESS_FIRST);                                \
    } while (0)

static void opener_exit_with_a_duplicated_handle_does_not_bugcheck(void)
{
    fixture f = fixture_open();
    uint32_t opener = resmap_sim_process_create(f.m);
    uint32_t holder = resmap_sim_process_create(f.m);
    RESMAP_OBJECT_OUT page_set, reservation, mapping;
    resmap_sim_session *copy;
    resmap_sim_counters c;
    uint8_t *buffer;

    resmap_sim_close(f.s);
    OPENER_LOCKS_AND_MAPS(f, opener, buffer, page_set, reservation, mapping);
    copy = resmap_sim_duplicate(f.s, holder);
    CHECK(copy != NULL, "duplicate returned NULL%s", "");
    resmap_sim_get_counters(f.m, &c);
    CHECK(c.frames_locked == 2 && c.reserved_mapped_pages == 2, "locked %llu, mapped %llu",
          (unsigned long long)c.frames_locked, (unsigned long long)c.reserved_mapped_pages);

    /* The opener exits: its handle goes with it, the holder's stays open. */
    CHECK(resmap_sim_process_exit(f.m, opener) == 0, "the opener's exit bugchecked%s", "");
    check_alive(f.m);
    resmap_sim_get_counters(f.m, &c);
    CHECK(c.frames_locked == 0, "pages still locked after the exit: %llu", (unsigned long long)c.frames_locked);
    CHECK(c.reserved_mapped_pages == 0, "still mapped after the exit: %llu",
          (unsigned long long)c.reserved_mapped_pages);
    CHECK(c.reservations == f.before.reservations, "reservations %llu", (unsigned long long)c.reservations);
    CHECK(c.user_buffers == 0, "the exited process's memory was not freed: %llu", (unsigned long long)c.user_buffers);
    CHECK(c.sessions == f.before.sessions + 1, "the file object closed with a handle open: %llu",
          (unsigned long long)c.sessions);

    /* The orphaned session serves nobody, and its last close releases nothing twice. */
    CHECK_STATUS(query(copy, mapping.Handle, &(RESMAP_QUERY_OUT){ 0 }), STATUS_ACCESS_DENIED);
    f.s = copy;
    fixture_close(&f);
}

static void another_process_cannot_use_a_duplicated_handle(void)
{
    fixture f = fixture_open();
    uint32_t holder = resmap_sim_process_create(f.m);
    RESMAP_OBJECT_OUT reservation, other;
    resmap_sim_session *copy;
    RESMAP_INFO info;
    uint8_t *theirs;

    CHECK_STATUS(reserve(f.s, PAGE, TAG_A, 0, &reservation), 0);
    copy = resmap_sim_duplicate(f.s, holder);
    CHECK_STATUS(get_info(copy, &info), STATUS_ACCESS_DENIED);
    CHECK_STATUS(reserve(copy, PAGE, TAG_A, 0, &other), STATUS_ACCESS_DENIED);
    CHECK_STATUS(free_reservation(copy, reservation.Handle, TAG_A), STATUS_ACCESS_DENIED);
    resmap_sim_process_attach(f.m, holder);
    theirs = resmap_sim_user_alloc(f.m, PAGE);
    resmap_sim_process_attach(f.m, RESMAP_SIM_PROCESS_FIRST);
    CHECK_STATUS(lock_buffer(copy, theirs, PAGE, RESMAP_ACCESS_READ, &other), STATUS_ACCESS_DENIED);
    /* The opener's own handle still works, and closing the copy first leaves the file object open. */
    resmap_sim_close(copy);
    CHECK_STATUS(free_reservation(f.s, reservation.Handle, TAG_A), 0);
    CHECK(resmap_sim_user_free(f.m, theirs) == 0, "free failed%s", "");
    fixture_close(&f);
}

static void a_process_cannot_lock_another_process_buffer(void)
{
    fixture f = fixture_open();
    uint32_t other = resmap_sim_process_create(f.m);
    RESMAP_OBJECT_OUT page_set;
    uint8_t *theirs;

    resmap_sim_process_attach(f.m, other);
    theirs = resmap_sim_user_alloc(f.m, PAGE);
    resmap_sim_process_attach(f.m, RESMAP_SIM_PROCESS_FIRST);
    CHECK_STATUS(lock_buffer(f.s, theirs, PAGE, RESMAP_ACCESS_READ, &page_set), STATUS_ACCESS_VIOLATION);
    CHECK(resmap_sim_process_exit(f.m, other) == 0, "exit failed%s", "");
    fixture_close(&f);
}

static void the_last_handle_closes_in_the_exiting_process(void)
{
    fixture f = fixture_open();
    uint32_t opener = resmap_sim_process_create(f.m);
    RESMAP_OBJECT_OUT page_set, reservation, mapping;
    resmap_sim_counters c;
    uint8_t *buffer;

    resmap_sim_close(f.s);
    OPENER_LOCKS_AND_MAPS(f, opener, buffer, page_set, reservation, mapping);
    /* No duplicate: the exit closes the only handle too; nothing is left, nothing bugchecks. */
    CHECK(resmap_sim_process_exit(f.m, opener) == 0, "exit bugchecked%s", "");
    check_alive(f.m);
    check_counters_equal(f.m, &f.before);
    resmap_sim_get_counters(f.m, &c);
    CHECK(c.user_buffers == 0, "user buffers %llu", (unsigned long long)c.user_buffers);
    resmap_sim_close(f.keeper);
    resmap_sim_destroy(f.m);
}

static void duplicate_checks_its_arguments(void)
{
    fixture f = fixture_open();
    CHECK(resmap_sim_duplicate(NULL, 1) == NULL, "duplicated NULL%s", "");
    CHECK(resmap_sim_duplicate(f.s, 7) == NULL, "duplicated into an unknown process%s", "");
    CHECK(resmap_sim_duplicate(f.s, 0) == NULL, "duplicated into process 0%s", "");
    fixture_close(&f);
}

int main(void)
{
    RUN(opener_exit_with_a_duplicated_handle_does_not_bugcheck);
    RUN(another_process_cannot_use_a_duplicated_handle);
    RUN(a_process_cannot_lock_another_process_buffer);
    RUN(the_last_handle_closes_in_the_exiting_process);
    RUN(duplicate_checks_its_arguments);
    return CHECK_DONE();
}

/*
 * test_sim_clock.c - KeQueryPerformanceCounter as Microsoft's reference page describes it: a counter
 * that never goes backwards, a frequency in ticks per second through the optional parameter (NULL
 * allowed), callable at any IRQL (DISPATCH_LEVEL, the highest the simulator models, here) and with no machine selected, and neither traced nor counted as a
 * kernel call. No timing is asserted beyond what a sleep of at least 2 ms guarantees.
 */
#include "sim_fixture.h"

#include <time.h>

static void the_frequency_is_10_mhz_and_the_parameter_is_optional(void)
{
    LARGE_INTEGER frequency = { .QuadPart = 0 };
    LARGE_INTEGER first = KeQueryPerformanceCounter(&frequency);
    LARGE_INTEGER second = KeQueryPerformanceCounter(NULL);

    CHECK(frequency.QuadPart == 10000000, "frequency %lld", (long long)frequency.QuadPart);
    CHECK(first.QuadPart > 0 && second.QuadPart >= first.QuadPart, "first %lld second %lld",
          (long long)first.QuadPart, (long long)second.QuadPart);
}

static void the_counter_never_goes_back_and_follows_the_clock(void)
{
    struct timespec pause = { .tv_sec = 0, .tv_nsec = 2000000 };
    LONGLONG previous = KeQueryPerformanceCounter(NULL).QuadPart;
    LONGLONG before;
    LONGLONG after;
    int backwards = 0;

    for (int i = 0; i < 100000; i++) {
        LONGLONG now = KeQueryPerformanceCounter(NULL).QuadPart;
        backwards |= now < previous;
        previous = now;
    }
    CHECK(!backwards, "the counter went backwards%s", "");

    /* A sleep of at least 2 ms is at least 20,000 ticks of 100 ns. */
    before = KeQueryPerformanceCounter(NULL).QuadPart;
    nanosleep(&pause, NULL);
    after = KeQueryPerformanceCounter(NULL).QuadPart;
    CHECK(after - before >= 20000, "%lld ticks across a 2 ms sleep", (long long)(after - before));
}

static void any_irql_no_machine_and_no_trace(void)
{
    resmap_sim_machine *m = machine_with(RESMAP_SIM_BUILD_DEFAULT, RESMAP_SIM_FLAG_TRACE);
    resmap_sim_counters before;
    resmap_sim_counters after;
    char trace[256];

    resmap_sim_get_counters(m, &before);
    resmap_sim_set_irql(m, DISPATCH_LEVEL);
    (void)KeQueryPerformanceCounter(NULL);
    resmap_sim_set_irql(m, PASSIVE_LEVEL);
    resmap_sim_get_counters(m, &after);
    CHECK(!resmap_sim_bugcheck(m, NULL, NULL), "KeQueryPerformanceCounter at DISPATCH_LEVEL bugchecked%s", "");
    CHECK(after.calls == before.calls, "counted as %llu kernel calls", (unsigned long long)(after.calls - before.calls));
    CHECK(resmap_sim_trace_read(m, trace, sizeof(trace)) == 0, "traced: %s", trace);
    resmap_sim_destroy(m);

    resmap_sim_select(NULL);
    CHECK(KeQueryPerformanceCounter(NULL).QuadPart > 0, "no value without a machine%s", "");
}

int main(void)
{
    RUN(the_frequency_is_10_mhz_and_the_parameter_is_optional);
    RUN(the_counter_never_goes_back_and_follows_the_clock);
    RUN(any_irql_no_machine_and_no_trace);
    return CHECK_DONE();
}

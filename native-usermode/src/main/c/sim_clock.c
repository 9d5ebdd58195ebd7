/*
 * sim_clock.c - KeQueryPerformanceCounter, on the host's monotonic clock.
 *
 * Windows documents a monotonically nondecreasing counter whose frequency is fixed at boot and the
 * same on every processor, callable at any IRQL (Microsoft Learn, KeQueryPerformanceCounter). The
 * simulator's counter is CLOCK_MONOTONIC, which is all of that, counted in 100 ns ticks: 10 MHz is
 * the frequency Windows 10 and later usually report, so code that divides by the frequency sees a
 * familiar resolution. It needs no machine and takes no lock, so it is not traced or counted: a timed
 * loop measures the calls it times, not the simulator's bookkeeping of the clock.
 */
#include <wdm.h>

#include <time.h>

#define SIM_PERFORMANCE_FREQUENCY 10000000LL    /* ticks per second */
#define SIM_NS_PER_TICK           100LL

LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    struct timespec now;
    LARGE_INTEGER counter;

    /* CLOCK_MONOTONIC cannot fail on Linux with a valid pointer. */
    clock_gettime(CLOCK_MONOTONIC, &now);
    counter.QuadPart = (LONGLONG)now.tv_sec * SIM_PERFORMANCE_FREQUENCY + (LONGLONG)now.tv_nsec / SIM_NS_PER_TICK;
    if (PerformanceFrequency != NULL) {
        PerformanceFrequency->QuadPart = SIM_PERFORMANCE_FREQUENCY;
    }
    return counter;
}

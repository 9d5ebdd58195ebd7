/*
 * check.h - the assertions of the C tests (one test program per src/test/c/test_*.c).
 *
 *   CHECK(cond, fmt, ...)   counts a pass, or prints the failed expectation and what was observed
 *                           (fmt and its arguments describe the observed value) and counts a failure;
 *   RUN(fn)                 runs one scenario, a void function, and names it in the output;
 *   CHECK_DONE()            prints "<test source>: N passed, N failed" and yields main's exit status.
 *
 * The Makefile adds the per-program lines into the one final line "N passed, N failed".
 */
#ifndef RESMAP_CHECK_H
#define RESMAP_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static unsigned check_passed_count;
static unsigned check_failed_count;
static const char *check_scenario = "";

#define CHECK(cond, fmt, ...)                                                                      \
    do {                                                                                           \
        if (cond) {                                                                                \
            check_passed_count++;                                                                  \
        } else {                                                                                   \
            check_failed_count++;                                                                  \
            fprintf(stderr, "%s:%d: FAIL in %s: expected %s; observed " fmt "\n", __FILE__,       \
                    __LINE__, check_scenario, #cond, ##__VA_ARGS__);                              \
        }                                                                                          \
    } while (0)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        unsigned failed_before_ = check_failed_count;                                              \
        check_scenario = #fn;                                                                      \
        fn();                                                                                      \
        printf("  %-60s %s\n", #fn, check_failed_count == failed_before_ ? "ok" : "FAILED");       \
        fflush(stdout);                                                                            \
    } while (0)

static inline int check_done(const char *source)
{
    const char *name = source;
    for (const char *p = source; *p; p++) {
        if (*p == '/') {
            name = p + 1;
        }
    }
    printf("%s: %u passed, %u failed\n", name, check_passed_count, check_failed_count);
    return check_failed_count == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#define CHECK_DONE() check_done(__FILE__)

#endif /* RESMAP_CHECK_H */

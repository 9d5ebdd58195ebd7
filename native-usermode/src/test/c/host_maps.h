/*
 * host_maps.h - what the host kernel says about an address of this process (/proc/self/maps), so that
 * tests can check the simulator's view of a page against the host mapping behind it.
 */
#ifndef HOST_MAPS_H
#define HOST_MAPS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* One line of /proc/self/maps. */
typedef struct host_mapping {
    uintptr_t start, end;
    char perms[5];          /* e.g. "rw-s" */
    unsigned long long offset;
    char path[128];         /* "" for an anonymous mapping */
} host_mapping;

/* The host mapping that contains va; 0 if found, -1 if va is mapped by nothing. */
static inline int host_mapping_of(const void *va, host_mapping *out)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    int found = -1;
    if (maps == NULL) {
        return -1;
    }
    while (found != 0 && fgets(line, sizeof(line), maps) != NULL) {
        host_mapping h;
        int path_at = 0;
        memset(&h, 0, sizeof(h));
        if (sscanf(line, "%lx-%lx %4s %llx %*s %*s %n", &h.start, &h.end, h.perms, &h.offset, &path_at) < 4) {
            continue;
        }
        if ((uintptr_t)va >= h.start && (uintptr_t)va < h.end) {
            if (path_at > 0) {
                snprintf(h.path, sizeof(h.path), "%s", line + path_at);
                h.path[strcspn(h.path, "\n")] = '\0';
            }
            *out = h;
            found = 0;
        }
    }
    fclose(maps);
    return found;
}

/* How many host mappings this process has (lines of /proc/self/maps). */
static inline size_t host_mapping_count(void)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    size_t n = 0;
    int c;
    if (maps == NULL) {
        return 0;
    }
    while ((c = fgetc(maps)) != EOF) {
        n += c == '\n';
    }
    fclose(maps);
    return n;
}

#endif /* HOST_MAPS_H */

/*
 * host_maps.h - what the host kernel says about an address of this process (/proc/self/maps), so that
 * tests can check the simulator's view of a page against the host mapping behind it.
 */
#ifndef HOST_MAPS_H
#define HOST_MAPS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Every host mapping of the process at one moment, in address order. */
typedef struct host_maps {
    host_mapping *at;
    size_t count;
} host_maps;

static inline host_maps host_maps_read(void)
{
    host_maps maps = { NULL, 0 };
    size_t cap = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    if (f == NULL) {
        return maps;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        host_mapping h;
        int path_at = 0;
        memset(&h, 0, sizeof(h));
        if (sscanf(line, "%lx-%lx %4s %llx %*s %*s %n", &h.start, &h.end, h.perms, &h.offset, &path_at) < 4) {
            continue;
        }
        if (path_at > 0) {
            snprintf(h.path, sizeof(h.path), "%s", line + path_at);
            h.path[strcspn(h.path, "\n")] = '\0';
        }
        if (maps.count == cap) {
            cap = cap == 0 ? 1024 : 2 * cap;
            host_mapping *grown = realloc(maps.at, cap * sizeof(*grown));
            if (grown == NULL) {
                break;
            }
            maps.at = grown;
        }
        maps.at[maps.count++] = h;
    }
    fclose(f);
    return maps;
}

/* The mapping of the snapshot that contains va, or NULL. */
static inline const host_mapping *host_maps_find(const host_maps *maps, const void *va)
{
    size_t lo = 0, hi = maps->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)va < maps->at[mid].start) {
            hi = mid;
        } else if ((uintptr_t)va >= maps->at[mid].end) {
            lo = mid + 1;
        } else {
            return &maps->at[mid];
        }
    }
    return NULL;
}

/* How many mappings of the snapshot overlap [start, start + bytes). */
static inline size_t host_maps_within(const host_maps *maps, const void *start, size_t bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < maps->count; i++) {
        n += maps->at[i].end > (uintptr_t)start && maps->at[i].start < (uintptr_t)start + bytes;
    }
    return n;
}

static inline void host_maps_free(host_maps *maps)
{
    free(maps->at);
    maps->at = NULL;
    maps->count = 0;
}

#endif /* HOST_MAPS_H */

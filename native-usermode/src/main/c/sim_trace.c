/*
 * sim_trace.c - the call trace: one line per simulated kernel call, with addresses shown as offsets
 * into the machine's arenas (sysva+, user+) and MDLs by number, so that a narration never shows a
 * host address and is the same from run to run.
 *
 * Nothing is formatted while tracing is off: every sim_format_* helper and sim_call_args/result return
 * at once (leaving an empty string), so an untraced call costs no vsnprintf and no walk of the pool
 * list, whatever the number of live objects. A traced call is formatted when it is made, not when the
 * trace is read, because the names it shows (mdl#N, pool#N+0x..) are those of the objects alive then.
 */
#include "sim_machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The trace keeps at most this much; the oldest whole lines make room for new ones. */
#define TRACE_LIMIT (1u << 20)

void sim_trace_line_locked(resmap_sim_machine *m, const char *line)
{
    size_t n = strlen(line);
    if (n == 0 || n > TRACE_LIMIT) {
        return;
    }
    if (m->trace_len + n > TRACE_LIMIT) {
        size_t drop = m->trace_len + n - TRACE_LIMIT;
        const char *nl = memchr(m->trace + drop - 1, '\n', m->trace_len - drop + 1);
        drop = nl != NULL ? (size_t)(nl - m->trace) + 1 : m->trace_len;
        memmove(m->trace, m->trace + drop, m->trace_len - drop);
        m->trace_len -= drop;
    }
    if (m->trace_len + n > m->trace_cap) {
        size_t cap = m->trace_cap == 0 ? 4096 : m->trace_cap;
        while (cap < m->trace_len + n) {
            cap *= 2;
        }
        char *grown = realloc(m->trace, cap);
        if (grown == NULL) {
            return;
        }
        m->trace = grown;
        m->trace_cap = cap;
    }
    memcpy(m->trace + m->trace_len, line, n);
    m->trace_len += n;
}

RESMAP_SIM_API void resmap_sim_trace_enable(resmap_sim_machine *m, int on)
{
    if (m == NULL) {
        return;
    }
    pthread_mutex_lock(&m->lock);
    m->tracing = on != 0;
    pthread_mutex_unlock(&m->lock);
}

RESMAP_SIM_API size_t resmap_sim_trace_read(resmap_sim_machine *m, char *buf, size_t len)
{
    size_t n = 0;
    if (m == NULL || buf == NULL || len == 0) {
        return 0;
    }
    pthread_mutex_lock(&m->lock);
    /* Whole lines only: stop after the last newline that fits with the terminating NUL. */
    for (size_t i = 0; i < m->trace_len && i + 1 < len; i++) {
        if (m->trace[i] == '\n') {
            n = i + 1;
        }
    }
    /* The trace buffer is NULL until the first line: memcpy and memmove may not be given NULL. */
    if (n > 0) {
        memcpy(buf, m->trace, n);
        memmove(m->trace, m->trace + n, m->trace_len - n);
        m->trace_len -= n;
    }
    buf[n] = '\0';
    pthread_mutex_unlock(&m->lock);
    return n;
}

void sim_format_address_locked(resmap_sim_machine *m, const void *va, char *buf, size_t len)
{
    uintptr_t a = (uintptr_t)va;
    uintptr_t sys = (uintptr_t)m->sysva;
    uintptr_t user = (uintptr_t)m->userva;
    struct sim_block *b;
    if (!m->tracing) {
        buf[0] = '\0';
    } else if (va == NULL) {
        snprintf(buf, len, "NULL");
    } else if (a >= sys && a < sys + m->ptes_total * PAGE_SIZE) {
        snprintf(buf, len, "sysva+0x%lx", (unsigned long)(a - sys));
    } else if (a >= user && a < user + m->user_pages * PAGE_SIZE) {
        snprintf(buf, len, "user+0x%lx", (unsigned long)(a - user));
    } else if ((b = sim_block_containing_locked(m, va)) != NULL) {
        snprintf(buf, len, "pool#%u+0x%lx", b->number,
                 (unsigned long)(a - (uintptr_t)b->data));
    } else if (m->pool_va != NULL && a >= (uintptr_t)m->pool_va &&
               a < (uintptr_t)m->pool_va + m->pool_pages * PAGE_SIZE) {
        /* pool that no live block holds (freed, or never handed out) */
        snprintf(buf, len, "poolva+0x%lx", (unsigned long)(a - (uintptr_t)m->pool_va));
    } else if (a < m->frames_total * PAGE_SIZE) {
        /* An MDL from MmAllocatePagesForMdlEx has no virtual address (StartVa is NULL), so the
         * "address" of a sub-range of it is just the sub-range's offset. */
        snprintf(buf, len, "NULL+0x%lx", (unsigned long)a);
    } else {
        snprintf(buf, len, "foreign");
    }
}

void sim_format_mdl_locked(resmap_sim_machine *m, const MDL *mdl, char *buf, size_t len)
{
    struct sim_block *b = mdl == NULL || !m->tracing ? NULL : sim_block_find_locked(m, mdl);
    if (!m->tracing) {
        buf[0] = '\0';
    } else if (mdl == NULL) {
        snprintf(buf, len, "NULL");
    } else if (b != NULL && b->kind != SIM_BLOCK_POOL) {
        snprintf(buf, len, "mdl#%u", b->number);
    } else {
        /* An MDL the driver built itself (MmInitializeMdl on its own storage). */
        char where[48];
        sim_format_address_locked(m, mdl, where, sizeof(where));
        snprintf(buf, len, "mdl@%s", where);
    }
}

void sim_format_param_locked(resmap_sim_machine *m, ULONG_PTR value, char *buf, size_t len)
{
    const void *p = (const void *)value;
    struct sim_block *b = value == 0 || !m->tracing ? NULL : sim_block_find_locked(m, p);
    if (b != NULL && b->kind != SIM_BLOCK_POOL) {
        sim_format_mdl_locked(m, p, buf, len);
        return;
    }
    sim_format_address_locked(m, p, buf, len);
    /* A plain number (a code, a count, a small offset) is not an address: hex, as !analyze shows it. */
    if (strcmp(buf, "foreign") == 0 || strncmp(buf, "NULL", 4) == 0) {
        snprintf(buf, len, "0x%llX", (unsigned long long)value);
    }
}

void sim_format_bugcheck_locked(resmap_sim_machine *m, const char *prefix, ULONG code,
                                const ULONG_PTR params[4], char *buf, size_t len)
{
    char p[4][48];
    if (!m->tracing) {
        buf[0] = '\0';
        return;
    }
    for (int i = 0; i < 4; i++) {
        sim_format_param_locked(m, params[i], p[i], sizeof(p[i]));
    }
    snprintf(buf, len, "%s0x%X (%s, %s, %s, %s)\n", prefix, code, p[0], p[1], p[2], p[3]);
}

void sim_format_tag(ULONG tag, char *buf, size_t len)
{
    /* Written out by hand rather than with snprintf: callers format the tag before they know whether
     * the call is traced, and this keeps that nearly free. */
    char c[4] = { (char)(tag >> 24), (char)(tag >> 16), (char)(tag >> 8), (char)tag };
    for (int i = 0; i < 4; i++) {
        if (c[i] < 0x20 || c[i] > 0x7E || c[i] == '\'') {
            snprintf(buf, len, "0x%X", tag);
            return;
        }
    }
    if (len < 7) {
        buf[0] = '\0';
        return;
    }
    buf[0] = '\'';
    memcpy(buf + 1, c, 4);
    buf[5] = '\'';
    buf[6] = '\0';
}

const char *sim_cache_name(MEMORY_CACHING_TYPE type)
{
    switch (type) {
    case MmNonCached:
        return "MmNonCached";
    case MmCached:
        return "MmCached";
    case MmWriteCombined:
        return "MmWriteCombined";
    case MmHardwareCoherentCached:
        return "MmHardwareCoherentCached";
    case MmNonCachedUnordered:
        return "MmNonCachedUnordered";
    case MmUSWCCached:
        return "MmUSWCCached";
    case MmNotMapped:
        return "MmNotMapped";
    default:
        return "invalid";
    }
}

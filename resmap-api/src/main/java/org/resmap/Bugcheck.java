package org.resmap;

import java.util.Arrays;
import java.util.Map;

/**
 * A bug check the simulated machine raised: the code and four parameters Windows would have shown.
 *
 * @param code the bug check code, e.g. 0xDA
 * @param params its four parameters
 */
public record Bugcheck(int code, long[] params) {

    private static final Map<Integer, String> CODES = Map.ofEntries(
            Map.entry(0x0A, "IRQL_NOT_LESS_OR_EQUAL: code that must not run at this IRQL ran there (a routine called "
                    + "above its maximum IRQL, or pageable memory touched at DISPATCH_LEVEL)"),
            Map.entry(0x1A, "MEMORY_MANAGEMENT: memory manager state corrupted (pages unlocked or freed twice?)"),
            Map.entry(0x1E, "KMODE_EXCEPTION_NOT_HANDLED: kernel code raised an exception nobody caught"),
            Map.entry(0x3F, "NO_MORE_SYSTEM_PTES: a mapping that had to succeed (BugCheckOnFailure) found no system PTEs"),
            Map.entry(0x4A, "IRQL_GT_ZERO_AT_SYSTEM_SERVICE: driver code returned to its caller above PASSIVE_LEVEL (a lock still held)"),
            Map.entry(0x4E, "PFN_LIST_CORRUPT: the page frame database is corrupted"),
            Map.entry(0x50, "PAGE_FAULT_IN_NONPAGED_AREA: touched a page that is not mapped, e.g. an unmapped reserved page"),
            Map.entry(0x76, "PROCESS_HAS_LOCKED_PAGES: a process ended with user pages still locked"),
            Map.entry(0xC2, "BAD_POOL_CALLER: a bad pool request, e.g. freeing memory twice or with the wrong call"),
            Map.entry(0xC4, "DRIVER_VERIFIER_DETECTED_VIOLATION: Driver Verifier caught a rule violation"),
            Map.entry(0xD1, "DRIVER_IRQL_NOT_LESS_OR_EQUAL: pageable driver code (PAGED_CODE) ran above APC_LEVEL"),
            Map.entry(0xDA, "SYSTEM_PTE_MISUSE: a system PTE routine was called wrongly"),
            Map.entry(0xE0DA0F00, "RESMAP_SIM_HOST_FAULT: not a Windows bug check; the host refused a mapping the "
                    + "simulator needed, so the machine was stopped (see stderr)"));

    private static final Map<Long, String> PTE_MISUSE = Map.ofEntries(
            Map.entry(0x06L, "unmapped an MDL that is not mapped there"),
            Map.entry(0x100L, "asked for 0 pages"),
            Map.entry(0x101L, "freed a range the caller does not own (wrong tag)"),
            Map.entry(0x102L, "freed a range that is apparently empty"),
            Map.entry(0x103L, "freed a range that is still mapped; unmap first"),
            Map.entry(0x104L, "mapped into a range the caller does not own (wrong tag)"),
            Map.entry(0x105L, "mapped into an invalid range"),
            Map.entry(0x106L, "used an address inside no reservation"),
            Map.entry(0x107L, "mapped into a range that is already mapped; unmap first"),
            Map.entry(0x108L, "unmapped a range the caller does not own (wrong tag)"),
            Map.entry(0x109L, "unmapped a range that is apparently empty"),
            Map.entry(0x10AL, "unmapped more pages than the range has"),
            Map.entry(0x10BL, "unmapped a portion that is not mapped"),
            Map.entry(0x10CL, "did not unmap the entire range"),
            Map.entry(0x301L, "released a reserved mapping as if it were an ordinary one; unmap it first"));

    private static final Map<Long, String> VERIFIER = Map.ofEntries(
            Map.entry(0x02L, "nonpaged pool (or an MDL) allocated above DISPATCH_LEVEL"),
            Map.entry(0x12L, "nonpaged pool (or an MDL) freed above DISPATCH_LEVEL"),
            Map.entry(0x33L, "acquired a fast mutex above APC_LEVEL"),
            Map.entry(0x42L, "acquired a spin lock above DISPATCH_LEVEL"),
            Map.entry(0x70L, "locked pages above DISPATCH_LEVEL"),
            Map.entry(0x76L, "mapped locked pages above DISPATCH_LEVEL"),
            Map.entry(0x78L, "unlocked pages above DISPATCH_LEVEL"),
            Map.entry(0x79L, "unmapped locked pages above DISPATCH_LEVEL"),
            Map.entry(0x7CL, "unlocked an MDL that was never locked"),
            Map.entry(0x7EL, "allocated or freed pages for an MDL above DISPATCH_LEVEL"),
            Map.entry(0x82L, "asked MmMapLockedPagesSpecifyCache to bugcheck on failure"),
            Map.entry(0x85L, "mapped pages that are not locked"),
            Map.entry(0xB0L, "locked an MDL that is locked already, partial or mapped"),
            Map.entry(0xB2L, "mapped an MDL that has a system mapping already"),
            Map.entry(0xB4L, "unlocked a partial MDL"),
            Map.entry(0xB8L, "freed an MDL that is still mapped"),
            Map.entry(0x1000L, "acquired a lock it already holds (self-deadlock)"));

    /** Copies params, so the record cannot be changed from outside. */
    public Bugcheck {
        params = params.clone();
    }

    /** @return a copy of the four parameters */
    @Override
    public long[] params() {
        return params.clone();
    }

    /**
     * @return the code's name and meaning, and for 0xDA and 0xC4 the meaning of parameter 1, e.g.
     *     {@code "SYSTEM_PTE_MISUSE: ... ; 0x103: freed a range that is still mapped; unmap first"}
     */
    public String meaning() {
        String name = CODES.getOrDefault(code, "bug check not described here");
        Map<Long, String> detail = code == 0xDA ? PTE_MISUSE : code == 0xC4 ? VERIFIER : Map.of();
        String sub = params.length > 0 ? detail.get(params[0]) : null;
        return sub == null ? name : String.format("%s; 0x%X: %s", name, params[0], sub);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Bugcheck that && code == that.code && Arrays.equals(params, that.params);
    }

    @Override
    public int hashCode() {
        return 31 * code + Arrays.hashCode(params);
    }

    /**
     * @return the code and parameters in hex, e.g. {@code "0xDA (0x103, 0x7F1134C02000, 0x704D7352, 0x1)"}: on
     *     the simulator an address parameter is a host address, different from run to run; {@link
     *     Simulator#describe(long)} writes it as the call trace does ({@code sysva+0x2000})
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(String.format("0x%X (", code));
        for (int i = 0; i < params.length; i++) {
            text.append(i == 0 ? "" : ", ").append(String.format("0x%X", params[i]));
        }
        return text.append(')').toString();
    }
}

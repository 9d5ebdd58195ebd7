package org.resmap.catalogue;

/** Where a statement about the reserved-mapping family comes from (see docs/catalogue.md). */
public enum Source {
    /** Microsoft's documentation: the WDK reference pages, "Using MDLs", the bug check reference. */
    D("Microsoft documentation"),
    /** Observed on real Windows by the ReactOS kernel-mode test suite (kmtests). */
    K("kmtests on real Windows"),
    /** The ReactOS implementation of the memory manager. */
    R("ReactOS source"),
    /** Reported from reverse engineering of Windows 10/11; plausible, not verified. */
    X("reverse-engineering reports");

    private final String description;

    Source(String description) {
        this.description = description;
    }

    /** @return what the tag stands for */
    public String description() {
        return description;
    }

    /** @return the tag as the catalogue prints it, e.g. {@code [D]} */
    public String tag() {
        return "[" + name() + "]";
    }
}

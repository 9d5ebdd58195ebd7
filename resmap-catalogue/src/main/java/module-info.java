/**
 * The contract catalogue: each statement about the reserved-mapping functions as a scenario with its
 * expected outcome and sources, runnable on the simulator and on the kernel driver.
 */
module org.resmap.catalogue {
    requires transitive org.resmap;
    requires java.xml;

    exports org.resmap.catalogue;
}

/**
 * The resmap extension for JUnit Jupiter: {@link org.resmap.junit.ResMapTest} gives each test a fresh
 * {@link org.resmap.ResMap}, and fails the test on a simulated bug check or an object left open.
 */
module org.resmap.junit {
    requires transitive org.resmap;
    requires transitive org.junit.jupiter.api;

    exports org.resmap.junit;
}

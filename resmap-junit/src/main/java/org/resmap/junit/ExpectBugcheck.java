package org.resmap.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test commits a contract violation on purpose: it passes only if the simulated machine raised this
 * bug check (and, if given, with this first parameter), and fails if it raised none or another. A
 * bugchecked machine keeps its objects, so the open-object check does not apply. Never run on the
 * kernel back end: such a test is skipped there.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ExpectBugcheck {

    /** @return the bug check code, e.g. {@code 0xDA} */
    int value();

    /** @return the expected first parameter, e.g. {@code 0x103}; -1 = any */
    long parameter1() default -1;
}

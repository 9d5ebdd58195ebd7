package org.resmap.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The simulated machine a test runs on. On a method it replaces the class's {@code @Machine} as a
 * whole; without one, the simulator's defaults apply (see {@link org.resmap.SimulatorConfig}, where a
 * zero means "the default"). These are simulator settings: on the kernel back end a test that asks for
 * any is skipped, because the real machine's settings cannot be chosen by a test.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface Machine {

    /** @return the Windows build to behave like, e.g. {@link org.resmap.SimulatorConfig#WIN81}; 0 = the default */
    int windowsBuild() default 0;

    /** @return frames of simulated physical memory; 0 = the default (32 MiB) */
    int physicalPages() default 0;

    /** @return the system PTE pool in pages; 0 = the default */
    int systemPtes() default 0;

    /** @return the nonpaged pool limit in bytes; 0 = the default */
    int poolBytes() default 0;

    /** @return whether Driver Verifier's checks (bug check 0xC4) are modelled */
    boolean verifier() default true;
}

package org.resmap.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;
import org.resmap.SimulatorConfig;

/**
 * Runs a test once per Windows build, each time on a fresh simulated machine of that build (other
 * {@link Machine} settings still apply). Use it in place of {@code @Test}. On the kernel back end the
 * test runs once, on the machine's own build.
 *
 * <pre>{@code
 * @AcrossBuilds
 * void reservesOnEveryBuild(ResMap device) { ... }
 * }</pre>
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(ResMapExtension.class)
public @interface AcrossBuilds {

    /** @return the builds, by default every one whose behaviour the simulator tells apart */
    int[] value() default {SimulatorConfig.WIN81, SimulatorConfig.WIN10_1507, SimulatorConfig.WIN10_2004,
            SimulatorConfig.DEFAULT_BUILD};
}

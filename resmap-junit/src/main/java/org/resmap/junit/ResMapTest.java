package org.resmap.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class (or one method) with {@link ResMapExtension}: each test and lifecycle method that
 * declares a {@link org.resmap.ResMap} parameter gets the test's own fresh device, and the test fails if
 * the simulated machine bugchecked or if the test left an object open.
 *
 * <pre>{@code
 * @ResMapTest
 * class MyDriverLogicTest {
 *     @Test
 *     void mapsIntoTheReservation(ResMap device) { ... }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ResMapExtension.class)
public @interface ResMapTest {
}

package org.resmap.junit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/junit.md shows the example project's test class as it is (CI builds and runs that class). */
class JUnitGuideTest {

    private static final Path GUIDE = Path.of("../docs/junit.md");
    private static final Path EXAMPLE = Path.of("../examples/src/test/java/com/example/window/CopyWindowTest.java");

    @Test
    void theGuideShowsTheExampleVerbatim() throws Exception {
        String guide = Files.readString(GUIDE, StandardCharsets.UTF_8);
        int start = guide.indexOf("```java\n");
        int end = guide.indexOf("```", start + 1);
        assertTrue(start >= 0 && end > start, "docs/junit.md has a ```java block");
        assertEquals(Files.readString(EXAMPLE, StandardCharsets.UTF_8), guide.substring(start + "```java\n".length(), end),
                "the guide's example must be examples/.../CopyWindowTest.java, verbatim");
    }
}

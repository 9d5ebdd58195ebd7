package org.resmap.guide;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the guide's example and checks that docs/java-guide.md still shows exactly this program. */
class GuideExampleTest {

    private static final File SOURCE = new File("src/test/java/org/resmap/guide/GuideExample.java");
    private static final File GUIDE = new File("../docs/java-guide.md");

    @Test
    void theExampleRunsAndPrintsWhatTheGuideSays() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GuideExample.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("read back: hello, kernel"), out);
        assertTrue(out.contains("slice mapped at offset 16 of the reservation"), out);
        assertTrue(out.contains("the buffer holds: from the kernel"), out);
        assertTrue(out.contains("refused: STATUS_ACCESS_DENIED (0xC0000022)"), out);
    }

    @Test
    void theGuideShowsTheCompiledExample() throws Exception {
        String guide = FileUtils.readFileToString(GUIDE, StandardCharsets.UTF_8);
        String source = FileUtils.readFileToString(SOURCE, StandardCharsets.UTF_8);
        int start = guide.indexOf("```java\n");
        int end = guide.indexOf("```", start + 1);
        assertTrue(start >= 0 && end > start, "docs/java-guide.md has a ```java block");
        assertEquals(source, guide.substring(start + "```java\n".length(), end),
                "the guide's example must be GuideExample.java, verbatim");
    }
}

package org.resmap.junit;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.resmap.SimulatorConfig;

/**
 * One run of an {@link AcrossBuilds} test: names the run after its Windows build and, before the test's
 * device is opened, tells {@link ResMapExtension} which build that device's machine is to be.
 */
final class BuildInvocation implements TestTemplateInvocationContext {

    private static final Map<Integer, String> NAMES = Map.of(
            SimulatorConfig.WIN81, "Windows 8.1",
            SimulatorConfig.WIN10_1507, "Windows 10 1507",
            SimulatorConfig.WIN10_2004, "Windows 10 2004",
            SimulatorConfig.DEFAULT_BUILD, "Windows 11 23H2");

    /** The build to simulate, or null for the kernel's own. */
    private final Integer build;

    BuildInvocation(int build) {
        this.build = build;
    }

    private BuildInvocation() {
        this.build = null;
    }

    /** @return the single run on the kernel back end, whose build is the machine's */
    static BuildInvocation onTheKernel() {
        return new BuildInvocation();
    }

    @Override
    public String getDisplayName(int invocationIndex) {
        if (build == null) {
            return "the kernel (this machine's build)";
        }
        String name = NAMES.get(build);
        return "build " + build + (name == null ? "" : " (" + name + ")");
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
        if (build == null) {
            return List.of();
        }
        // Runs before any @BeforeEach method, so before the device can be opened.
        BeforeEachCallback chooseBuild = context -> context.getStore(ResMapExtension.NAMESPACE)
                .put(ResMapExtension.BUILD, build);
        return List.of(chooseBuild);
    }
}

package org.resmap.junit;

import java.lang.reflect.AnnotatedElement;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;
import org.resmap.Backend;
import org.resmap.ResMap;
import org.resmap.SimCounters;
import org.resmap.SimulatorConfig;

/**
 * The JUnit Jupiter extension behind {@link ResMapTest} and {@link AcrossBuilds}.
 * <ul>
 *   <li>A {@link ResMap} parameter of a test, {@code @BeforeEach} or {@code @AfterEach} method is the
 *       test's own device, opened on first use: a fresh simulated machine with the {@link Machine}
 *       settings, or, when {@code -Dresmap.backend=kernel} asks for it ({@link ResMap#BACKEND_PROPERTY},
 *       the property the rest of resmap reads), a handle on the installed driver.</li>
 *   <li>After each test it fails the test if the simulated machine bugchecked (the code, its meaning and
 *       the kernel calls that led there) unless {@link ExpectBugcheck} asked for exactly that, if the test
 *       left objects open, or if the machine still held kernel resources once the device was closed.
 *       Then it closes the device, whatever the outcome.</li>
 *   <li>Tests that need a simulated machine ({@link Machine}, {@link ExpectBugcheck}) are skipped on the
 *       kernel back end, so a real machine is never asked to bugcheck.</li>
 * </ul>
 */
public final class ResMapExtension implements ParameterResolver, AfterEachCallback, ExecutionCondition,
        TestTemplateInvocationContextProvider {

    static final Namespace NAMESPACE = Namespace.create(ResMapExtension.class);
    private static final String DEVICE = "device";
    static final String BUILD = "windows build";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty() || requestedBackend() != Backend.KERNEL) {
            return ConditionEvaluationResult.enabled("runs on the " + requestedBackend().id());
        }
        Optional<String> simulatorOnly = machine(context).map(m -> "@Machine settings")
                .or(() -> expectedBugcheck(context).map(e -> "a bug check (@ExpectBugcheck)"));
        return simulatorOnly
                .map(what -> ConditionEvaluationResult.disabled("needs a simulated machine for " + what
                        + "; -D" + ResMap.BACKEND_PROPERTY + "=kernel asked for the real one"))
                .orElseGet(() -> ConditionEvaluationResult.enabled("runs on the kernel"));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ResMap.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException("a ResMap parameter belongs to one test: declare it on a test, "
                    + "@BeforeEach or @AfterEach method, not on " + parameter.getDeclaringExecutable());
        }
        return context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(DEVICE, key -> TestDevice.open(requestedBackend(), config(context)), TestDevice.class)
                .device();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestDevice device = context.getStore(NAMESPACE).remove(DEVICE, TestDevice.class);
        if (device == null) {
            return;
        }
        boolean testFailed = context.getExecutionException().isPresent();
        Optional<String> problems = device.closeAndCheck(expectedBugcheck(context), testFailed,
                config -> baseline(context, config));
        if (problems.isPresent()) {
            throw new AssertionError(problems.get());
        }
    }

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return AnnotationSupport.isAnnotated(context.getTestMethod(), AcrossBuilds.class);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        if (requestedBackend() == Backend.KERNEL) {
            return Stream.of(BuildInvocation.onTheKernel());
        }
        int[] builds = AnnotationSupport.findAnnotation(context.getTestMethod(), AcrossBuilds.class)
                .orElseThrow().value();
        return Arrays.stream(builds).mapToObj(BuildInvocation::new);
    }

    /**
     * @return the back end {@code -Dresmap.backend} asks for: the simulator unless it says {@code kernel}
     * @throws IllegalArgumentException if it says something else
     */
    static Backend requestedBackend() {
        String choice = System.getProperty(ResMap.BACKEND_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        return switch (choice) {
            case "", "simulator" -> Backend.SIMULATOR;
            case "kernel" -> Backend.KERNEL;
            default -> throw new IllegalArgumentException("-D" + ResMap.BACKEND_PROPERTY
                    + " must be kernel or simulator, not \"" + choice + "\"");
        };
    }

    /** @return the simulated machine this test asked for, with its call trace recorded from the start */
    private static SimulatorConfig config(ExtensionContext context) {
        SimulatorConfig.Builder config = SimulatorConfig.builder().trace(true);
        machine(context).ifPresent(m -> config.windowsBuild(m.windowsBuild()).physicalPages(m.physicalPages())
                .systemPtes(m.systemPtes()).poolBytes(m.poolBytes()).verifier(m.verifier()));
        Integer build = context.getStore(NAMESPACE).get(BUILD, Integer.class);
        if (build != null) {
            config.windowsBuild(build);
        }
        return config.build();
    }

    /** @return the counters of a machine of this configuration that opened and closed a device and did nothing else */
    private static SimCounters baseline(ExtensionContext context, SimulatorConfig config) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(config, c -> {
            ResMap idle = ResMap.openSimulator(c);
            idle.close();
            return idle.simulator().orElseThrow().counters();
        }, SimCounters.class);
    }

    /** @return the method's {@code @Machine}, else the nearest class's (superclasses, then enclosing classes) */
    private static Optional<Machine> machine(ExtensionContext context) {
        Optional<Machine> onMethod = AnnotationSupport.findAnnotation(context.getTestMethod(), Machine.class);
        if (onMethod.isPresent()) {
            return onMethod;
        }
        for (Class<?> type = context.getRequiredTestClass(); type != null; type = type.getEnclosingClass()) {
            Optional<Machine> onClass = AnnotationSupport.findAnnotation((AnnotatedElement) type, Machine.class);
            if (onClass.isPresent()) {
                return onClass;
            }
        }
        return Optional.empty();
    }

    private static Optional<ExpectBugcheck> expectedBugcheck(ExtensionContext context) {
        return AnnotationSupport.findAnnotation(context.getTestMethod(), ExpectBugcheck.class);
    }
}

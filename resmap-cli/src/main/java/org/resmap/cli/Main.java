package org.resmap.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.resmap.Backend;
import org.resmap.ResMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code resmap} command: explore and test the reserved-mapping API family from a shell.
 *
 * <p>Exit codes: 0 success; 1 a check failed (selftest, explore); 2 an error (bad usage, or a request
 * the device or the machine refused), reported as one line on standard error, with the stack trace
 * only under {@code --verbose}.
 */
@Command(name = "resmap", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Explore and test the Windows kernel's reserved-mapping API family.",
        subcommands = {DemoCommand.class, InfoCommand.class, SelftestCommand.class, ExploreCommand.class,
                DoctorCommand.class})
public final class Main implements Runnable {

    static final int CHECK_FAILED = 1;
    static final int ERROR = 2;

    @Option(names = "--backend", paramLabel = "kernel|simulator",
            description = "Where requests go: the resmap driver (Windows) or the in-process simulator. "
                    + "Default: the driver if it is installed, else the simulator.")
    Backend backend;

    @Option(names = "--verbose", description = "Print the full stack trace of an error.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    /** Without a subcommand there is nothing to do: a usage error (exit 2) that lists them. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: demo, info, selftest, explore or doctor");
    }

    /** The device the options ask for. */
    ResMap openDevice() {
        return backend == null ? ResMap.open() : ResMap.open(backend);
    }

    Optional<Backend> requestedBackend() {
        return Optional.ofNullable(backend);
    }

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the command line and returns its exit code; everything goes to out and err. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        Main main = new Main();
        PrintWriter errWriter = new PrintWriter(err, true, StandardCharsets.UTF_8);
        CommandLine commandLine = new CommandLine(main)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(new PrintWriter(out, true, StandardCharsets.UTF_8))
                .setErr(errWriter)
                .setParameterExceptionHandler((e, arguments) -> {
                    // picocli's default prints the whole usage; one line that points at --help is easier
                    // to read in a script's log.
                    String problem = e instanceof UnmatchedArgumentException unmatched
                            ? "unknown command or argument: " + String.join(" ", unmatched.getUnmatched())
                            : oneLine(e);
                    errWriter.println("resmap: " + problem + " (see resmap --help)");
                    return ERROR;
                })
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (main.verbose) {
                        e.printStackTrace(errWriter);
                    } else {
                        errWriter.println("resmap: " + oneLine(e));
                    }
                    return ERROR;
                });
        return commandLine.execute(args);
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage();
        return (message == null || message.isBlank() ? e.getClass().getSimpleName() : message)
                .lines().findFirst().orElse("");
    }

    /** The version printed by {@code --version}: the jar's, when run from one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"resmap " + (version == null ? "(development build)" : version)};
        }
    }
}

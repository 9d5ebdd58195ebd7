package org.resmap.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.resmap.Backend;
import org.resmap.ResMap;
import org.resmap.SimulatorConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code resmap} command: explore and test the reserved-mapping API family from a shell.
 *
 * <p>Global options (the back end, the simulated machine, {@code --verbose}) may stand before or
 * after the command. Exit codes: 0 success (also for help, and for a bare {@code resmap}, which shows
 * it); 1 a check failed (selftest, explore); 2 an error (bad usage, or a request the device or the
 * machine refused), reported on standard error as one line starting with {@code resmap:}, followed by
 * "did you mean" suggestions where there are any, with the stack trace only under {@code --verbose}.
 */
@Command(name = "resmap", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        usageHelpAutoWidth = true, sortOptions = false,
        description = "Explore and test the Windows kernel's reserved-mapping API family "
                + "(MmAllocateMappingAddress and friends), on the resmap driver or its simulator.",
        subcommands = {DemoCommand.class, InfoCommand.class, SelftestCommand.class, ExploreCommand.class,
                BenchCommand.class, DoctorCommand.class, ReplayCommand.class, CompletionCommand.class, HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  resmap demo                          the lifecycle of a reserved mapping",
                "  resmap demo ring-buffer --svg r.svg  a ring buffer mapped twice, drawn",
                "  resmap selftest --all-builds         the catalogue on every modelled build",
                "  resmap explore free-while-mapped     what Windows does to a misuse",
                "  resmap bench --chart bench.svg       reserved against ordinary, timed in the driver",
                "  resmap help selftest                 a command's options and examples",
                "  source <(resmap completion)          TAB completion in bash or zsh"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success, or help shown", "1:a check failed (selftest, explore)",
                "2:an error: bad usage, a refused request, a back end that is not available"})
public final class Main implements Runnable {

    static final int CHECK_FAILED = 1;
    static final int ERROR = 2;

    @Option(names = "--backend", paramLabel = "kernel|simulator", scope = ScopeType.INHERIT, order = 1,
            description = "Where requests go: the resmap driver (Windows) or the in-process simulator. "
                    + "Default: the driver if it is installed, else the simulator.")
    Backend backend;

    @Option(names = "--build", paramLabel = "BUILD", scope = ScopeType.INHERIT, order = 2,
            converter = WindowsBuild.Converter.class, completionCandidates = WindowsBuild.Names.class,
            description = "Simulated Windows build: ${COMPLETION-CANDIDATES} or a build number "
                    + "(default: win11, build 22631).")
    WindowsBuild.Choice build;

    @Option(names = "--system-ptes", paramLabel = "N", scope = ScopeType.INHERIT, order = 3,
            description = "Size of the simulated system PTE pool, in pages (" + MachineSettings.MIN_PTES + " to "
                    + MachineSettings.MAX_PTES + "; default 4096).")
    Integer systemPtes;

    @Option(names = "--memory", paramLabel = "SIZE", scope = ScopeType.INHERIT, order = 4,
            converter = Sizes.Converter.class,
            description = "Simulated physical memory, e.g. 32M or 64MiB (at most 256 MiB; default 32 MiB).")
    Long memory;

    @Option(names = "--no-verifier", scope = ScopeType.INHERIT, order = 5,
            description = "Simulate without Driver Verifier: its checks (bug check 0xC4) are not made.")
    boolean noVerifier;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, order = 6,
            description = "Print the full stack trace of an error.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    private Terminal terminal = Terminal.NONE;

    /** Without a command, the usage help, as {@code --help} shows it (exit 0). */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** @return the terminal standard output is, if it is one */
    Terminal terminal() {
        return terminal;
    }

    /** @return the simulated machine the options describe */
    MachineSettings machine() {
        return new MachineSettings(build, systemPtes, memory, !noVerifier);
    }

    /**
     * The device the options ask for: machine settings apply to the simulator and imply it.
     *
     * @throws ParameterException for machine settings with {@code --backend=kernel}
     */
    ResMap openDevice() {
        MachineSettings machine = machine();
        Backend chosen = requestedBackend().orElse(null);
        if (machine.given() && chosen == Backend.KERNEL) {
            throw new ParameterException(spec.commandLine(), "--build, --system-ptes, --memory and --no-verifier "
                    + "describe the simulated machine; the kernel back end is the real one");
        }
        if (chosen == Backend.SIMULATOR || machine.given()) {
            return ResMap.openSimulator(machine.config());
        }
        return chosen == null ? ResMap.open() : ResMap.open(chosen);
    }

    /** @return the simulator configuration the options describe */
    SimulatorConfig simulatorConfig() {
        return machine().config();
    }

    Optional<Backend> requestedBackend() {
        return Optional.ofNullable(backend);
    }

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(run(Terminal.detect(), System.out, System.err, args));
    }

    /** Runs the command line as if not on a terminal and returns its exit code; everything goes to out and err. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        return run(Terminal.NONE, out, err, args);
    }

    /** Runs the command line and returns its exit code; everything goes to out and err. */
    static int run(Terminal terminal, PrintStream out, PrintStream err, String... args) {
        Main main = new Main();
        main.terminal = terminal;
        PrintWriter errWriter = new PrintWriter(err, true, StandardCharsets.UTF_8);
        CommandLine commandLine = new CommandLine(main)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setSubcommandsCaseInsensitive(true)
                .setOut(new PrintWriter(out, true, StandardCharsets.UTF_8))
                .setErr(errWriter)
                .setParameterExceptionHandler((e, arguments) -> {
                    // picocli's default prints the whole usage; one line that points at the help is
                    // easier to read in a script's log, with picocli's suggestions under it.
                    String problem = e instanceof UnmatchedArgumentException unmatched
                            ? (unmatched.isUnknownOption() ? "unknown option: " : "unknown command or argument: ")
                                    + String.join(" ", unmatched.getUnmatched())
                            : oneLine(e);
                    errWriter.println("resmap: " + problem + " (see " + helpFor(e.getCommandLine()) + ")");
                    UnmatchedArgumentException.printSuggestions(e, errWriter);
                    return ERROR;
                })
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof ParameterException usage) {
                        return cmd.getParameterExceptionHandler().handleParseException(usage, new String[0]);
                    }
                    if (main.verbose) {
                        e.printStackTrace(errWriter);
                    } else {
                        errWriter.println("resmap: " + oneLine(e));
                    }
                    return ERROR;
                });
        try {
            return commandLine.execute(args);
        } catch (LinkageError mismatch) {
            // picocli passes Errors through: a libresmap-sim older than this jar lacks a function.
            errWriter.println("resmap: the simulator library does not match this tool (" + oneLine(mismatch)
                    + "); rebuild both: ./mvnw -B package -DskipTests");
            if (main.verbose) {
                mismatch.printStackTrace(errWriter);
            }
            return ERROR;
        }
    }

    /** @return e.g. {@code "resmap help explore"}, or {@code "resmap --help"} for the top command */
    private static String helpFor(CommandLine command) {
        return command.getParent() == null ? "resmap --help" : "resmap help " + command.getCommandName();
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage();
        return (message == null || message.isBlank() ? e.getClass().getSimpleName() : message)
                .lines().findFirst().orElse("");
    }

    /** The version printed by {@code --version}: the jar's (its manifest's Implementation-Version), when run from one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"resmap " + (version == null ? "(development build)" : version)};
        }
    }
}

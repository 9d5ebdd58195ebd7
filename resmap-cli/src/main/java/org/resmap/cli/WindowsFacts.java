package org.resmap.cli;

import java.util.List;
import java.util.Optional;

/**
 * What {@code resmap doctor} reads of the Windows it runs on, behind an interface so that its advice can
 * be tested anywhere ({@link NativeWindowsFacts} reads the real machine).
 */
interface WindowsFacts {

    /** The resmap kernel service as the service control manager reports it. */
    record Service(String state, int win32ExitCode, int serviceExitCode) {
        boolean running() {
            return state.equals("running");
        }
    }

    /** @return the Windows build number (CurrentBuild) */
    int build();

    /** @return the product and version, e.g. {@code Windows 10 Pro 23H2 22631.4460} */
    String description();

    /** @return whether the running system was booted with test signing (SystemStartOptions) */
    boolean testSigningActive();

    /** @return the service, or empty when no service named resmap exists */
    Optional<Service> service();

    /** @return the drivers Driver Verifier is set to verify (VerifyDrivers), lower case */
    List<String> verifiedDrivers();
}

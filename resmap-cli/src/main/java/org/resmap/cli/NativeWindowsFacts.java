package org.resmap.cli;

import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.W32Service;
import com.sun.jna.platform.win32.W32ServiceManager;
import com.sun.jna.platform.win32.Win32Exception;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinReg;
import com.sun.jna.platform.win32.Winsvc;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** {@link WindowsFacts} of this machine: the registry and the service control manager, through jna-platform. */
final class NativeWindowsFacts implements WindowsFacts {

    private static final String CONTROL = "SYSTEM\\CurrentControlSet\\Control";
    private static final String MEMORY_MANAGEMENT = CONTROL + "\\Session Manager\\Memory Management";
    private static final String CURRENT_VERSION = "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";

    @Override
    public int build() {
        return Integer.parseInt(Advapi32Util.registryGetStringValue(WinReg.HKEY_LOCAL_MACHINE, CURRENT_VERSION,
                "CurrentBuild").trim());
    }

    @Override
    public String description() {
        String product = value("ProductName");
        String display = value("DisplayVersion");
        return (product + " " + display).trim() + " " + build() + "." + value("UBR");
    }

    private static String value(String name) {
        if (!Advapi32Util.registryValueExists(WinReg.HKEY_LOCAL_MACHINE, CURRENT_VERSION, name)) {
            return "";
        }
        Object value = Advapi32Util.registryGetValue(WinReg.HKEY_LOCAL_MACHINE, CURRENT_VERSION, name);
        return String.valueOf(value);
    }

    @Override
    public boolean testSigningActive() {
        String options = Advapi32Util.registryGetStringValue(WinReg.HKEY_LOCAL_MACHINE, CONTROL, "SystemStartOptions");
        return Arrays.asList(options.toUpperCase(Locale.ROOT).split("\\s+")).contains("TESTSIGNING");
    }

    @Override
    public Optional<Service> service() {
        W32ServiceManager manager = new W32ServiceManager();
        manager.open(Winsvc.SC_MANAGER_CONNECT);
        try (W32Service service = manager.openService("resmap", Winsvc.SERVICE_QUERY_STATUS)) {
            Winsvc.SERVICE_STATUS_PROCESS status = service.queryStatus();
            return Optional.of(new Service(stateName(status.dwCurrentState), status.dwWin32ExitCode,
                    status.dwServiceSpecificExitCode));
        } catch (Win32Exception e) {
            if (e.getErrorCode() == WinError.ERROR_SERVICE_DOES_NOT_EXIST) {
                return Optional.empty();
            }
            throw e;
        } finally {
            manager.close();
        }
    }

    @Override
    public List<String> verifiedDrivers() {
        if (!Advapi32Util.registryValueExists(WinReg.HKEY_LOCAL_MACHINE, MEMORY_MANAGEMENT, "VerifyDrivers")) {
            return List.of();
        }
        String drivers = Advapi32Util.registryGetStringValue(WinReg.HKEY_LOCAL_MACHINE, MEMORY_MANAGEMENT,
                "VerifyDrivers");
        return Arrays.stream(drivers.toLowerCase(Locale.ROOT).split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    private static String stateName(int state) {
        return switch (state) {
            case Winsvc.SERVICE_RUNNING -> "running";
            case Winsvc.SERVICE_STOPPED -> "stopped";
            case Winsvc.SERVICE_START_PENDING -> "starting";
            case Winsvc.SERVICE_STOP_PENDING -> "stopping";
            default -> "state " + state;
        };
    }
}

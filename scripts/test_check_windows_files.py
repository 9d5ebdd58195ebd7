#!/usr/bin/env python3
"""Unit tests of scripts/check-windows-files.py: each check must pass on a small good repository
and fail, saying why, on a copy with one thing broken.

Run: python3 scripts/test_check_windows_files.py   (check-windows-files.py also runs them)
"""
import importlib.util
import io
import shutil
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("check_windows_files", HERE / "check-windows-files.py")
checker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(checker)

GOOD_INF = r"""; a comment
[Version]
Signature   = "$WINDOWS NT$"
Class       = System
ClassGuid   = {4d36e97d-e325-11ce-bfc1-08002be10318}
Provider    = %ProviderName%
DriverVer   = 01/01/2026,1.0.0.0
CatalogFile = resmap.cat
PnpLockdown = 1

[SourceDisksNames]
1 = %DiskName%

[SourceDisksFiles]
resmap.sys = 1

[DestinationDirs]
Resmap.DriverFiles = 13

[DefaultInstall.NTamd64]
CopyFiles = Resmap.DriverFiles

[DefaultInstall.NTamd64.Services]
AddService = resmap,,Resmap.Service

[Resmap.DriverFiles]
resmap.sys

[Resmap.Service]
ServiceType   = 1
StartType     = 3                ; demand
ErrorControl  = 1
ServiceBinary = %13%\resmap.sys

; resmap.sys needs Windows 10 version 2004 (build 19041) or later.
[Strings]
ProviderName = "resmap; test"
DiskName     = "disk"
"""

GOOD_VCXPROJ = r"""<?xml version="1.0" encoding="utf-8"?>
<Project DefaultTargets="Build" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <ItemGroup Label="ProjectConfigurations">
    <ProjectConfiguration Include="Debug|x64"><Configuration>Debug</Configuration><Platform>x64</Platform></ProjectConfiguration>
    <ProjectConfiguration Include="Release|x64"><Configuration>Release</Configuration><Platform>x64</Platform></ProjectConfiguration>
  </ItemGroup>
  <PropertyGroup Label="Globals">
    <KMDF_VERSION_MAJOR>1</KMDF_VERSION_MAJOR>
    <KMDF_VERSION_MINOR>15</KMDF_VERSION_MINOR>
  </PropertyGroup>
  <PropertyGroup Label="Configuration" Condition="'$(Configuration)|$(Platform)'=='Debug|x64'">
    <DriverType>KMDF</DriverType><ConfigurationType>Driver</ConfigurationType>
    <PlatformToolset>WindowsKernelModeDriver10.0</PlatformToolset>
  </PropertyGroup>
  <PropertyGroup Label="Configuration" Condition="'$(Configuration)|$(Platform)'=='Release|x64'">
    <DriverType>KMDF</DriverType><ConfigurationType>Driver</ConfigurationType>
    <PlatformToolset>WindowsKernelModeDriver10.0</PlatformToolset>
  </PropertyGroup>
  <PropertyGroup><TargetName>resmap</TargetName></PropertyGroup>
  <ItemDefinitionGroup>
    <ClCompile><WarningLevel>Level4</WarningLevel><TreatWarningAsError>true</TreatWarningAsError></ClCompile>
    <Link><AdditionalOptions>/INTEGRITYCHECK %(AdditionalOptions)</AdditionalOptions></Link>
  </ItemDefinitionGroup>
  <ItemGroup>
    <ClCompile Include="core\session.c" />
    <ClCompile Include="kmdf\driver.c" />
    <ClCompile Include="kmdf\io.c" />
    <ClCompile Include="kmdf\probe.c" />
  </ItemGroup>
  <ItemGroup><Inf Include="resmap.inf" /></ItemGroup>
</Project>
"""

PACKAGES = """<?xml version="1.0" encoding="utf-8"?>
<packages>
  <package id="Microsoft.Windows.SDK.CPP" version="10.0.1.2" targetFramework="native" />
  <package id="Microsoft.Windows.SDK.CPP.x64" version="10.0.1.2" targetFramework="native" />
  <package id="Microsoft.Windows.WDK.x64" version="10.0.1.2" targetFramework="native" />
</packages>
"""

PROPS = r"""<Project>
  <PropertyGroup><ResmapWdkVersion>10.0.1.2</ResmapWdkVersion></PropertyGroup>
  <Import Project="$(ResmapPackages)Microsoft.Windows.WDK.x64.$(ResmapWdkVersion)\build\native\Microsoft.Windows.WDK.x64.props" />
  <Import Project="$(ResmapPackages)Microsoft.Windows.SDK.CPP.x64.$(ResmapWdkVersion)\build\native\Microsoft.Windows.SDK.cpp.x64.props" />
  <Import Project="$(ResmapPackages)Microsoft.Windows.SDK.CPP.$(ResmapWdkVersion)\build\native\Microsoft.Windows.SDK.cpp.props" />
</Project>
"""

PROBE = """/* MmProbeAndLockPages( in a comment does not count */
NTSTATUS Probe(PMDL Mdl)
{
    NTSTATUS status = STATUS_SUCCESS;
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}
"""

DRIVER = """static const UNICODE_STRING Sddl = RTL_CONSTANT_STRING(L"D:P(A;;GA;;;SY)(A;;GA;;;BA)");
void Create(WDFDRIVER Driver)
{
    PWDFDEVICE_INIT init = WdfControlDeviceInitAllocate(Driver, &Sddl);
    if (Fails()) {
        WdfDeviceInitFree(init);
        init = NULL;
        return;
    }
    PsSetCreateProcessNotifyRoutineEx(Notify, FALSE);
}
"""

KMDF_HEADER = """EVT_WDF_IO_IN_CALLER_CONTEXT ResmapEvtIoInCallerContext;
EVT_WDF_FILE_CLEANUP ResmapEvtFileCleanup;
"""

IO = """_Use_decl_annotations_
VOID
ResmapEvtFileCleanup(
    WDFFILEOBJECT FileObject
    )
{
    PAGED_CODE();
}

#pragma warning(push)
#pragma warning(disable: 28118) /* runs at PASSIVE_LEVEL */
_Use_decl_annotations_
VOID
ResmapEvtIoInCallerContext(
    WDFDEVICE Device,
    WDFREQUEST Request
    )
{
    PAGED_CODE();
}
#pragma warning(pop)
"""

VERIFIER_LINES = """$LowResourceRuleClasses = @(19, 36)
$FirstWindows11Build = 22000
$LowResourceFlag = 0x40000
"""

HINT_LINES = """$Hints = @{
    127 = 'resmap.sys needs Windows 10 version 2004 (build 19041) or later.'
}
"""

GOOD_SCRIPT = """<#
.SYNOPSIS
    Does a thing.

.DESCRIPTION
    Does it carefully. A } or ( in help text does not count.

.PARAMETER Name
    The name.

.PARAMETER Count
    How many.

.EXAMPLE
    .\\Set-Thing.ps1 -Name x
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [ValidateSet('a', 'b')]
    [string] $Name = 'a',

    [int] $Count = ($Default + 1)
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

try {
    # a comment with an unbalanced { brace
    $text = "a string with ) and $($Name -join ' ) ') inside"
    $here = @'
here-string with { only
'@
    if ($PSCmdlet.ShouldProcess($Name, 'set')) {
        Write-Host "done: it's $text"
    }
    exit 0
}
catch {
    Write-Host $_
    exit 1
}
"""

WORKFLOW = """name: windows-driver
on: [push]
jobs:
  build:
    runs-on: windows-2022
    steps:
      - run: nuget restore native-driver\\packages.config -PackagesDirectory native-driver\\packages
      - run: msbuild native-driver\\resmap.vcxproj /p:Configuration=Release /p:Platform=x64 /p:RunCodeAnalysis=true
      - run: infverif.exe /v /w resmap.inf
"""


class Repository:
    """A small repository that passes every check, in a temporary folder."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="check-windows-files-"))
        self.write("native-driver/resmap.inf", GOOD_INF)
        self.write("native-driver/resmap.vcxproj", GOOD_VCXPROJ)
        self.write("native-driver/packages.config", PACKAGES)
        self.write("native-driver/Directory.Build.props", PROPS)
        self.write("native-driver/core/session.c", "int session;\n")
        self.write("native-driver/core/core.h", "")
        self.write("native-driver/kmdf/driver.c", DRIVER)
        self.write("native-driver/kmdf/io.c", IO)
        self.write("native-driver/kmdf/resmap_kmdf.h", KMDF_HEADER)
        self.write("native-driver/kmdf/probe.c", PROBE)
        self.write("native-usermode/pom.xml", "<include>native-driver/core/*.c</include>\n")
        self.write("native-driver/core/session.c", "int session;\nvoid *p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 'x');\n")
        self.write("scripts/windows/Set-Thing.ps1", GOOD_SCRIPT)
        self.write("scripts/windows/Install-Driver.ps1", GOOD_SCRIPT.replace("try {", HINT_LINES + "try {", 1))
        self.write("scripts/windows/Enable-DriverVerifier.ps1", GOOD_SCRIPT.replace("try {", VERIFIER_LINES + "try {", 1))
        self.write("scripts/windows/Invoke-KernelTests.ps1", GOOD_SCRIPT.replace(
            "try {", "$a = @('-jar', $jar, 'selftest', '--record', $file)\n" + "try {", 1))
        self.write("scripts/windows/Enable-TestSigning.ps1",
                   GOOD_SCRIPT.replace("Does it carefully.", "Does it carefully; warns of the BitLocker recovery key.", 1))
        self.write("docs/windows-vm.md", "Run Set-Thing.ps1, Install-Driver.ps1, Enable-DriverVerifier.ps1 and "
                                         "Enable-TestSigning.ps1, Invoke-KernelTests.ps1. Mind the BitLocker recovery prompt.\n")
        self.write("README.md", "resmap.sys needs Windows 10 version 2004 (build 19041) or later.\n")
        self.write(".github/workflows/windows-driver.yml", WORKFLOW)

    def write(self, relative, text):
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def read(self, relative):
        return (self.root / relative).read_text(encoding="utf-8")

    def replace(self, relative, old, new):
        text = self.read(relative)
        if old not in text:
            raise AssertionError(f"{old!r} is not in the sample {relative}")
        self.write(relative, text.replace(old, new, 1))

    def remove(self):
        shutil.rmtree(self.root)


class CheckerTest(unittest.TestCase):

    def setUp(self):
        self.repo = Repository()
        self.addCleanup(self.repo.remove)

    def assertProblem(self, check, fragment):
        problems = check(self.repo.root)
        self.assertTrue(any(fragment in p for p in problems),
                        f"expected a problem containing {fragment!r}, got {problems}")

    def script_problems(self):
        return checker.check_powershell_file(self.repo.root / "scripts/windows/Set-Thing.ps1")

    def assertScriptProblem(self, fragment):
        problems = self.script_problems()
        self.assertTrue(any(fragment in p for p in problems),
                        f"expected a problem containing {fragment!r}, got {problems}")

    # The good sample -------------------------------------------------------------------------

    def test_good_repository_passes_every_check(self):
        out = io.StringIO()
        passed, failed = checker.run_checks(self.repo.root, out)
        self.assertEqual(failed, 0, out.getvalue())
        self.assertGreater(passed, 8)

    # INF ---------------------------------------------------------------------------------------

    def test_inf_missing(self):
        (self.repo.root / "native-driver/resmap.inf").unlink()
        self.assertProblem(checker.check_inf, "resmap.inf is missing")

    def test_inf_wrong_signature(self):
        self.repo.replace("native-driver/resmap.inf", '"$WINDOWS NT$"', '"$CHICAGO$"')
        self.assertProblem(checker.check_inf, "Signature")

    def test_inf_without_version_section(self):
        self.repo.replace("native-driver/resmap.inf", "[Version]", "[Versio]")
        self.assertProblem(checker.check_inf, "no [Version] section")

    def test_inf_malformed_section_header(self):
        self.repo.replace("native-driver/resmap.inf", "[SourceDisksFiles]", "[SourceDisksFiles")
        self.assertProblem(checker.check_inf, "malformed section header")

    def test_inf_class_guid_of_another_class(self):
        self.repo.replace("native-driver/resmap.inf", "{4d36e97d-e325-11ce-bfc1-08002be10318}",
                          "{4d36e968-e325-11ce-bfc1-08002be10318}")
        self.assertProblem(checker.check_inf, "not the GUID of class system")

    def test_inf_bad_driver_ver(self):
        self.repo.replace("native-driver/resmap.inf", "01/01/2026,1.0.0.0", "2026-01-01,1.0")
        self.assertProblem(checker.check_inf, "DriverVer")

    def test_inf_without_catalog(self):
        self.repo.replace("native-driver/resmap.inf", "CatalogFile = resmap.cat\n", "")
        self.assertProblem(checker.check_inf, "catalogfile is missing")

    def test_inf_undecorated_default_install(self):
        self.repo.replace("native-driver/resmap.inf", "[DefaultInstall.NTamd64]\n", "[DefaultInstall]\n")
        self.assertProblem(checker.check_inf, "undecorated [DefaultInstall]")

    def test_inf_with_manufacturer(self):
        self.repo.replace("native-driver/resmap.inf", "[Strings]", "[Manufacturer]\n%ProviderName% = M\n\n[Strings]")
        self.assertProblem(checker.check_inf, "no [Manufacturer]")

    def test_inf_service_section_missing(self):
        self.repo.replace("native-driver/resmap.inf", "[DefaultInstall.NTamd64.Services]\nAddService = resmap,,Resmap.Service\n", "")
        self.assertProblem(checker.check_inf, "no [DefaultInstall.NTamd64.Services]")

    def test_inf_add_service_names_missing_section(self):
        self.repo.replace("native-driver/resmap.inf", "AddService = resmap,,Resmap.Service", "AddService = resmap,,Nowhere")
        self.assertProblem(checker.check_inf, "[nowhere] is missing")

    def test_inf_boot_start(self):
        self.repo.replace("native-driver/resmap.inf", "StartType     = 3", "StartType     = 0")
        self.assertProblem(checker.check_inf, "starttype must be 3")

    def test_inf_not_a_kernel_service(self):
        self.repo.replace("native-driver/resmap.inf", "ServiceType   = 1", "ServiceType   = 0x10")
        self.assertProblem(checker.check_inf, "servicetype must be 1")

    def test_inf_error_control_missing(self):
        self.repo.replace("native-driver/resmap.inf", "ErrorControl  = 1\n", "")
        self.assertProblem(checker.check_inf, "errorcontrol must be 1")

    def test_inf_service_binary_outside_driver_store(self):
        self.repo.replace("native-driver/resmap.inf", r"%13%\resmap.sys", r"%12%\resmap.sys")
        self.assertProblem(checker.check_inf, "ServiceBinary must be %13%")

    def test_inf_copies_to_system32(self):
        self.repo.replace("native-driver/resmap.inf", "Resmap.DriverFiles = 13", "Resmap.DriverFiles = 12")
        self.assertProblem(checker.check_inf, "DIRID 13")

    def test_inf_undefined_string(self):
        self.repo.replace("native-driver/resmap.inf", 'DiskName     = "disk"\n', "")
        self.assertProblem(checker.check_inf, "%diskname% is not defined")

    def test_inf_semicolon_inside_quotes_is_not_a_comment(self):
        self.assertEqual(checker.strip_inf_comment('a = "x;y" ; z'), 'a = "x;y" ')

    # .vcxproj ----------------------------------------------------------------------------------

    def test_vcxproj_not_xml(self):
        self.repo.replace("native-driver/resmap.vcxproj", "</Project>", "</Projec>")
        self.assertProblem(checker.check_vcxproj_settings, "not well-formed XML")

    def test_vcxproj_not_kmdf(self):
        self.repo.replace("native-driver/resmap.vcxproj", "<DriverType>KMDF</DriverType>", "<DriverType>WDM</DriverType>")
        self.assertProblem(checker.check_vcxproj_settings, "Debug|x64: DriverType is WDM")

    def test_vcxproj_win32_configuration(self):
        self.repo.replace("native-driver/resmap.vcxproj", 'Include="Debug|x64"', 'Include="Debug|Win32"')
        self.assertProblem(checker.check_vcxproj_settings, "configurations are")

    def test_vcxproj_warnings_not_errors(self):
        self.repo.replace("native-driver/resmap.vcxproj", "<TreatWarningAsError>true", "<TreatWarningAsError>false")
        self.assertProblem(checker.check_vcxproj_settings, "TreatWarningAsError is false")

    def test_vcxproj_warnings_as_errors_only_in_debug(self):
        self.repo.replace("native-driver/resmap.vcxproj", "<ItemDefinitionGroup>",
                          "<ItemDefinitionGroup Condition=\"'$(Configuration)|$(Platform)'=='Debug|x64'\">")
        self.assertProblem(checker.check_vcxproj_settings, "Release|x64: ClCompile TreatWarningAsError is not set")

    def test_vcxproj_misses_a_core_file(self):
        self.repo.write("native-driver/core/quota.c", "int quota;\n")
        self.assertProblem(checker.check_vcxproj_sources, "not compiled (the Linux build compiles it): native-driver/core/quota.c")

    def test_vcxproj_names_a_deleted_file(self):
        (self.repo.root / "native-driver/core/session.c").unlink()
        self.assertProblem(checker.check_vcxproj_sources, "ClCompile names a missing file: native-driver/core/session.c")

    def test_vcxproj_compiles_a_file_twice(self):
        self.repo.replace("native-driver/resmap.vcxproj", '<ClCompile Include="kmdf\\probe.c" />',
                          '<ClCompile Include="kmdf\\probe.c" /><ClCompile Include="kmdf\\probe.c" />')
        self.assertProblem(checker.check_vcxproj_sources, "compiled twice: kmdf/probe.c")

    def test_linux_build_pattern_changed(self):
        self.repo.write("native-usermode/pom.xml", "<include>src/*.c</include>\n")
        self.assertProblem(checker.check_vcxproj_sources, "no longer compiles native-driver/core/*.c")

    def test_wdk_versions_disagree(self):
        self.repo.replace("native-driver/Directory.Build.props", "10.0.1.2", "10.0.1.3")
        self.assertProblem(checker.check_wdk_packages, "versions differ")

    def test_wdk_package_missing(self):
        self.repo.replace("native-driver/packages.config",
                          '<package id="Microsoft.Windows.SDK.CPP" version="10.0.1.2" targetFramework="native" />', "")
        self.assertProblem(checker.check_wdk_packages, "lacks Microsoft.Windows.SDK.CPP")

    # PowerShell --------------------------------------------------------------------------------

    def test_good_script_has_no_problem(self):
        self.assertEqual(self.script_problems(), [])

    def test_script_not_in_docs(self):
        self.repo.write("docs/windows-vm.md", "nothing here\n")
        self.assertProblem(checker.check_scripts_documented, "Set-Thing.ps1 is not mentioned")

    def test_script_without_strict_mode(self):
        self.repo.replace("scripts/windows/Set-Thing.ps1", "Set-StrictMode -Version Latest\n", "")
        self.assertScriptProblem("no Set-StrictMode -Version Latest")

    def test_strict_mode_in_a_comment_does_not_count(self):
        self.repo.replace("scripts/windows/Set-Thing.ps1", "Set-StrictMode -Version Latest\n",
                          "# Set-StrictMode -Version Latest\n")
        self.assertScriptProblem("no Set-StrictMode -Version Latest")

    def test_script_without_cmdletbinding(self):
        self.repo.replace("scripts/windows/Set-Thing.ps1", "[CmdletBinding(SupportsShouldProcess)]\n", "")
        self.assertScriptProblem("no [CmdletBinding()]")

    def test_script_without_error_action_stop(self):
        self.repo.replace("scripts/windows/Set-Thing.ps1", "$ErrorActionPreference = 'Stop'", "$ErrorActionPreference = 'Continue'")
        self.assertScriptProblem("no $ErrorActionPreference = 'Stop'")

    def test_script_without_help(self):
        self.repo.replace("scripts/windows/Set-Thing.ps1", ".SYNOPSIS", ".SYNOPSYS")
        self.assertScriptProblem("lacks .SYNOPSIS")

    def test_script_without_example(self):
        self.repo.replace("scripts/windows/Set-Thing.ps1", ".EXAMPLE", ".NOTES")
        self.assertScriptProblem("lacks .EXAMPLE")

    def test_undocumented_parameter(self):
        self.repo.replace("scripts/windows/Set-Thing.ps1", ".PARAMETER Count\n", "")
        self.assertScriptProblem("lacks .PARAMETER Count")

    def test_default_value_variables_are_not_parameters(self):
        lexed = checker.PowerShellText(self.repo.read("scripts/windows/Set-Thing.ps1"))
        self.assertEqual(checker.script_parameters(lexed.skeleton), ["Name", "Count"])

    def test_unapproved_verb(self):
        (self.repo.root / "scripts/windows/Set-Thing.ps1").rename(self.repo.root / "scripts/windows/Make-Thing.ps1")
        problems = checker.check_powershell_file(self.repo.root / "scripts/windows/Make-Thing.ps1")
        self.assertIn("Make is not an approved PowerShell verb", problems)

    def test_should_process_without_support(self):
        self.repo.replace("scripts/windows/Set-Thing.ps1", "[CmdletBinding(SupportsShouldProcess)]", "[CmdletBinding()]")
        self.assertScriptProblem("SupportsShouldProcess and ShouldProcess")

    def test_catch_without_exit_code(self):
        self.repo.replace("scripts/windows/Set-Thing.ps1", "    exit 1\n", "")
        self.assertScriptProblem("exit 1")

    def test_missing_closing_brace(self):
        self.repo.replace("scripts/windows/Set-Thing.ps1", "        Write-Host \"done: it's $text\"\n    }\n",
                          "        Write-Host \"done: it's $text\"\n")
        self.assertScriptProblem("'{' is never closed")

    def test_mismatched_parenthesis(self):
        self.repo.replace("scripts/windows/Set-Thing.ps1", "($Default + 1)", "($Default + 1")
        self.assertScriptProblem("never closed")

    def test_unterminated_string(self):
        self.repo.replace("scripts/windows/Set-Thing.ps1", "'set'", "'set")
        self.assertScriptProblem("never closed")

    def test_brackets_in_strings_comments_and_here_strings_do_not_count(self):
        lexed = checker.PowerShellText(self.repo.read("scripts/windows/Set-Thing.ps1"))
        self.assertEqual(lexed.problems, [])
        self.assertEqual(checker.bracket_problems(lexed.skeleton), [])

    def test_unterminated_block_comment(self):
        self.repo.write("scripts/windows/Set-Thing.ps1", "<# help\n.SYNOPSIS\n x\n")
        self.assertScriptProblem("block comment <# is never closed")

    def test_module_needs_strict_mode_and_approved_function_verbs(self):
        self.repo.write("scripts/windows/Thing.psm1", "<#\n.SYNOPSIS\n  x\n.DESCRIPTION\n  y\n#>\n"
                                                     "function Fetch-Thing { 1 }\n")
        problems = checker.check_powershell_file(self.repo.root / "scripts/windows/Thing.psm1")
        self.assertIn("no Set-StrictMode -Version Latest", problems)
        self.assertIn("function Fetch-Thing: Fetch is not an approved verb", problems)

    # C: SEH wrapper and SDDL ---------------------------------------------------------------------

    def test_probe_outside_try(self):
        self.repo.write("native-driver/kmdf/probe.c", "void P(PMDL m) { MmProbeAndLockPages(m, UserMode, IoReadAccess); }\n")
        self.assertProblem(checker.check_probe, "outside __try/__except")

    def test_try_without_except(self):
        self.repo.replace("native-driver/kmdf/probe.c", "__except (EXCEPTION_EXECUTE_HANDLER)", "__finally")
        self.assertProblem(checker.check_probe, "not followed by __except")

    def test_probe_without_call(self):
        self.repo.replace("native-driver/kmdf/probe.c", "        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);\n", "")
        self.assertProblem(checker.check_probe, "does not call MmProbeAndLockPages")

    def test_direct_probe_in_core(self):
        self.repo.write("native-driver/core/session.c", "void S(PMDL m) { MmProbeAndLockPages(m, UserMode, IoReadAccess); }\n")
        self.assertProblem(checker.check_probe, "calls MmProbeAndLockPages directly")

    def test_world_accessible_sddl(self):
        self.repo.replace("native-driver/kmdf/driver.c", "(A;;GA;;;BA)", "(A;;GA;;;WD)")
        self.assertProblem(checker.check_sddl, "want 'D:P(A;;GA;;;SY)(A;;GA;;;BA)'")

    def test_sddl_in_a_comment_does_not_count(self):
        self.repo.write("native-driver/kmdf/driver.c", '/* L"D:P(A;;GA;;;SY)(A;;GA;;;BA)" */\n'
                                                      "void Create(WDFDRIVER d) { WdfControlDeviceInitAllocate(d, NULL); }\n")
        self.assertProblem(checker.check_sddl, "no SDDL string")

    def test_sddl_never_given_to_kmdf(self):
        self.repo.replace("native-driver/kmdf/driver.c", "WdfControlDeviceInitAllocate", "WdfDeviceInitAllocate")
        self.assertProblem(checker.check_sddl, "never given to KMDF")

    # C28118, InitFreeNull, /INTEGRITYCHECK ------------------------------------------------------

    def test_paged_code_in_dispatch_level_callback_without_suppression(self):
        self.repo.replace("native-driver/kmdf/io.c", "#pragma warning(disable: 28118) /* runs at PASSIVE_LEVEL */\n", "")
        self.assertProblem(checker.check_paged_code_suppressions, "outside a #pragma warning(disable: 28118)")

    def test_suppression_without_reason(self):
        self.repo.replace("native-driver/kmdf/io.c", " /* runs at PASSIVE_LEVEL */", "")
        self.assertProblem(checker.check_paged_code_suppressions, "no comment saying why")

    def test_suppression_never_popped(self):
        self.repo.replace("native-driver/kmdf/io.c", "#pragma warning(pop)\n", "")
        self.assertProblem(checker.check_paged_code_suppressions, "no #pragma warning(pop)")

    def test_suppression_popped_before_the_function(self):
        self.repo.replace("native-driver/kmdf/io.c", "/* runs at PASSIVE_LEVEL */\n", "/* runs at PASSIVE_LEVEL */\n#pragma warning(pop)\n")
        self.assertProblem(checker.check_paged_code_suppressions, "outside a #pragma warning(disable: 28118)")

    def test_passive_level_callback_needs_no_suppression(self):
        self.assertEqual(checker.check_paged_code_suppressions(self.repo.root), [])

    def test_init_free_leaves_pointer_set(self):
        self.repo.replace("native-driver/kmdf/driver.c", "        init = NULL;\n", "")
        self.assertProblem(checker.check_init_free_null, "not followed by init = NULL")

    def test_process_notify_without_integrity_check(self):
        self.repo.replace("native-driver/resmap.vcxproj", "/INTEGRITYCHECK ", "")
        self.assertProblem(checker.check_integrity_check, "/INTEGRITYCHECK")

    # Oldest build, Verifier, BitLocker ------------------------------------------------------------

    def test_no_hint_for_error_127(self):
        self.repo.replace("scripts/windows/Install-Driver.ps1", "    127 = ", "    126 = ")
        self.assertProblem(checker.check_minimum_build, "no start-failure hint for error 127")

    def test_builds_disagree(self):
        self.repo.replace("README.md", "build 19041", "build 19045")
        self.assertProblem(checker.check_minimum_build, "the oldest supported build differs")

    def test_build_older_than_exallocatepool2(self):
        for name in ("README.md", "native-driver/resmap.inf", "scripts/windows/Install-Driver.ps1"):
            self.repo.replace(name, "build 19041", "build 10240")
        self.assertProblem(checker.check_minimum_build, "imports ExAllocatePool2")

    def test_readme_names_no_build(self):
        self.repo.replace("README.md", "(build 19041)", "")
        self.assertProblem(checker.check_minimum_build, "README.md does not name")

    def test_windows_11_low_resources_without_dif_mode(self):
        self.repo.replace("scripts/windows/Enable-DriverVerifier.ps1", "@(19, 36)", "@(19)")
        self.assertProblem(checker.check_verifier_low_resources, "19 with 36")

    def test_windows_10_low_resources_without_flag(self):
        self.repo.replace("scripts/windows/Enable-DriverVerifier.ps1", "$LowResourceFlag = 0x40000\n", "")
        self.assertProblem(checker.check_verifier_low_resources, "0x40000")

    def test_kernel_run_without_record(self):
        self.repo.replace("scripts/windows/Invoke-KernelTests.ps1", ", '--record', $file", "")
        self.assertProblem(checker.check_kernel_run_records, "without --record")

    def test_no_bitlocker_warning(self):
        self.repo.replace("docs/windows-vm.md", " Mind the BitLocker recovery prompt.", "")
        self.assertProblem(checker.check_bitlocker_warning, "docs/windows-vm.md does not warn")

    # Workflow ----------------------------------------------------------------------------------

    def test_workflow_on_a_moving_image(self):
        self.repo.replace(".github/workflows/windows-driver.yml", "windows-2022", "windows-latest")
        self.assertProblem(checker.check_workflow, "runs-on: windows-latest")

    def test_workflow_without_code_analysis(self):
        self.repo.replace(".github/workflows/windows-driver.yml", " /p:RunCodeAnalysis=true", "")
        self.assertProblem(checker.check_workflow, "RunCodeAnalysis=true")

    def test_workflow_missing(self):
        (self.repo.root / ".github/workflows/windows-driver.yml").unlink()
        self.assertProblem(checker.check_workflow, "is missing")


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""Checks on Linux what can be checked of the Windows-only files, then runs its own unit tests.

Nothing in native-driver/resmap.vcxproj, native-driver/resmap.inf or scripts/windows/ can run here,
so this script checks their structure instead, one line per check, and exits 1 if any check fails:
  - the INF parses as an INF and describes a primitive driver: [Version] (Signature "$WINDOWS NT$",
    Class and a matching ClassGuid, Provider, DriverVer, CatalogFile, PnpLockdown), an x64-decorated
    [DefaultInstall.NTamd64] that copies resmap.sys into the driver store, and a .Services section
    whose AddService installs a demand-start kernel service (ServiceType 1, StartType 3,
    ErrorControl 1, ServiceBinary %13%\\resmap.sys); every %string% is defined;
  - the .vcxproj is well-formed MSBuild XML for a KMDF driver, Debug|x64 and Release|x64, /W4 with
    warnings as errors in both, and compiles exactly native-driver/core/*.c and kmdf/*.c: the
    files the Linux builds compile (the simulator's NAR build takes native-driver/core/*.c), so the
    builds cannot drift; it names no file that is missing;
  - the WDK NuGet packages are pinned to one version, the same in packages.config and
    Directory.Build.props, and Directory.Build.props imports each of them;
  - every script in scripts/windows/ is mentioned in some docs/*.md; every .ps1 has a comment-based
    help block (.SYNOPSIS, .DESCRIPTION, .PARAMETER for each parameter, .EXAMPLE),
    [CmdletBinding()], Set-StrictMode -Version Latest, $ErrorActionPreference = 'Stop', an approved
    verb, ShouldProcess support where it changes the machine, exit 1 in its catch block, and
    balanced braces, brackets and parentheses (a lexical check that skips strings and comments);
  - the SEH wrapper native-driver/kmdf/probe.c calls MmProbeAndLockPages inside __try with an
    __except handler, and no other driver file calls it directly;
  - the control device's SDDL is D:P(A;;GA;;;SY)(A;;GA;;;BA) and is the one given to KMDF;
  - every KMDF callback whose role type allows DISPATCH_LEVEL and that uses PAGED_CODE() sits inside
    a commented #pragma warning(disable: 28118) push/pop, the way Microsoft's samples suppress the
    Code Analysis warning for callbacks that run at PASSIVE_LEVEL;
  - every WdfDeviceInitFree(p) is followed by p = NULL (Static Driver Verifier's InitFreeNull);
  - a driver that registers a process-notify routine links with /INTEGRITYCHECK;
  - the oldest supported Windows build is one number, at least the 19041 that ExAllocatePool2 needs,
    in README.md, the INF and Install-Driver.ps1's hint for start error 127;
  - Enable-DriverVerifier.ps1 asks for systematic low resources simulation as Microsoft documents it:
    rule classes 19 and 36 on Windows 11 (build 22000 on), the 0x40000 flag on Windows 10;
  - Enable-TestSigning.ps1 and docs/windows-vm.md warn of the BitLocker recovery prompt;
  - Invoke-KernelTests.ps1 runs selftest with --record, so every live run leaves a record to replay;
  - the GitHub workflow runs on a pinned runner image (not *-latest), restores the WDK packages,
    builds Release x64 with Code Analysis and runs InfVerif.
Then it runs scripts/test_check_windows_files.py, the unit tests of these checks (--no-self-test
skips them). What only Windows can check is listed in docs/driver-build.md.

Usage: python3 scripts/check-windows-files.py [--no-self-test]
"""
import re
import sys
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MSBUILD_NS = "{http://schemas.microsoft.com/developer/msbuild/2003}"
SDDL = "D:P(A;;GA;;;SY)(A;;GA;;;BA)"
# The setup class "System" (Windows' class list); a primitive driver with no device uses it.
CLASS_GUIDS = {"system": "{4d36e97d-e325-11ce-bfc1-08002be10318}"}
WDK_PACKAGES = ("Microsoft.Windows.WDK.x64", "Microsoft.Windows.SDK.CPP", "Microsoft.Windows.SDK.CPP.x64")
CONFIGURATIONS = ("Debug|x64", "Release|x64")
# DIRID 13: the package's own driver-store folder, where a primitive driver for 1903+ installs.
DRIVER_STORE_DIRID = "13"
# KMDF role types annotated _IRQL_requires_max_(DISPATCH_LEVEL) in the KMDF 1.15 headers: PAGED_CODE()
# in such a callback is Code Analysis warning C28118 unless suppressed.
DISPATCH_ROLE_TYPES = ("EVT_WDF_IO_IN_CALLER_CONTEXT", "EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL",
                       "EVT_WDF_IO_QUEUE_IO_DEFAULT", "EVT_WDF_IO_QUEUE_IO_READ", "EVT_WDF_IO_QUEUE_IO_WRITE",
                       "EVT_WDF_OBJECT_CONTEXT_CLEANUP", "EVT_WDF_OBJECT_CONTEXT_DESTROY")
# ExAllocatePool2 is exported from Windows 10 version 2004 (build 19041) on.
EX_ALLOCATE_POOL2_BUILD = 19041


def read_text(path):
    """Reads a text file written as UTF-8 (with or without a BOM) or as UTF-16 with a BOM."""
    data = Path(path).read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def line_of(text, position):
    return text.count("\n", 0, position) + 1


# ---------------------------------------------------------------------------------------------- INF

def strip_inf_comment(line):
    """Drops a ';' comment unless the ';' is inside double quotes."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            return line[:i]
    return line


def parse_inf(text):
    """Returns ({lower-case section name: [(lower-case key or None, value)]}, [problems])."""
    sections, problems, current = {}, [], None
    for number, raw in enumerate(text.splitlines(), 1):
        line = strip_inf_comment(raw).strip()
        if not line:
            continue
        if line.startswith("["):
            if not line.endswith("]") or len(line) < 3:
                problems.append(f"line {number}: malformed section header {raw.strip()!r}")
                continue
            current = line[1:-1].strip().lower()
            if current in sections:
                problems.append(f"line {number}: section [{current}] appears twice")
            sections.setdefault(current, [])
            continue
        if current is None:
            problems.append(f"line {number}: text before the first section")
            continue
        if line.count('"') % 2:
            problems.append(f"line {number}: unbalanced quotes")
        key, sep, value = line.partition("=")
        if sep:
            if not key.strip():
                problems.append(f"line {number}: '=' without a key")
            sections[current].append((key.strip().lower(), value.strip()))
        else:
            sections[current].append((None, line))
    return sections, problems


def inf_values(sections, section, key):
    return [v for k, v in sections.get(section, []) if k == key]


def inf_value(sections, section, key):
    """The value of a key given exactly once in a section, else None."""
    values = inf_values(sections, section, key)
    return values[0] if len(values) == 1 else None


def unquote(value):
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def as_int(value):
    try:
        return int(value, 0)
    except (TypeError, ValueError):
        return None


def check_inf(root):
    path = root / "native-driver" / "resmap.inf"
    if not path.is_file():
        return ["native-driver/resmap.inf is missing"]
    text = read_text(path)
    sections, problems = parse_inf(text)

    version = "version"
    if version not in sections:
        problems.append("no [Version] section")
    if unquote(inf_value(sections, version, "signature") or "").lower() != "$windows nt$":
        problems.append('[Version] Signature must be "$WINDOWS NT$"')
    for key in ("class", "classguid", "provider", "driverver", "catalogfile", "pnplockdown"):
        if inf_value(sections, version, key) is None:
            problems.append(f"[Version] {key} is missing or given twice")
    class_name = (inf_value(sections, version, "class") or "").lower()
    class_guid = (inf_value(sections, version, "classguid") or "").lower()
    if class_guid and not re.fullmatch(r"\{[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\}", class_guid):
        problems.append(f"[Version] ClassGuid {class_guid!r} is not a {{GUID}}")
    elif class_name in CLASS_GUIDS and class_guid and class_guid != CLASS_GUIDS[class_name]:
        problems.append(f"[Version] ClassGuid {class_guid} is not the GUID of class {class_name}")
    driver_ver = inf_value(sections, version, "driverver")
    if driver_ver is not None:
        match = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})\s*,\s*\d+(\.\d+){3}", driver_ver)
        if not match or not (1 <= int(match.group(1)) <= 12 and 1 <= int(match.group(2)) <= 31):
            problems.append(f"[Version] DriverVer {driver_ver!r} is not mm/dd/yyyy,w.x.y.z")
    catalog = inf_value(sections, version, "catalogfile")
    if catalog is not None and catalog.lower() != "resmap.cat":
        problems.append("[Version] CatalogFile must be resmap.cat (Set-DriverSignature.ps1 writes that file)")
    if inf_value(sections, version, "pnplockdown") not in (None, "1"):
        problems.append("[Version] PnpLockdown must be 1")

    install, services = "defaultinstall.ntamd64", "defaultinstall.ntamd64.services"
    if "manufacturer" in sections:
        problems.append("a primitive driver has no [Manufacturer] section")
    if "defaultinstall" in sections:
        problems.append("a primitive driver has no undecorated [DefaultInstall]")
    if install not in sections:
        problems.append("no [DefaultInstall.NTamd64] section")
    copied, copy_dirids = [], set()
    destinations = {k: v for k, v in sections.get("destinationdirs", []) if k}
    for value in inf_values(sections, install, "copyfiles"):
        for name in (n.strip().lower() for n in value.split(",") if n.strip()):
            if name.startswith("@"):
                copied.append(name[1:])
                copy_dirids.add(destinations.get("defaultdestdir", "").split(",")[0].strip())
                continue
            if name not in sections:
                problems.append(f"CopyFiles names a missing section [{name}]")
                continue
            copied.extend(v.split(",")[0].strip().lower() for k, v in sections[name] if k is None)
            copy_dirids.add(destinations.get(name, destinations.get("defaultdestdir", "")).split(",")[0].strip())
    if "resmap.sys" not in copied:
        problems.append("[DefaultInstall.NTamd64] does not copy resmap.sys")
    elif copy_dirids != {DRIVER_STORE_DIRID}:
        problems.append(f"[DestinationDirs] must send the copied files to DIRID {DRIVER_STORE_DIRID} "
                        f"(the driver store), found {sorted(copy_dirids)}")
    disk_files = dict((k, v) for k, v in sections.get("sourcedisksfiles", []) if k)
    disks = {k for k, _ in sections.get("sourcedisksnames", []) if k}
    if "resmap.sys" not in disk_files:
        problems.append("[SourceDisksFiles] does not list resmap.sys")
    elif disk_files["resmap.sys"].split(",")[0].strip() not in disks:
        problems.append("resmap.sys's disk in [SourceDisksFiles] is not in [SourceDisksNames]")

    if services not in sections:
        problems.append("no [DefaultInstall.NTamd64.Services] section")
    add = inf_values(sections, services, "addservice")
    if services in sections and len(add) != 1:
        problems.append(f"[DefaultInstall.NTamd64.Services] needs exactly one AddService (found {len(add)})")
    elif add:
        fields = [f.strip() for f in add[0].split(",")]
        if len(fields) < 3 or fields[0].lower() != "resmap" or not fields[2]:
            problems.append("AddService must be resmap,<flags>,<service-install-section>")
        else:
            service = fields[2].lower()
            if service not in sections:
                problems.append(f"the service install section [{service}] is missing")
            for key, want, meaning in (("servicetype", 1, "SERVICE_KERNEL_DRIVER"),
                                       ("starttype", 3, "SERVICE_DEMAND_START"),
                                       ("errorcontrol", 1, "SERVICE_ERROR_NORMAL")):
                got = inf_value(sections, service, key)
                if as_int(got) != want:
                    problems.append(f"[{service}] {key} must be {want} ({meaning}), found {got!r}")
            binary = inf_value(sections, service, "servicebinary") or ""
            if binary.lower() != f"%{DRIVER_STORE_DIRID}%\\resmap.sys":
                problems.append(f"[{service}] ServiceBinary must be %{DRIVER_STORE_DIRID}%\\resmap.sys, found {binary!r}")

    defined = {k for k, _ in sections.get("strings", []) if k}
    body = "\n".join(strip_inf_comment(line) for line in text.splitlines())
    # %13% and the like are DIRIDs, not strings.
    used = {m.lower() for m in re.findall(r"%([A-Za-z_][\w.]*)%", body)}
    problems += [f"%{name}% is not defined in [Strings]" for name in sorted(used - defined)]
    return problems


# --------------------------------------------------------------------------------------- .vcxproj

def load_project(root):
    """(root element, problems) of native-driver/resmap.vcxproj."""
    path = root / "native-driver" / "resmap.vcxproj"
    if not path.is_file():
        return None, ["native-driver/resmap.vcxproj is missing"]
    try:
        project = ET.parse(path).getroot()
    except ET.ParseError as error:
        return None, [f"resmap.vcxproj is not well-formed XML: {error}"]
    if project.tag != MSBUILD_NS + "Project":
        return None, [f"resmap.vcxproj's root element is {project.tag}, not an MSBuild Project"]
    return project, []


def applies_to(condition, configuration):
    """Whether an MSBuild Condition (as these projects write them) covers a configuration."""
    return not condition or f"'{configuration}'" in condition.replace(" ", "")


def check_vcxproj_settings(root):
    project, problems = load_project(root)
    if project is None:
        return problems
    configurations = {e.get("Include") for e in project.iter(MSBUILD_NS + "ProjectConfiguration")}
    if configurations != set(CONFIGURATIONS):
        problems.append(f"configurations are {sorted(c or '' for c in configurations)}, want Debug|x64 and Release|x64")

    def properties(name, configuration):
        """Values a property gets in one configuration, from unconditional and matching groups."""
        found = []
        for group in project.iter(MSBUILD_NS + "PropertyGroup"):
            if applies_to(group.get("Condition"), configuration):
                found += [(e.text or "").strip() for e in group.findall(MSBUILD_NS + name)]
        return found

    def compile_settings(name, configuration):
        found = []
        for group in project.iter(MSBUILD_NS + "ItemDefinitionGroup"):
            if applies_to(group.get("Condition"), configuration):
                for clcompile in group.findall(MSBUILD_NS + "ClCompile"):
                    found += [(e.text or "").strip() for e in clcompile.findall(MSBUILD_NS + name)]
        return found

    for configuration in CONFIGURATIONS:
        for name, want in (("DriverType", "KMDF"), ("ConfigurationType", "Driver"),
                           ("PlatformToolset", "WindowsKernelModeDriver10.0"), ("TargetName", "resmap")):
            got = properties(name, configuration)
            if got[-1:] != [want]:
                problems.append(f"{configuration}: {name} is {got[-1] if got else 'not set'}, want {want}")
        for name, want in (("TreatWarningAsError", "true"), ("WarningLevel", "Level4")):
            got = compile_settings(name, configuration)
            if got[-1:] != [want]:
                problems.append(f"{configuration}: ClCompile {name} is {got[-1] if got else 'not set'}, want {want}")
        if properties("KMDF_VERSION_MAJOR", configuration)[-1:] != ["1"]:
            problems.append(f"{configuration}: KMDF_VERSION_MAJOR must be 1")
        if not properties("KMDF_VERSION_MINOR", configuration):
            problems.append(f"{configuration}: KMDF_VERSION_MINOR is not set")
    infs = [e.get("Include") for e in project.iter(MSBUILD_NS + "Inf")]
    if infs != ["resmap.inf"]:
        problems.append(f"the Inf items are {infs}, want [resmap.inf]")
    return problems


def check_vcxproj_sources(root):
    project, problems = load_project(root)
    if project is None:
        return problems
    driver = root / "native-driver"

    def items(kind):
        return [e.get("Include").replace("\\", "/") for e in project.iter(MSBUILD_NS + kind) if e.get("Include")]

    compiled = items("ClCompile")
    for name in sorted({c for c in compiled if compiled.count(c) > 1}):
        problems.append(f"compiled twice: {name}")
    on_disk = {f"{folder}/{p.name}" for folder in ("core", "kmdf") for p in (driver / folder).glob("*.c")}
    problems += [f"not compiled (the Linux build compiles it): native-driver/{p}" for p in sorted(on_disk - set(compiled))]
    problems += [f"compiled but not in core/*.c or kmdf/*.c: {p}" for p in sorted(set(compiled) - on_disk)]
    for kind in ("ClCompile", "ClInclude", "Inf", "None"):
        problems += [f"{kind} names a missing file: native-driver/{p}"
                     for p in items(kind) if "$(" not in p and not (driver / p).is_file()]

    # The simulator's NAR build compiles the core by this pattern; if it changed, the list above
    # would no longer be the Linux build's list.
    pom = root / "native-usermode" / "pom.xml"
    if not pom.is_file() or "native-driver/core/*.c" not in read_text(pom):
        problems.append("native-usermode/pom.xml no longer compiles native-driver/core/*.c: "
                        "update this check to the Linux build's file list")
    return problems


def check_wdk_packages(root):
    driver = root / "native-driver"
    problems = []
    try:
        packages = ET.parse(driver / "packages.config").getroot()
        props = ET.parse(driver / "Directory.Build.props").getroot()
    except (OSError, ET.ParseError) as error:
        return [f"cannot read packages.config or Directory.Build.props: {error}"]
    pinned = {e.get("id"): e.get("version") for e in packages.iter("package")}
    for package in WDK_PACKAGES:
        if package not in pinned:
            problems.append(f"packages.config lacks {package}")
    versions = set(pinned.values())
    props_versions = {(e.text or "").strip() for e in props.iter("ResmapWdkVersion")}
    if len(versions) != 1 or versions != props_versions:
        problems.append(f"versions differ: packages.config {sorted(v or '' for v in versions)}, "
                        f"Directory.Build.props {sorted(props_versions)}")
    imports = [e.get("Project") or "" for e in props.iter("Import")]
    for package in WDK_PACKAGES:
        prefix = f"$(ResmapPackages){package}.$(ResmapWdkVersion)\\build\\native\\".lower()
        if not any(i.lower().startswith(prefix) for i in imports):
            problems.append(f"Directory.Build.props does not import {package}")
    return problems


# ------------------------------------------------------------------------------------ PowerShell

APPROVED_VERBS = {
    "Add", "Approve", "Assert", "Backup", "Block", "Build", "Checkpoint", "Clear", "Close", "Compare",
    "Complete", "Compress", "Confirm", "Connect", "Convert", "ConvertFrom", "ConvertTo", "Copy", "Debug",
    "Deny", "Deploy", "Disable", "Disconnect", "Dismount", "Edit", "Enable", "Enter", "Exit", "Expand",
    "Export", "Find", "Format", "Get", "Grant", "Group", "Hide", "Import", "Initialize", "Install",
    "Invoke", "Join", "Limit", "Lock", "Measure", "Merge", "Mount", "Move", "New", "Open", "Optimize",
    "Out", "Ping", "Pop", "Protect", "Publish", "Push", "Read", "Receive", "Redo", "Register", "Remove",
    "Rename", "Repair", "Request", "Reset", "Resize", "Resolve", "Restart", "Restore", "Resume",
    "Revoke", "Save", "Search", "Select", "Send", "Set", "Show", "Skip", "Split", "Start", "Step",
    "Stop", "Submit", "Suspend", "Switch", "Sync", "Test", "Trace", "Unblock", "Undo", "Uninstall",
    "Unlock", "Unprotect", "Unpublish", "Unregister", "Update", "Use", "Wait", "Watch", "Write",
}


class PowerShellText:
    """A PowerShell file split lexically: comments, strings and code.

    code:      the text with comments blanked (strings kept), for looking up statements;
    skeleton:  the text with comments and string contents blanked, for counting brackets;
    comments:  the block comments (<# ... #>) in order, where comment-based help lives.
    Blanking keeps every newline, so line numbers stay right. Unterminated strings and comments are
    reported in problems.
    """

    def __init__(self, text):
        self.text = text
        self.comments = []
        self.problems = []
        self._comment_spans = []
        self._string_spans = []
        self._scan_code(0, inside_subexpression=False)
        self.code = self._blank(self._comment_spans, keep_quotes=False)
        self.skeleton = self._blank(self._comment_spans + self._string_spans, keep_quotes=True)

    def _blank(self, spans, keep_quotes):
        chars = list(self.text)
        for start, end, kind in spans:
            first, last = (start + 1, end - 1) if keep_quotes and kind == "string" else (start, end)
            for i in range(first, last):
                if chars[i] != "\n":
                    chars[i] = " "
        return "".join(chars)

    def _problem(self, position, message):
        self.problems.append(f"line {line_of(self.text, position)}: {message}")

    def _scan_code(self, i, inside_subexpression):
        """Scans code from i; inside $( ... ) of a string, stops after the closing parenthesis."""
        text, depth = self.text, 0
        while i < len(text):
            ch = text[i]
            if text.startswith("<#", i):
                end = text.find("#>", i + 2)
                if end < 0:
                    self._problem(i, "block comment <# is never closed")
                    end = len(text) - 2
                self.comments.append(text[i + 2:end])
                self._comment_spans.append((i, end + 2, "comment"))
                i = end + 2
            elif ch == "#" and (i == 0 or text[i - 1] in " \t\r\n;({[|,="):
                end = text.find("\n", i)
                end = len(text) if end < 0 else end
                self._comment_spans.append((i, end, "comment"))
                i = end
            elif text.startswith(("@'", '@"'), i) and text[i + 2:i + 4].lstrip(" \t\r")[:1] in ("\n", ""):
                quote = text[i + 1]
                match = re.compile("\n" + quote + "@").search(text, i + 2)
                if not match:
                    self._problem(i, f"here-string @{quote} is never closed")
                    end = len(text)
                else:
                    end = match.end()
                self._string_spans.append((i + 1, end - 1, "string"))
                i = end
            elif ch == "'":
                i = self._scan_single_quoted(i)
            elif ch == '"':
                i = self._scan_double_quoted(i)
            elif ch == "`":
                i += 2
            else:
                if inside_subexpression:
                    if ch == "(":
                        depth += 1
                    elif ch == ")":
                        if depth == 0:
                            return i + 1
                        depth -= 1
                i += 1
        return i

    def _scan_single_quoted(self, start):
        i = start + 1
        while i < len(self.text):
            if self.text[i] == "'":
                if self.text.startswith("''", i):
                    i += 2
                    continue
                self._string_spans.append((start, i + 1, "string"))
                return i + 1
            i += 1
        self._problem(start, "string ' is never closed")
        self._string_spans.append((start, len(self.text), "string"))
        return len(self.text)

    def _scan_double_quoted(self, start):
        i = start + 1
        while i < len(self.text):
            ch = self.text[i]
            if ch == "`":
                i += 2
            elif self.text.startswith('""', i):
                i += 2
            elif ch == '"':
                self._string_spans.append((start, i + 1, "string"))
                return i + 1
            elif self.text.startswith("$(", i):
                spans_before = len(self._string_spans)
                i = self._scan_code(i + 2, inside_subexpression=True)
                # Strings inside the subexpression are part of this string.
                del self._string_spans[spans_before:]
            else:
                i += 1
        self._problem(start, 'string " is never closed')
        self._string_spans.append((start, len(self.text), "string"))
        return len(self.text)


def bracket_problems(skeleton):
    """Unmatched or mismatched (), [] and {} in a skeleton (strings and comments blanked)."""
    pairs = {")": "(", "]": "[", "}": "{"}
    stack, problems = [], []
    for position, ch in enumerate(skeleton):
        if ch in "([{":
            stack.append((ch, position))
        elif ch in pairs:
            if not stack:
                problems.append(f"line {line_of(skeleton, position)}: '{ch}' closes nothing")
            elif stack[-1][0] != pairs[ch]:
                opening, where = stack.pop()
                problems.append(f"line {line_of(skeleton, position)}: '{ch}' closes '{opening}' "
                                f"of line {line_of(skeleton, where)}")
            else:
                stack.pop()
    problems += [f"line {line_of(skeleton, where)}: '{ch}' is never closed" for ch, where in stack]
    return problems


def script_parameters(skeleton):
    """Names of the parameters of the script-level param( ... ) block after [CmdletBinding(...)]."""
    binding = re.search(r"\[CmdletBinding\b", skeleton, re.I)
    start = re.compile(r"\bparam\s*\(", re.I).search(skeleton, binding.end() if binding else 0)
    if not start:
        return []
    names, depth, segment_has_name = [], 0, False
    i = start.end()
    while i < len(skeleton):
        ch = skeleton[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and ch == ",":
            segment_has_name = False
        elif depth == 0 and ch == "=":
            segment_has_name = True  # a default value follows: its variables are not parameters
        elif depth == 0 and ch == "$" and not segment_has_name:
            name = re.match(r"\$([A-Za-z_]\w*)", skeleton[i:])
            if name:
                names.append(name.group(1))
                segment_has_name = True
        i += 1
    return names


def check_powershell_file(path):
    text = read_text(path)
    lexed = PowerShellText(text)
    problems = list(lexed.problems)
    code = lexed.code
    help_text = lexed.comments[0] if lexed.comments else ""
    keywords = {m.upper() for m in re.findall(r"^\s*\.([A-Za-z]+)", help_text, re.M)}

    if not re.search(r"^\s*Set-StrictMode\s+-Version\s+Latest\b", code, re.M | re.I):
        problems.append("no Set-StrictMode -Version Latest")
    for keyword in ("SYNOPSIS", "DESCRIPTION"):
        if keyword not in keywords:
            problems.append(f"help block lacks .{keyword}")
    functions = re.findall(r"^\s*function\s+([\w-]+)", code, re.M | re.I)
    for function in functions:
        if function.split("-")[0] not in APPROVED_VERBS:
            problems.append(f"function {function}: {function.split('-')[0]} is not an approved verb")

    if path.suffix.lower() == ".ps1":
        if "EXAMPLE" not in keywords:
            problems.append("help block lacks .EXAMPLE")
        documented = {m.lower() for m in re.findall(r"^\s*\.PARAMETER\s+(\w+)", help_text, re.M | re.I)}
        for name in script_parameters(lexed.skeleton):
            if name.lower() not in documented:
                problems.append(f"help block lacks .PARAMETER {name}")
        if not re.search(r"^\s*\[CmdletBinding\([^)]*\)\]", code, re.M | re.I):
            problems.append("no [CmdletBinding()]")
        if not re.search(r"^\s*\$ErrorActionPreference\s*=\s*['\"]Stop['\"]", code, re.M | re.I):
            problems.append("no $ErrorActionPreference = 'Stop'")
        declares = re.search(r"SupportsShouldProcess", code, re.I) is not None
        asks = re.search(r"ShouldProcess\(|WhatIf\s*=|-WhatIf:", code, re.I) is not None
        if declares != asks:
            problems.append("SupportsShouldProcess and ShouldProcess (or passing -WhatIf on) must go together")
        catch = re.search(r"^catch\s*\{(.*?)^\}", code, re.M | re.S)
        if not catch or not re.search(r"\bexit\s+1\b", catch.group(1)):
            problems.append("no top-level catch { ... exit 1 }: a failure must end with a non-zero exit code")
        verb = path.stem.split("-")[0]
        if verb not in APPROVED_VERBS:
            problems.append(f"{verb} is not an approved PowerShell verb")

    problems += bracket_problems(lexed.skeleton)
    return problems


def windows_scripts(root):
    folder = root / "scripts" / "windows"
    return sorted(folder.glob("*.ps1")) + sorted(folder.glob("*.psm1"))


def check_scripts_documented(root):
    scripts = windows_scripts(root)
    if not scripts:
        return ["scripts/windows has no PowerShell scripts"]
    docs = "\n".join(read_text(d) for d in sorted((root / "docs").glob("*.md")))
    return [f"{s.name} is not mentioned in any docs/*.md" for s in scripts if s.name not in docs]


# ------------------------------------------------------------------------------------------ C code

def strip_c(text, keep_strings=True):
    """C source with comments blanked (and string contents too unless keep_strings); newlines kept."""
    out, i = [], 0
    pattern = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
    for match in pattern.finditer(text):
        out.append(text[i:match.start()])
        token = match.group(0)
        if token.startswith(("//", "/*")):
            out.append(re.sub(r"[^\n]", " ", token))
        elif keep_strings:
            out.append(token)
        else:
            out.append(token[0] + " " * (len(token) - 2) + token[-1])
        i = match.end()
    out.append(text[i:])
    return "".join(out)


def matching_brace(code, opening):
    """Index just past the brace that closes the '{' at `opening`, or -1."""
    depth = 0
    for i in range(opening, len(code)):
        if code[i] == "{":
            depth += 1
        elif code[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def check_probe(root):
    driver = root / "native-driver"
    probe = driver / "kmdf" / "probe.c"
    if not probe.is_file():
        return ["native-driver/kmdf/probe.c is missing"]
    code = strip_c(read_text(probe), keep_strings=False)
    guarded, problems = [], []
    for match in re.finditer(r"\b__try\s*\{", code):
        end = matching_brace(code, match.end() - 1)
        if end < 0:
            problems.append(f"probe.c line {line_of(code, match.start())}: __try block is never closed")
            continue
        if not re.match(r"\s*__except\s*\(", code[end:]):
            problems.append(f"probe.c line {line_of(code, match.start())}: __try is not followed by __except")
            continue
        guarded.append((match.end(), end))
    calls = [m.start() for m in re.finditer(r"\bMmProbeAndLockPages\s*\(", code)]
    if not calls:
        problems.append("probe.c does not call MmProbeAndLockPages")
    for call in calls:
        if not any(start <= call < end for start, end in guarded):
            problems.append(f"probe.c line {line_of(code, call)}: MmProbeAndLockPages outside __try/__except")
    for source in sorted(list((driver / "core").glob("*.c")) + list((driver / "kmdf").glob("*.c"))):
        if source.name == "probe.c":
            continue
        other = strip_c(read_text(source), keep_strings=False)
        for call in re.finditer(r"\bMmProbeAndLockPages\s*\(", other):
            problems.append(f"{source.relative_to(root)} line {line_of(other, call.start())}: calls "
                            "MmProbeAndLockPages directly; use ResmapProbeAndLockPages (probe.c's SEH wrapper)")
    return problems


def check_sddl(root):
    sources = sorted((root / "native-driver" / "kmdf").glob("*.c"))
    found, problems = [], []
    for source in sources:
        code = strip_c(read_text(source))
        for literal in re.finditer(r'L?"((?:\\.|[^"\\\n])*)"', code):
            if re.match(r"[DS]:", literal.group(1)):
                found.append((source, literal.group(1)))
    if not found:
        problems.append("no SDDL string in native-driver/kmdf/*.c")
    for source, sddl in found:
        if sddl != SDDL:
            problems.append(f"{source.relative_to(root)}: SDDL {sddl!r}, want {SDDL!r} (SYSTEM and administrators only)")
    kmdf = "\n".join(strip_c(read_text(s)) for s in sources)
    if not re.search(r"\b(WdfControlDeviceInitAllocate|WdfDeviceInitAssignSDDLString)\s*\(", kmdf):
        problems.append("the SDDL is never given to KMDF (WdfControlDeviceInitAllocate or WdfDeviceInitAssignSDDLString)")
    return problems


def kmdf_role_types(root):
    """{function name: role type} from the role-type declarations in native-driver/kmdf/*.h."""
    roles = {}
    for header in sorted((root / "native-driver" / "kmdf").glob("*.h")):
        for match in re.finditer(r"^\s*(EVT_WDF_\w+|DRIVER_\w+)\s+(\w+)\s*;", strip_c(read_text(header)), re.M):
            roles[match.group(2)] = match.group(1)
    return roles


def check_paged_code_suppressions(root):
    roles = kmdf_role_types(root)
    problems = []
    for source in sorted((root / "native-driver" / "kmdf").glob("*.c")):
        raw = read_text(source)
        code = strip_c(raw)
        for name, role in roles.items():
            if role not in DISPATCH_ROLE_TYPES:
                continue
            definition = re.search(r"^\s*" + re.escape(name) + r"\s*\([^;{]*\)\s*\{", code, re.M)
            if not definition:
                continue
            end = matching_brace(code, definition.end() - 1)
            if "PAGED_CODE" not in code[definition.end():end]:
                continue
            where = f"{source.relative_to(root)}: {name} ({role}, DISPATCH_LEVEL allowed)"
            before, after = raw[:definition.start()], raw[end:]
            push, pop = before.rfind("#pragma warning(push)"), before.rfind("#pragma warning(pop)")
            disable = re.search(r"#pragma warning\(disable:\s*28118\)([^\n]*)", before[push:]) if push > pop else None
            if not disable:
                problems.append(f"{where} uses PAGED_CODE() outside a #pragma warning(disable: 28118) push block (C28118)")
            elif "/*" not in disable.group(1) and "//" not in disable.group(1):
                problems.append(f"{where}: the 28118 suppression has no comment saying why it runs at PASSIVE_LEVEL")
            elif not re.match(r"\s*#pragma warning\(pop\)", after):
                problems.append(f"{where}: no #pragma warning(pop) right after the function")
    return problems


def check_init_free_null(root):
    problems = []
    for source in sorted((root / "native-driver" / "kmdf").glob("*.c")):
        code = strip_c(read_text(source))
        for match in re.finditer(r"\bWdfDeviceInitFree\s*\(\s*(\w+)\s*\)\s*;", code):
            if not re.match(r"\s*" + re.escape(match.group(1)) + r"\s*=\s*NULL\s*;", code[match.end():]):
                problems.append(f"{source.relative_to(root)} line {line_of(code, match.start())}: "
                                f"WdfDeviceInitFree({match.group(1)}) not followed by {match.group(1)} = NULL (InitFreeNull)")
    return problems


def check_integrity_check(root):
    kmdf = "\n".join(strip_c(read_text(s)) for s in sorted((root / "native-driver" / "kmdf").glob("*.c")))
    if not re.search(r"\bPsSetCreateProcessNotifyRoutineEx\s*\(", kmdf):
        return []
    project, problems = load_project(root)
    if project is None:
        return problems
    linked = " ".join((option.text or "") for link in project.iter(MSBUILD_NS + "Link")
                      for option in link.iter(MSBUILD_NS + "AdditionalOptions"))
    if "/INTEGRITYCHECK" not in linked.upper():
        return ["the driver calls PsSetCreateProcessNotifyRoutineEx, which fails (STATUS_ACCESS_DENIED) unless "
                "the image is linked with /INTEGRITYCHECK: add it to <Link><AdditionalOptions>"]
    return []


def check_minimum_build(root):
    places = {
        "README.md": root / "README.md",
        "native-driver/resmap.inf": root / "native-driver" / "resmap.inf",
        "scripts/windows/Install-Driver.ps1": root / "scripts" / "windows" / "Install-Driver.ps1",
    }
    problems, builds = [], {}
    for name, path in places.items():
        if not path.is_file():
            problems.append(f"{name} is missing")
            continue
        text = read_text(path)
        if name.endswith(".ps1"):
            hint = re.search(r"^\s*127\s*=\s*'([^']*)'", text, re.M)
            if not hint:
                problems.append(f"{name}: no start-failure hint for error 127 (ERROR_PROC_NOT_FOUND: a missing import)")
                continue
            text = hint.group(1)
        found = {int(b) for b in re.findall(r"\bbuild (\d{5})\b", text)}
        if not found:
            problems.append(f"{name} does not name the oldest supported Windows build ('build NNNNN')")
        builds[name] = found
    uses_pool2 = any("ExAllocatePool2" in strip_c(read_text(c))
                     for c in (root / "native-driver" / "core").glob("*.c"))
    every = set().union(*builds.values()) if builds else set()
    if len(every) > 1:
        problems.append("the oldest supported build differs: " + ", ".join(f"{n} says {sorted(b)}" for n, b in builds.items()))
    if uses_pool2 and any(b < EX_ALLOCATE_POOL2_BUILD for b in every):
        problems.append(f"the core imports ExAllocatePool2, exported from build {EX_ALLOCATE_POOL2_BUILD} on, "
                        f"but an older build is claimed ({sorted(every)})")
    return problems


# ------------------------------------------------------------------------- scripts: verifier, BitLocker

def check_verifier_low_resources(root):
    path = root / "scripts" / "windows" / "Enable-DriverVerifier.ps1"
    if not path.is_file():
        return ["scripts/windows/Enable-DriverVerifier.ps1 is missing"]
    code = read_text(path)
    problems = []
    if not re.search(r"\$LowResourceRuleClasses\s*=\s*@\(\s*19\s*,\s*36\s*\)", code):
        problems.append("Windows 11 needs rule class 19 with 36 (DIF mode): no $LowResourceRuleClasses = @(19, 36)")
    if not re.search(r"\$LowResourceFlag\s*=\s*0x40000\b", code):
        problems.append("Windows 10 needs the 0x40000 flag: no $LowResourceFlag = 0x40000")
    if not re.search(r"\$FirstWindows11Build\s*=\s*22000\b", code):
        problems.append("no $FirstWindows11Build = 22000 to tell Windows 11 from Windows 10")
    return problems


def check_kernel_run_records(root):
    path = root / "scripts" / "windows" / "Invoke-KernelTests.ps1"
    if not path.is_file():
        return ["scripts/windows/Invoke-KernelTests.ps1 is missing"]
    code = read_text(path)
    if not re.search(r"'selftest'[^\n]*'--record'", code):
        return ["Invoke-KernelTests.ps1 runs selftest without --record: a live run must leave a record for resmap replay"]
    return []


def check_bitlocker_warning(root):
    problems = []
    for name in ("scripts/windows/Enable-TestSigning.ps1", "docs/windows-vm.md"):
        path = root / name
        if not path.is_file() or "bitlocker recovery" not in read_text(path).lower():
            problems.append(f"{name} does not warn that turning Secure Boot off can trigger a BitLocker recovery prompt")
    return problems


# ---------------------------------------------------------------------------------------- workflow

def check_workflow(root):
    path = root / ".github" / "workflows" / "windows-driver.yml"
    if not path.is_file():
        return [".github/workflows/windows-driver.yml is missing"]
    text = read_text(path)
    problems = []
    if "\t" in text:
        problems.append("tabs in YAML")
    runners = re.findall(r"^\s*runs-on:\s*(\S+)", text, re.M)
    if not runners:
        problems.append("no runs-on")
    for runner in runners:
        if not re.fullmatch(r"windows-\d{4}", runner):
            problems.append(f"runs-on: {runner}: pin a Windows image (windows-2022), not one that moves away from the pinned WDK")
    for needle, why in (("packages.config", "the NuGet WDK restored from packages.config"),
                        ("resmap.vcxproj", "MSBuild on resmap.vcxproj"),
                        ("Configuration=Release", "a Release build"),
                        ("Platform=x64", "an x64 build"),
                        ("RunCodeAnalysis=true", "Code Analysis"),
                        ("infverif", "InfVerif on the INF")):
        if needle.lower() not in text.lower():
            problems.append(f"does not contain {needle!r} ({why})")
    return problems


# -------------------------------------------------------------------------------------------- main

def run_checks(root, out=sys.stdout):
    """Runs every check on a repository; prints one line each; returns (passed, failed)."""
    checks = [
        ("INF: [Version], primitive-driver install for x64, demand-start kernel service, strings", check_inf),
        (".vcxproj: KMDF driver, Debug|x64 and Release|x64, /W4 and warnings as errors", check_vcxproj_settings),
        (".vcxproj compiles exactly native-driver/core/*.c and kmdf/*.c, names no missing file", check_vcxproj_sources),
        ("WDK NuGet packages: one version in packages.config and Directory.Build.props", check_wdk_packages),
        ("every scripts/windows script is described in docs/*.md", check_scripts_documented),
    ]
    for script in windows_scripts(root):
        checks.append((f"{script.relative_to(root)}: help, CmdletBinding, StrictMode, Stop, verbs, brackets",
                       lambda _root, script=script: check_powershell_file(script)))
    checks += [
        ("kmdf/probe.c: MmProbeAndLockPages only inside __try/__except", check_probe),
        (f"device SDDL is {SDDL}", check_sddl),
        ("kmdf: PAGED_CODE() in a DISPATCH_LEVEL-typed callback only under a commented C28118 suppression",
         check_paged_code_suppressions),
        ("kmdf: every WdfDeviceInitFree(p) is followed by p = NULL (InitFreeNull)", check_init_free_null),
        (".vcxproj links with /INTEGRITYCHECK where a process-notify routine is registered", check_integrity_check),
        ("oldest supported Windows build: one number in README, INF and the error-127 hint, >= 19041",
         check_minimum_build),
        ("Enable-DriverVerifier.ps1: low resources simulation as 19 + 36 (Windows 11), 0x40000 (Windows 10)",
         check_verifier_low_resources),
        ("Enable-TestSigning.ps1 and docs/windows-vm.md warn of the BitLocker recovery prompt", check_bitlocker_warning),
        ("Invoke-KernelTests.ps1 records every live selftest run (--record) for resmap replay", check_kernel_run_records),
        (".github/workflows/windows-driver.yml: pinned image, NuGet WDK, MSBuild Release x64, Code Analysis, InfVerif",
         check_workflow),
    ]
    passed = failed = 0
    for name, function in checks:
        problems = function(root)
        if problems:
            failed += 1
            print(f"FAIL {name}", file=out)
            for problem in problems:
                print(f"       {problem}", file=out)
        else:
            passed += 1
            print(f"ok   {name}", file=out)
    return passed, failed


def run_self_tests():
    """Runs scripts/test_check_windows_files.py; True if every test passed."""
    suite = unittest.defaultTestLoader.discover(str(Path(__file__).resolve().parent),
                                                pattern="test_check_windows_files.py")
    if suite.countTestCases() == 0:
        print("FAIL the checker's unit tests (scripts/test_check_windows_files.py) were not found")
        return False
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=1).run(suite)
    return result.wasSuccessful()


def main(argv):
    passed, failed = run_checks(ROOT)
    if "--no-self-test" not in argv:
        print("\nthe checker's own unit tests (scripts/test_check_windows_files.py):")
        if run_self_tests():
            passed += 1
        else:
            failed += 1
            print("FAIL the checker's own unit tests")
    print(f"windows-files: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

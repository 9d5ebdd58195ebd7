<#
.SYNOPSIS
    Sets Driver Verifier to watch resmap.sys from the next boot on, with the rule classes that
    matter for it.

.DESCRIPTION
    Runs verifier.exe /ruleclasses <IDs> /driver resmap.sys. The rule classes (decimal IDs from
    Microsoft's "Driver Verifier Command Syntax" page; /ruleclasses needs Windows 10 build 17627 or
    later, so any 2004+ VM has it):
       1 special pool              2 force IRQL checking       4 pool tracking
       5 I/O verification          6 deadlock detection        8 DMA checking
       9 security checks          12 miscellaneous checks     18 DDI compliance checking
      34 WDF verification (KMDF's own verifier)
      (the ten above are the standard set, what "verifier /standard" enables)
      14 invariant MDL checking for stack                    15 invariant MDL checking for driver
      26 code integrity checks (what memory integrity, HVCI, will demand of the driver)
      With -LowResourceSimulation, systematic low resources simulation, which Microsoft's
      "Systematic low resources simulation" page asks for differently by Windows version:
        Windows 11 (build 22000 and later): rule class 19 together with 36 (DIF mode, which class 19
          needs and /ruleclasses does not add by itself): verifier /rc ... 19 36;
        Windows 10: the /flags bit 0x40000. /flags and /ruleclasses are separate commands, so there
          the whole setting is given as /flags, the classes above as their flag bits (0x1 0x2 0x8
          0x10 0x20 0x80 0x100 0x800 0x20000 0x2000 0x4000 0x2000000) plus 0x40000. WDF verification
          (34) has no /flags bit and is then not set.

    Driver Verifier reads its settings at boot: after this script, reboot before installing the
    driver. The script remembers (in %ProgramData%\resmap\verifier.json) which settings it wrote
    during which boot, so it can tell "in force" from "waiting for a reboot"; running it again
    with the same settings changes nothing.

    verifier.exe replaces the whole list of verified drivers. If drivers other than resmap.sys are
    on it, the script stops unless -Force is given.

    When the verifier finds a fault it stops the machine with a bugcheck (often 0xC4
    DRIVER_VERIFIER_DETECTED_VIOLATION, or 0x10D WDF_VIOLATION); docs/windows-vm.md explains how to
    read the dump. Disable-DriverVerifier.ps1 undoes this script.

    Exit codes: 0 when these settings are already in force; 3010 when they were written (or were
    written earlier) and take effect at the next reboot; 1 on failure.

.PARAMETER LowResourceSimulation
    Adds systematic low resources simulation (rule classes 19 and 36 on Windows 11, the 0x40000 flag
    on Windows 10), which makes chosen pool allocations and other resource requests of resmap.sys
    fail on purpose. Expect failed tests then: the point of such a run is that the
    machine survives, the driver returns clean errors and nothing leaks, not a green table.

.PARAMETER Force
    Replaces a verifier list that names other drivers too.

.EXAMPLE
    .\Enable-DriverVerifier.ps1; if ($LASTEXITCODE -eq 3010) { Restart-Computer }

.EXAMPLE
    .\Enable-DriverVerifier.ps1 -LowResourceSimulation -WhatIf
    Shows the verifier.exe command that would be run, changes nothing.

.NOTES
    Run from an elevated PowerShell (5.1 or 7). Changes this machine's Driver Verifier settings.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [switch] $LowResourceSimulation,

    [switch] $Force
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ResmapWindows.psm1')

$StandardRuleClasses = @(1, 2, 4, 5, 6, 8, 9, 12, 18, 34)
$ExtraRuleClasses = @(14, 15, 26)
# Windows 11: systematic low resources simulation (19) needs DIF mode (36), which /ruleclasses does not add.
$LowResourceRuleClasses = @(19, 36)
$FirstWindows11Build = 22000
# Windows 10: the same settings as /flags bits, since systematic low resources simulation is the
# 0x40000 flag there. WDF verification (34) has no flag bit.
$RuleClassFlags = @{ 1 = 0x1; 2 = 0x2; 4 = 0x8; 5 = 0x10; 6 = 0x20; 8 = 0x80; 9 = 0x100; 12 = 0x800; 18 = 0x20000
                     14 = 0x2000; 15 = 0x4000; 26 = 0x2000000 }
$LowResourceFlag = 0x40000

function Get-VerifierArgument {
    <#
    .SYNOPSIS
        The verifier.exe arguments (before /driver) and a description of them, for this Windows build.
    #>
    param([int] $Build, [switch] $LowResources)
    $classes = @($StandardRuleClasses + $ExtraRuleClasses)
    if (-not $LowResources) {
        return [pscustomobject]@{ Arguments = @('/ruleclasses') + ($classes | ForEach-Object { "$_" }); Wanted = "rule classes $(($classes | Sort-Object) -join ' ')" }
    }
    if ($Build -ge $FirstWindows11Build) {
        $classes += $LowResourceRuleClasses
        return [pscustomobject]@{ Arguments = @('/ruleclasses') + ($classes | ForEach-Object { "$_" }); Wanted = "rule classes $(($classes | Sort-Object) -join ' ')" }
    }
    $flags = $LowResourceFlag
    foreach ($class in $classes) {
        if ($RuleClassFlags.ContainsKey($class)) {
            $flags = $flags -bor $RuleClassFlags[$class]
        }
    }
    $hex = '0x{0:X}' -f $flags
    [pscustomobject]@{ Arguments = @('/flags', $hex); Wanted = "flags $hex" }
}

try {
    Assert-Administrator
    $build = [int](Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion').CurrentBuild
    $setting = Get-VerifierArgument -Build $build -LowResources:$LowResourceSimulation
    $wanted = $setting.Wanted
    if ($LowResourceSimulation -and $build -lt $FirstWindows11Build) {
        Write-Host "Windows 10 (build $build): systematic low resources simulation is the 0x40000 flag, so the settings are given as /flags; WDF verification (rule class 34) has no flag and is not set."
    }
    $driverFile = "$ResmapServiceName.sys"

    $stateFile = Join-Path $env:ProgramData 'resmap\verifier.json'
    $bootTime = (Get-CimInstance -ClassName Win32_OperatingSystem).LastBootUpTime.ToUniversalTime().ToString('u')
    $listed = @(Get-VerifierDriverList)
    $state = $null
    if (Test-Path -LiteralPath $stateFile) {
        $state = Get-Content -LiteralPath $stateFile -Raw | ConvertFrom-Json
    }

    if ($state -and $state.RuleClasses -eq $wanted -and $listed -contains $driverFile) {
        if ($state.BootTime -ne $bootTime) {
            Write-Host "Driver Verifier is watching $driverFile with $wanted."
            exit 0
        }
        Write-Host "Driver Verifier is set for $driverFile ($wanted) but waits for a reboot (Restart-Computer)."
        exit $ResmapRebootRequired
    }

    $others = @($listed | Where-Object { $_ -ne $driverFile })
    if ($others.Count -gt 0 -and -not $Force) {
        throw "Driver Verifier is set to verify other drivers too ($($others -join ', ')); this would replace that list. Run again with -Force, or see verifier /querysettings."
    }

    $arguments = @($setting.Arguments) + @('/driver', $driverFile)
    if ($PSCmdlet.ShouldProcess($driverFile, "verifier $($arguments -join ' ')")) {
        # verifier.exe's exit codes are not documented: the settings read back from the registry decide.
        Invoke-NativeCommand -FilePath 'verifier.exe' -ArgumentList $arguments -Echo -IgnoreExitCode | Out-Null
        if (@(Get-VerifierDriverList) -notcontains $driverFile) {
            throw "verifier.exe did not put $driverFile on its list (see its output above)."
        }
        New-Item -ItemType Directory -Force -Path (Split-Path -Parent $stateFile) | Out-Null
        Write-TextFile -Path $stateFile -Lines ([pscustomobject]@{ RuleClasses = $wanted; BootTime = $bootTime } | ConvertTo-Json)
        Invoke-NativeCommand -FilePath 'verifier.exe' -ArgumentList @('/querysettings') -Echo -IgnoreExitCode | Out-Null
        Write-Host "Driver Verifier set for $driverFile. Reboot now (Restart-Computer) for it to take effect."
        exit $ResmapRebootRequired
    }
    exit 0
}
catch {
    Write-Failure $_
    exit 1
}

<#
.SYNOPSIS
    Sets Driver Verifier to watch resmap.sys from the next boot on, with the rule classes that
    matter for it.

.DESCRIPTION
    Runs verifier.exe /ruleclasses <IDs> /driver resmap.sys. The rule classes (decimal IDs from
    Microsoft's "Driver Verifier options and rule classes" page; /ruleclasses needs Windows 10
    build 17627 or later, so any 2004+ VM has it):
       1 special pool              2 force IRQL checking       4 pool tracking
       5 I/O verification          6 deadlock detection        8 DMA checking
       9 security checks          12 miscellaneous checks     18 DDI compliance checking
      34 WDF verification (KMDF's own verifier)
      (the ten above are the standard set, what "verifier /standard" enables)
      14 invariant MDL checking for stack                    15 invariant MDL checking for driver
      26 code integrity checks (what memory integrity, HVCI, will demand of the driver)
      19 systematic low resources simulation, only with -LowResourceSimulation

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
    Adds rule class 19, which makes chosen pool allocations and other resource requests of
    resmap.sys fail on purpose. Expect failed tests then: the point of such a run is that the
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
$LowResourceRuleClass = 19

try {
    Assert-Administrator
    $ruleClasses = @($StandardRuleClasses + $ExtraRuleClasses)
    if ($LowResourceSimulation) {
        $ruleClasses += $LowResourceRuleClass
    }
    $wanted = ($ruleClasses | Sort-Object) -join ' '
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
            Write-Host "Driver Verifier is watching $driverFile with rule classes $wanted."
            exit 0
        }
        Write-Host "Driver Verifier is set for $driverFile (rule classes $wanted) but waits for a reboot (Restart-Computer)."
        exit $ResmapRebootRequired
    }

    $others = @($listed | Where-Object { $_ -ne $driverFile })
    if ($others.Count -gt 0 -and -not $Force) {
        throw "Driver Verifier is set to verify other drivers too ($($others -join ', ')); this would replace that list. Run again with -Force, or see verifier /querysettings."
    }

    $arguments = @('/ruleclasses') + ($ruleClasses | ForEach-Object { "$_" }) + @('/driver', $driverFile)
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

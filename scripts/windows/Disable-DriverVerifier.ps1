<#
.SYNOPSIS
    Turns Driver Verifier off again (verifier.exe /reset), from the next boot on.

.DESCRIPTION
    Undoes Enable-DriverVerifier.ps1. verifier.exe /reset clears every Driver Verifier setting of
    the machine, not only those for resmap.sys, so the script stops if other drivers are on the
    verifier's list, unless -Force is given. Does nothing if no driver is being verified.

    Exit codes: 0 when there was nothing to turn off; 3010 when the settings were cleared (the
    verifier stays active until the next reboot); 1 on failure.

.PARAMETER Force
    Clears the settings even though other drivers than resmap.sys are being verified.

.EXAMPLE
    .\Disable-DriverVerifier.ps1; if ($LASTEXITCODE -eq 3010) { Restart-Computer }

.EXAMPLE
    .\Disable-DriverVerifier.ps1 -WhatIf

.NOTES
    Run from an elevated PowerShell (5.1 or 7). Changes this machine's Driver Verifier settings.
    resmap.sys is demand-start, so it is never loaded during boot and cannot make a verified VM fail
    to boot. If some other verified driver does, the usual way out is Safe Mode, then verifier /reset.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [switch] $Force
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ResmapWindows.psm1')

try {
    Assert-Administrator
    $driverFile = "$ResmapServiceName.sys"
    $stateFile = Join-Path $env:ProgramData 'resmap\verifier.json'
    $listed = @(Get-VerifierDriverList)

    if ($listed.Count -eq 0) {
        Write-Host 'Driver Verifier is not set to verify any driver.'
        if ((Test-Path -LiteralPath $stateFile) -and $PSCmdlet.ShouldProcess($stateFile, 'delete')) {
            Remove-Item -LiteralPath $stateFile -Force
        }
        exit 0
    }

    $others = @($listed | Where-Object { $_ -ne $driverFile })
    if ($others.Count -gt 0 -and -not $Force) {
        throw "Driver Verifier also verifies $($others -join ', '); verifier /reset would clear those settings too. Run again with -Force if that is wanted."
    }

    if ($PSCmdlet.ShouldProcess('Driver Verifier', 'verifier /reset')) {
        # As in Enable-DriverVerifier.ps1, the registry read back decides, not the exit code.
        Invoke-NativeCommand -FilePath 'verifier.exe' -ArgumentList @('/reset') -Echo -IgnoreExitCode | Out-Null
        if (@(Get-VerifierDriverList).Count -ne 0) {
            throw 'verifier /reset left drivers on the verifier list (see its output above).'
        }
        if (Test-Path -LiteralPath $stateFile) {
            Remove-Item -LiteralPath $stateFile -Force
        }
        Write-Host 'Driver Verifier settings cleared. Reboot (Restart-Computer) to run without the verifier.'
        exit $ResmapRebootRequired
    }
    exit 0
}
catch {
    Write-Failure $_
    exit 1
}

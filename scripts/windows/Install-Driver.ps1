<#
.SYNOPSIS
    Installs the signed resmap.sys as a demand-start kernel service and starts it.

.DESCRIPTION
    Removes any earlier installation first (Uninstall-Driver.ps1), so it can be run again after every
    build. Two methods, with the same result: a demand-start kernel service "resmap" and, once
    started, the device \\.\ResMap. They differ in where resmap.sys is kept:
      Service  copies resmap.sys to System32\drivers and creates the service with
               sc.exe create resmap type= kernel start= demand;
      Inf      pnputil /add-driver resmap.inf /install: the primitive-driver INF creates the service,
               and the driver stays in the driver store (Windows 10 1903 and later; needs the
               signed resmap.cat).
    Then starts it with sc.exe start resmap, unless -NoStart.

    Fails early, with the reason, if test signing is not active or the driver is not signed by a
    trusted certificate. Exit code 0 when the driver is installed (and running), 1 on failure.

.PARAMETER Method
    Service (default) or Inf.

.PARAMETER Configuration
    The configuration whose package to install: Release (default) or Debug.

.PARAMETER NoStart
    Installs without starting.

.EXAMPLE
    .\Install-Driver.ps1

.EXAMPLE
    .\Install-Driver.ps1 -Method Inf -Configuration Debug -WhatIf

.NOTES
    Run from an elevated PowerShell (5.1 or 7). Changes this machine's services and driver store.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [ValidateSet('Service', 'Inf')]
    [string] $Method = 'Service',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [switch] $NoStart
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ResmapWindows.psm1')

# What sc.exe start's exit code (a Win32 error) most likely means here.
$StartFailureHints = @{
    2    = 'resmap.sys is not where the service points.'
    127  = 'A routine resmap.sys imports is missing from this kernel (ERROR_PROC_NOT_FOUND): the driver needs Windows 10 version 2004 (build 19041) or later, x64.'
    577  = 'Windows did not accept the signature: is test signing on (Enable-TestSigning.ps1, then reboot) and the driver signed (Set-DriverSignature.ps1)?'
    1275 = 'Windows blocked the driver: is memory integrity (HVCI) on? Turn it off on the test VM; see docs/windows-vm.md.'
}

try {
    Assert-Administrator
    $package = Get-DriverPackage -Configuration $Configuration

    if (-not (Test-TestSigningActive)) {
        throw 'Test signing is not active in the running system: run Enable-TestSigning.ps1 and reboot.'
    }
    $signature = Get-AuthenticodeSignature -FilePath $package.Sys
    if ($signature.Status -ne 'Valid') {
        throw "resmap.sys is not validly signed ($($signature.Status): $($signature.StatusMessage)). Run New-TestCertificate.ps1 and Set-DriverSignature.ps1."
    }

    # Idempotent: whatever an earlier run (of either method) left is removed first.
    & (Join-Path $PSScriptRoot 'Uninstall-Driver.ps1') -WhatIf:$WhatIfPreference | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw 'The earlier installation could not be removed (see the message above).'
    }

    if ($Method -eq 'Service') {
        $binary = Join-Path $env:SystemRoot "System32\drivers\$ResmapServiceName.sys"
        if ($PSCmdlet.ShouldProcess($ResmapServiceName, "create a kernel service for $binary")) {
            Copy-Item -LiteralPath $package.Sys -Destination $binary -Force
            Invoke-NativeCommand -FilePath 'sc.exe' -ArgumentList @('create', $ResmapServiceName, 'type=', 'kernel',
                'start=', 'demand', 'error=', 'normal', 'binPath=', $binary, 'DisplayName=', $ResmapServiceName) | Out-Null
            Write-Host "Service $ResmapServiceName created."
        }
    }
    elseif ($PSCmdlet.ShouldProcess($package.Inf, 'pnputil /add-driver /install')) {
        Invoke-NativeCommand -FilePath 'pnputil.exe' -Echo -ArgumentList @('/add-driver', $package.Inf, '/install') `
            -SuccessExitCodes @(0, 3010) | Out-Null
        if (-not (Get-ResmapDriverState)) {
            throw 'pnputil succeeded but created no resmap service: is this Windows 10 1903 or later?'
        }
        Write-Host "Installed $($package.Inf) through the driver store."
    }

    if (-not $NoStart -and $PSCmdlet.ShouldProcess($ResmapServiceName, 'start the driver')) {
        $start = Invoke-NativeCommand -FilePath 'sc.exe' -ArgumentList @('start', $ResmapServiceName) -IgnoreExitCode
        if ($start.ExitCode -ne 0) {
            $hint = if ($StartFailureHints.ContainsKey($start.ExitCode)) { $StartFailureHints[$start.ExitCode] } else { 'See the output above and the System event log.' }
            throw "sc.exe start $ResmapServiceName failed with $($start.ExitCode). $hint$([Environment]::NewLine)$($start.Output -join [Environment]::NewLine)"
        }
        if ((Get-ResmapDriverState) -ne 'Running') {
            throw "The driver started but is not running (state: $(Get-ResmapDriverState)); see the System event log."
        }
        Write-Host 'Driver running: \\.\ResMap is available to administrators.'
    }
    exit 0
}
catch {
    Write-Failure $_
    exit 1
}

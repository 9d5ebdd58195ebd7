<#
.SYNOPSIS
    Test-signs the built driver package: resmap.sys and its catalog resmap.cat, SHA-256.

.DESCRIPTION
    Uses the certificate made by New-TestCertificate.ps1 (in LocalMachine\My) and the WDK's tools:
      1. signtool sign resmap.sys (embedded signature: what sc.exe-installed drivers need);
      2. Inf2Cat writes resmap.cat for resmap.inf and resmap.sys (what pnputil needs);
      3. signtool sign resmap.cat;
      4. signtool verify both against this machine's trusted roots.
    No timestamp is added: test signatures are for this VM only, and the VM may be offline.
    Signing again replaces the previous signatures.

    Exit code 0 on success, 1 on failure.

.PARAMETER Configuration
    The configuration whose package to sign: Release (default) or Debug.

.EXAMPLE
    .\Set-DriverSignature.ps1

.EXAMPLE
    .\Set-DriverSignature.ps1 -Configuration Debug -WhatIf

.NOTES
    Run from an elevated PowerShell (the certificate's private key is in the machine store).
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ResmapWindows.psm1')

try {
    Assert-Administrator
    $package = Get-DriverPackage -Configuration $Configuration
    $certificate = Get-TestCertificate
    if (-not $certificate) {
        throw 'No test certificate in LocalMachine\My: run New-TestCertificate.ps1 first.'
    }
    $signtool = Find-WdkTool -Name 'signtool.exe'
    $inf2cat = Find-WdkTool -Name 'Inf2Cat.exe'
    $signArguments = @('sign', '/fd', 'SHA256', '/sm', '/s', 'My', '/sha1', $certificate.Thumbprint)

    if ($PSCmdlet.ShouldProcess($package.Directory, "sign resmap.sys and resmap.cat with $($certificate.Thumbprint)")) {
        Invoke-NativeCommand -FilePath $signtool -Echo -ArgumentList ($signArguments + $package.Sys) | Out-Null
        # /uselocaltime: the WDK stamps DriverVer with the local date, which UTC may not have reached.
        Invoke-NativeCommand -FilePath $inf2cat -Echo -ArgumentList @("/driver:$($package.Directory)",
            '/os:10_X64', '/uselocaltime') | Out-Null
        Invoke-NativeCommand -FilePath $signtool -Echo -ArgumentList ($signArguments + $package.Cat) | Out-Null

        Invoke-NativeCommand -FilePath $signtool -Echo -ArgumentList @('verify', '/pa', $package.Sys) | Out-Null
        Invoke-NativeCommand -FilePath $signtool -Echo -ArgumentList @('verify', '/pa', '/c', $package.Cat, $package.Inf) | Out-Null
        Write-Host "Signed: $($package.Directory)"
    }
    exit 0
}
catch {
    Write-Failure $_
    exit 1
}

<#
.SYNOPSIS
    Stops resmap.sys and removes it, however it was installed; does nothing if it is not there.

.DESCRIPTION
    Undoes Install-Driver.ps1, for either installation method:
      1. stops the resmap kernel service (sc.exe stop) and waits for it to unload; the unload waits
         until every handle to \\.\ResMap is closed, so close the Java tests first;
      2. removes the driver package from the driver store if pnputil installed it
         (pnputil /delete-driver oemNN.inf /uninstall);
      3. deletes the service (sc.exe delete) and System32\drivers\resmap.sys.
    Each step is skipped when there is nothing to undo, so running it twice is harmless.

    Exit code 0 when nothing of resmap is left installed, 1 on failure.

.PARAMETER TimeoutSeconds
    How long to wait for the driver to unload (default 30).

.EXAMPLE
    .\Uninstall-Driver.ps1

.EXAMPLE
    .\Uninstall-Driver.ps1 -WhatIf

.NOTES
    Run from an elevated PowerShell (5.1 or 7). Changes this machine's services and driver store.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [int] $TimeoutSeconds = 30
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ResmapWindows.psm1')

# sc.exe reports the Win32 error as its exit code.
$ErrorServiceNotActive = 1062
$ErrorServiceDoesNotExist = 1060
$ErrorServiceMarkedForDelete = 1072

try {
    Assert-Administrator

    $state = Get-ResmapDriverState
    if ($state -and $state -ne 'Stopped' -and $PSCmdlet.ShouldProcess($ResmapServiceName, 'stop the driver')) {
        Invoke-NativeCommand -FilePath 'sc.exe' -ArgumentList @('stop', $ResmapServiceName) `
            -SuccessExitCodes @(0, $ErrorServiceNotActive) | Out-Null
        $deadline = (Get-Date).AddSeconds($TimeoutSeconds)
        while ((Get-ResmapDriverState) -ne 'Stopped') {
            if ((Get-Date) -gt $deadline) {
                throw "resmap did not unload within $TimeoutSeconds s: a process still has \\.\ResMap open. Close it (or reboot) and run this again."
            }
            Start-Sleep -Milliseconds 500
        }
        Write-Host 'Driver stopped.'
    }

    # pnputil publishes an installed INF as %SystemRoot%\INF\oemNN.inf; ours names resmap.cat.
    $published = @(Select-String -Path (Join-Path $env:SystemRoot 'INF\oem*.inf') -List `
        -Pattern '^\s*CatalogFile\s*=\s*resmap\.cat\s*(;.*)?$' | ForEach-Object { $_.Filename })
    foreach ($inf in $published) {
        if ($PSCmdlet.ShouldProcess($inf, 'pnputil /delete-driver /uninstall')) {
            Invoke-NativeCommand -FilePath 'pnputil.exe' -ArgumentList @('/delete-driver', $inf, '/uninstall', '/force') `
                -SuccessExitCodes @(0, 3010) | Out-Null
            Write-Host "Removed $inf from the driver store."
        }
    }

    if ((Get-ResmapDriverState) -and $PSCmdlet.ShouldProcess($ResmapServiceName, 'delete the service')) {
        Invoke-NativeCommand -FilePath 'sc.exe' -ArgumentList @('delete', $ResmapServiceName) `
            -SuccessExitCodes @(0, $ErrorServiceDoesNotExist, $ErrorServiceMarkedForDelete) | Out-Null
        Write-Host 'Service deleted.'
    }

    $binary = Join-Path $env:SystemRoot "System32\drivers\$ResmapServiceName.sys"
    if ((Test-Path -LiteralPath $binary) -and $PSCmdlet.ShouldProcess($binary, 'delete')) {
        Remove-Item -LiteralPath $binary -Force
        Write-Host "Deleted $binary."
    }
    exit 0
}
catch {
    Write-Failure $_
    exit 1
}

<#
.SYNOPSIS
    Does everything on a fresh test VM, in order: test signing, build, certificate, signing,
    Driver Verifier, install, the live-kernel tests, uninstall.

.DESCRIPTION
    Runs the other scripts of this folder:
      1. Enable-TestSigning.ps1      (fails at once if Secure Boot is on)
      2. Build-Driver.ps1            (-Configuration, -WdkSource; skipped with -SkipBuild)
      3. New-TestCertificate.ps1     (once; later runs reuse the certificate)
      4. Set-DriverSignature.ps1
      5. Enable-DriverVerifier.ps1   (skipped with -NoVerifier)
      -- reboot point: if test signing or the verifier settings are not yet in force, the script
         stops here with exit code 3010 and says so. Reboot (or give -Restart to reboot at once),
         then run the very same command again: steps 1-5 find their work done and skip it, and
         the run goes on from step 6.
      6. Install-Driver.ps1          (-Method; removes any earlier installation first)
      7. Invoke-KernelTests.ps1      (the Java suite and resmap selftest, into results\)
      8. Uninstall-Driver.ps1        (skipped with -KeepInstalled)
    Each script can also be run on its own; docs/windows-vm.md describes them.

    With -WhatIf, steps 1, 3 and 5 say what they would change and the other steps are only named.

    Exit codes: 0 when every step passed; 3010 at the reboot point; 1 when a step failed (its
    message is above, and the driver is uninstalled again if step 6 had got to install it).

.PARAMETER Configuration
    The driver configuration to build and test: Release (default) or Debug.

.PARAMETER WdkSource
    Where the WDK comes from: Auto (default), Installed or NuGet (see Build-Driver.ps1).

.PARAMETER Method
    How to install the driver: Service (sc.exe create, the default) or Inf (pnputil).

.PARAMETER NoVerifier
    Leaves Driver Verifier alone (it is on by default).

.PARAMETER LowResourceSimulation
    Passed to Enable-DriverVerifier.ps1: injects resource failures, so expect failed tests.

.PARAMETER SkipMaven
    Passed to Invoke-KernelTests.ps1: only run resmap selftest (needs resmap-cli\target\resmap.jar).

.PARAMETER SkipBuild
    Uses the driver package already built, e.g. copied from another machine.

.PARAMETER KeepInstalled
    Leaves the driver installed and running after the tests.

.PARAMETER Restart
    Reboots by itself at the reboot point, after asking (add -Confirm:$false not to be asked).

.EXAMPLE
    .\Invoke-VmTestRun.ps1
    First run on a fresh VM: stops at the reboot point. After the reboot, the same command again.

.EXAMPLE
    .\Invoke-VmTestRun.ps1 -WhatIf
    Shows what would change on this machine, changes nothing.

.NOTES
    Run from an elevated PowerShell (5.1 or 7) in the repository's clone on the VM. See
    docs/windows-vm.md for setting up the VM first.
#>
[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [ValidateSet('Auto', 'Installed', 'NuGet')]
    [string] $WdkSource = 'Auto',

    [ValidateSet('Service', 'Inf')]
    [string] $Method = 'Service',

    [switch] $NoVerifier,

    [switch] $LowResourceSimulation,

    [switch] $SkipMaven,

    [switch] $SkipBuild,

    [switch] $KeepInstalled,

    [switch] $Restart
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ResmapWindows.psm1')

function Invoke-ResmapScript {
    # Runs a script of this folder and returns its exit code; throws unless it is one of
    # SuccessExitCodes. Defined here, not in the module, so that the scripts run in this script's
    # session state rather than the module's.
    param(
        [Parameter(Mandatory)] [string] $Name,
        [hashtable] $Parameters = @{},
        [int[]] $SuccessExitCodes = @(0)
    )
    $global:LASTEXITCODE = 0
    # Out-Host: the script's output is shown, and only the exit code is returned.
    & (Join-Path $PSScriptRoot $Name) @Parameters | Out-Host
    $exitCode = $LASTEXITCODE
    if ($SuccessExitCodes -notcontains $exitCode) {
        throw "$Name failed (exit code $exitCode); its message is above."
    }
    $exitCode
}

function Write-Step {
    param([string] $Text)
    Write-Host ''
    Write-Host "==== $Text"
}

$installed = $false
try {
    Assert-Administrator
    # With -WhatIf, the steps that change the machine say what they would do; the others, which
    # need the earlier steps' results (a build, a certificate, a reboot), are only named.
    $whatIf = @{ WhatIf = [bool]$WhatIfPreference }
    $rebootNeeded = $false

    Write-Step '1/8 test signing'
    $code = Invoke-ResmapScript -Name 'Enable-TestSigning.ps1' -Parameters $whatIf -SuccessExitCodes @(0, $ResmapRebootRequired)
    $rebootNeeded = $rebootNeeded -or ($code -eq $ResmapRebootRequired)

    Write-Step '2/8 build'
    if ($SkipBuild) {
        Write-Host 'Skipped (-SkipBuild).'
    }
    elseif ($WhatIfPreference) {
        Write-Host "What if: Build-Driver.ps1 -Configuration $Configuration -WdkSource $WdkSource"
    }
    else {
        Invoke-ResmapScript -Name 'Build-Driver.ps1' -Parameters @{ Configuration = @($Configuration); WdkSource = $WdkSource } | Out-Null
    }

    Write-Step '3/8 test certificate'
    Invoke-ResmapScript -Name 'New-TestCertificate.ps1' -Parameters $whatIf | Out-Null

    Write-Step '4/8 signing'
    if ($WhatIfPreference) {
        Write-Host "What if: Set-DriverSignature.ps1 -Configuration $Configuration"
    }
    else {
        Invoke-ResmapScript -Name 'Set-DriverSignature.ps1' -Parameters @{ Configuration = $Configuration } | Out-Null
    }

    Write-Step '5/8 Driver Verifier'
    if ($NoVerifier) {
        Write-Host 'Left as it is (-NoVerifier).'
    }
    else {
        $verifier = @{ LowResourceSimulation = [bool]$LowResourceSimulation } + $whatIf
        $code = Invoke-ResmapScript -Name 'Enable-DriverVerifier.ps1' -Parameters $verifier -SuccessExitCodes @(0, $ResmapRebootRequired)
        $rebootNeeded = $rebootNeeded -or ($code -eq $ResmapRebootRequired)
    }

    if ($WhatIfPreference) {
        Write-Step '6/8 - 8/8'
        Write-Host "What if: Install-Driver.ps1 -Method $Method -Configuration $Configuration (after a reboot if steps 1 or 5 change anything),"
        Write-Host '         Invoke-KernelTests.ps1, then Uninstall-Driver.ps1.'
        exit 0
    }

    if ($rebootNeeded) {
        Write-Step 'reboot point'
        Write-Host 'Test signing and/or Driver Verifier take effect only after a reboot.'
        Write-Host 'After the reboot, open an elevated PowerShell here again and run the same command:'
        Write-Host "    $($MyInvocation.Line)"
        Write-Host 'Steps 1-5 will find their work done, and the run continues with the installation.'
        if ($Restart -and $PSCmdlet.ShouldProcess($env:COMPUTERNAME, 'restart the computer')) {
            Restart-Computer -Force
        }
        exit $ResmapRebootRequired
    }

    Write-Step '6/8 install and start'
    $installed = $true
    Invoke-ResmapScript -Name 'Install-Driver.ps1' -Parameters @{ Method = $Method; Configuration = $Configuration } | Out-Null

    Write-Step '7/8 live-kernel tests'
    $tests = @{ SkipMaven = [bool]$SkipMaven }
    $testsPassed = (Invoke-ResmapScript -Name 'Invoke-KernelTests.ps1' -Parameters $tests -SuccessExitCodes @(0, 1)) -eq 0

    Write-Step '8/8 uninstall'
    if ($KeepInstalled) {
        Write-Host 'Left installed (-KeepInstalled); Uninstall-Driver.ps1 removes it.'
    }
    else {
        Invoke-ResmapScript -Name 'Uninstall-Driver.ps1' | Out-Null
        $installed = $false
    }

    if (-not $testsPassed) {
        throw 'The live-kernel tests did not pass: see the messages above and summary.txt in the results folder.'
    }
    Write-Host ''
    Write-Host 'All steps passed.'
    exit 0
}
catch {
    Write-Failure $_
    if ($installed -and -not $KeepInstalled) {
        Write-Host 'Uninstalling the driver after the failure ...'
        & (Join-Path $PSScriptRoot 'Uninstall-Driver.ps1') | Out-Host
    }
    exit 1
}

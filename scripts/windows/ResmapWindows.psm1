<#
.SYNOPSIS
    Helpers shared by the resmap Windows scripts (scripts\windows\*.ps1).

.DESCRIPTION
    Finding the repository, the WDK tools and the built driver package; running native programs
    with their exit codes checked; reading what the running Windows has in force (test signing,
    Secure Boot, BitLocker, memory integrity, Driver Verifier, the build). Works in Windows PowerShell 5.1 and
    PowerShell 7. Imported by every script in this folder; not meant to be used on its own.
#>
Set-StrictMode -Version Latest

# The names every script agrees on: the service (and driver file resmap.sys) and the test certificate.
$ResmapServiceName = 'resmap'
$ResmapCertificateSubject = 'CN=resmap test signing (test machines only)'

# Exit code of a script that did its job but whose change needs a reboot to take effect
# (ERROR_SUCCESS_REBOOT_REQUIRED, the code Windows installers use for the same thing).
$ResmapRebootRequired = 3010

# Where Driver Verifier keeps the settings it applies at the next boot.
$VerifierSettingsKey = 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager\Memory Management'

function Get-ResmapRoot {
    <#
    .SYNOPSIS
        The repository's root folder (two levels above this module).
    #>
    (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '..\..')).Path
}

function Write-Failure {
    <#
    .SYNOPSIS
        Reports a script's failure on the error stream, in one readable block.
    #>
    param([Parameter(Mandatory)] [System.Management.Automation.ErrorRecord] $ErrorRecord)
    $Host.UI.WriteErrorLine("FAILED: $($ErrorRecord.Exception.Message)")
    if ($ErrorRecord.InvocationInfo -and $ErrorRecord.InvocationInfo.PositionMessage) {
        $Host.UI.WriteErrorLine($ErrorRecord.InvocationInfo.PositionMessage)
    }
}

function Write-TextFile {
    <#
    .SYNOPSIS
        Writes lines to a file as UTF-8 without a byte-order mark, the same in PowerShell 5.1 and 7;
        an empty list gives an empty file. Path must be absolute.
    #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [AllowNull()] [AllowEmptyCollection()] [string[]] $Lines = @()
    )
    [System.IO.File]::WriteAllLines($Path, [string[]]@($Lines | Where-Object { $null -ne $_ }), (New-Object System.Text.UTF8Encoding($false)))
}

function Assert-Administrator {
    <#
    .SYNOPSIS
        Throws unless the session is elevated: every script that changes the machine needs it.
    #>
    $principal = New-Object Security.Principal.WindowsPrincipal ([Security.Principal.WindowsIdentity]::GetCurrent())
    if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
        throw 'This script changes the machine: run it from an elevated PowerShell (Run as administrator).'
    }
}

function Invoke-NativeCommand {
    <#
    .SYNOPSIS
        Runs a program and returns its exit code, all its output lines (Output) and its standard
        output alone (StdOut); throws if the exit code is not one of SuccessExitCodes (unless
        IgnoreExitCode). Echo shows the output as it comes; LogPath also saves all of it.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [int[]] $SuccessExitCodes = @(0),
        [switch] $IgnoreExitCode,
        [switch] $Echo,
        [string] $LogPath
    )
    if (-not (Get-Command -Name $FilePath -ErrorAction SilentlyContinue)) {
        throw "$FilePath was not found. Is it installed, and on PATH?"
    }
    # Windows PowerShell turns each line a program writes to stderr into an error record, which
    # 'Stop' would make fatal; the exit code is what decides here. PowerShell 7.3 and later can also
    # throw on a non-zero exit code by themselves: switched off here for the same reason.
    $ErrorActionPreference = 'Continue'
    $PSNativeCommandUseErrorActionPreference = $false
    $lines = New-Object System.Collections.Generic.List[string]
    $stdout = New-Object System.Collections.Generic.List[string]
    & $FilePath @ArgumentList 2>&1 | ForEach-Object {
        $line = "$_"
        $lines.Add($line)
        if ($_ -isnot [System.Management.Automation.ErrorRecord]) {
            $stdout.Add($line)
        }
        if ($Echo) {
            Write-Host $line
        }
    }
    $exitCode = $LASTEXITCODE
    if ($LogPath) {
        Write-TextFile -Path $LogPath -Lines $lines.ToArray()
    }
    if (-not $IgnoreExitCode -and $SuccessExitCodes -notcontains $exitCode) {
        $tail = ($lines | Select-Object -Last 30) -join [Environment]::NewLine
        throw "'$FilePath $($ArgumentList -join ' ')' exited with $exitCode.$([Environment]::NewLine)$tail"
    }
    [pscustomobject]@{ ExitCode = $exitCode; Output = $lines.ToArray(); StdOut = $stdout.ToArray() }
}

function Find-WdkTool {
    <#
    .SYNOPSIS
        The full path of a WDK or SDK program (signtool.exe, Inf2Cat.exe, InfVerif.exe): from PATH,
        the restored WDK NuGet packages, or an installed Windows Kit, newest version first.
    #>
    param([Parameter(Mandatory)] [string] $Name)
    $onPath = Get-Command -Name $Name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($onPath) {
        return $onPath.Path
    }
    $roots = @((Join-Path (Get-ResmapRoot) 'native-driver\packages'))
    if (${env:ProgramFiles(x86)}) {
        # signtool and Inf2Cat live under bin\<version>, InfVerif under Tools\<version>.
        $roots += Join-Path ${env:ProgramFiles(x86)} 'Windows Kits\10\bin'
        $roots += Join-Path ${env:ProgramFiles(x86)} 'Windows Kits\10\Tools'
    }
    $found = foreach ($root in $roots) {
        if (Test-Path -LiteralPath $root) {
            Get-ChildItem -LiteralPath $root -Recurse -File -Filter $Name -ErrorAction SilentlyContinue |
                Where-Object { $_.DirectoryName -match '\\(x64|x86)$' }
        }
    }
    # x64 builds first (Inf2Cat exists only as x86), then the highest version folder.
    $best = $found | Sort-Object -Property @{ Expression = { $_.DirectoryName -match '\\x64$' }; Descending = $true },
        @{ Expression = { $_.FullName }; Descending = $true } | Select-Object -First 1
    if (-not $best) {
        throw "$Name was not found on PATH, in native-driver\packages or in an installed Windows Kit. Install the WDK, or run Build-Driver.ps1 -WdkSource NuGet to restore it."
    }
    $best.FullName
}

function Get-DriverPackage {
    <#
    .SYNOPSIS
        The built driver package of a configuration: the folder holding resmap.sys beside resmap.inf
        (the WDK's package folder if there is one), with the paths of its files.
    #>
    param([ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release')
    $output = Join-Path (Get-ResmapRoot) "native-driver\build\x64\$Configuration"
    $candidates = @(Get-ChildItem -LiteralPath $output -Recurse -File -Filter 'resmap.sys' -ErrorAction SilentlyContinue |
        Where-Object { Test-Path -LiteralPath (Join-Path $_.DirectoryName 'resmap.inf') } |
        Sort-Object -Property @{ Expression = { $_.Directory.Name -eq 'resmap' }; Descending = $true })
    if ($candidates.Count -eq 0) {
        throw "No built driver package (resmap.sys beside resmap.inf) under $output. Run Build-Driver.ps1 -Configuration $Configuration first."
    }
    $directory = $candidates[0].DirectoryName
    [pscustomobject]@{
        Directory = $directory
        Sys       = Join-Path $directory 'resmap.sys'
        Inf       = Join-Path $directory 'resmap.inf'
        Cat       = Join-Path $directory 'resmap.cat'
    }
}

function Get-TestCertificate {
    <#
    .SYNOPSIS
        The project's test-signing certificate in LocalMachine\My, if one is there and still valid.
    #>
    Get-ChildItem -Path Cert:\LocalMachine\My |
        Where-Object { $_.Subject -eq $ResmapCertificateSubject -and $_.HasPrivateKey -and $_.NotAfter -gt (Get-Date).AddDays(1) } |
        Sort-Object -Property NotAfter -Descending | Select-Object -First 1
}

function Test-TestSigningActive {
    <#
    .SYNOPSIS
        True if the running Windows was booted with test signing (not merely configured for the next boot).
    #>
    $options = (Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control' -Name SystemStartOptions).SystemStartOptions
    [bool]($options -match '\bTESTSIGNING\b')
}

function Test-SecureBootEnabled {
    <#
    .SYNOPSIS
        True if UEFI Secure Boot is on (then Windows refuses test signing).
    #>
    $state = Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\SecureBoot\State' -Name UEFISecureBootEnabled -ErrorAction SilentlyContinue
    [bool]($state -and $state.UEFISecureBootEnabled -eq 1)
}

function Test-SystemDriveEncrypted {
    <#
    .SYNOPSIS
        True if BitLocker (or device encryption) protects the system drive, so that a change to Secure
        Boot or the boot configuration can trigger a BitLocker recovery prompt at the next boot.
    #>
    $volume = Get-CimInstance -Namespace 'root\CIMV2\Security\MicrosoftVolumeEncryption' -ClassName Win32_EncryptableVolume `
        -Filter "DriveLetter='$($env:SystemDrive)'" -ErrorAction SilentlyContinue
    # ProtectionStatus 1: protection on.
    [bool]($volume -and $volume.ProtectionStatus -eq 1)
}

function Test-MemoryIntegrityRunning {
    <#
    .SYNOPSIS
        True if memory integrity (hypervisor-protected code integrity, HVCI) is running now, or,
        where Device Guard cannot be queried, configured on.
    #>
    $deviceGuard = Get-CimInstance -Namespace 'root\Microsoft\Windows\DeviceGuard' -ClassName Win32_DeviceGuard -ErrorAction SilentlyContinue
    if ($deviceGuard) {
        # 2 in SecurityServicesRunning is hypervisor-enforced code integrity.
        return [bool](@($deviceGuard.SecurityServicesRunning) -contains 2)
    }
    $hvci = Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\DeviceGuard\Scenarios\HypervisorEnforcedCodeIntegrity' -Name Enabled -ErrorAction SilentlyContinue
    [bool]($hvci -and $hvci.Enabled -eq 1)
}

function Get-WindowsBuild {
    <#
    .SYNOPSIS
        The running Windows: product name, display version, build and revision (UBR), edition, and a
        name for a results folder such as Windows-11-Pro-22631.4460.
    #>
    $version = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
    # Windows 11 still says "Windows 10" in the registry's ProductName; the WMI caption is right.
    $caption = (Get-CimInstance -ClassName Win32_OperatingSystem).Caption
    $product = if ($caption) { $caption -replace '^Microsoft\s+', '' } else { $version.ProductName }
    $ubr = if ($version.PSObject.Properties['UBR']) { $version.UBR } else { 0 }
    $display = if ($version.PSObject.Properties['DisplayVersion']) { $version.DisplayVersion }
               elseif ($version.PSObject.Properties['ReleaseId']) { $version.ReleaseId }
               else { '' }
    $build = '{0}.{1}' -f $version.CurrentBuild, $ubr
    [pscustomobject]@{
        ProductName    = $product
        DisplayVersion = $display
        EditionId      = $version.EditionID
        Build          = $build
        FolderName     = ('{0}-{1}' -f (($product -replace '[^A-Za-z0-9.]+', '-').Trim('-')), $build)
    }
}

function Get-ResmapDriverState {
    <#
    .SYNOPSIS
        The resmap kernel service's state ('Running', 'Stopped', ...), or $null if it is not installed.
    #>
    $driver = Get-CimInstance -ClassName Win32_SystemDriver -Filter "Name='$ResmapServiceName'"
    if ($driver) {
        $driver.State
    }
}

function Get-VerifierDriverList {
    <#
    .SYNOPSIS
        The drivers Driver Verifier is set to verify from the next boot on (lower case), from the
        registry value verifier.exe writes; empty if none.
    #>
    $settings = Get-ItemProperty -LiteralPath $VerifierSettingsKey -Name VerifyDrivers -ErrorAction SilentlyContinue
    if (-not $settings -or -not $settings.VerifyDrivers) {
        return @()
    }
    @("$($settings.VerifyDrivers)".ToLowerInvariant() -split '\s+' | Where-Object { $_ })
}

$exportedFunctions = @(
    'Get-ResmapRoot', 'Write-Failure', 'Write-TextFile', 'Assert-Administrator', 'Invoke-NativeCommand',
    'Find-WdkTool', 'Get-DriverPackage', 'Get-TestCertificate', 'Test-TestSigningActive', 'Test-SecureBootEnabled',
    'Test-SystemDriveEncrypted', 'Test-MemoryIntegrityRunning', 'Get-WindowsBuild', 'Get-ResmapDriverState', 'Get-VerifierDriverList'
)
Export-ModuleMember -Function $exportedFunctions -Variable 'ResmapServiceName', 'ResmapCertificateSubject', 'ResmapRebootRequired'

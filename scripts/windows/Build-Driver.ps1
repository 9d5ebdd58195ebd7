<#
.SYNOPSIS
    Builds resmap.sys (x64, Release and/or Debug) with MSBuild and the WDK.

.DESCRIPTION
    Builds native-driver\resmap.vcxproj: the driver core and the KMDF layer (KMDF 1.15), with /W4 and
    warnings as errors, the INF stamped by the WDK build, and the driver package in
    native-driver\build\x64\<Configuration>\. Then runs InfVerif /v /w on the package's INF (as the
    GitHub workflow does). The package is not signed: Set-DriverSignature.ps1 does that.

    The WDK comes from one of:
      Installed  Visual Studio 2022 with the "Desktop development with C++" workload, the MSVC
                 Spectre-mitigated libraries, and the WDK with its Visual Studio extension.
      NuGet      the WDK and SDK NuGet packages pinned in native-driver\packages.config (one version),
                 restored into native-driver\packages with nuget.exe; Visual Studio 2022 (or its Build
                 Tools) with the C++ workload and Spectre-mitigated libraries is still needed.
      Auto       NuGet if the pinned packages are already restored or nuget.exe is on PATH;
                 otherwise Installed if a Windows Kit with the kernel-mode headers (km\ntddk.h) is
                 installed and Visual Studio has the WDK's toolset. The toolset alone says nothing:
                 Microsoft's NuGet WDK instructions also install the "Windows Driver Kit" Visual
                 Studio component, which brings the same toolset without any installed kit.

    Exit code 0 when every requested configuration built and InfVerif passed, 1 otherwise.

.PARAMETER Configuration
    Release, Debug, or both (the default).

.PARAMETER WdkSource
    Auto (default), Installed or NuGet; see the description.

.PARAMETER CodeAnalysis
    Also runs Code Analysis (/analyze with the WDK's driver rules); its warnings fail the build.

.EXAMPLE
    .\Build-Driver.ps1 -Configuration Release

.EXAMPLE
    .\Build-Driver.ps1 -WdkSource NuGet -CodeAnalysis
    Restores the pinned WDK packages and builds both configurations with Code Analysis.

.NOTES
    Needs no elevation. Writes only under native-driver\build and native-driver\packages.
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string[]] $Configuration = @('Release', 'Debug'),

    [ValidateSet('Auto', 'Installed', 'NuGet')]
    [string] $WdkSource = 'Auto',

    [switch] $CodeAnalysis
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ResmapWindows.psm1')

function Find-VisualStudio {
    # vswhere.exe is installed with every Visual Studio 2017 and later, in a fixed place.
    $vswhere = Join-Path ${env:ProgramFiles(x86)} 'Microsoft Visual Studio\Installer\vswhere.exe'
    if (-not (Test-Path -LiteralPath $vswhere)) {
        throw 'Visual Studio 2022 (or its Build Tools) is not installed; see docs/driver-build.md.'
    }
    $result = Invoke-NativeCommand -FilePath $vswhere -ArgumentList @('-latest', '-products', '*',
        '-requires', 'Microsoft.Component.MSBuild', '-property', 'installationPath')
    $path = $result.Output | Where-Object { $_ } | Select-Object -First 1
    if (-not $path) {
        throw 'No Visual Studio installation with MSBuild was found; see docs/driver-build.md.'
    }
    $path
}

function Select-WdkSource {
    # What -WdkSource Auto means; see the description.
    param([string] $Root, [bool] $HasToolset)
    $restored = Get-ChildItem -LiteralPath (Join-Path $Root 'native-driver\packages') -Directory `
        -Filter 'Microsoft.Windows.WDK.x64.*' -ErrorAction SilentlyContinue
    if ($restored -or (Get-Command -Name 'nuget.exe' -CommandType Application -ErrorAction SilentlyContinue)) {
        return 'NuGet'
    }
    $kitHeaders = $null
    if (${env:ProgramFiles(x86)}) {
        $kitHeaders = Get-ChildItem -Path (Join-Path ${env:ProgramFiles(x86)} 'Windows Kits\10\Include\*\km\ntddk.h') `
            -ErrorAction SilentlyContinue | Select-Object -First 1
    }
    if ($kitHeaders -and $HasToolset) {
        return 'Installed'
    }
    throw 'No WDK found: neither nuget.exe (for the pinned NuGet WDK: winget install Microsoft.NuGet) nor an installed WDK (Windows Kits\10\Include\<version>\km) with its Visual Studio toolset. See docs/driver-build.md.'
}

try {
    $root = Get-ResmapRoot
    $project = Join-Path $root 'native-driver\resmap.vcxproj'
    $visualStudio = Find-VisualStudio
    $msbuild = Join-Path $visualStudio 'MSBuild\Current\Bin\MSBuild.exe'
    if (-not (Test-Path -LiteralPath $msbuild)) {
        throw "MSBuild.exe is not where Visual Studio keeps it: $msbuild"
    }

    # The WDK's Visual Studio extension adds this platform toolset; the NuGet packages bring their own.
    $wdkToolset = Get-ChildItem -LiteralPath (Join-Path $visualStudio 'MSBuild\Microsoft\VC') -Recurse -Directory `
        -Filter 'WindowsKernelModeDriver10.0' -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($WdkSource -eq 'Auto') {
        $WdkSource = Select-WdkSource -Root $root -HasToolset ([bool]$wdkToolset)
        Write-Host "WDK source: $WdkSource"
    }

    $properties = @('/p:Platform=x64')
    if ($WdkSource -eq 'NuGet') {
        $nuget = Get-Command -Name 'nuget.exe' -CommandType Application -ErrorAction SilentlyContinue
        if (-not $nuget) {
            throw 'nuget.exe is not on PATH. Install it (winget install Microsoft.NuGet) or use -WdkSource Installed.'
        }
        $driverDir = Join-Path $root 'native-driver'
        Invoke-NativeCommand -FilePath $nuget.Path -Echo -ArgumentList @('restore',
            (Join-Path $driverDir 'packages.config'), '-PackagesDirectory', (Join-Path $driverDir 'packages')) | Out-Null
    }
    else {
        if (-not $wdkToolset) {
            throw 'The WDK is not installed in Visual Studio (no WindowsKernelModeDriver10.0 toolset). Install it, or use -WdkSource NuGet.'
        }
        $properties += '/p:ResmapUseNuGetWdk=false'
    }
    if ($CodeAnalysis) {
        $properties += '/p:RunCodeAnalysis=true'
    }

    foreach ($config in $Configuration) {
        Write-Host "Building resmap.sys, $config|x64 ..."
        Invoke-NativeCommand -FilePath $msbuild -Echo -ArgumentList (@($project, '/nologo', '/m', '/t:Rebuild',
            "/p:Configuration=$config") + $properties) | Out-Null
        $package = Get-DriverPackage -Configuration $config
        Write-Host "Built $config driver package: $($package.Directory)"
        # /w: the rules for a Windows Driver (driver package isolation), which a primitive driver
        # installed into the driver store should meet.
        Invoke-NativeCommand -FilePath (Find-WdkTool -Name 'infverif.exe') -Echo -ArgumentList @('/v', '/w', $package.Inf) | Out-Null
        Write-Host "InfVerif: no errors in $($package.Inf)."
    }
    exit 0
}
catch {
    Write-Failure $_
    exit 1
}

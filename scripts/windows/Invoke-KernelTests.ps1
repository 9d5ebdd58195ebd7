<#
.SYNOPSIS
    Runs the Java test suite and the contract catalogue (resmap selftest) against the running
    resmap.sys, and collects everything into one results folder named after this Windows build.

.DESCRIPTION
    Needs the driver installed and running (Install-Driver.ps1). Then:
      1. creates results\<ProductName>-<CurrentBuild>.<UBR>-<yyyyMMdd-HHmmss>\, for example
         results\Windows-11-Pro-22631.4460-20261124-183000\ (results\ ignores itself in git);
      2. writes machine.txt (Windows build and edition, test signing, Secure Boot, memory integrity,
         the driver's state and SHA-256, Java and git versions) and verifier-query.txt
         (verifier /query: what Driver Verifier is doing right now);
      3. runs the Java modules' tests on the kernel back end:
             mvnw.cmd -B verify -Dresmap.backend=kernel -Dmaven.test.failure.ignore=true
         keeping the log (maven.log) and the Surefire JUnit XML (junit\TEST-*.xml). A failed test
         must not stop the build before it packages resmap.jar, which step 4 needs, so Maven is
         told to carry on; the step fails if any report counts a failure or an error (or Maven
         itself failed). The old resmap.jar is deleted first, so a stale one never runs;
      4. runs java -jar resmap-cli\target\resmap.jar --backend kernel info, then
             ... --backend kernel selftest --junit-xml junit
         keeping the table (selftest.txt), the progress lines (selftest.log), the catalogue's
         JUnit XML, which selftest writes into the junit folder, and record.json (--record): every
         request, reply, status and outcome with the Windows build, for resmap replay on Linux;
      5. runs ... --backend kernel bench --json --chart bench.svg: the in-driver bench, reserved
         against ordinary map + unmap for 1, 16, 256 and 4,096 pages, timed inside resmap.sys,
         keeping bench.json and bench.svg (the figures that answer what the reserved mapping saves);
      6. writes summary.txt: one line per step and its exit code.
    Every step runs even if an earlier one failed, so one run shows everything.

    About step 3: the simulator is a Linux-only library, and the Maven build leaves it out on
    Windows (a profile of the root pom.xml builds it, and the benchmarks, only on Linux). Here the
    build from the repository root is the Java modules alone, with no simulator on its class path.
    The test classes that exist only to exercise the simulator are left out on Windows; they run
    on Linux CI. The rest run against the driver.

    Exit code 0 when every step that ran passed, 1 otherwise.

.PARAMETER ResultsRoot
    Where the run's folder is created (default: results\ at the repository root).

.PARAMETER SkipMaven
    Skips step 3 (then resmap-cli\target\resmap.jar must already exist, e.g. copied from a Linux build).

.PARAMETER SkipSelftest
    Skips steps 4 and 5.

.EXAMPLE
    .\Invoke-KernelTests.ps1
    Runs everything: the Java tests on the kernel back end, then the catalogue.

.EXAMPLE
    .\Invoke-KernelTests.ps1 -SkipMaven
    Only the catalogue, with a resmap.jar built elsewhere.

.NOTES
    Run from an elevated PowerShell (5.1 or 7): \\.\ResMap opens only for SYSTEM and administrators.
    Needs JDK 17 (java on PATH or JAVA_HOME) and, for step 3, Internet access for Maven.
#>
[CmdletBinding()]
param(
    [string] $ResultsRoot,

    [switch] $SkipMaven,

    [switch] $SkipSelftest
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ResmapWindows.psm1')

function Find-Java {
    $fromHome = if ($env:JAVA_HOME) { Join-Path $env:JAVA_HOME 'bin\java.exe' } else { $null }
    if ($fromHome -and (Test-Path -LiteralPath $fromHome)) {
        return $fromHome
    }
    $onPath = Get-Command -Name 'java.exe' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $onPath) {
        throw 'java.exe was not found: install JDK 17 and set JAVA_HOME (see docs/windows-vm.md).'
    }
    $onPath.Path
}

try {
    Assert-Administrator
    $root = Get-ResmapRoot
    if (-not $ResultsRoot) {
        $ResultsRoot = Join-Path $root 'results'
    }
    $state = Get-ResmapDriverState
    if ($state -ne 'Running') {
        throw "The resmap driver is not running (state: $(if ($state) { $state } else { 'not installed' })). Run Install-Driver.ps1 first."
    }

    $build = Get-WindowsBuild
    $newResultsRoot = -not (Test-Path -LiteralPath $ResultsRoot)
    if ($newResultsRoot) {
        New-Item -ItemType Directory -Path $ResultsRoot | Out-Null
    }
    # .NET file calls resolve relative paths against the process's folder, not PowerShell's.
    $ResultsRoot = (Resolve-Path -LiteralPath $ResultsRoot).Path
    if ($newResultsRoot) {
        # Results are for sharing as zip files, not for committing.
        Write-TextFile -Path (Join-Path $ResultsRoot '.gitignore') -Lines '*'
    }
    $results = Join-Path $ResultsRoot ('{0}-{1}' -f $build.FolderName, (Get-Date -Format 'yyyyMMdd-HHmmss'))
    $junit = Join-Path $results 'junit'
    New-Item -ItemType Directory -Path $junit -Force | Out-Null
    Write-Host "Results: $results"

    $java = Find-Java
    $javaVersion = (Invoke-NativeCommand -FilePath $java -ArgumentList @('-version') -IgnoreExitCode).Output -join '; '
    $commit = 'unknown'
    if (Get-Command -Name 'git.exe' -ErrorAction SilentlyContinue) {
        $git = Invoke-NativeCommand -FilePath 'git.exe' -ArgumentList @('-C', $root, 'rev-parse', 'HEAD') -IgnoreExitCode
        if ($git.ExitCode -eq 0) {
            $commit = $git.StdOut -join ''
        }
    }
    $binary = (Get-CimInstance -ClassName Win32_SystemDriver -Filter "Name='$ResmapServiceName'").PathName
    $binaryHash = 'unknown'
    if ($binary) {
        $binary = $binary -replace '^\\\?\?\\', '' -replace '^\\SystemRoot', $env:SystemRoot
        if (Test-Path -LiteralPath $binary) {
            $binaryHash = (Get-FileHash -LiteralPath $binary -Algorithm SHA256).Hash
        }
    }
    Write-TextFile -Path (Join-Path $results 'machine.txt') -Lines @(
        "windows:           $($build.ProductName) $($build.DisplayVersion) (edition $($build.EditionId))",
        "build:             $($build.Build)",
        "test signing:      $(Test-TestSigningActive)",
        "secure boot:       $(Test-SecureBootEnabled)",
        "memory integrity:  $(Test-MemoryIntegrityRunning)",
        "verifier list:     $(@(Get-VerifierDriverList) -join ' ')",
        "driver:            $binary ($state)",
        "driver sha256:     $binaryHash",
        "java:              $javaVersion",
        "git commit:        $commit",
        "started:           $((Get-Date).ToUniversalTime().ToString('u'))"
    )
    Invoke-NativeCommand -FilePath 'verifier.exe' -ArgumentList @('/query') -IgnoreExitCode `
        -LogPath (Join-Path $results 'verifier-query.txt') | Out-Null

    $steps = New-Object System.Collections.Generic.List[object]

    $jar = Join-Path $root 'resmap-cli\target\resmap.jar'
    if (-not $SkipMaven) {
        $mvnw = Join-Path $root 'mvnw.cmd'
        Write-Host 'Running the Java tests on the kernel back end (mvnw.cmd -B verify -Dresmap.backend=kernel) ...'
        # Each Java module writes its own reports; old ones are removed so that only this run's are kept,
        # and so is the old resmap.jar, so that a stale one never runs.
        $reports = @('resmap-api', 'resmap-catalogue', 'resmap-cli', 'resmap-junit') | ForEach-Object { Join-Path $root "$_\target\surefire-reports" }
        foreach ($stale in @($reports) + @($jar)) {
            if (Test-Path -LiteralPath $stale) {
                Remove-Item -LiteralPath $stale -Recurse -Force
            }
        }
        $maven = Invoke-NativeCommand -FilePath $mvnw -Echo -IgnoreExitCode -LogPath (Join-Path $results 'maven.log') `
            -ArgumentList @('-B', '-f', (Join-Path $root 'pom.xml'), 'verify', '-Dresmap.backend=kernel', '-Dmaven.test.failure.ignore=true')
        $failedTests = 0
        foreach ($folder in $reports) {
            if (Test-Path -LiteralPath $folder) {
                Copy-Item -Path (Join-Path $folder 'TEST-*.xml') -Destination $junit
            }
            foreach ($report in Get-ChildItem -LiteralPath $folder -Filter 'TEST-*.xml' -ErrorAction SilentlyContinue) {
                $suite = ([xml](Get-Content -LiteralPath $report.FullName -Raw)).testsuite
                $failedTests += [int]$suite.failures + [int]$suite.errors
            }
        }
        $mavenExit = if ($maven.ExitCode -ne 0) { $maven.ExitCode } elseif ($failedTests -gt 0) { 1 } else { 0 }
        if ($failedTests -gt 0) {
            Write-Host "$failedTests Java test(s) failed or erred on the kernel back end: see junit\TEST-*.xml and maven.log."
        }
        $steps.Add([pscustomobject]@{ Step = "mvnw.cmd -B verify -Dresmap.backend=kernel ($failedTests failed)"; ExitCode = $mavenExit })
    }

    if (-not $SkipSelftest) {
        if (-not (Test-Path -LiteralPath $jar)) {
            throw "$jar does not exist: run without -SkipMaven, or copy it from a Linux build (./mvnw -B package)."
        }
        $info = Invoke-NativeCommand -FilePath $java -IgnoreExitCode -ArgumentList @('-jar', $jar, '--backend', 'kernel', 'info')
        Write-TextFile -Path (Join-Path $results 'info.txt') -Lines $info.Output
        $steps.Add([pscustomobject]@{ Step = 'resmap --backend kernel info'; ExitCode = $info.ExitCode })

        Write-Host 'Running the contract catalogue on the kernel back end (resmap --backend kernel selftest) ...'
        $selftest = Invoke-NativeCommand -FilePath $java -Echo -IgnoreExitCode -LogPath (Join-Path $results 'selftest.log') `
            -ArgumentList @('-jar', $jar, '--backend', 'kernel', 'selftest', '--junit-xml', $junit, '--record', (Join-Path $results 'record.json'))
        Write-TextFile -Path (Join-Path $results 'selftest.txt') -Lines $selftest.StdOut
        $steps.Add([pscustomobject]@{ Step = 'resmap --backend kernel selftest'; ExitCode = $selftest.ExitCode })

        Write-Host 'Timing reserved against ordinary mappings inside the driver (resmap --backend kernel bench) ...'
        $bench = Invoke-NativeCommand -FilePath $java -IgnoreExitCode -LogPath (Join-Path $results 'bench.log') `
            -ArgumentList @('-jar', $jar, '--backend', 'kernel', 'bench', '--json', '--chart', (Join-Path $results 'bench.svg'))
        Write-TextFile -Path (Join-Path $results 'bench.json') -Lines $bench.StdOut
        $steps.Add([pscustomobject]@{ Step = 'resmap --backend kernel bench'; ExitCode = $bench.ExitCode })
    }

    $summary = @($steps | ForEach-Object { '{0,-4} exit {1,-3} {2}' -f $(if ($_.ExitCode -eq 0) { 'ok' } else { 'FAIL' }), $_.ExitCode, $_.Step })
    $failed = @($steps | Where-Object { $_.ExitCode -ne 0 }).Count
    $summary += "$($steps.Count - $failed) passed, $failed failed"
    Write-TextFile -Path (Join-Path $results 'summary.txt') -Lines $summary
    $summary | ForEach-Object { Write-Host $_ }
    Write-Host "Results: $results"
    if ($failed -gt 0) {
        exit 1
    }
    exit 0
}
catch {
    Write-Failure $_
    exit 1
}

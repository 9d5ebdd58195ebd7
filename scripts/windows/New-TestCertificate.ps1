<#
.SYNOPSIS
    Creates the project's test-signing certificate once, and makes this machine trust it.

.DESCRIPTION
    A test-signed driver loads when test signing is on (Enable-TestSigning.ps1) and its certificate
    chains to a root this machine trusts. This script:
      - reuses the certificate "resmap test signing (test machines only)" in LocalMachine\My if a
        valid one is there, or creates it (self-signed, code signing, RSA 2048, SHA-256, two years);
      - adds it to LocalMachine\Root and LocalMachine\TrustedPublisher (trusted publisher spares
        pnputil its "install this driver software?" prompt);
      - exports its public part to native-driver\build\resmap-test.cer, to trust it on another VM.
    With -CertificateFile it only trusts a .cer exported elsewhere (build machine and test VM differ).
    Running it again changes nothing. Never import this certificate on a machine you care about:
    anyone holding its private key could sign code that machine would then trust.

    Exit code 0 on success, 1 on failure.

.PARAMETER CertificateFile
    A .cer file exported by this script on another machine: trust it here instead of creating one.

.EXAMPLE
    .\New-TestCertificate.ps1

.EXAMPLE
    .\New-TestCertificate.ps1 -CertificateFile D:\resmap-test.cer -WhatIf

.NOTES
    Run from an elevated PowerShell (5.1 or 7). Changes this machine's certificate stores.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $CertificateFile
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ResmapWindows.psm1')

function Add-TrustedCertificate {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [System.Security.Cryptography.X509Certificates.X509Certificate2] $Certificate,
        [Parameter(Mandatory)] [string] $StoreName
    )
    $store = New-Object System.Security.Cryptography.X509Certificates.X509Store($StoreName, 'LocalMachine')
    $store.Open('ReadWrite')
    try {
        if ($store.Certificates.Find('FindByThumbprint', $Certificate.Thumbprint, $false).Count -gt 0) {
            Write-Host "Already trusted in LocalMachine\$StoreName."
        }
        elseif ($PSCmdlet.ShouldProcess("LocalMachine\$StoreName", "add certificate $($Certificate.Thumbprint)")) {
            # Only the public part goes into the trust stores.
            $public = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2(, $Certificate.RawData)
            $store.Add($public)
            Write-Host "Added to LocalMachine\$StoreName."
        }
    }
    finally {
        $store.Close()
    }
}

try {
    Assert-Administrator

    if ($CertificateFile) {
        $certificate = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2((Resolve-Path -LiteralPath $CertificateFile).Path)
    }
    else {
        $certificate = Get-TestCertificate
        if ($certificate) {
            Write-Host "Reusing the test certificate $($certificate.Thumbprint) (valid until $($certificate.NotAfter))."
        }
        elseif ($PSCmdlet.ShouldProcess('Cert:\LocalMachine\My', "create certificate '$ResmapCertificateSubject'")) {
            New-SelfSignedCertificate -Type CodeSigningCert -Subject $ResmapCertificateSubject `
                -CertStoreLocation 'Cert:\LocalMachine\My' -KeyAlgorithm RSA -KeyLength 2048 `
                -HashAlgorithm SHA256 -NotAfter (Get-Date).AddYears(2) -FriendlyName 'resmap test signing' | Out-Null
            # Read back from the store: under PowerShell 7 the PKI module may run in a Windows
            # PowerShell compatibility session and return a copy that cannot export itself.
            $certificate = Get-TestCertificate
            if (-not $certificate) {
                throw "New-SelfSignedCertificate reported no error, but no valid '$ResmapCertificateSubject' with a private key is in LocalMachine\My."
            }
            Write-Host "Created the test certificate $($certificate.Thumbprint)."
        }
        else {
            exit 0
        }

        $export = Join-Path (Get-ResmapRoot) 'native-driver\build\resmap-test.cer'
        if ($PSCmdlet.ShouldProcess($export, 'export the public certificate')) {
            New-Item -ItemType Directory -Force -Path (Split-Path -Parent $export) | Out-Null
            [System.IO.File]::WriteAllBytes($export, $certificate.Export('Cert'))
            Write-Host "Public certificate: $export"
        }
    }

    Add-TrustedCertificate -Certificate $certificate -StoreName 'Root'
    Add-TrustedCertificate -Certificate $certificate -StoreName 'TrustedPublisher'
    exit 0
}
catch {
    Write-Failure $_
    exit 1
}

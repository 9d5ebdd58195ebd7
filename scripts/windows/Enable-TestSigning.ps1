<#
.SYNOPSIS
    Turns Windows test signing on (or off with -Off), so that resmap.sys, signed with the project's
    own test certificate, can load.

.DESCRIPTION
    Windows x64 loads only kernel drivers signed by Microsoft, unless the boot configuration allows
    test-signed drivers ("bcdedit /set testsigning on"). This script:
      - refuses if UEFI Secure Boot is on: the firmware then protects that setting, and bcdedit
        fails with "The value is protected by Secure Boot policy". Turn Secure Boot off in the VM's
        firmware settings (Hyper-V: the VM's Security page; VMware/VirtualBox: the EFI options),
        or use a BIOS (generation 1) VM;
      - sets testsigning on (or off) for the current boot entry; setting it again is harmless;
      - says whether a reboot is still needed: the change applies from the next boot, after which
        the desktop shows "Test Mode" in a corner.
    It also reports memory integrity (HVCI), which nobody has yet tried resmap.sys under;
    docs/windows-vm.md says to turn it off on the test VM.

    BitLocker: on a VM whose system drive is encrypted (BitLocker or Windows 11's device
    encryption), turning Secure Boot off or changing the boot configuration can make the next boot
    stop at the BitLocker recovery screen, which asks for the 48-digit recovery key. The script
    warns when the system drive is protected; have the key at hand (manage-bde -protectors -get C:)
    or suspend protection for the reboot (Suspend-BitLocker -MountPoint C: -RebootCount 1).

    Exit codes: 0 when the running system already has the wanted setting; 3010 when the setting was
    written and takes effect at the next reboot (Restart-Computer, then carry on); 1 on failure.

.PARAMETER Off
    Turns test signing off instead, for when the VM is done with test drivers.

.EXAMPLE
    .\Enable-TestSigning.ps1 -WhatIf
    Shows what would change, changes nothing.

.EXAMPLE
    .\Enable-TestSigning.ps1; if ($LASTEXITCODE -eq 3010) { Restart-Computer }
    Turns test signing on and reboots into it if that was needed.

.EXAMPLE
    .\Enable-TestSigning.ps1 -Off
    Turns test signing off again (from the next boot) when the VM is done with test drivers.

.NOTES
    Run from an elevated PowerShell (5.1 or 7). Changes the boot configuration of this machine.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [switch] $Off
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ResmapWindows.psm1')

try {
    Assert-Administrator
    $want = if ($Off) { 'off' } else { 'on' }

    $bitLockerWarning = 'BitLocker protects the system drive: turning Secure Boot off, or changing the boot configuration, can make the next boot ask for the BitLocker recovery key. Write the key down first (manage-bde -protectors -get C:) or suspend protection for one reboot (Suspend-BitLocker -MountPoint C: -RebootCount 1).'
    $bitLocker = Test-SystemDriveEncrypted
    if (-not $Off -and (Test-SecureBootEnabled)) {
        $message = 'UEFI Secure Boot is on, and with it Windows will not accept test signing. Turn Secure Boot off in the VM settings (see docs/windows-vm.md), boot again, and re-run this script.'
        if ($bitLocker) {
            $message += " $bitLockerWarning"
        }
        throw $message
    }
    if ($bitLocker) {
        Write-Warning $bitLockerWarning
    }

    $active = Test-TestSigningActive
    $exitCode = 0
    if ($active -eq (-not $Off)) {
        Write-Host "Test signing is already $want in the running system."
    }
    elseif ($PSCmdlet.ShouldProcess('boot entry {current}', "bcdedit /set testsigning $want")) {
        # Setting it again when it is already set for the next boot is harmless.
        Invoke-NativeCommand -FilePath 'bcdedit.exe' -ArgumentList @('/set', '{current}', 'testsigning', $want) | Out-Null
        Write-Host "Test signing set $want for the next boot. Reboot now (Restart-Computer) for it to take effect."
        $exitCode = $ResmapRebootRequired
    }

    if (-not $Off -and (Test-MemoryIntegrityRunning)) {
        Write-Host 'Note: memory integrity (HVCI) is on. resmap.sys has not been tried with it; turn it off on the test VM (see docs/windows-vm.md).'
    }
    exit $exitCode
}
catch {
    Write-Failure $_
    exit 1
}

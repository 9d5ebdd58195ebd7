package org.resmap;

/**
 * What the device reports about itself and about the calling handle ({@code RESMAP_INFO}).
 *
 * @param protocolVersion the driver's wire protocol version
 * @param driverVersion major &lt;&lt; 16 | minor
 * @param divisibleSupported whether the kernel has {@code MmAllocateMappingAddressEx}
 * @param pageSize bytes per page (4096)
 * @param maxTransfer the largest single read or write, in bytes
 * @param maxObjects live objects allowed per handle
 * @param maxReservedBytes reserved address space allowed per handle
 * @param maxPageSetBytes allocated plus locked memory allowed per handle
 * @param liveReservations reservations this handle holds
 * @param livePageSets page sets this handle holds
 * @param liveReservedMappings reserved mappings this handle holds
 * @param liveOrdinaryMappings ordinary mappings this handle holds
 * @param reservedBytes reserved address space this handle holds
 * @param pageSetBytes allocated plus locked memory this handle holds
 */
public record DeviceInfo(int protocolVersion, int driverVersion, boolean divisibleSupported, int pageSize,
                         int maxTransfer, int maxObjects, long maxReservedBytes, long maxPageSetBytes,
                         int liveReservations, int livePageSets, int liveReservedMappings,
                         int liveOrdinaryMappings, long reservedBytes, long pageSetBytes) {
}

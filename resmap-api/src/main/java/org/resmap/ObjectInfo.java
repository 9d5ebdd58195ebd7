package org.resmap;

/**
 * What the device reports about one object ({@code RESMAP_QUERY_OUT}).
 *
 * @param type the kind of object
 * @param state its state
 * @param bytes reservation and page set: whole pages in bytes; mapping: bytes mapped
 * @param offset reserved mapping: offset of the mapped address in its reservation; page set of a user
 *     buffer: the buffer's offset in its first page; otherwise 0
 * @param pages pages spanned
 * @param tag reservation and reserved mapping: the pool tag; otherwise tag 0
 * @param cachingType page set and mapping: the {@code MEMORY_CACHING_TYPE} value
 * @param flags reservation: {@code RESMAP_RESERVE_*}; page set: {@code RESMAP_PAGE_SET_*}
 * @param mappingCount reservation and page set: live mappings using it
 */
public record ObjectInfo(ObjectType type, ObjectState state, long bytes, long offset, int pages, PoolTag tag,
                         int cachingType, int flags, int mappingCount) {
}

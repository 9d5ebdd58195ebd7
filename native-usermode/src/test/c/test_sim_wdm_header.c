/*
 * test_sim_wdm_header.c - the simulator's wdm.h matches the x64 Windows definitions the driver core
 * relies on: type sizes, the MDL layout, the page and MDL macros, the lists and the constants.
 */
#include <wdm.h>

#include "check.h"

static void type_sizes_are_those_of_x64_windows(void)
{
    CHECK(sizeof(ULONG) == 4, "%zu", sizeof(ULONG));
    CHECK(sizeof(LONG) == 4, "%zu", sizeof(LONG));
    CHECK(sizeof(ULONG_PTR) == 8, "%zu", sizeof(ULONG_PTR));
    CHECK(sizeof(WCHAR) == 2, "%zu", sizeof(WCHAR));
    CHECK(sizeof(NTSTATUS) == 4, "%zu", sizeof(NTSTATUS));
    CHECK(sizeof(PHYSICAL_ADDRESS) == 8, "%zu", sizeof(PHYSICAL_ADDRESS));
    CHECK(sizeof(FAST_MUTEX) == 56, "%zu", sizeof(FAST_MUTEX));
    CHECK(sizeof(UNICODE_STRING) == 16, "%zu", sizeof(UNICODE_STRING));
}

static void mdl_has_the_x64_layout(void)
{
    CHECK(sizeof(MDL) == 48, "%zu", sizeof(MDL));
    CHECK(offsetof(MDL, Next) == 0, "%zu", offsetof(MDL, Next));
    CHECK(offsetof(MDL, Size) == 8, "%zu", offsetof(MDL, Size));
    CHECK(offsetof(MDL, MdlFlags) == 10, "%zu", offsetof(MDL, MdlFlags));
    CHECK(offsetof(MDL, AllocationProcessorNumber) == 12, "%zu", offsetof(MDL, AllocationProcessorNumber));
    CHECK(offsetof(MDL, Process) == 16, "%zu", offsetof(MDL, Process));
    CHECK(offsetof(MDL, MappedSystemVa) == 24, "%zu", offsetof(MDL, MappedSystemVa));
    CHECK(offsetof(MDL, StartVa) == 32, "%zu", offsetof(MDL, StartVa));
    CHECK(offsetof(MDL, ByteCount) == 40, "%zu", offsetof(MDL, ByteCount));
    CHECK(offsetof(MDL, ByteOffset) == 44, "%zu", offsetof(MDL, ByteOffset));
}

static void page_macros_compute_spans(void)
{
    CHECK(PAGE_SIZE == 4096 && PAGE_SHIFT == 12, "%d %ld", PAGE_SIZE, PAGE_SHIFT);
    CHECK(BYTE_OFFSET((PVOID)0x12345) == 0x345, "%#x", BYTE_OFFSET((PVOID)0x12345));
    CHECK(PAGE_ALIGN((PVOID)0x12345) == (PVOID)0x12000, "%p", PAGE_ALIGN((PVOID)0x12345));
    CHECK(ROUND_TO_PAGES(1) == 4096, "%lu", (unsigned long)ROUND_TO_PAGES(1));
    CHECK(BYTES_TO_PAGES(4097) == 2, "%lu", (unsigned long)BYTES_TO_PAGES(4097));
    CHECK(ADDRESS_AND_SIZE_TO_SPAN_PAGES((PVOID)0xFFF, 2) == 2, "%lu",
          (unsigned long)ADDRESS_AND_SIZE_TO_SPAN_PAGES((PVOID)0xFFF, 2));
    CHECK(ADDRESS_AND_SIZE_TO_SPAN_PAGES((PVOID)0x1000, 4096) == 1, "%lu",
          (unsigned long)ADDRESS_AND_SIZE_TO_SPAN_PAGES((PVOID)0x1000, 4096));
}

static void mdl_macros_describe_the_buffer(void)
{
    struct {
        MDL Mdl;
        PFN_NUMBER Pfns[3];
    } storage;
    PMDL mdl = &storage.Mdl;
    MmInitializeMdl(mdl, (PVOID)0x10010, 2 * PAGE_SIZE);
    CHECK(mdl->Size == sizeof(MDL) + 3 * sizeof(PFN_NUMBER), "%d", mdl->Size);
    CHECK(mdl->StartVa == (PVOID)0x10000, "%p", mdl->StartVa);
    CHECK(MmGetMdlByteOffset(mdl) == 0x10, "%#x", MmGetMdlByteOffset(mdl));
    CHECK(MmGetMdlByteCount(mdl) == 2 * PAGE_SIZE, "%u", MmGetMdlByteCount(mdl));
    CHECK(MmGetMdlVirtualAddress(mdl) == (PVOID)0x10010, "%p", MmGetMdlVirtualAddress(mdl));
    CHECK(MmGetMdlPfnArray(mdl) == storage.Pfns, "%p", (void *)MmGetMdlPfnArray(mdl));
    CHECK(mdl->MdlFlags == 0 && mdl->Next == NULL, "flags %#x", mdl->MdlFlags);
}

static void constants_have_their_windows_values(void)
{
    CHECK(MDL_MAPPED_TO_SYSTEM_VA == 0x1 && MDL_PAGES_LOCKED == 0x2 && MDL_PARTIAL == 0x10 &&
          MDL_PARTIAL_HAS_BEEN_MAPPED == 0x20 && MDL_MAPPING_CAN_FAIL == 0x2000, "%s", "other values");
    CHECK(MM_MAPPING_ADDRESS_DIVISIBLE == 1, "%d", MM_MAPPING_ADDRESS_DIVISIBLE);
    CHECK(MM_ALLOCATE_FULLY_REQUIRED == 4 && MM_DONT_ZERO_ALLOCATION == 1, "%s", "other values");
    CHECK(MmNotMapped == -1 && MmMaximumCacheType == 6, "%d %d", MmNotMapped, MmMaximumCacheType);
    CHECK(CTL_CODE(0x8E5A, 0x801, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS) == 0x8E5AE004u,
          "%#x", CTL_CODE(0x8E5A, 0x801, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS));
    CHECK(!NT_SUCCESS(STATUS_ACCESS_VIOLATION) && NT_SUCCESS(STATUS_SUCCESS), "%s", "inverted");
}

/* The values the contract lists for MDL flags, MmAllocatePagesForMdlEx flags, caching types and the
 * Windows 8 priority bit ("The MDL helpers"). */
static void the_contracts_constants_have_their_listed_values(void)
{
    CHECK(MDL_SOURCE_IS_NONPAGED_POOL == 0x4 && MDL_ALLOCATED_FIXED_SIZE == 0x8 &&
          MDL_IO_PAGE_READ == 0x40 && MDL_WRITE_OPERATION == 0x80 && MDL_FREE_EXTRA_PTES == 0x200 &&
          MDL_IO_SPACE == 0x800, "%s", "other MDL flag values");
    CHECK(MM_ALLOCATE_FROM_LOCAL_NODE_ONLY == 0x2 && MM_ALLOCATE_NO_WAIT == 0x8 &&
          MM_ALLOCATE_PREFER_CONTIGUOUS == 0x10 && MM_ALLOCATE_REQUIRE_CONTIGUOUS_CHUNKS == 0x20 &&
          MM_ALLOCATE_FAST_LARGE_PAGES == 0x40, "%s", "other MM_ALLOCATE_ values");
    CHECK(MmNonCached == 0 && MmCached == 1 && MmWriteCombined == 2, "%d %d %d", MmNonCached, MmCached,
          MmWriteCombined);
    CHECK(MdlMappingNoExecute == 0x40000000u, "%#x", MdlMappingNoExecute);
    CHECK(ADDRESS_AND_SIZE_TO_SPAN_PAGES((PVOID)0x1FFF, PAGE_SIZE + 2) == 3, "%lu",
          (unsigned long)ADDRESS_AND_SIZE_TO_SPAN_PAGES((PVOID)0x1FFF, PAGE_SIZE + 2));
}

static void lists_link_and_unlink(void)
{
    LIST_ENTRY head, a, b, c;
    InitializeListHead(&head);
    CHECK(IsListEmpty(&head), "%s", "non-empty");
    InsertTailList(&head, &b);
    InsertHeadList(&head, &a);
    InsertTailList(&head, &c);
    CHECK(head.Flink == &a && a.Flink == &b && b.Flink == &c && c.Flink == &head, "%s", "wrong order");
    CHECK(!RemoveEntryList(&b), "%s", "reported empty");
    CHECK(RemoveHeadList(&head) == &a, "%s", "another entry");
    CHECK(RemoveEntryList(&c), "%s", "reported non-empty");
    CHECK(IsListEmpty(&head), "%s", "non-empty");
}

static void unicode_strings_count_bytes(void)
{
    static const UNICODE_STRING constant = RTL_CONSTANT_STRING(L"MmAllocateMappingAddressEx");
    DECLARE_CONST_UNICODE_STRING(declared, L"abc");
    CHECK(constant.Length == 26 * 2 && constant.MaximumLength == 27 * 2, "%u %u", constant.Length,
          constant.MaximumLength);
    CHECK(declared.Length == 6 && declared.Buffer[2] == L'c', "%u", declared.Length);
}

int main(void)
{
    RUN(type_sizes_are_those_of_x64_windows);
    RUN(mdl_has_the_x64_layout);
    RUN(page_macros_compute_spans);
    RUN(mdl_macros_describe_the_buffer);
    RUN(constants_have_their_windows_values);
    RUN(the_contracts_constants_have_their_listed_values);
    RUN(lists_link_and_unlink);
    RUN(unicode_strings_count_bytes);
    return CHECK_DONE();
}

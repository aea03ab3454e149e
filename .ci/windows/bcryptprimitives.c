/* Stand-in for the Windows system bcryptprimitives.dll, for the wine test
 * prefix only (never bundled). Rust's standard library (python-calamine)
 * imports ProcessPrng from it, which wine 8.0 lacks, so the extension would
 * not load. ProcessPrng fills the buffer from the system's random generator:
 * here RtlGenRandom (advapi32's SystemFunction036), which wine implements. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}

/* A stand-in for Windows' bcryptprimitives.dll, for the Windows binary's tests under Wine only
 * (tests/release/cli.test.mjs builds it with mingw-w64 into a temporary Wine prefix; it is never
 * part of a release). Rust's standard library imports ProcessPrng from bcryptprimitives.dll,
 * which every Windows 10 and later has but Debian 12's Wine 8.0 does not (Wine added it in 9.x).
 * It fills the buffer from RtlGenRandom (advapi32's SystemFunction036), which Wine 8.0 has.
 * ProcessPrng is documented to always return TRUE; so does this one unless Wine fails. */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!RtlGenRandom(data, n)) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}

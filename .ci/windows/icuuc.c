/* Stand-in for the Windows system icuuc.dll, for the wine test prefix only
 * (.ci/windows.sh copies it into the prefix's system32; it is never bundled).
 *
 * Qt6Core.dll (PySide6 >= 6.10) imports 20 ucnv_* functions from the ICU
 * that Windows 10 1703+ ships as a system DLL; wine 8.0 has no icuuc.dll, so
 * Qt6Core would not load at all. Here every converter fails to open and no
 * converter is available, so Qt falls back to its built-in UTF-8/UTF-16/
 * Latin-1 codecs, which are all GridAdmin uses (it uses no QStringConverter
 * for other encodings). Signatures are ICU4C's. */
#include <stddef.h>
#include <stdint.h>

typedef int32_t UErrorCode;
typedef uint16_t UChar;
typedef int8_t UBool;
#define U_FILE_ACCESS_ERROR 4
#define U_INVALID_STATE_ERROR 27

static void fail(UErrorCode *err, UErrorCode code) { if (err && *err <= 0) *err = code; }

#define EXPORT __declspec(dllexport)
EXPORT void *ucnv_open(const char *name, UErrorCode *err) { (void)name; fail(err, U_FILE_ACCESS_ERROR); return NULL; }
EXPORT void ucnv_close(void *cnv) { (void)cnv; }
EXPORT void ucnv_reset(void *cnv) { (void)cnv; }
EXPORT int32_t ucnv_countAvailable(void) { return 0; }
EXPORT const char *ucnv_getAvailableName(int32_t n) { (void)n; return NULL; }
EXPORT const char *ucnv_getStandardName(const char *name, const char *standard, UErrorCode *err)
{ (void)name; (void)standard; fail(err, U_FILE_ACCESS_ERROR); return NULL; }
EXPORT const char *ucnv_getName(const void *cnv, UErrorCode *err) { (void)cnv; fail(err, U_INVALID_STATE_ERROR); return NULL; }
EXPORT int8_t ucnv_getMaxCharSize(const void *cnv) { (void)cnv; return 1; }
EXPORT int32_t ucnv_fromUCountPending(const void *cnv, UErrorCode *err) { (void)cnv; fail(err, U_INVALID_STATE_ERROR); return 0; }
EXPORT int32_t ucnv_toUCountPending(const void *cnv, UErrorCode *err) { (void)cnv; fail(err, U_INVALID_STATE_ERROR); return 0; }
EXPORT void ucnv_fromUnicode(void *cnv, char **target, const char *limit, const UChar **source, const UChar *source_limit,
                             int32_t *offsets, UBool flush, UErrorCode *err)
{ (void)cnv; (void)target; (void)limit; (void)source; (void)source_limit; (void)offsets; (void)flush; fail(err, U_INVALID_STATE_ERROR); }
EXPORT void ucnv_toUnicode(void *cnv, UChar **target, const UChar *limit, const char **source, const char *source_limit,
                           int32_t *offsets, UBool flush, UErrorCode *err)
{ (void)cnv; (void)target; (void)limit; (void)source; (void)source_limit; (void)offsets; (void)flush; fail(err, U_INVALID_STATE_ERROR); }
EXPORT void ucnv_getFromUCallBack(const void *cnv, void **action, const void **context)
{ (void)cnv; if (action) *action = NULL; if (context) *context = NULL; }
EXPORT void ucnv_getToUCallBack(const void *cnv, void **action, const void **context)
{ (void)cnv; if (action) *action = NULL; if (context) *context = NULL; }
EXPORT void ucnv_setFromUCallBack(void *cnv, void *action, const void *context, void **old_action, const void **old_context,
                                  UErrorCode *err)
{ (void)cnv; (void)action; (void)context; if (old_action) *old_action = NULL; if (old_context) *old_context = NULL;
  fail(err, U_INVALID_STATE_ERROR); }
EXPORT void ucnv_setToUCallBack(void *cnv, void *action, const void *context, void **old_action, const void **old_context,
                                UErrorCode *err)
{ (void)cnv; (void)action; (void)context; if (old_action) *old_action = NULL; if (old_context) *old_context = NULL;
  fail(err, U_INVALID_STATE_ERROR); }
EXPORT void ucnv_cbFromUWriteUChars(void *args, const UChar **source, const UChar *limit, int32_t offset, UErrorCode *err)
{ (void)args; (void)source; (void)limit; (void)offset; fail(err, U_INVALID_STATE_ERROR); }
EXPORT void ucnv_cbToUWriteUChars(void *args, const UChar *source, int32_t length, int32_t offset, UErrorCode *err)
{ (void)args; (void)source; (void)length; (void)offset; fail(err, U_INVALID_STATE_ERROR); }
EXPORT void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const UChar *units, int32_t length,
                                            int32_t code_point, int reason, UErrorCode *err)
{ (void)context; (void)args; (void)units; (void)length; (void)code_point; (void)reason; fail(err, U_INVALID_STATE_ERROR); }
EXPORT void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const char *units, int32_t length, int reason,
                                          UErrorCode *err)
{ (void)context; (void)args; (void)units; (void)length; (void)reason; fail(err, U_INVALID_STATE_ERROR); }

#ifndef CJSONC_SHIM_H
#define CJSONC_SHIM_H
#include <json-c/json.h>

/// Why: the serialisation flags are macros; keep the one we use in one named place.
static inline int CJSONC_plain_no_slash_escape(void) { return JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE; }

#endif

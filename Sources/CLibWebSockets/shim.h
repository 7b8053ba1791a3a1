#ifndef CLIBWEBSOCKETS_SHIM_H
#define CLIBWEBSOCKETS_SHIM_H
#include <libwebsockets.h>

/// Why: `LWS_PRE` is an expression macro and does not import into Swift.
static inline int CLWS_pre(void) { return LWS_PRE; }

/// Why: `lws_context_creation_info.options` takes these as an unsigned 64-bit mask; the macros are casts.
static inline unsigned long long CLWS_option_validate_utf8(void) { return LWS_SERVER_OPTION_VALIDATE_UTF8; }
static inline unsigned long long CLWS_option_explicit_vhosts(void) { return LWS_SERVER_OPTION_EXPLICIT_VHOSTS; }

#endif

#ifndef CHIREDIS_SHIM_H
#define CHIREDIS_SHIM_H
#include <hiredis.h>

/// Why: the reply types are macros; name the ones the Swift side switches on.
static const int CHIREDIS_REPLY_STRING = REDIS_REPLY_STRING;
static const int CHIREDIS_REPLY_ARRAY = REDIS_REPLY_ARRAY;
static const int CHIREDIS_REPLY_INTEGER = REDIS_REPLY_INTEGER;
static const int CHIREDIS_REPLY_NIL = REDIS_REPLY_NIL;
static const int CHIREDIS_REPLY_STATUS = REDIS_REPLY_STATUS;
static const int CHIREDIS_REPLY_ERROR = REDIS_REPLY_ERROR;

#endif

#ifndef CLIBWEBSOCKETS_SHIM_H
#define CLIBWEBSOCKETS_SHIM_H
#include <libwebsockets.h>
#include <openssl/ssl.h>

/// Why: `LWS_PRE` is an expression macro and does not import into Swift.
static inline int CLWS_pre(void) { return LWS_PRE; }

/// Why: `lws_context_creation_info.options` takes these as an unsigned 64-bit mask; the macros are casts.
static inline unsigned long long CLWS_option_validate_utf8(void) { return LWS_SERVER_OPTION_VALIDATE_UTF8; }
/// Why: with IPv6 built in, lws binds every interface when `iface` is an IPv4 literal; this keeps it to that address.
static inline unsigned long long CLWS_option_disable_ipv6(void) { return LWS_SERVER_OPTION_DISABLE_IPV6; }
static inline unsigned long long CLWS_option_explicit_vhosts(void) { return LWS_SERVER_OPTION_EXPLICIT_VHOSTS; }
/// Why: TLS (server certificates or client verification) needs lws to initialise OpenSSL; also a cast macro.
static inline unsigned long long CLWS_option_do_ssl_global_init(void) { return LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT; }

/// Why: `CONTEXT_PORT_NO_LISTEN` is a macro; a client-only context must not listen.
static inline int CLWS_context_port_no_listen(void) { return CONTEXT_PORT_NO_LISTEN; }

/// Why: `LWS_TO_KILL_ASYNC` is a macro; `lws_set_timeout(wsi, reason, CLWS_to_kill_async())` closes a
/// connection from our own code on the service thread, with the usual close callbacks.
static inline int CLWS_to_kill_async(void) { return LWS_TO_KILL_ASYNC; }

/// Why: lws 4.1 takes one client CA file (`client_ssl_ca_filepath`); a second one (our own CA next to the
/// system bundle) has to be added to the `SSL_CTX` it hands us in
/// `LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS`. Returns 1 on success, like OpenSSL.
static inline int CLWS_ssl_ctx_add_ca_file(void *ssl_ctx, const char *path) {
    return SSL_CTX_load_verify_locations((SSL_CTX *)ssl_ctx, path, NULL);
}

/// Why: lws 4.1 reports a failed certificate check only as "connect SSL err 1"; in
/// `LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION` (user = `X509_STORE_CTX *`) this gives OpenSSL's
/// reason, e.g. "unable to get local issuer certificate" or "hostname mismatch". NULL when there is none.
static inline const char *CLWS_x509_verify_error(void *x509_store_ctx) {
    int error = X509_STORE_CTX_get_error((X509_STORE_CTX *)x509_store_ctx);
    return error == X509_V_OK ? NULL : X509_verify_cert_error_string(error);
}

#endif

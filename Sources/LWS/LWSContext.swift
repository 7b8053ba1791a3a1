import CLibWebSockets
import Foundation
import Glibc

// The libwebsockets calls of the server live in LWSContext.swift, LWSCallbacks.swift and the LWSServer+*.swift
// extensions; those of the HTTP client in LWSClient+C.swift.

/// Owns an `lws_context` and the C memory it points into (protocol table, mounts, strings).
/// `deinit` calls `lws_context_destroy` first, then frees that memory: destroy it on the service thread.
final class LWSContext {
    let pointer: OpaquePointer
    private let protocols: UnsafeMutablePointer<lws_protocols>
    private let mounts: UnsafeMutablePointer<lws_http_mount>
    private let mountCount: Int
    private let strings: [UnsafeMutablePointer<CChar>]

    /// The port the default vhost listens on.
    let listenPort: Int

    private init(
        pointer: OpaquePointer, protocols: UnsafeMutablePointer<lws_protocols>,
        mounts: UnsafeMutablePointer<lws_http_mount>, mountCount: Int, strings: [UnsafeMutablePointer<CChar>]
    ) {
        self.pointer = pointer
        self.protocols = protocols
        self.mounts = mounts
        self.mountCount = mountCount
        self.strings = strings
        self.listenPort = lws_get_vhost_by_name(pointer, "default").map { Int(lws_get_vhost_listen_port($0)) } ?? 0
    }

    deinit {
        lws_context_destroy(pointer)
        protocols.deallocate()
        mounts.deinitialize(count: mountCount)
        mounts.deallocate()
        strings.forEach { free($0) }
    }

    /// The per-thread service buffer (`pt_serv_buf_size`): the most one read of a connection takes.
    static let serviceBufferBytes = 16 * 1024

    /// Creates the context for `server`. On failure everything allocated here is freed before throwing.
    /// The corresponding C function is `lws_create_context`.
    static func make(server: LWSServer) throws(LWSError) -> LWSContext {
        lws_set_log_level(LLL_ERR | LLL_WARN, nil)
        let configuration = server.configuration
        let host = try ListenHost.checked(configuration.host, port: configuration.port)
        let tls = try tlsFiles(configuration)
        var strings: [UnsafeMutablePointer<CChar>] = []
        func cString(_ text: String) -> UnsafeMutablePointer<CChar> {
            let copy = strdup(text)!
            strings.append(copy)
            return copy
        }

        let protocols = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 3)
        protocols.initialize(repeating: lws_protocols(), count: 3)
        protocols[0].name = UnsafePointer(cString("http"))
        protocols[0].callback = lwsHTTPCallback
        protocols[0].per_session_data_size = MemoryLayout<UInt64>.size
        protocols[1].name = UnsafePointer(cString(configuration.webSocketProtocol))
        protocols[1].callback = lwsWebSocketCallback
        protocols[1].per_session_data_size = MemoryLayout<UInt64>.size
        protocols[1].rx_buffer_size = 16 * 1024
        // One send() per frame, however large: with tx_packet_size 0, lws 4.1.6 sends at most
        // rx_buffer_size (16 KB) of an lws_write and copies the rest into its own buffer, drained 16 KB
        // per writable event (core-net/output.c, lws_issue_raw): every board got its own copy of every
        // frame (bundle) over 16 KB. Now lws copies only what the socket did not take (a slow client).
        protocols[1].tx_packet_size = 8 << 20

        var mountList: [lws_http_mount] = []
        for prefix in configuration.dynamicPrefixes {
            var mount = lws_http_mount()
            mount.mountpoint = UnsafePointer(cString(prefix))
            mount.mountpoint_len = UInt8(prefix.utf8.count)
            mount.protocol = UnsafePointer(cString("http"))
            mount.origin_protocol = UInt8(LWSMPRO_CALLBACK.rawValue)
            mountList.append(mount)
        }
        if let root = configuration.staticRoot {
            var mount = lws_http_mount()
            mount.mountpoint = UnsafePointer(cString("/"))
            mount.mountpoint_len = 1
            mount.origin = UnsafePointer(cString(root))
            mount.def = UnsafePointer(cString("index.html"))
            mount.origin_protocol = UInt8(LWSMPRO_FILE.rawValue)
            mount.cache_max_age = 0
            mountList.append(mount)
        }
        let mounts = UnsafeMutablePointer<lws_http_mount>.allocate(capacity: max(mountList.count, 1))
        mounts.initialize(repeating: lws_http_mount(), count: max(mountList.count, 1))
        for index in mountList.indices {
            mounts[index] = mountList[index]
            if index + 1 < mountList.count { mounts[index].mount_next = UnsafePointer(mounts + index + 1) }
        }

        var info = lws_context_creation_info()
        info.port = Int32(configuration.port)
        info.iface = UnsafePointer(cString(host))
        info.protocols = UnsafePointer(protocols)
        info.mounts = mountList.isEmpty ? nil : UnsafePointer(mounts)
        info.user = Unmanaged.passUnretained(server).toOpaque()
        info.options = CLWS_option_validate_utf8()
        if ListenHost.isIPv4(host) { info.options |= CLWS_option_disable_ipv6() }
        info.gid = -1
        info.uid = -1
        info.vhost_name = UnsafePointer(cString("default"))
        info.max_http_header_data = 8192
        // What one read of a connection takes (default 4 KB). Every pass of the service loop polls every
        // open connection, boards included: a 6 KB ingest batch took two reads and three passes, a 1 MB one
        // over 256; with 16 KB (the WebSocket protocol's rx_buffer_size) a 6 KB batch is read in one pass,
        // a 1 MB one in 64. Not 64 KB: then a client sending a 70 KB WebSocket frame (over the 64 KB
        // message limit) often lost the 1009 close to the reset of the unread rest (DaemonLiveTests).
        info.pt_serv_buf_size = UInt32(Self.serviceBufferBytes)
        info.server_string = UnsafePointer(cString("wallboardd"))
        if let tls {
            // TLS only: without LWS_SERVER_OPTION_ALLOW_NON_SSL_ON_SSL_PORT, plain HTTP on this port is refused.
            info.options |= CLWS_option_do_ssl_global_init()
            info.ssl_cert_filepath = UnsafePointer(cString(tls.certificate))
            info.ssl_private_key_filepath = UnsafePointer(cString(tls.privateKey))
        }

        guard let pointer = lws_create_context(&info) else {
            protocols.deallocate()
            mounts.deinitialize(count: max(mountList.count, 1))
            mounts.deallocate()
            strings.forEach { free($0) }
            if let tls {
                throw LWSError(
                    function: "lws_create_context",
                    reason: "cannot listen with TLS on \(configuration.host):\(configuration.port): certificate "
                        + "\(tls.certificate) and key \(tls.privateKey) are not a matching PEM pair, "
                        + "or the address is in use or not local")
            }
            throw LWSError(
                function: "lws_create_context",
                reason: "cannot listen on \(configuration.host):\(configuration.port) (address in use or not local?)")
        }
        return LWSContext(
            pointer: pointer, protocols: protocols, mounts: mounts, mountCount: max(mountList.count, 1),
            strings: strings)
    }

    /// The certificate and key paths when TLS is configured; a clear error when only one is given or a file
    /// cannot be read or is not PEM (lws itself only says that context creation failed).
    private static func tlsFiles(_ configuration: LWSServer.Configuration) throws(LWSError)
        -> (certificate: String, privateKey: String)?
    {
        guard configuration.usesTLS else { return nil }
        guard let certificate = configuration.tlsCertificatePath, let privateKey = configuration.tlsPrivateKeyPath else {
            throw LWSError(function: "LWSServer.start", reason: "TLS needs both a certificate and a private key path")
        }
        for (role, path) in [("certificate", certificate), ("private key", privateKey)] {
            guard access(path, R_OK) == 0, let handle = fopen(path, "r") else {
                throw LWSError(function: "LWSServer.start", reason: "cannot read TLS \(role) file \(path)")
            }
            var head = [CChar](repeating: 0, count: 4096)
            let count = fread(&head, 1, head.count - 1, handle)
            fclose(handle)
            let text = String(decoding: head.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.contains("-----BEGIN ") else {
                throw LWSError(function: "LWSServer.start", reason: "TLS \(role) file \(path) is not PEM")
            }
        }
        return (certificate, privateKey)
    }

    /// Runs one round of the event loop. The corresponding C function is `lws_service`.
    func service() { _ = lws_service(pointer, 0) }

    /// Re-reads the certificate and key files into every vhost that uses them.
    /// The corresponding C function is `lws_tls_cert_updated`.
    func reloadCertificates(_ configuration: LWSServer.Configuration) -> LWSError? {
        guard let certificate = configuration.tlsCertificatePath, let key = configuration.tlsPrivateKeyPath else { return nil }
        guard lws_tls_cert_updated(pointer, certificate, key, nil, 0, nil, 0) == 0 else {
            return LWSError(
                function: "lws_tls_cert_updated", reason: "cannot load \(certificate) with \(key) (unreadable or not a pair)")
        }
        return nil
    }

}

import Foundation
import LWS
import Logging
import Synchronization
import Testing
import WallboardClient
@testable import WallboardServer

/// The daemon with `tls:` in its config: HTTPS and WSS only, a renewed certificate reloads on SIGHUP.
@Suite(.serialized) struct DaemonTLSTests {
    static func fetch(_ client: LWSHTTPClient, _ url: String) -> Result<OutgoingHTTPResponse, LWSClientError> {
        let result = Mutex<Result<OutgoingHTTPResponse, LWSClientError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        client.send(OutgoingHTTPRequest(method: .get, url: url, timeout: .seconds(5))) { outcome in
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }

    @Test func httpsRoundTripWithATestCertificateAndALiveRenewal() throws {
        let pki = try TestPKI()
        let (certificate, key) = try pki.issue("wallboard", subjectAltName: "IP:127.0.0.1,DNS:localhost")
        let file = pki.directory.appendingPathComponent("wallboardd.yaml")
        try "tls:\n  certificate_file: \(certificate)\n  private_key_file: \(key)\n".write(to: file, atomically: true, encoding: .utf8)
        let configuration = try DaemonConfiguration.load(path: file.path)
        var options = DaemonOptions(configuration: configuration, configPath: file.path, webRootFallback: nil)
        options.port = 0
        let daemon = try TestDaemon(options: options)
        defer { daemon.stop() }
        var logger = Logger(label: "tls-test")
        logger.logLevel = .critical
        let client = LWSHTTPClient(configuration: .init(additionalCAFilePath: pki.caCertificate), logger: logger)
        try client.start()
        defer {
            let done = DispatchSemaphore(value: 0)
            client.shutdown { done.signal() }
            done.wait()
        }
        let url = "https://127.0.0.1:\(daemon.daemon.port)/healthz"
        #expect((try? Self.fetch(client, url).get())?.status == 200)
        // Plain HTTP to the TLS port is not served.
        #expect((try? HTTPClient.get("http://127.0.0.1:\(daemon.daemon.port)/healthz"))?.status != 200)

        // Renewed in place (same paths), then SIGHUP's reload: new connections still verify.
        _ = try pki.issue("wallboard", subjectAltName: "IP:127.0.0.1,DNS:localhost")
        #expect(daemon.daemon.reload() == nil)
        #expect((try? Self.fetch(client, url).get())?.status == 200)
    }

    @Test func missingCertificateFileIsAClearStartError() throws {
        var options = DaemonOptions(host: "127.0.0.1", port: 0, simulator: false)
        options.tlsCertificateFile = "/nonexistent/cert.pem"
        options.tlsPrivateKeyFile = "/nonexistent/key.pem"
        #expect { _ = try TestDaemon(options: options) } throws: { "\($0)".contains("/nonexistent/cert.pem") }
    }
}

import Foundation
import LWS
import Testing

/// `LWSServer` with TLS and `LWSHTTPClient` over HTTPS, with a throwaway CA made by `openssl` in a temp folder.
@Suite struct LWSServerTLSTests {
    @Test func httpsRoundTripWhenTheClientTrustsTheTestCA() async throws {
        // Both names in the certificate verify: the IP literal and the DNS name.
        let pki = try TestPKI()
        let leaf = try pki.issue("server", subjectAltName: "DNS:localhost,IP:127.0.0.1")
        let server = try TestHTTPServer(certificate: leaf.certificate, privateKey: leaf.privateKey)
        let client = try LWSHTTPClient.started(.init(additionalCAFilePath: pki.caCertificate))
        let result = await client.fetch(.json(#"{"tls":true}"#, to: "https://127.0.0.1:\(server.port)/echo"))
        #expect((try? result.get())?.status == 200)
        #expect((try? result.get())?.body == Array(#"{"tls":true}"#.utf8))
        let byName = await client.fetch(.json("{}", to: "https://localhost:\(server.port)/echo"))
        #expect((try? byName.get())?.status == 200)
        await client.stop()
        await server.stop()
    }

    @Test func untrustedCertificateIsATLSFailure() async throws {
        let pki = try TestPKI()
        let leaf = try pki.issue("server", subjectAltName: "DNS:localhost,IP:127.0.0.1")
        let server = try TestHTTPServer(certificate: leaf.certificate, privateKey: leaf.privateKey)
        let client = try LWSHTTPClient.started()  // system CAs only
        let result = await client.fetch(.json("{}", to: "https://127.0.0.1:\(server.port)/echo", timeout: .seconds(5)))
        #expect(result.failure == .tlsFailure("certificate rejected: unable to get local issuer certificate"))
        await client.stop()
        await server.stop()
    }

    /// Verification checks the name too: a trusted certificate for another host is refused.
    @Test func certificateForAnotherHostIsATLSFailure() async throws {
        let pki = try TestPKI()
        let leaf = try pki.issue("other", subjectAltName: "DNS:other.example")
        let server = try TestHTTPServer(certificate: leaf.certificate, privateKey: leaf.privateKey)
        let client = try LWSHTTPClient.started(.init(additionalCAFilePath: pki.caCertificate))
        let result = await client.fetch(.json("{}", to: "https://127.0.0.1:\(server.port)/echo", timeout: .seconds(5)))
        #expect(result.failure == .tlsFailure("certificate rejected: IP address mismatch"))
        await client.stop()
        await server.stop()
    }

    @Test func plainHTTPToTheTLSPortFailsCleanly() async throws {
        let pki = try TestPKI()
        let leaf = try pki.issue("server", subjectAltName: "DNS:localhost,IP:127.0.0.1")
        let server = try TestHTTPServer(certificate: leaf.certificate, privateKey: leaf.privateKey)
        let client = try LWSHTTPClient.started()
        let result = await client.fetch(.json("{}", to: "http://127.0.0.1:\(server.port)/echo", timeout: .seconds(5)))
        // The server closes instead of leaving the client hanging until its timeout.
        guard case .connectionClosedEarly = result.failure else {
            Issue.record("expected connectionClosedEarly, got \(result)")
            return
        }
        // The server still serves HTTPS afterwards.
        let trusting = try LWSHTTPClient.started(.init(additionalCAFilePath: pki.caCertificate))
        let again = await trusting.fetch(.json("{}", to: "https://127.0.0.1:\(server.port)/echo"))
        #expect((try? again.get())?.status == 200)
        await trusting.stop()
        await client.stop()
        await server.stop()
    }

    @Test func missingCertificateFileIsAClearError() throws {
        let pki = try TestPKI()
        let leaf = try pki.issue("server", subjectAltName: "DNS:localhost")
        let missing = pki.directory.appendingPathComponent("nope.pem").path
        let error = #expect(throws: LWSError.self) {
            _ = try TestHTTPServer(certificate: missing, privateKey: leaf.privateKey)
        }
        #expect(error?.reason.contains("nope.pem") == true)
    }

    @Test func certificateWithoutKeyIsAClearError() throws {
        let pki = try TestPKI()
        let leaf = try pki.issue("server", subjectAltName: "DNS:localhost")
        let error = #expect(throws: LWSError.self) { _ = try TestHTTPServer(certificate: leaf.certificate) }
        #expect(error?.reason.contains("both") == true)
    }

    @Test func nonPEMFileIsAClearError() throws {
        let pki = try TestPKI()
        let leaf = try pki.issue("server", subjectAltName: "DNS:localhost")
        let garbage = pki.directory.appendingPathComponent("garbage.pem").path
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: garbage))
        let error = #expect(throws: LWSError.self) {
            _ = try TestHTTPServer(certificate: garbage, privateKey: leaf.privateKey)
        }
        #expect(error?.reason.contains("not PEM") == true)
    }

    @Test func mismatchedKeyIsAClearError() throws {
        let pki = try TestPKI()
        let leaf = try pki.issue("server", subjectAltName: "DNS:localhost")
        let error = #expect(throws: LWSError.self) {
            _ = try TestHTTPServer(certificate: leaf.certificate, privateKey: pki.caKey)
        }
        #expect(error?.reason.contains("not a matching PEM pair") == true)
    }

    @Test func unreadableAdditionalCAFileFailsClientStart() {
        let client = LWSHTTPClient(configuration: .init(additionalCAFilePath: "/nonexistent/ca.pem"), logger: .quiet)
        #expect(throws: LWSError.self) { try client.start() }
    }
}

/// A throwaway CA and leaf certificates, made with the `openssl` command line in a fresh temp folder.
struct TestPKI {
    let directory: URL
    var caCertificate: String { directory.appendingPathComponent("ca.pem").path }
    var caKey: String { directory.appendingPathComponent("ca.key").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("wallboardd-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key",
            "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=wallboardd test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    /// A certificate for `subjectAltName` signed by the CA; returns the PEM paths.
    func issue(_ name: String, subjectAltName: String) throws -> (certificate: String, privateKey: String) {
        let extensions = directory.appendingPathComponent("\(name).ext")
        try Data(
            """
            subjectAltName=\(subjectAltName)
            basicConstraints=CA:FALSE
            keyUsage=digitalSignature,keyEncipherment
            extendedKeyUsage=serverAuth

            """.utf8
        ).write(to: extensions)
        try openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "\(name).key",
            "-out", "\(name).csr", "-subj", "/CN=\(name)",
        ])
        try openssl([
            "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
            "\(name).pem", "-days", "2", "-extfile", extensions.path,
        ])
        let certificate = directory.appendingPathComponent("\(name).pem").path
        return (certificate, directory.appendingPathComponent("\(name).key").path)
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("openssl \(arguments.first ?? "") failed: \(String(decoding: output, as: UTF8.self))")
        }
    }
}

/// What the stream ingest did since start, for `/metrics` and the log. A value copy: read it with
/// ``StreamIngestServer/counters`` from any thread.
public struct StreamIngestCounters: Sendable, Equatable {
    /// Connections open now.
    public var connectionsOpen = 0
    /// Connections accepted since start.
    public var connectionsTotal = 0
    /// Connections closed at once because ``StreamIngestConfiguration/maxConnections`` were open.
    public var connectionsRefused = 0
    /// Connections closed at once because they would have taken a reserved descriptor.
    public var descriptorRefusals = 0
    /// `accept` calls that failed for want of descriptors; each one pauses the listener.
    public var acceptFailures = 0
    /// Bytes read from clients.
    public var bytesReceived = 0
    /// Reply bytes written to clients.
    public var bytesSent = 0
    /// Non-blank lines read (events and errors).
    public var lines = 0
    /// Lines applied by the engine (status `accepted`).
    public var accepted = 0
    /// Lines whose event id was already applied (status `duplicate`).
    public var duplicates = 0
    /// Lines held back by the engine for a missing predecessor (status `held`).
    public var held = 0
    /// Lines applied in memory but not journaled (status `not_stored`).
    public var notStored = 0
    /// Rejected lines by code (`not_an_object`, `missing_field`, ..., `line_too_long`, `unknown_contact`, ...).
    public var rejectedByCode: [String: Int] = [:]
    /// How many times a connection's reading was paused for backpressure (engine or reply buffer full).
    public var readPauses = 0
    /// Connections whose reading is paused for backpressure now.
    public var connectionsPaused = 0
    /// Input, in-flight line (their events wait for the engine) and reply bytes buffered in the server now,
    /// over all connections.
    public var bufferedBytes = 0
    /// The most bytes one connection ever had buffered (input, lines in flight, replies): bounded by the
    /// configuration.
    public var peakConnectionBufferedBytes = 0

    public init() {}

    /// Rejected lines over all codes.
    public var rejected: Int { rejectedByCode.values.reduce(0, +) }

    /// Adds the `wallboardd_stream_ingest_*` families to a Prometheus exposition.
    public func render(into renderer: inout MetricsRenderer) {
        renderer.add(
            "wallboardd_stream_ingest_connections", "gauge", "NDJSON stream ingest connections open now.",
            value: Double(connectionsOpen))
        renderer.add(
            "wallboardd_stream_ingest_connections_total", "counter", "NDJSON stream ingest connections accepted.",
            value: Double(connectionsTotal))
        renderer.add(
            "wallboardd_stream_ingest_connections_refused_total", "counter",
            "Stream connections closed at once because the connection limit was reached.", value: Double(connectionsRefused))
        renderer.add(
            "wallboardd_stream_ingest_descriptor_refusals_total", "counter",
            "Stream connections closed at once because the process was near its descriptor limit.",
            value: Double(descriptorRefusals))
        renderer.add(
            "wallboardd_stream_ingest_accept_failures_total", "counter",
            "Stream accepts that failed for want of descriptors (each pauses the listener).",
            value: Double(acceptFailures))
        renderer.add(
            "wallboardd_stream_ingest_bytes_received_total", "counter", "Bytes read from stream ingest clients.",
            value: Double(bytesReceived))
        renderer.add(
            "wallboardd_stream_ingest_bytes_sent_total", "counter", "Reply bytes written to stream ingest clients.",
            value: Double(bytesSent))
        renderer.add(
            "wallboardd_stream_ingest_lines_total", "counter", "Stream ingest lines by outcome.",
            labels: [("status", "accepted")], value: Double(accepted))
        renderer.add(
            "wallboardd_stream_ingest_lines_total", "counter", "Stream ingest lines by outcome.",
            labels: [("status", "duplicate")], value: Double(duplicates))
        renderer.add(
            "wallboardd_stream_ingest_lines_total", "counter", "Stream ingest lines by outcome.",
            labels: [("status", "held")], value: Double(held))
        renderer.add(
            "wallboardd_stream_ingest_lines_total", "counter", "Stream ingest lines by outcome.",
            labels: [("status", "not_stored")], value: Double(notStored))
        renderer.add(
            "wallboardd_stream_ingest_lines_total", "counter", "Stream ingest lines by outcome.",
            labels: [("status", "rejected")], value: Double(rejected))
        for (code, count) in rejectedByCode.sorted(by: { $0.key < $1.key }) {
            renderer.add(
                "wallboardd_stream_ingest_rejected_total", "counter", "Rejected stream ingest lines by code.",
                labels: [("code", code)], value: Double(count))
        }
        renderer.add(
            "wallboardd_stream_ingest_read_pauses_total", "counter",
            "Times a stream connection's reading was paused for backpressure.", value: Double(readPauses))
        renderer.add(
            "wallboardd_stream_ingest_connections_paused", "gauge",
            "Stream connections not being read now because of backpressure.", value: Double(connectionsPaused))
        renderer.add(
            "wallboardd_stream_ingest_buffered_bytes", "gauge",
            "Input, in-flight line and reply bytes buffered for stream clients now.",
            value: Double(bufferedBytes))
    }
}

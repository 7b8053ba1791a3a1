import Dispatch
import JSONModel
import LWS
import Synchronization
import WallboardCore

/// `POST /api/v1/events`: the body is decoded on ``WallboardAPI/ingestQueue`` (not the lws service
/// thread, not the engine queue) and handed to the engine in chunks as it is decoded, so the engine
/// applies one chunk while the next is parsed; the answer waits for every chunk (see `docs/ingest.md`).
extension WallboardAPI {
    /// Events per hop to the engine queue.
    static let ingestChunkEvents = 2000

    func ingest(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        // A JSON or NDJSON Content-Type was required by `admit` (RequestScreen.checkBodyType).
        guard request.body.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            respond(Self.error(400, "the body is empty: send one JSON event, a JSON array of events, or NDJSON lines"))
            return
        }
        let body = request.body
        let limits = engine.eventLimits
        ingestQueue.async { [self] in decodeAndApply(body, limits: limits, respond: respond) }
    }

    /// On the ingest queue: decodes `body` chunk by chunk, hands each chunk to the engine at once, and
    /// answers when the engine has answered every chunk.
    private func decodeAndApply(_ body: [UInt8], limits: EventLimits, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let chunks = Mutex<[Int: (events: [(line: Int, event: Event)], outcome: EngineService.ApplyOutcome)]>([:])
        let group = DispatchGroup()
        var errors: [EventBatchDecoder.LineError] = []
        var chunkIndex = 0
        EventBatchDecoder.decode(body, limits: limits, chunkEvents: Self.ingestChunkEvents) { decoded, chunkErrors in
            errors += chunkErrors
            let index = chunkIndex
            chunkIndex += 1
            group.enter()
            let events = decoded.map(\.event)
            // The journal's records too are encoded here, off the engine queue.
            engine.apply(events, journalFrames: engine.journalFrames(of: events)) { outcome in
                chunks.withLock { $0[index] = (decoded, outcome) }
                group.leave()
            }
        }
        engine.countRejections(errors.map(\.rejection))
        let count = chunkIndex
        group.notify(queue: ingestQueue) {
            var decoded: [(line: Int, event: Event)] = []
            var outcome = EngineService.ApplyOutcome(results: [])
            chunks.withLock { chunks in
                for index in 0..<count {
                    guard let chunk = chunks[index] else { continue }
                    // The Redis sink refused a chunk (Redis down, `on_unavailable: refuse`): the whole batch
                    // is answered 503 and is to be retried; events already applied count as duplicates then.
                    if outcome.refusal == nil { outcome.refusal = chunk.outcome.refusal }
                    for (position, failure) in chunk.outcome.storageFailures {
                        outcome.storageFailures[decoded.count + position] = failure
                    }
                    decoded += chunk.events
                    outcome.results += chunk.outcome.results
                }
            }
            if let refusal = outcome.refusal { return respond(Self.error(503, refusal)) }
            respond(Self.ingestResponse(decoded: decoded, errors: errors, outcome: outcome))
        }
    }

    /// The answer to a batch: what was accepted, duplicate, held, rejected (by line), or `507` when
    /// accepted events could not be stored.
    static func ingestResponse(
        decoded: [(line: Int, event: Event)], errors: [EventBatchDecoder.LineError], outcome: EngineService.ApplyOutcome
    ) -> HTTPResponse {
        let results = outcome.results
        var applied = 0
        var duplicates = 0
        var held: [JSONValue] = []
        var rejected: [JSONValue] = errors.map { error in
            var entry: JSONObject = ["line": .int(error.line)]
            if let id = error.id { entry["id"] = .string(id) }
            entry["code"] = .string(error.rejection.code.rawValue)
            entry["reason"] = .string(error.rejection.message)
            return .object(entry)
        }
        for (item, result) in zip(decoded, results) {
            switch result {
            case .applied: applied += 1
            case .duplicate: duplicates += 1
            case .held(let rejection):
                held.append(
                    ["line": .int(item.line), "id": .string(item.event.id), "code": .string(rejection.code.rawValue),
                     "reason": .string(rejection.message)])
            case .rejected(let rejection):
                rejected.append(
                    ["line": .int(item.line), "id": .string(item.event.id), "code": .string(rejection.code.rawValue),
                     "reason": .string(rejection.message)])
            }
        }
        let notStored: [JSONValue] = outcome.storageFailures.keys.sorted().map { index in
            ["line": .int(decoded[index].line), "id": .string(decoded[index].event.id),
             "reason": .string(outcome.storageFailures[index]!)]
        }
        if !notStored.isEmpty {
            return json(
                507,
                ["error": "events were applied but could not be stored; retry the batch (duplicates are ignored)",
                 "not_stored": .array(notStored)])
        }
        rejected.sort { ($0["line"]?.integerValue ?? 0) < ($1["line"]?.integerValue ?? 0) }
        let status = applied + duplicates + held.count == 0 && !rejected.isEmpty ? 422 : 200
        return json(
            status,
            ["accepted": .int(applied), "duplicates": .int(duplicates), "held": .array(held),
             "rejected": .array(rejected)])
    }
}

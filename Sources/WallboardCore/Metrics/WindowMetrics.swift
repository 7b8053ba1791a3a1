/// The queue figures of one window for one scope (a queue or the whole center).
///
/// Built by adding up departures and handled contacts one by one, so a rollup over queues is
/// weighted by counts (never an average of averages): each departure is judged by its own queue's settings.
public struct WindowMetrics: Sendable, Equatable {
    /// Contacts that left the queue, short abandons excluded: answered + abandoned + transferred out.
    public var offered = 0
    public var answered = 0
    /// Abandons with a wait of at least the short-abandon limit.
    public var abandoned = 0
    /// Abandons with a wait under the short-abandon limit: excluded from every other figure.
    public var shortAbandoned = 0
    public var transferredOut = 0
    public var answeredWithinThreshold = 0
    public var abandonedWithinThreshold = 0
    /// Numerator and denominator of the service level, each departure judged by its queue's treatment.
    public var serviceLevelNumerator = 0
    public var serviceLevelDenominator = 0
    public var totalAnswerWait: Millis = 0
    public var maxWait: Millis?
    public var handledCount = 0
    public var totalHandleTime: Millis = 0

    public init() {}

    /// Counts one departure, judged by `settings` (its queue's).
    public mutating func add(_ departure: QueueDeparture, settings: QueueSettings) {
        let within = departure.wait <= settings.threshold
        switch departure.outcome {
        case .abandoned where settings.shortAbandon > 0 && departure.wait < settings.shortAbandon:
            shortAbandoned += 1
            return
        case .answered:
            answered += 1
            totalAnswerWait += departure.wait
            if within { answeredWithinThreshold += 1 }
            serviceLevelDenominator += 1
            if within { serviceLevelNumerator += 1 }
        case .abandoned:
            abandoned += 1
            if within { abandonedWithinThreshold += 1 }
            switch settings.abandonTreatment {
            case .ignore: break
            case .negative: serviceLevelDenominator += 1
            case .positive:
                serviceLevelDenominator += 1
                if within { serviceLevelNumerator += 1 }
            }
        case .transferredOut:
            transferredOut += 1
        }
        offered += 1
        maxWait = max(maxWait ?? 0, departure.wait)
    }

    /// Counts one contact whose wrap-up ended in the window.
    public mutating func add(_ handledContact: HandledContact) {
        handledCount += 1
        totalHandleTime += handledContact.handleTime
    }

    /// Service level as a fraction, `nil` with no contacts to judge.
    public var serviceLevel: Double? {
        serviceLevelDenominator == 0 ? nil : Double(serviceLevelNumerator) / Double(serviceLevelDenominator)
    }

    /// abandoned / (answered + abandoned), `nil` with neither.
    public var abandonRate: Double? {
        answered + abandoned == 0 ? nil : Double(abandoned) / Double(answered + abandoned)
    }

    /// Mean wait of answered contacts, in seconds.
    public var averageSpeedOfAnswer: Double? {
        answered == 0 ? nil : Double(totalAnswerWait) / Double(answered) / 1000
    }

    /// Mean handle time (talk + hold + wrap-up) of contacts whose wrap-up ended in the window, in seconds.
    public var averageHandleTime: Double? {
        handledCount == 0 ? nil : Double(totalHandleTime) / Double(handledCount) / 1000
    }
}

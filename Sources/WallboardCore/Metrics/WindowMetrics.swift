/// The figures of one window for one scope (a queue, a team, a channel, ... or the whole center).
///
/// Built by adding up timeline entries one by one, so a rollup over queues is weighted by counts
/// (never an average of averages): each departure is judged by its own queue's settings. Every field
/// is a count or a sum, so two disjoint parts of a window merge exactly (``merge(_:)``).
public struct WindowMetrics: Sendable, Equatable {
    /// Contacts that left the queue, short abandons excluded: answered + abandoned + transferred out.
    public var offered = 0
    public var answered = 0
    /// Abandons with a wait of at least the short-abandon limit.
    public var abandoned = 0
    /// Abandons with a wait under the short-abandon limit: excluded from every other figure.
    public var shortAbandoned = 0
    /// Contacts transferred to another queue while still waiting in this one.
    public var transferredOut = 0
    /// Contacts the engine closed because they never ended or a source's live state no longer had them
    /// (docs/metrics.md, "Expired contacts"): counted in nothing else.
    public var expired = 0
    public var answeredWithinThreshold = 0
    public var abandonedWithinThreshold = 0
    /// Numerator and denominator of the service level, each departure judged by its queue's treatment.
    public var serviceLevelNumerator = 0
    public var serviceLevelDenominator = 0
    public var totalAnswerWait: Millis = 0
    /// Longest wait of a departure (short abandons excluded).
    public var maxWait: Millis?
    /// Offered contacts whose customer had contacted the center within the repeat window.
    public var repeatContacts = 0
    /// Offered contacts by channel and by contact type (reason; "unspecified" without one).
    public var channelMix: [String: Int] = [:]
    public var reasonMix: [String: Int] = [:]
    /// `contact.transferred` events (to a queue or an agent), counted against the queue left.
    public var transfers = 0

    /// Contacts whose wrap-up ended in the window, and their talk, hold and wrap-up time.
    public var handledCount = 0
    public var totalTalk: Millis = 0
    public var totalHold: Millis = 0
    public var totalWrapUp: Millis = 0

    /// Survey answers in the window.
    public var csatCount = 0
    public var csatSum = 0
    /// CSAT answers of 4 or 5.
    public var csatSatisfied = 0
    public var cesCount = 0
    public var cesSum = 0
    public var resolvedAnswers = 0
    public var resolvedYes = 0

    /// Agent time inside the window: on a contact or in wrap-up, available, and logged in (any state).
    public var handlingTime: Millis = 0
    public var availableTime: Millis = 0
    public var loggedInTime: Millis = 0

    /// Callbacks requested, attempted, connected and failed (docs/metrics.md, "Callbacks"): in no figure above.
    public var callbacks = CallbackFigures()
    /// Self-service entries and outcomes per entry point (center only; docs/metrics.md, "Self-service containment").
    public var selfService = SelfServiceFigures()

    public init() {}

    /// Talk + hold + wrap-up of the handled contacts.
    public var totalHandleTime: Millis { totalTalk + totalHold + totalWrapUp }

    /// Counts one departure, judged by `settings` (its queue's).
    public mutating func add(_ departure: QueueDeparture, settings: QueueSettings) {
        count(departure, settings: settings, sign: 1)
    }

    /// Counts one contact whose wrap-up ended in the window.
    public mutating func add(_ handled: HandledContact) { count(handled, sign: 1) }

    /// Counts one transfer.
    public mutating func add(_ transfer: TransferRecord) { transfers += 1 }

    /// Counts one survey's answers.
    public mutating func add(_ survey: SurveyResult) { count(survey, sign: 1) }

    /// Counts one callback event, a connected one judged by `settings` (its queue's callback threshold).
    public mutating func add(_ callback: CallbackRecord, settings: QueueSettings) {
        callbacks.count(callback, threshold: settings.callbackThreshold, sign: 1)
    }

    /// Takes back a callback event counted under the same settings (its longest wait excepted).
    public mutating func subtract(_ callback: CallbackRecord, settings: QueueSettings) {
        callbacks.count(callback, threshold: settings.callbackThreshold, sign: -1)
    }

    /// Counts one self-service event.
    public mutating func add(_ record: SelfServiceRecord) { selfService.count(record, sign: 1) }

    /// Takes back a self-service event counted before.
    public mutating func subtract(_ record: SelfServiceRecord) { selfService.count(record, sign: -1) }

    /// Takes back exactly what ``add(_:settings:)`` counted for `departure` under the same settings,
    /// except ``maxWait`` (a maximum cannot be taken back; rolling windows keep it apart, see
    /// ``MaxDeque``). A mix key whose count reaches 0 is removed, so the result equals never having added.
    public mutating func subtract(_ departure: QueueDeparture, settings: QueueSettings) {
        count(departure, settings: settings, sign: -1)
    }

    /// Takes back a handled contact, a transfer or a survey counted before.
    public mutating func subtract(_ handled: HandledContact) { count(handled, sign: -1) }
    public mutating func subtract(_ transfer: TransferRecord) { transfers -= 1 }
    public mutating func subtract(_ survey: SurveyResult) { count(survey, sign: -1) }

    private mutating func count(_ departure: QueueDeparture, settings: QueueSettings, sign: Int) {
        guard !countExceptMixes(departure, settings: settings, sign: sign) else { return }
        Self.count(departure.channel.rawValue, in: &channelMix, sign: sign)
        Self.count(departure.reason ?? "unspecified", in: &reasonMix, sign: sign)
    }

    /// Counts everything of a departure but the channel and reason mixes (``Tally`` keeps those by id);
    /// true when it was a short abandon or an expired contact, which count in nothing else.
    mutating func countExceptMixes(_ departure: QueueDeparture, settings: QueueSettings, sign: Int) -> Bool {
        countExceptMixes(
            outcome: departure.outcome, wait: departure.wait, isRepeat: departure.isRepeat,
            judgement: Judgement(settings), sign: sign)
    }

    /// ``countExceptMixes(_:settings:sign:)`` from a departure's outcome, wait and repeat mark.
    mutating func countExceptMixes(
        outcome: QueueDeparture.Outcome, wait departureWait: Millis, isRepeat: Bool, judgement settings: Judgement, sign: Int
    ) -> Bool {
        let within = departureWait <= settings.threshold
        let wait = sign > 0 ? departureWait : -departureWait
        switch outcome {
        case .expired:
            expired += sign
            return true
        case .abandoned where settings.shortAbandon > 0 && departureWait < settings.shortAbandon:
            shortAbandoned += sign
            return true
        case .answered:
            answered += sign
            totalAnswerWait += wait
            serviceLevelDenominator += sign
            if within {
                answeredWithinThreshold += sign
                serviceLevelNumerator += sign
            }
        case .abandoned:
            abandoned += sign
            if within { abandonedWithinThreshold += sign }
            switch settings.abandonTreatment {
            case .ignore: break
            case .negative: serviceLevelDenominator += sign
            case .positive:
                serviceLevelDenominator += sign
                if within { serviceLevelNumerator += sign }
            }
        case .transferredOut:
            transferredOut += sign
        }
        offered += sign
        if isRepeat { repeatContacts += sign }
        if sign > 0 { maxWait = max(maxWait ?? 0, departureWait) }
        return false
    }

    private mutating func count(_ handled: HandledContact, sign: Int) {
        countHandled(talk: handled.talk, hold: handled.hold, wrapUp: handled.wrapUp, sign: sign)
    }

    /// Counts (`sign` 1) or takes back (-1) a handled contact of these times.
    mutating func countHandled(talk: Millis, hold: Millis, wrapUp: Millis, sign: Int) {
        let signed = Millis(sign)
        handledCount += sign
        totalTalk += signed * talk
        totalHold += signed * hold
        totalWrapUp += signed * wrapUp
    }

    private mutating func count(_ survey: SurveyResult, sign: Int) {
        if let csat = survey.csat {
            csatCount += sign
            csatSum += sign * csat
            if csat >= 4 { csatSatisfied += sign }
        }
        if let ces = survey.ces {
            cesCount += sign
            cesSum += sign * ces
        }
        if let resolved = survey.resolved {
            resolvedAnswers += sign
            if resolved { resolvedYes += sign }
        }
    }

    private static func count(_ key: String, in mix: inout [String: Int], sign: Int) {
        let value = (mix[key] ?? 0) + sign
        mix[key] = value == 0 ? nil : value
    }

    /// Whether a departure judged by `settings` counts in ``maxWait`` (short abandons never do).
    static func countsWait(_ departure: QueueDeparture, settings: QueueSettings) -> Bool {
        countsWait(outcome: departure.outcome, wait: departure.wait, judgement: Judgement(settings))
    }

    /// ``countsWait(_:settings:)`` from a departure's outcome and wait.
    static func countsWait(outcome: QueueDeparture.Outcome, wait: Millis, judgement settings: Judgement) -> Bool {
        outcome != .expired && !(outcome == .abandoned && settings.shortAbandon > 0 && wait < settings.shortAbandon)
    }

    /// Counts `duration` milliseconds an agent spent in `state` inside the window.
    public mutating func add(agentTime duration: Millis, in state: AgentState) {
        guard duration > 0, state != .offline else { return }
        loggedInTime += duration
        switch state {
        case .onContact, .wrapUp: handlingTime += duration
        case .available: availableTime += duration
        case .ringing, .notReady, .offline: break
        }
    }

    /// Adds the figures of a disjoint part of the same window.
    public mutating func merge(_ other: WindowMetrics) {
        offered += other.offered
        answered += other.answered
        abandoned += other.abandoned
        shortAbandoned += other.shortAbandoned
        transferredOut += other.transferredOut
        expired += other.expired
        answeredWithinThreshold += other.answeredWithinThreshold
        abandonedWithinThreshold += other.abandonedWithinThreshold
        serviceLevelNumerator += other.serviceLevelNumerator
        serviceLevelDenominator += other.serviceLevelDenominator
        totalAnswerWait += other.totalAnswerWait
        if let wait = other.maxWait { maxWait = max(maxWait ?? 0, wait) }
        repeatContacts += other.repeatContacts
        channelMix.merge(other.channelMix, uniquingKeysWith: +)
        reasonMix.merge(other.reasonMix, uniquingKeysWith: +)
        transfers += other.transfers
        handledCount += other.handledCount
        totalTalk += other.totalTalk
        totalHold += other.totalHold
        totalWrapUp += other.totalWrapUp
        csatCount += other.csatCount
        csatSum += other.csatSum
        csatSatisfied += other.csatSatisfied
        cesCount += other.cesCount
        cesSum += other.cesSum
        resolvedAnswers += other.resolvedAnswers
        resolvedYes += other.resolvedYes
        handlingTime += other.handlingTime
        availableTime += other.availableTime
        loggedInTime += other.loggedInTime
        callbacks.merge(other.callbacks)
        selfService.merge(other.selfService)
    }
}

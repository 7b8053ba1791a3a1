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

    public init() {}

    /// Talk + hold + wrap-up of the handled contacts.
    public var totalHandleTime: Millis { totalTalk + totalHold + totalWrapUp }

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
            serviceLevelDenominator += 1
            if within {
                answeredWithinThreshold += 1
                serviceLevelNumerator += 1
            }
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
        if departure.isRepeat { repeatContacts += 1 }
        channelMix[departure.channel.rawValue, default: 0] += 1
        reasonMix[departure.reason ?? "unspecified", default: 0] += 1
        maxWait = max(maxWait ?? 0, departure.wait)
    }

    /// Counts one contact whose wrap-up ended in the window.
    public mutating func add(_ handled: HandledContact) {
        handledCount += 1
        totalTalk += handled.talk
        totalHold += handled.hold
        totalWrapUp += handled.wrapUp
    }

    /// Counts one transfer.
    public mutating func add(_ transfer: TransferRecord) { transfers += 1 }

    /// Counts one survey's answers.
    public mutating func add(_ survey: SurveyResult) {
        if let csat = survey.csat {
            csatCount += 1
            csatSum += csat
            if csat >= 4 { csatSatisfied += 1 }
        }
        if let ces = survey.ces {
            cesCount += 1
            cesSum += ces
        }
        if let resolved = survey.resolved {
            resolvedAnswers += 1
            if resolved { resolvedYes += 1 }
        }
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
    }
}

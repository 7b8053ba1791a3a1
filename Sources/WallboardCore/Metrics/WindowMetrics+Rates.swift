extension WindowMetrics {
    /// Service level as a fraction, `nil` with no contacts to judge.
    public var serviceLevel: Double? { ratio(serviceLevelNumerator, serviceLevelDenominator) }

    /// abandoned / (answered + abandoned), `nil` with neither.
    public var abandonRate: Double? { ratio(abandoned, answered + abandoned) }

    /// Mean wait of answered contacts, in seconds.
    public var averageSpeedOfAnswer: Double? { seconds(totalAnswerWait, per: answered) }

    /// Mean handle time (talk + hold + wrap-up) of contacts whose wrap-up ended in the window, in seconds.
    public var averageHandleTime: Double? { seconds(totalHandleTime, per: handledCount) }
    /// Mean talk (hold excluded), hold and wrap-up time of the same contacts, in seconds.
    public var averageTalk: Double? { seconds(totalTalk, per: handledCount) }
    public var averageHold: Double? { seconds(totalHold, per: handledCount) }
    public var averageWrapUp: Double? { seconds(totalWrapUp, per: handledCount) }

    /// handling / (handling + available) agent time, `nil` with neither.
    public var occupancy: Double? { ratio(handlingTime, handlingTime + availableTime) }
    /// handling / logged-in agent time, `nil` with none.
    public var utilization: Double? { ratio(handlingTime, loggedInTime) }

    /// repeat contacts / offered.
    public var repeatRate: Double? { ratio(repeatContacts, offered) }
    /// Mean CSAT (1–5) and the share of 4s and 5s.
    public var csatAverage: Double? { ratio(csatSum, csatCount) }
    public var csatSatisfiedRate: Double? { ratio(csatSatisfied, csatCount) }
    /// Mean customer effort score (1–7).
    public var cesAverage: Double? { ratio(cesSum, cesCount) }
    /// First-contact resolution: surveys saying resolved / surveys answering the question.
    public var firstContactResolution: Double? { ratio(resolvedYes, resolvedAnswers) }

    private func ratio<I: BinaryInteger>(_ numerator: I, _ denominator: I) -> Double? {
        denominator == 0 ? nil : Double(numerator) / Double(denominator)
    }

    private func seconds(_ total: Millis, per count: Int) -> Double? {
        count == 0 ? nil : Double(total) / Double(count) / 1000
    }
}

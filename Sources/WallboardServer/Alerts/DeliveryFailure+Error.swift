import WallboardAlerts

/// Lets a delivery failure travel in a `Result`.
extension DeliveryFailure: Error {}

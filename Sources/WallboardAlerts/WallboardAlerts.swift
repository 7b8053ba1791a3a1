/// Threshold alert rules, their lifecycle, and notification payloads (pure Swift, clock passed in).
public enum WallboardAlerts {}

/// Asterisk Manager Interface source: turns AMI messages into canonical wallboard events.
public enum AMIAdapter {}

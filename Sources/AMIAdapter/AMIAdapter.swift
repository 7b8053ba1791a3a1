/// Asterisk Manager Interface source: turns AMI bytes into canonical wallboard events.
///
/// Pure Swift: no sockets, no Dispatch, no clock. The server's TCP client feeds bytes and the time of
/// arrival into an ``AMISession`` (or the parts it is made of: ``AMIFrameDecoder``,
/// ``AMIActionCorrelator``, ``AMIEventMapper``) and writes the bytes it returns. See `docs/asterisk.md`.
public enum AMIAdapter {
    /// The AMI banner's prefix, `Asterisk Call Manager/x.y.z`.
    public static let bannerPrefix = "Asterisk Call Manager/"
}

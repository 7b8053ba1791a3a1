/// The event journal on disk: daily segments, fsync policy, torn-tail recovery, checkpoints.
public enum WallboardJournal {}

/// Where an observation's mount table comes from: the one place that decides between
/// observing this host and planning against a table captured elsewhere.
public enum MountTableSource: Hashable, Sendable {
  /// `/proc/self/mountinfo`. It must parse whole (a mount left out could get another
  /// stacked on it), and this host's filesystem is probed too.
  case live
  /// A saved table (`--mountinfo FILE`). Malformed lines are skipped and reported;
  /// nothing of this machine's filesystem is probed, since it describes another host.
  case saved(path: String)

  /// The file read.
  public var path: String {
    switch self {
    case .live: return "/proc/self/mountinfo"
    case .saved(let path): return path
    }
  }
}

/// An observation with what reading the table had to skip.
public struct Observation: Sendable {
  public var state: ObservedState
  /// Malformed lines of a saved table, skipped; always empty for the live one.
  public var malformedLines: [MalformedMountInfoLine]
}

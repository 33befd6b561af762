import LinuxKernel

/// Sorts fanotify mount events (6.15+) into those that may concern `root` and those
/// that cannot, with one `statmount` per attached mount. A detached mount can no
/// longer be asked where it was, so the filter remembers where each mount it saw
/// attached was; one it never saw (older than the watcher) counts as relevant.
struct MountEventFilter {
  private var inside: Set<UInt64> = []
  private var outside: Set<UInt64> = []

  /// Whether any of `events` may concern a mount at or below the targets' root.
  mutating func anyRelevant(_ events: [FanotifyMounts.Event], targets: WatchTargets) -> Bool {
    var relevant = false
    for event in events {
      if event.attached {
        // A mount that moved reports both: ask where it is now.
        let point: String?? = try? FanotifyMounts.mountPoint(of: event.mountID)
        if let known = point, let point = known {
          if targets.covers(mountPoint: point) {
            outside.remove(event.mountID)
            inside.insert(event.mountID)
            relevant = true
          } else {
            if inside.remove(event.mountID) != nil { relevant = true }
            outside.insert(event.mountID)
          }
        } else {
          // Gone already, or statmount failed: unknown, so look.
          relevant = relevant || !outside.contains(event.mountID)
          outside.remove(event.mountID)
          inside.remove(event.mountID)
        }
      } else if event.detached {
        if outside.remove(event.mountID) != nil { continue }
        inside.remove(event.mountID)
        relevant = true
      }
    }
    return relevant
  }

  /// Forgets where mounts were (the root moved with a new config).
  mutating func reset() {
    inside = []
    outside = []
  }
}

import LinuxKernel
import SystemPackage

/// The part of the host a full run depends on that events cannot describe exactly:
/// the mount table's lines at or below `root`, and which lease lock files are
/// `flock`ed. Two equal values mean nothing a run would look at has changed, so
/// the watcher compares them instead of running: a storm of mounts elsewhere, or the
/// events the watcher's own run caused, cost one read of the table and no run.
///
/// Reading it causes no event the watcher listens to: `/proc/self/mountinfo` and
/// `/proc/locks` are read, lock files are only `stat`ed, never opened.
struct WatchedState: Equatable {
  /// The table's lines whose mount point is `root` or below it, in table order.
  var managedLines: [UInt8]
  /// `major:minor:inode` of every `flock` on a lease directory's filesystem.
  var heldLocks: Set<String>

  /// Reads both now.
  static func read(_ targets: WatchTargets) -> WatchedState {
    let table = (try? Files.contents(of: "/proc/self/mountinfo")) ?? []
    return WatchedState(
      managedLines: managedLines(of: table, root: targets.root),
      heldLocks: heldLocks(in: (try? Files.contents(of: "/proc/locks")) ?? [], devices: targets.leaseDevices))
  }

  /// The lines of `table` (mountinfo) whose mount point (the fifth field) is `root`
  /// or lies below it; `root` is compared in mountinfo's octal-escaped form.
  static func managedLines(of table: [UInt8], root: String) -> [UInt8] {
    let escaped = escape(root)
    var result: [UInt8] = []
    var lineStart = 0
    while lineStart < table.count {
      let lineEnd = table[lineStart...].firstIndex(of: 10) ?? table.count
      var field = 0
      var index = lineStart
      while index < lineEnd && field < 4 {
        if table[index] == 32 { field += 1 }
        index += 1
      }
      let point = index
      if field == 4 && lineEnd - point >= escaped.count && table[point..<(point + escaped.count)].elementsEqual(escaped)
      {
        let after = point + escaped.count
        if after == lineEnd || table[after] == 32 || table[after] == 47 || escaped == [47] {
          result += table[lineStart..<min(lineEnd + 1, table.count)]
        }
      }
      lineStart = lineEnd + 1
    }
    return result
  }

  /// `/proc/locks`' FLOCK entries on `devices` (dev_t values), as `major:minor:inode`.
  static func heldLocks(in locks: [UInt8], devices: Set<UInt64>) -> Set<String> {
    let wanted = Set(
      devices.map { device -> String in
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
        let minor = (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
        return hex2(major) + ":" + hex2(minor) + ":"
      })
    var held: Set<String> = []
    for line in String(decoding: locks, as: UTF8.self).split(separator: "\n") {
      let fields = line.split(separator: " ")
      guard fields.count >= 6, fields[1] == "FLOCK" else { continue }
      let identity = String(fields[5])
      if wanted.contains(where: { identity.hasPrefix($0) }) { held.insert(identity) }
    }
    return held
  }

  private static func hex2(_ value: UInt64) -> String {
    let text = String(value, radix: 16)
    return text.count < 2 ? "0" + text : text
  }

  /// mountinfo's escaping: space, tab, newline and backslash as `\ooo`.
  private static func escape(_ path: String) -> [UInt8] {
    var bytes: [UInt8] = []
    for byte in path.utf8 {
      switch byte {
      case 32, 9, 10, 92:
        bytes += Array("\\0\(String(byte >> 3, radix: 8))\(String(byte & 7, radix: 8))".utf8)
      default: bytes.append(byte)
      }
    }
    return bytes
  }
}

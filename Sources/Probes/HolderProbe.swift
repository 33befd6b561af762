import LinuxKernel
import SystemPackage

/// Finds the processes that keep a mount busy, for the `EBUSY` report of DESIGN
/// invariant 3 (peer lesson 5: diagnose, don't just retry).
///
/// For every process in procfs it looks at `cwd`, `root`, `exe`, each open fd and
/// each mapped file, and compares the *mount id* each one lands on with the mount's
/// (and its submounts') ids, which `st_dev` could not tell apart for same-filesystem
/// binds. Processes in another mount namespace whose table holds a copy of the mount
/// (same target, `major:minor` and root) are reported too: such copies pinned the
/// seed's mounts (moby#34672). Processes that exit during the scan are skipped.
///
/// Read-only: it stats and reads procfs, and follows magic links without opening
/// their targets.
public struct HolderProbe: Sendable {
  /// The procfs mount to scan.
  public var procPath: String

  /// Makes a probe.
  ///
  /// - Parameter procPath: where procfs is mounted; `/proc` unless testing.
  public init(procPath: String = "/proc") {
    self.procPath = procPath
  }

  /// The holders of `mount` and of every mount below it in `table`.
  ///
  /// - Parameters:
  ///   - mount: the mount that could not be unmounted.
  ///   - table: the mount table it came from, for its submounts.
  /// - Returns: the holders, ordered by pid.
  public func holders(of mount: MountEntry, in table: MountTable) -> [MountHolder] {
    var below: Set<Int> = []
    var pending = [mount.id]
    while let id = pending.popLast() {
      for child in table.children(of: id) where below.insert(child.id).inserted {
        pending.append(child.id)
      }
    }
    below.remove(mount.id)
    return holders(of: mount, submountIDs: below)
  }

  /// The holders of `mount`, counting a hold on any of `submountIDs` as a hold on it.
  ///
  /// - Parameters:
  ///   - mount: the mount: its id for local holds; its target, `major:minor` and
  ///     root to recognise copies in other namespaces.
  ///   - submountIDs: ids of the mounts below it, which keep it busy too.
  /// - Returns: the holders, ordered by pid, each hold once.
  ///
  /// The corresponding C calls are `statx(2)` (`STATX_MNT_ID`), `readlink(2)` and
  /// `read(2)` on `/proc/<pid>/...`.
  public func holders(of mount: MountEntry, submountIDs: Set<Int> = []) -> [MountHolder] {
    let ids = submountIDs.union([mount.id])
    let identity = MountIdentityProbe()
    let ownNamespace = try? identity.lookUp(
      procPath + "/self/ns/mnt", followingFinalSymlink: true
    ).get()
    guard let names = try? Files.names(in: FilePath(procPath)) else { return [] }
    let pids = names.compactMap { Int32($0) }.sorted()

    var found: [MountHolder] = []
    var foreignNamespaces: [UInt64: [Int32]] = [:]
    for pid in pids {
      let base = "\(procPath)/\(pid)"
      let holds = localHolds(in: base, ids: ids, identity: identity)
      if !holds.isEmpty, let command = self.command(base) {
        found += holds.map { MountHolder(pid: pid, command: command, what: $0) }
      }
      if let own = ownNamespace,
        case .success(let namespace) = identity.lookUp(base + "/ns/mnt", followingFinalSymlink: true),
        namespace.inode != own.inode || namespace.device != own.device
      {
        foreignNamespaces[namespace.inode, default: []].append(pid)
      }
    }
    for (inode, members) in foreignNamespaces.sorted(by: { $0.key < $1.key }) {
      // One table per namespace; any member that is still alive can show it.
      let table = members.lazy.compactMap {
        ProcFile.text(of: "\(procPath)/\($0)/mountinfo")
      }.first
      guard let table, Self.mountInfo(table, containsCopyOf: mount) else { continue }
      for pid in members {
        guard let command = command("\(procPath)/\(pid)") else { continue }
        found.append(MountHolder(pid: pid, command: command, what: .otherMountNamespace(inode: inode)))
      }
    }
    return found.sorted { $0.pid < $1.pid }
  }

  /// The holds one process has on the mounts in `ids`.
  private func localHolds(in base: String, ids: Set<Int>, identity: MountIdentityProbe) -> [MountHolder.Kind] {
    func lands(_ link: String) -> String? {
      guard case .success(let target) = identity.lookUp(link, followingFinalSymlink: true),
        ids.contains(target.mountID)
      else { return nil }
      return (try? Files.linkTarget(of: FilePath(link)).string) ?? link
    }
    var holds: [MountHolder.Kind] = []
    if let path = lands(base + "/cwd") { holds.append(.workingDirectory(path: path)) }
    if let path = lands(base + "/root") { holds.append(.rootDirectory(path: path)) }
    if let path = lands(base + "/exe") { holds.append(.executable(path: path)) }
    let fds = (try? Files.names(in: FilePath(base + "/fd"))) ?? []
    for fd in fds.compactMap({ Int($0) }).sorted() {
      if let path = lands("\(base)/fd/\(fd)") { holds.append(.openFile(descriptor: fd, path: path)) }
    }
    var mapped: Set<String> = []
    for range in (try? Files.names(in: FilePath(base + "/map_files"))) ?? [] {
      if let path = lands("\(base)/map_files/\(range)"), mapped.insert(path).inserted {
        holds.append(.mappedFile(path: path))
      }
    }
    return holds
  }

  /// The process's command name, or nil when it has exited.
  private func command(_ base: String) -> String? {
    guard let text = ProcFile.text(of: base + "/comm") else { return nil }
    return text.hasSuffix("\n") ? String(text.dropLast()) : text
  }

  /// Whether a mountinfo text has a line for the same target, device and root as
  /// `mount`. Fields are compared in their escaped form, so nothing is unescaped.
  static func mountInfo(_ text: String, containsCopyOf mount: MountEntry) -> Bool {
    let device = "\(mount.major):\(mount.minor)"
    let root = mangle(mount.root)
    let target = mangle(mount.target)
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: false)
      guard fields.count >= 5 else { continue }
      if fields[2] == device && fields[3] == root && fields[4] == target { return true }
    }
    return false
  }

  /// The kernel's escaping of mountinfo paths (`mangle()` in `fs/proc_namespace.c`):
  /// space, tab, newline and backslash as three octal digits.
  static func mangle(_ path: String) -> String {
    var out = ""
    for scalar in path.unicodeScalars {
      switch scalar {
      case " ": out += "\\040"
      case "\t": out += "\\011"
      case "\n": out += "\\012"
      case "\\": out += "\\134"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}

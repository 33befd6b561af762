/// A process that keeps a mount busy, found when an unmount fails with `EBUSY`
/// (DESIGN invariant 3: say who holds it, then move on).
public struct MountHolder: Hashable, Sendable, CustomStringConvertible {
  /// How the process holds the mount.
  public enum Kind: Hashable, Sendable {
    /// Its working directory is on the mount (`/proc/<pid>/cwd`).
    case workingDirectory(path: String)
    /// Its root directory is on the mount (`/proc/<pid>/root`), as after `chroot`.
    case rootDirectory(path: String)
    /// It runs a program from the mount (`/proc/<pid>/exe`).
    case executable(path: String)
    /// It has a file on the mount open (`/proc/<pid>/fd/<n>`).
    case openFile(descriptor: Int, path: String)
    /// It has a file on the mount memory-mapped (`/proc/<pid>/map_files`).
    case mappedFile(path: String)
    /// It lives in another mount namespace whose table holds a copy of the mount
    /// (same target, device and root), identified by the namespace's inode.
    case otherMountNamespace(inode: UInt64)
  }

  /// The process id.
  public var pid: Int32
  /// The command name from `/proc/<pid>/comm`.
  public var command: String
  /// How it holds the mount.
  public var what: Kind

  /// Makes a holder.
  public init(pid: Int32, command: String, what: Kind) {
    self.pid = pid
    self.command = command
    self.what = what
  }

  /// "pid 4242 (sleep): working directory /var/lib/left4me/runtime/2/merged".
  public var description: String {
    let how: String
    switch what {
    case .workingDirectory(let path): how = "working directory \(path)"
    case .rootDirectory(let path): how = "root directory \(path)"
    case .executable(let path): how = "runs \(path)"
    case .openFile(let descriptor, let path): how = "open file \(path) (fd \(descriptor))"
    case .mappedFile(let path): how = "mapped file \(path)"
    case .otherMountNamespace(let inode): how = "holds a copy in mount namespace mnt:[\(inode)]"
    }
    return "pid \(pid) (\(command)): \(how)"
  }
}

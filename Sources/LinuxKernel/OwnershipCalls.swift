import CMountShims
import Glibc
import SystemPackage

/// The calls of the ownership walk, one directory level at a time. Names come straight
/// from `getdents64` as NUL-terminated bytes and are passed on as pointers, never
/// through `String`, so any byte but `/` and NUL (newlines, invalid UTF-8) survives;
/// descriptors are raw, since the walk keeps a window of them itself. Each call
/// returns the errno; the walk knows the path and says it.
public enum OwnershipCalls {
  /// What the walk needs of one entry, from one `statx(2)`.
  public struct Entry: Sendable {
    public var inode: UInt64
    public var device: UInt64
    /// As in mountinfo (`STATX_MNT_ID`).
    public var mountID: UInt64
    public var uid: UInt32
    public var gid: UInt32
    public var links: UInt32
    /// File type and permission bits.
    public var mode: UInt32

    public var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }
    public var isRegularFile: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFREG) }
    public var hasSetIDBits: Bool { mode & UInt32(S_ISUID | S_ISGID) != 0 }
  }

  /// `d_type` of a directory in a `linux_dirent64` record.
  public static let directoryType = UInt8(RCS_DT_DIR)

  /// `statx(2)` of `name` in `directory`, not following a symlink or an automount;
  /// with an empty name, of the descriptor itself (`AT_EMPTY_PATH`).
  public static func status(_ directory: Int32, _ name: UnsafePointer<CChar>) -> Result<Entry, Errno> {
    var raw = rcs_entry_stat()
    var flags = Int32(RCS_AT_SYMLINK_NOFOLLOW | RCS_AT_NO_AUTOMOUNT)
    if name.pointee == 0 { flags |= Int32(RCS_AT_EMPTY_PATH) }
    return retrying { rcs_statx_entry(directory, name, flags, &raw) }.map { _ in
      Entry(
        inode: raw.ino, device: raw.dev, mountID: raw.mnt_id, uid: raw.uid, gid: raw.gid, links: raw.nlink,
        mode: raw.mode)
    }
  }

  /// Opens the directory `name` for reading, one level only: no symlink, no mount
  /// crossing (`RESOLVE_NO_XDEV`: the name is a mount point), nothing outside.
  /// `parent` opens `..` instead, which may not be beneath.
  public static func openDirectory(_ directory: Int32, _ name: UnsafePointer<CChar>, parent: Bool = false) -> Result<
    Int32, Errno
  > {
    let flags = UInt64(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    let resolve =
      parent
      ? RCS_RESOLVE_NO_SYMLINKS | RCS_RESOLVE_NO_XDEV
      : RCS_RESOLVE_BENEATH | RCS_RESOLVE_NO_SYMLINKS | RCS_RESOLVE_NO_XDEV
    return retrying { rcs_openat2(directory, name, flags, 0, resolve) }
  }

  /// An `O_PATH` descriptor on `name` itself (a symlink is opened as one), one level only.
  public static func openEntry(_ directory: Int32, _ name: UnsafePointer<CChar>) -> Result<Int32, Errno> {
    let flags = UInt64(RCS_O_PATH | O_NOFOLLOW | O_CLOEXEC)
    return retrying {
      rcs_openat2(directory, name, flags, 0, RCS_RESOLVE_BENEATH | RCS_RESOLVE_NO_SYMLINKS | RCS_RESOLVE_NO_XDEV)
    }
  }

  /// Reads `linux_dirent64` records into `buffer`; 0 at the end. The corresponding C
  /// call is `getdents64(2)`.
  public static func readEntries(_ directory: Int32, into buffer: UnsafeMutableRawPointer, count: Int) -> Result<
    Int, Errno
  > {
    while true {
      let read = rcs_getdents64(directory, buffer, count)
      if read >= 0 { return .success(read) }
      let error = Errno.current
      if error != .interrupted { return .failure(error) }
    }
  }

  /// Re-owns `name` itself (a symlink, not its target); with an empty name, what the
  /// descriptor names. The corresponding C call is `fchownat(2)`.
  public static func changeOwner(_ directory: Int32, _ name: UnsafePointer<CChar>, uid: UInt32, gid: UInt32) -> Result<
    Void, Errno
  > {
    let flags = name.pointee == 0 ? Int32(RCS_AT_EMPTY_PATH) : Int32(RCS_AT_SYMLINK_NOFOLLOW)
    return retrying { fchownat(directory, name, uid, gid, flags) }.map { _ in () }
  }

  /// Re-owns the directory an open descriptor names. The corresponding C call is `fchown(2)`.
  public static func changeOwner(_ fd: Int32, uid: UInt32, gid: UInt32) -> Result<Void, Errno> {
    retrying { fchown(fd, uid, gid) }.map { _ in () }
  }

  /// Sets the mode of what an `O_PATH` descriptor names: `fchmodat2(AT_EMPTY_PATH)`
  /// (6.6+), else `chmod` of its `/proc/self/fd` link, which names that inode and not
  /// a path looked up anew.
  public static func setMode(_ fd: Int32, _ mode: UInt32) -> Result<Void, Errno> {
    let direct = retrying { rcs_fchmodat2(fd, "", mode, Int32(RCS_AT_EMPTY_PATH)) }
    guard case .failure(.noFunction) = direct else { return direct.map { _ in () } }
    return retrying { chmod("/proc/self/fd/\(fd)", mode_t(mode)) }.map { _ in () }
  }

  /// Closes a descriptor the walk opened.
  public static func close(_ fd: Int32) { _ = Glibc.close(fd) }

  /// `CLOCK_MONOTONIC_COARSE` in nanoseconds: a vDSO read, cheap enough to pace progress.
  public static func coarseNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
  }

  /// The length of a NUL-terminated name. The corresponding C call is `strlen(3)`.
  @inline(__always)
  public static func length(_ name: UnsafePointer<CChar>) -> Int { strlen(name) }

  private static func retrying(_ body: () -> Int32) -> Result<Int32, Errno> {
    while true {
      let value = body()
      if value >= 0 { return .success(value) }
      let error = Errno.current
      if error != .interrupted { return .failure(error) }
    }
  }
}

import LinuxKernel
import SystemPackage

/// The one-shot ownership migration: a safe replacement for
/// `chown -R --from=U:G U2:G2 PATH` (invariant 6).
///
/// - Every entry is reached through its directory's fd: `statx(dirfd, name,
///   AT_SYMLINK_NOFOLLOW)` to decide, `fchownat(dirfd, name, AT_SYMLINK_NOFOLLOW)` to
///   act, and `openat2(dirfd, name, O_DIRECTORY | O_NOFOLLOW, RESOLVE_NO_SYMLINKS |
///   RESOLVE_NO_XDEV)` to descend. A name swapped for a symlink mid-walk cannot redirect
///   a chown; symlinks are re-owned themselves, never followed.
/// - Only entries whose uid *and* gid are `from` change; every other one is counted.
/// - Another mount inside the tree (a bind of a directory or of a single file) is
///   never entered or re-owned: known by `STATX_MNT_ID` against the top directory's
///   mount and by `RESOLVE_NO_XDEV`, never by `st_dev` (a same-filesystem bind has
///   the same one).
/// - Children before their directory, so a finished top directory is a valid
///   checkpoint. Iterative: depth is bounded by memory, not by the stack.
/// - At most `heldDirectoryLimit` directory fds (the innermost levels of the current
///   path) stay open; an ancestor above them is re-opened through `..` on the way
///   back and must show the same device and inode, or the walk stops there.
/// - A setuid or setgid regular file loses those bits before it is re-owned, through
///   an `O_PATH` fd checked to be the same inode: the 6.18 kernel clears setuid on
///   chown but keeps setgid when group-exec is off, and clearing first means a kill
///   between the two calls never leaves a set-id file with the new owner.
///
/// - Threads: the subdirectories of the first directory that has two or more are
///   shared among `threads` threads, each walking whole subtrees as above. That
///   directory and those above it are re-owned once all are done; a failure in one
///   stops the others at their next directory. Each entry is still decided and
///   re-owned by one call through its own directory's fd, so the order between
///   subtrees is all that changes.
///
/// If nothing in the tree is owned by `from`, this is a no-op apart from reading the
/// tree: a walk killed at any moment completes when run again.
public struct OwnershipWalker {
  /// What changes to what.
  public var change: OwnershipChange
  /// Count what would change and change nothing.
  public var dryRun: Bool
  /// Called with the number of entries seen so far, at most four times a second.
  public var progress: ((Int) -> Void)?
  /// Threads that share the walk (see the type's notes): by default as many as the
  /// CPUs this process may use, at most 4, so that a migration during a deploy leaves
  /// cores to the running servers on larger hosts.
  public var threads = min(4, Threads.availableProcessors)
  /// Directory fds kept open along each thread's current path (see the type's notes),
  /// besides the directory the threads share.
  var heldDirectoryLimit = 256
  /// The least time between two progress calls.
  var progressInterval: UInt64 = 250_000_000

  /// A walker for `change`.
  ///
  /// - Parameters:
  ///   - change: the owner to look for and the owner to give.
  ///   - dryRun: count only; no chown, no chmod.
  ///   - progress: called with the number of entries seen so far, at most four
  ///     times a second, from any of the walking threads but one call at a time.
  public init(change: OwnershipChange, dryRun: Bool = false, progress: ((Int) -> Void)? = nil) {
    self.change = change
    self.dryRun = dryRun
    self.progress = progress
  }

  /// Re-owns what `change.from` owns in the tree at `path`, the directory itself last.
  ///
  /// - Parameters:
  ///   - path: the top directory, absolute; opened beneath `root` with
  ///     `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)`, so no symlink or `..` on
  ///     the way leads elsewhere.
  ///   - root: an absolute directory at or above `path`.
  /// - Returns: the counts, or where and why the walk stopped. Entries re-owned
  ///   before an error stay re-owned.
  public func walk(_ path: String, beneath root: String) -> Result<OwnershipCounts, OwnershipWalkError> {
    let top: Int32
    switch openDirectory(path, beneath: root) {
    case .success(let directory):
      // The O_PATH fd pins the directory; "." turns it into one that can be read.
      switch OwnershipCalls.openDirectory(directory.descriptor.rawValue, ".") {
      case .success(let fd): top = fd
      case .failure(let error):
        return .failure(OwnershipWalkError(call: "openat", path: Array(path.utf8), errno: error))
      }
    case .failure(let error):
      let call: String
      if case .kernel(let kernel, _) = error { call = kernel.call } else { call = "open" }
      return .failure(OwnershipWalkError(call: call, path: Array(path.utf8), errno: error.errno ?? .ioError))
    }
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: OwnershipWalk.bufferSize, alignment: 8)
    defer { buffer.deallocate() }
    var walk = OwnershipWalk(
      change: change, dryRun: dryRun, heldLimit: max(2, heldDirectoryLimit), threads: max(1, threads),
      share: OwnershipWalkShare(progress: progress, progressInterval: progressInterval), top: Array(path.utf8),
      buffer: buffer)
    return walk.run(topFD: top)
  }
}

import CMountShims
import Glibc
import SystemPackage

/// Reaches a mount point through its parent directory, opened beneath `root` with
/// `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)`, never by its absolute path.
///
/// Directories under `root` may belong to the web app's user, who could rename
/// `runtime/9` and leave a symlink in its place between reconcile's check and its
/// act; a path walked again at `umount2` or `rmdir` time would then reach a mount or
/// directory outside `root`. The parent is resolved once, and the act names only the
/// last component below it: `umount2("/proc/self/fd/N/name", UMOUNT_NOFOLLOW)` (an
/// fd on the mount point itself would pin the mount and make every umount EBUSY),
/// `unlinkat(N, name, AT_REMOVEDIR)`, `statx(N, name, AT_SYMLINK_NOFOLLOW)`.
///
/// The last parent stays open, so the layers of one stack share one lookup. It pins
/// only the parent's mount, and is closed before a different parent is opened: a
/// plan unmounts a mount's children (whose parent lies on it) before the mount.
final class MountPointParents {
  private var cached: (root: String, parent: String, fd: Int32)?

  deinit { close() }

  /// Runs `body` with an fd on the directory holding `path` and `path`'s last
  /// component.
  func with<T>(
    _ path: String, beneath root: String, _ body: (_ parentFD: Int32, _ name: String) -> Result<T, Errno>
  ) -> Result<T, Errno> {
    guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), isSameOrBelow(path, root), path != root else {
      return .failure(.invalidArgument)
    }
    let parent = slash == path.utf8.startIndex ? "/" : String(path[..<slash])
    let name = String(path[path.index(after: slash)...])
    if let cached, cached.root == root, cached.parent == parent { return body(cached.fd, name) }
    close()
    switch open(parent, beneath: root) {
    case .success(let fd):
      cached = (root, parent, fd)
      return body(fd, name)
    case .failure(let error): return .failure(error)
    }
  }

  /// Closes the open parent, so that nothing of ours pins its mount.
  func close() {
    if let cached { system_close(cached.fd) }
    cached = nil
  }

  private func open(_ directory: String, beneath root: String) -> Result<Int32, Errno> {
    let flags = RCS_O_PATH | O_DIRECTORY | O_CLOEXEC
    let rootFD = valueOrErrno { system_open(root, flags) }
    guard directory != root, case .success(let rootFD) = rootFD else { return rootFD }
    defer { system_close(rootFD) }
    let relative = relativeComponents(of: directory, below: root).joined(separator: "/")
    return valueOrErrno {
      system_openat2(rootFD, relative, flags: O_PATH_DIRECTORY_CLOEXEC, resolve: resolveBeneathNoSymlinks)
    }
  }
}

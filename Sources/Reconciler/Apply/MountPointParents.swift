import LinuxKernel
import StateModel
import SystemPackage

/// Reaches a mount point through its parent directory, opened beneath `root` with
/// `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)`, never by its absolute path.
///
/// Directories under `root` may belong to the web app's user, who could rename
/// `runtime/9` and leave a symlink in its place between reconcile's check and its
/// act; a path walked again at `umount2` or `rmdir` time would then reach a mount or
/// directory outside `root`. The parent is resolved once, and the act names only the
/// last component below it: `umount2(name, UMOUNT_NOFOLLOW)` from that directory (see
/// `DirectoryHandle.unmount`), `unlinkat(N, name, AT_REMOVEDIR)`, `statx(N, name,
/// AT_SYMLINK_NOFOLLOW)`.
///
/// The last parent stays open, so the layers of one stack share one lookup. It pins
/// only the parent's mount, and is closed before a different parent is opened: a
/// plan unmounts a mount's children (whose parent lies on it) before the mount.
final class MountPointParents {
  private var cached: (root: ExactPath, parent: ExactPath, directory: DirectoryHandle)?

  /// Runs `body` with the directory holding `path` and `path`'s last component.
  func with<T>(
    _ path: String, beneath root: String, _ body: (DirectoryHandle, String) throws(KernelError) -> T
  ) -> Result<T, Errno> {
    guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), PathRules.isStrictlyBeneath(path, root) else {
      return .failure(.invalidArgument)
    }
    let parent = slash == path.utf8.startIndex ? "/" : String(path[..<slash])
    let name = String(path[path.index(after: slash)...])
    do throws(KernelError) {
      if let cached, cached.root == ExactPath(root), cached.parent == ExactPath(parent) {
        return .success(try body(cached.directory, name))
      }
      // Closed before the next is opened, so nothing of ours pins its mount.
      cached = nil
      let opened = try DirectoryHandle.open(FilePath(root)).openDirectory(PathRules.relative(parent, below: root))
      cached = (ExactPath(root), ExactPath(parent), opened)
      return .success(try body(opened, name))
    } catch {
      return .failure(error.errno)
    }
  }
}

import CMountShims
import Glibc
import SystemPackage

extension DirectoryHandle {
  /// Checks that `relative` resolves beneath this directory to a directory, as one
  /// path: the kernel judges every `..` on the way (one that stays inside is fine),
  /// and any symlink, the last component's too, is refused (`ELOOP`). Nothing is
  /// opened for I/O; the `O_PATH` descriptor is closed at once. The corresponding C
  /// call is `openat2(2)` with `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS`.
  public func resolveDirectory(_ relative: String) throws(KernelError) {
    let fd = try openat2(relative, flags: RCS_O_PATH | O_DIRECTORY | O_CLOEXEC, mode: 0)
    try? fd.close()
  }
}

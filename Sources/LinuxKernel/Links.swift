import Glibc
import SystemPackage

extension Files {
  /// Where the symlink (or procfs magic link, such as `/proc/<pid>/cwd`) at `path`
  /// points, as the kernel wrote it, bytes kept. The buffer grows while the target
  /// fills it, so a long target is never cut short. The corresponding C call is
  /// `readlink(2)`.
  public static func linkTarget(of path: FilePath) throws(KernelError) -> FilePath {
    var size = 256
    while true {
      var buffer = [CChar](repeating: 0, count: size)
      let count = try valueOrError("readlink", at: path) { readlink($0, &buffer, size) }
      // A full buffer may mean a truncated target: grow and ask again.
      if count == size && size < 64 * 1024 {
        size *= 4
        continue
      }
      return FilePath(platformString: Array(buffer[..<count]) + [0])
    }
  }
}

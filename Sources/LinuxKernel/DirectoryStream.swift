import Glibc
import SystemPackage

/// The entries of a directory, read one at a time, so a caller that needs only the
/// first few never lists a huge directory whole. Closed with the value.
///
/// The path is opened as `opendir(3)` does: a symlink to a directory is followed.
public final class DirectoryStream {
  private let directory: OpaquePointer

  /// Opens the directory at `path`. The corresponding C call is `opendir(3)`.
  public init(_ path: FilePath) throws(KernelError) {
    guard let opened = path.withPlatformString({ opendir($0) }) else {
      throw KernelError("opendir", .current, path: path)
    }
    directory = opened
  }

  deinit { closedir(directory) }

  /// The next entry's name, `.` and `..` included, or nil at the end. The
  /// corresponding C call is `readdir(3)`.
  public func next() -> String? {
    guard let entry = readdir(directory) else { return nil }
    return withUnsafePointer(to: entry.pointee.d_name) { name in
      name.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: name.pointee)) {
        String(cString: $0)
      }
    }
  }
}

extension Files {
  /// The names in the directory at `path` (a symlink to it followed), without `.`
  /// and `..`, in the order the kernel gives them. The corresponding C calls are
  /// `opendir(3)` and `readdir(3)`.
  public static func names(in path: FilePath) throws(KernelError) -> [String] {
    let stream = try DirectoryStream(path)
    var names: [String] = []
    while let name = stream.next() {
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }
}

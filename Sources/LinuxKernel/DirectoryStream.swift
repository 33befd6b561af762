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

  /// Reads the directory `fd` is open on, taking the descriptor over. The
  /// corresponding C call is `fdopendir(3)`.
  public init(taking fd: FileDescriptor, path: FilePath) throws(KernelError) {
    guard let opened = fdopendir(fd.rawValue) else {
      let error = KernelError("fdopendir", .current, path: path)
      try? fd.close()
      throw error
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
    names(in: try DirectoryStream(path))
  }

  /// The names in the directory `fd` is open on, without `.` and `..`, unsorted.
  /// The descriptor is consumed.
  public static func names(in fd: FileDescriptor, path: FilePath) throws(KernelError) -> [String] {
    names(in: try DirectoryStream(taking: fd, path: path))
  }

  private static func names(in stream: DirectoryStream) -> [String] {
    var names: [String] = []
    while let name = stream.next() {
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }
}

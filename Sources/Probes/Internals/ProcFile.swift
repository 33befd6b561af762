import LinuxKernel
import SystemPackage

/// Small procfs and sysctl files (`/proc/<pid>/comm`, `/proc/sys/kernel/overflowuid`).
enum ProcFile {
  /// The file's content as text, invalid UTF-8 repaired rather than refused; nil
  /// when it cannot be read (the process exited, say).
  static func text(of path: String) -> String? {
    (try? Files.contents(of: FilePath(path))).map { String(decoding: $0, as: UTF8.self) }
  }
}

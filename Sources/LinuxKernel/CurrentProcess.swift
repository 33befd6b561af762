import Glibc
import SystemPackage

/// This process: who it runs as, its environment, its file creation mask, its end,
/// and replacing it with a command.
public enum CurrentProcess {
  /// The real user id. The corresponding C call is `getuid(2)`.
  public static var userID: UInt32 { getuid() }

  /// An environment variable, read at the call.
  public static func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
  }

  /// Sets the file creation mask to 022: what reconcile makes gets its documented
  /// modes (0755, 0644) whatever umask its caller had. The corresponding C call is
  /// `umask(2)`.
  public static func fixFileCreationMask() { _ = umask(0o022) }

  /// Ends the process now with `status`. The corresponding C call is `exit(3)`.
  public static func exit(_ status: Int32) -> Never { Glibc.exit(status) }

  /// Replaces this process with `arguments` (the first looked up in `PATH`), with `fd`
  /// left open and its number in the environment as `environmentName`, so the command
  /// can check (through `/proc/self/fd/N`) that it holds what it was handed. Returns
  /// only on failure. The corresponding C call is `execvp(3)`.
  public static func execute(
    _ arguments: [String], keepingOpen fd: FileDescriptor, as environmentName: String
  ) -> KernelError {
    fd.keepOpenAcrossExec()
    setenv(environmentName, String(fd.rawValue), 1)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
    argv.append(nil)
    execvp(arguments[0], &argv)
    let error = KernelError("execvp", .current, path: FilePath(arguments[0]))
    for pointer in argv { free(pointer) }
    return error
  }
}

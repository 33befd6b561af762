import Glibc
import SystemPackage

/// Replaces this process with a command, for verbs that hand a held resource down
/// (`reconcile lease`): the descriptor stays open across `execvp(3)`, so the command
/// and everything that inherits it keep the lock, and it dies with the last of them.
public enum CommandExecution {
  /// Executes `arguments` (the first one looked up in `PATH`) with `fd` left open and
  /// its number in the environment as `environmentName`, so the command can check
  /// (through `/proc/self/fd/N`) that it really holds what it was handed.
  /// Returns only on failure, with the errno of `execvp`.
  public static func execute(_ arguments: [String], keepingOpen fd: Int32, as environmentName: String) -> Errno {
    let flags = fcntl(fd, F_GETFD)
    if flags >= 0 { _ = fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) }
    setenv(environmentName, String(fd), 1)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
    argv.append(nil)
    execvp(arguments[0], &argv)
    let error = Errno(rawValue: errno)
    for pointer in argv { free(pointer) }
    return error
  }
}

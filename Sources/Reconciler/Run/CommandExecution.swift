import Glibc
import SystemPackage

/// Replaces this process with a command, for verbs that hand a held resource down
/// (`reconcile lease`): the descriptor stays open across `execvp(3)`, so the command
/// and everything that inherits it keep the lock, and it dies with the last of them.
public enum CommandExecution {
  /// Executes `arguments` (the first one looked up in `PATH`) with `fd` left open.
  /// Returns only on failure, with the errno of `execvp`.
  public static func execute(_ arguments: [String], keepingOpen fd: Int32) -> Errno {
    let flags = fcntl(fd, F_GETFD)
    if flags >= 0 { _ = fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) }
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
    argv.append(nil)
    execvp(arguments[0], &argv)
    let error = Errno(rawValue: errno)
    for pointer in argv { free(pointer) }
    return error
  }
}

import ArgumentParser
import CMountShims
import Glibc

/// `--mount-namespace`: join another mount namespace before anything else, so the
/// tool started inside a unit's private namespace acts on the host's and does not
/// pin the unit's namespace (the seed's EBUSY lesson).
enum MountNamespace {
  static func enter(_ path: String?) throws {
    guard let path else { return }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw ValidationError("--mount-namespace \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    // setns(CLONE_NEWNS) needs a process that shares no fs state with other threads.
    guard rcs_setns(fd, CLONE_NEWNS) == 0 else {
      let reason = String(cString: strerror(errno))
      Log.error("cannot join mount namespace \(path): \(reason)")
      throw ExitCode(ExitStatus.error.rawValue)
    }
  }
}

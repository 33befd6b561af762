import ArgumentParser
import LinuxKernel
import Reconciler

/// `--mount-namespace PATH`: join that namespace before anything else, or exit 1 saying why.
enum MountNamespaceJoin {
  static func join(_ path: String?) throws {
    guard let path else { return }
    do {
      try Namespaces.join(mountNamespace: path)
    } catch {
      Log.error("cannot join mount namespace: \(error)")
      throw ExitCode(ExitStatus.error.rawValue)
    }
  }
}

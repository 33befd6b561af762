import ArgumentParser
import Probes
import Reconciler

/// Refuses to act on a kernel that lacks a call reconcile can neither do without nor
/// emulate, saying which and the Linux version needed, before anything is read or
/// changed: never a bare ENOSYS or EINVAL halfway through a run.
enum KernelFloor {
  static func check() throws {
    guard let message = KernelFeatureProbe.probedOnce.floorMessage(release: KernelFeatureProbe.kernelRelease) else {
      return
    }
    Log.error(message)
    throw ExitCode(ExitStatus.error.rawValue)
  }
}

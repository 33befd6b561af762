import SystemPackage

/// Finds out what the running kernel can do by calling each feature in a way that
/// cannot change anything: invalid arguments, or a filesystem context that is closed
/// before it creates a superblock.
///
/// A call that fails with `ENOSYS` does not exist; any other answer (`EINVAL`, `EBADF`,
/// `EPERM`, ...) means the kernel knows it. Seccomp filters that answer `ENOSYS`
/// therefore read as "missing", which is what the controller needs: it cannot use
/// the call either way.
public struct KernelFeatureProbe: Sendable {
  /// Makes a probe; nothing is called until `probe()`.
  public init() {}

  /// Probes every feature now.
  ///
  /// - Returns: the features of the running kernel.
  public func probe() -> KernelFeatures {
    KernelFeatures(
      newMountAPI: Self.callExists(probeFsopen()),
      idmappedMounts: Self.callExists(probeMountSetattr()),
      overlayLowerdirPlus: Self.overlayAcceptsLowerdirPlus(probeOverlayLowerdirPlus()),
      openat2: Self.callExists(probeOpenat2()),
      statmount: Self.callExists(probeStatmount()))
  }

  /// The features of the running kernel, probed on first use and remembered for the
  /// life of the process: the kernel does not change under a running controller, and
  /// apply re-observes several times per run.
  public static var probedOnce: KernelFeatures { cached }
  private static let cached = KernelFeatureProbe().probe()

  // MARK: Interpretation (pure, so tests can feed it errors a modern kernel never gives)

  /// Whether a call's outcome shows that the kernel has the call.
  static func callExists(_ outcome: Result<Void, Errno>) -> Bool {
    if case .failure(.noFunction) = outcome { return false }
    return true
  }

  /// Whether overlay's answer to `fsconfig(SET_STRING, "lowerdir+", "/")` shows the
  /// parameter exists. Before 6.8, overlay rejects the unknown key with `EINVAL`;
  /// a missing overlay module (`ENODEV`) or new mount API (`ENOSYS`) also means no.
  static func overlayAcceptsLowerdirPlus(_ outcome: Result<Void, Errno>) -> Bool {
    switch outcome {
    case .success: return true
    case .failure: return false
    }
  }

  // MARK: Calls

  /// `fsopen("tmpfs")`, closed at once. The corresponding C call is `fsopen(2)`.
  private func probeFsopen() -> Result<Void, Errno> {
    valueOrErrno { system_fsopen("tmpfs", SystemConstants.fsopenCloseOnExec) }
      .map { fd in _ = system_close(fd) }
  }

  /// `mount_setattr` with flags the kernel refuses before looking at anything, so it
  /// answers `EINVAL` when it has the call. The corresponding C call is
  /// `mount_setattr(2)`.
  private func probeMountSetattr() -> Result<Void, Errno> {
    nothingOrErrno {
      system_mount_setattr(
        -1, "", UInt32.max, attrSet: 0, attrClear: 0, propagation: 0, usernsFD: 0)
    }
  }

  /// Opens an overlay context and offers it one `lowerdir+` layer; the context is
  /// closed without `FSCONFIG_CMD_CREATE`, so no superblock or mount is ever made.
  /// The corresponding C calls are `fsopen(2)` and `fsconfig(2)`.
  private func probeOverlayLowerdirPlus() -> Result<Void, Errno> {
    valueOrErrno { system_fsopen("overlay", SystemConstants.fsopenCloseOnExec) }
      .flatMap { fd in
        defer { _ = system_close(fd) }
        return nothingOrErrno {
          system_fsconfig(fd, SystemConstants.fsconfigSetString, "lowerdir+", "/", 0)
        }
      }
  }

  /// `openat2` with every resolve bit set: unknown bits give `EINVAL` where the call
  /// exists, and nothing is opened. The corresponding C call is `openat2(2)`.
  private func probeOpenat2() -> Result<Void, Errno> {
    valueOrErrno {
      system_openat2(SystemConstants.atFDCWD, "/", flags: 0, mode: 0, resolve: UInt64.max)
    }.map { fd in _ = system_close(fd) }
  }

  /// A `statmount` request for an id that need not exist. The corresponding C call is
  /// `statmount(2)`.
  private func probeStatmount() -> Result<Void, Errno> {
    nothingOrErrno { system_statmount_supported() }
  }
}

import LinuxKernel
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
    let overlay = probeOverlay()
    let statmount = Self.callExists(probeStatmount())
    return KernelFeatures(
      newMountAPI: Self.callExists(probeFsopen()),
      idmappedMounts: Self.callExists(probeMountSetattr()),
      overlayLowerdirPlus: overlay.lowerdirPlus,
      openat2: Self.callExists(probeOpenat2()),
      statmount: statmount,
      statxMountID: Self.callExists(probeStatxMountID()),
      overlayLayerFDs: overlay.layerFDs,
      overlayLayerPathFDs: overlay.layerPathFDs,
      statmountIDMaps: statmount && Self.reportsIDMaps(probeStatmountSupportedMask()),
      fchmodat2: Self.callExists(probeFchmodat2()))
  }

  /// The features of the running kernel, probed on first use and remembered for the
  /// life of the process: the kernel does not change under a running controller, and
  /// apply re-observes several times per run.
  public static var probedOnce: KernelFeatures { cached }
  private static let cached = KernelFeatureProbe().probe()

  /// The running kernel's release (`uname -r`), for messages.
  public static var kernelRelease: String { KernelFeatureCalls.kernelRelease }

  // MARK: Interpretation (pure, so tests can feed it errors a modern kernel never gives)

  /// Whether a call's outcome shows that the kernel has the call.
  static func callExists(_ outcome: Result<Void, Errno>) -> Bool {
    if case .failure(.noFunction) = outcome { return false }
    return true
  }

  /// What overlayfs's `fsconfig` answered, one question per fresh context.
  struct OverlayAnswers {
    /// `SET_STRING "lowerdir+" "/"`.
    var lowerdirPlus: Result<Void, Errno>
    /// `SET_STRING` of a key no overlayfs knows.
    var unknownKey: Result<Void, Errno>
    /// `SET_FD "lowerdir+"` with a directory opened `O_RDONLY`.
    var layerFD: Result<Void, Errno>
    /// `SET_FD "lowerdir+"` with an `O_PATH` directory.
    var layerPathFD: Result<Void, Errno>
  }

  /// What overlayfs's answers show it takes.
  ///
  /// Before 6.5 overlayfs has no `fsconfig` parser of its own: the kernel's legacy
  /// context accepts any key and fails only at `FSCONFIG_CMD_CREATE`, so `lowerdir+`
  /// counts only where a nonsense key is refused (6.5+ parses, 6.8+ knows `lowerdir+`).
  /// The legacy context refuses every fd, and 6.8 to 6.12 refuse fds for layers.
  static func overlayFeatures(_ answers: OverlayAnswers) -> (lowerdirPlus: Bool, layerFDs: Bool, layerPathFDs: Bool) {
    let parses = answers.unknownKey.isFailure
    let lowerdirPlus = parses && answers.lowerdirPlus.isSuccess
    let layerFDs = lowerdirPlus && answers.layerFD.isSuccess
    return (lowerdirPlus, layerFDs, layerFDs && answers.layerPathFD.isSuccess)
  }

  /// Whether statmount's supported mask (0 before 6.15) has the uid and gid maps.
  static func reportsIDMaps(_ supported: Result<UInt64, Errno>) -> Bool {
    guard case .success(let mask) = supported else { return false }
    let maps: UInt64 = 0x2000 | 0x4000  // STATMOUNT_MNT_UIDMAP | STATMOUNT_MNT_GIDMAP
    return mask & maps == maps
  }

  // MARK: Calls

  /// `fsopen("tmpfs")`, closed at once. The corresponding C call is `fsopen(2)`.
  private func probeFsopen() -> Result<Void, Errno> {
    Result(errnoOf: { () throws(KernelError) in _ = try FilesystemContext("tmpfs") })
  }

  /// `mount_setattr` with flags the kernel refuses before looking at anything, so it
  /// answers `EINVAL` when it has the call. The corresponding C call is
  /// `mount_setattr(2)`.
  private func probeMountSetattr() -> Result<Void, Errno> {
    Result(errnoOf: { () throws(KernelError) in try KernelFeatureCalls.setMountAttributesWithInvalidFlags() })
  }

  /// Asks overlayfs each question in a context of its own, closed without
  /// `FSCONFIG_CMD_CREATE`, so no superblock or mount is ever made. The corresponding
  /// C calls are `fsopen(2)`, `fsconfig(2)` and `open(2)`.
  private func probeOverlay() -> (lowerdirPlus: Bool, layerFDs: Bool, layerPathFDs: Bool) {
    func ask(_ key: String, _ value: String) -> Result<Void, Errno> {
      Result(errnoOf: { () throws(KernelError) in try FilesystemContext("overlay").set(key, value) })
    }
    // "/" opened as apply opens a layer: `O_PATH`, or reopened `O_RDONLY` from it.
    func askWithRoot(readable: Bool) -> Result<Void, Errno> {
      Result(errnoOf: { () throws(KernelError) in
        let root = try DirectoryHandle.open("/")
        let fd = readable ? try root.reopenForReading() : root.descriptor
        defer { if readable { try? fd.close() } }
        try FilesystemContext("overlay").set("lowerdir+", fd, path: root.path)
      })
    }
    let answers = OverlayAnswers(
      lowerdirPlus: ask("lowerdir+", "/"),
      unknownKey: ask("reconcile-probe-no-such-key", "1"),
      layerFD: askWithRoot(readable: true),
      layerPathFD: askWithRoot(readable: false))
    return Self.overlayFeatures(answers)
  }

  /// `statx("/", STATX_MNT_ID)`: `ENOSYS` from the shim when the mask lacks it. The
  /// corresponding C call is `statx(2)`.
  private func probeStatxMountID() -> Result<Void, Errno> {
    Result(errnoOf: { () throws(KernelError) in _ = try Files.identity(of: "/", followingFinalSymlink: true) })
  }

  /// `fchmodat2` with flags it refuses before looking at anything (`EINVAL`). The
  /// corresponding C call is `fchmodat2(2)`.
  private func probeFchmodat2() -> Result<Void, Errno> {
    Result(errnoOf: { () throws(KernelError) in try KernelFeatureCalls.changeModeWithInvalidFlags() })
  }

  /// statmount's supported mask for "/". The corresponding C call is `statmount(2)`.
  private func probeStatmountSupportedMask() -> Result<UInt64, Errno> {
    Result(errnoOf: { () throws(KernelError) in try Statmount.supportedMask() })
  }

  /// `openat2` with every resolve bit set: unknown bits give `EINVAL` where the call
  /// exists, and nothing is opened. The corresponding C call is `openat2(2)`.
  private func probeOpenat2() -> Result<Void, Errno> {
    Result(errnoOf: { () throws(KernelError) in try KernelFeatureCalls.openWithUnknownResolveFlags() })
  }

  /// A `statmount` request for an id that need not exist. The corresponding C call is
  /// `statmount(2)`.
  private func probeStatmount() -> Result<Void, Errno> {
    Result(errnoOf: { () throws(KernelError) in try Statmount.checkExists() })
  }
}

extension Result {
  var isSuccess: Bool {
    if case .success = self { return true }
    return false
  }
  var isFailure: Bool { !isSuccess }
}

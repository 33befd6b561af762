import CMountShims
import Glibc
import Probes
import SystemPackage

/// `MountSystem` on the running kernel, through the new mount API where it exists.
///
/// Every path a mount uses (target, bind source, lowerdirs, upperdir, workdir) is
/// opened with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)` beneath its root and
/// the kernel is handed that fd (invariant 14), so a path swapped for a symlink after
/// planning cannot redirect a mount. How an overlay gets its layers depends on the
/// kernel: see `OverlayContext`.
public struct KernelMountSystem: MountSystem {
  /// What the running kernel can do; decides how overlays are made.
  public var features: KernelFeatures
  /// Mount points are reached through their parent, opened beneath root.
  private let parents = MountPointParents()

  public init(features: KernelFeatures) {
    self.features = features
  }

  /// On this kernel's features, probed once per process.
  public static var probed: KernelMountSystem { KernelMountSystem(features: KernelFeatureProbe.probedOnce) }

  public func mountID(at path: String, beneath root: String) -> Result<Int, Errno> {
    parents.with(path, beneath: root) { parent, name in system_mount_id(parent, name) }
  }

  public func unmount(_ path: String, beneath root: String) -> Result<Void, Errno> {
    parents.with(path, beneath: root) { parent, name in
      valueOrErrno { system_umount2("/proc/self/fd/\(parent)/\(name)", RCS_UMOUNT_NOFOLLOW) }.map { _ in () }
    }
  }

  public func removeDirectory(_ path: String, beneath root: String) -> Result<Void, Errno> {
    parents.with(path, beneath: root) { parent, name in
      valueOrErrno { system_unlinkat(parent, name, AT_REMOVEDIR) }.map { _ in () }
    }
  }

  public func makeDirectory(_ path: String, beneath root: String) -> Result<Bool, MountSystemError> {
    Reconciler.makeDirectory(path, beneath: root)
  }

  public func mountOverlay(
    _ overlay: ResolvedOverlay, at target: String, beneath root: String
  ) -> Result<Void, MountSystemError> {
    let targetFD: Int32
    switch openDirectory(target, beneath: root) {
    case .success(let fd): targetFD = fd
    case .failure(let error): return .failure(error)
    }
    defer { system_close(targetFD) }
    let readable = features.overlayLayerFDs && !features.overlayLayerPathFDs
    let layers: OverlayLayers
    switch OverlayLayers.open(overlay, beneath: root, readable: readable) {
    case .success(let opened): layers = opened
    case .failure(let error): return .failure(error)
    }
    defer { layers.close() }
    let made: Result<Int32, MountSystemError>
    if features.overlayLayerFDs && layers.kernelPathsMatch(overlay) {
      made = OverlayContext.withLayerFDs(overlay, layers, path: target)
    } else {
      made = OverlayContext.pinned(overlay, layers, lowerdirPlus: features.overlayLowerdirPlus, path: target)
    }
    return made.flatMap { mountFD in
      defer { system_close(mountFD) }
      return attach(mountFD, to: targetFD, path: target)
    }
  }

  public func mountBind(
    _ bind: ResolvedBind, at target: String, beneath root: String
  ) -> Result<Void, MountSystemError> {
    let sourceFD: Int32
    switch openDirectory(bind.source, beneath: bind.sourceRoot) {
    case .success(let fd): sourceFD = fd
    case .failure(let error): return .failure(error)
    }
    defer { system_close(sourceFD) }
    let targetFD: Int32
    switch openDirectory(target, beneath: root) {
    case .success(let fd): targetFD = fd
    case .failure(let error): return .failure(error)
    }
    defer { system_close(targetFD) }

    // Not recursive: a bind never carries mounts below its source along.
    let treeFlags = RCS_OPEN_TREE_CLONE | RCS_OPEN_TREE_CLOEXEC | UInt32(RCS_AT_EMPTY_PATH)
    let tree: Int32
    switch valueOrErrno({ system_open_tree(sourceFD, "", treeFlags) }) {
    case .success(let fd): tree = fd
    case .failure(let error):
      return .failure(MountSystemError(call: "open_tree", path: bind.source, errno: error))
    }
    defer { system_close(tree) }

    var usernsFD: Int32 = -1
    if let idmap = bind.idmap {
      switch valueOrErrno({ system_userns_fd(uidMap: idmap.users.mapLine + "\n", gidMap: idmap.groups.mapLine + "\n") }) {
      case .success(let fd): usernsFD = fd
      case .failure(let error):
        return .failure(MountSystemError(call: "userns for idmap", path: bind.source, errno: error))
      }
    }
    defer { if usernsFD >= 0 { system_close(usernsFD) } }
    var attributes: UInt64 = bind.readOnly ? RCS_MOUNT_ATTR_RDONLY : 0
    if usernsFD >= 0 { attributes |= RCS_MOUNT_ATTR_IDMAP }
    // Private before attaching, so the clone leaves the source's peer group and
    // nothing mounted on it later can propagate back onto the source (invariant 11).
    let setattr = valueOrErrno {
      system_mount_setattr(
        tree, "", UInt32(RCS_AT_EMPTY_PATH), set: attributes, clear: 0,
        propagation: RCS_MS_PRIVATE, usernsFD: usernsFD >= 0 ? UInt64(usernsFD) : 0)
    }
    if case .failure(let error) = setattr {
      var detail: String?
      if usernsFD >= 0 && error == .invalidArgument {
        // The kernel's only word for a filesystem it cannot idmap.
        detail = "this kernel cannot idmap a mount of this filesystem"
          + (isTmpfs(sourceFD) ? " (tmpfs can be idmapped from Linux 6.3)" : "")
      }
      return .failure(MountSystemError(call: "mount_setattr", path: bind.source, errno: error, detail: detail))
    }
    return attach(tree, to: targetFD, path: target)
  }

}

/// Moves a detached mount onto `targetFD` and makes the attached mount private:
/// attaching under a shared parent makes a mount shared again.
func attach(_ mountFD: Int32, to targetFD: Int32, path: String) -> Result<Void, MountSystemError> {
  let flags = RCS_MOVE_MOUNT_F_EMPTY_PATH | RCS_MOVE_MOUNT_T_EMPTY_PATH
  if case .failure(let error) = valueOrErrno({ system_move_mount(mountFD, "", targetFD, "", flags) }) {
    return .failure(MountSystemError(call: "move_mount", path: path, errno: error))
  }
  let setattr = valueOrErrno {
    system_mount_setattr(
      mountFD, "", UInt32(RCS_AT_EMPTY_PATH), set: 0, clear: 0, propagation: RCS_MS_PRIVATE,
      usernsFD: 0)
  }
  if case .failure(let error) = setattr {
    return .failure(MountSystemError(call: "mount_setattr MS_PRIVATE", path: path, errno: error))
  }
  return .success(())
}

/// Opens a directory (as `O_PATH` unless `flags` say otherwise); beneath `root`
/// without symlinks when given.
func openDirectory(
  _ path: String, beneath root: String?, flags: UInt64 = O_PATH_DIRECTORY_CLOEXEC
) -> Result<Int32, MountSystemError> {
  guard let root, path != root else {
    return valueOrErrno { system_open(path, Int32(truncatingIfNeeded: flags)) }
      .mapError { MountSystemError(call: "open", path: path, errno: $0) }
  }
  let rootFD: Int32
  switch valueOrErrno({ system_open(root, RCS_O_PATH | O_DIRECTORY | O_CLOEXEC) }) {
  case .success(let fd): rootFD = fd
  case .failure(let error): return .failure(MountSystemError(call: "open", path: root, errno: error))
  }
  defer { system_close(rootFD) }
  let relative = relativeComponents(of: path, below: root).joined(separator: "/")
  return valueOrErrno {
    system_openat2(rootFD, relative, flags: flags, resolve: resolveBeneathNoSymlinks)
  }.mapError { MountSystemError(call: "openat2 beneath \(root)", path: path, errno: $0) }
}

/// The components of `path` below `root` (both absolute and lexically normal).
func relativeComponents(of path: String, below root: String) -> [String] {
  let rest = root == "/" ? Substring(path) : path.dropFirst(root.count)
  return rest.split(separator: "/").map(String.init)
}

/// Creates `path` and missing parents beneath `root`, mode 0755, never following a
/// symlink (each level opened with openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS).
/// Returns false when it already existed.
func makeDirectory(_ path: String, beneath root: String) -> Result<Bool, MountSystemError> {
  var parent: Int32
  switch openDirectory(root, beneath: nil) {
  case .success(let fd): parent = fd
  case .failure(let error): return .failure(error)
  }
  defer { system_close(parent) }
  var created = false
  var walked = root
  for component in relativeComponents(of: path, below: root) {
    walked += "/" + component
    switch valueOrErrno({ system_mkdirat(parent, component, 0o755) }) {
    case .success: created = created || walked == path
    case .failure(.fileExists): break
    case .failure(let error): return .failure(MountSystemError(call: "mkdir", path: walked, errno: error))
    }
    let next = valueOrErrno {
      system_openat2(parent, component, flags: O_PATH_DIRECTORY_CLOEXEC, resolve: resolveBeneathNoSymlinks)
    }
    switch next {
    case .success(let fd):
      system_close(parent)
      parent = fd
    case .failure(let error):
      return .failure(MountSystemError(call: "openat2", path: walked, errno: error))
    }
  }
  return .success(created)
}

/// Whether `fd` lies on a tmpfs.
func isTmpfs(_ fd: Int32) -> Bool { rcs_is_tmpfs(fd) == 1 }

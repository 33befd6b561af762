import LinuxKernel
import StateModel
import SystemPackage

/// `MountSystem` on the running kernel, through the new mount API where it exists.
///
/// Every path a mount uses (target, bind source, lowerdirs, upperdir, workdir) is
/// opened with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)` beneath its root and
/// the kernel is handed that fd (invariant 14), so a path swapped for a symlink after
/// planning cannot redirect a mount. How an overlay gets its layers depends on the
/// kernel: see `OverlayContext`.
public struct KernelMountSystem: MountSystem {
  /// Mount points are reached through their parent, opened beneath root.
  private let parents = MountPointParents()

  /// The kernel's part of apply. How an overlay is made is the plan's (`OverlayMethod`).
  public init() {}

  public func mountID(at path: String, beneath root: String) -> Result<Int, Errno> {
    parents.with(path, beneath: root) { (parent, name) throws(KernelError) in try parent.mountID(of: name) }
  }

  public func unmount(_ path: String, beneath root: String) -> Result<Void, Errno> {
    parents.with(path, beneath: root) { (parent, name) throws(KernelError) in
      try parent.unmount(name)
    }
  }

  /// One move of the working directory for the whole stack, not one per layer.
  public func unmountLayers(_ path: String, beneath root: String, count: Int) -> (removed: Int, failure: Errno?) {
    var removed = 0
    let result = parents.with(path, beneath: root) { (parent, name) throws(KernelError) in
      try parent.unmount(name, times: count) { removed += 1 }
    }
    if case .failure(let error) = result { return (removed, error) }
    return (removed, nil)
  }

  public func removeDirectory(_ path: String, beneath root: String) -> Result<Void, Errno> {
    parents.with(path, beneath: root) { (parent, name) throws(KernelError) in try parent.remove(name, directory: true) }
  }

  public func makeDirectory(_ path: String, beneath root: String) -> Result<Bool, ReconcilerError> {
    Reconciler.makeDirectory(path, beneath: root)
  }

  public func mountOverlay(
    _ overlay: ResolvedOverlay, at target: String, beneath root: String
  ) -> Result<Void, ReconcilerError> {
    let targetDirectory: DirectoryHandle
    switch openDirectory(target, beneath: root) {
    case .success(let opened): targetDirectory = opened
    case .failure(let error): return .failure(error)
    }
    let layers: OverlayLayers
    switch OverlayLayers.open(overlay, beneath: root, readable: overlay.method == .readableDescriptors) {
    case .success(let opened): layers = opened
    case .failure(let error): return .failure(error)
    }
    defer { layers.close() }
    // The planner chose the method. The one case decided here: where the kernel names
    // a layer fd differently from its manifest path (a root reached through a symlink),
    // mountinfo would not match the manifest (invariant 9), so the paths are pinned
    // instead, with lowerdir+, which every kernel that takes fds has.
    let made: Result<FileDescriptor, ReconcilerError>
    if overlay.method.passesDescriptors && layers.kernelPathsMatch(overlay) {
      made = OverlayContext.withLayerFDs(overlay, layers, path: target)
    } else {
      let lowerdirPlus = overlay.method != .pinnedMountData
      made = OverlayContext.pinned(overlay, layers, lowerdirPlus: lowerdirPlus, path: target)
    }
    return made.flatMap { mount in
      defer { try? mount.close() }
      return attach(mount, to: targetDirectory.descriptor, path: target)
    }
  }

  public func mountBind(
    _ bind: ResolvedBind, at target: String, beneath root: String
  ) -> Result<Void, ReconcilerError> {
    let source: DirectoryHandle
    switch openDirectory(bind.source, beneath: bind.sourceRoot) {
    case .success(let opened): source = opened
    case .failure(let error): return .failure(error)
    }
    let targetDirectory: DirectoryHandle
    switch openDirectory(target, beneath: root) {
    case .success(let opened): targetDirectory = opened
    case .failure(let error): return .failure(error)
    }
    do throws(KernelError) {
      let tree = try MountAPI.cloneTree(source.descriptor, path: FilePath(bind.source))
      defer { try? tree.close() }
      var userns: FileDescriptor?
      if let idmap = bind.idmap {
        userns = try IDMaps.userNamespace(
          uidMap: idmap.users.mapLine + "\n", gidMap: idmap.groups.mapLine + "\n", path: FilePath(bind.source))
      }
      defer { try? userns?.close() }
      // Private before attaching, so the clone leaves the source's peer group and
      // nothing mounted on it later can propagate back onto the source (invariant 11).
      do {
        try MountAPI.setAttributes(tree, readOnly: bind.readOnly, idmap: userns, path: FilePath(bind.source))
      } catch let error where userns != nil && error.errno == .invalidArgument {
        // The kernel's only word for a filesystem it cannot idmap.
        let detail =
          "this kernel cannot idmap a mount of this filesystem"
          + (MountAPI.isTmpfs(source.descriptor) ? " (tmpfs can be idmapped from Linux 6.3)" : "")
        return .failure(ReconcilerError.kernel(error, detail: detail))
      }
      return attach(tree, to: targetDirectory.descriptor, path: target)
    } catch {
      return .failure(ReconcilerError.kernel(error.located(bind.source)))
    }
  }
}

/// Moves a detached mount onto `target` and makes the attached mount private:
/// attaching under a shared parent makes a mount shared again.
func attach(_ mount: FileDescriptor, to target: FileDescriptor, path: String) -> Result<Void, ReconcilerError> {
  do throws(KernelError) {
    try MountAPI.move(mount, onto: target, path: FilePath(path))
    try MountAPI.setAttributes(mount, path: FilePath(path))
    return .success(())
  } catch {
    return .failure(ReconcilerError.kernel(error.located(path)))
  }
}

/// Opens a directory as `O_PATH` beneath `root` without following symlinks (by its
/// path when it is `root` itself or no root is given).
func openDirectory(_ path: String, beneath root: String?) -> Result<DirectoryHandle, ReconcilerError> {
  do throws(KernelError) {
    guard let root, path != root else { return .success(try DirectoryHandle.open(FilePath(path))) }
    return .success(try DirectoryHandle.open(FilePath(root)).openDirectory(PathRules.relative(path, below: root)))
  } catch {
    return .failure(ReconcilerError.kernel(error.located(path)))
  }
}

/// Creates `path` and missing parents beneath `root`, mode 0755, never following a
/// symlink (each level opened with openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS).
/// Returns false when it already existed.
func makeDirectory(_ path: String, beneath root: String) -> Result<Bool, ReconcilerError> {
  do throws(KernelError) {
    var parent = try DirectoryHandle.open(FilePath(root))
    var created = false
    let components = PathRules.relative(path, below: root).split(separator: "/").map(String.init)
    for (index, component) in components.enumerated() {
      let made = try parent.makeDirectory(component, existingIsFine: true)
      created = made && index == components.count - 1
      parent = try parent.openDirectory(component)
    }
    return .success(created)
  } catch {
    return .failure(ReconcilerError.kernel(error.located(path)))
  }
}

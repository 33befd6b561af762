import LinuxKernel
import StateModel
import SystemPackage

/// The directories of one overlay, each opened beneath its root with
/// `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)` (invariant 14): the kernel is handed
/// these, never a path it would look up again.
struct OverlayLayers {
  var lowers: [FileDescriptor] = []
  var upper: FileDescriptor?
  var work: FileDescriptor?
  /// The deepest directory holding both upperdir and workdir: overlayfs wants the two
  /// on one mount, so where layers go to the kernel as paths they share one pin.
  var upperWorkParent: (path: String, fd: FileDescriptor)?
  /// Keeps the `O_PATH` handles the pins and fds come from open.
  private var handles: [DirectoryHandle] = []

  /// Opens every layer, or says which one failed and why (`ELOOP`: a symlink).
  ///
  /// - Parameters:
  ///   - overlay: the overlay; lowerdirs beneath their `lowerdirRoots`.
  ///   - root: the root upperdir and workdir (and lowerdirs without a root) lie below.
  ///   - readable: open the layers `O_RDONLY` rather than `O_PATH` (6.13 and 6.14
  ///     take layer fds, but not `O_PATH` ones).
  static func open(_ overlay: ResolvedOverlay, beneath root: String, readable: Bool) -> Result<
    OverlayLayers, ReconcilerError
  > {
    var layers = OverlayLayers()
    func layer(_ path: String, beneath base: String) throws(KernelError) -> FileDescriptor {
      let directory = try DirectoryHandle.open(FilePath(base)).openDirectory(PathRules.relative(path, below: base))
      layers.handles.append(directory)
      return readable ? try directory.reopenForReading() : directory.descriptor
    }
    do throws(KernelError) {
      for (index, lower) in overlay.lowerdirs.enumerated() {
        let base = index < overlay.lowerdirRoots.count ? overlay.lowerdirRoots[index] : root
        layers.lowers.append(try layer(lower, beneath: base))
      }
      if let upper = overlay.upperdir { layers.upper = try layer(upper, beneath: root) }
      if let work = overlay.workdir { layers.work = try layer(work, beneath: root) }
      if let upper = overlay.upperdir, let work = overlay.workdir {
        let parent = commonParent(upper, work)
        let directory = try DirectoryHandle.open(FilePath(root)).openDirectory(PathRules.relative(parent, below: root))
        layers.handles.append(directory)
        layers.upperWorkParent = (parent, directory.descriptor)
      }
      return .success(layers)
    } catch {
      layers.close()
      return .failure(ReconcilerError.kernel(error))
    }
  }

  /// Closes what was opened `O_RDONLY`; the `O_PATH` handles close with the value.
  func close() {
    let owned = Set(handles.map(\.descriptor.rawValue))
    for fd in lowers + [upper, work].compactMap({ $0 }) where !owned.contains(fd.rawValue) { try? fd.close() }
  }

  /// Whether the kernel names every layer fd by the path asked for. Layers passed as
  /// fds show in mountinfo as the kernel's path of the fd, which differs when a root
  /// is reached through a symlink; the planner matches the manifest's paths, so
  /// such an overlay goes to the kernel as pinned paths instead (invariant 9).
  func kernelPathsMatch(_ overlay: ResolvedOverlay) -> Bool {
    var pairs = Array(zip(lowers, overlay.lowerdirs))
    if let upper, let path = overlay.upperdir { pairs.append((upper, path)) }
    if let work, let path = overlay.workdir { pairs.append((work, path)) }
    return pairs.allSatisfy { $0.0.kernelPath == $0.1 }
  }
}

/// The deepest directory that holds both paths (absolute, normal form).
func commonParent(_ first: String, _ second: String) -> String {
  let shared = zip(first.split(separator: "/").dropLast(), second.split(separator: "/").dropLast())
    .prefix { $0 == $1 }.map(\.0)
  return "/" + shared.joined(separator: "/")
}

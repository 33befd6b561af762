import LinuxKernel
import SystemPackage

/// The effects the applier needs from the kernel, one method per act. The kernel
/// implementation is `KernelMountSystem`; tests substitute a recording fake.
public protocol MountSystem {
  /// The id of the top mount at `path` (statx `STATX_MNT_ID`), reached beneath
  /// `root` without following a symlink.
  func mountID(at path: String, beneath root: String) -> Result<Int, Errno>
  /// Removes the top mount at `path`, reached beneath `root` without following a
  /// symlink; never lazily. The corresponding C call is `umount2(2)` with
  /// `UMOUNT_NOFOLLOW`.
  func unmount(_ path: String, beneath root: String) -> Result<Void, Errno>
  /// Removes the top mount at `path` up to `count` times, as `unmount` does, stopping
  /// at the first failure. Returns how many went, and the failure that stopped it.
  func unmountLayers(_ path: String, beneath root: String, count: Int) -> (removed: Int, failure: Errno?)
  /// Creates `path` and missing parents beneath `root`, mode 0755, never following a
  /// symlink. Returns false when it already existed.
  func makeDirectory(_ path: String, beneath root: String) -> Result<Bool, ReconcilerError>
  /// Removes an empty directory, reached beneath `root` without following a symlink.
  /// The corresponding C call is `unlinkat(2)` with `AT_REMOVEDIR`.
  func removeDirectory(_ path: String, beneath root: String) -> Result<Void, Errno>
  /// Mounts an overlay at `target`, opened beneath `root`, and makes it private.
  func mountOverlay(_ overlay: ResolvedOverlay, at target: String, beneath root: String)
    -> Result<Void, ReconcilerError>
  /// Binds `bind.source` at `target` (read-only and idmapped as asked) and makes it
  /// private.
  func mountBind(_ bind: ResolvedBind, at target: String, beneath root: String)
    -> Result<Void, ReconcilerError>
}

extension MountSystem {
  /// `unmount` called `count` times: what a system without a cheaper way does.
  public func unmountLayers(_ path: String, beneath root: String, count: Int) -> (removed: Int, failure: Errno?) {
    for removed in 0..<count {
      if case .failure(let error) = unmount(path, beneath: root) { return (removed, error) }
    }
    return (count, nil)
  }
}

import CMountShims
import Glibc
import SystemPackage

/// Calls made only for the errno they answer, each in a way that cannot change
/// anything (invalid arguments, or a filesystem context closed before it makes a
/// superblock): `ENOSYS` means the running kernel lacks the call, any other answer
/// that it has it. The feature probe reads them; nothing else should. (Its
/// `fsopen`/`fsconfig` questions use `FilesystemContext`, as apply does.)
public enum KernelFeatureCalls {
  /// The running kernel's release (`uname -r`), or "unknown". The corresponding C
  /// call is `uname(2)`.
  public static var kernelRelease: String {
    var name = utsname()
    guard uname(&name) == 0 else { return "unknown" }
    return withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
  }

  /// `mount_setattr` with flags the kernel refuses before looking at anything
  /// (`EINVAL` where the call exists). The corresponding C call is `mount_setattr(2)`.
  public static func setMountAttributesWithInvalidFlags() throws(KernelError) {
    _ = try valueOrError("mount_setattr") { rcs_mount_setattr(-1, "", UInt32.max, 0, 0, 0, 0) }
  }

  /// `openat2("/")` with every resolve bit set: unknown bits give `EINVAL` where the
  /// call exists, and nothing is opened. The corresponding C call is `openat2(2)`.
  public static func openWithUnknownResolveFlags() throws(KernelError) {
    let fd = try valueOrError("openat2", "/") { rcs_openat2(AT_FDCWD, "/", 0, 0, UInt64.max) }
    close(fd)
  }

  /// `fchmodat2` with flags it refuses before looking at anything (`EINVAL` where it
  /// exists). The corresponding C call is `fchmodat2(2)`.
  public static func changeModeWithInvalidFlags() throws(KernelError) {
    _ = try valueOrError("fchmodat2") { rcs_fchmodat2(-1, "", 0, Int32.max) }
  }
}

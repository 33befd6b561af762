import Glibc

/// The process's file creation mask, fixed at start: directories reconcile makes
/// are 0755 and files 0644 whatever umask its caller had (a hook with `umask 077` once
/// left `runtime/2/*` at 0700 and the game server could not start). Invariant 8: the
/// caller's environment does not change what apply does.
public enum FileCreationMask {
  /// Sets the mask to 022. The corresponding C call is `umask(2)`.
  public static func fix() { _ = umask(0o022) }
}

import LinuxKernel
import StateModel
import SystemPackage

/// Resolves user and group names through NSS (`/etc/passwd`, `/etc/group`, or
/// whatever `nsswitch.conf` says), the way `chown` and `mount` would.
public struct IdentityProbe: Sendable {
  /// Makes a probe.
  public init() {}

  /// Resolves every name; names that NSS does not know are left out of the table.
  ///
  /// - Parameters:
  ///   - users: user names; each resolved user's primary group is recorded too.
  ///   - groups: group names.
  /// - Returns: the resolved names.
  public func resolve<Users: Sequence<String>, Groups: Sequence<String>>(
    users: Users, groups: Groups
  ) -> IdentityTable {
    var table = IdentityTable()
    for name in users {
      if case .success(let found?) = user(named: name) {
        table.users[name] = found.uid
        table.primaryGroups[name] = found.primaryGroup
      }
    }
    for name in groups {
      if case .success(let gid?) = group(named: name) { table.groups[name] = gid }
    }
    return table
  }

  /// One user's uid and primary gid.
  ///
  /// - Parameter name: the user name.
  /// - Returns: nil when NSS knows no such user; the errno when NSS failed.
  ///
  /// The corresponding C call is `getpwnam_r(3)`.
  public func user(named name: String) -> Result<(uid: UInt32, primaryGroup: UInt32)?, Errno> {
    Result(errnoOf: { () throws(KernelError) in try NameService.user(named: name) })
  }

  /// One group's gid.
  ///
  /// - Parameter name: the group name.
  /// - Returns: nil when NSS knows no such group; the errno when NSS failed.
  ///
  /// The corresponding C call is `getgrnam_r(3)`.
  public func group(named name: String) -> Result<UInt32?, Errno> {
    Result(errnoOf: { () throws(KernelError) in try NameService.group(named: name) })
  }
}

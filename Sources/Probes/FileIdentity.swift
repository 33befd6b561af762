/// Where a file lives: its mount, device and inode.
public struct FileIdentity: Hashable, Sendable {
  /// The mount id, as in mountinfo.
  public var mountID: Int
  /// The device number, `makedev(major, minor)`.
  public var device: UInt64
  /// The inode number on that device.
  public var inode: UInt64

  /// Makes an identity.
  public init(mountID: Int, device: UInt64, inode: UInt64) {
    self.mountID = mountID
    self.device = device
    self.inode = inode
  }
}

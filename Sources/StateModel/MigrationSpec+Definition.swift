extension MigrationSpec {
  /// The definition as one canonical line: path, from and to as written. A record
  /// stores it, so that a changed definition under the same id is caught.
  public var definition: String {
    let from = fromGroup.map { "\(fromUser):\($0)" } ?? "\(fromUser)"
    let to = toGroup.map { "\(toUser):\($0)" } ?? "\(toUser)"
    return "chown path=\(path) from=\(from) to=\(to)"
  }

  /// A digest of `definition` (64-bit FNV-1a, hex). It detects change, nothing more:
  /// the record directory is root's, so no adversary forges collisions, and a
  /// cryptographic hash would cost a dependency for no gain.
  public var digest: String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in definition.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }

  /// Where the record of this migration lives once it has run.
  public func recordPath(stateDirectory: String) -> String {
    stateDirectory + "/" + Self.recordDirectory + "/" + recordName
  }

  /// The directory of records, within the state directory.
  public static let recordDirectory = "migrations"

  /// The record's file name within `recordDirectory`.
  public var recordName: String { id + ".json" }
}

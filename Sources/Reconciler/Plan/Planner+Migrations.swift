import Probes
import StateModel

extension Planner {
  /// Steps for every configured migration without a record: re-own, then record.
  /// A record with another digest means the definition changed under the same id,
  /// which is an error, never a silent re-run. Planned but deferred while any lease
  /// lock is held (invariant 6). Nothing is planned when the filesystem was not
  /// probed (a saved table): whether a migration ran is then unknown.
  static func migrationSteps(
    desired: DesiredState, observed: ObservedState, problems: inout [Problem]
  ) -> [Step] {
    guard observed.filesystemProbed else { return [] }
    let config = desired.config
    var steps: [Step] = []
    let held = (observed.heldLeaseLocks + observed.leases.values.filter(\.held).map(\.lockPath))
    let deferredBy = Array(Set(held)).sorted()
    for migration in config.migrations {
      let located = { (message: String) in
        Problem(
          file: migration.location.file, line: migration.location.line,
          column: migration.location.column, message: "migration \(migration.id): \(message)")
      }
      switch observed.migrationRecords[migration.id] ?? .absent {
      case .recorded(let record) where record.digest == migration.digest:
        continue
      case .recorded(let record):
        problems.append(
          located(
            "its definition changed since it ran (recorded: \(record.definition); now: \(migration.definition)); a changed migration needs a new id"
          ))
        continue
      case .unreadable(let why):
        problems.append(located("its record is unreadable: \(why)"))
        continue
      case .absent:
        break
      }
      let ids = observed.identities
      guard let fromUID = ids.uid(migration.fromUser),
        let fromGID = groupID(migration.fromGroup, user: migration.fromUser, ids),
        let toUID = ids.uid(migration.toUser),
        let toGID = groupID(migration.toGroup, user: migration.toUser, ids)
      else {
        problems.append(located("unknown user or group in '\(migration.definition)'"))
        continue
      }
      steps.append(
        .setOwner(
          OwnershipStep(
            id: migration.id, path: migration.path, root: config.root, fromUID: fromUID,
            fromGID: fromGID, toUID: toUID, toGID: toGID, deferredBy: deferredBy)))
      steps.append(
        .record(
          RecordStep(
            id: migration.id, file: migration.recordPath(stateDirectory: config.stateDirectory),
            stateDirectory: config.stateDirectory, root: config.root,
            definition: migration.definition, digest: migration.digest)))
    }
    return steps
  }

  /// The group given, else the user's primary group; for a numeric user without a
  /// group, the same number.
  private static func groupID(_ group: IDReference?, user: IDReference, _ ids: IdentityTable) -> UInt32? {
    if let group { return ids.gid(group) }
    switch user {
    case .number(let number): return number
    case .name(let name): return ids.primaryGroups[name]
    }
  }
}

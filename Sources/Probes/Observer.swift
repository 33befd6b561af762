import FoundationEssentials
import LinuxKernel
import StateModel
import SystemPackage

/// Assembles an `ObservedState` from a mount table and the host probes: what the
/// controller *believes* the host looks like now.
///
/// Read-only: every probe stats, lists, opens read-only or takes and drops a shared
/// `flock`; nothing is created, written, chowned or mounted, so a dry run is safe.
/// It does not read the mount table itself (`MountInfoProbe` does); it is handed one.
public struct Observer: Sendable {
  /// The live host, or a saved table for which the filesystem is not probed.
  public var source: MountTableSource
  /// Kernel features to report; nil to use `KernelFeatureProbe.probedOnce`.
  public var features: KernelFeatures?
  /// The part of the table to parse: what the plan will read (`Planner.Scope`).
  public var tableScope: MountTableScope

  /// Makes an observer.
  ///
  /// - Parameters:
  ///   - source: where the table comes from, and so whether the filesystem is probed.
  ///   - features: features already probed, or nil to probe once per process.
  ///   - tableScope: the part of the table to parse; every line is checked anyway.
  public init(
    source: MountTableSource = .live, features: KernelFeatures? = nil, tableScope: MountTableScope = .whole
  ) {
    self.source = source
    self.features = features
    self.tableScope = tableScope
  }

  /// Reads the table from `source` and observes everything `desired` depends on.
  ///
  /// - Throws: `ProbeError` when the table cannot be read, or when the live one has
  ///   a malformed line.
  public func observe(desired: DesiredState) throws(ProbeError) -> Observation {
    let probe = MountInfoProbe(path: source.path)
    switch source {
    case .live:
      return Observation(
        state: observe(desired: desired, mounts: try probe.read(scope: tableScope)), malformedLines: [])
    case .saved:
      let result = try probe.readResult(scope: tableScope)
      return Observation(state: observe(desired: desired, mounts: result.table), malformedLines: result.malformedLines)
    }
  }

  /// Observes everything `desired` depends on.
  ///
  /// For a saved table this is `observeTableOnly`: probing this machine's paths would
  /// describe a different host.
  ///
  /// - Parameters:
  ///   - desired: the config and the accepted instances; refused instances are not
  ///     probed, since nothing is done for them.
  ///   - mounts: the table read from `source`.
  /// - Returns: the observation; `filesystemProbed` is true for a live host.
  public func observe(desired: DesiredState, mounts: MountTable) -> ObservedState {
    guard source == .live else { return observeTableOnly(desired: desired, mounts: mounts) }
    let config = desired.config
    let wanted = desired.instances.flatMap(\.wantedMounts).map(\.spec)
    let escapes = Self.pathEscapes(of: wanted, roots: config.lowerdirRoots)
    return ObservedState(
      mounts: mounts,
      features: features ?? KernelFeatureProbe.probedOnce,
      filesystemProbed: true,
      leases: Self.leases(for: mounts, rules: config.leases, root: config.root),
      taintedUpperdirs: Self.taintedUpperdirs(of: wanted, refusing: config.refuseUpperXattrs),
      pathEscapes: escapes.mapValues(\.description),
      absentPaths: Set(escapes.filter(\.value.isAbsence).keys),
      identities: Self.identities(for: desired),
      idmaps: Self.idmaps(
        of: desired.instances.flatMap(\.mounts).map(\.spec), in: mounts,
        statmountReportsMaps: (features ?? KernelFeatureProbe.probedOnce).statmountIDMaps),
      missingDirectories: Self.missingDirectories(of: wanted),
      migrationRecords: Self.migrationRecords(of: config),
      heldLeaseLocks: Self.heldLeaseLocks(rules: config.leases, root: config.root))
  }

  /// The observation when only the table is known, as for `--mountinfo FILE`.
  ///
  /// `filesystemProbed` is false and every filesystem observation (leases, xattrs,
  /// path checks, id maps) is empty, which the planner reads as unknown. User and
  /// group names are still resolved, through this machine's NSS (read-only and
  /// cheap), so a manifest with named idmaps can be planned at all. Features are
  /// `.modern`: such a plan is never applied (`--mountinfo` implies `--dry-run`), and
  /// the captured host's kernel is unknown.
  ///
  /// - Parameters:
  ///   - desired: the config and instances, for the names to resolve.
  ///   - mounts: the saved table.
  /// - Returns: the observation.
  func observeTableOnly(desired: DesiredState, mounts: MountTable) -> ObservedState {
    ObservedState(
      mounts: mounts, features: .modern, filesystemProbed: false,
      identities: Self.identities(for: desired))
  }

  // MARK: Parts, each a function of its inputs and the host

  /// A lease observation for every mount in the table whose target matches a rule;
  /// the first matching rule decides the lock file.
  static func leases(for mounts: MountTable, rules: [LeaseRule], root: String) -> [String: LeaseObservation] {
    guard !rules.isEmpty else { return [:] }
    let probe = LeaseProbe(beneath: root)
    var leases: [String: LeaseObservation] = [:]
    for target in mounts.targets {
      guard let rule = rules.first(where: { $0.matches(target) }) else { continue }
      leases[target] = probe.observe(lockPath: rule.lockPath(for: target))
    }
    return leases
  }

  /// Refused xattrs on each wanted overlay's upperdir. An upperdir whose xattrs cannot
  /// be listed is reported with a single entry saying so, so that it is refused
  /// rather than mounted on a guess (invariant 5).
  static func taintedUpperdirs(of specs: [MountSpec], refusing prefixes: [String]) -> [String: [String]] {
    guard !prefixes.isEmpty else { return [:] }
    let probe = XattrProbe()
    var tainted: [String: [String]] = [:]
    for case .overlay(let overlay) in specs {
      guard let upper = overlay.upperdir, tainted[upper] == nil else { continue }
      switch probe.refusedNames(at: upper, prefixes: prefixes) {
      case .success(let names) where names.isEmpty: continue
      case .success(let names): tainted[upper] = names
      case .failure(let error): tainted[upper] = ["(xattrs unreadable: \(error.description))"]
      }
    }
    return tainted
  }

  /// Lowerdirs and bind sources of the wanted mounts that do not resolve beneath the
  /// lowerdir root that is their lexical prefix (the deepest, when roots nest).
  static func pathEscapes(of specs: [MountSpec], roots: [String]) -> [String: PathEscape] {
    var paths: [String] = []
    for spec in specs {
      switch spec {
      case .overlay(let overlay): paths += overlay.lowerdirs
      case .bind(let bind): paths.append(bind.source)
      }
    }
    let probe = PathProbe()
    var escapes: [String: PathEscape] = [:]
    var checked: Set<String> = []
    for path in paths where checked.insert(path).inserted {
      guard let root = PathProbe.allowedRoot(for: path, among: roots) else {
        escapes[path] = PathEscape(path: path, root: roots.joined(separator: ", "), reason: .outsideRoot)
        continue
      }
      if let escape = probe.escape(of: path, beneath: root) { escapes[path] = escape }
    }
    return escapes
  }

  /// Every user and group name that idmaps and migrations mention, resolved. Idmaps of
  /// disabled instances count too: resolving a name changes nothing and is cheap.
  static func identities(for desired: DesiredState) -> IdentityTable {
    let (users, groups) = mentionedNames(in: desired)
    return IdentityProbe().resolve(users: users.sorted(), groups: groups.sorted())
  }

  /// The user and group names the desired state mentions, by role.
  static func mentionedNames(in desired: DesiredState) -> (users: Set<String>, groups: Set<String>) {
    var users: Set<String> = []
    var groups: Set<String> = []
    func add(_ reference: IDReference?, to set: inout Set<String>) {
      if case .name(let name)? = reference { set.insert(name) }
    }
    for case .bind(let bind) in desired.instances.flatMap(\.mounts).map(\.spec) {
      guard let idmap = bind.idmap else { continue }
      add(idmap.users.onDisk, to: &users)
      add(idmap.users.seenThroughMount, to: &users)
      add(idmap.groups.onDisk, to: &groups)
      add(idmap.groups.seenThroughMount, to: &groups)
    }
    for migration in desired.config.migrations {
      add(migration.fromUser, to: &users)
      add(migration.toUser, to: &users)
      add(migration.fromGroup, to: &groups)
      add(migration.toGroup, to: &groups)
    }
    return (users, groups)
  }

  /// The record of every configured migration, read-only.
  /// Records are read through the state directory, which must be root's: a record
  /// planted by someone who can write under `root` never makes a migration look done.
  static func migrationRecords(of config: SiteConfig) -> [String: MigrationRecordObservation] {
    guard !config.migrations.isEmpty else { return [:] }
    var records: [String: MigrationRecordObservation] = [:]
    let directory: StateDirectory?
    do {
      directory = try StateDirectory.open(config.stateDirectory, beneath: config.root, create: false)?
        .subdirectory(MigrationSpec.recordDirectory, create: false)
    } catch {
      for migration in config.migrations { records[migration.id] = .unreadable(error.description) }
      return records
    }
    for migration in config.migrations {
      let path = migration.recordPath(stateDirectory: config.stateDirectory)
      do {
        guard let bytes = try directory?.read(migration.recordName) else {
          records[migration.id] = .absent
          continue
        }
        records[migration.id] = .recorded(try JSONDecoder().decode(MigrationRecord.self, from: Data(bytes)))
      } catch let error as StateFileError {
        records[migration.id] = .unreadable(error.description)
      } catch {
        records[migration.id] = .unreadable("\(path): not a migration record (\(error))")
      }
    }
    return records
  }

  /// Lock files of every lease rule that some process holds now, found by listing
  /// the lock directory: a build holds its lock before its staging bind exists.
  static func heldLeaseLocks(rules: [LeaseRule], root: String) -> [String] {
    let probe = LeaseProbe(beneath: root)
    var held: [String] = []
    for rule in rules {
      let pattern = rule.lockPath(for: rule.pattern)
      guard let directory = rule.lockDirectory, let names = try? Files.names(in: FilePath(directory)) else { continue }
      for name in names.sorted() {
        let path = directory + "/" + name
        if Glob.matches(pattern: pattern, path: path) && probe.isHeld(lockPath: path) { held.append(path) }
      }
    }
    return held
  }

  /// Targets, upperdirs and workdirs of the wanted mounts that do not exist, so the
  /// plan creates exactly those and a converged host plans no `mkdir`.
  static func missingDirectories(of specs: [MountSpec]) -> Set<String> {
    let probe = MountIdentityProbe()
    var missing: Set<String> = []
    for spec in specs {
      var paths = [spec.target]
      if case .overlay(let overlay) = spec { paths += [overlay.upperdir, overlay.workdir].compactMap { $0 } }
      for path in paths {
        if case .failure(.noSuchFileOrDirectory) = probe.lookUp(path, followingFinalSymlink: false) {
          missing.insert(path)
        }
      }
    }
    return missing
  }

  /// The id maps of idmapped mounts on top of the bind targets: from statmount where
  /// the kernel reports them (6.15+), else owners compared through the mount and
  /// through the bind's source, which is what such a bind shows.
  static func idmaps(
    of specs: [MountSpec], in mounts: MountTable, statmountReportsMaps: Bool
  ) -> [String: ObservedIDMap] {
    let probe = IDMapProbe()
    var idmaps: [String: ObservedIDMap] = [:]
    for case .bind(let bind) in specs where idmaps[bind.target] == nil {
      guard let top = mounts.top(at: bind.target), top.isIdmapped else { continue }
      let map =
        statmountReportsMaps
        ? probe.idmap(at: bind.target) : probe.sampledOwners(at: bind.target, source: bind.source)
      if let map { idmaps[bind.target] = map }
    }
    return idmaps
  }
}

import Probes
import StateModel

extension PlanDraft {
  /// Closes the unmount set over the mount tree and orders everything: unmounts in
  /// post-order (a mount's overmounts and children before it), each orphan's rmdir
  /// right after its last layer goes, then directories and mounts parents first.
  mutating func finish(orphanRemovalSuspended: Bool) -> Plan {
    let order = postOrder()
    let remount = closeOverDescendants(order: order)
    withdrawBlockedUnmounts()
    return assemble(order: order, extraMounts: remount, suspended: orphanRemovalSuspended)
  }

  /// A mount cannot go while something mounted below it stays, so take every
  /// descendant along, parents first. A wanted descendant is mounted again afterwards.
  private mutating func closeOverDescendants(order: [Int]) -> [MountStep] {
    var remount: [MountStep] = []
    for index in order.reversed() {
      let entry = table.entries[index]
      guard let parentStep = unmounts[entry.id] else { continue }
      for childIndex in table.childIndices(of: entry.id) {
        let child = table.entries[childIndex]
        if child.id == entry.id || unmounts[child.id] != nil || mustStay(child) { continue }
        if var step = keptWanted[child.id] {
          step.reason = .differs
          remount.append(step)
          unmount(child, instance: step.instance, reason: .stacked, whenBusy: .waitForRestart)
        } else {
          unmount(child, instance: parentStep.instance, reason: .orphan)
        }
      }
    }
    return remount
  }

  /// Withdraws the unmount of every ancestor of a must-stay mount (a refused
  /// instance's, or one a held lease covers), with a problem saying so: it would only
  /// fail with EBUSY.
  private mutating func withdrawBlockedUnmounts() {
    var visited = Set<Int>()
    for entry in table.entries where unmounts[entry.id] == nil && mustStay(entry) {
      var parentID = entry.parentID
      while parentID != entry.id, visited.insert(parentID).inserted,
        let index = table.index(of: parentID)
      {
        let parent = table.entries[index]
        if let step = unmounts.removeValue(forKey: parent.id) {
          problems.append(
            Problem(
              instance: step.instance,
              message: "left \(parent.target) (mount \(parent.id)) mounted: a mount below it must stay"))
        }
        if parent.parentID == parent.id { break }
        parentID = parent.parentID
      }
    }
  }

  private func assemble(order: [Int], extraMounts: [MountStep], suspended: Bool) -> Plan {
    var steps: [Step] = []
    var remaining: [String: Int] = [:]
    for step in unmounts.values { remaining[step.target, default: 0] += 1 }
    for index in order {
      guard let step = unmounts[table.entries[index].id] else { continue }
      steps.append(.unmount(step))
      remaining[step.target]! -= 1
      if remaining[step.target] == 0 && directoriesToRemove.contains(step.target) {
        steps.append(
          .removeDirectory(
            DirectoryStep(
              path: step.target, root: root, instance: nil, reason: step.reason)))
      }
    }
    let allMounts = (mounts + extraMounts).enumerated().sorted { a, b in
      let (da, db) = (componentCount(a.element.target), componentCount(b.element.target))
      return da != db ? da < db : a.offset < b.offset
    }.map(\.element)
    // A directory inside a target mounted in this plan (an instance's nested mount
    // point) can only be made once that mount is there; every other one comes first.
    var inside: [String: [DirectoryStep]] = [:]
    var first: [DirectoryStep] = []
    for directory in directories.values.sorted(by: { depth($0.path, $1.path) }) {
      let container = allMounts.last { PathRules.isStrictlyBeneath(directory.path, $0.target) }
      if let container { inside[container.target, default: []].append(directory) } else { first.append(directory) }
    }
    steps += first.map(Step.createDirectory)
    for mount in allMounts {
      steps.append(.mount(mount))
      steps += inside.removeValue(forKey: mount.target)?.map(Step.createDirectory) ?? []
    }
    return Plan(steps: steps, problems: problems, orphanRemovalSuspended: suspended)
  }

  /// Indices of every entry in post-order: a mount comes after everything mounted on
  /// or below it. Among a mount's children, those on its own target (overmounts) come
  /// first, then the rest by target ascending, so that a sibling covering another's
  /// path (a later mount on `/x` hiding one on `/x/y`) goes before the one it hides.
  /// Iterative, so a stack of thousands of layers does not exhaust the call stack.
  func postOrder() -> [Int] {
    let entries = table.entries
    var result: [Int] = []
    result.reserveCapacity(entries.count)
    var visited = Set<Int>()
    visited.reserveCapacity(entries.count)
    let roots = entries.indices.filter {
      entries[$0].parentID == entries[$0].id || table.index(of: entries[$0].parentID) == nil
    }
    var stack: [(index: Int, expanded: Bool)] = roots.reversed().map { ($0, false) }
    while let (index, expanded) = stack.popLast() {
      if expanded {
        result.append(index)
        continue
      }
      let entry = entries[index]
      guard visited.insert(entry.id).inserted else { continue }
      stack.append((index, true))
      var children = table.childIndices(of: entry.id).filter { entries[$0].id != entry.id }
      if children.count > 1 {
        children.sort { a, b in
          let (aOver, bOver) = (entries[a].target == entry.target, entries[b].target == entry.target)
          if aOver != bOver { return aOver }
          return entries[a].target < entries[b].target
        }
      }
      // Pushed in reverse of the order they must be emitted.
      for child in children.reversed() { stack.append((child, false)) }
    }
    return result
  }
}

private func componentCount(_ path: String) -> Int {
  path.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "/") ? 1 : 0) }
}

private func depth(_ a: String, _ b: String) -> Bool {
  let (da, db) = (componentCount(a), componentCount(b))
  return da != db ? da < db : a < b
}

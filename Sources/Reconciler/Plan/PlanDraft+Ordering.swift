import Probes

extension PlanDraft {
  /// Closes the unmount set over the mount tree and orders everything: unmounts in
  /// post-order (a mount's overmounts and children before it), each orphan's rmdir
  /// right after its last layer goes, then directories and mounts parents first.
  mutating func finish(orphanRemovalSuspended: Bool) -> Plan {
    let order = postOrder()
    let remount = closeOverDescendants(order: order)
    withdrawBlockedUnmounts(order: order)
    return assemble(order: order, extraMounts: remount, suspended: orphanRemovalSuspended)
  }

  /// A mount cannot go while something mounted below it stays, so take every
  /// descendant along, parents first. A wanted descendant is mounted again afterwards.
  private mutating func closeOverDescendants(order: [MountEntry]) -> [MountStep] {
    var remount: [MountStep] = []
    for entry in order.reversed() where unmounts[entry.id] != nil {
      for child in table.children(of: entry.id) where child.id != entry.id {
        if unmounts[child.id] != nil || mustStay(child) { continue }
        if var step = keptWanted[child.id] {
          step.reason = .differs
          remount.append(step)
          unmount(child, instance: step.instance, reason: .stacked)
        } else {
          unmount(child, instance: unmounts[entry.id]?.instance, reason: .orphan)
        }
      }
    }
    return remount
  }

  /// Withdraws the unmount of any mount that has a must-stay mount below it (a refused
  /// instance's or a held lease's), with a problem saying so.
  private mutating func withdrawBlockedUnmounts(order: [MountEntry]) {
    var blocked = Set<Int>()
    for entry in order {
      let children = table.children(of: entry.id).filter { $0.id != entry.id }
      let below = children.contains { blocked.contains($0.id) || (unmounts[$0.id] == nil && mustStay($0)) }
      guard below else { continue }
      blocked.insert(entry.id)
      if let step = unmounts.removeValue(forKey: entry.id) {
        problems.append(Problem(
          instance: step.instance,
          message: "left \(entry.target) (mount \(entry.id)) mounted: a mount below it must stay"))
      }
    }
  }

  private func assemble(order: [MountEntry], extraMounts: [MountStep], suspended: Bool) -> Plan {
    var steps: [Step] = []
    var remaining: [String: Int] = [:]
    for step in unmounts.values { remaining[step.target, default: 0] += 1 }
    for entry in order {
      guard let step = unmounts[entry.id] else { continue }
      steps.append(.unmount(step))
      remaining[step.target]! -= 1
      if remaining[step.target] == 0 && directoriesToRemove.contains(step.target) {
        steps.append(.removeDirectory(DirectoryStep(
          path: step.target, root: root, instance: nil, reason: step.reason)))
      }
    }
    let sortedDirectories = directories.values.sorted { depth($0.path, $1.path) }
    steps += sortedDirectories.map(Step.createDirectory)
    let allMounts = (mounts + extraMounts).enumerated().sorted { a, b in
      let (da, db) = (componentCount(a.element.target), componentCount(b.element.target))
      return da != db ? da < db : a.offset < b.offset
    }
    steps += allMounts.map { Step.mount($0.element) }
    return Plan(steps: steps, problems: problems, orphanRemovalSuspended: suspended)
  }

  /// Every entry in post-order: for each mount, first the mounts stacked on it (same
  /// target), then its other children deepest path first, then itself. Iterative, so
  /// a stack of thousands of layers does not exhaust the call stack.
  func postOrder() -> [MountEntry] {
    var result: [MountEntry] = []
    result.reserveCapacity(table.entries.count)
    var visited = Set<Int>()
    let roots = table.entries.filter { $0.parentID == $0.id || table.entry(id: $0.parentID) == nil }
    var stack: [(entry: MountEntry, expanded: Bool)] = roots.reversed().map { ($0, false) }
    while let (entry, expanded) = stack.popLast() {
      if expanded {
        result.append(entry)
        continue
      }
      guard visited.insert(entry.id).inserted else { continue }
      stack.append((entry, true))
      let children = table.children(of: entry.id).filter { $0.id != entry.id }
      // Pushed in reverse of the order they must be emitted.
      let ordered = children.sorted { a, b in
        let (aOver, bOver) = (a.target == entry.target, b.target == entry.target)
        if aOver != bOver { return aOver }
        return a.target > b.target
      }
      for child in ordered.reversed() { stack.append((child, false)) }
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

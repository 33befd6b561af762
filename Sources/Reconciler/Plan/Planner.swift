import Probes
import StateModel

/// Decides what to change: a pure function of desired and observed state.
///
/// No I/O, no clock, no globals: kernel features, leases, xattrs and path checks come
/// in as observed values, so the planner is tested with tables of values.
public enum Planner {
  /// Which instances a run acts on.
  public enum Scope: Hashable, Sendable {
    /// Every instance, and orphan removal below `managed`.
    case all
    /// Only these instances' declared targets; orphans are left to full runs.
    case instances(Set<String>)
    /// Only pending migrations (`reconcile migrate`).
    case migrations

    func includes(_ name: String) -> Bool {
      switch self {
      case .all: return true
      case .instances(let names): return names.contains(name)
      case .migrations: return false
      }
    }
  }

  /// Plans the steps that take `observed` to `desired`.
  ///
  /// - Parameters:
  ///   - desired: The loaded config and manifests.
  ///   - observed: What the probes saw.
  ///   - scope: All instances, only some (`--instance`), or only migrations.
  /// - Returns: Unmounts (children and upper layers first), then directories, then
  ///   mounts, then pending migrations; plus every problem found.
  public static func plan(
    desired: DesiredState, observed: ObservedState, scope: Scope = .all
  ) -> Plan {
    var draft = PlanDraft(table: observed.mounts, root: desired.config.root)
    // A unit's hook for one instance must not fail over another instance's manifest.
    draft.problems = desired.issues.filter { issue in
      guard case .instances = scope, let name = issue.instance else { return true }
      return scope.includes(name)
    }.map(Problem.init)
    draft.protectedTargets = desired.refused.flatMap(\.declaredTargets)
    var refused = desired.refused.map(\.name).filter(scope.includes)
    reportUnknownInstances(desired: desired, scope: scope, into: &draft)

    for instance in desired.instances where scope.includes(instance.name) {
      switch resolve(instance, config: desired.config, observed: observed) {
      case .refused(let reasons):
        for reason in reasons {
          draft.problems.append(
            Problem(instance: instance.name, file: instance.file, message: "refused: \(reason)"))
        }
        draft.protectedTargets += instance.declaredTargets
        refused.append(instance.name)
      case .resolved(let mounts):
        if instance.enabled {
          for (desiredMount, resolved) in mounts {
            draft.want(
              desiredMount, resolved, instance: instance.name, config: desired.config,
              observed: observed)
          }
        } else {
          for target in instance.declaredTargets {
            draft.removeStack(at: target, instance: instance.name, reason: .disabled)
          }
        }
      }
    }

    let suspended = desired.hasUnparseableManifest
    if scope == .all && !suspended {
      draft.removeOrphans(desired: desired, observed: observed)
    }
    var plan = draft.finish(orphanRemovalSuspended: suspended && scope == .all)
    plan.refusedInstances = refused.sorted()
    if scope == .all || scope == .migrations {
      plan.steps += migrationSteps(desired: desired, observed: observed, problems: &plan.problems)
    }
    return plan
  }

  private static func reportUnknownInstances(
    desired: DesiredState, scope: Scope, into draft: inout PlanDraft
  ) {
    guard case .instances(let names) = scope else { return }
    let known = Set(desired.instances.map(\.name) + desired.refused.map(\.name))
    for name in names.sorted() where !known.contains(name) {
      draft.problems.append(
        Problem(instance: name, message: "no manifest \(name).yaml in \(desired.config.instancesDirectory)"))
    }
  }
}

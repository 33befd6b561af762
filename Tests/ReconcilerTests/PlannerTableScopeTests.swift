import Probes
import StateModel
import Testing
import _ReconcileTestSupport

@testable import Reconciler

/// A plan made from the part of the table its scope names is the plan made from the
/// whole table: what observation leaves unparsed is nothing the planner reads.
@Suite struct PlannerTableScopeTests {
  static let entries =
    B.baseEntries() + [
      B.overlayEntry(id: 10, instance: "1"),
      B.overlayEntry(id: 11, instance: "2"),
      B.overlayEntry(id: 12, parent: 11, instance: "2"),  // stacked on 2
      B.entry(id: 13, parent: 2, target: "/srv/l4d/runtime/9/merged", minor: 73),  // orphan
      B.entry(id: 14, parent: 13, target: "/srv/l4d/runtime/9/merged/sub", minor: 74),
      B.entry(id: 15, parent: 1, target: "/srv/l4d/runtime/3/merged", minor: 75),  // parent outside
      B.entry(id: 16, parent: 1, target: "/elsewhere", minor: 76),
      B.entry(id: 17, parent: 16, target: "/elsewhere/x", minor: 77),
      B.entry(id: 18, parent: 2, target: "/srv/l4d/tmp/sandbox-idmap-4", minor: 78),
      B.entry(id: 19, parent: 2, target: "/srv/l4d/installation", minor: 79),
      B.entry(id: 20, parent: 2, target: "/srv/l4d/runtimex", minor: 80),
    ]

  static let desired = B.desired([
    B.overlayInstance("1"), B.overlayInstance("2"), B.overlayInstance("3", enabled: false),
  ])

  @Test(arguments: [
    Planner.Scope.all, .instances(["1"]), .instances(["2"]), .instances(["3"]), .migrations,
  ])
  func planFromTheScopedTableIsThePlanFromTheWholeTable(scope: Planner.Scope) {
    let tableScope = scope.tableScope(for: Self.desired)
    #expect(!tableScope.isWhole)
    let kept = Self.entries.filter { tableScope.keeps($0.target) }
    #expect(kept.count < Self.entries.count)
    let leases = ["/srv/l4d/tmp/sandbox-idmap-4": LeaseObservation(lockPath: "/l", held: false)]
    let whole = Planner.plan(desired: Self.desired, observed: B.observed(Self.entries, leases: leases), scope: scope)
    let scoped = Planner.plan(desired: Self.desired, observed: B.observed(kept, leases: leases), scope: scope)
    #expect(scoped == whole)
    #expect(!kept.contains { $0.target.hasPrefix("/elsewhere") || $0.target == "/srv/l4d/runtimex" })
  }

  @Test func anInstanceScopeNamesOnlyItsTargetsAndTheTreeAbove() {
    let scope = Planner.Scope.instances(["1"]).tableScope(for: Self.desired)
    #expect(scope.subtrees == ["/srv/l4d/runtime/1/merged"])
    #expect(scope.keeps("/srv/l4d") && scope.keeps("/") && scope.keeps("/srv/l4d/runtime/1/merged/x"))
    #expect(!scope.keeps("/srv/l4d/runtime/2/merged") && !scope.keeps("/srv/l4d/runtime/9/merged"))
  }

  @Test func aLeasePatternKeepsItsFixedDirectory() {
    #expect(LeaseRule(pattern: "/srv/l4d/tmp/sandbox-idmap-*", lockTemplate: "x").fixedDirectory == "/srv/l4d/tmp")
    #expect(LeaseRule(pattern: "/srv/*/tmp/x", lockTemplate: "x").fixedDirectory == "/srv")
    #expect(LeaseRule(pattern: "/*", lockTemplate: "x").fixedDirectory == "/")
  }
}

import Foundation
import Probes
import StateModel
import Testing
import _ReconcileTestSupport

@testable import Reconciler

/// A step reduced to what the tables compare: action, target, reason.
private func summary(_ plan: Plan) -> [String] {
  plan.steps.map { "\($0.action) \($0.target.replacing("/srv/l4d/", with: "")) \($0.reason.rawValue)" }
}

private func unmounts(_ plan: Plan) -> [UnmountStep] {
  plan.steps.compactMap { step in
    if case .unmount(let unmount) = step { return unmount } else { return nil }
  }
}

/// Invariant 2: only mounts strictly below a managed directory are candidates.
@Suite struct PlannerOrphanBoundaryTests {
  @Test func operatorsTmpfsOnAManagedDirectoryAndWhatIsStackedThereStay() {
    let entries =
      B.baseEntries() + [
        B.entry(id: 30, parent: 2, target: "/srv/l4d/tmp", minor: 70),
        B.entry(id: 31, parent: 30, target: "/srv/l4d/tmp", minor: 71),
        B.entry(id: 32, parent: 2, target: "/srv/l4d/runtime", minor: 72),
      ]
    let plan = Planner.plan(desired: B.desired([]), observed: B.observed(entries))
    #expect(plan.steps.isEmpty)
    #expect(plan.problems.isEmpty)
  }

  @Test func filesystemMountedOnRootStays() {
    let entries = B.baseEntries() + [B.entry(id: 30, parent: 2, target: "/srv/l4d", fsType: "ext4", minor: 80)]
    let plan = Planner.plan(desired: B.desired([]), observed: B.observed(entries))
    #expect(plan.steps.isEmpty)
  }

  /// A mount on a directory whose name is canonically equivalent to a declared target
  /// (`é` as one scalar against `e` and a combining accent) is another directory's
  /// mount, not a layer stacked on the declared one: here an operator's, outside every
  /// managed directory, so it stays.
  @Test func mountOnACanonicallyEquivalentDirectoryIsNotStackedOnTheTarget() {
    var config = B.config()
    config.managed = ["/srv/l4d/tmp"]
    let desired = B.desired([B.overlayInstance("caf\u{e9}")], config: config)
    let entries =
      B.baseEntries() + [
        B.overlayEntry(id: 10, instance: "caf\u{e9}"),
        B.entry(id: 11, parent: 2, target: "/srv/l4d/runtime/cafe\u{301}/merged", minor: 90),
      ]
    let plan = Planner.plan(desired: desired, observed: B.observed(entries))
    #expect(plan.steps.isEmpty, "\(summary(plan))")
    #expect(plan.problems.isEmpty)
  }

  @Test func orphanInsideTheOperatorsTmpfsIsStillRemoved() {
    let entries =
      B.baseEntries() + [
        B.entry(id: 30, parent: 2, target: "/srv/l4d/tmp", minor: 70),
        B.entry(id: 31, parent: 30, target: "/srv/l4d/tmp/sandbox-old", minor: 71),
      ]
    let plan = Planner.plan(desired: B.desired([]), observed: B.observed(entries))
    #expect(summary(plan) == ["unmount tmp/sandbox-old orphan", "rmdir tmp/sandbox-old orphan"])
  }
}

/// Invariant 13: what EBUSY means is decided here, in the plan.
@Suite struct PlannerDriftTests {
  private static func overlay(
    id: Int = 10, lowerdirs: [String] = ["overlays/9", "installation"], upper: String = "runtime/2/upper",
    work: String = "runtime/2/work", options: [String] = ["rw", "relatime"]
  ) -> MountEntry {
    B.entry(
      id: id, parent: 2, target: "/srv/l4d/runtime/2/merged", fsType: "overlay", minor: 110,
      options: options,
      overlay: OverlayLayers(
        lowerdirs: lowerdirs.map { "/srv/l4d/" + $0 }, upperdir: "/srv/l4d/" + upper,
        workdir: "/srv/l4d/" + work))
  }

  @Test(arguments: [
    (overlay(lowerdirs: ["installation"]), "lowerdirs"),
    (overlay(upper: "runtime/2/upper-old"), "upperdir"),
    (overlay(work: "runtime/2/work-old"), "workdir"),
    (overlay(options: ["ro", "relatime"]), "read-only"),
  ])
  func driftedOverlayIsRemadeAndWaitsForRestartWhenBusy(_ mounted: MountEntry, _ what: String) {
    let plan = Planner.plan(
      desired: B.desired([B.overlayInstance("2")]), observed: B.observed(B.baseEntries() + [mounted]))
    #expect(summary(plan) == ["unmount runtime/2/merged differs", "mount runtime/2/merged differs"], "\(what)")
    #expect(unmounts(plan).map(\.whenBusy) == [.waitForRestart], "\(what)")
  }

  @Test func stackedLayersOnADeclaredTargetWaitForRestartWhenBusy() {
    let entries = B.baseEntries() + [Self.overlay(id: 10), Self.overlay(id: 11)]
    var stacked = entries
    stacked[3].parentID = 10
    let plan = Planner.plan(desired: B.desired([B.overlayInstance("2")]), observed: B.observed(stacked))
    #expect(
      unmounts(plan).map { "\($0.mountID) \($0.reason.rawValue) \($0.whenBusy.rawValue)" } == [
        "11 stacked wait-for-restart"
      ])
  }

  @Test func busyOrphansAndDisabledInstancesStayErrors() {
    let orphan = B.entry(id: 20, parent: 2, target: "/srv/l4d/runtime/9/old", minor: 90)
    let full = Planner.plan(desired: B.desired([]), observed: B.observed(B.baseEntries() + [orphan]))
    #expect(unmounts(full).map(\.whenBusy) == [.fail])
    let disabled = Planner.plan(
      desired: B.desired([B.overlayInstance("2", enabled: false)]),
      observed: B.observed(B.baseEntries() + [Self.overlay()]), scope: .instances(["2"]))
    #expect(unmounts(disabled).map { "\($0.reason.rawValue) \($0.whenBusy.rawValue)" } == ["disabled fail"])
  }

  @Test func planCarriesTheBusyPolicyInItsJSON() throws {
    let plan = Planner.plan(
      desired: B.desired([B.overlayInstance("2")]),
      observed: B.observed(B.baseEntries() + [Self.overlay(lowerdirs: ["installation"])]))
    let decoded = try JSONDecoder().decode(Plan.self, from: JSONEncoder().encode(plan))
    #expect(decoded == plan)
  }
}

/// Invariant 12, within one instance: outer mounted first, inner unmounted first.
@Suite struct PlannerNestedMountTests {
  private static let extra = "/srv/l4d/runtime/2/merged/extra"

  private static func nestedInstance() -> InstanceManifest {
    var instance = B.overlayInstance("2")
    let bind = BindSpec(source: "/srv/l4d/overlays/9", target: extra, readOnly: true)
    instance.mounts.append(
      DesiredMount(spec: .bind(bind), location: SourceLocation(file: "2.yaml", line: 9, column: 5)))
    return instance
  }

  @Test func outerIsMountedBeforeInner() {
    let plan = Planner.plan(
      desired: B.desired([Self.nestedInstance()]),
      observed: B.observed(B.baseEntries(), missing: [Self.extra]))
    // The inner mount point is made inside the outer mount, once it is there.
    #expect(
      summary(plan) == [
        "mount runtime/2/merged missing", "mkdir runtime/2/merged/extra missing",
        "mount runtime/2/merged/extra missing",
      ])
  }

  @Test func remadeOuterTakesTheInnerOffFirstAndPutsItBackAfter() {
    let outer = B.overlayEntry(id: 10, instance: "2", lowerdirs: ["installation"])
    let inner = B.entry(id: 11, parent: 10, target: Self.extra, root: "/overlays/9", options: ["ro"])
    let plan = Planner.plan(
      desired: B.desired([Self.nestedInstance()]), observed: B.observed(B.baseEntries() + [outer, inner]))
    #expect(
      summary(plan) == [
        "unmount runtime/2/merged/extra stacked", "unmount runtime/2/merged differs",
        "mount runtime/2/merged differs", "mount runtime/2/merged/extra differs",
      ])
    #expect(unmounts(plan).map(\.whenBusy) == [.waitForRestart, .waitForRestart])
  }
}

/// The plan says how apply hands an overlay's layers to the kernel.
@Suite struct PlannerOverlayMethodTests {
  @Test(arguments: [
    (KernelFeatures.modern, OverlayMethod.pathDescriptors),
    (
      KernelFeatures(
        newMountAPI: true, idmappedMounts: true, overlayLowerdirPlus: true, openat2: true, statmount: true,
        overlayLayerFDs: true), .readableDescriptors
    ),
    (
      KernelFeatures(
        newMountAPI: true, idmappedMounts: true, overlayLowerdirPlus: true, openat2: true, statmount: true),
      .pinnedLowerdirPlus
    ),
    (
      KernelFeatures(
        newMountAPI: true, idmappedMounts: true, overlayLowerdirPlus: false, openat2: true, statmount: false),
      .pinnedMountData
    ),
  ])
  func methodFollowsTheObservedKernel(_ features: KernelFeatures, _ expected: OverlayMethod) {
    var observed = B.observed(B.baseEntries())
    observed.features = features
    let plan = Planner.plan(desired: B.desired([B.overlayInstance("2")]), observed: observed)
    let methods = plan.steps.compactMap { step -> OverlayMethod? in
      guard case .mount(let mount) = step, case .overlay(let overlay) = mount.mount else { return nil }
      return overlay.method
    }
    #expect(methods == [expected])
  }
}

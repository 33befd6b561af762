import Probes
import StateModel
import Testing
import _ReconcileTestSupport

@testable import Reconciler

typealias B = StateBuilders

/// A step reduced to what the tables compare: action, target, reason.
private func summary(_ plan: Plan) -> [String] {
  plan.steps.map { "\($0.action) \($0.target.replacing("/srv/l4d/", with: "")) \($0.reason.rawValue)" }
}

@Suite struct PlannerTests {
  @Test func planMountsMissingOverlayAfterCreatingItsDirectories() {
    let desired = B.desired([B.overlayInstance("2")])
    let missing: Set = ["/srv/l4d/runtime/2/merged", "/srv/l4d/runtime/2/upper", "/srv/l4d/runtime/2/work"]
    let plan = Planner.plan(desired: desired, observed: B.observed(B.baseEntries(), missing: missing))
    #expect(
      summary(plan) == [
        "mkdir runtime/2/merged missing", "mkdir runtime/2/upper missing",
        "mkdir runtime/2/work missing", "mount runtime/2/merged missing",
      ])
    #expect(plan.problems.isEmpty)
  }

  @Test func planIsEmptyWhenOverlayIsMountedOnceAndMatches() {
    let desired = B.desired([B.overlayInstance("2")])
    let observed = B.observed(B.baseEntries() + [B.overlayEntry(id: 10, instance: "2")])
    let plan = Planner.plan(desired: desired, observed: observed)
    #expect(plan.steps.isEmpty)
    #expect(plan.isConverged)
  }

  @Test(arguments: [
    (["installation", "overlays/9"], "order"),
    (["overlays/9"], "layers"),
  ])
  func planReplacesOverlayWhoseLayersDiffer(lowerdirs: [String], _ what: String) {
    let desired = B.desired([B.overlayInstance("2")])
    let observed = B.observed(B.baseEntries() + [B.overlayEntry(id: 10, instance: "2", lowerdirs: lowerdirs)])
    let plan = Planner.plan(desired: desired, observed: observed)
    #expect(summary(plan) == ["unmount runtime/2/merged differs", "mount runtime/2/merged differs"], "\(what)")
  }

  @Test func planUnmountsStackedLayersTopFirstAndKeepsMatchingBottom() {
    let desired = B.desired([B.overlayInstance("2")])
    let entries =
      B.baseEntries() + [
        B.overlayEntry(id: 10, instance: "2"),
        B.overlayEntry(id: 12, parent: 11, instance: "2"),  // listed before its parent
        B.overlayEntry(id: 11, parent: 10, instance: "2"),
      ]
    let plan = Planner.plan(desired: desired, observed: B.observed(entries))
    let ids = plan.steps.compactMap { step -> Int? in
      if case .unmount(let u) = step { return u.mountID } else { return nil }
    }
    #expect(ids == [12, 11])
    #expect(plan.steps.allSatisfy { $0.reason == .stacked })
  }

  @Test func planReplacesWholeStackWhenBottomDiffers() {
    let desired = B.desired([B.overlayInstance("2")])
    let entries =
      B.baseEntries() + [
        B.overlayEntry(id: 10, instance: "2", lowerdirs: ["installation"]),
        B.overlayEntry(id: 11, parent: 10, instance: "2"),
      ]
    let plan = Planner.plan(desired: desired, observed: B.observed(entries))
    #expect(
      summary(plan) == [
        "unmount runtime/2/merged stacked", "unmount runtime/2/merged differs",
        "mount runtime/2/merged differs",
      ])
  }

  @Test func planRemovesOrphansChildrenBeforeParentsAndRemovesTheirDirectories() {
    let desired = B.desired([])
    let entries =
      B.baseEntries() + [
        B.entry(id: 20, parent: 2, target: "/srv/l4d/runtime/2/idmap/overlays_9", root: "/overlays/9"),
        B.entry(id: 21, parent: 20, target: "/srv/l4d/runtime/2/idmap/overlays_9", root: "/overlays/9"),
        B.entry(id: 22, parent: 2, target: "/srv/l4d/runtime/3", fsType: "tmpfs", minor: 77),
        B.entry(id: 23, parent: 22, target: "/srv/l4d/runtime/3/merged", fsType: "overlay", minor: 78),
      ]
    let plan = Planner.plan(desired: desired, observed: B.observed(entries))
    #expect(
      summary(plan) == [
        "unmount runtime/2/idmap/overlays_9 orphan", "unmount runtime/2/idmap/overlays_9 orphan",
        "rmdir runtime/2/idmap/overlays_9 orphan",
        "unmount runtime/3/merged orphan", "rmdir runtime/3/merged orphan",
        "unmount runtime/3 orphan", "rmdir runtime/3 orphan",
      ])
  }

  @Test func siblingCoveringAnotherSiblingsPathIsUnmountedFirst() {
    // Mount 30 on runtime/5/x/y was made first; mount 31 on runtime/5/x, made later
    // on the same parent, now hides it. Only after 31 goes can 30 be reached by path.
    let entries =
      B.baseEntries() + [
        B.entry(id: 31, parent: 2, target: "/srv/l4d/runtime/5/x", minor: 91),
        B.entry(id: 30, parent: 2, target: "/srv/l4d/runtime/5/x/y", minor: 90),
      ]
    let plan = Planner.plan(desired: B.desired([]), observed: B.observed(entries))
    let ids = plan.steps.compactMap { step -> Int? in
      if case .unmount(let u) = step { return u.mountID } else { return nil }
    }
    #expect(ids == [31, 30])
  }

  @Test func planLeavesMountsOutsideManagedAlone() {
    let entries =
      B.baseEntries() + [
        B.entry(id: 30, parent: 2, target: "/srv/l4d/overlays/9", root: "/x"),
        B.entry(id: 31, parent: 1, target: "/mnt/elsewhere"),
      ]
    let plan = Planner.plan(desired: B.desired([]), observed: B.observed(entries))
    #expect(plan.steps.isEmpty)
  }

  @Test(arguments: [
    (LeaseObservation(lockPath: "x.lock", held: true), true, [String]()),
    (
      LeaseObservation(lockPath: "x.lock", held: false), true,
      ["unmount tmp/sandbox-idmap-9 lease-released", "rmdir tmp/sandbox-idmap-9 lease-released"]
    ),
    (LeaseObservation(lockPath: "x.lock", held: false), false, [String]()),
  ])
  func planKeepsLeasedStagingBindOnlyWhileHeld(lease: LeaseObservation, probed: Bool, expected: [String]) {
    let staging = "/srv/l4d/tmp/sandbox-idmap-9"
    let entries =
      B.baseEntries() + [B.entry(id: 40, parent: 2, target: staging, root: "/overlays/9", options: ["rw", "idmapped"])]
    let plan = Planner.plan(
      desired: B.desired([]), observed: B.observed(entries, leases: [staging: lease], probed: probed))
    #expect(summary(plan) == expected)
  }

  @Test func planNeverTouchesRefusedInstanceTargets() {
    let refused = RefusedInstance(
      name: "3", file: "/srv/l4d/instances.d/3.yaml", declaredTargets: ["/srv/l4d/runtime/3/merged"],
      issues: [
        ManifestIssue(
          location: SourceLocation(file: "3.yaml", line: 4, column: 7), instance: "3", keyPath: "mounts[0]",
          message: "bad")
      ])
    let entries =
      B.baseEntries() + [
        B.overlayEntry(id: 10, instance: "3"), B.overlayEntry(id: 11, parent: 10, instance: "3"),
      ]
    let plan = Planner.plan(desired: B.desired([], refused: [refused]), observed: B.observed(entries))
    #expect(plan.steps.isEmpty)
    #expect(plan.problems.count == 1)
    #expect(plan.problems.first?.line == 4 && plan.problems.first?.column == 7)
  }

  @Test func planRefusesInstanceWithTaintedUpperdirAndKeepsItsMount() {
    let entries = B.baseEntries() + [B.overlayEntry(id: 10, instance: "2", lowerdirs: ["installation"])]
    let observed = B.observed(entries, tainted: ["/srv/l4d/runtime/2/upper": ["user.fuseoverlayfs.origin"]])
    let plan = Planner.plan(desired: B.desired([B.overlayInstance("2")]), observed: observed)
    #expect(plan.steps.isEmpty)
    #expect(plan.problems.count == 1)
    #expect(plan.problems[0].message.contains("user.fuseoverlayfs.origin"))
  }

  @Test func unparseableManifestSuspendsOrphanRemovalButStillMountsValidInstances() {
    let entries = B.baseEntries() + [B.entry(id: 50, parent: 2, target: "/srv/l4d/runtime/9/merged")]
    let plan = Planner.plan(
      desired: B.desired([B.overlayInstance("2")], unparseable: true), observed: B.observed(entries))
    #expect(summary(plan) == ["mount runtime/2/merged missing"])
    #expect(plan.orphanRemovalSuspended)
  }

  @Test func disabledInstanceGetsItsTargetsUnmounted() {
    let entries = B.baseEntries() + [B.overlayEntry(id: 10, instance: "2")]
    let plan = Planner.plan(
      desired: B.desired([B.overlayInstance("2", enabled: false)]), observed: B.observed(entries),
      scope: .instances(["2"]))
    #expect(summary(plan) == ["unmount runtime/2/merged disabled"])
  }

  @Test func instanceScopeLeavesOrphansElsewhereAndReportsUnknownNames() {
    let entries = B.baseEntries() + [B.entry(id: 50, parent: 2, target: "/srv/l4d/runtime/9/merged")]
    let plan = Planner.plan(
      desired: B.desired([B.overlayInstance("2")]), observed: B.observed(entries),
      scope: .instances(["2", "7"]))
    #expect(summary(plan) == ["mount runtime/2/merged missing"])
    #expect(plan.problems.map(\.instance) == ["7"])
  }

  @Test func unmountOfReplacedOverlayTakesOrphanChildrenFirst() {
    let entries =
      B.baseEntries() + [
        B.overlayEntry(id: 10, instance: "2", lowerdirs: ["installation"]),
        B.entry(id: 11, parent: 10, target: "/srv/l4d/runtime/2/merged/left4dead2/addons"),
      ]
    let plan = Planner.plan(
      desired: B.desired([B.overlayInstance("2")]), observed: B.observed(entries),
      scope: .instances(["2"]))
    #expect(
      summary(plan) == [
        "unmount runtime/2/merged/left4dead2/addons orphan", "unmount runtime/2/merged differs",
        "mount runtime/2/merged differs",
      ])
  }

  @Test func bindMatchesByFilesystemAndRootNotByPath() {
    let bind = BindSpec(source: "/srv/l4d/overlays/9", target: "/srv/l4d/runtime/2/build", readOnly: true)
    let instance = InstanceManifest(
      name: "2", file: "2.yaml", enabled: true,
      mounts: [DesiredMount(spec: .bind(bind), location: SourceLocation(file: "2.yaml", line: 1, column: 1))])
    let good = B.entry(id: 60, parent: 2, target: bind.target, root: "/overlays/9", options: ["ro"])
    let wrongRoot = B.entry(id: 60, parent: 2, target: bind.target, root: "/overlays/4", options: ["ro"])
    let writable = B.entry(id: 60, parent: 2, target: bind.target, root: "/overlays/9", options: ["rw"])
    #expect(Planner.plan(desired: B.desired([instance]), observed: B.observed(B.baseEntries() + [good])).steps.isEmpty)
    #expect(
      Planner.plan(desired: B.desired([instance]), observed: B.observed(B.baseEntries() + [wrongRoot])).steps.count == 2
    )
    #expect(
      Planner.plan(desired: B.desired([instance]), observed: B.observed(B.baseEntries() + [writable])).steps.count == 2)
  }

  @Test func idmapNamesThatDoNotResolveRefuseTheInstance() {
    let idmap = IDMapSpec(
      users: IDMapping(onDisk: .name("left4me"), seenThroughMount: .name("nobody-here"), count: 1),
      groups: IDMapping(onDisk: .number(980), seenThroughMount: .number(981), count: 1))
    let bind = BindSpec(source: "/srv/l4d/overlays/9", target: "/srv/l4d/runtime/2/build", idmap: idmap)
    let instance = InstanceManifest(
      name: "2", file: "2.yaml", enabled: true,
      mounts: [DesiredMount(spec: .bind(bind), location: SourceLocation(file: "2.yaml", line: 1, column: 1))])
    let plan = Planner.plan(
      desired: B.desired([instance]),
      observed: B.observed(B.baseEntries(), identities: IdentityTable(users: ["left4me": 980])))
    #expect(plan.steps.isEmpty)
    #expect(plan.problems.first?.message.contains("nobody-here") == true)
  }

  @Test func collapsingFiveThousandStackedLayersPlansEachOnceTopFirst() {
    var entries = B.baseEntries()
    let target = "/srv/l4d/runtime/2/idmap/overlays_9"
    for id in 100..<5_100 { entries.append(B.entry(id: id, parent: id == 100 ? 2 : id - 1, target: target)) }
    let plan = Planner.plan(desired: B.desired([]), observed: B.observed(entries))
    let ids = plan.steps.compactMap { step -> Int? in
      if case .unmount(let u) = step { return u.mountID } else { return nil }
    }
    #expect(ids == Array((100..<5_100).reversed()))
  }
}

@Suite struct PlannerLeasedDeclarationTests {
  private let staging = "/srv/l4d/tmp/sandbox-idmap-12"

  private func sandboxInstance() -> InstanceManifest {
    let bind = BindSpec(source: "/srv/l4d/overlays/12", target: staging)
    return InstanceManifest(
      name: "sandbox-12", file: "sandbox-12.yaml", enabled: true,
      mounts: [DesiredMount(spec: .bind(bind), location: SourceLocation(file: "sandbox-12.yaml", line: 2, column: 5))])
  }

  @Test func declaredStagingBindIsMountedWhileItsLeaseIsHeld() {
    let plan = Planner.plan(
      desired: B.desired([sandboxInstance()]),
      observed: B.observed(B.baseEntries(), missing: [staging], heldLocks: [staging + ".lock"]))
    #expect(plan.steps.map(\.action) == ["mkdir", "mount"])
  }

  @Test func declaredStagingBindGoesOnceItsLeaseIsReleased() {
    let mounted = B.entry(id: 40, parent: 2, target: staging, root: "/overlays/12")
    let released = Planner.plan(
      desired: B.desired([sandboxInstance()]), observed: B.observed(B.baseEntries() + [mounted]))
    #expect(released.steps.map { "\($0.action) \($0.reason.rawValue)" } == ["unmount lease-released"])
    let neverMounted = Planner.plan(
      desired: B.desired([sandboxInstance()]), observed: B.observed(B.baseEntries(), missing: [staging]))
    #expect(neverMounted.steps.isEmpty)
  }
}

@Suite struct PlannerScopeProblemTests {
  @Test func instanceRunReportsOnlyItsOwnAndSiteWideIssues() {
    func issue(_ instance: String?) -> ManifestIssue {
      ManifestIssue(
        location: SourceLocation(file: "f", line: 1, column: 1), instance: instance, keyPath: "", message: "bad")
    }
    var desired = B.desired([B.overlayInstance("2")])
    desired.issues = [issue("5"), issue(nil), issue("2")]
    let observed = B.observed(B.baseEntries() + [B.overlayEntry(id: 10, instance: "2")])
    let plan = Planner.plan(desired: desired, observed: observed, scope: .instances(["2"]))
    #expect(plan.problems.map(\.instance) == [nil, "2"])
    #expect(Planner.plan(desired: desired, observed: observed).problems.count == 3)
  }
}

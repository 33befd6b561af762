import Probes
import StateModel
import Testing

@testable import Reconciler

/// DESIGN 3.2's exit codes for an applying run, decided from values alone.
@Suite struct ReconcileRunVerdictTests {
  private static let drifted = Step.unmount(
    UnmountStep(
      target: "/srv/m", mountID: 10, parentID: 2, fsType: "overlay", root: "/srv", instance: "2",
      reason: .differs, whenBusy: .waitForRestart))
  private static let remount = Step.mount(
    MountStep(
      target: "/srv/m", instance: "2", reason: .differs, root: "/srv",
      mount: .overlay(ResolvedOverlay(lowerdirs: ["/srv/a"], upperdir: nil, workdir: nil, readOnly: true))))
  private static let orphan = Step.unmount(
    UnmountStep(
      target: "/srv/o", mountID: 20, parentID: 2, fsType: "tmpfs", root: "/srv", instance: nil, reason: .orphan))
  private static let leaseChown = Step.setOwner(
    OwnershipStep(
      id: "m", path: "/srv/overlays", root: "/srv", fromUID: 981, fromGID: 981, toUID: 980, toGID: 980,
      deferredBy: ["/srv/tmp/x.lock"]))

  private func plan(_ steps: [Step], problems: [Problem] = []) -> Plan {
    Plan(steps: steps, problems: problems, orphanRemovalSuspended: false)
  }

  @Test func everythingDoneAndNothingPendingIsConverged() {
    let report = ReconcileRun.verdict(
      plan: plan([Self.orphan]), applied: ApplyReport(outcomes: [StepOutcome(step: Self.orphan, status: .done)]),
      pending: [])
    #expect(report.exitStatus == .converged)
    #expect(report.converged)
  }

  @Test func busyDriftThatWaitsIsTemporary() {
    let applied = ApplyReport(outcomes: [
      StepOutcome(step: Self.drifted, status: .skipped, waitsForRestart: true),
      StepOutcome(step: Self.remount, status: .skipped, waitsForRestart: true),
    ])
    let report = ReconcileRun.verdict(
      plan: plan([Self.drifted, Self.remount]), applied: applied, pending: [Self.drifted, Self.remount])
    #expect(report.exitStatus == .temporary)
    #expect(report.problems.isEmpty)
    #expect(report.pendingAfterApply.count == 2)
  }

  @Test func aMigrationWaitingForALeaseIsTemporary() {
    let applied = ApplyReport(outcomes: [StepOutcome(step: Self.leaseChown, status: .skipped)])
    #expect(
      ReconcileRun.verdict(plan: plan([Self.leaseChown]), applied: applied, pending: [Self.leaseChown]).exitStatus
        == .temporary)
  }

  @Test func pendingThatDoesNotWaitIsAnError() {
    let applied = ApplyReport(outcomes: [StepOutcome(step: Self.orphan, status: .done)])
    let report = ReconcileRun.verdict(plan: plan([Self.orphan]), applied: applied, pending: [Self.orphan])
    #expect(report.exitStatus == .error)
    #expect(report.problems.first?.message.hasPrefix("not converged: 1 step(s)") == true)
  }

  @Test func aBusyOrphanIsAnErrorEvenBesideWaitingDrift() {
    let applied = ApplyReport(outcomes: [
      StepOutcome(step: Self.drifted, status: .skipped, waitsForRestart: true),
      StepOutcome(step: Self.orphan, status: .failed, detail: "busy (EBUSY)"),
    ])
    let report = ReconcileRun.verdict(
      plan: plan([Self.drifted, Self.orphan]), applied: applied, pending: [Self.drifted, Self.orphan])
    #expect(report.exitStatus == .error)
    #expect(report.problems.map(\.message) == ["unmount /srv/o: busy (EBUSY)"])
  }

  @Test func aRefusedInstanceMakesItAnErrorThoughTheRestConverged() {
    let report = ReconcileRun.verdict(
      plan: plan([], problems: [Problem(instance: "3", message: "refused")]), applied: ApplyReport(outcomes: []),
      pending: [])
    #expect(report.exitStatus == .error)
    #expect(report.converged)
  }

  @Test func aFailedVerificationIsAnError() {
    let report = ReconcileRun.verdict(
      plan: plan([]), applied: ApplyReport(outcomes: []), pending: [],
      verificationProblems: [Problem(message: "verifying observation failed")])
    #expect(report.exitStatus == .error)
  }
}

import Glibc
import SystemPackage
import Testing
import _ReconcileTestSupport

@testable import Reconciler

private func unmountStep(_ target: String, id: Int, parent: Int, reason: StepReason = .stacked) -> Step {
  .unmount(
    UnmountStep(
      target: target, mountID: id, parentID: parent, fsType: "tmpfs", root: "/srv", instance: "2", reason: reason))
}

private func overlayStep(_ target: String) -> Step {
  .mount(
    MountStep(
      target: target, instance: "2", reason: .differs, root: "/srv",
      mount: .overlay(ResolvedOverlay(lowerdirs: ["/srv/a"], upperdir: nil, workdir: nil, readOnly: true))))
}

@Suite struct ApplierTests {
  @Test func unmountsStackTopFirstThenMounts() {
    let system = RecordingMountSystem(stacks: ["/srv/m": [10, 11, 12]])
    let plan = Plan(
      steps: [
        unmountStep("/srv/m", id: 12, parent: 11), unmountStep("/srv/m", id: 11, parent: 10),
        unmountStep("/srv/m", id: 10, parent: 2, reason: .differs), overlayStep("/srv/m"),
      ], problems: [], orphanRemovalSuspended: false)
    let report = Applier(system: system, migrations: system, clock: RecordingMountSystem.clock).apply(plan)
    #expect(report.outcomes.map(\.status) == [.done, .done, .done, .done])
    #expect(system.trace == ["unmount /srv/m", "unmount /srv/m", "unmount /srv/m", "mountOverlay /srv/m"])
  }

  @Test func busyUnmountNamesHoldersSkipsDependantsAndCarriesOn() {
    let system = RecordingMountSystem(stacks: ["/srv/m": [10, 11], "/srv/o": [20]])
    system.failures["unmount /srv/m"] = .resourceBusy
    let plan = Plan(
      steps: [
        unmountStep("/srv/m", id: 11, parent: 10), unmountStep("/srv/m", id: 10, parent: 2),
        unmountStep("/srv/o", id: 20, parent: 2, reason: .orphan), overlayStep("/srv/m"),
      ], problems: [], orphanRemovalSuspended: false)
    let report = Applier(
      system: system, migrations: system, holders: { _ in ["pid 42 (srcds_linux) cwd /srv/m/x"] },
      clock: RecordingMountSystem.clock
    ).apply(plan)
    #expect(report.outcomes.map(\.status) == [.failed, .skipped, .done, .skipped])
    #expect(report.outcomes[0].detail?.contains("pid 42 (srcds_linux)") == true)
    #expect(report.outcomes[0].detail?.contains("EBUSY") == true)
    #expect(system.trace == ["unmount /srv/m", "unmount /srv/o"])
  }

  @Test func busyDriftedMountWaitsForRestartWithItsHoldersNamedAndTheRestStillApplies() {
    let system = RecordingMountSystem(stacks: ["/srv/m": [10], "/srv/o": [20]])
    system.failures["unmount /srv/m"] = .resourceBusy
    let drifted = UnmountStep(
      target: "/srv/m", mountID: 10, parentID: 2, fsType: "overlay", root: "/srv", instance: "2", reason: .differs,
      whenBusy: .waitForRestart)
    let plan = Plan(
      steps: [
        .unmount(drifted), unmountStep("/srv/o", id: 20, parent: 2, reason: .orphan), overlayStep("/srv/m"),
      ], problems: [], orphanRemovalSuspended: false)
    let report = Applier(
      system: system, migrations: system, holders: { _ in ["pid 42 (srcds_linux) cwd /srv/m"] },
      clock: RecordingMountSystem.clock
    ).apply(plan)
    #expect(report.outcomes.map(\.status) == [.skipped, .done, .skipped])
    #expect(report.outcomes.map(\.waitsForRestart) == [true, false, true])
    #expect(report.outcomes.map(\.isDeferred) == [true, false, true])
    #expect(report.outcomes[0].detail?.contains("pid 42 (srcds_linux)") == true)
    #expect(report.outcomes[0].detail?.contains("instance 2 next starts") == true)
    #expect(report.failures.isEmpty)
    #expect(system.trace == ["unmount /srv/m", "unmount /srv/o"])
  }

  @Test func unmountIsSkippedWhenThePlannedMountIsNoLongerOnTop() {
    let system = RecordingMountSystem(stacks: ["/srv/m": [10, 99]])
    let plan = Plan(
      steps: [unmountStep("/srv/m", id: 10, parent: 2), overlayStep("/srv/m")],
      problems: [], orphanRemovalSuspended: false)
    let report = Applier(system: system, migrations: system, clock: RecordingMountSystem.clock).apply(plan)
    #expect(report.outcomes.map(\.status) == [.skipped, .skipped])
    #expect(system.trace.isEmpty)
  }

  @Test func nonEmptyDirectoryIsLeftInPlace() {
    let system = RecordingMountSystem()
    system.failures["rmdir /srv/tmp/x"] = .directoryNotEmpty
    let plan = Plan(
      steps: [.removeDirectory(DirectoryStep(path: "/srv/tmp/x", root: "/srv", instance: nil, reason: .orphan))],
      problems: [], orphanRemovalSuspended: false)
    let outcome = Applier(system: system, migrations: system, clock: RecordingMountSystem.clock).apply(plan).outcomes[0]
    #expect(outcome.status == .skipped)
    #expect(outcome.detail == "not empty, left in place")
  }

  @Test func failedDirectoryCreationSkipsTheMountOnIt() {
    let system = RecordingMountSystem()
    system.failures["mkdir /srv/m"] = .permissionDenied
    let plan = Plan(
      steps: [
        .createDirectory(DirectoryStep(path: "/srv/m", root: "/srv", instance: "2", reason: .missing)),
        overlayStep("/srv/m"),
      ], problems: [], orphanRemovalSuspended: false)
    let report = Applier(system: system, migrations: system, clock: RecordingMountSystem.clock).apply(plan)
    #expect(report.outcomes.map(\.status) == [.failed, .skipped])
  }
}

@Suite struct ApplierPropagationTests {
  /// Unmounting a layer under a shared parent also removes its propagated peers; a
  /// planned layer that went that way is done, not failed.
  @Test func layerGoneWithAPropagatedUnmountIsDone() {
    let system = RecordingMountSystem(stacks: ["/srv/m": [10, 12]])  // 11 went with 12's peers
    let plan = Plan(
      steps: [
        .unmount(
          UnmountStep(
            target: "/srv/m", mountID: 12, parentID: 11, fsType: "ext4", root: "/srv", instance: nil, reason: .orphan)),
        .unmount(
          UnmountStep(
            target: "/srv/m", mountID: 11, parentID: 10, fsType: "ext4", root: "/srv", instance: nil, reason: .orphan)),
      ], problems: [], orphanRemovalSuspended: false)
    system.stacks["/srv/m"] = [12]
    let report = Applier(system: system, migrations: system, clock: RecordingMountSystem.clock).apply(plan)
    #expect(report.outcomes.map(\.status) == [.done, .done])
    #expect(report.outcomes[1].detail == "already gone with a propagated unmount")
  }
}

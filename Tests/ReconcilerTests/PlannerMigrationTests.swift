import Probes
import StateModel
import Testing
import _ReconcileTestSupport

@testable import Reconciler

private let migration = StateBuilders.migration()
private let desired = StateBuilders.desired([], config: StateBuilders.config(migrations: [migration]))

private func record(digest: String, definition: String = migration.definition) -> MigrationRecordObservation {
  .recorded(
    MigrationRecord(
      id: migration.id, definition: definition, digest: digest, finishedAt: "2026-11-01T00:00:00Z",
      changed: 10, skippedForeign: 0, skippedOtherMounts: 0, durationSeconds: 1))
}

@Suite struct PlannerMigrationTests {
  @Test func pendingMigrationPlansChownThenRecordAfterEverythingElse() throws {
    let observed = StateBuilders.observed(
      StateBuilders.baseEntries() + [StateBuilders.entry(id: 9, parent: 2, target: "/srv/l4d/runtime/x")])
    let plan = Planner.plan(desired: desired, observed: observed)
    #expect(plan.steps.map(\.action) == ["unmount", "rmdir", "chown", "record"])
    guard case .setOwner(let step) = plan.steps[2] else {
      Issue.record("no chown step")
      return
    }
    #expect((step.fromUID, step.fromGID, step.toUID, step.toGID) == (981, 981, 980, 980))
    #expect(step.deferredBy.isEmpty)
    guard case .record(let recordStep) = plan.steps[3] else {
      Issue.record("no record step")
      return
    }
    #expect(recordStep.file == "/srv/l4d/.reconcile/migrations/overlays-owned-by-left4me.json")
  }

  @Test func recordedMigrationPlansNothing() {
    let observed = StateBuilders.observed(
      StateBuilders.baseEntries(), records: [migration.id: record(digest: migration.digest)])
    #expect(Planner.plan(desired: desired, observed: observed).steps.isEmpty)
  }

  @Test func changedDefinitionUnderTheSameIDIsAnErrorNotARerun() {
    let old = StateBuilders.migration(path: "overlays/old")
    let observed = StateBuilders.observed(
      StateBuilders.baseEntries(), records: [migration.id: record(digest: old.digest, definition: old.definition)])
    let plan = Planner.plan(desired: desired, observed: observed)
    #expect(plan.steps.isEmpty)
    #expect(plan.problems.count == 1)
    #expect(plan.problems[0].message.contains("definition changed"))
    #expect(plan.problems[0].line == 20 && plan.problems[0].column == 5)
  }

  @Test func heldLeaseDefersTheMigrationButNotTheRest() {
    let staging = "/srv/l4d/tmp/sandbox-idmap-9"
    let observed = StateBuilders.observed(
      StateBuilders.baseEntries() + [StateBuilders.entry(id: 9, parent: 2, target: "/srv/l4d/runtime/x")],
      leases: [staging: LeaseObservation(lockPath: staging + ".lock", held: true)],
      heldLocks: ["/srv/l4d/tmp/sandbox-idmap-4.lock"])
    let plan = Planner.plan(desired: desired, observed: observed)
    #expect(plan.steps.map(\.action) == ["unmount", "rmdir", "chown", "record"])
    guard case .setOwner(let step) = plan.steps[2] else {
      Issue.record("no chown step")
      return
    }
    #expect(step.deferredBy == ["/srv/l4d/tmp/sandbox-idmap-4.lock", "/srv/l4d/tmp/sandbox-idmap-9.lock"])
  }

  @Test func migrationsAreLeftOutOfInstanceRunsAndSavedTables() {
    let observed = StateBuilders.observed(StateBuilders.baseEntries())
    #expect(
      Planner.plan(desired: desired, observed: observed, scope: .instances(["2"])).steps.allSatisfy {
        $0.action != "chown"
      })
    let saved = StateBuilders.observed(StateBuilders.baseEntries(), probed: false)
    #expect(Planner.plan(desired: desired, observed: saved).steps.isEmpty)
  }

  @Test func migrationScopePlansOnlyMigrations() {
    let observed = StateBuilders.observed(
      StateBuilders.baseEntries() + [StateBuilders.entry(id: 9, parent: 2, target: "/srv/l4d/runtime/x")])
    #expect(
      Planner.plan(desired: desired, observed: observed, scope: .migrations).steps.map(\.action) == ["chown", "record"])
  }

  @Test func digestChangesWithEveryPartOfTheDefinition() {
    var other = migration
    #expect(other.digest == migration.digest)
    other.toGroup = .number(0)
    #expect(other.digest != migration.digest)
    other = migration
    other.path = "/srv/l4d/overlays/9"
    #expect(other.digest != migration.digest)
    #expect(migration.digest.count == 16)
  }
}

@Suite struct ApplierMigrationTests {
  private func steps(deferredBy: [String] = []) -> [Step] {
    [
      .setOwner(
        OwnershipStep(
          id: "m", path: "/srv/o", root: "/srv", fromUID: 981, fromGID: 981, toUID: 980, toGID: 980,
          deferredBy: deferredBy)),
      .record(
        RecordStep(
          id: "m", file: "/srv/.reconcile/migrations/m.json", stateDirectory: "/srv/.reconcile", root: "/srv",
          definition: "d", digest: "x")),
    ]
  }

  @Test func finishedWalkIsRecordedWithItsCounts() {
    let system = RecordingMountSystem()
    let report = Applier(system: system, migrations: system, clock: RecordingMountSystem.clock)
      .apply(Plan(steps: steps(), problems: [], orphanRemovalSuspended: false))
    #expect(report.outcomes.map(\.status) == [.done, .done])
    #expect(report.outcomes[0].counts?.changed == 3)
    #expect(system.trace == ["chown /srv/o", "record /srv/.reconcile/migrations/m.json changed=3"])
  }

  @Test func deferredWalkRunsNothingAndRecordsNothing() {
    let system = RecordingMountSystem()
    let report = Applier(system: system, migrations: system, clock: RecordingMountSystem.clock)
      .apply(Plan(steps: steps(deferredBy: ["/srv/tmp/x.lock"]), problems: [], orphanRemovalSuspended: false))
    #expect(report.outcomes.map(\.status) == [.skipped, .skipped])
    #expect(report.outcomes[0].isDeferred)
    #expect(system.trace.isEmpty)
  }

  @Test func failedWalkIsNotRecorded() {
    let system = RecordingMountSystem()
    system.failures["chown /srv/o"] = .permissionDenied
    let report = Applier(system: system, migrations: system, clock: RecordingMountSystem.clock)
      .apply(Plan(steps: steps(), problems: [], orphanRemovalSuspended: false))
    #expect(report.outcomes.map(\.status) == [.failed, .skipped])
    #expect(system.trace == ["chown /srv/o"])
  }
}

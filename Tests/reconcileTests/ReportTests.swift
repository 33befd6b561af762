import FoundationEssentials
import Reconciler
import Testing

@testable import reconcile

private let busy = Step.unmount(
  UnmountStep(
    target: "/srv/l4d/runtime/2/merged", mountID: 10, parentID: 2, fsType: "overlay", root: "/srv/l4d",
    instance: "2", reason: .differs, whenBusy: .waitForRestart))

private let deferredChown = Step.setOwner(
  OwnershipStep(
    id: "m", path: "/srv/l4d/overlays", root: "/srv/l4d", fromUID: 981, fromGID: 981, toUID: 980, toGID: 980,
    deferredBy: ["/srv/l4d/tmp/sandbox-idmap-9.lock"]))

private func report(
  _ outcomes: [StepOutcome], exit: Reconciler.ExitStatus, problems: [Problem] = [], dryRun: Bool = false
) -> RunReport {
  RunReport(dryRun: dryRun, converged: exit == .converged, outcomes: outcomes, problems: problems, exitStatus: exit)
}

/// The verdict line says what happened, and for 75, what waits.
@Suite struct TextReportTests {
  @Test(arguments: [
    (report([], exit: .converged, dryRun: true), "Converged (exit 0)."),
    (
      report([StepOutcome(step: busy, status: .planned)], exit: .changesPending, dryRun: true),
      "Changes pending (exit 2)."
    ),
    (report([], exit: .temporary), "Try again later (exit 75)."),
    (
      report([StepOutcome(step: busy, status: .skipped, waitsForRestart: true)], exit: .temporary),
      "Deferred: a drifted mount is in use and waits for its instance's next start; everything else is applied (exit 75)."
    ),
    (
      report([StepOutcome(step: deferredChown, status: .skipped)], exit: .temporary),
      "Deferred: a migration waits for a build that holds its lease; everything else is applied (exit 75)."
    ),
    (report([], exit: .error, problems: [Problem(message: "x")]), "Not converged (exit 1)."),
  ])
  func verdict(_ report: RunReport, _ expected: String) {
    #expect(TextReport.verdict(report) == expected)
    #expect(TextReport.render(report).hasSuffix(expected + "\n"))
  }

  @Test func problemsAreListedWithTheirLocation() {
    let text = TextReport.render(
      report(
        [], exit: .error,
        problems: [
          Problem(instance: "3", file: "/etc/reconcile/instances.d/3.yaml", line: 4, column: 7, message: "bad")
        ]))
    #expect(text.contains("  - /etc/reconcile/instances.d/3.yaml:4:7: instance 3: bad\n"))
  }
}

/// DESIGN 3.4: these keys stay.
@Suite struct JSONReportTests {
  @Test func documentHasTheContractsKeys() throws {
    let text = try JSONReport.render(
      report(
        [StepOutcome(step: busy, status: .skipped, detail: "in use", waitsForRestart: true)], exit: .temporary,
        problems: [Problem(instance: "3", file: "f.yaml", line: 4, column: 7, message: "bad")]))
    let decoded = try JSONDecoder().decode(Document.self, from: Data(text.utf8))
    #expect(decoded.dry_run == false)
    #expect(decoded.converged == false)
    #expect(decoded.exit_code == 75)
    #expect(decoded.steps.map(\.action) == ["unmount"])
    #expect(decoded.steps.map(\.status) == ["skipped"])
    #expect(decoded.steps.map(\.when_busy) == ["wait-for-restart"])
    #expect(decoded.steps.first?.target == "/srv/l4d/runtime/2/merged")
    #expect(decoded.steps.first?.instance == "2")
    #expect(decoded.steps.first?.reason == "differs")
    #expect(decoded.errors.map(\.message) == ["bad"])
    #expect(decoded.errors.first?.line == 4)
    #expect(decoded.errors.first?.column == 7)
  }

  private struct Document: Decodable {
    var dry_run: Bool
    var converged: Bool
    var exit_code: Int
    var steps: [Line]
    var errors: [Problem]
  }

  private struct Line: Decodable {
    var action: String
    var target: String
    var reason: String
    var instance: String?
    var status: String
    var when_busy: String?
  }
}

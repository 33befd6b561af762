import ArgumentParser
import FoundationEssentials
import Reconciler

/// How results are printed: text for people, or one JSON document (DESIGN 3.4).
struct OutputOptions: ParsableArguments {
  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json
  }

  @Option(help: "Output format.")
  var format: Format = .text

  /// Prints the report on stdout in the chosen format; under systemd, every problem
  /// also goes to the journal at error priority.
  func print(_ report: RunReport) throws {
    if Log.stderrIsJournal { report.problems.forEach { Log.error($0.description) } }
    switch format {
    case .text: Swift.print(TextReport.render(report), terminator: "")
    case .json: Swift.print(try JSONReport.render(report))
    }
  }
}

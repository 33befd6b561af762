import ArgumentParser
import Testing

@testable import reconcile

/// Every command names itself: without `commandName`, ArgumentParser derives the name
/// with `String(describing:)`, three dynamic casts per command type at every start
/// (docs/decisions.md, "Start-up").
@Suite struct CommandNameTests {
  @Test func everyCommandNamesItself() {
    var pending: [any ParsableCommand.Type] = [Reconcile.self]
    var seen = 0
    while let command = pending.popLast() {
      seen += 1
      #expect(command.configuration.commandName != nil, "\(command) has no commandName")
      pending += command.configuration.subcommands
    }
    #expect(seen > 1)
  }
}

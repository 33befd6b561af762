import ArgumentParser

/// Where the site config lives; shared by every subcommand.
struct ManifestOptions: ParsableArguments {
  @Option(help: ArgumentHelp("The site config.", valueName: "file"))
  var config = "/etc/reconcile/site.yaml"
}

import CrosswireCLI
CrosswireCommand.main()

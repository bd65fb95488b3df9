// The `crosswire` executable: everything lives in CrosswireCLI.

import CrosswireCLI

CrosswireCommand.runMainAndExit()

// The `crosswire` executable: everything lives in CrosswireCLI.

import CrosswireCLI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

exit(CrosswireCommand.runMain())

// `crosswire capture --user NAME`: like tcpdump -Z, give up root once the
// interfaces are open (initgroups, setgid, setuid).

import CrosswireCapture

enum PrivilegeDrop {
    /// Switches the process to `user`'s uid, gid and supplementary groups.
    /// Throws an input error (exit 2) when the user is unknown or the switch fails.
    static func switchTo(user: String) throws {
        guard let (uid, gid) = POSIXUser.ids(of: user) else {
            throw CrosswireExit.input("--user \(user): no such user")
        }
        // Supplementary groups first, then the group, then the user: after setuid the others are no longer allowed.
        guard POSIXUser.setSupplementaryGroups(of: user, group: gid) else { throw failure(user, "initgroups") }
        guard POSIXUser.setGroup(gid) else { throw failure(user, "setgid") }
        guard POSIXUser.setUser(uid) else { throw failure(user, "setuid") }
        // Root must not be recoverable.
        if uid != 0, POSIXUser.setUser(0) { throw CrosswireExit.input("--user \(user): root privileges could be regained; stopping") }
    }

    private static func failure(_ user: String, _ call: String) -> CrosswireExit {
        CrosswireExit.input("--user \(user): \(call) failed: \(POSIX.lastErrorText)")
    }
}

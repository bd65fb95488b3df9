// `crosswire capture --user NAME`: like tcpdump -Z, give up root once the
// interfaces are open (initgroups, setgid, setuid).

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

enum PrivilegeDrop {
    /// Switches the process to `user`'s uid, gid and supplementary groups.
    /// Throws an input error (exit 2) when the user is unknown or the switch fails.
    static func switchTo(user: String) throws {
        guard let entry = getpwnam(user) else {
            throw CrosswireExit.input("--user \(user): no such user")
        }
        let uid = entry.pointee.pw_uid
        let gid = entry.pointee.pw_gid
        // Supplementary groups first, then the group, then the user: after setuid the others are no longer allowed.
        #if canImport(Glibc)
            let groupsRC = initgroups(user, gid)
        #else
            let groupsRC = initgroups(user, Int32(bitPattern: gid))
        #endif
        guard groupsRC == 0 else { throw failure(user, "initgroups") }
        guard setgid(gid) == 0 else { throw failure(user, "setgid") }
        guard setuid(uid) == 0 else { throw failure(user, "setuid") }
        // Root must not be recoverable.
        if uid != 0, setuid(0) == 0 { throw CrosswireExit.input("--user \(user): root privileges could be regained; stopping") }
    }

    private static func failure(_ user: String, _ call: String) -> CrosswireExit {
        CrosswireExit.input("--user \(user): \(call) failed: \(String(cString: strerror(errno)))")
    }
}

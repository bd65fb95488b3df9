// crosswire.json: the verdict of the contract (§4).

import CrosswireVerdict
import Foundation

/// Renders a verdict as the contract's JSON (`crosswire.json`): `Verdict.jsonData()`.
public enum JSONReport {
    /// The verdict as pretty-printed JSON with sorted keys, ending in a newline.
    public static func render(_ verdict: Verdict) throws -> Data {
        var data = try verdict.jsonData()
        data.append(0x0A)
        return data
    }
}

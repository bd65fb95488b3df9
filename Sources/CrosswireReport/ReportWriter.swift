// Writes reports into the output directory, each atomically: a temporary file
// in the same directory, flushed, then renamed over the old report.

import CrosswireVerdict
import Foundation

/// Why a report could not be written; every case names the path.
public enum ReportWriteError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The output directory could not be created (or a file is in its way).
    case createDirectory(path: String, reason: String)
    /// A report could not be rendered (only JSON encoding can fail).
    case render(format: ReportFormat, path: String, reason: String)
    /// The temporary file could not be created, written or flushed.
    case write(path: String, reason: String)
    /// The temporary file could not be renamed over the report.
    case rename(from: String, to: String, reason: String)

    public var description: String {
        switch self {
        case let .createDirectory(path, reason): "cannot create report directory \(path): \(reason)"
        case let .render(format, path, reason): "cannot render the \(format.rawValue) report \(path): \(reason)"
        case let .write(path, reason): "cannot write report \(path): \(reason)"
        case let .rename(from, to, reason): "cannot move report \(from) into place as \(to): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}

/// Writes the reports of a verdict.
public enum ReportWriter {
    /// The bytes of one report.
    public static func render(_ verdict: Verdict, format: ReportFormat) throws -> Data {
        switch format {
        case .md: Data(MarkdownReport.render(verdict).utf8)
        case .html: Data(HTMLReport.render(verdict).utf8)
        case .junit: Data(JUnitReport.render(verdict).utf8)
        case .json: try JSONReport.render(verdict)
        }
    }

    /// Writes one file per format (duplicates once) into `directory`, creating it when
    /// missing, and returns the files written in the order of `formats`.
    ///
    /// Each report goes to a temporary file next to its final name, is flushed to disk
    /// and then renamed into place, so an interrupted run leaves the previous report
    /// intact rather than a half-written one. On an error the temporary file is removed
    /// and reports already written stay.
    @discardableResult
    public static func write(_ verdict: Verdict, formats: [ReportFormat], to directory: URL) throws -> [URL] {
        try createDirectory(directory)
        var seen = Set<ReportFormat>()
        var written: [URL] = []
        for format in formats where seen.insert(format).inserted {
            let target = directory.appendingPathComponent(format.fileName)
            let data: Data
            do {
                data = try render(verdict, format: format)
            } catch {
                throw ReportWriteError.render(format: format, path: target.path, reason: "\(error)")
            }
            try writeAtomically(data, to: target)
            written.append(target)
        }
        return written
    }

    private static func createDirectory(_ directory: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ReportWriteError.createDirectory(path: directory.path, reason: "a file of that name exists")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportWriteError.createDirectory(path: directory.path, reason: reason(error))
        }
    }

    /// Writes `data` to a fresh temporary file in `target`'s directory, fsyncs it and renames it over `target`.
    static func writeAtomically(_ data: Data, to target: URL) throws {
        let directory = target.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(
            ".\(target.lastPathComponent).\(ReportFileCalls.processID).\(UUID().uuidString.prefix(8)).tmp")
        let fd = ReportFileCalls.createExclusive(temporary.path)
        guard fd >= 0 else { throw ReportWriteError.write(path: temporary.path, reason: errnoText()) }
        var keepTemporary = false
        defer { if !keepTemporary { ReportFileCalls.remove(temporary.path) } }

        let failure: String? = data.withUnsafeBytes { buffer -> String? in
            var offset = 0
            while offset < buffer.count {
                let n = ReportFileCalls.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if ReportFileCalls.lastErrorWasInterrupt { continue }
                    return errnoText()
                }
                offset += n
            }
            return nil
        }
        if let failure {
            ReportFileCalls.close(fd)
            throw ReportWriteError.write(path: temporary.path, reason: failure)
        }
        if !ReportFileCalls.sync(fd) {
            let text = errnoText()
            ReportFileCalls.close(fd)
            throw ReportWriteError.write(path: temporary.path, reason: "fsync: " + text)
        }
        if !ReportFileCalls.close(fd) { throw ReportWriteError.write(path: temporary.path, reason: "close: " + errnoText()) }
        guard ReportFileCalls.rename(temporary.path, to: target.path) else {
            throw ReportWriteError.rename(from: temporary.path, to: target.path, reason: errnoText())
        }
        keepTemporary = true  // renamed: nothing left to remove
    }

    private static func errnoText() -> String { ReportFileCalls.lastErrorText }

    private static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return ReportFileCalls.errorText(Int32(underlying.code))
        }
        return ns.localizedDescription
    }
}

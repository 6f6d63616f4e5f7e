import Models
import TMFcgi

extension DatasetError: ProblemConvertible {
    /// Bad files are 422 (bad rows list line, column, value and reason), limits 413/507, a
    /// taken name 409, a stale `If-Match` 412, anything of another user 404.
    public var problem: Problem {
        switch self {
        case .badFile(let detail):
            return Problem(
                .unprocessableContent, type: "/problems/invalid-data", title: "Invalid data file", detail: detail,
                errors: [FieldError(pointer: "/lines/1", detail: detail)])
        case .lineTooLong(let line, let limit):
            return Problem(
                .unprocessableContent, type: "/problems/invalid-data", title: "Invalid data file",
                detail: "Line \(line) is longer than \(limit) bytes.", errors: [FieldError(pointer: "/lines/\(line)", detail: "line too long")])
        case .invalidRows(let issues, let count):
            var problem = Problem(
                .unprocessableContent, type: "/problems/invalid-data", title: "Invalid data file",
                detail: "The file has \(count) invalid value\(count == 1 ? "" : "s"); nothing was stored.",
                errors: issues.map { FieldError(line: $0.line, column: $0.column, value: $0.value, reason: $0.reason) })
            problem.errorCount = count
            return problem
        case .tooManyRows(let limit):
            return Problem(.contentTooLarge, detail: "A dataset may have at most \(limit) rows.")
        case .quotaExceeded(let used, let quota):
            return Problem(
                .insufficientStorage, title: "Storage quota exceeded",
                detail: "Your datasets use \(used) of your \(quota) bytes; this upload does not fit. Delete datasets to make room.")
        case .uploadBudgetExceeded(let limit, let window, let wait):
            return Problem(
                .tooManyRequests, title: "Upload budget exceeded",
                detail:
                    "Uploads may send at most \(limit) bytes per \(window) seconds (TM_UPLOAD_BUDGET_BYTES), refused ones included; "
                    + "try again in \(wait) seconds.",
                headers: [("Retry-After", String(wait))])
        case .diskFull:
            return Problem(.insufficientStorage, detail: "The server is out of storage; nothing was stored. Try again later.")
        case .nameTaken:
            return Problem(.conflict, detail: "You already have a dataset with this name.")
        case .notFound:
            return Problem(.notFound, detail: "No such dataset.")
        case .stepFailed(let pointer, let detail):
            return Problem.validation([FieldError(pointer: pointer, detail: detail)], detail: "A step cannot run on this dataset.")
        case .importRefused(let reason):
            return Problem.validation([FieldError(pointer: "/url", detail: reason)], detail: "The URL cannot be imported.")
        case .inUse(let runs):
            return Problem(
                .conflict, detail: "\(runs) strategy run\(runs == 1 ? "" : "s") use this dataset; delete with force=true to delete it anyway.")
        case .stale(let current):
            return Versioning.stale("dataset", current: current)
        }
    }
}

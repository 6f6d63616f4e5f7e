import Realtime
import Support

extension Event {
    /// `job.status`: the job's new status, on `job:{id}` and its owner's `user:{id}`.
    public static func jobStatus(_ job: Job) -> Event {
        var data: [String: JSONDocument] = [
            "id": .integer(job.id), "kind": .string(job.kind), "status": .string(job.status.rawValue),
            "attempts": .integer(Int64(job.attempts)), "progress": .number(job.progress),
        ]
        if let error = job.error, job.status != .succeeded { data["error"] = .string(error) }
        return Event(type: "job.status", channels: channels(id: job.id, owner: job.ownerID), data: .object(data))
    }

    /// `job.progress`: a progress report of a running job.
    public static func jobProgress(id: Int64, owner: Int64?, progress: Double, message: String?) -> Event {
        var data: [String: JSONDocument] = ["id": .integer(id), "progress": .number(progress)]
        if let message { data["message"] = .string(message) }
        return Event(type: "job.progress", channels: channels(id: id, owner: owner), data: .object(data))
    }

    private static func channels(id: Int64, owner: Int64?) -> [String] {
        ["job:\(id)"] + (owner.map { ["user:\($0)"] } ?? [])
    }
}

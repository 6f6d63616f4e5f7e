import Realtime
import Support

extension Event {
    /// `job.status`: the job's new status, on `job:{id}`, its owner's `user:{id}` and, for a
    /// job of a training or analysis (`training_id` in its payload), `training:{id}`, so a
    /// subscriber of the training alone sees it end. Ordered by the job's `status_version`:
    /// an event older than one already published for the job is dropped, so `seq` order is
    /// the order of the job's transitions on every channel. A finished job's status is the
    /// last event of its `job:` and `training:` channels (``Event/closes``).
    public static func jobStatus(_ job: Job) -> Event {
        var data: [String: JSONDocument] = [
            "id": .integer(job.id), "kind": .string(job.kind), "status": .string(job.status.rawValue),
            "attempts": .integer(Int64(job.attempts)), "progress": .number(job.progress),
            "status_version": .integer(job.statusVersion),
        ]
        if let error = job.error, job.status != .succeeded { data["error"] = .string(error) }
        var channels = channels(id: job.id, owner: job.ownerID)
        if let training = job.payload["training_id"]?.intValue {
            data["training_id"] = .integer(Int64(training))
            channels.append("training:\(training)")
        }
        return Event(
            type: "job.status", channels: channels, data: .object(data),
            order: Event.Order(subject: "job:\(job.id)", rank: job.statusVersion),
            closes: job.status.isFinished ? channels.filter { !$0.hasPrefix("user:") } : [])
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

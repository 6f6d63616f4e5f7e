import Quant
import Realtime
import Support

extension Event {
    /// `training.trial`: a search's trial finished, with its scores and the best so far; on
    /// `training:{id}`, `job:{job}` and `user:{owner}`.
    public static func trainingTrial(
        id: Int64, job: Int64, owner: Int64, trial: SearchTrial, finished: Int, total: Int,
        best: SearchTrial?
    ) -> Event {
        var data: [String: JSONDocument] = [
            "training_id": .integer(id), "trial": .integer(Int64(finished)), "total_trials": .integer(Int64(total)),
            "index": .integer(Int64(trial.index)), "parameters": ParameterSearchEngine.parameters(trial.parameters),
            "train_score": ParameterSearchEngine.number(trial.trainScore),
            "valid_score": ParameterSearchEngine.number(trial.validScore),
        ]
        if let best {
            data["best_parameters"] = ParameterSearchEngine.parameters(best.parameters)
            data["best_valid_score"] = ParameterSearchEngine.number(best.validScore)
        }
        return Event(type: "training.trial", channels: ["training:\(id)", "job:\(job)", "user:\(owner)"], data: .object(data))
    }

    /// `training.epoch`: a TradeMaster run reached a new episode, with its metrics when the log
    /// had them.
    public static func trainingEpoch(
        id: Int64, job: Int64, owner: Int64, epoch: Int, total: Int, phase: String,
        metrics: [String: Double]?
    ) -> Event {
        var data: [String: JSONDocument] = [
            "training_id": .integer(id), "epoch": .integer(Int64(epoch)), "total_epochs": .integer(Int64(total)),
            "phase": .string(phase),
        ]
        if let metrics { data["metrics"] = .object(metrics.mapValues(ParameterSearchEngine.number)) }
        return Event(type: "training.epoch", channels: ["training:\(id)", "job:\(job)", "user:\(owner)"], data: .object(data))
    }

    /// `training.status`: a training's step changed (`started`, `training`, `testing`, …).
    public static func trainingStatus(id: Int64, job: Int64, owner: Int64, step: String, message: String) -> Event {
        Event(
            type: "training.status", channels: ["training:\(id)", "job:\(job)", "user:\(owner)"],
            data: .object(["training_id": .integer(id), "step": .string(step), "message": .string(message)]))
    }
}

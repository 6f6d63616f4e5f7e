import Foundation
import Realtime
import Support

extension Event {
    /// The channels of a run's events: `run:{id}` and its owner's `user:{id}`.
    static func runChannels(_ id: Int64, owner: Int64) -> [String] {
        ["run:\(id)", "user:\(owner)"]
    }

    /// `run.status`: the run's new status. Ordered per run (queued, then running, then its
    /// end: a run never goes back), so the pool's late `queued` is dropped rather than
    /// numbered after the worker's `running`, and nothing follows the end, which closes
    /// `run:{id}` (``Event/closes``).
    public static func runStatus(_ run: Run) -> Event {
        var data: [String: JSONDocument] = [
            "id": .integer(run.id), "status": .string(run.status.rawValue), "mode": .string(run.mode.rawValue),
            "progress": .number(run.progress), "bars_processed": .integer(run.barsProcessed),
        ]
        if let strategy = run.strategyId { data["strategy_id"] = .integer(strategy) }
        if let error = run.error { data["error"] = .string(error) }
        if let message = run.message { data["message"] = .string(message) }
        let rank: Int64
        switch run.status {
        case .queued: rank = 1
        case .running: rank = 2
        case .succeeded, .failed, .cancelled: rank = 3
        }
        return Event(
            type: "run.status", channels: runChannels(run.id, owner: run.ownerId), data: .object(data),
            order: Event.Order(subject: "run:\(run.id)", rank: rank), closes: rank == 3 ? ["run:\(run.id)"] : [])
    }

    /// `run.progress`: bars done of all.
    public static func runProgress(id: Int64, owner: Int64, progress: Double, bars: Int, of total: Int) -> Event {
        Event(
            type: "run.progress", channels: runChannels(id, owner: owner),
            data: .object([
                "id": .integer(id), "progress": .number(progress), "bars_processed": .integer(Int64(bars)), "bars": .integer(Int64(total)),
            ]))
    }

    /// `run.equity`: the account after bar `bar`.
    public static func runEquity(id: Int64, owner: Int64, bar: Int, time: Int64, equity: Double, cash: Double, position: Int) -> Event {
        Event(
            type: "run.equity", channels: runChannels(id, owner: owner),
            data: .object([
                "id": .integer(id), "bar": .integer(Int64(bar)), "time": .string(RunService.iso8601(time)), "equity": .number(equity),
                "cash": .number(cash), "position": .integer(Int64(position)),
            ]))
    }

    /// `run.trade`: a position opened (`event: entry`) or closed (`event: exit`) at bar `bar`.
    public static func runTrade(
        id: Int64, owner: Int64, event: String, bar: Int, seq: Int, side: String, shares: Int,
        time: Int64, price: Double, netPnl: Double?
    ) -> Event {
        var data: [String: JSONDocument] = [
            "id": .integer(id), "event": .string(event), "bar": .integer(Int64(bar)), "seq": .integer(Int64(seq)),
            "side": .string(side), "shares": .integer(Int64(shares)), "time": .string(RunService.iso8601(time)), "price": .number(price),
        ]
        if let netPnl { data["net_pnl"] = .number(netPnl) }
        return Event(type: "run.trade", channels: runChannels(id, owner: owner), data: .object(data))
    }
}

extension Event {
    /// `strategy.status`: a strategy's status changed with its runs (on `user:{owner}`).
    public static func strategyStatus(id: Int64, owner: Int64, status: StrategyStatus) -> Event {
        Event(
            type: "strategy.status", channels: ["user:\(owner)"],
            data: .object([
                "id": .integer(id), "status": .string(status.rawValue),
            ]))
    }
}

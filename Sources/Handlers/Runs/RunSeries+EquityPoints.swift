import Foundation
import Models
import Quant

extension RunSeries {
    /// At most `maxPoints` points of the curve (evenly spaced bars, the first and last always;
    /// see ``Downsampling``), their drawdown computed over every bar: what a run's equity
    /// route and a synchronous backtest's answer show.
    func equityPoints(maxPoints: Int) -> [EquityPoint] {
        let drawdown = self.drawdown
        return Downsampling.indices(count: times.count, maxPoints: maxPoints).map { i in
            EquityPoint(
                time: Date(timeIntervalSince1970: Double(times[i])), equity: MetricSet.finite(equity[i]),
                drawdown: MetricSet.finite(drawdown[i]), position: position[i])
        }
    }
}

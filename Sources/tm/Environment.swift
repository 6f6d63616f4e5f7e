import Configuration
import Foundation
import Logging
import Models
import TMFcgi

/// Shared startup: settings and logging, with a clear message and exit code 2 when a
/// setting is invalid.
enum Startup {
    static func settings() -> Settings {
        do {
            return try Settings.load()
        } catch let error as SettingsError {
            FileHandle.standardError.write(Data("tm: invalid setting \(error.variable): \(error.reason)\n".utf8))
            exit(2)
        } catch {
            FileHandle.standardError.write(Data("tm: cannot read settings: \(error)\n".utf8))
            exit(2)
        }
    }

    static func logger(_ label: String, settings: Settings) -> Logger {
        JSONLogHandler.bootstrap(level: Logger.Level(rawValue: settings.logLevel) ?? .info)
        return Logger(label: label)
    }
}

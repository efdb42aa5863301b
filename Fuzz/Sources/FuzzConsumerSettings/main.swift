// The Consumer's YAML settings file → ConsumerSettings: decoded settings are within their
// ranges, and (for testing HTTP, which needs no files) become a configuration.
import BastionConfig
import BastionConsumer
import FuzzSupport
import Logging

let logger = {
    var logger = Logger(label: "fuzz")
    logger.logLevel = .critical
    return logger
}()

FuzzDriver.run { (bytes) throws(PropertyViolation) in
    guard let text = String(validating: bytes, as: UTF8.self),
          var settings = try? ConsumerSettings.decode(yaml: text, file: "fuzz.yaml")
    else { return }
    settings.testingHTTP = true
    (settings.cert, settings.key, settings.clientCA) = (nil, nil, nil)
    do {
        let configuration = try settings.configuration(logger: logger)
        try require(ConsumerSettings.Limits.port.contains(configuration.port), "port \(configuration.port) out of range")
    } catch let violation as PropertyViolation {
        throw violation
    } catch {
        throw PropertyViolation("decoded settings are refused: \(error)")
    }
}

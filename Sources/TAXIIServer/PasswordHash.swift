import Crypto
import _CryptoExtras

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A password kept only as a slow scrypt hash, written `scrypt$N$r$p$SALT$HASH` (salt and hash
/// in base64), as `bastion taxii server hash-password` prints it and a configuration file holds it.
public struct PasswordHash: Sendable, Equatable, CustomStringConvertible {
    /// scrypt's cost (N), block size (r) and parallelism (p).
    public var cost: Int
    public var blockSize: Int
    public var parallelism: Int
    /// The salt.
    public var salt: [UInt8]
    /// The derived key.
    public var hash: [UInt8]

    /// The cost of new hashes: N = 2^15, r = 8, p = 1 (32 MiB, tens of milliseconds).
    public static let defaultCost = 1 << 15

    /// Hashes `password` with a new random salt.
    public init(hashing password: String, cost: Int = PasswordHash.defaultCost) throws(PasswordHashError) {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try self.init(password: password, salt: salt, cost: cost, blockSize: 8, parallelism: 1)
    }

    private init(password: String, salt: [UInt8], cost: Int, blockSize: Int, parallelism: Int) throws(PasswordHashError) {
        self.cost = cost
        self.blockSize = blockSize
        self.parallelism = parallelism
        self.salt = salt
        self.hash = try Self.derive(password, salt: salt, cost: cost, blockSize: blockSize, parallelism: parallelism)
    }

    /// Reads a hash written as `scrypt$N$r$p$SALT$HASH`.
    public init(encoded text: String) throws(PasswordHashError) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "scrypt",
              let cost = Int(parts[1]), let blockSize = Int(parts[2]), let parallelism = Int(parts[3]),
              let salt = Data(base64Encoded: parts[4]), let hash = Data(base64Encoded: parts[5])
        else {
            throw PasswordHashError("not a password hash of the form scrypt$N$r$p$SALT$HASH (make one with `bastion taxii server hash-password`)")
        }
        // Bounds that keep a hostile configuration from asking for gigabytes or hours.
        guard cost >= 2, cost <= 1 << 20, cost & (cost - 1) == 0, (1...32).contains(blockSize), (1...16).contains(parallelism),
              (8...64).contains(salt.count), (16...64).contains(hash.count)
        else {
            throw PasswordHashError("password hash parameters out of range (N a power of two up to 2^20, r 1…32, p 1…16)")
        }
        self.cost = cost
        self.blockSize = blockSize
        self.parallelism = parallelism
        self.salt = Array(salt)
        self.hash = Array(hash)
    }

    /// `scrypt$N$r$p$SALT$HASH`.
    public var description: String {
        "scrypt$\(cost)$\(blockSize)$\(parallelism)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
    }

    /// Whether `password` is the one hashed (compared in constant time).
    public func verify(_ password: String) -> Bool {
        guard let candidate = try? Self.derive(password, salt: salt, cost: cost, blockSize: blockSize, parallelism: parallelism, length: hash.count),
              candidate.count == hash.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(candidate, hash) { difference |= a ^ b }
        return difference == 0
    }

    private static func derive(_ password: String, salt: [UInt8], cost: Int, blockSize: Int, parallelism: Int, length: Int = 32) throws(PasswordHashError) -> [UInt8] {
        do {
            let key = try KDF.Scrypt.deriveKey(
                from: Array(password.utf8), salt: salt, outputByteCount: length, rounds: cost, blockSize: blockSize, parallelism: parallelism)
            return key.withUnsafeBytes { Array($0) }
        } catch {
            throw PasswordHashError("cannot derive the password hash: \(error)")
        }
    }
}

/// Why a password hash could not be made or read.
public struct PasswordHashError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

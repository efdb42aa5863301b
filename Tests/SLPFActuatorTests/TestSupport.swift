import Foundation
#if canImport(Glibc)
import Glibc
#endif
import OpenC2
import OpenC2SLPF
import NetworkNamespaceSupport
import Testing
import TestSupport
@testable import SLPFActuator

func ipv4(_ text: String) -> IPv4Net { try! IPv4Net(text) }
func ipv6(_ text: String) -> IPv6Net { try! IPv6Net(text) }
func at(_ milliseconds: UInt64) -> DateTime { DateTime(millisecondsSince1970: milliseconds) }

/// A rule for renderer and backend tests.
func rule(
    _ number: RuleNumber, _ action: FilterAction, _ match: FilterMatch, direction: Direction = .both,
    dropProcess: DropProcess = .silent, persistent: Bool = true
) -> SLPFRule {
    SLPFRule(
        ruleNumber: number, action: action, match: match, direction: direction, dropProcess: dropProcess,
        persistent: persistent, startTime: at(0), createdAt: at(0))
}

extension NetworkNamespace {
    /// An nftables backend working inside the namespace, through the nft program.
    var backend: NFTablesBackend { NFTablesBackend(runner: runner) }
}

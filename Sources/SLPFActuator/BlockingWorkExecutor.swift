import Dispatch

/// A serial executor on a dispatch queue of its own, for an actor whose work blocks: SQLite
/// waiting on another writer's lock (up to the store's busy timeout) and libnftables or `nft`
/// changing the ruleset. Jobs run on the queue's thread, not on Swift's cooperative pool, so a
/// store locked by `bastion openc2 rules delete` in another process, or a slow firewall, holds
/// up only the actuator, never the server's other tasks.
final class BlockingWorkExecutor: SerialExecutor {
    private let queue: DispatchQueue
    private static let marker = DispatchSpecificKey<ObjectIdentifier>()

    init(label: String) {
        queue = DispatchQueue(label: label)
        queue.setSpecific(key: Self.marker, value: ObjectIdentifier(self))
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Whether the calling code runs on this executor's queue.
    var isCurrent: Bool {
        DispatchQueue.getSpecific(key: Self.marker) == ObjectIdentifier(self)
    }
}

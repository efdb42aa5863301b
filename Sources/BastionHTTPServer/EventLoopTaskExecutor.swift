import NIOCore

/// Runs a task's jobs on one event loop: set as a responder task's executor preference, the
/// responder's code, and whatever it awaits that has no executor of its own, runs on the
/// connection's thread instead of being handed to the cooperative pool and back.
final class EventLoopTaskExecutor: Sendable {
    private let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }
}

@available(macOS 15, *)
extension EventLoopTaskExecutor: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
